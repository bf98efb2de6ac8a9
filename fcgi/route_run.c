/*
 * POST /run {question_id, language_id, source_code}
 *     -> {passed, total, results:[{verdict, status_id, stdout, stderr,
 *        compile_output, time_ms, memory_kb, input, expected_output,
 *        [team_message], [interaction], …}]}
 * POST /runcustom {language_id, source_code, stdin} -> one result
 *
 * Synchronous: every sample goes to Judge0 at once with wait=true
 * (curl_multi), bounded by RUN_TIMEOUT_MS in total (504 past it).  Runs
 * are served by their own responder pool (see scripts/stack), so slow
 * runs never hold the threads /submit and /callback need.  Nothing is
 * stored; runs are counted by /metrics (pitwall_http_requests_total of
 * route /run and /runcustom).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "auth.h"
#include "cache.h"
#include "dispatch.h"
#include "extern.h"
#include "json.h"
#include "judge0.h"
#include "log.h"
#include "redis.h"
#include "verdict.h"

#define STDIN_MAX_BYTES	(1024 * 1024)

/* Add field key: text cut to the output limit, with key_truncated. */
static void
add_text(json_object *o, const char *key, const char *s, size_t len, size_t limit)
{
	char tkey[64];
	char *ex;

	if (s == NULL) {
		json_object_object_add(o, key, NULL);
		return;
	}
	ex = verdict_excerpt(s, len, limit);
	json_object_object_add(o, key, ex ? json_object_new_string(ex) : NULL);
	snprintf(tkey, sizeof(tkey), "%s_truncated", key);
	json_object_object_add(o, tkey, json_object_new_boolean(len > limit));
	free(ex);
}

/*
 * One Judge0 reply as a contestant-facing result.  *passed: verdict AC.
 * A sample (tc of q) is judged as /submit's results are, by the
 * question's validator (verdict_judge: the default one with the
 * testcase's flags, or the custom or interactive validator's verdict);
 * the validator's teammessage.txt is shown, its judgemessage.txt never.
 * Without tc (/runcustom) a clean run is AC.
 */
static json_object *
run_result(const struct config *cfg, json_object *reply,
    const struct cache_question *q, const struct cache_testcase *tc,
    int *passed)
{
	struct verdict_result vr;
	enum verdict v = VERDICT_IE;
	json_object *o = json_object_new_object();
	char err[256];
	size_t lim = (size_t)cfg->output_limit_bytes;
	const char *body = json_object_to_json_string_ext(reply, JSON_C_TO_STRING_PLAIN);

	memset(&vr, 0, sizeof(vr));
	*passed = 0;
	if (verdict_result_parse(body, strlen(body), &vr, err, sizeof(err)) == -1) {
		json_object_object_add(o, "verdict", json_object_new_string("IE"));
		json_object_object_add(o, "status_id", json_object_new_int(13));
		json_object_object_add(o, "message", json_object_new_string(err));
		verdict_result_clear(&vr);
		return o;
	}
	if (tc == NULL) {
		if (verdict_from_status(vr.status_id, vr.out, vr.out_len, NULL,
		    0, &v) != VERDICT_FINAL)
			v = VERDICT_IE;
		else if (vr.status_id == J0_STATUS_ACCEPTED)
			v = VERDICT_AC;
	} else if (verdict_judge(&vr, dispatch_validator_name(q),
	    dispatch_flags(q, tc), tc->expected, tc->expected_len, &v, NULL,
	    0) != VERDICT_FINAL)
		v = VERDICT_IE;
	*passed = v == VERDICT_AC;
	json_object_object_add(o, "verdict", json_object_new_string(verdict_name(v)));
	json_object_object_add(o, "status_id", json_object_new_int(vr.status_id));
	json_object_object_add(o, "description", json_object_new_string(
	    vr.status_id == 3 && v == VERDICT_WA ? "Wrong Answer" :
	    vr.status_id == 3 ? "Accepted" : verdict_name(v)));
	add_text(o, "stdout", vr.out, vr.out_len, lim);
	add_text(o, "stderr", vr.err, vr.err_len, lim);
	add_text(o, "compile_output", vr.compile_output, vr.compile_output_len, lim);
	add_text(o, "message", vr.message, vr.message_len, lim);
	if (vr.teammessage != NULL)
		add_text(o, "team_message", vr.teammessage, vr.teammessage_len,
		    lim);
	json_object_object_add(o, "time_ms", vr.time_ms >= 0 ? json_object_new_int(vr.time_ms) : NULL);
	json_object_object_add(o, "memory_kb", vr.memory_kb >= 0 ? json_object_new_int(vr.memory_kb) : NULL);
	verdict_result_clear(&vr);
	return o;
}

/*
 * Send items to Judge0 and turn what failed into the reply (503/504/422).
 * Returns 0 when every item has a reply in runs[].
 */
static int
run_or_reply(struct req *r, const struct judge0_item *items, size_t n,
    struct judge0_run *runs)
{
	enum judge0_rc rc;
	size_t i;

	rc = judge0_run_wait(r->w->j0, items, n, r->cfg->run_timeout_ms, runs);
	for (i = 0; i < n; i++)
		if (runs[i].timed_out) {
			http_error(r, 504, "judge_timeout",
			    "the judge did not answer within %d ms; try again",
			    r->cfg->run_timeout_ms);
			return -1;
		}
	if (rc == J0_UNAVAILABLE) {
		for (i = 0; i < n && runs[i].rc != J0_UNAVAILABLE; i++)
			;
		log_warn(r->reqid, "judge unavailable: %s", i < n ? runs[i].error : "");
		http_error(r, 503, "judge_unavailable",
		    "the judge is unavailable right now; try again shortly");
		return -1;
	}
	if (rc == J0_REJECTED) {
		for (i = 0; i < n && runs[i].rc != J0_REJECTED; i++)
			;
		http_error(r, 422, "judge_rejected", "%s", i < n ? runs[i].error : "");
		return -1;
	}
	return 0;
}

static void
runs_free(struct judge0_run *runs, size_t n)
{
	size_t i;

	for (i = 0; runs != NULL && i < n; i++)
		json_object_put(runs[i].reply);
	free(runs);
}

void
route_run(struct req *r)
{
	struct auth_claims who;
	struct cache_question *q = NULL;
	struct cache_language lang;
	json_object *body = NULL, *reply = NULL, *arr;
	int64_t qid = 0, lang_id = 0;
	const char *src;
	size_t srclen, i, n = 0, k;
	struct judge0_item *items = NULL;
	struct judge0_run *runs = NULL;
	struct judge0_validator *vals = NULL;
	struct judge0_vfile *vfiles = NULL;
	size_t *which = NULL;
	int passed = 0, ok, mem;
	double cpu;
	const struct jfield fields[] = {
		{ "question_id", JF_INT, 1, 1, INT32_MAX, &qid, NULL },
		{ "language_id", JF_INT, 1, 1, 100000, &lang_id, NULL },
	};

	if (req_auth_or_reply(r, &who) == -1)
		return;
	if (req_fields_or_reply(r, (size_t)r->cfg->max_body_bytes, 16, fields, 2,
	    &body) == -1)
		return;
	if (req_source_or_reply(r, body, "source_code", &src, &srclen) == -1 ||
	    req_question_or_reply(r, &who, qid, (int)lang_id, &q, &lang) == -1 ||
	    req_rate_limit_or_reply(r, "run", who.user_id, r->cfg->run_rate_per_min) == -1)
		goto out;

	items = calloc(q->ntests ? q->ntests : 1, sizeof(*items));
	which = calloc(q->ntests ? q->ntests : 1, sizeof(*which));
	runs = calloc(q->ntests ? q->ntests : 1, sizeof(*runs));
	vals = calloc(q->ntests ? q->ntests : 1, sizeof(*vals));
	vfiles = calloc(q->nvfiles + 1, sizeof(*vfiles));
	if (items == NULL || which == NULL || runs == NULL || vals == NULL ||
	    vfiles == NULL) {
		http_error(r, 500, "internal", "out of memory");
		goto out;
	}
	cpu = dispatch_cpu_limit(r->cfg, q->time_limit_ms, lang.time_multiplier);
	mem = dispatch_memory_kb(q->memory_limit_kb);
	/* Samples only: hidden testcases never leave the server through /run. */
	for (i = 0; i < q->ntests; i++) {
		if (!q->tests[i].is_sample)
			continue;
		items[n].source = src;
		items[n].source_len = srclen;
		items[n].language_id = (int)lang_id;
		items[n].stdin_data = q->tests[i].input;
		items[n].stdin_len = q->tests[i].input_len;
		items[n].cpu_time_limit = cpu;
		items[n].wall_time_limit = dispatch_wall_limit(cpu);
		items[n].max_file_size_kb = r->cfg->judge0_max_file_size_kb;
		items[n].memory_limit_kb = mem;
		/* The question's validator judges samples as /submit's
		 * testcases (an interactive one runs the interactor). */
		if (dispatch_validator(q, &q->tests[i], &vals[n], vfiles)) {
			items[n].expected = q->tests[i].expected;
			items[n].expected_len = q->tests[i].expected_len;
			items[n].validator = &vals[n];
		}
		which[n++] = i;
	}
	if (n > 0 && run_or_reply(r, items, n, runs) == -1)
		goto out;
	reply = json_object_new_object();
	arr = json_object_new_array();
	for (k = 0; k < n; k++) {
		const struct cache_testcase *tc = &q->tests[which[k]];
		json_object *o = run_result(r->cfg, runs[k].reply, q, tc, &ok);
		passed += ok;
		json_object_object_add(o, "ordinal", json_object_new_int(tc->ordinal));
		/* An interactive sample's input and answer are the
		 * interactor's: its .interaction (when the package has one)
		 * is what a contestant can read. */
		if (q->validator != NULL && strcmp(q->validator,
		    "interactive") == 0) {
			json_object_object_add(o, "input", NULL);
			json_object_object_add(o, "expected_output", NULL);
			json_object_object_add(o, "interaction", tc->interaction ?
			    json_object_new_string(tc->interaction) : NULL);
		} else {
			/* A binary file is not text to show (null). */
			json_object_object_add(o, "input", tc->input_binary ? NULL :
			    json_object_new_string_len(tc->input, (int)tc->input_len));
			json_object_object_add(o, "expected_output",
			    tc->expected_binary ? NULL :
			    json_object_new_string_len(tc->expected, (int)tc->expected_len));
		}
		json_object_array_add(arr, o);
	}
	json_object_object_add(reply, "passed", json_object_new_int(passed));
	json_object_object_add(reply, "total", json_object_new_int((int)n));
	json_object_object_add(reply, "results", arr);
	http_reply_json(r, 200, reply);
out:
	json_object_put(reply);
	json_object_put(body);
	cache_question_free(q);
	runs_free(runs, n);
	free(items);
	free(which);
	free(vals);
	free(vfiles);
}

void
route_runcustom(struct req *r)
{
	struct auth_claims who;
	struct cache_language lang;
	json_object *body = NULL, *o = NULL;
	int64_t lang_id = 0;
	const char *src, *in = "";
	size_t srclen, inlen = 0;
	struct judge0_item item;
	struct judge0_run run;
	enum cache_rc rc;
	struct jerr jerr;
	int ok, open;
	const struct jfield fields[] = {
		{ "language_id", JF_INT, 1, 1, 100000, &lang_id, NULL },
		{ "stdin", JF_STRING, 0, 0, STDIN_MAX_BYTES, &in, &inlen },
	};

	memset(&run, 0, sizeof(run));
	if (req_auth_or_reply(r, &who) == -1)
		return;
	if (http_json_body_or_reply(r, (size_t)r->cfg->max_body_bytes, 16, &body) == -1)
		return;
	if (json_read_fields(body, fields, 2, &jerr) == -1) {
		http_error(r, strstr(jerr.message, "longer") ? 413 : 422,
		    strstr(jerr.message, "longer") ? "too_large" : "invalid_field",
		    "%s", jerr.message);
		goto out;
	}
	if (req_source_or_reply(r, body, "source_code", &src, &srclen) == -1)
		goto out;
	if (strcmp(who.role, "admin") != 0) {
		open = cache_round_open(r->w->redis, &r->w->db, r->cfg, (long long)time(NULL));
		if (open == -1) {
			http_error(r, 503, "unavailable", "round data is unavailable");
			goto out;
		}
		if (open == 0) {
			http_error(r, 409, "round_closed", "no round is open right now");
			goto out;
		}
	}
	rc = cache_language_get(r->w->redis, &r->w->db, r->cfg, (int)lang_id, &lang);
	if (rc == CACHE_UNAVAILABLE) {
		http_error(r, 503, "unavailable", "language data is unavailable");
		goto out;
	}
	if (rc != CACHE_OK || !lang.enabled) {
		http_error(r, 422, "invalid_field",
		    "language_id %d is not enabled for this contest", (int)lang_id);
		goto out;
	}
	if (req_rate_limit_or_reply(r, "run", who.user_id, r->cfg->run_rate_per_min) == -1)
		goto out;
	memset(&item, 0, sizeof(item));
	item.source = src;
	item.source_len = srclen;
	item.language_id = (int)lang_id;
	item.stdin_data = in;
	item.stdin_len = inlen;
	/* No question: a custom run gets the default limits, scaled for the language. */
	item.cpu_time_limit = dispatch_cpu_limit(r->cfg, 2000, lang.time_multiplier);
	item.wall_time_limit = dispatch_wall_limit(item.cpu_time_limit);
	item.max_file_size_kb = r->cfg->judge0_max_file_size_kb;
	item.memory_limit_kb = 262144;
	if (run_or_reply(r, &item, 1, &run) == -1)
		goto out;
	o = run_result(r->cfg, run.reply, NULL, NULL, &ok);
	http_reply_json(r, 200, o);
out:
	json_object_put(o);
	json_object_put(run.reply);
	json_object_put(body);
}
