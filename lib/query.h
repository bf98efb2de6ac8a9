/*
 * Query strings (application/x-www-form-urlencoded): bounded lookup with
 * percent-decoding.  Outside input: see tests/fuzz/fuzz_query.c.
 */
#ifndef PITWALL_QUERY_H
#define PITWALL_QUERY_H

#include <stddef.h>

/*
 * Find the first `name` in query string qs and decode its value into out
 * (NUL-terminated).  Returns the decoded length, -1 when absent, -2 when
 * malformed (bad %-escape, NUL byte) or too long for out.
 */
long	query_get(const char *qs, const char *name, char *out, size_t outsz);

/*
 * 1 when the len bytes at s are a lowercase canonical UUID (8-4-4-4-12
 * hex), the form every submission id takes (uuid4() in /submit); 0
 * otherwise.  The one UUID check of the responders and the worker.
 */
int	uuid_valid_n(const char *s, size_t len);

/* uuid_valid_n() of the NUL-terminated s; 0 for NULL. */
int	uuid_valid(const char *s);

/* Parse a decimal integer in [min, max] from all of s.  0 / -1. */
int	parse_ll(const char *s, long long min, long long max, long long *out);

/*
 * The integer parameter `name` of qs, in [min, max]: 1 with *out set,
 * 0 when absent (*out untouched), -1 when present but not such an
 * integer (empty, bad %-escape, sign or digits only, out of range).
 */
int	query_ll(const char *qs, const char *name, long long min, long long max,
	    long long *out);

#endif
