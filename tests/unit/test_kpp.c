/* Unit tests of the ICPC/Kattis package reader (admin/kpp*.c) on the
 * fixture packages in tests/packages/ and on hostile zips made here. */
#include <sys/stat.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>

#include <cmocka.h>
#include <zip.h>

#include "extern.h"

#define PKGDIR	"tests/packages/"

static struct kpp *
load_ok(const char *path)
{
	struct kpp *k;
	char err[512] = "";

	assert_non_null(k = kpp_new());
	if (kpp_load(k, path, 0, err, sizeof(err)) != 0)
		fail_msg("%s: %s", path, err);
	return k;
}

/* The error of a package that must be refused. */
static const char *
load_fail(const char *path, size_t limit)
{
	static char err[512];
	struct kpp *k;

	assert_non_null(k = kpp_new());
	err[0] = '\0';
	assert_int_equal(kpp_load(k, path, limit, err, sizeof(err)), -1);
	kpp_free(k);
	assert_true(err[0] != '\0');
	return err;
}

static void
test_legacy_float(void **state)
{
	struct kpp *k = load_ok(PKGDIR "floatavg");

	(void)state;
	assert_int_equal(k->layout, KPP_LAYOUT_LEGACY);
	assert_int_equal(k->type, KPP_TYPE_PASS_FAIL);
	assert_int_equal(k->validator, KPP_VALIDATOR_DEFAULT);
	assert_string_equal(k->name, "Float Average");
	assert_string_equal(k->validator_flags, "float_tolerance 1e-6");
	assert_int_equal(k->time_limit_ms, 2500);	/* from .timelimit */
	assert_int_equal(k->memory_mb, 256);
	assert_string_equal(k->statement_file, "problem_statement/problem.en.md");
	assert_non_null(strstr(k->statement, "print their average"));
	assert_false(k->statement_latex);
	assert_int_equal(k->ntests, 3);
	assert_string_equal(k->tests[0].name, "sample/01");
	assert_true(k->tests[0].is_sample);
	assert_string_equal(k->tests[1].name, "secret/01");
	assert_string_equal(k->tests[2].name, "secret/02");
	assert_false(k->tests[2].is_sample);
	assert_int_equal(k->tests[2].ans->len, 4);
	assert_memory_equal(k->tests[2].ans->data, "1e9\n", 4);
	assert_int_equal(k->ngroups, 2);
	assert_string_equal(k->groups[k->tests[1].group].path, "secret");
	assert_null(k->groups[0].settings);
	kpp_free(k);
}

/* Per-group output validator flags, each key inherited down the tree,
 * after problem.yaml's; the validation limits. */
static void
test_group_flags(void **state)
{
	struct kpp *k = load_ok(PKGDIR "groupflags");

	(void)state;
	assert_string_equal(k->validator_flags,
	    "case_sensitive float_absolute_tolerance 0.5");
	assert_int_equal(k->ntests, 4);
	assert_string_equal(k->tests[0].name, "sample/1");
	assert_null(k->tests[0].flags);		/* the question's */
	assert_string_equal(k->tests[1].name, "secret/loose/1");
	assert_null(k->tests[1].flags);		/* its testdata.yaml sets none */
	assert_string_equal(k->tests[2].name, "secret/tight/1");
	assert_string_equal(k->tests[2].flags,
	    "case_sensitive float_absolute_tolerance 0.001");
	assert_string_equal(k->tests[3].name, "secret/tight/deep/1");
	assert_string_equal(k->tests[3].flags,
	    "case_sensitive float_absolute_tolerance 0.001");
	assert_int_equal(k->validation_time_ms, 4000);
	assert_int_equal(k->validation_memory_mb, 128);
	kpp_free(k);
	/* An interactive sample's .interaction is found. */
	k = load_ok(PKGDIR "guess");
	assert_true(k->tests[0].is_sample);
	assert_non_null(k->tests[0].interaction);
	assert_string_equal(k->tests[0].interaction->path,
	    "data/sample/1.interaction");
	assert_null(k->tests[1].interaction);
	assert_int_equal(k->validation_time_ms, 0);
	kpp_free(k);
}

static void
test_2023_flags(void **state)
{
	struct kpp *k = load_ok(PKGDIR "shout");

	(void)state;
	assert_int_equal(k->layout, KPP_LAYOUT_2023);
	assert_string_equal(k->name, "Shout");		/* en of the map */
	assert_string_equal(k->validator_flags,
	    "case_sensitive space_change_sensitive");
	assert_int_equal(k->time_limit_ms, 1500);
	assert_int_equal(k->memory_mb, 512);
	assert_int_equal(k->output_mb, 16);
	assert_string_equal(k->statement_file, "statement/problem.en.md");
	assert_int_equal(k->ntests, 3);
	/* The root testdata.yaml applies to every group. */
	assert_non_null(k->groups[k->tests[0].group].settings);
	assert_non_null(strstr(k->groups[k->tests[0].group].settings,
	    "output_validator_args"));
	kpp_free(k);
}

static void
test_scored_groups(void **state)
{
	struct kpp *k = load_ok(PKGDIR "scored");
	const struct kpp_group *g1, *g2;
	size_t i;

	(void)state;
	assert_int_equal(k->type, KPP_TYPE_SCORING);
	assert_int_equal(k->ntests, 5);
	assert_string_equal(k->tests[1].name, "secret/group1/01");
	assert_string_equal(k->tests[4].name, "secret/group2/02");
	g1 = &k->groups[k->tests[1].group];
	g2 = &k->groups[k->tests[4].group];
	assert_string_equal(g1->path, "secret/group1");
	assert_string_equal(g2->path, "secret/group2");
	assert_non_null(strstr(g1->settings, "\"accept_score\":40,"));
	assert_non_null(strstr(g2->settings, "\"grader_flags\":\"min\""));
	/* The parent group is listed too, with its own settings. */
	for (i = 0; i < k->ngroups; i++)
		if (strcmp(k->groups[i].path, "secret") == 0)
			break;
	assert_true(i < k->ngroups);
	assert_non_null(strstr(k->groups[i].settings, "\"on_reject\":\"continue\""));
	kpp_free(k);
}

static void
test_latex(void **state)
{
	struct kpp *k = load_ok(PKGDIR "texonly");

	(void)state;
	assert_true(k->statement_latex);
	assert_non_null(strstr(k->warning, "problem.en.tex"));
	assert_non_null(strstr(k->statement, "# TeX Only"));
	assert_non_null(strstr(k->statement, "## Input"));
	assert_non_null(strstr(k->statement, "print twice its value"));
	assert_non_null(strstr(k->statement, "1 <= n <= 100"));
	assert_non_null(strstr(k->statement, "- the number 2 * n;"));
	assert_non_null(strstr(k->statement, "100% of nothing"));
	assert_null(strstr(k->statement, "comment"));
	assert_null(strstr(k->statement, "\\"));
	assert_null(strstr(k->statement, "itemize"));
	kpp_free(k);
}

static void
test_interactive(void **state)
{
	struct kpp *k = load_ok(PKGDIR "guess");

	(void)state;
	assert_int_equal(k->validator, KPP_VALIDATOR_INTERACTIVE);
	assert_int_equal(k->nvsrc, 2);
	assert_string_equal(k->vsrc[0]->path, "output_validator/guess.h");
	assert_string_equal(k->vsrc[1]->path, "output_validator/validator.cpp");
	assert_non_null(strstr(k->vsrc[1]->data, "return 42"));
	assert_int_equal(k->time_limit_ms, 2000);
	kpp_free(k);
}

static void
test_yaml_problem(void **state)
{
	struct kpp *k;
	char err[256];
	static const struct {
		const char	*yaml;
		const char	*err;
	} bad[] = {
		{ "type: multi-pass\n", "unknown type" },
		{ "type: interactive\n", "unknown type" },	/* not legacy */
		{ "problem_format_version: 2023-07-draft\ntype: [scoring, submit-answer]\n",
		    "unknown type" },
		{ "validation: custom bogus\n", "validation" },
		{ "validation: default interactive\n", "validation" },
		{ "problem_format_version: 1999\n", "problem_format_version" },
		{ "limits:\n  time_limit: -1\n", "time_limit" },
		{ "limits:\n  memory: lots\n", "memory" },
		{ "- a list\n", "not a mapping" },
		{ "name: [1, 2\n", "not valid YAML" },
		{ "validator_flags: [a]\n", "validator_flags" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_non_null(k = kpp_new());
		err[0] = '\0';
		assert_int_equal(kpp_yaml_problem(k, bad[i].yaml,
		    strlen(bad[i].yaml), err, sizeof(err)), -1);
		if (strstr(err, bad[i].err) == NULL)
			fail_msg("%s: got '%s'", bad[i].yaml, err);
		kpp_free(k);
	}
	assert_non_null(k = kpp_new());
	assert_int_equal(kpp_yaml_problem(k, "validation: custom interactive score\n"
	    "type: scoring\n", 50, err, sizeof(err)), 0);
	assert_int_equal(k->validator, KPP_VALIDATOR_INTERACTIVE);
	assert_true(k->validator_score);
	assert_int_equal(k->type, KPP_TYPE_SCORING);
	kpp_free(k);
}

static void
test_yaml_testdata(void **state)
{
	char *js = NULL, err[256];
	static const char bomb[] =
	    "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
	    "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
	    "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
	    "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
	    "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n";

	static const char td[] = "accept_score: 2.5\nname: '7'\n"
	    "on_reject: break\nflag: true\n";

	(void)state;
	assert_int_equal(kpp_yaml_testdata(td, strlen(td), &js, err,
	    sizeof(err)), 0);
	assert_string_equal(js, "{\"accept_score\":2.5,\"name\":\"7\","
	    "\"on_reject\":\"break\",\"flag\":true}");
	free(js);
	assert_int_equal(kpp_yaml_testdata("", 0, &js, err, sizeof(err)), 0);
	assert_string_equal(js, "{}");
	free(js);
	assert_int_equal(kpp_yaml_testdata("[1]", 3, &js, err, sizeof(err)), -1);
	/* Aliases that would expand a billion times are cut off. */
	assert_int_equal(kpp_yaml_testdata(bomb, strlen(bomb), &js, err,
	    sizeof(err)), -1);
	assert_null(js);
}

/* ---- hostile zips ---- */

/* Write a zip at path with one problem.yaml and the given extra entry. */
static void
zip_make(const char *path, const char *name, const void *data, size_t len,
    int symlink)
{
	zip_t *z;
	zip_source_t *s;
	zip_int64_t i;
	int zerr;

	unlink(path);
	assert_non_null(z = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &zerr));
	assert_non_null(s = zip_source_buffer(z, "name: X\n", 8, 0));
	assert_true(zip_file_add(z, "pkg/problem.yaml", s, 0) >= 0);
	assert_non_null(s = zip_source_buffer(z, "1\n", 2, 0));
	assert_true(zip_file_add(z, "pkg/data/secret/1.in", s, 0) >= 0);
	assert_non_null(s = zip_source_buffer(z, "1\n", 2, 0));
	assert_true(zip_file_add(z, "pkg/data/secret/1.ans", s, 0) >= 0);
	if (name != NULL) {
		assert_non_null(s = zip_source_buffer(z, data, len, 0));
		assert_true((i = zip_file_add(z, name, s, 0)) >= 0);
		if (symlink)
			assert_int_equal(zip_file_set_external_attributes(z,
			    (zip_uint64_t)i, 0, ZIP_OPSYS_UNIX,
			    (zip_uint32_t)(0120777u << 16)), 0);
	}
	assert_int_equal(zip_close(z), 0);
}

static void
test_zip_ok(void **state)
{
	char path[] = "/tmp/pitwall-test-kpp-XXXXXX.zip";
	struct kpp *k;
	int fd;

	(void)state;
	assert_true((fd = mkstemps(path, 4)) != -1);
	close(fd);
	zip_make(path, "pkg/attachments/blob", "a\0\377\n", 4, 0);
	k = load_ok(path);
	/* The top folder "pkg/" is the root. */
	assert_string_equal(k->name, "X");
	assert_int_equal(k->ntests, 1);
	/* Binary files are kept byte for byte. */
	assert_non_null(kpp_files_get(&k->files, "attachments/blob"));
	assert_int_equal(kpp_files_get(&k->files, "attachments/blob")->len, 4);
	assert_memory_equal(kpp_files_get(&k->files, "attachments/blob")->data,
	    "a\0\377\n", 4);
	kpp_free(k);
	unlink(path);
}

static void
test_zip_hostile(void **state)
{
	char path[] = "/tmp/pitwall-test-kpp-XXXXXX.zip";
	char *zeros;
	int fd;

	(void)state;
	assert_true((fd = mkstemps(path, 4)) != -1);
	close(fd);
	zip_make(path, "pkg/data/secret/link.in", "/etc/passwd", 11, 1);
	assert_non_null(strstr(load_fail(path, 0),
	    "pkg/data/secret/link.in: symbolic links are refused"));
	zip_make(path, "pkg/../evil.txt", "x", 1, 0);
	assert_non_null(strstr(load_fail(path, 0), "pkg/../evil.txt"));
	zip_make(path, "/etc/evil", "x", 1, 0);
	assert_non_null(strstr(load_fail(path, 0), "/etc/evil: absolute"));
	zip_make(path, "pkg/a/./b", "x", 1, 0);
	assert_non_null(strstr(load_fail(path, 0), "pkg/a/./b"));
	/* A bomb: 8 MiB of zeros compress to a few KiB; the limit is 1 MiB. */
	assert_non_null(zeros = calloc(1, 8 << 20));
	zip_make(path, "pkg/data/secret/big.in", zeros, 8 << 20, 0);
	free(zeros);
	{
		struct stat st;

		assert_int_equal(stat(path, &st), 0);
		assert_true(st.st_size < 1 << 20);
	}
	assert_non_null(strstr(load_fail(path, 1 << 20),
	    "pkg/data/secret/big.in: the package unpacks to more than"));
	/* Not a zip at all. */
	fd = open(path, O_WRONLY | O_TRUNC);
	assert_true(write(fd, "nope", 4) == 4);
	close(fd);
	assert_non_null(strstr(load_fail(path, 0), "not a readable zip"));
	unlink(path);
}

static void
test_dir_hostile(void **state)
{
	char dir[] = "/tmp/pitwall-test-kpp-XXXXXX", p[256];
	FILE *fp;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(p, sizeof(p), "%s/problem.yaml", dir);
	assert_non_null(fp = fopen(p, "w"));
	fputs("name: Y\nvalidation: custom\n", fp);
	fclose(fp);
	snprintf(p, sizeof(p), "%s/data", dir);
	assert_int_equal(mkdir(p, 0700), 0);
	snprintf(p, sizeof(p), "%s/data/secret", dir);
	assert_int_equal(symlink("/etc", p), 0);
	assert_non_null(strstr(load_fail(dir, 0),
	    "data/secret: symbolic links are refused"));
	unlink(p);
	assert_int_equal(mkdir(p, 0700), 0);
	snprintf(p, sizeof(p), "%s/data/secret/1.in", dir);
	assert_non_null(fp = fopen(p, "w"));
	fclose(fp);
	/* .in without .ans */
	assert_non_null(strstr(load_fail(dir, 0), "data/secret/1.in: no matching"));
	snprintf(p, sizeof(p), "%s/data/secret/1.ans", dir);
	assert_non_null(fp = fopen(p, "w"));
	fclose(fp);
	/* validation: custom without a validator */
	assert_non_null(strstr(load_fail(dir, 0), "output_validators/"));
	snprintf(p, sizeof(p), "%s/output_validators", dir);
	assert_int_equal(mkdir(p, 0700), 0);
	snprintf(p, sizeof(p), "%s/output_validators/check.java", dir);
	assert_non_null(fp = fopen(p, "w"));
	fclose(fp);
	assert_non_null(strstr(load_fail(dir, 0),
	    "output_validators/check.java: an output validator file we cannot build"));
	unlink(p);
	snprintf(p, sizeof(p), "%s/output_validators/check.py", dir);
	assert_non_null(fp = fopen(p, "w"));
	fclose(fp);
	kpp_free(load_ok(dir));
	snprintf(p, sizeof(p), "rm -rf '%s'", dir);
	assert_int_equal(system(p), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_legacy_float),
		cmocka_unit_test(test_2023_flags),
		cmocka_unit_test(test_group_flags),
		cmocka_unit_test(test_scored_groups),
		cmocka_unit_test(test_latex),
		cmocka_unit_test(test_interactive),
		cmocka_unit_test(test_yaml_problem),
		cmocka_unit_test(test_yaml_testdata),
		cmocka_unit_test(test_zip_ok),
		cmocka_unit_test(test_zip_hostile),
		cmocka_unit_test(test_dir_hostile),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
