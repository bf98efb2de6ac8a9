/*
 * Redis wrapper.  One struct redis per thread.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "log.h"
#include "redis.h"

struct redis {
	redisContext	*c;
	char		*socket;
	char		*host;
	char		*user;
	char		*password;
	int		 port;
	int		 timeout_ms;
};

struct redis *
redis_new(const struct config *cfg)
{
	struct redis *r;

	if ((r = calloc(1, sizeof(*r))) == NULL)
		return NULL;
	r->socket = strdup(cfg->redis_socket);
	r->host = strdup(cfg->redis_host);
	/* A config made by hand (the unit tests) may leave these NULL. */
	r->user = strdup(cfg->redis_user != NULL ? cfg->redis_user : "");
	r->password = strdup(cfg->redis_password != NULL ?
	    cfg->redis_password : "");
	if (r->socket == NULL || r->host == NULL || r->user == NULL ||
	    r->password == NULL) {
		redis_free(r);
		return NULL;
	}
	r->port = cfg->redis_port;
	r->timeout_ms = cfg->redis_timeout_ms;
	(void)redis_ensure(r);
	return r;
}

void
redis_free(struct redis *r)
{
	if (r == NULL)
		return;
	if (r->c != NULL)
		redisFree(r->c);
	free(r->socket);
	free(r->host);
	free(r->user);
	if (r->password != NULL)
		explicit_bzero(r->password, strlen(r->password));
	free(r->password);
	free(r);
}

void
redis_broken(struct redis *r)
{
	if (r->c != NULL)
		redisFree(r->c);
	r->c = NULL;
}

/* AUTH [user] password on a new connection, when a password is set. */
static int
redis_auth(struct redis *r)
{
	redisReply *reply;
	const char *argv[3] = { "AUTH", r->user, r->password };
	int argc = 3;

	if (*r->password == '\0')
		return 0;
	if (*r->user == '\0') {
		argv[1] = r->password;
		argc = 2;
	}
	reply = redisCommandArgv(r->c, argc, argv, NULL);
	if (reply == NULL || reply->type != REDIS_REPLY_STATUS) {
		log_warn(NULL, "Redis AUTH%s%s failed: %s",
		    *r->user ? " as " : "", r->user, reply == NULL ?
		    r->c->errstr : reply->type == REDIS_REPLY_ERROR ?
		    reply->str : "unexpected reply");
		if (reply != NULL)
			freeReplyObject(reply);
		redis_broken(r);
		return -1;
	}
	freeReplyObject(reply);
	return 0;
}

int
redis_ensure(struct redis *r)
{
	struct timeval tv;

	if (r->c != NULL && r->c->err == 0)
		return 0;
	redis_broken(r);
	tv.tv_sec = r->timeout_ms / 1000;
	tv.tv_usec = (r->timeout_ms % 1000) * 1000;
	if (*r->socket != '\0')
		r->c = redisConnectUnixWithTimeout(r->socket, tv);
	else
		r->c = redisConnectWithTimeout(r->host, r->port, tv);
	if (r->c == NULL || r->c->err) {
		log_warn(NULL, "cannot connect to Redis at %s: %s",
		    *r->socket ? r->socket : r->host,
		    r->c ? r->c->errstr : "out of memory");
		redis_broken(r);
		return -1;
	}
	if (redisSetTimeout(r->c, tv) != REDIS_OK) {
		redis_broken(r);
		return -1;
	}
	return redis_auth(r);
}

redisContext *
redis_ctx(struct redis *r)
{
	if (redis_ensure(r) == -1)
		return NULL;
	return r->c;
}

static redisReply *
redis_vcmd(struct redis *r, int retries, const char *fmt, va_list ap)
{
	redisReply *reply;
	va_list cp;
	int i;

	for (i = 0; i <= retries; i++) {
		if (redis_ensure(r) == -1)
			return NULL;
		va_copy(cp, ap);
		reply = redisvCommand(r->c, fmt, cp);
		va_end(cp);
		if (reply != NULL)
			return reply;
		log_warn(NULL, "Redis command failed: %s", r->c->errstr);
		redis_broken(r);
	}
	return NULL;
}

redisReply *
redis_cmd(struct redis *r, const char *fmt, ...)
{
	redisReply *reply;
	va_list ap;

	va_start(ap, fmt);
	reply = redis_vcmd(r, 0, fmt, ap);
	va_end(ap);
	return reply;
}

redisReply *
redis_cmd_idem(struct redis *r, const char *fmt, ...)
{
	redisReply *reply;
	va_list ap;

	va_start(ap, fmt);
	reply = redis_vcmd(r, 1, fmt, ap);
	va_end(ap);
	return reply;
}

redisReply *
redis_cmdargv(struct redis *r, int argc, const char **argv,
    const size_t *argvlen)
{
	redisReply *reply;

	if (redis_ensure(r) == -1)
		return NULL;
	reply = redisCommandArgv(r->c, argc, argv, argvlen);
	if (reply == NULL) {
		log_warn(NULL, "Redis command failed: %s", r->c->errstr);
		redis_broken(r);
	}
	return reply;
}

int
redis_ping(struct redis *r)
{
	redisReply *reply = redis_cmd_idem(r, "PING");
	int ok;

	if (reply == NULL)
		return -1;
	ok = reply->type == REDIS_REPLY_STATUS && strcmp(reply->str, "PONG") == 0;
	freeReplyObject(reply);
	return ok ? 0 : -1;
}
