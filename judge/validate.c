/*
 * judge/validate.c — custom output validators, Pitwall's extension of the
 * Judge0 API (docs/judge.md): a submission item carrying
 * `pitwall_validator` is judged by running the validator, in a box of its
 * own, as `validator input answer feedback_dir [flags] < team_output`.
 * Exit 42 is Accepted (3), 43 Wrong Answer (4), anything else an Internal
 * Error (13) naming why; never Accepted.  judgemessage.txt, teammessage.txt
 * and score.txt of the feedback directory come back in the result's
 * pitwall_validation.
 *
 * The validator is built once per digest (our own SHA-256 of its language
 * and files) into the compile cache, like a submission; its sources sit
 * flat in the box by base name, so a local header is found by #include.
 * The submission never shares a box with the answer or the validator.
 */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>

#include "judge.h"

/* Names of the judge's own files in the validator's box. */
#define V_INPUT		"pitwall_input"
#define V_ANSWER	"pitwall_answer"
#define V_BINARY	"pitwall_validator"
#define V_FEEDBACK	"/box/"

void
validator_spec_clear(struct validator_spec *v)
{
	size_t	 i;

	for (i = 0; v->files != NULL && i < v->nfiles; i++) {
		free(v->files[i].name);
		free(v->files[i].data);
	}
	free(v->files);
	free(v->flags);
	memset(v, 0, sizeof(*v));
}

/* A plain base name we can put in a box: [A-Za-z0-9_.-], no leading dot,
 * not one of the judge's own names. */
static int
name_ok(const char *s)
{
	size_t	 i;

	if (s[0] == '\0' || s[0] == '.' || strlen(s) > 100 ||
	    strncmp(s, "pitwall_", 8) == 0)
		return 0;
	for (i = 0; s[i] != '\0'; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' &&
		    s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') ||
		    s[i] == '_' || s[i] == '.' || s[i] == '-'))
			return 0;
	return 1;
}

/* The number member key of o in [lo, hi]: 0, or -1. */
static int
num_member(json_object *o, const char *key, double lo, double hi,
    double *out)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !(json_object_is_type(v, json_type_int) ||
	    json_object_is_type(v, json_type_double)))
		return -1;
	*out = json_object_get_double(v);
	return isfinite(*out) && *out >= lo && *out <= hi ? 0 : -1;
}

static const char *
str_member(json_object *o, const char *key, size_t *len)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	*len = (size_t)json_object_get_string_len(v);
	return json_object_get_string(v);
}

/* One file {path, content (base64)}: its base name and bytes into f. */
static int
file_parse(json_object *o, struct validator_file *f, size_t *total,
    char *err, size_t errsz)
{
	const char *path, *b64, *base, *end = NULL;
	size_t	 plen, blen, binlen = 0;

	if (!json_object_is_type(o, json_type_object) ||
	    (path = str_member(o, "path", &plen)) == NULL ||
	    (b64 = str_member(o, "content", &blen)) == NULL) {
		snprintf(err, errsz, "files: each needs a path and a content");
		return -1;
	}
	base = strrchr(path, '/') != NULL ? strrchr(path, '/') + 1 : path;
	if (strlen(path) != plen || !name_ok(base)) {
		snprintf(err, errsz, "files: path %.100s is not a plain file "
		    "name", path);
		return -1;
	}
	if ((f->name = strdup(base)) == NULL ||
	    (f->data = malloc(blen / 4 * 3 + 4)) == NULL)
		goto nomem;
	if (sodium_base642bin((unsigned char *)f->data, blen / 4 * 3 + 3, b64,
	    blen, " \t\r\n", &binlen, &end,
	    sodium_base64_VARIANT_ORIGINAL) != 0 || end != b64 + blen) {
		snprintf(err, errsz, "files: content of %.100s is not base64",
		    base);
		return -1;
	}
	f->data[binlen] = '\0';
	f->len = binlen;
	if ((*total += binlen) > VALIDATOR_BYTES_MAX) {
		snprintf(err, errsz, "files: more than %zu bytes",
		    VALIDATOR_BYTES_MAX);
		return -1;
	}
	return 0;
nomem:
	snprintf(err, errsz, "out of memory");
	return -1;
}

/* Our cache key: SHA-256 of a tag, the language and every file. */
static void
spec_digest(struct validator_spec *v)
{
	crypto_hash_sha256_state st;
	unsigned char h[crypto_hash_sha256_BYTES];
	char	 n[32];
	size_t	 i;

	crypto_hash_sha256_init(&st);
	/* Bump the tag when build commands change. */
	crypto_hash_sha256_update(&st, (const unsigned char *)"pw-val-1", 9);
	snprintf(n, sizeof(n), "%d", v->language_id);
	crypto_hash_sha256_update(&st, (const unsigned char *)n, strlen(n) + 1);
	for (i = 0; i < v->nfiles; i++) {
		snprintf(n, sizeof(n), "%zu", v->files[i].len);
		crypto_hash_sha256_update(&st,
		    (const unsigned char *)v->files[i].name,
		    strlen(v->files[i].name) + 1);
		crypto_hash_sha256_update(&st, (const unsigned char *)n,
		    strlen(n) + 1);
		crypto_hash_sha256_update(&st,
		    (const unsigned char *)v->files[i].data, v->files[i].len);
	}
	crypto_hash_sha256_final(&st, h);
	sodium_bin2hex(v->digest, sizeof(v->digest), h, sizeof(h));
}

int
validator_spec_parse(const char *json, size_t len, struct validator_spec *v,
    char *err, size_t errsz)
{
	struct json_tokener *tok = NULL;
	json_object *o = NULL, *files;
	const char *s;
	size_t	 slen, i, j, total = 0;
	double	 d;
	int	 rc = -1;

	memset(v, 0, sizeof(*v));
	if (len > VALIDATOR_BYTES_MAX * 2 || (tok = json_tokener_new_ex(8)) ==
	    NULL) {
		snprintf(err, errsz, "pitwall_validator is too large");
		goto out;
	}
	o = json_tokener_parse_ex(tok, json, (int)len);
	if (o == NULL || json_tokener_get_parse_end(tok) != len ||
	    !json_object_is_type(o, json_type_object)) {
		snprintf(err, errsz, "pitwall_validator is not a JSON object");
		goto out;
	}
	if ((s = str_member(o, "mode", &slen)) != NULL &&
	    strcmp(s, "custom") == 0)
		v->mode = VALIDATOR_CUSTOM;
	else if (s != NULL && strcmp(s, "interactive") == 0)
		v->mode = VALIDATOR_INTERACTIVE;
	else {
		snprintf(err, errsz, "mode must be custom or interactive");
		goto out;
	}
	if (num_member(o, "language_id", 0, 1000, &d) == -1 ||
	    (d != 50 && d != 54 && d != 71)) {
		snprintf(err, errsz, "language_id must be 50, 54 or 71");
		goto out;
	}
	v->language_id = (int)d;
	if ((s = str_member(o, "digest", &slen)) == NULL || slen != 64 ||
	    strspn(s, "0123456789abcdef") != 64) {
		snprintf(err, errsz, "digest must be 64 hex digits");
		goto out;
	}
	if ((s = str_member(o, "flags", &slen)) == NULL)
		s = "";
	if (strlen(s) != slen || slen > 1024 || (v->flags = strdup(s)) ==
	    NULL) {
		snprintf(err, errsz, "flags must be a string of at most 1024 "
		    "bytes");
		goto out;
	}
	if (num_member(o, "time_limit", 0.001, 60, &v->time_limit) == -1) {
		snprintf(err, errsz, "time_limit must be 0.001 to 60 seconds");
		goto out;
	}
	if (num_member(o, "memory_limit", 2048, 4194304, &d) == -1) {
		snprintf(err, errsz, "memory_limit must be 2048 to 4194304 KB");
		goto out;
	}
	v->memory_kb = (long)d;
	if (!json_object_object_get_ex(o, "files", &files) ||
	    !json_object_is_type(files, json_type_array) ||
	    json_object_array_length(files) < 1 ||
	    json_object_array_length(files) > VALIDATOR_FILES_MAX) {
		snprintf(err, errsz, "files must be 1 to %d files",
		    VALIDATOR_FILES_MAX);
		goto out;
	}
	v->nfiles = json_object_array_length(files);
	if ((v->files = calloc(v->nfiles, sizeof(*v->files))) == NULL) {
		snprintf(err, errsz, "out of memory");
		goto out;
	}
	for (i = 0; i < v->nfiles; i++) {
		if (file_parse(json_object_array_get_idx(files, i),
		    &v->files[i], &total, err, errsz) == -1)
			goto out;
		for (j = 0; j < i; j++)
			if (strcmp(v->files[j].name, v->files[i].name) == 0) {
				snprintf(err, errsz, "files: two named %s",
				    v->files[i].name);
				goto out;
			}
	}
	spec_digest(v);
	rc = 0;
out:
	json_object_put(o);
	if (tok != NULL)
		json_tokener_free(tok);
	return rc;
}

/* 1 when name ends with one of the suffixes (NULL-terminated). */
static int
has_suffix(const char *name, const char *const *sfx)
{
	size_t	 n = strlen(name), k;

	for (; *sfx != NULL; sfx++)
		if (n > (k = strlen(*sfx)) && strcmp(name + n - k, *sfx) == 0)
			return 1;
	return 0;
}

/* Python's main file: validator.py, else the first .py. */
static const char *
python_main(const struct validator_spec *v)
{
	static const char *const py[] = { ".py", NULL };
	const char *first = NULL;
	size_t	 i;

	for (i = 0; i < v->nfiles; i++) {
		if (strcmp(v->files[i].name, "validator.py") == 0)
			return v->files[i].name;
		if (first == NULL && has_suffix(v->files[i].name, py))
			first = v->files[i].name;
	}
	return first;
}

/* argv of the build (0) or of the run, NULL-terminated, malloc'd. */
static int
spec_argv(const struct validator_spec *v, int run, char ***argv)
{
	static const char *const c_src[] = { ".c", NULL };
	static const char *const cpp_src[] = { ".cpp", ".cc", ".cxx", NULL };
	const char *const *src = v->language_id == 50 ? c_src : cpp_src;
	const char *main_py = python_main(v);
	size_t	 argc = 0, i, nsrc = 0;
	int	 rc = 0;

	*argv = NULL;
	if (v->language_id == 71) {
		if (main_py == NULL)
			return -1;
		rc |= lang_argv_append(argv, &argc, "/usr/bin/python3");
		if (!run)
			rc |= lang_argv_append(argv, &argc, "-m py_compile");
		/* main_py passed name_ok(): no quoting needed. */
		rc |= lang_argv_append(argv, &argc, main_py);
		return rc;
	}
	if (run)
		return lang_argv_append(argv, &argc, "./" V_BINARY);
	rc |= lang_argv_append(argv, &argc, v->language_id == 50 ?
	    "/usr/bin/gcc -O2 -std=gnu11" : "/usr/bin/g++ -O2 -std=gnu++17");
	rc |= lang_argv_append(argv, &argc, "-o " V_BINARY);
	for (i = 0; i < v->nfiles; i++)
		if (has_suffix(v->files[i].name, src)) {
			rc |= lang_argv_append(argv, &argc, v->files[i].name);
			nsrc++;
		}
	if (v->language_id == 50)
		rc |= lang_argv_append(argv, &argc, "-lm");
	return nsrc == 0 ? -1 : rc;
}

int
validate_build(struct exec *ex, const struct validator_spec *v,
    struct exec_result *r, char **dir, char ***argv)
{
	struct sandbox_file *files = NULL;
	struct exec_result br;
	char	**bargv = NULL, hex[80], msg[300];
	size_t	 i;
	int	 rc = -1;

	*dir = NULL;
	*argv = NULL;
	memset(&br, 0, sizeof(br));
	r->validation.present = 1;
	r->validation.exit = -1;
	if (spec_argv(v, 0, &bargv) == -1 || spec_argv(v, 1, argv) == -1) {
		exec_result_fail(r, EXEC_INTERNAL, "validator: no source file "
		    "of its language");
		goto out;
	}
	if ((files = calloc(v->nfiles, sizeof(*files))) == NULL)
		goto out;
	for (i = 0; i < v->nfiles; i++) {
		files[i].name = v->files[i].name;
		files[i].data = v->files[i].data;
		files[i].len = v->files[i].len;
		files[i].mode = 0644;
	}
	/* "v-" keeps validator entries apart from submissions' (the
	 * eviction scan skips names that are not 64 bytes: so are these,
	 * bounded by the few validators a contest has). */
	snprintf(hex, sizeof(hex), "v-%s", v->digest);
	if (exec_build_cached(ex, hex, (const char *const *)bargv, files,
	    v->nfiles, NULL, &br, dir) == -1) {
		snprintf(msg, sizeof(msg), "validator build failed: %.250s",
		    br.status_id == EXEC_CE && br.compile_output.data ?
		    br.compile_output.data : br.message.data ?
		    br.message.data : "internal error");
		exec_result_fail(r, EXEC_INTERNAL, msg);
		exec_text_set(&r->validation.judgemessage, msg, strlen(msg));
		goto out;
	}
	rc = 0;
out:
	if (rc == -1 && r->status_id == 0)
		exec_result_fail(r, EXEC_INTERNAL, "validator: out of memory");
	if (rc == -1) {
		lang_argv_free(*argv);
		*argv = NULL;
	}
	exec_result_clear(&br);
	lang_argv_free(bargv);
	free(files);
	return rc;
}

/* feedback/name, at most VALIDATOR_MESSAGE_MAX bytes, into t (absent:
 * null). */
static void
feedback_read(const char *feedback, const char *name, struct exec_text *t)
{
	char	 path[800], *data = NULL;
	size_t	 len;

	snprintf(path, sizeof(path), "%s/%s", feedback, name);
	if (fs_read_file(path, &data, &len, VALIDATOR_MESSAGE_MAX) == 0)
		exec_text_set(t, data, len);
	free(data);
}

/* score.txt as a plain decimal ("12", "0.5", "-1e3"), else "". */
static void
score_read(const char *feedback, char *out, size_t outsz)
{
	struct exec_text t = { NULL, 0 };
	char	*p, *e, *end;
	double	 d;

	out[0] = '\0';
	feedback_read(feedback, "score.txt", &t);
	if (t.data == NULL)
		return;
	for (p = t.data; *p == ' ' || *p == '\t' || *p == '\n' || *p == '\r';
	    p++)
		;
	for (e = p + strlen(p); e > p && (e[-1] == ' ' || e[-1] == '\t' ||
	    e[-1] == '\n' || e[-1] == '\r'); e--)
		;
	*e = '\0';
	d = strtod(p, &end);
	if (*p != '\0' && end == e && strspn(p, "+-0123456789.eE") ==
	    (size_t)(e - p) && isfinite(d) && fabs(d) < 1e12 &&
	    (size_t)(e - p) < outsz)
		snprintf(out, outsz, "%s", p);
	exec_text_set(&t, NULL, 0);
}

void
validate_outcome(const struct sandbox_result *sr, const char *feedback,
    struct exec_result *r)
{
	char	 msg[300];

	r->validation.present = 1;
	r->validation.exit = sr->outcome == SANDBOX_EXITED ? sr->exit_code : -1;
	if (feedback != NULL) {
		feedback_read(feedback, "judgemessage.txt",
		    &r->validation.judgemessage);
		feedback_read(feedback, "teammessage.txt",
		    &r->validation.teammessage);
		score_read(feedback, r->validation.score,
		    sizeof(r->validation.score));
	}
	if (sr->outcome == SANDBOX_EXITED && sr->exit_code == 42 &&
	    !sr->cpu_limit_hit && !sr->wall_limit_hit) {
		r->status_id = EXEC_ACCEPTED;
		return;
	}
	if (sr->outcome == SANDBOX_EXITED && sr->exit_code == 43 &&
	    !sr->cpu_limit_hit && !sr->wall_limit_hit) {
		r->status_id = EXEC_WRONG_ANSWER;
		return;
	}
	if (sr->cpu_limit_hit || sr->wall_limit_hit ||
	    sr->outcome == SANDBOX_KILLED)
		snprintf(msg, sizeof(msg), "validator exceeded its time limit");
	else if (sr->outcome == SANDBOX_SIGNALED)
		snprintf(msg, sizeof(msg), "validator crashed (signal %d)",
		    sr->exit_signal);
	else if (sr->outcome == SANDBOX_EXITED)
		snprintf(msg, sizeof(msg), "validator exited with %d, not 42 "
		    "or 43", sr->exit_code);
	else
		snprintf(msg, sizeof(msg), "validator did not run: %.200s",
		    sr->message);
	exec_result_fail(r, EXEC_INTERNAL, msg);
}

/* Limits of a validator's run: its own time and memory, room for its
 * feedback files, a wall bound. */
void
validate_limits(const struct validator_spec *v, double wall,
    struct sandbox_limits *l)
{
	memset(l, 0, sizeof(*l));
	l->cpu_time = v->time_limit;
	l->cpu_extra = 0.5;
	l->wall_time = wall;
	l->memory_kb = v->memory_kb;
	l->stack_kb = 65536;
	l->fsize_kb = 8192;
	l->max_procs = 8;
	l->nofile = 64;
}

void
validate_release(struct vrun *vr)
{
	if (vr->fb[0] != '\0')
		fs_rmtree(vr->fb);
	lang_argv_free(vr->argv);
	free(vr->dir);
	memset(vr, 0, sizeof(*vr));
}

int
validate_prepare(struct exec *ex, const struct validator_spec *v,
    const struct exec_submission *s, struct exec_result *r, struct vrun *vr,
    struct sandbox_request *req)
{
	size_t	 argc;

	memset(vr, 0, sizeof(*vr));
	memset(req, 0, sizeof(*req));
	if (validate_build(ex, v, r, &vr->dir, &vr->argv) == -1)
		return -1;
	for (argc = 0; vr->argv[argc] != NULL; argc++)
		;
	if (lang_argv_append(&vr->argv, &argc, V_INPUT " " V_ANSWER " "
	    V_FEEDBACK) == -1 || lang_argv_append(&vr->argv, &argc,
	    v->flags) == -1) {
		exec_result_fail(r, EXEC_INTERNAL, "validator flags do not "
		    "split into words");
		return -1;
	}
	snprintf(vr->fb, sizeof(vr->fb), "%s.fb.%ld", vr->dir, (long)getpid());
	fs_rmtree(vr->fb);
	if (mkdir(vr->fb, 0700) == -1) {
		exec_result_fail(r, EXEC_INTERNAL, "validator: no feedback "
		    "directory");
		vr->fb[0] = '\0';
		return -1;
	}
	vr->io[0].name = V_INPUT;
	vr->io[0].data = s->stdin_data ? s->stdin_data : "";
	vr->io[0].len = s->stdin_len;
	vr->io[0].mode = 0444;
	vr->io[1].name = V_ANSWER;
	vr->io[1].data = s->expected_output ? s->expected_output : "";
	vr->io[1].len = s->expected_len;
	vr->io[1].mode = 0444;
	req->argv = (const char *const *)vr->argv;
	req->files = vr->io;
	req->nfiles = 2;
	req->copy_from = vr->dir;
	req->collect_to = vr->fb;
	req->in_fd = req->out_fd = -1;
	validate_limits(v, 2 * v->time_limit + 1, &req->limits);
	return 0;
}

/* Runs the validator on the team output r->stdout_text. */
static void
custom_check(struct exec *ex, const struct exec_submission *s,
    const struct validator_spec *v, struct exec_result *r)
{
	struct sandbox_request req;
	struct sandbox_result sr;
	struct vrun vr;

	memset(&sr, 0, sizeof(sr));
	if (validate_prepare(ex, v, s, r, &vr, &req) == 0) {
		req.stdin_data = r->stdout_text.data ? r->stdout_text.data : "";
		req.stdin_len = r->stdout_text.len;
		sandbox_run(exec_sandbox(ex), &req, &sr);
		validate_outcome(&sr, vr.fb, r);
	}
	sandbox_result_clear(&sr);
	validate_release(&vr);
}

int
validate_run(struct exec *ex, const struct lang *l,
    const struct exec_submission *s, const char *files,
    struct exec_result *r)
{
	struct validator_spec v;
	struct exec_submission run = *s;
	char	 err[256], msg[300];
	int	 rc;

	if (validator_spec_parse(s->validator_json, s->validator_json_len, &v,
	    err, sizeof(err)) == -1) {
		validator_spec_clear(&v);
		snprintf(msg, sizeof(msg), "pitwall_validator: %s", err);
		return exec_result_fail(r, EXEC_INTERNAL, msg);
	}
	/* The answer is the validator's, never compared here. */
	run.expected_output = NULL;
	run.expected_len = 0;
	if (v.mode == VALIDATOR_INTERACTIVE)
		rc = interact_run(ex, l, s, files, &v, r);
	else if ((rc = exec_runs(ex, l, &run, files, r, -1, -1)) == 0 &&
	    r->status_id == EXEC_ACCEPTED)
		custom_check(ex, s, &v, r);
	validator_spec_clear(&v);
	return rc;
}
