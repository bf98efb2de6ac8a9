/*
 * Signed callback URLs: HMAC-SHA256 (libsodium) over submission, testcase
 * and attempt, so a callback can only report the testcase it was made for.
 */
#ifndef PITWALL_SIGN_H
#define PITWALL_SIGN_H

#include <stddef.h>

#define SIGN_HEX_LEN	64

/* Hex HMAC of "<sid>\n<tid>\n<attempt>" into hex[65].  0 / -1. */
int	sign_callback(const char *key, const char *sid, long long tid,
	    int attempt, char hex[SIGN_HEX_LEN + 1]);

/* Constant-time check of a hex signature.  0 when valid, -1 otherwise. */
int	sign_callback_verify(const char *key, const char *sid, long long tid,
	    int attempt, const char *hex);

/*
 * The full callback URL: <base>/callback?s=<sid>&t=<tid>&a=<attempt>&sig=<hex>
 * into buf.  0 / -1 (does not fit).
 */
int	sign_callback_url(const char *key, const char *base, const char *sid,
	    long long tid, int attempt, char *buf, size_t bufsz);

#endif
