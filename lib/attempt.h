/*
 * Attempt numbers, as signed into callback URLs and carried by result
 * jobs: judging × ATTEMPT_JUDGING + try.  `judging` counts the rejudges
 * of a submission (0 the first time, submissions.judging in PostgreSQL);
 * `try` counts the sends of one testcase within one judging (1 ..
 * WORKER_MAX_ATTEMPTS).  So a result of an earlier judging (a duplicate
 * callback, a late one) is told from a current one by its attempt alone.
 */
#ifndef PITWALL_ATTEMPT_H
#define PITWALL_ATTEMPT_H

#define ATTEMPT_JUDGING	1000
#define ATTEMPT_MAX	(1000 * ATTEMPT_JUDGING - 1)
#define ATTEMPT_TRIES_MAX	20	/* WORKER_MAX_ATTEMPTS's maximum */

/* The first attempt of judging number j. */
static inline int
attempt_first(int judging)
{
	return judging * ATTEMPT_JUDGING + 1;
}

static inline int
attempt_judging(int attempt)
{
	return attempt / ATTEMPT_JUDGING;
}

static inline int
attempt_try(int attempt)
{
	return attempt % ATTEMPT_JUDGING;
}

#endif
