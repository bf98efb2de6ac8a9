/*
 * judge/api_b64.c — base64 exactly as Judge0 (Ruby's Base64 module) reads
 * and writes it: encode64 wraps lines at 60 characters and ends with a
 * newline; decode64 is lenient (skips what is not in the alphabet, stops
 * at the first '=').
 */
#include <stdlib.h>
#include <string.h>

#include "service.h"

static const char alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

char *
b64_ruby_encode(const char *data, size_t len)
{
	const unsigned char *in = (const unsigned char *)data;
	size_t	 quads = (len + 2) / 3, cap, i, n = 0, col = 0;
	char	*out;
	unsigned v;

	/* 4 chars per 3 bytes, a newline per 15 quads and one at the end. */
	cap = quads * 4 + quads / 15 + 2;
	if ((out = malloc(cap)) == NULL)
		return NULL;
	for (i = 0; i < len; i += 3) {
		v = (unsigned)in[i] << 16;
		if (i + 1 < len)
			v |= (unsigned)in[i + 1] << 8;
		if (i + 2 < len)
			v |= in[i + 2];
		out[n++] = alphabet[(v >> 18) & 63];
		out[n++] = alphabet[(v >> 12) & 63];
		out[n++] = i + 1 < len ? alphabet[(v >> 6) & 63] : '=';
		out[n++] = i + 2 < len ? alphabet[v & 63] : '=';
		if ((col += 4) == 60) {
			out[n++] = '\n';
			col = 0;
		}
	}
	if (col > 0)
		out[n++] = '\n';
	out[n] = '\0';
	return out;
}

static int
b64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

char *
b64_ruby_decode(const char *s, size_t slen, size_t *lenp)
{
	char	*out;
	size_t	 i, n = 0;
	unsigned acc = 0;
	int	 bits = 0, v;

	if ((out = malloc(slen / 4 * 3 + 4)) == NULL)
		return NULL;
	for (i = 0; i < slen && s[i] != '='; i++) {
		if ((v = b64_value((unsigned char)s[i])) == -1)
			continue;
		acc = (acc << 6) | (unsigned)v;
		if ((bits += 6) >= 8) {
			bits -= 8;
			out[n++] = (char)((acc >> bits) & 0xff);
		}
	}
	out[n] = '\0';
	*lenp = n;
	return out;
}
