/*
 * A throwaway redis-server for unit tests: its own temporary directory,
 * a unix socket, no persistence, stopped with the test (and by the kernel
 * when the test dies first).
 */
#ifndef PITWALL_REDIS_FIXTURE_H
#define PITWALL_REDIS_FIXTURE_H

#include <sys/types.h>

#include <hiredis/hiredis.h>

struct config;
struct redis;

struct redis_fixture {
	char		 dir[64];	/* /tmp/pitwall-unit.XXXXXX */
	char		 socket[96];	/* dir/redis.sock */
	pid_t		 pid;
	redisContext	*c;		/* the test's own connection, to look */
};

/* Start redis-server and connect to it.  0 / -1 (the reason on stderr). */
int	redis_fixture_start(struct redis_fixture *fx);
/*
 * redis_fixture_start, then the code under test's own client (lib/redis.c)
 * of that server in *rp, cfg's Redis settings pointing at it (the caller
 * redis_free()s it).  0 / -1 (nothing left running).
 */
int	redis_fixture_start_client(struct redis_fixture *fx, struct config *cfg,
	    struct redis **rp);
/* Stop it and remove its directory; accepts a fixture that did not start. */
void	redis_fixture_stop(struct redis_fixture *fx);
/* One command on the test's connection (caller freeReplyObject()s); NULL on error. */
redisReply *redis_fixture_cmd(struct redis_fixture *fx, const char *fmt, ...);

#endif
