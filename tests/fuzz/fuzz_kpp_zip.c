/*
 * libFuzzer: a package zip in memory (admin/kpp_files.c through libzip)
 * and, when it loads, the whole package parse (admin/kpp_data.c), with a
 * 4 MiB unpacked size limit.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "extern.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kpp *k;
	char err[256];

	if ((k = kpp_new()) == NULL)
		return 0;
	k->files.limit = 4 << 20;
	if (kpp_files_zip_buf(data, size, &k->files, err, sizeof(err)) == 0)
		(void)kpp_parse(k, err, sizeof(err));
	kpp_free(k);
	return 0;
}
