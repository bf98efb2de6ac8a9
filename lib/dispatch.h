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
 * A custom or interactive validator's limits, sent in pitwall_validator.
 * XXX: the package's own validation limits (2023-07 limits.validation_*)
 * are not imported yet; these are problemtools-like defaults.
 */
#define DISPATCH_VALIDATOR_TIME_S	10.0
#define DISPATCH_VALIDATOR_MEMORY_KB	1048576

/*
 * The pitwall_validator of question q into *v, files[] sized q->nvfiles
 * (borrowing q's strings): 1 when q has a custom or interactive
 * validator, else 0.
 */
struct judge0_validator;
struct judge0_vfile;
int	dispatch_validator(const struct cache_question *q,
	    struct judge0_validator *v, struct judge0_vfile *files);

/* Seconds to wait before try number `tries` (1, 2, 4, … capped at 60). */
int	dispatch_backoff(int tries);

#endif
