/*
 * Unit tests of worker/check.c: the one check of a result job that both
 * the fast and the slow path use (stale, unknown or foreign testcase,
 * bad and pending statuses, Internal Errors below and at the attempt
 * bound, verdicts), and what is kept of a result's output.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "attempt.h"
#include "extern.h"

/* A result job of judging j, try t, Judge0 status st with stdout out. */
static void
job_make(struct job *job, int j, int t, int st, const char *out)
{
	memset(job, 0, sizeof(*job));
	verdict_result_clear(&job->res);
	job->type = JOB_RESULT;
	snprintf(job->sid, sizeof(job->sid), "%s",
	    "00000000-0000-0000-0000-000000000001");
	job->tid = 7;
	job->attempt = j * 1000 + t;
	job->res.status_id = st;
	job->res.out = (char *)out;
	job->res.out_len = out != NULL ? strlen(out) : 0;
}

static void
test_check_order_and_outcomes(void **state)
{
	const struct check_tc tc = { 5, "42\n", 3, NULL, NULL, NULL },
	    other = { 6, "42\n", 3, NULL, NULL, NULL };
	struct job job;
	enum verdict v;

	(void)state;
	job_make(&job, 1, 1, 3, "42\n");
	assert_int_equal(check_result(&job, 5, 1, &tc, 3, &v, NULL, 0), CHECK_STORE);
	assert_int_equal(v, VERDICT_AC);
	job_make(&job, 1, 1, 3, "41\n");
	assert_int_equal(check_result(&job, 5, 1, &tc, 3, &v, NULL, 0), CHECK_STORE);
	assert_int_equal(v, VERDICT_WA);
	job_make(&job, 1, 1, 5, NULL);
	assert_int_equal(check_result(&job, 5, 1, &tc, 3, &v, NULL, 0), CHECK_STORE);
	assert_int_equal(v, VERDICT_TLE);

	/* An earlier judging is stale before anything else is looked at. */
	job_make(&job, 0, 1, 99, NULL);
	assert_int_equal(check_result(&job, 5, 1, NULL, 3, &v, NULL, 0), CHECK_STALE);
	assert_int_equal(v, VERDICT_IE);
	/* A later judging than the row's (the row is behind) is not. */
	job_make(&job, 2, 1, 3, "42\n");
	assert_int_equal(check_result(&job, 5, 1, &tc, 3, &v, NULL, 0), CHECK_STORE);

	job_make(&job, 0, 1, 3, "42\n");
	assert_int_equal(check_result(&job, 5, 0, NULL, 3, &v, NULL, 0), CHECK_NO_TESTCASE);
	assert_int_equal(check_result(&job, 5, 0, &other, 3, &v, NULL, 0),
	    CHECK_OTHER_QUESTION);
	job_make(&job, 0, 1, 99, NULL);
	assert_int_equal(check_result(&job, 5, 0, &tc, 3, &v, NULL, 0), CHECK_BAD_STATUS);
	job_make(&job, 0, 1, 1, NULL);
	assert_int_equal(check_result(&job, 5, 0, &tc, 3, &v, NULL, 0), CHECK_PENDING);
	job_make(&job, 0, 1, 2, NULL);
	assert_int_equal(check_result(&job, 5, 0, &tc, 3, &v, NULL, 0), CHECK_PENDING);
}

static void
test_internal_error_attempt_bound(void **state)
{
	const struct check_tc tc = { 5, "x", 1, NULL, NULL, NULL };
	struct job job;
	enum verdict v;
	int t;

	(void)state;
	for (t = 1; t < 3; t++) {
		job_make(&job, 0, t, J0_STATUS_INTERNAL, NULL);
		assert_int_equal(check_result(&job, 5, 0, &tc, 3, &v, NULL, 0),
		    CHECK_RESEND);
	}
	job_make(&job, 0, 3, J0_STATUS_INTERNAL, NULL);
	assert_int_equal(check_result(&job, 5, 0, &tc, 3, &v, NULL, 0), CHECK_STORE);
	assert_int_equal(v, VERDICT_IE);
	/* The bound counts tries of this judging only. */
	job_make(&job, 4, 2, J0_STATUS_INTERNAL, NULL);
	assert_int_equal(check_result(&job, 5, 4, &tc, 3, &v, NULL, 0), CHECK_RESEND);
}

/* Package questions: the default validator with the question's flags. */
static void
test_default_validator(void **state)
{
	const struct check_tc native = { 5, "0.5\n", 4, NULL, "", NULL };
	const struct check_tc tol = { 5, "0.5\n", 4, "default",
	    "float_tolerance 1e-6", NULL };
	const struct check_tc exact = { 5, "A B\n", 4, "default",
	    "case_sensitive space_change_sensitive", NULL };
	const struct check_tc loose = { 5, "A B\n", 4, "default", "", NULL };
	const struct check_tc bad = { 5, "x", 1, "default", "no_such_flag", NULL };
	struct job job;
	enum verdict v;
	char msg[256];

	(void)state;
	job_make(&job, 0, 1, 3, "0.5000001\n");
	assert_int_equal(check_result(&job, 5, 0, &tol, 3, &v, msg,
	    sizeof(msg)), CHECK_STORE);
	assert_int_equal(v, VERDICT_AC);
	assert_string_equal(msg, "");
	/* A native question keeps Judge0's exact rule. */
	check_result(&job, 5, 0, &native, 3, &v, msg, sizeof(msg));
	assert_int_equal(v, VERDICT_WA);
	job_make(&job, 0, 1, 3, "0.50001\n");
	check_result(&job, 5, 0, &tol, 3, &v, msg, sizeof(msg));
	assert_int_equal(v, VERDICT_WA);
	assert_non_null(strstr(msg, "0.50001"));
	job_make(&job, 0, 1, 3, "a   b\n");
	check_result(&job, 5, 0, &loose, 3, &v, msg, sizeof(msg));
	assert_int_equal(v, VERDICT_AC);
	check_result(&job, 5, 0, &exact, 3, &v, msg, sizeof(msg));
	assert_int_equal(v, VERDICT_WA);
	job_make(&job, 0, 1, 3, "A  B\n");
	check_result(&job, 5, 0, &exact, 3, &v, msg, sizeof(msg));
	assert_int_equal(v, VERDICT_WA);
	job_make(&job, 0, 1, 3, "A B\n");
	check_result(&job, 5, 0, &exact, 3, &v, msg, sizeof(msg));
	assert_int_equal(v, VERDICT_AC);
	/* Not a clean run: Judge0's status decides. */
	job_make(&job, 0, 1, 5, "A B\n");
	check_result(&job, 5, 0, &exact, 3, &v, msg, sizeof(msg));
	assert_int_equal(v, VERDICT_TLE);
	/* Flags that do not parse are the jury's problem: IE, never AC. */
	job_make(&job, 0, 1, 3, "x");
	check_result(&job, 5, 0, &bad, 3, &v, msg, sizeof(msg));
	assert_int_equal(v, VERDICT_IE);
	assert_non_null(strstr(msg, "validator_flags"));
}

/* Custom and interactive: the judge's validation decides. */
static void
test_custom_validator(void **state)
{
	const struct check_tc custom = { 5, "7\n", 2, "custom", "", NULL };
	const struct check_tc inter = { 5, "7\n", 2, "interactive", "", NULL };
	struct job job;
	enum verdict v;
	char msg[256];

	(void)state;
	/* The output differs from the answer: the validator accepted it. */
	job_make(&job, 0, 1, 3, "whatever\n");
	job.res.has_validation = 1;
	job.res.val_exit = 42;
	assert_int_equal(check_result(&job, 5, 0, &custom, 3, &v, msg,
	    sizeof(msg)), CHECK_STORE);
	assert_int_equal(v, VERDICT_AC);
	job_make(&job, 0, 1, 4, "7\n");
	job.res.has_validation = 1;
	check_result(&job, 5, 0, &inter, 3, &v, msg, sizeof(msg));
	assert_int_equal(v, VERDICT_WA);
	/* No validation in the result: nothing judged the output. */
	job_make(&job, 0, 1, 3, "7\n");
	check_result(&job, 5, 0, &custom, 3, &v, msg, sizeof(msg));
	assert_int_equal(v, VERDICT_IE);
	assert_non_null(strstr(msg, "custom validator"));
	/* A validator's IE is stored at once, not resent. */
	job_make(&job, 0, 1, J0_STATUS_INTERNAL, NULL);
	job.res.has_validation = 1;
	assert_int_equal(check_result(&job, 5, 0, &custom, 3, &v, msg,
	    sizeof(msg)), CHECK_STORE);
	assert_int_equal(v, VERDICT_IE);
	job_make(&job, 0, 1, 5, NULL);
	job.res.has_validation = 1;
	check_result(&job, 5, 0, &inter, 3, &v, msg, sizeof(msg));
	assert_int_equal(v, VERDICT_TLE);
}

static void
test_apply(void **state)
{
	struct job job;

	(void)state;
	job_make(&job, 0, 1, 3, NULL);
	check_apply(&job, CHECK_STORE, 0);
	assert_int_equal(job.state, JOB_STORED);
	check_apply(&job, CHECK_PENDING, 0);
	assert_int_equal(job.state, JOB_IGNORE);
	check_apply(&job, CHECK_RESEND, 0);
	assert_int_equal(job.state, JOB_REDISPATCH);
	check_apply(&job, CHECK_NO_TESTCASE, 0);
	assert_int_equal(job.state, JOB_DEAD);
	assert_string_equal(job.reason, "unknown testcase 7");
	check_apply(&job, CHECK_OTHER_QUESTION, 0);
	assert_string_equal(job.reason, "testcase 7 is not of submission "
	    "00000000-0000-0000-0000-000000000001's question");
	job.res.status_id = 99;
	check_apply(&job, CHECK_BAD_STATUS, 0);
	assert_string_equal(job.reason, "unknown Judge0 status 99");
	check_apply(&job, CHECK_STALE, 1);
	assert_int_equal(job.state, JOB_IGNORE);
}

static void
test_excerpt_source(void **state)
{
	struct job job;
	const char *s;
	size_t len;

	(void)state;
	job_make(&job, 0, 1, 6, NULL);
	job.res.compile_output = (char *)"error: x";
	job.res.compile_output_len = 8;
	job.res.err = (char *)"stderr";
	job.res.err_len = 6;
	s = job_excerpt_src(&job, VERDICT_CE, &len);
	assert_int_equal(len, 8);
	assert_memory_equal(s, "error: x", 8);
	/* Not a compile error: stdout, or stderr when stdout is empty. */
	s = job_excerpt_src(&job, VERDICT_RE, &len);
	assert_int_equal(len, 6);
	assert_memory_equal(s, "stderr", 6);
	job.res.out = (char *)"out";
	job.res.out_len = 3;
	s = job_excerpt_src(&job, VERDICT_WA, &len);
	assert_int_equal(len, 3);
	assert_memory_equal(s, "out", 3);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_check_order_and_outcomes),
		cmocka_unit_test(test_internal_error_attempt_bound),
		cmocka_unit_test(test_default_validator),
		cmocka_unit_test(test_custom_validator),
		cmocka_unit_test(test_apply),
		cmocka_unit_test(test_excerpt_source),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
