/*
 * The FastCGI accept loop, signal handling, request line, route matching
 * and body reading of pitwall-fcgi and pitwall-judge (see fcgi_server.h).
 */
#include <sys/socket.h>
#include <poll.h>

#include <errno.h>
#include <stdio.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fcgi_server.h"
#include "log.h"

static volatile sig_atomic_t stopping;

struct fcgi_thread {
	const struct fcgi_server	*s;
	void				*ctx;
};

static void
signal_set(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGHUP);
	sigaddset(set, SIGUSR1);
}

void
fcgi_server_signals(void)
{
	sigset_t set;

	signal_set(&set);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
}

static void *
fcgi_thread_main(void *arg)
{
	struct fcgi_thread *t = arg;
	FCGX_Request *req = (FCGX_Request *)((char *)t->ctx +
	    t->s->request_offset);

	if (FCGX_InitRequest(req, 0, 0) != 0) {
		log_error(NULL, "FCGX_InitRequest failed");
		return NULL;
	}
	while (!stopping) {
		if (FCGX_Accept_r(req) < 0)
			break;
		t->s->serve(t->ctx);
	}
	FCGX_Free(req, 1);
	return NULL;
}

int
fcgi_server_run(const struct fcgi_server *s)
{
	struct fcgi_thread *ts;
	pthread_t *tids;
	struct timespec tick = { 1, 0 };
	sigset_t set;
	int i, n, sig, rc = 0;

	signal_set(&set);
	ts = calloc((size_t)s->nthreads, sizeof(*ts));
	tids = calloc((size_t)s->nthreads, sizeof(*tids));
	if (ts == NULL || tids == NULL) {
		log_error(NULL, "out of memory");
		free(ts);
		free(tids);
		return -1;
	}
	for (n = 0; n < s->nthreads; n++) {
		ts[n].s = s;
		ts[n].ctx = (char *)s->threads + (size_t)n * s->thread_size;
		if (pthread_create(&tids[n], NULL, fcgi_thread_main, &ts[n]) != 0) {
			log_error(NULL, "pthread_create: %s", strerror(errno));
			rc = -1;
			sig = SIGTERM;
			goto stop;
		}
	}
	for (;;) {
		if ((sig = sigtimedwait(&set, NULL, &tick)) == -1) {
			if (s->tick != NULL)
				s->tick(s->tick_arg);
			continue;
		}
		if (sig == SIGHUP || sig == SIGUSR1) {
			if (log_reopen() == -1)
				log_error(NULL, "cannot reopen the log file");
			continue;
		}
		break;
	}
	log_info(NULL, "signal %d: finishing requests in flight", sig);
stop:
	stopping = 1;
	FCGX_ShutdownPending();
	/* Wake the threads blocked in accept(): the socket stops listening. */
	shutdown(0, SHUT_RDWR);
	close(0);
	for (i = 0; i < n; i++)
		pthread_join(tids[i], NULL);
	free(ts);
	free(tids);
	return rc;
}

static const char *
request_path(FCGX_ParamArray envp)
{
	const char *p;

	if ((p = FCGX_GetParam("DOCUMENT_URI", envp)) != NULL && *p != '\0')
		return p;
	if ((p = FCGX_GetParam("SCRIPT_NAME", envp)) != NULL && *p != '\0')
		return p;
	return "/";
}

static enum http_method
method_parse(const char *name)
{
	static const struct { const char *n; enum http_method m; } tab[] = {
		{ "GET", METHOD_GET }, { "POST", METHOD_POST },
		{ "PUT", METHOD_PUT }, { "DELETE", METHOD_DELETE },
		{ "HEAD", METHOD_HEAD }, { "PATCH", METHOD_PATCH },
	};
	size_t i;

	for (i = 0; i < sizeof(tab) / sizeof(tab[0]); i++)
		if (strcmp(name, tab[i].n) == 0)
			return tab[i].m;
	return METHOD_OTHER;
}

void
fcgi_request_line(FCGX_Request *req, struct fcgi_request_line *out)
{
	if ((out->method_name = FCGX_GetParam("REQUEST_METHOD", req->envp)) == NULL)
		out->method_name = "GET";
	out->method = method_parse(out->method_name);
	out->path = request_path(req->envp);
	if ((out->query = FCGX_GetParam("QUERY_STRING", req->envp)) == NULL)
		out->query = "";
}

enum fcgi_match
fcgi_route_find(const void *table, size_t n, size_t stride, const char *path,
    enum http_method method, size_t *idx)
{
	const struct fcgi_route *c;
	size_t i;

	for (i = 0; i < n; i++) {
		c = (const struct fcgi_route *)((const char *)table + i * stride);
		if (c->path == NULL)
			continue;
		if (c->prefix ? strncmp(path, c->path, strlen(c->path)) == 0 :
		    strcmp(path, c->path) == 0) {
			*idx = i;
			return (c->methods & method) ? FCGI_ROUTE_FOUND :
			    FCGI_ROUTE_METHOD;
		}
	}
	return FCGI_ROUTE_NONE;
}

int
fcgi_body_read(FCGX_Request *req, size_t max, char **body, size_t *len,
    char *err, size_t errsz)
{
	const char *cl = FCGX_GetParam("CONTENT_LENGTH", req->envp);
	unsigned long long want = 0;
	char *end;
	size_t got = 0;
	int n;

	*body = NULL;
	*len = 0;
	if (cl != NULL && *cl != '\0') {
		want = strtoull(cl, &end, 10);
		if (*end != '\0') {
			snprintf(err, errsz, "Content-Length is not a number");
			return 400;
		}
	}
	if (want > max) {
		snprintf(err, errsz, "the request body is larger than %zu bytes",
		    max);
		return 413;
	}
	if ((*body = malloc((size_t)want + 1)) == NULL) {
		snprintf(err, errsz, "out of memory");
		return 500;
	}
	while (got < want) {
		n = FCGX_GetStr(*body + got, (int)(want - got), req->in);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	if (got < want) {
		free(*body);
		*body = NULL;
		snprintf(err, errsz, "the request body was cut short");
		return 400;
	}
	(*body)[got] = '\0';
	*len = got;
	return 0;
}

int
fcgi_peer_gone(const FCGX_Request *req)
{
	struct pollfd p = { .fd = req->ipcFd, .events = POLLRDHUP };

	if (req->ipcFd < 0)
		return 1;
	if (poll(&p, 1, 0) != 1)
		return 0;
	return (p.revents & (POLLRDHUP | POLLHUP | POLLERR | POLLNVAL)) != 0;
}

int
fcgi_server_stopping(void)
{
	return stopping != 0;
}
