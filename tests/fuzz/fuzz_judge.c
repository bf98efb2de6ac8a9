/*
 * libFuzzer: what the embedded judge's Judge0 API reads from a client —
 * the `fields` selection of GET /submissions, a submission object (with
 * and without base64_encoded: Ruby-wrapped base64 decoding, field types,
 * defaults and ranges).  The first byte picks which.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "json.h"
#include "service.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fuzz_submission(const char *s, size_t len, int b64)
{
	struct exec_submission sub;
	const char *field, *msg;
	json_object *o;
	struct jerr je;
	char *dec;
	size_t dlen;

	if ((o = json_parse_bounded(s, len, 8, &je)) == NULL)
		return;
	if (json_object_is_type(o, json_type_object)) {
		if (b64) {
			json_object_object_foreach(o, key, v) {
				if (!json_object_is_type(v, json_type_string))
					continue;
				dec = b64_ruby_decode(json_object_get_string(v),
				    (size_t)json_object_get_string_len(v), &dlen);
				if (dec != NULL) {
					json_object_object_add(o, key,
					    json_object_new_string_len(dec, (int)dlen));
					free(dec);
				}
			}
		}
		memset(&sub, 0, sizeof(sub));
		if (exec_json_submission(o, &sub, &field, &msg) == 0)
			(void)exec_submission_check(&sub, &field, &msg);
	}
	json_object_put(o);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct store_fields f;
	char *s, err[512], *dec;
	size_t dlen;

	if (size < 1)
		return 0;
	if ((s = malloc(size)) == NULL)
		return 0;
	memcpy(s, data + 1, size - 1);
	s[size - 1] = '\0';
	switch (data[0] % 4) {
	case 0:
		memset(&f, 0, sizeof(f));
		(void)store_fields_parse(s, &f, err, sizeof(err));
		break;
	case 1:
		if ((dec = b64_ruby_decode(s, size - 1, &dlen)) != NULL)
			free(dec);
		break;
	default:
		fuzz_submission(s, size - 1, data[0] % 4 == 3);
		break;
	}
	free(s);
	return 0;
}
