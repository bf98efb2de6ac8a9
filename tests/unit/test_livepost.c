/* Unit tests of lib/livepost.c: LIVE_PUBLISH_URL's list parsed, and one
 * message sent to every publisher of it (two small HTTP listeners of this
 * test), a refused one and one that never answers failing alone. */
#include <sys/socket.h>

#include <netinet/in.h>

#include <arpa/inet.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "livepost.h"

static void
test_parse(void **state)
{
	struct livepost_urls u;

	(void)state;
	assert_int_equal(livepost_parse(&u, NULL), 0);
	assert_int_equal(livepost_parse(&u, ""), 0);
	assert_int_equal(livepost_parse(&u, " , ,"), 0);
	assert_int_equal(livepost_parse(&u, "ftp://x/live"), 0);

	/* One URL: as it always was. */
	assert_int_equal(livepost_parse(&u, "http://127.0.0.1:8442/live"), 1);
	assert_string_equal(u.url[0], "http://127.0.0.1:8442/live");

	/* A list: blanks and a trailing '/' dropped, junk skipped. */
	assert_int_equal(livepost_parse(&u, " http://10.0.0.11:8442/live/ ,"
	    "nonsense,,https://[fd00::12]:8442/live\t"), 2);
	assert_string_equal(u.url[0], "http://10.0.0.11:8442/live");
	assert_string_equal(u.url[1], "https://[fd00::12]:8442/live");
}

static void
test_parse_limits(void **state)
{
	struct livepost_urls u;
	char list[LIVEPOST_URL_MAX * 2 + 64], big[LIVEPOST_URL_MAX + 8];
	size_t i;

	(void)state;
	memset(big, 'a', sizeof(big) - 1);
	memcpy(big, "http://", 7);
	big[sizeof(big) - 1] = '\0';
	snprintf(list, sizeof(list), "%s,http://ok/live", big);
	assert_int_equal(livepost_parse(&u, list), 1);
	assert_string_equal(u.url[0], "http://ok/live");

	list[0] = '\0';
	for (i = 0; i < LIVEPOST_MAX + 2; i++)
		snprintf(list + strlen(list), sizeof(list) - strlen(list),
		    "%shttp://h%zu/l", i ? "," : "", i);
	assert_int_equal(livepost_parse(&u, list), LIVEPOST_MAX);
	assert_string_equal(u.url[LIVEPOST_MAX - 1], "http://h7/l");
}

/* A listener on 127.0.0.1 that answers 201 to each request (answer) or
 * never accepts (silent), and keeps the last request line and body. */
struct listener {
	int		 fd;
	int		 port;
	int		 answer;
	int		 requests;
	char		 line[256];
	char		 body[256];
	pthread_t	 th;
};

static void *
serve(void *arg)
{
	struct listener *l = arg;
	struct pollfd p = { l->fd, POLLIN, 0 };
	char buf[4096], *eol, *hdr_end;
	size_t got;
	ssize_t n;
	int c;

	while (poll(&p, 1, 2000) > 0) {
		if ((c = accept(l->fd, NULL, NULL)) == -1)
			break;
		got = 0;
		hdr_end = NULL;
		while (got < sizeof(buf) - 1 &&
		    (n = read(c, buf + got, sizeof(buf) - 1 - got)) > 0) {
			got += (size_t)n;
			buf[got] = '\0';
			if ((hdr_end = strstr(buf, "\r\n\r\n")) != NULL &&
			    strstr(hdr_end + 4, "}") != NULL)
				break;
		}
		if (hdr_end != NULL && (eol = strstr(buf, "\r\n")) != NULL) {
			snprintf(l->line, sizeof(l->line), "%.*s",
			    (int)(eol - buf), buf);
			snprintf(l->body, sizeof(l->body), "%s", hdr_end + 4);
			l->requests++;
		}
		dprintf(c, "HTTP/1.1 201 Created\r\nContent-Length: 0\r\n"
		    "Connection: close\r\n\r\n");
		close(c);
		break;
	}
	return NULL;
}

static void
listener_start(struct listener *l, int answer)
{
	struct sockaddr_in a;
	socklen_t len = sizeof(a);

	memset(l, 0, sizeof(*l));
	l->answer = answer;
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_true((l->fd = socket(AF_INET, SOCK_STREAM, 0)) != -1);
	assert_int_equal(bind(l->fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(l->fd, 8), 0);
	assert_int_equal(getsockname(l->fd, (struct sockaddr *)&a, &len), 0);
	l->port = ntohs(a.sin_port);
	if (answer)
		assert_int_equal(pthread_create(&l->th, NULL, serve, l), 0);
}

static void
listener_stop(struct listener *l)
{
	if (l->answer)
		pthread_join(l->th, NULL);
	close(l->fd);
}

/* A port that refuses: bound (so nothing else gets it) but not listening.
 * *fd is the socket, closed by the caller at the end. */
static int
refused_port(int *fd)
{
	struct sockaddr_in a;
	socklen_t len = sizeof(a);

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_true((*fd = socket(AF_INET, SOCK_STREAM, 0)) != -1);
	assert_int_equal(bind(*fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(getsockname(*fd, (struct sockaddr *)&a, &len), 0);
	return ntohs(a.sin_port);
}

static void
test_send_every_publisher(void **state)
{
	struct listener a, b, silent;
	struct livepost_result res;
	struct timespec t0, t1;
	char list[512];
	double took;
	int dead, deadfd;

	(void)state;
	dead = refused_port(&deadfd);
	listener_start(&a, 1);
	listener_start(&silent, 0);
	listener_start(&b, 1);
	/* The failing ones first: they must not stop those after them. */
	snprintf(list, sizeof(list), "http://127.0.0.1:%d/live,"
	    "http://127.0.0.1:%d/live, http://127.0.0.1:%d/live,"
	    "http://127.0.0.1:%d/live/", dead, silent.port, a.port, b.port);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(livepost_send(list, "submissions/42",
	    "{\"type\":\"done\"}", 500, &res), 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	listener_stop(&a);
	listener_stop(&b);
	listener_stop(&silent);
	close(deadfd);
	took = (double)(t1.tv_sec - t0.tv_sec) +
	    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;

	assert_int_equal(res.tried, 4);
	assert_int_equal(res.failed, 2);
	assert_int_equal(res.failed_mask, 0x3);
	assert_non_null(res.why);
	assert_true(took < 2.0);	/* concurrent: one timeout, not two */
	assert_int_equal(a.requests, 1);
	assert_int_equal(b.requests, 1);
	assert_string_equal(a.line, "POST /live/submissions/42 HTTP/1.1");
	assert_string_equal(b.line, "POST /live/submissions/42 HTTP/1.1");
	assert_string_equal(a.body, "{\"type\":\"done\"}");
	assert_string_equal(b.body, "{\"type\":\"done\"}");
}

static void
test_send_off(void **state)
{
	struct livepost_result res;

	(void)state;
	assert_int_equal(livepost_send("", "leaderboard", "{}", 500, &res), 0);
	assert_int_equal(res.tried, 0);
	assert_int_equal(livepost_send(NULL, "leaderboard", "{}", 500, &res), 0);
	assert_int_equal(res.tried, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_parse_limits),
		cmocka_unit_test(test_send_every_publisher),
		cmocka_unit_test(test_send_off),
	};

	curl_global_init(CURL_GLOBAL_DEFAULT);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
