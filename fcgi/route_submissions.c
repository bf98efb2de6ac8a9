/*
 * GET /submissions[?question_id=N][&limit=N] -> [{id, question_id, question,
 *     language_id, status, total, done, passed, failed, score, verdict,
 *     max_time_ms, max_memory_kb, created_at, finished_at}]
 * The caller's own submissions and, in a team-based round, their
 * teammates' (team_shares(), sql/012_teams.sql), newest first; limit
 * 1..200 (default 50),
 * anything else is 400.  No source, no results: GET /submissions/{id}
 * has those.
 *
 * From PostgreSQL (the index (user_id, created_at DESC)), merged with the
 * submissions the worker has not written there yet: /submit keeps the
 * user's newest in pitwall:user:<uid>:subs ("<qid>:<sid>" scored by
 * created_at), and an entry PostgreSQL did not return, that is new enough
 * to belong in the page asked for, comes from its Redis hash.
 * XXX: PostgreSQL down is a 503 here, although Redis holds most of a
 * contest's submissions.  The teammates' Redis lists are merged
 * the same way (each entry checked with req_teammate()).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "auth.h"
#include "cache.h"
#include "db.h"
#include "extern.h"
#include "json.h"
#include "keys.h"
#include "query.h"
#include "redis.h"

#define LIMIT_DEFAULT	50
#define LIMIT_MAX	USER_SUBS_KEEP

/* created_at with milliseconds, as PostgreSQL's rows give it. */
#define TS_MS(col) "to_char(" col " AT TIME ZONE 'UTC'," \
	" 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"

static const char *
hget(const redisReply *h, const char *field)
{
	size_t i;

	for (i = 0; i + 1 < h->elements; i += 2)
		if (h->element[i]->type == REDIS_REPLY_STRING &&
		    h->element[i + 1]->type == REDIS_REPLY_STRING &&
		    strcmp(h->element[i]->str, field) == 0)
			return h->element[i + 1]->str;
	return NULL;
}

/* A decimal field of a hash as a JSON integer, else null. */
static json_object *
hint(const redisReply *h, const char *field)
{
	long long v;

	if (parse_ll(hget(h, field), INT64_MIN, INT64_MAX, &v) == -1)
		return NULL;
	return json_object_new_int64(v);
}

/*
 * A submission that is only in Redis, shaped as the PostgreSQL rows (with
 * created_ms for sorting).  NULL when its hash is gone or not the user's.
 */
static json_object *
submission_from_redis(struct req *r, long long uid, long long qid,
    const char *sid, long long ms)
{
	struct cache_question *q = NULL;
	redisReply *h;
	json_object *o = NULL;
	const char *score;
	long long owner;

	if ((h = redis_cmd_idem(r->w->redis, "HGETALL " KEY_SUB_FMT, sid)) == NULL)
		return NULL;
	if (h->type != REDIS_REPLY_ARRAY || h->elements == 0 ||
	    parse_ll(hget(h, "user_id"), 1, INT64_MAX, &owner) == -1 ||
	    owner != uid)
		goto out;
	if (cache_question_get(r->w->redis, &r->w->db, r->cfg, qid, &q) != CACHE_OK)
		q = NULL;
	o = json_object_new_object();
	json_object_object_add(o, "id", json_object_new_string(sid));
	json_object_object_add(o, "question_id", json_object_new_int64(qid));
	json_object_object_add(o, "question",
	    q != NULL ? json_object_new_string(q->slug) : NULL);
	json_object_object_add(o, "language_id", hint(h, "language_id"));
	json_object_object_add(o, "status", json_object_new_string(
	    hget(h, "status") != NULL ? hget(h, "status") : "queued"));
	json_object_object_add(o, "total", hint(h, "total"));
	json_object_object_add(o, "done", hint(h, "done"));
	json_object_object_add(o, "passed", hint(h, "passed"));
	json_object_object_add(o, "failed", hint(h, "failed"));
	score = hget(h, "score");
	json_object_object_add(o, "score", score != NULL && *score != '\0' ?
	    json_object_new_double(strtod(score, NULL)) : NULL);
	json_object_object_add(o, "verdict", hget(h, "verdict") != NULL &&
	    *hget(h, "verdict") != '\0' ?
	    json_object_new_string(hget(h, "verdict")) : NULL);
	json_object_object_add(o, "max_time_ms", NULL);
	json_object_object_add(o, "max_memory_kb", NULL);
	json_object_object_add(o, "created_at", json_new_iso_ms(ms));
	json_object_object_add(o, "finished_at", NULL);
	json_object_object_add(o, "created_ms", json_object_new_int64(ms));
out:
	cache_question_free(q);
	freeReplyObject(h);
	return o;
}

static long long
created_ms(json_object *o)
{
	json_object *v;

	return json_object_object_get_ex(o, "created_ms", &v) ?
	    json_object_get_int64(v) : 0;
}

/* Newest first; ties by id, as PostgreSQL orders them. */
static int
by_created_desc(const void *a, const void *b)
{
	json_object *x = *(json_object *const *)a, *y = *(json_object *const *)b;
	long long mx = created_ms(x), my = created_ms(y);
	json_object *ix, *iy;

	if (mx != my)
		return mx > my ? -1 : 1;
	json_object_object_get_ex(x, "id", &ix);
	json_object_object_get_ex(y, "id", &iy);
	return strcmp(json_object_get_string(ix), json_object_get_string(iy));
}

/* 1 when a row of arr has id sid. */
static int
listed(json_object *arr, const char *sid)
{
	json_object *v;
	size_t i;

	for (i = 0; i < json_object_array_length(arr); i++)
		if (json_object_object_get_ex(json_object_array_get_idx(arr, i),
		    "id", &v) && strcmp(json_object_get_string(v), sid) == 0)
			return 1;
	return 0;
}

/* Parse a list member "<qid>:<sid>".  0 / -1. */
static int
member_parse(const redisReply *m, long long *qid, char sid[37])
{
	char num[24];
	const char *colon;

	if (m->type != REDIS_REPLY_STRING || (colon = strchr(m->str, ':')) == NULL ||
	    (size_t)(colon - m->str) >= sizeof(num) || !uuid_valid(colon + 1))
		return -1;
	memcpy(num, m->str, (size_t)(colon - m->str));
	num[colon - m->str] = '\0';
	if (parse_ll(num, 1, INT64_MAX, qid) == -1)
		return -1;
	memcpy(sid, colon + 1, 37);
	return 0;
}

/*
 * Add to arr the entries of user uid's Redis list that PostgreSQL did not
 * return: those for question qid (0: any) not older than `oldest` (the
 * last row of a full page; 0 when the page was not full), and when uid
 * is not the viewer only those a teammate shares (req_teammate()).
 * 0 / -1.
 */
static int
merge_recent(struct req *r, long long uid, long long viewer, long long qid,
    long long oldest, json_object *arr)
{
	char key[64], sid[37];
	redisReply *z;
	size_t i;

	snprintf(key, sizeof(key), KEY_USER_SUBS_FMT, uid);
	z = redis_cmd_idem(r->w->redis, "ZREVRANGE %s 0 -1 WITHSCORES", key);
	if (z == NULL || z->type != REDIS_REPLY_ARRAY) {
		freeReplyObject(z);
		return -1;
	}
	for (i = 0; i + 1 < z->elements; i += 2) {
		long long mq, ms;
		json_object *o;

		if (member_parse(z->element[i], &mq, sid) == -1 ||
		    z->element[i + 1]->type != REDIS_REPLY_STRING ||
		    parse_ll(z->element[i + 1]->str, 0, INT64_MAX / 2, &ms) == -1)
			continue;
		/* Newest first: the rest are older still. */
		if (ms < oldest)
			break;
		if ((qid != 0 && mq != qid) || listed(arr, sid) ||
		    (uid != viewer && !req_teammate(r, mq, uid, viewer)))
			continue;
		if ((o = submission_from_redis(r, uid, mq, sid, ms)) != NULL)
			json_object_array_add(arr, o);
	}
	freeReplyObject(z);
	return 0;
}

void
route_submissions(struct req *r)
{
	struct auth_claims who;
	long long qid = 0, limit = LIMIT_DEFAULT, oldest = 0;
	char uid[24], qbuf[24], lbuf[24];
	const char *p[3] = { uid, NULL, lbuf };
	PGresult *res = NULL;
	json_object *arr = NULL, *out;
	size_t i, n;

	if (req_auth_or_reply(r, &who) == -1)
		return;
	if (query_ll(r->query, "question_id", 1, INT64_MAX, &qid) == -1) {
		http_error(r, 400, "bad_request",
		    "question_id must be a positive integer");
		return;
	}
	if (query_ll(r->query, "limit", 1, LIMIT_MAX, &limit) == -1) {
		http_error(r, 400, "bad_request",
		    "limit must be an integer from 1 to %d", LIMIT_MAX);
		return;
	}
	snprintf(uid, sizeof(uid), "%lld", who.user_id);
	snprintf(qbuf, sizeof(qbuf), "%lld", qid);
	snprintf(lbuf, sizeof(lbuf), "%lld", limit);
	p[1] = qid != 0 ? qbuf : NULL;
	if ((res = req_sql_or_reply(r, "SELECT s.id::text AS id, s.question_id,"
	    " q.slug AS question, s.language_id, s.status, s.total, s.done,"
	    " s.passed, s.failed, s.score::float8 AS score, s.verdict, s.max_time_ms,"
	    " s.max_memory_kb, " TS_MS("s.created_at") " AS created_at, "
	    TS_MS("s.finished_at") " AS finished_at,"
	    " round(extract(epoch FROM s.created_at) * 1000)::bigint AS created_ms"
	    " FROM submissions s JOIN questions q ON q.id = s.question_id"
	    " WHERE (s.user_id = $1 OR (s.user_id IN (SELECT o.user_id"
	    "  FROM team_members m JOIN team_members o ON o.team_id = m.team_id"
	    "  WHERE m.user_id = $1) AND team_shares(q.round_id, s.user_id, $1)))"
	    " AND ($2::bigint IS NULL OR s.question_id = $2)"
	    " ORDER BY s.created_at DESC, s.id LIMIT $3", 3, p)) == NULL)
		return;
	arr = pg_rows_json(res);
	n = json_object_array_length(arr);
	if (n > 0 && (long long)n == limit)
		oldest = created_ms(json_object_array_get_idx(arr, n - 1));
	if (merge_recent(r, who.user_id, who.user_id, qid, oldest, arr) == -1) {
		http_error(r, 503, "unavailable", "submission data is unavailable");
		goto out;
	}
	/* The teammates' too: a submission is listed from its 202 on. */
	PQclear(res);
	if ((res = req_sql_or_reply(r, "SELECT o.user_id FROM team_members m"
	    " JOIN team_members o ON o.team_id = m.team_id AND o.user_id <> m.user_id"
	    " WHERE m.user_id = $1", 1, p)) == NULL)
		goto out;
	for (i = 0; i < (size_t)PQntuples(res); i++)
		if (merge_recent(r, atoll(PQgetvalue(res, (int)i, 0)), who.user_id,
		    qid, oldest, arr) == -1) {
			http_error(r, 503, "unavailable",
			    "submission data is unavailable");
			goto out;
		}
	json_object_array_sort(arr, by_created_desc);
	out = json_object_new_array();
	for (i = 0; i < json_object_array_length(arr) && (long long)i < limit; i++) {
		json_object *o = json_object_get(json_object_array_get_idx(arr, i));

		json_object_object_del(o, "created_ms");
		json_object_array_add(out, o);
	}
	http_reply_json(r, 200, out);
	json_object_put(out);
out:
	json_object_put(arr);
	PQclear(res);
}
