/*
 * The worker's fast path for a batch: every job checked before any SQL,
 * then one transaction with a handful of statements for the whole batch
 * (lock or create the submissions' rows, fetch their testcases, insert
 * every result with one INSERT that also advances the counters by the
 * rows really inserted, finalize those that got their last testcase).
 * store_slow.c redoes it with a SAVEPOINT per job when a statement fails
 * on the data.  Exactly once as there: the primary key (submission_id,
 * testcase_id) with ON CONFLICT DO NOTHING decides.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libpq-fe.h>

#include "db.h"
#include "extern.h"

/* Testcases of a batch by id, fetched with one query. */
struct tcrow {
	long long	 id;
	struct check_tc	 ct;
};

struct tcset {
	PGresult	*res;
	struct tcrow	*rows;
	size_t		 n;
};

static int
tcrow_cmp(const void *a, const void *b)
{
	const struct tcrow *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

static void
tcset_free(struct tcset *t)
{
	size_t i;

	for (i = 0; t->rows != NULL && i < t->n; i++)
		check_tc_clear(&t->rows[i].ct);
	PQclear(t->res);
	free(t->rows);
	memset(t, 0, sizeof(*t));
}

static const struct tcrow *
tcset_find(const struct tcset *t, long long id)
{
	struct tcrow key;

	if (t->n == 0)
		return NULL;
	key.id = id;
	return bsearch(&key, t->rows, t->n, sizeof(*t->rows), tcrow_cmp);
}

/* The testcases the result jobs of todo[0..n) name. */
static enum step
tcset_fetch(struct wctx *w, struct job **todo, size_t n, struct tcset *t)
{
	struct pgarr ids;
	const char *p[1];
	enum step st;
	size_t i;

	memset(t, 0, sizeof(*t));
	if (pgarr_open(&ids) == -1)
		return STEP_RETRY;
	for (i = 0; i < n; i++)
		if (todo[i]->type == JOB_RESULT)
			pgarr_int(&ids, todo[i]->tid, 0);
	if (ids.n == 0) {
		pgarr_free(&ids);
		return STEP_OK;
	}
	if (pgarr_close(&ids) == -1) {
		pgarr_free(&ids);
		return STEP_RETRY;
	}
	p[0] = ids.buf;
	t->res = store_execp(w, &st, STMT_TC_FETCH, p);
	pgarr_free(&ids);
	if (t->res == NULL)
		return st;
	t->n = (size_t)PQntuples(t->res);
	if (t->n > 0 && (t->rows = calloc(t->n, sizeof(*t->rows))) == NULL) {
		tcset_free(t);
		return STEP_RETRY;
	}
	for (i = 0; i < t->n; i++) {
		t->rows[i].id = strtoll(PQgetvalue(t->res, (int)i, 0), NULL, 10);
		if (check_tc_row(t->res, (int)i, 1, &t->rows[i].ct) == -1) {
			tcset_free(t);
			return STEP_RETRY;
		}
	}
	if (t->n > 1)
		qsort(t->rows, t->n, sizeof(*t->rows), tcrow_cmp);
	return STEP_OK;
}

static void
pend_free(struct pend *p, size_t n)
{
	size_t i;

	for (i = 0; p != NULL && i < n; i++)
		pend_clear(&p[i]);
	free(p);
}

/*
 * Check the jobs g[0..n) of one submission (question qid, rejudged
 * `judging` times) before any SQL, with check.c's one check: unknown
 * testcase, another question's, bad status become dead letters without
 * touching the transaction; results of an earlier judging are ignored.
 * The results to store are appended
 * to pend[*np] (one per testcase: later ones are duplicates).  0.
 */
static int
group_check(struct wctx *w, struct job **g, size_t n, long long qid,
    int judging, const struct tcset *tcs, struct pend *pend, size_t *np)
{
	const struct tcrow *tc;
	enum check c;
	enum verdict v;
	size_t i, k, first = *np;
	char jmsg[512];

	for (i = 0; i < n; i++) {
		struct job *job = g[i];

		job->finalized = 0;
		if (job->type == JOB_SUBMISSION) {
			job->state = JOB_STORED;
			continue;
		}
		tc = tcset_find(tcs, job->tid);
		c = check_result(job, qid, judging, tc != NULL ? &tc->ct : NULL,
		    w->cfg.worker_max_attempts, &v, jmsg, sizeof(jmsg));
		check_apply(job, c, judging);
		if (c != CHECK_STORE)
			continue;	/* CHECK_RESEND decided after the INSERT */
		for (k = first; k < *np; k++)
			if (pend[k].job->tid == job->tid)
				break;
		if (k < *np)
			continue;	/* a duplicate in this batch */
		pend[*np].job = job;
		pend[*np].v = v;
		pend_fill(&pend[*np], jmsg);
		(*np)++;
	}
	return 0;
}

/*
 * Keep the compiler's output of the Compilation Errors among pend[0..np)
 * on their submissions (STMT_COMPILE_OUTPUT: once each), cut to
 * OUTPUT_LIMIT_BYTES as valid UTF-8.  In the results' transaction.
 */
static enum step
store_compile_output(struct wctx *w, struct pend *pend, size_t np)
{
	struct pgarr cols[2];
	const char *params[2];
	enum step st = STEP_RETRY;
	char *co;
	size_t i;

	if (pgarr_open_all(cols, 2) == -1)
		return STEP_RETRY;
	for (i = 0; i < np; i++) {
		const struct verdict_result *vr = &pend[i].job->res;

		if (pend[i].v != VERDICT_CE || vr->compile_output == NULL ||
		    vr->compile_output_len == 0)
			continue;
		if ((co = verdict_excerpt(vr->compile_output,
		    vr->compile_output_len,
		    (size_t)w->cfg.output_limit_bytes)) == NULL)
			goto out;
		pgarr_text(&cols[0], pend[i].job->sid);
		pgarr_text(&cols[1], co);
		free(co);
	}
	st = STEP_OK;
	if (cols[0].n == 0)
		goto out;
	st = STEP_RETRY;
	if (pgarr_close(&cols[0]) == -1 || pgarr_close(&cols[1]) == -1)
		goto out;
	params[0] = cols[0].buf;
	params[1] = cols[1].buf;
	st = store_runp(w, STMT_COMPILE_OUTPUT, params);
out:
	pgarr_free_all(cols, 2);
	return st;
}

/*
 * Store the results pend[0..np) with one INSERT that also advances each
 * submission's counters (done, passed, failed, max time and memory) by
 * the rows really inserted, so a duplicate counts once, keep the
 * compiler's output of a Compilation Error on its submission, and finalize
 * (finalize.c) the submissions that got their last testcase.  The one
 * way results are stored, for this path and store_slow.c.  STEP_DEAD
 * means a statement failed on the data: the transaction is aborted.
 */
enum step
store_results(struct wctx *w, struct pend *pend, size_t np)
{
	struct pgarr cols[13], fin;
	PGresult *res = NULL;
	const char *params[13];
	enum step st = STEP_RETRY;
	size_t i, k;
	int r;

	memset(&fin, 0, sizeof(fin));
	if (np == 0)
		return STEP_OK;
	if (pgarr_open_all(cols, 13) == -1)
		return STEP_RETRY;
	if (pgarr_open(&fin) == -1)
		goto out;
	for (i = 0; i < np; i++) {
		const struct verdict_result *vr = &pend[i].job->res;

		pgarr_text(&cols[0], pend[i].job->sid);
		pgarr_int(&cols[1], pend[i].job->tid, 0);
		pgarr_text(&cols[2], vr->token[0] ? vr->token : NULL);
		pgarr_int(&cols[3], vr->status_id, 0);
		pgarr_text(&cols[4], verdict_name(pend[i].v));
		pgarr_text(&cols[5], pend[i].v == VERDICT_AC ? "t" : "f");
		pgarr_int(&cols[6], vr->time_ms, vr->time_ms < 0);
		pgarr_int(&cols[7], vr->memory_kb, vr->memory_kb < 0);
		pgarr_text(&cols[8], pend[i].excerpt);
		pgarr_text(&cols[9], pend[i].message);
		pgarr_text(&cols[10], pend[i].judge_message);
		pgarr_text(&cols[11], pend[i].team_message);
		pgarr_text(&cols[12], pend[i].score);
	}
	for (k = 0; k < 13; k++) {
		if (pgarr_close(&cols[k]) == -1)
			goto out;
		params[k] = cols[k].buf;
	}
	if ((res = store_execp(w, &st, STMT_BATCH_INSERT, params)) == NULL)
		goto out;
	if ((st = store_compile_output(w, pend, np)) != STEP_OK)
		goto out;
	for (r = 0; r < PQntuples(res); r++) {
		pgarr_text(&fin, PQgetvalue(res, r, 0));
		/* For the log: the last job of that submission. */
		for (i = np; i-- > 0; )
			if (strcasecmp(pend[i].job->sid,
			    PQgetvalue(res, r, 0)) == 0) {
				pend[i].job->finalized = 1;
				break;
			}
	}
	st = STEP_OK;
	if (fin.n > 0) {
		if (pgarr_close(&fin) == -1)
			st = STEP_RETRY;
		else
			st = finalize_submissions(w, fin.buf);
	}
out:
	PQclear(res);
	pgarr_free_all(cols, 13);
	pgarr_free(&fin);
	return st;
}

/*
 * Store pend[0..np) (store_results()), then decide the Internal Errors
 * of todo[0..n): resent unless a result is already stored.  STEP_DEAD
 * means a statement failed on the data: the transaction is aborted and
 * the caller redoes the batch job by job.
 */
static enum step
batch_insert(struct wctx *w, struct pend *pend, size_t np, struct job **todo,
    size_t n)
{
	PGresult *res;
	const char *params[2];
	char tid[24];
	enum step st;
	size_t i;

	if ((st = store_results(w, pend, np)) != STEP_OK)
		return st;
	for (i = 0; i < n; i++) {
		if (todo[i]->state != JOB_REDISPATCH)
			continue;
		snprintf(tid, sizeof(tid), "%lld", todo[i]->tid);
		params[0] = todo[i]->sid;
		params[1] = tid;
		if ((res = store_execp(w, &st, STMT_EXISTS, params)) == NULL)
			return st;
		if (PQntuples(res) > 0)
			todo[i]->state = JOB_STORED;
		PQclear(res);
	}
	return STEP_OK;
}

/* The question of each submission of a batch, by position in sids. */
struct sublocks {
	size_t		  n;
	const char	**sid;		/* one job's sid per submission */
	long long	 *qid;		/* 0: no row (yet) */
	int		 *judging;	/* submissions.judging */
};

static void
sublocks_free(struct sublocks *l)
{
	free(l->sid);
	free(l->qid);
	free(l->judging);
	memset(l, 0, sizeof(*l));
}

/* Lock the rows of the submissions in l with qid 0; fill their qid. */
static enum step
sublocks_lock(struct wctx *w, struct sublocks *l)
{
	struct pgarr ids;
	PGresult *res;
	const char *p[1];
	enum step st;
	size_t i;
	int r;

	if (pgarr_open(&ids) == -1)
		return STEP_RETRY;
	for (i = 0; i < l->n; i++)
		if (l->qid[i] == 0)
			pgarr_text(&ids, l->sid[i]);
	if (pgarr_close(&ids) == -1) {
		pgarr_free(&ids);
		return STEP_RETRY;
	}
	p[0] = ids.buf;
	res = store_execp(w, &st, STMT_SUBS_LOCK, p);
	pgarr_free(&ids);
	if (res == NULL)
		return st;
	for (r = 0; r < PQntuples(res); r++)
		for (i = 0; i < l->n; i++)
			if (l->qid[i] == 0 && strcasecmp(PQgetvalue(res, r, 0),
			    l->sid[i]) == 0) {
				l->qid[i] = strtoll(PQgetvalue(res, r, 1), NULL,
				    10);
				l->judging[i] = atoi(PQgetvalue(res, r, 2));
			}
	PQclear(res);
	return STEP_OK;
}

/*
 * Make sure every submission of the batch has its row (inserted from
 * the Redis hashes of those without, in one statement) and lock them all.
 * STEP_DEAD when one cannot be (no hash, unknown user …): the caller
 * redoes the batch job by job, where that job becomes a dead letter.
 */
static enum step
sublocks_take(struct wctx *w, struct job **todo, size_t n, struct sublocks *l)
{
	struct subhash *h = NULL;
	struct pgarr cols[7];
	const char *p[7];
	char why[128];
	enum step st = STEP_RETRY;
	size_t i, k, miss = 0;
	int hrc;

	memset(l, 0, sizeof(*l));
	memset(cols, 0, sizeof(cols));
	if ((l->sid = calloc(n, sizeof(*l->sid))) == NULL ||
	    (l->qid = calloc(n, sizeof(*l->qid))) == NULL ||
	    (l->judging = calloc(n, sizeof(*l->judging))) == NULL)
		return STEP_RETRY;
	for (i = 0; i < n; i++)
		if (i == 0 || strcmp(todo[i]->sid, todo[i - 1]->sid) != 0)
			l->sid[l->n++] = todo[i]->sid;
	if ((st = sublocks_lock(w, l)) != STEP_OK)
		return st;
	for (i = 0; i < l->n; i++)
		if (l->qid[i] == 0)
			miss++;
	if (miss == 0)
		return STEP_OK;
	st = STEP_RETRY;
	if ((h = calloc(l->n, sizeof(*h))) == NULL)
		goto out;
	for (k = 0; k < 7; k++)
		if (pgarr_open(&cols[k]) == -1)
			goto out;
	for (i = 0; i < l->n; i++) {
		if (l->qid[i] != 0)
			continue;
		hrc = subhash_load(w, l->sid[i], &h[i], why, sizeof(why));
		if (hrc == -1)
			goto out;
		if (hrc != 0) {
			st = STEP_DEAD;
			goto out;
		}
		pgarr_text(&cols[0], l->sid[i]);
		pgarr_int(&cols[1], h[i].user_id, 0);
		pgarr_int(&cols[2], h[i].question_id, 0);
		pgarr_int(&cols[3], h[i].language_id, 0);
		pgarr_text(&cols[4], h[i].source);
		pgarr_int(&cols[5], h[i].total, 0);
		pgarr_int(&cols[6], h[i].created_at_ms, 0);
	}
	for (k = 0; k < 7; k++) {
		if (pgarr_close(&cols[k]) == -1)
			goto out;
		p[k] = cols[k].buf;
	}
	if ((st = store_runp(w, STMT_SUBS_INSERT, p)) != STEP_OK)
		goto out;
	if ((st = sublocks_lock(w, l)) != STEP_OK)
		goto out;
	for (i = 0; i < l->n; i++)
		if (l->qid[i] == 0) {
			st = STEP_DEAD;	/* vanished: see sub_ensure() */
			goto out;
		}
	st = STEP_OK;
out:
	for (k = 0; k < 7; k++)
		pgarr_free(&cols[k]);
	for (i = 0; h != NULL && i < l->n; i++)
		subhash_free(&h[i]);
	free(h);
	return st;
}

/*
 * The batch in one transaction without savepoints: jobs are checked
 * before SQL, so a statement failing on the data is rare.  0 when
 * committed, -1 when rolled back (retry), 1 when rolled back because a
 * statement failed on the data (redo with store_tx_safe()).
 */
int
store_tx_fast(struct wctx *w, struct job **todo, size_t n)
{
	struct sublocks locks;
	struct tcset tcs;
	struct pend *pend = NULL;
	enum step st;
	size_t i, j, g, np = 0;
	int rc = -1;

	memset(&tcs, 0, sizeof(tcs));
	memset(&locks, 0, sizeof(locks));
	if (db_ensure(w->db) == -1 || db_begin(w->db) == -1)
		return -1;
	if ((st = sublocks_take(w, todo, n, &locks)) != STEP_OK ||
	    (st = tcset_fetch(w, todo, n, &tcs)) != STEP_OK)
		goto fail;
	if ((pend = calloc(n, sizeof(*pend))) == NULL) {
		st = STEP_RETRY;
		goto fail;
	}
	for (i = 0, g = 0; i < n; i = j, g++) {
		for (j = i + 1; j < n && strcmp(todo[j]->sid, todo[i]->sid) == 0;
		    j++)
			;
		if (group_check(w, todo + i, j - i, locks.qid[g],
		    locks.judging[g], &tcs, pend, &np) == -1) {
			st = STEP_RETRY;
			goto fail;
		}
	}
	if ((st = batch_insert(w, pend, np, todo, n)) != STEP_OK)
		goto fail;
	pend_free(pend, np);
	tcset_free(&tcs);
	sublocks_free(&locks);
	if (db_commit(w->db) == -1)
		goto fail_committed;
	return 0;
fail:
	pend_free(pend, np);
	tcset_free(&tcs);
	sublocks_free(&locks);
	db_rollback(w->db);
	if (st == STEP_DEAD)
		rc = 1;
fail_committed:
	for (i = 0; i < n; i++) {
		todo[i]->state = JOB_NEW;
		todo[i]->finalized = 0;
	}
	return rc;
}
