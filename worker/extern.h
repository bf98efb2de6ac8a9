/*
 * pitwall-worker: private declarations, in the order a batch flows:
 *   main.c        the loop: take, store, publish, done
 *   take.c        take jobs from the queue (BLMOVE, processing list, sweep)
 *   check.c       the one check of a result job, for both paths (pure)
 *   bind.c        a callback's token must be the one dispatch recorded
 *   store.c       parse the jobs and store them in PostgreSQL: the driver
 *   store_fast.c  the whole batch in a handful of statements
 *   store_slow.c  job by job with a SAVEPOINT, when the fast path failed
 *   finalize.c    a submission's last result: status done, score, best
 *   publish.c     after COMMIT: the Redis view, then the live push
 *   reaper.c      on the side: overdue tokens polled, dispatch retries
 *   pgarr.c       helper: PostgreSQL array literals of a batch
 * docs/pipeline.md tells the same story.
 */
#ifndef PITWALL_WORKER_EXTERN_H
#define PITWALL_WORKER_EXTERN_H

#include <stddef.h>
#include <stdio.h>
#include <time.h>

#include "config.h"
#include "verdict.h"

struct db;
struct redis;
struct judge0;

struct wctx {
	struct config	 cfg;
	struct redis	*redis;
	struct db	*db;		/* the worker's transactions */
	struct db	*cdb;		/* cache fills, outside the transactions */
	struct judge0	*judge0;
	char		 id[128];	/* this worker's name: host:pid or WORKER_ID */
	char		 processing[192];	/* its processing list */
	time_t		 last_beat;
	time_t		 last_sweep;
	time_t		 last_reap;
	time_t		 last_cbwait;	/* last bind_pass() */
	time_t		 last_metrics;	/* last metrics_flush() */
};

/* Where a job is on its way through a batch. */
enum job_state {
	JOB_NEW,	/* parsed (or not yet): to be stored */
	JOB_STORED,	/* in PostgreSQL (now or before): refresh Redis */
	JOB_IGNORE,	/* nothing to store (status 1/2) */
	JOB_REDISPATCH,	/* Internal Error below the attempt bound: resend */
	JOB_DEAD,	/* to the dead-letter list with `reason` */
	JOB_FINISHED,	/* removed from the processing list */
	JOB_STATE__MAX
};

enum job_type {
	JOB_SUBMISSION,
	JOB_RESULT,
	JOB_TYPE__MAX
};

/* One queue job.  raw is owned (the exact string, for LREM). */
struct job {
	char			*raw;
	size_t			 rawlen;
	enum job_state		 state;
	int			 parsed;
	enum job_type		 type;
	char			 sid[40];
	long long		 tid;
	int			 attempt;
	struct verdict_result	 res;
	int			 finalized;	/* this job completed the submission */
	long long		 callback_at;	/* unix time /callback queued it; 0: Pitwall's own */
	char			 reason[256];
};

/* main.c */
int	heartbeat_beat(struct wctx *w);
void	worker_tick(struct wctx *w);
void	worker_nap(struct wctx *w, int seconds);

/* take.c: take jobs from the queue, and give them back or drop them. */
size_t	queue_take(struct wctx *w, struct job *jobs, size_t max);
int	queue_done_many(struct wctx *w, struct job *const *jobs, size_t n);
int	queue_dead(struct wctx *w, const struct job *job);
int	queue_dead_raw(struct wctx *w, const char *list, const char *raw,
	    size_t rawlen, const char *reason);
int	queue_requeue(struct wctx *w, const char *list);
int	queue_sweep(struct wctx *w);
int	queue_push_result(struct wctx *w, const char *sid, long long tid,
	    int attempt, const char *body);
void	job_clear(struct job *job);
struct redisReply;
int	queue_reply_ok(struct redisReply *rep);

/* store.c */
size_t	store_batch(struct wctx *w, struct job *jobs, size_t n);

/* publish.c (1/2): the Redis view after COMMIT. */
struct subhash {
	void		*reply;		/* the HGETALL reply the fields point into */
	long long	 user_id;
	long long	 question_id;
	int		 language_id;
	const char	*source;
	size_t		 source_len;
	int		 total;
	long long	 created_at_ms;
};
int	subhash_load(struct wctx *w, const char *sid, struct subhash *h,
	    char *why, size_t whysz);
void	subhash_free(struct subhash *h);
size_t	sync_results(struct wctx *w, struct job *const *jobs, size_t n);

/* publish.c (2/2): best-effort push to the browsers (nchan), after Redis. */
struct live_event {
	const char	*sid;
	const char	*status;	/* queued | judging | done */
	const char	*total, *ndone, *passed, *failed, *score;
	const char	*verdict;	/* submissions.verdict, "" while judging */
	const char	*compile_output;	/* "" when none */
	const char	*const *results; /* JSON of the results this batch stored */
	size_t		 nresults;
	const char	*round_id;	/* the leaderboard to announce when done */
	int		 done;
};
void	live_submission(struct wctx *w, const struct live_event *ev);
void	live_leaderboard(struct wctx *w, long long round_id);
void	live_flush(struct wctx *w);

/* pgarr.c: a PostgreSQL array literal "{…}" of a batch, built in memory. */
struct pgarr {
	FILE	*f;
	char	*buf;	/* the literal, after pgarr_close() */
	size_t	 len;
	int	 n;	/* elements so far */
};
int	pgarr_open(struct pgarr *a);
/* Several at once: on failure none is left open (see pgarr.c). */
int	pgarr_open_all(struct pgarr *a, size_t n);
void	pgarr_free_all(struct pgarr *a, size_t n);
/* Quoted text, or NULL for s NULL. */
void	pgarr_text(struct pgarr *a, const char *s);
/* An integer, or NULL when null. */
void	pgarr_int(struct pgarr *a, long long v, int null);
/* Close the literal: 0 with a->buf complete, or -1. */
int	pgarr_close(struct pgarr *a);
void	pgarr_free(struct pgarr *a);

/*
 * store.c, store_fast.c, store_slow.c: storing a batch in PostgreSQL.
 */
/* output_excerpt and message keep this much. */
#define EXCERPT_MAX	1024
/* judge_message and team_message keep this much (a validator's files
 * may be larger: the judge already cut them to JUDGE_MESSAGE_MAX). */
#define MESSAGE_MAX	(64 * 1024)
/* The testcase columns check_tc_row() reads (t testcases, q questions). */
#define TC_COLUMNS	"t.question_id, t.expected_output, q.validator," \
	" coalesce(t.validator_flags, q.validator_flags), q.package_format," \
	" t.answer_bytes"

/* How a job's step ended. */
enum step {
	STEP_OK,
	STEP_DEAD,	/* the job's data is bad: dead letter, others go on */
	STEP_RETRY,	/* PostgreSQL or Redis failed: roll back everything */
	STEP__MAX
};

/* Statements prepared once per session on w->db (db_execp()). */
enum stmt {
	STMT_SUB_LOCK,
	STMT_SUB_INSERT,
	STMT_TC_FETCH,
	STMT_EXISTS,
	STMT_SUBS_LOCK,
	STMT_SUBS_INSERT,
	STMT_BATCH_INSERT,
	STMT_COMPILE_OUTPUT,
	STMT_FIN_POINTS,	/* finalize.c */
	STMT_FINALIZE,		/* finalize.c */
	STMT_FIN_GROUPS,	/* finalize.c */
	STMT_FIN_GDEL,		/* finalize.c */
	STMT_FIN_GINS,		/* finalize.c */
	STMT__MAX
};

/* Run a prepared statement in the batch transaction (store.c). */
struct db_stmt;
struct pg_result *store_execs(struct wctx *w, enum step *st,
		    const struct db_stmt *s, const char *const *params);
enum step	 store_runs(struct wctx *w, const struct db_stmt *s,
		    const char *const *params);
/* The same, of store.c's table of statements. */
struct pg_result *store_execp(struct wctx *w, enum step *st, enum stmt id,
		    const char *const *params);
enum step	 store_runp(struct wctx *w, enum stmt id,
		    const char *const *params);
/* A result to insert, with what it keeps of the output. */
struct pend {
	struct job	*job;
	enum verdict	 v;
	char		*excerpt;
	char		*message;
	char		*judge_message;	/* jury only; NULL: none */
	char		*team_message;	/* shown to the contestant */
	const char	*score;		/* validator_score; NULL: none */
};
/* Fill p's texts from its job and verdict (jmsg: check_result's). */
void		 pend_fill(struct pend *p, const char *jmsg);
void		 pend_clear(struct pend *p);
/* store_fast.c: results inserted and counted once, the one way (both paths). */
enum step	 store_results(struct wctx *w, struct pend *pend, size_t np);
/* store_fast.c: the whole batch: 0 committed, -1 retry, 1 redo job by job. */
int		 store_tx_fast(struct wctx *w, struct job **todo, size_t n);
/* store_slow.c: job by job with a SAVEPOINT: 0 committed, -1 retry. */
int		 store_tx_safe(struct wctx *w, struct job **todo, size_t n);

/*
 * finalize.c: the submissions named by the uuid[] literal sids are
 * complete: status done, score, best_scores.  Their score in
 * ten-thousandths (pure), and as numeric text.
 */
enum step	 finalize_submissions(struct wctx *w, const char *sids);
long long	 finalize_score_e4(int question_points, long long passed_points,
		    long long total_points);
void		 finalize_score_text(long long e4, char *buf, size_t size);
/* A scored problem's secret results, in ordinal (tree) order. */
struct fin_item {
	const char	*group;		/* testcases.group_path */
	const char	*settings;	/* testcase_groups.settings (JSON), or NULL */
	int		 passed;
	const char	*vscore;	/* validator_score as text, or NULL */
};
/* A part of a root (a subtask) and its counted score, in package units. */
struct fin_group {
	char		 path[256];
	double		 score;
};
void		 finalize_groups(const struct fin_item *it, size_t n,
		    const char *groups, struct fin_group *g, size_t *ng,
		    double *score, double *max);
long long	 finalize_scaled_e4(int points, double part, double max);

/* check.c: the one check of a result job, for both paths. */
enum check {
	CHECK_STORE,		/* a final result: store it */
	CHECK_STALE,		/* of an earlier judging: ignore */
	CHECK_PENDING,		/* Judge0 status 1/2, not a result: ignore */
	CHECK_RESEND,		/* Internal Error below the attempt bound */
	CHECK_NO_TESTCASE,	/* dead: no such testcase */
	CHECK_OTHER_QUESTION,	/* dead: another question's testcase */
	CHECK_BAD_STATUS,	/* dead: a status Judge0 does not have */
	CHECK__MAX
};
/* The testcase a result names, as PostgreSQL has it. */
struct check_tc {
	long long	 question_id;
	const char	*expected;
	size_t		 expected_len;
	/* questions.validator ("default", "custom", "interactive") and
	 * validator_flags; validator NULL: a Pitwall-native question,
	 * judged by Judge0's exact rule (docs/judge.md). */
	const char	*validator;
	const char	*flags;
	/* A binary answer's bytes (testcases.answer_bytes), which expected
	 * points to; owned (check_tc_clear). */
	unsigned char	*bytes;
};
/*
 * What to do with result job (its submission of question qid, rejudged
 * `judging` times; tc NULL when the testcase is unknown).  *v is the
 * verdict for CHECK_STORE (and VERDICT_IE otherwise); jmsg (jmsgsz > 0)
 * gets the worker's own judge message for the jury ("" when none: the
 * default validator's Wrong Answer, a missing validation).  Pure.
 */
enum check	 check_result(const struct job *job, long long qid,
		    int judging, const struct check_tc *tc, int max_attempts,
		    enum verdict *v, char *jmsg, size_t jmsgsz);
/* store.c: the check_tc of the TC_COLUMNS of a row, starting at col;
 * its strings point into res but a binary answer's bytes (freed by
 * check_tc_clear).  0, or -1 when memory ran out. */
struct pg_result;
int		 check_tc_row(const struct pg_result *res, int row, int col,
		    struct check_tc *tc);
void		 check_tc_clear(struct check_tc *tc);
void		 check_apply(struct job *job, enum check c, int judging);
const char	*job_excerpt_src(const struct job *job, enum verdict v,
		    size_t *len);

/* bind.c: a callback's result is bound to its recorded token. */
/*
 * Check the token of a result job that came through /callback against
 * pitwall:tokens: recorded for the job's (submission, testcase,
 * attempt), the job is left as it was; a duplicate of a stored result is
 * JOB_IGNORE; one that may have outran its dispatch is put on
 * pitwall:cbwait and JOB_IGNORE; any other is JOB_DEAD with a reason.
 * 0, or -1 when Redis failed (nothing decided).
 */
int	bind_check(struct wctx *w, struct job *job);
/* Move the jobs of pitwall:cbwait that are due back to the queue.  0 / -1. */
int	bind_pass(struct wctx *w);

/* reaper.c */
int	reaper_pass(struct wctx *w);
int	dispatch_pass(struct wctx *w);
int	redispatch(struct wctx *w, const char *sid, long long tid, int attempt,
	    const char *token);

#endif
