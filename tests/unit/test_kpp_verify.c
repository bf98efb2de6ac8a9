/* Unit tests of what verify expects of jury submissions
 * (admin/kpp_verify.c): folders, @EXPECTED_RESULTS@ lines, languages. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "extern.h"
#include "verdict.h"

static void
test_folders(void **state)
{
	(void)state;
	assert_int_equal(kpp_dir_verdicts("accepted"), KPP_VM(VERDICT_AC));
	assert_int_equal(kpp_dir_verdicts("wrong_answer"), KPP_VM(VERDICT_WA));
	assert_int_equal(kpp_dir_verdicts("time_limit_exceeded"),
	    KPP_VM(VERDICT_TLE));
	assert_int_equal(kpp_dir_verdicts("run_time_error"), KPP_VM(VERDICT_RE));
	assert_int_equal(kpp_dir_verdicts("rejected"), KPP_VM(VERDICT_WA) |
	    KPP_VM(VERDICT_TLE) | KPP_VM(VERDICT_RE));
	assert_int_equal(kpp_dir_verdicts("Accepted"), 0);
	assert_int_equal(kpp_dir_verdicts("misc"), 0);
}

static int
expect(const char *src, unsigned *mask, char *err, size_t errsz)
{
	*mask = 0;
	err[0] = '\0';
	return kpp_expected_results(src, strlen(src), mask, err, errsz);
}

static void
test_expected_results(void **state)
{
	char err[128];
	unsigned m;

	(void)state;
	assert_int_equal(expect("int main(void) { return 0; }\n", &m, err,
	    sizeof(err)), 1);
	assert_int_equal(expect("/* @EXPECTED_RESULTS@: CORRECT */\n", &m, err,
	    sizeof(err)), 0);
	assert_int_equal(m, KPP_VM(VERDICT_AC));
	assert_int_equal(expect("# @EXPECTED_RESULTS@: wrong-answer,TIMELIMIT,"
	    " RUN-ERROR\r\nprint(1)\n", &m, err, sizeof(err)), 0);
	assert_int_equal(m, KPP_VM(VERDICT_WA) | KPP_VM(VERDICT_TLE) |
	    KPP_VM(VERDICT_RE));
	/* Only that line counts. */
	assert_int_equal(expect("// @EXPECTED_RESULTS@: NO-OUTPUT\n// CORRECT\n",
	    &m, err, sizeof(err)), 0);
	assert_int_equal(m, KPP_VM(VERDICT_WA));
	assert_int_equal(expect("// @EXPECTED_RESULTS@: COMPILER-ERROR", &m, err,
	    sizeof(err)), 0);
	assert_int_equal(m, KPP_VM(VERDICT_CE));
	assert_int_equal(expect("// @EXPECTED_RESULTS@: ACCEPTED\n", &m, err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "ACCEPTED"));
	assert_int_equal(expect("// @EXPECTED_RESULTS@:   \n", &m, err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "names no result"));
}

static void
test_languages(void **state)
{
	(void)state;
	assert_int_equal(kpp_lang_of("submissions/accepted/a.c"), 50);
	assert_int_equal(kpp_lang_of("submissions/accepted/a.CPP"), 54);
	assert_int_equal(kpp_lang_of("x.cc"), 54);
	assert_int_equal(kpp_lang_of("x.go"), 60);
	assert_int_equal(kpp_lang_of("Main.java"), 62);
	assert_int_equal(kpp_lang_of("x.js"), 63);
	assert_int_equal(kpp_lang_of("x.py"), 71);
	assert_int_equal(kpp_lang_of("x.rs"), 73);
	assert_int_equal(kpp_lang_of("Main.kt"), 78);
	assert_int_equal(kpp_lang_of("x.hs"), 0);
	assert_int_equal(kpp_lang_of("Makefile"), 0);
	assert_int_equal(kpp_lang_of("dir.c/file"), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_folders),
		cmocka_unit_test(test_expected_results),
		cmocka_unit_test(test_languages),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
