/*
 * libFuzzer: the default output validator.  The input is
 * "validator_flags\nanswer\0team output": the flags go through
 * outval_flags_parse (defaults when refused), the rest through
 * outval_check both ways round.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "outval.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *nl, *nul;
	struct outval_flags f;
	char *flags, err[128], msg[256];
	size_t flen, alen;

	nl = memchr(p, '\n', size);
	flen = nl ? (size_t)(nl - p) : size;
	if ((flags = malloc(flen + 1)) == NULL)
		return 0;
	memcpy(flags, p, flen);
	flags[flen] = '\0';
	if (outval_flags_parse(flags, &f, err, sizeof(err)) == -1)
		memset(&f, 0, sizeof(f));
	free(flags);
	if (nl == NULL)
		return 0;
	p = nl + 1;
	size -= flen + 1;
	nul = memchr(p, '\0', size);
	alen = nul ? (size_t)(nul - p) : size;
	(void)outval_check(p, alen, nul ? nul + 1 : NULL,
	    nul ? size - alen - 1 : 0, &f, msg, sizeof(msg));
	(void)outval_check(nul ? nul + 1 : NULL, nul ? size - alen - 1 : 0,
	    p, alen, &f, msg, sizeof(msg));
	/* The same output is always its own answer. */
	if (outval_check(p, alen, p, alen, &f, msg, sizeof(msg)) != OUTVAL_AC &&
	    !(f.has_float))
		abort();
	return 0;
}
