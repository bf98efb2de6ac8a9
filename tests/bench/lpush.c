/*
 * The baseline of tests/bench/callback.py: the least a durable callback
 * can cost.  A FastCGI responder built like pitwall-fcgi (libfcgi,
 * FCGI_THREADS threads each in FCGX_Accept_r on the socket spawn-fcgi
 * passes as fd 0, one Redis connection per thread) that reads the request
 * body, makes it durable with one LPUSH (on the same Redis, AOF fsync
 * always) and answers 204 — no signature, no job envelope.  Whatever
 * /callback costs beyond this is Pitwall's own work.
 */
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <fcgiapp.h>
#include <hiredis/hiredis.h>

static const char *sock_path;

static void *
serve(void *arg)
{
	FCGX_Request r;
	redisContext *c;
	redisReply *rep;
	char *buf;
	size_t cap = 1 << 20, len;
	int n;

	(void)arg;
	if ((buf = malloc(cap)) == NULL || FCGX_InitRequest(&r, 0, 0) != 0)
		return NULL;
	if ((c = redisConnectUnix(sock_path)) == NULL || c->err)
		return NULL;
	while (FCGX_Accept_r(&r) >= 0) {
		len = 0;
		while (len < cap && (n = FCGX_GetStr(buf + len, (int)(cap - len), r.in)) > 0)
			len += (size_t)n;
		rep = redisCommand(c, "LPUSH bench:lpush %b", buf, len);
		if (rep != NULL && rep->type == REDIS_REPLY_INTEGER)
			FCGX_PutS("Status: 204 No Content\r\n\r\n", r.out);
		else
			FCGX_PutS("Status: 503 Service Unavailable\r\n\r\n", r.out);
		freeReplyObject(rep);
		FCGX_Finish_r(&r);
	}
	return NULL;
}

/*
 * SIGTERM/SIGINT end it at once: libfcgi's own handler only sets a flag
 * that threads blocked in accept() never see.
 */
int
main(void)
{
	const char *s = getenv("FCGI_THREADS");
	int i, n = s != NULL ? atoi(s) : 8, sig;
	pthread_t t[256];
	sigset_t set;

	if ((sock_path = getenv("REDIS_SOCKET")) == NULL)
		return 1;
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
