/*
 * Teams (role admin; lib/team.h, docs/teams.md):
 *   GET    /admin/teams                    -> [team]
 *   POST   /admin/teams {name, organization?} -> 201 team (409 the name exists)
 *   GET    /admin/teams/{id}               -> team
 *   DELETE /admin/teams/{id}               -> 204
 *   POST   /admin/teams/{id}/members {user_id | email} -> team
 *          (404 no such user, 409 in another team or the team is full:
 *          TEAM_MAX_MEMBERS, 422 an admin)
 *   DELETE /admin/teams/{id}/members/{user_id} -> team
 *   POST   /admin/teams/import (text/csv: team,organization,email[,email…])
 *        -> {created, updated, bad, rows: [{line, status, team, id, reason}]}
 * team = {id, name, organization_id, organization, members: [{id, email,
 * name}], created_at}.  A change of memberships rebuilds the boards of the
 * team-based rounds.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>

#include "db.h"
#include "extern.h"
#include "json.h"
#include "log.h"
#include "query.h"
#include "team.h"


#define TEAM_COLS "t.id, t.name, t.organization_id, o.name AS organization," \
	" coalesce((SELECT json_agg(json_build_object('id', u.id, 'email', u.email," \
	"  'name', u.name) ORDER BY u.id) FROM team_members m" \
	"  JOIN users u ON u.id = m.user_id WHERE m.team_id = t.id), '[]') AS members," \
	" to_char(t.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')" \
	" AS created_at" \
	" FROM teams t LEFT JOIN organizations o ON o.id = t.organization_id"

static void
team_reply(struct req *r, long long tid, int status)
{
	char id[24];

	snprintf(id, sizeof(id), "%lld", tid);
	req_row_reply(r, "SELECT " TEAM_COLS " WHERE t.id = $1", id, "team",
	    status);
}

/* After memberships changed (logged when it fails; the change stands). */
static void
team_boards(struct req *r)
{
	if (team_boards_rebuild(r->w->db, r->w->redis, r->cfg->live_publish_url,
	    NULL) == -1)
		log_warn(r->reqid, "team change: leaderboards not rebuilt; run "
		    "pitwall-admin leaderboard rebuild");
}

static void
teams_list(struct req *r, const struct admin_args *a)
{
	(void)a;
	req_rows_reply(r, "SELECT " TEAM_COLS " ORDER BY t.id", 0, NULL);
}

static void
team_create_post(struct req *r, const struct admin_args *a)
{
	json_object *body = NULL;
	const char *name = NULL, *org = NULL, *why;
	long long id = 0;
	enum team_rc c;
	const struct jfield fields[] = {
		{ "name", JF_STRING, 1, 1, 1000, &name, NULL },
		{ "organization", JF_STRING, 0, 0, 1000, &org, NULL },
	};

	(void)a;
	if (req_fields_or_reply(r, 16384, ADMIN_JSON_DEPTH, fields, 2, &body) == -1)
		return;
	if ((why = team_name_check(name)) != NULL) {
		http_error(r, 422, "invalid_field", "%s", why);
		goto out;
	}
	if (org != NULL && *org != '\0' && (why = team_name_check(org)) != NULL) {
		http_error(r, 422, "invalid_field", "organization: %s", why);
		goto out;
	}
	if (req_db_or_reply(r) == NULL)
		goto out;
	if ((c = team_create(r->w->db, name, org, &id)) == TEAM_DB)
		http_error(r, 503, "unavailable", "the team could not be created");
	else if (c == TEAM_EXISTS)
		http_error(r, 409, "conflict", "a team named %s exists (id %lld)",
		    name, id);
	else {
		log_info(r->reqid, "team %lld %s created", id, name);
		team_reply(r, id, 201);
	}
out:
	json_object_put(body);
}

static void
team_get(struct req *r, const struct admin_args *a)
{
	team_reply(r, a->id, 200);
}

static void
team_delete_req(struct req *r, const struct admin_args *a)
{
	enum team_rc c;

	if (req_db_or_reply(r) == NULL)
		return;
	if ((c = team_delete(r->w->db, a->id)) == TEAM_NO_TEAM)
		http_error(r, 404, "not_found", "no team %lld", a->id);
	else if (c != TEAM_OK)
		http_error(r, 503, "unavailable", "the database is unavailable");
	else {
		log_info(r->reqid, "team %lld deleted", a->id);
		team_boards(r);
		http_reply(r, 204, NULL, NULL, NULL, 0);
	}
}

/* Reply for a membership change's result c of user uid (who: how the
 * request named the user). */
static void
member_reply(struct req *r, long long tid, enum team_rc c, const char *who,
    long long other)
{
	switch (c) {
	case TEAM_OK:
		team_boards(r);
		team_reply(r, tid, 200);
		return;
	case TEAM_NO_TEAM:
		http_error(r, 404, "not_found", "no team %lld", tid);
		return;
	case TEAM_NO_USER:
		http_error(r, 404, "not_found", "no user %s", who);
		return;
	case TEAM_NOT_CONTESTANT:
		http_error(r, 422, "invalid_field", "user %s is an admin: admins"
		    " are not team members", who);
		return;
	case TEAM_FULL:
		http_error(r, 409, "team_full", "team %lld is full: a team has at"
		    " most %d members (TEAM_MAX_MEMBERS)", tid,
		    r->cfg->team_max_members);
		return;
	case TEAM_TAKEN:
		http_error(r, 409, "conflict", "user %s is in another team (id %lld)",
		    who, other);
		return;
	case TEAM_NOT_MEMBER:
		http_error(r, 404, "not_found", "user %s is not a member of team"
		    " %lld", who, tid);
		return;
	default:
		http_error(r, 503, "unavailable", "the database is unavailable");
	}
}

static void
member_add(struct req *r, const struct admin_args *a)
{
	json_object *body = NULL;
	const char *email = NULL;
	const char *p[1];
	int64_t uid = 0;
	long long other = 0;
	char who[272];
	PGresult *res;
	enum team_rc c;
	const struct jfield fields[] = {
		{ "user_id", JF_INT, 0, 1, INT64_MAX, &uid, NULL },
		{ "email", JF_STRING, 0, 1, 254, &email, NULL },
	};

	if (req_fields_or_reply(r, 4096, ADMIN_JSON_DEPTH, fields, 2, &body) == -1)
		return;
	if ((uid == 0) == (email == NULL)) {
		http_error(r, 422, "invalid_field", "give user_id or email (one)");
		goto out;
	}
	if (req_db_or_reply(r) == NULL)
		goto out;
	if (email != NULL) {
		p[0] = email;
		snprintf(who, sizeof(who), "%s", email);
		if ((res = req_sql_or_reply(r, "SELECT id FROM users"
		    " WHERE lower(email) = lower($1)", 1, p)) == NULL)
			goto out;
		uid = PQntuples(res) == 1 ? atoll(PQgetvalue(res, 0, 0)) : 0;
		PQclear(res);
		if (uid == 0) {
			http_error(r, 404, "not_found", "no user %s", email);
			goto out;
		}
	} else
		snprintf(who, sizeof(who), "%lld", (long long)uid);
	c = team_member_add(r->w->db, a->id, uid, r->cfg->team_max_members, &other);
	if (c == TEAM_OK)
		log_info(r->reqid, "team %lld: user %lld added", a->id,
		    (long long)uid);
	member_reply(r, a->id, c, who, other);
out:
	json_object_put(body);
}

static void
member_remove(struct req *r, const struct admin_args *a)
{
	long long uid;
	enum team_rc c;

	if (parse_ll(a->slug, 1, INT64_MAX, &uid) == -1) {
		http_error(r, 404, "not_found", "no route for %s", r->path);
		return;
	}
	if (req_db_or_reply(r) == NULL)
		return;
	c = team_member_remove(r->w->db, a->id, uid);
	if (c == TEAM_OK)
		log_info(r->reqid, "team %lld: user %lld removed", a->id, uid);
	member_reply(r, a->id, c, a->slug, 0);
}

static json_object *
import_row(long lineno, const char *status, const char *team, long long id,
    const char *reason)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "line", json_object_new_int64(lineno));
	json_object_object_add(o, "status", json_object_new_string(status));
	if (team != NULL)
		json_object_object_add(o, "team", json_object_new_string(team));
	if (id > 0)
		json_object_object_add(o, "id", json_object_new_int64(id));
	if (reason != NULL)
		json_object_object_add(o, "reason", json_object_new_string(reason));
	return o;
}

/* POST /admin/teams/import: each row one transaction, bad rows reported. */
static void
teams_import(struct req *r, const struct admin_args *a)
{
	const char *e;
	struct team_row row;
	json_object *o, *rows;
	char *line, *next, why[320];
	long lineno = 0;
	long long tid;
	int c, nul, isnew, created = 0, updated = 0, bad = 0;

	(void)a;
	if (csv_body_or_reply(r, "teams") == -1)
		return;
	o = json_object_new_object();
	rows = json_object_new_array();
	next = r->body;
	while (csv_line_next(&next, r->body + r->bodylen, &lineno, &line, &nul)) {
		if (nul) {
			json_object_array_add(rows, import_row(lineno, "bad", NULL, 0,
			    "NUL byte in line"));
			bad++;
			continue;
		}
		if ((c = team_csv_row(line, lineno, r->cfg->team_max_members, &row,
		    &e)) == 1)
			continue;
		if (c == -1) {
			json_object_array_add(rows, import_row(lineno, "bad", NULL, 0, e));
			bad++;
			continue;
		}
		if (team_row_apply(r->w->db, &row, r->cfg->team_max_members, &tid,
		    &isnew, why, sizeof(why)) != TEAM_OK) {
			json_object_array_add(rows, import_row(lineno, "bad", row.name,
			    0, why));
			bad++;
			continue;
		}
		json_object_array_add(rows, import_row(lineno, isnew ? "created" :
		    "updated", row.name, tid, NULL));
		if (isnew)
			created++;
		else
			updated++;
	}
	if (created + updated > 0)
		team_boards(r);
	json_object_object_add(o, "created", json_object_new_int(created));
	json_object_object_add(o, "updated", json_object_new_int(updated));
	json_object_object_add(o, "bad", json_object_new_int(bad));
	json_object_object_add(o, "rows", rows);
	log_info(r->reqid, "team import: created %d, updated %d, bad %d",
	    created, updated, bad);
	http_reply_json(r, 200, o);
	json_object_put(o);
}

static const struct admin_route teams_routes[] = {
	{ "", METHOD_GET, teams_list },
	{ "", METHOD_POST, team_create_post },
	{ "/import", METHOD_POST, teams_import },
	{ "/#", METHOD_GET, team_get },
	{ "/#", METHOD_DELETE, team_delete_req },
	{ "/#/members", METHOD_POST, member_add },
	{ "/#/members/*", METHOD_DELETE, member_remove },
};

void
route_admin_teams(struct req *r)
{
	admin_route_dispatch(r, "/admin/teams", teams_routes,
	    sizeof(teams_routes) / sizeof(teams_routes[0]));
}
