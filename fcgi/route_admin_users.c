/*
 * Users (role admin).  Listings never contain password hashes.
 *   GET  /admin/users                      -> [user]
 *   POST /admin/users {email, name, password, role?} -> 201 user (409 exists)
 *   GET  /admin/users/{id}                 -> user
 *   PATCH /admin/users/{id} {role}         -> user   (acts on the next request)
 *   POST /admin/users/{id}/password {password} -> user (a reset)
 *   POST /admin/users/{id}/ban, /unban     -> user   (DB and the Redis set
 *                                             every route checks)
 *   POST /admin/users/import (text/csv: email,name,password[,role])
 *        -> {created, existing, bad, rows: [{line, status, email, id, reason}]}
 *   GET  /admin/users/{id}/submissions     -> [submission with source]
 * user = {id, email, name, role, banned, created_at}.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>
#include <sodium.h>

#include "account.h"
#include "auth.h"
#include "authz.h"
#include "db.h"
#include "extern.h"
#include "json.h"
#include "keys.h"
#include "log.h"
#include "redis.h"


#define USER_COLS "u.id, u.email, u.name, u.role, u.banned," \
	" to_char(u.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') AS created_at"

static void
user_reply(struct req *r, long long uid, int status)
{
	char id[24];

	snprintf(id, sizeof(id), "%lld", uid);
	req_row_reply(r, "SELECT " USER_COLS " FROM users u WHERE u.id = $1",
	    id, "user", status);
}

static void
users_list(struct req *r, const struct admin_args *a)
{
	(void)a;
	req_rows_reply(r, "SELECT " USER_COLS " FROM users u ORDER BY u.id",
	    0, NULL);
}

static void
user_create(struct req *r, const struct admin_args *a)
{
	json_object *body = NULL;
	const char *email = NULL, *name = NULL, *password = NULL;
	const char *role = "contestant", *why;
	long long id = 0;
	int c;
	const struct jfield fields[] = {
		{ "email", JF_STRING, 1, 1, 254, &email, NULL },
		{ "name", JF_STRING, 1, 1, 1000, &name, NULL },
		{ "password", JF_STRING, 1, 1, ACCOUNT_PASSWORD_MAX, &password, NULL },
		{ "role", JF_STRING, 0, 1, 16, &role, NULL },
	};

	(void)a;
	if (req_fields_or_reply(r, 16384, ADMIN_JSON_DEPTH, fields, 4, &body) == -1)
		return;
	if (role == NULL)
		role = "contestant";
	if ((why = account_email_check(email)) != NULL ||
	    (why = account_name_check(name)) != NULL ||
	    (why = account_password_check(password)) != NULL ||
	    (why = account_role_check(role)) != NULL) {
		http_error(r, 422, "invalid_field", "%s", why);
		goto out;
	}
	if (req_db_or_reply(r) == NULL)
		goto out;
	c = account_create(r->w->db, email, name, password, role, &id);
	if (c == -1)
		http_error(r, 503, "unavailable", "the user could not be created");
	else if (c == 0)
		http_error(r, 409, "conflict", "a user with this email exists (id %lld)", id);
	else
		user_reply(r, id, 201);
out:
	json_object_put(body);
}

/*
 * Set a user's ban or role: users is the record, then lib/authz.c's Redis
 * state, which every route reads on every request (so it takes effect at
 * once, whatever tokens the user holds).
 */
static void
user_authz_set(struct req *r, long long uid, const char *sql, const char *arg,
    const char *what)
{
	char id[24];
	const char *p[2] = { id, arg };
	PGresult *res;

	snprintf(id, sizeof(id), "%lld", uid);
	if ((res = req_row_or_reply(r, sql, 2, p, "user")) == NULL)
		return;
	if (authz_user_set(r->w->redis, uid, PQgetvalue(res, 0, 0),
	    PQgetvalue(res, 0, 1)[0] == 't') == -1) {
		PQclear(res);
		http_error(r, 503, "unavailable", "the user is changed in the database"
		    " but Redis was not updated; send the request again");
		return;
	}
	log_info(r->reqid, "user %lld: %s", uid, what);
	PQclear(res);
	user_reply(r, uid, 200);
}

/* ban/unban. */
static void
user_ban(struct req *r, long long uid, int ban)
{
	user_authz_set(r, uid, "UPDATE users SET banned = $2::boolean"
	    " WHERE id = $1 RETURNING role, banned", ban ? "t" : "f",
	    ban ? "banned" : "unbanned");
}

/* PATCH /admin/users/{id} {role} -> user: a demotion acts at once. */
static void
user_update(struct req *r, long long uid)
{
	json_object *body = NULL;
	const char *role = NULL, *why;
	const struct jfield fields[] = {
		{ "role", JF_STRING, 1, 1, 16, &role, NULL },
	};

	if (req_fields_or_reply(r, 4096, ADMIN_JSON_DEPTH, fields, 1, &body) == -1)
		return;
	if ((why = account_role_check(role)) != NULL)
		http_error(r, 422, "invalid_field", "%s", why);
	else
		user_authz_set(r, uid, "UPDATE users SET role = $2 WHERE id = $1"
		    " RETURNING role, banned", role, role);
	json_object_put(body);
}

/* POST /admin/users/{id}/password {password} -> user (the jury's reset). */
static void
user_password(struct req *r, long long uid)
{
	json_object *body = NULL;
	const char *password = NULL, *why;
	struct db *db;
	int rc;
	const struct jfield fields[] = {
		{ "password", JF_STRING, 1, 1, ACCOUNT_PASSWORD_MAX, &password, NULL },
	};

	if (req_fields_or_reply(r, 4096, ADMIN_JSON_DEPTH, fields, 1, &body) == -1)
		return;
	if ((why = account_password_check(password)) != NULL) {
		http_error(r, 422, "invalid_field", "%s", why);
		goto out;
	}
	if ((db = req_db_or_reply(r)) == NULL)
		goto out;
	if ((rc = account_password_set(db, uid, password)) == -1)
		http_error(r, 503, "unavailable", "the database is unavailable");
	else if (rc == 0)
		http_error(r, 404, "not_found", "no user %lld", uid);
	else {
		log_info(r->reqid, "password of user %lld reset", uid);
		user_reply(r, uid, 200);
	}
out:
	sodium_memzero(r->body, r->bodylen);
	json_object_put(body);
}

static json_object *
import_row(long lineno, const char *status, const char *email, long long id,
    const char *reason)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "line", json_object_new_int64(lineno));
	json_object_object_add(o, "status", json_object_new_string(status));
	if (email != NULL)
		json_object_object_add(o, "email", json_object_new_string(email));
	if (id > 0)
		json_object_object_add(o, "id", json_object_new_int64(id));
	if (reason != NULL)
		json_object_object_add(o, "reason", json_object_new_string(reason));
	return o;
}

/*
 * POST /admin/users/import: each row stands alone; bad rows are reported
 * and skipped, existing emails reported and left unchanged.
 */
static void
users_import(struct req *r, const struct admin_args *a)
{
	struct account_row row;
	json_object *o = NULL, *rows;
	char *line, *next;
	const char *why;
	size_t n;
	long lineno = 0;
	long long id;
	int c, nul, created = 0, existing = 0, bad = 0;

	(void)a;
	if (csv_body_or_reply(r, "users") == -1)
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
		n = strlen(line);	/* before the parse cuts the line up */
		if ((c = account_csv_row(line, lineno, &row, &why)) == 1)
			continue;
		if (c == -1) {
			json_object_array_add(rows, import_row(lineno, "bad", NULL, 0, why));
			bad++;
			continue;
		}
		c = account_create(r->w->db, row.email, row.name, row.password,
		    row.role, &id);
		if (c == 1) {
			json_object_array_add(rows, import_row(lineno, "created",
			    row.email, id, NULL));
			created++;
		} else if (c == 0) {
			json_object_array_add(rows, import_row(lineno, "exists",
			    row.email, id, NULL));
			existing++;
		} else {
			json_object_array_add(rows, import_row(lineno, "bad",
			    row.email, 0, "database error"));
			bad++;
		}
		sodium_memzero(line, n);
	}
	json_object_object_add(o, "created", json_object_new_int(created));
	json_object_object_add(o, "existing", json_object_new_int(existing));
	json_object_object_add(o, "bad", json_object_new_int(bad));
	json_object_object_add(o, "rows", rows);
	log_info(r->reqid, "user import: created %d, existing %d, bad %d",
	    created, existing, bad);
	http_reply_json(r, 200, o);
	json_object_put(o);
	sodium_memzero(r->body, r->bodylen);
}

static void
user_submissions(struct req *r, long long uid)
{
	char id[24];
	const char *p[1] = { id };
	PGresult *res;

	snprintf(id, sizeof(id), "%lld", uid);
	if ((res = req_row_or_reply(r, "SELECT 1 FROM users WHERE id = $1", 1, p,
	    "user")) == NULL)
		return;
	PQclear(res);
	req_rows_reply(r, "SELECT s.id::text, s.question_id,"
	    " q.slug AS question, s.language_id, s.status, s.total, s.done,"
	    " s.passed, s.failed, s.score::float8 AS score, s.max_time_ms,"
	    " s.max_memory_kb,"
	    " to_char(s.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"') AS created_at,"
	    " to_char(s.finished_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"') AS finished_at,"
	    " s.source"
	    " FROM submissions s JOIN questions q ON q.id = s.question_id"
	    " WHERE s.user_id = $1 ORDER BY s.created_at DESC, s.id", 1, p);
}

static void
user_get(struct req *r, const struct admin_args *a)
{
	user_reply(r, a->id, 200);
}

static void
user_patch(struct req *r, const struct admin_args *a)
{
	user_update(r, a->id);
}

static void
user_password_post(struct req *r, const struct admin_args *a)
{
	user_password(r, a->id);
}

static void
user_ban_post(struct req *r, const struct admin_args *a)
{
	user_ban(r, a->id, 1);
}

static void
user_unban_post(struct req *r, const struct admin_args *a)
{
	user_ban(r, a->id, 0);
}

static void
user_submissions_get(struct req *r, const struct admin_args *a)
{
	user_submissions(r, a->id);
}

static const struct admin_route users_routes[] = {
	{ "", METHOD_GET, users_list },
	{ "", METHOD_POST, user_create },
	{ "/import", METHOD_POST, users_import },
	{ "/#", METHOD_GET, user_get },
	{ "/#", METHOD_PATCH | METHOD_PUT, user_patch },
	{ "/#/password", METHOD_POST, user_password_post },
	{ "/#/ban", METHOD_POST, user_ban_post },
	{ "/#/unban", METHOD_POST, user_unban_post },
	{ "/#/submissions", METHOD_GET, user_submissions_get },
};

void
route_admin_users(struct req *r)
{
	admin_route_dispatch(r, "/admin/users", users_routes,
	    sizeof(users_routes) / sizeof(users_routes[0]));
}
