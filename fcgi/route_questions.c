/*
 * GET /questions[?round=slug] -> {round: {slug, name, starts_at, ends_at} | null,
 *     questions: [{id, slug, title, statement, points, time_limit_ms,
 *     memory_limit_kb, checker, rgb, color, samples: [{ordinal, input,
 *     expected_output [, interaction]}]}]}  (an interactive question's
 *     samples: input and expected_output null, interaction its
 *     .interaction file or null)
 *
 * Contestants see the open round's questions only (another ?round is 409);
 * admins any round's, or every round's without ?round (each question then
 * names its round).  Sample cases only: hidden testcases never appear.
 * Served from Redis (pitwall:round_questions), filled from PostgreSQL on
 * a miss and dropped by every admin change.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "auth.h"
#include "cache.h"
#include "db.h"
#include "extern.h"
#include "keys.h"
#include "log.h"
#include "query.h"
#include "redis.h"

/* The contestant view of round rid's questions (a JSON array), owned by the caller. */
static json_object *
round_questions(struct req *r, long long rid)
{
	char id[24];
	const char *params[1] = { id };
	redisReply *rep;
	json_object *arr = NULL;
	PGresult *res;

	snprintf(id, sizeof(id), "%lld", rid);
	if ((rep = redis_cmd_idem(r->w->redis, "HGET %s %s", KEY_ROUND_QUESTIONS,
	    id)) != NULL) {
		if (rep->type == REDIS_REPLY_STRING)
			arr = json_tokener_parse(rep->str);
		freeReplyObject(rep);
	}
	if (json_object_is_type(arr, json_type_array))
		return arr;
	json_object_put(arr);
	if (req_db_or_reply(r) == NULL)
		return NULL;
	/* Only is_sample testcases are selected: hidden ones cannot leak. */
	res = db_exec(r->w->db, "SELECT q.id, q.slug, q.title, q.statement,"
	    " q.points, q.time_limit_ms, q.memory_limit_kb, q.checker, q.rgb, q.color,"
	    " coalesce((SELECT json_agg(CASE WHEN q.validator = 'interactive'"
	    "  AND q.package_format IS NOT NULL"
	    "  THEN json_build_object('ordinal', t.ordinal, 'input', NULL,"
	    "  'expected_output', NULL, 'interaction', t.interaction)"
	    "  ELSE json_build_object('ordinal', t.ordinal,"
	    "  'input', CASE WHEN t.input_bytes IS NULL THEN t.input END,"
	    "  'expected_output', CASE WHEN t.answer_bytes IS NULL"
	    "  THEN t.expected_output END) END"
	    "  ORDER BY t.ordinal) FROM testcases t"
	    "  WHERE t.question_id = q.id AND t.is_sample), '[]'::json) AS samples"
	    " FROM questions q WHERE q.round_id = $1 ORDER BY q.id", 1, params);
	if (res == NULL) {
		http_error(r, 503, "unavailable", "question data is unavailable");
		return NULL;
	}
	arr = pg_rows_json(res);
	PQclear(res);
	rep = redis_cmd(r->w->redis, "HSET %s %s %s", KEY_ROUND_QUESTIONS, id,
	    json_object_to_json_string_ext(arr, JSON_C_TO_STRING_PLAIN));
	freeReplyObject(rep);
	rep = redis_cmd(r->w->redis, "EXPIRE %s %d", KEY_ROUND_QUESTIONS,
	    r->cfg->cache_ttl_s);
	freeReplyObject(rep);
	return arr;
}

static json_object *
iso_utc(long long t)
{
	char buf[32];
	time_t tt = (time_t)t;
	struct tm tm;

	if (t == 0)
		return NULL;
	gmtime_r(&tt, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	return json_object_new_string(buf);
}

static json_object *
round_json(const struct cache_round *c)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "slug", json_object_new_string(c->slug));
	json_object_object_add(o, "name", json_object_new_string(c->name));
	json_object_object_add(o, "starts_at", iso_utc(c->starts_at));
	json_object_object_add(o, "ends_at", iso_utc(c->ends_at));
	return o;
}

/* GET /questions[?round=slug] */
void
route_questions(struct req *r)
{
	struct auth_claims who;
	struct cache_round *rs = NULL;
	const struct cache_round *cur = NULL;
	json_object *o = NULL, *qs = NULL, *all = NULL;
	char slug[72];
	long qlen;
	size_t n, i;
	int admin;

	if (req_auth_or_reply(r, &who) == -1)
		return;
	admin = strcmp(who.role, "admin") == 0;
	qlen = query_get(r->query, "round", slug, sizeof(slug));
	if (qlen == -2 || qlen == 0) {
		http_error(r, 400, "bad_request", "round must be a round slug");
		return;
	}
	if (cache_rounds_get(r->w->redis, &r->w->db, r->cfg, &rs, &n) == -1) {
		http_error(r, 503, "unavailable", "round data is unavailable");
		return;
	}
	if (qlen > 0) {
		for (i = 0; i < n && cur == NULL; i++)
			if (strcmp(rs[i].slug, slug) == 0)
				cur = &rs[i];
		if (cur == NULL) {
			http_error(r, 404, "not_found", "no round %s", slug);
			goto out;
		}
		if (!admin && cur != cache_round_current(rs, n, (long long)time(NULL), 0)) {
			http_error(r, 409, "round_closed", "round %s is not open", slug);
			goto out;
		}
	} else if (!admin)
		cur = cache_round_current(rs, n, (long long)time(NULL), 0);

	o = json_object_new_object();
	if (cur != NULL) {
		if ((qs = round_questions(r, cur->id)) == NULL)
			goto out;
		json_object_object_add(o, "round", round_json(cur));
		json_object_object_add(o, "questions", qs);
	} else if (!admin) {
		json_object_object_add(o, "round", NULL);
		json_object_object_add(o, "questions", json_object_new_array());
	} else {
		/* An admin without ?round: every round's questions. */
		all = json_object_new_array();
		for (i = 0; i < n; i++) {
			size_t k;

			if ((qs = round_questions(r, rs[i].id)) == NULL)
				goto out;
			for (k = 0; k < json_object_array_length(qs); k++) {
				json_object *q = json_object_get(
				    json_object_array_get_idx(qs, k));
				json_object_object_add(q, "round",
				    json_object_new_string(rs[i].slug));
				json_object_array_add(all, q);
			}
			json_object_put(qs);
		}
		json_object_object_add(o, "round", NULL);
		json_object_object_add(o, "questions", all);
		all = NULL;
	}
	http_reply_json(r, 200, o);
out:
	json_object_put(all);
	json_object_put(o);
	free(rs);
}
