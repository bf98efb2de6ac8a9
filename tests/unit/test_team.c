/* Unit tests of lib/team.c's CSV rows (team,organization,email[,email…]):
 * the header and blank lines, quoting and trimming, empty emails, the
 * member limit and the reasons of bad rows; and team_strerror. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "team.h"

/* Parse line (copied) as line lineno with a limit of 3. */
static int
row(const char *line, long lineno, struct team_row *out, const char **why,
    char *buf, size_t bufsz)
{
	snprintf(buf, bufsz, "%s", line);
	*why = NULL;
	return team_csv_row(buf, lineno, 3, out, why);
}

static void
test_rows(void **state)
{
	struct team_row t;
	const char *why;
	char buf[512];

	(void)state;
	assert_int_equal(row("team,organization,emails", 1, &t, &why, buf,
	    sizeof(buf)), 1);
	assert_int_equal(row("  \t", 4, &t, &why, buf, sizeof(buf)), 1);
	assert_int_equal(row("\"Gamma, the first\", Uni ,a@x.org, b@x.org ,", 2,
	    &t, &why, buf, sizeof(buf)), 0);
	assert_string_equal(t.name, "Gamma, the first");
	assert_string_equal(t.org, "Uni");
	assert_int_equal(t.n, 2);
	assert_string_equal(t.emails[0], "a@x.org");
	assert_string_equal(t.emails[1], "b@x.org");
	/* No organization, no members: a team to fill later. */
	assert_int_equal(row("Solo,", 3, &t, &why, buf, sizeof(buf)), 0);
	assert_null(t.org);
	assert_int_equal(t.n, 0);
	/* "team" is a header on line 1 only. */
	assert_int_equal(row("team,,a@x.org", 2, &t, &why, buf, sizeof(buf)), 0);
	assert_string_equal(t.name, "team");
}

static void
test_bad_rows(void **state)
{
	struct team_row t;
	const char *why;
	char buf[8192];

	(void)state;
	assert_int_equal(row("A,,a@x,b@x,c@x,d@x", 2, &t, &why, buf,
	    sizeof(buf)), -1);
	assert_string_equal(why, "4 members, a team has at most 3 (TEAM_MAX_MEMBERS)");
	assert_int_equal(row(" ,Org,a@x", 2, &t, &why, buf, sizeof(buf)), -1);
	assert_string_equal(why, "team name is empty");
	assert_int_equal(row("\"A,,a@x", 2, &t, &why, buf, sizeof(buf)), -1);
	assert_string_equal(why, "unterminated quoted field");
	assert_int_equal(row("Only", 2, &t, &why, buf, sizeof(buf)), -1);
	assert_string_equal(why, "expected team,organization,email[,email...]");
	assert_int_equal(row("A,,not-an-email", 2, &t, &why, buf, sizeof(buf)), -1);
	assert_non_null(why);
	assert_int_equal(row("A,\"O\"x,a@x", 2, &t, &why, buf, sizeof(buf)), -1);
	assert_string_equal(why, "text after a closing quote");
	assert_int_equal(row("A\x01,,a@x", 2, &t, &why, buf, sizeof(buf)), -1);
	assert_non_null(why);
	/* More fields than the parser holds. */
	{
		char line[8192];
		size_t n = 0;
		int i;

		n += (size_t)snprintf(line + n, sizeof(line) - n, "A,");
		for (i = 0; i < TEAM_CSV_EMAILS_MAX + 1; i++)
			n += (size_t)snprintf(line + n, sizeof(line) - n, ",");
		assert_int_equal(row(line, 2, &t, &why, buf, sizeof(buf)), -1);
		assert_non_null(strstr(why, "too many fields"));
	}
}

static void
test_strerror(void **state)
{
	(void)state;
	assert_string_equal(team_strerror(TEAM_FULL),
	    "the team is full (TEAM_MAX_MEMBERS)");
	assert_string_equal(team_strerror(TEAM__MAX), "unknown error");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows),
		cmocka_unit_test(test_bad_rows),
		cmocka_unit_test(test_strerror),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
