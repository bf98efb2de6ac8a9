/*
 * Who may do what in Redis: one ACL user per role.  Each role gets the
 * key patterns of what it reads and writes (lib/keys.h says who keeps
 * what) and the commands it sends, the Lua scripts' own included; all
 * else (CONFIG, FLUSHALL, KEYS, DEBUG, SHUTDOWN, ACL, MONITOR, REPLICAOF,
 * pub/sub, another role's keys) is refused with NOPERM.  ROLE is for the
 * check that a server the sentinels name is the master (lib/redis.c).
 */
#include "keys.h"
#include "redis.h"
#include "redis_acl.h"

/* Sent by every role. */
#define ACL_COMMON	"+ping +role +multi +exec +discard +eval " \
	"+get +set +del +exists +expire " \
	"+hget +hset +hdel +hgetall +hincrby " \
	"+lpush +llen +lrem +sadd +srem +smembers "

/* What /metrics reads of the worker's state (lib/metrics.c) and of the
 * judge hosts (lib/judgehosts.c). */
#define ACL_METRICS_READ \
	"%R~" KEY_DEAD " %R~" KEY_WORKERS " %R~" KEY_WORKER_PREFIX "* " \
	"%R~" KEY_PROCESSING_PREFIX "* " \
	"%R~" JKEY_HOSTS " %R~" JKEY_HOST "* %R~" JKEY_RUNNERS " " \
	"%R~" JKEY_HEARTBEAT "* %R~" JKEY_PROCESSING "* "

/* The authorization and cache keys every Pitwall process keeps current. */
#define ACL_SHARED_KEYS \
	"~" KEY_SUB_PREFIX "* ~" KEY_USER_PREFIX "* ~" KEY_QUEUE " " \
	"~" KEY_TOKENS " ~" KEY_DEADLINES " ~" KEY_DISPATCH " " \
	"~" KEY_BANNED " ~" KEY_ROLES " ~" KEY_AUTHZ_BUILT " " \
	"~" KEY_REVOKED_PREFIX "* ~" KEY_QUESTION_PREFIX "* " \
	"~" KEY_LANGUAGES " ~" KEY_ROUNDS " ~" KEY_ROUND_QUESTIONS " " \
	"~" KEY_LB_PREFIX "* ~" KEY_METRICS " "

const struct redis_acl redis_acls[] = {
	{ REDIS_ROLE_RESPONDER,
	    ACL_SHARED_KEYS "~" KEY_RL_PREFIX "* " ACL_METRICS_READ,
	    ACL_COMMON "+hvals +hmget +hincrbyfloat +incr +mget +hsetnx "
	    "+sismember +zadd +zrem +zcard +zrange +zrevrange "
	    "+zremrangebyrank +zrangebyscore +scan +wait +watch +unwatch" },
	{ REDIS_ROLE_WORKER,
	    ACL_SHARED_KEYS "~" KEY_PROCESSING_PREFIX "* ~" KEY_DEAD " "
	    "~" KEY_CBWAIT " ~" KEY_WORKERS " ~" KEY_WORKER_PREFIX "*",
	    ACL_COMMON "+blmove +lmove +hsetnx +hvals +hmget +hincrbyfloat "
	    "+sismember +zadd +zrem +zcard +zrange +zrevrange "
	    "+zrangebyscore +zremrangebyrank +incr +mget +scan" },
	{ REDIS_ROLE_JUDGE,
	    "~" JKEY_ALL_MATCH,
	    ACL_COMMON "+blmove +blpop +lmove +lrange +rpoplpush" },
	{ REDIS_ROLE_ADMIN,
	    "~" KEY_ALL_MATCH,
	    ACL_COMMON "+hvals +hmget +hincrbyfloat +hsetnx +incr +mget "
	    "+lmove +lrange +sismember +zadd +zrem +zcard +zrange "
	    "+zrevrange +zrangebyscore +zremrangebyrank +scan +ttl +type" },
};
const size_t redis_nacls = sizeof(redis_acls) / sizeof(redis_acls[0]);

void
redis_acl_print(FILE *fp)
{
	size_t i;

	for (i = 0; i < redis_nacls; i++)
		fprintf(fp, "%s resetkeys resetchannels %s -@all %s\n",
		    redis_acls[i].role, redis_acls[i].keys,
		    redis_acls[i].commands);
}
