/*
 * GET /submissions/{id} -> {id, status, total, done, passed, failed, score,
 *     verdict, compile_output, results:[{ordinal, verdict, status_id, time_ms,
 *     memory_kb, team_message?}]}
 * verdict: the submission's overall verdict (null until done).
 * compile_output: the compiler's message of a submission that did not
 * compile (once, cut to OUTPUT_LIMIT_BYTES), else null.
 * team_message: a custom validator's teammessage.txt; its judgemessage.txt
 * is the jury's and never shown here.
 * The owner, their teammates in a team-based round (sql/012_teams.sql),
 * or an admin.  Never hidden inputs or expected outputs.
 * Served from Redis (the worker keeps it current); PostgreSQL when the
 * Redis copy has expired.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "auth.h"
#include "db.h"
#include "extern.h"
#include "keys.h"
#include "query.h"
#include "redis.h"

static const char *
hget(redisReply *h, const char *field)
{
	size_t i;

	for (i = 0; i + 1 < h->elements; i += 2)
		if (strcmp(h->element[i]->str, field) == 0)
			return h->element[i + 1]->str;
	return NULL;
}

static json_object *
num_or_null(const char *s, int is_double)
{
	if (s == NULL || *s == '\0')
		return NULL;
	return is_double ? json_object_new_double(atof(s)) :
	    json_object_new_int64(atoll(s));
}

/* From PostgreSQL, when Redis no longer has the submission.  -1: not found/error. */
static int
submission_from_db(struct req *r, const char *sid, long long *owner,
    long long *qid, json_object **out)
{
	const char *params[1] = { sid };
	PGresult *res = NULL, *rres = NULL;
	json_object *o, *arr;
	int i, rc = -1;

	if (r->w->db == NULL)
		r->w->db = db_new(r->cfg->database_url, r->cfg->db_connect_timeout_s);
	if (r->w->db == NULL)
		return -1;
	res = db_exec(r->w->db, "SELECT user_id, status, total, done, passed, failed,"
	    " score::float8, verdict, compile_output, question_id"
	    " FROM submissions WHERE id = $1",
	    1, params);
	if (res == NULL || PQntuples(res) != 1)
		goto out;
	rres = db_exec(r->w->db, "SELECT t.ordinal, sr.verdict, sr.status_id,"
	    " sr.time_ms, sr.memory_kb, sr.team_message FROM submission_results sr"
	    " JOIN testcases t ON t.id = sr.testcase_id"
	    " WHERE sr.submission_id = $1 ORDER BY t.ordinal", 1, params);
	if (rres == NULL)
		goto out;
	*owner = atoll(PQgetvalue(res, 0, 0));
	*qid = atoll(PQgetvalue(res, 0, 9));
	o = json_object_new_object();
	json_object_object_add(o, "id", json_object_new_string(sid));
	json_object_object_add(o, "status", json_object_new_string(PQgetvalue(res, 0, 1)));
	json_object_object_add(o, "total", num_or_null(PQgetvalue(res, 0, 2), 0));
	json_object_object_add(o, "done", num_or_null(PQgetvalue(res, 0, 3), 0));
	json_object_object_add(o, "passed", num_or_null(PQgetvalue(res, 0, 4), 0));
	json_object_object_add(o, "failed", num_or_null(PQgetvalue(res, 0, 5), 0));
	json_object_object_add(o, "score", PQgetisnull(res, 0, 6) ? NULL :
	    num_or_null(PQgetvalue(res, 0, 6), 1));
	json_object_object_add(o, "verdict", PQgetisnull(res, 0, 7) ? NULL :
	    json_object_new_string(PQgetvalue(res, 0, 7)));
	json_object_object_add(o, "compile_output", PQgetisnull(res, 0, 8) ?
	    NULL : json_object_new_string(PQgetvalue(res, 0, 8)));
	arr = json_object_new_array();
	for (i = 0; i < PQntuples(rres); i++) {
		json_object *e = json_object_new_object();
		json_object_object_add(e, "ordinal", num_or_null(PQgetvalue(rres, i, 0), 0));
		json_object_object_add(e, "verdict", json_object_new_string(PQgetvalue(rres, i, 1)));
		json_object_object_add(e, "status_id", num_or_null(PQgetvalue(rres, i, 2), 0));
		json_object_object_add(e, "time_ms", num_or_null(PQgetvalue(rres, i, 3), 0));
		json_object_object_add(e, "memory_kb", num_or_null(PQgetvalue(rres, i, 4), 0));
		if (!PQgetisnull(rres, i, 5))
			json_object_object_add(e, "team_message",
			    json_object_new_string(PQgetvalue(rres, i, 5)));
		json_object_array_add(arr, e);
	}
	json_object_object_add(o, "results", arr);
	*out = o;
	rc = 0;
out:
	PQclear(res);
	PQclear(rres);
	return rc;
}

static int
by_ordinal(const void *a, const void *b)
{
	json_object *x = *(json_object *const *)a, *y = *(json_object *const *)b, *v;
	long long ox = 0, oy = 0;

	if (json_object_object_get_ex(x, "ordinal", &v))
		ox = json_object_get_int64(v);
	if (json_object_object_get_ex(y, "ordinal", &v))
		oy = json_object_get_int64(v);
	return ox < oy ? -1 : ox > oy;
}

/* extern.h: teammates share submissions (sql/012_teams.sql). */
int
req_teammate(struct req *r, long long qid, long long owner, long long viewer)
{
	char qbuf[24], obuf[24], vbuf[24];
	const char *p[3] = { qbuf, obuf, vbuf };
	PGresult *res;
	int yes;

	if (r->w->db == NULL)
		r->w->db = db_new(r->cfg->database_url, r->cfg->db_connect_timeout_s);
	if (r->w->db == NULL)
		return 0;
	snprintf(qbuf, sizeof(qbuf), "%lld", qid);
	snprintf(obuf, sizeof(obuf), "%lld", owner);
	snprintf(vbuf, sizeof(vbuf), "%lld", viewer);
	if ((res = db_exec(r->w->db, "SELECT team_shares(q.round_id, $2::bigint,"
	    " $3::bigint) FROM questions q WHERE q.id = $1::bigint", 3, p)) == NULL)
		return 0;
	yes = PQntuples(res) == 1 && PQgetvalue(res, 0, 0)[0] == 't';
	PQclear(res);
	return yes;
}

void
route_submission(struct req *r)
{
	struct auth_claims who;
	const char *sid = r->path + strlen("/submissions/");
	char key[96], rkey[112];
	redisReply *h = NULL, *res = NULL;
	json_object *o = NULL, *arr;
	long long owner = 0, qid = 0;
	size_t i;

	if (req_auth_or_reply(r, &who) == -1)
		return;
	if (!uuid_valid(sid)) {
		http_error(r, 404, "not_found", "no such submission");
		return;
	}
	snprintf(key, sizeof(key), KEY_SUB_FMT, sid);
	snprintf(rkey, sizeof(rkey), KEY_SUB_RESULTS_FMT, sid);
	h = redis_cmd_idem(r->w->redis, "HGETALL %s", key);
	res = redis_cmd_idem(r->w->redis, "HVALS %s", rkey);
	if (h == NULL || res == NULL || h->type != REDIS_REPLY_ARRAY ||
	    res->type != REDIS_REPLY_ARRAY) {
		http_error(r, 503, "unavailable", "submission data is unavailable");
		goto out;
	}
	if (h->elements == 0) {
		if (submission_from_db(r, sid, &owner, &qid, &o) == -1) {
			http_error(r, 404, "not_found", "no such submission");
			goto out;
		}
	} else {
		const char *score = hget(h, "score");
		owner = atoll(hget(h, "user_id") ? hget(h, "user_id") : "0");
		qid = atoll(hget(h, "question_id") ? hget(h, "question_id") : "0");
		o = json_object_new_object();
		json_object_object_add(o, "id", json_object_new_string(sid));
		json_object_object_add(o, "status", json_object_new_string(
		    hget(h, "status") ? hget(h, "status") : "queued"));
		json_object_object_add(o, "total", num_or_null(hget(h, "total"), 0));
		json_object_object_add(o, "done", num_or_null(hget(h, "done"), 0));
		json_object_object_add(o, "passed", num_or_null(hget(h, "passed"), 0));
		json_object_object_add(o, "failed", num_or_null(hget(h, "failed"), 0));
		json_object_object_add(o, "score", score ? num_or_null(score, 1) : NULL);
		json_object_object_add(o, "verdict", hget(h, "verdict") != NULL &&
		    *hget(h, "verdict") != '\0' ?
		    json_object_new_string(hget(h, "verdict")) : NULL);
		json_object_object_add(o, "compile_output", hget(h, "compile_output") ?
		    json_object_new_string(hget(h, "compile_output")) : NULL);
		arr = json_object_new_array();
		for (i = 0; i < res->elements; i++) {
			json_object *e = json_tokener_parse(res->element[i]->str);
			if (e != NULL)
				json_object_array_add(arr, e);
		}
		json_object_array_sort(arr, by_ordinal);
		json_object_object_add(o, "results", arr);
	}
	if (owner != who.user_id && strcmp(who.role, "admin") != 0 &&
	    !req_teammate(r, qid, owner, who.user_id)) {
		http_error(r, 403, "forbidden", "this submission is not yours");
		goto out;
	}
	http_reply_json(r, 200, o);
out:
	json_object_put(o);
	freeReplyObject(h);
	freeReplyObject(res);
}
