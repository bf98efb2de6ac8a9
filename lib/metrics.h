/*
 * Metrics: per-process counters kept in memory with relaxed atomics (one
 * increment per event, no lock, no I/O on the request path), published as
 * deltas to one Redis hash (KEY_METRICS) by metrics_flush() about once a
 * second with a single pipelined round trip.  Every process of every
 * program adds into the same hash, so the hash *is* the aggregate over
 * processes and threads, and it survives restarts and reloads (counters
 * never go backwards).  GET /metrics renders the hash plus live gauges
 * (queue lengths) in Prometheus' text format.  docs/metrics.md lists the
 * metrics and what they mean.
 *
 * The state is process-global on purpose: events come from every thread
 * and from library code (the Judge0 client) that has no context to pass.
 */
#ifndef PITWALL_METRICS_H
#define PITWALL_METRICS_H

#include <stddef.h>

struct redis;

/* Plain counters (pitwall_<name>_total). */
enum metrics_counter {
	METRICS_REAPER_RECOVERED,	/* overdue token re-polled and queued */
	METRICS_REAPER_RESUBMITTED,	/* stuck/IE testcase sent to Judge0 again */
	METRICS_REAPER_GAVE_UP,		/* recorded as Internal Error after the bound */
	METRICS_DISPATCH_RETRIES,	/* dispatch-retry entries resent by a worker */
	METRICS_DEAD_LETTERS,		/* jobs moved to pitwall:dead */
	METRICS_ORPHANS_REQUEUED,	/* jobs of dead workers moved back to the queue */
	METRICS_WORKER_JOBS,		/* queue jobs taken by workers */
	METRICS_STALE_RESULTS,		/* results of a judging before a rejudge, ignored */
	METRICS_LIVE_SENT,		/* live push messages nchan took */
	METRICS_LIVE_FAILED,		/* live push messages that failed */
	METRICS_COUNTER__MAX
};

/* Most routes a program may name with metrics_routes(); one more is "other". */
#define METRICS_ROUTES_MAX	31

/*
 * Name the routes of this program (labels of the HTTP metrics).  Index i
 * of metrics_http() is names[i]; an index >= n is "other".  Call once at
 * start, before any thread runs; the strings must outlive the process.
 */
void	metrics_routes(const char *const *names, size_t n);

/* One HTTP request on route index `route` answered `status` in `seconds`. */
void	metrics_http(size_t route, int status, double seconds);

/* Outcomes of a Judge0 request. */
enum metrics_j0_outcome {
	METRICS_J0_OK,		/* 2xx */
	METRICS_J0_REJECTED,	/* other 4xx */
	METRICS_J0_UNAVAILABLE,	/* 5xx, 429, 503 queue full */
	METRICS_J0_TRANSPORT,	/* connect error, reset, reply too large */
	METRICS_J0_TIMEOUT,	/* no answer within the timeout */
	METRICS_J0_OUTCOME__MAX
};

/* Judge0 operations. */
enum metrics_j0_op {
	METRICS_J0_BATCH_SUBMIT,	/* POST /submissions/batch */
	METRICS_J0_BATCH_GET,		/* GET /submissions/batch */
	METRICS_J0_SUBMIT,		/* POST /submissions (wait or not) */
	METRICS_J0_OTHER,
	METRICS_J0_OP__MAX
};

/* One Judge0 request: which, how it ended, how long it took. */
void	metrics_judge0(enum metrics_j0_op op, enum metrics_j0_outcome outcome,
	    double seconds);

/* The outcome for an HTTP status (0 = transport error) or curl timeout. */
enum metrics_j0_outcome metrics_j0_outcome_of(long http_status, int timed_out);

/* Add n to a counter. */
void	metrics_count(enum metrics_counter c, long long n);

/* A worker batch of n jobs (histogram of batch sizes). */
void	metrics_batch(size_t n);

/*
 * Send what changed since the last successful flush to Redis (HINCRBY /
 * HINCRBYFLOAT, pipelined).  Call from one thread only (the main thread
 * of the responder, the worker's loop).  0, or -1 when Redis failed (the
 * deltas are sent again next time; a reply lost half-way may count a
 * delta twice, which is the cheaper error for a monitoring counter).
 */
int	metrics_flush(struct redis *r);

/*
 * The Prometheus text exposition of the Redis hash and of live gauges
 * (queue, processing, dead-letter, dispatch-retry and token lengths,
 * workers alive).  Returns a malloc'd NUL-terminated string (caller
 * frees) with its length in *len, or NULL when Redis failed.
 */
char	*metrics_render(struct redis *r, size_t *len);

#endif
