/*
 * pitwall-admin export DIR: every round and question as a problem package
 * (docs/packages.md) that `import` reads back without a change.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db.h"
#include "extern.h"
#include "json.h"

int
file_write(const char *path, const char *buf, size_t len)
{
	ssize_t n;
	size_t off = 0;
	int fd, rc = -1;

	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644)) == -1) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return -1;
	}
	while (off < len) {
		n = write(fd, buf + off, len - off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			fprintf(stderr, "%s: %s\n", path, strerror(errno));
			goto out;
		}
		off += (size_t)n;
	}
	rc = 0;
out:
	if (close(fd) == -1 && rc == 0) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		rc = -1;
	}
	return rc;
}

static int
json_write(const char *path, json_object *o)
{
	const char *s;

	s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
	    JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE);
	if (s == NULL)
		return -1;
	return file_write(path, s, strlen(s));
}

int
dir_make(const char *path)
{
	if (mkdir(path, 0755) == -1) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}

int
export_dir_ready(const char *dir)
{
	struct dirent *de;
	DIR *d;

	if (mkdir(dir, 0755) == 0)
		return 0;
	if (errno != EEXIST || (d = opendir(dir)) == NULL) {
		fprintf(stderr, "%s: %s\n", dir, strerror(errno));
		return -1;
	}
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0) {
			closedir(d);
			fprintf(stderr, "%s: not empty; export writes into a new "
			    "or empty directory\n", dir);
			return -1;
		}
	closedir(d);
	return 0;
}

#define TS_UTC(col) "to_char(" col " AT TIME ZONE 'UTC'," \
	" 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"

static int
export_rounds(const char *dir, struct db *db)
{
	char path[PATH_MAX];
	json_object *o = NULL, *arr, *r;
	PGresult *res;
	int i, rc = -1;

	res = db_exec(db, "SELECT slug, name, minutes, " TS_UTC("starts_at") ", "
	    TS_UTC("ends_at") ", scoring, penalty_minutes, " TS_UTC("freeze_at")
	    " FROM rounds ORDER BY id", 0, NULL);
	if (res == NULL)
		return -1;
	o = json_object_new_object();
	/* Rounds have no contest name in the database. */
	json_object_object_add(o, "name", json_object_new_string("Pitwall export"));
	arr = json_object_new_array();
	json_object_object_add(o, "rounds", arr);
	for (i = 0; i < PQntuples(res); i++) {
		r = json_object_new_object();
		json_object_object_add(r, "slug", json_object_new_string(PQgetvalue(res, i, 0)));
		json_object_object_add(r, "name", json_object_new_string(PQgetvalue(res, i, 1)));
		json_object_object_add(r, "starts_at", PQgetisnull(res, i, 3) ? NULL :
		    json_object_new_string(PQgetvalue(res, i, 3)));
		json_object_object_add(r, "ends_at", PQgetisnull(res, i, 4) ? NULL :
		    json_object_new_string(PQgetvalue(res, i, 4)));
		json_object_object_add(r, "minutes", json_object_new_int(atoi(PQgetvalue(res, i, 2))));
		json_object_object_add(r, "scoring", json_object_new_string(PQgetvalue(res, i, 5)));
		json_object_object_add(r, "penalty_minutes",
		    json_object_new_int(atoi(PQgetvalue(res, i, 6))));
		json_object_object_add(r, "freeze_at", PQgetisnull(res, i, 7) ? NULL :
		    json_object_new_string(PQgetvalue(res, i, 7)));
		json_object_array_add(arr, r);
	}
	if (package_path(path, sizeof(path), "%s/contest.json", dir) == 0 &&
	    json_write(path, o) == 0)
		rc = 0;
	json_object_put(o);
	PQclear(res);
	return rc;
}

/* One question: question.json, statement.md, tests/. */
static int
export_question(const char *dir, struct db *db, PGresult *qr, int row,
    int *ntests)
{
	char path[PATH_MAX], pts[16];
	const char *slug = PQgetvalue(qr, row, 1), *p[1];
	json_object *o = NULL, *samples;
	PGresult *tr = NULL, *data = NULL;
	int i, rc = -1;

	if (!package_slug_valid(slug)) {
		fprintf(stderr, "question %s: slug cannot be a directory name\n",
		    slug);
		return -1;
	}
	if (package_path(path, sizeof(path), "%s/%s", dir, slug) == -1 ||
	    dir_make(path) == -1 ||
	    package_path(path, sizeof(path), "%s/%s/tests", dir, slug) == -1 ||
	    dir_make(path) == -1)
		return -1;
	p[0] = PQgetvalue(qr, row, 0);
	tr = db_exec(db, "SELECT id, name, is_sample, points FROM testcases"
	    " WHERE question_id = $1 ORDER BY ordinal", 1, p);
	if (tr == NULL)
		goto out;
	o = json_object_new_object();
	json_object_object_add(o, "round", json_object_new_string(PQgetvalue(qr, row, 2)));
	json_object_object_add(o, "title", json_object_new_string(PQgetvalue(qr, row, 3)));
	json_object_object_add(o, "points", json_object_new_int(atoi(PQgetvalue(qr, row, 5))));
	json_object_object_add(o, "time_limit_ms", json_object_new_int(atoi(PQgetvalue(qr, row, 6))));
	json_object_object_add(o, "memory_limit_kb", json_object_new_int(atoi(PQgetvalue(qr, row, 7))));
	json_object_object_add(o, "checker", json_object_new_string(PQgetvalue(qr, row, 8)));
	if (!PQgetisnull(qr, row, 9))
		json_object_object_add(o, "rgb", json_object_new_string(PQgetvalue(qr, row, 9)));
	if (!PQgetisnull(qr, row, 10))
		json_object_object_add(o, "color", json_object_new_string(PQgetvalue(qr, row, 10)));
	samples = json_object_new_array();
	json_object_object_add(o, "samples", samples);
	for (i = 0; i < PQntuples(tr); i++)
		if (PQgetvalue(tr, i, 2)[0] == 't')
			json_object_array_add(samples,
			    json_object_new_string(PQgetvalue(tr, i, 1)));
	if (package_path(path, sizeof(path), "%s/%s/question.json", dir, slug) == -1 ||
	    json_write(path, o) == -1 ||
	    package_path(path, sizeof(path), "%s/%s/statement.md", dir, slug) == -1 ||
	    file_write(path, PQgetvalue(qr, row, 4),
	    (size_t)PQgetlength(qr, row, 4)) == -1)
		goto out;
	/* One testcase's data at a time: tests may be large. */
	for (i = 0; i < PQntuples(tr); i++) {
		const char *name = PQgetvalue(tr, i, 1);

		if (!package_test_name_valid(name)) {
			fprintf(stderr, "question %s: testcase name \"%s\" cannot "
			    "be a file name\n", slug, name);
			goto out;
		}
		p[0] = PQgetvalue(tr, i, 0);
		if ((data = db_exec(db, "SELECT input, expected_output,"
		    " input_bytes IS NOT NULL OR answer_bytes IS NOT NULL FROM"
		    " testcases WHERE id = $1", 1, p)) == NULL ||
		    PQntuples(data) != 1)
			goto out;
		/* Pitwall's own format holds text only (docs/packages.md). */
		if (PQgetvalue(data, 0, 2)[0] == 't') {
			fprintf(stderr, "question %s: testcase %s holds binary "
			    "data, which this format cannot; use export-problem "
			    "%s DIR\n", slug, name, slug);
			goto out;
		}
		if (package_path(path, sizeof(path), "%s/%s/tests/%s.in", dir, slug,
		    name) == -1 ||
		    file_write(path, PQgetvalue(data, 0, 0),
		    (size_t)PQgetlength(data, 0, 0)) == -1 ||
		    package_path(path, sizeof(path), "%s/%s/tests/%s.out", dir, slug,
		    name) == -1 ||
		    file_write(path, PQgetvalue(data, 0, 1),
		    (size_t)PQgetlength(data, 0, 1)) == -1)
			goto out;
		PQclear(data);
		data = NULL;
		if (strcmp(PQgetvalue(tr, i, 3), "1") != 0) {
			snprintf(pts, sizeof(pts), "%s\n", PQgetvalue(tr, i, 3));
			if (package_path(path, sizeof(path), "%s/%s/tests/%s.points",
			    dir, slug, name) == -1 ||
			    file_write(path, pts, strlen(pts)) == -1)
				goto out;
		}
		(*ntests)++;
	}
	rc = 0;
out:
	json_object_put(o);
	PQclear(tr);
	PQclear(data);
	return rc;
}

/*
 * export DIR: every round and question as a package that `import`
 * reads back without a change.  Read in one REPEATABLE READ transaction so
 * the package is one consistent snapshot.
 */
int
cmd_export(struct actx *a, int argc, char *argv[])
{
	struct db *db;
	PGresult *qr = NULL, *tx = NULL;
	char *pos[1];
	int npos, i, ntests = 0, rc = ADMIN_FAIL;

	if (opts_parse(argc, argv, NULL, 0, pos, 1, &npos) == -1 || npos != 1) {
		fprintf(stderr, "usage: pitwall-admin export DIR\n");
		return ADMIN_USAGE;
	}
	actx_config(a, CONFIG_NEED_DB);
	if ((db = actx_db(a)) == NULL)
		return ADMIN_FAIL;
	if (export_dir_ready(pos[0]) == -1)
		return ADMIN_FAIL;
	if ((tx = db_exec(db, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
	    0, NULL)) == NULL)
		goto out;
	if (export_rounds(pos[0], db) == -1)
		goto out;
	qr = db_exec(db, "SELECT q.id, q.slug, r.slug, q.title, q.statement,"
	    " q.points, q.time_limit_ms, q.memory_limit_kb, q.checker, q.rgb, q.color"
	    " FROM questions q JOIN rounds r ON r.id = q.round_id ORDER BY q.id",
	    0, NULL);
	if (qr == NULL)
		goto out;
	for (i = 0; i < PQntuples(qr); i++)
		if (export_question(pos[0], db, qr, i, &ntests) == -1)
			goto out;
	printf("exported %d question(s), %d testcase(s) to %s\n", PQntuples(qr),
	    ntests, pos[0]);
	rc = ADMIN_OK;
out:
	if (tx != NULL)
		db_rollback(db);
	if (rc != ADMIN_OK)
		fprintf(stderr, "pitwall-admin: export to %s failed; it may hold "
		    "part of a package\n", pos[0]);
	PQclear(tx);
	PQclear(qr);
	return rc;
}
