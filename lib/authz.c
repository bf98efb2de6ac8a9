/*
 * Current roles, bans and logouts in Redis, rebuilt from PostgreSQL
 * (authz.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "authz.h"
#include "config.h"
#include "db.h"
#include "keys.h"
#include "log.h"
#include "redis.h"

/* KEYS: revoked:<jti>, built marker, roles, banned; ARGV: uid. */
static const char check_lua[] =
    "local rev = redis.call('EXISTS', KEYS[1]) "
    "local built = redis.call('EXISTS', KEYS[2]) "
    "local role = redis.call('HGET', KEYS[3], ARGV[1]) "
    "local ban = redis.call('SISMEMBER', KEYS[4], ARGV[1]) "
    "return {rev, built, role or false, ban}";

/* KEYS: roles, banned; ARGV: uid, role, "1" banned / "0". */
static const char set_lua[] =
    "redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) "
    "if ARGV[3] == '1' then redis.call('SADD', KEYS[2], ARGV[1]) "
    "else redis.call('SREM', KEYS[2], ARGV[1]) end "
    "return 1";

/* KEYS: roles, banned, built marker; ARGV: uid, role, t|f, uid, … */
static const char rebuild_lua[] =
    "redis.call('DEL', KEYS[1], KEYS[2]) "
    "for i = 1, #ARGV, 3 do "
    "  redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) "
    "  if ARGV[i + 2] == 't' then redis.call('SADD', KEYS[2], ARGV[i]) end "
    "end "
    "redis.call('SET', KEYS[3], '1') "
    "return 1";

int
authz_user_set(struct redis *r, long long uid, const char *role, int banned)
{
	redisReply *rep;
	int rc = -1;

	rep = redis_cmd(r, "EVAL %s 2 %s %s %lld %s %s", set_lua, KEY_ROLES,
	    KEY_BANNED, uid, role, banned ? "1" : "0");
	if (rep != NULL && rep->type == REDIS_REPLY_INTEGER)
		rc = 0;
	else
		log_error(NULL, "cannot record user %lld in Redis%s%s", uid,
		    rep != NULL && rep->type == REDIS_REPLY_ERROR ? ": " : "",
		    rep != NULL && rep->type == REDIS_REPLY_ERROR ? rep->str : "");
	freeReplyObject(rep);
	return rc;
}

int
authz_revoke(struct redis *r, struct db *db, long long uid, const char *jti,
    long long exp)
{
	char key[96], id[24], ex[24];
	const char *p[3] = { jti, id, ex };
	redisReply *rep;
	PGresult *res;
	long long ttl = exp - (long long)time(NULL);
	int rc = -1;

	if (ttl < 1)
		ttl = 1;
	snprintf(key, sizeof(key), KEY_REVOKED_FMT, jti);
	rep = redis_cmd(r, "SET %s 1 EX %lld", key, ttl);
	if (rep == NULL || rep->type == REDIS_REPLY_ERROR)
		goto out;
	snprintf(id, sizeof(id), "%lld", uid);
	snprintf(ex, sizeof(ex), "%lld", exp);
	res = db != NULL && db_ensure(db) == 0 ? db_exec(db,
	    "INSERT INTO revoked_tokens (jti, user_id, expires_at)"
	    " VALUES ($1, $2, to_timestamp($3)) ON CONFLICT (jti) DO NOTHING",
	    3, p) : NULL;
	if (res == NULL)
		log_error(NULL, "logout of user %lld (token %s) is in Redis only: "
		    "PostgreSQL is unavailable", uid, jti);
	PQclear(res);
	rc = 0;
out:
	freeReplyObject(rep);
	return rc;
}

/*
 * The logouts of tokens not yet expired, back into Redis (each key with
 * the token's remaining life); expired rows are deleted.  0 / -1.
 */
static int
revoked_rebuild(struct redis *r, struct db *db)
{
	PGresult *res;
	redisReply *rep;
	char key[96];
	int i, n, rc = -1;

	PQclear(db_exec(db, "DELETE FROM revoked_tokens WHERE expires_at <= now()",
	    0, NULL));
	res = db_exec(db, "SELECT jti, GREATEST(1, ceil(extract(epoch FROM"
	    " expires_at - now())))::bigint FROM revoked_tokens"
	    " WHERE expires_at > now()", 0, NULL);
	if (res == NULL)
		return -1;
	n = PQntuples(res);
	for (i = 0; i < n; i++) {
		snprintf(key, sizeof(key), KEY_REVOKED_FMT, PQgetvalue(res, i, 0));
		rep = redis_cmd(r, "SET %s 1 EX %s", key, PQgetvalue(res, i, 1));
		if (rep == NULL || rep->type == REDIS_REPLY_ERROR) {
			freeReplyObject(rep);
			log_error(NULL, "cannot rebuild logouts in Redis");
			goto out;
		}
		freeReplyObject(rep);
	}
	rc = 0;
out:
	PQclear(res);
	return rc;
}

int
authz_rebuild(struct redis *r, struct db *db)
{
	PGresult *res;
	redisReply *rep = NULL;
	const char **argv = NULL;
	int i, n, argc, rc = -1;

	/* Logouts first: the marker set below says the whole record is in. */
	if (revoked_rebuild(r, db) == -1)
		return -1;
	res = db_exec(db, "SELECT id::text, role, CASE WHEN banned THEN 't'"
	    " ELSE 'f' END FROM users ORDER BY id", 0, NULL);
	if (res == NULL)
		return -1;
	n = PQntuples(res);
	if ((argv = calloc((size_t)n * 3 + 6, sizeof(*argv))) == NULL) {
		log_error(NULL, "out of memory");
		goto out;
	}
	argv[0] = "EVAL";
	argv[1] = rebuild_lua;
	argv[2] = "3";
	argv[3] = KEY_ROLES;
	argv[4] = KEY_BANNED;
	argv[5] = KEY_AUTHZ_BUILT;
	argc = 6;
	for (i = 0; i < n; i++) {
		argv[argc++] = PQgetvalue(res, i, 0);
		argv[argc++] = PQgetvalue(res, i, 1);
		argv[argc++] = PQgetvalue(res, i, 2);
	}
	rep = redis_cmdargv(r, argc, argv, NULL);
	if (rep == NULL || rep->type != REDIS_REPLY_INTEGER) {
		log_error(NULL, "cannot rebuild roles and bans in Redis");
		goto out;
	}
	log_info(NULL, "rebuilt roles, bans and logouts of %d users from "
	    "PostgreSQL", n);
	rc = 0;
out:
	freeReplyObject(rep);
	free(argv);
	PQclear(res);
	return rc;
}

/* Fill user uid from PostgreSQL.  1 filled, 0 no such user, -1 failed. */
static int
user_fill(struct redis *r, struct db *db, long long uid, char *role,
    size_t rolesz, int *banned)
{
	char id[24];
	const char *p[1] = { id };
	PGresult *res;
	int rc = -1;

	snprintf(id, sizeof(id), "%lld", uid);
	res = db_exec(db, "SELECT role, banned FROM users WHERE id = $1", 1, p);
	if (res == NULL)
		return -1;
	if (PQntuples(res) == 0) {
		rc = 0;
		goto out;
	}
	snprintf(role, rolesz, "%s", PQgetvalue(res, 0, 0));
	*banned = PQgetvalue(res, 0, 1)[0] == 't';
	rc = authz_user_set(r, uid, role, *banned) == 0 ? 1 : -1;
out:
	PQclear(res);
	return rc;
}

enum authz_rc
authz_check(struct redis *r, struct db **dbp, const struct config *cfg,
    long long uid, const char *jti, char *role, size_t rolesz, int *banned,
    int *revoked)
{
	char rkey[96];
	redisReply *rep;
	struct db *db;
	int built, known, f;

	*banned = *revoked = 0;
	snprintf(rkey, sizeof(rkey), KEY_REVOKED_FMT, jti);
	rep = redis_cmd_idem(r, "EVAL %s 4 %s %s %s %s %lld", check_lua, rkey,
	    KEY_AUTHZ_BUILT, KEY_ROLES, KEY_BANNED, uid);
	if (rep == NULL || rep->type != REDIS_REPLY_ARRAY || rep->elements != 4) {
		if (rep != NULL && rep->type == REDIS_REPLY_ERROR)
			log_error(NULL, "role check failed: %s", rep->str);
		freeReplyObject(rep);
		return AUTHZ_UNAVAILABLE;
	}
	*revoked = rep->element[0]->integer > 0;
	built = rep->element[1]->integer > 0;
	known = rep->element[2]->type == REDIS_REPLY_STRING;
	if (known)
		snprintf(role, rolesz, "%s", rep->element[2]->str);
	*banned = rep->element[3]->integer > 0;
	freeReplyObject(rep);
	if (built && known)
		return AUTHZ_OK;

	if (*dbp == NULL)
		*dbp = db_new(cfg->database_url, cfg->db_connect_timeout_s);
	db = *dbp;
	if (!built && db != NULL && authz_rebuild(r, db) == 0) {
		/* The user's row decides, as below; the logout is looked up
		 * again in the rebuilt record. */
		known = 0;
		rep = redis_cmd_idem(r, "EXISTS %s", rkey);
		if (rep == NULL || rep->type != REDIS_REPLY_INTEGER) {
			freeReplyObject(rep);
			return AUTHZ_UNAVAILABLE;
		}
		*revoked = rep->integer > 0;
		freeReplyObject(rep);
	}
	if (known)
		return AUTHZ_OK;
	f = db != NULL ? user_fill(r, db, uid, role, rolesz, banned) : -1;
	if (f == 1)
		return AUTHZ_OK;
	if (f == 0)
		return AUTHZ_UNKNOWN_USER;
	log_warn(NULL, "PostgreSQL unavailable: user %lld checked by the "
	    "token's role (%s) and the ban set", uid, role);
	return AUTHZ_OK;
}
