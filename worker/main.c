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
#include "log.h"
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

int
heartbeat_beat(struct wctx *w)
{
	redisReply *rep;
	char key[256];

	snprintf(key, sizeof(key), "pitwall:worker:%s", w->id);
	rep = redis_cmd(w->redis, "SET %s %lld EX %d", key, (long long)time(NULL),
	    w->cfg.worker_heartbeat_s * 6);
	if (rep == NULL)
		return -1;
	freeReplyObject(rep);
	rep = redis_cmd(w->redis, "SADD pitwall:workers %s", w->id);
	if (rep == NULL)
		return -1;
	freeReplyObject(rep);
	return 0;
}

int
main(void)
{
	struct wctx w;
	struct sigaction sa;
	char host[64];
	time_t last_beat = 0;

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
	snprintf(w.processing, sizeof(w.processing), "pitwall:processing:%s", w.id);

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	w.redis = redis_new(&w.cfg);
	w.db = db_new(w.cfg.database_url, w.cfg.db_connect_timeout_s);
	if (w.redis == NULL || w.db == NULL)
		return 1;
	log_info(NULL, "worker %s started", w.id);

	while (!stop_requested) {
		if (reopen_requested) {
			reopen_requested = 0;
			log_reopen();
		}
		if (time(NULL) - last_beat >= w.cfg.worker_heartbeat_s &&
		    heartbeat_beat(&w) == 0)
			last_beat = time(NULL);
		sleep(1);
	}
	log_info(NULL, "worker %s stopping", w.id);
	redis_free(w.redis);
	db_free(w.db);
	config_free(&w.cfg);
	curl_global_cleanup();
	return 0;
}
