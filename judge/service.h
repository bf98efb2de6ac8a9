/*
 * judge/service.h — private header of the embedded judge's service layer:
 * pitwall-judge (the Judge0-compatible FastCGI API) and pitwall-judge-runner
 * (the processes that drain the job list and run the executor).  Both use
 * lib/ (config, log, redis, json) and the executor of judge.h.
 *
 * Redis layout (the stack's Redis, all keys under "judge:"; their JKEY_*
 * macros are in lib/keys.h with every other key):
 *   judge:sub:<token>          hash: the submission and, once final, its
 *                              result (binary-safe fields; absent = null);
 *                              expires after JUDGE_SUBMISSION_TTL
 *   judge:queue:prio           tokens of single submissions (POST
 *                              /submissions: /run, /runcustom), taken first
 *   judge:queue                tokens given back by dead runners, next
 *   judge:lane:<lane>          tokens of batches, one list per lane: the
 *                              item's pitwall_submitter ("s:<value>"), else
 *                              the batch ("b:<first token>")
 *   judge:lanes                the lanes with tokens, in turn: a runner
 *                              takes one token of the lane at the right end
 *                              and rotates it to the left; a lane that gets
 *                              more tokens goes to the left end too
 *   judge:wake                 one element per queued token (wakes runners
 *                              blocked in BLPOP); emptied by a take that
 *                              finds nothing
 *   judge:processing:<runner>  the token a runner is working on; removed
 *                              only once the result is stored
 *   judge:callbacks            tokens whose callback is due
 *   judge:cbprocessing:<runner> the callback a runner is delivering
 *   judge:runners              set of runner ids that ever registered
 *   judge:runner:<id>          heartbeat (expires after 5 beats); <id> is
 *                              <host>:<pid>, <host> JUDGE_HOST_NAME or
 *                              gethostname()
 *   judge:hosts                set of the host names runners reported
 *   judge:host:<name>          "<load1> <cores>" of that host, set by its
 *                              runners on every heartbeat (expires after 5)
 *   judge:done:<token>         list pushed when the result is stored
 *                              (wakes wait=true requests; short TTL)
 */
#ifndef PITWALL_JUDGE_SERVICE_H
#define PITWALL_JUDGE_SERVICE_H

#include <stddef.h>

#include <hiredis/hiredis.h>
#include <json-c/json.h>

#include "fcgi_server.h"
#include "judge.h"
#include "keys.h"

struct config;
struct redis;


#define TOKEN_LEN		36	/* a UUID v4 */
#define JUDGE0_VERSION		"1.13.1"

/* ------------------------------------------------------------------ */
/* store.c — submissions in Redis                                       */

/* One submission hash as read by HGETALL; fields point into the reply. */
struct store_row {
	redisReply	*reply;
	redisReply	*top;		/* the reply holding it, freed with it */
};

/* A validated submission about to be stored (strings borrowed). */
struct store_new {
	struct exec_submission	 sub;
	const char		*callback_url;
	const char		*submitter;	/* pitwall_submitter; NULL */
	char			 token[TOKEN_LEN + 1];	/* filled by store_create */
};

/* Stores the submissions and queues them, all or nothing (MULTI/EXEC):
 * on judge:queue:prio when `prio`, else each on its lane.  Fills each
 * token.  0 / -1 (logged). */
int		 store_create(struct redis *, const struct config *,
		    struct store_new *, size_t n, int prio);
/* Tokens waiting in every queue and lane, or -1 when Redis fails. */
long long	 store_queue_len(struct redis *);
/* Longest lane or submitter key accepted (pitwall_submitter). */
#define STORE_SUBMITTER_MAX	64
/* HGETALL of the token.  0 found, 1 unknown (row empty), -1 Redis error.
 * Release with store_row_clear() in every case. */
int		 store_row_load(struct redis *, const char *token,
		    struct store_row *);
void		 store_row_clear(struct store_row *);
/* The field's bytes (NUL-terminated) and length, or NULL when absent. */
const char	*store_row_get(const struct store_row *, const char *field,
		    size_t *len);
long		 store_row_long(const struct store_row *, const char *field,
		    long def);
/* The row as an executor submission; strings point into the row. */
void		 store_row_submission(const struct store_row *,
		    struct exec_submission *);
/* The runner's one round trip per run: store a finished job's result
 * (res, or NULL to only drop `done` from the processing list) and take
 * the next job, all in one script (store.c, step_lua): the priority
 * list, then the given-back list, then one lane in turn, moved to the
 * processing list `dst` in the same step.  take: 0 none, 1 the next
 * queued, 2 only when at least 2 are queued (a job taken ahead of the
 * one being run leaves the last to an idle runner).  After a failed step
 * (resync), every token of the processing list but those of `keep` and
 * `done` goes back to the queue.  Several steps may be in flight on one
 * connection; their answers come in order. */
struct store_step {
	const char		*done;		/* token finished, or NULL */
	const struct exec_result *res;		/* its result, or NULL */
	int			 callback;	/* queue its callback */
	int			 take;
	const char		*keep;		/* jobs in hand: "t1,t2", NULL */
	int			 resync;	/* the last step failed */
};
/* A job taken: token (caller frees) and its hash, already marked
 * Processing (unless it was final); token NULL when none. */
struct store_job {
	char			*token;
	struct store_row	 row;
	int			 prio;		/* from judge:queue:prio */
};
/* Sends the step without waiting (so Redis works while a box runs).
 * 0 / -1 (logged; the connection is reset). */
int		 store_step_send(struct redis *, const struct config *,
		    const char *dst, const struct store_step *);
/* Its answer: 0 with job filled (token NULL: nothing taken), -1 on error
 * (job empty; whether the step ran is unknown). */
int		 store_step_recv(struct redis *, struct store_job *);
/* As store_step_recv when the answer is there already: 1 (job filled),
 * 0 when it is not (nothing read), -1 on error. */
int		 store_step_poll(struct redis *, struct store_job *);
/* A valid token: 36 chars of [0-9a-f-]. */
int		 store_token_valid(const char *);
/* Milliseconds since the epoch. */
long long	 store_now_ms(void);

/* ------------------------------------------------------------------ */
/* store_json.c — rendering a stored submission as Judge0 does          */

/* The fields to render: Judge0's defaults, `*`, or a comma list.
 * Returns 0, or -1 with an "invalid fields: [a, b]" message in err. */
struct store_fields {
	const char	*names[64];
	size_t		 n;
	char		 buf[1024];
};
int		 store_fields_parse(const char *spec, struct store_fields *,
		    char *err, size_t errsz);
/* The row as a Judge0 object with the given fields; text fields are
 * base64 (Ruby-wrapped) when b64.  Returns NULL with *not_utf8 set when
 * !b64 and a text field is not UTF-8, or NULL on allocation failure.
 * Caller owns the object (json_object_put). */
json_object	*store_row_json(const struct store_row *, const char *token,
		    const struct store_fields *, int b64, int *not_utf8);

/* api_b64.c — base64 as Ruby's Base64 module does it. */
/* encode64: "\n" after every 60 characters and at the end ("" for "").
 * Caller frees. */
char		*b64_ruby_encode(const char *data, size_t len);
/* decode64: skips characters outside the alphabet, stops at '='.  Never
 * fails except for memory.  Caller frees; *lenp gets the length. */
char		*b64_ruby_decode(const char *s, size_t slen, size_t *lenp);

/* ------------------------------------------------------------------ */
/* runner_callback.c — the PUT of a finished submission                 */

/* PUTs body to url with Content-Type application/json; retried on
 * connection errors, timeouts and 5xx with backoff, `tries` times at most.
 * Returns the last HTTP status (> 0: delivered) or -1 (logged). */
long		 callback_put(const char *url, const char *body, size_t len,
		    int tries, long timeout_ms, const char *token);

/* ------------------------------------------------------------------ */
/* The API program (api_*.c)                                            */

#include <fcgiapp.h>

#include "config.h"

/* Shared by all request threads; read-only once they run. */
struct api_app {
	struct config	 cfg;
	const char	*prog;
	char		 auth_param[160];	/* HTTP_X_AUTH_TOKEN */
};

/* One per request thread: its own Redis connection. */
struct api_thread {
	struct api_app	*app;
	struct redis	*redis;
	int		 id;
};

struct api_req {
	FCGX_Request		 fcgx;
	struct api_thread	*t;
	const struct config	*cfg;
	struct redis		*redis;
	enum http_method	 method;
	const char		*method_name;
	const char		*path;		/* DOCUMENT_URI */
	const char		*query;		/* QUERY_STRING, may be "" */
	char			*body;		/* read on demand */
	size_t			 bodylen;
	int			 status;	/* of the reply written */
};

enum api_route {
	AR_SUBMISSIONS,		/* POST /submissions */
	AR_BATCH,		/* POST|GET /submissions/batch */
	AR_SUBMISSION,		/* GET /submissions/{token} */
	AR_LANGUAGES,
	AR_LANGUAGE,		/* GET /languages/{id} */
	AR_STATUSES,
	AR_CONFIG_INFO,
	AR_WORKERS,
	AR_ABOUT,
	AR__MAX
};

/* A route of the table in api_main.c: path and methods
 * (lib/fcgi_server.h), and the handler. */
struct api_route_def {
	struct fcgi_route	 m;
	void			(*handler)(struct api_req *);
};

/* api_http.c */
const char	*api_param(struct api_req *, const char *name);
void		 api_reply(struct api_req *, int status, const char *body,
		    size_t len);
void		 api_reply_json(struct api_req *, int status, json_object *);
/* {"error": "<msg>"} — Judge0's shape for 400, 404, 503. */
void		 api_error(struct api_req *, int status, const char *fmt, ...)
		    __attribute__((format(printf, 3, 4)));
/* {"<field>": ["<msg>"]} — Judge0's 422. */
json_object	*api_field_error(const char *field, const char *msg);
/* JSON body (≤ JUDGE_MAX_BODY_BYTES).  0 with *out owned by the caller,
 * or -1 with the reply written. */
int		 api_json_body_or_reply(struct api_req *, json_object **out);
/* Query parameter `name`, percent-decoded into buf (lib/query.c):
 * 1 found, 0 absent, -1 malformed or too long for buf. */
int		 api_query(const struct api_req *, const char *name, char *buf,
		    size_t bufsz);
/* A query flag is "true". */
int		 api_query_true(const struct api_req *, const char *name);

/* routes: api_submissions.c, api_info.c */
void	route_submissions(struct api_req *);
void	route_batch(struct api_req *);
void	route_submission(struct api_req *);
void	route_languages(struct api_req *);
void	route_language(struct api_req *);
void	route_statuses(struct api_req *);
void	route_config_info(struct api_req *);
void	route_workers(struct api_req *);
void	route_about(struct api_req *);

#endif
