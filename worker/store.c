/*
 * Storing a batch of jobs in PostgreSQL: first as a whole (batch.c);
 * when a statement fails on the data, again in one transaction with a
 * SAVEPOINT per job so one bad job does not abort the others.  Results
 * are stored exactly once: the primary key (submission_id, testcase_id)
 * with ON CONFLICT DO NOTHING decides, and only a new row advances the
 * submission's counters, in the same transaction.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>
#include <libpq-fe.h>

#include "attempt.h"
#include "db.h"
#include "extern.h"
#include "json.h"
#include "keys.h"
#include "log.h"
#include "metrics.h"
#include "redis.h"

/*
 * Run one statement inside the batch transaction: the worker must tell
 * bad data (dead letter) from a server that went away or a deadlock
 * (retry), which lib/db.c's db_err says.  Returns the result (caller
 * PQclear()s) or NULL with *st set.
 */
static PGresult *
store_exec(struct wctx *w, enum step *st, const char *sql, int n,
    const char *const *params)
{
	struct db_err err;
	PGresult *res;

	if ((res = db_exec_err(w->db, sql, n, params, &err)) != NULL) {
		*st = STEP_OK;
		return res;
	}
	*st = err.transient ? STEP_RETRY : STEP_DEAD;
	log_warn(NULL, "query failed (%s): %s [%.50s]",
	    *err.sqlstate ? err.sqlstate : "-", err.message, sql);
	return NULL;
}

/* A statement whose result is not needed.  STEP_OK or the failure. */
static enum step
store_run(struct wctx *w, const char *sql, int n, const char *const *params)
{
	enum step st;
	PGresult *res = store_exec(w, &st, sql, n, params);

	if (res == NULL)
		return st;
	PQclear(res);
	return STEP_OK;
}

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
	[STMT_TC_FETCH] = { "pw_tc_fetch",
	    "SELECT id, question_id, expected_output FROM testcases"
	    " WHERE id = ANY ($1::bigint[])", 1 },
	[STMT_EXISTS] = { "pw_exists",
	    "SELECT 1 FROM submission_results"
	    " WHERE submission_id = $1::uuid AND testcase_id = $2::bigint", 2 },
	/*
	 * All testcases are in: status done, the score (question points ×
	 * passed points / total points of the submission's testcases), and
	 * the user's best for the question, replaced only when strictly
	 * better (or equal and reached earlier), so ties go to whoever got
	 * there first.
	 */
	[STMT_FINALIZE] = { "pw_finalize",
	    "WITH f AS (UPDATE submissions s SET status = 'done',"
	    " finished_at = now(),"
	    " score = CASE WHEN a.tp > 0"
	    "  THEN round(q.points::numeric * a.pp / a.tp, 4) ELSE 0 END"
	    " FROM questions q, (SELECT"
	    "  COALESCE(sum(t.points) FILTER (WHERE r.passed), 0) AS pp,"
	    "  COALESCE(sum(t.points), 0) AS tp"
	    "  FROM submission_results r JOIN testcases t ON t.id = r.testcase_id"
	    "  WHERE r.submission_id = $1::uuid) a"
	    " WHERE s.id = $1::uuid AND q.id = s.question_id"
	    " RETURNING s.user_id, s.question_id, s.score, s.id, s.created_at)"
	    " INSERT INTO best_scores AS b (user_id, question_id, score,"
	    " submission_id, achieved_at)"
	    " SELECT user_id, question_id, score, id, created_at FROM f"
	    " ON CONFLICT (user_id, question_id) DO UPDATE SET"
	    " score = EXCLUDED.score, submission_id = EXCLUDED.submission_id,"
	    " achieved_at = EXCLUDED.achieved_at"
	    " WHERE EXCLUDED.score > b.score OR (EXCLUDED.score = b.score"
	    " AND EXCLUDED.achieved_at < b.achieved_at)", 1 },
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
	    "  $8::int[], $9::text[], $10::text[]) AS v(sid, tid, token, status,"
	    "  verdict, passed, tms, mkb, excerpt, message)),"
	    " ins AS (INSERT INTO submission_results (submission_id, testcase_id,"
	    "  judge_token, status_id, verdict, passed, time_ms, memory_kb,"
	    "  output_excerpt, message) SELECT sid, tid, token, status,"
	    "  verdict, passed, tms, mkb, excerpt, message FROM v"
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
	    " SELECT id::text FROM upd WHERE fin", 10 },
	/*
	 * STMT_FINALIZE for several submissions: of one user's on one
	 * question only the best (then earliest) meets best_scores, as if
	 * they were finalized one after the other.
	 */
	[STMT_BATCH_FINALIZE] = { "pw_batch_finalize",
	    "WITH f AS (UPDATE submissions s SET status = 'done',"
	    " finished_at = now(),"
	    " score = CASE WHEN a.tp > 0"
	    "  THEN round(q.points::numeric * a.pp / a.tp, 4) ELSE 0 END"
	    " FROM questions q, (SELECT x.id,"
	    "  COALESCE(sum(t.points) FILTER (WHERE r.passed), 0) AS pp,"
	    "  COALESCE(sum(t.points), 0) AS tp"
	    "  FROM unnest($1::uuid[]) AS x(id)"
	    "  LEFT JOIN submission_results r ON r.submission_id = x.id"
	    "  LEFT JOIN testcases t ON t.id = r.testcase_id GROUP BY x.id) a"
	    " WHERE s.id = a.id AND q.id = s.question_id"
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
	    " AND EXCLUDED.achieved_at < b.achieved_at)", 1 },
};

/*
 * As store_exec(), with statement `id` prepared (once per PostgreSQL
 * session: after a reconnect they are prepared again, see db_execp()).
 */
PGresult *
store_execp(struct wctx *w, enum step *st, enum stmt id,
    const char *const *params)
{
	struct db_stmt s = { (unsigned)id, stmts[id].name, stmts[id].sql,
	    stmts[id].nparams };
	struct db_err err;
	PGresult *res;

	if ((res = db_execp(w->db, &s, params, &err)) != NULL) {
		*st = STEP_OK;
		return res;
	}
	*st = err.transient ? STEP_RETRY : STEP_DEAD;
	log_warn(NULL, "query failed (%s): %s [%s]",
	    *err.sqlstate ? err.sqlstate : "-", err.message, stmts[id].name);
	return NULL;
}

/* A prepared statement whose result is not needed. */
enum step
store_runp(struct wctx *w, enum stmt id, const char *const *params)
{
	enum step st;
	PGresult *res = store_execp(w, &st, id, params);

	if (res == NULL)
		return st;
	PQclear(res);
	return STEP_OK;
}

static int
uuid_valid(const char *s, size_t len)
{
	size_t i;

	if (len != 36)
		return 0;
	for (i = 0; i < len; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return 0;
		} else if (!isxdigit((unsigned char)s[i]))
			return 0;
	}
	return 1;
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
	int64_t tid = 0, attempt = 0;
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
	if (!uuid_valid(sid, sidlen)) {
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

/* The submission row as the result path needs it. */
struct subrow {
	long long	question_id;
	int		judging;	/* rejudges so far: see lib/attempt.h */
};

/*
 * Make sure the submission row exists (from the Redis hash when not) and
 * lock it, so concurrent workers advance its counters one at a time.
 */
static enum step
sub_ensure(struct wctx *w, struct job *job, struct subrow *row)
{
	const char *p[7];
	char uid[24], qid[24], lid[16], total[16], created[24];
	struct subhash h;
	PGresult *res = NULL;
	enum step st;
	char why[128];
	int pass, hrc;

	memset(&h, 0, sizeof(h));
	p[0] = job->sid;
	for (pass = 0; pass < 2; pass++) {
		if ((res = store_execp(w, &st, STMT_SUB_LOCK, p)) == NULL)
			goto out;
		if (PQntuples(res) == 1) {
			row->question_id = strtoll(PQgetvalue(res, 0, 0), NULL,
			    10);
			row->judging = atoi(PQgetvalue(res, 0, 1));
			st = STEP_OK;
			goto out;
		}
		PQclear(res);
		res = NULL;
		if (pass == 1)
			break;
		hrc = subhash_load(w, job->sid, &h, why, sizeof(why));
		if (hrc == -1) {
			st = STEP_RETRY;
			goto out;
		}
		if (hrc != 0) {
			snprintf(job->reason, sizeof(job->reason), "%s", why);
			st = STEP_DEAD;
			goto out;
		}
		snprintf(uid, sizeof(uid), "%lld", h.user_id);
		snprintf(qid, sizeof(qid), "%lld", h.question_id);
		snprintf(lid, sizeof(lid), "%d", h.language_id);
		snprintf(total, sizeof(total), "%d", h.total);
		snprintf(created, sizeof(created), "%lld", h.created_at_ms);
		p[1] = uid;
		p[2] = qid;
		p[3] = lid;
		p[4] = h.source;
		p[5] = total;
		p[6] = created;
		if ((st = store_runp(w, STMT_SUB_INSERT, p)) != STEP_OK) {
			if (st == STEP_DEAD)
				snprintf(job->reason, sizeof(job->reason),
				    "submission %s refers to an unknown user, "
				    "question or language", job->sid);
			goto out;
		}
	}
	snprintf(job->reason, sizeof(job->reason),
	    "submission %s vanished while being stored", job->sid);
	st = STEP_DEAD;
out:
	PQclear(res);
	subhash_free(&h);
	return st;
}

/* All testcases are in: score, status done, best_scores (STMT_FINALIZE). */
static enum step
sub_finalize(struct wctx *w, struct job *job)
{
	const char *p[1] = { job->sid };
	enum step st;

	if ((st = store_runp(w, STMT_FINALIZE, p)) != STEP_OK)
		return st;
	job->finalized = 1;
	return STEP_OK;
}

static enum step
job_store_result(struct wctx *w, struct job *job)
{
	static const char tc[] =
	    "SELECT question_id, expected_output FROM testcases WHERE id = $1";
	static const char exists[] =
	    "SELECT 1 FROM submission_results"
	    " WHERE submission_id = $1 AND testcase_id = $2";
	static const char ins[] =
	    "INSERT INTO submission_results (submission_id, testcase_id,"
	    " judge_token, status_id, verdict, passed, time_ms, memory_kb,"
	    " output_excerpt, message) VALUES ($1, $2, $3, $4, $5, $6, $7, $8,"
	    " $9, $10) ON CONFLICT (submission_id, testcase_id) DO NOTHING"
	    " RETURNING 1";
	static const char adv[] =
	    "UPDATE submissions SET done = done + 1,"
	    " passed = passed + $2::int, failed = failed + 1 - $2::int,"
	    " max_time_ms = GREATEST(max_time_ms, $3::int),"
	    " max_memory_kb = GREATEST(max_memory_kb, $4::int)"
	    " WHERE id = $1 RETURNING done = total";
	const struct verdict_result *r = &job->res;
	struct subrow row;
	struct check_tc ct, *ctp = NULL;
	PGresult *res = NULL;
	enum verdict v = VERDICT_IE;
	enum check c;
	enum step st;
	const char *p[10], *src;
	char tid[24], status[8], tms[16], mkb[16];
	char *excerpt = NULL, *message = NULL;
	size_t srclen;
	int new_row;

	if ((st = sub_ensure(w, job, &row)) != STEP_OK)
		return st;
	snprintf(tid, sizeof(tid), "%lld", job->tid);
	p[0] = tid;
	/* The testcase is fetched only for a result of the current judging. */
	if (attempt_judging(job->attempt) >= row.judging) {
		if ((res = store_exec(w, &st, tc, 1, p)) == NULL)
			goto out;
		if (PQntuples(res) == 1) {
			ct.question_id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
			ct.expected = PQgetvalue(res, 0, 1);
			ct.expected_len = (size_t)PQgetlength(res, 0, 1);
			ctp = &ct;
		}
	}
	c = check_result(job, row.question_id, row.judging, ctp,
	    w->cfg.worker_max_attempts, &v);
	PQclear(res);
	res = NULL;
	check_apply(job, c, row.judging);
	st = STEP_OK;
	if (job->state == JOB_DEAD)
		st = STEP_DEAD;
	if (c != CHECK_STORE && c != CHECK_RESEND)
		goto out;

	p[0] = job->sid;
	p[1] = tid;
	if (c == CHECK_RESEND) {
		/* Worth another try, unless a result is already stored. */
		if ((res = store_exec(w, &st, exists, 2, p)) == NULL)
			goto out;
		job->state = PQntuples(res) ? JOB_STORED : JOB_REDISPATCH;
		st = STEP_OK;
		goto out;
	}

	snprintf(status, sizeof(status), "%d", r->status_id);
	snprintf(tms, sizeof(tms), "%d", r->time_ms);
	snprintf(mkb, sizeof(mkb), "%d", r->memory_kb);
	src = job_excerpt_src(job, v, &srclen);
	excerpt = verdict_excerpt(src, srclen, EXCERPT_MAX);
	message = verdict_excerpt(r->message, r->message_len, EXCERPT_MAX);
	p[2] = r->token[0] ? r->token : NULL;
	p[3] = status;
	p[4] = verdict_name(v);
	p[5] = v == VERDICT_AC ? "true" : "false";
	p[6] = r->time_ms >= 0 ? tms : NULL;
	p[7] = r->memory_kb >= 0 ? mkb : NULL;
	p[8] = excerpt;
	p[9] = message;
	if ((res = store_exec(w, &st, ins, 10, p)) == NULL)
		goto out;
	new_row = PQntuples(res) == 1;
	PQclear(res);
	res = NULL;
	job->state = JOB_STORED;
	st = STEP_OK;
	if (!new_row)
		goto out;	/* a duplicate: counted once already */

	p[1] = v == VERDICT_AC ? "1" : "0";
	p[2] = p[6];
	p[3] = p[7];
	if ((res = store_exec(w, &st, adv, 4, p)) == NULL)
		goto out;
	if (PQntuples(res) == 1 && strcmp(PQgetvalue(res, 0, 0), "t") == 0)
		st = sub_finalize(w, job);
out:
	PQclear(res);
	free(excerpt);
	free(message);
	return st;
}

static enum step
job_store(struct wctx *w, struct job *job)
{
	struct subrow row;
	enum step st;

	job->finalized = 0;
	if (job->type == JOB_SUBMISSION) {
		if ((st = sub_ensure(w, job, &row)) == STEP_OK)
			job->state = JOB_STORED;
		return st;
	}
	return job_store_result(w, job);
}

/* Lock submissions in one order across workers: fewer deadlocks. */
static int
job_cmp(const void *a, const void *b)
{
	const struct job *const *x = a, *const *y = b;

	return strcmp((*x)->sid, (*y)->sid);
}

/*
 * The database part of a batch, job by job with a SAVEPOINT each, so
 * that a job failing on its data becomes a dead letter and the others
 * go on.  0 when committed (each job is now STORED, IGNORE, REDISPATCH
 * or DEAD), -1 when everything was rolled back and is to be retried.
 */
static int
store_tx_safe(struct wctx *w, struct job **todo, size_t n)
{
	size_t i;
	enum step st;

	if (db_ensure(w->db) == -1 || db_begin(w->db) == -1)
		return -1;
	for (i = 0; i < n; i++) {
		struct job *job = todo[i];

		if (store_run(w, "SAVEPOINT job", 0, NULL) != STEP_OK)
			goto fail;
		st = job_store(w, job);
		if (st == STEP_RETRY)
			goto fail;
		if (st == STEP_DEAD) {
			job->state = JOB_DEAD;
			job->finalized = 0;
			if (store_run(w, "ROLLBACK TO SAVEPOINT job", 0,
			    NULL) != STEP_OK)
				goto fail;
		}
		if (store_run(w, "RELEASE SAVEPOINT job", 0, NULL) != STEP_OK)
			goto fail;
	}
	if (db_commit(w->db) == -1)
		goto fail_committed;
	return 0;
fail:
	db_rollback(w->db);
fail_committed:
	for (i = 0; i < n; i++) {
		todo[i]->state = JOB_NEW;
		todo[i]->finalized = 0;
	}
	return -1;
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
