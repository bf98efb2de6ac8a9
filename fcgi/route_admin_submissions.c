/*
 * /admin/submissions — the jury's view of every submission:
 *
 *   GET /admin/submissions[?user=N][&question=N][&round=slug][&status=s]
 *                         [&verdict=V][&limit=N][&before=ISO]
 *       -> [submission] newest first, without sources
 *   GET /admin/submissions/{uuid}
 *       -> submission with its source and every testcase's result
 *
 * Filters are SQL parameters (NULL: no filter), so the statement is one
 * and prepared the same way whatever is asked.
 */
#include <stdio.h>
#include <string.h>
#include <stdint.h>

#include <json-c/json.h>
#include <libpq-fe.h>

#include "extern.h"
#include "query.h"

#define LIST_LIMIT_DEFAULT	100
#define LIST_LIMIT_MAX		1000

/* The columns a list row and the one submission share. */
#define SUBMISSION_COLUMNS \
	" s.id::text, s.user_id, u.email AS user_email, u.name AS user_name," \
	" s.question_id, q.slug AS question, r.slug AS round, s.language_id," \
	" s.status, s.total, s.done, s.passed, s.failed," \
	" s.score::float8 AS score, s.max_time_ms, s.max_memory_kb," \
	" to_char(s.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"') AS created_at," \
	" to_char(s.finished_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"') AS finished_at," \
	" s.verdict"

#define SUBMISSION_FROM \
	" FROM submissions s JOIN users u ON u.id = s.user_id" \
	" JOIN questions q ON q.id = s.question_id" \
	" JOIN rounds r ON r.id = q.round_id"

/*
 * One optional positive-integer filter of the query string as an SQL
 * parameter (*param NULL when absent); 0, or -1 with a 422 written.
 */
static int
filter_int(struct req *r, const char *name, char *buf, size_t bufsz,
    const char **param)
{
	long long v;
	int rc;

	*param = NULL;
	rc = query_ll(r->query, name, 1, INT64_MAX, &v);
	if (rc == -1) {
		http_error(r, 422, "invalid_parameter",
		    "%s must be a positive integer", name);
		return -1;
	}
	if (rc == 1) {
		snprintf(buf, bufsz, "%lld", v);
		*param = buf;
	}
	return 0;
}

static void
submissions_list(struct req *r, const struct admin_args *a)
{
	char user[24], question[24], round[96], status[16], verdict[8],
	    before[48], limit[24];
	const char *p[7];
	long long lim = LIST_LIMIT_DEFAULT;

	(void)a;
	if (filter_int(r, "user", user, sizeof(user), &p[0]) == -1 ||
	    filter_int(r, "question", question, sizeof(question), &p[1]) == -1 ||
	    req_query_text_or_reply(r, "round", round, sizeof(round), &p[2]) == -1 ||
	    req_query_text_or_reply(r, "status", status, sizeof(status), &p[3]) == -1 ||
	    req_query_text_or_reply(r, "verdict", verdict, sizeof(verdict), &p[4]) == -1 ||
	    req_query_text_or_reply(r, "before", before, sizeof(before), &p[5]) == -1)
		return;
	if (query_ll(r->query, "limit", 1, LIST_LIMIT_MAX, &lim) == -1) {
		http_error(r, 422, "invalid_parameter",
		    "limit must be an integer from 1 to %d", LIST_LIMIT_MAX);
		return;
	}
	if (p[3] != NULL && strcmp(p[3], "queued") != 0 &&
	    strcmp(p[3], "judging") != 0 && strcmp(p[3], "done") != 0) {
		http_error(r, 422, "invalid_parameter",
		    "status is queued, judging or done");
		return;
	}
	snprintf(limit, sizeof(limit), "%lld", lim);
	p[6] = limit;
	/* verdict: the submission's overall verdict (set when it is done). */
	req_rows_reply(r, "SELECT" SUBMISSION_COLUMNS SUBMISSION_FROM
	    " WHERE ($1::bigint IS NULL OR s.user_id = $1)"
	    " AND ($2::bigint IS NULL OR s.question_id = $2)"
	    " AND ($3::text IS NULL OR r.slug = $3)"
	    " AND ($4::text IS NULL OR s.status = $4)"
	    " AND ($5::text IS NULL OR s.verdict = $5)"
	    " AND ($6::timestamptz IS NULL OR s.created_at < $6)"
	    " ORDER BY s.created_at DESC, s.id LIMIT $7", 7, p);
}

static void
submission_get(struct req *r, const struct admin_args *a)
{
	const char *p[1] = { a->slug };
	PGresult *res = NULL, *rows = NULL;
	json_object *o = NULL;

	if (!uuid_valid(a->slug)) {
		http_error(r, 404, "not_found", "no submission %s", a->slug);
		return;
	}
	if ((res = req_row_or_reply(r, "SELECT" SUBMISSION_COLUMNS ", s.source"
	    SUBMISSION_FROM " WHERE s.id = $1::uuid", 1, p, "submission")) == NULL)
		return;
	if ((rows = req_sql_or_reply(r, "SELECT t.id AS testcase_id, t.ordinal,"
	    " t.name, t.is_sample, t.points, sr.status_id, sr.verdict, sr.passed,"
	    " sr.time_ms, sr.memory_kb, sr.output_excerpt, sr.message,"
	    " sr.judge_message, sr.team_message, sr.validator_score::float8"
	    " AS validator_score, sr.judge_token"
	    " FROM submissions s JOIN testcases t ON t.question_id = s.question_id"
	    " LEFT JOIN submission_results sr"
	    "   ON sr.submission_id = s.id AND sr.testcase_id = t.id"
	    " WHERE s.id = $1::uuid ORDER BY t.ordinal", 1, p)) == NULL)
		goto out;
	if ((o = pg_row_json(res, 0)) == NULL) {
		http_error(r, 500, "internal", "out of memory");
		goto out;
	}
	json_object_object_add(o, "results", pg_rows_json(rows));
	http_reply_json(r, 200, o);
out:
	json_object_put(o);
	PQclear(rows);
	PQclear(res);
}

static const struct admin_route submissions_routes[] = {
	{ "", METHOD_GET, submissions_list },
	{ "/*", METHOD_GET, submission_get },
};

void
route_admin_submissions(struct req *r)
{
	admin_route_dispatch(r, "/admin/submissions", submissions_routes,
	    sizeof(submissions_routes) / sizeof(submissions_routes[0]));
}
