/*
 * Finalizing submissions, in the batch transaction, once their last
 * testcase is stored (by store_fast.c or store_slow.c): status done, the
 * overall verdict, the score, and the user's best for the question in
 * best_scores.  The score has one definition per kind of question,
 * computed here and passed to the UPDATE as a parameter:
 * finalize_score_e4() from the points PostgreSQL sums, and for a scored
 * package problem (problem_type scoring, with test data groups)
 * finalize_groups() from the results of its secret groups, whose scores
 * also go to submission_group_scores (the ioi mode's subtasks).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
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
    " COALESCE(sum(t.points), 0) AS tp,"
    " q.problem_type = 'scoring' AND EXISTS (SELECT 1 FROM testcase_groups g"
    "  WHERE g.question_id = q.id) AS scored"
    " FROM unnest($1::uuid[]) AS x(id)"
    " JOIN submissions s ON s.id = x.id"
    " JOIN questions q ON q.id = s.question_id"
    " LEFT JOIN submission_results r ON r.submission_id = x.id"
    " LEFT JOIN testcases t ON t.id = r.testcase_id"
    " GROUP BY x.id, q.points, q.problem_type, q.id", 1 };

/*
 * Of the scored submissions named by the uuid[] $1: every result of a
 * secret testcase with its group and the group's settings, and every
 * group's settings by path, by submission and ordinal (the tree order).
 */
static const struct db_stmt fin_groups = { STMT_FIN_GROUPS, "pw_fin_groups",
    "SELECT r.submission_id::text, t.group_path, r.passed,"
    " r.validator_score::text, g.settings::text,"
    " (SELECT jsonb_object_agg(a.path, a.settings) FROM testcase_groups a"
    "  WHERE a.question_id = t.question_id AND a.settings IS NOT NULL)::text"
    " FROM submission_results r JOIN testcases t ON t.id = r.testcase_id"
    " LEFT JOIN testcase_groups g ON g.question_id = t.question_id"
    "  AND g.path = t.group_path"
    " WHERE r.submission_id = ANY ($1::uuid[]) AND NOT t.is_sample"
    " ORDER BY r.submission_id, t.ordinal", 1 };

/* The group scores of submissions $1: the old ones go, $1[i] … $3[i] come. */
static const struct db_stmt fin_gdel = { STMT_FIN_GDEL, "pw_fin_gdel",
    "DELETE FROM submission_group_scores"
    " WHERE submission_id = ANY ($1::uuid[])", 1 };
static const struct db_stmt fin_gins = { STMT_FIN_GINS, "pw_fin_gins",
    "INSERT INTO submission_group_scores (submission_id, group_path, score)"
    " SELECT * FROM unnest($1::uuid[], $2::text[], $3::numeric[])", 3 };

/*
 * Status done, score $2[i] and the overall verdict (the first testcase
 * in ordinal order that was not accepted, AC when all were) for
 * submission $1[i], and the user's best
 * for the question, replaced only when strictly better (or equal and
 * reached earlier), so ties go to whoever got there first; of one user's
 * submissions on one question only the best (then earliest) meets
 * best_scores, as if they were finalized one after the other.
 */
static const struct db_stmt fin_update = { STMT_FINALIZE, "pw_finalize",
    "WITH f AS (UPDATE submissions s SET status = 'done',"
    " finished_at = now(), score = x.score,"
    " verdict = COALESCE((SELECT r.verdict FROM submission_results r"
    "  JOIN testcases t ON t.id = r.testcase_id"
    "  WHERE r.submission_id = s.id AND NOT r.passed"
    "  ORDER BY t.ordinal LIMIT 1), 'AC')"
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

/* How one test data group is scored (its testdata.yaml). */
enum fin_agg { FIN_SUM, FIN_MIN, FIN_MAX, FIN_AVG };
struct fin_rules {
	double		accept, reject;	/* accept_score (1), reject_score (0) */
	int		brk;		/* on_reject: break (the default) */
	enum fin_agg	agg;		/* sum (the default), min, max, avg */
};

/* A number of a settings object: a JSON number or numeric text. */
static void
rules_num(json_object *o, const char *key, double *out)
{
	json_object *v;
	char *end;
	double d;

	if (!json_object_object_get_ex(o, key, &v) || v == NULL)
		return;
	if (json_object_is_type(v, json_type_double) ||
	    json_object_is_type(v, json_type_int)) {
		*out = json_object_get_double(v);
		return;
	}
	if (json_object_is_type(v, json_type_string)) {
		d = strtod(json_object_get_string(v), &end);
		if (end != json_object_get_string(v) && isfinite(d))
			*out = d;
	}
}

/* An aggregation word, if s is one (sum, min, max, avg). */
static void
rules_agg(const char *s, size_t len, enum fin_agg *agg)
{
	static const char *const w[] = { "sum", "min", "max", "avg" };
	size_t i;

	for (i = 0; i < 4; i++)
		if (len == 3 && strncmp(s, w[i], 3) == 0)
			*agg = (enum fin_agg)i;
}

/*
 * The rules of a group from its settings JSON (NULL: the defaults):
 * accept_score, reject_score, on_reject, the score mode among the
 * legacy grader_flags (the last one given wins) or the 2023-07
 * aggregation / score_aggregation.  Pure.
 */
static void
rules_parse(const char *json, struct fin_rules *r)
{
	json_object *o, *v;
	const char *s;
	size_t n;

	r->accept = 1;
	r->reject = 0;
	r->brk = 1;
	r->agg = FIN_SUM;
	if (json == NULL || (o = json_tokener_parse(json)) == NULL)
		return;
	rules_num(o, "accept_score", &r->accept);
	rules_num(o, "reject_score", &r->reject);
	if (json_object_object_get_ex(o, "on_reject", &v) &&
	    json_object_is_type(v, json_type_string))
		r->brk = strcmp(json_object_get_string(v), "continue") != 0;
	if (json_object_object_get_ex(o, "grader_flags", &v) &&
	    json_object_is_type(v, json_type_string))
		for (s = json_object_get_string(v); *s != '\0'; s += n) {
			s += strspn(s, " \t\n");
			n = strcspn(s, " \t\n");
			rules_agg(s, n, &r->agg);
		}
	if ((json_object_object_get_ex(o, "aggregation", &v) ||
	    json_object_object_get_ex(o, "score_aggregation", &v)) &&
	    json_object_is_type(v, json_type_string))
		rules_agg(json_object_get_string(v),
		    strlen(json_object_get_string(v)), &r->agg);
	json_object_put(o);
}

/* What scoring walks: the results and every group's settings. */
struct fin_walk {
	const struct fin_item	*it;
	size_t			 n;
	json_object		*groups;	/* path -> settings, or NULL */
};

/* A test case's or a group's result. */
struct fin_res {
	double	score, max;
	int	ok;		/* accepted: every counted part was */
};

/*
 * The rules of group path[0..plen): its settings in w->groups, else the
 * settings carried by a result of that very group, else the defaults.
 */
static void
walk_rules(const struct fin_walk *w, const char *path, size_t plen, size_t i,
    struct fin_rules *r)
{
	json_object *v;
	char key[512];

	snprintf(key, sizeof(key), "%.*s", (int)plen, path);
	if (w->groups != NULL && json_object_object_get_ex(w->groups, key, &v) &&
	    v != NULL && json_object_is_type(v, json_type_object)) {
		rules_parse(json_object_to_json_string(v), r);
		return;
	}
	rules_parse(i < w->n && strlen(w->it[i].group) == plen ?
	    w->it[i].settings : NULL, r);
}

/* Whether group names path[0..plen) or one of its subgroups. */
static int
walk_in(const char *group, const char *path, size_t plen)
{
	return strncmp(group, path, plen) == 0 &&
	    (group[plen] == '\0' || group[plen] == '/');
}

/* Record a part of a root into g (merged with the same path before). */
static void
walk_part(struct fin_group *g, size_t *ng, const char *path, size_t plen,
    double score)
{
	if (*ng > 0 && strlen(g[*ng - 1].path) == plen &&
	    strncmp(g[*ng - 1].path, path, plen) == 0) {
		g[*ng - 1].score += score;
		return;
	}
	snprintf(g[*ng].path, sizeof(g[*ng].path), "%.*s", (int)plen, path);
	g[*ng].score = score;
	(*ng)++;
}

/*
 * Score group path[0..plen) from result *i on (its test cases and
 * subgroups in tree order), advancing *i past them.  Its children are
 * aggregated by its rules: with on_reject break nothing counts after the
 * first child that was not accepted.  With g (the root), each child's
 * counted score is recorded there (test cases directly in the root
 * under the root's own path).
 */
static void
walk_group(const struct fin_walk *w, const char *path, size_t plen, size_t *i,
    struct fin_res *out, struct fin_group *g, size_t *ng)
{
	struct fin_rules r;
	struct fin_res ch;
	const struct fin_item *t;
	size_t counted = 0, nch = 0, clen;
	int stop = 0;

	walk_rules(w, path, plen, *i, &r);
	out->score = out->max = 0;
	out->ok = 1;
	while (*i < w->n && walk_in(w->it[*i].group, path, plen)) {
		t = &w->it[*i];
		if (strlen(t->group) == plen) {		/* a test case */
			ch.ok = t->passed;
			ch.score = !t->passed ? r.reject : t->vscore != NULL ?
			    strtod(t->vscore, NULL) : r.accept;
			ch.max = r.accept;
			clen = plen;
			(*i)++;
		} else {				/* a subgroup */
			clen = plen + 1 + strcspn(t->group + plen + 1, "/");
			walk_group(w, t->group, clen, i, &ch, NULL, NULL);
		}
		/* The maximum: every part counted and accepted. */
		if (nch == 0 || r.agg == FIN_SUM || r.agg == FIN_AVG)
			out->max = nch == 0 ? ch.max : out->max + ch.max;
		else if (r.agg == FIN_MIN && ch.max < out->max)
			out->max = ch.max;
		else if (r.agg == FIN_MAX && ch.max > out->max)
			out->max = ch.max;
		nch++;
		if (g != NULL)
			walk_part(g, ng, t->group, clen, stop ? 0 : ch.score);
		if (stop)
			continue;
		if (counted == 0 || r.agg == FIN_SUM || r.agg == FIN_AVG)
			out->score = counted == 0 ? ch.score : out->score + ch.score;
		else if (r.agg == FIN_MIN && ch.score < out->score)
			out->score = ch.score;
		else if (r.agg == FIN_MAX && ch.score > out->score)
			out->score = ch.score;
		counted++;
		if (!ch.ok) {
			out->ok = 0;
			stop = r.brk;
		}
	}
	if (r.agg == FIN_AVG && nch > 0) {
		out->score = counted > 0 ? out->score / (double)counted : 0;
		out->max /= (double)nch;
	}
}

/*
 * Score the results it[0..n) (in tree order: the import's ordinals) by
 * the test data groups: each top folder ("secret") is a root scored by
 * its rules (walk_group), the roots summed.  A test case scores its
 * validator score (score.txt) or accept_score when accepted, reject_score
 * when not; a group aggregates what counted by its mode; its maximum is
 * what all accepted would give (validator scores are taken to be worth
 * accept_score at most).  groups: a JSON object of every group's
 * settings by path (NULL: only the settings the results carry).  The
 * roots' parts (their subgroups, the subtasks) go to g (room for n);
 * *score and *max are the package's.  Pure.
 */
void
finalize_groups(const struct fin_item *it, size_t n, const char *groups,
    struct fin_group *g, size_t *ng, double *score, double *max)
{
	struct fin_walk w = { it, n, NULL };
	struct fin_res res;
	size_t i = 0;

	*ng = 0;
	*score = *max = 0;
	if (groups != NULL)
		w.groups = json_tokener_parse(groups);
	while (i < n) {
		walk_group(&w, it[i].group, strcspn(it[i].group, "/"), &i, &res,
		    g, ng);
		*score += res.score;
		*max += res.max;
	}
	json_object_put(w.groups);
}

/*
 * A part of a scored problem in ten-thousandths of the question's
 * points: points × part / max, rounded, within [0, points].  Pure.
 */
long long
finalize_scaled_e4(int points, double part, double max)
{
	double v;

	if (max <= 0 || points <= 0 || !(part > 0))
		return 0;
	v = (double)points * part / max;
	if (v > points)
		v = points;
	return llround(v * 10000.0);
}

/* What finalize_scored() collects for the UPDATE and the group rows. */
struct fin_out {
	struct pgarr	a[5];	/* ids, scores; group sids, paths, scores */
};

/*
 * The scores of the scored submissions named by the literal sids, whose
 * question points are in pts (rows of fin_points), appended to o.
 */
static enum step
finalize_scored(struct wctx *w, const char *sids, PGresult *pts,
    struct fin_out *o)
{
	struct fin_item *it = NULL;
	struct fin_group *g = NULL;
	PGresult *res;
	const char *p[1] = { sids };
	char buf[32];
	double tot, max;
	size_t n, ng, k;
	int i, j, r, points;
	enum step st;

	if ((res = store_execs(w, &st, &fin_groups, p)) == NULL)
		return st;
	st = STEP_RETRY;
	n = (size_t)PQntuples(res);
	if ((it = calloc(n + 1, sizeof(*it))) == NULL ||
	    (g = calloc(n + 1, sizeof(*g))) == NULL)
		goto out;
	for (i = 0; i < (int)n; i = j) {
		for (j = i + 1; j < (int)n && strcmp(PQgetvalue(res, j, 0),
		    PQgetvalue(res, i, 0)) == 0; j++)
			;
		for (k = 0; k < (size_t)(j - i); k++) {
			it[k].group = PQgetvalue(res, i + (int)k, 1);
			it[k].passed = PQgetvalue(res, i + (int)k, 2)[0] == 't';
			it[k].vscore = PQgetisnull(res, i + (int)k, 3) ? NULL :
			    PQgetvalue(res, i + (int)k, 3);
			it[k].settings = PQgetisnull(res, i + (int)k, 4) ? NULL :
			    PQgetvalue(res, i + (int)k, 4);
		}
		finalize_groups(it, (size_t)(j - i), PQgetisnull(res, i, 5) ?
		    NULL : PQgetvalue(res, i, 5), g, &ng, &tot, &max);
		for (points = 0, r = 0; r < PQntuples(pts); r++)
			if (strcmp(PQgetvalue(pts, r, 0), PQgetvalue(res, i, 0)) == 0)
				points = atoi(PQgetvalue(pts, r, 1));
		finalize_score_text(finalize_scaled_e4(points, tot, max), buf,
		    sizeof(buf));
		pgarr_text(&o->a[0], PQgetvalue(res, i, 0));
		pgarr_text(&o->a[1], buf);
		for (k = 0; k < ng; k++) {
			finalize_score_text(finalize_scaled_e4(points, g[k].score,
			    max), buf, sizeof(buf));
			pgarr_text(&o->a[2], PQgetvalue(res, i, 0));
			pgarr_text(&o->a[3], g[k].path);
			pgarr_text(&o->a[4], buf);
		}
	}
	st = STEP_OK;
out:
	free(it);
	free(g);
	PQclear(res);
	return st;
}

/*
 * Finalize the submissions named by the array literal sids ("{…}" of
 * uuids).  STEP_OK, or the failure of a statement (the transaction is
 * then aborted).
 */
enum step
finalize_submissions(struct wctx *w, const char *sids)
{
	struct fin_out o;
	struct pgarr scored;
	PGresult *res;
	const char *p[3];
	char score[32];
	enum step st;
	int r;

	p[0] = sids;
	if ((res = store_execs(w, &st, &fin_points, p)) == NULL)
		return st;
	st = STEP_RETRY;
	if (pgarr_open_all(o.a, 5) == -1)
		goto out_res;
	if (pgarr_open(&scored) == -1)
		goto out_arr;
	for (r = 0; r < PQntuples(res); r++) {
		if (PQgetvalue(res, r, 4)[0] == 't') {
			pgarr_text(&scored, PQgetvalue(res, r, 0));
			continue;
		}
		finalize_score_text(finalize_score_e4(
		    atoi(PQgetvalue(res, r, 1)),
		    strtoll(PQgetvalue(res, r, 2), NULL, 10),
		    strtoll(PQgetvalue(res, r, 3), NULL, 10)),
		    score, sizeof(score));
		pgarr_text(&o.a[0], PQgetvalue(res, r, 0));
		pgarr_text(&o.a[1], score);
	}
	if (scored.n > 0) {
		if (pgarr_close(&scored) == -1)
			goto out;
		if ((st = finalize_scored(w, scored.buf, res, &o)) != STEP_OK)
			goto out;
		st = STEP_RETRY;
	}
	if (o.a[0].n == 0) {
		st = STEP_OK;
		goto out;
	}
	if (pgarr_close(&o.a[0]) == -1 || pgarr_close(&o.a[1]) == -1)
		goto out;
	p[0] = o.a[0].buf;
	p[1] = o.a[1].buf;
	if ((st = store_runs(w, &fin_update, p)) != STEP_OK || scored.n == 0)
		goto out;
	p[0] = scored.buf;
	if ((st = store_runs(w, &fin_gdel, p)) != STEP_OK || o.a[2].n == 0)
		goto out;
	st = STEP_RETRY;
	if (pgarr_close(&o.a[2]) == -1 || pgarr_close(&o.a[3]) == -1 ||
	    pgarr_close(&o.a[4]) == -1)
		goto out;
	p[0] = o.a[2].buf;
	p[1] = o.a[3].buf;
	p[2] = o.a[4].buf;
	st = store_runs(w, &fin_gins, p);
out:
	pgarr_free(&scored);
out_arr:
	pgarr_free_all(o.a, 5);
out_res:
	PQclear(res);
	return st;
}
