/*
 * The reaper (tokens whose callback did not come in time are polled with
 * GET /submissions/batch), the dispatch retry (testcases Judge0 did not
 * take), and re-dispatching a testcase at its next attempt.  Workers
 * claim this work (claim_due()): each due token or retry is handed to one
 * worker, which holds it for a lease; with more workers the reaper does
 * more, instead of every worker polling the same first tokens.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "attempt.h"
#include "cache.h"
#include "dispatch.h"
#include "extern.h"
#include "json.h"
#include "judge0.h"
#include "keys.h"
#include "log.h"
#include "metrics.h"
#include "redis.h"

#define REAP_MAX	20	/* tokens per GET /submissions/batch (Judge0's limit) */
#define DISPATCH_MAX	10	/* pitwall:dispatch entries per pass */

/* KEYS: a zset scored by due time; ARGV: now, lease end, max.  Up to max
 * members due by now, with their scores, each rescored to the lease end
 * in the same script: the caller alone holds them until then. */
static const char claim_lua[] =
    "local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1],"
    " 'WITHSCORES', 'LIMIT', 0, tonumber(ARGV[3])) "
    "for i = 1, #due, 2 do "
    "  redis.call('ZADD', KEYS[1], 'XX', ARGV[2], due[i]) "
    "end "
    "return due";

/*
 * Claim up to max members of zset key that are due: [member, score, …]
 * as they were, each now held by this worker for lease seconds (a worker
 * that dies holding one leaves it due again at the lease's end).  The
 * reply is the caller's; NULL when Redis failed.
 */
static redisReply *
claim_due(struct wctx *w, const char *key, int max, int lease)
{
	redisReply *rep;
	long long now = (long long)time(NULL);

	rep = redis_cmd(w->redis, "EVAL %s 1 %s %lld %lld %d", claim_lua, key,
	    now, now + lease, max);
	if (rep != NULL && rep->type != REDIS_REPLY_ARRAY) {
		(void)queue_reply_ok(rep);
		return NULL;
	}
	return rep;
}

/* How long a worker holds what it claimed: past any one Judge0 call. */
static int
claim_lease(const struct wctx *w)
{
	return w->cfg.judge0_deadline_s > 30 ? w->cfg.judge0_deadline_s : 30;
}

/* A hash field of the submission as an integer; -1 when absent/bad. */
static long long
sub_field_int(struct wctx *w, const char *sid, const char *field)
{
	redisReply *rep;
	long long n = -1;
	char *end;

	rep = redis_cmd(w->redis, "HGET " KEY_SUB_FMT " %s", sid, field);
	if (rep == NULL)
		return -2;
	if (rep->type == REDIS_REPLY_STRING) {
		errno = 0;
		n = strtoll(rep->str, &end, 10);
		if (errno != 0 || *end != '\0' || n < 0)
			n = -1;
	}
	freeReplyObject(rep);
	return n;
}

/* 1 when testcase tid of sid still waits for a result, 0 not, -1 error. */
static int
sub_pending(struct wctx *w, const char *sid, long long tid)
{
	redisReply *rep;
	int n;

	rep = redis_cmd(w->redis, "SISMEMBER " KEY_SUB_PENDING_FMT " %lld",
	    sid, tid);
	if (rep == NULL)
		return -1;
	n = rep->type == REDIS_REPLY_INTEGER && rep->integer == 1;
	freeReplyObject(rep);
	return n;
}

static int
token_drop(struct wctx *w, const char *token)
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
 * Send testcases tids[0..n) of submission h (sid) at `attempt`, after
 * `tries` earlier tries.  Returns dispatch_send()'s result, or -2 when the
 * question or language cannot be had now (retry later), -3 when they do
 * not exist.
 */
static int
send_again(struct wctx *w, const char *sid, const struct subhash *h,
    const long long *tids, size_t n, int attempt, int tries)
{
	struct cache_question *q = NULL;
	struct cache_language lang;
	struct dispatch_sub ds;
	enum cache_rc crc;
	int rc = -2;

	crc = cache_question_get(w->redis, &w->cdb, &w->cfg, h->question_id, &q);
	if (crc == CACHE_OK)
		crc = cache_language_get(w->redis, &w->cdb, &w->cfg,
		    h->language_id, &lang);
	if (crc == CACHE_NOT_FOUND)
		rc = -3;
	if (crc != CACHE_OK)
		goto out;
	memset(&ds, 0, sizeof(ds));
	ds.sid = sid;
	ds.user_id = h->user_id;
	ds.source = h->source;
	ds.source_len = h->source_len;
	ds.q = q;
	ds.lang = &lang;
	rc = dispatch_send(w->redis, w->judge0, &w->cfg, &ds, tids, n, attempt,
	    tries, NULL);
out:
	cache_question_free(q);
	return rc;
}

/*
 * A result job for a testcase Judge0 failed on too often: Internal Error
 * with a message, so the submission can still finish.
 */
static int
record_ie(struct wctx *w, const char *sid, long long tid, int attempt,
    const char *token, const char *why)
{
	json_object *body, *st;
	char *msg;
	int rc = -1;

	if ((msg = b64_encode(why, strlen(why))) == NULL)
		return -1;
	if ((body = json_object_new_object()) == NULL)
		goto out;
	st = json_object_new_object();
	json_object_object_add(st, "id", json_object_new_int(J0_STATUS_INTERNAL));
	json_object_object_add(st, "description",
	    json_object_new_string("Internal Error"));
	json_object_object_add(body, "token", json_object_new_string(token));
	json_object_object_add(body, "status", st);
	json_object_object_add(body, "message", json_object_new_string(msg));
	rc = queue_push_result(w, sid, tid, attempt,
	    json_object_to_json_string_ext(body, JSON_C_TO_STRING_PLAIN));
	log_warn(NULL, "submission %s testcase %lld: %s after %d attempts; "
	    "recorded as Internal Error", sid, tid, why, attempt);
	if (rc == 0)
		metrics_count(METRICS_REAPER_GAVE_UP, 1);
out:
	json_object_put(body);
	free(msg);
	return rc;
}

/*
 * Testcase tid of sid failed at `attempt` (Internal Error, lost or stuck
 * token): send it again at attempt+1, or record IE at the bound.  Stale
 * reports (a later attempt is out, or a result is stored) only drop the
 * token.  0 / -1 (try again later).
 */
int
redispatch(struct wctx *w, const char *sid, long long tid, int attempt,
    const char *token)
{
	struct subhash h;
	char field[48], why[128];
	long long cur;
	int rc = -1, pend, hrc, sent;

	memset(&h, 0, sizeof(h));
	if ((pend = sub_pending(w, sid, tid)) == -1)
		return -1;
	snprintf(field, sizeof(field), "attempt:%lld", tid);
	if ((cur = sub_field_int(w, sid, field)) == -2)
		return -1;
	if (!pend || cur > attempt)
		return token_drop(w, token);
	if (attempt_try(attempt) >= w->cfg.worker_max_attempts) {
		if (record_ie(w, sid, tid, attempt, token ? token : "",
		    "Judge0 did not finish the testcase") == -1)
			return -1;
		return queue_reply_ok(redis_cmd(w->redis, "ZREM %s %s",
		    KEY_DEADLINES, token ? token : ""));
	}
	hrc = subhash_load(w, sid, &h, why, sizeof(why));
	if (hrc == -1)
		goto out;
	if (hrc != 0) {
		log_warn(NULL, "cannot resend: %s", why);
		rc = token_drop(w, token);
		goto out;
	}
	sent = send_again(w, sid, &h, &tid, 1, attempt + 1, 0);
	if (sent == -3) {
		log_warn(NULL, "cannot resend submission %s: its question or "
		    "language is gone", sid);
		rc = token_drop(w, token);
		goto out;
	}
	if (sent < 0)
		goto out;
	/* After the send: a replay of this job sends twice, never zero times. */
	snprintf(field, sizeof(field), "attempt:%lld", tid);
	if (queue_reply_ok(redis_cmd(w->redis, "HSET " KEY_SUB_FMT " %s %d",
	    sid, field, attempt + 1)) == -1 ||
	    queue_reply_ok(redis_cmd(w->redis, "HDEL " KEY_SUB_FMT " stuck:%lld",
	    sid, tid)) == -1)
		goto out;
	metrics_count(METRICS_REAPER_RESUBMITTED, 1);
	log_info(NULL, "submission %s testcase %lld sent again (attempt %d)",
	    sid, tid, attempt + 1);
	rc = token_drop(w, token);
out:
	subhash_free(&h);
	return rc;
}

/* One overdue token as pitwall:tokens describes it. */
struct overdue {
	char		token[64];
	long long	deadline;
	char		sid[40];
	long long	tid;
	int		attempt;
};

/*
 * A token still In Queue/Processing at Judge0: poll it again later, until
 * it is 3 × JUDGE0_DEADLINE past its first deadline (remembered in the
 * submission hash as stuck:<tid>); then it counts as lost.
 */
static int
reap_unfinished(struct wctx *w, const struct overdue *o, time_t now)
{
	redisReply *rep;
	char field[48];
	long long first;

	snprintf(field, sizeof(field), "stuck:%lld", o->tid);
	rep = redis_cmd(w->redis, "HSETNX " KEY_SUB_FMT " %s %lld", o->sid,
	    field, o->deadline);
	if (queue_reply_ok(rep) == -1)
		return -1;
	if ((first = sub_field_int(w, o->sid, field)) < -1)
		return -1;
	if (first >= 0 && now - first > 3LL * w->cfg.judge0_deadline_s)
		return redispatch(w, o->sid, o->tid, o->attempt, o->token);
	return queue_reply_ok(redis_cmd(w->redis, "ZADD %s XX %lld %s",
	    KEY_DEADLINES, (long long)now + w->cfg.judge0_deadline_s, o->token));
}

/* What Judge0 said about one overdue token. */
static int
reap_one(struct wctx *w, const struct overdue *o, json_object *obj, time_t now)
{
	json_object *st, *id;
	int status;

	if (obj == NULL || !json_object_is_type(obj, json_type_object))
		return redispatch(w, o->sid, o->tid, o->attempt, o->token);
	if (!json_object_object_get_ex(obj, "status", &st) ||
	    !json_object_object_get_ex(st, "id", &id) ||
	    !json_object_is_type(id, json_type_int))
		return reap_unfinished(w, o, now);
	status = json_object_get_int(id);
	if (status == J0_STATUS_IN_QUEUE || status == J0_STATUS_PROCESSING)
		return reap_unfinished(w, o, now);
	/* Finished: an ordinary result job, as if the callback had come. */
	if (!json_object_object_get_ex(obj, "token", &id))
		json_object_object_add(obj, "token",
		    json_object_new_string(o->token));
	if (queue_push_result(w, o->sid, o->tid, o->attempt,
	    json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PLAIN)) == -1)
		return -1;
	metrics_count(METRICS_REAPER_RECOVERED, 1);
	return queue_reply_ok(redis_cmd(w->redis, "ZREM %s %s", KEY_DEADLINES,
	    o->token));
}

/*
 * One pass over at most REAP_MAX tokens whose deadline passed.  0 / -1.
 */
int
reaper_pass(struct wctx *w)
{
	struct overdue o[REAP_MAX];
	const char *tokens[REAP_MAX];
	redisReply *due = NULL, *map;
	json_object *arr = NULL;
	char err[256];
	time_t now = time(NULL);
	size_t i, n = 0;
	int pend, rc = -1;

	if ((due = claim_due(w, KEY_DEADLINES, REAP_MAX, claim_lease(w))) == NULL)
		goto out;
	for (i = 0; i + 1 < due->elements && n < REAP_MAX; i += 2) {
		const redisReply *t = due->element[i];
		struct overdue *x = &o[n];

		if (t->type != REDIS_REPLY_STRING)
			continue;
		if (t->len >= sizeof(x->token)) {
			/* Not a token dispatch recorded: not polled again. */
			(void)queue_reply_ok(redis_cmd(w->redis, "ZREM %s %b",
			    KEY_DEADLINES, t->str, t->len));
			continue;
		}
		memset(x, 0, sizeof(*x));
		memcpy(x->token, t->str, t->len);
		x->deadline = strtoll(due->element[i + 1]->str, NULL, 10);
		if ((map = redis_cmd(w->redis, "HGET %s %s", KEY_TOKENS,
		    x->token)) == NULL)
			goto out;
		if (map->type != REDIS_REPLY_STRING ||
		    sscanf(map->str, "%39s %lld %d", x->sid, &x->tid,
		    &x->attempt) != 3) {
			freeReplyObject(map);
			/* Nobody knows this token any more. */
			(void)token_drop(w, x->token);
			continue;
		}
		freeReplyObject(map);
		if ((pend = sub_pending(w, x->sid, x->tid)) == -1)
			goto out;
		if (!pend) {
			(void)token_drop(w, x->token);	/* result already in */
			continue;
		}
		tokens[n] = x->token;
		n++;
	}
	if (n == 0) {
		rc = 0;
		goto out;
	}
	if (judge0_batch_get(w->judge0, tokens, n, &arr, err,
	    sizeof(err)) != J0_OK) {
		log_warn(NULL, "reaper: cannot poll Judge0: %s", err);
		/* Due again at once, for the next pass of any worker. */
		for (i = 0; i < n; i++)
			(void)queue_reply_ok(redis_cmd(w->redis, "ZADD %s XX "
			    "%lld %s", KEY_DEADLINES, o[i].deadline, o[i].token));
		goto out;
	}
	if (!json_object_is_type(arr, json_type_array) ||
	    json_object_array_length(arr) != n) {
		log_warn(NULL, "reaper: Judge0 answered %zu tokens with a "
		    "different list", n);
		goto out;
	}
	rc = 0;
	for (i = 0; i < n; i++)
		if (reap_one(w, &o[i], json_object_array_get_idx(arr, i),
		    now) == -1)
			rc = -1;
out:
	json_object_put(arr);
	if (due != NULL)
		freeReplyObject(due);
	return rc;
}

/*
 * Resend one pitwall:dispatch entry {"s","t":[tid,…],"a","n"} that this
 * worker claimed.  0: done with it (the caller removes it), -1: put back
 * with a backoff, or left for the lease to end.
 */
static int
dispatch_one(struct wctx *w, const char *entry, size_t len)
{
	json_object *o = NULL, *ts = NULL;
	struct jerr jerr;
	struct subhash h;
	const char *sid = NULL;
	long long *tids = NULL;
	int64_t a = 0, tries = 0;
	char why[128], field[48];
	size_t i, n = 0, nt;
	int rc = -1, pend, sent, hrc;

	memset(&h, 0, sizeof(h));
	o = json_parse_bounded(entry, len, 8, &jerr);
	if (o == NULL ||
	    json_get_string(o, "s", 1, 1, 64, &sid, NULL, &jerr) == -1 ||
	    json_get_int(o, "a", 1, 1, ATTEMPT_MAX, &a, &jerr) == -1 ||
	    json_get_int(o, "n", 0, 0, 1000000, &tries, &jerr) == -1 ||
	    !json_object_object_get_ex(o, "t", &ts) ||
	    !json_object_is_type(ts, json_type_array)) {
		rc = queue_dead_raw(w, NULL, entry, len,
		    "bad pitwall:dispatch entry");
		goto out;
	}
	hrc = subhash_load(w, sid, &h, why, sizeof(why));
	if (hrc == -1)
		goto putback;
	if (hrc != 0) {
		log_warn(NULL, "dispatch retry dropped: %s", why);
		rc = 0;
		goto out;
	}
	nt = json_object_array_length(ts);
	if ((tids = calloc(nt + 1, sizeof(*tids))) == NULL)
		goto putback;
	for (i = 0; i < nt; i++) {
		json_object *t = json_object_array_get_idx(ts, i);
		long long tid, cur;

		if (!json_object_is_type(t, json_type_int))
			continue;
		tid = json_object_get_int64(t);
		if ((pend = sub_pending(w, sid, tid)) == -1)
			goto putback;
		snprintf(field, sizeof(field), "attempt:%lld", tid);
		if ((cur = sub_field_int(w, sid, field)) == -2)
			goto putback;
		if (pend && cur <= a)
			tids[n++] = tid;
	}
	if (n == 0) {
		rc = 0;
		goto out;
	}
	sent = send_again(w, sid, &h, tids, n, (int)a, (int)tries + 1);
	metrics_count(METRICS_DISPATCH_RETRIES, 1);
	if (sent == -3) {
		rc = queue_dead_raw(w, NULL, entry, len,
		    "question or language of the submission is gone");
		goto out;
	}
	if (sent >= 0) {
		rc = 0;
		goto out;
	}
putback:
	/* Try again later: the claim's lease becomes the backoff. */
	(void)queue_reply_ok(redis_cmd(w->redis, "ZADD %s XX %lld %b",
	    KEY_DISPATCH, (long long)time(NULL) + dispatch_backoff((int)tries + 1),
	    entry, len));
out:
	free(tids);
	subhash_free(&h);
	json_object_put(o);
	return rc;
}

/* Resend what is due in pitwall:dispatch (claimed).  0 / -1. */
int
dispatch_pass(struct wctx *w)
{
	redisReply *due;
	size_t i;
	int rc = 0;

	if ((due = claim_due(w, KEY_DISPATCH, DISPATCH_MAX,
	    claim_lease(w))) == NULL)
		return -1;
	for (i = 0; i + 1 < due->elements; i += 2) {
		const redisReply *e = due->element[i];

		if (e->type != REDIS_REPLY_STRING)
			continue;
		if (dispatch_one(w, e->str, e->len) == -1) {
			rc = -1;
			continue;
		}
		if (queue_reply_ok(redis_cmd(w->redis, "ZREM %s %b",
		    KEY_DISPATCH, e->str, e->len)) == -1)
			rc = -1;
	}
	freeReplyObject(due);
	return rc;
}
