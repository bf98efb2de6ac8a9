/*
 * Unit tests of lib/db.c's error classification: which SQLSTATEs are
 * transient (retry later) and which blame the statement, and what
 * db_err_fill() says when there is no server at all.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "db.h"

static void
test_transient_classes(void **state)
{
	static const char *const transient[] = {
		"08000", "08006", "08P01",	/* connection */
		"26000",			/* prepared statement gone */
		"40001", "40P01",		/* serialization, deadlock */
		"53100", "53200", "53300",	/* disk, memory, connections */
		"57014", "57P01", "57P03",	/* cancel, shutdown, starting */
		"58030",			/* I/O error */
		"XX000", "XX001",		/* internal */
	};
	static const char *const own[] = {
		"22001", "22P02", "23505", "23503", "23514",
		"42601", "42P01", "42703", "25P02", "55P03", "0A000", "P0001",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(transient) / sizeof(transient[0]); i++)
		if (!db_error_transient(transient[i]))
			fail_msg("%s should be transient", transient[i]);
	for (i = 0; i < sizeof(own) / sizeof(own[0]); i++)
		if (db_error_transient(own[i]))
			fail_msg("%s should blame the statement", own[i]);
	/* No SQLSTATE (connection lost, out of memory) or a malformed one. */
	assert_int_equal(db_error_transient(NULL), 1);
	assert_int_equal(db_error_transient(""), 1);
	assert_int_equal(db_error_transient("23"), 1);
}

static void
test_fill_without_server(void **state)
{
	struct db_err err;
	struct db *db;

	(void)state;
	/* A socket directory that does not exist: no connection at all. */
	db = db_new("host=/nonexistent/pitwall-test dbname=x", 1);
	assert_non_null(db);
	assert_int_equal(db_ensure(db), -1);
	memset(&err, 'x', sizeof(err));
	db_err_fill(db, NULL, &err);
	assert_string_equal(err.sqlstate, "");
	assert_int_equal(err.transient, 1);
	assert_true(strlen(err.message) > 0);
	assert_null(strchr(err.message, '\n'));
	assert_null(db_exec_err(db, "SELECT 1", 0, NULL, &err));
	assert_int_equal(err.transient, 1);
	db_free(db);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_transient_classes),
		cmocka_unit_test(test_fill_without_server),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
