/* Unit tests of lib/fcgi_server.c: route matching over a route table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "fcgi_server.h"

/* A program's route struct: struct fcgi_route first, then its own. */
struct test_route {
	struct fcgi_route	 m;
	int			 tag;
};

static const struct test_route routes[] = {
	{ { "/submissions/batch", 0, METHOD_GET | METHOD_POST }, 1 },
	{ { "/submissions/", 1, METHOD_GET }, 2 },
	{ { "/submissions", 0, METHOD_POST }, 3 },
	{ { NULL, 0, 0 }, 4 },			/* an unused slot */
	{ { "/time", 0, METHOD_GET | METHOD_HEAD }, 5 },
};

static enum fcgi_match
find(const char *path, enum http_method m, int *tag)
{
	size_t i = 99;
	enum fcgi_match rc;

	rc = fcgi_route_find(routes, sizeof(routes) / sizeof(routes[0]),
	    sizeof(routes[0]), path, m, &i);
	*tag = rc == FCGI_ROUTE_NONE ? 0 : routes[i].tag;
	return rc;
}

static void
test_route_find(void **state)
{
	int tag;

	(void)state;
	assert_int_equal(find("/submissions", METHOD_POST, &tag), FCGI_ROUTE_FOUND);
	assert_int_equal(tag, 3);
	/* The first match wins: the exact route before the prefix. */
	assert_int_equal(find("/submissions/batch", METHOD_GET, &tag), FCGI_ROUTE_FOUND);
	assert_int_equal(tag, 1);
	assert_int_equal(find("/submissions/abc", METHOD_GET, &tag), FCGI_ROUTE_FOUND);
	assert_int_equal(tag, 2);
	/* The path matches, the method does not: 405 with the route. */
	assert_int_equal(find("/submissions/abc", METHOD_DELETE, &tag), FCGI_ROUTE_METHOD);
	assert_int_equal(tag, 2);
	assert_int_equal(find("/submissions", METHOD_GET, &tag), FCGI_ROUTE_METHOD);
	assert_int_equal(tag, 3);
	assert_int_equal(find("/time", METHOD_HEAD, &tag), FCGI_ROUTE_FOUND);
	assert_int_equal(tag, 5);
	/* Exact routes are exact; unused slots are skipped. */
	assert_int_equal(find("/timex", METHOD_GET, &tag), FCGI_ROUTE_NONE);
	assert_int_equal(find("/time/", METHOD_GET, &tag), FCGI_ROUTE_NONE);
	assert_int_equal(find("/", METHOD_GET, &tag), FCGI_ROUTE_NONE);
	assert_int_equal(find("", METHOD_GET, &tag), FCGI_ROUTE_NONE);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_route_find),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
