/*
 * Sending testcases to Judge0: batches of JUDGE0_BATCH_SIZE, signed
 * callback URLs, tokens and deadlines recorded for the reaper, and what
 * Judge0 would not take scheduled for a retry with backoff.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "cache.h"
#include "config.h"
#include "dispatch.h"
#include "judge0.h"
#include "keys.h"
#include "log.h"
#include "redis.h"
#include "sign.h"

#define CALLBACK_URL_MAX	1024
#define JUDGE0_WALL_MIN_S	1.0
#define JUDGE0_WALL_MAX_S	20.0

int
dispatch_memory_kb(int memory_limit_kb)
{
	if (memory_limit_kb < DISPATCH_MEMORY_MIN_KB)
		return DISPATCH_MEMORY_MIN_KB;
	if (memory_limit_kb > DISPATCH_MEMORY_MAX_KB)
		return DISPATCH_MEMORY_MAX_KB;
	return memory_limit_kb;
}

double
dispatch_cpu_limit(const struct config *cfg, int time_limit_ms, double multiplier)
{
	double s = time_limit_ms / 1000.0 * (multiplier > 0 ? multiplier : 1.0);

	if (s > cfg->judge0_max_cpu_time_s)
		s = cfg->judge0_max_cpu_time_s;
	if (s < 0.001)
		s = 0.001;
	return s;
}

double
dispatch_wall_limit(double cpu_limit)
{
	/* Room for a CPU-bound program sharing the host's cores to reach
	 * its CPU limit (+ Judge0's 1 s extra) before the wall limit. */
	double s = 2 * cpu_limit + 1;

	if (s < JUDGE0_WALL_MIN_S)
		s = JUDGE0_WALL_MIN_S;
	if (s > JUDGE0_WALL_MAX_S)
		s = JUDGE0_WALL_MAX_S;
	return s;
}

int
dispatch_backoff(int tries)
{
	int s = 1;

	while (tries-- > 1 && s < 60)
		s *= 2;
	return s > 60 ? 60 : s;
}

const char *
dispatch_flags(const struct cache_question *q, const struct cache_testcase *tc)
{
	if (tc != NULL && tc->flags != NULL)
		return tc->flags;
	return q->validator_flags != NULL ? q->validator_flags : "";
}

const char *
dispatch_validator_name(const struct cache_question *q)
{
	return q->validator == NULL || q->validator[0] == '\0' ? NULL :
	    q->validator;
}

int
dispatch_validator(const struct cache_question *q,
    const struct cache_testcase *tc, struct judge0_validator *v,
    struct judge0_vfile *files)
{
	size_t i;

	memset(v, 0, sizeof(*v));
	if (q->validator == NULL || (strcmp(q->validator, "custom") != 0 &&
	    strcmp(q->validator, "interactive") != 0))
		return 0;
	for (i = 0; i < q->nvfiles; i++) {
		files[i].path = q->vfiles[i].path;
		files[i].content_b64 = q->vfiles[i].content_b64;
	}
	v->mode = q->validator;
	v->language_id = q->validator_lang;
	v->digest = q->validator_digest;
	v->flags = dispatch_flags(q, tc);
	v->time_limit = q->validation_time_ms > 0 ?
	    q->validation_time_ms / 1000.0 : DISPATCH_VALIDATOR_TIME_S;
	v->memory_limit_kb = q->validation_memory_kb > 0 ?
	    q->validation_memory_kb : DISPATCH_VALIDATOR_MEMORY_KB;
	v->files = files;
	v->nfiles = q->nvfiles;
	return 1;
}

static const struct cache_testcase *
find_test(const struct cache_question *q, long long tid)
{
	size_t i;

	for (i = 0; i < q->ntests; i++)
		if (q->tests[i].id == tid)
			return &q->tests[i];
	return NULL;
}

/* Schedule tids for another try after the backoff. */
static int
schedule_retry(struct redis *r, const char *sid, const long long *tids,
    size_t n, int attempt, int tries)
{
	json_object *o = json_object_new_object(), *arr = json_object_new_array();
	redisReply *rep;
	size_t i;

	json_object_object_add(o, "s", json_object_new_string(sid));
	for (i = 0; i < n; i++)
		json_object_array_add(arr, json_object_new_int64(tids[i]));
	json_object_object_add(o, "t", arr);
	json_object_object_add(o, "a", json_object_new_int(attempt));
	json_object_object_add(o, "n", json_object_new_int(tries));
	rep = redis_cmd(r, "ZADD %s %lld %s", KEY_DISPATCH,
	    (long long)time(NULL) + dispatch_backoff(tries),
	    json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
	if (rep == NULL)
		return -1;
	freeReplyObject(rep);
	return 0;
}

/* A result job for an item Judge0 refused: Internal Error with its message. */
static int
push_refused(struct redis *r, const char *sid, long long tid, int attempt,
    const char *message)
{
	json_object *job = json_object_new_object(), *body = json_object_new_object();
	json_object *st = json_object_new_object();
	char *msg = b64_encode(message, strlen(message));
	redisReply *rep;

	json_object_object_add(st, "id", json_object_new_int(13));
	json_object_object_add(st, "description", json_object_new_string("Internal Error"));
	json_object_object_add(body, "token", NULL);
	json_object_object_add(body, "status", st);
	json_object_object_add(body, "message", msg ? json_object_new_string(msg) : NULL);
	json_object_object_add(body, "refused", json_object_new_boolean(1));
	json_object_object_add(job, "type", json_object_new_string("result"));
	json_object_object_add(job, "s", json_object_new_string(sid));
	json_object_object_add(job, "t", json_object_new_int64(tid));
	json_object_object_add(job, "a", json_object_new_int(attempt));
	json_object_object_add(job, "body", json_object_new_string(
	    json_object_to_json_string_ext(body, JSON_C_TO_STRING_PLAIN)));
	rep = redis_cmd(r, "LPUSH %s %s", KEY_QUEUE,
	    json_object_to_json_string_ext(job, JSON_C_TO_STRING_PLAIN));
	free(msg);
	json_object_put(body);
	json_object_put(job);
	if (rep == NULL)
		return -1;
	freeReplyObject(rep);
	return 0;
}

/* Record the tokens of one accepted batch in one pipeline. */
static int
record_tokens(struct redis *r, const struct config *cfg, const char *sid,
    const long long *tids, const struct judge0_ret *ret, size_t n, int attempt)
{
	redisContext *c = redis_ctx(r);
	char val[160], key[128];
	long long deadline = (long long)time(NULL) + cfg->judge0_deadline_s;
	size_t i, sent = 0;
	redisReply *rep;
	int rc = 0;

	if (c == NULL)
		return -1;
	snprintf(key, sizeof(key), KEY_SUB_FMT, sid);
	for (i = 0; i < n; i++) {
		if (ret[i].token[0] == '\0')
			continue;
		snprintf(val, sizeof(val), "%s %lld %d", sid, tids[i], attempt);
		redisAppendCommand(c, "HSET %s %s %s", KEY_TOKENS, ret[i].token, val);
		redisAppendCommand(c, "ZADD %s %lld %s", KEY_DEADLINES, deadline, ret[i].token);
		redisAppendCommand(c, "HSET %s attempt:%lld %d", key, tids[i], attempt);
		sent += 3;
	}
	for (i = 0; i < sent; i++) {
		if (redisGetReply(c, (void **)&rep) != REDIS_OK) {
			redis_broken(r);
			return -1;
		}
		if (rep->type == REDIS_REPLY_ERROR)
			rc = -1;
		freeReplyObject(rep);
	}
	return rc;
}

int
dispatch_send(struct redis *r, struct judge0 *j, const struct config *cfg,
    const struct dispatch_sub *sub, const long long *tids, size_t n,
    int attempt, int tries, const char *reqid)
{
	size_t bs = (size_t)cfg->judge0_batch_size, off, i, k;
	struct judge0_item *items = NULL;
	struct judge0_ret *ret = NULL;
	struct judge0_validator *vals = NULL;
	struct judge0_vfile *vfiles = NULL;
	char (*urls)[CALLBACK_URL_MAX] = NULL;
	double cpu = dispatch_cpu_limit(cfg, sub->q->time_limit_ms,
	    sub->lang->time_multiplier);
	int mem = dispatch_memory_kb(sub->q->memory_limit_kb), taken = 0;
	char err[512], who[32];

	items = calloc(bs, sizeof(*items));
	ret = calloc(bs, sizeof(*ret));
	urls = calloc(bs, sizeof(*urls));
	vals = calloc(bs, sizeof(*vals));
	vfiles = calloc(sub->q->nvfiles + 1, sizeof(*vfiles));
	if (items == NULL || ret == NULL || urls == NULL || vals == NULL ||
	    vfiles == NULL) {
		taken = -1;
		goto out;
	}
	/* The embedded judge takes one contestant's batches in turn with
	 * the others' (docs/judge.md, fair order). */
	snprintf(who, sizeof(who), "u%lld", sub->user_id);
	for (off = 0; off < n; off += bs) {
		size_t m = n - off < bs ? n - off : bs;
		enum judge0_rc rc;

		for (i = 0; i < m; i++) {
			const struct cache_testcase *tc = find_test(sub->q, tids[off + i]);
			if (tc == NULL ||
			    sign_callback_url(cfg->callback_secret, cfg->callback_base_url,
			    sub->sid, tids[off + i], attempt, urls[i], CALLBACK_URL_MAX) == -1) {
				log_error(reqid, "testcase %lld of %s cannot be sent",
				    tids[off + i], sub->sid);
				taken = -1;
				goto out;
			}
			items[i].source = sub->source;
			items[i].source_len = sub->source_len;
			items[i].language_id = sub->lang->id;
			items[i].stdin_data = tc->input;
			items[i].stdin_len = tc->input_len;
			items[i].cpu_time_limit = cpu;
			items[i].wall_time_limit = dispatch_wall_limit(cpu);
			items[i].max_file_size_kb = cfg->judge0_max_file_size_kb;
			items[i].memory_limit_kb = mem;
			items[i].callback_url = urls[i];
			/* Custom and interactive questions: the answer and
			 * the validator (with this testcase's flags) go with
			 * each testcase (the embedded judge runs it;
			 * docs/judge.md).  vals[i] borrows vfiles. */
			if (dispatch_validator(sub->q, tc, &vals[i], vfiles)) {
				items[i].expected = tc->expected;
				items[i].expected_len = tc->expected_len;
				items[i].validator = &vals[i];
			}
			items[i].submitter = sub->user_id > 0 ? who : NULL;
		}
		rc = judge0_batch_submit(j, items, m, ret, err, sizeof(err));
		if (rc != J0_OK) {
			log_warn(reqid, "submission %s: %s; retrying in %d s", sub->sid,
			    err, dispatch_backoff(tries + 1));
			if (schedule_retry(r, sub->sid, tids + off, m, attempt, tries + 1) == -1) {
				taken = -1;
				goto out;
			}
			continue;
		}
		if (record_tokens(r, cfg, sub->sid, tids + off, ret, m, attempt) == -1) {
			taken = -1;
			goto out;
		}
		for (k = 0; k < m; k++) {
			if (ret[k].token[0] != '\0') {
				taken++;
				continue;
			}
			log_warn(reqid, "Judge0 refused testcase %lld of %s: %s",
			    tids[off + k], sub->sid, ret[k].error);
			if (push_refused(r, sub->sid, tids[off + k], attempt, ret[k].error) == -1) {
				taken = -1;
				goto out;
			}
		}
	}
out:
	free(items);
	free(ret);
	free(urls);
	free(vals);
	free(vfiles);
	return taken;
}
