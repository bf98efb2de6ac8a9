/*
 * GET /leaderboard[?round=slug] -> [{rank, name, score, last_improved_at,
 *     mode, penalty, problems}]
 *
 * Public (a token that is sent must be valid).  The round is ?round, else
 * the open one, else the one that ended last; none: [].  Served from
 * Redis (lib/board.h): pitwall:lb:<round_id> (competitor -> total) and its
 * :meta (the entry of sql/007_scoring.sql), kept by the worker and
 * rebuilt by `pitwall-admin leaderboard rebuild`; an admin gets the
 * jury's live board (:jury), everyone else the public one, which a
 * frozen round keeps as it was at the freeze.
 *
 * Order: score descending (icpc: problems solved), then penalty ascending
 * (icpc; 0 otherwise), then last_improved_at ascending (who got there
 * first; not for ioi, whose ties are shared), then name and competitor (only
 * to make the order stable).  Rank is competition ranking: entries equal
 * in those keys share a rank, and the next rank skips (1, 2, 2, 4).
 * Banned users are left out and do not take a rank.  In a team-based
 * round an entry is a team's (sql/012_teams.sql): its name, its
 * members' submissions.  Under icpc each
 * problem solved first (earliest first acceptance on this board) is
 * marked "first": true.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "auth.h"
#include "board.h"
#include "cache.h"
#include "extern.h"
#include "keys.h"
#include "query.h"
#include "redis.h"

struct lb_entry {
	const char	*key;		/* the competitor (lib/board.h), into z */
	double		 score;
	long long	 penalty;	/* icpc minutes; 0 otherwise */
	int		 shared;	/* ioi: ties are not broken by time */
	const char	*name;		/* into meta */
	const char	*at;		/* into meta; NULL when unknown */
	json_object	*meta;
};

static int
lb_cmp(const void *a, const void *b)
{
	const struct lb_entry *x = a, *y = b;
	int c;

	if (x->score != y->score)
		return x->score > y->score ? -1 : 1;
	if (x->penalty != y->penalty)
		return x->penalty < y->penalty ? -1 : 1;
	if (x->shared || y->shared)
		goto stable;
	if ((x->at == NULL) != (y->at == NULL))
		return x->at == NULL ? 1 : -1;
	if (x->at != NULL && (c = strcmp(x->at, y->at)) != 0)
		return c;
stable:
	if ((c = strcmp(x->name, y->name)) != 0)
		return c;
	return strcmp(x->key, y->key);
}

static int
lb_same_place(const struct lb_entry *x, const struct lb_entry *y)
{
	if (x->score != y->score || x->penalty != y->penalty)
		return 0;
	if (x->shared && y->shared)
		return 1;
	return x->at == NULL ? y->at == NULL :
	    y->at != NULL && strcmp(x->at, y->at) == 0;
}

/* The string member key of object o, or NULL. */
static const char *
lb_str(json_object *o, const char *key)
{
	json_object *v;

	return json_object_object_get_ex(o, key, &v) &&
	    json_object_is_type(v, json_type_string) ?
	    json_object_get_string(v) : NULL;
}

/* The earliest first acceptance of one problem on the board. */
struct lb_first {
	int64_t		 qid;
	const char	*at;
};

/* Call fn on every solved problem of e[0..m) (an "at" and a question_id). */
static void
lb_solved(struct lb_entry *e, size_t m, void (*fn)(json_object *, int64_t,
    const char *, void *), void *arg)
{
	json_object *pa, *o, *q;
	const char *at;
	size_t i, k;

	for (i = 0; i < m; i++) {
		if (!json_object_object_get_ex(e[i].meta, "problems", &pa) ||
		    !json_object_is_type(pa, json_type_array))
			continue;
		for (k = 0; k < json_object_array_length(pa); k++) {
			o = json_object_array_get_idx(pa, k);
			if ((at = lb_str(o, "at")) != NULL &&
			    json_object_object_get_ex(o, "question_id", &q))
				fn(o, json_object_get_int64(q), at, arg);
		}
	}
}

struct lb_firsts {
	struct lb_first	*v;
	size_t		 n, cap;
};

/* The slot of qid in f (added when new); NULL when memory ran out. */
static struct lb_first *
lb_first_slot(struct lb_firsts *f, int64_t qid)
{
	struct lb_first *nv;
	size_t i;

	for (i = 0; i < f->n; i++)
		if (f->v[i].qid == qid)
			return &f->v[i];
	if (f->n == f->cap) {
		if ((nv = realloc(f->v, (f->cap * 2 + 8) * sizeof(*nv))) == NULL)
			return NULL;
		f->v = nv;
		f->cap = f->cap * 2 + 8;
	}
	f->v[f->n].qid = qid;
	f->v[f->n].at = NULL;
	return &f->v[f->n++];
}

static void
lb_first_min(json_object *o, int64_t qid, const char *at, void *arg)
{
	struct lb_first *s = lb_first_slot(arg, qid);

	(void)o;
	if (s != NULL && (s->at == NULL || strcmp(at, s->at) < 0))
		s->at = at;
}

static void
lb_first_mark(json_object *o, int64_t qid, const char *at, void *arg)
{
	struct lb_first *s = lb_first_slot(arg, qid);

	json_object_object_add(o, "first", json_object_new_boolean(s != NULL &&
	    s->at != NULL && strcmp(at, s->at) == 0));
}

/*
 * Mark in each entry's problems the first solve of each problem on this
 * board (icpc): the solved problems whose "at" is the earliest among
 * e[0..m) for that question_id get "first": true (ties all marked).
 * Two passes over the entries: the earliest per problem, then the marks.
 */
static void
lb_mark_first(struct lb_entry *e, size_t m)
{
	struct lb_firsts f = { NULL, 0, 0 };

	lb_solved(e, m, lb_first_min, &f);
	lb_solved(e, m, lb_first_mark, &f);
	free(f.v);
}

/* The round the board is for.  NULL with the reply written. */
static const struct cache_round *
lb_round(struct req *r, const struct cache_round *rs, size_t n, int *none)
{
	const struct cache_round *cur = NULL;
	long long now = (long long)time(NULL);
	char slug[72];
	long qlen;
	size_t i;

	*none = 0;
	qlen = query_get(r->query, "round", slug, sizeof(slug));
	if (qlen == -2 || qlen == 0) {
		http_error(r, 400, "bad_request", "round must be a round slug");
		return NULL;
	}
	if (qlen > 0) {
		for (i = 0; i < n; i++)
			if (strcmp(rs[i].slug, slug) == 0)
				return &rs[i];
		http_error(r, 404, "not_found", "no round %s", slug);
		return NULL;
	}
	if ((cur = cache_round_current(rs, n, now, 0)) != NULL)
		return cur;
	/* No round open: the last one that ended. */
	for (i = 0; i < n; i++)
		if (rs[i].ends_at != 0 && rs[i].ends_at <= now &&
		    (cur == NULL || rs[i].ends_at > cur->ends_at))
			cur = &rs[i];
	if (cur == NULL)
		*none = 1;
	return cur;
}

/* The ranking of GET /leaderboard, shared with the Contest API (extern.h). */
int
leaderboard_ranked(struct req *r, long long round_id, int b, int with_key,
    json_object **out)
{
	redisReply *z = NULL, *meta = NULL, *banned = NULL;
	struct lb_entry *e = NULL;
	json_object *arr = NULL;
	char key[64], mkey[64];
	size_t i, k, m = 0;
	int rc = -1;

	*out = NULL;
	snprintf(key, sizeof(key), board_keys[b][0], round_id);
	snprintf(mkey, sizeof(mkey), board_keys[b][1], round_id);
	z = redis_cmd_idem(r->w->redis, "ZRANGE %s 0 -1 WITHSCORES", key);
	meta = redis_cmd_idem(r->w->redis, "HGETALL %s", mkey);
	banned = redis_cmd_idem(r->w->redis, "SMEMBERS %s", KEY_BANNED);
	if (z == NULL || meta == NULL || banned == NULL ||
	    z->type != REDIS_REPLY_ARRAY || meta->type != REDIS_REPLY_ARRAY ||
	    banned->type != REDIS_REPLY_ARRAY) {
		http_error(r, 503, "unavailable", "the leaderboard is unavailable");
		goto out;
	}
	if ((e = calloc(z->elements / 2 + 1, sizeof(*e))) == NULL) {
		http_error(r, 500, "internal", "out of memory");
		goto out;
	}
	for (i = 0; i + 1 < z->elements; i += 2) {
		const char *uid = z->element[i]->str;
		json_object *mo = NULL, *v;
		const char *mode;
		int skip = 0;

		for (k = 0; k < banned->elements && !skip; k++)
			skip = strcmp(banned->element[k]->str, uid) == 0;
		if (skip)
			continue;
		for (k = 0; k + 1 < meta->elements && mo == NULL; k += 2)
			if (strcmp(meta->element[k]->str, uid) == 0)
				mo = json_tokener_parse(meta->element[k + 1]->str);
		if (mo == NULL)
			mo = json_object_new_object();
		e[m].key = uid;
		e[m].score = strtod(z->element[i + 1]->str, NULL);
		e[m].meta = mo;
		e[m].name = json_object_object_get_ex(mo, "name", &v) &&
		    json_object_is_type(v, json_type_string) ?
		    json_object_get_string(v) : "";
		e[m].at = lb_str(mo, "last_improved_at");
		e[m].penalty = json_object_object_get_ex(mo, "penalty", &v) ?
		    json_object_get_int64(v) : 0;
		e[m].shared = (mode = lb_str(mo, "mode")) != NULL &&
		    strcmp(mode, "ioi") == 0;
		m++;
	}
	qsort(e, m, sizeof(*e), lb_cmp);
	lb_mark_first(e, m);
	arr = json_object_new_array();
	for (i = 0, k = 1; i < m; i++) {
		json_object *o = json_object_new_object(), *v;

		if (i > 0 && !lb_same_place(&e[i - 1], &e[i]))
			k = i + 1;
		json_object_object_add(o, "rank", json_object_new_int64((long long)k));
		if (with_key)
			json_object_object_add(o, "competitor",
			    json_object_new_string(e[i].key));
		json_object_object_add(o, "name", json_object_new_string(e[i].name));
		json_object_object_add(o, "score", json_object_new_double(e[i].score));
		json_object_object_add(o, "last_improved_at", e[i].at != NULL ?
		    json_object_new_string(e[i].at) : NULL);
		if (json_object_object_get_ex(e[i].meta, "mode", &v))
			json_object_object_add(o, "mode", json_object_get(v));
		if (json_object_object_get_ex(e[i].meta, "penalty", &v))
			json_object_object_add(o, "penalty", json_object_get(v));
		if (json_object_object_get_ex(e[i].meta, "problems", &v))
			json_object_object_add(o, "problems", json_object_get(v));
		json_object_array_add(arr, o);
	}
	*out = arr;
	rc = 0;
out:
	for (i = 0; i < m; i++)
		json_object_put(e[i].meta);
	free(e);
	freeReplyObject(z);
	freeReplyObject(meta);
	freeReplyObject(banned);
	return rc;
}

/* GET /leaderboard[?round=slug] */
void
route_leaderboard(struct req *r)
{
	struct auth_claims who;
	struct cache_round *rs = NULL;
	const struct cache_round *cur;
	json_object *arr = NULL;
	size_t n;
	int none, b;

	if (req_auth_optional_or_reply(r, &who) == -1)
		return;
	if (cache_rounds_get(r->w->redis, &r->w->db, r->cfg, &rs, &n) == -1) {
		http_error(r, 503, "unavailable", "round data is unavailable");
		return;
	}
	if ((cur = lb_round(r, rs, n, &none)) == NULL && !none)
		goto out;
	if (cur == NULL) {
		arr = json_object_new_array();
		http_reply_json(r, 200, arr);
		goto out;
	}
	b = who.user_id != 0 && strcmp(who.role, "admin") == 0 ? BOARD_JURY :
	    BOARD_PUBLIC;
	if (leaderboard_ranked(r, cur->id, b, 0, &arr) == 0)
		http_reply_json(r, 200, arr);
out:
	json_object_put(arr);
	free(rs);
}
