/*
 * GET /live-auth (LIVE_URI=/live/submissions/{id}) -> 204 | 401 | 403 (| 503)
 * Before a browser may subscribe to nchan's /live/submissions/{id}, nginx
 * asks this (auth_request /live-auth: an internal subrequest carrying the
 * subscriber's cookie or Authorization header, and the URI it asked for
 * as LIVE_URI; see nginx/nchan.conf.in): only the owner of the
 * submission, their teammates in a team-based round (sql/012_teams.sql),
 * or an admin, may listen to its results.  auth_request
 * passes only 2xx, 401 and 403 on, so an unknown submission is 403 too.
 * (nchan_authorize_request crashed Debian's nchan 1.3.6 workers.)
 * Redis first (the submission hash), PostgreSQL when it has expired.
 * LIVE_URI=/live/clarifications/{uid|all|jury}: live_clar_auth().
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "db.h"
#include "extern.h"
#include "keys.h"
#include "query.h"
#include "redis.h"

#define LIVE_PREFIX	"/live/submissions/"
#define LIVE_CLAR_PREFIX "/live/clarifications/"

/*
 * May who listen to /live/clarifications/<rest>?  "all": any user;
 * "jury": admins; "<uid>": that user (or an admin); "mine": any user, and
 * X-Pitwall-User names their channel (a page need not know its user id).  rest must be exactly
 * one of these (before a query): nchan's channel id is the normalized
 * $uri, so anything odd in the raw URI is refused, not interpreted.
 * Always replies.
 */
static void
live_clar_auth(struct req *r, const struct auth_claims *who, const char *rest)
{
	char seg[24], hdr[48];
	size_t n = strcspn(rest, "?");
	long long uid;
	int admin = strcmp(who->role, "admin") == 0;

	if (n == 0 || n >= sizeof(seg)) {
		http_error(r, 403, "forbidden", "no such clarification channel");
		return;
	}
	memcpy(seg, rest, n);
	seg[n] = '\0';
	if (strcmp(seg, "mine") == 0) {
		/* nginx takes the channel from this header (auth_request_set). */
		snprintf(hdr, sizeof(hdr), "X-Pitwall-User: %lld\r\n",
		    who->user_id);
		http_reply(r, 204, NULL, hdr, NULL, 0);
		return;
	}
	if (strcmp(seg, "all") == 0 || (strcmp(seg, "jury") == 0 && admin)) {
		http_reply(r, 204, NULL, NULL, NULL, 0);
		return;
	}
	if (strcmp(seg, "jury") == 0) {
		http_error(r, 403, "forbidden", "the jury's channel is for administrators");
		return;
	}
	if (parse_ll(seg, 1, INT64_MAX, &uid) == -1 || seg[0] == '0') {
		http_error(r, 403, "forbidden", "no such clarification channel");
		return;
	}
	if (uid != who->user_id && !admin) {
		http_error(r, 403, "forbidden", "this channel is not yours");
		return;
	}
	http_reply(r, 204, NULL, NULL, NULL, 0);
}

/*
 * The owner's user id: 0 when there is no such submission, -1 on error;
 * its question in *qid.
 */
static long long
submission_owner(struct req *r, const char *sid, long long *qid)
{
	const char *params[1] = { sid };
	redisReply *rep;
	PGresult *res;
	long long owner = -1;
	char key[96];

	*qid = 0;
	snprintf(key, sizeof(key), KEY_SUB_FMT, sid);
	rep = redis_cmd_idem(r->w->redis, "HMGET %s user_id question_id", key);
	if (rep != NULL && rep->type == REDIS_REPLY_ARRAY && rep->elements == 2 &&
	    rep->element[0]->type == REDIS_REPLY_STRING) {
		owner = atoll(rep->element[0]->str);
		if (rep->element[1]->type == REDIS_REPLY_STRING)
			*qid = atoll(rep->element[1]->str);
		freeReplyObject(rep);
		return owner > 0 ? owner : -1;
	}
	if (rep == NULL || rep->type != REDIS_REPLY_ARRAY || rep->elements != 2) {
		freeReplyObject(rep);
		return -1;
	}
	freeReplyObject(rep);
	if (r->w->db == NULL)
		r->w->db = db_new(r->cfg->database_url, r->cfg->db_connect_timeout_s);
	if (r->w->db == NULL)
		return -1;
	res = db_exec(r->w->db, "SELECT user_id, question_id FROM submissions"
	    " WHERE id = $1", 1, params);
	if (res == NULL)
		return -1;
	if (PQntuples(res) == 1) {
		owner = atoll(PQgetvalue(res, 0, 0));
		*qid = atoll(PQgetvalue(res, 0, 1));
	} else
		owner = 0;
	PQclear(res);
	return owner;
}

void
route_live_auth(struct req *r)
{
	struct auth_claims who;
	const char *uri = http_param(r, "LIVE_URI");
	char sid[40];
	size_t n;
	long long owner, qid;

	if (req_auth_or_reply(r, &who) == -1)
		return;
	if (uri != NULL && strncmp(uri, LIVE_CLAR_PREFIX,
	    strlen(LIVE_CLAR_PREFIX)) == 0) {
		live_clar_auth(r, &who, uri + strlen(LIVE_CLAR_PREFIX));
		return;
	}
	if (uri == NULL || strncmp(uri, LIVE_PREFIX, strlen(LIVE_PREFIX)) != 0) {
		http_error(r, 403, "forbidden", "not a live channel of a submission");
		return;
	}
	uri += strlen(LIVE_PREFIX);
	n = strcspn(uri, "?");
	if (n >= sizeof(sid)) {
		http_error(r, 403, "forbidden", "no such submission");
		return;
	}
	memcpy(sid, uri, n);
	sid[n] = '\0';
	if (!uuid_valid(sid)) {
		http_error(r, 403, "forbidden", "no such submission");
		return;
	}
	if ((owner = submission_owner(r, sid, &qid)) == -1) {
		http_error(r, 503, "unavailable", "submission data is unavailable");
		return;
	}
	if (owner == 0) {
		http_error(r, 403, "forbidden", "no such submission");
		return;
	}
	if (owner != who.user_id && strcmp(who.role, "admin") != 0 &&
	    !req_teammate(r, qid, owner, who.user_id)) {
		http_error(r, 403, "forbidden", "this submission is not yours");
		return;
	}
	http_reply(r, 204, NULL, NULL, NULL, 0);
}
