/* Unit tests of lib/log.c: one line per event, kv and JSON formats. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "log.h"

static void
test_kv_format(void **state)
{
	char buf[512];

	(void)state;
	log_format_line(buf, sizeof(buf), LOG_FORMAT_KV, "2026-01-01T00:00:00.000Z",
	    LOG_WARN, "pitwall-fcgi", 42, "abc123", "route_submit",
	    "judge0 said \"no\"\nsecond line");
	assert_string_equal(buf,
	    "ts=2026-01-01T00:00:00.000Z level=warn prog=pitwall-fcgi pid=42 "
	    "req=abc123 func=route_submit msg=\"judge0 said \\\"no\\\"\\nsecond line\"");

	/* No request id: no req= field. */
	log_format_line(buf, sizeof(buf), LOG_FORMAT_KV, "t", LOG_INFO, "p", 1,
	    NULL, "f", "started");
	assert_string_equal(buf, "ts=t level=info prog=p pid=1 func=f msg=started");
}

static void
test_json_format(void **state)
{
	char buf[512];
	json_object *o, *v;

	(void)state;
	log_format_line(buf, sizeof(buf), LOG_FORMAT_JSON, "t", LOG_ERROR,
	    "pitwall-worker", 7, "r1", "fn", "tab\there \x01 \"q\"");
	o = json_tokener_parse(buf);
	assert_non_null(o);
	assert_true(json_object_object_get_ex(o, "level", &v));
	assert_string_equal(json_object_get_string(v), "error");
	assert_true(json_object_object_get_ex(o, "pid", &v));
	assert_int_equal(json_object_get_int(v), 7);
	assert_true(json_object_object_get_ex(o, "req", &v));
	assert_string_equal(json_object_get_string(v), "r1");
	assert_true(json_object_object_get_ex(o, "msg", &v));
	assert_string_equal(json_object_get_string(v), "tab\there \x01 \"q\"");
	json_object_put(o);
	assert_null(strchr(buf, '\n'));
}

static void
test_levels_and_one_line(void **state)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);
	int lines = 0;
	char *p;

	(void)state;
	log_init("t", "warn", "kv", NULL);
	log_set_stream(fp);
	log_info("r", "hidden %d", 1);
	log_warn("r", "shown %d\nwith newline", 2);
	log_error(NULL, "also shown");
	log_set_stream(NULL);
	fclose(fp);
	for (p = buf; *p; p++)
		lines += *p == '\n';
	assert_int_equal(lines, 2);
	assert_null(strstr(buf, "hidden"));
	assert_non_null(strstr(buf, "level=warn"));
	assert_non_null(strstr(buf, "msg=\"shown 2\\nwith newline\""));
	assert_non_null(strstr(buf, "func=test_levels_and_one_line"));
	free(buf);
}

static void
test_truncation_is_safe(void **state)
{
	char small[16];
	size_t n;

	(void)state;
	n = log_format_line(small, sizeof(small), LOG_FORMAT_KV, "t", LOG_INFO,
	    "prog", 1, NULL, "f", "a long message that does not fit");
	assert_true(n > sizeof(small));
	assert_int_equal(strlen(small), sizeof(small) - 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kv_format),
		cmocka_unit_test(test_json_format),
		cmocka_unit_test(test_levels_and_one_line),
		cmocka_unit_test(test_truncation_is_safe),
	};
	return cmocka_run_group_tests_name("log", tests, NULL, NULL);
}
