/*
 * The slow path of storing a batch (store.c): job by job in one
 * transaction, with a SAVEPOINT per job, so that a job failing on its
 * data becomes a dead letter and the others go on.  Taken only when
 * the fast path (store_fast.c) met a statement failing on the data.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "attempt.h"
#include "db.h"
#include "extern.h"
#include "log.h"


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

static enum step
job_store_result(struct wctx *w, struct job *job)
{
	static const char tc[] =
	    "SELECT " TC_COLUMNS " FROM testcases t"
	    " JOIN questions q ON q.id = t.question_id WHERE t.id = $1";
	struct subrow row;
	struct check_tc ct, *ctp = NULL;
	struct pend pend;
	PGresult *res = NULL;
	enum verdict v = VERDICT_IE;
	enum check c;
	enum step st;
	const char *p[2];
	char tid[24], jmsg[512];

	if ((st = sub_ensure(w, job, &row)) != STEP_OK)
		return st;
	snprintf(tid, sizeof(tid), "%lld", job->tid);
	p[0] = tid;
	/* The testcase is fetched only for a result of the current judging. */
	if (attempt_judging(job->attempt) >= row.judging) {
		if ((res = store_exec(w, &st, tc, 1, p)) == NULL)
			goto out;
		if (PQntuples(res) == 1) {
			if (check_tc_row(res, 0, 0, &ct) == -1) {
				st = STEP_RETRY;
				goto out;
			}
			ctp = &ct;
		}
	}
	c = check_result(job, row.question_id, row.judging, ctp,
	    w->cfg.worker_max_attempts, &v, jmsg, sizeof(jmsg));
	if (ctp != NULL)
		check_tc_clear(ctp);
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
		if ((res = store_execp(w, &st, STMT_EXISTS, p)) == NULL)
			goto out;
		job->state = PQntuples(res) ? JOB_STORED : JOB_REDISPATCH;
		st = STEP_OK;
		goto out;
	}

	/* Stored and counted as the fast path does: store_results(). */
	memset(&pend, 0, sizeof(pend));
	pend.job = job;
	pend.v = v;
	pend_fill(&pend, jmsg);
	if ((st = store_results(w, &pend, 1)) == STEP_OK)
		job->state = JOB_STORED;
	pend_clear(&pend);
out:
	PQclear(res);
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

/*
 * The database part of a batch, job by job with a SAVEPOINT each, so
 * that a job failing on its data becomes a dead letter and the others
 * go on.  0 when committed (each job is now STORED, IGNORE, REDISPATCH
 * or DEAD), -1 when everything was rolled back and is to be retried.
 */
int
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
