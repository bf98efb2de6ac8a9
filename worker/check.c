/*
 * The one check of a result job, shared by the fast path (store_fast.c,
 * the whole batch checked before any SQL) and the slow one (store_slow.c,
 * job by job with a SAVEPOINT): given the job, its submission's row and the
 * testcase it names, what is to be done with it.  check_result() is pure
 * (no I/O, no log), so it is unit-tested (tests/unit/test_check.c);
 * check_apply() turns its answer into the job's state.
 */
#include <stdio.h>
#include <string.h>

#include "attempt.h"
#include "extern.h"
#include "log.h"
#include "metrics.h"

enum check
check_result(const struct job *job, long long qid, int judging,
    const struct check_tc *tc, int max_attempts, enum verdict *v)
{
	const struct verdict_result *r = &job->res;
	enum verdict_rc vrc;

	*v = VERDICT_IE;
	/* A result of an earlier judging of a submission rejudged since (a
	 * duplicate or late callback of the old run): the current judging's
	 * result is still to come, whatever this one says. */
	if (attempt_judging(job->attempt) < judging)
		return CHECK_STALE;
	if (tc == NULL)
		return CHECK_NO_TESTCASE;
	if (tc->question_id != qid)
		return CHECK_OTHER_QUESTION;
	vrc = verdict_from_status(r->status_id, r->out, r->out_len,
	    tc->expected, tc->expected_len, v);
	if (vrc == VERDICT_BAD_STATUS)
		return CHECK_BAD_STATUS;
	if (vrc == VERDICT_PENDING)
		return CHECK_PENDING;	/* the reaper polls the token again */
	*v = verdict_refine(*v, r->message, r->message_len);
	/* Worth another try, unless a result is stored already. */
	if (r->status_id == J0_STATUS_INTERNAL &&
	    attempt_try(job->attempt) < max_attempts)
		return CHECK_RESEND;
	return CHECK_STORE;
}

/*
 * Set job's state from c (and its dead-letter reason); log and count a
 * stale result.  JOB_STORED for CHECK_STORE; the caller stores it.
 */
void
check_apply(struct job *job, enum check c, int judging)
{
	switch (c) {
	case CHECK_STORE:
		job->state = JOB_STORED;
		break;
	case CHECK_STALE:
		log_info(NULL, "submission %s testcase %lld: result of judging "
		    "%d ignored, the submission was rejudged (judging %d)",
		    job->sid, job->tid, attempt_judging(job->attempt), judging);
		metrics_count(METRICS_STALE_RESULTS, 1);
		job->state = JOB_IGNORE;
		break;
	case CHECK_PENDING:
		job->state = JOB_IGNORE;
		break;
	case CHECK_RESEND:
		job->state = JOB_REDISPATCH;	/* unless stored: see callers */
		break;
	case CHECK_NO_TESTCASE:
		snprintf(job->reason, sizeof(job->reason),
		    "unknown testcase %lld", job->tid);
		job->state = JOB_DEAD;
		break;
	case CHECK_OTHER_QUESTION:
		snprintf(job->reason, sizeof(job->reason),
		    "testcase %lld is not of submission %s's question",
		    job->tid, job->sid);
		job->state = JOB_DEAD;
		break;
	case CHECK_BAD_STATUS:
	default:
		snprintf(job->reason, sizeof(job->reason),
		    "unknown Judge0 status %d", job->res.status_id);
		job->state = JOB_DEAD;
		break;
	}
}

/* The text Pitwall keeps of a result's output. */
const char *
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
