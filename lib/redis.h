/*
 * Redis (hiredis 0.14) wrapper: connect with timeouts over a unix socket or
 * TCP, reconnect after the server restarts.
 */
#ifndef PITWALL_REDIS_H
#define PITWALL_REDIS_H

#include <hiredis/hiredis.h>

struct config;
struct redis;

/* Remember the settings and connect (a failed connect is retried lazily). */
struct redis	*redis_new(const struct config *cfg);
void		 redis_free(struct redis *r);

/* (Re)connect when needed.  0 / -1. */
int		 redis_ensure(struct redis *r);

/* The raw context for pipelining (NULL when not connected). */
redisContext	*redis_ctx(struct redis *r);

/*
 * Run one command.  Returns the reply (caller freeReplyObject()s it) or NULL
 * when the connection failed (logged; the next call reconnects).  A reply of
 * type REDIS_REPLY_ERROR is returned as is.  Commands are never resent
 * after a failure, since the server may have applied them.
 */
redisReply	*redis_cmd(struct redis *r, const char *fmt, ...);
redisReply	*redis_cmdargv(struct redis *r, int argc, const char **argv,
		    const size_t *argvlen);

/* As redis_cmd, but resent once after reconnecting: only for idempotent commands. */
redisReply	*redis_cmd_idem(struct redis *r, const char *fmt, ...);

/* Mark the connection broken (after a pipelining error). */
void		 redis_broken(struct redis *r);

/* PING: 0 when Redis answers. */
int		 redis_ping(struct redis *r);

#endif
