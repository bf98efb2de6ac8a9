/*
 * The FastCGI accept loop and signal handling of pitwall-fcgi and
 * pitwall-judge (see fcgi_server.h).
 */
#include <sys/socket.h>

#include <errno.h>
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
	FCGX_Request *req = t->s->request(t->ctx);

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

const char *
fcgi_request_path(FCGX_ParamArray envp)
{
	const char *p;

	if ((p = FCGX_GetParam("DOCUMENT_URI", envp)) != NULL && *p != '\0')
		return p;
	if ((p = FCGX_GetParam("SCRIPT_NAME", envp)) != NULL && *p != '\0')
		return p;
	return "/";
}
