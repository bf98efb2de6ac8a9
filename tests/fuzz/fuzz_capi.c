/* libFuzzer: the Contest API's since_token and ID checks (lib/capi.c),
 * through the query string parser as the route reads them. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "capi.h"
#include "query.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *qs = malloc(size + 1), out[64];
	long long v;
	long n;

	if (qs == NULL)
		return 0;
	memcpy(qs, data, size);
	qs[size] = '\0';
	if (query_get(qs, "since_token", out, sizeof(out)) >= 0 &&
	    capi_token_parse(out, &v) == 0 && v < 0)
		abort();
	if ((n = query_get(qs, "team_id", out, sizeof(out))) >= 0)
		(void)capi_id_valid_n(out, (size_t)n);
	(void)capi_id_valid_n(qs, size);
	free(qs);
	return 0;
}
