/*
 * Publishing a committed batch, in the order it happens: the Redis view
 * rewritten from PostgreSQL (sync_*), then the live push to the browsers
 * (live_*).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>
#include <json-c/json.h>

#include "board.h"
#include "db.h"
#include "extern.h"
#include "keys.h"
#include "livepost.h"
#include "log.h"
#include "metrics.h"
#include "redis.h"

/*
 * Redis after COMMIT: the submission hash, its results and pending set,
 * the token bookkeeping and the leaderboard, all rewritten from
 * PostgreSQL.  Every write is idempotent, so a job replayed after a crash
 * between COMMIT and here (or a duplicate callback) repairs Redis.
 */

/* Parse a decimal field value in [min, max].  0 / -1. */
static int
num(const redisReply *v, long long min, long long max, long long *out)
{
	char buf[32], *end;
	long long n;

	if (v == NULL || v->type != REDIS_REPLY_STRING || v->len == 0 ||
	    v->len >= sizeof(buf))
		return -1;
	memcpy(buf, v->str, v->len);
	buf[v->len] = '\0';
	errno = 0;
	n = strtoll(buf, &end, 10);
	if (errno != 0 || *end != '\0' || n < min || n > max)
		return -1;
	*out = n;
	return 0;
}

/*
 * Read pitwall:sub:<sid>.  0 when complete; 1 when there is no such hash
 * and 2 when it lacks a field (why says which); -1 when Redis failed.
 * The fields of h point into h->reply: subhash_free() it in every case.
 */
int
subhash_load(struct wctx *w, const char *sid, struct subhash *h, char *why,
    size_t whysz)
{
	redisReply *rep, *uid = NULL, *qid = NULL, *lid = NULL, *src = NULL,
	    *total = NULL, *created = NULL;
	long long n;
	size_t i;

	memset(h, 0, sizeof(*h));
	rep = redis_cmd(w->redis, "HGETALL " KEY_SUB_FMT, sid);
	if (rep == NULL)
		return -1;
	h->reply = rep;
	if (rep->type != REDIS_REPLY_ARRAY)
		return -1;
	if (rep->elements == 0) {
		snprintf(why, whysz, "unknown submission %s", sid);
		return 1;
	}
	for (i = 0; i + 1 < rep->elements; i += 2) {
		const char *k = rep->element[i]->str;
		redisReply *v = rep->element[i + 1];

		if (rep->element[i]->type != REDIS_REPLY_STRING)
			continue;
		if (strcmp(k, "user_id") == 0)
			uid = v;
		else if (strcmp(k, "question_id") == 0)
			qid = v;
		else if (strcmp(k, "language_id") == 0)
			lid = v;
		else if (strcmp(k, "source") == 0)
			src = v;
		else if (strcmp(k, "total") == 0)
			total = v;
		else if (strcmp(k, "created_at") == 0)
			created = v;
	}
	if (num(uid, 1, INT64_MAX, &h->user_id) == -1 ||
	    num(qid, 1, INT64_MAX, &h->question_id) == -1 ||
	    num(lid, 1, 1000000, &n) == -1 ||
	    (h->language_id = (int)n, 0) ||
	    num(total, 1, 1000000, &n) == -1 ||
	    (h->total = (int)n, 0) ||
	    num(created, 0, INT64_MAX / 2, &h->created_at_ms) == -1 ||
	    src == NULL || src->type != REDIS_REPLY_STRING ||
	    memchr(src->str, '\0', src->len) != NULL) {
		snprintf(why, whysz, "submission %s: incomplete hash", sid);
		return 2;
	}
	h->source = src->str;
	h->source_len = src->len;
	return 0;
}

void
subhash_free(struct subhash *h)
{
	if (h->reply != NULL)
		freeReplyObject(h->reply);
	memset(h, 0, sizeof(*h));
}

/* {"ordinal","verdict","status_id","time_ms","memory_kb","team_message"}
 * of result row i (team_message: a validator's teammessage.txt, the one
 * validator text a contestant sees; null when none). */
static char *
result_json(PGresult *res, int i)
{
	json_object *o;
	char *s;

	if ((o = json_object_new_object()) == NULL)
		return NULL;
	json_object_object_add(o, "ordinal",
	    json_object_new_int(atoi(PQgetvalue(res, i, 0))));
	json_object_object_add(o, "verdict",
	    json_object_new_string(PQgetvalue(res, i, 1)));
	json_object_object_add(o, "status_id",
	    json_object_new_int(atoi(PQgetvalue(res, i, 2))));
	json_object_object_add(o, "time_ms", PQgetisnull(res, i, 3) ? NULL :
	    json_object_new_int(atoi(PQgetvalue(res, i, 3))));
	json_object_object_add(o, "memory_kb", PQgetisnull(res, i, 4) ? NULL :
	    json_object_new_int(atoi(PQgetvalue(res, i, 4))));
	if (!PQgetisnull(res, i, 8))
		json_object_object_add(o, "team_message",
		    json_object_new_string(PQgetvalue(res, i, 8)));
	s = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
	return s;
}

/* What PostgreSQL says of a batch's stored results, read after COMMIT. */
struct view {
	PGresult	*sub;	/* status … total, id (column 8), verdict (9), compile output (10) */
	PGresult	*res;	/* result rows: … token, tid, sid (5, 6, 7) */
	PGresult	*lb;	/* board_entries_sql: round, user, totals, metas, competitor */
	char		**rj;	/* result_json() of each res row */
};

static void
view_free(struct view *v)
{
	int i;

	for (i = 0; v->rj != NULL && i < PQntuples(v->res); i++)
		free(v->rj[i]);
	free(v->rj);
	PQclear(v->sub);
	PQclear(v->res);
	PQclear(v->lb);
	memset(v, 0, sizeof(*v));
}

/* Three queries for the whole batch (jobs sorted by sid).  0 / -1. */
static int
view_load(struct wctx *w, struct job *const *jobs, size_t n, struct view *v)
{
	static const char subq[] =
	    "SELECT s.status, s.done, s.passed, s.failed,"
	    " COALESCE(s.score::text, ''), s.user_id, q.round_id, s.total,"
	    " s.id::text, COALESCE(s.verdict, ''), COALESCE(s.compile_output, '')"
	    " FROM submissions s JOIN questions q ON q.id = s.question_id"
	    " WHERE s.id = ANY ($1::uuid[])";
	static const char resq[] =
	    "SELECT t.ordinal, r.verdict, r.status_id, r.time_ms, r.memory_kb,"
	    " COALESCE(r.judge_token, ''), r.testcase_id, r.submission_id::text,"
	    " r.team_message"
	    " FROM (SELECT DISTINCT * FROM unnest($1::uuid[], $2::bigint[]))"
	    "  AS x(sid, tid)"
	    " JOIN submission_results r"
	    "  ON r.submission_id = x.sid AND r.testcase_id = x.tid"
	    " JOIN testcases t ON t.id = r.testcase_id";
	/* The statements' array parameters. */
	enum { A_SIDS, A_PSID, A_PTID, A_RIDS, A_UIDS, A__MAX };
	struct pgarr a[A__MAX];
	const char *p[2];
	char tid[24];
	size_t i;
	int r, rc = -1;

	memset(v, 0, sizeof(*v));
	if (pgarr_open_all(a, A__MAX) == -1)
		return -1;
	for (i = 0; i < n; i++) {
		if (i == 0 || strcmp(jobs[i]->sid, jobs[i - 1]->sid) != 0)
			pgarr_text(&a[A_SIDS], jobs[i]->sid);
		snprintf(tid, sizeof(tid), "%lld", jobs[i]->tid);
		pgarr_text(&a[A_PSID], jobs[i]->sid);
		pgarr_text(&a[A_PTID], tid);
	}
	if (pgarr_close(&a[A_SIDS]) == -1 || pgarr_close(&a[A_PSID]) == -1 ||
	    pgarr_close(&a[A_PTID]) == -1)
		goto out;
	p[0] = a[A_SIDS].buf;
	if ((v->sub = db_exec(w->db, subq, 1, p)) == NULL)
		goto out;
	p[0] = a[A_PSID].buf;
	p[1] = a[A_PTID].buf;
	if ((v->res = db_exec(w->db, resq, 2, p)) == NULL)
		goto out;
	if (PQntuples(v->res) > 0 &&
	    (v->rj = calloc((size_t)PQntuples(v->res), sizeof(*v->rj))) == NULL)
		goto out;
	for (r = 0; r < PQntuples(v->res); r++)
		if ((v->rj[r] = result_json(v->res, r)) == NULL)
			goto out;
	for (r = 0; r < PQntuples(v->sub); r++) {
		if (strcmp(PQgetvalue(v->sub, r, 0), "done") != 0)
			continue;
		pgarr_text(&a[A_RIDS], PQgetvalue(v->sub, r, 6));
		pgarr_text(&a[A_UIDS], PQgetvalue(v->sub, r, 5));
	}
	if (a[A_RIDS].n > 0) {
		if (pgarr_close(&a[A_RIDS]) == -1 || pgarr_close(&a[A_UIDS]) == -1)
			goto out;
		p[0] = a[A_RIDS].buf;
		p[1] = a[A_UIDS].buf;
		/* lib/board.h: the one definition of an entry, both boards. */
		if ((v->lb = db_exec(w->db, board_entries_sql, 2, p)) == NULL)
			goto out;
	}
	rc = 0;
out:
	pgarr_free_all(a, A__MAX);
	if (rc == -1)
		view_free(v);
	return rc;
}

/* The row of v->res for (sid, tid), or -1. */
static int
view_result(const struct view *v, const char *sid, long long tid)
{
	int i;

	for (i = 0; i < PQntuples(v->res); i++)
		if (strtoll(PQgetvalue(v->res, i, 6), NULL, 10) == tid &&
		    strcasecmp(PQgetvalue(v->res, i, 7), sid) == 0)
			return i;
	return -1;
}

/* The row of v->sub for sid, or -1. */
static int
view_sub(const struct view *v, const char *sid)
{
	int i;

	for (i = 0; i < PQntuples(v->sub); i++)
		if (strcasecmp(PQgetvalue(v->sub, i, 8), sid) == 0)
			return i;
	return -1;
}

/* The row of v->lb for (round, user), or -1. */
static int
view_lb(const struct view *v, const char *rid, const char *uid)
{
	int i;

	for (i = 0; v->lb != NULL && i < PQntuples(v->lb); i++)
		if (strcmp(PQgetvalue(v->lb, i, 0), rid) == 0 &&
		    strcmp(PQgetvalue(v->lb, i, 1), uid) == 0)
			return i;
	return -1;
}

/*
 * Queue one submission's MULTI … EXEC on c: its hash, results, pending
 * set, the tokens, and when it is done the leaderboard.  Returns how
 * many commands were appended, -1 when one could not be.
 */
static int
view_append(redisContext *c, const struct view *v, int s,
    struct job *const *jobs, size_t n)
{
	PGresult *sub = v->sub, *res = v->res;
	const char *sid = jobs[0]->sid;
	char key[128], rkey[128], pkey[128], lkey[128], mkey[128];
	long long rid;
	int nc = 0, bad = 0, r, l, b, done;
	size_t i;

	snprintf(key, sizeof(key), KEY_SUB_FMT, sid);
	snprintf(rkey, sizeof(rkey), KEY_SUB_RESULTS_FMT, sid);
	snprintf(pkey, sizeof(pkey), KEY_SUB_PENDING_FMT, sid);
	done = strcmp(PQgetvalue(sub, s, 0), "done") == 0;
#define APPEND(...) do {						\
	if (redisAppendCommand(c, __VA_ARGS__) != REDIS_OK)		\
		bad = 1;						\
	else								\
		nc++;							\
} while (0)
	APPEND("MULTI");
	APPEND("HSET %s status %s done %s passed %s failed %s", key,
	    PQgetvalue(sub, s, 0), PQgetvalue(sub, s, 1), PQgetvalue(sub, s, 2),
	    PQgetvalue(sub, s, 3));
	if (done)
		APPEND("HSET %s score %s verdict %s", key, PQgetvalue(sub, s, 4),
		    PQgetvalue(sub, s, 9));
	if (*PQgetvalue(sub, s, 10) != '\0')
		APPEND("HSET %s compile_output %s", key, PQgetvalue(sub, s, 10));
	for (i = 0; i < n; i++) {
		if ((r = view_result(v, sid, jobs[i]->tid)) == -1)
			continue;
		APPEND("HSET %s %s %s", rkey, PQgetvalue(res, r, 6), v->rj[r]);
		APPEND("SREM %s %s", pkey, PQgetvalue(res, r, 6));
		/* Forget the Judge0 tokens: no deadline, no mapping. */
		if (*jobs[i]->res.token != '\0') {
			APPEND("ZREM %s %s", KEY_DEADLINES, jobs[i]->res.token);
			APPEND("HDEL %s %s", KEY_TOKENS, jobs[i]->res.token);
		}
		if (*PQgetvalue(res, r, 5) != '\0') {
			APPEND("ZREM %s %s", KEY_DEADLINES, PQgetvalue(res, r, 5));
			APPEND("HDEL %s %s", KEY_TOKENS, PQgetvalue(res, r, 5));
		}
	}
	APPEND("EXPIRE %s %d", key, SUB_TTL_S);
	APPEND("EXPIRE %s %d", rkey, SUB_TTL_S);
	if (done && (l = view_lb(v, PQgetvalue(sub, s, 6),
	    PQgetvalue(sub, s, 5))) != -1) {
		rid = atoll(PQgetvalue(sub, s, 6));
		for (b = 0; b < 2; b++) {
			snprintf(lkey, sizeof(lkey), board_keys[b][0], rid);
			snprintf(mkey, sizeof(mkey), board_keys[b][1], rid);
			/* The member: the user's competitor (lib/board.h). */
			APPEND("ZADD %s %s %s", lkey, PQgetvalue(v->lb, l, 2 + 2 * b),
			    PQgetvalue(v->lb, l, 6));
			APPEND("HSET %s %s %s", mkey, PQgetvalue(v->lb, l, 6),
			    PQgetvalue(v->lb, l, 3 + 2 * b));
		}
	}
	if (bad)
		APPEND("DISCARD");
	else
		APPEND("EXEC");
#undef APPEND
	return bad ? -1 : nc;
}

/*
 * Read nc replies of one MULTI … EXEC.  0 when it ran without an error,
 * 1 when it did not, -1 when the connection failed (then broken).
 */
static int
view_replies(struct wctx *w, redisContext *c, int nc)
{
	redisReply *rep;
	void *vr;
	size_t k;
	int i, bad = 0;

	for (i = 0; i < nc; i++) {
		if (redisGetReply(c, &vr) != REDIS_OK) {
			log_warn(NULL, "Redis pipeline failed: %s", c->errstr);
			redis_broken(w->redis);
			return -1;
		}
		rep = vr;
		if (i + 1 == nc) {
			if (rep == NULL || rep->type != REDIS_REPLY_ARRAY)
				bad = 1;	/* EXEC aborted, or DISCARD */
			for (k = 0; rep != NULL &&
			    rep->type == REDIS_REPLY_ARRAY && k < rep->elements; k++)
				if (rep->element[k]->type == REDIS_REPLY_ERROR) {
					log_error(NULL, "Redis: %s",
					    rep->element[k]->str);
					bad = 1;
				}
		}
		if (queue_reply_ok(rep) == -1)
			bad = 1;
	}
	return bad;
}

/*
 * Refresh Redis for the stored results jobs[0..n) (sorted by
 * submission): read from PostgreSQL for the whole batch, then one
 * MULTI per submission, all sent as one pipeline.  Jobs of a submission
 * whose refresh failed go back to JOB_NEW (to be replayed: every write
 * is idempotent).  Returns how many went back.
 */
size_t
sync_results(struct wctx *w, struct job *const *jobs, size_t n)
{
	struct view v;
	struct live_event ev;
	redisContext *c;
	const char **rj = NULL;
	size_t i, j, k, m, nr, back = 0;
	int *nc = NULL, *srow = NULL, g, ng = 0, rr, s, r, failed = 0;

	if (n == 0)
		return 0;
	if ((nc = calloc(n, sizeof(*nc))) == NULL ||
	    (srow = calloc(n, sizeof(*srow))) == NULL ||
	    (rj = calloc(n, sizeof(*rj))) == NULL ||
	    view_load(w, jobs, n, &v) == -1) {
		free(nc);
		free(srow);
		free(rj);
		for (i = 0; i < n; i++)
			jobs[i]->state = JOB_NEW;
		return n;
	}
	c = redis_ctx(w->redis);
	/* Append every submission's MULTI; nc[g] = 0: nothing sent. */
	for (i = 0, g = 0; i < n; i = j, g++) {
		for (j = i + 1; j < n && strcmp(jobs[j]->sid, jobs[i]->sid) == 0;
		    j++)
			;
		srow[g] = view_sub(&v, jobs[i]->sid);
		if (srow[g] == -1) {
			log_warn(NULL, "submission %s is gone from PostgreSQL",
			    jobs[i]->sid);
			continue;
		}
		if (c == NULL || failed)
			nc[g] = -1;
		else if ((nc[g] = view_append(c, &v, srow[g], jobs + i,
		    j - i)) == -1)
			failed = 1;	/* the pipeline is in an unknown state */
	}
	ng = g;
	/* Read the replies in order; publish what went through. */
	for (i = 0, g = 0; g < ng; i = j, g++) {
		for (j = i + 1; j < n && strcmp(jobs[j]->sid, jobs[i]->sid) == 0;
		    j++)
			;
		if (srow[g] == -1)
			continue;
		rr = 1;
		if (nc[g] > 0 && !failed)
			rr = view_replies(w, c, nc[g]);
		if (rr == -1)
			failed = 1;
		if (rr != 0) {
			for (k = i; k < j; k++)
				jobs[k]->state = JOB_NEW;
			back += j - i;
			continue;
		}
		s = srow[g];
		for (k = i, nr = 0; k < j; k++) {
			/* Each result once, also when a callback came twice. */
			if ((r = view_result(&v, jobs[k]->sid, jobs[k]->tid)) >= 0) {
				for (m = 0; m < nr && rj[m] != v.rj[r]; m++)
					;
				if (m == nr)
					rj[nr++] = v.rj[r];
			}
			if (jobs[k]->finalized)
				log_info(NULL, "submission %s finalized: passed "
				    "%s/%s score %s", jobs[k]->sid,
				    PQgetvalue(v.sub, s, 2),
				    PQgetvalue(v.sub, s, 7),
				    PQgetvalue(v.sub, s, 4));
		}
		ev.sid = jobs[i]->sid;
		ev.status = PQgetvalue(v.sub, s, 0);
		ev.total = PQgetvalue(v.sub, s, 7);
		ev.ndone = PQgetvalue(v.sub, s, 1);
		ev.passed = PQgetvalue(v.sub, s, 2);
		ev.failed = PQgetvalue(v.sub, s, 3);
		ev.score = PQgetvalue(v.sub, s, 4);
		ev.verdict = PQgetvalue(v.sub, s, 9);
		ev.compile_output = PQgetvalue(v.sub, s, 10);
		ev.results = rj;
		ev.nresults = nr;
		ev.round_id = PQgetvalue(v.sub, s, 6);
		ev.done = strcmp(ev.status, "done") == 0;
		live_submission(w, &ev);
	}
	live_flush(w);
	if (failed && c != NULL)
		redis_broken(w->redis);
	view_free(&v);
	free(nc);
	free(srow);
	free(rj);
	return back;
}

/*
 * Live push: after a batch is committed and Redis is current, tell the
 * browsers through nginx's nchan publisher on the internal listener of
 * every app host (LIVE_PUBLISH_URL's list, <URL>/<channel> each: a
 * contestant may be subscribed on any app host's nginx).  Best effort: a
 * failed POST is ignored (the page falls back to polling GET
 * /submissions/{id}), and after a failure the worker stops trying that
 * publisher for a few seconds so a missing publisher never slows the
 * queue down; the other publishers go on.
 *
 * Channels: submissions/<id> (owner only; nginx asks the responders)
 * and leaderboard (public): the paths under /live/ browsers subscribe to.
 *
 * One batch makes one message per submission (all of its results in the
 * batch) and one per leaderboard, collected by live_submission() and
 * live_leaderboard() and sent together, one easy handle per publisher,
 * concurrently over a few kept-alive connections to each, by
 * live_flush(): publishing costs the queue one bounded wait per batch,
 * not a round trip per result.
 */

#define LIVE_TIMEOUT_MS		500	/* one flush, all of its posts */
#define LIVE_BACKOFF_S		5
#define LIVE_CONNS		4	/* concurrent posts to each publisher */
#define LIVE_MAX_MSGS		1024	/* per flush; more are dropped */
#define LIVE_MAX_POSTS		(LIVE_MAX_MSGS * LIVEPOST_MAX)
#define LIVE_MAX_ROUNDS		16	/* distinct leaderboards per flush */

static CURLM *live_multi;
static struct curl_slist *live_hdr;
static struct livepost_urls live_urls;	/* LIVE_PUBLISH_URL, parsed once */
static int live_parsed;
static time_t live_off_until[LIVEPOST_MAX];	/* a publisher's pause */
static int live_paused[LIVEPOST_MAX];	/* for this flush */
static CURL *live_easy[LIVE_MAX_POSTS];
static size_t live_n;		/* posts collected since the last flush */
static size_t live_nmsgs;	/* messages collected since the last flush */
static long long live_rounds[LIVE_MAX_ROUNDS];
static size_t live_nrounds;

/*
 * Whether publishing is configured and some publisher is not paused
 * after a failure (live_paused[] says which are).
 */
static int
live_on(const struct wctx *w)
{
	time_t now = time(NULL);
	size_t i;
	int on = 0;

	if (!live_parsed) {
		livepost_parse(&live_urls, w->cfg.live_publish_url);
		live_parsed = 1;
	}
	for (i = 0; i < live_urls.n; i++) {
		live_paused[i] = now < live_off_until[i];
		on |= !live_paused[i];
	}
	return on;
}

static int
live_init(void)
{
	if (live_multi != NULL)
		return 0;
	if ((live_multi = curl_multi_init()) == NULL)
		return -1;
	curl_multi_setopt(live_multi, CURLMOPT_MAX_HOST_CONNECTIONS,
	    (long)LIVE_CONNS);
	curl_multi_setopt(live_multi, CURLMOPT_MAX_TOTAL_CONNECTIONS,
	    (long)(LIVE_CONNS * (live_urls.n > 0 ? live_urls.n : 1)));
	live_hdr = curl_slist_append(NULL, "Content-Type: application/json");
	live_hdr = curl_slist_append(live_hdr, "Accept: text/json");
	return live_hdr == NULL ? -1 : 0;
}

/*
 * Queue a POST of body (copied) to <publisher>/<channel> for each
 * publisher not paused.
 */
static void
live_post(const char *channel, const char *body)
{
	if (live_nmsgs == LIVE_MAX_MSGS || live_init() == -1)
		return;
	live_nmsgs++;
	live_n += livepost_add(live_multi, &live_urls, live_paused, channel,
	    live_hdr, body, LIVE_TIMEOUT_MS, live_easy + live_n,
	    LIVE_MAX_POSTS - live_n);
}

static json_object *
num_or_null(const char *s, int is_double)
{
	if (s == NULL || *s == '\0')
		return NULL;
	return is_double ? json_object_new_double(strtod(s, NULL)) :
	    json_object_new_int64(atoll(s));
}

/*
 * Collect the message of one submission: its state after the batch and
 * the results the batch stored (ev->results, JSON texts), for live_flush.
 */
void
live_submission(struct wctx *w, const struct live_event *ev)
{
	json_object *o, *arr;
	char channel[64];
	size_t i;

	if (!live_on(w))
		return;
	if ((o = json_object_new_object()) == NULL)
		return;
	json_object_object_add(o, "type", json_object_new_string(
	    ev->done ? "done" : "result"));
	json_object_object_add(o, "id", json_object_new_string(ev->sid));
	json_object_object_add(o, "status", json_object_new_string(ev->status));
	json_object_object_add(o, "total", num_or_null(ev->total, 0));
	json_object_object_add(o, "done", num_or_null(ev->ndone, 0));
	json_object_object_add(o, "passed", num_or_null(ev->passed, 0));
	json_object_object_add(o, "failed", num_or_null(ev->failed, 0));
	json_object_object_add(o, "score", ev->done ? num_or_null(ev->score, 1) : NULL);
	json_object_object_add(o, "verdict", ev->done && ev->verdict != NULL &&
	    *ev->verdict != '\0' ? json_object_new_string(ev->verdict) : NULL);
	json_object_object_add(o, "compile_output", *ev->compile_output != '\0' ?
	    json_object_new_string(ev->compile_output) : NULL);
	if ((arr = json_object_new_array()) != NULL) {
		for (i = 0; i < ev->nresults; i++) {
			json_object *r = json_tokener_parse(ev->results[i]);

			if (r != NULL)
				json_object_array_add(arr, r);
		}
		json_object_object_add(o, "results", arr);
	}
	snprintf(channel, sizeof(channel), "submissions/%s", ev->sid);
	live_post(channel,
	    json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
	if (ev->done && ev->round_id != NULL && *ev->round_id != '\0')
		live_leaderboard(w, atoll(ev->round_id));
}

/* Note that round_id's leaderboard changed: one message per flush. */
void
live_leaderboard(struct wctx *w, long long round_id)
{
	size_t i;

	if (!live_on(w))
		return;
	for (i = 0; i < live_nrounds; i++)
		if (live_rounds[i] == round_id)
			return;
	if (live_nrounds < LIVE_MAX_ROUNDS)
		live_rounds[live_nrounds++] = round_id;
}

/*
 * Send what was collected, concurrently, and wait for it (at most about
 * LIVE_TIMEOUT_MS).  A publisher a post failed to is paused for
 * LIVE_BACKOFF_S; the others are not.
 */
void
live_flush(struct wctx *w)
{
	struct livepost_result res;
	char body[96];
	time_t now;
	size_t i;

	(void)w;
	for (i = 0; i < live_nrounds; i++) {
		snprintf(body, sizeof(body),
		    "{\"type\":\"leaderboard\",\"round_id\":%lld}", live_rounds[i]);
		live_post("leaderboard", body);
	}
	live_nrounds = 0;
	live_nmsgs = 0;
	if (live_n == 0)
		return;
	livepost_run(live_multi, live_easy, live_n, &res);
	live_n = 0;
	metrics_count(METRICS_LIVE_SENT, (long long)(res.tried - res.failed));
	metrics_count(METRICS_LIVE_FAILED, (long long)res.failed);
	if (res.failed == 0)
		return;
	now = time(NULL);
	for (i = 0; i < live_urls.n; i++) {
		if (!(res.failed_mask & (1u << i)))
			continue;
		log_warn(NULL, "live publish: posts to %s failed (%s); its "
		    "pages poll instead for %d s", live_urls.url[i], res.why,
		    LIVE_BACKOFF_S);
		live_off_until[i] = now + LIVE_BACKOFF_S;
	}
}
