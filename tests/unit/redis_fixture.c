/*
 * A throwaway redis-server for the unit tests of code that talks to Redis
 * (lib/dispatch.c, lib/cache.c): the real server, not a mock, so the
 * tests see the keys and values the code really writes.
 */
#include <sys/prctl.h>
#include <sys/wait.h>

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "redis.h"
#include "redis_fixture.h"

/* Remove dir's files (the server writes only these) and dir itself. */
static void
fixture_rmdir(const char *dir)
{
	static const char *const files[] = { "redis.sock", "redis.log", "dump.rdb" };
	char path[128];
	size_t i;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		(void)unlink(path);
	}
	(void)rmdir(dir);
}

int
redis_fixture_start(struct redis_fixture *fx)
{
	struct timespec nap = { 0, 20 * 1000 * 1000 };
	char logf[128];
	int i;

	memset(fx, 0, sizeof(*fx));
	fx->pid = -1;
	snprintf(fx->dir, sizeof(fx->dir), "/tmp/pitwall-unit.XXXXXX");
	if (mkdtemp(fx->dir) == NULL) {
		fprintf(stderr, "%s: mkdtemp: %s\n", __func__, strerror(errno));
		fx->dir[0] = '\0';
		return -1;
	}
	snprintf(fx->socket, sizeof(fx->socket), "%s/redis.sock", fx->dir);
	snprintf(logf, sizeof(logf), "%s/redis.log", fx->dir);
	if ((fx->pid = fork()) == -1) {
		fprintf(stderr, "%s: fork: %s\n", __func__, strerror(errno));
		goto fail;
	}
	if (fx->pid == 0) {
		/* The server goes when the test does, however it ends. */
		(void)prctl(PR_SET_PDEATHSIG, SIGTERM);
		execlp("redis-server", "redis-server", "--port", "0",
		    "--unixsocket", fx->socket, "--dir", fx->dir, "--save", "",
		    "--appendonly", "no", "--daemonize", "no", "--logfile", logf,
		    (char *)NULL);
		fprintf(stderr, "%s: redis-server: %s\n", __func__, strerror(errno));
		_exit(127);
	}
	for (i = 0; i < 250; i++) {	/* 5 s */
		redisReply *rep;

		if (access(fx->socket, F_OK) == 0 &&
		    (fx->c = redisConnectUnix(fx->socket)) != NULL) {
			if (fx->c->err == 0 &&
			    (rep = redisCommand(fx->c, "PING")) != NULL) {
				freeReplyObject(rep);
				return 0;
			}
			redisFree(fx->c);
			fx->c = NULL;
		}
		if (waitpid(fx->pid, NULL, WNOHANG) == fx->pid) {
			fprintf(stderr, "%s: redis-server exited (see %s)\n", __func__, logf);
			fx->pid = -1;
			goto fail;
		}
		nanosleep(&nap, NULL);
	}
	fprintf(stderr, "%s: redis-server did not answer on %s\n", __func__, fx->socket);
fail:
	redis_fixture_stop(fx);
	return -1;
}

void
redis_fixture_stop(struct redis_fixture *fx)
{
	if (fx->c != NULL)
		redisFree(fx->c);
	fx->c = NULL;
	if (fx->pid > 0) {
		(void)kill(fx->pid, SIGTERM);
		(void)waitpid(fx->pid, NULL, 0);
	}
	fx->pid = -1;
	if (fx->dir[0] != '\0')
		fixture_rmdir(fx->dir);
	fx->dir[0] = '\0';
}

redisReply *
redis_fixture_cmd(struct redis_fixture *fx, const char *fmt, ...)
{
	va_list ap;
	redisReply *rep;

	va_start(ap, fmt);
	rep = redisvCommand(fx->c, fmt, ap);
	va_end(ap);
	return rep;
}

int
redis_fixture_start_client(struct redis_fixture *fx, struct config *cfg,
    struct redis **rp)
{
	if (redis_fixture_start(fx) == -1)
		return -1;
	cfg->redis_socket = fx->socket;
	cfg->redis_host = (char *)"";
	cfg->redis_port = 0;
	cfg->redis_timeout_ms = 2000;
	if ((*rp = redis_new(cfg, REDIS_ROLE_ADMIN)) == NULL) {
		redis_fixture_stop(fx);
		return -1;
	}
	return 0;
}
