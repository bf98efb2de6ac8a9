/*
 * libFuzzer: the embedded judge's parser of Pitwall's pitwall_validator
 * object (judge/validate.c, validator_spec_parse): mode, language, digest,
 * flags, limits and base64 files with their names, as a client sends it.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "judge.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct validator_spec v;
	char err[256];
	size_t i;

	if (validator_spec_parse((const char *)data, size, &v, err,
	    sizeof(err)) == 0) {
		/* A parsed spec is whole: names a box accepts, a digest. */
		if (v.nfiles < 1 || v.nfiles > VALIDATOR_FILES_MAX ||
		    strlen(v.digest) != 64 || v.flags == NULL)
			abort();
		for (i = 0; i < v.nfiles; i++)
			if (v.files[i].name[0] == '.' ||
			    strchr(v.files[i].name, '/') != NULL)
				abort();
	} else if (err[0] == '\0')
		abort();
	validator_spec_clear(&v);
	return 0;
}
