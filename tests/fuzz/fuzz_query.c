/* libFuzzer: query strings of /callback (s, t, a, sig), of GET /submissions
 * (question_id, limit) and ids. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "query.h"
#include "sign.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *qs = malloc(size + 1), out[128];
	long long v;

	if (qs == NULL)
		return 0;
	memcpy(qs, data, size);
	qs[size] = '\0';
	if (query_get(qs, "s", out, sizeof(out)) >= 0)
		(void)uuid_valid(out);
	if (query_get(qs, "t", out, sizeof(out)) >= 0)
		(void)parse_ll(out, 1, INT64_MAX, &v);
	if (query_get(qs, "sig", out, sizeof(out)) >= 0)
		(void)sign_callback_verify("0123456789abcdef0123456789abcdef",
		    "00000000-0000-4000-8000-000000000000", 1, 1, out);
	(void)query_get(qs, "a", out, 1);
	(void)query_ll(qs, "question_id", 1, INT64_MAX, &v);
	(void)query_ll(qs, "limit", 1, 200, &v);
	free(qs);
	return 0;
}
