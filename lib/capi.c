/*
 * Contest API input checks (lib/capi.h).
 */
#include <stdint.h>
#include <string.h>

#include "capi.h"

int
capi_id_valid_n(const char *s, size_t len)
{
	size_t i;

	if (s == NULL || len == 0 || len > CAPI_ID_MAX || s[0] == '-' ||
	    s[0] == '.' || s[len - 1] == '.')
		return 0;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-'))
			return 0;
	}
	return 1;
}

int
capi_token_parse(const char *s, long long *out)
{
	unsigned long long v = 0;
	size_t i, n;

	if (s == NULL || (n = strlen(s)) == 0 || n > 19 ||
	    (s[0] == '0' && n > 1))
		return -1;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (unsigned long long)(s[i] - '0');
	}
	if (v > (unsigned long long)INT64_MAX)
		return -1;
	*out = (long long)v;
	return 0;
}
