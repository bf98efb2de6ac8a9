/*
 * Sending a submission's testcases to Judge0 (used by /submit and by the
 * worker's dispatch retry and reaper).
 */
#ifndef PITWALL_DISPATCH_H
#define PITWALL_DISPATCH_H

#include <stddef.h>

struct config;
struct judge0;
struct redis;
struct cache_question;
struct cache_language;

struct dispatch_sub {
	const char			*sid;
	const char			*source;
	size_t				 source_len;
	const struct cache_question	*q;
	const struct cache_language	*lang;
	long long			 user_id;	/* fair-queue key; 0: none */
};

/* memory_limit for Judge0 (KB): the question's limit clamped to what
 * Judge0 accepts, DISPATCH_MEMORY_MIN_KB..DISPATCH_MEMORY_MAX_KB.  The one
 * clamp of /submit's dispatch and of /run. */
#define DISPATCH_MEMORY_MIN_KB	2048
#define DISPATCH_MEMORY_MAX_KB	512000
int	dispatch_memory_kb(int memory_limit_kb);

/* cpu_time_limit for Judge0: question limit × multiplier, clamped to max. */
double	dispatch_cpu_limit(const struct config *cfg, int time_limit_ms,
	    double multiplier);
/* wall_time_limit for Judge0 from that CPU limit: 2 × cpu + 1 s, within
 * Judge0's 1–20 s, so a sleeping program is TLE without holding a box
 * for Judge0's default 10 s. */
double	dispatch_wall_limit(double cpu_limit);

/*
 * Send the testcases tids[0..n) (ids of sub->q's tests) at `attempt` in
 * batches of JUDGE0_BATCH_SIZE with signed callback URLs.  For each token:
 * HSET pitwall:tokens, ZADD pitwall:deadlines.  Items Judge0 refused (422)
 * become result jobs with status 13 and Judge0's message.  Batches Judge0
 * did not take (unavailable) are put on pitwall:dispatch with backoff
 * (`tries` is how many times this set was tried before).
 * Returns the number of testcases Judge0 took, or -1 when Redis failed.
 */
int	dispatch_send(struct redis *r, struct judge0 *j, const struct config *cfg,
	    const struct dispatch_sub *sub, const long long *tids, size_t n,
	    int attempt, int tries, const char *reqid);

/*
 * A custom or interactive validator's limits, sent in pitwall_validator,
 * when the package gives none (limits.validation_time, validation_memory:
 * questions.validation_time_ms, validation_memory_kb).
 */
#define DISPATCH_VALIDATOR_TIME_S	10.0
#define DISPATCH_VALIDATOR_MEMORY_KB	1048576

/*
 * The pitwall_validator of testcase tc (NULL: the question's settings) of
 * question q into *v, files[] sized q->nvfiles (borrowing q's and tc's
 * strings): 1 when q has a custom or interactive validator, else 0.  The
 * one definition of what the judge is told about a validator: /submit's
 * dispatch, /run and `pitwall-admin verify` all build it here.
 */
struct judge0_validator;
struct judge0_vfile;
struct cache_testcase;
int	dispatch_validator(const struct cache_question *q,
	    const struct cache_testcase *tc, struct judge0_validator *v,
	    struct judge0_vfile *files);
/* The output validator flags testcase tc is judged with (never NULL). */
const char *dispatch_flags(const struct cache_question *q,
	    const struct cache_testcase *tc);
/* The validator name verdict_judge() takes for q: NULL for a question of
 * Pitwall's own format (Judge0's exact rule). */
const char *dispatch_validator_name(const struct cache_question *q);

/* Seconds to wait before try number `tries` (1, 2, 4, … capped at 60). */
int	dispatch_backoff(int tries);

#endif
