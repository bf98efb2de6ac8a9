/*
 * POST /submit {question_id, language_id, source_code} -> 202 {submission_id}
 *
 * Checks who asks, the round clock and the body; makes the submission
 * durable in Redis in one MULTI/EXEC (hash, pending set, an entry in the
 * user's list, a job for the worker, a safety dispatch entry); then sends
 * the testcases to Judge0.
 * Writes no PostgreSQL (DESIGN.md §2).
 *
 * An Idempotency-Key header makes a retry safe: the first request with a
 * key records its submission id in the same MULTI/EXEC (the key WATCHed,
 * so two at once make one submission); a later one with the same key,
 * question, language and source gets that submission's 202 again
 * (Idempotent-Replayed: true), with other contents 422.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include <json-c/json.h>
#include <sodium.h>

#include "auth.h"
#include "cache.h"
#include "dispatch.h"
#include "extern.h"
#include "json.h"
#include "keys.h"
#include "log.h"
#include "redis.h"

/* The longest Idempotency-Key accepted. */
#define IDEM_KEY_MAX	64

/* A random (version 4) UUID. */
static void
uuid4(char out[37])
{
	unsigned char b[16];

	randombytes_buf(b, sizeof(b));
	b[6] = (b[6] & 0x0f) | 0x40;
	b[8] = (b[8] & 0x3f) | 0x80;
	snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
	    "%02x%02x%02x%02x%02x%02x", b[0], b[1], b[2], b[3], b[4], b[5],
	    b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
}

/* The Idempotency-Key header, checked: *key NULL when there is none.
 * 0, or -1 after a 400. */
static int
idem_key_or_reply(struct req *r, const char **key)
{
	const char *h = http_param(r, "HTTP_IDEMPOTENCY_KEY");
	size_t n;

	*key = NULL;
	if (h == NULL)
		return 0;
	n = strspn(h, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789._:-");
	if (n == 0 || n > IDEM_KEY_MAX || h[n] != '\0') {
		http_error(r, 400, "bad_idempotency_key", "Idempotency-Key must be "
		    "1-%d characters of A-Z, a-z, 0-9 and . _ : -", IDEM_KEY_MAX);
		return -1;
	}
	*key = h;
	return 0;
}

/* The submission an earlier request with this key made: 1 (sid set),
 * 0 none yet (with `watch`, the key stays WATCHed for the store), -1
 * Redis failed. */
static int
idem_lookup(struct req *r, const char *ikey, int watch, char sid[37])
{
	redisReply *rep;
	int	 rc = 0;

	if (watch) {
		if ((rep = redis_cmd(r->w->redis, "WATCH %s", ikey)) == NULL)
			return -1;
		freeReplyObject(rep);
	}
	if ((rep = redis_cmd(r->w->redis, "GET %s", ikey)) == NULL)
		return -1;
	if (rep->type == REDIS_REPLY_STRING && rep->len == 36) {
		memcpy(sid, rep->str, 36);
		sid[36] = '\0';
		rc = 1;
	} else if (rep->type == REDIS_REPLY_ERROR)
		rc = -1;
	freeReplyObject(rep);
	if (rc != 0 && watch) {
		rep = redis_cmd(r->w->redis, "UNWATCH");
		if (rep != NULL)
			freeReplyObject(rep);
	}
	return rc;
}

/* The acknowledgement rule (docs/redis.md): a stored submission is
 * promised only once REDIS_WAIT_REPLICAS replicas have it.  0, or -1
 * after the 503. */
static int
replicated_or_reply(struct req *r, int keyed)
{
	if (redis_replicated(r->w->redis, r->reqid) == 0)
		return 0;
	/* Stored on the master, which may still judge it: the client may
	 * not count on it. */
	http_error(r, 503, "not_replicated", "the submission did not reach "
	    "enough Redis replicas in time; try again%s",
	    keyed ? " with the same Idempotency-Key" : "");
	return -1;
}

/* 202 {"submission_id"}, marked Idempotent-Replayed for a retry. */
static void
reply_accepted(struct req *r, const char *sid, int replayed)
{
	json_object *reply = json_object_new_object();
	size_t len;
	const char *s;

	json_object_object_add(reply, "submission_id", json_object_new_string(sid));
	s = json_object_to_json_string_length(reply,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &len);
	http_reply(r, 202, "application/json",
	    replayed ? "Idempotent-Replayed: true\r\n" : NULL, s, len);
	json_object_put(reply);
}

/* Answers a retry with the key's submission: its 202 again when the
 * request is the same, else 422. */
static void
idem_replay(struct req *r, const char *sid, int64_t qid, int64_t lang_id,
    const char *src, size_t srclen)
{
	redisReply *rep;
	char	 key[96], q[32], l[16];
	int	 same;

	snprintf(key, sizeof(key), KEY_SUB_FMT, sid);
	rep = redis_cmd(r->w->redis, "HMGET %s question_id language_id source",
	    key);
	if (rep == NULL || rep->type != REDIS_REPLY_ARRAY || rep->elements != 3) {
		if (rep != NULL)
			freeReplyObject(rep);
		http_error(r, 503, "unavailable", "the submission could not be "
		    "looked up; try again");
		return;
	}
	snprintf(q, sizeof(q), "%lld", (long long)qid);
	snprintf(l, sizeof(l), "%lld", (long long)lang_id);
	same = rep->element[0]->type == REDIS_REPLY_STRING &&
	    strcmp(rep->element[0]->str, q) == 0 &&
	    rep->element[1]->type == REDIS_REPLY_STRING &&
	    strcmp(rep->element[1]->str, l) == 0 &&
	    rep->element[2]->type == REDIS_REPLY_STRING &&
	    rep->element[2]->len == srclen &&
	    memcmp(rep->element[2]->str, src, srclen) == 0;
	freeReplyObject(rep);
	if (!same) {
		http_error(r, 422, "idempotency_key_reused", "this Idempotency-Key "
		    "was used for a different submission");
		return;
	}
	/* What the first answer promised holds for this one too. */
	if (replicated_or_reply(r, 1) == -1)
		return;
	log_info(r->reqid, "submission %s replayed (Idempotency-Key)", sid);
	reply_accepted(r, sid, 1);
}

/*
 * Hash, pending set, the user's list entry, worker job, safety dispatch
 * entry and (ikey) the Idempotency-Key's record in one MULTI/EXEC.  0, 1
 * when the WATCHed ikey was set meanwhile (nothing stored), -1 failed.
 */
static int
submission_store(struct req *r, const char *sid, const struct auth_claims *who,
    const struct cache_question *q, int lang_id, const char *src, size_t srclen,
    const char *safety, const char *ikey)
{
	redisContext *c = redis_ctx(r->w->redis);
	char key[96], pkey[112], ukey[64], job[128], uid[32], qid[32], lid[16],
	    total[16], created[32], member[64];
	const char **argv = NULL;
	size_t *argl = NULL, i, nargs;
	struct timeval tv;
	redisReply *rep = NULL;
	int rc = -1, ncmd = 0, k;

	if (c == NULL)
		return -1;
	gettimeofday(&tv, NULL);
	snprintf(key, sizeof(key), KEY_SUB_FMT, sid);
	snprintf(pkey, sizeof(pkey), KEY_SUB_PENDING_FMT, sid);
	snprintf(job, sizeof(job), "{\"type\":\"submission\",\"s\":\"%s\"}", sid);
	snprintf(uid, sizeof(uid), "%lld", who->user_id);
	snprintf(qid, sizeof(qid), "%lld", q->id);
	snprintf(lid, sizeof(lid), "%d", lang_id);
	snprintf(total, sizeof(total), "%zu", q->ntests);
	snprintf(created, sizeof(created), "%lld",
	    (long long)tv.tv_sec * 1000 + tv.tv_usec / 1000);
	snprintf(ukey, sizeof(ukey), KEY_USER_SUBS_FMT, who->user_id);
	snprintf(member, sizeof(member), "%lld:%s", q->id, sid);

	redisAppendCommand(c, "MULTI");
	ncmd++;
	{
		const char *hv[] = { "HSET", key, "user_id", uid, "question_id", qid,
		    "language_id", lid, "source", src, "total", total,
		    "created_at", created, "status", "judging", "done", "0",
		    "passed", "0", "failed", "0" };
		size_t hl[sizeof(hv) / sizeof(hv[0])];
		for (i = 0; i < sizeof(hv) / sizeof(hv[0]); i++)
			hl[i] = strlen(hv[i]);
		hl[9] = srclen;
		redisAppendCommandArgv(c, (int)(sizeof(hv) / sizeof(hv[0])), hv, hl);
		ncmd++;
	}
	nargs = 2 + q->ntests;
	argv = calloc(nargs, sizeof(*argv));
	argl = calloc(nargs, sizeof(*argl));
	if (argv == NULL || argl == NULL)
		goto out;
	argv[0] = "SADD";
	argv[1] = pkey;
	{
		char (*ids)[24] = calloc(q->ntests, sizeof(*ids));
		if (ids == NULL)
			goto out;
		for (i = 0; i < q->ntests; i++) {
			snprintf(ids[i], sizeof(ids[i]), "%lld", q->tests[i].id);
			argv[2 + i] = ids[i];
		}
		for (i = 0; i < nargs; i++)
			argl[i] = strlen(argv[i]);
		redisAppendCommandArgv(c, (int)nargs, argv, argl);
		free(ids);
		ncmd++;
	}
	redisAppendCommand(c, "EXPIRE %s %d", key, SUB_TTL_S);
	redisAppendCommand(c, "EXPIRE %s %d", pkey, SUB_TTL_S);
	/* The user's newest submissions, for GET /submissions. */
	redisAppendCommand(c, "ZADD %s %s %s", ukey, created, member);
	redisAppendCommand(c, "ZREMRANGEBYRANK %s 0 %d", ukey, -USER_SUBS_KEEP - 1);
	redisAppendCommand(c, "EXPIRE %s %d", ukey, SUB_TTL_S);
	redisAppendCommand(c, "ZADD %s %lld %s", KEY_DISPATCH,
	    (long long)tv.tv_sec + r->cfg->judge0_deadline_s, safety);
	redisAppendCommand(c, "LPUSH %s %s", KEY_QUEUE, job);
	ncmd += 7;
	if (ikey != NULL) {
		redisAppendCommand(c, "SET %s %s EX %d", ikey, sid, SUB_TTL_S);
		ncmd++;
	}
	redisAppendCommand(c, "EXEC");
	ncmd++;
	for (k = 0; k < ncmd; k++) {
		if (redisGetReply(c, (void **)&rep) != REDIS_OK) {
			redis_broken(r->w->redis);
			goto out;
		}
		if (k == ncmd - 1)
			rc = rep->type == REDIS_REPLY_ARRAY ? 0 :
			    rep->type == REDIS_REPLY_NIL && ikey != NULL ? 1 : -1;
		freeReplyObject(rep);
	}
out:
	free(argv);
	free(argl);
	return rc;
}

void
route_submit(struct req *r)
{
	struct auth_claims who;
	struct cache_question *q = NULL;
	struct cache_language lang;
	struct dispatch_sub ds;
	json_object *body = NULL, *safety = NULL, *arr;
	int64_t qid = 0, lang_id = 0;
	const char *src = NULL;
	size_t srclen = 0, i;
	long long *tids = NULL;
	const char *idem;
	char sid[37], ikey[160];
	int stored, watching = 0;
	redisReply *rep;
	const struct jfield fields[] = {
		{ "question_id", JF_INT, 1, 1, INT32_MAX, &qid, NULL },
		{ "language_id", JF_INT, 1, 1, 100000, &lang_id, NULL },
	};

	if (req_auth_or_reply(r, &who) == -1)
		return;
	if (req_fields_or_reply(r, (size_t)r->cfg->max_body_bytes, 16, fields, 2,
	    &body) == -1)
		return;
	if (req_source_or_reply(r, body, "source_code", &src, &srclen) == -1)
		goto out;
	/* A retry is answered before the clock and the rate limit: what
	 * was accepted stays accepted. */
	if (idem_key_or_reply(r, &idem) == -1)
		goto out;
	if (idem != NULL) {
		snprintf(ikey, sizeof(ikey), KEY_USER_IDEM_FMT, who.user_id, idem);
		switch (idem_lookup(r, ikey, 1, sid)) {
		case 1:
			idem_replay(r, sid, qid, lang_id, src, srclen);
			goto out;
		case -1:
			http_error(r, 503, "unavailable",
			    "the submission could not be stored; try again");
			goto out;
		}
		watching = 1;	/* until the store's EXEC */
	}
	if (req_question_or_reply(r, &who, qid, (int)lang_id, &q, &lang) == -1)
		goto out;
	if (q->ntests == 0) {
		http_error(r, 409, "no_testcases", "question %lld has no testcases yet",
		    (long long)qid);
		goto out;
	}
	if (req_rate_limit_or_reply(r, "submit", who.user_id,
	    r->cfg->submit_rate_per_min) == -1)
		goto out;

	uuid4(sid);
	if ((tids = calloc(q->ntests, sizeof(*tids))) == NULL) {
		http_error(r, 500, "internal", "out of memory");
		goto out;
	}
	safety = json_object_new_object();
	arr = json_object_new_array();
	json_object_object_add(safety, "s", json_object_new_string(sid));
	for (i = 0; i < q->ntests; i++) {
		tids[i] = q->tests[i].id;
		json_object_array_add(arr, json_object_new_int64(tids[i]));
	}
	json_object_object_add(safety, "t", arr);
	json_object_object_add(safety, "a", json_object_new_int(1));
	json_object_object_add(safety, "n", json_object_new_int(0));
	stored = submission_store(r, sid, &who, q, (int)lang_id, src, srclen,
	    json_object_to_json_string_ext(safety, JSON_C_TO_STRING_PLAIN),
	    idem != NULL ? ikey : NULL);
	watching = 0;
	if (stored == 1) {
		/* Another request with the key stored first: its answer. */
		if (idem_lookup(r, ikey, 0, sid) == 1)
			idem_replay(r, sid, qid, lang_id, src, srclen);
		else
			http_error(r, 503, "unavailable",
			    "the submission could not be stored; try again");
		goto out;
	}
	if (stored == -1) {
		http_error(r, 503, "unavailable",
		    "the submission could not be stored; try again");
		goto out;
	}
	if (replicated_or_reply(r, idem != NULL) == -1)
		goto out;
	log_info(r->reqid, "submission %s user=%lld question=%lld language=%d tests=%zu",
	    sid, who.user_id, (long long)qid, (int)lang_id, q->ntests);

	/* Durable now: whatever Judge0 does, the worker will see it through. */
	ds.sid = sid;
	ds.user_id = who.user_id;
	ds.source = src;
	ds.source_len = srclen;
	ds.q = q;
	ds.lang = &lang;
	if (dispatch_send(r->w->redis, r->w->j0, r->cfg, &ds, tids, q->ntests, 1, 0,
	    r->reqid) >= 0) {
		rep = redis_cmd(r->w->redis, "ZREM %s %s", KEY_DISPATCH,
		    json_object_to_json_string_ext(safety, JSON_C_TO_STRING_PLAIN));
		freeReplyObject(rep);
	}

	reply_accepted(r, sid, 0);
out:
	/* Refused before the store: the connection is not left watching. */
	if (watching && (rep = redis_cmd(r->w->redis, "UNWATCH")) != NULL)
		freeReplyObject(rep);
	free(tids);
	json_object_put(safety);
	json_object_put(body);
	cache_question_free(q);
}
