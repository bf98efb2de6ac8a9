/*
 * Storing a batch of jobs in PostgreSQL, read in this order: store.c
 * (parse the jobs, the prepared statements, the batch driver),
 * store_fast.c (the whole batch at once) and, when a statement fails on
 * the data, store_slow.c (again with a SAVEPOINT per job so one bad job
 * does not abort the others).  Results are stored exactly once: the
 * primary key (submission_id, testcase_id) with ON CONFLICT DO NOTHING
 * decides, and only a new row advances the submission's counters, in
 * the same transaction.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <libpq-fe.h>

#include "attempt.h"
#include "db.h"
#include "extern.h"
#include "json.h"
#include "log.h"
#include "query.h"


static const struct {
	const char	*name;
	const char	*sql;
	int		 nparams;
} stmts[STMT__MAX] = {
	[STMT_SUB_LOCK] = { "pw_sub_lock",
	    "SELECT question_id, judging FROM submissions WHERE id = $1::uuid"
	    " FOR UPDATE",
	    1 },
	[STMT_SUB_INSERT] = { "pw_sub_insert",
	    "INSERT INTO submissions (id, user_id, question_id, language_id,"
	    " source, total, created_at, status) VALUES ($1::uuid, $2::bigint,"
	    " $3::bigint, $4::int, $5::text, $6::int,"
	    " to_timestamp($7::bigint / 1000.0), 'judging')"
	    " ON CONFLICT (id) DO NOTHING", 7 },
	/* The columns of check_tc_row() after the id. */
	[STMT_TC_FETCH] = { "pw_tc_fetch",
	    "SELECT t.id, " TC_COLUMNS " FROM testcases t"
	    " JOIN questions q ON q.id = t.question_id"
	    " WHERE t.id = ANY ($1::bigint[])", 1 },
	[STMT_EXISTS] = { "pw_exists",
	    "SELECT 1 FROM submission_results"
	    " WHERE submission_id = $1::uuid AND testcase_id = $2::bigint", 2 },
	/* A batch's submissions, locked in one order across workers. */
	[STMT_SUBS_LOCK] = { "pw_subs_lock",
	    "SELECT id::text, question_id, judging FROM submissions"
	    " WHERE id = ANY ($1::uuid[]) ORDER BY id FOR UPDATE", 1 },
	[STMT_SUBS_INSERT] = { "pw_subs_insert",
	    "INSERT INTO submissions (id, user_id, question_id, language_id,"
	    " source, total, created_at, status)"
	    " SELECT id, uid, qid, lid, src, total,"
	    "  to_timestamp(ms / 1000.0), 'judging'"
	    " FROM unnest($1::uuid[], $2::bigint[], $3::bigint[], $4::int[],"
	    "  $5::text[], $6::int[], $7::bigint[])"
	    "  AS x(id, uid, qid, lid, src, total, ms)"
	    " ON CONFLICT (id) DO NOTHING", 7 },
	/*
	 * A batch's new results and, per submission, for the rows really
	 * inserted (ON CONFLICT DO NOTHING) only, the counters.  Returns
	 * the submissions whose done reached total.
	 */
	[STMT_BATCH_INSERT] = { "pw_batch_insert",
	    "WITH v AS (SELECT * FROM unnest($1::uuid[], $2::bigint[],"
	    "  $3::text[], $4::int[], $5::text[], $6::bool[], $7::int[],"
	    "  $8::int[], $9::text[], $10::text[], $11::text[], $12::text[],"
	    "  $13::numeric[]) AS v(sid, tid, token, status,"
	    "  verdict, passed, tms, mkb, excerpt, message, jmsg, tmsg, score)),"
	    " ins AS (INSERT INTO submission_results (submission_id, testcase_id,"
	    "  judge_token, status_id, verdict, passed, time_ms, memory_kb,"
	    "  output_excerpt, message, judge_message, team_message,"
	    "  validator_score) SELECT sid, tid, token, status,"
	    "  verdict, passed, tms, mkb, excerpt, message, jmsg, tmsg, score"
	    "  FROM v"
	    "  ON CONFLICT (submission_id, testcase_id) DO NOTHING"
	    "  RETURNING submission_id, passed, time_ms, memory_kb),"
	    " a AS (SELECT submission_id, count(*)::int AS n,"
	    "  (count(*) FILTER (WHERE passed))::int AS p,"
	    "  max(time_ms) AS t, max(memory_kb) AS m FROM ins"
	    "  GROUP BY submission_id),"
	    " upd AS (UPDATE submissions s SET done = s.done + a.n,"
	    "  passed = s.passed + a.p, failed = s.failed + a.n - a.p,"
	    "  max_time_ms = GREATEST(s.max_time_ms, a.t),"
	    "  max_memory_kb = GREATEST(s.max_memory_kb, a.m)"
	    "  FROM a WHERE s.id = a.submission_id"
	    "  RETURNING s.id, s.done = s.total AS fin)"
	    " SELECT id::text FROM upd WHERE fin", 13 },
	/*
	 * The compiler's output, once per submission (sql/008): the first
	 * Compilation Error stored keeps it; later ones (every testcase
	 * compiles again) and duplicates change nothing.
	 */
	[STMT_COMPILE_OUTPUT] = { "pw_compile_output",
	    "UPDATE submissions s SET compile_output = v.co"
	    " FROM (SELECT DISTINCT ON (sid) sid, co"
	    "  FROM unnest($1::uuid[], $2::text[]) AS x(sid, co)"
	    "  ORDER BY sid) AS v"
	    " WHERE s.id = v.sid AND s.compile_output IS NULL", 2 },
	/* STMT_FIN_POINTS and STMT_FINALIZE are finalize.c's. */
};

int
check_tc_row(const PGresult *res, int row, int col, struct check_tc *tc)
{
	size_t len;

	tc->question_id = strtoll(PQgetvalue(res, row, col), NULL, 10);
	tc->expected = PQgetvalue(res, row, col + 1);
	tc->expected_len = (size_t)PQgetlength(res, row, col + 1);
	tc->bytes = NULL;
	/* A binary answer (sql/014): bytea in libpq's hex text form. */
	if (!PQgetisnull(res, row, col + 5)) {
		if ((tc->bytes = PQunescapeBytea((const unsigned char *)
		    PQgetvalue(res, row, col + 5), &len)) == NULL)
			return -1;
		tc->expected = (const char *)tc->bytes;
		tc->expected_len = len;
	}
	/* Native questions (no package_format) keep Judge0's rule. */
	tc->validator = PQgetisnull(res, row, col + 4) ? NULL :
	    PQgetvalue(res, row, col + 2);
	tc->flags = PQgetvalue(res, row, col + 3);
	return 0;
}

void
check_tc_clear(struct check_tc *tc)
{
	if (tc->bytes != NULL)
		PQfreemem(tc->bytes);
	tc->bytes = NULL;
}

void
pend_fill(struct pend *p, const char *jmsg)
{
	const struct verdict_result *r = &p->job->res;
	const char *src;
	size_t srclen;

	src = job_excerpt_src(p->job, p->v, &srclen);
	p->excerpt = verdict_excerpt(src, srclen, EXCERPT_MAX);
	p->message = verdict_excerpt(r->message, r->message_len, EXCERPT_MAX);
	/* The validator's judgemessage.txt, else the worker's own reason. */
	if (r->judgemessage != NULL)
		p->judge_message = verdict_excerpt(r->judgemessage,
		    r->judgemessage_len, MESSAGE_MAX);
	else if (jmsg != NULL && jmsg[0] != '\0')
		p->judge_message = verdict_excerpt(jmsg, strlen(jmsg),
		    MESSAGE_MAX);
	p->team_message = verdict_excerpt(r->teammessage, r->teammessage_len,
	    MESSAGE_MAX);
	p->score = r->score[0] != '\0' ? r->score : NULL;
}

void
pend_clear(struct pend *p)
{
	free(p->excerpt);
	free(p->message);
	free(p->judge_message);
	free(p->team_message);
	p->excerpt = p->message = p->judge_message = p->team_message = NULL;
}

/*
 * Run prepared statement s in the batch transaction (prepared once per
 * PostgreSQL session: after a reconnect again, see db_execp()).  The
 * result (caller PQclear()s), or NULL with *st telling bad data
 * (STEP_DEAD) from a failure to retry (STEP_RETRY).
 */
PGresult *
store_execs(struct wctx *w, enum step *st, const struct db_stmt *s,
    const char *const *params)
{
	struct db_err err;
	PGresult *res;

	if ((res = db_execp(w->db, s, params, &err)) != NULL) {
		*st = STEP_OK;
		return res;
	}
	*st = err.transient ? STEP_RETRY : STEP_DEAD;
	log_warn(NULL, "query failed (%s): %s [%s]",
	    *err.sqlstate ? err.sqlstate : "-", err.message, s->name);
	return NULL;
}

/* store_execs() of a statement whose result is not needed. */
enum step
store_runs(struct wctx *w, const struct db_stmt *s, const char *const *params)
{
	enum step st;
	PGresult *res = store_execs(w, &st, s, params);

	if (res == NULL)
		return st;
	PQclear(res);
	return STEP_OK;
}

/* store_execs() of statement `id` of the table above. */
PGresult *
store_execp(struct wctx *w, enum step *st, enum stmt id,
    const char *const *params)
{
	struct db_stmt s = { (unsigned)id, stmts[id].name, stmts[id].sql,
	    stmts[id].nparams };

	return store_execs(w, st, &s, params);
}

/* store_runs() of statement `id` of the table above. */
enum step
store_runp(struct wctx *w, enum stmt id, const char *const *params)
{
	struct db_stmt s = { (unsigned)id, stmts[id].name, stmts[id].sql,
	    stmts[id].nparams };

	return store_runs(w, &s, params);
}

/*
 * Parse job->raw per keys.h.  0, or -1 with job->reason set.
 */
static int
job_parse(struct wctx *w, struct job *job)
{
	json_object *o = NULL;
	struct jerr jerr;
	const char *type = NULL, *sid = NULL, *body = NULL;
	size_t sidlen = 0, bodylen = 0;
	int64_t tid = 0, attempt = 0, cbat = 0;
	char err[200];
	int rc = -1;

	job->parsed = 1;
	o = json_parse_bounded(job->raw, job->rawlen, 8, &jerr);
	if (o == NULL || !json_object_is_type(o, json_type_object)) {
		snprintf(job->reason, sizeof(job->reason),
		    "job is not a JSON object");
		goto out;
	}
	if (json_get_string(o, "type", 1, 1, 32, &type, NULL, &jerr) == -1 ||
	    json_get_string(o, "s", 1, 1, 64, &sid, &sidlen, &jerr) == -1) {
		snprintf(job->reason, sizeof(job->reason), "bad job: %.200s",
		    jerr.message);
		goto out;
	}
	if (!uuid_valid_n(sid, sidlen)) {
		snprintf(job->reason, sizeof(job->reason),
		    "bad job: s is not a submission id");
		goto out;
	}
	memcpy(job->sid, sid, sidlen);
	job->sid[sidlen] = '\0';
	if (strcmp(type, "submission") == 0) {
		job->type = JOB_SUBMISSION;
		rc = 0;
		goto out;
	}
	if (strcmp(type, "result") != 0) {
		snprintf(job->reason, sizeof(job->reason),
		    "bad job: unknown type");
		goto out;
	}
	job->type = JOB_RESULT;
	if (json_get_int(o, "t", 1, 1, INT64_MAX, &tid, &jerr) == -1 ||
	    json_get_int(o, "a", 1, 1, ATTEMPT_MAX, &attempt, &jerr) == -1 ||
	    json_get_string(o, "body", 1, 2, (size_t)64 << 20, &body, &bodylen,
	    &jerr) == -1) {
		snprintf(job->reason, sizeof(job->reason), "bad job: %.200s",
		    jerr.message);
		goto out;
	}
	job->tid = tid;
	job->attempt = (int)attempt;
	/* Set by /callback only: the result must match its token (bind.c). */
	if (json_get_int(o, "cb", 0, 1, INT64_MAX, &cbat, &jerr) == -1) {
		snprintf(job->reason, sizeof(job->reason), "bad job: %.200s",
		    jerr.message);
		goto out;
	}
	job->callback_at = cbat;
	if (verdict_result_parse(body, bodylen, &job->res, err,
	    sizeof(err)) == -1) {
		snprintf(job->reason, sizeof(job->reason), "bad Judge0 body: %s",
		    err);
		goto out;
	}
	(void)w;
	rc = 0;
out:
	json_object_put(o);
	return rc;
}

/* Lock submissions in one order across workers: fewer deadlocks. */
static int
job_cmp(const void *a, const void *b)
{
	const struct job *const *x = a, *const *y = b;

	return strcmp((*x)->sid, (*y)->sid);
}

/* The fast path, and job by job when it met a poison job. */
static int
store_tx(struct wctx *w, struct job **todo, size_t n)
{
	int rc;

	if ((rc = store_tx_fast(w, todo, n)) != 1)
		return rc;
	log_info(NULL, "a statement failed on a job's data; storing the "
	    "batch of %zu job by job", n);
	return store_tx_safe(w, todo, n);
}

/*
 * Store jobs[0..n) (parsing them first) and finish each one in Redis:
 * the view of each submission rewritten once (pipelined), then the
 * finished jobs removed from the processing list in one round trip.
 * Returns how many are still unfinished: the caller naps and calls again
 * with the same array; finished jobs are skipped.
 */
size_t
store_batch(struct wctx *w, struct job *jobs, size_t n)
{
	struct job **todo, **grp = NULL, **fin = NULL;
	size_t i, k, m = 0, nfin = 0, left = 0;
	int committed = 1;

	todo = calloc(n, sizeof(*todo));
	grp = calloc(n, sizeof(*grp));
	fin = calloc(n, sizeof(*fin));
	if (todo == NULL || grp == NULL || fin == NULL) {
		left = n;
		goto out;
	}
	for (i = 0; i < n; i++) {
		struct job *job = &jobs[i];

		if (job->state == JOB_FINISHED)
			continue;
		if (!job->parsed && job_parse(w, job) == -1)
			job->state = JOB_DEAD;
		if (job->state == JOB_DEAD)
			continue;
		job->state = JOB_NEW;
		/* A callback not bound to its token is not stored. */
		if (bind_check(w, job) == -1 || job->state != JOB_NEW)
			continue;
		todo[m++] = job;
	}
	qsort(todo, m, sizeof(*todo), job_cmp);
	if (m > 0 && store_tx(w, todo, m) == -1)
		committed = 0;
	/* The Redis view of the stored results (in submission order). */
	for (i = 0, k = 0; committed && i < m; i++)
		if (todo[i]->state == JOB_STORED && todo[i]->type == JOB_RESULT)
			grp[k++] = todo[i];
	if (k > 0)
		(void)sync_results(w, grp, k);
	for (i = 0; i < n; i++) {
		struct job *job = &jobs[i];

		if (job->state == JOB_FINISHED)
			continue;
		if ((job->state == JOB_NEW || !committed) &&
		    job->state != JOB_DEAD) {
			left++;
			continue;
		}
		switch (job->state) {
		case JOB_DEAD:
			if (queue_dead(w, job) == -1) {
				left++;
				continue;
			}
			job->state = JOB_FINISHED;
			continue;
		case JOB_IGNORE:
			log_debug(NULL, "submission %s testcase %lld: Judge0 "
			    "status %d is not final; left to the reaper",
			    job->sid, job->tid, job->res.status_id);
			break;
		case JOB_REDISPATCH:
			if (redispatch(w, job->sid, job->tid, job->attempt,
			    job->res.token) == -1) {
				job->state = JOB_NEW;
				left++;
				continue;
			}
			break;
		case JOB_STORED:
			break;
		default:
			job->state = JOB_NEW;
			left++;
			continue;
		}
		fin[nfin++] = job;
	}
	if (queue_done_many(w, fin, nfin) == -1) {
		for (i = 0; i < nfin; i++)
			fin[i]->state = JOB_NEW;
		left += nfin;
	} else
		for (i = 0; i < nfin; i++)
			fin[i]->state = JOB_FINISHED;
out:
	free(todo);
	free(grp);
	free(fin);
	return left;
}
