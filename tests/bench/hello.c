/*
 * The baseline of tests/bench/callback.py: the smallest useful FastCGI
 * responder, built like pitwall-fcgi (libfcgi, FCGI_THREADS threads each
 * in FCGX_Accept_r on the socket spawn-fcgi passes as fd 0).  It reads the
 * request body, as /callback does, and answers 204.  Whatever /callback
 * costs beyond this is Pitwall's own work (signature, Redis LPUSH).
 */
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include <fcgiapp.h>

static void *
serve(void *arg)
{
	FCGX_Request r;
	char buf[65536];

	(void)arg;
	if (FCGX_InitRequest(&r, 0, 0) != 0)
		return NULL;
	while (FCGX_Accept_r(&r) >= 0) {
		while (FCGX_GetStr(buf, sizeof(buf), r.in) > 0)
			;
		FCGX_PutS("Status: 204 No Content\r\n\r\n", r.out);
		FCGX_Finish_r(&r);
	}
	return NULL;
}

/*
 * SIGTERM/SIGINT end it at once: libfcgi's own handler only sets a flag
 * that threads blocked in accept() never see, so the benchmark's
 * responders outlived it before.
 */
int
main(void)
{
	const char *s = getenv("FCGI_THREADS");
	int i, n = s != NULL ? atoi(s) : 8, sig;
	pthread_t t[256];
	sigset_t set;

	if (n < 1 || n > 256)
		n = 8;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	if (FCGX_Init() != 0)
		return 1;
	for (i = 0; i < n; i++)
		if (pthread_create(&t[i], NULL, serve, NULL) != 0)
			return 1;
	while (sigwait(&set, &sig) != 0)
		;
	_exit(0);
}
