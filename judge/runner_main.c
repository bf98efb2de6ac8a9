/*
 * judge/runner_main.c — pitwall-judge-runner: drains the job queues and
 * runs each submission through the executor (sandbox + compile cache),
 * storing the result in the submission's hash.  Started as root by
 * scripts/judge (per-box uids and cgroups need it), one per core by default.
 *
 * Order (store_take): single submissions (/run, /runcustom) first, then
 * jobs given back by dead runners, then batches in turn by lane (one
 * contestant's, or one batch's), so one contestant's many submissions
 * cannot starve the others.  Idle runners block on judge:wake.
 *
 * Reliability: a job moves atomically (one script) from its queue to this
 * runner's judge:processing:<id> and leaves it only after the result is
 * stored, so a runner killed mid-job loses nothing: its heartbeat key
 * expires and any other runner moves its lists back to judge:queue (on
 * start and every heartbeat).  A submission that has already been attempted
 * RUNNER_MAX_ATTEMPTS times is finished as Internal Error instead of
 * killing runner after runner.
 *
 * Threads: the main thread runs the boxes (the sandbox's death signal is
 * bound to the thread that forks, so that thread must live as long as the
 * box); a heartbeat thread keeps the heartbeat and re-queues dead runners'
 * jobs; a callback thread delivers callbacks from judge:callbacks with the
 * same processing-list pattern.  Signals: SIGTERM finishes the job in hand
 * and exits.  No signal is ignored or blocked in the main thread, since
 * dispositions of ignored signals and the mask would pass to the boxes.
 */
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "config.h"
#include "log.h"
#include "redis.h"
#include "service.h"

#define RUNNER_MAX_ATTEMPTS	3

struct runner {
	struct config	 cfg;
	struct exec	*ex;
	char		 host[64];	/* JUDGE_HOST_NAME or gethostname() */
	char		 id[128];
	double		 block_s;	/* longest blocking Redis call */
};

static volatile sig_atomic_t stopping;

static void
on_stop(int sig)
{
	(void)sig;
	stopping = 1;
}

/* A handler, not SIG_IGN: handlers are reset by exec, so boxes get the
 * default SIGPIPE. */
static void
on_pipe(int sig)
{
	(void)sig;
}

static void
sandbox_to_log(void *arg, enum judge_log_level lvl, const char *msg)
{
	(void)arg;
	log_write(lvl == JUDGE_LOG_ERR ? LOG_ERROR : lvl == JUDGE_LOG_WARN ?
	    LOG_WARN : LOG_INFO, NULL, "sandbox", "%s", msg);
}

/* Sleeps up to `sec`, in slices, returning early when stopping. */
static void
nap(double sec)
{
	struct timespec ts = { 0, 100000000 };
	double	 t;

	for (t = 0; t < sec && !stopping; t += 0.1)
		nanosleep(&ts, NULL);
}

static void
block_helper_signals(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
}

/* BLMOVE src -> dst; returns the token (caller frees) or NULL. */
static char *
take(struct redis *rd, const char *src, const char *dst, double block_s)
{
	redisReply *rep;
	char	*tok = NULL;

	if (block_s >= 0.01)
		rep = redis_cmd(rd, "BLMOVE %s %s RIGHT LEFT %.3f", src, dst,
		    block_s);
	else
		rep = redis_cmd(rd, "LMOVE %s %s RIGHT LEFT", src, dst);
	if (rep == NULL) {
		nap(1);
		return NULL;
	}
	if (rep->type == REDIS_REPLY_STRING)
		tok = strdup(rep->str);
	else if (rep->type == REDIS_REPLY_ERROR) {
		log_error(NULL, "BLMOVE: %s", rep->str);
		nap(1);
	} else if (block_s < 0.01)
		nap(0.05);
	freeReplyObject(rep);
	return tok;
}

static void
drop(struct redis *rd, const char *list, const char *token)
{
	redisReply *rep = redis_cmd(rd, "LREM %s 0 %s", list, token);

	if (rep != NULL)
		freeReplyObject(rep);
}

/* Moves every element of `from` to the consuming end of `to`. */
static long
move_all(struct redis *rd, const char *from, const char *to)
{
	redisReply *rep;
	long	 n = 0;

	for (;;) {
		if ((rep = redis_cmd(rd, "LMOVE %s %s LEFT RIGHT", from, to)) ==
		    NULL)
			return n;
		if (rep->type != REDIS_REPLY_STRING) {
			freeReplyObject(rep);
			return n;
		}
		freeReplyObject(rep);
		n++;
	}
}

/* One judge:wake element per token queued. */
static void
wake(struct redis *rd, long n)
{
	redisReply *rep;

	for (; n > 0; n--)
		if ((rep = redis_cmd(rd, "LPUSH " JKEY_WAKE " 1")) != NULL)
			freeReplyObject(rep);
}

/* The next job (store_take) into `mine`; when there is none, blocks on
 * judge:wake up to block_s and returns NULL. */
static char *
take_job(struct runner *rn, struct redis *rd, const char *mine)
{
	redisReply *rep;
	char	*tok;

	if ((tok = store_take(rd, mine)) != NULL)
		return tok;
	if (rn->block_s < 0.01) {
		nap(0.05);
		return NULL;
	}
	if ((rep = redis_cmd(rd, "BLPOP " JKEY_WAKE " %.3f", rn->block_s)) ==
	    NULL) {
		nap(1);
		return NULL;
	}
	freeReplyObject(rep);
	return NULL;
}

/* Gives the lists of runners whose heartbeat expired back to the queues. */
static void
recover(struct runner *rn, struct redis *rd)
{
	redisReply *m, *e;
	char	 from[256];
	size_t	 i;
	long	 jobs, cbs;

	if ((m = redis_cmd(rd, "SMEMBERS " JKEY_RUNNERS)) == NULL)
		return;
	for (i = 0; m->type == REDIS_REPLY_ARRAY && i < m->elements; i++) {
		const char *id = m->element[i]->str;
		if (strcmp(id, rn->id) == 0)
			continue;
		if ((e = redis_cmd(rd, "EXISTS " JKEY_HEARTBEAT "%s", id)) ==
		    NULL)
			break;
		if (e->type != REDIS_REPLY_INTEGER || e->integer != 0) {
			freeReplyObject(e);
			continue;
		}
		freeReplyObject(e);
		snprintf(from, sizeof(from), JKEY_PROCESSING "%s", id);
		jobs = move_all(rd, from, JKEY_QUEUE);
		wake(rd, jobs);
		snprintf(from, sizeof(from), JKEY_CBPROCESSING "%s", id);
		cbs = move_all(rd, from, JKEY_CALLBACKS);
		if ((e = redis_cmd(rd, "SREM " JKEY_RUNNERS " %s", id)) != NULL)
			freeReplyObject(e);
		if (jobs > 0 || cbs > 0)
			log_warn(NULL, "runner %s is gone: %ld job(s) and %ld "
			    "callback(s) back in the queue", id, jobs, cbs);
	}
	freeReplyObject(m);
	/* Hosts none of whose runners beat any more leave judge:hosts. */
	if ((m = redis_cmd(rd, "SMEMBERS " JKEY_HOSTS)) == NULL)
		return;
	for (i = 0; m->type == REDIS_REPLY_ARRAY && i < m->elements; i++) {
		if ((e = redis_cmd(rd, "EXISTS " JKEY_HOST "%s",
		    m->element[i]->str)) == NULL)
			break;
		if (e->type == REDIS_REPLY_INTEGER && e->integer == 0) {
			freeReplyObject(e);
			if ((e = redis_cmd(rd, "SREM " JKEY_HOSTS " %s",
			    m->element[i]->str)) == NULL)
				break;
			log_info(NULL, "judge host %s left (no heartbeat)",
			    m->element[i]->str);
		}
		freeReplyObject(e);
	}
	freeReplyObject(m);
}

/* This host's load ("<load1> <cores>", judge:host:<name>) for /workers
 * and /metrics: every runner of the host sets it on each heartbeat. */
static void
host_load(struct runner *rn, struct redis *rd)
{
	redisReply *rep;
	FILE	*fp;
	char	 val[64];
	double	 load1 = -1;
	long	 cores = sysconf(_SC_NPROCESSORS_ONLN);

	if ((fp = fopen("/proc/loadavg", "r")) != NULL) {
		if (fscanf(fp, "%lf", &load1) != 1)
			load1 = -1;
		fclose(fp);
	}
	snprintf(val, sizeof(val), "%.2f %ld", load1, cores);
	rep = redis_cmd(rd, "SET " JKEY_HOST "%s %s EX %d", rn->host, val,
	    rn->cfg.judge_heartbeat_s * 5);
	if (rep != NULL)
		freeReplyObject(rep);
	rep = redis_cmd(rd, "SADD " JKEY_HOSTS " %s", rn->host);
	if (rep != NULL)
		freeReplyObject(rep);
}

static void
heartbeat(struct runner *rn, struct redis *rd)
{
	redisReply *rep;

	rep = redis_cmd(rd, "SET " JKEY_HEARTBEAT "%s %lld EX %d", rn->id,
	    store_now_ms(), rn->cfg.judge_heartbeat_s * 5);
	if (rep != NULL)
		freeReplyObject(rep);
	rep = redis_cmd(rd, "SADD " JKEY_RUNNERS " %s", rn->id);
	if (rep != NULL)
		freeReplyObject(rep);
	host_load(rn, rd);
}

static void *
heartbeat_main(void *arg)
{
	struct runner *rn = arg;
	struct redis *rd;

	block_helper_signals();
	if ((rd = redis_new(&rn->cfg, REDIS_ROLE_JUDGE)) == NULL)
		return NULL;
	while (!stopping) {
		heartbeat(rn, rd);
		recover(rn, rd);
		nap(rn->cfg.judge_heartbeat_s);
	}
	redis_free(rd);
	return NULL;
}

/* Delivers one callback: Judge0's default fields, always base64. */
static void
callback_one(struct runner *rn, struct redis *rd, const char *token)
{
	struct store_row row = { NULL };
	struct store_fields f;
	json_object *o = NULL;
	const char *url, *body;
	char	 err[64];
	size_t	 len;
	int	 not_utf8;
	long	 code;

	if (store_row_load(rd, token, &row) != 0 ||
	    (url = store_row_get(&row, "callback_url", NULL)) == NULL)
		goto out;
	store_fields_parse(NULL, &f, err, sizeof(err));
	if ((o = store_row_json(&row, token, &f, 1, &not_utf8)) == NULL)
		goto out;
	body = json_object_to_json_string_length(o, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE, &len);
	code = callback_put(url, body, len, rn->cfg.judge_callback_tries,
	    rn->cfg.judge_callback_timeout_ms, token);
	if (code > 0)
		log_info(NULL, "callback %s delivered: HTTP %ld", token, code);
out:
	json_object_put(o);
	store_row_clear(&row);
}

static void *
callback_main(void *arg)
{
	struct runner *rn = arg;
	struct redis *rd;
	char	 mine[256], *tok;

	block_helper_signals();
	if ((rd = redis_new(&rn->cfg, REDIS_ROLE_JUDGE)) == NULL)
		return NULL;
	snprintf(mine, sizeof(mine), JKEY_CBPROCESSING "%s", rn->id);
	while (!stopping) {
		if ((tok = take(rd, JKEY_CALLBACKS, mine, rn->block_s)) == NULL)
			continue;
		if (store_token_valid(tok))
			callback_one(rn, rd, tok);
		drop(rd, mine, tok);
		free(tok);
	}
	redis_free(rd);
	return NULL;
}

/* Runs one submission and stores its result.  Returns 0 when the job is
 * done (result stored, or nothing to do) and -1 when it must stay in the
 * processing list (stopping before the result could be stored). */
static int
run_job(struct runner *rn, struct redis *rd, const char *token)
{
	struct store_row row = { NULL };
	struct exec_submission sub;
	struct exec_result res;
	redisReply *rep;
	long	 attempts = 0;
	int	 rc, cb;
	double	 t0 = (double)store_now_ms();

	memset(&res, 0, sizeof(res));
	if ((rc = store_row_load(rd, token, &row)) != 0) {
		store_row_clear(&row);
		if (rc == 1)
			log_warn(NULL, "submission %s expired before it ran",
			    token);
		return rc == 1 ? 0 : -1;
	}
	if (store_row_long(&row, "status_id", 1) > EXEC_PROCESSING) {
		store_row_clear(&row);	/* stored by a runner that died */
		return 0;
	}
	if ((rep = redis_cmd(rd, "HINCRBY " JKEY_SUB "%s attempts 1",
	    token)) != NULL) {
		if (rep->type == REDIS_REPLY_INTEGER)
			attempts = rep->integer;
		freeReplyObject(rep);
	}
	store_set_status(rd, token, EXEC_PROCESSING);
	cb = store_row_get(&row, "callback_url", NULL) != NULL;
	if (attempts > RUNNER_MAX_ATTEMPTS) {
		res.status_id = EXEC_INTERNAL;
		res.time = res.wall_time = -1;
		res.memory = -1;
		res.exit_code = res.exit_signal = -1;
		res.message.data = strdup("the judge failed on this "
		    "submission too many times");
		res.message.len = res.message.data ? strlen(res.message.data) :
		    0;
	} else {
		store_row_submission(&row, &sub);
		if (exec_run(rn->ex, &sub, &res) == -1) {
			exec_result_clear(&res);
			memset(&res, 0, sizeof(res));
			res.status_id = EXEC_INTERNAL;
			res.time = res.wall_time = -1;
			res.memory = -1;
			res.exit_code = res.exit_signal = -1;
		}
	}
	/* Redis may be restarting: keep the result until it is stored. */
	while ((rc = store_result(rd, &rn->cfg, token, &res, cb)) == -1 &&
	    !stopping)
		nap(1);
	if (rc == 0)
		log_info(NULL, "submission %s: status %d (%s), time %.3f, "
		    "memory %ld, compile %s, %.0f ms", token, res.status_id,
		    exec_status_description(res.status_id), res.time,
		    res.memory, res.compile_cached == 1 ? "cached" :
		    res.compile_cached == 0 ? "fresh" : "none",
		    (double)store_now_ms() - t0);
	exec_result_clear(&res);
	store_row_clear(&row);
	return rc;
}

/* A host name that can be a part of Redis keys and a metrics label. */
static int
host_name_ok(const char *s)
{
	size_t n = strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789._-");

	return n > 0 && n < 64 && s[n] == '\0';
}

static void
usage(void)
{
	fprintf(stderr, "usage: pitwall-judge-runner [-i id]\n");
	exit(64);
}

int
main(int argc, char *argv[])
{
	struct runner	 rn;
	struct exec_config ec;
	struct sigaction sa;
	struct redis	*rd = NULL;
	redisReply	*rep;
	pthread_t	 hb, cbt;
	char		 self[PATH_MAX], boxinit[PATH_MAX + 32], host[64];
	char		 mine[256], *tok;
	ssize_t		 n;
	int		 ch, rc = 1;

	memset(&rn, 0, sizeof(rn));
	while ((ch = getopt(argc, argv, "i:")) != -1) {
		switch (ch) {
		case 'i':
			snprintf(rn.id, sizeof(rn.id), "%s", optarg);
			break;
		default:
			usage();
		}
	}
	config_load_or_exit(&rn.cfg, 0, "pitwall-judge-runner");
	if (*rn.cfg.judge_host_name != '\0') {
		if (!host_name_ok(rn.cfg.judge_host_name)) {
			fprintf(stderr, "pitwall-judge-runner: JUDGE_HOST_NAME "
			    "must be 1-63 characters of [A-Za-z0-9._-]\n");
			return 78;
		}
		snprintf(rn.host, sizeof(rn.host), "%s",
		    rn.cfg.judge_host_name);
	} else {
		gethostname(host, sizeof(host));
		host[sizeof(host) - 1] = '\0';
		snprintf(rn.host, sizeof(rn.host), "%s", host);
	}
	if (*rn.id == '\0')
		snprintf(rn.id, sizeof(rn.id), "%s:%ld", rn.host,
		    (long)getpid());
	if (log_init("pitwall-judge-runner", rn.cfg.log_level,
	    rn.cfg.log_format, rn.cfg.log_file) == -1) {
		fprintf(stderr, "pitwall-judge-runner: cannot open "
		    "PITWALL_LOG_FILE %s\n", rn.cfg.log_file);
		return 78;
	}
	rn.block_s = rn.cfg.redis_timeout_ms / 2000.0;
	if (rn.block_s > 1)
		rn.block_s = 1;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	sa.sa_handler = on_stop;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = on_pipe;
	sigaction(SIGPIPE, &sa, NULL);

	memset(&ec, 0, sizeof(ec));
	if ((n = readlink("/proc/self/exe", self, sizeof(self) - 1)) <= 0) {
		log_error(NULL, "readlink /proc/self/exe: %s", strerror(errno));
		goto out;
	}
	self[n] = '\0';
	snprintf(boxinit, sizeof(boxinit), "%s/pitwall-box-init",
	    dirname(self));
	ec.sandbox.work_root = rn.cfg.judge_box_dir;
	ec.sandbox.box_init = boxinit;
	ec.sandbox.first_box = rn.cfg.judge_first_box;
	ec.sandbox.box_count = rn.cfg.judge_boxes;
	/* Judge0 keeps whatever max_file_size (≤ 4 MiB) lets through. */
	ec.sandbox.output_cap = (size_t)4096 * 1024;
	ec.sandbox.log = sandbox_to_log;
	ec.cache_dir = rn.cfg.judge_cache_dir;
	if ((rn.ex = exec_new(&ec)) == NULL) {
		log_error(NULL, "cannot start the sandbox (JUDGE_BOX_DIR %s, "
		    "JUDGE_CACHE_DIR %s)", rn.cfg.judge_box_dir,
		    rn.cfg.judge_cache_dir);
		goto out;
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0 ||
	    (rd = redis_new(&rn.cfg, REDIS_ROLE_JUDGE)) == NULL) {
		log_error(NULL, "library initialisation failed");
		goto out;
	}
	heartbeat(&rn, rd);
	if (pthread_create(&hb, NULL, heartbeat_main, &rn) != 0 ||
	    pthread_create(&cbt, NULL, callback_main, &rn) != 0) {
		log_error(NULL, "pthread_create failed");
		goto out;
	}
	log_info(NULL, "runner %s: boxes %d..%d in %s, cache %s", rn.id,
	    rn.cfg.judge_first_box, rn.cfg.judge_first_box +
	    rn.cfg.judge_boxes - 1, rn.cfg.judge_box_dir,
	    rn.cfg.judge_cache_dir);
	snprintf(mine, sizeof(mine), JKEY_PROCESSING "%s", rn.id);
	while (!stopping) {
		if ((tok = take_job(&rn, rd, mine)) == NULL)
			continue;
		if (!store_token_valid(tok) || run_job(&rn, rd, tok) == 0)
			drop(rd, mine, tok);
		free(tok);
	}
	pthread_join(hb, NULL);
	pthread_join(cbt, NULL);
	/* Whatever is still in hand goes back to the queue right away. */
	rep = redis_cmd(rd, "DEL " JKEY_HEARTBEAT "%s", rn.id);
	if (rep != NULL)
		freeReplyObject(rep);
	log_info(NULL, "runner %s stopped", rn.id);
	rc = 0;
out:
	redis_free(rd);
	exec_free(rn.ex);
	config_free(&rn.cfg);
	curl_global_cleanup();
	return rc;
}
