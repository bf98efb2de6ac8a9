/* Unit tests of lib/query.c: lookup, percent-decoding, integer parameters,
 * UUIDs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "query.h"

static void
test_get(void **state)
{
	char out[16];

	(void)state;
	assert_int_equal(query_get("a=1&b=x%20y", "b", out, sizeof(out)), 3);
	assert_string_equal(out, "x y");
	assert_int_equal(query_get("a=1&b=2", "c", out, sizeof(out)), -1);
	assert_int_equal(query_get("ab=1&b=2", "b", out, sizeof(out)), 1);
	assert_string_equal(out, "2");
	assert_int_equal(query_get("b&a=1", "b", out, sizeof(out)), 0);
	assert_int_equal(query_get("b=%4", "b", out, sizeof(out)), -2);
	assert_int_equal(query_get("b=%00", "b", out, sizeof(out)), -2);
	assert_int_equal(query_get("b=0123456789abcdef", "b", out, sizeof(out)), -2);
	assert_int_equal(query_get("", "b", out, sizeof(out)), -1);
}

static void
test_ll(void **state)
{
	long long v = 7;

	(void)state;
	assert_int_equal(query_ll("", "limit", 1, 200, &v), 0);
	assert_int_equal(v, 7);				/* untouched when absent */
	assert_int_equal(query_ll("x=1&limit=200", "limit", 1, 200, &v), 1);
	assert_int_equal(v, 200);
	assert_int_equal(query_ll("limit=%31", "limit", 1, 200, &v), 1);
	assert_int_equal(v, 1);
	assert_int_equal(query_ll("limit=0", "limit", 1, 200, &v), -1);
	assert_int_equal(query_ll("limit=201", "limit", 1, 200, &v), -1);
	assert_int_equal(query_ll("limit=-1", "limit", 1, 200, &v), -1);
	assert_int_equal(query_ll("limit=", "limit", 1, 200, &v), -1);
	assert_int_equal(query_ll("limit", "limit", 1, 200, &v), -1);
	assert_int_equal(query_ll("limit=abc", "limit", 1, 200, &v), -1);
	assert_int_equal(query_ll("limit=5x", "limit", 1, 200, &v), -1);
	assert_int_equal(query_ll("limit=+5", "limit", 1, 200, &v), -1);
	assert_int_equal(query_ll("limit=%20 5", "limit", 1, 200, &v), -1);
	assert_int_equal(query_ll("limit=1e2", "limit", 1, 200, &v), -1);
	assert_int_equal(query_ll("limit=%zz", "limit", 1, 200, &v), -1);
	assert_int_equal(query_ll("q=99999999999999999999", "q", 1, INT64_MAX, &v), -1);
	assert_int_equal(query_ll("q=9223372036854775807", "q", 1, INT64_MAX, &v), 1);
	assert_true(v == INT64_MAX);
	/* The first occurrence counts. */
	assert_int_equal(query_ll("limit=3&limit=x", "limit", 1, 200, &v), 1);
	assert_int_equal(v, 3);
}

static void
test_uuid(void **state)
{
	const char *ok = "0f8fad5b-d9cb-469f-a165-70867728950e";
	char buf[40];

	(void)state;
	assert_int_equal(uuid_valid(ok), 1);
	assert_int_equal(uuid_valid_n(ok, 36), 1);
	/* The length bounds the check: a valid prefix of a longer string. */
	snprintf(buf, sizeof(buf), "%sxyz", ok);
	assert_int_equal(uuid_valid_n(buf, 36), 1);
	assert_int_equal(uuid_valid(buf), 0);
	assert_int_equal(uuid_valid_n(ok, 35), 0);
	assert_int_equal(uuid_valid(NULL), 0);
	assert_int_equal(uuid_valid_n(NULL, 36), 0);
	assert_int_equal(uuid_valid(""), 0);
	/* Canonical form only: lowercase, dashes in place. */
	assert_int_equal(uuid_valid("0F8FAD5B-D9CB-469F-A165-70867728950E"), 0);
	assert_int_equal(uuid_valid("0f8fad5bd-9cb-469f-a165-70867728950e"), 0);
	assert_int_equal(uuid_valid("0f8fad5b-d9cb-469f-a165-70867728950g"), 0);
	assert_int_equal(uuid_valid("{f8fad5b-d9cb-469f-a165-70867728950}"), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_get),
		cmocka_unit_test(test_ll),
		cmocka_unit_test(test_uuid),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
