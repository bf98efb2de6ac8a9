/*
 * Finalizing submissions, in the batch transaction, once their last
 * testcase is stored (by store_fast.c or store_slow.c): status done, the
 * score, and the user's best for the question in best_scores.  The score
 * has one definition, finalize_score_e4(), computed here from the
 * points PostgreSQL sums and passed to the UPDATE as a parameter.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "db.h"
#include "extern.h"

/*
 * Of the submissions named by the uuid[] $1: the question's points and
 * the points of the testcases passed and stored so far.
 */
static const struct db_stmt fin_points = { STMT_FIN_POINTS, "pw_fin_points",
    "SELECT x.id::text, q.points,"
    " COALESCE(sum(t.points) FILTER (WHERE r.passed), 0) AS pp,"
    " COALESCE(sum(t.points), 0) AS tp"
    " FROM unnest($1::uuid[]) AS x(id)"
    " JOIN submissions s ON s.id = x.id"
    " JOIN questions q ON q.id = s.question_id"
    " LEFT JOIN submission_results r ON r.submission_id = x.id"
    " LEFT JOIN testcases t ON t.id = r.testcase_id"
    " GROUP BY x.id, q.points", 1 };

/*
 * Status done and score $2[i] for submission $1[i], and the user's best
 * for the question, replaced only when strictly better (or equal and
 * reached earlier), so ties go to whoever got there first; of one user's
 * submissions on one question only the best (then earliest) meets
 * best_scores, as if they were finalized one after the other.
 */
static const struct db_stmt fin_update = { STMT_FINALIZE, "pw_finalize",
    "WITH f AS (UPDATE submissions s SET status = 'done',"
    " finished_at = now(), score = x.score"
    " FROM unnest($1::uuid[], $2::numeric[]) AS x(id, score)"
    " WHERE s.id = x.id"
    " RETURNING s.user_id, s.question_id, s.score, s.id, s.created_at),"
    " best AS (SELECT DISTINCT ON (user_id, question_id) * FROM f"
    "  ORDER BY user_id, question_id, score DESC, created_at, id)"
    " INSERT INTO best_scores AS b (user_id, question_id, score,"
    " submission_id, achieved_at)"
    " SELECT user_id, question_id, score, id, created_at FROM best"
    " ON CONFLICT (user_id, question_id) DO UPDATE SET"
    " score = EXCLUDED.score, submission_id = EXCLUDED.submission_id,"
    " achieved_at = EXCLUDED.achieved_at"
    " WHERE EXCLUDED.score > b.score OR (EXCLUDED.score = b.score"
    " AND EXCLUDED.achieved_at < b.achieved_at)", 2 };

/*
 * The score of a submission in ten-thousandths: question_points ×
 * passed_points / total_points, rounded half away from zero to 4
 * decimals (as PostgreSQL's round(numeric, 4) did), 0 when the
 * submission's testcases are worth nothing.  Exact in integers for the
 * schema's bounds (points up to 10^6 per question and per testcase).
 * Pure.
 */
long long
finalize_score_e4(int question_points, long long passed_points,
    long long total_points)
{
	long long a, q, r;

	if (total_points <= 0 || question_points <= 0 || passed_points <= 0)
		return 0;
	if (passed_points > total_points)
		passed_points = total_points;
	a = (long long)question_points * passed_points;
	q = a / total_points;
	r = a % total_points;
	return q * 10000 + (2 * r * 10000 + total_points) / (2 * total_points);
}

/* A score in ten-thousandths as numeric text ("12.3400").  Pure. */
void
finalize_score_text(long long e4, char *buf, size_t size)
{
	snprintf(buf, size, "%lld.%04lld", e4 / 10000, e4 % 10000);
}

/*
 * Finalize the submissions named by the array literal sids ("{…}" of
 * uuids).  STEP_OK, or the failure of a statement (the transaction is
 * then aborted).
 */
enum step
finalize_submissions(struct wctx *w, const char *sids)
{
	struct pgarr a[2];	/* ids, scores */
	PGresult *res;
	const char *p[2];
	char score[32];
	enum step st;
	int r;

	p[0] = sids;
	if ((res = store_execs(w, &st, &fin_points, p)) == NULL)
		return st;
	st = STEP_RETRY;
	if (pgarr_open_all(a, 2) == -1)
		goto out;
	for (r = 0; r < PQntuples(res); r++) {
		finalize_score_text(finalize_score_e4(
		    atoi(PQgetvalue(res, r, 1)),
		    strtoll(PQgetvalue(res, r, 2), NULL, 10),
		    strtoll(PQgetvalue(res, r, 3), NULL, 10)),
		    score, sizeof(score));
		pgarr_text(&a[0], PQgetvalue(res, r, 0));
		pgarr_text(&a[1], score);
	}
	if (a[0].n == 0) {
		st = STEP_OK;
		goto out;
	}
	if (pgarr_close(&a[0]) == -1 || pgarr_close(&a[1]) == -1)
		goto out;
	p[0] = a[0].buf;
	p[1] = a[1].buf;
	st = store_runs(w, &fin_update, p);
out:
	PQclear(res);
	pgarr_free_all(a, 2);
	return st;
}
