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
	const char *const	*rows;	/* id, points, pp, tp, scored per row */
	int			 nrows;
	const char *const	*grows;	/* sid, group, passed, vscore, settings, all */
	int			 ngrows;
	enum step		 fail;	/* STEP_OK: the SELECT succeeds */
	int			 updates, gdels, gins;
	char			 ids[256], scores[256];
	char			 gsids[512], gpaths[256], gscores[256];
};
static struct stub stub;

PGresult *
store_execs(struct wctx *w, enum step *st, const struct db_stmt *s,
    const char *const *params)
{
	PGresAttDesc att[6];
	PGresult *res;
	const char *const *rows = stub.rows;
	int r, c, n = stub.nrows, nc = 5;

	(void)w;
	(void)params;
	if (s->id == STMT_FIN_GROUPS) {
		rows = stub.grows;
		n = stub.ngrows;
		nc = 6;
	} else
		assert_int_equal(s->id, STMT_FIN_POINTS);
	if (stub.fail != STEP_OK) {
		*st = stub.fail;
		return NULL;
	}
	memset(att, 0, sizeof(att));
	for (c = 0; c < nc; c++)
		att[c].name = (char *)"c";
	res = PQmakeEmptyPGresult(NULL, PGRES_TUPLES_OK);
	assert_non_null(res);
	assert_int_equal(PQsetResultAttrs(res, nc, att), 1);
	for (r = 0; r < n; r++)
		for (c = 0; c < nc; c++)
			/* NULL: an SQL NULL (len -1). */
			assert_int_equal(PQsetvalue(res, r, c,
			    (char *)rows[r * nc + c], rows[r * nc + c] == NULL ?
			    -1 : (int)strlen(rows[r * nc + c])), 1);
	*st = STEP_OK;
	return res;
}

enum step
store_runs(struct wctx *w, const struct db_stmt *s, const char *const *params)
{
	(void)w;
	if (s->id == STMT_FIN_GDEL) {
		stub.gdels++;
		return STEP_OK;
	}
	if (s->id == STMT_FIN_GINS) {
		assert_int_equal(s->nparams, 3);
		stub.gins++;
		snprintf(stub.gsids, sizeof(stub.gsids), "%s", params[0]);
		snprintf(stub.gpaths, sizeof(stub.gpaths), "%s", params[1]);
		snprintf(stub.gscores, sizeof(stub.gscores), "%s", params[2]);
		return STEP_OK;
	}
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
		"00000000-0000-0000-0000-000000000001", "100", "1", "3", "f",
		"00000000-0000-0000-0000-000000000002", "50", "4", "4", "f",
		"00000000-0000-0000-0000-000000000003", "100", "0", "0", "f",
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
	assert_int_equal(stub.gdels + stub.gins, 0);
}

/* The tests/packages/scored fixture's settings (testdata.yaml as JSON). */
#define G1 "{\"accept_score\":40,\"reject_score\":0,\"on_reject\":\"break\"}"
#define G2 "{\"accept_score\":\"60\",\"grader_flags\":\"min\"}"
#define SEC "{\"secret\":{\"on_reject\":\"continue\",\"grader_flags\":\"sum\"}}"

/* The package score of it[0..n) (groups: all settings, or NULL). */
static double
pkg_score(const struct fin_item *it, size_t n, const char *groups, double *max)
{
	struct fin_group g[8];
	size_t ng;
	double score;

	finalize_groups(it, n, groups, g, &ng, &score, max);
	return score;
}

static void
test_groups_rules(void **state)
{
	const struct fin_item all[] = {
		{ "secret/group1", G1, 1, NULL }, { "secret/group1", G1, 1, NULL },
		{ "secret/group2", G2, 1, NULL }, { "secret/group2", G2, 1, NULL },
	};
	/* group1 breaks at its first reject: the third AC counts nothing. */
	const struct fin_item brk[] = {
		{ "g", G1, 1, NULL }, { "g", G1, 0, NULL }, { "g", G1, 1, NULL },
	};
	/* continue + sum: every testcase counts; defaults 1 and 0. */
	const struct fin_item cont[] = {
		{ "g", "{\"on_reject\":\"continue\"}", 0, NULL },
		{ "g", "{\"on_reject\":\"continue\"}", 1, NULL },
		{ "g", "{\"on_reject\":\"continue\"}", 1, NULL },
	};
	/* min: one reject makes the group 0; 2023-07 aggregation key. */
	const struct fin_item mn[] = {
		{ "g", "{\"accept_score\":5,\"aggregation\":\"min\",\"on_reject\":\"continue\"}", 1, NULL },
		{ "g", "{\"accept_score\":5,\"aggregation\":\"min\",\"on_reject\":\"continue\"}", 0, NULL },
	};
	/* score.txt of a custom validator replaces accept_score. */
	const struct fin_item vs[] = {
		{ "g", "{\"accept_score\":10}", 1, "2.5" },
		{ "g", "{\"accept_score\":10}", 1, NULL },
	};
	/* No settings: accept 1, reject 0, break, sum; two roots summed. */
	const struct fin_item def[] = {
		{ "g", NULL, 1, NULL }, { "g", NULL, 1, NULL }, { "g", NULL, 0, NULL },
	};
	/* The last mode word of grader_flags wins (max), break after the reject. */
	const struct fin_item flags[] = {
		{ "h", "{\"grader_flags\":\"min ignore_sample max\"}", 0, NULL },
		{ "h", "{\"grader_flags\":\"min ignore_sample max\"}", 1, NULL },
	};
	/* group1 fails first: the secret root's on_reject decides group2. */
	const struct fin_item tree[] = {
		{ "secret/group1", G1, 0, NULL }, { "secret/group1", G1, 1, NULL },
		{ "secret/group2", G2, 1, NULL }, { "secret/group2", G2, 1, NULL },
	};
	struct fin_group g[8];
	double score, max;
	size_t ng;

	(void)state;
	finalize_groups(all, 4, NULL, g, &ng, &score, &max);
	assert_int_equal(ng, 2);
	assert_string_equal(g[0].path, "secret/group1");
	assert_string_equal(g[1].path, "secret/group2");
	assert_true(g[0].score == 80 && g[1].score == 60);
	assert_true(score == 140 && max == 140);
	assert_true(pkg_score(brk, 3, NULL, &max) == 40 && max == 120);
	assert_true(pkg_score(cont, 3, NULL, &max) == 2 && max == 3);
	assert_true(pkg_score(mn, 2, NULL, &max) == 0 && max == 5);
	assert_true(pkg_score(vs, 2, NULL, &max) == 12.5 && max == 20);
	assert_true(pkg_score(def, 3, NULL, &max) == 2 && max == 3);
	assert_true(pkg_score(flags, 2, NULL, &max) == 0 && max == 1);
	/* secret continues (the fixture's secret/testdata.yaml): 0 + 60. */
	finalize_groups(tree, 4, "{\"secret\":{\"on_reject\":\"continue\","
	    "\"grader_flags\":\"sum\"},\"secret/group1\":" G1 "}", g, &ng, &score,
	    &max);
	assert_true(score == 60 && max == 140);
	assert_int_equal(ng, 2);
	assert_true(g[0].score == 0 && g[1].score == 60);
	/* secret breaks (the default): group2 after the failed group1 counts 0. */
	finalize_groups(tree, 4, "{\"secret\":{}}", g, &ng, &score, &max);
	assert_true(score == 0 && max == 140);
	assert_true(g[0].score == 0 && g[1].score == 0);
	/* secret takes the min of its subtasks. */
	finalize_groups(all, 4, "{\"secret\":{\"grader_flags\":\"min\"}}", g,
	    &ng, &score, &max);
	assert_true(score == 60 && max == 60);
}

static void
test_scaled(void **state)
{
	(void)state;
	assert_int_equal(finalize_scaled_e4(100, 80, 140), 571429);
	assert_int_equal(finalize_scaled_e4(100, 140, 140), 1000000);
	assert_int_equal(finalize_scaled_e4(100, 200, 140), 1000000);
	assert_int_equal(finalize_scaled_e4(100, 0, 140), 0);
	assert_int_equal(finalize_scaled_e4(100, -5, 140), 0);
	assert_int_equal(finalize_scaled_e4(100, 5, 0), 0);
}

static void
test_finalize_scored(void **state)
{
	static const char *const rows[] = {
		"00000000-0000-0000-0000-00000000000a", "100", "3", "4", "t",
	};
	static const char *const grows[] = {
		"00000000-0000-0000-0000-00000000000a", "secret/group1", "t", NULL, G1, SEC,
		"00000000-0000-0000-0000-00000000000a", "secret/group1", "t", NULL, G1, SEC,
		"00000000-0000-0000-0000-00000000000a", "secret/group2", "t", NULL, G2, SEC,
		"00000000-0000-0000-0000-00000000000a", "secret/group2", "f", NULL, G2, SEC,
	};

	(void)state;
	memset(&stub, 0, sizeof(stub));
	stub.rows = rows;
	stub.nrows = 1;
	stub.grows = grows;
	stub.ngrows = 4;
	assert_int_equal(finalize_submissions(NULL, "{x}"), STEP_OK);
	/* group1 80 of 80, group2 min(60, 0) = 0 of 60: 100 × 80/140. */
	assert_int_equal(stub.updates, 1);
	assert_string_equal(stub.scores, "{\"57.1429\"}");
	assert_int_equal(stub.gdels, 1);
	assert_int_equal(stub.gins, 1);
	assert_string_equal(stub.gpaths, "{\"secret/group1\",\"secret/group2\"}");
	assert_string_equal(stub.gscores, "{\"57.1429\",\"0.0000\"}");
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
		cmocka_unit_test(test_groups_rules),
		cmocka_unit_test(test_scaled),
		cmocka_unit_test(test_finalize_scored),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
