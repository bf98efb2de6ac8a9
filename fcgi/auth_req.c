/*
 * Request authentication and per-user rate limits, shared by the
 * contestant routes.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "auth.h"
#include "authz.h"
#include "extern.h"
#include "keys.h"
#include "redis.h"

/* 1 when jti is a token id Pitwall could have issued: [A-Za-z0-9_-]{1,63}. */
static int
jti_valid(const char *jti)
{
	size_t n = strspn(jti, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789_-");

	return n > 0 && n < 64 && jti[n] == '\0';
}

/*
 * The checks after the signature: a token id (logout revokes by it), not
 * revoked, user not banned, and the user's current role (lib/authz.c)
 * replaces the token's claim.  -1: reply written.
 */
static int
claims_check_or_reply(struct req *r, struct auth_claims *who)
{
	int revoked, banned;

	if (!jti_valid(who->jti)) {
		http_error(r, 401, "unauthorized", "the token has no valid jti");
		return -1;
	}
	switch (authz_check(r->w->redis, &r->w->db, r->cfg, who->user_id,
	    who->jti, who->role, sizeof(who->role), &banned, &revoked)) {
	case AUTHZ_OK:
		break;
	case AUTHZ_UNKNOWN_USER:
		http_error(r, 401, "unauthorized", "this token's user does not exist");
		return -1;
	default:
		http_error(r, 503, "unavailable", "the session store is unavailable");
		return -1;
	}
	if (revoked) {
		http_error(r, 401, "token_revoked", "this token was logged out");
		return -1;
	}
	if (banned) {
		http_error(r, 403, "banned", "this account is banned from the contest");
		return -1;
	}
	return 0;
}

/*
 * Verify the request's token (Authorization: Bearer, else the
 * access_token cookie).  0 with *who filled; 1 when the request carries
 * no token and `optional`; -1 with the reply (401/403/503) written.
 */
static int
auth_check(struct req *r, struct auth_claims *who, int optional)
{
	char buf[4096];
	const char *tok;
	enum auth_err e;

	memset(who, 0, sizeof(*who));
	tok = auth_token_from_headers(http_param(r, "HTTP_AUTHORIZATION"),
	    http_param(r, "HTTP_COOKIE"), buf, sizeof(buf));
	if (tok == NULL) {
		if (optional)
			return 1;
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
	return claims_check_or_reply(r, who);
}

int
req_auth_or_reply(struct req *r, struct auth_claims *who)
{
	return auth_check(r, who, 0);
}

int
req_auth_optional_or_reply(struct req *r, struct auth_claims *who)
{
	int rc = auth_check(r, who, 1);

	if (rc == 1) {
		memset(who, 0, sizeof(*who));
		return 0;
	}
	return rc;
}

int
req_admin_or_reply(struct req *r, struct auth_claims *who)
{
	if (auth_check(r, who, 0) == -1)
		return -1;
	if (strcmp(who->role, "admin") != 0) {
		http_error(r, 403, "forbidden", "this route is for administrators");
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

	snprintf(key, sizeof(key), KEY_RL_FMT, kind, uid, minute);
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
