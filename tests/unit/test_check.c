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
	const struct check_tc tc = { 5, "42\n", 3 }, other = { 6, "42\n", 3 };
	struct job job;
	enum verdict v;

	(void)state;
	job_make(&job, 1, 1, 3, "42\n");
	assert_int_equal(check_result(&job, 5, 1, &tc, 3, &v), CHECK_STORE);
	assert_int_equal(v, VERDICT_AC);
	job_make(&job, 1, 1, 3, "41\n");
	assert_int_equal(check_result(&job, 5, 1, &tc, 3, &v), CHECK_STORE);
	assert_int_equal(v, VERDICT_WA);
	job_make(&job, 1, 1, 5, NULL);
	assert_int_equal(check_result(&job, 5, 1, &tc, 3, &v), CHECK_STORE);
	assert_int_equal(v, VERDICT_TLE);

	/* An earlier judging is stale before anything else is looked at. */
	job_make(&job, 0, 1, 99, NULL);
	assert_int_equal(check_result(&job, 5, 1, NULL, 3, &v), CHECK_STALE);
	assert_int_equal(v, VERDICT_IE);
	/* A later judging than the row's (the row is behind) is not. */
	job_make(&job, 2, 1, 3, "42\n");
	assert_int_equal(check_result(&job, 5, 1, &tc, 3, &v), CHECK_STORE);

	job_make(&job, 0, 1, 3, "42\n");
	assert_int_equal(check_result(&job, 5, 0, NULL, 3, &v), CHECK_NO_TESTCASE);
	assert_int_equal(check_result(&job, 5, 0, &other, 3, &v),
	    CHECK_OTHER_QUESTION);
	job_make(&job, 0, 1, 99, NULL);
	assert_int_equal(check_result(&job, 5, 0, &tc, 3, &v), CHECK_BAD_STATUS);
	job_make(&job, 0, 1, 1, NULL);
	assert_int_equal(check_result(&job, 5, 0, &tc, 3, &v), CHECK_PENDING);
	job_make(&job, 0, 1, 2, NULL);
	assert_int_equal(check_result(&job, 5, 0, &tc, 3, &v), CHECK_PENDING);
}

static void
test_internal_error_attempt_bound(void **state)
{
	const struct check_tc tc = { 5, "x", 1 };
	struct job job;
	enum verdict v;
	int t;

	(void)state;
	for (t = 1; t < 3; t++) {
		job_make(&job, 0, t, J0_STATUS_INTERNAL, NULL);
		assert_int_equal(check_result(&job, 5, 0, &tc, 3, &v),
		    CHECK_RESEND);
	}
	job_make(&job, 0, 3, J0_STATUS_INTERNAL, NULL);
	assert_int_equal(check_result(&job, 5, 0, &tc, 3, &v), CHECK_STORE);
	assert_int_equal(v, VERDICT_IE);
	/* The bound counts tries of this judging only. */
	job_make(&job, 4, 2, J0_STATUS_INTERNAL, NULL);
	assert_int_equal(check_result(&job, 5, 4, &tc, 3, &v), CHECK_RESEND);
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
		cmocka_unit_test(test_apply),
		cmocka_unit_test(test_excerpt_source),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
