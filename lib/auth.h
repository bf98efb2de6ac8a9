/*
 * Authentication: JWT (HS256 only, libjwt) and passwords (Argon2id,
 * libsodium).
 */
#ifndef PITWALL_AUTH_H
#define PITWALL_AUTH_H

#include <stddef.h>
#include <time.h>

enum auth_err {
	AUTH_OK,
	AUTH_MISSING,		/* no token */
	AUTH_MALFORMED,		/* not a JWT */
	AUTH_BAD_ALG,		/* alg is not HS256 (none, HS512, RS256, …) */
	AUTH_BAD_SIGNATURE,
	AUTH_NO_EXP,		/* exp missing or not a number */
	AUTH_EXPIRED,
	AUTH_BAD_ISSUER,
	AUTH_BAD_CLAIMS,	/* sub/role missing or invalid */
	AUTH_ERR__MAX
};

struct auth_claims {
	long long	user_id;	/* sub, a decimal user id */
	char		role[16];	/* "contestant" or "admin" */
	long long	iat, exp;
	char		jti[64];
};

const char	*auth_strerror(enum auth_err);

/*
 * Verify `token` with `key`: HS256 pinned, signature, `exp` required and in
 * the future of `now`, `iss` equal to `issuer`, `sub` a positive integer,
 * `role` contestant|admin.  Fills *out on AUTH_OK.
 */
enum auth_err	 auth_jwt_verify(const char *token, const char *key,
		    const char *issuer, time_t now, struct auth_claims *out);

/*
 * Issue an HS256 token with sub, role, iat, exp = now + ttl_s, iss, jti.
 * Returns a malloc'd string (caller frees) or NULL.
 */
char		*auth_jwt_issue(const char *key, const char *issuer,
		    long long user_id, const char *role, int ttl_s, time_t now);

/*
 * The bearer token of a request: from "Authorization: Bearer X", else from
 * the access_token cookie.  Copies it into buf; NULL when there is none
 * (or it does not fit).
 */
const char	*auth_token_from_headers(const char *authorization,
		    const char *cookie, char *buf, size_t bufsz);

/* Argon2id password hashing (libsodium crypto_pwhash_str).  0 / -1. */
int		 auth_password_hash(const char *password, char *out, size_t outsz);
/* 0 when password matches the stored hash, -1 otherwise. */
int		 auth_password_verify(const char *hash, const char *password);

#endif
