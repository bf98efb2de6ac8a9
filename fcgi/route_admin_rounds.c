/*
 * /admin/rounds (role admin):
 *   GET    /admin/rounds                  -> [round]
 *   POST   /admin/rounds {slug, name, starts_at?, ends_at?, minutes?} -> 201 round
 *   GET    /admin/rounds/{slug}           -> round
 *   PATCH or PUT /admin/rounds/{slug} {name?, starts_at?, ends_at?, minutes?,
 *          extend_minutes?, scoring?, penalty_minutes?, freeze_at?,
 *          team_based?}
 *                                         -> round   (null unsets a time)
 *   POST   /admin/rounds/{slug}/open {minutes?} -> round (starts now)
 *   POST   /admin/rounds/{slug}/close     -> round   (ends now)
 *   POST   /admin/rounds/{slug}/unfreeze  -> round   (the final board)
 * round = {id, slug, name, minutes, starts_at, ends_at, state, questions,
 *          scoring, penalty_minutes, freeze_at, frozen, team_based}.
 * A change of scoring, penalty, freeze or team_based (sql/012_teams.sql)
 * rebuilds the round's boards.
 * Times are ISO-8601 with a zone.  Every change drops the round and
 * question caches, so all responders see it on their next request.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "db.h"
#include "extern.h"
#include "board.h"
#include "json.h"
#include "log.h"
#include "round.h"

#define ROUND_COLS \
	"r.id, r.slug, r.name, r.minutes," \
	" to_char(r.starts_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') AS starts_at," \
	" to_char(r.ends_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') AS ends_at," \
	" CASE WHEN r.starts_at IS NULL OR r.ends_at IS NULL THEN 'unscheduled'" \
	"  WHEN now() < r.starts_at THEN 'scheduled'" \
	"  WHEN now() < r.ends_at THEN 'open' ELSE 'closed' END AS state," \
	" (SELECT count(*) FROM questions q WHERE q.round_id = r.id)::int AS questions," \
	" r.scoring, r.penalty_minutes," \
	" to_char(r.freeze_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') AS freeze_at," \
	" (r.freeze_at IS NOT NULL AND NOT r.unfrozen AND now() >= r.freeze_at) AS frozen," \
	" r.team_based"

/*
 * An optional time field: absent (*present 0), null (*val NULL) or an
 * ISO-8601 string (checked loosely here, parsed by PostgreSQL: a bad one
 * is 422 from there).  -1: 422 written.
 */
static int
time_field(struct req *r, json_object *body, const char *key, int *present,
    const char **val)
{
	json_object *v;
	const char *s;

	*present = 0;
	*val = NULL;
	if (!json_object_object_get_ex(body, key, &v))
		return 0;
	*present = 1;
	if (v == NULL || json_object_is_type(v, json_type_null))
		return 0;
	s = json_object_is_type(v, json_type_string) ? json_object_get_string(v) : "";
	if (!isdigit((unsigned char)s[0]) || strlen(s) < 10 || strlen(s) > 40 ||
	    strchr(s, 'T') == NULL) {
		http_error(r, 422, "invalid_field", "%s must be null or an ISO-8601"
		    " time with a zone, like 2025-05-01T09:00:00Z", key);
		return -1;
	}
	*val = s;
	return 0;
}

/* Reply with the round `slug` (status 200 or 201). */
static void
round_reply(struct req *r, const char *slug, int status)
{
	req_row_reply(r, "SELECT " ROUND_COLS " FROM rounds r WHERE r.slug = $1",
	    slug, "round", status);
}

static void
rounds_list(struct req *r, const struct admin_args *a)
{
	(void)a;
	req_rows_reply(r, "SELECT " ROUND_COLS " FROM rounds r ORDER BY r.id",
	    0, NULL);
}

static void
round_create(struct req *r, const struct admin_args *a)
{
	json_object *body = NULL;
	const char *slug = NULL, *name = NULL, *st, *en, *p[5];
	int64_t minutes = 0;
	char mbuf[24];
	int has_st, has_en;
	PGresult *res = NULL;
	const struct jfield fields[] = {
		{ "slug", JF_STRING, 1, 1, 64, &slug, NULL },
		{ "name", JF_STRING, 1, 1, 200, &name, NULL },
		{ "minutes", JF_INT, 0, 1, 100000, &minutes, NULL },
	};

	(void)a;
	if (req_fields_or_reply(r, 16384, ADMIN_JSON_DEPTH, fields, 3, &body) == -1)
		return;
	if (time_field(r, body, "starts_at", &has_st, &st) == -1 ||
	    time_field(r, body, "ends_at", &has_en, &en) == -1)
		goto out;
	p[0] = slug;
	p[1] = name;
	p[2] = st;
	p[3] = en;
	p[4] = pg_int_param(body, "minutes", minutes, mbuf, sizeof(mbuf));
	if ((res = req_sql_or_reply(r, "INSERT INTO rounds (slug, name, starts_at,"
	    " ends_at, minutes) VALUES ($1, $2, $3::timestamptz, $4::timestamptz,"
	    " coalesce($5::int, 180))", 5, p)) == NULL)
		goto out;
	req_caches_drop(r, 0);
	round_reply(r, slug, 201);
out:
	PQclear(res);
	json_object_put(body);
}

/* Rebuild round id's boards after its mode or freeze changed (logged),
 * and tell the pages. */
static void
round_boards(struct req *r, const char *id)
{
	if (board_round_rebuild(r->w->db, r->w->redis, atoll(id), NULL) == -1)
		log_warn(r->reqid, "round %s: leaderboards not rebuilt; run "
		    "pitwall-admin leaderboard rebuild", id);
	else
		board_announce(r->cfg->live_publish_url, atoll(id));
}

static void
round_update(struct req *r, const struct admin_args *a)
{
	const char *slug = a->slug;
	json_object *body = NULL;
	const char *name = NULL, *st, *en, *fz, *scoring = NULL, *p[8];
	int64_t minutes = 0, extend = 0, penalty = 0;
	char mbuf[24], ebuf[16], pbuf[24];
	int has_st, has_en, has_fz, teams = 0;
	PGresult *res = NULL;
	const struct jfield fields[] = {
		{ "name", JF_STRING, 0, 1, 200, &name, NULL },
		{ "minutes", JF_INT, 0, 1, 100000, &minutes, NULL },
		{ "extend_minutes", JF_INT, 0, -100000, 100000, &extend, NULL },
		{ "scoring", JF_STRING, 0, 1, 16, &scoring, NULL },
		{ "penalty_minutes", JF_INT, 0, 0, 1000, &penalty, NULL },
		{ "team_based", JF_BOOL, 0, 0, 0, &teams, NULL },
	};

	if (req_fields_or_reply(r, 16384, ADMIN_JSON_DEPTH, fields, 6, &body) == -1)
		return;
	if (time_field(r, body, "starts_at", &has_st, &st) == -1 ||
	    time_field(r, body, "ends_at", &has_en, &en) == -1 ||
	    time_field(r, body, "freeze_at", &has_fz, &fz) == -1)
		goto out;
	if (scoring != NULL && strcmp(scoring, "proportional") != 0 &&
	    strcmp(scoring, "icpc") != 0 && strcmp(scoring, "ioi") != 0) {
		http_error(r, 422, "invalid_field",
		    "scoring must be proportional, icpc or ioi");
		goto out;
	}
	snprintf(ebuf, sizeof(ebuf), "%lld", (long long)extend);
	p[0] = slug;
	p[1] = name;
	p[2] = pg_int_param(body, "minutes", minutes, mbuf, sizeof(mbuf));
	p[3] = has_st ? "t" : "f";
	p[4] = st;
	p[5] = has_en ? "t" : "f";
	p[6] = en;
	p[7] = ebuf;
	if ((res = req_row_or_reply(r, "UPDATE rounds SET"
	    " name = coalesce($2, name), minutes = coalesce($3::int, minutes),"
	    " starts_at = CASE WHEN $4::boolean THEN $5::timestamptz ELSE starts_at END,"
	    " ends_at = (CASE WHEN $6::boolean THEN $7::timestamptz ELSE ends_at END)"
	    "  + make_interval(mins => $8::int)"
	    " WHERE slug = $1 RETURNING id", 8, p, "round")) == NULL)
		goto out;
	if (scoring != NULL || has_fz || has_st ||
	    json_object_object_get_ex(body, "penalty_minutes", NULL)) {
		PQclear(res);
		p[1] = scoring;
		p[2] = pg_int_param(body, "penalty_minutes", penalty, pbuf,
		    sizeof(pbuf));
		p[3] = has_fz ? "t" : "f";
		p[4] = fz;
		if ((res = req_row_or_reply(r, round_settings_sql, 5, p,
		    "round")) == NULL)
			goto out;
		round_boards(r, PQgetvalue(res, 0, 0));
	}
	if (json_object_object_get_ex(body, "team_based", NULL)) {
		PQclear(res);
		p[1] = teams ? "t" : "f";
		if ((res = req_row_or_reply(r, round_teams_sql, 2, p,
		    "round")) == NULL)
			goto out;
		round_boards(r, PQgetvalue(res, 0, 0));
	}
	req_caches_drop(r, 0);
	round_reply(r, slug, 200);
out:
	PQclear(res);
	json_object_put(body);
}

/* open: the window starts now, for {minutes} or the round's own minutes;
 * close: it ends now or keeps the end it already had (lib/round.h). */
static void
round_open_close(struct req *r, const char *slug, int open)
{
	json_object *body = NULL;
	int64_t minutes = 0;
	char mbuf[24];
	const char *p[2];
	PGresult *res = NULL;
	const struct jfield fields[] = {
		{ "minutes", JF_INT, 0, 1, 100000, &minutes, NULL },
	};

	if (open && http_param(r, "CONTENT_LENGTH") != NULL &&
	    atoll(http_param(r, "CONTENT_LENGTH")) > 0) {
		if (req_fields_or_reply(r, 16384, ADMIN_JSON_DEPTH, fields, 1, &body) == -1)
			return;
	}
	p[0] = slug;
	p[1] = pg_int_param(body, "minutes", minutes, mbuf, sizeof(mbuf));
	res = req_row_or_reply(r, open ? round_open_sql : round_close_sql,
	    open ? 2 : 1, p, "round");
	if (res == NULL)
		goto out;
	/* ICPC minutes count from the start, which open has just moved. */
	if (open)
		round_boards(r, PQgetvalue(res, 0, 0));
	req_caches_drop(r, 0);
	round_reply(r, slug, 200);
out:
	PQclear(res);
	json_object_put(body);
}

/* unfreeze: the public board shows every submission (lib/round.h). */
static void
round_unfreeze(struct req *r, const struct admin_args *a)
{
	const char *p[1] = { a->slug };
	PGresult *res;

	if ((res = req_row_or_reply(r, round_unfreeze_sql, 1, p, "round")) == NULL)
		return;
	round_boards(r, PQgetvalue(res, 0, 0));
	PQclear(res);
	req_caches_drop(r, 0);
	round_reply(r, a->slug, 200);
}

static void
round_get(struct req *r, const struct admin_args *a)
{
	round_reply(r, a->slug, 200);
}

static void
round_open(struct req *r, const struct admin_args *a)
{
	round_open_close(r, a->slug, 1);
}

static void
round_close(struct req *r, const struct admin_args *a)
{
	round_open_close(r, a->slug, 0);
}

static const struct admin_route rounds_routes[] = {
	{ "", METHOD_GET, rounds_list },
	{ "", METHOD_POST, round_create },
	{ "/*", METHOD_GET, round_get },
	{ "/*", METHOD_PATCH | METHOD_PUT, round_update },
	{ "/*/open", METHOD_POST, round_open },
	{ "/*/close", METHOD_POST, round_close },
	{ "/*/unfreeze", METHOD_POST, round_unfreeze },
};

void
route_admin_rounds(struct req *r)
{
	admin_route_dispatch(r, "/admin/rounds", rounds_routes,
	    sizeof(rounds_routes) / sizeof(rounds_routes[0]));
}
