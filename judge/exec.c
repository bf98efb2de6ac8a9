/*
 * judge/exec.c — one Judge0 submission: compile (once per digest, in the
 * sandbox, with Judge0's maximum limits), run number_of_runs times with the
 * submission's limits, map the outcome to a Judge0 status.
 *
 * Compile cache: cache_dir/<sha256(lang, options, source)>/ holds
 * `status` ("ok" or "ce"), `compile_output` and `files/` (what the
 * compiler left in /box).  It is built in a temporary directory and
 * renamed into place, so concurrent judges compiling the same source never
 * see half an entry; the loser of the rename race throws its copy away.
 * Timeouts and internal errors are not cached (they depend on load).
 * The cache is bounded (cache_max_kb): the least recently used entries go
 * (fs_cache_evict), checked after new entries (cache_bound).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "judge.h"

struct exec {
	struct sandbox	*sb;
	char		*cache_dir;
	long long	 cache_max;	/* bytes */
	long long	 cache_added;	/* by us since the last scan */
	time_t		 cache_scanned;
};

/* Cache entries used this recently are never evicted: a run may be
 * copying the program out of them. */
#define CACHE_KEEP_S	2
/* A scan stats every entry (~35 us each), so it runs once we added
 * 1/16 of the bound or a minute passed: each judge process may overshoot
 * the bound by that much. */
#define CACHE_SCAN_S	60

static const char *const descriptions[EXEC_STATUS__MAX] = {
	NULL, "In Queue", "Processing", "Accepted", "Wrong Answer",
	"Time Limit Exceeded", "Compilation Error",
	"Runtime Error (SIGSEGV)", "Runtime Error (SIGXFSZ)",
	"Runtime Error (SIGFPE)", "Runtime Error (SIGABRT)",
	"Runtime Error (NZEC)", "Runtime Error (Other)", "Internal Error",
	"Exec Format Error"
};

const char *
exec_status_description(int id)
{
	return id > 0 && id < EXEC_STATUS__MAX ? descriptions[id] : NULL;
}

struct exec *
exec_new(const struct exec_config *cfg)
{
	struct exec	*ex;

	if (sodium_init() == -1 || cfg->cache_dir == NULL)
		return NULL;
	if ((ex = calloc(1, sizeof(*ex))) == NULL)
		return NULL;
	if ((ex->cache_dir = strdup(cfg->cache_dir)) == NULL)
		goto fail;
	ex->cache_max = (long long)(cfg->cache_max_kb > 0 ?
	    cfg->cache_max_kb : (size_t)1 << 20) * 1024;
	if ((ex->sb = sandbox_new(&cfg->sandbox)) == NULL)
		goto fail;
	/* 0700: compiled programs and other contestants' errors are ours. */
	if (fs_mkdir_p(ex->cache_dir, 0700) == -1) {
		sandbox_log(ex->sb, JUDGE_LOG_ERR, "%s: %s: %s", __func__,
		    ex->cache_dir, strerror(errno));
		goto fail;
	}
	return ex;
fail:
	exec_free(ex);
	return NULL;
}

struct sandbox *
exec_sandbox(struct exec *ex)
{
	return ex->sb;
}

void
exec_pool_stats(struct exec *ex, long *started, long *retired)
{
	sandbox_pool_stats(ex->sb, started, retired);
}

void
exec_free(struct exec *ex)
{
	if (ex == NULL)
		return;
	sandbox_free(ex->sb);
	free(ex->cache_dir);
	free(ex);
}

void
exec_submission_defaults(struct exec_submission *s)
{
	memset(s, 0, sizeof(*s));
	s->language_id = -1;
	s->cpu_time_limit = 5;
	s->cpu_extra_time = 1;
	s->wall_time_limit = 10;
	s->memory_limit = 128000;
	s->stack_limit = 64000;
	s->max_processes_and_or_threads = 60;
	s->max_file_size = 1024;
	s->number_of_runs = 1;
}

#define CHECK(cond, f, m) do { if (!(cond)) { *field = (f); *msg = (m); \
	return -1; } } while (0)

int
exec_submission_check(const struct exec_submission *s, const char **field,
    const char **msg)
{
	const struct lang *l = lang_find(s->language_id);

	CHECK(s->source_code != NULL, "source_code", "can't be blank");
	CHECK(l != NULL && lang_installed(l), "language_id",
	    "language with this id doesn't exist");
	CHECK(s->compiler_options == NULL ||
	    strlen(s->compiler_options) <= 512, "compiler_options",
	    "is too long (maximum is 512 characters)");
	CHECK(s->command_line_arguments == NULL ||
	    strlen(s->command_line_arguments) <= 512,
	    "command_line_arguments",
	    "is too long (maximum is 512 characters)");
	CHECK(s->cpu_time_limit >= 0 && s->cpu_time_limit <= 15,
	    "cpu_time_limit", "must be between 0 and 15");
	CHECK(s->cpu_extra_time >= 0 && s->cpu_extra_time <= 5,
	    "cpu_extra_time", "must be between 0 and 5");
	CHECK(s->wall_time_limit >= 1 && s->wall_time_limit <= 20,
	    "wall_time_limit", "must be between 1 and 20");
	CHECK(s->memory_limit >= 2048 && s->memory_limit <= 512000,
	    "memory_limit", "must be between 2048 and 512000");
	CHECK(s->stack_limit >= 0 && s->stack_limit <= 128000,
	    "stack_limit", "must be between 0 and 128000");
	CHECK(s->max_processes_and_or_threads >= 1 &&
	    s->max_processes_and_or_threads <= 120,
	    "max_processes_and_or_threads", "must be between 1 and 120");
	CHECK(s->max_file_size >= 0 && s->max_file_size <= 4096,
	    "max_file_size", "must be between 0 and 4096");
	CHECK(s->number_of_runs >= 1 && s->number_of_runs <= 20,
	    "number_of_runs", "must be between 1 and 20");
	return 0;
}

int
exec_text_set(struct exec_text *t, const char *data, size_t len)
{
	free(t->data);
	t->data = NULL;
	t->len = 0;
	if (data == NULL)
		return 0;
	if ((t->data = malloc(len + 1)) == NULL)
		return -1;
	memcpy(t->data, data, len);
	t->data[len] = '\0';
	t->len = len;
	return 0;
}

/* Judge0 reports empty outputs as null. */
static int
text_set_nonempty(struct exec_text *t, const char *data, size_t len)
{
	return exec_text_set(t, len > 0 ? data : NULL, len);
}

void
exec_result_clear(struct exec_result *r)
{
	exec_text_set(&r->stdout_text, NULL, 0);
	exec_text_set(&r->stderr_text, NULL, 0);
	exec_text_set(&r->compile_output, NULL, 0);
	exec_text_set(&r->message, NULL, 0);
	exec_text_set(&r->validation.judgemessage, NULL, 0);
	exec_text_set(&r->validation.teammessage, NULL, 0);
}

static void
result_init(struct exec_result *r)
{
	memset(r, 0, sizeof(*r));
	r->time = r->wall_time = -1;
	r->memory = -1;
	r->exit_code = r->exit_signal = -1;
}

int
exec_result_fail(struct exec_result *r, int status, const char *msg)
{
	r->status_id = status;
	return exec_text_set(&r->message, msg, strlen(msg));
}

/* hex SHA-256 over everything that changes the compiler's output. */
static void
compile_digest(const struct lang *l, const struct exec_submission *s,
    char hex[65])
{
	crypto_hash_sha256_state st;
	unsigned char h[crypto_hash_sha256_BYTES];
	char	 id[32];
	const char *opt = s->compiler_options ? s->compiler_options : "";

	crypto_hash_sha256_init(&st);
	/* Bump the tag when compile commands change. */
	crypto_hash_sha256_update(&st, (const unsigned char *)"pitwall-1", 10);
	snprintf(id, sizeof(id), "%d", l->id);
	crypto_hash_sha256_update(&st, (const unsigned char *)id,
	    strlen(id) + 1);
	crypto_hash_sha256_update(&st, (const unsigned char *)opt,
	    strlen(opt) + 1);
	crypto_hash_sha256_update(&st, (const unsigned char *)s->source_code,
	    s->source_len);
	crypto_hash_sha256_final(&st, h);
	sodium_bin2hex(hex, 65, h, sizeof(h));
}

/* Judge0 compiles with the maximum limits of every field. */
static const struct sandbox_limits compile_limits = {
	.cpu_time = 15, .cpu_extra = 5, .wall_time = 20,
	.memory_kb = 512000, .stack_kb = 128000, .fsize_kb = 4096,
	.max_procs = 120, .nofile = 256
};

/* Counts the new entry and evicts when a scan is due (CACHE_SCAN_S). */
static void
cache_bound(struct exec *ex, const char *entry)
{
	time_t	 now = time(NULL);

	ex->cache_added += fs_du(entry);
	if (ex->cache_added < ex->cache_max / 16 &&
	    now - ex->cache_scanned < CACHE_SCAN_S)
		return;
	if (fs_cache_evict(ex->cache_dir, 64, ex->cache_max,
	    CACHE_KEEP_S) == -1)
		sandbox_log(ex->sb, JUDGE_LOG_WARN, "%s: evicting from %s: %s",
		    __func__, ex->cache_dir, strerror(errno));
	ex->cache_added = 0;
	ex->cache_scanned = now;
}

/* Builds into a fresh cache entry at `entry` by running argv on files
 * in a box with the limits lim; 0 or -1 (r filled). */
static int
compile_fresh(struct exec *ex, const char *const *argv,
    const struct sandbox_file *files, size_t nfiles,
    const struct sandbox_limits *lim, const char *entry,
    struct exec_result *r)
{
	char	 tmp[700], path[760];
	struct sandbox_request req;
	struct sandbox_result sr;
	int	 ok, rc = -1;

	memset(&sr, 0, sizeof(sr));
	/* Per thread: two threads may compile the same digest at once. */
	snprintf(tmp, sizeof(tmp), "%s.tmp.%ld.%ld", entry, (long)getpid(),
	    (long)gettid());
	fs_rmtree(tmp);
	snprintf(path, sizeof(path), "%s/files", tmp);
	if (mkdir(tmp, 0700) == -1 || mkdir(path, 0700) == -1) {
		exec_result_fail(r, EXEC_INTERNAL, "compile cache not writable");
		goto out;
	}
	memset(&req, 0, sizeof(req));
	req.in_fd = req.out_fd = -1;
	req.argv = argv;
	req.files = files;
	req.nfiles = nfiles;
	req.collect_to = path;
	req.merge_stderr = 1;
	req.limits = *lim;
	sandbox_run(ex->sb, &req, &sr);
	if (sr.outcome == SANDBOX_INTERNAL || sr.outcome == SANDBOX_EXEC_FAILED) {
		exec_result_fail(r, EXEC_INTERNAL, sr.message);
		goto out;
	}
	text_set_nonempty(&r->compile_output, sr.out, sr.out_len);
	if (sr.outcome == SANDBOX_KILLED || sr.cpu_limit_hit) {
		exec_result_fail(r, EXEC_CE, "Compilation time limit exceeded.");
		goto out;
	}
	ok = sr.outcome == SANDBOX_EXITED && sr.exit_code == 0;
	snprintf(path, sizeof(path), "%s/compile_output", tmp);
	if (fs_write_file(path, sr.out, sr.out_len, 0600) == -1)
		goto out;
	snprintf(path, sizeof(path), "%s/status", tmp);
	if (fs_write_file(path, ok ? "ok" : "ce", 2, 0600) == -1)
		goto out;
	if (rename(tmp, entry) == -1 && errno != EEXIST && errno != ENOTEMPTY)
		goto out;
	cache_bound(ex, entry);
	if (!ok)
		r->status_id = EXEC_CE;
	rc = 0;
out:
	fs_rmtree(tmp);
	sandbox_result_clear(&sr);
	return rc;
}

int
exec_build_cached(struct exec *ex, const char *hex, const char *const *argv,
    const struct sandbox_file *files, size_t nfiles,
    const struct sandbox_limits *lim, struct exec_result *r, char **dir)
{
	char	 entry[600], path[700], *st = NULL, *co = NULL;
	size_t	 stlen, colen;
	int	 rc = -1;

	*dir = NULL;
	snprintf(entry, sizeof(entry), "%s/%s", ex->cache_dir, hex);
	snprintf(path, sizeof(path), "%s/status", entry);
	r->compile_cached = access(path, F_OK) == 0;
	/* The entry's mtime is its last use, for eviction. */
	if (r->compile_cached)
		(void)utimensat(AT_FDCWD, entry, NULL, 0);
	if (!r->compile_cached &&
	    compile_fresh(ex, argv, files, nfiles, lim != NULL ? lim :
	    &compile_limits, entry, r) == -1)
		return -1;
	if (fs_read_file(path, &st, &stlen, 16) == -1) {
		exec_result_fail(r, EXEC_INTERNAL, "compile cache entry missing");
		goto out;
	}
	snprintf(path, sizeof(path), "%s/compile_output", entry);
	if (fs_read_file(path, &co, &colen, (size_t)1 << 20) == 0)
		text_set_nonempty(&r->compile_output, co, colen);
	if (strcmp(st, "ok") != 0) {
		r->status_id = EXEC_CE;
		goto out;
	}
	snprintf(path, sizeof(path), "%s/files", entry);
	if ((*dir = strdup(path)) != NULL)
		rc = 0;
out:
	free(st);
	free(co);
	return rc;
}

/*
 * Makes sure the digest's entry exists.  Returns 0 with *files set to the
 * directory to copy into the run's box (caller frees), or -1 with
 * r->status_id set (6 or 13) and compile_output / message filled.
 */
static int
compile_cached(struct exec *ex, const struct lang *l,
    const struct exec_submission *s, struct exec_result *r, char **files)
{
	char	 hex[65], **argv = NULL;
	size_t	 argc = 0, i;
	struct sandbox_file src = { l->source_file, s->source_code,
	    s->source_len, 0644 };
	struct sandbox_limits lim;
	int	 rc = -1;

	*files = NULL;
	compile_digest(l, s, hex);
	for (i = 0; l->compile[i] != NULL; i++)
		if (lang_argv_append(&argv, &argc, l->compile[i]) == -1)
			goto argfail;
	if (s->compiler_options != NULL &&
	    lang_argv_append(&argv, &argc, s->compiler_options) == -1)
		goto argfail;
	for (i = 0; l->compile_tail[i] != NULL; i++)
		if (lang_argv_append(&argv, &argc, l->compile_tail[i]) == -1)
			goto argfail;
	lim = compile_limits;
	if (l->compile_cpu_s > 0)	/* a slow compiler (Kotlin's) */
		lim.cpu_time = l->compile_cpu_s;
	if (l->compile_wall_s > 0)
		lim.wall_time = l->compile_wall_s;
	rc = exec_build_cached(ex, hex, (const char *const *)argv, &src, 1,
	    &lim, r, files);
	goto out;
argfail:
	exec_result_fail(r, EXEC_CE, "Invalid compiler options.");
out:
	lang_argv_free(argv);
	return rc;
}

/* Ruby's rstrip: whitespace and NUL. */
static int
is_strip(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' ||
	    c == '\f' || c == '\r' || c == '\0';
}

/*
 * Judge0's comparison: split on \n, strip trailing whitespace of each
 * line, join with \n, strip trailing whitespace of the whole.  Writes the
 * normal form into a new buffer (caller frees); -1 on allocation failure.
 */
static int
normalize(const char *s, size_t len, char **out, size_t *outlen)
{
	char	*o;
	size_t	 i = 0, n = 0, start, end;

	if ((o = malloc(len + 1)) == NULL)
		return -1;
	while (i <= len) {
		start = i;
		while (i < len && s[i] != '\n')
			i++;
		end = i;
		while (end > start && is_strip(s[end - 1]))
			end--;
		memcpy(o + n, s + start, end - start);
		n += end - start;
		if (i < len)
			o[n++] = '\n';
		i++;
	}
	while (n > 0 && is_strip(o[n - 1]))
		n--;
	*out = o;
	*outlen = n;
	return 0;
}

static int
outputs_match(const char *a, size_t alen, const char *b, size_t blen)
{
	char	*na = NULL, *nb = NULL;
	size_t	 nal, nbl;
	int	 eq = -1;

	if (normalize(a ? a : "", a ? alen : 0, &na, &nal) == 0 &&
	    normalize(b, blen, &nb, &nbl) == 0)
		eq = nal == nbl && memcmp(na, nb, nal) == 0;
	free(na);
	free(nb);
	return eq;
}

/* Judge0 status (and message) of one run. */
static int
run_status(const struct exec_submission *s, const struct sandbox_result *sr,
    struct exec_result *r)
{
	char	 msg[128] = "";
	int	 st, eq;

	r->exit_code = sr->outcome == SANDBOX_EXITED ? sr->exit_code : -1;
	r->exit_signal = sr->outcome == SANDBOX_SIGNALED ? sr->exit_signal :
	    sr->outcome == SANDBOX_KILLED ? SIGKILL : -1;
	if (sr->outcome == SANDBOX_INTERNAL)
		return exec_result_fail(r, EXEC_INTERNAL, sr->message);
	if (sr->outcome == SANDBOX_EXEC_FAILED)
		return exec_result_fail(r, sr->exec_errno == ENOEXEC ?
		    EXEC_FORMAT_ERROR : EXEC_INTERNAL, sr->exec_errno ==
		    ENOEXEC ? "Exec format error" : sr->message);
	/* Like isolate: over the limit is TLE even if it finished within
	 * the extra time. */
	if (sr->cpu_limit_hit || sr->wall_limit_hit ||
	    (s->cpu_time_limit > 0 && sr->cpu_time > s->cpu_time_limit))
		return exec_result_fail(r, EXEC_TLE, "Time limit exceeded");
	if (sr->outcome == SANDBOX_SIGNALED) {
		switch (sr->exit_signal) {
		case SIGSEGV: st = EXEC_SIGSEGV; break;
		case SIGXFSZ: st = EXEC_SIGXFSZ; break;
		case SIGFPE: st = EXEC_SIGFPE; break;
		case SIGABRT: st = EXEC_SIGABRT; break;
		default: st = EXEC_RE_OTHER; break;
		}
		snprintf(msg, sizeof(msg), "Caught fatal signal %d",
		    sr->exit_signal);
	} else if (sr->exit_code != 0) {
		st = EXEC_NZEC;
		snprintf(msg, sizeof(msg), "Exited with error status %d",
		    sr->exit_code);
	} else if (s->expected_output != NULL) {
		if ((eq = outputs_match(sr->out, sr->out_len,
		    s->expected_output, s->expected_len)) == -1)
			return -1;
		st = eq ? EXEC_ACCEPTED : EXEC_WRONG_ANSWER;
	} else
		st = EXEC_ACCEPTED;
	/* Judge0 has no memory status; keep its ids, say why. */
	if (sr->memory_limit_hit)
		snprintf(msg, sizeof(msg), "Memory limit exceeded");
	r->status_id = st;
	return exec_text_set(&r->message, msg[0] ? msg : NULL, strlen(msg));
}

int
exec_runs(struct exec *ex, const struct lang *l,
    const struct exec_submission *s, const char *files,
    struct exec_result *r, int in_fd, int out_fd)
{
	struct sandbox_request req;
	struct sandbox_result sr;
	struct sandbox_file src = { l->source_file, s->source_code,
	    s->source_len, 0644 };
	char	**argv = NULL;
	size_t	 argc = 0, i;
	double	 t = 0, w = 0, m = 0;
	int	 n, rc = -1;

	memset(&sr, 0, sizeof(sr));
	for (i = 0; l->run[i] != NULL; i++)
		if (lang_argv_append(&argv, &argc, l->run[i]) == -1)
			goto out;
	if (s->command_line_arguments != NULL &&
	    lang_argv_append(&argv, &argc, s->command_line_arguments) == -1) {
		rc = exec_result_fail(r, EXEC_INTERNAL,
		    "Invalid command line arguments.");
		goto out;
	}
	memset(&req, 0, sizeof(req));
	req.in_fd = req.out_fd = -1;
	req.argv = (const char *const *)argv;
	req.stdin_data = s->stdin_data;
	req.stdin_len = s->stdin_len;
	if (files != NULL)
		req.copy_from = files;
	else {
		req.files = &src;
		req.nfiles = 1;
	}
	req.merge_stderr = s->redirect_stderr_to_stdout;
	req.limits.cpu_time = s->cpu_time_limit;
	req.limits.cpu_extra = s->cpu_extra_time;
	req.limits.wall_time = s->wall_time_limit;
	req.limits.memory_kb = s->memory_limit;
	req.limits.stack_kb = s->stack_limit;
	req.limits.fsize_kb = s->max_file_size;
	req.limits.max_procs = s->max_processes_and_or_threads;
	req.in_fd = in_fd;
	req.out_fd = out_fd;
	for (n = 0; n < s->number_of_runs; n++) {
		sandbox_result_clear(&sr);
		sandbox_run(ex->sb, &req, &sr);
		t += sr.cpu_time;
		w += sr.wall_time;
		m += sr.memory_kb;
	}
	r->time = t / n;
	r->wall_time = w / n;
	r->memory = (long)(m / n);
	if (text_set_nonempty(&r->stdout_text, sr.out, sr.out_len) == -1 ||
	    text_set_nonempty(&r->stderr_text, sr.err, sr.err_len) == -1)
		goto out;
	rc = run_status(s, &sr, r);
out:
	sandbox_result_clear(&sr);
	lang_argv_free(argv);
	return rc;
}

int
exec_run(struct exec *ex, const struct exec_submission *s,
    struct exec_result *r)
{
	const struct lang *l;
	const char *field, *msg;
	char	*files = NULL;
	int	 rc;

	result_init(r);
	if (exec_submission_check(s, &field, &msg) == -1) {
		char m[256];
		snprintf(m, sizeof(m), "%s %s", field, msg);
		return exec_result_fail(r, EXEC_INTERNAL, m);
	}
	l = lang_find(s->language_id);
	r->compile_cached = -1;
	if (l->compile != NULL && compile_cached(ex, l, s, r, &files) == -1) {
		if (r->status_id == 0)
			return exec_result_fail(r, EXEC_INTERNAL,
			    "compile cache not writable");
		return 0;
	}
	if (s->validator_json != NULL)
		rc = validate_run(ex, l, s, files, r);
	else
		rc = exec_runs(ex, l, s, files, r, -1, -1);
	free(files);
	return rc;
}
