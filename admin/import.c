/*
 * pitwall-admin import DIR: a problem package (docs/packages.md) into
 * PostgreSQL.  One transaction, idempotent: rounds and
 * questions are matched by slug, testcases by their file name (NN), and
 * only what differs is written, so the same package twice changes nothing
 * and a fixed testcase keeps its id (its results can be rejudged).
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db.h"
#include "extern.h"
#include "json.h"

#define ORDINAL_BUMP	"1000000"

/* One testcase of a package: its name and which files exist. */
struct ptest {
	char	name[PKG_TEST_NAME_MAX + 1];
	int	has_in, has_out, has_points;
};

/* One question directory, validated before the database is touched. */
struct pquestion {
	char			 slug[PKG_SLUG_MAX + 1];
	struct pkg_question	 q;
	char			*statement;
	size_t			 statement_len;
	struct ptest		*tests;
	size_t			 ntests;
};

struct counts {
	int	created, updated, unchanged, deleted;
};

struct import {
	const char		*dir;
	struct pkg_contest	 contest;
	struct pquestion	*qs;
	size_t			 nqs;
	struct counts		 rounds, questions, tests;
	char			 err[PATH_MAX + 512];
};

static int
cmp_test(const void *a, const void *b)
{
	return strcmp(((const struct ptest *)a)->name,
	    ((const struct ptest *)b)->name);
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * List DIR/<slug>/tests: NN.in and NN.out for every NN, NN.points
 * optional, nothing else (hidden files aside).  Sorted by NN.
 */
static int
tests_list(struct import *im, struct pquestion *pq)
{
	char path[PATH_MAX];
	struct stat st;
	DIR *d = NULL;
	struct dirent *de;
	struct ptest *t, *nt;
	char *dot, stem[PKG_TEST_NAME_MAX + 1];
	size_t i, cap = 0;
	int rc = -1;

	if (package_path(path, sizeof(path), "%s/%s/tests", im->dir, pq->slug) == -1)
		return -1;
	if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode)) {
		fprintf(stderr, "%s: a symbolic link (packages may not contain "
		    "links)\n", path);
		return -1;
	}
	if ((d = opendir(path)) == NULL) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		dot = strrchr(de->d_name, '.');
		if (dot == NULL || (size_t)(dot - de->d_name) > PKG_TEST_NAME_MAX ||
		    (strcmp(dot, ".in") != 0 && strcmp(dot, ".out") != 0 &&
		    strcmp(dot, ".points") != 0)) {
			fprintf(stderr, "%s/%s: unexpected file (tests are NN.in, "
			    "NN.out and optional NN.points)\n", path, de->d_name);
			goto out;
		}
		memcpy(stem, de->d_name, (size_t)(dot - de->d_name));
		stem[dot - de->d_name] = '\0';
		if (!package_test_name_valid(stem)) {
			fprintf(stderr, "%s/%s: test name must match "
			    "[A-Za-z0-9][A-Za-z0-9_-]{0,31}\n", path, de->d_name);
			goto out;
		}
		for (i = 0, t = NULL; i < pq->ntests; i++)
			if (strcmp(pq->tests[i].name, stem) == 0)
				t = &pq->tests[i];
		if (t == NULL) {
			if (pq->ntests == PKG_MAX_TESTS) {
				fprintf(stderr, "%s: more than %d tests\n", path,
				    PKG_MAX_TESTS);
				goto out;
			}
			if (pq->ntests == cap) {
				cap = cap ? cap * 2 : 16;
				if ((nt = reallocarray(pq->tests, cap,
				    sizeof(*nt))) == NULL) {
					fprintf(stderr, "out of memory\n");
					goto out;
				}
				pq->tests = nt;
			}
			t = &pq->tests[pq->ntests++];
			memset(t, 0, sizeof(*t));
			snprintf(t->name, sizeof(t->name), "%s", stem);
		}
		if (strcmp(dot, ".in") == 0)
			t->has_in = 1;
		else if (strcmp(dot, ".out") == 0)
			t->has_out = 1;
		else
			t->has_points = 1;
	}
	if (pq->ntests == 0) {
		fprintf(stderr, "%s: no tests (a question needs at least one "
		    "NN.in/NN.out pair)\n", path);
		goto out;
	}
	qsort(pq->tests, pq->ntests, sizeof(*pq->tests), cmp_test);
	for (i = 0; i < pq->ntests; i++)
		if (!pq->tests[i].has_in || !pq->tests[i].has_out) {
			fprintf(stderr, "%s/%s.%s: missing\n", path,
			    pq->tests[i].name, pq->tests[i].has_in ? "out" : "in");
			goto out;
		}
	for (i = 0; i < pq->q.nsamples; i++) {
		struct ptest key;

		snprintf(key.name, sizeof(key.name), "%s", pq->q.samples[i]);
		if (bsearch(&key, pq->tests, pq->ntests, sizeof(key),
		    cmp_test) == NULL) {
			fprintf(stderr, "%s/%s/question.json: sample \"%s\" has no "
			    "tests/%s.in\n", im->dir, pq->slug, key.name, key.name);
			goto out;
		}
	}
	rc = 0;
out:
	if (d != NULL)
		closedir(d);
	return rc;
}

/* Read and check one question directory (no database). */
static int
question_load(struct import *im, struct pquestion *pq)
{
	char path[PATH_MAX], *buf = NULL;
	size_t len, i;
	int rc = -1;

	if (package_path(path, sizeof(path), "%s/%s/question.json", im->dir,
	    pq->slug) == -1)
		return -1;
	if (package_read_file(path, PKG_JSON_MAX, 0, &buf, &len, im->err,
	    sizeof(im->err)) == -1) {
		fprintf(stderr, "%s\n", im->err);
		goto out;
	}
	if (package_parse_question(buf, len, &pq->q, im->err,
	    sizeof(im->err)) == -1) {
		fprintf(stderr, "%s: %s\n", path, im->err);
		goto out;
	}
	for (i = 0; i < im->contest.nrounds; i++)
		if (strcmp(im->contest.rounds[i].slug, pq->q.round) == 0)
			break;
	if (i == im->contest.nrounds) {
		fprintf(stderr, "%s: round \"%s\" is not in contest.json\n", path,
		    pq->q.round);
		goto out;
	}
	if (package_path(path, sizeof(path), "%s/%s/statement.md", im->dir,
	    pq->slug) == -1)
		goto out;
	switch (package_read_file(path, PKG_STATEMENT_MAX, 1, &pq->statement,
	    &pq->statement_len, im->err, sizeof(im->err))) {
	case -1:
		fprintf(stderr, "%s\n", im->err);
		goto out;
	case 1:
		if ((pq->statement = strdup("")) == NULL)
			goto out;
		break;
	default:
		if (package_text_check(path, pq->statement, pq->statement_len,
		    im->err, sizeof(im->err)) == -1) {
			fprintf(stderr, "%s\n", im->err);
			goto out;
		}
	}
	rc = tests_list(im, pq);
out:
	free(buf);
	return rc;
}

/* contest.json and every DIR/<slug>/ with a question.json. */
static int
package_load(struct import *im)
{
	char path[PATH_MAX], *buf = NULL, **names = NULL, **nn;
	struct stat st;
	struct dirent *de;
	DIR *d = NULL;
	size_t len, n = 0, cap = 0, i;
	int rc = -1;

	if (package_path(path, sizeof(path), "%s/contest.json", im->dir) == -1)
		return -1;
	if (package_read_file(path, PKG_JSON_MAX, 0, &buf, &len, im->err,
	    sizeof(im->err)) == -1) {
		fprintf(stderr, "%s\n", im->err);
		goto out;
	}
	if (package_parse_contest(buf, len, &im->contest, im->err,
	    sizeof(im->err)) == -1) {
		fprintf(stderr, "%s: %s\n", path, im->err);
		goto out;
	}
	if ((d = opendir(im->dir)) == NULL) {
		fprintf(stderr, "%s: %s\n", im->dir, strerror(errno));
		goto out;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (package_path(path, sizeof(path), "%s/%s", im->dir,
		    de->d_name) == -1)
			goto out;
		if (lstat(path, &st) == -1)
			continue;
		if (S_ISLNK(st.st_mode)) {
			fprintf(stderr, "%s: a symbolic link (packages may not "
			    "contain links)\n", path);
			goto out;
		}
		if (!S_ISDIR(st.st_mode))
			continue;
		if (package_path(path, sizeof(path), "%s/%s/question.json", im->dir,
		    de->d_name) == -1)
			goto out;
		if (access(path, F_OK) == -1) {
			fprintf(stderr, "pitwall-admin: note: %s/%s has no "
			    "question.json; skipped\n", im->dir, de->d_name);
			continue;
		}
		if (!package_slug_valid(de->d_name)) {
			fprintf(stderr, "%s/%s: a question directory's name is "
			    "its slug and must match [a-z0-9][a-z0-9_-]{0,63}\n",
			    im->dir, de->d_name);
			goto out;
		}
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			if ((nn = reallocarray(names, cap, sizeof(*nn))) == NULL)
				goto out;
			names = nn;
		}
		if ((names[n] = strdup(de->d_name)) == NULL)
			goto out;
		n++;
	}
	if (n == 0) {
		fprintf(stderr, "%s: no question directories\n", im->dir);
		goto out;
	}
	qsort(names, n, sizeof(*names), cmp_str);
	if ((im->qs = calloc(n, sizeof(*im->qs))) == NULL)
		goto out;
	im->nqs = n;
	for (i = 0; i < n; i++) {
		snprintf(im->qs[i].slug, sizeof(im->qs[i].slug), "%s", names[i]);
		if (question_load(im, &im->qs[i]) == -1)
			goto out;
	}
	rc = 0;
out:
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	if (d != NULL)
		closedir(d);
	free(buf);
	return rc;
}

static void
import_free(struct import *im)
{
	size_t i;

	package_contest_free(&im->contest);
	for (i = 0; i < im->nqs; i++) {
		package_question_free(&im->qs[i].q);
		free(im->qs[i].statement);
		free(im->qs[i].tests);
	}
	free(im->qs);
}

int
import_exec_rows(struct db *db, const char *sql, int n, const char *const *p,
    char *first, size_t firstsz)
{
	PGresult *res;
	int rows;

	if ((res = db_exec(db, sql, n, p)) == NULL)
		return -1;
	rows = PQntuples(res);
	if (first != NULL && rows > 0 && PQnfields(res) > 0)
		snprintf(first, firstsz, "%s", PQgetvalue(res, 0, 0));
	PQclear(res);
	return rows;
}

/* Upsert the rounds; NULL times in the package leave the database's. */
static int
rounds_apply(struct import *im, struct db *db)
{
	char minutes[16], penalty[16], id[32];
	const char *p[8];
	size_t i;
	int n;

	for (i = 0; i < im->contest.nrounds; i++) {
		struct pkg_round *r = &im->contest.rounds[i];

		snprintf(minutes, sizeof(minutes), "%d", r->minutes);
		p[0] = r->slug;
		if ((n = import_exec_rows(db, "SELECT id FROM rounds WHERE slug = $1", 1,
		    p, id, sizeof(id))) == -1)
			goto fail;
		p[1] = r->name;
		p[2] = minutes;
		p[3] = r->starts_at;
		p[4] = r->ends_at;
		snprintf(penalty, sizeof(penalty), "%d", r->penalty);
		p[5] = r->scoring[0] ? r->scoring : NULL;
		p[6] = r->penalty >= 0 ? penalty : NULL;
		p[7] = r->freeze_at;
		if (n == 0) {
			if (import_exec_rows(db, "INSERT INTO rounds (slug, name, minutes,"
			    " starts_at, ends_at, scoring, penalty_minutes, freeze_at)"
			    " VALUES ($1, $2, $3, $4, $5, coalesce($6, 'proportional'),"
			    " coalesce($7::integer, 20), $8) RETURNING id", 8, p,
			    NULL, 0) != 1)
				goto fail;
			im->rounds.created++;
			continue;
		}
		p[0] = id;
		if ((n = import_exec_rows(db, "UPDATE rounds SET name = $2, minutes = $3,"
		    " starts_at = coalesce($4::timestamptz, starts_at),"
		    " ends_at = coalesce($5::timestamptz, ends_at),"
		    " scoring = coalesce($6, scoring),"
		    " penalty_minutes = coalesce($7::integer, penalty_minutes),"
		    " freeze_at = coalesce($8::timestamptz, freeze_at)"
		    " WHERE id = $1 AND (name, minutes, starts_at, ends_at, scoring,"
		    " penalty_minutes, freeze_at)"
		    " IS DISTINCT FROM ($2::text, $3::integer,"
		    " coalesce($4::timestamptz, starts_at),"
		    " coalesce($5::timestamptz, ends_at), coalesce($6, scoring),"
		    " coalesce($7::integer, penalty_minutes),"
		    " coalesce($8::timestamptz, freeze_at)) RETURNING id",
		    8, p, NULL, 0)) == -1)
			goto fail;
		if (n == 1)
			im->rounds.updated++;
		else
			im->rounds.unchanged++;
	}
	return 0;
fail:
	fprintf(stderr, "%s/contest.json: round \"%s\" could not be stored\n",
	    im->dir, im->contest.rounds[i].slug);
	return -1;
}

/* Upsert one question; its id into qid. */
static int
question_apply(struct import *im, struct db *db, struct pquestion *pq,
    char *qid, size_t qidsz)
{
	char pts[16], tl[16], ml[16];
	const char *p[10];
	int n;

	snprintf(pts, sizeof(pts), "%d", pq->q.points);
	snprintf(tl, sizeof(tl), "%d", pq->q.time_limit_ms);
	snprintf(ml, sizeof(ml), "%d", pq->q.memory_limit_kb);
	p[0] = pq->slug;
	if ((n = import_exec_rows(db, "SELECT id FROM questions WHERE slug = $1", 1, p,
	    qid, qidsz)) == -1)
		return -1;
	p[1] = pq->q.round;
	p[2] = pq->q.title;
	p[3] = pq->statement;
	p[4] = pts;
	p[5] = tl;
	p[6] = ml;
	p[7] = pq->q.checker;
	/* Balloon colours: the package's, none when it gives none. */
	p[8] = pq->q.rgb[0] ? pq->q.rgb : NULL;
	p[9] = pq->q.color[0] ? pq->q.color : NULL;
	if (n == 0) {
		if (import_exec_rows(db, "INSERT INTO questions (slug, round_id, title,"
		    " statement, points, time_limit_ms, memory_limit_kb, checker,"
		    " rgb, color)"
		    " VALUES ($1, (SELECT id FROM rounds WHERE slug = $2), $3, $4,"
		    " $5, $6, $7, $8, $9, $10) RETURNING id", 10, p, qid, qidsz) != 1)
			return -1;
		im->questions.created++;
		return 0;
	}
	p[0] = qid;
	if ((n = import_exec_rows(db, "UPDATE questions SET"
	    " round_id = (SELECT id FROM rounds WHERE slug = $2), title = $3,"
	    " statement = $4, points = $5, time_limit_ms = $6,"
	    " memory_limit_kb = $7, checker = $8, rgb = $9, color = $10"
	    " WHERE id = $1 AND (round_id, title, statement, points,"
	    " time_limit_ms, memory_limit_kb, checker, rgb, color) IS DISTINCT FROM"
	    " ((SELECT id FROM rounds WHERE slug = $2), $3::text, $4::text,"
	    " $5::integer, $6::integer, $7::integer, $8::text, $9::text,"
	    " $10::text) RETURNING id", 10, p, NULL, 0)) == -1)
		return -1;
	if (n == 1)
		im->questions.updated++;
	else
		im->questions.unchanged++;
	return 0;
}

/* The stored testcases of a question: id, name, ordinal. */
struct stored {
	char	id[32];
	char	name[PKG_TEST_NAME_MAX + 1];
	int	ordinal;
	int	keep;
};

/* Read one test's files and check them.  0 / -1 (printed). */
static int
test_read(struct import *im, struct pquestion *pq, const struct ptest *t,
    char **in, size_t *inlen, char **out, size_t *outlen, int *points)
{
	char path[PATH_MAX], *buf = NULL;
	size_t len;
	int rc;

	*points = 1;
	if (package_path(path, sizeof(path), "%s/%s/tests/%s.in", im->dir,
	    pq->slug, t->name) == -1)
		return -1;
	if (package_read_file(path, PKG_TEST_FILE_MAX, 0, in, inlen, im->err,
	    sizeof(im->err)) == -1 ||
	    package_text_check(path, *in, *inlen, im->err, sizeof(im->err)) == -1)
		goto fail;
	if (package_path(path, sizeof(path), "%s/%s/tests/%s.out", im->dir,
	    pq->slug, t->name) == -1)
		return -1;
	if (package_read_file(path, PKG_TEST_FILE_MAX, 0, out, outlen, im->err,
	    sizeof(im->err)) == -1 ||
	    package_text_check(path, *out, *outlen, im->err, sizeof(im->err)) == -1)
		goto fail;
	if (!t->has_points)
		return 0;
	if (package_path(path, sizeof(path), "%s/%s/tests/%s.points", im->dir,
	    pq->slug, t->name) == -1)
		return -1;
	if (package_read_file(path, PKG_POINTS_FILE_MAX, 0, &buf, &len, im->err,
	    sizeof(im->err)) == -1)
		goto fail;
	rc = package_parse_points(buf, len, points, im->err, sizeof(im->err));
	free(buf);
	if (rc == -1) {
		fprintf(stderr, "%s: %s\n", path, im->err);
		return -1;
	}
	return 0;
fail:
	fprintf(stderr, "%s\n", im->err);
	return -1;
}

/*
 * Bring the question's testcases in line with the package.  Ordinals are
 * 1.. in NN order.  Testcases gone from the package are deleted only when
 * no result refers to them: deleting judged testcases would rewrite
 * history, so the import refuses and says so.
 */
static int
tests_apply(struct import *im, struct db *db, struct pquestion *pq,
    const char *qid)
{
	struct stored *st = NULL;
	struct ptest key, *found;
	PGresult *res = NULL;
	const char *p[6];
	char ord[24], pts[16], cnt[32], *in = NULL, *out = NULL;
	size_t nst = 0, i, j, inlen, outlen;
	int bump = 0, points, changed, n, rc = -1;

	p[0] = qid;
	res = db_exec(db, "SELECT id, name, ordinal FROM testcases"
	    " WHERE question_id = $1 ORDER BY ordinal", 1, p);
	if (res == NULL)
		goto out;
	nst = (size_t)PQntuples(res);
	if (nst > 0 && (st = calloc(nst, sizeof(*st))) == NULL)
		goto out;
	for (i = 0; i < nst; i++) {
		snprintf(st[i].id, sizeof(st[i].id), "%s", PQgetvalue(res, (int)i, 0));
		snprintf(st[i].name, sizeof(st[i].name), "%s",
		    PQgetvalue(res, (int)i, 1));
		st[i].ordinal = atoi(PQgetvalue(res, (int)i, 2));
		snprintf(key.name, sizeof(key.name), "%s", PQgetvalue(res, (int)i, 1));
		found = bsearch(&key, pq->tests, pq->ntests, sizeof(key), cmp_test);
		st[i].keep = found != NULL;
		if (found != NULL && st[i].ordinal != (int)(found - pq->tests) + 1)
			bump = 1;
	}
	PQclear(res);
	res = NULL;

	for (i = 0; i < nst; i++) {
		if (st[i].keep)
			continue;
		p[0] = st[i].id;
		if (import_exec_rows(db, "SELECT count(*) FROM submission_results"
		    " WHERE testcase_id = $1", 1, p, cnt, sizeof(cnt)) != 1)
			goto out;
		if (atoll(cnt) > 0) {
			fprintf(stderr, "%s/%s/tests: testcase %s (id %s) is gone "
			    "from the package but has %s judged result(s); put it "
			    "back (NN.points may be 0) — nothing was imported\n",
			    im->dir, pq->slug, st[i].name, st[i].id, cnt);
			goto out;
		}
		if (import_exec_rows(db, "DELETE FROM testcases WHERE id = $1"
		    " RETURNING id", 1, p, NULL, 0) != 1)
			goto out;
		im->tests.deleted++;
	}
	/* UNIQUE (question_id, ordinal) is checked per row: move the kept
	 * rows out of the way before renumbering them. */
	p[0] = qid;
	if (bump && import_exec_rows(db, "UPDATE testcases SET ordinal = ordinal + "
	    ORDINAL_BUMP " WHERE question_id = $1 RETURNING id", 1, p,
	    NULL, 0) == -1)
		goto out;

	for (i = 0; i < pq->ntests; i++) {
		const struct ptest *t = &pq->tests[i];
		const char *sample = "f";

		for (j = 0; j < pq->q.nsamples; j++)
			if (strcmp(pq->q.samples[j], t->name) == 0)
				sample = "t";
		if (test_read(im, pq, t, &in, &inlen, &out, &outlen, &points) == -1)
			goto out;
		snprintf(ord, sizeof(ord), "%zu", i + 1);
		snprintf(pts, sizeof(pts), "%d", points);
		for (j = 0; j < nst; j++)
			if (st[j].keep && strcmp(st[j].name, t->name) == 0)
				break;
		if (j == nst) {
			const char *ip[7] = { qid, t->name, in, out, sample, pts,
			    ord };

			if (import_exec_rows(db, "INSERT INTO testcases (question_id, name,"
			    " input, expected_output, is_sample, points, ordinal)"
			    " VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
			    7, ip, NULL, 0) != 1)
				goto out;
			im->tests.created++;
			goto next;
		}
		p[0] = st[j].id;
		p[1] = in;
		p[2] = out;
		p[3] = sample;
		p[4] = pts;
		if ((n = import_exec_rows(db, "UPDATE testcases SET input = $2,"
		    " expected_output = $3, is_sample = $4, points = $5"
		    " WHERE id = $1 AND (input, expected_output, is_sample, points)"
		    " IS DISTINCT FROM ($2::text, $3::text, $4::boolean, $5::integer)"
		    " RETURNING id", 5, p, NULL, 0)) == -1)
			goto out;
		changed = n == 1 || st[j].ordinal != (int)i + 1;
		p[1] = ord;
		if (bump && import_exec_rows(db, "UPDATE testcases SET ordinal = $2"
		    " WHERE id = $1 RETURNING id", 2, p, NULL, 0) != 1)
			goto out;
		if (changed)
			im->tests.updated++;
		else
			im->tests.unchanged++;
next:
		free(in);
		free(out);
		in = out = NULL;
	}
	rc = 0;
out:
	free(in);
	free(out);
	free(st);
	PQclear(res);
	return rc;
}

static void
counts_print(const char *what, const struct counts *c)
{
	printf("%s: %d created, %d updated, %d unchanged, %d deleted\n", what,
	    c->created, c->updated, c->unchanged, c->deleted);
}

int
cmd_import(struct actx *a, int argc, char *argv[])
{
	struct import im;
	struct db *db;
	char *pos[1], qid[32];
	size_t i;
	int npos, rc = ADMIN_FAIL, in_tx = 0;

	memset(&im, 0, sizeof(im));
	if (opts_parse(argc, argv, NULL, 0, pos, 1, &npos) == -1 || npos != 1) {
		fprintf(stderr, "usage: pitwall-admin import DIR\n");
		return ADMIN_USAGE;
	}
	im.dir = pos[0];
	actx_config(a, CONFIG_NEED_DB);
	/* Everything is read and checked before the database is touched. */
	if (package_load(&im) == -1)
		goto out;
	if ((db = actx_db(a)) == NULL || db_begin(db) == -1)
		goto out;
	in_tx = 1;
	if (rounds_apply(&im, db) == -1)
		goto out;
	for (i = 0; i < im.nqs; i++) {
		if (question_apply(&im, db, &im.qs[i], qid, sizeof(qid)) == -1) {
			fprintf(stderr, "%s/%s/question.json: could not be stored\n",
			    im.dir, im.qs[i].slug);
			goto out;
		}
		if (tests_apply(&im, db, &im.qs[i], qid) == -1)
			goto out;
	}
	in_tx = 0;
	if (db_commit(db) == -1) {
		fprintf(stderr, "pitwall-admin: commit failed; nothing imported\n");
		goto out;
	}
	counts_print("rounds", &im.rounds);
	counts_print("questions", &im.questions);
	counts_print("testcases", &im.tests);
	rc = ADMIN_OK;
	if (im.rounds.created + im.rounds.updated + im.questions.created +
	    im.questions.updated + im.tests.created + im.tests.updated +
	    im.tests.deleted > 0 && actx_caches_drop(a) == -1)
		rc = ADMIN_FAIL;
out:
	if (in_tx) {
		db_rollback(a->db);
		fprintf(stderr, "pitwall-admin: import of %s failed; the database "
		    "is unchanged\n", im.dir);
	}
	import_free(&im);
	return rc;
}
