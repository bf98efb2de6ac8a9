/*
 * libFuzzer: the package format's YAML readers (admin/kpp.c): the input
 * as problem.yaml, as testdata.yaml and for its validator flags, and the
 * flags found through the default validator's flags parser.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "extern.h"
#include "outval.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data;
	struct outval_flags f;
	struct kpp *k;
	char err[256], *js = NULL, *flags = NULL;

	if ((k = kpp_new()) == NULL)
		return 0;
	if (kpp_yaml_problem(k, p, size, err, sizeof(err)) == 0 &&
	    k->validator_flags != NULL)
		(void)outval_flags_parse(k->validator_flags, &f, err, sizeof(err));
	kpp_free(k);
	if (kpp_yaml_testdata(p, size, &js, err, sizeof(err)) == 0)
		free(js);
	if (kpp_yaml_testdata_flags("testdata.yaml", p, size, &flags, err, sizeof(err)) == 0)
		free(flags);
	return 0;
}
