/*
 * POST /auth/login {email, password} -> {access_token, token_type, expires_in}
 *     and the same token as an HttpOnly cookie.
 * POST /auth/logout -> 204: the token is revoked until it expires.
 *
 * Login reads PostgreSQL (not a contestant hot path) and caches nothing.
 * Unknown email and wrong password give the same 401, after the same
 * Argon2id work; failed logins are counted per account and per client
 * address in Redis and answered 429 past the limits.
 */
#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>
#include <sodium.h>

#include "auth.h"
#include "authz.h"
#include "db.h"
#include "extern.h"
#include "json.h"
#include "keys.h"
#include "log.h"
#include "redis.h"

/* An Argon2id hash with the parameters of real ones, of a password no
 * one knows: verified against when the email is unknown. */
static char dummy_hash[crypto_pwhash_STRBYTES];
static int dummy_ok;
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;

static void
dummy_init(void)
{
	unsigned char rnd[32];
	char pw[65];

	randombytes_buf(rnd, sizeof(rnd));
	sodium_bin2hex(pw, sizeof(pw), rnd, sizeof(rnd));
	dummy_ok = auth_password_hash(pw, dummy_hash, sizeof(dummy_hash)) == 0;
	sodium_memzero(pw, sizeof(pw));
}

/* The counter keys of this attempt: per client address, per account. */
static void
login_keys(struct req *r, const char *email, char *ipkey, size_t ipsz,
    char *acctkey, size_t acctsz)
{
	unsigned char h[crypto_hash_sha256_BYTES];
	char hex[sizeof(h) * 2 + 1], lower[256];
	const char *ip = http_param(r, "REMOTE_ADDR");
	long long minute = (long long)time(NULL) / 60;
	size_t i;

	for (i = 0; email[i] != '\0' && i < sizeof(lower) - 1; i++)
		lower[i] = (char)tolower((unsigned char)email[i]);
	lower[i] = '\0';
	crypto_hash_sha256(h, (const unsigned char *)lower, i);
	sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
	snprintf(ipkey, ipsz, KEY_RL_LOGIN_IP_FMT,
	    ip != NULL && *ip != '\0' ? ip : "-", minute);
	snprintf(acctkey, acctsz, KEY_RL_LOGIN_ACCT_FMT, hex, minute);
}

/* 1 when either counter reached its limit, 0 when not, -1 Redis failed. */
static int
login_limited(struct req *r, const char *ipkey, const char *acctkey)
{
	redisReply *rep;
	long long ip = 0, acct = 0;
	int rc = -1;

	rep = redis_cmd_idem(r->w->redis, "MGET %s %s", ipkey, acctkey);
	if (rep == NULL || rep->type != REDIS_REPLY_ARRAY || rep->elements != 2)
		goto out;
	if (rep->element[0]->type == REDIS_REPLY_STRING)
		ip = atoll(rep->element[0]->str);
	if (rep->element[1]->type == REDIS_REPLY_STRING)
		acct = atoll(rep->element[1]->str);
	rc = ip >= r->cfg->login_ip_fail_rate_per_min ||
	    acct >= r->cfg->login_fail_rate_per_min;
out:
	freeReplyObject(rep);
	return rc;
}

static void
login_failed_count(struct req *r, const char *ipkey, const char *acctkey)
{
	const char *keys[2] = { ipkey, acctkey };
	redisReply *rep;
	int i;

	for (i = 0; i < 2; i++) {
		rep = redis_cmd(r->w->redis, "INCR %s", keys[i]);
		freeReplyObject(rep);
		rep = redis_cmd(r->w->redis, "EXPIRE %s 120", keys[i]);
		freeReplyObject(rep);
	}
}

static void
reply_429(struct req *r)
{
	int wait = (int)(60 - time(NULL) % 60);
	char hdr[64], msg[200];

	snprintf(hdr, sizeof(hdr), "Retry-After: %d\r\n", wait);
	snprintf(msg, sizeof(msg), "{\"error\":\"rate_limited\",\"message\":"
	    "\"too many failed logins; try again in %d s\",\"retry_after\":%d}",
	    wait, wait);
	http_reply(r, 429, "application/json", hdr, msg, strlen(msg));
}

int
req_password_check_or_reply(struct req *r, const char *email,
    const char *password, long long *uid, char *role, size_t rolesz,
    int *banned)
{
	char ipkey[160], acctkey[160];
	const char *params[1];
	PGresult *res;
	int lim, ok;

	*uid = 0;
	*banned = 0;
	login_keys(r, email, ipkey, sizeof(ipkey), acctkey, sizeof(acctkey));
	if ((lim = login_limited(r, ipkey, acctkey)) == -1) {
		http_error(r, 503, "unavailable", "the session store is unavailable");
		return -1;
	}
	if (lim) {
		reply_429(r);
		return -1;
	}
	pthread_once(&dummy_once, dummy_init);
	params[0] = email;
	if ((res = req_sql_or_reply(r, "SELECT id, password_hash, role, banned"
	    " FROM users WHERE lower(email) = lower($1)", 1, params)) == NULL)
		return -1;
	if (PQntuples(res) == 1) {
		*uid = atoll(PQgetvalue(res, 0, 0));
		snprintf(role, rolesz, "%s", PQgetvalue(res, 0, 2));
		*banned = PQgetvalue(res, 0, 3)[0] == 't';
		ok = auth_password_verify(PQgetvalue(res, 0, 1), password) == 0;
	} else {
		/* Same work as a wrong password: timing does not tell. */
		if (dummy_ok)
			(void)auth_password_verify(dummy_hash, password);
		ok = 0;
	}
	PQclear(res);
	if (!ok) {
		login_failed_count(r, ipkey, acctkey);
		log_info(r->reqid, "failed login");
		return 1;
	}
	return 0;
}

/* POST /auth/login {email, password} -> {access_token, token_type, expires_in} */
void
route_auth_login(struct req *r)
{
	json_object *body = NULL, *o = NULL;
	const char *email = NULL, *password = NULL;
	char *hdr = NULL, *tok = NULL, role[16] = "contestant";
	struct jerr jerr;
	int rc, banned = 0;
	long long uid = 0;
	size_t len, hlen;
	const char *s;
	const struct jfield fields[] = {
		{ "email", JF_STRING, 1, 1, 254, &email, NULL },
		{ "password", JF_STRING, 1, 1, 1024, &password, NULL },
	};

	if (http_json_body_or_reply(r, 16384, 4, &body) == -1)
		return;
	if (json_read_fields(body, fields, 2, &jerr) == -1) {
		http_error(r, 422, "invalid_field", "%s", jerr.message);
		goto out;
	}
	if ((rc = req_password_check_or_reply(r, email, password, &uid, role,
	    sizeof(role), &banned)) == -1)
		goto out;
	if (rc == 1) {
		http_error(r, 401, "invalid_credentials", "wrong email or password");
		goto out;
	}
	if (banned) {
		http_error(r, 403, "banned", "this account is banned from the contest");
		goto out;
	}
	if ((tok = auth_jwt_issue(r->cfg->jwt_secret, r->cfg->jwt_issuer, uid,
	    role, r->cfg->jwt_ttl_s, time(NULL))) == NULL) {
		http_error(r, 500, "internal", "cannot issue a token");
		goto out;
	}
	o = json_object_new_object();
	json_object_object_add(o, "access_token", json_object_new_string(tok));
	json_object_object_add(o, "token_type", json_object_new_string("Bearer"));
	json_object_object_add(o, "expires_in", json_object_new_int(r->cfg->jwt_ttl_s));
	hlen = strlen(tok) + 160;
	if ((hdr = malloc(hlen)) == NULL) {
		http_error(r, 500, "internal", "out of memory");
		goto out;
	}
	snprintf(hdr, hlen, "Set-Cookie: access_token=%s; HttpOnly; Secure;"
	    " SameSite=Strict; Path=/; Max-Age=%d\r\n", tok, r->cfg->jwt_ttl_s);
	s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE);
	len = strlen(s);
	http_reply(r, 200, "application/json", hdr, s, len);
	log_info(r->reqid, "login user=%lld role=%s", uid, role);
out:
	if (tok != NULL) {
		sodium_memzero(tok, strlen(tok));
		free(tok);
	}
	if (hdr != NULL) {
		sodium_memzero(hdr, strlen(hdr));
		free(hdr);
	}
	json_object_put(o);
	json_object_put(body);
}

/* POST /auth/logout -> 204; the token is refused from now on. */
void
route_auth_logout(struct req *r)
{
	struct auth_claims who;

	if (req_auth_or_reply(r, &who) == -1)
		return;
	if (r->w->db == NULL)
		r->w->db = db_new(r->cfg->database_url, r->cfg->db_connect_timeout_s);
	if (authz_revoke(r->w->redis, r->w->db, who.user_id, who.jti,
	    who.exp) == -1) {
		http_error(r, 503, "unavailable", "the session store is unavailable");
		return;
	}
	log_info(r->reqid, "logout user=%lld", who.user_id);
	http_reply(r, 204, NULL, "Set-Cookie: access_token=; HttpOnly; Secure;"
	    " SameSite=Strict; Path=/; Max-Age=0\r\n", NULL, 0);
}
