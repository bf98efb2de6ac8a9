/*
 * pitwall-admin language list|enable|disable|sync: the languages
 * contestants may use (GET /languages, and what /submit and /run accept).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache.h"
#include "db.h"
#include "extern.h"
#include "judge0.h"
#include "redis.h"

static int
language_list(struct actx *a, int argc, char *argv[])
{
	char *pos[1];
	struct db *db;
	PGresult *res;
	int npos, i;

	if (opts_parse(argc, argv, NULL, 0, pos, 0, &npos) == -1) {
		fprintf(stderr, "usage: pitwall-admin language list\n");
		return ADMIN_USAGE;
	}
	actx_config(a, CONFIG_NEED_DB);
	if ((db = actx_db(a)) == NULL)
		return ADMIN_FAIL;
	res = db_exec(db, "SELECT judge0_id, enabled, time_multiplier, name"
	    " FROM languages ORDER BY judge0_id", 0, NULL);
	if (res == NULL)
		return ADMIN_FAIL;
	printf("id\tenabled\ttime_multiplier\tname\n");
	for (i = 0; i < PQntuples(res); i++)
		printf("%s\t%s\t%s\t%s\n", PQgetvalue(res, i, 0),
		    PQgetvalue(res, i, 1)[0] == 't' ? "yes" : "no",
		    PQgetvalue(res, i, 2), PQgetvalue(res, i, 3));
	PQclear(res);
	return ADMIN_OK;
}

/*
 * enable|disable ID: languages.enabled, then the Redis language cache is
 * dropped so every responder uses the change on its next request rather
 * than after CACHE_TTL.  Submissions already accepted are judged anyway.
 */
static int
language_set(struct actx *a, int argc, char *argv[], int enable)
{
	const char *what = enable ? "enable" : "disable";
	const char *p[2];
	char *pos[1];
	struct db *db;
	struct redis *r;
	PGresult *res;
	long long id;
	int npos, rc = ADMIN_FAIL;

	if (opts_parse(argc, argv, NULL, 0, pos, 1, &npos) == -1 || npos != 1 ||
	    arg_int(pos[0], 1, 1000000, &id) == -1) {
		fprintf(stderr, "usage: pitwall-admin language %s ID "
		    "(the Judge0 language id)\n", what);
		return ADMIN_USAGE;
	}
	actx_config(a, CONFIG_NEED_DB);
	if ((db = actx_db(a)) == NULL)
		return ADMIN_FAIL;
	p[0] = pos[0];
	p[1] = enable ? "t" : "f";
	res = db_exec(db, "UPDATE languages SET enabled = $2::boolean"
	    " WHERE judge0_id = $1::integer RETURNING name", 2, p);
	if (res == NULL)
		return ADMIN_FAIL;
	if (PQntuples(res) != 1) {
		fprintf(stderr, "pitwall-admin: no language %lld "
		    "(see `pitwall-admin language list`)\n", id);
		goto out;
	}
	printf("language %lld (%s) %sd\n", id, PQgetvalue(res, 0, 0), what);
	if ((r = actx_redis(a)) == NULL || cache_invalidate_languages(r) == -1) {
		fprintf(stderr, "pitwall-admin: warning: the database changed but "
		    "the Redis language cache could not be dropped; it expires "
		    "after CACHE_TTL seconds\n");
		goto out;
	}
	rc = ADMIN_OK;
out:
	PQclear(res);
	return rc;
}

/*
 * sync: every language's name as the configured judge names it (the
 * embedded judge tells the installed toolchain's version, "C (GCC
 * 12.2.0)"); ids stay Judge0's.  Enabled languages the judge does not
 * offer are named on stderr: submissions in them would be refused.
 */
static int
language_sync(struct actx *a, int argc, char *argv[])
{
	json_object *langs = NULL, *it, *id, *name;
	struct judge0 *j;
	struct db *db;
	PGresult *res = NULL;
	const char *p[2];
	char ids[16], err[256];
	size_t i, n;
	int npos, k, changed = 0, rc = ADMIN_FAIL;
	char *pos[1];

	if (opts_parse(argc, argv, NULL, 0, pos, 0, &npos) == -1) {
		fprintf(stderr, "usage: pitwall-admin language sync\n");
		return ADMIN_USAGE;
	}
	actx_config(a, CONFIG_NEED_DB);
	if ((j = actx_judge0(a)) == NULL || (db = actx_db(a)) == NULL)
		return ADMIN_FAIL;
	if (judge0_languages(j, &langs, err, sizeof(err)) != J0_OK) {
		fprintf(stderr, "pitwall-admin: %s\n", err);
		return ADMIN_FAIL;
	}
	n = json_object_array_length(langs);
	for (i = 0; i < n; i++) {
		it = json_object_array_get_idx(langs, i);
		if (!json_object_object_get_ex(it, "id", &id) ||
		    !json_object_object_get_ex(it, "name", &name) ||
		    !json_object_is_type(id, json_type_int) ||
		    !json_object_is_type(name, json_type_string))
			continue;
		snprintf(ids, sizeof(ids), "%d", json_object_get_int(id));
		p[0] = ids;
		p[1] = json_object_get_string(name);
		k = import_exec_rows(db, "UPDATE languages SET name = $2"
		    " WHERE judge0_id = $1::integer AND name <> $2"
		    " RETURNING judge0_id", 2, p, NULL, 0);
		if (k == -1)
			goto out;
		if (k == 1)
			printf("language %s: %s\n", ids, p[1]);
		changed += k;
	}
	if ((res = db_exec(db, "SELECT judge0_id, name FROM languages"
	    " WHERE enabled ORDER BY judge0_id", 0, NULL)) == NULL)
		goto out;
	for (k = 0; k < PQntuples(res); k++) {
		for (i = 0; i < n; i++) {
			it = json_object_array_get_idx(langs, i);
			if (json_object_object_get_ex(it, "id", &id) &&
			    json_object_get_int(id) == atoi(PQgetvalue(res, k, 0)))
				break;
		}
		if (i == n)
			fprintf(stderr, "pitwall-admin: warning: language %s (%s) "
			    "is enabled but the judge does not offer it\n",
			    PQgetvalue(res, k, 0), PQgetvalue(res, k, 1));
	}
	printf("languages: %d renamed\n", changed);
	rc = changed > 0 && actx_caches_drop(a) == -1 ? ADMIN_FAIL : ADMIN_OK;
out:
	PQclear(res);
	json_object_put(langs);
	return rc;
}

int
cmd_language(struct actx *a, int argc, char *argv[])
{
	if (argc >= 1 && strcmp(argv[0], "list") == 0)
		return language_list(a, argc - 1, argv + 1);
	if (argc >= 1 && strcmp(argv[0], "enable") == 0)
		return language_set(a, argc - 1, argv + 1, 1);
	if (argc >= 1 && strcmp(argv[0], "disable") == 0)
		return language_set(a, argc - 1, argv + 1, 0);
	if (argc >= 1 && strcmp(argv[0], "sync") == 0)
		return language_sync(a, argc - 1, argv + 1);
	usage();
	return ADMIN_USAGE;
}
