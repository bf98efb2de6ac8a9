/*
 * Unit tests of lib/sign.c: the callback signature, its URL, and the check
 * that refuses a signature made for another submission, testcase, attempt
 * or key.  Linked with -Wl,--wrap=sodium_memcmp (tests/tests.mk) to see
 * that the check compares in constant time.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "sign.h"

#define KEY	"k3y-for-unit-tests"
#define SID	"3f2a9c1e-0000-4000-8000-00000000abcd"

/*
 * HMAC-SHA256(KEY, SID "\n42\n3"), computed apart from this code with
 * Python's hmac module:
 *   hmac.new(b"k3y-for-unit-tests", b"3f2a...abcd\n42\n3", hashlib.sha256)
 */
#define SIG_42_3 "cc4ac06f59321921f8abc1cd95d26221c2c696cf827bf6b0d964cd18311d5785"

/* Calls of sodium_memcmp by the code under test, and their lengths. */
static int	memcmp_calls;
static size_t	memcmp_len;

int	__wrap_sodium_memcmp(const void *, const void *, size_t);
int	__real_sodium_memcmp(const void *, const void *, size_t);

int
__wrap_sodium_memcmp(const void *a, const void *b, size_t len)
{
	memcmp_calls++;
	memcmp_len = len;
	return __real_sodium_memcmp(a, b, len);
}

static void
test_known_answer(void **state)
{
	char hex[SIGN_HEX_LEN + 1];

	(void)state;
	memset(hex, 'x', sizeof(hex));
	assert_int_equal(sign_callback(KEY, SID, 42, 3, hex), 0);
	assert_string_equal(hex, SIG_42_3);
	/* Each of sid, tid and attempt is in the MAC. */
	assert_int_equal(sign_callback(KEY, SID, 42, 4, hex), 0);
	assert_string_not_equal(hex, SIG_42_3);
	assert_int_equal(sign_callback(KEY, SID, 43, 3, hex), 0);
	assert_string_not_equal(hex, SIG_42_3);
	assert_int_equal(sign_callback(KEY, "3f2a9c1e-0000-4000-8000-00000000abce", 42, 3, hex), 0);
	assert_string_not_equal(hex, SIG_42_3);
	assert_int_equal(sign_callback("k3y-for-unit-tests!", SID, 42, 3, hex), 0);
	assert_string_not_equal(hex, SIG_42_3);
}

static void
test_verify_accepts_its_own(void **state)
{
	char hex[SIGN_HEX_LEN + 1];

	(void)state;
	assert_int_equal(sign_callback_verify(KEY, SID, 42, 3, SIG_42_3), 0);
	assert_int_equal(sign_callback(KEY, SID, 9000000000LL, 1, hex), 0);
	assert_int_equal(sign_callback_verify(KEY, SID, 9000000000LL, 1, hex), 0);
}

static void
test_verify_refuses_other_callbacks(void **state)
{
	(void)state;
	/* A signature made for SID/42/3 reports nothing else. */
	assert_int_equal(sign_callback_verify(KEY, SID, 42, 2, SIG_42_3), -1);
	assert_int_equal(sign_callback_verify(KEY, SID, 42, 4, SIG_42_3), -1);
	assert_int_equal(sign_callback_verify(KEY, SID, 41, 3, SIG_42_3), -1);
	assert_int_equal(sign_callback_verify(KEY, SID, -42, 3, SIG_42_3), -1);
	assert_int_equal(sign_callback_verify(KEY,
	    "3f2a9c1e-0000-4000-8000-00000000abce", 42, 3, SIG_42_3), -1);
	assert_int_equal(sign_callback_verify(KEY, "", 42, 3, SIG_42_3), -1);
	assert_int_equal(sign_callback_verify("another-key-entirely", SID, 42, 3,
	    SIG_42_3), -1);
}

static void
test_verify_refuses_malformed(void **state)
{
	char hex[SIGN_HEX_LEN + 2];
	size_t i;

	(void)state;
	assert_int_equal(sign_callback_verify(KEY, SID, 42, 3, NULL), -1);
	assert_int_equal(sign_callback_verify(KEY, SID, 42, 3, ""), -1);
	/* One character short, one too many. */
	snprintf(hex, sizeof(hex), "%.*s", SIGN_HEX_LEN - 1, SIG_42_3);
	assert_int_equal(sign_callback_verify(KEY, SID, 42, 3, hex), -1);
	snprintf(hex, sizeof(hex), "%s0", SIG_42_3);
	assert_int_equal(sign_callback_verify(KEY, SID, 42, 3, hex), -1);
	/* Any one digit changed, and a non-hex digit. */
	for (i = 0; i < SIGN_HEX_LEN; i++) {
		snprintf(hex, sizeof(hex), "%s", SIG_42_3);
		hex[i] = hex[i] == '0' ? '1' : '0';
		assert_int_equal(sign_callback_verify(KEY, SID, 42, 3, hex), -1);
	}
	snprintf(hex, sizeof(hex), "%s", SIG_42_3);
	hex[10] = 'g';
	assert_int_equal(sign_callback_verify(KEY, SID, 42, 3, hex), -1);
	/* A sid too long for the message is refused, not truncated. */
	{
		char sid[300];

		memset(sid, 'a', sizeof(sid) - 1);
		sid[sizeof(sid) - 1] = '\0';
		assert_int_equal(sign_callback(KEY, sid, 42, 3, hex), -1);
		assert_int_equal(sign_callback_verify(KEY, sid, 42, 3, SIG_42_3), -1);
	}
}

static void
test_verify_compares_in_constant_time(void **state)
{
	(void)state;
	memcmp_calls = 0;
	memcmp_len = 0;
	assert_int_equal(sign_callback_verify(KEY, SID, 42, 3, SIG_42_3), 0);
	assert_int_equal(memcmp_calls, 1);
	assert_int_equal(memcmp_len, 32);	/* the whole MAC, in binary */
	memcmp_calls = 0;
	assert_int_equal(sign_callback_verify(KEY, SID, 42, 4, SIG_42_3), -1);
	assert_int_equal(memcmp_calls, 1);
}

static void
test_url(void **state)
{
	char url[512], small[64];

	(void)state;
	assert_int_equal(sign_callback_url(KEY, "http://127.0.0.1:8442//", SID, 42, 3,
	    url, sizeof(url)), 0);
	assert_string_equal(url, "http://127.0.0.1:8442/callback?s=" SID
	    "&t=42&a=3&sig=" SIG_42_3);
	assert_int_equal(sign_callback_url(KEY, "http://h", SID, 42, 3, url,
	    sizeof(url)), 0);
	assert_string_equal(url, "http://h/callback?s=" SID "&t=42&a=3&sig=" SIG_42_3);
	/* Does not fit: refused, not cut. */
	assert_int_equal(sign_callback_url(KEY, "http://h", SID, 42, 3, small,
	    sizeof(small)), -1);
	assert_int_equal(sign_callback_url(KEY, "http://h", SID, 42, 3, url,
	    strlen(url)), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_known_answer),
		cmocka_unit_test(test_verify_accepts_its_own),
		cmocka_unit_test(test_verify_refuses_other_callbacks),
		cmocka_unit_test(test_verify_refuses_malformed),
		cmocka_unit_test(test_verify_compares_in_constant_time),
		cmocka_unit_test(test_url),
	};

	return cmocka_run_group_tests_name("sign", tests, NULL, NULL);
}
