/*
 * A callback's result is bound to its token: the signed callback URL
 * names (submission, testcase, attempt), and a third party who saw it
 * could replay it with a forged body.  The body's token must be the one
 * dispatch recorded for that (submission, testcase, attempt) in
 * pitwall:tokens; any other goes to the dead letters.  Jobs Pitwall made
 * itself (the reaper's polls, refused items, Internal Errors) never came
 * through /callback and are not checked here.
 *
 * A token missing from pitwall:tokens is one of:
 *   - a duplicate of a result stored since (publish.c forgets the token
 *     in the same MULTI that takes the testcase off the pending set): the
 *     testcase is no longer pending and PostgreSQL has its result, the job
 *     is ignored, the result counts once (not pending and no result: Redis
 *     lost its record, and the job is dead-lettered, kept, not dropped);
 *   - a callback that outran its dispatch (Judge0 called back before the
 *     responder recorded the tokens of its batch): it waits on
 *     pitwall:cbwait and is looked at again a second later, until
 *     JUDGE0_DEADLINE seconds after it arrived;
 *   - anything else (forged, or a superseded attempt): dead-lettered once
 *     that wait is over.  The testcase's genuine result is not lost with
 *     it: the reaper polls Judge0 for the recorded token at its deadline.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libpq-fe.h>

#include "attempt.h"
#include "db.h"
#include "extern.h"
#include "keys.h"
#include "log.h"
#include "redis.h"

#define CBWAIT_MAX	50	/* jobs requeued from pitwall:cbwait per pass */

/* KEYS: tokens, pending set, submission hash; ARGV: token, "sid tid
 * attempt", tid.  {1 recorded for this job, 0 for another, 2 unknown and
 * not pending, 3 unknown and pending; the testcase's current attempt}. */
static const char bind_lua[] =
    "local cur = redis.call('HGET', KEYS[3], 'attempt:' .. ARGV[3]) or '0' "
    "local m = redis.call('HGET', KEYS[1], ARGV[1]) "
    "if m == ARGV[2] then return {1, cur} end "
    "if m then return {0, cur} end "
    "if redis.call('SISMEMBER', KEYS[2], ARGV[3]) == 1 then"
    " return {3, cur} end "
    "return {2, cur}";

/* KEYS: cbwait, queue; ARGV: now, max.  Moves the due jobs to the queue. */
static const char cbwait_lua[] =
    "local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1],"
    " 'LIMIT', 0, tonumber(ARGV[2])) "
    "for _, j in ipairs(due) do "
    "  redis.call('ZREM', KEYS[1], j) "
    "  redis.call('LPUSH', KEYS[2], j) "
    "end "
    "return #due";

/* 1 when PostgreSQL has the job's testcase result, 0 not, -1 failed. */
static int
result_stored(struct wctx *w, const struct job *job)
{
	char tid[24];
	const char *p[2] = { job->sid, tid };
	PGresult *res;
	int n;

	snprintf(tid, sizeof(tid), "%lld", job->tid);
	res = db_exec(w->cdb, "SELECT 1 FROM submission_results"
	    " WHERE submission_id = $1::uuid AND testcase_id = $2::bigint", 2, p);
	if (res == NULL)
		return -1;
	n = PQntuples(res) > 0;
	PQclear(res);
	return n;
}

int
bind_check(struct wctx *w, struct job *job)
{
	char val[128], pkey[96], skey[96], tid[24];
	redisReply *rep;
	long long got, cur, now = (long long)time(NULL);

	if (job->type != JOB_RESULT || job->callback_at == 0)
		return 0;
	snprintf(val, sizeof(val), "%s %lld %d", job->sid, job->tid,
	    job->attempt);
	snprintf(pkey, sizeof(pkey), KEY_SUB_PENDING_FMT, job->sid);
	snprintf(skey, sizeof(skey), KEY_SUB_FMT, job->sid);
	snprintf(tid, sizeof(tid), "%lld", job->tid);
	rep = redis_cmd(w->redis, "EVAL %s 3 %s %s %s %s %s %s", bind_lua,
	    KEY_TOKENS, pkey, skey, job->res.token, val, tid);
	if (rep == NULL || rep->type != REDIS_REPLY_ARRAY ||
	    rep->elements != 2 || rep->element[0]->type != REDIS_REPLY_INTEGER ||
	    rep->element[1]->type != REDIS_REPLY_STRING) {
		(void)queue_reply_ok(rep);
		return -1;
	}
	got = rep->element[0]->integer;
	cur = strtoll(rep->element[1]->str, NULL, 10);
	freeReplyObject(rep);
	/* A result of an earlier judging is ignored whatever its token says
	 * (check_result(), which counts it as stale). */
	if (got != 1 && attempt_judging(job->attempt) < attempt_judging((int)cur))
		return 0;
	switch (got) {
	case 1:
		return 0;
	case 2:
		if ((got = result_stored(w, job)) == -1)
			return -1;
		if (got == 0)
			break;
		log_info(NULL, "submission %s testcase %lld: callback of token "
		    "'%s' after its result was stored; ignored", job->sid,
		    job->tid, job->res.token);
		job->state = JOB_IGNORE;
		return 0;
	case 3:
		if (now - job->callback_at < w->cfg.judge0_deadline_s) {
			if (queue_reply_ok(redis_cmd(w->redis, "ZADD %s %lld %b",
			    KEY_CBWAIT, now + 1, job->raw, job->rawlen)) == -1)
				return -1;
			job->state = JOB_IGNORE;
			return 0;
		}
		break;
	default:
		break;
	}
	snprintf(job->reason, sizeof(job->reason), "callback token '%.64s' is "
	    "not the one recorded for submission %s testcase %lld attempt %d",
	    job->res.token, job->sid, job->tid, job->attempt);
	log_warn(NULL, "%s: dead-lettered", job->reason);
	job->state = JOB_DEAD;
	return 0;
}

int
bind_pass(struct wctx *w)
{
	redisReply *rep;

	rep = redis_cmd(w->redis, "EVAL %s 2 %s %s %lld %d", cbwait_lua,
	    KEY_CBWAIT, KEY_QUEUE, (long long)time(NULL), CBWAIT_MAX);
	return queue_reply_ok(rep);
}
