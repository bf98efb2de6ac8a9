/*
 * Clarifications as each audience sees them, shared by /clarifications
 * (fcgi/route_clarifications.c) and /admin/clarifications
 * (fcgi/route_admin_clarifications.c), and their live push.
 *
 * Who sees what (sql/008_clarifications.sql): a contestant sees their
 * own questions (and their team's, sql/012_teams.sql) and the public rows (announcements, and questions the
 * jury answered to everyone), never who asked a public one; the jury sees
 * everything.  Every read of the user view filters in the SQL, so no
 * route can hand out another contestant's private row.
 *
 * Live channels (nginx/nchan.conf.in; route_live_auth.c says who may
 * listen): clarifications/<uid> (that user: their private rows),
 * clarifications/all (every user: public rows), clarifications/jury
 * (admins: every change).
 */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <libpq-fe.h>

#include "auth.h"
#include "db.h"
#include "extern.h"
#include "json.h"
#include "log.h"
#include "query.h"

/* Most rows one reply lists: a poller continues from the last seq. */
#define CLAR_LIST_MAX	1000

#define CLAR_TS(col) "to_char(" col " AT TIME ZONE 'UTC'," \
	" 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"

/* Columns of both views. */
#define CLAR_COLS "c.id, c.seq, CASE WHEN c.user_id IS NULL" \
	" THEN 'announcement' ELSE 'question' END AS kind, c.question_id," \
	" q.slug AS question, c.text, c.answer, c.public, " \
	CLAR_TS("c.created_at") " AS created_at, " \
	CLAR_TS("c.answered_at") " AS answered_at"

/* The user view; $1 is the viewer (0: nobody's, for the public channel).
 * mine: asked by the viewer or, in a team-based round (or about no
 * problem), by a teammate: a team shares its clarifications
 * (team_shares(), sql/012_teams.sql). */
#define CLAR_USER_FROM CLAR_COLS \
	", COALESCE(team_shares(q.round_id, c.user_id, $1::bigint), false) AS mine" \
	" FROM clarifications c LEFT JOIN questions q ON q.id = c.question_id"
/* Whether the viewer $1 sees row c: their team's or public.  The first
 * test keeps the index on (user_id, seq) for the common case. */
#define CLAR_USER_SEES "(c.user_id = $1::bigint OR c.public OR" \
	" (c.user_id IN (SELECT o.user_id FROM team_members m" \
	"  JOIN team_members o ON o.team_id = m.team_id WHERE m.user_id = $1::bigint)" \
	"  AND team_shares(q.round_id, c.user_id, $1::bigint)))"

#define CLAR_JURY_FROM CLAR_COLS \
	", c.user_id, u.name AS user_name, c.answered_by" \
	" FROM clarifications c LEFT JOIN questions q ON q.id = c.question_id" \
	" LEFT JOIN users u ON u.id = c.user_id"

/* The advisory lock every write of clarifications holds (see below). */
#define CLAR_LOCK	"8008"

PGresult *
clar_write_or_reply(struct req *r, const char *sql, int n,
    const char *const *params)
{
	PGresult *res = NULL;

	if (req_exec_or_reply(r, "BEGIN", 0, NULL) == -1)
		return NULL;
	if (req_exec_or_reply(r, "SELECT pg_advisory_xact_lock(" CLAR_LOCK ")",
	    0, NULL) == -1 ||
	    (res = req_sql_or_reply(r, sql, n, params)) == NULL ||
	    req_exec_or_reply(r, "COMMIT", 0, NULL) == -1) {
		PQclear(res);
		PQclear(db_exec(r->w->db, "ROLLBACK", 0, NULL));
		return NULL;
	}
	return res;
}

void
clar_list_reply(struct req *r, enum clar_view v, long long uid)
{
	static const char *const sql[CLAR_VIEW__MAX] = {
		[CLAR_VIEW_USER] = "SELECT " CLAR_USER_FROM
		    " WHERE " CLAR_USER_SEES
		    " AND c.seq > $2::bigint ORDER BY c.seq LIMIT $3",
		[CLAR_VIEW_JURY] = "SELECT " CLAR_JURY_FROM
		    " WHERE $1::bigint IS NOT NULL AND c.seq > $2::bigint"
		    " ORDER BY c.seq LIMIT $3",
	};
	char ubuf[24], sbuf[24], lbuf[24];
	const char *p[3] = { ubuf, sbuf, lbuf };
	long long since = 0;

	if (query_ll(r->query, "since", 0, INT64_MAX, &since) == -1) {
		http_error(r, 400, "bad_request",
		    "since must be a non-negative integer (a seq)");
		return;
	}
	snprintf(ubuf, sizeof(ubuf), "%lld", uid);
	snprintf(sbuf, sizeof(sbuf), "%lld", since);
	snprintf(lbuf, sizeof(lbuf), "%d", CLAR_LIST_MAX);
	req_rows_reply(r, sql[v], 3, p);
}

void
clar_one_reply(struct req *r, enum clar_view v, long long uid, long long id,
    int status)
{
	static const char *const sql[CLAR_VIEW__MAX] = {
		[CLAR_VIEW_USER] = "SELECT " CLAR_USER_FROM
		    " WHERE c.id = $2::bigint AND " CLAR_USER_SEES,
		[CLAR_VIEW_JURY] = "SELECT " CLAR_JURY_FROM
		    " WHERE $1::bigint IS NOT NULL AND c.id = $2::bigint",
	};
	char ubuf[24], ibuf[24];
	const char *p[2] = { ubuf, ibuf };
	PGresult *res;
	json_object *o;

	snprintf(ubuf, sizeof(ubuf), "%lld", uid);
	snprintf(ibuf, sizeof(ibuf), "%lld", id);
	if ((res = req_sql_or_reply(r, sql[v], 2, p)) == NULL)
		return;
	if (PQntuples(res) != 1) {
		/* Another contestant's private question reads as absent. */
		http_error(r, 404, "not_found", "no clarification %lld", id);
		PQclear(res);
		return;
	}
	o = pg_row_json(res, 0);
	http_reply_json(r, status, o);
	json_object_put(o);
	PQclear(res);
}

/* Row id of a view as a push message: NULL when gone or on error. */
static json_object *
clar_message(struct req *r, const char *sql, long long viewer, long long id)
{
	char vbuf[24], ibuf[24];
	const char *p[2] = { vbuf, ibuf };
	PGresult *res;
	json_object *o = NULL;

	snprintf(vbuf, sizeof(vbuf), "%lld", viewer);
	snprintf(ibuf, sizeof(ibuf), "%lld", id);
	if ((res = db_exec(r->w->db, sql, 2, p)) == NULL)
		return NULL;
	if (PQntuples(res) == 1) {
		o = pg_row_json(res, 0);
		json_object_object_add(o, "type",
		    json_object_new_string("clarification"));
	}
	PQclear(res);
	return o;
}

/* A private row of asker's to the channels of the teammates who share it
 * (CLAR_USER_SEES), each in its own view. */
static void
clar_publish_team(struct req *r, long long asker, long long id)
{
	char abuf[24], ibuf[24], channel[64];
	const char *p[2] = { abuf, ibuf };
	PGresult *res;
	json_object *o;
	long long tm;
	int i;

	snprintf(abuf, sizeof(abuf), "%lld", asker);
	snprintf(ibuf, sizeof(ibuf), "%lld", id);
	if ((res = db_exec(r->w->db, "SELECT o.user_id FROM team_members m"
	    " JOIN team_members o ON o.team_id = m.team_id AND o.user_id <> m.user_id"
	    " JOIN clarifications c ON c.id = $2::bigint"
	    " LEFT JOIN questions q ON q.id = c.question_id"
	    " WHERE m.user_id = $1::bigint"
	    " AND team_shares(q.round_id, $1::bigint, o.user_id)", 2, p)) == NULL)
		return;
	for (i = 0; i < PQntuples(res); i++) {
		tm = atoll(PQgetvalue(res, i, 0));
		if ((o = clar_message(r, "SELECT " CLAR_USER_FROM
		    " WHERE c.id = $2::bigint", tm, id)) == NULL)
			continue;
		snprintf(channel, sizeof(channel), "clarifications/%lld", tm);
		(void)live_publish(r, channel, o);
		json_object_put(o);
	}
	PQclear(res);
}

void
clar_publish(struct req *r, long long id)
{
	json_object *jury = NULL, *user = NULL, *v;
	long long asker = 0;
	int public = 0;
	char channel[64];

	if (r->w->db == NULL || r->cfg->live_publish_url == NULL ||
	    *r->cfg->live_publish_url == '\0')
		return;
	if ((jury = clar_message(r, "SELECT " CLAR_JURY_FROM
	    " WHERE $1::bigint IS NOT NULL AND c.id = $2::bigint", 0, id)) == NULL) {
		log_warn(r->reqid, "clarification %lld: not published", id);
		return;
	}
	(void)live_publish(r, "clarifications/jury", jury);
	if (json_object_object_get_ex(jury, "user_id", &v) && v != NULL)
		asker = json_object_get_int64(v);
	if (json_object_object_get_ex(jury, "public", &v))
		public = json_object_get_boolean(v);
	/* Public rows go to everyone, as nobody's (no asker shown). */
	if ((user = clar_message(r, "SELECT " CLAR_USER_FROM
	    " WHERE c.id = $2::bigint", public ? 0 : asker, id)) != NULL) {
		if (public)
			snprintf(channel, sizeof(channel), "clarifications/all");
		else
			snprintf(channel, sizeof(channel), "clarifications/%lld",
			    asker);
		if (public || asker > 0)
			(void)live_publish(r, channel, user);
	}
	if (!public && asker > 0)
		clar_publish_team(r, asker, id);
	json_object_put(jury);
	json_object_put(user);
}

int
clar_question_or_reply(struct req *r, const struct auth_claims *who,
    long long qid)
{
	char qbuf[24];
	const char *p[2] = { qbuf, strcmp(who->role, "admin") == 0 ? "t" : "f" };
	PGresult *res;
	int n;

	snprintf(qbuf, sizeof(qbuf), "%lld", qid);
	if ((res = req_sql_or_reply(r, "SELECT 1 FROM questions q"
	    " JOIN rounds rd ON rd.id = q.round_id WHERE q.id = $1::bigint"
	    " AND ($2::boolean OR rd.starts_at <= now())", 2, p)) == NULL)
		return -1;
	n = PQntuples(res);
	PQclear(res);
	if (n == 0) {
		http_error(r, 422, "invalid_field",
		    "question_id: no question %lld in a round that has started",
		    qid);
		return -1;
	}
	return 0;
}

int
clar_text_or_reply(struct req *r, const char *field, const char *text)
{
	const char *s;

	for (s = text; *s != '\0'; s++)
		if (!isspace((unsigned char)*s))
			return 0;
	http_error(r, 422, "invalid_field", "%s must not be blank", field);
	return -1;
}

/*
 * POST {question_id?, text}: a question of the caller (announce 0; rate
 * limited, CLAR_RATE_PER_MIN) or an announcement (1, the jury's: public,
 * no asker).  Stored, pushed, and 201 with the row in the caller's view.
 * Always replies.
 */
void
clar_post_reply(struct req *r, const struct auth_claims *who, int announce)
{
	json_object *body = NULL;
	const char *text = NULL;
	int64_t qid = 0;
	char ubuf[24], qbuf[24];
	const char *p[3] = { NULL, NULL, NULL };
	PGresult *res = NULL;
	long long id;
	const struct jfield fields[] = {
		{ "question_id", JF_INT, 0, 1, INT64_MAX, &qid, NULL },
		{ "text", JF_STRING, 1, 1, CLAR_TEXT_BYTES, &text, NULL },
	};

	if (req_fields_or_reply(r, announce ? CLAR_ADMIN_BODY_BYTES :
	    CLAR_BODY_BYTES, ADMIN_JSON_DEPTH, fields, 2, &body) == -1)
		return;
	if (clar_text_or_reply(r, "text", text) == -1 ||
	    (qid != 0 && clar_question_or_reply(r, who, qid) == -1))
		goto out;
	/* After validation: a typo does not cost a question. */
	if (!announce && req_rate_limit_or_reply(r, "clar", who->user_id,
	    r->cfg->clar_rate_per_min) == -1)
		goto out;
	snprintf(ubuf, sizeof(ubuf), "%lld", who->user_id);
	snprintf(qbuf, sizeof(qbuf), "%lld", (long long)qid);
	p[0] = announce ? NULL : ubuf;
	p[1] = qid != 0 ? qbuf : NULL;
	p[2] = text;
	if ((res = clar_write_or_reply(r, "INSERT INTO clarifications"
	    " (user_id, question_id, text, public)"
	    " VALUES ($1::bigint, $2::bigint, $3, $1::bigint IS NULL)"
	    " RETURNING id", 3, p)) == NULL)
		goto out;
	id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	log_info(r->reqid, "user %lld %s clarification %lld", who->user_id,
	    announce ? "announced" : "asked", id);
	clar_publish(r, id);
	clar_one_reply(r, announce ? CLAR_VIEW_JURY : CLAR_VIEW_USER,
	    who->user_id, id, 201);
out:
	PQclear(res);
	json_object_put(body);
}
