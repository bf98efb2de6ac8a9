/*
 * Request authentication and per-user rate limits, shared by the
 * contestant routes.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "auth.h"
#include "extern.h"
#include "keys.h"
#include "redis.h"

int
req_auth_or_reply(struct req *r, struct auth_claims *who)
{
	char buf[4096];
	const char *tok;
	enum auth_err e;
	redisReply *rep;
	int banned;

	tok = auth_token_from_headers(http_param(r, "HTTP_AUTHORIZATION"),
	    http_param(r, "HTTP_COOKIE"), buf, sizeof(buf));
	if (tok == NULL) {
		http_error(r, 401, "unauthorized",
		    "log in first: send Authorization: Bearer <token>");
		return -1;
	}
	e = auth_jwt_verify(tok, r->cfg->jwt_secret, r->cfg->jwt_issuer,
	    time(NULL), who);
	explicit_bzero(buf, sizeof(buf));
	if (e != AUTH_OK) {
		http_error(r, 401, e == AUTH_EXPIRED ? "token_expired" : "unauthorized",
		    "%s", auth_strerror(e));
		return -1;
	}
	rep = redis_cmd_idem(r->w->redis, "SISMEMBER %s %lld", KEY_BANNED, who->user_id);
	if (rep == NULL || rep->type != REDIS_REPLY_INTEGER) {
		freeReplyObject(rep);
		http_error(r, 503, "unavailable", "the session store is unavailable");
		return -1;
	}
	banned = rep->integer == 1;
	freeReplyObject(rep);
	if (banned) {
		http_error(r, 403, "banned", "this account is banned from the contest");
		return -1;
	}
	return 0;
}

int
req_rate_limit_or_reply(struct req *r, const char *kind, long long uid, int per_min)
{
	time_t now = time(NULL);
	long long minute = (long long)now / 60;
	char key[128], hdr[64];
	redisReply *rep;
	long long n;

	snprintf(key, sizeof(key), "pitwall:rl:%s:%lld:%lld", kind, uid, minute);
	rep = redis_cmd(r->w->redis, "INCR %s", key);
	if (rep == NULL || rep->type != REDIS_REPLY_INTEGER) {
		freeReplyObject(rep);
		http_error(r, 503, "unavailable", "the rate limiter is unavailable");
		return -1;
	}
	n = rep->integer;
	freeReplyObject(rep);
	if (n == 1) {
		rep = redis_cmd(r->w->redis, "EXPIRE %s 120", key);
		freeReplyObject(rep);
	}
	if (n > per_min) {
		int wait = (int)(60 - now % 60);
		char msg[160];
		snprintf(hdr, sizeof(hdr), "Retry-After: %d\r\n", wait);
		snprintf(msg, sizeof(msg),
		    "{\"error\":\"rate_limited\",\"message\":\"too many requests; try again in %d s\",\"retry_after\":%d}",
		    wait, wait);
		http_reply(r, 429, "application/json", hdr, msg, strlen(msg));
		return -1;
	}
	return 0;
}
