/* libFuzzer: bearer tokens from headers and JWT verification. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), buf[4096];
	const char *tok;
	struct auth_claims c;

	if (s == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	(void)auth_jwt_verify(s, "0123456789abcdef0123456789abcdef", "pitwall",
	    1700000000, &c);
	tok = auth_token_from_headers(s, s, buf, sizeof(buf));
	if (tok != NULL)
		(void)auth_jwt_verify(tok, "0123456789abcdef0123456789abcdef",
		    "pitwall", 1700000000, &c);
	free(s);
	return 0;
}
