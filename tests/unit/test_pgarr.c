/*
 * Unit tests of worker/pgarr.c: array literals, and allocation failures
 * (open_memstream is wrapped at link time, -Wl,--wrap=open_memstream, to
 * fail on a chosen call) while several builders are opened together, as
 * worker/publish.c and store_fast.c open them.  Under the sanitizer build a free
 * of an uninitialised builder or a leak fails the test.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "extern.h"

FILE	*__real_open_memstream(char **, size_t *);
FILE	*__wrap_open_memstream(char **, size_t *);

/* Calls of open_memstream left before the one that fails; -1: never. */
static int fail_after = -1;

FILE *
__wrap_open_memstream(char **buf, size_t *len)
{
	if (fail_after == 0) {
		fail_after = -1;
		return NULL;
	}
	if (fail_after > 0)
		fail_after--;
	return __real_open_memstream(buf, len);
}

static void
test_literal(void **state)
{
	struct pgarr a;

	(void)state;
	assert_int_equal(pgarr_open(&a), 0);
	pgarr_text(&a, "plain");
	pgarr_text(&a, "q\"u\\o");
	pgarr_text(&a, NULL);
	pgarr_int(&a, -42, 0);
	pgarr_int(&a, 7, 1);
	assert_int_equal(a.n, 5);
	assert_int_equal(pgarr_close(&a), 0);
	assert_string_equal(a.buf, "{\"plain\",\"q\\\"u\\\\o\",NULL,-42,NULL}");
	pgarr_free(&a);
	assert_null(a.buf);
	assert_int_equal(pgarr_open(&a), 0);
	assert_int_equal(pgarr_close(&a), 0);
	assert_string_equal(a.buf, "{}");
	pgarr_free(&a);
}

static void
test_open_all_fails_at_each_step(void **state)
{
	struct pgarr a[5];
	size_t i;
	int k;

	(void)state;
	for (k = 0; k < 5; k++) {
		/* Garbage, as an uninitialised stack array would hold. */
		memset(a, 0xa5, sizeof(a));
		fail_after = k;
		assert_int_equal(pgarr_open_all(a, 5), -1);
		for (i = 0; i < 5; i++) {
			assert_null(a[i].f);
			assert_null(a[i].buf);
		}
		pgarr_free_all(a, 5);	/* harmless after the failure */
	}
	fail_after = -1;
	memset(a, 0xa5, sizeof(a));
	assert_int_equal(pgarr_open_all(a, 5), 0);
	for (i = 0; i < 5; i++)
		pgarr_int(&a[i], (long long)i, 0);
	assert_int_equal(pgarr_close(&a[4]), 0);
	assert_string_equal(a[4].buf, "{4}");
	pgarr_free_all(a, 5);
}

static void
test_close_without_open(void **state)
{
	struct pgarr a;

	(void)state;
	fail_after = 0;
	assert_int_equal(pgarr_open(&a), -1);
	assert_int_equal(pgarr_close(&a), -1);
	pgarr_free(&a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_literal),
		cmocka_unit_test(test_open_all_fails_at_each_step),
		cmocka_unit_test(test_close_without_open),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
