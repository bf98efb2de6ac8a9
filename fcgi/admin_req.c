/*
 * Helpers of the /admin routes and /auth/login: the lazily connected
 * database with SQLSTATE-aware replies, JSON bodies read by a field
 * table, one row (or 404) and all rows of a query as the reply, optional
 * fields as SQL parameters, results as JSON, path segments.  Each
 * *_or_reply helper writes the {"error","message"} reply when it fails.
 * These routes are not on the contestant hot path (DESIGN.md §2), so
 * they may read and write PostgreSQL.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>
#include <libpq-fe.h>

#include "cache.h"
#include "db.h"
#include "extern.h"
#include "query.h"
#include "json.h"
#include "log.h"

/* PostgreSQL type oids (pg_type.h). */
#define OID_BOOL	16
#define OID_INT8	20
#define OID_INT2	21
#define OID_INT4	23
#define OID_JSON	114
#define OID_FLOAT4	700
#define OID_FLOAT8	701
#define OID_NUMERIC	1700
#define OID_JSONB	3802

struct db *
req_db_or_reply(struct req *r)
{
	if (r->w->db == NULL)
		r->w->db = db_new(r->cfg->database_url, r->cfg->db_connect_timeout_s);
	if (r->w->db == NULL || db_ensure(r->w->db) == -1) {
		http_error(r, 503, "unavailable", "the database is unavailable");
		return NULL;
	}
	return r->w->db;
}

PGresult *
req_sql_or_reply(struct req *r, const char *sql, int n,
    const char *const *params)
{
	struct db *db;
	struct db_err err;
	PGresult *res;

	if ((db = req_db_or_reply(r)) == NULL)
		return NULL;
	if ((res = db_exec_err(db, sql, n, params, &err)) != NULL)
		return res;
	if (strcmp(err.sqlstate, "23505") == 0)
		http_error(r, 409, "conflict", "%s", err.message);
	else if (strcmp(err.sqlstate, "23503") == 0)
		http_error(r, 409, "in_use", "%s", err.message);
	else if (strncmp(err.sqlstate, "22", 2) == 0 ||
	    strncmp(err.sqlstate, "23", 2) == 0)
		http_error(r, 422, "invalid_field", "%s", err.message);
	else {
		/* Transient (db_error_transient) or our own bug: 503 both. */
		log_error(r->reqid, "query failed (%s%s): %s",
		    *err.sqlstate ? err.sqlstate : "-",
		    err.transient ? ", transient" : "", err.message);
		http_error(r, 503, "unavailable", "the database is unavailable");
	}
	return NULL;
}

int
req_exec_or_reply(struct req *r, const char *sql, int n,
    const char *const *params)
{
	PGresult *res;

	if ((res = req_sql_or_reply(r, sql, n, params)) == NULL)
		return -1;
	PQclear(res);
	return 0;
}

PGresult *
req_row_or_reply(struct req *r, const char *sql, int n,
    const char *const *params, const char *what)
{
	PGresult *res;

	if ((res = req_sql_or_reply(r, sql, n, params)) == NULL)
		return NULL;
	if (PQntuples(res) != 1) {
		http_error(r, 404, "not_found", "no %s %s", what, params[0]);
		PQclear(res);
		return NULL;
	}
	return res;
}

void
req_row_reply(struct req *r, const char *sql, const char *key,
    const char *what, int status)
{
	const char *p[1] = { key };
	PGresult *res;
	json_object *o;

	if ((res = req_row_or_reply(r, sql, 1, p, what)) == NULL)
		return;
	o = pg_row_json(res, 0);
	http_reply_json(r, status, o);
	json_object_put(o);
	PQclear(res);
}

void
req_rows_reply(struct req *r, const char *sql, int n,
    const char *const *params)
{
	PGresult *res;
	json_object *arr;

	if ((res = req_sql_or_reply(r, sql, n, params)) == NULL)
		return;
	arr = pg_rows_json(res);
	http_reply_json(r, 200, arr);
	json_object_put(arr);
	PQclear(res);
}

/* 1 when body has key with a value other than null. */
static int
body_has(json_object *body, const char *key)
{
	json_object *v;

	return json_object_object_get_ex(body, key, &v) && v != NULL;
}

const char *
pg_int_param(json_object *body, const char *key, int64_t v, char *buf,
    size_t bufsz)
{
	if (!body_has(body, key))
		return NULL;
	snprintf(buf, bufsz, "%lld", (long long)v);
	return buf;
}

const char *
pg_bool_param(json_object *body, const char *key, int v)
{
	if (!body_has(body, key))
		return NULL;
	return v ? "t" : "f";
}

json_object *
pg_row_json(const PGresult *res, int row)
{
	json_object *o = json_object_new_object();
	int i;

	for (i = 0; i < PQnfields(res); i++) {
		const char *v = PQgetvalue(res, row, i);
		json_object *jv;

		if (PQgetisnull(res, row, i)) {
			json_object_object_add(o, PQfname(res, i), NULL);
			continue;
		}
		switch (PQftype(res, i)) {
		case OID_BOOL:
			jv = json_object_new_boolean(v[0] == 't');
			break;
		case OID_INT2:
		case OID_INT4:
		case OID_INT8:
			jv = json_object_new_int64(strtoll(v, NULL, 10));
			break;
		case OID_FLOAT4:
		case OID_FLOAT8:
		case OID_NUMERIC:
			jv = json_object_new_double(strtod(v, NULL));
			break;
		case OID_JSON:
		case OID_JSONB:
			jv = json_tokener_parse(v);
			break;
		default:
			jv = json_object_new_string_len(v, PQgetlength(res, row, i));
			break;
		}
		json_object_object_add(o, PQfname(res, i), jv);
	}
	return o;
}

json_object *
pg_rows_json(const PGresult *res)
{
	json_object *arr = json_object_new_array();
	int i;

	for (i = 0; i < PQntuples(res); i++)
		json_object_array_add(arr, pg_row_json(res, i));
	return arr;
}

int
path_segment(const char **p, char *out, size_t outsz)
{
	const char *s = *p, *e;
	size_t n;

	if (*s != '/')
		return -1;
	s++;
	e = strchr(s, '/');
	n = e != NULL ? (size_t)(e - s) : strlen(s);
	if (n == 0 || n >= outsz)
		return -1;
	memcpy(out, s, n);
	out[n] = '\0';
	*p = s + n;
	return 0;
}

int
path_id(const char **p, long long *out)
{
	char seg[24], *end;
	long long v;

	if (path_segment(p, seg, sizeof(seg)) == -1 || !isdigit((unsigned char)seg[0]))
		return -1;
	errno = 0;
	v = strtoll(seg, &end, 10);
	if (errno != 0 || *end != '\0' || v <= 0)
		return -1;
	*out = v;
	return 0;
}

void
req_caches_drop(struct req *r, long long qid)
{
	if (cache_invalidate_question(r->w->redis, qid) == -1)
		log_warn(r->reqid, "the database changed but the Redis caches could "
		    "not be dropped; they expire after CACHE_TTL seconds");
}

int
req_query_text_or_reply(struct req *r, const char *name, char *buf,
    size_t bufsz, const char **out)
{
	long n = r->query != NULL ? query_get(r->query, name, buf, bufsz) : -1;

	*out = NULL;
	if (n == -2 || n == 0) {
		http_error(r, 422, "invalid_parameter",
		    "%s is empty, malformed or too long", name);
		return -1;
	}
	if (n > 0)
		*out = buf;
	return 0;
}

#define CSV_BODY_MAX	(4 * 1024 * 1024)

int
csv_body_or_reply(struct req *r, const char *what)
{
	const char *ct = http_param(r, "CONTENT_TYPE");
	char msg[64];

	if (ct == NULL || strncasecmp(ct, "text/csv", 8) != 0 ||
	    (ct[8] != '\0' && ct[8] != ';' && ct[8] != ' ')) {
		snprintf(msg, sizeof(msg), "send the %s as text/csv", what);
		http_error(r, 415, "unsupported_media_type", msg);
		return -1;
	}
	if (http_read_body(r, CSV_BODY_MAX) == -1 || req_db_or_reply(r) == NULL)
		return -1;
	return 0;
}

int
csv_line_next(char **pos, char *end, long *lineno, char **line, int *nul)
{
	char *l = *pos, *next;
	size_t n;

	if (l == NULL || l >= end)
		return 0;
	(*lineno)++;
	next = memchr(l, '\n', (size_t)(end - l));
	n = next != NULL ? (size_t)(next - l) : (size_t)(end - l);
	if (next != NULL)
		*next++ = '\0';
	while (n > 0 && l[n - 1] == '\r')
		l[--n] = '\0';
	if (*lineno == 1 && n >= 3 && memcmp(l, "\xef\xbb\xbf", 3) == 0) {
		l += 3;	/* BOM */
		n -= 3;
	}
	*nul = strlen(l) != n;
	*line = l;
	*pos = next;
	return 1;
}
