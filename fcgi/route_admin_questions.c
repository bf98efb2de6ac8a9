/*
 * Questions and testcases (role admin):
 *   GET    /admin/questions[?round=slug]       -> [question summary]
 *   POST   /admin/questions {round, slug, title, statement?, points?,
 *          time_limit_ms?, memory_limit_kb?, checker?} -> 201 question
 *   GET    /admin/questions/{id}               -> question with every testcase
 *   PATCH or PUT /admin/questions/{id} {any of the fields} -> question
 *   DELETE /admin/questions/{id}               -> 204 (409 once submitted to)
 *   GET    /admin/questions/{id}/testcases     -> [testcase]
 *   POST   /admin/questions/{id}/testcases {input, expected_output,
 *          is_sample?, points?, ordinal?, name?} -> 201 testcase
 *   GET    /admin/testcases/{id}               -> testcase
 *   PATCH or PUT /admin/testcases/{id} {any of the fields} -> testcase
 *   DELETE /admin/testcases/{id}               -> 204 (409 once judged against)
 * Ranges are the schema's; every change drops the question's caches (and
 * the contestant question lists), so responders and the worker reload.
 * A testcase fixed in place can then be rejudged (POST /admin/rejudge).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "auth.h"
#include "db.h"
#include "extern.h"
#include "json.h"
#include "query.h"

#define ADMIN_BODY_MAX	(32 * 1024 * 1024)

#define Q_COLS \
	"q.id, r.slug AS round, q.slug, q.title, q.statement, q.points," \
	" q.time_limit_ms, q.memory_limit_kb, q.checker"
#define T_COLS \
	"t.id, t.question_id, t.ordinal, t.name, t.is_sample, t.points," \
	" CASE WHEN t.input_bytes IS NULL THEN t.input END AS input," \
	" CASE WHEN t.answer_bytes IS NULL THEN t.expected_output END" \
	" AS expected_output"

/* Reply with question qid and all of its testcases. */
static void
question_reply(struct req *r, long long qid, int status)
{
	char id[24];

	snprintf(id, sizeof(id), "%lld", qid);
	req_row_reply(r, "SELECT " Q_COLS ","
	    " coalesce((SELECT json_agg(json_build_object('id', t.id, 'ordinal',"
	    "  t.ordinal, 'name', t.name, 'is_sample', t.is_sample, 'points',"
	    "  t.points, 'input', CASE WHEN t.input_bytes IS NULL THEN t.input"
	    "  END, 'expected_output', CASE WHEN t.answer_bytes IS NULL THEN"
	    "  t.expected_output END)"
	    "  ORDER BY t.ordinal) FROM testcases t WHERE t.question_id = q.id),"
	    "  '[]'::json) AS testcases"
	    " FROM questions q JOIN rounds r ON r.id = q.round_id WHERE q.id = $1",
	    id, "question", status);
}

static void
testcase_reply(struct req *r, long long tid, int status)
{
	char id[24];

	snprintf(id, sizeof(id), "%lld", tid);
	req_row_reply(r, "SELECT " T_COLS " FROM testcases t WHERE t.id = $1",
	    id, "testcase", status);
}

static void
questions_list(struct req *r, const struct admin_args *a)
{
	char slug[72];
	const char *p[1] = { NULL };
	long qlen;

	(void)a;
	qlen = query_get(r->query, "round", slug, sizeof(slug));
	if (qlen == -2 || qlen == 0) {
		http_error(r, 400, "bad_request", "round must be a round slug");
		return;
	}
	if (qlen > 0)
		p[0] = slug;
	req_rows_reply(r, "SELECT q.id, r.slug AS round, q.slug,"
	    " q.title, q.points, q.time_limit_ms, q.memory_limit_kb, q.checker,"
	    " (SELECT count(*) FROM testcases t WHERE t.question_id = q.id)::int"
	    "  AS testcases,"
	    " (SELECT count(*) FROM testcases t WHERE t.question_id = q.id"
	    "  AND t.is_sample)::int AS samples"
	    " FROM questions q JOIN rounds r ON r.id = q.round_id"
	    " WHERE $1::text IS NULL OR r.slug = $1 ORDER BY q.id", 1, p);
}

/* Create (qid 0) or update question qid. */
static void
question_write(struct req *r, long long qid)
{
	json_object *body = NULL;
	const char *round = NULL, *slug = NULL, *title = NULL, *statement = NULL;
	const char *checker = NULL, *p[9];
	int64_t points = 0, tl = 0, ml = 0;
	char pts[24], tlb[24], mlb[24], id[24];
	PGresult *res = NULL;
	const struct jfield fields[] = {
		{ "round", JF_STRING, qid == 0, 1, 64, &round, NULL },
		{ "slug", JF_STRING, qid == 0, 1, 64, &slug, NULL },
		{ "title", JF_STRING, qid == 0, 1, 500, &title, NULL },
		{ "statement", JF_STRING, 0, 0, 1024 * 1024, &statement, NULL },
		{ "checker", JF_STRING, 0, 1, 16, &checker, NULL },
		{ "points", JF_INT, 0, 0, 1000000, &points, NULL },
		{ "time_limit_ms", JF_INT, 0, 1, 60000, &tl, NULL },
		{ "memory_limit_kb", JF_INT, 0, 2048, 4194304, &ml, NULL },
	};

	if (req_fields_or_reply(r, ADMIN_BODY_MAX, ADMIN_JSON_DEPTH, fields,
	    sizeof(fields) / sizeof(fields[0]), &body) == -1)
		return;
	snprintf(id, sizeof(id), "%lld", qid);
	p[0] = id;
	p[1] = round;
	p[2] = slug;
	p[3] = title;
	p[4] = statement;
	p[5] = pg_int_param(body, "points", points, pts, sizeof(pts));
	p[6] = pg_int_param(body, "time_limit_ms", tl, tlb, sizeof(tlb));
	p[7] = pg_int_param(body, "memory_limit_kb", ml, mlb, sizeof(mlb));
	p[8] = checker;
	if (round != NULL) {
		PGresult *rr = req_sql_or_reply(r, "SELECT 1 FROM rounds WHERE slug = $1",
		    1, p + 1);
		int found;

		if (rr == NULL)
			goto out;
		found = PQntuples(rr) == 1;
		PQclear(rr);
		if (!found) {
			http_error(r, 422, "invalid_field", "no round %s", round);
			goto out;
		}
	}
	if (qid == 0)
		res = req_row_or_reply(r, "INSERT INTO questions (round_id, slug, title,"
		    " statement, points, time_limit_ms, memory_limit_kb, checker)"
		    " SELECT r.id, $3, $4, coalesce($5, ''), coalesce($6::int, 100),"
		    " coalesce($7::int, 1000), coalesce($8::int, 262144),"
		    " coalesce($9, 'exact') FROM rounds r WHERE r.slug = $2"
		    " AND $1::bigint = 0 RETURNING id", 9, p, "question");
	else
		res = req_row_or_reply(r, "UPDATE questions SET"
		    " round_id = coalesce((SELECT id FROM rounds WHERE slug = $2), round_id),"
		    " slug = coalesce($3, slug), title = coalesce($4, title),"
		    " statement = coalesce($5, statement),"
		    " points = coalesce($6::int, points),"
		    " time_limit_ms = coalesce($7::int, time_limit_ms),"
		    " memory_limit_kb = coalesce($8::int, memory_limit_kb),"
		    " checker = coalesce($9, checker) WHERE id = $1 RETURNING id", 9, p,
		    "question");
	if (res == NULL)
		goto out;
	qid = atoll(PQgetvalue(res, 0, 0));
	req_caches_drop(r, qid);
	question_reply(r, qid, p[0][0] == '0' ? 201 : 200);
out:
	PQclear(res);
	json_object_put(body);
}

static void
row_delete(struct req *r, const char *sql, long long id, long long qid_for_cache,
    const char *what)
{
	char buf[24];
	const char *p[1] = { buf };
	PGresult *res;

	snprintf(buf, sizeof(buf), "%lld", id);
	if ((res = req_row_or_reply(r, sql, 1, p, what)) == NULL)
		return;
	req_caches_drop(r, qid_for_cache ? qid_for_cache :
	    atoll(PQgetvalue(res, 0, 0)));
	http_reply(r, 204, NULL, NULL, NULL, 0);
	PQclear(res);
}

static void
testcases_list(struct req *r, long long qid)
{
	char id[24];
	const char *p[1] = { id };

	snprintf(id, sizeof(id), "%lld", qid);
	req_rows_reply(r, "SELECT " T_COLS " FROM testcases t"
	    " WHERE t.question_id = $1 ORDER BY t.ordinal", 1, p);
}

/* Create a testcase of question qid (tid 0) or update testcase tid. */
static void
testcase_write(struct req *r, long long qid, long long tid)
{
	json_object *body = NULL;
	const char *input = NULL, *expected = NULL, *name = NULL, *p[8];
	size_t inlen = 0, explen = 0;
	int64_t points = 0, ordinal = 0;
	int sample = 0;
	char qb[24], tb[24], pb[24], ob[24];
	PGresult *res = NULL;
	const struct jfield fields[] = {
		{ "input", JF_STRING, tid == 0, 0, ADMIN_BODY_MAX, &input, &inlen },
		{ "expected_output", JF_STRING, tid == 0, 0, ADMIN_BODY_MAX, &expected, &explen },
		{ "name", JF_STRING, 0, 1, 64, &name, NULL },
		{ "points", JF_INT, 0, 0, 1000000, &points, NULL },
		{ "ordinal", JF_INT, 0, 0, 1000000, &ordinal, NULL },
		{ "is_sample", JF_BOOL, 0, 0, 0, &sample, NULL },
	};

	if (req_fields_or_reply(r, ADMIN_BODY_MAX, ADMIN_JSON_DEPTH, fields,
	    sizeof(fields) / sizeof(fields[0]), &body) == -1)
		return;
	snprintf(qb, sizeof(qb), "%lld", qid);
	snprintf(tb, sizeof(tb), "%lld", tid);
	p[0] = tid == 0 ? qb : tb;
	p[1] = input;
	p[2] = expected;
	p[3] = name;
	p[4] = pg_int_param(body, "points", points, pb, sizeof(pb));
	p[5] = pg_int_param(body, "ordinal", ordinal, ob, sizeof(ob));
	p[6] = pg_bool_param(body, "is_sample", sample);
	p[7] = NULL;
	if (tid == 0)
		/* Defaults: the next ordinal, named after it (01, 02, …). */
		res = req_row_or_reply(r, "WITH n AS (SELECT coalesce($6::int,"
		    " (SELECT coalesce(max(ordinal) + 1, 0) FROM testcases"
		    "  WHERE question_id = $1::bigint)) AS o)"
		    " INSERT INTO testcases (question_id, ordinal, name, input,"
		    " expected_output, is_sample, points)"
		    " SELECT q.id, n.o, coalesce($4, lpad((n.o + 1)::text, 2, '0')),"
		    " $2, $3, coalesce($7::boolean, false), coalesce($5::int, 1)"
		    " FROM questions q, n WHERE q.id = $1::bigint"
		    " RETURNING id, question_id", 7, p, "question");
	else
		res = req_row_or_reply(r, "UPDATE testcases SET"
		    " input = coalesce($2, input),"
		    " expected_output = coalesce($3, expected_output),"
		    " input_bytes = CASE WHEN $2 IS NULL THEN input_bytes END,"
		    " answer_bytes = CASE WHEN $3 IS NULL THEN answer_bytes END,"
		    " name = coalesce($4, name), points = coalesce($5::int, points),"
		    " ordinal = coalesce($6::int, ordinal),"
		    " is_sample = coalesce($7::boolean, is_sample)"
		    " WHERE id = $1::bigint RETURNING id, question_id", 7, p, "testcase");
	if (res == NULL)
		goto out;
	req_caches_drop(r, atoll(PQgetvalue(res, 0, 1)));
	testcase_reply(r, atoll(PQgetvalue(res, 0, 0)), tid == 0 ? 201 : 200);
out:
	PQclear(res);
	json_object_put(body);
}

static void
question_create(struct req *r, const struct admin_args *a)
{
	(void)a;
	question_write(r, 0);
}

static void
question_get(struct req *r, const struct admin_args *a)
{
	question_reply(r, a->id, 200);
}

static void
question_update(struct req *r, const struct admin_args *a)
{
	question_write(r, a->id);
}

static void
question_delete(struct req *r, const struct admin_args *a)
{
	row_delete(r, "DELETE FROM questions WHERE id = $1 RETURNING id",
	    a->id, a->id, "question");
}

static void
question_testcases_get(struct req *r, const struct admin_args *a)
{
	testcases_list(r, a->id);
}

static void
testcase_create(struct req *r, const struct admin_args *a)
{
	testcase_write(r, a->id, 0);
}

static void
testcase_get(struct req *r, const struct admin_args *a)
{
	testcase_reply(r, a->id, 200);
}

static void
testcase_update(struct req *r, const struct admin_args *a)
{
	testcase_write(r, 0, a->id);
}

static void
testcase_delete(struct req *r, const struct admin_args *a)
{
	row_delete(r, "DELETE FROM testcases WHERE id = $1 RETURNING question_id",
	    a->id, 0, "testcase");
}

static const struct admin_route questions_routes[] = {
	{ "", METHOD_GET, questions_list },
	{ "", METHOD_POST, question_create },
	{ "/#", METHOD_GET, question_get },
	{ "/#", METHOD_PATCH | METHOD_PUT, question_update },
	{ "/#", METHOD_DELETE, question_delete },
	{ "/#/testcases", METHOD_GET, question_testcases_get },
	{ "/#/testcases", METHOD_POST, testcase_create },
};

static const struct admin_route testcases_routes[] = {
	{ "/#", METHOD_GET, testcase_get },
	{ "/#", METHOD_PATCH | METHOD_PUT, testcase_update },
	{ "/#", METHOD_DELETE, testcase_delete },
};

void
route_admin_questions(struct req *r)
{
	admin_route_dispatch(r, "/admin/questions", questions_routes,
	    sizeof(questions_routes) / sizeof(questions_routes[0]));
}

void
route_admin_testcases(struct req *r)
{
	admin_route_dispatch(r, "/admin/testcases", testcases_routes,
	    sizeof(testcases_routes) / sizeof(testcases_routes[0]));
}
