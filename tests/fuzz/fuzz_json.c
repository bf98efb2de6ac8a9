/* libFuzzer: request bodies through the JSON validators of /submit and /run. */
#include <stddef.h>
#include <stdint.h>

#include "json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct jerr err;
	json_object *o;
	int64_t qid = 0, lang = 0;
	const char *src = NULL, *in = NULL;
	size_t len = 0;
	int flag = 0;
	const struct jfield f[] = {
		{ "question_id", JF_INT, 1, 1, INT32_MAX, &qid, NULL },
		{ "language_id", JF_INT, 0, 1, 100000, &lang, NULL },
		{ "source_code", JF_STRING, 1, 1, 65536, &src, &len },
		{ "stdin", JF_STRING, 0, 0, 65536, &in, NULL },
		{ "flag", JF_BOOL, 0, 0, 0, &flag, NULL },
	};

	o = json_parse_bounded((const char *)data, size, 16, &err);
	if (o != NULL) {
		(void)json_read_fields(o, f, sizeof(f) / sizeof(f[0]), &err);
		json_object_put(o);
	}
	(void)utf8_valid((const char *)data, size);
	return 0;
}
