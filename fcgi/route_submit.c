/*
 * POST /submit {question_id, language_id, source_code} -> 202 {submission_id}
 *
 * Checks who asks, the round clock and the body; makes the submission
 * durable in Redis in one MULTI/EXEC (hash, pending set, an entry in the
 * user's list, a job for the worker, a safety dispatch entry); then sends
 * the testcases to Judge0.
 * Writes no PostgreSQL (DESIGN.md §2).
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

/*
 * Hash, pending set, the user's list entry, worker job and safety
 * dispatch entry in one MULTI/EXEC.
 */
static int
submission_store(struct req *r, const char *sid, const struct auth_claims *who,
    const struct cache_question *q, int lang_id, const char *src, size_t srclen,
    const char *safety)
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
	redisAppendCommand(c, "EXEC");
	ncmd += 8;
	for (k = 0; k < ncmd; k++) {
		if (redisGetReply(c, (void **)&rep) != REDIS_OK) {
			redis_broken(r->w->redis);
			goto out;
		}
		if (k == ncmd - 1)
			rc = rep->type == REDIS_REPLY_ARRAY ? 0 : -1;
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
	json_object *body = NULL, *reply, *safety = NULL, *arr;
	int64_t qid = 0, lang_id = 0;
	const char *src = NULL;
	size_t srclen = 0, i;
	long long *tids = NULL;
	char sid[37];
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
	if (submission_store(r, sid, &who, q, (int)lang_id, src, srclen,
	    json_object_to_json_string_ext(safety, JSON_C_TO_STRING_PLAIN)) == -1) {
		http_error(r, 503, "unavailable",
		    "the submission could not be stored; try again");
		goto out;
	}
	if (redis_replicated(r->w->redis, r->reqid) == -1) {
		/* Stored on the master, which may still judge it: the client
		 * may not count on it (docs/redis.md, the acknowledgement rule). */
		http_error(r, 503, "not_replicated",
		    "the submission did not reach enough Redis replicas in time; try again");
		goto out;
	}
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

	reply = json_object_new_object();
	json_object_object_add(reply, "submission_id", json_object_new_string(sid));
	http_reply_json(r, 202, reply);
	json_object_put(reply);
out:
	free(tids);
	json_object_put(safety);
	json_object_put(body);
	cache_question_free(q);
}
