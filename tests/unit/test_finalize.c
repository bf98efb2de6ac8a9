/*
 * Unit tests of worker/finalize.c: the one definition of a submission's
 * score (question points × passed points / total points, rounded half
 * up to 4 decimals, exact in integers), its numeric text, and what
 * finalize_submissions() passes to the UPDATE for the rows PostgreSQL
 * returns.  The batch transaction's statements (store_execs(),
 * store_runs()) are stubbed here: the first returns a result built with
 * libpq's PQmakeEmptyPGresult(), the second records its parameters.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <libpq-fe.h>

#include "db.h"
#include "extern.h"

/* What the stubs return and saw (one test at a time). */
struct stub {
	const char *const	*rows;	/* id, points, pp, tp per row */
	int			 nrows;
	enum step		 fail;	/* STEP_OK: the SELECT succeeds */
	int			 updates;
	char			 ids[256], scores[256];
};
static struct stub stub;

PGresult *
store_execs(struct wctx *w, enum step *st, const struct db_stmt *s,
    const char *const *params)
{
	PGresAttDesc att[4];
	PGresult *res;
	int r, c;

	(void)w;
	(void)params;
	assert_int_equal(s->id, STMT_FIN_POINTS);
	if (stub.fail != STEP_OK) {
		*st = stub.fail;
		return NULL;
	}
	memset(att, 0, sizeof(att));
	for (c = 0; c < 4; c++)
		att[c].name = (char *)"c";
	res = PQmakeEmptyPGresult(NULL, PGRES_TUPLES_OK);
	assert_non_null(res);
	assert_int_equal(PQsetResultAttrs(res, 4, att), 1);
	for (r = 0; r < stub.nrows; r++)
		for (c = 0; c < 4; c++)
			assert_int_equal(PQsetvalue(res, r, c,
			    (char *)stub.rows[r * 4 + c],
			    (int)strlen(stub.rows[r * 4 + c])), 1);
	*st = STEP_OK;
	return res;
}

enum step
store_runs(struct wctx *w, const struct db_stmt *s, const char *const *params)
{
	(void)w;
	assert_int_equal(s->id, STMT_FINALIZE);
	assert_int_equal(s->nparams, 2);
	stub.updates++;
	snprintf(stub.ids, sizeof(stub.ids), "%s", params[0]);
	snprintf(stub.scores, sizeof(stub.scores), "%s", params[1]);
	return STEP_OK;
}

static void
test_score_values(void **state)
{
	(void)state;
	/* Nothing to score: no testcases, none worth points, none passed. */
	assert_int_equal(finalize_score_e4(100, 0, 0), 0);
	assert_int_equal(finalize_score_e4(100, 0, 7), 0);
	assert_int_equal(finalize_score_e4(0, 5, 5), 0);
	/* All passed: the question's points; half: half. */
	assert_int_equal(finalize_score_e4(100, 7, 7), 1000000);
	assert_int_equal(finalize_score_e4(100, 1, 2), 500000);
	/* Weighted by testcase points, not by count. */
	assert_int_equal(finalize_score_e4(100, 3, 4), 750000);
	/* Rounded to 4 decimals, half away from zero (round(numeric, 4)). */
	assert_int_equal(finalize_score_e4(1, 1, 3), 3333);	/* .33333 */
	assert_int_equal(finalize_score_e4(2, 1, 3), 6667);	/* .66666 */
	assert_int_equal(finalize_score_e4(1, 1, 32), 313);	/* .03125 */
	assert_int_equal(finalize_score_e4(1, 1, 20000), 1);	/* .00005 */
	assert_int_equal(finalize_score_e4(1, 1, 40000), 0);	/* .000025 */
	assert_int_equal(finalize_score_e4(100, 2, 3), 666667);
	/* The schema's bounds do not overflow. */
	assert_int_equal(finalize_score_e4(1000000, 123456789012LL,
	    1000000000000LL), 1234567890LL);	/* 123456.789012 */
	assert_int_equal(finalize_score_e4(1000000, 999999999999LL,
	    1000000000000LL), 10000000000LL);	/* 999999.999999 */
	assert_int_equal(finalize_score_e4(1000000, 1000000000000LL,
	    1000000000000LL), 10000000000LL);
}

/* Over a grid: within half a unit of the exact value, and monotone. */
static void
test_score_properties(void **state)
{
	long long p, pp, tp, e4, prev;

	(void)state;
	for (p = 1; p <= 120; p += 7)
		for (tp = 1; tp <= 60; tp++) {
			prev = -1;
			for (pp = 0; pp <= tp; pp++) {
				e4 = finalize_score_e4((int)p, pp, tp);
				/* |e4 - p*pp*10000/tp| <= 1/2, in integers */
				assert_true(2 * llabs(e4 * tp -
				    p * pp * 10000) <= tp);
				assert_true(e4 >= prev);
				prev = e4;
			}
			assert_int_equal(prev, p * 10000);
		}
}

static void
test_score_text(void **state)
{
	char buf[32];

	(void)state;
	finalize_score_text(0, buf, sizeof(buf));
	assert_string_equal(buf, "0.0000");
	finalize_score_text(3333, buf, sizeof(buf));
	assert_string_equal(buf, "0.3333");
	finalize_score_text(123400, buf, sizeof(buf));
	assert_string_equal(buf, "12.3400");
	finalize_score_text(10000000000LL, buf, sizeof(buf));
	assert_string_equal(buf, "1000000.0000");
}

static void
test_finalize_passes_scores(void **state)
{
	static const char *const rows[] = {
		"00000000-0000-0000-0000-000000000001", "100", "1", "3",
		"00000000-0000-0000-0000-000000000002", "50", "4", "4",
		"00000000-0000-0000-0000-000000000003", "100", "0", "0",
	};

	(void)state;
	memset(&stub, 0, sizeof(stub));
	stub.rows = rows;
	stub.nrows = 3;
	assert_int_equal(finalize_submissions(NULL, "{x}"), STEP_OK);
	assert_int_equal(stub.updates, 1);
	assert_string_equal(stub.ids,
	    "{\"00000000-0000-0000-0000-000000000001\","
	    "\"00000000-0000-0000-0000-000000000002\","
	    "\"00000000-0000-0000-0000-000000000003\"}");
	assert_string_equal(stub.scores,
	    "{\"33.3333\",\"50.0000\",\"0.0000\"}");
}

static void
test_finalize_failure_and_nothing(void **state)
{
	(void)state;
	/* The SELECT fails: its step is returned, nothing is updated. */
	memset(&stub, 0, sizeof(stub));
	stub.fail = STEP_DEAD;
	assert_int_equal(finalize_submissions(NULL, "{x}"), STEP_DEAD);
	stub.fail = STEP_RETRY;
	assert_int_equal(finalize_submissions(NULL, "{x}"), STEP_RETRY);
	assert_int_equal(stub.updates, 0);
	/* No such submission: nothing to update, and that is fine. */
	memset(&stub, 0, sizeof(stub));
	assert_int_equal(finalize_submissions(NULL, "{x}"), STEP_OK);
	assert_int_equal(stub.updates, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_score_values),
		cmocka_unit_test(test_score_properties),
		cmocka_unit_test(test_score_text),
		cmocka_unit_test(test_finalize_passes_scores),
		cmocka_unit_test(test_finalize_failure_and_nothing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
