/*
 * pitwall-admin export-problem SLUG DIR: one question as an ICPC/Kattis
 * problem package in the 2023-07 layout, which import-problem reads back
 * to the same question: problem.yaml (name, type, limits),
 * statement/problem.en.md, data/<group>/NAME.in|.ans in the testcases'
 * order (an interactive sample's .interaction too), each group's
 * testdata.yaml (the settings in effect, as JSON, which is YAML), the
 * validator flags as output_validator_args of data/testdata.yaml and of
 * each group whose testcases have flags of their own, and the custom
 * validator's sources under output_validator/.  Read in one REPEATABLE
 * READ snapshot.
 */
#include <sys/stat.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "db.h"
#include "extern.h"
#include "judge0.h"

/* A relative path we may write: no "", ".", ".." or hidden component. */
static int
xkpp_path_safe(const char *p)
{
	size_t l;

	if (*p == '\0' || *p == '/' || strlen(p) > 512)
		return 0;
	for (;;) {
		l = strcspn(p, "/");
		if (l == 0 || p[0] == '.' || memchr(p, '\\', l) != NULL)
			return 0;
		if (p[l] == '\0')
			return 1;
		p += l + 1;
	}
}

/* dir/rel with every missing folder of rel's dirname made. */
static int
xkpp_file(const char *dir, const char *rel, const char *buf, size_t len)
{
	char path[PATH_MAX];
	size_t i, dl = strlen(dir) + 1;

	if (!xkpp_path_safe(rel)) {
		fprintf(stderr, "pitwall-admin: \"%s\" cannot be a path in the "
		    "package\n", rel);
		return -1;
	}
	if (package_path(path, sizeof(path), "%s/%s", dir, rel) == -1)
		return -1;
	for (i = dl; path[i] != '\0'; i++) {
		if (path[i] != '/')
			continue;
		path[i] = '\0';
		if (mkdir(path, 0755) == -1 && errno != EEXIST) {
			fprintf(stderr, "%s: %s\n", path, strerror(errno));
			return -1;
		}
		path[i] = '/';
	}
	return file_write(path, buf, len);
}

/* s as a YAML double-quoted scalar (a JSON string is one). */
static const char *
xkpp_quote(json_object **hold, const char *s)
{
	json_object_put(*hold);
	*hold = json_object_new_string(s);
	return json_object_to_json_string_ext(*hold, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE);
}

/* KB as MiB for problem.yaml ("256", or "0.5" when not whole). */
static void
xkpp_mib(char *buf, size_t bufsz, const char *kb)
{
	long v = atol(kb);

	if (v % 1024 == 0)
		snprintf(buf, bufsz, "%ld", v / 1024);
	else
		snprintf(buf, bufsz, "%g", v / 1024.0);
}

/* problem.yaml from the question row q (see cmd_export_problem). */
static int
xkpp_problem_yaml(const char *dir, PGresult *q)
{
	json_object *hold = NULL;
	const char *validator = PQgetvalue(q, 0, 6), *ptype = PQgetvalue(q, 0, 8);
	char *y = NULL, mem[32], out[32];
	size_t len = 0;
	FILE *f;
	int rc;

	if ((f = open_memstream(&y, &len)) == NULL)
		return -1;
	fprintf(f, "# Exported by pitwall-admin export-problem.\n");
	fprintf(f, "problem_format_version: 2023-07-draft\n");
	fprintf(f, "name: %s\n", xkpp_quote(&hold, PQgetvalue(q, 0, 1)));
	if (strcmp(validator, "interactive") == 0)
		fprintf(f, "type: [%s, interactive]\n", ptype);
	else
		fprintf(f, "type: %s\n", ptype);
	xkpp_mib(mem, sizeof(mem), PQgetvalue(q, 0, 4));
	fprintf(f, "limits:\n  time_limit: %g\n  memory: %s\n",
	    atoi(PQgetvalue(q, 0, 3)) / 1000.0, mem);
	if (!PQgetisnull(q, 0, 9)) {
		xkpp_mib(out, sizeof(out), PQgetvalue(q, 0, 9));
		fprintf(f, "  output: %s\n", out);
	}
	if (!PQgetisnull(q, 0, 10))
		fprintf(f, "  validation_time: %g\n",
		    atoi(PQgetvalue(q, 0, 10)) / 1000.0);
	if (!PQgetisnull(q, 0, 11)) {
		xkpp_mib(out, sizeof(out), PQgetvalue(q, 0, 11));
		fprintf(f, "  validation_memory: %s\n", out);
	}
	/* Balloon colours (checked on the way in: no quoting needed). */
	if (!PQgetisnull(q, 0, 12))
		fprintf(f, "rgb: '%s'\n", PQgetvalue(q, 0, 12));
	if (!PQgetisnull(q, 0, 13))
		fprintf(f, "color: '%s'\n", PQgetvalue(q, 0, 13));
	fclose(f);
	json_object_put(hold);
	rc = y != NULL ? xkpp_file(dir, "problem.yaml", y, len) : -1;
	free(y);
	return rc;
}

/* data/testdata.yaml (the flags) and every group's own testdata.yaml. */
static int
xkpp_groups(const char *dir, struct db *db, const char *qid,
    const char *flags)
{
	json_object *hold = NULL, *o;
	PGresult *g;
	const char *p[1] = { qid }, *s;
	char rel[640], *y = NULL;
	int i, n, rc = -1;

	if (*flags != '\0') {
		n = asprintf(&y, "output_validator_args: %s\n",
		    xkpp_quote(&hold, flags));
		json_object_put(hold);
		if (n < 0 || xkpp_file(dir, "data/testdata.yaml", y, (size_t)n) == -1) {
			free(n < 0 ? NULL : y);
			return -1;
		}
		free(y);
		y = NULL;
	}
	/* Each group with the flags of its testcases (NULL: the question's,
	 * all of a group's testcases have the same), and whether any has
	 * flags of its own. */
	if ((g = db_exec(db, "SELECT g.path, g.settings::text,"
	    " (SELECT t.validator_flags FROM testcases t WHERE t.question_id ="
	    "  g.question_id AND t.group_path = g.path AND t.validator_flags IS"
	    "  NOT NULL LIMIT 1),"
	    " EXISTS (SELECT 1 FROM testcases t WHERE t.question_id ="
	    "  g.question_id AND t.validator_flags IS NOT NULL)"
	    " FROM testcase_groups g WHERE g.question_id = $1 ORDER BY g.ordinal",
	    1, p)) == NULL)
		return -1;
	for (i = 0; i < PQntuples(g); i++) {
		int any = PQgetvalue(g, i, 3)[0] == 't', need;

		o = PQgetisnull(g, i, 1) ? NULL :
		    json_tokener_parse(PQgetvalue(g, i, 1));
		if (!PQgetisnull(g, i, 1) && o == NULL)
			goto out;
		/* The 2023-07 layout has flags in testdata.yaml alone: a
		 * group states its own when any testcase has its own or
		 * when its settings name flags (which re-import reads). */
		need = any || (o != NULL && (json_object_object_get_ex(o,
		    "output_validator_flags", NULL) ||
		    json_object_object_get_ex(o, "output_validator_args", NULL)));
		if (o == NULL && !need)
			continue;
		if (o == NULL)
			o = json_object_new_object();
		if (need) {
			json_object_object_del(o, "output_validator_flags");
			json_object_object_add(o, "output_validator_args",
			    json_object_new_string(PQgetisnull(g, i, 2) ? flags :
			    PQgetvalue(g, i, 2)));
		}
		s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
		    JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE);
		snprintf(rel, sizeof(rel), "data/%s/testdata.yaml",
		    PQgetvalue(g, i, 0));
		free(y);
		if ((n = asprintf(&y, "%s\n", s)) < 0) {
			y = NULL;
			json_object_put(o);
			goto out;
		}
		n = xkpp_file(dir, rel, y, (size_t)n);
		json_object_put(o);
		if (n == -1)
			goto out;
	}
	rc = 0;
out:
	free(y);
	PQclear(g);
	return rc;
}

/* The file rel: column bin of row 0 of d (base64) when not NULL, else
 * column text. */
static int
xkpp_data(const char *dir, const char *rel, PGresult *d, int text, int bin)
{
	char *bytes;
	size_t len;
	int rc;

	if (PQgetisnull(d, 0, bin))
		return xkpp_file(dir, rel, PQgetvalue(d, 0, text),
		    (size_t)PQgetlength(d, 0, text));
	if ((bytes = b64_decode(PQgetvalue(d, 0, bin),
	    (size_t)PQgetlength(d, 0, bin), &len)) == NULL)
		return -1;
	rc = xkpp_file(dir, rel, bytes, len);
	free(bytes);
	return rc;
}

/* data/<name>.in and .ans of every testcase, one at a time. */
static int
xkpp_tests(const char *dir, struct db *db, const char *qid, int *ntests)
{
	PGresult *t = NULL, *d = NULL;
	const char *p[1], *name;
	char rel[640];
	int i, rc = -1;

	p[0] = qid;
	if ((t = db_exec(db, "SELECT id, name, is_sample FROM testcases WHERE"
	    " question_id = $1 ORDER BY ordinal", 1, p)) == NULL)
		return -1;
	for (i = 0; i < PQntuples(t); i++) {
		name = PQgetvalue(t, i, 1);
		/* Pitwall's own format names tests "01": put them in a group. */
		if (strncmp(name, "sample/", 7) == 0 ||
		    strncmp(name, "secret/", 7) == 0)
			snprintf(rel, sizeof(rel), "data/%s", name);
		else
			snprintf(rel, sizeof(rel), "data/%s/%s",
			    PQgetvalue(t, i, 2)[0] == 't' ? "sample" : "secret",
			    name);
		p[0] = PQgetvalue(t, i, 0);
		/* Binary files (sql/014) as base64, decoded here. */
		if ((d = db_exec(db, "SELECT input, expected_output, interaction,"
		    " encode(input_bytes, 'base64'), encode(answer_bytes, 'base64')"
		    " FROM testcases WHERE id = $1", 1, p)) == NULL ||
		    PQntuples(d) != 1)
			goto out;
		strcat(rel, ".in");
		if (xkpp_data(dir, rel, d, 0, 3) == -1)
			goto out;
		strcpy(rel + strlen(rel) - 3, ".ans");
		if (xkpp_data(dir, rel, d, 1, 4) == -1)
			goto out;
		strcpy(rel + strlen(rel) - 4, ".interaction");
		if (!PQgetisnull(d, 0, 2) && xkpp_file(dir, rel,
		    PQgetvalue(d, 0, 2), (size_t)PQgetlength(d, 0, 2)) == -1)
			goto out;
		PQclear(d);
		d = NULL;
		(*ntests)++;
	}
	rc = 0;
out:
	PQclear(d);
	PQclear(t);
	return rc;
}

/* output_validator/<path> for each stored source (legacy's
 * output_validators/ becomes output_validator/). */
static int
xkpp_validator(const char *dir, struct db *db, const char *qid)
{
	PGresult *v;
	const char *p[1] = { qid }, *path;
	char rel[640], *bytes;
	size_t len;
	int i, rc = -1;

	if ((v = db_exec(db, "SELECT path, encode(content, 'base64') FROM"
	    " validator_sources WHERE question_id = $1 ORDER BY path", 1,
	    p)) == NULL)
		return -1;
	for (i = 0; i < PQntuples(v); i++) {
		path = PQgetvalue(v, i, 0);
		if (strncmp(path, "output_validators/", 18) == 0)
			path += 18;
		else if (strncmp(path, "output_validator/", 17) == 0)
			path += 17;
		snprintf(rel, sizeof(rel), "output_validator/%s", path);
		if ((bytes = b64_decode(PQgetvalue(v, i, 1),
		    (size_t)PQgetlength(v, i, 1), &len)) == NULL)
			goto out;
		if (xkpp_file(dir, rel, bytes, len) == -1) {
			free(bytes);
			goto out;
		}
		free(bytes);
	}
	rc = 0;
out:
	PQclear(v);
	return rc;
}

int
cmd_export_problem(struct actx *a, int argc, char *argv[])
{
	struct db *db;
	PGresult *q = NULL, *tx = NULL;
	const char *p[1];
	char *pos[2];
	int npos, ntests = 0, rc = ADMIN_FAIL;

	if (opts_parse(argc, argv, NULL, 0, pos, 2, &npos) == -1 || npos != 2) {
		fprintf(stderr, "usage: pitwall-admin export-problem SLUG DIR\n");
		return ADMIN_USAGE;
	}
	actx_config(a, CONFIG_NEED_DB);
	if ((db = actx_db(a)) == NULL)
		return ADMIN_FAIL;
	if ((tx = db_exec(db, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
	    0, NULL)) == NULL)
		return ADMIN_FAIL;
	p[0] = pos[0];
	/* Columns: see xkpp_problem_yaml. */
	if ((q = db_exec(db, "SELECT id, title, statement, time_limit_ms,"
	    " memory_limit_kb, validator_flags, validator, slug, problem_type,"
	    " output_limit_kb, validation_time_ms, validation_memory_kb, rgb, color"
	    " FROM questions WHERE slug = $1", 1, p)) == NULL)
		goto out;
	if (PQntuples(q) != 1) {
		fprintf(stderr, "pitwall-admin: no question '%s'\n", pos[0]);
		goto out;
	}
	if (export_dir_ready(pos[1]) == -1 ||
	    xkpp_problem_yaml(pos[1], q) == -1 ||
	    (PQgetlength(q, 0, 2) > 0 && xkpp_file(pos[1],
	    "statement/problem.en.md", PQgetvalue(q, 0, 2),
	    (size_t)PQgetlength(q, 0, 2)) == -1) ||
	    xkpp_groups(pos[1], db, PQgetvalue(q, 0, 0), PQgetvalue(q, 0, 5)) == -1 ||
	    xkpp_tests(pos[1], db, PQgetvalue(q, 0, 0), &ntests) == -1 ||
	    xkpp_validator(pos[1], db, PQgetvalue(q, 0, 0)) == -1)
		goto out;
	printf("exported %s (%d testcase(s)) to %s\n", pos[0], ntests, pos[1]);
	rc = ADMIN_OK;
out:
	if (tx != NULL)
		db_rollback(db);
	if (rc != ADMIN_OK && q != NULL && PQntuples(q) == 1)
		fprintf(stderr, "pitwall-admin: export of %s to %s failed; it may "
		    "hold part of a package\n", pos[0], pos[1]);
	PQclear(tx);
	PQclear(q);
	return rc;
}
