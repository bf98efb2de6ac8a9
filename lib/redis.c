/*
 * Redis wrapper.  One struct redis per thread.
 *
 * Where Redis is: REDIS_SOCKET, else REDIS_HOST:REDIS_PORT, else (when
 * REDIS_SENTINELS is set) the master the sentinels name, reached through
 * its local TLS tunnel when REDIS_ADDRESS_MAP is set (docs/redis.md).  Who we are: with
 * REDIS_PASSWORD_DIR set, the ACL user pitwall-<role> (docs/redis.md);
 * else with REDIS_PASSWORD set, REDIS_USER (default: "default", the
 * user requirepass sets) with that password.  The sentinels have a
 * password of their own (REDIS_SENTINEL_PASSWORD, their requirepass).
 */
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config.h"
#include "log.h"
#include "redis.h"

struct redis {
	redisContext	*c;
	char		*socket;
	char		*host;
	int		 port;
	int		 timeout_ms;
	char		*user;		/* ACL user, NULL: no AUTH */
	char		*pass;
	char		*sentinels;	/* "host:port,…", NULL: none */
	char		*sentinel_pass;	/* the sentinels' AUTH, NULL: none */
	char		*address_map;	/* "host:port=/sock,…", NULL: none */
	char		*master_name;
	int		 wait_replicas;
	int		 wait_timeout_ms;
};

static char *
dup_or_empty(const char *s)
{
	return strdup(s != NULL ? s : "");
}

struct redis *
redis_new(const struct config *cfg, const char *role)
{
	struct redis *r;
	char path[4096], err[512];

	if ((r = calloc(1, sizeof(*r))) == NULL)
		return NULL;
	r->socket = dup_or_empty(cfg->redis_socket);
	r->host = dup_or_empty(cfg->redis_host);
	r->master_name = strdup(cfg->redis_master_name != NULL &&
	    *cfg->redis_master_name != '\0' ? cfg->redis_master_name : "pitwall");
	if (r->socket == NULL || r->host == NULL || r->master_name == NULL)
		goto fail;
	if (cfg->redis_sentinels != NULL && *cfg->redis_sentinels != '\0' &&
	    (r->sentinels = strdup(cfg->redis_sentinels)) == NULL)
		goto fail;
	if (cfg->redis_address_map != NULL && *cfg->redis_address_map != '\0' &&
	    (r->address_map = strdup(cfg->redis_address_map)) == NULL)
		goto fail;
	if (cfg->redis_sentinel_password != NULL &&
	    *cfg->redis_sentinel_password != '\0' &&
	    (r->sentinel_pass = strdup(cfg->redis_sentinel_password)) == NULL)
		goto fail;
	if (cfg->redis_password_dir != NULL && *cfg->redis_password_dir != '\0') {
		if (snprintf(path, sizeof(path), "%s/redis-%s.key",
		    cfg->redis_password_dir, role) >= (int)sizeof(path)) {
			log_error(NULL, "REDIS_PASSWORD_DIR is too long");
			goto fail;
		}
		if ((r->pass = config_read_secret_file("REDIS_PASSWORD", path,
		    err, sizeof(err))) == NULL) {
			log_error(NULL, "Redis password of role %s: %s", role, err);
			goto fail;
		}
		if (asprintf(&r->user, "pitwall-%s", role) == -1) {
			r->user = NULL;
			goto fail;
		}
	} else if (cfg->redis_password != NULL && *cfg->redis_password != '\0') {
		/* One password for every program (requirepass, or REDIS_USER's). */
		if ((r->pass = strdup(cfg->redis_password)) == NULL ||
		    (r->user = strdup(cfg->redis_user != NULL &&
		    *cfg->redis_user != '\0' ? cfg->redis_user : "default")) ==
		    NULL)
			goto fail;
	}
	r->port = cfg->redis_port;
	r->timeout_ms = cfg->redis_timeout_ms;
	r->wait_replicas = cfg->redis_wait_replicas;
	r->wait_timeout_ms = cfg->redis_wait_timeout_ms > 0 ?
	    cfg->redis_wait_timeout_ms : 1000;
	/* WAIT must answer within the command timeout. */
	if (r->wait_timeout_ms > r->timeout_ms - 100)
		r->wait_timeout_ms = r->timeout_ms > 200 ? r->timeout_ms - 100 : 100;
	(void)redis_ensure(r);
	return r;
fail:
	redis_free(r);
	return NULL;
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
	if (r->pass != NULL)
		explicit_bzero(r->pass, strlen(r->pass));
	free(r->pass);
	free(r->sentinels);
	if (r->sentinel_pass != NULL)
		explicit_bzero(r->sentinel_pass, strlen(r->sentinel_pass));
	free(r->sentinel_pass);
	free(r->address_map);
	free(r->master_name);
	free(r);
}

void
redis_broken(struct redis *r)
{
	if (r->c != NULL)
		redisFree(r->c);
	r->c = NULL;
}

static struct timeval
ms_tv(int ms)
{
	struct timeval tv;

	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	return tv;
}

/* reply_is(REPLY, TYPE, STR): a reply of TYPE whose text is STR. */
static int
reply_is(const redisReply *rep, int type, const char *str)
{
	return rep != NULL && rep->type == type && rep->str != NULL &&
	    strcasecmp(rep->str, str) == 0;
}

/*
 * AUTH to sentinel S with the sentinels' password (their requirepass:
 * the default user).  0, or -1 (logged) when refused.
 */
static int
sentinel_auth(struct redis *r, redisContext *s, const char *where)
{
	redisReply *rep;
	int ok;
	const char *argv[2];
	size_t argl[2];

	if (r->sentinel_pass == NULL)
		return 0;
	argv[0] = "AUTH";
	argl[0] = 4;
	argv[1] = r->sentinel_pass;
	argl[1] = strlen(r->sentinel_pass);
	rep = redisCommandArgv(s, 2, argv, argl);
	ok = reply_is(rep, REDIS_REPLY_STATUS, "OK");
	if (!ok)
		log_warn(NULL, "sentinel %s: AUTH failed: %s", where,
		    rep == NULL ? s->errstr :
		    rep->str != NULL ? rep->str : "unexpected reply");
	freeReplyObject(rep);
	return ok ? 0 : -1;
}

/*
 * Ask the sentinels, in order, where the master is: HOST (size hostsz)
 * and *PORT.  0, or -1 when none answers with an address.
 */
static int
sentinel_master(struct redis *r, char *host, size_t hostsz, int *port)
{
	char *list, *tok, *save = NULL, *colon;
	redisContext *s;
	redisReply *rep;
	int rc = -1, sport;
	/* A dead sentinel must not take the whole connect timeout. */
	struct timeval tv = ms_tv(r->timeout_ms < 500 ? r->timeout_ms : 500);

	if ((list = strdup(r->sentinels)) == NULL)
		return -1;
	for (tok = strtok_r(list, ", ", &save); tok != NULL && rc == -1;
	    tok = strtok_r(NULL, ", ", &save)) {
		if (*tok == '/') {
			/* A local tunnel's socket (TLS sentinels). */
			sport = 0;
			s = redisConnectUnixWithTimeout(tok, tv);
		} else if ((colon = strrchr(tok, ':')) == NULL ||
		    (sport = atoi(colon + 1)) <= 0 || sport > 65535) {
			log_warn(NULL, "REDIS_SENTINELS: '%s' is not host:port "
			    "or /path", tok);
			continue;
		} else {
			*colon = '\0';
			s = redisConnectWithTimeout(tok, sport, tv);
		}
		if (s == NULL || s->err || redisSetTimeout(s, tv) != REDIS_OK) {
			log_warn(NULL, "sentinel %s:%d: %s", tok, sport,
			    s ? s->errstr : "out of memory");
			if (s != NULL)
				redisFree(s);
			continue;
		}
		if (sentinel_auth(r, s, tok) == -1) {
			redisFree(s);
			continue;
		}
		rep = redisCommand(s, "SENTINEL get-master-addr-by-name %s",
		    r->master_name);
		if (rep != NULL && rep->type == REDIS_REPLY_ARRAY &&
		    rep->elements == 2 &&
		    rep->element[0]->type == REDIS_REPLY_STRING &&
		    rep->element[1]->type == REDIS_REPLY_STRING &&
		    strlen(rep->element[0]->str) < hostsz) {
			snprintf(host, hostsz, "%s", rep->element[0]->str);
			*port = atoi(rep->element[1]->str);
			rc = 0;
		} else if (rep != NULL && rep->type == REDIS_REPLY_ERROR)
			log_warn(NULL, "sentinel %s:%d: %s", tok, sport,
			    rep->str != NULL ? rep->str : "error");
		else
			log_warn(NULL, "sentinel %s:%d does not know master %s",
			    tok, sport, r->master_name);
		freeReplyObject(rep);
		redisFree(s);
	}
	free(list);
	return rc;
}

/*
 * The local tunnel of HOST:PORT in REDIS_ADDRESS_MAP ("host:port=/sock,
 * …"): its socket path in SOCK (size socksz).  0, or -1 when the map has
 * no tunnel for the address (which is then not reached at all: a TLS
 * server is never spoken to in plain text).
 */
static int
address_map_find(const struct redis *r, const char *host, int port,
    char *sock, size_t socksz)
{
	char want[300];
	const char *p, *eq, *end;
	size_t n;

	if (snprintf(want, sizeof(want), "%s:%d", host, port) >=
	    (int)sizeof(want))
		return -1;
	n = strlen(want);
	for (p = r->address_map; *p != '\0'; p = *end != '\0' ? end + 1 : end) {
		while (*p == ' ')
			p++;
		if ((end = strchr(p, ',')) == NULL)
			end = p + strlen(p);
		if ((eq = memchr(p, '=', end - p)) == NULL)
			continue;
		if ((size_t)(eq - p) != n || strncmp(p, want, n) != 0)
			continue;
		if ((size_t)(end - eq - 1) >= socksz || end - eq - 1 == 0)
			return -1;
		memcpy(sock, eq + 1, end - eq - 1);
		sock[end - eq - 1] = '\0';
		return 0;
	}
	return -1;
}

/* AUTH as our ACL user, and (behind sentinels) make sure it is the master. */
static int
redis_handshake(struct redis *r)
{
	redisReply *rep;
	int ok;

	if (r->user != NULL) {
		const char *argv[] = { "AUTH", r->user, r->pass };
		size_t argl[] = { 4, strlen(r->user), strlen(r->pass) };

		rep = redisCommandArgv(r->c, 3, argv, argl);
		ok = reply_is(rep, REDIS_REPLY_STATUS, "OK");
		if (!ok)
			log_warn(NULL, "Redis AUTH as %s failed: %s", r->user,
			    rep == NULL ? r->c->errstr :
			    rep->str != NULL ? rep->str : "unexpected reply");
		freeReplyObject(rep);
		if (!ok)
			return -1;
	}
	if (r->sentinels != NULL) {
		/* A sentinel may name the old master for a moment after a
		 * failover: refuse a server that is not (or no longer) one. */
		rep = redisCommand(r->c, "ROLE");
		ok = rep != NULL && rep->type == REDIS_REPLY_ARRAY &&
		    rep->elements > 0 && reply_is(rep->element[0],
		    REDIS_REPLY_STRING, "master");
		freeReplyObject(rep);
		if (!ok) {
			log_warn(NULL, "the server the sentinels name is not a master");
			return -1;
		}
	}
	return 0;
}

int
redis_ensure(struct redis *r)
{
	struct timeval tv = ms_tv(r->timeout_ms);
	char host[256], sock[4096];
	int port;
	const char *where;

	if (r->c != NULL && r->c->err == 0)
		return 0;
	redis_broken(r);
	if (r->sentinels != NULL) {
		if (sentinel_master(r, host, sizeof(host), &port) == -1) {
			log_warn(NULL, "no sentinel of %s names its master",
			    r->sentinels);
			return -1;
		}
		if (r->address_map == NULL) {
			where = host;
			r->c = redisConnectWithTimeout(host, port, tv);
		} else if (address_map_find(r, host, port, sock,
		    sizeof(sock)) == 0) {
			/* The master's TLS tunnel (scripts/redis-tunnel). */
			where = sock;
			r->c = redisConnectUnixWithTimeout(sock, tv);
		} else {
			log_warn(NULL, "the sentinels name %s:%d, which "
			    "REDIS_ADDRESS_MAP has no tunnel for", host, port);
			return -1;
		}
	} else if (*r->socket != '\0') {
		where = r->socket;
		r->c = redisConnectUnixWithTimeout(r->socket, tv);
	} else {
		where = r->host;
		r->c = redisConnectWithTimeout(r->host, r->port, tv);
	}
	if (r->c == NULL || r->c->err) {
		log_warn(NULL, "cannot connect to Redis at %s: %s", where,
		    r->c ? r->c->errstr : "out of memory");
		redis_broken(r);
		return -1;
	}
	if (redisSetTimeout(r->c, tv) != REDIS_OK || redis_handshake(r) == -1) {
		redis_broken(r);
		return -1;
	}
	return 0;
}

redisContext *
redis_ctx(struct redis *r)
{
	if (redis_ensure(r) == -1)
		return NULL;
	return r->c;
}

int
redis_reply_readonly(struct redis *r, const redisReply *reply)
{
	if (reply == NULL || reply->type != REDIS_REPLY_ERROR ||
	    reply->str == NULL || strncmp(reply->str, "READONLY", 8) != 0)
		return 0;
	/* The master we knew is a replica now: find the new one. */
	log_warn(NULL, "Redis answered READONLY: looking for the master again");
	redis_broken(r);
	return 1;
}

/*
 * Before a command and its reply on a connection with nothing in flight:
 * something to read there can only be the server's end (a Redis that
 * restarted or a tunnel that closed), so the connection is dropped and a
 * new one made, instead of the command failing on it (and each idle
 * connection of a pool failing once after a restart).  0 or -1.
 */
static int
redis_ensure_idle(struct redis *r)
{
	struct pollfd pfd;

	if (r->c != NULL && r->c->err == 0 && r->c->fd >= 0) {
		pfd.fd = r->c->fd;
		pfd.events = POLLIN;
		pfd.revents = 0;
		if (poll(&pfd, 1, 0) == 1) {
			log_info(NULL, "Redis closed an idle connection: "
			    "connecting again");
			redis_broken(r);
		}
	}
	return redis_ensure(r);
}

static redisReply *
redis_vcmd(struct redis *r, int retries, const char *fmt, va_list ap)
{
	redisReply *reply;
	va_list cp;
	int i;

	for (i = 0; i <= retries; i++) {
		if (redis_ensure_idle(r) == -1)
			return NULL;
		va_copy(cp, ap);
		reply = redisvCommand(r->c, fmt, cp);
		va_end(cp);
		if (reply != NULL) {
			/* A READONLY reply applied nothing: safe to resend. */
			if (redis_reply_readonly(r, reply) && i < retries) {
				freeReplyObject(reply);
				continue;
			}
			return reply;
		}
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

long long
redis_int(struct redis *r, const char *fmt, ...)
{
	redisReply *reply;
	long long v = -1;
	va_list ap;

	va_start(ap, fmt);
	reply = redis_vcmd(r, 1, fmt, ap);
	va_end(ap);
	if (reply != NULL && reply->type == REDIS_REPLY_INTEGER)
		v = reply->integer;
	if (reply != NULL)
		freeReplyObject(reply);
	return v;
}

redisReply *
redis_cmdargv(struct redis *r, int argc, const char **argv,
    const size_t *argvlen)
{
	redisReply *reply;

	if (redis_ensure_idle(r) == -1)
		return NULL;
	reply = redisCommandArgv(r->c, argc, argv, argvlen);
	if (reply == NULL) {
		log_warn(NULL, "Redis command failed: %s", r->c->errstr);
		redis_broken(r);
	} else
		(void)redis_reply_readonly(r, reply);
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

int
redis_replicated(struct redis *r, const char *reqid)
{
	redisReply *reply;
	int ok;

	if (r->wait_replicas <= 0)
		return 0;
	/* Not redis_cmd: on a connection opened since the writes, WAIT
	 * would wait for nothing. */
	if (r->c == NULL || r->c->err)
		return -1;
	reply = redisCommand(r->c, "WAIT %d %d", r->wait_replicas,
	    r->wait_timeout_ms);
	if (reply == NULL) {
		log_warn(reqid, "Redis WAIT failed: %s", r->c->errstr);
		redis_broken(r);
		return -1;
	}
	ok = reply->type == REDIS_REPLY_INTEGER &&
	    reply->integer >= r->wait_replicas;
	if (!ok)
		log_warn(reqid, "Redis WAIT: %lld of %d replicas in %d ms",
		    reply->type == REDIS_REPLY_INTEGER ? reply->integer : -1LL,
		    r->wait_replicas, r->wait_timeout_ms);
	freeReplyObject(reply);
	return ok ? 0 : -1;
}
