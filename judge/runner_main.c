/*
 * judge/runner_main.c — pitwall-judge-runner: drains the job queues and
 * runs each submission through the executor (sandbox + compile cache),
 * storing the result in the submission's hash.  Started as root by
 * scripts/judge (per-box uids and cgroups need it), one per core by default.
 *
 * One Redis round trip per run (store_step_*: one script stores the
 * last result and takes the next job).  Order: single submissions (/run,
 * /runcustom) first, then jobs given back by dead runners, then batches
 * in turn by lane (one contestant's, or one batch's), so one contestant's
 * many submissions cannot starve the others.  Idle runners block on
 * judge:wake.
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
 * same processing-list pattern.  Signals: SIGTERM finishes the job in hand,
 * gives back the jobs taken ahead (run_loop) and exits.  No signal is ignored or blocked in the main thread, since
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

/* Runs the job taken (its hash, already marked Processing, in
 * job->row) into *res.  Returns 1 when res holds a result to store, 0
 * when there is nothing to store (expired, or finished by a runner that
 * died); either way the job leaves the processing list with the next
 * step. */
static int
run_job(struct runner *rn, struct store_job *job, struct exec_result *res,
    int *cb)
{
	struct exec_submission sub;
	const struct store_row *row = &job->row;
	long	 attempts;
	double	 t0 = (double)store_now_ms();

	memset(res, 0, sizeof(*res));
	*cb = 0;
	if (!store_token_valid(job->token))
		return 0;
	if (row->reply->elements == 0) {
		log_warn(NULL, "submission %s expired before it ran",
		    job->token);
		return 0;
	}
	if (store_row_long(row, "status_id", 1) > EXEC_PROCESSING)
		return 0;	/* stored by a runner that died */
	attempts = store_row_long(row, "attempts", 0);
	*cb = store_row_get(row, "callback_url", NULL) != NULL;
	if (attempts > RUNNER_MAX_ATTEMPTS) {
		res->status_id = EXEC_INTERNAL;
		res->time = res->wall_time = -1;
		res->memory = -1;
		res->exit_code = res->exit_signal = -1;
		res->message.data = strdup("the judge failed on this "
		    "submission too many times");
		res->message.len = res->message.data ?
		    strlen(res->message.data) : 0;
	} else {
		store_row_submission(row, &sub);
		if (exec_run(rn->ex, &sub, res) == -1) {
			exec_result_clear(res);
			memset(res, 0, sizeof(*res));
			res->status_id = EXEC_INTERNAL;
			res->time = res->wall_time = -1;
			res->memory = -1;
			res->exit_code = res->exit_signal = -1;
		}
	}
	log_info(NULL, "submission %s: status %d (%s), time %.3f, memory %ld, "
	    "compile %s, %.0f ms", job->token, res->status_id,
	    exec_status_description(res->status_id), res->time, res->memory,
	    res->compile_cached == 1 ? "cached" : res->compile_cached == 0 ?
	    "fresh" : "none", (double)store_now_ms() - t0);
	return 1;
}

/*
 * The main loop keeps Redis's work off the runs' path: the step that
 * stores a run's result and takes a job is sent as the next run starts,
 * so the round trip (an fsync under appendfsync always: milliseconds)
 * overlaps a run; its answer is read when that run ends.  To cover the
 * round trip, a runner holds up to `ahead` jobs taken but not started:
 * one, and one more (RUNNER_AHEAD_MAX at most) each time it had to wait
 * for one with nothing to run, one fewer after 32 runs without; it takes
 * ahead only while at least 2 are queued, so an idle runner gets the
 * last.  Single submissions taken go before the
 * jobs held.  A step whose answer is lost is resent with resync (store.c),
 * the results kept until stored; on SIGTERM the jobs held go back.
 */
#define RUNNER_AHEAD_MAX	3

/* A step sent whose answer is not read yet. */
struct flight {
	char			*done;		/* its result's token, or NULL */
	struct exec_result	 res;
	int			 cb;
	int			 take;		/* 0, 1 or 2 (store_step) */
};

struct loop {
	struct store_job q[RUNNER_AHEAD_MAX + 1];	/* held; q[0] next */
	int		 nq;
	struct flight	 fl[RUNNER_AHEAD_MAX + 3];	/* fl[0] oldest */
	int		 nfl;
	int		 failed;	/* answers lost: resync */
	int		 idle;		/* the last take found nothing */
	int		 ahead;		/* jobs to hold, 1..RUNNER_AHEAD_MAX */
	int		 calm;		/* runs since a stall */
	/* q and fl's tokens, comma-separated */
	char		 keep[(TOKEN_LEN + 1) * (2 * RUNNER_AHEAD_MAX + 5)];
};

static void
flight_clear(struct flight *f)
{
	free(f->done);
	exec_result_clear(&f->res);
	memset(f, 0, sizeof(*f));
}

/* "t1,t2,…": every token held or whose result is still to be stored. */
static const char *
loop_keep(struct loop *L)
{
	size_t	 n = 0;
	int	 i;

	L->keep[0] = '\0';
	for (i = 0; i < L->nq; i++)
		n += (size_t)snprintf(L->keep + n, sizeof(L->keep) - n, "%s%s",
		    n ? "," : "", L->q[i].token);
	for (i = 0; i < L->nfl; i++)
		if (L->fl[i].done != NULL)
			n += (size_t)snprintf(L->keep + n, sizeof(L->keep) - n,
			    "%s%s", n ? "," : "", L->fl[i].done);
	return L->keep;
}

/* Sends fl's step (fl is the last of L->fl).  0 / -1. */
static int
loop_send(struct runner *rn, struct redis *rd, const char *mine,
    struct loop *L, struct flight *f, int resync)
{
	struct store_step st;

	memset(&st, 0, sizeof(st));
	st.done = f->done;
	st.res = f->done != NULL && f->res.status_id != 0 ? &f->res : NULL;
	st.callback = f->cb;
	st.take = f->take;
	st.resync = resync;
	st.keep = resync ? loop_keep(L) : NULL;
	return store_step_send(rd, &rn->cfg, mine, &st);
}

/* Queues a step: the result of `done` (res->status_id 0: only drop it)
 * and a take.  Ownership of done and res passes to the loop. */
static void
loop_step(struct runner *rn, struct redis *rd, const char *mine,
    struct loop *L, char *done, struct exec_result *res, int cb, int take)
{
	struct flight *f = &L->fl[L->nfl++];

	memset(f, 0, sizeof(*f));
	f->done = done;
	if (res != NULL)
		f->res = *res;
	f->cb = cb;
	f->take = take;
	if (!L->failed && loop_send(rn, rd, mine, L, f, 0) == -1)
		L->failed = 1;
}

/* Reads the oldest answer (waiting for it when `block`); a job taken
 * joins q, single submissions first.  1 read, 0 not there yet, -1
 * failed (L->failed set). */
static int
loop_recv1(struct redis *rd, struct loop *L, int block)
{
	struct store_job job;
	int	 rc;

	if (L->failed || L->nfl == 0)
		return L->failed ? -1 : 0;
	rc = store_step_poll(rd, &job);
	if (rc == 0 && block) {
		rc = store_step_recv(rd, &job) == 0 ? 1 : -1;
		/* Waited with nothing to run for a job taken ahead: the
		 * runner should hold more. */
		if (rc == 1 && job.token != NULL && L->fl[0].take == 2) {
			if (L->ahead < RUNNER_AHEAD_MAX)
				L->ahead++;
			L->calm = 0;
		}
	}
	if (rc == -1)
		L->failed = 1;
	if (rc != 1)
		return rc;
	if (L->fl[0].take == 1)
		L->idle = job.token == NULL;
	flight_clear(&L->fl[0]);
	memmove(&L->fl[0], &L->fl[1], sizeof(L->fl[0]) * (size_t)--L->nfl);
	if (job.token == NULL)
		return 1;
	if (job.prio) {
		memmove(&L->q[1], &L->q[0], sizeof(L->q[0]) * (size_t)L->nq);
		L->q[0] = job;
	} else
		L->q[L->nq] = job;
	L->nq++;
	return 1;
}

/* Reads the answers there are; while nothing is held, waits for them
 * until a job comes or none is in flight. */
static void
loop_recv(struct redis *rd, struct loop *L)
{
	while (loop_recv1(rd, L, L->nq == 0) == 1)
		;
}

/* After a failure: the answers in flight are lost (the connection is
 * reset); each step is resent alone, the first with resync.  0 once all
 * are stored, -1 (Redis still down). */
static int
loop_resync(struct runner *rn, struct redis *rd, const char *mine,
    struct loop *L)
{
	struct store_job job;
	int	 i;

	redis_broken(rd);
	for (i = 0; i < L->nfl; i++)
		L->fl[i].take = 0;
	if (L->nfl == 0)
		L->fl[L->nfl++].take = 0;	/* resync alone */
	while (L->nfl > 0) {
		if (loop_send(rn, rd, mine, L, &L->fl[0], 1) == -1 ||
		    store_step_recv(rd, &job) == -1)
			return -1;
		store_row_clear(&job.row);
		free(job.token);
		flight_clear(&L->fl[0]);
		memmove(&L->fl[0], &L->fl[1], sizeof(L->fl[0]) * (size_t)--L->nfl);
	}
	L->failed = 0;
	return 0;
}

/* How many jobs to hold ahead: one more after a stall (loop_recv1), one
 * fewer after 32 runs without. */
static int
loop_ahead(struct loop *L)
{
	if (L->ahead < 1)
		L->ahead = 1;
	if (++L->calm >= 32 && L->ahead > 1) {
		L->ahead--;
		L->calm = 0;
	}
	return L->ahead;
}

static int
loop_takes(const struct loop *L)
{
	int	 i, n = 0;

	for (i = 0; i < L->nfl; i++)
		n += L->fl[i].take != 0;
	return n;
}

static void
run_loop(struct runner *rn, struct redis *rd, const char *mine)
{
	struct loop *L;
	struct store_job job;
	struct exec_result res;
	redisReply *rep;
	char	*done = NULL;
	int	 have = 0, cb = 0, i, ahead;

	if ((L = calloc(1, sizeof(*L))) == NULL) {
		log_error(NULL, "out of memory");
		return;
	}
	memset(&res, 0, sizeof(res));
	for (;;) {
		if (L->failed && loop_resync(rn, rd, mine, L) == -1) {
			if (stopping)
				break;
			nap(1);
			continue;
		}
		loop_recv(rd, L);
		/* Room for this run's steps: at most one older one. */
		while (L->nfl > 1 && loop_recv1(rd, L, 1) == 1)
			;
		if (L->failed)
			continue;
		if (L->nq == 0) {
			/* Nothing in hand: store the last result, take one,
			 * or wait for work. */
			if (have || (!L->idle && !stopping)) {
				loop_step(rn, rd, mine, L, done, &res, cb,
				    stopping ? 0 : 1);
				done = NULL;
				have = cb = 0;
				memset(&res, 0, sizeof(res));
				continue;
			}
			if (stopping)
				break;
			rep = redis_cmd(rd, "BLPOP " JKEY_WAKE " %.3f",
			    rn->block_s);
			if (rep == NULL)
				nap(1);
			else
				freeReplyObject(rep);
			L->idle = 0;
			continue;
		}
		if (stopping)
			break;
		job = L->q[0];
		memmove(&L->q[0], &L->q[1], sizeof(L->q[0]) * (size_t)--L->nq);
		/* The last result and the takes ahead go while this runs. */
		ahead = loop_ahead(L);
		while (have || L->nq + loop_takes(L) < ahead) {
			loop_step(rn, rd, mine, L, done, have ? &res : NULL, cb,
			    L->nq + loop_takes(L) < ahead ? 2 : 0);
			done = NULL;
			have = cb = 0;
			memset(&res, 0, sizeof(res));
		}
		if (!run_job(rn, &job, &res, &cb))	/* only dropped */
			memset(&res, 0, sizeof(res));
		have = 1;
		done = job.token;
		store_row_clear(&job.row);
	}
	/* Stopping: answers in flight are read, the last result stored and
	 * every job held given back (resync). */
	while (loop_recv1(rd, L, 1) == 1)
		;
	if (have || L->nq > 0 || L->nfl > 0) {
		for (i = 0; i < L->nq; i++) {
			store_row_clear(&L->q[i].row);
			free(L->q[i].token);
		}
		L->nq = 0;
		if (have) {
			L->fl[L->nfl].done = done;
			L->fl[L->nfl].res = res;
			L->fl[L->nfl++].cb = cb;
			done = NULL;
			memset(&res, 0, sizeof(res));
		}
		if (loop_resync(rn, rd, mine, L) == -1)
			log_warn(NULL, "runner %s: jobs left in %s for the "
			    "others to recover", rn->id, mine);
	}
	for (i = 0; i < L->nfl; i++)
		flight_clear(&L->fl[i]);
	free(done);
	exec_result_clear(&res);
	free(L);
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
	char		 mine[256];
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
	run_loop(&rn, rd, mine);
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
