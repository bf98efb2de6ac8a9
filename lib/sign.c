/*
 * Signed callback URLs.  The MAC covers submission, testcase and attempt,
 * so a signature made for one testcase cannot report another.
 */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "sign.h"

static int
sign_raw(const char *key, const char *sid, long long tid, int attempt,
    unsigned char mac[crypto_auth_hmacsha256_BYTES])
{
	crypto_auth_hmacsha256_state st;
	char msg[192];
	int n;

	n = snprintf(msg, sizeof(msg), "%s\n%lld\n%d", sid, tid, attempt);
	if (n < 0 || (size_t)n >= sizeof(msg))
		return -1;
	crypto_auth_hmacsha256_init(&st, (const unsigned char *)key, strlen(key));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)msg, (size_t)n);
	crypto_auth_hmacsha256_final(&st, mac);
	sodium_memzero(&st, sizeof(st));
	return 0;
}

int
sign_callback(const char *key, const char *sid, long long tid, int attempt,
    char hex[SIGN_HEX_LEN + 1])
{
	unsigned char mac[crypto_auth_hmacsha256_BYTES];

	if (sign_raw(key, sid, tid, attempt, mac) == -1)
		return -1;
	sodium_bin2hex(hex, SIGN_HEX_LEN + 1, mac, sizeof(mac));
	return 0;
}

int
sign_callback_verify(const char *key, const char *sid, long long tid,
    int attempt, const char *hex)
{
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	unsigned char got[crypto_auth_hmacsha256_BYTES];
	size_t binlen = 0;

	if (hex == NULL || strlen(hex) != SIGN_HEX_LEN)
		return -1;
	if (sodium_hex2bin(got, sizeof(got), hex, SIGN_HEX_LEN, NULL, &binlen,
	    NULL) != 0 || binlen != sizeof(got))
		return -1;
	if (sign_raw(key, sid, tid, attempt, mac) == -1)
		return -1;
	return sodium_memcmp(mac, got, sizeof(mac)) == 0 ? 0 : -1;
}

int
sign_callback_url(const char *key, const char *base, const char *sid,
    long long tid, int attempt, char *buf, size_t bufsz)
{
	char hex[SIGN_HEX_LEN + 1];
	size_t blen = strlen(base);
	int n;

	if (sign_callback(key, sid, tid, attempt, hex) == -1)
		return -1;
	while (blen > 0 && base[blen - 1] == '/')
		blen--;
	n = snprintf(buf, bufsz, "%.*s/callback?s=%s&t=%lld&a=%d&sig=%s",
	    (int)blen, base, sid, tid, attempt, hex);
	return (n < 0 || (size_t)n >= bufsz) ? -1 : 0;
}
