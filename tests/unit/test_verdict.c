/* Unit tests of lib/verdict.c: statuses, Judge0's comparison, result bodies. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "judge0.h"
#include "verdict.h"

static int
same(const char *out, const char *exp)
{
	return verdict_output_matches(out, strlen(out), exp, strlen(exp));
}

static void
test_status_map(void **state)
{
	static const struct {
		int		status;
		enum verdict	v;
	} map[] = {
		{ 4, VERDICT_WA }, { 5, VERDICT_TLE }, { 6, VERDICT_CE },
		{ 7, VERDICT_RE }, { 8, VERDICT_OLE }, { 9, VERDICT_RE },
		{ 10, VERDICT_RE }, { 11, VERDICT_RE }, { 12, VERDICT_RE },
		{ 13, VERDICT_IE }, { 14, VERDICT_RE },
	};
	enum verdict v;
	size_t i;

	(void)state;
	assert_int_equal(verdict_from_status(1, "", 0, "", 0, &v), VERDICT_PENDING);
	assert_int_equal(verdict_from_status(2, "", 0, "", 0, &v), VERDICT_PENDING);
	assert_int_equal(verdict_from_status(3, "4\n", 2, "4", 1, &v), VERDICT_FINAL);
	assert_int_equal(v, VERDICT_AC);
	assert_int_equal(verdict_from_status(3, "5\n", 2, "4", 1, &v), VERDICT_FINAL);
	assert_int_equal(v, VERDICT_WA);
	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		v = VERDICT__MAX;
		/* Output that matches never turns a failure into AC. */
		assert_int_equal(verdict_from_status(map[i].status, "4", 1, "4", 1,
		    &v), VERDICT_FINAL);
		assert_int_equal(v, map[i].v);
	}
	assert_int_equal(verdict_from_status(0, "", 0, "", 0, &v), VERDICT_BAD_STATUS);
	assert_int_equal(verdict_from_status(15, "", 0, "", 0, &v), VERDICT_BAD_STATUS);
	assert_int_equal(verdict_from_status(-3, "", 0, "", 0, &v), VERDICT_BAD_STATUS);
}

static void
test_names(void **state)
{
	(void)state;
	assert_string_equal(verdict_name(VERDICT_AC), "AC");
	assert_string_equal(verdict_name(VERDICT_WA), "WA");
	assert_string_equal(verdict_name(VERDICT_TLE), "TLE");
	assert_string_equal(verdict_name(VERDICT_CE), "CE");
	assert_string_equal(verdict_name(VERDICT_RE), "RE");
	assert_string_equal(verdict_name(VERDICT_IE), "IE");
	assert_string_equal(verdict_name(VERDICT_MLE), "MLE");
	assert_string_equal(verdict_name(VERDICT_OLE), "OLE");
	/* Judge0 has no memory status: the embedded judge's message says it. */
	assert_int_equal(verdict_refine(VERDICT_RE, "Memory limit exceeded", 21),
	    VERDICT_MLE);
	assert_int_equal(verdict_refine(VERDICT_RE, "Caught fatal signal 11", 22),
	    VERDICT_RE);
	assert_int_equal(verdict_refine(VERDICT_WA, "Memory limit exceeded", 21),
	    VERDICT_WA);
	assert_int_equal(verdict_refine(VERDICT_RE, NULL, 0), VERDICT_RE);
	assert_string_equal(verdict_name(VERDICT__MAX), "?");
}

static void
test_comparison(void **state)
{
	(void)state;
	assert_true(same("1 2 3\n", "1 2 3"));
	assert_true(same("1 2 3   \t\n", "1 2 3"));		/* trailing spaces */
	assert_true(same("a\r\nb\r\n", "a\nb\n"));		/* CRLF */
	assert_true(same("a\nb\n\n\n\n", "a\nb"));		/* trailing blank lines */
	assert_true(same("a  \nb\t\n  \n", "a\nb"));
	assert_true(same("", ""));				/* empty output */
	assert_true(same("\n\n", ""));
	assert_true(verdict_output_matches(NULL, 0, "", 0));
	assert_true(verdict_output_matches(NULL, 0, "\n", 1));
	assert_false(same(" 1", "1"));			/* leading whitespace matters */
	assert_false(same("1", " 1"));
	assert_false(same("a\n\nb", "a\nb"));		/* inner blank lines matter */
	assert_false(same("a b", "a  b"));		/* inner spaces matter */
	assert_false(same("", "0"));
	assert_false(verdict_output_matches(NULL, 0, "x", 1));
	assert_false(same("ab", "a"));
	assert_false(same("a", "A"));
	/* NUL bytes are data, except at a line's end (Ruby's rstrip). */
	assert_true(verdict_output_matches("a\0\n", 3, "a", 1));
	assert_false(verdict_output_matches("a\0b", 3, "ab", 2));
}

static void
test_time(void **state)
{
	int ms = -1;

	(void)state;
	assert_int_equal(verdict_time_ms("0.045", &ms), 0);
	assert_int_equal(ms, 45);
	assert_int_equal(verdict_time_ms("1", &ms), 0);
	assert_int_equal(ms, 1000);
	assert_int_equal(verdict_time_ms("0.0005", &ms), 0);
	assert_int_equal(ms, 1);
	assert_int_equal(verdict_time_ms("2.0014", &ms), 0);
	assert_int_equal(ms, 2001);
	assert_int_equal(verdict_time_ms("", &ms), -1);
	assert_int_equal(verdict_time_ms("-1", &ms), -1);
	assert_int_equal(verdict_time_ms("0.1s", &ms), -1);
	assert_int_equal(verdict_time_ms("nan", &ms), -1);
	assert_int_equal(verdict_time_ms(NULL, &ms), -1);
}

/* base64 as Ruby's encode64 writes it: a '\n' after 60 chars and at the end. */
static char *
ruby_b64(const char *s, size_t len)
{
	char *plain = b64_encode(s, len), *out;
	size_t i, n = 0, pl = strlen(plain);

	out = malloc(pl + pl / 60 + 2);
	for (i = 0; i < pl; i++) {
		out[n++] = plain[i];
		if ((i + 1) % 60 == 0)
			out[n++] = '\n';
	}
	if (n == 0 || out[n - 1] != '\n')
		out[n++] = '\n';
	out[n] = '\0';
	free(plain);
	return out;
}

static void
test_b64_wrapped(void **state)
{
	char text[200], *enc, *dec;
	size_t i, len = 0;

	(void)state;
	for (i = 0; i < sizeof(text); i++)
		text[i] = (char)('a' + i % 26);
	enc = ruby_b64(text, sizeof(text));
	assert_non_null(strchr(enc, '\n'));
	assert_true(strchr(enc, '\n') - enc == 60);
	dec = b64_decode(enc, strlen(enc), &len);
	assert_non_null(dec);
	assert_int_equal(len, sizeof(text));
	assert_memory_equal(dec, text, sizeof(text));
	free(dec);
	free(enc);

	dec = b64_decode("aGkK\n", 5, &len);
	assert_non_null(dec);
	assert_int_equal(len, 3);
	assert_string_equal(dec, "hi\n");
	free(dec);
	assert_null(b64_decode("a*b=", 4, &len));
	assert_null(b64_decode("abc", 3, &len));
}

static void
test_result_parse(void **state)
{
	struct verdict_result r;
	char err[256], body[1024], *out, *msg;
	enum verdict v;

	(void)state;
	out = ruby_b64("1 2 3  \r\n", 9);
	msg = ruby_b64("Exited with error status 1", 26);
	snprintf(body, sizeof(body), "{\"token\":\"abc\",\"time\":\"0.045\","
	    "\"memory\":3456,\"stdout\":\"%s\",\"stderr\":null,"
	    "\"compile_output\":null,\"message\":\"%s\","
	    "\"status\":{\"id\":3,\"description\":\"Accepted\"}}", out, msg);
	assert_int_equal(verdict_result_parse(body, strlen(body), &r, err,
	    sizeof(err)), 0);
	assert_string_equal(r.token, "abc");
	assert_int_equal(r.status_id, 3);
	assert_int_equal(r.time_ms, 45);
	assert_int_equal(r.memory_kb, 3456);
	assert_int_equal(r.out_len, 9);
	assert_string_equal(r.out, "1 2 3  \r\n");
	assert_null(r.err);
	assert_string_equal(r.message, "Exited with error status 1");
	assert_int_equal(verdict_from_status(r.status_id, r.out, r.out_len,
	    "1 2 3\n", 6, &v), VERDICT_FINAL);
	assert_int_equal(v, VERDICT_AC);
	verdict_result_clear(&r);

	/* time and memory null (compile error) */
	snprintf(body, sizeof(body), "{\"time\":null,\"memory\":null,"
	    "\"stdout\":null,\"compile_output\":\"%s\",\"status\":{\"id\":6}}",
	    msg);
	assert_int_equal(verdict_result_parse(body, strlen(body), &r, err,
	    sizeof(err)), 0);
	assert_int_equal(r.time_ms, -1);
	assert_int_equal(r.memory_kb, -1);
	assert_null(r.out);
	assert_non_null(r.compile_output);
	verdict_result_clear(&r);

	/* refused */
	assert_int_equal(verdict_result_parse("{", 1, &r, err, sizeof(err)), -1);
	verdict_result_clear(&r);
	assert_int_equal(verdict_result_parse("[]", 2, &r, err, sizeof(err)), -1);
	verdict_result_clear(&r);
	snprintf(body, sizeof(body), "{\"stdout\":\"aGk=\"}");
	assert_int_equal(verdict_result_parse(body, strlen(body), &r, err,
	    sizeof(err)), -1);
	verdict_result_clear(&r);
	snprintf(body, sizeof(body), "{\"stdout\":\"@@@not base64\","
	    "\"status\":{\"id\":3}}");
	assert_int_equal(verdict_result_parse(body, strlen(body), &r, err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "stdout"));
	verdict_result_clear(&r);
	snprintf(body, sizeof(body), "{\"time\":\"fast\",\"status\":{\"id\":3}}");
	assert_int_equal(verdict_result_parse(body, strlen(body), &r, err,
	    sizeof(err)), -1);
	verdict_result_clear(&r);
	snprintf(body, sizeof(body), "{\"memory\":\"1\",\"status\":{\"id\":3}}");
	assert_int_equal(verdict_result_parse(body, strlen(body), &r, err,
	    sizeof(err)), -1);
	verdict_result_clear(&r);
	free(out);
	free(msg);
}

static void
test_excerpt(void **state)
{
	char *e;

	(void)state;
	assert_null(verdict_excerpt(NULL, 0, 10));
	e = verdict_excerpt("hello", 5, 3);
	assert_string_equal(e, "hel");
	free(e);
	e = verdict_excerpt("a\0b\xff", 4, 10);		/* NUL and bad bytes */
	assert_string_equal(e, "a?b?");
	free(e);
	e = verdict_excerpt("x\xc3\xa9y", 4, 2);	/* never split é */
	assert_string_equal(e, "x");
	free(e);
	e = verdict_excerpt("x\xc3\xa9y", 4, 3);
	assert_string_equal(e, "x\xc3\xa9");
	free(e);
	e = verdict_excerpt("\xc3", 1, 5);		/* truncated sequence */
	assert_string_equal(e, "?");
	free(e);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_status_map),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_comparison),
		cmocka_unit_test(test_time),
		cmocka_unit_test(test_b64_wrapped),
		cmocka_unit_test(test_result_parse),
		cmocka_unit_test(test_excerpt),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
