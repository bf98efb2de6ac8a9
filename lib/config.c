/*
 * The one table of Pitwall's settings.  Every program reads its settings
 * through config_load(); nothing else calls getenv().
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "attempt.h"
#include "config.h"

#define OFF(f)	offsetof(struct config, f)

const struct config_setting config_settings[] = {
	{ "PITWALL_LOG_LEVEL", CONFIG_ENUM, "info", 0, 0, "debug|info|warn|error",
	    OFF(log_level), "Lowest level logged." },
	{ "PITWALL_LOG_FORMAT", CONFIG_ENUM, "kv", 0, 0, "kv|json",
	    OFF(log_format), "One line per event: key=value pairs or a JSON object." },
	{ "PITWALL_LOG_FILE", CONFIG_STR, "", 0, 0, NULL,
	    OFF(log_file), "Append logs to this file instead of standard error." },

	{ "DATABASE_URL", CONFIG_SECRET, "", 0, 0, NULL,
	    OFF(database_url), "libpq connection string or URI of PostgreSQL (may hold the password: DATABASE_URL_FILE)." },
	{ "DB_CONNECT_TIMEOUT", CONFIG_INT, "5", 1, 60, NULL,
	    OFF(db_connect_timeout_s), "Seconds to wait for a PostgreSQL connection." },
	{ "REDIS_SOCKET", CONFIG_STR, "", 0, 0, NULL,
	    OFF(redis_socket), "Unix socket of Redis; when empty REDIS_HOST:REDIS_PORT is used." },
	{ "REDIS_HOST", CONFIG_STR, "127.0.0.1", 0, 0, NULL,
	    OFF(redis_host), "Redis host when REDIS_SOCKET is empty." },
	{ "REDIS_PORT", CONFIG_INT, "6379", 1, 65535, NULL,
	    OFF(redis_port), "Redis TCP port." },
	{ "REDIS_USER", CONFIG_STR, "", 0, 0, NULL,
	    OFF(redis_user), "Redis ACL user to AUTH as (empty: the password alone, requirepass's default user)." },
	{ "REDIS_PASSWORD", CONFIG_SECRET, "", 0, 0, NULL,
	    OFF(redis_password), "Password sent with AUTH after connecting (empty: no AUTH, a unix socket on one host; REDIS_PASSWORD_FILE)." },
	{ "REDIS_TIMEOUT_MS", CONFIG_INT, "2000", 10, 60000, NULL,
	    OFF(redis_timeout_ms), "Connect and command timeout for Redis, in milliseconds." },
	{ "REDIS_PASSWORD_DIR", CONFIG_STR, "", 0, 0, NULL,
	    OFF(redis_password_dir), "Redis ACL: directory of one password file per role (redis-<role>.key, mode 600; roles responder, worker, judge, admin); when set, each program AUTHs as the Redis user pitwall-<role> (docs/redis.md). Empty: no AUTH." },
	{ "REDIS_SENTINELS", CONFIG_STR, "", 0, 0, NULL,
	    OFF(redis_sentinels), "Redis Sentinel: comma-separated host:port (or /path of a unix socket: a TLS tunnel's) of the sentinels; when set the master is asked of them (REDIS_MASTER_NAME) instead of REDIS_SOCKET/REDIS_HOST, and found again after a failover." },
	{ "REDIS_SENTINEL_PASSWORD", CONFIG_SECRET, "", 0, 0, NULL,
	    OFF(redis_sentinel_password), "Redis Sentinel: the sentinels' password (their requirepass), sent with AUTH before asking them where the master is (REDIS_SENTINEL_PASSWORD_FILE; empty: no AUTH)." },
	{ "REDIS_ADDRESS_MAP", CONFIG_STR, "", 0, 0, NULL,
	    OFF(redis_address_map), "Redis Sentinel over TLS: comma-separated host:port=/path of a local tunnel's unix socket for each address a sentinel may name (the master and every replica); when set, the master the sentinels name is reached through its tunnel, and an address without one is refused (docs/redis.md)." },
	{ "REDIS_MASTER_NAME", CONFIG_STR, "pitwall", 0, 0, NULL,
	    OFF(redis_master_name), "Redis Sentinel: the name the sentinels monitor the master by." },
	{ "REDIS_WAIT_REPLICAS", CONFIG_INT, "0", 0, 16, NULL,
	    OFF(redis_wait_replicas), "Replicas that must have /submit's and /callback's writes (Redis WAIT) before they are acknowledged; otherwise 503 not_replicated. 0: no wait." },
	{ "REDIS_WAIT_TIMEOUT_MS", CONFIG_INT, "1000", 1, 60000, NULL,
	    OFF(redis_wait_timeout_ms), "How long WAIT waits for REDIS_WAIT_REPLICAS replicas, in milliseconds." },

	{ "JWT_SECRET", CONFIG_SECRET, "", 0, 0, NULL,
	    OFF(jwt_secret), "HS256 key for access tokens (at least 32 bytes; JWT_SECRET_FILE)." },
	{ "JWT_ISSUER", CONFIG_STR, "pitwall", 0, 0, NULL,
	    OFF(jwt_issuer), "Issuer (`iss`) put in and required of access tokens." },
	{ "JWT_TTL", CONFIG_INT, "28800", 60, 604800, NULL,
	    OFF(jwt_ttl_s), "Lifetime of access tokens, in seconds." },
	{ "CALLBACK_SECRET", CONFIG_SECRET, "", 0, 0, NULL,
	    OFF(callback_secret), "HMAC-SHA256 key signing Judge0 callback URLs (at least 32 bytes; CALLBACK_SECRET_FILE)." },
	{ "CALLBACK_BASE_URL", CONFIG_STR, "http://127.0.0.1:8442", 0, 0, NULL,
	    OFF(callback_base_url), "Base URL Judge0 reaches /callback on (the internal listener)." },
	{ "LIVE_PUBLISH_URL", CONFIG_STR, "", 0, 0, NULL,
	    OFF(live_publish_url), "Live push: the nchan publishers on the internal listeners (http://…/live), comma separated, one per app host's nginx (up to 8); each message goes to every one: the worker POSTs results to <URL>/submissions/<id> and <URL>/leaderboard, the responders clarifications to <URL>/clarifications/<uid|all|jury>. One that fails is skipped for 5 s by the worker, the others go on. Empty: no push, pages poll." },

	{ "JUDGE0_URL", CONFIG_STR, "http://127.0.0.1:2358", 0, 0, NULL,
	    OFF(judge0_url), "Base URL of Judge0 (the embedded judge by default)." },
	{ "PITWALL_JUDGE_EMBEDDED", CONFIG_INT, "1", 0, 1, NULL,
	    OFF(judge_embedded), "1 when JUDGE0_URL is Pitwall's embedded judge (scripts/stack sets it): only that one runs custom and interactive validators, so import-problem refuses those packages when 0." },
	{ "JUDGE0_AUTH_HEADER", CONFIG_STR, "X-Auth-Token", 0, 0, NULL,
	    OFF(judge0_auth_header), "Header carrying JUDGE0_AUTH_TOKEN." },
	{ "JUDGE0_AUTH_TOKEN", CONFIG_SECRET, "", 0, 0, NULL,
	    OFF(judge0_auth_token), "Judge0 authentication token, sent when set (JUDGE0_AUTH_TOKEN_FILE)." },
	{ "JUDGE0_RAPIDAPI_KEY", CONFIG_SECRET, "", 0, 0, NULL,
	    OFF(judge0_rapidapi_key), "X-RapidAPI-Key for RapidAPI-hosted Judge0, sent when set." },
	{ "JUDGE0_RAPIDAPI_HOST", CONFIG_STR, "", 0, 0, NULL,
	    OFF(judge0_rapidapi_host), "X-RapidAPI-Host for RapidAPI-hosted Judge0." },
	{ "JUDGE0_BATCH_SIZE", CONFIG_INT, "20", 1, 1000, NULL,
	    OFF(judge0_batch_size), "Most submissions per batch request (Judge0's MAX_SUBMISSION_BATCH_SIZE)." },
	{ "JUDGE0_CONNECT_TIMEOUT_MS", CONFIG_INT, "2000", 10, 60000, NULL,
	    OFF(judge0_connect_timeout_ms), "Connect timeout to Judge0, in milliseconds." },
	{ "JUDGE0_TIMEOUT_MS", CONFIG_INT, "10000", 100, 120000, NULL,
	    OFF(judge0_timeout_ms), "Total timeout of one Judge0 request, in milliseconds." },
	{ "JUDGE0_MAX_CPU_TIME", CONFIG_DOUBLE, "15", 0.1, 600, NULL,
	    OFF(judge0_max_cpu_time_s), "Judge0's MAX_CPU_TIME_LIMIT: cpu_time_limit is clamped to it (seconds)." },
	{ "JUDGE0_DEADLINE", CONFIG_INT, "60", 5, 3600, NULL,
	    OFF(judge0_deadline_s), "Seconds after dispatch before the worker re-polls a token whose callback did not come." },

	{ "FCGI_THREADS", CONFIG_INT, "8", 1, 256, NULL,
	    OFF(fcgi_threads), "Request threads per FastCGI responder." },
	{ "MAX_SOURCE_BYTES", CONFIG_INT, "65536", 1, 10485760, NULL,
	    OFF(max_source_bytes), "Largest accepted source code, in bytes." },
	{ "MAX_BODY_BYTES", CONFIG_INT, "262144", 1024, 67108864, NULL,
	    OFF(max_body_bytes), "Largest accepted request body on contestant routes, in bytes." },
	{ "MAX_CALLBACK_BYTES", CONFIG_INT, "0", 0, 67108864, NULL,
	    OFF(max_callback_bytes), "Largest accepted Judge0 callback body, in bytes; 0: derived from JUDGE0_MAX_FILE_SIZE_KB (the largest body Judge0 can send), at least 1024." },
	{ "JUDGE0_MAX_FILE_SIZE_KB", CONFIG_INT, "1024", 1, 4096, NULL,
	    OFF(judge0_max_file_size_kb), "max_file_size sent with every run: the most a program may write, stdout and stderr included (KB, Judge0's range 0-4096)." },
	{ "SUBMIT_RATE_PER_MIN", CONFIG_INT, "6", 1, 100000, NULL,
	    OFF(submit_rate_per_min), "Submissions a user may make per minute." },
	{ "RUN_RATE_PER_MIN", CONFIG_INT, "20", 1, 100000, NULL,
	    OFF(run_rate_per_min), "Runs (/run and /runcustom) a user may make per minute." },
	{ "CLAR_RATE_PER_MIN", CONFIG_INT, "5", 1, 100000, NULL,
	    OFF(clar_rate_per_min), "Clarification requests (POST /clarifications) a user may make per minute." },
	{ "TEAM_MAX_MEMBERS", CONFIG_INT, "3", 1, 64, NULL,
	    OFF(team_max_members), "Most members a team may have (pitwall-admin team, /admin/teams; docs/teams.md)." },
	{ "LOGIN_FAIL_RATE_PER_MIN", CONFIG_INT, "5", 1, 100000, NULL,
	    OFF(login_fail_rate_per_min), "Failed logins per account (email) per minute before POST /auth/login answers 429." },
	{ "LOGIN_IP_FAIL_RATE_PER_MIN", CONFIG_INT, "30", 1, 1000000, NULL,
	    OFF(login_ip_fail_rate_per_min), "Failed logins per client address per minute before POST /auth/login answers 429." },
	{ "RUN_TIMEOUT_MS", CONFIG_INT, "20000", 100, 300000, NULL,
	    OFF(run_timeout_ms), "Longest a /run or /runcustom waits for Judge0, in milliseconds." },
	{ "OUTPUT_LIMIT_BYTES", CONFIG_INT, "4096", 64, 1048576, NULL,
	    OFF(output_limit_bytes), "stdout/stderr/compile output shown to contestants is cut to this size." },
	{ "CACHE_TTL", CONFIG_INT, "300", 1, 86400, NULL,
	    OFF(cache_ttl_s), "Seconds before a cached question, language list or round list is refreshed from PostgreSQL (the last good copy is served while PostgreSQL is down)." },

	{ "WORKER_ID", CONFIG_STR, "", 0, 0, NULL,
	    OFF(worker_id), "Name of this worker's processing list (default host:pid)." },
	{ "WORKER_BATCH", CONFIG_INT, "256", 1, 10000, NULL,
	    OFF(worker_batch), "Most queue jobs persisted in one PostgreSQL transaction." },
	{ "WORKER_HEARTBEAT", CONFIG_INT, "5", 1, 300, NULL,
	    OFF(worker_heartbeat_s), "Seconds between worker heartbeats (stale after 6 missed)." },
	{ "WORKER_REAP_INTERVAL", CONFIG_INT, "5", 1, 3600, NULL,
	    OFF(worker_reap_interval_s), "Seconds between passes of the reaper over overdue Judge0 tokens." },
	{ "WORKER_MAX_ATTEMPTS", CONFIG_INT, "3", 1, ATTEMPT_TRIES_MAX, NULL,
	    OFF(worker_max_attempts), "Times a testcase is sent to Judge0 before it is recorded as Internal Error." },

	{ "JUDGE_AUTH_HEADER", CONFIG_STR, "X-Auth-Token", 0, 0, NULL,
	    OFF(judge_auth_header), "Embedded judge: header that must carry JUDGE_AUTH_TOKEN (Judge0's AUTHN_HEADER)." },
	{ "JUDGE_AUTH_TOKEN", CONFIG_SECRET, "", 0, 0, NULL,
	    OFF(judge_auth_token), "Embedded judge: when set, every request needs it in JUDGE_AUTH_HEADER, else 401 (JUDGE_AUTH_TOKEN_FILE)." },
	{ "JUDGE_MAX_QUEUE", CONFIG_INT, "100", 1, 1000000, NULL,
	    OFF(judge_max_queue), "Embedded judge: queued + new submissions above this get 503 queue is full (Judge0's MAX_QUEUE_SIZE)." },
	{ "JUDGE_MAX_BATCH", CONFIG_INT, "20", 1, 1000, NULL,
	    OFF(judge_max_batch), "Embedded judge: most submissions or tokens per batch request (Judge0's MAX_SUBMISSION_BATCH_SIZE)." },
	{ "JUDGE_MAX_BODY_BYTES", CONFIG_INT, "33554432", 1024, 268435456, NULL,
	    OFF(judge_max_body_bytes), "Embedded judge: largest accepted request body, in bytes (nginx allows 32 MiB)." },
	{ "JUDGE_API_THREADS", CONFIG_INT, "16", 1, 256, NULL,
	    OFF(judge_api_threads), "Embedded judge: request threads per API process (a wait=true request holds one)." },
	{ "JUDGE_API_PROCS", CONFIG_INT, "2", 1, 64, NULL,
	    OFF(judge_api_procs), "Embedded judge: API processes started by scripts/judge." },
	{ "JUDGE_RUNNERS", CONFIG_INT, "0", 0, 256, NULL,
	    OFF(judge_runners), "Embedded judge: runner processes started by scripts/judge; 0 means one per CPU core." },
	{ "JUDGE_SUBMISSION_TTL", CONFIG_INT, "86400", 60, 31536000, NULL,
	    OFF(judge_submission_ttl_s), "Embedded judge: seconds a submission and its result stay readable in Redis." },
	{ "JUDGE_WAIT_MAX", CONFIG_INT, "120", 1, 400, NULL,
	    OFF(judge_wait_max_s), "Embedded judge: longest a wait=true request waits for its result, in seconds." },
	{ "JUDGE_BOX_DIR", CONFIG_STR, "/var/lib/pitwall-judge/boxes", 0, 0, NULL,
	    OFF(judge_box_dir), "Embedded judge: runners' box directories (every ancestor must be o+x; scripts/judge picks one per stack)." },
	{ "JUDGE_CACHE_DIR", CONFIG_STR, "/var/lib/pitwall-judge/cache", 0, 0, NULL,
	    OFF(judge_cache_dir), "Embedded judge: compile cache shared by the runners." },
	{ "JUDGE_FIRST_BOX", CONFIG_INT, "0", 0, 1000000, NULL,
	    OFF(judge_first_box), "Embedded judge: first box id; box N runs as uid 60000+N (scripts/judge picks a range per stack)." },
	{ "JUDGE_BOXES", CONFIG_INT, "64", 1, 10000, NULL,
	    OFF(judge_boxes), "Embedded judge: number of box ids (and uids) the runners share." },
	{ "JUDGE_HOST_NAME", CONFIG_STR, "", 0, 0, NULL,
	    OFF(judge_host_name), "Embedded judge: the name runners report for their host (runner ids <name>:<pid>, /workers, /metrics); empty: gethostname()." },
	{ "JUDGE_HEARTBEAT", CONFIG_INT, "2", 1, 60, NULL,
	    OFF(judge_heartbeat_s), "Embedded judge: seconds between runner heartbeats; a runner silent for 5 of them is dead and its jobs are re-queued." },
	{ "JUDGE_CALLBACK_TRIES", CONFIG_INT, "5", 1, 20, NULL,
	    OFF(judge_callback_tries), "Embedded judge: callback PUT attempts (retried on connection errors and 5xx, with backoff)." },
	{ "JUDGE_CALLBACK_TIMEOUT_MS", CONFIG_INT, "5000", 100, 60000, NULL,
	    OFF(judge_callback_timeout_ms), "Embedded judge: timeout of one callback attempt, in milliseconds." },
};

const size_t config_nsettings = sizeof(config_settings) / sizeof(config_settings[0]);

static void
errf(char *err, size_t errsz, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errsz, fmt, ap);
	va_end(ap);
}

/*
 * Read a secret file: refused when others can read it, when it is empty or
 * not regular.  One trailing newline is dropped.  Returns a malloc'd string.
 */
char *
config_read_secret_file(const char *env, const char *path, char *err, size_t errsz)
{
	struct stat st;
	char *buf = NULL;
	ssize_t n;
	size_t len = 0;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		errf(err, errsz, "%s_FILE: cannot open %s: %s", env, path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		errf(err, errsz, "%s_FILE: %s is not a regular file", env, path);
		goto fail;
	}
	if (st.st_mode & (S_IRWXG | S_IRWXO)) {
		errf(err, errsz, "%s_FILE: %s is accessible by group or others "
		    "(mode %03o); chmod 600 it", env, path, (unsigned)(st.st_mode & 0777));
		goto fail;
	}
	if (st.st_size > 65536) {
		errf(err, errsz, "%s_FILE: %s is larger than 64 KiB", env, path);
		goto fail;
	}
	if ((buf = calloc(1, (size_t)st.st_size + 1)) == NULL) {
		errf(err, errsz, "%s_FILE: out of memory", env);
		goto fail;
	}
	while (len < (size_t)st.st_size &&
	    (n = read(fd, buf + len, (size_t)st.st_size - len)) > 0)
		len += (size_t)n;
	buf[len] = '\0';
	if (len > 0 && buf[len - 1] == '\n')
		buf[--len] = '\0';
	if (len > 0 && buf[len - 1] == '\r')
		buf[--len] = '\0';
	close(fd);
	return buf;
fail:
	close(fd);
	free(buf);
	return NULL;
}

static int
parse_number(const struct config_setting *s, const char *v, double *out,
    char *err, size_t errsz)
{
	char *end;
	double d;

	errno = 0;
	if (s->type == CONFIG_INT) {
		long long l = strtoll(v, &end, 10);
		d = (double)l;
	} else
		d = strtod(v, &end);
	if (*v == '\0' || *end != '\0' || errno != 0 || !isfinite(d)) {
		errf(err, errsz, "%s: '%s' is not a%s number", s->env, v,
		    s->type == CONFIG_INT ? "n integer" : "");
		return -1;
	}
	if (d < s->min || d > s->max) {
		errf(err, errsz, "%s: %s is out of range [%g, %g]", s->env, v,
		    s->min, s->max);
		return -1;
	}
	*out = d;
	return 0;
}

static int
enum_ok(const char *choices, const char *v)
{
	size_t n = strlen(v);
	const char *p = choices;

	while (p != NULL && *p != '\0') {
		const char *bar = strchr(p, '|');
		size_t len = bar ? (size_t)(bar - p) : strlen(p);
		if (len == n && strncmp(p, v, n) == 0)
			return 1;
		p = bar ? bar + 1 : NULL;
	}
	return 0;
}

static int
load_one(struct config *cfg, const struct config_setting *s,
    config_getenv_fn get, char *err, size_t errsz)
{
	char fileenv[128];
	const char *v = get(s->env);
	char *str = NULL;
	double d;

	if (s->type == CONFIG_SECRET) {
		const char *path;
		snprintf(fileenv, sizeof(fileenv), "%s_FILE", s->env);
		path = get(fileenv);
		if (path != NULL && *path != '\0') {
			if (v != NULL && *v != '\0') {
				errf(err, errsz, "%s and %s are both set; use one",
				    s->env, fileenv);
				return -1;
			}
			if ((str = config_read_secret_file(s->env, path, err, errsz)) == NULL)
				return -1;
		}
	}
	if (v == NULL)
		v = s->def;

	switch (s->type) {
	case CONFIG_INT:
	case CONFIG_DOUBLE:
		if (parse_number(s, v, &d, err, errsz) == -1)
			return -1;
		if (s->type == CONFIG_INT)
			*(int *)((char *)cfg + s->offset) = (int)d;
		else
			*(double *)((char *)cfg + s->offset) = d;
		return 0;
	case CONFIG_ENUM:
		if (!enum_ok(s->choices, v)) {
			errf(err, errsz, "%s: '%s' is not one of %s", s->env, v,
			    s->choices);
			return -1;
		}
		break;
	default:
		break;
	}
	if (str == NULL && (str = strdup(v)) == NULL) {
		errf(err, errsz, "%s: out of memory", s->env);
		return -1;
	}
	*(char **)((char *)cfg + s->offset) = str;
	return 0;
}

static int
need_secret(const char *env, const char *val, char *err, size_t errsz)
{
	if (val == NULL || *val == '\0') {
		errf(err, errsz, "%s: must be set and non-empty (or %s_FILE)", env, env);
		return -1;
	}
	if (strlen(val) < 32) {
		errf(err, errsz, "%s: too short (%zu bytes); use at least 32 "
		    "random bytes", env, strlen(val));
		return -1;
	}
	return 0;
}

int
config_callback_bytes(int max_file_size_kb)
{
	/*
	 * A callback carries stdout, stderr and compile_output, each up to
	 * max_file_size, in base64 (4 bytes per 3, a newline every 60), and
	 * some small fields: 64 KiB of room for those and the JSON.
	 */
	long long raw = (long long)max_file_size_kb * 1024;
	long long b64 = (raw + 2) / 3 * 4;

	b64 += b64 / 60 + 1;
	return (int)(3 * b64 + 64 * 1024);
}

int
config_load(struct config *cfg, unsigned need, config_getenv_fn get,
    char *err, size_t errsz)
{
	size_t i;

	memset(cfg, 0, sizeof(*cfg));
	for (i = 0; i < config_nsettings; i++)
		if (load_one(cfg, &config_settings[i], get, err, errsz) == -1)
			goto fail;
	if ((need & CONFIG_NEED_JWT) &&
	    need_secret("JWT_SECRET", cfg->jwt_secret, err, errsz) == -1)
		goto fail;
	if ((need & CONFIG_NEED_CALLBACK) &&
	    need_secret("CALLBACK_SECRET", cfg->callback_secret, err, errsz) == -1)
		goto fail;
	if ((need & CONFIG_NEED_DB) && *cfg->database_url == '\0') {
		errf(err, errsz, "DATABASE_URL: must be set (or DATABASE_URL_FILE)");
		goto fail;
	}
	if (cfg->max_callback_bytes == 0)
		cfg->max_callback_bytes = config_callback_bytes(cfg->judge0_max_file_size_kb);
	else if (cfg->max_callback_bytes < 1024) {
		errf(err, errsz, "MAX_CALLBACK_BYTES: %d is below 1024 (0 derives it)",
		    cfg->max_callback_bytes);
		goto fail;
	}
	if (strncmp(cfg->judge0_url, "http://", 7) != 0 &&
	    strncmp(cfg->judge0_url, "https://", 8) != 0) {
		errf(err, errsz, "JUDGE0_URL: '%s' is not an http(s) URL", cfg->judge0_url);
		goto fail;
	}
	if (strncmp(cfg->callback_base_url, "http://", 7) != 0 &&
	    strncmp(cfg->callback_base_url, "https://", 8) != 0) {
		errf(err, errsz, "CALLBACK_BASE_URL: '%s' is not an http(s) URL",
		    cfg->callback_base_url);
		goto fail;
	}
	return 0;
fail:
	config_free(cfg);
	return -1;
}

static const char *
real_getenv(const char *name)
{
	return getenv(name);
}

void
config_load_or_exit(struct config *cfg, unsigned need, const char *prog)
{
	char err[512];

	if (config_load(cfg, need, real_getenv, err, sizeof(err)) == -1) {
		fprintf(stderr, "%s: configuration error: %s\n", prog, err);
		exit(78);
	}
}

void
config_free(struct config *cfg)
{
	size_t i;

	for (i = 0; i < config_nsettings; i++) {
		const struct config_setting *s = &config_settings[i];
		char **p;

		if (s->type != CONFIG_STR && s->type != CONFIG_SECRET &&
		    s->type != CONFIG_ENUM)
			continue;
		p = (char **)((char *)cfg + s->offset);
		if (*p != NULL && s->type == CONFIG_SECRET)
			explicit_bzero(*p, strlen(*p));
		free(*p);
		*p = NULL;
	}
}

static const char *
type_name(const struct config_setting *s)
{
	switch (s->type) {
	case CONFIG_INT:	return "integer";
	case CONFIG_DOUBLE:	return "number";
	case CONFIG_SECRET:	return "secret";
	case CONFIG_ENUM:	return "one of";
	default:		return "string";
	}
}

void
config_print_markdown(FILE *fp)
{
	size_t i;

	fprintf(fp, "| variable | type | default | range | description |\n");
	fprintf(fp, "|---|---|---|---|---|\n");
	for (i = 0; i < config_nsettings; i++) {
		const struct config_setting *s = &config_settings[i];
		char range[64] = "";

		if (s->type == CONFIG_INT || s->type == CONFIG_DOUBLE)
			snprintf(range, sizeof(range), "%g–%g", s->min, s->max);
		else if (s->type == CONFIG_ENUM) {
			/* '|' would split the Markdown cell: list with ", ". */
			size_t k, n = 0;
			for (k = 0; s->choices[k] != '\0' && n + 3 < sizeof(range); k++) {
				if (s->choices[k] == '|') {
					range[n++] = ',';
					range[n++] = ' ';
				} else
					range[n++] = s->choices[k];
			}
			range[n] = '\0';
		}
		fprintf(fp, "| `%s`%s | %s | %s%s%s | %s | %s |\n", s->env,
		    s->type == CONFIG_SECRET ? " (`_FILE`)" : "", type_name(s),
		    *s->def ? "`" : "", *s->def ? s->def : "(empty)",
		    *s->def ? "`" : "", range, s->desc);
	}
}

void
config_print_example(FILE *fp)
{
	size_t i;

	fprintf(fp, "# Pitwall settings (generated by `pitwall-admin config example`).\n");
	for (i = 0; i < config_nsettings; i++) {
		const struct config_setting *s = &config_settings[i];
		fprintf(fp, "\n# %s\n#%s=%s\n", s->desc, s->env, s->def);
	}
}
