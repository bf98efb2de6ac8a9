/* Unit tests of lib/outval.c: one test per rule of the default output
 * validator, the validator_flags parser, and edge cases. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "outval.h"

/* 1 when out is accepted for ans under the flags string fl. */
static int
ok(const char *fl, const char *ans, const char *out)
{
	struct outval_flags f;
	char err[128], msg[256];
	enum outval_result r;

	assert_int_equal(outval_flags_parse(fl, &f, err, sizeof(err)), 0);
	r = outval_check(ans, strlen(ans), out, strlen(out), &f, msg,
	    sizeof(msg));
	if (r == OUTVAL_AC)
		assert_string_equal(msg, "");
	else
		assert_true(msg[0] != '\0');
	return r == OUTVAL_AC;
}

/* The judge message for a rejected output. */
static const char *
why(const char *fl, const char *ans, const char *out)
{
	static char msg[256];
	struct outval_flags f;
	char err[128];

	assert_int_equal(outval_flags_parse(fl, &f, err, sizeof(err)), 0);
	assert_int_equal(outval_check(ans, strlen(ans), out, strlen(out), &f,
	    msg, sizeof(msg)), OUTVAL_WA);
	return msg;
}

static void
test_tokens(void **state)
{
	(void)state;
	assert_true(ok("", "1 2 3\n", "1 2 3\n"));
	assert_true(ok("", "1 2 3\n", "1\n2\t\t3"));		/* any whitespace */
	assert_true(ok("", "A B", " A  B \t\n"));
	assert_false(ok("", "1 2 3\n", "1 2 4\n"));
	assert_false(ok("", "12", "1 2"));			/* tokens, not bytes */
	assert_false(ok("", "1 2", "12"));
}

static void
test_extra_missing(void **state)
{
	(void)state;
	assert_false(ok("", "A B", "A B X"));
	assert_false(ok("", "A B", "A B\n\n\n \n\n X"));
	assert_false(ok("", "A B", "A"));
	assert_non_null(strstr(why("", "A B", "A B X"), "extra output"));
	assert_non_null(strstr(why("", "A B", "A"), "output ended"));
	assert_non_null(strstr(why("", "A B", "A"), "'B'"));
}

static void
test_empty(void **state)
{
	struct outval_flags f;
	char err[64];

	(void)state;
	assert_true(ok("", "", ""));
	assert_true(ok("", "", " \t\n\n"));
	assert_true(ok("", "\n", ""));
	assert_false(ok("", "", "0"));
	assert_false(ok("", "0", ""));
	assert_int_equal(outval_flags_parse(NULL, &f, err, sizeof(err)), 0);
	assert_int_equal(outval_check(NULL, 0, NULL, 0, &f, NULL, 0), OUTVAL_AC);
	assert_int_equal(outval_check("x", 1, NULL, 0, &f, NULL, 0), OUTVAL_WA);
}

static void
test_case(void **state)
{
	(void)state;
	assert_true(ok("", "Yes", "yes"));			/* default: case-insensitive */
	assert_true(ok("", "POSSIBLE", "possible"));
	assert_false(ok("case_sensitive", "Yes", "yes"));
	assert_true(ok("case_sensitive", "Yes", "Yes"));
	/* Only ASCII folds: bytes above 0x7f compare as they are. */
	assert_false(ok("", "\xc3\x84", "\xc3\xa4"));
}

static void
test_space_change(void **state)
{
	(void)state;
	assert_true(ok("space_change_sensitive", "", ""));
	assert_false(ok("space_change_sensitive", "", "\n"));
	assert_false(ok("space_change_sensitive", "", " "));
	assert_true(ok("space_change_sensitive", "1 2\n", "1 2\n"));
	assert_false(ok("space_change_sensitive", "1 2\n", "1  2\n"));
	assert_false(ok("space_change_sensitive", "1 2\n", "1 2"));	/* trailing */
	assert_false(ok("space_change_sensitive", "1 2\n", "1 2\n\n"));
	assert_false(ok("space_change_sensitive", "1 2\n", " 1 2\n"));	/* leading */
	assert_false(ok("space_change_sensitive", "1 2\n", "1\t2\n"));
	assert_false(ok("space_change_sensitive", "1\n", "1\r\n"));
	assert_non_null(strstr(why("space_change_sensitive", "1 2\n", "1  2\n"),
	    "whitespace differs before token 2"));
	/* Case still folds unless asked. */
	assert_true(ok("space_change_sensitive", "a b\n", "A B\n"));
}

static void
test_no_tolerance_exact(void **state)
{
	(void)state;
	/* Without a tolerance, numbers are text. */
	assert_false(ok("", "0.5", "0.50"));
	assert_false(ok("", "1", "1.0"));
	assert_true(ok("", "1e5", "1E5"));		/* ...compared case-insensitively */
}

static void
test_absolute(void **state)
{
	(void)state;
	assert_true(ok("float_absolute_tolerance 0.01", "1.00", "1.009"));
	assert_true(ok("float_absolute_tolerance 0.01", "1.00", "0.991"));
	assert_false(ok("float_absolute_tolerance 0.01", "1.00", "1.02"));
	/* Absolute only: a large answer gets no relative slack. */
	assert_false(ok("float_absolute_tolerance 0.01", "1000000", "1000001"));
	assert_true(ok("float_absolute_tolerance 1e-6", "0.0314", "3.14000000e-2"));
}

static void
test_relative(void **state)
{
	(void)state;
	assert_true(ok("float_relative_tolerance 1e-3", "1000", "1000.9"));
	assert_false(ok("float_relative_tolerance 1e-3", "1000", "1001.1"));
	/* Relative to the answer's magnitude: near 0 almost nothing passes. */
	assert_false(ok("float_relative_tolerance 1e-3", "0", "0.0000001"));
	assert_true(ok("float_relative_tolerance 1e-3", "-2000", "-2001.5"));
	assert_false(ok("float_relative_tolerance 1e-3", "-2000", "2000"));
}

static void
test_either(void **state)
{
	(void)state;
	/* Both given: within either is enough. */
	assert_true(ok("float_absolute_tolerance 0.5 float_relative_tolerance 1e-6",
	    "1000000", "1000000.4"));
	assert_true(ok("float_absolute_tolerance 1e-9 float_relative_tolerance 1e-3",
	    "1000000", "1000900"));
	assert_false(ok("float_absolute_tolerance 1e-9 float_relative_tolerance 1e-3",
	    "1000000", "1001100"));
	/* float_tolerance sets both. */
	assert_true(ok("float_tolerance 1e-6", "0", "0.0000009"));
	assert_true(ok("float_tolerance 1e-6", "1e9", "1000000999"));
	assert_false(ok("float_tolerance 1e-6", "1e9", "1000001001"));
}

static void
test_float_tokens(void **state)
{
	(void)state;
	/* Answer is a number: the team's token must be one too. */
	assert_false(ok("float_tolerance 1", "1.5", "abc"));
	assert_non_null(strstr(why("float_tolerance 1", "1.5", "abc"),
	    "expected a number"));
	assert_false(ok("float_tolerance 1", "1.5", "0x1"));	/* no hex */
	assert_false(ok("float_tolerance 1", "1.5", "1.5.0"));
	assert_false(ok("float_tolerance 1", "1", "1e"));
	assert_true(ok("float_tolerance 1e-9", "2", "+2.000"));
	assert_true(ok("float_tolerance 1e-9", "2", "2."));
	assert_true(ok("float_tolerance 1e-9", "0.5", ".5"));
	assert_true(ok("float_tolerance 1e-9", "2", "2e0"));
	/* Answer is not a number: text comparison, tolerance or not. */
	assert_false(ok("float_tolerance 1", "abc", "abd"));
	assert_true(ok("float_tolerance 1", "abc", "ABC"));
	assert_false(ok("float_tolerance 10", "0x10", "16"));
	/* The difference is in the message. */
	assert_non_null(strstr(why("float_tolerance 1e-6", "1.0", "1.1"),
	    "difference"));
}

static void
test_nan_inf(void **state)
{
	(void)state;
	assert_true(ok("float_tolerance 1e-6", "inf", "Infinity"));
	assert_true(ok("float_tolerance 1e-6", "-inf", "-INF"));
	assert_false(ok("float_tolerance 1e-6", "inf", "-inf"));
	assert_false(ok("float_tolerance 1e-6", "inf", "1e308"));
	/* A finite answer never accepts an infinity (relative slack of inf). */
	assert_false(ok("float_relative_tolerance 1", "1e308", "inf"));
	assert_true(ok("float_tolerance 1e-6", "nan", "NaN"));
	assert_false(ok("float_tolerance 1e-6", "nan", "0"));
	assert_false(ok("float_tolerance 1e-6", "1", "nan"));
	/* Out of double's range rounds to infinity. */
	assert_true(ok("float_tolerance 1e-6", "1e999", "inf"));
}

static void
test_huge_numbers(void **state)
{
	char ans[400], out[400];

	(void)state;
	/* Long tokens (beyond the stack buffer) still parse. */
	memset(ans, '0', sizeof(ans));
	ans[0] = '1';
	ans[1] = '.';
	ans[sizeof(ans) - 1] = '\0';
	memcpy(out, ans, sizeof(out));
	out[sizeof(out) - 2] = '1';
	assert_true(ok("float_tolerance 1e-9", ans, "1"));
	assert_true(ok("float_tolerance 1e-9", "1", out));
	assert_true(ok("float_tolerance 1e-9", "123456789012345678901234567890",
	    "1.23456789012345678901234567890e29"));
	assert_false(ok("", "123456789012345678901234567890",
	    "123456789012345678901234567891"));
}

static void
test_binary_bytes(void **state)
{
	struct outval_flags f;
	char err[64], msg[256];
	static const char a[] = "x\0y\xff";
	static const char b[] = "x\0y\xfe";

	(void)state;
	assert_int_equal(outval_flags_parse("", &f, err, sizeof(err)), 0);
	assert_int_equal(outval_check(a, 4, a, 4, &f, msg, sizeof(msg)), OUTVAL_AC);
	assert_int_equal(outval_check(a, 4, b, 4, &f, msg, sizeof(msg)), OUTVAL_WA);
	/* Non-printing bytes are escaped in the message. */
	assert_non_null(strstr(msg, "\\x00"));
	assert_non_null(strstr(msg, "\\xfe"));
}

static void
test_message(void **state)
{
	char longtok[200];
	const char *m;

	(void)state;
	m = why("", "a b\nc d\n", "a b\nc e\n");
	assert_non_null(strstr(m, "token 4"));
	assert_non_null(strstr(m, "line 2"));
	assert_non_null(strstr(m, "expected 'd', got 'e'"));
	memset(longtok, 'z', sizeof(longtok) - 1);
	longtok[sizeof(longtok) - 1] = '\0';
	m = why("", "a", longtok);
	assert_non_null(strstr(m, "..."));
	assert_true(strlen(m) < 120);
	/* A tiny buffer is never overrun and stays terminated. */
	{
		struct outval_flags f = { 0 };
		char small[8];

		assert_int_equal(outval_check("a", 1, "b", 1, &f, small,
		    sizeof(small)), OUTVAL_WA);
		assert_true(strlen(small) < sizeof(small));
	}
}

static void
test_flags_parse(void **state)
{
	struct outval_flags f;
	char err[128];

	(void)state;
	assert_int_equal(outval_flags_parse("float_tolerance 1e-6 case_sensitive",
	    &f, err, sizeof(err)), 0);
	assert_true(f.case_sensitive && f.has_float && !f.space_change_sensitive);
	assert_true(f.abs_tol == 1e-6 && f.rel_tol == 1e-6);
	assert_int_equal(outval_flags_parse(" float_absolute_tolerance\t0.5\n",
	    &f, err, sizeof(err)), 0);
	assert_true(f.abs_tol == 0.5 && f.rel_tol == 0 && f.has_float);
	assert_int_equal(outval_flags_parse("float_relative_tolerance 0.25 "
	    "space_change_sensitive", &f, err, sizeof(err)), 0);
	assert_true(f.rel_tol == 0.25 && f.abs_tol == 0 && f.space_change_sensitive);
	assert_int_equal(outval_flags_parse("", &f, err, sizeof(err)), 0);
	assert_false(f.has_float || f.case_sensitive);

	assert_int_equal(outval_flags_parse("case_insensitive", &f, err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "unknown validator flag 'case_insensitive'"));
	assert_int_equal(outval_flags_parse("CASE_SENSITIVE", &f, err,
	    sizeof(err)), -1);
	assert_int_equal(outval_flags_parse("float_tolerance", &f, err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "float_tolerance"));
	assert_int_equal(outval_flags_parse("float_tolerance -1", &f, err,
	    sizeof(err)), -1);
	assert_int_equal(outval_flags_parse("float_tolerance inf", &f, err,
	    sizeof(err)), -1);
	assert_int_equal(outval_flags_parse("float_tolerance nan", &f, err,
	    sizeof(err)), -1);
	assert_int_equal(outval_flags_parse("float_tolerance 1e-6x", &f, err,
	    sizeof(err)), -1);
	assert_string_equal(outval_result_name(OUTVAL_AC), "AC");
	assert_string_equal(outval_result_name(OUTVAL_WA), "WA");
	assert_string_equal(outval_result_name(OUTVAL__MAX), "?");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tokens),
		cmocka_unit_test(test_extra_missing),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_case),
		cmocka_unit_test(test_space_change),
		cmocka_unit_test(test_no_tolerance_exact),
		cmocka_unit_test(test_absolute),
		cmocka_unit_test(test_relative),
		cmocka_unit_test(test_either),
		cmocka_unit_test(test_float_tokens),
		cmocka_unit_test(test_nan_inf),
		cmocka_unit_test(test_huge_numbers),
		cmocka_unit_test(test_binary_bytes),
		cmocka_unit_test(test_message),
		cmocka_unit_test(test_flags_parse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
