/*
 * Storing a batch of jobs in one PostgreSQL transaction, a SAVEPOINT per
 * job so one bad job does not abort the others.  Results are stored
 * exactly once: the primary key (submission_id, testcase_id) with ON
 * CONFLICT DO NOTHING decides, and only a new row advances the
 * submission's counters, in the same transaction.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <libpq-fe.h>

#include "db.h"
#include "extern.h"
#include "json.h"
#include "keys.h"
#include "log.h"
#include "redis.h"

/* output_excerpt and message keep this much. */
#define EXCERPT_MAX	1024

/* How a job's step ended. */
enum step {
	STEP_OK,
	STEP_DEAD,	/* the job's data is bad: dead letter, others go on */
	STEP_RETRY,	/* PostgreSQL or Redis failed: roll back everything */
	STEP__MAX
};

/*
 * Run one statement inside the batch transaction.  db_exec() hides the
 * SQLSTATE, and the worker must tell bad data (dead letter) from a
 * server that went away or a deadlock (retry), hence libpq directly.
 * Returns the result (caller PQclear()s) or NULL with *st set.
 */
static PGresult *
store_exec(struct wctx *w, enum step *st, const char *sql, int n,
    const char *const *params)
{
	PGconn *c = db_conn(w->db);
	PGresult *res;
	const char *state;
	ExecStatusType rs;

	*st = STEP_RETRY;
	if (c == NULL || PQstatus(c) != CONNECTION_OK)
		return NULL;
	res = PQexecParams(c, sql, n, NULL, params, NULL, NULL, 0);
	rs = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
	if (rs == PGRES_COMMAND_OK || rs == PGRES_TUPLES_OK) {
		*st = STEP_OK;
		return res;
	}
	state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	if (PQstatus(c) == CONNECTION_OK && state != NULL &&
	    strncmp(state, "08", 2) != 0 &&	/* connection */
	    strncmp(state, "40", 2) != 0 &&	/* deadlock, serialization */
	    strncmp(state, "53", 2) != 0 &&	/* out of resources */
	    strncmp(state, "57", 2) != 0 &&	/* shutdown, cancel */
	    strncmp(state, "58", 2) != 0 &&	/* system error */
	    strncmp(state, "XX", 2) != 0)
		*st = STEP_DEAD;
	log_warn(NULL, "query failed (%s): %s [%.50s]", state ? state : "-",
	    res ? PQresultErrorMessage(res) : PQerrorMessage(c), sql);
	PQclear(res);
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
	    json_get_int(o, "a", 1, 1, 1000, &attempt, &jerr) == -1 ||
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
};

/*
 * Make sure the submission row exists (from the Redis hash when not) and
 * lock it, so concurrent workers advance its counters one at a time.
 */
static enum step
sub_ensure(struct wctx *w, struct job *job, struct subrow *row)
{
	static const char sel[] =
	    "SELECT question_id FROM submissions WHERE id = $1 FOR UPDATE";
	static const char ins[] =
	    "INSERT INTO submissions (id, user_id, question_id, language_id,"
	    " source, total, created_at, status) VALUES ($1, $2, $3, $4, $5, $6,"
	    " to_timestamp($7::bigint / 1000.0), 'judging')"
	    " ON CONFLICT (id) DO NOTHING";
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
		if ((res = store_exec(w, &st, sel, 1, p)) == NULL)
			goto out;
		if (PQntuples(res) == 1) {
			row->question_id = strtoll(PQgetvalue(res, 0, 0), NULL,
			    10);
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
		if ((st = store_run(w, ins, 7, p)) != STEP_OK) {
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

/*
 * All testcases are in: status done, the score (question points ×
 * passed points / total points of the submission's testcases), and the
 * user's best for the question, replaced only when strictly better (or
 * equal and reached earlier), so ties go to whoever got there first.
 */
static enum step
sub_finalize(struct wctx *w, struct job *job)
{
	static const char fin[] =
	    "UPDATE submissions s SET status = 'done', finished_at = now(),"
	    " score = CASE WHEN a.tp > 0"
	    "  THEN round(q.points::numeric * a.pp / a.tp, 4) ELSE 0 END"
	    " FROM questions q, (SELECT"
	    "  COALESCE(sum(t.points) FILTER (WHERE r.passed), 0) AS pp,"
	    "  COALESCE(sum(t.points), 0) AS tp"
	    "  FROM submission_results r JOIN testcases t ON t.id = r.testcase_id"
	    "  WHERE r.submission_id = $1) a"
	    " WHERE s.id = $1 AND q.id = s.question_id";
	static const char best[] =
	    "INSERT INTO best_scores AS b (user_id, question_id, score,"
	    " submission_id, achieved_at)"
	    " SELECT user_id, question_id, score, id, created_at"
	    " FROM submissions WHERE id = $1"
	    " ON CONFLICT (user_id, question_id) DO UPDATE SET"
	    " score = EXCLUDED.score, submission_id = EXCLUDED.submission_id,"
	    " achieved_at = EXCLUDED.achieved_at"
	    " WHERE EXCLUDED.score > b.score OR (EXCLUDED.score = b.score"
	    " AND EXCLUDED.achieved_at < b.achieved_at)";
	const char *p[1] = { job->sid };
	enum step st;

	if ((st = store_run(w, fin, 1, p)) != STEP_OK ||
	    (st = store_run(w, best, 1, p)) != STEP_OK)
		return st;
	job->finalized = 1;
	return STEP_OK;
}

/* The text Pitwall keeps of a result's output. */
static const char *
job_excerpt_src(const struct job *job, enum verdict v, size_t *len)
{
	const struct verdict_result *r = &job->res;

	if (v == VERDICT_CE && r->compile_output != NULL) {
		*len = r->compile_output_len;
		return r->compile_output;
	}
	if (r->out != NULL && r->out_len > 0) {
		*len = r->out_len;
		return r->out;
	}
	*len = r->err_len;
	return r->err;
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
	PGresult *res = NULL;
	enum verdict v = VERDICT_IE;
	enum verdict_rc vrc;
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
	if ((res = store_exec(w, &st, tc, 1, p)) == NULL)
		goto out;
	if (PQntuples(res) != 1) {
		snprintf(job->reason, sizeof(job->reason),
		    "unknown testcase %lld", job->tid);
		st = STEP_DEAD;
		goto out;
	}
	if (strtoll(PQgetvalue(res, 0, 0), NULL, 10) != row.question_id) {
		snprintf(job->reason, sizeof(job->reason),
		    "testcase %lld is not of submission %s's question",
		    job->tid, job->sid);
		st = STEP_DEAD;
		goto out;
	}
	vrc = verdict_from_status(r->status_id, r->out, r->out_len,
	    PQgetvalue(res, 0, 1), (size_t)PQgetlength(res, 0, 1), &v);
	PQclear(res);
	res = NULL;
	if (vrc == VERDICT_BAD_STATUS) {
		snprintf(job->reason, sizeof(job->reason),
		    "unknown Judge0 status %d", r->status_id);
		st = STEP_DEAD;
		goto out;
	}
	if (vrc == VERDICT_PENDING) {
		/* Not a result: the reaper polls the token again. */
		job->state = JOB_IGNORE;
		st = STEP_OK;
		goto out;
	}

	p[0] = job->sid;
	p[1] = tid;
	if (r->status_id == J0_STATUS_INTERNAL &&
	    job->attempt < w->cfg.worker_max_attempts) {
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
 * The database part of a batch.  0 when committed (each job is now
 * STORED, IGNORE, REDISPATCH or DEAD), -1 when everything was rolled back
 * and is to be retried.
 */
static int
store_tx(struct wctx *w, struct job **todo, size_t n)
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

/* What follows the commit for one job: Redis.  0 / -1 (retry the job). */
static int
job_after(struct wctx *w, struct job *job)
{
	switch (job->state) {
	case JOB_DEAD:
		return queue_dead(w, job);
	case JOB_IGNORE:
		log_debug(NULL, "submission %s testcase %lld: Judge0 status %d "
		    "is not final; left to the reaper", job->sid, job->tid,
		    job->res.status_id);
		return queue_done(w, job);
	case JOB_REDISPATCH:
		if (redispatch(w, job->sid, job->tid, job->attempt,
		    job->res.token) == -1)
			return -1;
		return queue_done(w, job);
	case JOB_STORED:
		if (job->type == JOB_RESULT && sync_result(w, job) == -1)
			return -1;
		return queue_done(w, job);
	default:
		return -1;
	}
}

/*
 * Store jobs[0..n) (parsing them first) and finish each one in Redis.
 * Returns how many are still unfinished: the caller naps and calls again
 * with the same array; finished jobs are skipped.
 */
size_t
store_batch(struct wctx *w, struct job *jobs, size_t n)
{
	struct job **todo;
	size_t i, m = 0, left = 0;
	int committed = 1;

	if ((todo = calloc(n, sizeof(*todo))) == NULL)
		return n;
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
	for (i = 0; i < n; i++) {
		struct job *job = &jobs[i];

		if (job->state == JOB_FINISHED)
			continue;
		if (job->state == JOB_NEW || !committed) {
			if (job->state != JOB_DEAD) {
				left++;
				continue;
			}
		}
		if (job_after(w, job) == -1) {
			if (job->state != JOB_DEAD)
				job->state = JOB_NEW;
			left++;
			continue;
		}
		job->state = JOB_FINISHED;
	}
	free(todo);
	return left;
}
