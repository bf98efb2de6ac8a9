/*
 * POST /admin/rejudge {submission_id} | {question_id} | {since[, round]}
 *     -> 202 {rejudged: [id], skipped: [{id, reason}]}
 *
 * A rejudge runs a finished submission again through the normal pipeline,
 * in place (same id, same created_at, so ties keep their order):
 *
 *  1. One PostgreSQL transaction, the submission row locked FOR UPDATE
 *     (the worker locks it the same way before storing a result): its
 *     results are deleted, its counters reset against the question's
 *     current testcases (status judging), and the user's best score for
 *     the question recomputed from their other finished submissions, so
 *     a score can go down.
 *  2. Before COMMIT, in one MULTI/EXEC: the Redis hash rebuilt from the
 *     row (attempt counters and stuck marks gone), the pending set, the
 *     old Judge0 tokens forgotten, and a pitwall:dispatch entry due now:
 *     the worker sends the testcases to Judge0 as for any retry.  Redis
 *     failing rolls the transaction back.
 *  3. The worker stores each result once (primary key (submission,
 *     testcase), the deleted rows leave room for exactly one each),
 *     finalizes, raises best_scores when better and updates the
 *     leaderboard.  This route refreshes the user's leaderboard entry at
 *     once (the score may have dropped).
 *
 * Only submissions with status done are rejudged: one still judging has
 * results in flight that would mix with the new ones.
 * Each rejudge counts up submissions.judging, and the new run's attempt
 * numbers carry it (lib/attempt.h): a result of the old run that is
 * still queued or arrives late (a callback sent twice) is ignored by the
 * worker instead of being taken for the new one.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "attempt.h"
#include "auth.h"
#include "board.h"
#include "db.h"
#include "extern.h"
#include "json.h"
#include "keys.h"
#include "log.h"
#include "query.h"
#include "redis.h"

/* Queue one command inside MULTI; -1 unless Redis said QUEUED. */
static int
queued(redisReply *rep)
{
	int ok = rep != NULL && rep->type == REDIS_REPLY_STATUS &&
	    strcmp(rep->str, "QUEUED") == 0;

	freeReplyObject(rep);
	return ok ? 0 : -1;
}

/*
 * Step 2: the submission's Redis state for a fresh judging.  sub is the
 * row (user_id, question_id, language_id, source, created_ms), tids the
 * testcases, old the old results' tokens, judging the new judging's
 * number.  0 / -1.
 */
static int
rejudge_redis(struct req *r, const char *sid, PGresult *sub, PGresult *tids,
    PGresult *old, int judging)
{
	struct redis *rd = r->w->redis;
	char key[96], rkey[112], pkey[112], total[16];
	json_object *entry = NULL, *arr;
	redisReply *rep;
	const char *argv[22];
	size_t argl[22];
	int i, rc = -1;

	snprintf(key, sizeof(key), KEY_SUB_FMT, sid);
	snprintf(rkey, sizeof(rkey), KEY_SUB_RESULTS_FMT, sid);
	snprintf(pkey, sizeof(pkey), KEY_SUB_PENDING_FMT, sid);
	snprintf(total, sizeof(total), "%d", PQntuples(tids));
	entry = json_object_new_object();
	arr = json_object_new_array();
	json_object_object_add(entry, "s", json_object_new_string(sid));
	json_object_object_add(entry, "t", arr);
	json_object_object_add(entry, "a",
	    json_object_new_int(attempt_first(judging)));
	json_object_object_add(entry, "n", json_object_new_int(0));
	for (i = 0; i < PQntuples(tids); i++)
		json_object_array_add(arr, json_object_new_int64(
		    atoll(PQgetvalue(tids, i, 0))));

	if ((rep = redis_cmd(rd, "MULTI")) == NULL)
		goto out;
	freeReplyObject(rep);
	if (queued(redis_cmd(rd, "DEL %s %s %s", key, rkey, pkey)) == -1)
		goto discard;
	{
		const char *hv[] = { "HSET", key, "user_id", PQgetvalue(sub, 0, 0),
		    "question_id", PQgetvalue(sub, 0, 1), "language_id",
		    PQgetvalue(sub, 0, 2), "source", PQgetvalue(sub, 0, 3),
		    "total", total, "created_at", PQgetvalue(sub, 0, 4),
		    "status", "judging", "done", "0", "passed", "0", "failed", "0" };
		size_t k, nh = sizeof(hv) / sizeof(hv[0]);

		for (k = 0; k < nh; k++) {
			argv[k] = hv[k];
			argl[k] = strlen(hv[k]);
		}
		argl[9] = (size_t)PQgetlength(sub, 0, 3);
		if (queued(redis_cmdargv(rd, (int)nh, argv, argl)) == -1)
			goto discard;
	}
	for (i = 0; i < PQntuples(tids); i++)
		if (queued(redis_cmd(rd, "SADD %s %s", pkey,
		    PQgetvalue(tids, i, 0))) == -1)
			goto discard;
	for (i = 0; i < PQntuples(old); i++) {
		const char *tok = PQgetvalue(old, i, 0);

		if (*tok == '\0')
			continue;
		if (queued(redis_cmd(rd, "ZREM %s %s", KEY_DEADLINES, tok)) == -1 ||
		    queued(redis_cmd(rd, "HDEL %s %s", KEY_TOKENS, tok)) == -1)
			goto discard;
	}
	if (queued(redis_cmd(rd, "EXPIRE %s %d", key, SUB_TTL_S)) == -1 ||
	    queued(redis_cmd(rd, "EXPIRE %s %d", pkey, SUB_TTL_S)) == -1 ||
	    queued(redis_cmd(rd, "ZADD %s %lld %s", KEY_DISPATCH,
	    (long long)time(NULL), json_object_to_json_string_ext(entry,
	    JSON_C_TO_STRING_PLAIN))) == -1)
		goto discard;
	rep = redis_cmd(rd, "EXEC");
	rc = rep != NULL && rep->type == REDIS_REPLY_ARRAY ? 0 : -1;
	freeReplyObject(rep);
	goto out;
discard:
	freeReplyObject(redis_cmd(rd, "DISCARD"));
out:
	json_object_put(entry);
	return rc;
}

/*
 * The user's entries on both boards of the round of question qid
 * (lib/board.h: leaderboard_entry(), as the worker and the rebuilds).
 * 0 / -1.
 */
static int
rejudge_leaderboard(struct req *r, const char *uid, const char *qid)
{
	const char *p[1] = { qid };
	PGresult *res;
	int rc = -1;

	res = db_exec(r->w->db, "SELECT round_id FROM questions WHERE id = $1",
	    1, p);
	if (res != NULL && PQntuples(res) == 1)
		rc = board_user_refresh(r->w->db, r->w->redis,
		    atoll(PQgetvalue(res, 0, 0)), atoll(uid));
	PQclear(res);
	return rc;
}

/*
 * Rejudge submission sid.  0 rejudged; 1 skipped with *why (404/409
 * material); -1 with the reply (503) written.
 */
static int
rejudge_one(struct req *r, const char *sid, const char **why, int *status)
{
	const char *p[3];
	char total[16];
	PGresult *sub = NULL, *tids = NULL, *old = NULL;
	int rc = -1, began = 0, judging;

	*why = NULL;
	if (db_begin(r->w->db) == -1) {
		http_error(r, 503, "unavailable", "the database is unavailable");
		return -1;
	}
	began = 1;
	p[0] = sid;
	if ((sub = req_sql_or_reply(r, "SELECT user_id, question_id, language_id,"
	    " source, (extract(epoch FROM created_at) * 1000)::bigint, status,"
	    " judging + 1 FROM submissions WHERE id = $1::uuid FOR UPDATE", 1,
	    p)) == NULL)
		goto out;
	if (PQntuples(sub) != 1) {
		*why = "no such submission";
		*status = 404;
		rc = 1;
		goto out;
	}
	if (strcmp(PQgetvalue(sub, 0, 5), "done") != 0) {
		*why = "the submission is still being judged";
		*status = 409;
		rc = 1;
		goto out;
	}
	judging = atoi(PQgetvalue(sub, 0, 6));
	if (attempt_first(judging) + ATTEMPT_TRIES_MAX > ATTEMPT_MAX) {
		*why = "the submission was rejudged too many times";
		*status = 409;
		rc = 1;
		goto out;
	}
	p[1] = PQgetvalue(sub, 0, 1);
	if ((tids = req_sql_or_reply(r, "SELECT id FROM testcases"
	    " WHERE question_id = $1 ORDER BY ordinal", 1, p + 1)) == NULL ||
	    (old = req_sql_or_reply(r, "SELECT coalesce(judge_token, '')"
	    " FROM submission_results WHERE submission_id = $1", 1, p)) == NULL)
		goto out;
	if (PQntuples(tids) == 0) {
		*why = "the question has no testcases";
		*status = 409;
		rc = 1;
		goto out;
	}
	snprintf(total, sizeof(total), "%d", PQntuples(tids));
	p[1] = total;
	if (req_exec_or_reply(r, "DELETE FROM submission_results"
	    " WHERE submission_id = $1", 1, p) == -1 ||
	    req_exec_or_reply(r, "UPDATE submissions SET status = 'judging',"
	    " total = $2::int, done = 0, passed = 0, failed = 0, score = NULL, verdict = NULL,"
	    " max_time_ms = NULL, max_memory_kb = NULL, finished_at = NULL,"
	    " judging = judging + 1 WHERE id = $1", 2, p) == -1)
		goto out;
	p[0] = PQgetvalue(sub, 0, 0);
	p[1] = PQgetvalue(sub, 0, 1);
	/* The best of the others; the worker raises it if the rejudge does better. */
	if (req_exec_or_reply(r, "DELETE FROM best_scores"
	    " WHERE user_id = $1 AND question_id = $2", 2, p) == -1 ||
	    req_exec_or_reply(r, "INSERT INTO best_scores (user_id,"
	    " question_id, score, submission_id, achieved_at)"
	    " SELECT user_id, question_id, score, id, created_at FROM submissions"
	    " WHERE user_id = $1 AND question_id = $2 AND status = 'done'"
	    " ORDER BY score DESC, created_at, id LIMIT 1", 2, p) == -1)
		goto out;
	if (rejudge_redis(r, sid, sub, tids, old, judging) == -1) {
		http_error(r, 503, "unavailable", "Redis is unavailable; nothing changed");
		goto out;
	}
	if (db_commit(r->w->db) == -1) {
		began = 0;
		http_error(r, 503, "unavailable", "the database is unavailable");
		goto out;
	}
	began = 0;
	if (rejudge_leaderboard(r, PQgetvalue(sub, 0, 0), PQgetvalue(sub, 0, 1)) == -1)
		log_warn(r->reqid, "submission %s: leaderboard not refreshed; the "
		    "worker refreshes it when the rejudge finishes", sid);
	log_info(r->reqid, "rejudge submission %s (%d testcases)", sid,
	    PQntuples(tids));
	rc = 0;
out:
	if (began)
		db_rollback(r->w->db);
	PQclear(sub);
	PQclear(tids);
	PQclear(old);
	return rc;
}

/*
 * The submissions a {question_id} or {since[, round]} rejudge covers, in
 * the order they were made; NULL with the reply written (404 for an
 * unknown question or round).
 */
static PGresult *
rejudge_list(struct req *r, int64_t qid, const char *since, const char *round)
{
	char qb[24];
	const char *p[2];
	PGresult *list;

	if (qid != 0) {
		snprintf(qb, sizeof(qb), "%lld", (long long)qid);
		p[0] = qb;
		list = req_sql_or_reply(r, "SELECT (SELECT count(*) FROM questions"
		    " WHERE id = $1)::int, s.id::text FROM (SELECT 1) x LEFT JOIN"
		    " submissions s ON s.question_id = $1"
		    " ORDER BY s.created_at, s.id", 1, p);
	} else {
		p[0] = since;
		p[1] = round;
		list = req_sql_or_reply(r, "SELECT ($2::text IS NULL OR EXISTS"
		    " (SELECT 1 FROM rounds WHERE slug = $2))::int, s.id::text"
		    " FROM (SELECT 1) x LEFT JOIN (submissions s"
		    "   JOIN questions q ON q.id = s.question_id"
		    "   JOIN rounds rd ON rd.id = q.round_id)"
		    " ON s.created_at >= $1::timestamptz"
		    "   AND ($2::text IS NULL OR rd.slug = $2)"
		    " ORDER BY s.created_at, s.id", 2, p);
	}
	if (list == NULL)
		return NULL;
	if (PQntuples(list) == 0 || atoi(PQgetvalue(list, 0, 0)) == 0) {
		if (qid != 0)
			http_error(r, 404, "not_found", "no question %lld",
			    (long long)qid);
		else
			http_error(r, 404, "not_found", "no round %s", round);
		PQclear(list);
		return NULL;
	}
	return list;
}

/* POST /admin/rejudge {submission_id} | {question_id} | {since[, round]}
 * -> 202 {rejudged, skipped} */
void
route_admin_rejudge(struct req *r)
{
	struct auth_claims who;
	json_object *body = NULL, *o = NULL, *done, *skipped;
	const char *sid = NULL, *since = NULL, *round = NULL, *why;
	int64_t qid = 0;
	PGresult *list = NULL;
	int i, rc, status = 0;
	const struct jfield fields[] = {
		{ "submission_id", JF_STRING, 0, 36, 36, &sid, NULL },
		{ "question_id", JF_INT, 0, 1, INT64_MAX, &qid, NULL },
		{ "since", JF_STRING, 0, 1, 64, &since, NULL },
		{ "round", JF_STRING, 0, 1, 64, &round, NULL },
	};

	if (req_admin_or_reply(r, &who) == -1)
		return;
	if (req_fields_or_reply(r, 16384, ADMIN_JSON_DEPTH, fields, 4, &body) == -1)
		return;
	if ((sid != NULL) + (qid != 0) + (since != NULL) != 1 ||
	    (sid != NULL && !uuid_valid(sid)) || (round != NULL && since == NULL)) {
		http_error(r, 422, "invalid_field", "send one of submission_id"
		    " (a UUID), question_id, or since (an ISO time, with an"
		    " optional round)");
		goto out;
	}
	if (req_db_or_reply(r) == NULL)
		goto out;
	o = json_object_new_object();
	done = json_object_new_array();
	skipped = json_object_new_array();
	json_object_object_add(o, "rejudged", done);
	json_object_object_add(o, "skipped", skipped);
	if (sid != NULL) {
		if ((rc = rejudge_one(r, sid, &why, &status)) == -1)
			goto out;
		if (rc == 1) {
			http_error(r, status, status == 404 ? "not_found" : "conflict",
			    "%s", why);
			goto out;
		}
		json_object_array_add(done, json_object_new_string(sid));
		http_reply_json(r, 202, o);
		goto out;
	}
	if ((list = rejudge_list(r, qid, since, round)) == NULL)
		goto out;
	for (i = 0; i < PQntuples(list); i++) {
		const char *s = PQgetvalue(list, i, 1);

		if (PQgetisnull(list, i, 1))
			continue;
		if ((rc = rejudge_one(r, s, &why, &status)) == -1)
			goto out;
		if (rc == 0)
			json_object_array_add(done, json_object_new_string(s));
		else {
			json_object *e = json_object_new_object();
			json_object_object_add(e, "id", json_object_new_string(s));
			json_object_object_add(e, "reason", json_object_new_string(why));
			json_object_array_add(skipped, e);
		}
	}
	http_reply_json(r, 202, o);
out:
	PQclear(list);
	json_object_put(o);
	json_object_put(body);
}
