/*
 * Redis keys and job formats shared by pitwall-fcgi, pitwall-worker,
 * pitwall-admin and the embedded judge.  Everything Pitwall keeps in Redis
 * is listed here: the code names a key by one of the macros below, never
 * by a string literal of its own.
 *
 *   pitwall:sub:<sid>            hash   user_id, question_id, language_id, source,
 *                                       total, created_at (unix ms), status
 *                                       (queued|judging|done), done, passed,
 *                                       failed, score, attempt:<tid> (current
 *                                       attempt of each testcase), stuck:<tid>
 *                                       (when the reaper first saw it stuck),
 *                                       compile_output (a Compilation Error's
 *                                       message, written by the worker)
 *   pitwall:sub:<sid>:pending    set    testcase ids without a stored result
 *   pitwall:sub:<sid>:results    hash   <tid> -> {"ordinal","verdict","status_id",
 *                                       "time_ms","memory_kb"} (written by the worker)
 *   pitwall:user:<uid>:subs      zset   "<qid>:<sid>" scored by created_at (unix ms):
 *                                       the user's newest USER_SUBS_KEEP submissions
 *                                       (written by /submit), so GET /submissions can
 *                                       list those not yet in PostgreSQL
 *   pitwall:user:<uid>:idem:<key> string the submission id /submit made for that
 *                                       Idempotency-Key (a retry gets the same one),
 *                                       TTL SUB_TTL_S
 *   pitwall:queue                list   jobs for the worker (LPUSH, worker BLMOVEs RIGHT)
 *   pitwall:processing:<worker>  list   jobs a worker is handling
 *   pitwall:dead                 list   {"reason","job"} for jobs that cannot be processed
 *   pitwall:tokens               hash   judge0 token -> "<sid> <tid> <attempt>"
 *   pitwall:deadlines            zset   judge0 token scored by the unix time after
 *                                       which the reaper re-polls it (a worker that
 *                                       claims it moves it to its lease's end)
 *   pitwall:dispatch             zset   {"s":sid,"t":[tid,…],"a":attempt,"n":tries}
 *                                       scored by the unix time of the next try
 *   pitwall:cbwait               zset   result jobs from /callback whose token was not
 *                                       recorded yet (the callback outran its dispatch),
 *                                       scored by the unix time of the next look
 *                                       (worker/bind.c)
 *   pitwall:workers              set    worker ids; pitwall:worker:<id> holds its
 *                                       heartbeat (unix time, expires)
 *   pitwall:banned               set    user ids refused on every route
 *   pitwall:roles                hash   user id -> current role (contestant|admin),
 *                                       checked on every request (lib/authz.c)
 *   pitwall:authz:built          string "1" once roles and bans were built from
 *                                       PostgreSQL; gone (Redis lost) means rebuild
 *   pitwall:q:<qid>              string question cache (JSON, see cache.h), TTL CACHE_TTL
 *   pitwall:languages            string language cache (JSON), TTL CACHE_TTL
 *   pitwall:rl:<kind>:<uid>:<minute> counter for rate limits (kind: submit, run,
 *                                       clar)
 *   pitwall:lb:<round_id>        zset   competitor scored by round total (leaderboard): a
 *                                       user id, or t<team id> in a team-based round
 *                                       (board_competitor(), sql/012_teams.sql)
 *   pitwall:lb:<round_id>:meta   hash   competitor -> the entry's JSON (sql/007_scoring.sql:
 *                                        name, score, last_improved_at, mode, penalty, problems)
 *   pitwall:lb:<round_id>:jury, :jury:meta   the same, live (not frozen): the jury's board
 *   pitwall:metrics              hash   Prometheus sample -> value, summed over every
 *                                       process (lib/metrics.c, docs/metrics.md)
 *   pitwall:rounds               string round cache: [[starts_at, ends_at, id, slug, name], …]
 *                                       (unix seconds, 0 when unset), TTL CACHE_TTL
 *   pitwall:round_questions      hash   round id -> the contestant view of its questions
 *                                       (GET /questions; statement, samples only), TTL CACHE_TTL
 *   pitwall:revoked:<jti>        string a logged-out access token, until its exp
 *                                       (rebuilt from revoked_tokens with the roles)
 *   pitwall:rl:login-ip:<ip>:<minute>, pitwall:rl:login-acct:<sha256(email)>:<minute>
 *                                       counters of failed logins
 *
 * The embedded judge (judge/, when it shares the stack's Redis) keeps its
 * own keys under "judge:"; judge/service.h says what each holds:
 *   judge:sub:<token>, judge:queue, judge:queue:prio, judge:lanes,
 *   judge:lane:<lane>, judge:wake, judge:processing:<runner>,
 *   judge:callbacks, judge:cbprocessing:<runner>, judge:runners,
 *   judge:runner:<id>, judge:done:<token>, judge:hosts, judge:host:<name>
 *
 * Jobs on pitwall:queue (JSON objects):
 *   {"type":"submission","s":sid}
 *       persist the submission row from pitwall:sub:<sid>.
 *   {"type":"result","s":sid,"t":tid,"a":attempt,"body":"<raw Judge0 JSON>"[,"cb":t]}
 *       a Judge0 result (callback body or re-polled submission), stored once;
 *       "cb" (unix time it arrived) marks one that came through /callback: its
 *       body's token must be the one pitwall:tokens records for (s, t, a).
 */
#ifndef PITWALL_KEYS_H
#define PITWALL_KEYS_H

#define KEY_QUEUE	"pitwall:queue"
#define KEY_DEAD	"pitwall:dead"
#define KEY_TOKENS	"pitwall:tokens"
#define KEY_DEADLINES	"pitwall:deadlines"
#define KEY_DISPATCH	"pitwall:dispatch"
#define KEY_CBWAIT	"pitwall:cbwait"
#define KEY_WORKERS	"pitwall:workers"
#define KEY_BANNED	"pitwall:banned"
#define KEY_ROLES	"pitwall:roles"
#define KEY_AUTHZ_BUILT	"pitwall:authz:built"
#define KEY_LANGUAGES	"pitwall:languages"
#define KEY_METRICS	"pitwall:metrics"
#define KEY_ROUNDS	"pitwall:rounds"
#define KEY_ROUND_QUESTIONS	"pitwall:round_questions"

/* Key prefixes: the formats below and the ACL patterns (lib/redis_acl.c). */
#define KEY_SUB_PREFIX		"pitwall:sub:"
#define KEY_PROCESSING_PREFIX	"pitwall:processing:"
#define KEY_WORKER_PREFIX	"pitwall:worker:"
#define KEY_QUESTION_PREFIX	"pitwall:q:"
#define KEY_LB_PREFIX		"pitwall:lb:"
#define KEY_REVOKED_PREFIX	"pitwall:revoked:"
#define KEY_USER_PREFIX		"pitwall:user:"
#define KEY_RL_PREFIX		"pitwall:rl:"
/* Every Pitwall key, every embedded judge key (ACL patterns). */
#define KEY_ALL_MATCH		"pitwall:*"
#define JKEY_ALL_MATCH		"judge:*"

#define KEY_SUB_FMT		KEY_SUB_PREFIX "%s"
#define KEY_SUB_PENDING_FMT	KEY_SUB_PREFIX "%s:pending"
#define KEY_SUB_RESULTS_FMT	KEY_SUB_PREFIX "%s:results"
#define KEY_PROCESSING_FMT	KEY_PROCESSING_PREFIX "%s"
#define KEY_WORKER_FMT		KEY_WORKER_PREFIX "%s"
#define KEY_QUESTION_FMT	KEY_QUESTION_PREFIX "%lld"
#define KEY_LB_FMT		KEY_LB_PREFIX "%lld"
#define KEY_LB_META_FMT		KEY_LB_PREFIX "%lld:meta"
/* The jury's (live) board of a round beside the public one (lib/board.h). */
#define KEY_LB_JURY_FMT		KEY_LB_PREFIX "%lld:jury"
#define KEY_LB_JURY_META_FMT	KEY_LB_PREFIX "%lld:jury:meta"
#define KEY_REVOKED_FMT		KEY_REVOKED_PREFIX "%s"
#define KEY_USER_SUBS_FMT	KEY_USER_PREFIX "%lld:subs"
#define KEY_USER_IDEM_FMT	KEY_USER_PREFIX "%lld:idem:%s"
/* The leaderboard keys of a round id given as text (a PostgreSQL value). */
#define KEY_LB_SFMT		KEY_LB_PREFIX "%s"
#define KEY_LB_META_SFMT	KEY_LB_PREFIX "%s:meta"
/* Rate-limit counters: kind, user id, unix minute; failed logins by
 * client address or by sha256(lowercased email) in hex, unix minute. */
#define KEY_RL_FMT		KEY_RL_PREFIX "%s:%lld:%lld"
#define KEY_RL_LOGIN_IP_FMT	KEY_RL_PREFIX "login-ip:%.64s:%lld"
#define KEY_RL_LOGIN_ACCT_FMT	KEY_RL_PREFIX "login-acct:%s:%lld"

/* SCAN patterns. */
#define KEY_PROCESSING_MATCH	KEY_PROCESSING_PREFIX "*"
#define KEY_QUESTION_MATCH	KEY_QUESTION_PREFIX "*"

/* The embedded judge's keys (prefixes: the token or runner id follows). */
#define JKEY_SUB		"judge:sub:"
#define JKEY_QUEUE		"judge:queue"
#define JKEY_PRIO		"judge:queue:prio"
#define JKEY_LANES		"judge:lanes"
#define JKEY_LANE		"judge:lane:"
#define JKEY_WAKE		"judge:wake"
#define JKEY_PROCESSING		"judge:processing:"
#define JKEY_CALLBACKS		"judge:callbacks"
#define JKEY_CBPROCESSING	"judge:cbprocessing:"
#define JKEY_RUNNERS		"judge:runners"
#define JKEY_HEARTBEAT		"judge:runner:"
#define JKEY_DONE		"judge:done:"
#define JKEY_HOSTS		"judge:hosts"
#define JKEY_HOST		"judge:host:"

/* How long a submission's Redis state outlives its last change (seconds). */
#define SUB_TTL_S	(7 * 24 * 3600)

/* How many of a user's newest submissions pitwall:user:<uid>:subs keeps:
 * the most GET /submissions lists at once. */
#define USER_SUBS_KEEP	200

#endif
