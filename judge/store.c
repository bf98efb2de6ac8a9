/*
 * judge/store.c — the embedded judge's submissions in Redis (layout in
 * service.h).  Every multi-key change is one MULTI/EXEC or one script, so
 * a submission is never stored without being queued, nor a result without
 * its wake-up and callback job.
 */
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "config.h"
#include "log.h"
#include "redis.h"
#include "service.h"

#define CMD_MAX	64

/* One command's arguments; numbers are formatted into `num`. */
struct cmd {
	const char	*argv[CMD_MAX];
	size_t		 len[CMD_MAX];
	char		 num[CMD_MAX][40];
	int		 argc;
	int		 overflow;
};

static void
cmd_add(struct cmd *c, const char *s, size_t len)
{
	if (c->argc >= CMD_MAX) {
		c->overflow = 1;
		return;
	}
	c->argv[c->argc] = s;
	c->len[c->argc++] = len;
}

static void
cmd_str(struct cmd *c, const char *s)
{
	cmd_add(c, s, strlen(s));
}

static void __attribute__((format(printf, 2, 3)))
cmd_fmt(struct cmd *c, const char *fmt, ...)
{
	va_list	 ap;

	if (c->argc >= CMD_MAX) {
		c->overflow = 1;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(c->num[c->argc], sizeof(c->num[0]), fmt, ap);
	va_end(ap);
	cmd_str(c, c->num[c->argc]);
}

/* HSET field value, skipped when value is NULL (null = absent). */
static void
cmd_field(struct cmd *c, const char *field, const char *v, size_t len)
{
	if (v == NULL)
		return;
	cmd_str(c, field);
	cmd_add(c, v, len);
}

static void
cmd_text(struct cmd *c, const char *field, const struct exec_text *t)
{
	cmd_field(c, field, t->data, t->len);
}

/* Runs c; 0 when the reply is not an error.  A queued command inside
 * MULTI answers QUEUED, which counts as success. */
static int
cmd_run(struct redis *r, struct cmd *c)
{
	redisReply *rep;
	int	 rc = -1;

	if (c->overflow) {
		log_error(NULL, "too many arguments for %s", c->argv[0]);
		return -1;
	}
	if ((rep = redis_cmdargv(r, c->argc, c->argv, c->len)) == NULL)
		return -1;
	if (rep->type == REDIS_REPLY_ERROR)
		log_error(NULL, "%s: %s", c->argv[0], rep->str);
	else
		rc = 0;
	freeReplyObject(rep);
	return rc;
}

/* Sends a command given as a printf-style format; 0 / -1. */
static int
simple(struct redis *r, const char *fmt, ...)
{
	redisReply *rep;
	redisContext *ctx;
	va_list	 ap;
	int	 rc = -1;

	if (redis_ensure(r) == -1 || (ctx = redis_ctx(r)) == NULL)
		return -1;
	va_start(ap, fmt);
	rep = redisvCommand(ctx, fmt, ap);
	va_end(ap);
	if (rep == NULL) {
		log_warn(NULL, "Redis: %s", ctx->errstr);
		redis_broken(r);
		return -1;
	}
	if (rep->type == REDIS_REPLY_ERROR)
		log_error(NULL, "Redis: %s", rep->str);
	else
		rc = 0;
	freeReplyObject(rep);
	return rc;
}

/* EXEC; 0 when every queued command succeeded. */
static int
exec_tx(struct redis *r)
{
	redisReply *rep;
	size_t	 i;
	int	 rc = -1;

	if ((rep = redis_cmd(r, "EXEC")) == NULL)
		return -1;
	if (rep->type == REDIS_REPLY_ARRAY) {
		rc = 0;
		for (i = 0; i < rep->elements; i++)
			if (rep->element[i]->type == REDIS_REPLY_ERROR) {
				log_error(NULL, "EXEC: %s",
				    rep->element[i]->str);
				rc = -1;
			}
	} else
		log_error(NULL, "EXEC: %s", rep->type == REDIS_REPLY_ERROR ?
		    rep->str : "transaction aborted");
	freeReplyObject(rep);
	return rc;
}

static void
discard(struct redis *r)
{
	redisReply *rep = redis_cmd(r, "DISCARD");

	if (rep != NULL)
		freeReplyObject(rep);
}

long long
store_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A random (v4) UUID. */
static void
token_new(char out[TOKEN_LEN + 1])
{
	unsigned char b[16];

	randombytes_buf(b, sizeof(b));
	b[6] = (b[6] & 0x0f) | 0x40;
	b[8] = (b[8] & 0x3f) | 0x80;
	snprintf(out, TOKEN_LEN + 1, "%02x%02x%02x%02x-%02x%02x-%02x%02x-"
	    "%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1], b[2], b[3],
	    b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13],
	    b[14], b[15]);
}

int
store_token_valid(const char *t)
{
	size_t	 i;

	for (i = 0; t[i] != '\0'; i++)
		if (!((t[i] >= '0' && t[i] <= '9') ||
		    (t[i] >= 'a' && t[i] <= 'f') || t[i] == '-'))
			return 0;
	return i == TOKEN_LEN;
}

/* Decimal limits are kept as Judge0 prints them: "5.0", "0.5". */
static void
cmd_decimal(struct cmd *c, const char *field, double v)
{
	cmd_str(c, field);
	if (v == (double)(long)v)
		cmd_fmt(c, "%ld.0", (long)v);
	else
		cmd_fmt(c, "%.6g", v);
}

/* HSET of one new submission (status 1 In Queue). */
static int
hset_new(struct redis *r, const struct store_new *it, long long now)
{
	const struct exec_submission *s = &it->sub;
	struct cmd c;
	char	 key[64];

	memset(&c, 0, sizeof(c));
	snprintf(key, sizeof(key), JKEY_SUB "%s", it->token);
	cmd_str(&c, "HSET");
	cmd_str(&c, key);
	cmd_field(&c, "source_code", s->source_code, s->source_len);
	cmd_str(&c, "language_id");
	cmd_fmt(&c, "%d", s->language_id);
	cmd_field(&c, "stdin", s->stdin_data, s->stdin_len);
	cmd_field(&c, "expected_output", s->expected_output,
	    s->expected_len);
	if (s->compiler_options != NULL)
		cmd_field(&c, "compiler_options", s->compiler_options,
		    strlen(s->compiler_options));
	if (s->command_line_arguments != NULL)
		cmd_field(&c, "command_line_arguments",
		    s->command_line_arguments,
		    strlen(s->command_line_arguments));
	if (it->callback_url != NULL)
		cmd_field(&c, "callback_url", it->callback_url,
		    strlen(it->callback_url));
	cmd_field(&c, "pitwall_validator", s->validator_json,
	    s->validator_json_len);
	cmd_decimal(&c, "cpu_time_limit", s->cpu_time_limit);
	cmd_decimal(&c, "cpu_extra_time", s->cpu_extra_time);
	cmd_decimal(&c, "wall_time_limit", s->wall_time_limit);
	cmd_str(&c, "memory_limit");
	cmd_fmt(&c, "%ld", s->memory_limit);
	cmd_str(&c, "stack_limit");
	cmd_fmt(&c, "%ld", s->stack_limit);
	cmd_str(&c, "max_processes_and_or_threads");
	cmd_fmt(&c, "%d", s->max_processes_and_or_threads);
	cmd_str(&c, "max_file_size");
	cmd_fmt(&c, "%ld", s->max_file_size);
	cmd_str(&c, "number_of_runs");
	cmd_fmt(&c, "%d", s->number_of_runs);
	cmd_str(&c, "redirect_stderr_to_stdout");
	cmd_fmt(&c, "%d", s->redirect_stderr_to_stdout ? 1 : 0);
	cmd_str(&c, "enable_network");
	cmd_fmt(&c, "%d", s->enable_network ? 1 : 0);
	cmd_str(&c, "status_id");
	cmd_str(&c, "1");
	cmd_str(&c, "created_at");
	cmd_fmt(&c, "%lld", now);
	return cmd_run(r, &c);
}

/* The lane of a batch item: its submitter's, else the batch's own. */
static void
item_lane(const struct store_new *it, const char *batch, char *lane,
    size_t len)
{
	if (it->submitter != NULL)
		snprintf(lane, len, "s:%s", it->submitter);
	else
		snprintf(lane, len, "b:%s", batch);
}

int
store_create(struct redis *r, const struct config *cfg,
    struct store_new *items, size_t n, int prio)
{
	long long now = store_now_ms();
	char	 lane[STORE_SUBMITTER_MAX + 8], last[sizeof(lane)] = "";
	size_t	 i;

	for (i = 0; i < n; i++)
		token_new(items[i].token);
	if (simple(r, "MULTI") == -1)
		return -1;
	for (i = 0; i < n; i++) {
		if (hset_new(r, &items[i], now) == -1 ||
		    simple(r, "EXPIRE " JKEY_SUB "%s %d", items[i].token,
		    cfg->judge_submission_ttl_s) == -1)
			goto fail;
		if (prio) {
			if (simple(r, "LPUSH " JKEY_PRIO " %s",
			    items[i].token) == -1)
				goto fail;
			continue;
		}
		item_lane(&items[i], items[0].token, lane, sizeof(lane));
		if (simple(r, "LPUSH " JKEY_LANE "%s %s", lane,
		    items[i].token) == -1)
			goto fail;
		/* A lane that gets more work waits for its next turn at the
		 * back (the left end), once per batch. */
		if (strcmp(lane, last) != 0 &&
		    (simple(r, "LREM " JKEY_LANES " 0 %s", lane) == -1 ||
		    simple(r, "LPUSH " JKEY_LANES " %s", lane) == -1))
			goto fail;
		snprintf(last, sizeof(last), "%s", lane);
	}
	for (i = 0; i < n; i++)
		if (simple(r, "LPUSH " JKEY_WAKE " 1") == -1)
			goto fail;
	return exec_tx(r);
fail:
	discard(r);
	return -1;
}

/* Sums the lengths of every queue and lane. */
static const char queue_len_lua[] =
    "local n = redis.call('LLEN', '" JKEY_PRIO "') + "
    "redis.call('LLEN', '" JKEY_QUEUE "') "
    "for _, l in ipairs(redis.call('LRANGE', '" JKEY_LANES "', 0, -1)) do "
    "n = n + redis.call('LLEN', '" JKEY_LANE "' .. l) end "
    "return n";

long long
store_queue_len(struct redis *r)
{
	redisReply *rep;
	long long n = -1;

	if ((rep = redis_cmd(r, "EVAL %s 0", queue_len_lua)) == NULL)
		return -1;
	if (rep->type == REDIS_REPLY_INTEGER)
		n = rep->integer;
	else if (rep->type == REDIS_REPLY_ERROR)
		log_error(NULL, "queue length: %s", rep->str);
	freeReplyObject(rep);
	return n;
}

/*
 * The runner's one round trip per run (store_step_*): the result of the
 * job it finished, if any (ARGV[4] = "r"; a re-run after a runner died
 * replaces everything of the last), with its wake-up (judge:done:<token>)
 * and callback job, that job dropped from its processing list (ARGV[3];
 * "" none), then the next job taken — the priority list, then tokens
 * given back by dead runners, then the lanes in turn (the lane at the
 * right end of judge:lanes gives one token and rotates to the left; an
 * empty lane leaves the list); nothing queued: judge:wake is emptied, as
 * any later element means a later token — marked Processing (status 2,
 * attempts + 1) unless a runner that died already finished it, and
 * returned with its hash: {token, HGETALL}.  ARGV[1] = the processing
 * list, ARGV[2] = the submission TTL, ARGV[5] = "1" to queue the
 * callback, ARGV[6] = the fewest tokens that must be queued to take one
 * ("0": no take; "2" leaves the last one to an idle runner), ARGV[7] =
 * the jobs in hand (a comma list, kept), ARGV[8] = "1" after a failed
 * step, or to give back the jobs held: every other token of the
 * processing list goes back to judge:queue, In Queue again and its
 * attempt not counted (it never ran), ARGV[9..] = the result's
 * HSET field/value pairs.  The answer's third element says where the job
 * came from: "p" the priority list, else "q".
 */
static const char step_lua[] =
    "local dst, done = ARGV[1], ARGV[3] "
    "if done ~= '' then "
    "local key = '" JKEY_SUB "' .. done "
    "if ARGV[4] == 'r' then "
    "redis.call('HDEL', key, 'stdout', 'stderr', 'compile_output', "
    "'message', 'time', 'wall_time', 'memory', 'exit_code', 'exit_signal', "
    "'finished_at', 'pv_done', 'pv_exit', 'pv_judgemessage', "
    "'pv_teammessage', 'pv_score') "
    "redis.call('HSET', key, unpack(ARGV, 9)) "
    "redis.call('EXPIRE', key, ARGV[2]) "
    "redis.call('LPUSH', '" JKEY_DONE "' .. done, 1) "
    "redis.call('EXPIRE', '" JKEY_DONE "' .. done, 60) "
    "if ARGV[5] == '1' then "
    "redis.call('LPUSH', '" JKEY_CALLBACKS "', done) end "
    "end "
    "redis.call('LREM', dst, 0, done) "
    "end "
    "if ARGV[8] == '1' then "
    "local keep = ',' .. ARGV[7] .. ',' "
    "for _, o in ipairs(redis.call('LRANGE', dst, 0, -1)) do "
    "if not string.find(keep, ',' .. o .. ',', 1, true) then "
    "local k = '" JKEY_SUB "' .. o "
    "if tonumber(redis.call('HGET', k, 'status_id')) == 2 then "
    "redis.call('HSET', k, 'status_id', 1) "
    "redis.call('HINCRBY', k, 'attempts', -1) end "
    "redis.call('LREM', dst, 0, o) "
    "redis.call('RPUSH', '" JKEY_QUEUE "', o) "
    "redis.call('LPUSH', '" JKEY_WAKE "', 1) end end end "
    "local need = tonumber(ARGV[6]) "
    "if need == 0 then return false end "
    "if need > 1 then "
    "local n = redis.call('LLEN', '" JKEY_PRIO "') + "
    "redis.call('LLEN', '" JKEY_QUEUE "') "
    "for _, l in ipairs(redis.call('LRANGE', '" JKEY_LANES "', 0, -1)) do "
    "if n >= need then break end "
    "n = n + redis.call('LLEN', '" JKEY_LANE "' .. l) end "
    "if n < need then return false end "
    "end "
    "local from = 'p' "
    "local t = redis.call('RPOPLPUSH', '" JKEY_PRIO "', dst) "
    "if not t then from = 'q' "
    "t = redis.call('RPOPLPUSH', '" JKEY_QUEUE "', dst) end "
    "if not t then "
    "for i = 1, redis.call('LLEN', '" JKEY_LANES "') do "
    "local l = redis.call('RPOPLPUSH', '" JKEY_LANES "', '" JKEY_LANES "') "
    "if not l then break end "
    "local k = '" JKEY_LANE "' .. l "
    "t = redis.call('RPOPLPUSH', k, dst) "
    "if redis.call('LLEN', k) == 0 then "
    "redis.call('LREM', '" JKEY_LANES "', 0, l) end "
    "if t then break end "
    "end "
    "end "
    "if not t then "
    "if need == 1 then redis.call('DEL', '" JKEY_WAKE "') end "
    "return false end "
    "local key = '" JKEY_SUB "' .. t "
    "local st = tonumber(redis.call('HGET', key, 'status_id')) "
    "if st ~= nil and st <= 2 then "
    "redis.call('HINCRBY', key, 'attempts', 1) "
    "redis.call('HSET', key, 'status_id', 2) end "
    "return {t, redis.call('HGETALL', key), from}";

/* The result's HSET pairs (step_lua). */
static void
cmd_result(struct cmd *c, const struct exec_result *res)
{
	cmd_text(c, "stdout", &res->stdout_text);
	cmd_text(c, "stderr", &res->stderr_text);
	cmd_text(c, "compile_output", &res->compile_output);
	cmd_text(c, "message", &res->message);
	if (res->time >= 0) {
		cmd_str(c, "time");
		cmd_fmt(c, "%.3f", res->time);
	}
	if (res->wall_time >= 0) {
		cmd_str(c, "wall_time");
		cmd_fmt(c, "%.3f", res->wall_time);
	}
	if (res->memory >= 0) {
		cmd_str(c, "memory");
		cmd_fmt(c, "%ld", res->memory);
	}
	if (res->exit_code >= 0) {
		cmd_str(c, "exit_code");
		cmd_fmt(c, "%d", res->exit_code);
	}
	if (res->exit_signal >= 0) {
		cmd_str(c, "exit_signal");
		cmd_fmt(c, "%d", res->exit_signal);
	}
	if (res->validation.present) {
		cmd_str(c, "pv_done");
		cmd_str(c, "1");
		if (res->validation.exit >= 0) {
			cmd_str(c, "pv_exit");
			cmd_fmt(c, "%d", res->validation.exit);
		}
		cmd_text(c, "pv_judgemessage", &res->validation.judgemessage);
		cmd_text(c, "pv_teammessage", &res->validation.teammessage);
		if (res->validation.score[0] != '\0')
			cmd_field(c, "pv_score", res->validation.score,
			    strlen(res->validation.score));
	}
	cmd_str(c, "finished_at");
	cmd_fmt(c, "%lld", store_now_ms());
	cmd_str(c, "status_id");
	cmd_fmt(c, "%d", res->status_id);
}

int
store_step_send(struct redis *r, const struct config *cfg, const char *dst,
    const struct store_step *st)
{
	redisContext *ctx;
	struct cmd c;
	int	 done;

	memset(&c, 0, sizeof(c));
	cmd_str(&c, "EVAL");
	cmd_add(&c, step_lua, sizeof(step_lua) - 1);
	cmd_str(&c, "0");
	cmd_str(&c, dst);
	cmd_fmt(&c, "%d", cfg->judge_submission_ttl_s);
	cmd_str(&c, st->done != NULL ? st->done : "");
	cmd_str(&c, st->res != NULL ? "r" : "-");
	cmd_str(&c, st->callback ? "1" : "0");
	cmd_fmt(&c, "%d", st->take);
	cmd_str(&c, st->keep != NULL ? st->keep : "");
	cmd_str(&c, st->resync ? "1" : "0");
	if (st->res != NULL)
		cmd_result(&c, st->res);
	if (c.overflow) {
		log_error(NULL, "too many arguments for the runner's step");
		return -1;
	}
	if (redis_ensure(r) == -1 || (ctx = redis_ctx(r)) == NULL)
		return -1;
	/* Sent now, so Redis works (and fsyncs) while the caller runs. */
	if (redisAppendCommandArgv(ctx, c.argc, c.argv, c.len) != REDIS_OK)
		goto broken;
	do {
		if (redisBufferWrite(ctx, &done) != REDIS_OK)
			goto broken;
	} while (!done);
	return 0;
broken:
	log_warn(NULL, "Redis: %s", ctx->errstr);
	redis_broken(r);
	return -1;
}

/* The step's answer into job (store_step_recv); rep is taken. */
static int
step_parse(redisReply *rep, struct store_job *job)
{
	redisReply *row;

	if (rep->type == REDIS_REPLY_ERROR) {
		log_error(NULL, "runner step: %s", rep->str);
		freeReplyObject(rep);
		return -1;
	}
	if (rep->type != REDIS_REPLY_ARRAY) {	/* nil: nothing taken */
		freeReplyObject(rep);
		return 0;
	}
	if (rep->elements != 3 || rep->element[0]->type !=
	    REDIS_REPLY_STRING || (row = rep->element[1])->type !=
	    REDIS_REPLY_ARRAY || rep->element[2]->type != REDIS_REPLY_STRING ||
	    (job->token = strdup(rep->element[0]->str)) == NULL) {
		log_error(NULL, "runner step: unexpected reply");
		freeReplyObject(rep);
		return -1;
	}
	job->prio = rep->element[2]->str[0] == 'p';
	job->row.top = rep;
	job->row.reply = row;
	return 0;
}

int
store_step_recv(struct redis *r, struct store_job *job)
{
	redisContext *ctx;
	void	*p;

	memset(job, 0, sizeof(*job));
	if ((ctx = redis_ctx(r)) == NULL)
		return -1;
	if (redisGetReply(ctx, &p) != REDIS_OK) {
		log_warn(NULL, "Redis: %s", ctx->errstr);
		redis_broken(r);
		return -1;
	}
	return step_parse(p, job);
}

int
store_step_poll(struct redis *r, struct store_job *job)
{
	struct pollfd pfd;
	redisContext *ctx;
	void	*p = NULL;

	memset(job, 0, sizeof(*job));
	if ((ctx = redis_ctx(r)) == NULL)
		return -1;
	if (redisGetReplyFromReader(ctx, &p) != REDIS_OK)
		goto broken;
	if (p == NULL) {
		pfd.fd = ctx->fd;
		pfd.events = POLLIN;
		pfd.revents = 0;
		if (poll(&pfd, 1, 0) != 1)
			return 0;
		if (redisBufferRead(ctx) != REDIS_OK ||
		    redisGetReplyFromReader(ctx, &p) != REDIS_OK)
			goto broken;
		if (p == NULL)
			return 0;
	}
	return step_parse(p, job) == 0 ? 1 : -1;
broken:
	log_warn(NULL, "Redis: %s", ctx->errstr);
	redis_broken(r);
	return -1;
}

int
store_row_load(struct redis *r, const char *token, struct store_row *row)
{
	row->top = NULL;
	row->reply = redis_cmd_idem(r, "HGETALL " JKEY_SUB "%s", token);
	if (row->reply == NULL)
		return -1;
	if (row->reply->type != REDIS_REPLY_ARRAY) {
		log_error(NULL, "HGETALL %s: %s", token,
		    row->reply->type == REDIS_REPLY_ERROR ? row->reply->str :
		    "not an array");
		return -1;
	}
	return row->reply->elements == 0 ? 1 : 0;
}

void
store_row_clear(struct store_row *row)
{
	if (row->top != NULL)
		freeReplyObject(row->top);
	else if (row->reply != NULL)
		freeReplyObject(row->reply);
	row->reply = row->top = NULL;
}

const char *
store_row_get(const struct store_row *row, const char *field, size_t *len)
{
	size_t	 i;
	redisReply *k, *v;

	if (row->reply == NULL || row->reply->type != REDIS_REPLY_ARRAY)
		return NULL;
	for (i = 0; i + 1 < row->reply->elements; i += 2) {
		k = row->reply->element[i];
		v = row->reply->element[i + 1];
		if (k->type == REDIS_REPLY_STRING && strcmp(k->str, field) == 0 &&
		    v->type == REDIS_REPLY_STRING) {
			if (len != NULL)
				*len = v->len;
			return v->str;
		}
	}
	return NULL;
}

long
store_row_long(const struct store_row *row, const char *field, long def)
{
	const char *v = store_row_get(row, field, NULL);
	char	*end;
	long	 l;

	if (v == NULL)
		return def;
	l = strtol(v, &end, 10);
	return end == v ? def : l;
}

static double
row_double(const struct store_row *row, const char *field, double def)
{
	const char *v = store_row_get(row, field, NULL);
	char	*end;
	double	 d;

	if (v == NULL)
		return def;
	d = strtod(v, &end);
	return end == v ? def : d;
}

void
store_row_submission(const struct store_row *row, struct exec_submission *s)
{
	exec_submission_defaults(s);
	s->source_code = store_row_get(row, "source_code", &s->source_len);
	s->language_id = (int)store_row_long(row, "language_id", -1);
	s->stdin_data = store_row_get(row, "stdin", &s->stdin_len);
	s->expected_output = store_row_get(row, "expected_output",
	    &s->expected_len);
	s->compiler_options = store_row_get(row, "compiler_options", NULL);
	s->command_line_arguments = store_row_get(row,
	    "command_line_arguments", NULL);
	s->cpu_time_limit = row_double(row, "cpu_time_limit",
	    s->cpu_time_limit);
	s->cpu_extra_time = row_double(row, "cpu_extra_time",
	    s->cpu_extra_time);
	s->wall_time_limit = row_double(row, "wall_time_limit",
	    s->wall_time_limit);
	s->memory_limit = store_row_long(row, "memory_limit", s->memory_limit);
	s->stack_limit = store_row_long(row, "stack_limit", s->stack_limit);
	s->max_processes_and_or_threads = (int)store_row_long(row,
	    "max_processes_and_or_threads", s->max_processes_and_or_threads);
	s->max_file_size = store_row_long(row, "max_file_size",
	    s->max_file_size);
	s->number_of_runs = (int)store_row_long(row, "number_of_runs",
	    s->number_of_runs);
	s->redirect_stderr_to_stdout = (int)store_row_long(row,
	    "redirect_stderr_to_stdout", 0);
	s->enable_network = (int)store_row_long(row, "enable_network", 0);
	s->validator_json = store_row_get(row, "pitwall_validator",
	    &s->validator_json_len);
}

