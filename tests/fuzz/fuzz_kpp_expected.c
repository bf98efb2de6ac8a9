/*
 * libFuzzer: what verify reads of a jury submission (admin/kpp_verify.c):
 * the input as a source with an @EXPECTED_RESULTS@: line, and as a
 * folder and a file name.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "extern.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[128], *s;
	unsigned mask = 0;

	(void)kpp_expected_results((const char *)data, size, &mask, err,
	    sizeof(err));
	if ((s = malloc(size + 1)) == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	(void)kpp_dir_verdicts(s);
	(void)kpp_lang_of(s);
	free(s);
	return 0;
}
