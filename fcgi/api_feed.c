/*
 * GET /api/contests/{id}/event-feed[?since_token=N][&stream=false]
 *     -> application/x-ndjson: {"type", "id", "data", "token"} per line
 *
 * The event log of sql/011_contest_api.sql (api_events), from the start
 * or after the event whose token is since_token (an unknown or malformed
 * token: 400).  Before each read the configuration objects, the state
 * and the awards of the reader's view are brought up to date in the log
 * (api_sync_config(), api_sync()), so a replay from the start gives the
 * endpoints' objects.  The public reads the events of audience all and
 * public, without the judgements and runs of frozen submissions (until
 * the unfreeze writes them again); the jury reads all and jury.
 *
 * The reply stays open: new events are polled every FEED_POLL_MS (the
 * synced objects every FEED_SYNC_S), a
 * newline is sent after FEED_KEEPALIVE_S without one (the specification
 * asks for one within 120 s), and it ends when the client leaves, the
 * server stops, or after FEED_MAX_S (the client resumes with its last
 * token).  stream=false (Pitwall's extension) ends it after the events
 * there are now.
 *
 * XXX: each open feed holds a responder thread (FCGI_THREADS).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "capi.h"
#include "db.h"
#include "extern.h"
#include "fcgi_server.h"
#include "query.h"

#define FEED_POLL_MS		500
#define FEED_SYNC_S		2
#define FEED_KEEPALIVE_S	10
#define FEED_MAX_S		3600
#define FEED_BATCH		"500"

/* Bring the log's configuration, state, awards and clarifications of
 * this view up to date.  0 / -1 with the error reply written (logged once the feed's
 * headers are out). */
static int
feed_sync(struct req *r, const struct api_ctx *c)
{
	json_object *aw = NULL;
	PGresult *res;
	char rid[24];
	const char *p[3];
	int rc = -1;

	snprintf(rid, sizeof(rid), "%lld", c->round_id);
	p[0] = rid;
	if ((res = req_sql_or_reply(r, "SELECT api_sync_config($1)", 1, p)) == NULL)
		return -1;
	PQclear(res);
	if (api_board_build(r, c, NULL, &aw) == -1)
		return -1;
	p[1] = c->jury ? "jury" : "public";
	p[2] = json_object_to_json_string_ext(aw, JSON_C_TO_STRING_PLAIN);
	if ((res = req_sql_or_reply(r, "SELECT api_sync($1, $2, 'awards', $3::jsonb),"
	    " api_sync($1, $2, 'clarifications', api_clarifications($1, $2 = 'jury'))",
	    3, p)) != NULL) {
		PQclear(res);
		rc = 0;
	}
	json_object_put(aw);
	return rc;
}

/*
 * Write the events after *last (at most FEED_BATCH), advancing *last.
 * Returns how many were written, or -1 (the client left, or the query
 * failed after the headers were sent).
 */
static int
feed_write(struct req *r, const struct api_ctx *c, long long *last)
{
	char rid[24], tok[24];
	const char *p[4];
	PGresult *res;
	int i, n;

	snprintf(rid, sizeof(rid), "%lld", c->round_id);
	snprintf(tok, sizeof(tok), "%lld", *last);
	p[0] = rid;
	p[1] = tok;
	p[2] = c->jury ? "jury" : "public";
	p[3] = c->jury ? "t" : "f";
	if ((res = db_exec(r->w->db, "SELECT id, type, obj_id, coalesce(data::text, 'null')"
	    " FROM api_events WHERE round_id = $1 AND id > $2"
	    " AND audience IN ('all', $3)"
	    " AND ($4 OR submission_id IS NULL OR NOT api_frozen(submission_id))"
	    " ORDER BY id LIMIT " FEED_BATCH, 4, p)) == NULL)
		return -1;
	n = PQntuples(res);
	for (i = 0; i < n; i++) {
		const char *id = PQgetvalue(res, i, 2);
		int isnull = PQgetisnull(res, i, 2);

		/* Types and ids are IDs: nothing in them needs escaping. */
		if (!isnull && !capi_id_valid_n(id, strlen(id)))
			continue;
		if (FCGX_FPrintF(r->fcgx.out, "{\"type\":\"%s\",\"id\":%s%s%s,"
		    "\"data\":", PQgetvalue(res, i, 1), isnull ? "null" : "\"",
		    isnull ? "" : id, isnull ? "" : "\"") < 0 ||
		    FCGX_PutStr(PQgetvalue(res, i, 3), PQgetlength(res, i, 3),
		    r->fcgx.out) < 0 ||
		    FCGX_FPrintF(r->fcgx.out, ",\"token\":\"%s\"}\n",
		    PQgetvalue(res, i, 0)) < 0) {
			PQclear(res);
			return -1;
		}
		*last = atoll(PQgetvalue(res, i, 0));
	}
	PQclear(res);
	if (n > 0 && FCGX_FFlush(r->fcgx.out) < 0)
		return -1;
	return n;
}

void
api_feed(struct req *r, const struct api_ctx *c)
{
	struct timespec nap = { 0, FEED_POLL_MS * 1000000L };
	char buf[32], rid[24];
	const char *p[2];
	PGresult *res;
	long long last = 0, max;
	time_t t0 = time(NULL), wrote, synced;
	long qlen;
	int stream = 1, n;

	qlen = query_get(r->query, "since_token", buf, sizeof(buf));
	if (qlen == -2 || (qlen >= 0 && capi_token_parse(buf, &last) == -1)) {
		http_error(r, 400, "bad_request",
		    "since_token must be a token of this feed");
		return;
	}
	if (query_get(r->query, "stream", buf, sizeof(buf)) >= 0) {
		if (strcmp(buf, "false") != 0 && strcmp(buf, "true") != 0) {
			http_error(r, 400, "bad_request", "stream is true or false");
			return;
		}
		stream = strcmp(buf, "true") == 0;
	}
	snprintf(rid, sizeof(rid), "%lld", c->round_id);
	p[0] = rid;
	if ((res = req_sql_or_reply(r, "SELECT coalesce(max(id), 0) FROM api_events"
	    " WHERE round_id = $1", 1, p)) == NULL)
		return;
	max = atoll(PQgetvalue(res, 0, 0));
	PQclear(res);
	if (last > max) {
		http_error(r, 400, "bad_request", "no event with token %lld", last);
		return;
	}
	if (feed_sync(r, c) == -1)
		return;
	synced = time(NULL);
	r->status = 200;
	FCGX_FPrintF(r->fcgx.out, "Status: 200 OK\r\nX-Request-Id: %s\r\n"
	    "Cache-Control: no-store\r\nX-Accel-Buffering: no\r\n"
	    "Access-Control-Allow-Origin: *\r\n"
	    "Content-Type: application/x-ndjson\r\n\r\n", r->reqid);
	if (r->method == METHOD_HEAD || FCGX_FFlush(r->fcgx.out) < 0)
		return;
	wrote = time(NULL);
	for (;;) {
		while ((n = feed_write(r, c, &last)) > 0)
			wrote = time(NULL);
		if (n < 0 || !stream || fcgi_server_stopping() ||
		    fcgi_peer_gone(&r->fcgx) || time(NULL) - t0 >= FEED_MAX_S)
			return;
		if (time(NULL) - wrote >= FEED_KEEPALIVE_S) {
			if (FCGX_PutS("\n", r->fcgx.out) < 0 ||
			    FCGX_FFlush(r->fcgx.out) < 0)
				return;
			wrote = time(NULL);
		}
		nanosleep(&nap, NULL);
		if (time(NULL) - synced < FEED_SYNC_S)
			continue;
		/* Headers are out: a failing sync ends the feed (http_error()
		 * only logs once a reply was started). */
		if (feed_sync(r, c) == -1)
			return;
		synced = time(NULL);
	}
}
