/*
 * Query-string parsing.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "query.h"

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decode [s, s+len) into out.  Returns length or -2. */
static long
decode(const char *s, size_t len, char *out, size_t outsz)
{
	size_t i, n = 0;

	for (i = 0; i < len; i++) {
		int c = (unsigned char)s[i];
		if (c == '+')
			c = ' ';
		else if (c == '%') {
			int hi, lo;
			if (len - i < 3)	/* "%" needs two hex digits */
				return -2;
			hi = hexval((unsigned char)s[i + 1]);
			lo = hexval((unsigned char)s[i + 2]);
			if (hi < 0 || lo < 0)
				return -2;
			c = hi * 16 + lo;
			i += 2;
		}
		if (c == 0 || n + 1 >= outsz)
			return -2;
		out[n++] = (char)c;
	}
	out[n] = '\0';
	return (long)n;
}

long
query_get(const char *qs, const char *name, char *out, size_t outsz)
{
	size_t nlen = strlen(name);
	const char *p = qs;

	if (qs == NULL || outsz == 0)
		return -1;
	while (*p != '\0') {
		const char *end = strchr(p, '&');
		const char *eq;
		size_t seglen = end ? (size_t)(end - p) : strlen(p);

		eq = memchr(p, '=', seglen);
		if (eq != NULL && (size_t)(eq - p) == nlen && memcmp(p, name, nlen) == 0)
			return decode(eq + 1, seglen - nlen - 1, out, outsz);
		if (eq == NULL && seglen == nlen && memcmp(p, name, nlen) == 0) {
			out[0] = '\0';
			return 0;
		}
		if (end == NULL)
			break;
		p = end + 1;
	}
	return -1;
}

int
uuid_valid_n(const char *s, size_t len)
{
	size_t i;

	if (s == NULL || len != 36)
		return 0;
	for (i = 0; i < len; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return 0;
		} else if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	}
	return 1;
}

int
uuid_valid(const char *s)
{
	return s != NULL && uuid_valid_n(s, strlen(s));
}

int
parse_ll(const char *s, long long min, long long max, long long *out)
{
	char *end;
	long long v;

	if (s == NULL || *s == '\0' || !(*s == '-' || (*s >= '0' && *s <= '9')))
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

int
query_ll(const char *qs, const char *name, long long min, long long max,
    long long *out)
{
	char buf[24];
	long n;

	if ((n = query_get(qs, name, buf, sizeof(buf))) == -1)
		return 0;
	if (n < 0 || parse_ll(buf, min, max, out) == -1)
		return -1;
	return 1;
}
