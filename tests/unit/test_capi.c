/* Unit tests of lib/capi.c: the Contest API's IDs and since_token. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "capi.h"

static int
id_ok(const char *s)
{
	return capi_id_valid_n(s, strlen(s));
}

static void
test_id(void **state)
{
	(void)state;
	assert_true(id_ok("a"));
	assert_true(id_ok("wf2014"));
	assert_true(id_ok("12-0-3"));
	assert_true(id_ok("first-to-solve-q1"));
	assert_true(id_ok("A_b.c-"));
	assert_true(id_ok("_x"));
	assert_true(id_ok("123456789012345678901234567890123456"));	/* 36 */
	assert_false(id_ok("1234567890123456789012345678901234567"));	/* 37 */
	assert_false(id_ok(""));
	assert_false(id_ok("-a"));
	assert_false(id_ok(".a"));
	assert_false(id_ok("a."));
	assert_false(id_ok(".."));
	assert_false(id_ok("a b"));
	assert_false(id_ok("a/b"));
	assert_false(id_ok("é"));
	assert_false(capi_id_valid_n(NULL, 1));
	assert_false(capi_id_valid_n("a\0b", 3));
}

static void
test_token(void **state)
{
	long long v = 5;

	(void)state;
	assert_int_equal(capi_token_parse("0", &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(capi_token_parse("42", &v), 0);
	assert_int_equal(v, 42);
	assert_int_equal(capi_token_parse("9223372036854775807", &v), 0);
	assert_int_equal(v, INT64_MAX);
	v = 5;
	assert_int_equal(capi_token_parse("9223372036854775808", &v), -1);
	assert_int_equal(capi_token_parse("99999999999999999999", &v), -1);
	assert_int_equal(capi_token_parse("", &v), -1);
	assert_int_equal(capi_token_parse("-1", &v), -1);
	assert_int_equal(capi_token_parse("+1", &v), -1);
	assert_int_equal(capi_token_parse("01", &v), -1);
	assert_int_equal(capi_token_parse("1e3", &v), -1);
	assert_int_equal(capi_token_parse(" 1", &v), -1);
	assert_int_equal(capi_token_parse(NULL, &v), -1);
	assert_int_equal(v, 5);			/* untouched on failure */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_id),
		cmocka_unit_test(test_token),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
