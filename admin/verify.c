/*
 * pitwall-admin verify PATH [--store] [--slug SLUG] [--time-limit SECONDS]
 *     [--max-size BYTES]
 *
 * The self-check of an ICPC/Kattis package: every jury submission under
 * submissions/<accepted|wrong_answer|time_limit_exceeded|run_time_error|
 * ...>/ (or as its DOMjudge `@EXPECTED_RESULTS@:` line says) is judged on
 * the configured judge (JUDGE0_URL) with the worker's limits and the
 * package's validator flags, and the time limit is computed as
 * problemtools does: the slowest accepted run times the time multiplier,
 * rounded up to the time resolution; TLE submissions must still be TLE at
 * the safety margin.  Prints a table; exits 1 on any mismatch.  --store
 * keeps the computed limit for the question (questions.verified_time_limit_ms,
 * and time_limit_ms when the package gives none).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "cache.h"
#include "db.h"
#include "dispatch.h"
#include "extern.h"
#include "judge0.h"
#include "outval.h"
#include "verdict.h"

#define VERIFY_CHUNK		8	/* testcases sent to the judge at once */
#define VERIFY_TIMEOUT_MS	600000	/* for one chunk */
#define VERIFY_TL_MAX_MS	60000	/* the schema's bound of time limits */
#define VM(v)			KPP_VM(v)
#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

/* One jury submission and what the judge made of it. */
struct vsub {
	const struct kpp_file	*f;
	char			 path[256];	/* the table's file column */
	char			 dir[64];
	int			 lang;		/* Judge0 id; 0: unknown */
	char			 lang_name[64];
	double			 mult;		/* languages.time_multiplier */
	unsigned		 expected;	/* mask of VM(verdict) */
	int			 from_line;	/* @EXPECTED_RESULTS@ */
	int			 judged;
	enum verdict		*tv;		/* per testcase, at the run's limit */
	int			*tms;		/* per testcase CPU ms, -1: none */
	size_t			 ntv;		/* testcases judged */
	int			 slowest_ms;
	char			 error[160];	/* "": none */
};

/* What one run of verify works with. */
struct vctx {
	struct actx		*a;
	struct kpp		*k;
	/* The package as the question import-problem would make of it, so
	 * that the judge is told about its validator by the code that
	 * /submit's dispatch uses (dispatch_validator()); vfiles and the
	 * testcases' strings are borrowed from k but for the base64. */
	struct cache_question	 q;
	struct judge0_vfile	*jfiles;
	struct judge0		*j0;
	struct vsub		*subs;
	size_t			 nsubs;
	int			 fixed_ms;	/* 0: none */
	int			 fixed_cli;	/* fixed_ms from --time-limit */
	int			 memory_kb;
};

/*
 * v->q from the package: validator, flags, limits, sources (base64) and
 * each testcase's answer and flags.  0 / -1 (memory).
 */
static int
verify_question(struct vctx *v)
{
	struct kpp *k = v->k;
	struct cache_question *q = &v->q;
	char hex[65];
	size_t i;

	q->validator = (char *)kpp_validator_name(k->validator);
	q->validator_flags = k->validator_flags;
	q->validation_time_ms = k->validation_time_ms;
	q->validation_memory_kb = k->validation_memory_mb * 1024;
	if ((q->tests = calloc(k->ntests ? k->ntests : 1,
	    sizeof(*q->tests))) == NULL ||
	    (q->vfiles = calloc(k->nvsrc ? k->nvsrc : 1,
	    sizeof(*q->vfiles))) == NULL ||
	    (v->jfiles = calloc(k->nvsrc + 1, sizeof(*v->jfiles))) == NULL)
		return -1;
	q->ntests = k->ntests;
	for (i = 0; i < k->ntests; i++) {
		q->tests[i].name = k->tests[i].name;
		q->tests[i].is_sample = k->tests[i].is_sample;
		q->tests[i].input = k->tests[i].in->data;
		q->tests[i].input_len = k->tests[i].in->len;
		q->tests[i].expected = k->tests[i].ans->data;
		q->tests[i].expected_len = k->tests[i].ans->len;
		q->tests[i].flags = k->tests[i].flags;
	}
	for (i = 0; i < k->nvsrc; i++) {
		q->vfiles[i].path = k->vsrc[i]->path;
		if ((q->vfiles[i].content_b64 = b64_encode(k->vsrc[i]->data,
		    k->vsrc[i]->len)) == NULL)
			return -1;
		q->nvfiles++;
	}
	q->validator_lang = cache_vfiles_lang(q->vfiles, q->nvfiles);
	cache_vfiles_digest(q->vfiles, q->nvfiles, q->validator_lang, hex);
	return (q->validator_digest = strdup(hex)) != NULL ? 0 : -1;
}

static void
verify_question_clear(struct vctx *v)
{
	size_t i;

	for (i = 0; v->q.vfiles != NULL && i < v->q.nvfiles; i++)
		free(v->q.vfiles[i].content_b64);
	free(v->q.vfiles);
	free(v->q.tests);
	free(v->q.validator_digest);
	free(v->jfiles);
}

static void
vsub_free_all(struct vsub *s, size_t n)
{
	size_t i;

	for (i = 0; s != NULL && i < n; i++) {
		free(s[i].tv);
		free(s[i].tms);
	}
	free(s);
}

/* Name and time multiplier of lang from the languages table. */
static void
verify_lang_info(struct db *db, struct vsub *s)
{
	PGresult *res;
	const char *p[1];
	char id[16];

	s->mult = 1.0;
	snprintf(s->lang_name, sizeof(s->lang_name), "?");
	if (s->lang == 0)
		return;
	snprintf(id, sizeof(id), "%d", s->lang);
	p[0] = id;
	snprintf(s->lang_name, sizeof(s->lang_name), "%s", id);
	res = db_exec(db, "SELECT name, time_multiplier FROM languages WHERE"
	    " judge0_id = $1::integer", 1, p);
	if (res != NULL && PQntuples(res) == 1) {
		snprintf(s->lang_name, sizeof(s->lang_name), "%s",
		    PQgetvalue(res, 0, 0));
		s->mult = atof(PQgetvalue(res, 0, 1));
	}
	PQclear(res);
}

/* Every file of submissions/<dir>/ with what it must get. */
static int
verify_collect(struct vctx *v, struct db *db)
{
	const struct kpp_files *fs = &v->k->files;
	struct vsub *s;
	const char *rest, *slash, *multi;
	size_t i, dl;
	int r;

	if ((v->subs = calloc(fs->n ? fs->n : 1, sizeof(*v->subs))) == NULL)
		return -1;
	for (i = 0; i < fs->n; i++) {
		if (strncmp(fs->v[i].path, "submissions/", 12) != 0)
			continue;
		rest = fs->v[i].path + 12;
		slash = strchr(rest, '/');
		/* A folder of submissions/<verdict>/ is one multi-file
		 * submission: one row for it (its files sort together). */
		multi = slash != NULL ? strchr(slash + 1, '/') : NULL;
		if (multi != NULL && v->nsubs > 0 && strncmp(v->subs[v->nsubs -
		    1].path, fs->v[i].path, (size_t)(multi + 1 -
		    fs->v[i].path)) == 0 && v->subs[v->nsubs - 1].path[multi +
		    1 - fs->v[i].path] == '\0')
			continue;
		s = &v->subs[v->nsubs++];
		s->f = &fs->v[i];
		s->slowest_ms = -1;
		snprintf(s->path, sizeof(s->path), "%.*s", multi != NULL ?
		    (int)(multi + 1 - s->f->path) : (int)strlen(s->f->path),
		    s->f->path);
		dl = slash != NULL ? (size_t)(slash - rest) : 0;
		snprintf(s->dir, sizeof(s->dir), "%.*s", (int)dl, rest);
		if (slash == NULL) {
			snprintf(s->error, sizeof(s->error), "not in a folder "
			    "submissions/<verdict>/");
			continue;
		}
		s->expected = kpp_dir_verdicts(s->dir);
		if (multi != NULL) {
			snprintf(s->error, sizeof(s->error), "a multi-file "
			    "submission (a folder): verify judges single files "
			    "only");
			continue;
		}
		r = kpp_expected_results(s->f->data, s->f->len, &s->expected,
		    s->error, sizeof(s->error));
		if (r == -1)
			continue;
		s->from_line = r == 0;
		if (s->expected == 0) {
			snprintf(s->error, sizeof(s->error), "unknown directory "
			    "submissions/%s/ and no @EXPECTED_RESULTS@: line",
			    s->dir);
			continue;
		}
		s->lang = kpp_lang_of(s->f->path);
		verify_lang_info(db, s);
		if (s->lang == 0)
			snprintf(s->error, sizeof(s->error), "no language for "
			    "this file extension");
	}
	return 0;
}

/*
 * The judge0 item for testcase t of submission s at cpu seconds: the
 * worker's limits, and a custom or interactive validator as /submit's
 * dispatch sends it (dispatch_validator(), into *val); a default
 * validator's answer stays here (verify_reply() compares).
 */
static void
verify_item(const struct vctx *v, const struct vsub *s, size_t t,
    double cpu, struct judge0_item *it, struct judge0_validator *val)
{
	const struct cache_testcase *tc = &v->q.tests[t];

	memset(it, 0, sizeof(*it));
	it->source = s->f->data;
	it->source_len = s->f->len;
	it->language_id = s->lang;
	it->stdin_data = tc->input;
	it->stdin_len = tc->input_len;
	it->cpu_time_limit = cpu;
	it->wall_time_limit = dispatch_wall_limit(cpu);
	it->memory_limit_kb = v->memory_kb;
	it->max_file_size_kb = v->a->cfg.judge0_max_file_size_kb;
	if (dispatch_validator(&v->q, tc, val, v->jfiles)) {
		it->expected = tc->expected;
		it->expected_len = tc->expected_len;
		it->validator = val;
	}
}

/* The verdict of one judge reply for testcase t; its CPU ms in *ms. */
static enum verdict
verify_reply(const struct vctx *v, json_object *reply, size_t t, int *ms)
{
	const struct cache_testcase *tc = &v->q.tests[t];
	struct verdict_result vr;
	enum verdict out = VERDICT_IE;
	const char *body;
	char err[256];

	*ms = -1;
	memset(&vr, 0, sizeof(vr));
	body = json_object_to_json_string_ext(reply, JSON_C_TO_STRING_PLAIN);
	if (reply == NULL || verdict_result_parse(body, strlen(body), &vr, err,
	    sizeof(err)) == -1)
		goto out;
	*ms = vr.time_ms;
	/* The worker's own judgement of a result (lib/verdict.c). */
	if (verdict_judge(&vr, dispatch_validator_name(&v->q),
	    dispatch_flags(&v->q, tc), tc->expected, tc->expected_len, &out,
	    NULL, 0) != VERDICT_FINAL)
		out = VERDICT_IE;
out:
	verdict_result_clear(&vr);
	return out;
}

/*
 * Judge s on every testcase at tl_ms (times its language's multiplier),
 * in chunks, stopping after the chunk with the first failure unless
 * all_tests (the accepted ones: their times set the limit).  0, or -1
 * with s->error set when the judge could not be used.
 */
static int
verify_judge(struct vctx *v, struct vsub *s, int tl_ms, int all_tests)
{
	const struct kpp *k = v->k;
	struct judge0_item items[VERIFY_CHUNK];
	struct judge0_validator vals[VERIFY_CHUNK];
	struct judge0_run runs[VERIFY_CHUNK];
	double cpu = dispatch_cpu_limit(&v->a->cfg, tl_ms, s->mult);
	size_t off, m, i;
	int failed = 0, rc = 0;

	s->tv = calloc(k->ntests ? k->ntests : 1, sizeof(*s->tv));
	s->tms = calloc(k->ntests ? k->ntests : 1, sizeof(*s->tms));
	if (s->tv == NULL || s->tms == NULL) {
		snprintf(s->error, sizeof(s->error), "out of memory");
		return -1;
	}
	for (off = 0; off < k->ntests && !(failed && !all_tests); off += m) {
		m = k->ntests - off < VERIFY_CHUNK ? k->ntests - off : VERIFY_CHUNK;
		for (i = 0; i < m; i++)
			verify_item(v, s, off + i, cpu, &items[i], &vals[i]);
		judge0_run_wait(v->j0, items, m, VERIFY_TIMEOUT_MS, runs);
		for (i = 0; i < m; i++) {
			if (runs[i].rc != J0_OK && rc == 0) {
				snprintf(s->error, sizeof(s->error), "the judge: %s%s",
				    runs[i].timed_out ? "no answer in time " : "",
				    runs[i].error);
				rc = -1;
			}
			if (rc == 0) {
				s->tv[off + i] = verify_reply(v, runs[i].reply,
				    off + i, &s->tms[off + i]);
				failed |= s->tv[off + i] != VERDICT_AC;
				if (s->tms[off + i] > s->slowest_ms)
					s->slowest_ms = s->tms[off + i];
			}
			json_object_put(runs[i].reply);
		}
		if (rc == -1)
			return -1;
		s->ntv = off + m;
	}
	s->judged = 1;
	return 0;
}

/*
 * The verdict of s at time limit tl_ms: the first testcase in order that
 * was not accepted, a run slower than the limit (times the language's
 * multiplier, clamped as the worker does) counting as TLE.
 */
static enum verdict
verify_verdict_at(const struct vctx *v, const struct vsub *s, int tl_ms)
{
	int lim = (int)lround(dispatch_cpu_limit(&v->a->cfg, tl_ms, s->mult) *
	    1000);
	size_t i;

	for (i = 0; i < s->ntv; i++) {
		if (s->tv[i] == VERDICT_CE || s->tv[i] == VERDICT_IE)
			return s->tv[i];
		if (s->tms[i] > lim)
			return VERDICT_TLE;
		if (s->tv[i] != VERDICT_AC)
			return s->tv[i];
	}
	return VERDICT_AC;
}

/* "AC", "WA|TLE", … of a mask into buf. */
static const char *
verify_mask_text(unsigned mask, char *buf, size_t bufsz)
{
	size_t l = 0;
	int v;

	buf[0] = '\0';
	for (v = 0; v < VERDICT__MAX; v++)
		if (mask & VM(v))
			l += (size_t)snprintf(buf + l, l < bufsz ? bufsz - l : 0,
			    "%s%s", l ? "|" : "", verdict_name((enum verdict)v));
	return buf;
}

/* Time limits in ms: the one computed from the accepted runs. */
static int
verify_time_limit(const struct vctx *v, double *slowest_s)
{
	const struct kpp *k = v->k;
	double slowest = -1, exact, res = k->time_resolution, tl;
	size_t i;

	for (i = 0; i < v->nsubs; i++) {
		const struct vsub *s = &v->subs[i];

		if (!s->judged || s->expected != VM(VERDICT_AC) ||
		    s->slowest_ms < 0)
			continue;
		/* The limit is per question; a language's multiplier
		 * stretches it for that language's runs. */
		if (s->slowest_ms / 1000.0 / s->mult > slowest)
			slowest = s->slowest_ms / 1000.0 / s->mult;
	}
	*slowest_s = slowest;
	if (slowest < 0)
		return -1;
	exact = slowest * k->ac_to_time_limit;
	tl = fmax(1, ceil(exact / res - 1e-9)) * res;
	return (int)fmin(lround(tl * 1000), VERIFY_TL_MAX_MS);
}

/* Print the table and count mismatches, at timelim and at the margin. */
static int
verify_report(const struct vctx *v, int timelim, int high)
{
	char exp[64], note[160];
	enum verdict got, got_high;
	size_t i;
	int bad = 0, ok;

	printf("%-44s %-28s %-12s %-4s %8s\n", "file", "language", "expected",
	    "got", "slowest");
	for (i = 0; i < v->nsubs; i++) {
		const struct vsub *s = &v->subs[i];

		verify_mask_text(s->expected, exp, sizeof(exp));
		if (s->error[0] != '\0' || !s->judged) {
			printf("%-44s %-28s %-12s %-4s %8s  ERROR: %s\n", s->path,
			    s->lang_name, exp[0] ? exp : "?", "-", "-", s->error[0] ?
			    s->error : "not judged");
			bad++;
			continue;
		}
		got = verify_verdict_at(v, s, timelim);
		got_high = verify_verdict_at(v, s, high);
		/* TLE submissions must be too slow even at the margin. */
		if (s->expected == VM(VERDICT_TLE))
			ok = got_high == VERDICT_TLE;
		else
			ok = (s->expected & VM(got)) != 0;
		note[0] = '\0';
		if (!ok && s->expected == VM(VERDICT_TLE) && got == VERDICT_TLE)
			snprintf(note, sizeof(note), "  MISMATCH: %s at the "
			    "safety margin (%.3g s)", verdict_name(got_high),
			    high / 1000.0);
		else if (!ok)
			snprintf(note, sizeof(note), "  MISMATCH");
		else if (got != got_high)
			snprintf(note, sizeof(note), "  warning: sensitive to the "
			    "time limit (%s at %.3g s)", verdict_name(got_high),
			    high / 1000.0);
		if (s->from_line && ok)
			strncat(note, "  (@EXPECTED_RESULTS@)",
			    sizeof(note) - strlen(note) - 1);
		printf("%-44s %-28s %-12s %-4s %7.3fs%s\n", s->path,
		    s->lang_name, exp, verdict_name(got), s->slowest_ms < 0 ? 0 :
		    s->slowest_ms / 1000.0, note);
		bad += !ok;
	}
	return bad;
}

/* --store: the computed limit for the question with this slug. */
static int
verify_store(struct vctx *v, const char *slug, int computed)
{
	const char *p[3];
	char ms[16];
	struct db *db;
	int n;

	snprintf(ms, sizeof(ms), "%d", computed);
	p[0] = slug;
	p[1] = ms;
	/* Without a limit of its own, a re-import would take this one. */
	p[2] = v->k->time_limit_ms > 0 ? "f" : "t";
	if ((db = actx_db(v->a)) == NULL)
		return -1;
	n = import_exec_rows(db, "UPDATE questions SET verified_time_limit_ms ="
	    " $2::integer, time_limit_ms = CASE WHEN $3::boolean THEN"
	    " $2::integer ELSE time_limit_ms END WHERE slug = $1"
	    " RETURNING time_limit_ms", 3, p, ms, sizeof(ms));
	if (n != 1) {
		if (n == 0)
			fprintf(stderr, "pitwall-admin: no question '%s' to store "
			    "the time limit for: import-problem it first (or give "
			    "--slug)\n", slug);
		return -1;
	}
	printf("stored: question %s verified_time_limit_ms %d, time_limit_ms "
	    "%s\n", slug, computed, ms);
	return actx_caches_drop(v->a);
}

/* Parse the command line into v and the slug; ADMIN_OK or ADMIN_USAGE. */
static int
verify_args(int argc, char *argv[], struct vctx *v, const char **path,
    char *slug, size_t slugsz, int *store, size_t *limit)
{
	const char *sl = NULL, *tl = NULL, *maxsz = NULL;
	const struct opt opts[] = {
		{ "store", NULL, store },
		{ "slug", &sl, NULL },
		{ "time-limit", &tl, NULL },
		{ "max-size", &maxsz, NULL },
	};
	char *pos[1];
	int npos;

	if (opts_parse(argc, argv, opts, NELEM(opts), pos, 1, &npos) == -1 ||
	    npos != 1) {
		fprintf(stderr, "usage: pitwall-admin verify PATH [--store] "
		    "[--slug SLUG] [--time-limit SECONDS] [--max-size BYTES]\n");
		return ADMIN_USAGE;
	}
	*path = pos[0];
	if (sl != NULL && !package_slug_valid(sl)) {
		fprintf(stderr, "pitwall-admin: --slug '%s' is not "
		    "[a-z0-9][a-z0-9_-]{0,63}\n", sl);
		return ADMIN_USAGE;
	}
	if (sl != NULL)
		snprintf(slug, slugsz, "%s", sl);
	else if (kpp_slug_default(*path, slug, slugsz) == -1 && *store) {
		fprintf(stderr, "pitwall-admin: the package name is no valid "
		    "slug; give --slug\n");
		return ADMIN_USAGE;
	}
	if (kpp_opts_limits(tl, maxsz, &v->fixed_ms, limit) == -1)
		return ADMIN_USAGE;
	v->fixed_cli = v->fixed_ms > 0;
	return ADMIN_OK;
}

int
cmd_verify(struct actx *a, int argc, char *argv[])
{
	struct vctx v;
	struct outval_flags fl;
	struct db *db;
	const char *path = NULL;
	char slug[PKG_SLUG_MAX + 1] = "", err[512];
	double slowest = -1;
	size_t i, limit = 0;
	int store = 0, rc, computed, timelim, high, cap, bad;

	memset(&v, 0, sizeof(v));
	v.a = a;
	if ((rc = verify_args(argc, argv, &v, &path, slug, sizeof(slug), &store,
	    &limit)) != ADMIN_OK)
		return rc;
	rc = ADMIN_FAIL;
	actx_config(a, CONFIG_NEED_DB);
	if ((v.k = kpp_new()) == NULL)
		goto out;
	if (kpp_load(v.k, path, limit, err, sizeof(err)) == -1) {
		fprintf(stderr, "%s: %s\n", path, err);
		goto out;
	}
	if (v.k->validator == KPP_VALIDATOR_DEFAULT &&
	    outval_flags_parse(v.k->validator_flags, &fl, err,
	    sizeof(err)) == -1) {
		fprintf(stderr, "%s: validator flags: %s\n", path, err);
		goto out;
	}
	if (verify_question(&v) == -1) {
		fprintf(stderr, "%s: out of memory\n", path);
		goto out;
	}
	if (v.fixed_ms == 0)
		v.fixed_ms = v.k->time_limit_ms;
	v.memory_kb = dispatch_memory_kb(v.k->memory_mb > 0 ?
	    v.k->memory_mb * 1024 : 262144);
	if ((db = actx_db(a)) == NULL || (v.j0 = actx_judge0(a)) == NULL ||
	    verify_collect(&v, db) == -1)
		goto out;
	if (v.nsubs == 0) {
		fprintf(stderr, "%s: no submissions/ to verify\n", path);
		goto out;
	}
	/* Accepted first, as far as the judge allows (problemtools: 300 s
	 * when no limit is fixed); their slowest run sets the limit. */
	cap = (int)lround(a->cfg.judge0_max_cpu_time_s * 1000);
	high = v.fixed_ms > 0 ? (int)lround(v.fixed_ms *
	    v.k->time_limit_to_tle) : cap;
	for (i = 0; i < v.nsubs; i++)
		if (v.subs[i].error[0] == '\0' &&
		    v.subs[i].expected == VM(VERDICT_AC))
			(void)verify_judge(&v, &v.subs[i], high, 1);
	computed = verify_time_limit(&v, &slowest);
	timelim = v.fixed_ms > 0 ? v.fixed_ms : computed;
	if (timelim <= 0) {
		fprintf(stderr, "%s: no accepted submission ran, and the package "
		    "fixes no time limit: cannot compute one\n", path);
		timelim = 1000;
	}
	high = (int)fmin(lround(timelim * v.k->time_limit_to_tle),
	    VERIFY_TL_MAX_MS);
	for (i = 0; i < v.nsubs; i++)
		if (v.subs[i].error[0] == '\0' && !v.subs[i].judged)
			(void)verify_judge(&v, &v.subs[i], high, 0);
	bad = verify_report(&v, timelim, high);
	if (computed > 0)
		printf("computed time limit: slowest accepted %.3f s x %g = %.3f s "
		    "-> %g s (time resolution %g s)\n", slowest,
		    v.k->ac_to_time_limit, slowest * v.k->ac_to_time_limit,
		    computed / 1000.0, v.k->time_resolution);
	printf("time limit: %g s %s\n", timelim / 1000.0, v.fixed_ms == 0 ?
	    "(computed)" : v.fixed_cli ? "(fixed by --time-limit)" :
	    "(fixed by the package)");
	if (v.fixed_ms > 0) {
		/* problemtools: an error when the package's own limit is
		 * tighter than the solutions need, a warning for the CLI's. */
		if (computed > 0 && slowest * v.k->ac_to_time_limit >
		    v.fixed_ms / 1000.0) {
			printf("%s: the fixed time limit is tighter than the slowest "
			    "accepted run x %g\n", v.fixed_cli ? "warning" : "error",
			    v.k->ac_to_time_limit);
			bad += !v.fixed_cli;
		}
	}
	printf("safety margin: %g s (x %g): time_limit_exceeded submissions "
	    "must be TLE there\n", high / 1000.0, v.k->time_limit_to_tle);
	printf("%zu submission(s), %d mismatch(es)\n", v.nsubs, bad);
	if (bad > 0) {
		if (store)
			fprintf(stderr, "pitwall-admin: not stored: the package "
			    "does not verify\n");
		goto out;
	}
	if (store && (computed <= 0 || verify_store(&v, slug, computed) == -1))
		goto out;
	rc = ADMIN_OK;
out:
	vsub_free_all(v.subs, v.nsubs);
	verify_question_clear(&v);
	kpp_free(v.k);
	return rc;
}
