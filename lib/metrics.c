/*
 * Metrics: relaxed atomic counters per process, flushed as deltas into
 * one Redis hash, rendered in Prometheus' text format.  See metrics.h for
 * why, docs/metrics.md for what each metric means.
 */
#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "judgehosts.h"
#include "keys.h"
#include "log.h"
#include "metrics.h"
#include "redis.h"

#define STATUS_MIN	100
#define STATUS_N	500		/* 100 … 599 */
#define NROUTES		(METRICS_ROUTES_MAX + 1)	/* the last is "other" */

/* Latency buckets (seconds), shared by the HTTP and Judge0 histograms. */
static const double lat_le[] = {
	0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30
};
#define NLAT	(sizeof(lat_le) / sizeof(lat_le[0]))

/* Worker batch sizes (jobs). */
static const double batch_le[] = { 1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024 };
#define NBATCH	(sizeof(batch_le) / sizeof(batch_le[0]))

/* cur: written by any thread; sent: by the flushing thread only. */
struct cell {
	_Atomic unsigned long long	cur;
	unsigned long long		sent;
};

/* A histogram: one cell per bucket (not cumulative) and +Inf, and a sum. */
struct hist {
	struct cell	b[NLAT + 1];
	struct cell	sum;		/* in micro-units (µs, or jobs × 10^6) */
};

static const char *const counter_names[METRICS_COUNTER__MAX] = {
	[METRICS_REAPER_RECOVERED] = "pitwall_reaper_recovered_total",
	[METRICS_REAPER_RESUBMITTED] = "pitwall_reaper_resubmitted_total",
	[METRICS_REAPER_GAVE_UP] = "pitwall_reaper_gave_up_total",
	[METRICS_DISPATCH_RETRIES] = "pitwall_dispatch_retries_total",
	[METRICS_DEAD_LETTERS] = "pitwall_dead_letters_total",
	[METRICS_ORPHANS_REQUEUED] = "pitwall_orphans_requeued_total",
	[METRICS_WORKER_JOBS] = "pitwall_worker_jobs_total",
	[METRICS_STALE_RESULTS] = "pitwall_stale_results_total",
	[METRICS_LIVE_SENT] = "pitwall_live_messages_total",
	[METRICS_LIVE_FAILED] = "pitwall_live_failures_total",
};

static const char *const j0_op_names[METRICS_J0_OP__MAX] = {
	"batch_submit", "batch_get", "submit", "other"
};

static const char *const j0_outcome_names[METRICS_J0_OUTCOME__MAX] = {
	"ok", "rejected", "unavailable", "transport", "timeout"
};

static struct {
	const char	*routes[NROUTES];
	size_t		 nroutes;
	struct cell	 req[NROUTES][STATUS_N];
	struct hist	 lat[NROUTES];
	struct cell	 j0[METRICS_J0_OP__MAX][METRICS_J0_OUTCOME__MAX];
	struct hist	 j0_lat[METRICS_J0_OP__MAX];
	struct cell	 counters[METRICS_COUNTER__MAX];
	struct hist	 batch;
} m;

void
metrics_routes(const char *const *names, size_t n)
{
	size_t i;

	if (n > METRICS_ROUTES_MAX)
		n = METRICS_ROUTES_MAX;
	for (i = 0; i < n; i++)
		m.routes[i] = names[i];
	m.nroutes = n;
}

static void
inc(struct cell *c, unsigned long long n)
{
	atomic_fetch_add_explicit(&c->cur, n, memory_order_relaxed);
}

static void
observe(struct hist *h, const double *le, size_t nle, double v)
{
	size_t i;

	for (i = 0; i < nle && v > le[i]; i++)
		;
	inc(&h->b[i], 1);
	if (v > 0)
		inc(&h->sum, (unsigned long long)llround(v * 1e6));
}

void
metrics_http(size_t route, int status, double seconds)
{
	if (route >= m.nroutes)
		route = NROUTES - 1;
	if (status < STATUS_MIN || status >= STATUS_MIN + STATUS_N)
		status = 599;
	inc(&m.req[route][status - STATUS_MIN], 1);
	observe(&m.lat[route], lat_le, NLAT, seconds);
}

void
metrics_judge0(enum metrics_j0_op op, enum metrics_j0_outcome outcome,
    double seconds)
{
	if ((unsigned)op >= METRICS_J0_OP__MAX)
		op = METRICS_J0_OTHER;
	if ((unsigned)outcome >= METRICS_J0_OUTCOME__MAX)
		outcome = METRICS_J0_TRANSPORT;
	inc(&m.j0[op][outcome], 1);
	observe(&m.j0_lat[op], lat_le, NLAT, seconds);
}

enum metrics_j0_outcome
metrics_j0_outcome_of(long http_status, int timed_out)
{
	if (timed_out)
		return METRICS_J0_TIMEOUT;
	if (http_status == 0)
		return METRICS_J0_TRANSPORT;
	if (http_status >= 200 && http_status < 300)
		return METRICS_J0_OK;
	if (http_status >= 500 || http_status == 429)
		return METRICS_J0_UNAVAILABLE;
	return METRICS_J0_REJECTED;
}

void
metrics_count(enum metrics_counter c, long long n)
{
	if ((unsigned)c < METRICS_COUNTER__MAX && n > 0)
		inc(&m.counters[c], (unsigned long long)n);
}

void
metrics_batch(size_t n)
{
	observe(&m.batch, batch_le, NBATCH, (double)n);
}

/* ---- flushing ---- */

/* What one flush promised to send: cells and the values to mark sent. */
struct pending {
	struct cell		**cells;
	unsigned long long	 *vals;
	size_t			  n, cap;
	size_t			  cmds;
};

static int
pending_add(struct pending *p, struct cell *c, unsigned long long v)
{
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 64;
		struct cell **nc = realloc(p->cells, cap * sizeof(*nc));
		unsigned long long *nv;

		if (nc == NULL)
			return -1;
		p->cells = nc;
		if ((nv = realloc(p->vals, cap * sizeof(*nv))) == NULL)
			return -1;
		p->vals = nv;
		p->cap = cap;
	}
	p->cells[p->n] = c;
	p->vals[p->n++] = v;
	return 0;
}

static int
send_cell(redisContext *ctx, struct pending *p, struct cell *c,
    const char *field)
{
	unsigned long long v = atomic_load_explicit(&c->cur, memory_order_relaxed);

	if (v == c->sent)
		return 0;
	if (pending_add(p, c, v) == -1)
		return -1;
	p->cmds++;
	return redisAppendCommand(ctx, "HINCRBY %s %s %llu", KEY_METRICS, field,
	    v - c->sent) == REDIS_OK ? 0 : -1;
}

/*
 * A histogram's deltas as cumulative buckets, _count and _sum.  name is
 * the family, labels "" or `k="v",…` (without braces); scale turns the
 * sum's micro-units back into the unit.
 */
static int
send_hist(redisContext *ctx, struct pending *p, struct hist *h,
    const double *le, size_t nle, const char *name, const char *labels)
{
	unsigned long long v[NLAT + 1], cum = 0, sum;
	char field[512];
	const char *sep = *labels ? "," : "";
	size_t i;
	int any = 0;

	for (i = 0; i <= nle; i++) {
		v[i] = atomic_load_explicit(&h->b[i].cur, memory_order_relaxed);
		any |= v[i] != h->b[i].sent;
	}
	if (!any)
		return 0;
	for (i = 0; i <= nle; i++) {
		cum += v[i] - h->b[i].sent;
		if (pending_add(p, &h->b[i], v[i]) == -1)
			return -1;
		if (i < nle)
			snprintf(field, sizeof(field), "%s_bucket{%s%sle=\"%g\"}",
			    name, labels, sep, le[i]);
		else
			snprintf(field, sizeof(field), "%s_bucket{%s%sle=\"+Inf\"}",
			    name, labels, sep);
		p->cmds++;
		if (redisAppendCommand(ctx, "HINCRBY %s %s %llu", KEY_METRICS,
		    field, cum) != REDIS_OK)
			return -1;
	}
	snprintf(field, sizeof(field), "%s_count%s%s%s", name, *labels ? "{" : "",
	    labels, *labels ? "}" : "");
	p->cmds++;
	if (redisAppendCommand(ctx, "HINCRBY %s %s %llu", KEY_METRICS, field,
	    cum) != REDIS_OK)
		return -1;
	sum = atomic_load_explicit(&h->sum.cur, memory_order_relaxed);
	if (sum != h->sum.sent) {
		char num[64];

		if (pending_add(p, &h->sum, sum) == -1)
			return -1;
		snprintf(field, sizeof(field), "%s_sum%s%s%s", name,
		    *labels ? "{" : "", labels, *labels ? "}" : "");
		snprintf(num, sizeof(num), "%.6f", (double)(sum - h->sum.sent) / 1e6);
		p->cmds++;
		if (redisAppendCommand(ctx, "HINCRBYFLOAT %s %s %s", KEY_METRICS,
		    field, num) != REDIS_OK)
			return -1;
	}
	return 0;
}

int
metrics_flush(struct redis *r)
{
	struct pending p = { NULL, NULL, 0, 0, 0 };
	redisContext *ctx;
	redisReply *rep;
	char field[256], labels[200];
	size_t i, k;
	int rc = -1, ok = 1, drained = 0;

	if (redis_ensure(r) == -1 || (ctx = redis_ctx(r)) == NULL)
		return -1;
	for (i = 0; i < NROUTES; i++) {
		const char *route = i < m.nroutes ? m.routes[i] : "other";

		if (i >= m.nroutes && i != NROUTES - 1)
			continue;
		for (k = 0; k < STATUS_N; k++) {
			snprintf(field, sizeof(field), "pitwall_http_requests_total"
			    "{route=\"%s\",status=\"%zu\"}", route, k + STATUS_MIN);
			if (send_cell(ctx, &p, &m.req[i][k], field) == -1)
				goto out;
		}
		snprintf(labels, sizeof(labels), "route=\"%s\"", route);
		if (send_hist(ctx, &p, &m.lat[i], lat_le, NLAT,
		    "pitwall_http_request_duration_seconds", labels) == -1)
			goto out;
	}
	for (i = 0; i < METRICS_J0_OP__MAX; i++) {
		for (k = 0; k < METRICS_J0_OUTCOME__MAX; k++) {
			snprintf(field, sizeof(field), "pitwall_judge0_requests_total"
			    "{op=\"%s\",outcome=\"%s\"}", j0_op_names[i],
			    j0_outcome_names[k]);
			if (send_cell(ctx, &p, &m.j0[i][k], field) == -1)
				goto out;
		}
		snprintf(labels, sizeof(labels), "op=\"%s\"", j0_op_names[i]);
		if (send_hist(ctx, &p, &m.j0_lat[i], lat_le, NLAT,
		    "pitwall_judge0_request_duration_seconds", labels) == -1)
			goto out;
	}
	for (i = 0; i < METRICS_COUNTER__MAX; i++)
		if (send_cell(ctx, &p, &m.counters[i], counter_names[i]) == -1)
			goto out;
	if (send_hist(ctx, &p, &m.batch, batch_le, NBATCH,
	    "pitwall_worker_batch_size", "") == -1)
		goto out;

	for (i = 0; i < p.cmds; i++) {
		if (redisGetReply(ctx, (void **)&rep) != REDIS_OK)
			goto out;
		if (rep->type == REDIS_REPLY_ERROR) {
			log_warn(NULL, "metrics: %s", rep->str);
			ok = 0;
		}
		freeReplyObject(rep);
	}
	drained = 1;
	if (ok)
		for (i = 0; i < p.n; i++)
			p.cells[i]->sent = p.vals[i];
	rc = ok ? 0 : -1;
out:
	/* Unread replies leave the connection out of step: drop it. */
	if (!drained && p.cmds > 0)
		redis_broken(r);
	free(p.cells);
	free(p.vals);
	return rc;
}

/* ---- rendering ---- */

struct family {
	const char	*name;
	const char	*type;
	const char	*help;
};

static const struct family families[] = {
	{ "pitwall_http_requests_total", "counter",
	    "HTTP requests answered by the responders, by route and status." },
	{ "pitwall_http_request_duration_seconds", "histogram",
	    "Time from accepting a request to its last byte, by route." },
	{ "pitwall_judge0_requests_total", "counter",
	    "Requests to Judge0 by operation and outcome (anything but ok is an error)." },
	{ "pitwall_judge0_request_duration_seconds", "histogram",
	    "Duration of requests to Judge0, by operation." },
	{ "pitwall_worker_batch_size", "histogram",
	    "Jobs taken per worker batch (one PostgreSQL transaction)." },
	{ "pitwall_reaper_recovered_total", "counter",
	    "Results fetched by the reaper for tokens whose callback never came." },
	{ "pitwall_reaper_resubmitted_total", "counter",
	    "Testcases sent to Judge0 again after a stuck run or Internal Error." },
	{ "pitwall_reaper_gave_up_total", "counter",
	    "Testcases recorded as Internal Error after the last attempt." },
	{ "pitwall_dispatch_retries_total", "counter",
	    "Dispatches resent by a worker after Judge0 was unavailable at /submit." },
	{ "pitwall_dead_letters_total", "counter",
	    "Jobs moved to the dead-letter list." },
	{ "pitwall_orphans_requeued_total", "counter",
	    "Jobs of dead workers moved back to the queue." },
	{ "pitwall_worker_jobs_total", "counter",
	    "Queue jobs taken by workers." },
	{ "pitwall_stale_results_total", "counter",
	    "Results of a judging before a rejudge, ignored." },
	{ "pitwall_live_messages_total", "counter",
	    "Live push messages the nchan publisher took." },
	{ "pitwall_live_failures_total", "counter",
	    "Live push messages that failed (pages poll meanwhile)." },
	{ "pitwall_queue_length", "gauge",
	    "Jobs waiting for a worker (LLEN pitwall:queue)." },
	{ "pitwall_processing_length", "gauge",
	    "Jobs taken by workers and not finished (all pitwall:processing:* lists)." },
	{ "pitwall_dead_letter_length", "gauge",
	    "Jobs in the dead-letter list (LLEN pitwall:dead)." },
	{ "pitwall_dispatch_retry_length", "gauge",
	    "Dispatches waiting to be resent to Judge0 (ZCARD pitwall:dispatch)." },
	{ "pitwall_tokens_pending", "gauge",
	    "Judge0 tokens whose result is not in yet (ZCARD pitwall:deadlines)." },
	{ "pitwall_workers_alive", "gauge",
	    "Workers with a live heartbeat." },
};
#define NFAMILIES	(sizeof(families) / sizeof(families[0]))

/* One sample of the hash, with its sort key. */
struct sample {
	char		 base[128];	/* family name */
	char		 labels[384];	/* labels without le */
	int		 suffix;	/* 0 plain, 1 _bucket, 2 _sum, 3 _count */
	double		 le;
	const char	*field;
	const char	*value;
};

static const struct family *
family_find(const char *name)
{
	size_t i;

	for (i = 0; i < NFAMILIES; i++)
		if (strcmp(families[i].name, name) == 0)
			return &families[i];
	return NULL;
}

static void
sample_parse(struct sample *s, const char *field, const char *value)
{
	static const char *const sfx[] = { "", "_bucket", "_sum", "_count" };
	const char *brace = strchr(field, '{'), *le;
	size_t nlen = brace ? (size_t)(brace - field) : strlen(field), k, sl;
	const struct family *f;

	memset(s, 0, sizeof(*s));
	s->field = field;
	s->value = value;
	snprintf(s->base, sizeof(s->base), "%.*s", (int)nlen, field);
	for (k = 1; k < 4; k++) {
		sl = strlen(sfx[k]);
		if (nlen > sl && strcmp(s->base + nlen - sl, sfx[k]) == 0) {
			char b[128];

			snprintf(b, sizeof(b), "%.*s", (int)(nlen - sl), s->base);
			if ((f = family_find(b)) != NULL &&
			    strcmp(f->type, "histogram") == 0) {
				snprintf(s->base, sizeof(s->base), "%s", b);
				s->suffix = (int)k;
				break;
			}
		}
	}
	if (brace != NULL) {
		snprintf(s->labels, sizeof(s->labels), "%s", brace + 1);
		if ((le = strstr(s->labels, "le=\"")) != NULL) {
			s->le = strncmp(le + 4, "+Inf", 4) == 0 ? INFINITY :
			    strtod(le + 4, NULL);
			*(char *)le = '\0';
		}
	}
}

static int
sample_cmp(const void *a, const void *b)
{
	const struct sample *x = a, *y = b;
	int c;

	if ((c = strcmp(x->base, y->base)) != 0)
		return c;
	if ((c = strcmp(x->labels, y->labels)) != 0)
		return c;
	if (x->suffix != y->suffix)
		return x->suffix - y->suffix;
	return (x->le > y->le) - (x->le < y->le);
}

/* Sum of LLEN over pitwall:processing:*; workers with a heartbeat. */
static int
worker_gauges(struct redis *r, long long *processing, long long *alive)
{
	redisReply *rep = NULL, *keys;
	char cursor[32] = "0";
	size_t i;

	*processing = 0;
	*alive = 0;
	do {
		if ((rep = redis_cmd(r, "SCAN %s MATCH " KEY_PROCESSING_MATCH " COUNT 1000",
		    cursor)) == NULL || rep->type != REDIS_REPLY_ARRAY ||
		    rep->elements != 2)
			goto fail;
		snprintf(cursor, sizeof(cursor), "%s", rep->element[0]->str);
		keys = rep->element[1];
		for (i = 0; i < keys->elements; i++) {
			long long n = redis_int(r, "LLEN %s", keys->element[i]->str);
			if (n > 0)
				*processing += n;
		}
		freeReplyObject(rep);
		rep = NULL;
	} while (strcmp(cursor, "0") != 0);
	if ((rep = redis_cmd(r, "SMEMBERS %s", KEY_WORKERS)) == NULL ||
	    rep->type != REDIS_REPLY_ARRAY)
		goto fail;
	for (i = 0; i < rep->elements; i++) {
		char key[256];

		snprintf(key, sizeof(key), KEY_WORKER_FMT, rep->element[i]->str);
		if (redis_int(r, "EXISTS %s", key) == 1)
			(*alive)++;
	}
	freeReplyObject(rep);
	return 0;
fail:
	freeReplyObject(rep);
	return -1;
}

/* The embedded judge's hosts (lib/judgehosts.c), after the hash's
 * families: each family's samples together, names sorted. */
static void
judge_hosts_render(struct redis *r, FILE *fp)
{
	static const struct family hf[] = {
		{ "pitwall_judge_host_cores", "gauge",
		    "Online cores of a judge host, as its runners report them." },
		{ "pitwall_judge_host_load1", "gauge",
		    "1-minute load average of a judge host, as its runners report it." },
		{ "pitwall_judge_host_runners", "gauge",
		    "Runners of a judge host with a live heartbeat." },
		{ "pitwall_judge_host_working", "gauge",
		    "Runners of a judge host with a job in hand." },
		{ "pitwall_judge_hosts", "gauge",
		    "Judge hosts with a live heartbeat." },
	};
	struct judge_host *h;
	size_t	 n, i, k;

	if (judge_hosts(r, &h, &n) == -1)
		return;
	for (k = 0; k < sizeof(hf) / sizeof(hf[0]); k++) {
		fprintf(fp, "# HELP %s %s\n# TYPE %s %s\n", hf[k].name,
		    hf[k].help, hf[k].name, hf[k].type);
		if (k == 4) {
			fprintf(fp, "%s %zu\n", hf[k].name, n);
			continue;
		}
		for (i = 0; i < n; i++) {
			fprintf(fp, "%s{host=\"%s\"} ", hf[k].name, h[i].name);
			if (k == 0)
				fprintf(fp, "%ld\n", h[i].cores);
			else if (k == 1)
				fprintf(fp, "%.2f\n", h[i].load1);
			else
				fprintf(fp, "%ld\n", k == 2 ? h[i].runners :
				    h[i].working);
		}
	}
	free(h);
}

char *
metrics_render(struct redis *r, size_t *len)
{
	redisReply *all = NULL;
	struct sample *s = NULL;
	char *buf = NULL, numbuf[7][32];
	const char *prev = "";
	size_t n = 0, i, k;
	long long g[7];
	FILE *fp = NULL;

	*len = 0;
	g[0] = redis_int(r, "LLEN %s", KEY_QUEUE);
	g[1] = redis_int(r, "LLEN %s", KEY_DEAD);
	g[2] = redis_int(r, "ZCARD %s", KEY_DISPATCH);
	g[3] = redis_int(r, "ZCARD %s", KEY_DEADLINES);
	if (g[0] < 0 || g[1] < 0 || g[2] < 0 || g[3] < 0 ||
	    worker_gauges(r, &g[4], &g[5]) == -1)
		return NULL;
	if ((all = redis_cmd(r, "HGETALL %s", KEY_METRICS)) == NULL ||
	    all->type != REDIS_REPLY_ARRAY)
		goto out;
	/* Hash samples, the fixed counters when absent, the gauges. */
	if ((s = calloc(all->elements / 2 + METRICS_COUNTER__MAX + 8,
	    sizeof(*s))) == NULL)
		goto out;
	for (i = 0; i + 1 < all->elements; i += 2)
		if (all->element[i]->type == REDIS_REPLY_STRING &&
		    all->element[i + 1]->type == REDIS_REPLY_STRING)
			sample_parse(&s[n++], all->element[i]->str,
			    all->element[i + 1]->str);
	for (k = 0; k < METRICS_COUNTER__MAX; k++) {
		for (i = 0; i < n && strcmp(s[i].field, counter_names[k]) != 0; i++)
			;
		if (i == n)
			sample_parse(&s[n++], counter_names[k], "0");
	}
	{
		static const char *const gname[6] = {
			"pitwall_queue_length", "pitwall_dead_letter_length",
			"pitwall_dispatch_retry_length", "pitwall_tokens_pending",
			"pitwall_processing_length", "pitwall_workers_alive",
		};
		for (k = 0; k < 6; k++) {
			snprintf(numbuf[k], sizeof(numbuf[k]), "%lld", g[k]);
			sample_parse(&s[n++], gname[k], numbuf[k]);
		}
	}
	qsort(s, n, sizeof(*s), sample_cmp);

	if ((fp = open_memstream(&buf, len)) == NULL)
		goto out;
	for (i = 0; i < n; i++) {
		if (strcmp(prev, s[i].base) != 0) {
			const struct family *f = family_find(s[i].base);

			if (f != NULL)
				fprintf(fp, "# HELP %s %s\n# TYPE %s %s\n", f->name,
				    f->help, f->name, f->type);
			else
				fprintf(fp, "# TYPE %s untyped\n", s[i].base);
			prev = s[i].base;
		}
		fprintf(fp, "%s %s\n", s[i].field, s[i].value);
	}
	judge_hosts_render(r, fp);
	if (fclose(fp) != 0) {
		free(buf);
		buf = NULL;
	}
	fp = NULL;
out:
	free(s);
	freeReplyObject(all);
	return buf;
}
