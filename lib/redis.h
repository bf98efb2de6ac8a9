/*
 * Redis (hiredis 0.14) wrapper: connect with timeouts over a unix socket,
 * TCP or to the master Redis Sentinel names, AUTH as the program's ACL
 * role, reconnect after the server restarts or fails over (docs/redis.md).
 */
#ifndef PITWALL_REDIS_H
#define PITWALL_REDIS_H

#include <hiredis/hiredis.h>

struct config;
struct redis;

/*
 * The ACL roles (docs/redis.md, lib/redis_acl.c): with REDIS_PASSWORD_DIR
 * set, a program AUTHs as the Redis user pitwall-<role> with the password
 * in REDIS_PASSWORD_DIR/redis-<role>.key.
 */
#define REDIS_ROLE_RESPONDER	"responder"	/* pitwall-fcgi */
#define REDIS_ROLE_WORKER	"worker"	/* pitwall-worker */
#define REDIS_ROLE_JUDGE	"judge"		/* pitwall-judge, its runners */
#define REDIS_ROLE_ADMIN	"admin"		/* pitwall-admin */

/*
 * Remember the settings and connect (a failed connect is retried lazily).
 * NULL when out of memory or the role's password file cannot be read
 * (logged).
 */
struct redis	*redis_new(const struct config *cfg, const char *role);
void		 redis_free(struct redis *r);

/* (Re)connect when needed.  0 / -1. */
int		 redis_ensure(struct redis *r);

/* The raw context for pipelining (NULL when not connected). */
redisContext	*redis_ctx(struct redis *r);

/*
 * Run one command.  Returns the reply (caller freeReplyObject()s it) or NULL
 * when the connection failed (logged; the next call reconnects).  A reply of
 * type REDIS_REPLY_ERROR is returned as is.  Commands are never resent
 * after a failure, since the server may have applied them.  A READONLY
 * error (the server became a replica) drops the connection, so the next
 * call finds the master again.
 */
redisReply	*redis_cmd(struct redis *r, const char *fmt, ...);
redisReply	*redis_cmdargv(struct redis *r, int argc, const char **argv,
		    const size_t *argvlen);

/* As redis_cmd, but resent once after reconnecting (or after READONLY):
 * only for idempotent commands. */
redisReply	*redis_cmd_idem(struct redis *r, const char *fmt, ...);

/* The integer reply of a read-only command (redis_cmd_idem), or -1 when
 * there is none (failure, error or another type of reply). */
long long	 redis_int(struct redis *r, const char *fmt, ...);

/* Mark the connection broken (after a pipelining error). */
void		 redis_broken(struct redis *r);

/* For replies read off redis_ctx(): 1 (and the connection dropped) when
 * REPLY is a READONLY error, else 0. */
int		 redis_reply_readonly(struct redis *r, const redisReply *reply);

/* PING: 0 when Redis answers. */
int		 redis_ping(struct redis *r);

/*
 * The acknowledgement rule (docs/redis.md): 0 when REDIS_WAIT_REPLICAS is
 * 0 or that many replicas have every write made so far on this connection
 * (WAIT, at most REDIS_WAIT_TIMEOUT_MS); -1 when not (logged with REQID):
 * the caller answers 503 not_replicated.
 */
int		 redis_replicated(struct redis *r, const char *reqid);

#endif
