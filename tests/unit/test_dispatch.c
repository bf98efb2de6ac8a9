/*
 * Unit tests of lib/dispatch.c: the CPU limit and backoff rules, and
 * dispatch_send against a real (throwaway) Redis with Judge0 played by
 * __wrap_judge0_batch_submit (-Wl,--wrap, tests/tests.mk): batches of
 * JUDGE0_BATCH_SIZE, the items built from the question, signed callback
 * URLs, tokens and deadlines recorded, refused items turned into result
 * jobs, and batches Judge0 did not take scheduled with backoff.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "cache.h"
#include "config.h"
#include "dispatch.h"
#include "judge0.h"
#include "keys.h"
#include "redis.h"
#include "sign.h"

#include "redis_fixture.h"

#define SID		"5b7e3c1a-0000-4000-8000-0000000000d1"
#define SECRET		"callback-secret-for-unit-tests"
#define BASE_URL	"http://127.0.0.1:8442"
#define NTESTS		7
#define MAX_CALLS	8
#define MAX_ITEMS	32

/* What the stand-in Judge0 was sent: one entry per batch. */
struct sent {
	size_t	n;
	int	language_id[MAX_ITEMS];
	double	cpu[MAX_ITEMS];
	double	wall[MAX_ITEMS];
	int	mem[MAX_ITEMS];
	char	stdin_data[MAX_ITEMS][32];
	char	url[MAX_ITEMS][512];
	char	source[MAX_ITEMS][32];
};

/* One test's world: Redis, the configuration and a question. */
struct world {
	struct redis_fixture	 fx;
	struct config		 cfg;
	struct redis		*r;
	struct cache_testcase	 tests[NTESTS];
	char			 inputs[NTESTS][16];
	struct cache_question	 q;
	struct cache_language	 lang;
	struct dispatch_sub	 sub;
	long long		 tids[NTESTS];
};

static struct sent	sent[MAX_CALLS];
static size_t		ncalls;

enum judge0_rc	__wrap_judge0_batch_submit(struct judge0 *, const struct judge0_item *,
		    size_t, struct judge0_ret *, char *, size_t);

/*
 * Judge0's part: records the batch, then answers what the test queued
 * with will_return: the batch's outcome, and for J0_OK a string with one
 * character per item, 't' (a token "tok-<tid-ish>") or 'r' (refused).
 */
enum judge0_rc
__wrap_judge0_batch_submit(struct judge0 *j, const struct judge0_item *items,
    size_t n, struct judge0_ret *out, char *err, size_t errsz)
{
	enum judge0_rc rc = mock_type(enum judge0_rc);
	struct sent *s;
	const char *plan;
	size_t i;

	(void)j;
	assert_true(ncalls < MAX_CALLS);
	assert_true(n <= MAX_ITEMS);
	s = &sent[ncalls++];
	s->n = n;
	for (i = 0; i < n; i++) {
		s->language_id[i] = items[i].language_id;
		s->cpu[i] = items[i].cpu_time_limit;
		s->wall[i] = items[i].wall_time_limit;
		s->mem[i] = items[i].memory_limit_kb;
		snprintf(s->stdin_data[i], sizeof(s->stdin_data[i]), "%.*s",
		    (int)items[i].stdin_len, items[i].stdin_data);
		snprintf(s->url[i], sizeof(s->url[i]), "%s", items[i].callback_url);
		snprintf(s->source[i], sizeof(s->source[i]), "%.*s",
		    (int)items[i].source_len, items[i].source);
	}
	if (rc != J0_OK) {
		snprintf(err, errsz, "Judge0 is unavailable (test)");
		return rc;
	}
	plan = mock_ptr_type(const char *);
	assert_int_equal(strlen(plan), n);
	for (i = 0; i < n; i++) {
		memset(&out[i], 0, sizeof(out[i]));
		if (plan[i] == 't')
			snprintf(out[i].token, sizeof(out[i].token), "tok-%zu-%zu",
			    ncalls, i);
		else
			snprintf(out[i].error, sizeof(out[i].error),
			    "language_id: language with id %d doesn't exist",
			    items[i].language_id);
	}
	return J0_OK;
}

static int
setup(void **state)
{
	struct world *w = calloc(1, sizeof(*w));
	size_t i;

	if (w == NULL || redis_fixture_start_client(&w->fx, &w->cfg, &w->r) == -1) {
		free(w);
		return -1;
	}
	w->cfg.callback_secret = (char *)SECRET;
	w->cfg.callback_base_url = (char *)BASE_URL;
	w->cfg.judge0_batch_size = 3;
	w->cfg.judge0_max_cpu_time_s = 15;
	w->cfg.judge0_deadline_s = 300;
	for (i = 0; i < NTESTS; i++) {
		snprintf(w->inputs[i], sizeof(w->inputs[i]), "in-%zu\n", i);
		w->tests[i].id = 100 + (long long)i;
		w->tests[i].ordinal = (int)i + 1;
		w->tests[i].input = w->inputs[i];
		w->tests[i].input_len = strlen(w->inputs[i]);
		w->tids[i] = w->tests[i].id;
	}
	w->q.id = 9;
	w->q.time_limit_ms = 2000;
	w->q.memory_limit_kb = 65536;
	w->q.tests = w->tests;
	w->q.ntests = NTESTS;
	w->lang.id = 71;
	w->lang.time_multiplier = 1.5;
	w->sub.sid = SID;
	w->sub.source = "print(input())";
	w->sub.source_len = strlen(w->sub.source);
	w->sub.q = &w->q;
	w->sub.lang = &w->lang;
	ncalls = 0;
	memset(sent, 0, sizeof(sent));
	*state = w;
	return 0;
}

static int
teardown(void **state)
{
	struct world *w = *state;

	redis_free(w->r);
	redis_fixture_stop(&w->fx);
	free(w);
	return 0;
}

/* A string reply of the test's connection, copied into buf ("" when nil). */
static const char *
rget(struct world *w, char *buf, size_t bufsz, const char *fmt, const char *a,
    const char *b)
{
	redisReply *rep = redis_fixture_cmd(&w->fx, fmt, a, b);

	assert_non_null(rep);
	if (rep->type == REDIS_REPLY_STRING)
		snprintf(buf, bufsz, "%s", rep->str);
	else
		buf[0] = '\0';
	freeReplyObject(rep);
	return buf;
}

static long long
rint_(struct world *w, const char *fmt, const char *a)
{
	redisReply *rep = redis_fixture_cmd(&w->fx, fmt, a);
	long long v;

	assert_non_null(rep);
	assert_int_equal(rep->type, REDIS_REPLY_INTEGER);
	v = rep->integer;
	freeReplyObject(rep);
	return v;
}

/* The query parameter `name` of url into buf. */
static const char *
param(const char *url, const char *name, char *buf, size_t bufsz)
{
	char pat[16];
	const char *p;
	size_t n;

	snprintf(pat, sizeof(pat), "%s=", name);
	p = strstr(url, pat);
	assert_non_null(p);
	p += strlen(pat);
	n = strcspn(p, "&");
	assert_true(n < bufsz);
	memcpy(buf, p, n);
	buf[n] = '\0';
	return buf;
}

static void
test_cpu_limit(void **state)
{
	struct config cfg;

	(void)state;
	memset(&cfg, 0, sizeof(cfg));
	cfg.judge0_max_cpu_time_s = 10;
	assert_true(dispatch_cpu_limit(&cfg, 2000, 1.5) == 3.0);
	assert_true(dispatch_cpu_limit(&cfg, 2000, 1.0) == 2.0);
	/* No (or a nonsense) multiplier counts as 1. */
	assert_true(dispatch_cpu_limit(&cfg, 2500, 0) == 2.5);
	assert_true(dispatch_cpu_limit(&cfg, 2500, -3) == 2.5);
	/* Clamped to JUDGE0_MAX_CPU_TIME, and never 0. */
	assert_true(dispatch_cpu_limit(&cfg, 8000, 2.0) == 10.0);
	assert_true(dispatch_cpu_limit(&cfg, 0, 1.0) == 0.001);
	cfg.judge0_max_cpu_time_s = 5;
	assert_true(dispatch_cpu_limit(&cfg, 4000, 2.0) == 5.0);
	/* The wall limit: 2 x cpu + 1 s, within Judge0's 1-20 s. */
	assert_true(dispatch_wall_limit(3.0) == 7.0);
	assert_true(dispatch_wall_limit(0) == 1.0);
	assert_true(dispatch_wall_limit(15.0) == 20.0);
}

static void
test_backoff(void **state)
{
	static const int want[] = { 1, 1, 2, 4, 8, 16, 32, 60, 60, 60 };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		assert_int_equal(dispatch_backoff((int)i), want[i]);
	assert_int_equal(dispatch_backoff(1000), 60);
	assert_int_equal(dispatch_backoff(-5), 1);
}

static void
test_send_batches_items_and_tokens(void **state)
{
	struct world *w = *state;
	char buf[256], key[96], sig[SIGN_HEX_LEN + 8], s[64], t[32], a[16];
	long long now = (long long)time(NULL), score;
	size_t c, i, k = 0;

	/* 7 testcases in batches of 3: 3 + 3 + 1, all taken. */
	will_return(__wrap_judge0_batch_submit, J0_OK);
	will_return(__wrap_judge0_batch_submit, "ttt");
	will_return(__wrap_judge0_batch_submit, J0_OK);
	will_return(__wrap_judge0_batch_submit, "ttt");
	will_return(__wrap_judge0_batch_submit, J0_OK);
	will_return(__wrap_judge0_batch_submit, "t");
	assert_int_equal(dispatch_send(w->r, NULL, &w->cfg, &w->sub, w->tids, NTESTS,
	    2, 0, "req"), NTESTS);
	assert_int_equal(ncalls, 3);
	assert_int_equal(sent[0].n, 3);
	assert_int_equal(sent[1].n, 3);
	assert_int_equal(sent[2].n, 1);
	snprintf(key, sizeof(key), KEY_SUB_FMT, SID);
	for (c = 0; c < ncalls; c++) {
		for (i = 0; i < sent[c].n; i++, k++) {
			char tok[64], want[80];

			/* The item: the submission's source and language, the
			 * testcase's input, the question's limits. */
			assert_string_equal(sent[c].source[i], "print(input())");
			assert_int_equal(sent[c].language_id[i], 71);
			assert_string_equal(sent[c].stdin_data[i], w->inputs[k]);
			assert_true(sent[c].cpu[i] == 3.0);
			assert_true(sent[c].wall[i] == 7.0);	/* 2 x 3 + 1 */
			assert_int_equal(sent[c].mem[i], 65536);
			/* A callback URL signed for this testcase and attempt. */
			assert_true(strncmp(sent[c].url[i], BASE_URL "/callback?",
			    strlen(BASE_URL "/callback?")) == 0);
			assert_string_equal(param(sent[c].url[i], "s", s, sizeof(s)), SID);
			snprintf(want, sizeof(want), "%lld", w->tids[k]);
			assert_string_equal(param(sent[c].url[i], "t", t, sizeof(t)), want);
			assert_string_equal(param(sent[c].url[i], "a", a, sizeof(a)), "2");
			param(sent[c].url[i], "sig", sig, sizeof(sig));
			assert_int_equal(sign_callback_verify(SECRET, SID, w->tids[k], 2, sig), 0);
			assert_int_equal(sign_callback_verify(SECRET, SID, w->tids[k], 1, sig), -1);
			/* The token maps back to submission, testcase, attempt;
			 * it has a deadline for the reaper. */
			snprintf(tok, sizeof(tok), "tok-%zu-%zu", c + 1, i);
			snprintf(want, sizeof(want), "%s %lld 2", SID, w->tids[k]);
			assert_string_equal(rget(w, buf, sizeof(buf), "HGET %s %s",
			    KEY_TOKENS, tok), want);
			rget(w, buf, sizeof(buf), "ZSCORE %s %s", KEY_DEADLINES, tok);
			score = atoll(buf);
			assert_true(score >= now + 300 && score <= now + 302);
			snprintf(want, sizeof(want), "attempt:%lld", w->tids[k]);
			assert_string_equal(rget(w, buf, sizeof(buf), "HGET %s %s", key,
			    want), "2");
		}
	}
	assert_int_equal(k, NTESTS);
	assert_int_equal(rint_(w, "HLEN %s", KEY_TOKENS), NTESTS);
	assert_int_equal(rint_(w, "ZCARD %s", KEY_DEADLINES), NTESTS);
	/* Nothing refused, nothing to retry. */
	assert_int_equal(rint_(w, "LLEN %s", KEY_QUEUE), 0);
	assert_int_equal(rint_(w, "ZCARD %s", KEY_DISPATCH), 0);
}

static void
test_send_clamps_memory(void **state)
{
	struct world *w = *state;

	/* Under Judge0's minimum (2048 KB), then over its maximum (512000 KB). */
	w->q.memory_limit_kb = 1000;
	will_return(__wrap_judge0_batch_submit, J0_OK);
	will_return(__wrap_judge0_batch_submit, "t");
	assert_int_equal(dispatch_send(w->r, NULL, &w->cfg, &w->sub, w->tids, 1, 1, 0,
	    NULL), 1);
	w->q.memory_limit_kb = 2000000;
	will_return(__wrap_judge0_batch_submit, J0_OK);
	will_return(__wrap_judge0_batch_submit, "t");
	assert_int_equal(dispatch_send(w->r, NULL, &w->cfg, &w->sub, w->tids, 1, 1, 0,
	    NULL), 1);
	assert_int_equal(ncalls, 2);
	assert_int_equal(sent[0].mem[0], 2048);
	assert_int_equal(sent[1].mem[0], 512000);
}

static void
test_send_refused_items_become_results(void **state)
{
	struct world *w = *state;
	json_object *job, *body, *v, *st;
	redisReply *rep;
	size_t len;
	char *msg;

	will_return(__wrap_judge0_batch_submit, J0_OK);
	will_return(__wrap_judge0_batch_submit, "trt");
	assert_int_equal(dispatch_send(w->r, NULL, &w->cfg, &w->sub, w->tids, 3, 1, 0,
	    NULL), 2);
	/* No token for the refused testcase (101), one result job instead. */
	assert_int_equal(rint_(w, "HLEN %s", KEY_TOKENS), 2);
	assert_int_equal(rint_(w, "LLEN %s", KEY_QUEUE), 1);
	rep = redis_fixture_cmd(&w->fx, "LINDEX %s 0", KEY_QUEUE);
	assert_non_null(rep);
	assert_int_equal(rep->type, REDIS_REPLY_STRING);
	job = json_tokener_parse(rep->str);
	freeReplyObject(rep);
	assert_non_null(job);
	assert_true(json_object_object_get_ex(job, "type", &v));
	assert_string_equal(json_object_get_string(v), "result");
	assert_true(json_object_object_get_ex(job, "s", &v));
	assert_string_equal(json_object_get_string(v), SID);
	assert_true(json_object_object_get_ex(job, "t", &v));
	assert_int_equal(json_object_get_int64(v), 101);
	assert_true(json_object_object_get_ex(job, "a", &v));
	assert_int_equal(json_object_get_int(v), 1);
	assert_true(json_object_object_get_ex(job, "body", &v));
	body = json_tokener_parse(json_object_get_string(v));
	assert_non_null(body);
	assert_true(json_object_object_get_ex(body, "status", &st));
	assert_true(json_object_object_get_ex(st, "id", &v));
	assert_int_equal(json_object_get_int(v), 13);
	assert_true(json_object_object_get_ex(body, "refused", &v));
	assert_true(json_object_get_boolean(v));
	/* Judge0's message, base64 as Judge0 sends its own. */
	assert_true(json_object_object_get_ex(body, "message", &v));
	msg = b64_decode(json_object_get_string(v), (size_t)json_object_get_string_len(v), &len);
	assert_non_null(msg);
	assert_string_equal(msg, "language_id: language with id 71 doesn't exist");
	free(msg);
	json_object_put(body);
	json_object_put(job);
}

static void
test_send_unavailable_is_retried_with_backoff(void **state)
{
	struct world *w = *state;
	long long now = (long long)time(NULL);
	json_object *o, *v;
	redisReply *rep;
	size_t i;

	/* First batch taken, second not (Judge0 down), third taken. */
	will_return(__wrap_judge0_batch_submit, J0_OK);
	will_return(__wrap_judge0_batch_submit, "ttt");
	will_return(__wrap_judge0_batch_submit, J0_UNAVAILABLE);
	will_return(__wrap_judge0_batch_submit, J0_OK);
	will_return(__wrap_judge0_batch_submit, "t");
	assert_int_equal(dispatch_send(w->r, NULL, &w->cfg, &w->sub, w->tids, NTESTS,
	    4, 3, NULL), 4);
	assert_int_equal(ncalls, 3);
	rep = redis_fixture_cmd(&w->fx, "ZRANGE %s 0 -1 WITHSCORES", KEY_DISPATCH);
	assert_non_null(rep);
	assert_int_equal(rep->type, REDIS_REPLY_ARRAY);
	assert_int_equal(rep->elements, 2);
	/* The 4th try of this set waits dispatch_backoff(4) = 8 s. */
	assert_true(atoll(rep->element[1]->str) >= now + 8 &&
	    atoll(rep->element[1]->str) <= now + 9);
	o = json_tokener_parse(rep->element[0]->str);
	freeReplyObject(rep);
	assert_non_null(o);
	assert_true(json_object_object_get_ex(o, "s", &v));
	assert_string_equal(json_object_get_string(v), SID);
	assert_true(json_object_object_get_ex(o, "a", &v));
	assert_int_equal(json_object_get_int(v), 4);
	assert_true(json_object_object_get_ex(o, "n", &v));
	assert_int_equal(json_object_get_int(v), 4);
	assert_true(json_object_object_get_ex(o, "t", &v));
	assert_int_equal(json_object_array_length(v), 3);
	for (i = 0; i < 3; i++)
		assert_int_equal(json_object_get_int64(json_object_array_get_idx(v, i)),
		    w->tids[3 + i]);
	json_object_put(o);
	assert_int_equal(rint_(w, "HLEN %s", KEY_TOKENS), 4);
}

static void
test_send_unknown_testcase_fails(void **state)
{
	struct world *w = *state;
	long long tids[2] = { 100, 999 };

	/* Nothing is sent for a testcase the question does not have. */
	assert_int_equal(dispatch_send(w->r, NULL, &w->cfg, &w->sub, tids, 2, 1, 0,
	    NULL), -1);
	assert_int_equal(ncalls, 0);
	assert_int_equal(rint_(w, "HLEN %s", KEY_TOKENS), 0);
}

static void
test_send_without_redis_fails(void **state)
{
	struct world *w = *state;

	/* Judge0 took the batch but its tokens cannot be recorded. */
	redis_fixture_stop(&w->fx);
	will_return(__wrap_judge0_batch_submit, J0_OK);
	will_return(__wrap_judge0_batch_submit, "tt");
	assert_int_equal(dispatch_send(w->r, NULL, &w->cfg, &w->sub, w->tids, 2, 1, 0,
	    NULL), -1);
	/* Nor can a retry be scheduled. */
	will_return(__wrap_judge0_batch_submit, J0_UNAVAILABLE);
	assert_int_equal(dispatch_send(w->r, NULL, &w->cfg, &w->sub, w->tids, 2, 1, 0,
	    NULL), -1);
}

/*
 * The validator spec /submit, /run and verify send: a testcase's own
 * flags (its testdata.yaml group) win over the question's, and the
 * package's validation limits over the defaults.
 */
static void
test_validator_spec(void **state)
{
	struct cache_vfile vf[1] = { { (char *)"output_validator/v.py",
	    (char *)"cHJpbnQoKQ==" } };
	struct cache_testcase tc[2];
	struct cache_question q;
	struct judge0_validator v;
	struct judge0_vfile files[1];

	(void)state;
	memset(&q, 0, sizeof(q));
	memset(tc, 0, sizeof(tc));
	q.validator = (char *)"default";
	q.validator_flags = (char *)"case_sensitive";
	tc[1].flags = (char *)"float_tolerance 0.5";
	/* Default validator: no spec, but the flags still per testcase. */
	assert_int_equal(dispatch_validator(&q, &tc[0], &v, files), 0);
	assert_string_equal(dispatch_flags(&q, &tc[0]), "case_sensitive");
	assert_string_equal(dispatch_flags(&q, &tc[1]), "float_tolerance 0.5");
	assert_string_equal(dispatch_flags(&q, NULL), "case_sensitive");
	assert_string_equal(dispatch_validator_name(&q), "default");
	q.validator = (char *)"";
	assert_null(dispatch_validator_name(&q));

	q.validator = (char *)"custom";
	q.validator_lang = 71;
	q.validator_digest = (char *)"00";
	q.vfiles = vf;
	q.nvfiles = 1;
	assert_int_equal(dispatch_validator(&q, &tc[0], &v, files), 1);
	assert_string_equal(v.mode, "custom");
	assert_string_equal(v.flags, "case_sensitive");
	assert_true(v.time_limit == DISPATCH_VALIDATOR_TIME_S);
	assert_int_equal(v.memory_limit_kb, DISPATCH_VALIDATOR_MEMORY_KB);
	assert_int_equal(v.nfiles, 1);
	assert_string_equal(v.files[0].path, "output_validator/v.py");
	q.validation_time_ms = 2500;
	q.validation_memory_kb = 65536;
	assert_int_equal(dispatch_validator(&q, &tc[1], &v, files), 1);
	assert_string_equal(v.flags, "float_tolerance 0.5");
	assert_true(v.time_limit == 2.5);
	assert_int_equal(v.memory_limit_kb, 65536);
	assert_int_equal(cache_vfiles_lang(vf, 1), 71);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cpu_limit),
		cmocka_unit_test(test_backoff),
		cmocka_unit_test(test_validator_spec),
		cmocka_unit_test_setup_teardown(test_send_batches_items_and_tokens, setup, teardown),
		cmocka_unit_test_setup_teardown(test_send_clamps_memory, setup, teardown),
		cmocka_unit_test_setup_teardown(test_send_refused_items_become_results, setup, teardown),
		cmocka_unit_test_setup_teardown(test_send_unavailable_is_retried_with_backoff, setup, teardown),
		cmocka_unit_test_setup_teardown(test_send_unknown_testcase_fails, setup, teardown),
		cmocka_unit_test_setup_teardown(test_send_without_redis_fails, setup, teardown),
	};

	/* As in the programs: a write to a Redis that went away is an
	 * error return, not a signal. */
	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests_name("dispatch", tests, NULL, NULL);
}
