/*
 * Authentication: HS256 JWTs (libjwt issues them; verification is done
 * here first, because libjwt 1.10 trusts the token's own "alg" header and
 * may accept "none" or an algorithm we never use) and Argon2id passwords
 * (libsodium).
 *
 * Verification order: shape, header alg == HS256, HMAC-SHA256 compared in
 * constant time, then libjwt's own decode with the key as a second opinion,
 * then the claims from the payload (parsed with json-c so that types are
 * strict: an `exp` given as a string is refused, not read as 0).
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <jwt.h>
#include <sodium.h>

#include "auth.h"
#include "json.h"
#include "log.h"

/* Longer tokens are refused before any decoding. */
#define AUTH_TOKEN_MAX		4096
#define AUTH_PART_MAX		2048

static const char *const auth_errs[AUTH_ERR__MAX] = {
	"ok",
	"no token",
	"malformed token",
	"token algorithm is not HS256",
	"bad token signature",
	"token has no valid exp",
	"token expired",
	"token has the wrong issuer",
	"token claims are missing or invalid",
};

const char *
auth_strerror(enum auth_err e)
{
	if ((unsigned)e >= AUTH_ERR__MAX)
		return "unknown error";
	return auth_errs[e];
}

/* 1 when s[0..len) uses only the base64url alphabet (no padding). */
static int
b64url_chars(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '-' && s[i] != '_')
			return 0;
	return 1;
}

/*
 * Decode base64url s[0..len) into out (NUL-terminated).  Returns the
 * decoded length or -1.
 */
static long
b64url_decode(const char *s, size_t len, unsigned char *out, size_t outsz)
{
	size_t n;

	if (len == 0 || !b64url_chars(s, len) || outsz < 1)
		return -1;
	if (sodium_base642bin(out, outsz - 1, s, len, NULL, &n, NULL,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0)
		return -1;
	out[n] = '\0';
	return (long)n;
}

/* Parse a decoded JSON part: must be an object.  Caller json_object_put()s. */
static json_object *
part_json(const unsigned char *s, long len)
{
	struct jerr jerr;
	json_object *o;

	o = json_parse_bounded((const char *)s, (size_t)len, 8, &jerr);
	if (o != NULL && !json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		o = NULL;
	}
	return o;
}

/* sub as a positive decimal integer (string or JSON integer). 0 / -1. */
static int
claim_sub(json_object *payload, long long *out)
{
	json_object *v;
	const char *s;
	char *end;
	long long n;

	if (!json_object_object_get_ex(payload, "sub", &v))
		return -1;
	if (json_object_is_type(v, json_type_int)) {
		n = (long long)json_object_get_int64(v);
	} else if (json_object_is_type(v, json_type_string)) {
		s = json_object_get_string(v);
		if (s[0] < '1' || s[0] > '9' || strlen(s) > 18)
			return -1;
		errno = 0;
		n = strtoll(s, &end, 10);
		if (errno != 0 || *end != '\0')
			return -1;
	} else
		return -1;
	if (n <= 0 || n == LLONG_MAX)
		return -1;
	*out = n;
	return 0;
}

enum auth_err
auth_jwt_verify(const char *token, const char *key, const char *issuer,
    time_t now, struct auth_claims *out)
{
	unsigned char head[AUTH_PART_MAX], body[AUTH_PART_MAX];
	unsigned char sig[64], mac[crypto_auth_hmacsha256_BYTES];
	crypto_auth_hmacsha256_state st;
	json_object *h = NULL, *p = NULL, *v;
	jwt_t *jwt = NULL;
	const char *dot1, *dot2, *s;
	size_t len, hlen, plen, slen;
	long hn, pn, sn;
	enum auth_err rc;
	int64_t n;

	memset(out, 0, sizeof(*out));
	if (token == NULL || *token == '\0')
		return AUTH_MISSING;
	if (key == NULL || *key == '\0')
		return AUTH_BAD_SIGNATURE;	/* an empty key verifies nothing */
	len = strnlen(token, AUTH_TOKEN_MAX + 1);
	if (len > AUTH_TOKEN_MAX)
		return AUTH_MALFORMED;

	/* Exactly three base64url parts. */
	rc = AUTH_MALFORMED;
	if ((dot1 = memchr(token, '.', len)) == NULL)
		goto out;
	if ((dot2 = memchr(dot1 + 1, '.', len - (size_t)(dot1 + 1 - token))) == NULL)
		goto out;
	if (memchr(dot2 + 1, '.', len - (size_t)(dot2 + 1 - token)) != NULL)
		goto out;
	hlen = (size_t)(dot1 - token);
	plen = (size_t)(dot2 - dot1 - 1);
	slen = len - (size_t)(dot2 + 1 - token);
	if ((hn = b64url_decode(token, hlen, head, sizeof(head))) == -1 ||
	    (pn = b64url_decode(dot1 + 1, plen, body, sizeof(body))) == -1)
		goto out;
	if ((h = part_json(head, hn)) == NULL || (p = part_json(body, pn)) == NULL)
		goto out;

	/* Pin the algorithm before trusting anything else in the token. */
	rc = AUTH_BAD_ALG;
	if (!json_object_object_get_ex(h, "alg", &v) ||
	    !json_object_is_type(v, json_type_string) ||
	    strcmp(json_object_get_string(v), "HS256") != 0)
		goto out;
	if (json_object_object_get_ex(h, "typ", &v) &&
	    (!json_object_is_type(v, json_type_string) ||
	    strcasecmp(json_object_get_string(v), "JWT") != 0)) {
		rc = AUTH_MALFORMED;
		goto out;
	}

	/* Signature: HMAC-SHA256 over "header.payload", constant time. */
	rc = AUTH_BAD_SIGNATURE;
	if (slen == 0 || (sn = b64url_decode(dot2 + 1, slen, sig, sizeof(sig))) !=
	    (long)sizeof(mac))
		goto out;
	crypto_auth_hmacsha256_init(&st, (const unsigned char *)key, strlen(key));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)token,
	    (unsigned long long)(dot2 - token));
	crypto_auth_hmacsha256_final(&st, mac);
	sodium_memzero(&st, sizeof(st));
	if (sodium_memcmp(mac, sig, sizeof(mac)) != 0)
		goto out;

	/* Second opinion from libjwt, and the alg it saw must still be HS256. */
	if (jwt_decode(&jwt, token, (const unsigned char *)key,
	    (int)strlen(key)) != 0 || jwt == NULL ||
	    jwt_get_alg(jwt) != JWT_ALG_HS256)
		goto out;

	/* Claims. */
	rc = AUTH_NO_EXP;
	if (!json_object_object_get_ex(p, "exp", &v) ||
	    !json_object_is_type(v, json_type_int))
		goto out;
	n = json_object_get_int64(v);
	rc = AUTH_EXPIRED;
	if (n <= (int64_t)now)
		goto out;
	out->exp = (long long)n;

	rc = AUTH_BAD_ISSUER;
	if (issuer == NULL || !json_object_object_get_ex(p, "iss", &v) ||
	    !json_object_is_type(v, json_type_string) ||
	    strcmp(json_object_get_string(v), issuer) != 0)
		goto out;

	rc = AUTH_BAD_CLAIMS;
	if (claim_sub(p, &out->user_id) == -1)
		goto out;
	if (!json_object_object_get_ex(p, "role", &v) ||
	    !json_object_is_type(v, json_type_string))
		goto out;
	s = json_object_get_string(v);
	if (strcmp(s, "contestant") != 0 && strcmp(s, "admin") != 0)
		goto out;
	snprintf(out->role, sizeof(out->role), "%s", s);
	if (json_object_object_get_ex(p, "iat", &v) &&
	    json_object_is_type(v, json_type_int))
		out->iat = (long long)json_object_get_int64(v);
	if (json_object_object_get_ex(p, "jti", &v) &&
	    json_object_is_type(v, json_type_string))
		snprintf(out->jti, sizeof(out->jti), "%s",
		    json_object_get_string(v));
	rc = AUTH_OK;
out:
	if (rc != AUTH_OK)
		memset(out, 0, sizeof(*out));
	jwt_free(jwt);
	json_object_put(h);
	json_object_put(p);
	sodium_memzero(head, sizeof(head));
	sodium_memzero(body, sizeof(body));
	return rc;
}

char *
auth_jwt_issue(const char *key, const char *issuer, long long user_id,
    const char *role, int ttl_s, time_t now)
{
	unsigned char rnd[16];
	char jti[sizeof(rnd) * 2 + 1], sub[24];
	jwt_t *jwt = NULL;
	char *tok = NULL, *ret = NULL;

	if (key == NULL || *key == '\0' || issuer == NULL || role == NULL ||
	    user_id <= 0 || ttl_s <= 0 ||
	    (strcmp(role, "contestant") != 0 && strcmp(role, "admin") != 0)) {
		log_error(NULL, "refusing to issue a token with bad arguments");
		return NULL;
	}
	if (sodium_init() < 0)
		return NULL;
	randombytes_buf(rnd, sizeof(rnd));
	sodium_bin2hex(jti, sizeof(jti), rnd, sizeof(rnd));
	snprintf(sub, sizeof(sub), "%lld", user_id);

	if (jwt_new(&jwt) != 0)
		goto out;
	if (jwt_add_grant(jwt, "sub", sub) != 0 ||
	    jwt_add_grant(jwt, "role", role) != 0 ||
	    jwt_add_grant(jwt, "iss", issuer) != 0 ||
	    jwt_add_grant(jwt, "jti", jti) != 0 ||
	    jwt_add_grant_int(jwt, "iat", (long)now) != 0 ||
	    jwt_add_grant_int(jwt, "exp", (long)now + ttl_s) != 0)
		goto out;
	if (jwt_set_alg(jwt, JWT_ALG_HS256, (const unsigned char *)key,
	    (int)strlen(key)) != 0)
		goto out;
	if ((tok = jwt_encode_str(jwt)) == NULL)
		goto out;
	/* libjwt allocates with its own allocator; hand back plain malloc. */
	ret = strdup(tok);
out:
	if (ret == NULL)
		log_error(NULL, "cannot issue a token");
	free(tok);
	jwt_free(jwt);
	return ret;
}

/* Copy a token s[0..len) into buf when it fits and looks like one. */
static const char *
token_copy(const char *s, size_t len, char *buf, size_t bufsz)
{
	size_t i;

	if (len == 0 || len >= bufsz || len > AUTH_TOKEN_MAX)
		return NULL;
	for (i = 0; i < len; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '-' &&
		    s[i] != '_' && s[i] != '.')
			return NULL;
	memcpy(buf, s, len);
	buf[len] = '\0';
	return buf;
}

const char *
auth_token_from_headers(const char *authorization, const char *cookie,
    char *buf, size_t bufsz)
{
	const char *s, *e, *name, *val;
	size_t nlen;

	if (buf == NULL || bufsz == 0)
		return NULL;
	if (authorization != NULL && *authorization != '\0') {
		s = authorization;
		while (*s == ' ' || *s == '\t')
			s++;
		/* An Authorization header that is not Bearer is not ours:
		 * fall back to the cookie rather than failing. */
		if (strncasecmp(s, "Bearer", 6) == 0 && (s[6] == ' ' || s[6] == '\t')) {
			s += 6;
			while (*s == ' ' || *s == '\t')
				s++;
			e = s + strnlen(s, AUTH_TOKEN_MAX + 1);
			while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
				e--;
			return token_copy(s, (size_t)(e - s), buf, bufsz);
		}
	}
	if (cookie == NULL)
		return NULL;
	/* Cookie: a=b; access_token=X; c=d */
	s = cookie;
	while (*s != '\0') {
		while (*s == ' ' || *s == '\t' || *s == ';')
			s++;
		name = s;
		while (*s != '\0' && *s != '=' && *s != ';')
			s++;
		nlen = (size_t)(s - name);
		while (nlen > 0 && (name[nlen - 1] == ' ' || name[nlen - 1] == '\t'))
			nlen--;
		if (*s != '=') {
			continue;
		}
		val = ++s;
		while (*s != '\0' && *s != ';')
			s++;
		e = s;
		if (nlen == 12 && strncmp(name, "access_token", 12) == 0) {
			while (val < e && (*val == ' ' || *val == '"'))
				val++;
			while (e > val && (e[-1] == ' ' || e[-1] == '"'))
				e--;
			return token_copy(val, (size_t)(e - val), buf, bufsz);
		}
	}
	return NULL;
}

int
auth_password_hash(const char *password, char *out, size_t outsz)
{
	if (password == NULL || outsz < crypto_pwhash_STRBYTES)
		return -1;
	if (sodium_init() < 0)
		return -1;
	if (crypto_pwhash_str(out, password, strlen(password),
	    crypto_pwhash_OPSLIMIT_INTERACTIVE,
	    crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
		log_error(NULL, "password hashing failed (out of memory?)");
		return -1;
	}
	return 0;
}

int
auth_password_verify(const char *hash, const char *password)
{
	if (hash == NULL || password == NULL)
		return -1;
	/* Bound the stored string: crypto_pwhash_str_verify reads a C string
	 * up to crypto_pwhash_STRBYTES. */
	if (strnlen(hash, crypto_pwhash_STRBYTES) >= crypto_pwhash_STRBYTES)
		return -1;
	if (sodium_init() < 0)
		return -1;
	if (crypto_pwhash_str_verify(hash, password, strlen(password)) != 0)
		return -1;
	return 0;
}
