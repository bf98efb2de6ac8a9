/*
 * GET /api[/contests[/{id}[/{endpoint}[/{id}]]]]: the ICPC Contest API,
 * read-only (docs/contest-api.md).  A round is a contest (id: its slug).
 *
 * Public (a token that is sent must be valid); an admin's token or HTTP
 * basic credentials (email:password) are the jury's view.  The public sees the frozen view (no judgements or runs
 * of submissions made at or after freeze_at until the round is
 * unfrozen; the public board) and no sources.  The objects are built in
 * PostgreSQL (sql/011_contest_api.sql, api_objects()), the scoreboard
 * and awards from the boards (fcgi/api_board.c), the event feed from
 * the event log (fcgi/api_feed.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>
#include <sodium.h>
#include <zip.h>

#include "auth.h"
#include "capi.h"
#include "db.h"
#include "extern.h"
#include "query.h"

/* An endpoint under /contests/{id}: its api_objects() type, or built here. */
enum api_kind {
	API_SQL,	/* api_objects() collection */
	API_SQL_ONE,	/* api_objects() singleton (state) */
	API_AWARDS,
	API_SCOREBOARD,
	API_FEED,
	API_NONE	/* in the specification, not served (yet) */
};

static const struct api_endpoint {
	const char	*name;
	enum api_kind	 kind;
} endpoints[] = {
	{ "state", API_SQL_ONE },
	{ "judgement-types", API_SQL },
	{ "languages", API_SQL },
	{ "problems", API_SQL },
	{ "groups", API_SQL },
	{ "organizations", API_SQL },
	{ "teams", API_SQL },
	{ "submissions", API_SQL },
	{ "judgements", API_SQL },
	{ "runs", API_SQL },
	{ "awards", API_AWARDS },
	{ "scoreboard", API_SCOREBOARD },
	{ "event-feed", API_FEED },
	{ "clarifications", API_SQL },
};

/* The ID properties a collection can be filtered on (?team_id=…). */
static const char *const filters[] = {
	"team_id", "problem_id", "language_id", "submission_id", "judgement_id",
	"judgement_type_id", "organization_id", "from_team_id", "to_team_id",
	"reply_to_id",
};

#define API_HEADERS	"Access-Control-Allow-Origin: *\r\n"

void
api_reply_text(struct req *r, const char *body, size_t len)
{
	http_reply(r, 200, "application/json", API_HEADERS, body, len);
}

void
api_reply_json(struct req *r, json_object *o)
{
	size_t len;
	const char *s = json_object_to_json_string_length(o,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &len);

	api_reply_text(r, s, len);
}

json_object *
api_sql_json(struct req *r, const char *sql, int n, const char *const *p)
{
	PGresult *res;
	json_object *o = NULL;

	if ((res = req_sql_or_reply(r, sql, n, p)) == NULL)
		return NULL;
	if (PQntuples(res) == 1 && !PQgetisnull(res, 0, 0))
		o = json_tokener_parse(PQgetvalue(res, 0, 0));
	PQclear(res);
	if (o == NULL)
		http_error(r, 500, "internal", "the contest data is not JSON");
	return o;
}

/* The round of slug into *c.  -1 with the reply (404, 503) written. */
static int
api_contest_find(struct req *r, const char *slug, struct api_ctx *c)
{
	const char *p[1] = { slug };
	PGresult *res;

	if ((res = req_row_or_reply(r, "SELECT id, scoring FROM rounds"
	    " WHERE slug = $1", 1, p, "contest")) == NULL)
		return -1;
	c->round_id = atoll(PQgetvalue(res, 0, 0));
	snprintf(c->slug, sizeof(c->slug), "%s", slug);
	c->icpc = strcmp(PQgetvalue(res, 0, 1), "icpc") == 0;
	PQclear(res);
	return 0;
}

/*
 * The ?<filter>= parameters of the query as a JSON object (an empty
 * value: null).  NULL with the reply written (400) when one is not an ID.
 */
static json_object *
api_filters(struct req *r)
{
	json_object *f = json_object_new_object();
	char v[CAPI_ID_MAX + 2];
	size_t i;
	long n;

	for (i = 0; i < sizeof(filters) / sizeof(filters[0]); i++) {
		n = query_get(r->query, filters[i], v, sizeof(v));
		if (n == -1)
			continue;
		if (n == 0) {
			json_object_object_add(f, filters[i], NULL);
			continue;
		}
		if (n < 0 || !capi_id_valid_n(v, (size_t)n)) {
			http_error(r, 400, "bad_request", "%s must be an ID",
			    filters[i]);
			json_object_put(f);
			return NULL;
		}
		json_object_object_add(f, filters[i], json_object_new_string(v));
	}
	return f;
}

/* GET …/{type}[/{id}] of the objects built by api_objects(). */
static void
api_sql_reply(struct req *r, const struct api_ctx *c, const char *type,
    const char *id, int one)
{
	char rid[24];
	const char *p[5];
	json_object *f = NULL;
	PGresult *res = NULL;

	snprintf(rid, sizeof(rid), "%lld", c->round_id);
	p[0] = rid;
	p[1] = type;
	p[2] = c->jury ? "t" : "f";
	if (one) {
		res = req_sql_or_reply(r, "SELECT api_objects($1, $2, $3)::text",
		    3, p);
		goto reply;
	}
	if (id == NULL && (f = api_filters(r)) == NULL)
		return;
	p[3] = id;
	p[4] = f != NULL ? json_object_to_json_string(f) : "{}";
	res = req_sql_or_reply(r, "SELECT CASE WHEN $4::text IS NULL"
	    " THEN coalesce(jsonb_agg(o ORDER BY n), '[]') ELSE jsonb_agg(o) -> 0 END::text"
	    " FROM jsonb_array_elements(api_objects($1, $2, $3)) WITH ORDINALITY x(o, n)"
	    " WHERE ($4::text IS NULL OR o->>'id' = $4)"
	    " AND NOT EXISTS (SELECT 1 FROM jsonb_each($5::jsonb) w"
	    "  WHERE coalesce(o -> w.key, 'null') <> w.value)", 5, p);
reply:
	if (res == NULL)
		goto out;
	if (PQntuples(res) != 1 || PQgetisnull(res, 0, 0))
		http_error(r, 404, "not_found", "no %s %s", type, id ? id : "");
	else
		api_reply_text(r, PQgetvalue(res, 0, 0),
		    (size_t)PQgetlength(res, 0, 0));
out:
	PQclear(res);
	json_object_put(f);
}

/*
 * A zip of buf (len bytes) as one file called name: 0 with *out (the
 * caller's, free()) and *outlen, or -1.
 */
static int
api_zip(const char *name, const char *buf, size_t len, char **out,
    size_t *outlen)
{
	zip_error_t ze;
	zip_source_t *src = NULL, *fs;
	zip_t *za = NULL;
	zip_int64_t n;
	char *z = NULL;
	int rc = -1;

	zip_error_init(&ze);
	*out = NULL;
	if ((src = zip_source_buffer_create(NULL, 0, 0, &ze)) == NULL ||
	    (za = zip_open_from_source(src, ZIP_TRUNCATE, &ze)) == NULL)
		goto out;
	zip_source_keep(src);
	if ((fs = zip_source_buffer(za, buf, len, 0)) == NULL)
		goto out;
	if (zip_file_add(za, name, fs, ZIP_FL_ENC_UTF_8) < 0) {
		zip_source_free(fs);
		goto out;
	}
	if (zip_close(za) == -1)
		goto out;
	za = NULL;
	if (zip_source_open(src) == -1)
		goto out;
	if (zip_source_seek(src, 0, SEEK_END) == -1 ||
	    (n = zip_source_tell(src)) < 0 ||
	    zip_source_seek(src, 0, SEEK_SET) == -1 ||
	    (z = malloc((size_t)n + 1)) == NULL ||
	    zip_source_read(src, z, (zip_uint64_t)n) != n) {
		zip_source_close(src);
		goto out;
	}
	zip_source_close(src);
	*out = z;
	*outlen = (size_t)n;
	z = NULL;
	rc = 0;
out:
	if (za != NULL)
		zip_discard(za);
	zip_source_free(src);
	zip_error_fini(&ze);
	free(z);
	return rc;
}

/* GET …/submissions/{id}/files: the source as files.zip (jury only). */
static void
api_files_reply(struct req *r, const struct api_ctx *c, const char *id)
{
	char rid[24], name[32];
	const char *p[2];
	PGresult *res;
	char *zip = NULL;
	size_t zlen;

	if (!c->jury) {
		http_error(r, 403, "forbidden", "sources are for the jury");
		return;
	}
	snprintf(rid, sizeof(rid), "%lld", c->round_id);
	p[0] = rid;
	p[1] = id;
	if ((res = req_sql_or_reply(r, "SELECT s.source,"
	    " coalesce(api_extensions(l.name) ->> 0, 'txt')"
	    " FROM submissions s JOIN questions q ON q.id = s.question_id"
	    " JOIN languages l ON l.judge0_id = s.language_id"
	    " WHERE q.round_id = $1 AND s.api_seq::text = $2"
	    " AND api_is_team(s.user_id)", 2, p)) == NULL)
		return;
	if (PQntuples(res) != 1) {
		http_error(r, 404, "not_found", "no submission %s", id);
		goto out;
	}
	snprintf(name, sizeof(name), "main.%s", PQgetvalue(res, 0, 1));
	if (api_zip(name, PQgetvalue(res, 0, 0), (size_t)PQgetlength(res, 0, 0),
	    &zip, &zlen) == -1) {
		http_error(r, 500, "internal", "cannot build the zip");
		goto out;
	}
	http_reply(r, 200, "application/zip", API_HEADERS
	    "Content-Disposition: attachment; filename=\"files.zip\"\r\n",
	    zip, zlen);
out:
	free(zip);
	PQclear(res);
}

/* GET /api: what this API is. */
static void
api_info_reply(struct req *r)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "version", json_object_new_string(CAPI_VERSION));
	json_object_object_add(o, "version_url",
	    json_object_new_string(CAPI_VERSION_URL));
	json_object_object_add(o, "name", json_object_new_string("Pitwall"));
	api_reply_json(r, o);
	json_object_put(o);
}

/* GET /api/contests[/{id}[/…]] after "/contests" (rest). */
static void
api_contests(struct req *r, struct api_ctx *c, const char *rest)
{
	char slug[72], seg[72], id[CAPI_ID_MAX + 1], tail[16];
	const struct api_endpoint *e = NULL;
	size_t i;

	if (*rest == '\0' || strcmp(rest, "/") == 0) {
		json_object *o = api_sql_json(r, "SELECT coalesce(jsonb_agg("
		    "api_objects(id, 'contest', true) ORDER BY id), '[]')::text"
		    " FROM rounds", 0, NULL);

		if (o != NULL)
			api_reply_json(r, o);
		json_object_put(o);
		return;
	}
	if (path_segment(&rest, slug, sizeof(slug)) == -1 ||
	    !capi_id_valid_n(slug, strlen(slug))) {
		http_error(r, 404, "not_found", "no such contest");
		return;
	}
	if (api_contest_find(r, slug, c) == -1)
		return;
	if (*rest == '\0' || strcmp(rest, "/") == 0) {
		api_sql_reply(r, c, "contest", NULL, 1);
		return;
	}
	if (path_segment(&rest, seg, sizeof(seg)) == -1)
		goto none;
	for (i = 0; i < sizeof(endpoints) / sizeof(endpoints[0]); i++)
		if (strcmp(endpoints[i].name, seg) == 0)
			e = &endpoints[i];
	if (e == NULL)
		goto none;
	id[0] = '\0';
	if (*rest != '\0' && (path_segment(&rest, id, sizeof(id)) == -1 ||
	    !capi_id_valid_n(id, strlen(id)) || e->kind == API_SQL_ONE ||
	    e->kind == API_SCOREBOARD || e->kind == API_FEED))
		goto none;
	if (*rest != '\0') {
		/* Only …/submissions/{id}/files goes deeper. */
		if (strcmp(e->name, "submissions") != 0 ||
		    path_segment(&rest, tail, sizeof(tail)) == -1 ||
		    strcmp(tail, "files") != 0 || *rest != '\0')
			goto none;
		api_files_reply(r, c, id);
		return;
	}
	switch (e->kind) {
	case API_SQL:
	case API_SQL_ONE:
		api_sql_reply(r, c, e->name, id[0] ? id : NULL,
		    e->kind == API_SQL_ONE);
		return;
	case API_AWARDS:
		api_awards_reply(r, c, id[0] ? id : NULL);
		return;
	case API_SCOREBOARD:
		api_scoreboard_reply(r, c);
		return;
	case API_FEED:
		api_feed(r, c);
		return;
	case API_NONE:
		http_error(r, 404, "not_found", "%s are not available yet",
		    e->name);
		return;
	}
none:
	http_error(r, 404, "not_found", "no route for %s", r->path);
}

/*
 * HTTP basic authentication (the specification's own): email:password,
 * checked as /auth/login checks them (its failed-login limits).  1 when
 * the request has no Basic credentials; 0 with *jury set; -1 with the
 * reply (400, 401, 403, 429, 503) written.
 */
static int
api_basic(struct req *r, int *jury)
{
	const char *h = http_param(r, "HTTP_AUTHORIZATION");
	unsigned char buf[1300];
	char role[16];
	size_t len;
	char *colon;
	long long uid;
	int banned, rc;

	if (h == NULL || strncasecmp(h, "Basic ", 6) != 0)
		return 1;
	h += 6;
	while (*h == ' ')
		h++;
	if (sodium_base642bin(buf, sizeof(buf) - 1, h, strlen(h), NULL, &len,
	    NULL, sodium_base64_VARIANT_ORIGINAL) != 0 ||
	    (buf[len] = '\0', colon = strchr((char *)buf, ':')) == NULL ||
	    strlen((char *)buf) != len) {
		http_error(r, 400, "bad_request", "Basic credentials are"
		    " base64 of email:password");
		rc = -1;
		goto out;
	}
	*colon = '\0';
	rc = req_password_check_or_reply(r, (char *)buf, colon + 1, &uid, role,
	    sizeof(role), &banned);
	if (rc == 1) {
		http_error(r, 401, "invalid_credentials", "wrong email or password");
		rc = -1;
	} else if (rc == 0 && banned) {
		http_error(r, 403, "banned", "this account is banned from the contest");
		rc = -1;
	} else if (rc == 0)
		*jury = strcmp(role, "admin") == 0;
out:
	sodium_memzero(buf, sizeof(buf));
	return rc;
}

/* GET /api… */
void
route_api(struct req *r)
{
	struct auth_claims who;
	struct api_ctx c;
	const char *rest = r->path + 4;
	int rc;

	if (*rest != '\0' && *rest != '/') {
		http_error(r, 404, "not_found", "no route for %s", r->path);
		return;
	}
	memset(&c, 0, sizeof(c));
	if ((rc = api_basic(r, &c.jury)) == -1)
		return;
	if (rc == 1) {
		if (req_auth_optional_or_reply(r, &who) == -1)
			return;
		c.jury = who.user_id != 0 && strcmp(who.role, "admin") == 0;
	}
	if (*rest == '\0' || strcmp(rest, "/") == 0) {
		api_info_reply(r);
		return;
	}
	if (strncmp(rest, "/contests", 9) == 0 &&
	    (rest[9] == '\0' || rest[9] == '/')) {
		api_contests(r, &c, rest + 9);
		return;
	}
	http_error(r, 404, "not_found", "no route for %s", r->path);
}
