/* Unit tests of lib/json.c: bounded parsing, typed fields, UTF-8. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "json.h"

static json_object *
parse(const char *s, struct jerr *err)
{
	return json_parse_bounded(s, strlen(s), 8, err);
}

static void
test_parse_bounded(void **state)
{
	struct jerr err;
	json_object *o;

	(void)state;
	o = parse("{\"a\": 1}  \n", &err);
	assert_non_null(o);
	json_object_put(o);

	assert_null(parse("", &err));
	assert_null(parse("{\"a\": 1} x", &err));
	assert_true(err.message[0] != '\0');
	assert_null(parse("{\"a\": ", &err));
	assert_non_null(strstr(err.message, "incomplete"));
	assert_null(parse("{\"a\": tru}", &err));
	/* depth 8: nine nested arrays are refused */
	assert_null(parse("[[[[[[[[[1]]]]]]]]]", &err));
	o = parse("[[[[[[[1]]]]]]]", &err);
	assert_non_null(o);
	json_object_put(o);

	/* Duplicate keys: refused in any object, not across objects. */
	assert_null(parse("{\"a\": 1, \"b\": 2, \"a\": 3}", &err));
	assert_non_null(strstr(err.message, "twice"));
	assert_null(parse("[{\"x\": {\"k\": 1, \"k\": 1}}]", &err));
	/*
	 * Single-quoted strings (json-c takes them in strict mode) are not
	 * JSON; a brace inside one once drove the duplicate-key scan out of
	 * its stack (fuzz_package).
	 */
	assert_null(parse("{'a': 1}", &err));
	assert_non_null(strstr(err.message, "single quotes"));
	assert_null(parse("{\"a\": 1, 'b}}}': {\"c\": 2}}", &err));
	o = parse("{\"it's\": \"'}'\"}", &err);
	assert_non_null(o);
	json_object_put(o);
	o = parse("{\"a\": {\"a\": 1}, \"b\": [{\"a\": 2}, {\"a\": \"\\\"a\\\":\"}]}", &err);
	assert_non_null(o);
	json_object_put(o);
}

static void
test_fields(void **state)
{
	struct jerr err;
	json_object *o;
	const char *src = NULL;
	size_t srclen = 0;
	int64_t qid = 0, lang = 0;
	int flag = 0;
	struct jfield f[] = {
		{ "question_id", JF_INT, 1, 1, INT32_MAX, &qid, NULL },
		{ "language_id", JF_INT, 1, 1, 1000, &lang, NULL },
		{ "source_code", JF_STRING, 1, 1, 16, &src, &srclen },
		{ "flag", JF_BOOL, 0, 0, 0, &flag, NULL },
	};

	(void)state;
	o = parse("{\"question_id\": 7, \"language_id\": 50, \"source_code\": \"int x;\"}", &err);
	assert_int_equal(json_read_fields(o, f, 4, &err), 0);
	assert_int_equal(qid, 7);
	assert_int_equal(lang, 50);
	assert_string_equal(src, "int x;");
	assert_int_equal(srclen, 6);
	assert_int_equal(flag, 0);
	json_object_put(o);

	o = parse("{\"question_id\": \"7\", \"language_id\": 50, \"source_code\": \"x\"}", &err);
	assert_int_equal(json_read_fields(o, f, 4, &err), -1);
	assert_string_equal(err.field, "question_id");
	assert_non_null(strstr(err.message, "integer"));
	json_object_put(o);

	o = parse("{\"question_id\": 7, \"source_code\": \"x\"}", &err);
	assert_int_equal(json_read_fields(o, f, 4, &err), -1);
	assert_string_equal(err.field, "language_id");
	assert_non_null(strstr(err.message, "required"));
	json_object_put(o);

	o = parse("{\"question_id\": 7, \"language_id\": 5000, \"source_code\": \"x\"}", &err);
	assert_int_equal(json_read_fields(o, f, 4, &err), -1);
	assert_non_null(strstr(err.message, "between"));
	json_object_put(o);

	o = parse("{\"question_id\": 99999999999999999999999, \"language_id\": 5, \"source_code\": \"x\"}", &err);
	assert_int_equal(json_read_fields(o, f, 4, &err), -1);
	assert_string_equal(err.field, "question_id");
	json_object_put(o);

	o = parse("{\"question_id\": 7, \"language_id\": 50, \"source_code\": \"\"}", &err);
	assert_int_equal(json_read_fields(o, f, 4, &err), -1);
	assert_non_null(strstr(err.message, "empty"));
	json_object_put(o);

	o = parse("{\"question_id\": 7, \"language_id\": 50, \"source_code\": \"01234567890123456\"}", &err);
	assert_int_equal(json_read_fields(o, f, 4, &err), -1);
	assert_non_null(strstr(err.message, "longer"));
	json_object_put(o);

	o = parse("{\"question_id\": 7, \"language_id\": 50, \"source_code\": \"a\\u0000b\"}", &err);
	assert_int_equal(json_read_fields(o, f, 4, &err), -1);
	assert_non_null(strstr(err.message, "UTF-8"));
	json_object_put(o);

	o = parse("{\"question_id\": 7, \"language_id\": 50, \"source_code\": \"x\", \"flag\": 1}", &err);
	assert_int_equal(json_read_fields(o, f, 4, &err), -1);
	assert_string_equal(err.field, "flag");
	json_object_put(o);

	o = parse("[1]", &err);
	assert_int_equal(json_read_fields(o, f, 4, &err), -1);
	json_object_put(o);
}

static void
test_utf8(void **state)
{
	(void)state;
	assert_true(utf8_valid("plain", 5));
	assert_true(utf8_valid("h\xc3\xa9llo", 6));
	assert_true(utf8_valid("\xf0\x9f\x98\x80", 4));
	assert_false(utf8_valid("\xc3", 1));		/* truncated */
	assert_false(utf8_valid("\xc0\xaf", 2));	/* overlong */
	assert_false(utf8_valid("\xed\xa0\x80", 3));	/* surrogate */
	assert_false(utf8_valid("\xf4\x90\x80\x80", 4));	/* > U+10FFFF */
	assert_false(utf8_valid("\xff", 1));
	assert_false(utf8_valid("a\x80", 2));
}

/* Times in replies: UTC, ISO 8601 with milliseconds. */
static void
test_iso_ms(void **state)
{
	json_object *o;

	(void)state;
	o = json_new_iso_ms(0);
	assert_string_equal(json_object_get_string(o), "1970-01-01T00:00:00.000Z");
	json_object_put(o);
	o = json_new_iso_ms(1795662308216LL);
	assert_string_equal(json_object_get_string(o), "2026-11-26T03:05:08.216Z");
	json_object_put(o);
	o = json_new_iso_ms(951782400999LL);	/* a leap day */
	assert_string_equal(json_object_get_string(o), "2000-02-29T00:00:00.999Z");
	json_object_put(o);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_bounded),
		cmocka_unit_test(test_fields),
		cmocka_unit_test(test_utf8),
		cmocka_unit_test(test_iso_ms),
	};
	return cmocka_run_group_tests_name("json", tests, NULL, NULL);
}
