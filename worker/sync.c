/*
 * Redis after COMMIT: the submission hash, its results and pending set,
 * the token bookkeeping and the leaderboard, all rewritten from
 * PostgreSQL.  Every write is idempotent, so a job replayed after a crash
 * between COMMIT and here (or a duplicate callback) repairs Redis.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "db.h"
#include "extern.h"
#include "keys.h"
#include "log.h"
#include "redis.h"

/* Parse a decimal field value in [min, max].  0 / -1. */
static int
num(const redisReply *v, long long min, long long max, long long *out)
{
	char buf[32], *end;
	long long n;

	if (v == NULL || v->type != REDIS_REPLY_STRING || v->len == 0 ||
	    v->len >= sizeof(buf))
		return -1;
	memcpy(buf, v->str, v->len);
	buf[v->len] = '\0';
	errno = 0;
	n = strtoll(buf, &end, 10);
	if (errno != 0 || *end != '\0' || n < min || n > max)
		return -1;
	*out = n;
	return 0;
}

/*
 * Read pitwall:sub:<sid>.  0 when complete; 1 when there is no such hash
 * and 2 when it lacks a field (why says which); -1 when Redis failed.
 * The fields of h point into h->reply: subhash_free() it in every case.
 */
int
subhash_load(struct wctx *w, const char *sid, struct subhash *h, char *why,
    size_t whysz)
{
	redisReply *rep, *uid = NULL, *qid = NULL, *lid = NULL, *src = NULL,
	    *total = NULL, *created = NULL;
	long long n;
	size_t i;

	memset(h, 0, sizeof(*h));
	rep = redis_cmd(w->redis, "HGETALL " KEY_SUB_FMT, sid);
	if (rep == NULL)
		return -1;
	h->reply = rep;
	if (rep->type != REDIS_REPLY_ARRAY)
		return -1;
	if (rep->elements == 0) {
		snprintf(why, whysz, "unknown submission %s", sid);
		return 1;
	}
	for (i = 0; i + 1 < rep->elements; i += 2) {
		const char *k = rep->element[i]->str;
		redisReply *v = rep->element[i + 1];

		if (rep->element[i]->type != REDIS_REPLY_STRING)
			continue;
		if (strcmp(k, "user_id") == 0)
			uid = v;
		else if (strcmp(k, "question_id") == 0)
			qid = v;
		else if (strcmp(k, "language_id") == 0)
			lid = v;
		else if (strcmp(k, "source") == 0)
			src = v;
		else if (strcmp(k, "total") == 0)
			total = v;
		else if (strcmp(k, "created_at") == 0)
			created = v;
	}
	if (num(uid, 1, INT64_MAX, &h->user_id) == -1 ||
	    num(qid, 1, INT64_MAX, &h->question_id) == -1 ||
	    num(lid, 1, 1000000, &n) == -1 ||
	    (h->language_id = (int)n, 0) ||
	    num(total, 1, 1000000, &n) == -1 ||
	    (h->total = (int)n, 0) ||
	    num(created, 0, INT64_MAX / 2, &h->created_at_ms) == -1 ||
	    src == NULL || src->type != REDIS_REPLY_STRING ||
	    memchr(src->str, '\0', src->len) != NULL) {
		snprintf(why, whysz, "submission %s: incomplete hash", sid);
		return 2;
	}
	h->source = src->str;
	h->source_len = src->len;
	return 0;
}

void
subhash_free(struct subhash *h)
{
	if (h->reply != NULL)
		freeReplyObject(h->reply);
	memset(h, 0, sizeof(*h));
}

/*
 * The user's total on the round from best_scores: ZADD the leaderboard
 * and HSET its meta {"name","score","last_improved_at"}; the time is when
 * the user reached that total (their latest scoring best).  0 / -1.
 */
static int
sync_leaderboard(struct wctx *w, const char *round_id, const char *user_id)
{
	static const char sql[] =
	    "SELECT u.name, COALESCE(sum(b.score), 0)::text,"
	    " to_char(COALESCE(max(b.achieved_at) FILTER (WHERE b.score > 0),"
	    "  min(b.achieved_at)) AT TIME ZONE 'UTC',"
	    "  'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"
	    " FROM users u LEFT JOIN best_scores b ON b.user_id = u.id"
	    "  AND b.question_id IN (SELECT id FROM questions WHERE round_id = $1)"
	    " WHERE u.id = $2 GROUP BY u.id, u.name";
	const char *p[2] = { round_id, user_id };
	PGresult *res;
	json_object *meta = NULL;
	const char *score;
	char key[128], mkey[128];
	int rc = -1;

	if ((res = db_exec(w->db, sql, 2, p)) == NULL)
		return -1;
	if (PQntuples(res) != 1) {
		rc = 0;		/* the user is gone: nothing to show */
		goto out;
	}
	score = PQgetvalue(res, 0, 1);
	if ((meta = json_object_new_object()) == NULL)
		goto out;
	json_object_object_add(meta, "name",
	    json_object_new_string(PQgetvalue(res, 0, 0)));
	json_object_object_add(meta, "score",
	    json_object_new_double_s(strtod(score, NULL), score));
	json_object_object_add(meta, "last_improved_at",
	    PQgetisnull(res, 0, 2) ? NULL :
	    json_object_new_string(PQgetvalue(res, 0, 2)));
	snprintf(key, sizeof(key), "pitwall:lb:%s", round_id);
	snprintf(mkey, sizeof(mkey), "pitwall:lb:%s:meta", round_id);
	if (queue_reply_ok(redis_cmd(w->redis, "ZADD %s %s %s", key, score,
	    user_id)) == -1 ||
	    queue_reply_ok(redis_cmd(w->redis, "HSET %s %s %s", mkey, user_id,
	    json_object_to_json_string_ext(meta, JSON_C_TO_STRING_PLAIN))) == -1)
		goto out;
	rc = 0;
out:
	json_object_put(meta);
	PQclear(res);
	return rc;
}

/* {"ordinal","verdict","status_id","time_ms","memory_kb"} of a result row. */
static char *
result_json(PGresult *res)
{
	json_object *o;
	char *s;

	if ((o = json_object_new_object()) == NULL)
		return NULL;
	json_object_object_add(o, "ordinal",
	    json_object_new_int(atoi(PQgetvalue(res, 0, 0))));
	json_object_object_add(o, "verdict",
	    json_object_new_string(PQgetvalue(res, 0, 1)));
	json_object_object_add(o, "status_id",
	    json_object_new_int(atoi(PQgetvalue(res, 0, 2))));
	json_object_object_add(o, "time_ms", PQgetisnull(res, 0, 3) ? NULL :
	    json_object_new_int(atoi(PQgetvalue(res, 0, 3))));
	json_object_object_add(o, "memory_kb", PQgetisnull(res, 0, 4) ? NULL :
	    json_object_new_int(atoi(PQgetvalue(res, 0, 4))));
	s = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
	return s;
}

/* Forget a Judge0 token: no deadline, no mapping. */
static int
sync_token_drop(struct wctx *w, const char *token)
{
	if (token == NULL || *token == '\0')
		return 0;
	if (queue_reply_ok(redis_cmd(w->redis, "ZREM %s %s", KEY_DEADLINES,
	    token)) == -1 ||
	    queue_reply_ok(redis_cmd(w->redis, "HDEL %s %s", KEY_TOKENS,
	    token)) == -1)
		return -1;
	return 0;
}

/*
 * Refresh Redis for the stored result of job (sid, tid).  0 / -1.
 */
int
sync_result(struct wctx *w, const struct job *job)
{
	static const char subq[] =
	    "SELECT s.status, s.done, s.passed, s.failed,"
	    " COALESCE(s.score::text, ''), s.user_id, q.round_id, s.total"
	    " FROM submissions s JOIN questions q ON q.id = s.question_id"
	    " WHERE s.id = $1";
	static const char resq[] =
	    "SELECT t.ordinal, r.verdict, r.status_id, r.time_ms, r.memory_kb,"
	    " COALESCE(r.judge_token, '')"
	    " FROM submission_results r JOIN testcases t ON t.id = r.testcase_id"
	    " WHERE r.submission_id = $1 AND r.testcase_id = $2";
	PGresult *sub = NULL, *res = NULL;
	const char *p[2];
	char tid[24], key[128], rkey[128], pkey[128];
	char *rj = NULL;
	int rc = -1, done;

	snprintf(tid, sizeof(tid), "%lld", job->tid);
	p[0] = job->sid;
	p[1] = tid;
	if ((sub = db_exec(w->db, subq, 1, p)) == NULL ||
	    (res = db_exec(w->db, resq, 2, p)) == NULL)
		goto out;
	if (PQntuples(sub) != 1) {
		log_warn(NULL, "submission %s is gone from PostgreSQL", job->sid);
		rc = 0;
		goto out;
	}
	snprintf(key, sizeof(key), KEY_SUB_FMT, job->sid);
	snprintf(rkey, sizeof(rkey), KEY_SUB_RESULTS_FMT, job->sid);
	snprintf(pkey, sizeof(pkey), KEY_SUB_PENDING_FMT, job->sid);
	done = strcmp(PQgetvalue(sub, 0, 0), "done") == 0;

	if (PQntuples(res) == 1 && (rj = result_json(res)) == NULL)
		goto out;
	if (queue_reply_ok(redis_cmd(w->redis, "MULTI")) == -1)
		goto out;
	if (queue_reply_ok(redis_cmd(w->redis,
	    "HSET %s status %s done %s passed %s failed %s", key,
	    PQgetvalue(sub, 0, 0), PQgetvalue(sub, 0, 1), PQgetvalue(sub, 0, 2),
	    PQgetvalue(sub, 0, 3))) == -1 ||
	    (done && queue_reply_ok(redis_cmd(w->redis, "HSET %s score %s", key,
	    PQgetvalue(sub, 0, 4))) == -1) ||
	    (rj != NULL && queue_reply_ok(redis_cmd(w->redis, "HSET %s %s %s",
	    rkey, tid, rj)) == -1) ||
	    (rj != NULL && queue_reply_ok(redis_cmd(w->redis, "SREM %s %s",
	    pkey, tid)) == -1) ||
	    queue_reply_ok(redis_cmd(w->redis, "EXPIRE %s %d", key,
	    SUB_TTL_S)) == -1 ||
	    queue_reply_ok(redis_cmd(w->redis, "EXPIRE %s %d", rkey,
	    SUB_TTL_S)) == -1 ||
	    (rj != NULL && sync_token_drop(w, job->res.token) == -1) ||
	    (rj != NULL && sync_token_drop(w, PQgetvalue(res, 0, 5)) == -1)) {
		(void)queue_reply_ok(redis_cmd(w->redis, "DISCARD"));
		goto out;
	}
	if (queue_reply_ok(redis_cmd(w->redis, "EXEC")) == -1)
		goto out;
	if (done && sync_leaderboard(w, PQgetvalue(sub, 0, 6),
	    PQgetvalue(sub, 0, 5)) == -1)
		goto out;
	/* Browsers watching this submission (and the leaderboard). */
	{
		struct live_event ev = { job->sid, PQgetvalue(sub, 0, 0),
		    PQgetvalue(sub, 0, 7), PQgetvalue(sub, 0, 1),
		    PQgetvalue(sub, 0, 2), PQgetvalue(sub, 0, 3),
		    PQgetvalue(sub, 0, 4), rj, PQgetvalue(sub, 0, 6), done };
		live_publish_result(w, &ev);
	}
	if (job->finalized)
		log_info(NULL, "submission %s finalized: passed %s/%s score %s",
		    job->sid, PQgetvalue(sub, 0, 2), PQgetvalue(sub, 0, 7),
		    PQgetvalue(sub, 0, 4));
	rc = 0;
out:
	free(rj);
	PQclear(sub);
	PQclear(res);
	return rc;
}
