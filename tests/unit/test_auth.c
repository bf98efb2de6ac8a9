/*
 * Unit tests of lib/auth.c: HS256 pinned, exp/iss/sub/role checks, crafted
 * tokens with other algorithms, header/cookie parsing, Argon2id passwords.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "auth.h"

#define KEY	"0123456789abcdef0123456789abcdef"
#define ISS	"pitwall"
#define NOW	((time_t)1700000000)

static void
b64url(const void *in, size_t len, char *out, size_t outsz)
{
	sodium_bin2base64(out, outsz, in, len,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

/*
 * Build a token by hand: header and payload JSON as given, signed with
 * HMAC-SHA256 under `key` (whatever the header says), or with `sig` as the
 * literal signature part when not NULL.
 */
static char *
craft(const char *header, const char *payload, const char *key, const char *sig)
{
	char h[1024], p[2048], s[128];
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	crypto_auth_hmacsha256_state st;
	char *tok;
	size_t n;

	b64url(header, strlen(header), h, sizeof(h));
	b64url(payload, strlen(payload), p, sizeof(p));
	n = strlen(h) + strlen(p) + 200;
	tok = malloc(n);
	assert_non_null(tok);
	snprintf(tok, n, "%s.%s", h, p);
	if (sig != NULL) {
		snprintf(s, sizeof(s), "%s", sig);
	} else {
		crypto_auth_hmacsha256_init(&st, (const unsigned char *)key,
		    strlen(key));
		crypto_auth_hmacsha256_update(&st, (const unsigned char *)tok,
		    strlen(tok));
		crypto_auth_hmacsha256_final(&st, mac);
		b64url(mac, sizeof(mac), s, sizeof(s));
	}
	strcat(tok, ".");
	strcat(tok, s);
	return tok;
}

#define HS256	"{\"alg\":\"HS256\",\"typ\":\"JWT\"}"
#define GOOD	"{\"sub\":\"42\",\"role\":\"contestant\",\"iss\":\"pitwall\"," \
		"\"iat\":1700000000,\"exp\":1700003600,\"jti\":\"abc\"}"

static enum auth_err
verify_crafted(const char *header, const char *payload, const char *key,
    const char *sig)
{
	struct auth_claims c;
	enum auth_err e;
	char *t = craft(header, payload, key, sig);

	e = auth_jwt_verify(t, KEY, ISS, NOW, &c);
	free(t);
	return e;
}

static void
test_issue_then_verify(void **state)
{
	struct auth_claims c;
	char *t;

	(void)state;
	t = auth_jwt_issue(KEY, ISS, 42, "admin", 3600, NOW);
	assert_non_null(t);
	assert_int_equal(auth_jwt_verify(t, KEY, ISS, NOW, &c), AUTH_OK);
	assert_int_equal(c.user_id, 42);
	assert_string_equal(c.role, "admin");
	assert_int_equal(c.exp, (long long)NOW + 3600);
	assert_int_equal(c.iat, (long long)NOW);
	assert_int_equal(strlen(c.jti), 32);
	/* Just before and at expiry. */
	assert_int_equal(auth_jwt_verify(t, KEY, ISS, NOW + 3599, &c), AUTH_OK);
	assert_int_equal(auth_jwt_verify(t, KEY, ISS, NOW + 3600, &c), AUTH_EXPIRED);
	free(t);
}

static void
test_issue_refuses_bad_arguments(void **state)
{
	(void)state;
	assert_null(auth_jwt_issue("", ISS, 1, "admin", 60, NOW));
	assert_null(auth_jwt_issue(KEY, ISS, 0, "admin", 60, NOW));
	assert_null(auth_jwt_issue(KEY, ISS, 1, "root", 60, NOW));
	assert_null(auth_jwt_issue(KEY, ISS, 1, "admin", 0, NOW));
}

static void
test_crafted_valid_and_int_sub(void **state)
{
	(void)state;
	assert_int_equal(verify_crafted(HS256, GOOD, KEY, NULL), AUTH_OK);
	assert_int_equal(verify_crafted(HS256,
	    "{\"sub\":7,\"role\":\"admin\",\"iss\":\"pitwall\",\"exp\":1700003600}",
	    KEY, NULL), AUTH_OK);
	/* typ is optional. */
	assert_int_equal(verify_crafted("{\"alg\":\"HS256\"}", GOOD, KEY, NULL),
	    AUTH_OK);
}

static void
test_expired(void **state)
{
	(void)state;
	assert_int_equal(verify_crafted(HS256,
	    "{\"sub\":\"42\",\"role\":\"contestant\",\"iss\":\"pitwall\",\"exp\":1699999999}",
	    KEY, NULL), AUTH_EXPIRED);
	assert_int_equal(verify_crafted(HS256,
	    "{\"sub\":\"42\",\"role\":\"contestant\",\"iss\":\"pitwall\",\"exp\":1700000000}",
	    KEY, NULL), AUTH_EXPIRED);
}

static void
test_missing_or_string_exp(void **state)
{
	(void)state;
	assert_int_equal(verify_crafted(HS256,
	    "{\"sub\":\"42\",\"role\":\"contestant\",\"iss\":\"pitwall\"}",
	    KEY, NULL), AUTH_NO_EXP);
	assert_int_equal(verify_crafted(HS256,
	    "{\"sub\":\"42\",\"role\":\"contestant\",\"iss\":\"pitwall\",\"exp\":\"1800000000\"}",
	    KEY, NULL), AUTH_NO_EXP);
	assert_int_equal(verify_crafted(HS256,
	    "{\"sub\":\"42\",\"role\":\"contestant\",\"iss\":\"pitwall\",\"exp\":1.8e9}",
	    KEY, NULL), AUTH_NO_EXP);
	assert_int_equal(verify_crafted(HS256,
	    "{\"sub\":\"42\",\"role\":\"contestant\",\"iss\":\"pitwall\",\"exp\":null}",
	    KEY, NULL), AUTH_NO_EXP);
}

static void
test_wrong_key(void **state)
{
	struct auth_claims c;
	char *t;

	(void)state;
	assert_int_equal(verify_crafted(HS256, GOOD, "another key", NULL),
	    AUTH_BAD_SIGNATURE);
	t = auth_jwt_issue(KEY, ISS, 42, "admin", 3600, NOW);
	assert_non_null(t);
	assert_int_equal(auth_jwt_verify(t, KEY "x", ISS, NOW, &c),
	    AUTH_BAD_SIGNATURE);
	assert_int_equal(auth_jwt_verify(t, "", ISS, NOW, &c), AUTH_BAD_SIGNATURE);
	free(t);
}

static void
test_alg_none(void **state)
{
	(void)state;
	/* The classic: alg none with an empty signature. */
	assert_int_equal(verify_crafted("{\"alg\":\"none\",\"typ\":\"JWT\"}", GOOD,
	    KEY, ""), AUTH_BAD_ALG);
	assert_int_equal(verify_crafted("{\"alg\":\"None\"}", GOOD, KEY, ""),
	    AUTH_BAD_ALG);
	/* Even correctly HMAC'd, a header that is not HS256 is refused. */
	assert_int_equal(verify_crafted("{\"alg\":\"none\",\"typ\":\"JWT\"}", GOOD,
	    KEY, NULL), AUTH_BAD_ALG);
	assert_int_equal(verify_crafted("{\"typ\":\"JWT\"}", GOOD, KEY, NULL),
	    AUTH_BAD_ALG);
	assert_int_equal(verify_crafted("{\"alg\":[\"HS256\"]}", GOOD, KEY, NULL),
	    AUTH_BAD_ALG);
}

static void
test_other_algs(void **state)
{
	(void)state;
	assert_int_equal(verify_crafted("{\"alg\":\"HS512\",\"typ\":\"JWT\"}", GOOD,
	    KEY, NULL), AUTH_BAD_ALG);
	assert_int_equal(verify_crafted("{\"alg\":\"HS384\",\"typ\":\"JWT\"}", GOOD,
	    KEY, "AAAA"), AUTH_BAD_ALG);
	assert_int_equal(verify_crafted("{\"alg\":\"RS256\",\"typ\":\"JWT\"}", GOOD,
	    KEY, "c2lnbmF0dXJlLWJ5dGVzLWRvLW5vdC1tYXR0ZXI"), AUTH_BAD_ALG);
	assert_int_equal(verify_crafted("{\"alg\":\"hs256\",\"typ\":\"JWT\"}", GOOD,
	    KEY, NULL), AUTH_BAD_ALG);
}

static void
test_tampered_payload(void **state)
{
	struct auth_claims c;
	char *good, *evil, *t;
	const char *dot;

	(void)state;
	good = craft(HS256, GOOD, KEY, NULL);
	evil = craft(HS256, "{\"sub\":\"42\",\"role\":\"admin\",\"iss\":\"pitwall\","
	    "\"exp\":1700003600}", "whatever", NULL);
	/* evil's header and payload with good's signature. */
	dot = strrchr(good, '.');
	t = malloc(strlen(evil) + strlen(dot) + 1);
	assert_non_null(t);
	memcpy(t, evil, (size_t)(strrchr(evil, '.') - evil));
	strcpy(t + (strrchr(evil, '.') - evil), dot);
	assert_int_equal(auth_jwt_verify(t, KEY, ISS, NOW, &c), AUTH_BAD_SIGNATURE);
	assert_int_equal(c.user_id, 0);
	assert_string_equal(c.role, "");
	/* One flipped character of the signature. */
	t[strlen(t) - 2] = t[strlen(t) - 2] == 'A' ? 'B' : 'A';
	assert_int_equal(auth_jwt_verify(t, KEY, ISS, NOW, &c), AUTH_BAD_SIGNATURE);
	free(t);
	free(good);
	free(evil);
}

static void
test_wrong_issuer(void **state)
{
	(void)state;
	assert_int_equal(verify_crafted(HS256,
	    "{\"sub\":\"42\",\"role\":\"contestant\",\"iss\":\"other\",\"exp\":1700003600}",
	    KEY, NULL), AUTH_BAD_ISSUER);
	assert_int_equal(verify_crafted(HS256,
	    "{\"sub\":\"42\",\"role\":\"contestant\",\"exp\":1700003600}",
	    KEY, NULL), AUTH_BAD_ISSUER);
}

static void
test_bad_sub_and_role(void **state)
{
	static const char *const bad[] = {
	    "{\"role\":\"contestant\",\"iss\":\"pitwall\",\"exp\":1700003600}",
	    "{\"sub\":\"\",\"role\":\"contestant\",\"iss\":\"pitwall\",\"exp\":1700003600}",
	    "{\"sub\":\"0\",\"role\":\"contestant\",\"iss\":\"pitwall\",\"exp\":1700003600}",
	    "{\"sub\":\"-3\",\"role\":\"contestant\",\"iss\":\"pitwall\",\"exp\":1700003600}",
	    "{\"sub\":\"12a\",\"role\":\"contestant\",\"iss\":\"pitwall\",\"exp\":1700003600}",
	    "{\"sub\":\" 12\",\"role\":\"contestant\",\"iss\":\"pitwall\",\"exp\":1700003600}",
	    "{\"sub\":\"99999999999999999999\",\"role\":\"contestant\",\"iss\":\"pitwall\",\"exp\":1700003600}",
	    "{\"sub\":-1,\"role\":\"contestant\",\"iss\":\"pitwall\",\"exp\":1700003600}",
	    "{\"sub\":true,\"role\":\"contestant\",\"iss\":\"pitwall\",\"exp\":1700003600}",
	    "{\"sub\":\"42\",\"iss\":\"pitwall\",\"exp\":1700003600}",
	    "{\"sub\":\"42\",\"role\":\"root\",\"iss\":\"pitwall\",\"exp\":1700003600}",
	    "{\"sub\":\"42\",\"role\":\"Admin\",\"iss\":\"pitwall\",\"exp\":1700003600}",
	    "{\"sub\":\"42\",\"role\":1,\"iss\":\"pitwall\",\"exp\":1700003600}",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(verify_crafted(HS256, bad[i], KEY, NULL),
		    AUTH_BAD_CLAIMS);
}

static void
test_garbage(void **state)
{
	static const char *const bad[] = {
	    "x", ".", "..", "...", "a.b", "a.b.c", "a.b.c.d",
	    "eyJhbGciOiJIUzI1NiJ9..", "!!!.???.***",
	    "eyJhbGciOiJIUzI1NiJ9.bm90IGpzb24.AAAA",	/* payload "not json" */
	    "bm90IGpzb24.eyJzdWIiOiIxIn0.AAAA",		/* header "not json" */
	    "WyJhIl0.eyJzdWIiOiIxIn0.AAAA",		/* header is an array */
	    "eyJhbGciOiJIUzI1NiJ9=.e30.AAAA",		/* padding */
	};
	struct auth_claims c;
	char big[8000];
	size_t i;

	(void)state;
	assert_int_equal(auth_jwt_verify(NULL, KEY, ISS, NOW, &c), AUTH_MISSING);
	assert_int_equal(auth_jwt_verify("", KEY, ISS, NOW, &c), AUTH_MISSING);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(auth_jwt_verify(bad[i], KEY, ISS, NOW, &c),
		    AUTH_MALFORMED);
	memset(big, 'A', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	big[100] = '.';
	big[200] = '.';
	assert_int_equal(auth_jwt_verify(big, KEY, ISS, NOW, &c), AUTH_MALFORMED);
	/* A good HS256 header with an empty signature. */
	assert_int_equal(verify_crafted(HS256, GOOD, KEY, ""), AUTH_BAD_SIGNATURE);
	for (i = 0; i < AUTH_ERR__MAX; i++)
		assert_non_null(auth_strerror((enum auth_err)i));
	assert_string_equal(auth_strerror(AUTH_ERR__MAX), "unknown error");
}

static void
test_token_from_headers(void **state)
{
	char buf[64], tiny[4];

	(void)state;
	assert_string_equal(auth_token_from_headers("Bearer abc.def.ghi", NULL,
	    buf, sizeof(buf)), "abc.def.ghi");
	assert_string_equal(auth_token_from_headers("bearer   a.b.c  ", NULL,
	    buf, sizeof(buf)), "a.b.c");
	/* Bearer wins over the cookie. */
	assert_string_equal(auth_token_from_headers("Bearer h.h.h",
	    "access_token=c.c.c", buf, sizeof(buf)), "h.h.h");
	/* Not Bearer: fall back to the cookie. */
	assert_string_equal(auth_token_from_headers("Basic dXNlcjpwYXNz",
	    "access_token=c.c.c", buf, sizeof(buf)), "c.c.c");
	assert_string_equal(auth_token_from_headers(NULL,
	    "theme=dark; access_token=x.y.z; lang=en", buf, sizeof(buf)), "x.y.z");
	assert_string_equal(auth_token_from_headers("",
	    "access_token=\"q.r.s\"", buf, sizeof(buf)), "q.r.s");
	assert_null(auth_token_from_headers(NULL,
	    "my_access_token=x.y.z", buf, sizeof(buf)));
	assert_null(auth_token_from_headers(NULL, "access_token=", buf,
	    sizeof(buf)));
	assert_null(auth_token_from_headers(NULL, "flag; other=1", buf,
	    sizeof(buf)));
	assert_null(auth_token_from_headers(NULL, NULL, buf, sizeof(buf)));
	assert_null(auth_token_from_headers("Bearer", NULL, buf, sizeof(buf)));
	assert_null(auth_token_from_headers("Bearer ", NULL, buf, sizeof(buf)));
	assert_null(auth_token_from_headers("Bearer a b", NULL, buf, sizeof(buf)));
	assert_null(auth_token_from_headers("Bearer a\"b", NULL, buf, sizeof(buf)));
	/* Too long for the buffer. */
	assert_null(auth_token_from_headers("Bearer abcd", NULL, tiny,
	    sizeof(tiny)));
	assert_string_equal(auth_token_from_headers("Bearer abc", NULL, tiny,
	    sizeof(tiny)), "abc");
}

static void
test_password(void **state)
{
	char hash[256], small[16];

	(void)state;
	assert_int_equal(auth_password_hash("correct horse", hash, sizeof(hash)), 0);
	assert_true(strncmp(hash, "$argon2id$", 10) == 0);
	assert_int_equal(auth_password_verify(hash, "correct horse"), 0);
	assert_int_equal(auth_password_verify(hash, "correct horsE"), -1);
	assert_int_equal(auth_password_verify(hash, ""), -1);
	assert_int_equal(auth_password_verify("", "x"), -1);
	assert_int_equal(auth_password_verify("not a hash", "x"), -1);
	assert_int_equal(auth_password_verify(NULL, "x"), -1);
	assert_int_equal(auth_password_hash("x", small, sizeof(small)), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_issue_then_verify),
		cmocka_unit_test(test_issue_refuses_bad_arguments),
		cmocka_unit_test(test_crafted_valid_and_int_sub),
		cmocka_unit_test(test_expired),
		cmocka_unit_test(test_missing_or_string_exp),
		cmocka_unit_test(test_wrong_key),
		cmocka_unit_test(test_alg_none),
		cmocka_unit_test(test_other_algs),
		cmocka_unit_test(test_tampered_payload),
		cmocka_unit_test(test_wrong_issuer),
		cmocka_unit_test(test_bad_sub_and_role),
		cmocka_unit_test(test_garbage),
		cmocka_unit_test(test_token_from_headers),
		cmocka_unit_test(test_password),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
