/*
 * pitwall-fcgi: private declarations of the FastCGI responder.
 */
#ifndef PITWALL_FCGI_EXTERN_H
#define PITWALL_FCGI_EXTERN_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <fcgiapp.h>
#include <json-c/json.h>

#include "config.h"
#include "fcgi_server.h"

struct auth_claims;
struct db;
struct judge0;
struct redis;

/* Shared by all threads; read-only once the threads run. */
struct app {
	struct config	 cfg;
	const char	*prog;
};

/* One per request thread: connections are never shared between threads. */
struct worker_ctx {
	struct app	*app;
	struct redis	*redis;
	struct db	*db;		/* lazily connected; only /healthz and cache fills */
	struct judge0	*j0;
	int		 id;
};

struct req {
	FCGX_Request		 fcgx;
	struct worker_ctx	*w;
	const struct config	*cfg;
	enum http_method	 method;
	const char		*method_name;
	const char		*path;		/* DOCUMENT_URI, without the query */
	const char		*query;		/* QUERY_STRING, may be "" */
	const char		*reqid;		/* REQUEST_ID from nginx, or generated */
	char			 reqid_buf[40];
	char			*body;		/* read on demand, NUL-terminated */
	size_t			 bodylen;
	int			 status;	/* status of the reply written */
	size_t			 route;		/* index in the route table; ROUTE__MAX: none */
	struct timespec		 t0;		/* when the request was accepted */
};

enum route_id {
	ROUTE_HEALTHZ,
	ROUTE_SUBMIT,
	ROUTE_CALLBACK,
	ROUTE_SUBMISSION,
	ROUTE_RUN,
	ROUTE_RUNCUSTOM,
	ROUTE_AUTH_LOGIN,
	ROUTE_AUTH_LOGOUT,
	ROUTE_TIME,
	ROUTE_QUESTIONS,
	ROUTE_LEADERBOARD,
	ROUTE_ADMIN_ROUNDS,
	ROUTE_ADMIN_QUESTIONS,
	ROUTE_ADMIN_TESTCASES,
	ROUTE_ADMIN_USERS,
	ROUTE_ADMIN_REJUDGE,
	ROUTE_METRICS,
	ROUTE_LIVE_AUTH,
	ROUTE_SUBMISSIONS,
	ROUTE_LANGUAGES,
	ROUTE_ADMIN_SUBMISSIONS,
	ROUTE_ADMIN_PACKAGES,
	ROUTE_CLARIFICATIONS,
	ROUTE_ADMIN_CLARIFICATIONS,
	ROUTE_API,
	ROUTE_ADMIN_TEAMS,
	ROUTE__MAX
};

/* A route of the table in main.c: path and methods (lib/fcgi_server.h),
 * and the handler. */
struct route {
	struct fcgi_route	 m;
	void			(*handler)(struct req *);
};

/* http.c: replies and request input. */
const char	*http_param(struct req *r, const char *name);
void		 http_reply(struct req *r, int status, const char *ctype,
		    const char *extra_headers, const char *body, size_t len);
void		 http_reply_json(struct req *r, int status, json_object *obj);
void		 http_error(struct req *r, int status, const char *code,
		    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
int		 http_read_body(struct req *r, size_t max);
int		 http_json_body_or_reply(struct req *r, size_t max, int depth,
		    json_object **out);
/*
 * A JSON object body (at most max bytes, nesting depth) and its fields
 * read per the table (json_read_fields): 0 with *body the caller's
 * (json_object_put), or -1 with *body NULL and the reply written (as
 * http_json_body_or_reply, or 422 invalid_field).
 */
struct jfield;
int		 req_fields_or_reply(struct req *r, size_t max, int depth,
		    const struct jfield *f, size_t n, json_object **body);

/* auth_req.c: who is asking.  -1: reply (401/403/503) already written. */
int		 req_auth_or_reply(struct req *r, struct auth_claims *who);
/* As req_auth_or_reply, but a request without a token passes as
 * anonymous (who->user_id 0); a token that is sent must be valid. */
int		 req_auth_optional_or_reply(struct req *r, struct auth_claims *who);
/* A valid token with role admin: else 401 (no/bad token) or 403. */
int		 req_admin_or_reply(struct req *r, struct auth_claims *who);
/*
 * route_auth.c: check email and password as /auth/login does (its
 * failed-login limits per account and address, the same work for an
 * unknown email).  0 with *uid, role and *banned filled; 1 for wrong
 * credentials (counted as a failure); -1 with the reply (429, 503) written.
 */
int		 req_password_check_or_reply(struct req *r, const char *email,
		    const char *password, long long *uid, char *role,
		    size_t rolesz, int *banned);
/* Per-user fixed-window rate limit.  -1: 429 (or 503) already written. */
int		 req_rate_limit_or_reply(struct req *r, const char *kind,
		    long long uid, int per_min);

/* code_req.c: checks shared by /submit, /run and /runcustom.  -1: reply written. */
struct cache_question;
struct cache_language;
int		 req_source_or_reply(struct req *r, json_object *body,
		    const char *key, const char **src, size_t *len);
int		 req_question_or_reply(struct req *r, const struct auth_claims *who,
		    long long qid, int lang_id, struct cache_question **q,
		    struct cache_language *lang);

/* admin_req.c: helpers of the /admin routes (and login). */
struct jfield;
struct pg_result;
struct db	*req_db_or_reply(struct req *r);

/*
 * A CSV import's body (the admin users' and teams' imports): text/csv,
 * else 415 naming `what`; read whole (at most 4 MiB); the database.  0,
 * or -1 when the error is sent.
 */
int		 csv_body_or_reply(struct req *r, const char *what);

/*
 * The next line of a CSV body read into *pos..end: 1 with *line its text
 * (NUL-terminated; CRs at its end and a byte-order mark on the first
 * line removed), *lineno counted and *nul set when the line holds a NUL
 * byte; 0 at the end.  *pos moves past the line.
 */
int		 csv_line_next(char **pos, char *end, long *lineno, char **line,
		    int *nul);
/* The nesting depth of the admin routes' JSON bodies. */
#define ADMIN_JSON_DEPTH	4
/*
 * Run one statement; NULL with the reply written: 409 for unique or
 * foreign-key conflicts, 422 for CHECK/NOT NULL/bad values, 503 when
 * PostgreSQL is down.  The result is the caller's (PQclear).
 */
struct pg_result *req_sql_or_reply(struct req *r, const char *sql, int n,
		    const char *const *params);
/* As req_sql_or_reply, for a statement whose result is not needed.  0 / -1. */
int		 req_exec_or_reply(struct req *r, const char *sql, int n,
		    const char *const *params);
/*
 * As req_sql_or_reply, for a statement about the one row named by $1
 * (params[0]): without exactly one row in the result, NULL with 404
 * not_found "no <what> <params[0]>" written.
 */
struct pg_result *req_row_or_reply(struct req *r, const char *sql, int n,
		    const char *const *params, const char *what);
/*
 * Reply `status` with the row of a query with one parameter, key, as a
 * JSON object (404 "no <what> <key>" without it).  Always replies.
 */
void		 req_row_reply(struct req *r, const char *sql, const char *key,
		    const char *what, int status);
/* Reply 200 with every row of a query as a JSON array.  Always replies. */
void		 req_rows_reply(struct req *r, const char *sql, int n,
		    const char *const *params);
/*
 * The SQL parameter of an optional field read from body: NULL when body
 * lacks key or has it null (so the statement keeps its default or the
 * old value), else v as text (pg_int_param writes it in buf).
 */
const char	*pg_int_param(json_object *body, const char *key, int64_t v,
		    char *buf, size_t bufsz);
const char	*pg_bool_param(json_object *body, const char *key, int v);
/* Row `row` of a result as a JSON object, typed by column type. */
json_object	*pg_row_json(const struct pg_result *res, int row);
/* Every row of a result as a JSON array. */
json_object	*pg_rows_json(const struct pg_result *res);
/* The next path segment after *p ("/x/…"): copies it, advances *p.  0 / -1. */
int		 path_segment(const char **p, char *out, size_t outsz);
/* A positive decimal id segment.  0 / -1. */
int		 path_id(const char **p, long long *out);
/*
 * The optional query parameter name (percent-decoded into buf): *out is
 * buf, or NULL when absent.  0, or -1 with a 422 written when it is
 * empty, malformed or longer than buf.
 */
int		 req_query_text_or_reply(struct req *r, const char *name,
		    char *buf, size_t bufsz, const char **out);
/* Admin changes to rounds, questions or testcases: drop the caches. */
void		 req_caches_drop(struct req *r, long long qid);

/* admin_route.c: the sub-route tables of the /admin groups. */
struct admin_args {
	char		 slug[72];	/* the "*" segment */
	long long	 id;		/* the "#" segment */
	const struct auth_claims *who;	/* the caller, checked */
};
struct admin_route {
	/* After the group's prefix: "" the group itself, else segments of
	 * literals, "*" (a slug) and "#" (a positive id): "/#/testcases". */
	const char	*pattern;
	unsigned	 methods;	/* enum http_method bits */
	void		(*handler)(struct req *, const struct admin_args *);
};
/*
 * Check the caller is an admin, then run the first entry of t whose
 * pattern matches the path after prefix and whose methods hold the
 * request's; 405 naming the methods when only the path matched, 404 when
 * nothing did.  Always replies.
 */
void		 admin_route_dispatch(struct req *r, const char *prefix,
		    const struct admin_route *t, size_t n);
/* The same table walk for a caller already checked (who): the
 * /clarifications group, open to every user.  Always replies. */
void		 admin_route_run(struct req *r, const struct auth_claims *who,
		    const char *prefix, const struct admin_route *t, size_t n);

/* live_pub.c: a POST to each nchan publisher (LIVE_PUBLISH_URL's list,
 * <URL>/<channel>), best effort.  0 / -1 (logged). */
int		 live_publish(struct req *r, const char *channel, json_object *msg);

/*
 * clar_req.c: clarifications as the two audiences see them.  The user
 * view (CLAR_VIEW_USER) is the viewer's own rows and the public ones,
 * with `mine`; the jury view has every row and who asked.
 */
enum clar_view {
	CLAR_VIEW_USER,
	CLAR_VIEW_JURY,
	CLAR_VIEW__MAX
};
/* Most bytes of a question, an answer or an announcement (the schema
 * allows 4000 characters). */
#define CLAR_TEXT_BYTES	16000
/* Largest body: a contestant's is also bounded by nginx's 16 KiB on the
 * public routes; the jury's (/admin/) may escape every character. */
#define CLAR_BODY_BYTES		16384
#define CLAR_ADMIN_BODY_BYTES	(8 * CLAR_TEXT_BYTES)
/* Reply 200 with the rows of view v (viewer uid) changed after ?since=N
 * (400 when malformed), in the order they changed.  Always replies. */
void		 clar_list_reply(struct req *r, enum clar_view v, long long uid);
/* Reply `status` with row id in view v: 404 when the viewer may not see
 * it.  Always replies. */
void		 clar_one_reply(struct req *r, enum clar_view v, long long uid,
		    long long id, int status);
/* Push row id to the channels that may see it (the jury's, and the
 * asker's or everyone's).  Best effort, writes no reply. */
void		 clar_publish(struct req *r, long long id);
/* The question_id field of a clarification: a question of a round that
 * has started (any question for an admin).  0, or -1 with 422 written. */
int		 clar_question_or_reply(struct req *r, const struct auth_claims *who,
		    long long qid);
/*
 * Run one write of clarifications (the result is the caller's) in a
 * transaction holding an advisory lock, so rows commit in seq order and
 * a poller's ?since=<seq> never skips a row that took a smaller seq but
 * committed later.  NULL with the reply written, as req_sql_or_reply.
 */
struct pg_result *clar_write_or_reply(struct req *r, const char *sql, int n,
		    const char *const *params);
/* POST {question_id?, text}: the caller's question (announce 0, rate
 * limited) or the jury's announcement (1) -> 201.  Always replies. */
void		 clar_post_reply(struct req *r, const struct auth_claims *who,
		    int announce);
/* A text field with something besides white space.  0, or -1 with 422. */
int		 clar_text_or_reply(struct req *r, const char *field, const char *text);

/* routes */
void	route_healthz(struct req *);
void	route_metrics(struct req *);
void	route_submit(struct req *);
void	route_callback(struct req *);
void	route_submission(struct req *);
void	route_submissions(struct req *);
void	route_languages(struct req *);
void	route_run(struct req *);
void	route_runcustom(struct req *);
void	route_auth_login(struct req *);
void	route_auth_logout(struct req *);
void	route_time(struct req *);
void	route_questions(struct req *);
void	route_leaderboard(struct req *);
void	route_admin_rounds(struct req *);
void	route_admin_questions(struct req *);
void	route_admin_testcases(struct req *);
void	route_admin_users(struct req *);
void	route_admin_rejudge(struct req *);
void	route_admin_submissions(struct req *);
void	route_admin_packages(struct req *);
void	route_live_auth(struct req *);
void	route_clarifications(struct req *);
void	route_admin_clarifications(struct req *);
void	route_admin_teams(struct req *);
void	route_api(struct req *);

/*
 * route_submission.c: 1 when viewer shares owner's submissions to
 * question qid: teammates in a team-based round (team_shares(),
 * sql/012_teams.sql).  For a viewer who is not the owner; 0 when
 * PostgreSQL cannot say.
 */
int	req_teammate(struct req *r, long long qid, long long owner,
	    long long viewer);

/* route_leaderboard.c */
/*
 * The ranked board b (BOARD_PUBLIC or BOARD_JURY) of round round_id as
 * GET /leaderboard gives it; with_key adds each entry's "competitor"
 * (the board's member, lib/board.h: a user id or "t<team id>").  0
 * with *out the caller's (json_object_put), or -1 with the reply written.
 */
int	leaderboard_ranked(struct req *r, long long round_id, int b,
	    int with_key, json_object **out);

/* The Contest API (route_api.c, api_board.c, api_feed.c). */
struct api_ctx {
	long long	 round_id;
	char		 slug[72];	/* the contest id */
	int		 icpc;		/* pass-fail scoreboard; else score */
	int		 jury;		/* an admin asks: everything */
};
/* Reply 200 with a JSON text or object, and the API's headers. */
void	api_reply_text(struct req *r, const char *body, size_t len);
void	api_reply_json(struct req *r, json_object *o);
/* The JSON of a query's one text cell: the caller's, or NULL with the
 * reply written. */
json_object *api_sql_json(struct req *r, const char *sql, int n,
	    const char *const *p);
/*
 * The scoreboard and awards of the contest in c's view: 0 with *board
 * and *awards the caller's (either pointer may be NULL: not wanted), or
 * -1 with the reply written.
 */
int	api_board_build(struct req *r, const struct api_ctx *c,
	    json_object **board, json_object **awards);
void	api_scoreboard_reply(struct req *r, const struct api_ctx *c);
void	api_awards_reply(struct req *r, const struct api_ctx *c, const char *id);
/* GET …/event-feed: NDJSON until the client leaves.  Always replies. */
void	api_feed(struct req *r, const struct api_ctx *c);

#endif
