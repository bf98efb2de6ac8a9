/*
 * Contest API (ICPC ccs-specs) input: identifiers in paths and filters,
 * and the event feed's since_token.  Outside input: tests/fuzz/fuzz_capi.c.
 */
#ifndef PITWALL_CAPI_H
#define PITWALL_CAPI_H

#include <stddef.h>

/* The specification's version Pitwall follows (docs/contest-api.md). */
#define CAPI_VERSION		"2022-07"
#define CAPI_VERSION_URL	"https://ccs-specs.icpc.io/2022-07/contest_api"

/* The longest ID the specification allows. */
#define CAPI_ID_MAX	36

/*
 * 1 when the len bytes at s are an ID of the specification: 1 to 36 of
 * [A-Za-z0-9_.-], not starting with '-' or '.', not ending with '.';
 * 0 otherwise.
 */
int	capi_id_valid_n(const char *s, size_t len);

/*
 * Parse a since_token (the decimal id of an event, as the feed writes
 * it: 1 to 19 digits, no sign or leading zero, at most INT64_MAX) into
 * *out.  0 / -1.
 */
int	capi_token_parse(const char *s, long long *out);

#endif
