/* libFuzzer: configuration values (every setting gets the fuzzed value). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char *value;

static const char *
fuzz_getenv(const char *name)
{
	if (strstr(name, "_FILE") != NULL)
		return NULL;
	return value;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config cfg;
	char err[512];

	if ((value = malloc(size + 1)) == NULL)
		return 0;
	memcpy(value, data, size);
	value[size] = '\0';
	if (config_load(&cfg, 0, fuzz_getenv, err, sizeof(err)) == 0)
		config_free(&cfg);
	free(value);
	value = NULL;
	return 0;
}
