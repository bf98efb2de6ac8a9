/*
 * GET /time -> {server_time, server_time_ms, round: {slug, name, starts_at,
 *     ends_at, open, scoring, freeze_at, frozen, seconds_left, starts_in}
 *     | null}
 * Public (a token that is sent must be valid).  The round is the one open
 * now, else the next one scheduled; seconds_left counts to its end,
 * starts_in to its start (0 when open).  From the Redis rounds cache.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include <json-c/json.h>

#include "auth.h"
#include "cache.h"
#include "extern.h"
#include "json.h"

static json_object *
iso_utc(long long t)
{
	char buf[32];
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	return json_object_new_string(buf);
}

/* GET /time -> {server_time, server_time_ms, round} */
void
route_time(struct req *r)
{
	struct auth_claims who;
	struct cache_round *rs = NULL;
	const struct cache_round *cur;
	struct timeval tv;
	json_object *o, *ro = NULL;
	long long now_ms;
	time_t now;
	size_t n;

	if (req_auth_optional_or_reply(r, &who) == -1)
		return;
	if (cache_rounds_get(r->w->redis, &r->w->db, r->cfg, &rs, &n) == -1) {
		http_error(r, 503, "unavailable", "round data is unavailable");
		return;
	}
	gettimeofday(&tv, NULL);
	now = tv.tv_sec;
	now_ms = (long long)tv.tv_sec * 1000 + tv.tv_usec / 1000;
	o = json_object_new_object();
	json_object_object_add(o, "server_time", json_new_iso_ms(now_ms));
	json_object_object_add(o, "server_time_ms", json_object_new_int64(now_ms));
	if ((cur = cache_round_current(rs, n, (long long)now, 1)) != NULL) {
		int open = now >= cur->starts_at && now < cur->ends_at;

		ro = json_object_new_object();
		json_object_object_add(ro, "slug", json_object_new_string(cur->slug));
		json_object_object_add(ro, "name", json_object_new_string(cur->name));
		json_object_object_add(ro, "starts_at", iso_utc(cur->starts_at));
		json_object_object_add(ro, "ends_at", iso_utc(cur->ends_at));
		json_object_object_add(ro, "open", json_object_new_boolean(open));
		json_object_object_add(ro, "scoring",
		    json_object_new_string(cur->scoring));
		/* The public scoreboard shows later submissions as pending. */
		json_object_object_add(ro, "freeze_at", cur->freeze_at > 0 ?
		    iso_utc(cur->freeze_at) : NULL);
		json_object_object_add(ro, "frozen", json_object_new_boolean(
		    cur->freeze_at > 0 && now >= cur->freeze_at));
		json_object_object_add(ro, "seconds_left", json_object_new_int64(
		    cur->ends_at - (long long)now));
		json_object_object_add(ro, "starts_in", json_object_new_int64(
		    open ? 0 : cur->starts_at - (long long)now));
	}
	json_object_object_add(o, "round", ro);
	http_reply_json(r, 200, o);
	json_object_put(o);
	free(rs);
}
