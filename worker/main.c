/*
 * pitwall-worker: drains the callback queue into PostgreSQL.  Started (and
 * restarted) by scripts/worker-supervise from cron.  SIGTERM finishes the
 * current batch and exits.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <sodium.h>

#include "db.h"
#include "extern.h"
#include "judge0.h"
#include "keys.h"
#include "log.h"
#include "metrics.h"
#include "redis.h"

static volatile sig_atomic_t stop_requested;
static volatile sig_atomic_t reopen_requested;

static void
on_signal(int sig)
{
	if (sig == SIGHUP)
		reopen_requested = 1;
	else
		stop_requested = 1;
}

/*
 * pitwall:worker:<id> = unix time, expiring after six missed beats;
 * scripts/worker-supervise and other workers' sweeps read it.
 */
int
heartbeat_beat(struct wctx *w)
{
	redisReply *rep;
	char key[256];

	snprintf(key, sizeof(key), KEY_WORKER_FMT, w->id);
	rep = redis_cmd(w->redis, "SET %s %lld EX %d", key, (long long)time(NULL),
	    w->cfg.worker_heartbeat_s * 6);
	if (rep == NULL)
		return -1;
	freeReplyObject(rep);
	rep = redis_cmd(w->redis, "SADD %s %s", KEY_WORKERS, w->id);
	if (rep == NULL)
		return -1;
	freeReplyObject(rep);
	return 0;
}

/* Housekeeping that must go on even while PostgreSQL is down. */
void
worker_tick(struct wctx *w)
{
	if (reopen_requested) {
		reopen_requested = 0;
		log_reopen();
	}
	if (time(NULL) - w->last_beat >= w->cfg.worker_heartbeat_s &&
	    heartbeat_beat(w) == 0)
		w->last_beat = time(NULL);
	/* Counters to Redis about once a second (lib/metrics.c). */
	if (time(NULL) != w->last_metrics) {
		w->last_metrics = time(NULL);
		(void)metrics_flush(w->redis);
	}
}

/* Sleep about `seconds`, beating; returns early on SIGTERM. */
void
worker_nap(struct wctx *w, int seconds)
{
	int i;

	for (i = 0; i < seconds * 4 && !stop_requested; i++) {
		worker_tick(w);
		usleep(250 * 1000);
	}
}

/* Leave the worker set so nobody sweeps a list we already emptied. */
static void
worker_leave(struct wctx *w)
{
	redisReply *rep;
	char key[256];

	/* Jobs still in our list: let the heartbeat expire and a sweep move them. */
	if ((rep = redis_cmd(w->redis, "LLEN %s", w->processing)) == NULL)
		return;
	if (rep->type != REDIS_REPLY_INTEGER || rep->integer != 0) {
		freeReplyObject(rep);
		return;
	}
	freeReplyObject(rep);
	snprintf(key, sizeof(key), KEY_WORKER_FMT, w->id);
	if ((rep = redis_cmd(w->redis, "DEL %s", key)) != NULL)
		freeReplyObject(rep);
	if ((rep = redis_cmd(w->redis, "SREM %s %s", KEY_WORKERS, w->id)) != NULL)
		freeReplyObject(rep);
}

/*
 * Take a batch and store it; jobs that could not be finished (PostgreSQL
 * or Redis down) stay in the processing list and are retried here, so
 * nothing is taken from the queue meanwhile.
 */
static void
worker_batch(struct wctx *w, struct job *jobs, size_t max)
{
	size_t n, left, i;
	int warned = 0;

	if ((n = queue_take(w, jobs, max)) == 0)
		return;
	metrics_batch(n);
	metrics_count(METRICS_WORKER_JOBS, (long long)n);
	while ((left = store_batch(w, jobs, n)) > 0) {
		if (!warned++)
			log_warn(NULL, "%zu of %zu jobs unfinished (PostgreSQL or "
			    "Redis unavailable); retrying", left, n);
		if (stop_requested) {
			/* Uncommitted: hand them back for the next worker. */
			log_warn(NULL, "stopping with %zu unfinished jobs; "
			    "returning them to the queue", left);
			queue_requeue(w, w->processing);
			break;
		}
		worker_nap(w, 1);
	}
	for (i = 0; i < n; i++)
		job_clear(&jobs[i]);
}

int
main(void)
{
	struct wctx w;
	struct sigaction sa;
	struct job *jobs = NULL;
	char host[64];
	time_t now;
	int rc = 1;

	memset(&w, 0, sizeof(w));
	config_load_or_exit(&w.cfg, CONFIG_NEED_CALLBACK | CONFIG_NEED_DB,
	    "pitwall-worker");
	if (log_init("pitwall-worker", w.cfg.log_level, w.cfg.log_format,
	    w.cfg.log_file) == -1) {
		fprintf(stderr, "pitwall-worker: cannot open PITWALL_LOG_FILE\n");
		return 78;
	}
	if (sodium_init() < 0 || curl_global_init(CURL_GLOBAL_DEFAULT) != 0)
		return 1;
	if (*w.cfg.worker_id != '\0')
		snprintf(w.id, sizeof(w.id), "%s", w.cfg.worker_id);
	else {
		gethostname(host, sizeof(host));
		host[sizeof(host) - 1] = '\0';
		snprintf(w.id, sizeof(w.id), "%s:%ld", host, (long)getpid());
	}
	snprintf(w.processing, sizeof(w.processing), KEY_PROCESSING_FMT, w.id);

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	w.redis = redis_new(&w.cfg, REDIS_ROLE_WORKER);
	w.db = db_new(w.cfg.database_url, w.cfg.db_connect_timeout_s);
	w.cdb = db_new(w.cfg.database_url, w.cfg.db_connect_timeout_s);
	w.judge0 = judge0_new(&w.cfg);
	jobs = calloc((size_t)w.cfg.worker_batch, sizeof(*jobs));
	if (w.redis == NULL || w.db == NULL || w.cdb == NULL ||
	    w.judge0 == NULL || jobs == NULL)
		goto out;
	log_info(NULL, "worker %s started", w.id);

	/* A previous life under the same WORKER_ID left these unfinished. */
	queue_requeue(&w, w.processing);

	while (!stop_requested) {
		worker_tick(&w);
		now = time(NULL);
		if (now - w.last_sweep >= w.cfg.worker_heartbeat_s) {
			queue_sweep(&w);
			w.last_sweep = now;
		}
		if (now - w.last_reap >= w.cfg.worker_reap_interval_s) {
			reaper_pass(&w);
			dispatch_pass(&w);
			w.last_reap = time(NULL);
		}
		if (now != w.last_cbwait) {
			bind_pass(&w);
			w.last_cbwait = now;
		}
		worker_batch(&w, jobs, (size_t)w.cfg.worker_batch);
		if (redis_ctx(w.redis) == NULL)
			worker_nap(&w, 1);	/* Redis down: do not spin */
	}
	log_info(NULL, "worker %s stopping", w.id);
	worker_leave(&w);
	rc = 0;
out:
	free(jobs);
	judge0_free(w.judge0);
	redis_free(w.redis);
	db_free(w.db);
	db_free(w.cdb);
	config_free(&w.cfg);
	curl_global_cleanup();
	return rc;
}
