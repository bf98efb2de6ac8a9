/*
 * pitwall-admin import-problem PATH --round SLUG [--slug SLUG]
 *     [--points N] [--time-limit SECONDS] [--max-size BYTES]
 *
 * Stores one ICPC/Kattis problem package (admin/kpp*.c) as a question of
 * an existing round, in one transaction: the question with its validator
 * kind, flags, type and limits; its testcases (samples then secret, in
 * the package's order, with their group); the groups' testdata.yaml; the
 * custom validator's sources.  Re-importing the same slug updates in
 * place.  Prints the slug.
 */
#include <libgen.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "db.h"
#include "extern.h"
#include "outval.h"

#define KPP_ORDINAL_BUMP	"1000000"

int
kpp_slug_default(const char *path, char *slug, size_t slugsz)
{
	char buf[PATH_MAX], *b, *dot;
	size_t i;

	snprintf(buf, sizeof(buf), "%s", path);
	while (strlen(buf) > 1 && buf[strlen(buf) - 1] == '/')
		buf[strlen(buf) - 1] = '\0';
	b = basename(buf);
	if ((dot = strrchr(b, '.')) != NULL &&
	    (strcmp(dot, ".zip") == 0 || strcmp(dot, ".kpp") == 0))
		*dot = '\0';
	for (i = 0; b[i] != '\0'; i++)
		b[i] = (char)(b[i] >= 'A' && b[i] <= 'Z' ? b[i] - 'A' + 'a' : b[i]);
	snprintf(slug, slugsz, "%s", b);
	return package_slug_valid(slug) ? 0 : -1;
}

int
kpp_opts_limits(const char *tl, const char *maxsz, int *tl_ms, size_t *limit)
{
	long long v;
	double secs;
	char *end;

	if (tl != NULL) {
		secs = strtod(tl, &end);
		if (*tl == '\0' || *end != '\0' || !isfinite(secs) ||
		    secs < 0.001 || secs > 60) {
			fprintf(stderr, "pitwall-admin: --time-limit must be a "
			    "number of seconds in [0.001, 60]\n");
			return -1;
		}
		*tl_ms = (int)lround(secs * 1000);
	}
	if (maxsz != NULL) {
		if (arg_int(maxsz, 1, (long long)KPP_TOTAL_MAX * 8, &v) == -1) {
			fprintf(stderr, "pitwall-admin: --max-size must be a number "
			    "of bytes\n");
			return -1;
		}
		*limit = (size_t)v;
	}
	return 0;
}

/* bytes as the hex text decode($n, 'hex') reads; caller frees. */
static char *
kpp_hex(const char *p, size_t len)
{
	static const char dig[] = "0123456789abcdef";
	char *h;
	size_t i;

	if ((h = malloc(len * 2 + 1)) == NULL)
		return NULL;
	for (i = 0; i < len; i++) {
		h[2 * i] = dig[(unsigned char)p[i] >> 4];
		h[2 * i + 1] = dig[(unsigned char)p[i] & 15];
	}
	h[2 * len] = '\0';
	return h;
}

/* What the command line asked for. */
struct kimport {
	const char	*path;
	const char	*round;
	char		 slug[PKG_SLUG_MAX + 1];
	const char	*points;	/* NULL: 100 when new, else kept */
	int		 time_limit_ms;
	int		 memory_kb;
	const char	*output_kb;	/* NULL: the system's */
	char		 err[512];
};

/*
 * What the judge can use, checked before the transaction: flags the
 * default validator knows (the question's and each testcase's), and no
 * custom or interactive validator for a Judge0 that cannot run one.
 * (Binary test files are stored as bytes: kpp_tests_apply.)
 */
static int
kpp_storable(const struct kpp *k, const struct config *cfg, const char *path)
{
	struct outval_flags fl;
	char err[256];
	size_t i;

	/* A real Judge0 would run the submission and report a clean run,
	 * which says nothing of its output: a silently wrong verdict. */
	if (k->validator != KPP_VALIDATOR_DEFAULT && !cfg->judge_embedded) {
		fprintf(stderr, "%s: a %s validator needs Pitwall's embedded "
		    "judge (it runs the validator beside the submission); "
		    "JUDGE0_URL is another Judge0 (PITWALL_JUDGE_EMBEDDED=0), "
		    "which cannot\n", path, kpp_validator_name(k->validator));
		return -1;
	}
	if (k->validator == KPP_VALIDATOR_DEFAULT &&
	    outval_flags_parse(k->validator_flags, &fl, err, sizeof(err)) == -1) {
		fprintf(stderr, "%s: problem.yaml or data/testdata.yaml: %s\n",
		    path, err);
		return -1;
	}
	for (i = 0; k->validator == KPP_VALIDATOR_DEFAULT && i < k->ntests; i++)
		if (k->tests[i].flags != NULL && outval_flags_parse(
		    k->tests[i].flags, &fl, err, sizeof(err)) == -1) {
			fprintf(stderr, "%s: the testdata.yaml of data/%s: %s\n",
			    path, k->tests[i].name, err);
			return -1;
		}
	return 0;
}

/* Upsert the question row; its id into qid. */
static int
kpp_question_apply(struct db *db, const struct kimport *ki,
    const struct kpp *k, char *qid, size_t qidsz)
{
	char tl[16], ml[16], ol[16], vt[16], vm[16];
	const char *p[16];
	int n;

	if (ki->time_limit_ms > 0)
		snprintf(tl, sizeof(tl), "%d", ki->time_limit_ms);
	snprintf(ml, sizeof(ml), "%d", ki->memory_kb);
	if (k->output_mb > 0)
		snprintf(ol, sizeof(ol), "%d", k->output_mb * 1024);
	p[0] = ki->slug;
	p[1] = ki->round;
	p[2] = *k->name ? k->name : ki->slug;
	p[3] = k->statement;
	p[4] = ki->points;
	p[5] = ki->time_limit_ms > 0 ? tl : NULL;	/* NULL: verify's, else 1 s */
	p[6] = ml;
	p[7] = kpp_validator_name(k->validator);
	p[8] = k->validator_flags;
	p[9] = kpp_type_name(k->type);
	p[10] = k->output_mb > 0 ? ol : NULL;
	p[11] = k->layout == KPP_LAYOUT_2023 ? "2023-07" : "legacy";
	snprintf(vt, sizeof(vt), "%d", k->validation_time_ms);
	snprintf(vm, sizeof(vm), "%d", k->validation_memory_mb * 1024);
	p[12] = k->validation_time_ms > 0 ? vt : NULL;
	p[13] = k->validation_memory_mb > 0 ? vm : NULL;
	/* Balloon colours: the package's, else the stored ones stay. */
	p[14] = k->rgb[0] ? k->rgb : NULL;
	p[15] = k->color[0] ? k->color : NULL;
	n = import_exec_rows(db, "INSERT INTO questions (slug, round_id, title,"
	    " statement, points, time_limit_ms, memory_limit_kb, validator,"
	    " validator_flags, problem_type, output_limit_kb, package_format,"
	    " validation_time_ms, validation_memory_kb, rgb, color)"
	    " VALUES ($1, (SELECT id FROM rounds WHERE slug = $2), $3, $4,"
	    " coalesce($5::integer, 100), coalesce($6::integer, 1000), $7, $8,"
	    " $9, $10, $11, $12, $13::integer, $14::integer, $15, $16)"
	    " ON CONFLICT (slug) DO UPDATE SET round_id = EXCLUDED.round_id,"
	    " title = EXCLUDED.title, statement = EXCLUDED.statement,"
	    " points = coalesce($5::integer, questions.points),"
	    " time_limit_ms = coalesce($6::integer,"
	    " questions.verified_time_limit_ms, 1000),"
	    " memory_limit_kb = EXCLUDED.memory_limit_kb,"
	    " validator = EXCLUDED.validator,"
	    " validator_flags = EXCLUDED.validator_flags,"
	    " problem_type = EXCLUDED.problem_type,"
	    " output_limit_kb = EXCLUDED.output_limit_kb,"
	    " package_format = EXCLUDED.package_format,"
	    " validation_time_ms = EXCLUDED.validation_time_ms,"
	    " validation_memory_kb = EXCLUDED.validation_memory_kb,"
	    " rgb = coalesce($15, questions.rgb),"
	    " color = coalesce($16, questions.color)"
	    " RETURNING id", 16, p, qid, qidsz);
	return n == 1 ? 0 : -1;
}

/*
 * Bring the question's testcases in line with the package, by name.
 * Testcases gone from the package are deleted only when no result refers
 * to them (as `import` does): deleting judged ones would rewrite history.
 */
static int
kpp_tests_apply(struct db *db, const struct kpp *k, const char *qid,
    const char *path)
{
	PGresult *res = NULL;
	const char *p[11];
	char ord[24], cnt[32], *hex[2] = { NULL, NULL };
	size_t i;
	int n, rc = -1;

	p[0] = qid;
	if ((res = db_exec(db, "SELECT id, name FROM testcases WHERE"
	    " question_id = $1", 1, p)) == NULL)
		goto out;
	for (n = 0; n < PQntuples(res); n++) {
		const char *name = PQgetvalue(res, n, 1);

		for (i = 0; i < k->ntests; i++)
			if (strcmp(k->tests[i].name, name) == 0)
				break;
		if (i < k->ntests)
			continue;
		p[0] = PQgetvalue(res, n, 0);
		if (import_exec_rows(db, "SELECT count(*) FROM submission_results"
		    " WHERE testcase_id = $1", 1, p, cnt, sizeof(cnt)) != 1)
			goto out;
		if (atoll(cnt) > 0) {
			fprintf(stderr, "%s: testcase %s is gone from the package "
			    "but has %s judged result(s); put it back\n", path,
			    name, cnt);
			goto out;
		}
		if (import_exec_rows(db, "DELETE FROM testcases WHERE id = $1"
		    " RETURNING id", 1, p, NULL, 0) != 1)
			goto out;
	}
	/* UNIQUE (question_id, ordinal) holds per row: move them aside. */
	p[0] = qid;
	if (import_exec_rows(db, "UPDATE testcases SET ordinal = ordinal + "
	    KPP_ORDINAL_BUMP " WHERE question_id = $1 RETURNING id", 1, p,
	    NULL, 0) == -1)
		goto out;
	for (i = 0; i < k->ntests; i++) {
		const struct kpp_test *t = &k->tests[i];

		snprintf(ord, sizeof(ord), "%zu", i + 1);
		/* A file that is not text keeps its bytes (sql/014). */
		free(hex[0]);
		free(hex[1]);
		hex[0] = hex[1] = NULL;
		if (package_text_check(t->in->path, t->in->data, t->in->len, NULL,
		    0) == -1 && (hex[0] = kpp_hex(t->in->data,
		    t->in->len)) == NULL)
			goto out;
		if (package_text_check(t->ans->path, t->ans->data, t->ans->len,
		    NULL, 0) == -1 && (hex[1] = kpp_hex(t->ans->data,
		    t->ans->len)) == NULL)
			goto out;
		p[0] = qid;
		p[1] = t->name;
		p[2] = hex[0] != NULL ? "" : t->in->data;
		p[3] = hex[1] != NULL ? "" : t->ans->data;
		p[9] = hex[0];
		p[10] = hex[1];
		p[4] = t->is_sample ? "t" : "f";
		p[5] = ord;
		p[6] = k->groups[t->group].path;
		p[7] = t->flags;
		p[8] = t->interaction != NULL ? t->interaction->data : NULL;
		if (import_exec_rows(db, "INSERT INTO testcases (question_id, name,"
		    " input, expected_output, is_sample, points, ordinal,"
		    " group_path, validator_flags, interaction, input_bytes,"
		    " answer_bytes) VALUES ($1, $2, $3, $4, $5, 1, $6, $7, $8, $9,"
		    " decode($10, 'hex'), decode($11, 'hex'))"
		    " ON CONFLICT (question_id, name) DO UPDATE SET"
		    " input = EXCLUDED.input,"
		    " expected_output = EXCLUDED.expected_output,"
		    " is_sample = EXCLUDED.is_sample, ordinal = EXCLUDED.ordinal,"
		    " group_path = EXCLUDED.group_path,"
		    " validator_flags = EXCLUDED.validator_flags,"
		    " interaction = EXCLUDED.interaction,"
		    " input_bytes = EXCLUDED.input_bytes,"
		    " answer_bytes = EXCLUDED.answer_bytes RETURNING id", 11, p,
		    NULL, 0) != 1)
			goto out;
	}
	rc = 0;
out:
	free(hex[0]);
	free(hex[1]);
	PQclear(res);
	return rc;
}

/* Groups and validator sources: replaced wholesale. */
static int
kpp_extras_apply(struct db *db, const struct kpp *k, const char *qid)
{
	const char *p[4];
	char ord[24], *hex;
	size_t i;
	int n;

	p[0] = qid;
	if (import_exec_rows(db, "DELETE FROM testcase_groups WHERE"
	    " question_id = $1", 1, p, NULL, 0) == -1 ||
	    import_exec_rows(db, "DELETE FROM validator_sources WHERE"
	    " question_id = $1", 1, p, NULL, 0) == -1)
		return -1;
	for (i = 0; i < k->ngroups; i++) {
		snprintf(ord, sizeof(ord), "%zu", i + 1);
		p[1] = k->groups[i].path;
		p[2] = ord;
		p[3] = k->groups[i].settings;
		if (import_exec_rows(db, "INSERT INTO testcase_groups (question_id,"
		    " path, ordinal, settings) VALUES ($1, $2, $3, $4::jsonb)"
		    " RETURNING path", 4, p, NULL, 0) != 1)
			return -1;
	}
	for (i = 0; i < k->nvsrc; i++) {
		if ((hex = kpp_hex(k->vsrc[i]->data, k->vsrc[i]->len)) == NULL)
			return -1;
		p[1] = k->vsrc[i]->path;
		p[2] = hex;
		n = import_exec_rows(db, "INSERT INTO validator_sources (question_id,"
		    " path, content) VALUES ($1, $2, decode($3, 'hex'))"
		    " RETURNING path", 3, p, NULL, 0);
		free(hex);
		if (n != 1)
			return -1;
	}
	return 0;
}

int
cmd_import_problem(struct actx *a, int argc, char *argv[])
{
	const char *round = NULL, *slug = NULL, *points = NULL, *tl = NULL,
	    *maxsz = NULL;
	const struct opt opts[] = {
		{ "round", &round, NULL },
		{ "slug", &slug, NULL },
		{ "points", &points, NULL },
		{ "time-limit", &tl, NULL },
		{ "max-size", &maxsz, NULL },
	};
	struct kimport ki;
	struct kpp *k = NULL;
	struct db *db;
	char *pos[1], qid[32], rid[32];
	long long v;
	int npos, rc = ADMIN_FAIL, in_tx = 0;
	size_t limit = 0;

	memset(&ki, 0, sizeof(ki));
	if (opts_parse(argc, argv, opts, sizeof(opts) / sizeof(opts[0]), pos, 1,
	    &npos) == -1 || npos != 1 || round == NULL) {
		fprintf(stderr, "usage: pitwall-admin import-problem PATH --round "
		    "SLUG [--slug SLUG] [--points N] [--time-limit SECONDS] "
		    "[--max-size BYTES]\n");
		return ADMIN_USAGE;
	}
	ki.path = pos[0];
	ki.round = round;
	if (slug != NULL) {
		if (!package_slug_valid(slug)) {
			fprintf(stderr, "pitwall-admin: --slug '%s' is not "
			    "[a-z0-9][a-z0-9_-]{0,63}\n", slug);
			return ADMIN_USAGE;
		}
		snprintf(ki.slug, sizeof(ki.slug), "%s", slug);
	} else if (kpp_slug_default(ki.path, ki.slug, sizeof(ki.slug)) == -1) {
		fprintf(stderr, "pitwall-admin: the package name '%s' is no valid "
		    "slug; give --slug\n", ki.slug);
		return ADMIN_USAGE;
	}
	if (points != NULL && arg_int(points, 0, 1000000, &v) == -1) {
		fprintf(stderr, "pitwall-admin: --points must be 0..1000000\n");
		return ADMIN_USAGE;
	}
	ki.points = points;
	if (kpp_opts_limits(tl, maxsz, &ki.time_limit_ms, &limit) == -1)
		return ADMIN_USAGE;
	actx_config(a, CONFIG_NEED_DB);
	/* Everything is read and checked before the database is touched. */
	if ((k = kpp_new()) == NULL) {
		fprintf(stderr, "pitwall-admin: out of memory\n");
		goto out;
	}
	if (kpp_load(k, ki.path, limit, ki.err, sizeof(ki.err)) == -1) {
		fprintf(stderr, "%s: %s; nothing imported\n", ki.path, ki.err);
		goto out;
	}
	if (k->warning[0] != '\0')
		fprintf(stderr, "%s: warning: %s\n", ki.path, k->warning);
	/* --time-limit, limits.time_limit, .timelimit, then the one verify
	 * --store kept (kpp_question_apply), else 1 s. */
	if (ki.time_limit_ms == 0)
		ki.time_limit_ms = k->time_limit_ms;
	ki.memory_kb = k->memory_mb > 0 ? k->memory_mb * 1024 : 262144;
	if (kpp_storable(k, &a->cfg, ki.path) == -1) {
		fprintf(stderr, "%s: nothing imported\n", ki.path);
		goto out;
	}
	if ((db = actx_db(a)) == NULL || db_begin(db) == -1)
		goto out;
	in_tx = 1;
	{
		const char *p[1] = { ki.round };

		if (import_exec_rows(db, "SELECT id FROM rounds WHERE slug = $1",
		    1, p, rid, sizeof(rid)) != 1) {
			fprintf(stderr, "pitwall-admin: no round '%s'\n", ki.round);
			goto out;
		}
	}
	if (kpp_question_apply(db, &ki, k, qid, sizeof(qid)) == -1) {
		fprintf(stderr, "%s: the question could not be stored\n", ki.path);
		goto out;
	}
	if (kpp_tests_apply(db, k, qid, ki.path) == -1 ||
	    kpp_extras_apply(db, k, qid) == -1)
		goto out;
	in_tx = 0;
	if (db_commit(db) == -1) {
		fprintf(stderr, "pitwall-admin: commit failed; nothing imported\n");
		goto out;
	}
	printf("%s\n", ki.slug);
	rc = actx_caches_drop(a) == -1 ? ADMIN_FAIL : ADMIN_OK;
out:
	if (in_tx) {
		db_rollback(a->db);
		fprintf(stderr, "pitwall-admin: import of %s failed; the database "
		    "is unchanged\n", ki.path);
	}
	kpp_free(k);
	return rc;
}
