/*
 * libFuzzer: Judge0 callback bodies as the worker reads them
 * (verdict_result_parse: JSON, base64 fields, status, time, memory), then
 * the verdict and the excerpt shown to contestants.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "verdict.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct verdict_result r = { 0 };
	enum verdict v;
	char err[256], *ex;

	if (verdict_result_parse((const char *)data, size, &r, err,
	    sizeof(err)) == 0) {
		(void)verdict_from_status(r.status_id, r.out, r.out_len,
		    "1\n2 2\n", 6, &v);
		if ((ex = verdict_excerpt(r.out, r.out_len, 64)) != NULL)
			free(ex);
	}
	verdict_result_clear(&r);
	return 0;
}
