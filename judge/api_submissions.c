/*
 * judge/api_submissions.c — the Judge0 submission routes: create (one,
 * batch, wait=true) and read (one, batch), with Judge0 1.13's defaults,
 * ranges, 422 field hashes, queue limit and base64 rules.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "redis.h"
#include "service.h"

#define NOT_UTF8 "some attributes for this submission cannot be converted " \
	"to UTF-8, use base64_encoded=true query parameter"
#define NOT_UTF8_BATCH "some attributes for one or more submissions " \
	"cannot be converted to UTF-8, use base64_encoded=true query parameter"

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Replaces a base64 string member by its decoded bytes.  0 / -1 (memory). */
static int
decode_member(json_object *obj, const char *key)
{
	json_object *v;
	char	*dec;
	size_t	 len;

	if (!json_object_object_get_ex(obj, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return 0;
	if ((dec = b64_ruby_decode(json_object_get_string(v),
	    (size_t)json_object_get_string_len(v), &len)) == NULL)
		return -1;
	json_object_object_add(obj, key, json_object_new_string_len(dec,
	    (int)len));
	free(dec);
	return 0;
}

static int
blank(const char *s, size_t len)
{
	size_t	 i;

	for (i = 0; s != NULL && i < len; i++)
		if (!isspace((unsigned char)s[i]))
			return 0;
	return 1;
}

/* 1 to STORE_SUBMITTER_MAX of [A-Za-z0-9_.:-]: safe in a Redis key. */
static int
submitter_valid(const char *s)
{
	size_t	 i;

	for (i = 0; s[i] != '\0'; i++)
		if (i >= STORE_SUBMITTER_MAX || !(isalnum((unsigned char)s[i]) ||
		    strchr("_.:-", s[i]) != NULL))
			return 0;
	return i > 0;
}

/*
 * Reads one submission object into it; its strings point into obj (whose
 * base64 members are replaced by their bytes when b64).  Returns NULL when
 * the submission is valid, else Judge0's 422 hash (caller owns it).
 */
static json_object *
item_parse(json_object *obj, int b64, struct store_new *it)
{
	const char *field, *msg;
	json_object *v;

	memset(it, 0, sizeof(*it));
	if (!json_object_is_type(obj, json_type_object))
		return api_field_error("submission", "must be an object");
	if (b64 && (decode_member(obj, "source_code") == -1 ||
	    decode_member(obj, "stdin") == -1 ||
	    decode_member(obj, "expected_output") == -1))
		return api_field_error("submission", "out of memory");
	if (exec_json_submission(obj, &it->sub, &field, &msg) == -1)
		return api_field_error(field, msg);
	if (blank(it->sub.source_code, it->sub.source_len))
		return api_field_error("source_code", "can't be blank");
	if (!json_object_object_get_ex(obj, "language_id", &v) || v == NULL)
		return api_field_error("language_id", "can't be blank");
	if (exec_submission_check(&it->sub, &field, &msg) == -1)
		return api_field_error(field, msg);
	/* Pitwall's extension: checked here (422), run by the runner. */
	if (it->sub.validator_json != NULL) {
		struct validator_spec spec;
		char	 err[256];
		int	 bad;

		bad = validator_spec_parse(it->sub.validator_json,
		    it->sub.validator_json_len, &spec, err, sizeof(err));
		validator_spec_clear(&spec);
		if (bad)
			return api_field_error("pitwall_validator", err);
	}
	if (json_object_object_get_ex(obj, "callback_url", &v) && v != NULL) {
		if (!json_object_is_type(v, json_type_string))
			return api_field_error("callback_url",
			    "must be a string");
		if (json_object_get_string_len(v) > 0)
			it->callback_url = json_object_get_string(v);
	}
	/* Extension: the fair-queue key of a batch item (docs/judge.md). */
	if (json_object_object_get_ex(obj, "pitwall_submitter", &v) &&
	    v != NULL) {
		if (!json_object_is_type(v, json_type_string) ||
		    !submitter_valid(json_object_get_string(v)))
			return api_field_error("pitwall_submitter", "must be 1 "
			    "to 64 characters of [A-Za-z0-9_.:-]");
		it->submitter = json_object_get_string(v);
	}
	return NULL;
}

/* 503 when queued + n would pass JUDGE_MAX_QUEUE.  -1: reply written. */
static int
queue_room_or_reply(struct api_req *r, size_t n)
{
	long long q = store_queue_len(r->redis);

	if (q < 0) {
		api_error(r, 500, "the judge's store (Redis) is unavailable");
		return -1;
	}
	if (q + (long long)n > r->cfg->judge_max_queue) {
		api_error(r, 503, "queue is full");
		return -1;
	}
	return 0;
}

static int
fields_or_reply(struct api_req *r, struct store_fields *f)
{
	char	 spec[1024], err[512];

	if (api_query(r, "fields", spec, sizeof(spec)) == -1) {
		api_error(r, 400, "the fields parameter is malformed or too long");
		return -1;
	}
	if (store_fields_parse(spec, f, err, sizeof(err)) == -1) {
		api_error(r, 400, "%s", err);
		return -1;
	}
	return 0;
}

/* status_id of the token, 0 when unknown, -1 on Redis failure. */
static int
status_of(struct redis *rd, const char *token)
{
	redisReply *rep;
	int	 id = -1;

	if ((rep = redis_cmd(rd, "HGET " JKEY_SUB "%s status_id", token)) ==
	    NULL)
		return -1;
	if (rep->type == REDIS_REPLY_STRING)
		id = atoi(rep->str);
	else if (rep->type == REDIS_REPLY_NIL)
		id = 0;
	freeReplyObject(rep);
	return id;
}

/*
 * wait=true: blocks until the result is stored — woken by the runner's
 * push on judge:done:<token>, made in the script that stores the result,
 * so a pop means it is there — for at most JUDGE_WAIT_MAX seconds, and
 * at most 30 s (compilation and margin) + wall limit × runs once a runner
 * has it.  Blocking calls stay under the Redis command timeout.
 */
static void
wait_result(struct api_req *r, const struct store_new *it)
{
	double	 t0 = now_s(), started = 0, run_bound, t;
	int	 block_ms = r->cfg->redis_timeout_ms / 2, st, first, popped;
	redisReply *rep;

	if (block_ms > 1000)
		block_ms = 1000;
	run_bound = 30 + it->sub.wall_time_limit * it->sub.number_of_runs;
	/* Just queued: straight to the wait; the status is read only when
	 * a wait ends without the push. */
	for (first = 1;; first = 0) {
		if (!first && ((st = status_of(r->redis, it->token)) == -1 ||
		    st == 0 || st > EXEC_PROCESSING))
			return;
		t = now_s();
		if (!first && st == EXEC_PROCESSING && started == 0)
			started = t;
		if (t - t0 > r->cfg->judge_wait_max_s ||
		    (started > 0 && t - started > run_bound))
			return;
		/* The client (a /run that gave up) is gone: free the thread;
		 * the run goes on and its result is stored as always. */
		if (fcgi_peer_gone(&r->fcgx)) {
			log_info(NULL, "wait=true for %s ended: the client is gone",
			    it->token);
			return;
		}
		if (block_ms < 10) {
			usleep(50000);
			continue;
		}
		rep = redis_cmd(r->redis, "BLPOP " JKEY_DONE "%s %.3f",
		    it->token, block_ms / 1000.0);
		if (rep == NULL)
			return;
		/* The push comes with the result, in one script. */
		popped = rep->type == REDIS_REPLY_ARRAY;
		freeReplyObject(rep);
		if (popped)
			return;
	}
}

/* The stored submission with the requested fields; the reply is written
 * (status `ok` or Judge0's UTF-8 error). */
static void
reply_row(struct api_req *r, int ok, const char *token,
    const struct store_fields *f, int b64)
{
	struct store_row row = { NULL };
	json_object *o = NULL, *e;
	int	 rc, not_utf8 = 0;

	if ((rc = store_row_load(r->redis, token, &row)) == -1)
		api_error(r, 500, "the judge's store (Redis) is unavailable");
	else if (rc == 1)
		api_error(r, 404, "record not found");
	else if ((o = store_row_json(&row, token, f, b64, &not_utf8)) != NULL)
		api_reply_json(r, ok, o);
	else if (not_utf8 && ok == 201) {
		/* Judge0's wait=true answer when the output is not UTF-8. */
		e = json_object_new_object();
		json_object_object_add(e, "error",
		    json_object_new_string(NOT_UTF8));
		json_object_object_add(e, "token",
		    json_object_new_string(token));
		api_reply_json(r, 201, e);
		json_object_put(e);
	} else if (not_utf8)
		api_error(r, 400, NOT_UTF8);
	else
		api_error(r, 500, "out of memory");
	json_object_put(o);
	store_row_clear(&row);
}

/* POST /submissions?base64_encoded=&wait=&fields= {submission}
 *   -> 201 {"token"} | 201 {fields…} (wait) | 422 {field: [msg]} | 503 */
void
route_submissions(struct api_req *r)
{
	json_object *body = NULL, *err, *o;
	struct store_fields f;
	struct store_new it;
	int	 b64 = api_query_true(r, "base64_encoded");

	if (api_json_body_or_reply(r, &body) == -1)
		return;
	if (queue_room_or_reply(r, 1) == -1 || fields_or_reply(r, &f) == -1)
		goto out;
	if ((err = item_parse(body, b64, &it)) != NULL) {
		api_reply_json(r, 422, err);
		json_object_put(err);
		goto out;
	}
	if (store_create(r->redis, r->cfg, &it, 1, 1) == -1) {
		api_error(r, 500, "the judge's store (Redis) is unavailable");
		goto out;
	}
	log_info(NULL, "submission %s language %d queued", it.token,
	    it.sub.language_id);
	if (!api_query_true(r, "wait")) {
		o = json_object_new_object();
		json_object_object_add(o, "token",
		    json_object_new_string(it.token));
		api_reply_json(r, 201, o);
		json_object_put(o);
		goto out;
	}
	wait_result(r, &it);
	reply_row(r, 201, it.token, &f, b64);
out:
	json_object_put(body);
}

static void
post_batch(struct api_req *r)
{
	json_object *body = NULL, *items, *out = NULL, *err, *o;
	struct store_new *its = NULL, **valid = NULL;
	struct store_new *flat = NULL;
	size_t	 n = 0, i, nvalid = 0;
	int	 b64 = api_query_true(r, "base64_encoded");

	if (api_json_body_or_reply(r, &body) == -1)
		return;
	if (json_object_object_get_ex(body, "submissions", &items) &&
	    json_object_is_type(items, json_type_array))
		n = json_object_array_length(items);
	if (queue_room_or_reply(r, n > 0 ? n : 1) == -1)
		goto done;
	if (n > (size_t)r->cfg->judge_max_batch) {
		api_error(r, 400, "number of submissions in a batch should be "
		    "less than or equal to %d", r->cfg->judge_max_batch);
		goto done;
	}
	if (n == 0) {
		api_error(r, 400, "there should be at least one submission in "
		    "a batch");
		goto done;
	}
	its = calloc(n, sizeof(*its));
	valid = calloc(n, sizeof(*valid));
	flat = calloc(n, sizeof(*flat));
	out = json_object_new_array();
	if (its == NULL || valid == NULL || flat == NULL || out == NULL) {
		api_error(r, 500, "out of memory");
		goto done;
	}
	for (i = 0; i < n; i++) {
		err = item_parse(json_object_array_get_idx(items, i), b64,
		    &its[i]);
		json_object_array_add(out, err);
		if (err == NULL)
			valid[nvalid++] = &its[i];
	}
	/* store_create wants a contiguous array: copy, then copy tokens back. */
	for (i = 0; i < nvalid; i++)
		flat[i] = *valid[i];
	if (nvalid > 0 && store_create(r->redis, r->cfg, flat, nvalid, 0) == -1) {
		api_error(r, 500, "the judge's store (Redis) is unavailable");
		goto done;
	}
	for (i = 0; i < nvalid; i++)
		memcpy(valid[i]->token, flat[i].token, sizeof(flat[i].token));
	for (i = 0; i < n; i++) {
		if (json_object_array_get_idx(out, i) != NULL)
			continue;
		o = json_object_new_object();
		json_object_object_add(o, "token",
		    json_object_new_string(its[i].token));
		json_object_array_put_idx(out, i, o);
	}
	log_info(NULL, "batch of %zu: %zu queued", n, nvalid);
	api_reply_json(r, nvalid > 0 ? 201 : 422, out);
done:
	json_object_put(out);
	json_object_put(body);
	free(its);
	free(valid);
	free(flat);
}

static void
get_batch(struct api_req *r)
{
	struct store_fields f;
	struct store_row row;
	json_object *out = NULL, *subs, *o;
	char	*tokens = NULL, *p, *next;
	size_t	 n = 0, cap;
	int	 b64 = api_query_true(r, "base64_encoded"), rc, not_utf8;

	if (fields_or_reply(r, &f) == -1)
		return;
	cap = strlen(r->query) + 1;
	if ((tokens = malloc(cap)) == NULL) {
		api_error(r, 500, "out of memory");
		return;
	}
	if (api_query(r, "tokens", tokens, cap) == -1) {
		api_error(r, 400, "the tokens parameter is malformed");
		goto out;
	}
	for (p = tokens; *p != '\0'; p++)
		n += *p == ',';
	n = *tokens == '\0' ? 0 : n + 1;
	if (n > (size_t)r->cfg->judge_max_batch) {
		api_error(r, 400, "number of submissions in a batch should be "
		    "less than or equal to %d", r->cfg->judge_max_batch);
		goto out;
	}
	if (n == 0) {
		api_error(r, 400, "there should be at least one submission in "
		    "a batch");
		goto out;
	}
	out = json_object_new_object();
	subs = json_object_new_array();
	json_object_object_add(out, "submissions", subs);
	for (p = tokens; p != NULL; p = next) {
		if ((next = strchr(p, ',')) != NULL)
			*next++ = '\0';
		while (*p == ' ')
			p++;
		o = NULL;
		row.reply = NULL;
		if (store_token_valid(p)) {
			if ((rc = store_row_load(r->redis, p, &row)) == -1) {
				store_row_clear(&row);
				api_error(r, 500, "the judge's store (Redis) "
				    "is unavailable");
				goto out;
			}
			if (rc == 0 && (o = store_row_json(&row, p, &f, b64,
			    &not_utf8)) == NULL) {
				store_row_clear(&row);
				if (not_utf8)
					api_error(r, 400, NOT_UTF8_BATCH);
				else
					api_error(r, 500, "out of memory");
				goto out;
			}
		}
		store_row_clear(&row);
		json_object_array_add(subs, o);
	}
	api_reply_json(r, 200, out);
out:
	json_object_put(out);
	free(tokens);
}

/* POST /submissions/batch?base64_encoded= {"submissions": […]}
 *   -> 201|422 [{"token"} | {field: [msg]}, …] | 400 | 503
 * GET /submissions/batch?tokens=a,b&base64_encoded=&fields=
 *   -> 200 {"submissions": [obj|null, …]} | 400 */
void
route_batch(struct api_req *r)
{
	if (r->method == METHOD_POST)
		post_batch(r);
	else
		get_batch(r);
}

/* GET /submissions/{token}?base64_encoded=&fields= -> 200 {fields…} | 404 */
void
route_submission(struct api_req *r)
{
	const char *token = r->path + strlen("/submissions/");
	struct store_fields f;

	if (fields_or_reply(r, &f) == -1)
		return;
	if (!store_token_valid(token)) {
		api_error(r, 404, "record not found");
		return;
	}
	reply_row(r, 200, token, &f, api_query_true(r, "base64_encoded"));
}
