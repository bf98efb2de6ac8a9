/* libFuzzer: Judge0 callback base64 (wrapped at 60 columns) decoding. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "judge0.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t len = 0, len2 = 0;
	char *dec = b64_decode((const char *)data, size, &len), *enc, *back;

	if (dec == NULL)
		return 0;
	/* Round trip: what decodes must encode and decode to the same bytes. */
	enc = b64_encode(dec, len);
	if (enc != NULL) {
		back = b64_decode(enc, strlen(enc), &len2);
		if (back == NULL || len2 != len || memcmp(back, dec, len) != 0)
			abort();
		free(back);
	}
	free(enc);
	free(dec);
	return 0;
}
