/*
 * Read-through caches in Redis for questions (with testcases), languages
 * and rounds.  The hot path reads PostgreSQL only here, on a miss.
 *
 * An entry is "@<unix seconds when filled> <json>" and never expires in
 * Redis: past CACHE_TTL it is refreshed from PostgreSQL, but while
 * PostgreSQL is down the last good copy is served, so an outage longer
 * than the TTL does not make /submit fail (DESIGN §2).  Changes reach the
 * cache by invalidation (pitwall-admin, the admin API); the TTL only
 * bounds how long a change made behind Pitwall's back (plain SQL) stays
 * unseen.  An entry without the "@<time> " prefix (written by an older
 * version, with a Redis expiry) counts as fresh.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>
#include <sodium.h>

#include "cache.h"
#include "config.h"
#include "db.h"
#include "judge0.h"
#include "keys.h"
#include "log.h"
#include "redis.h"

#define NEGATIVE_TTL_S	10

/* What entry_get() found. */
enum entry_state {
	ENTRY_NONE,	/* no entry (or an unreadable one) */
	ENTRY_FRESH,
	ENTRY_STALE,	/* older than CACHE_TTL: refresh, or serve if PostgreSQL is down */
	ENTRY_NEGATIVE,	/* "none": known not to exist */
	ENTRY_STATE__MAX
};

/*
 * Read the entry at key.  Returns its state, with *out the parsed JSON
 * (owned by the caller) for ENTRY_FRESH and ENTRY_STALE, else NULL.
 */
static enum entry_state
entry_get(struct redis *r, const char *key, int ttl_s, json_object **out)
{
	redisReply *rep;
	enum entry_state st = ENTRY_NONE;
	const char *json;
	char *end;
	long long at;

	*out = NULL;
	if ((rep = redis_cmd_idem(r, "GET %s", key)) == NULL)
		return ENTRY_NONE;
	if (rep->type != REDIS_REPLY_STRING)
		goto out;
	if (strcmp(rep->str, "none") == 0) {
		st = ENTRY_NEGATIVE;
		goto out;
	}
	json = rep->str;
	st = ENTRY_FRESH;
	if (json[0] == '@') {
		at = strtoll(json + 1, &end, 10);
		if (end == json + 1 || *end != ' ')
			goto out_none;
		json = end + 1;
		if ((long long)time(NULL) - at >= ttl_s)
			st = ENTRY_STALE;
	}
	if ((*out = json_tokener_parse(json)) == NULL)
		goto out_none;
	goto out;
out_none:
	st = ENTRY_NONE;
out:
	freeReplyObject(rep);
	return st;
}

/* Store o at key as filled now, without expiry (see the file comment). */
static void
entry_put(struct redis *r, const char *key, json_object *o)
{
	redisReply *rep;
	char *val;

	/* One argument: hiredis splits a format at its spaces. */
	if (asprintf(&val, "@%lld %s", (long long)time(NULL),
	    json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN)) == -1)
		return;
	rep = redis_cmd(r, "SET %s %s", key, val);
	freeReplyObject(rep);
	free(val);
}

/*
 * The entry at key when valid() accepts it: returned when fresh; a stale
 * one goes to *stale (owned by the caller) and NULL is returned, as when
 * there is no usable entry.
 */
static json_object *
entry_get_valid(struct redis *r, const char *key, int ttl_s,
    int (*valid)(json_object *), json_object **stale)
{
	json_object *o;
	enum entry_state st = entry_get(r, key, ttl_s, &o);

	*stale = NULL;
	if (o != NULL && valid(o)) {
		if (st == ENTRY_FRESH)
			return o;
		*stale = o;
		return NULL;
	}
	json_object_put(o);
	return NULL;
}

/*
 * A stale entry is kept when the refresh failed: log it once per use, so
 * an operator sees how long PostgreSQL has been away.
 */
static json_object *
entry_stale_or_null(json_object *stale, const char *key)
{
	if (stale != NULL)
		log_warn(NULL, "PostgreSQL unavailable: serving the last good "
		    "copy of %s", key);
	return stale;
}

static struct db *
cache_db(struct db **dbp, const struct config *cfg)
{
	if (*dbp == NULL)
		*dbp = db_new(cfg->database_url, cfg->db_connect_timeout_s);
	return *dbp;
}

void
cache_question_free(struct cache_question *q)
{
	size_t i;

	if (q == NULL)
		return;
	for (i = 0; i < q->ntests; i++) {
		free(q->tests[i].name);
		free(q->tests[i].input);
		free(q->tests[i].expected);
		free(q->tests[i].flags);
		free(q->tests[i].interaction);
	}
	free(q->tests);
	for (i = 0; q->vfiles != NULL && i < q->nvfiles; i++) {
		free(q->vfiles[i].path);
		free(q->vfiles[i].content_b64);
	}
	free(q->vfiles);
	free(q->validator);
	free(q->validator_flags);
	free(q->validator_digest);
	free(q->slug);
	free(q->title);
	free(q->checker);
	free(q);
}

static long long
jint(json_object *o, const char *k)
{
	json_object *v;

	return json_object_object_get_ex(o, k, &v) ? json_object_get_int64(v) : 0;
}

static char *
jstr(json_object *o, const char *k, size_t *lenp)
{
	json_object *v;
	const char *s = "";
	size_t len = 0;
	char *out;

	if (json_object_object_get_ex(o, k, &v) && json_object_is_type(v, json_type_string)) {
		s = json_object_get_string(v);
		len = (size_t)json_object_get_string_len(v);
	}
	if ((out = malloc(len + 1)) == NULL)
		return NULL;
	memcpy(out, s, len);
	out[len] = '\0';
	if (lenp != NULL)
		*lenp = len;
	return out;
}

/* The bytes of base64 member k (malloc'd, NUL-terminated); NULL when
 * it is not base64 or memory ran out. */
static char *
jb64(json_object *o, const char *k, size_t *lenp)
{
	json_object *v;

	if (!json_object_object_get_ex(o, k, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return b64_decode(json_object_get_string(v),
	    (size_t)json_object_get_string_len(v), lenp);
}

/* Build the struct from the cached JSON.  NULL on malformed data. */
static struct cache_question *
question_from_json(json_object *o)
{
	struct cache_question *q;
	json_object *tests, *vf = NULL;
	size_t i;

	if (!json_object_object_get_ex(o, "tests", &tests) ||
	    !json_object_is_type(tests, json_type_array))
		return NULL;
	if ((q = calloc(1, sizeof(*q))) == NULL)
		return NULL;
	q->id = jint(o, "id");
	q->round_id = jint(o, "round_id");
	q->points = (int)jint(o, "points");
	q->time_limit_ms = (int)jint(o, "time_limit_ms");
	q->memory_limit_kb = (int)jint(o, "memory_limit_kb");
	q->starts_at = jint(o, "starts_at");
	q->ends_at = jint(o, "ends_at");
	q->slug = jstr(o, "slug", NULL);
	q->title = jstr(o, "title", NULL);
	q->checker = jstr(o, "checker", NULL);
	/* Entries of an older version have no validator: "" reads as the
	 * native rule, as before. */
	q->validator = jstr(o, "validator", NULL);
	q->validator_flags = jstr(o, "validator_flags", NULL);
	q->validator_digest = jstr(o, "validator_digest", NULL);
	q->validator_lang = (int)jint(o, "validator_lang");
	q->validation_time_ms = (int)jint(o, "validation_time_ms");
	q->validation_memory_kb = (int)jint(o, "validation_memory_kb");
	if (q->validator == NULL || q->validator_flags == NULL ||
	    q->validator_digest == NULL)
		goto fail;
	if (json_object_object_get_ex(o, "validator_files", &vf) &&
	    json_object_is_type(vf, json_type_array) &&
	    json_object_array_length(vf) > 0) {
		q->nvfiles = json_object_array_length(vf);
		if ((q->vfiles = calloc(q->nvfiles, sizeof(*q->vfiles))) == NULL)
			goto fail;
		for (i = 0; i < q->nvfiles; i++) {
			json_object *f = json_object_array_get_idx(vf, i);

			q->vfiles[i].path = jstr(f, "path", NULL);
			q->vfiles[i].content_b64 = jstr(f, "content", NULL);
			if (q->vfiles[i].path == NULL ||
			    q->vfiles[i].content_b64 == NULL)
				goto fail;
		}
	}
	q->ntests = json_object_array_length(tests);
	q->tests = calloc(q->ntests ? q->ntests : 1, sizeof(*q->tests));
	if (q->slug == NULL || q->title == NULL || q->checker == NULL ||
	    q->tests == NULL)
		goto fail;
	for (i = 0; i < q->ntests; i++) {
		json_object *t = json_object_array_get_idx(tests, i);
		struct cache_testcase *tc = &q->tests[i];

		tc->id = jint(t, "id");
		tc->ordinal = (int)jint(t, "ordinal");
		tc->is_sample = (int)jint(t, "sample");
		tc->points = (int)jint(t, "points");
		tc->name = jstr(t, "name", NULL);
		tc->input = jstr(t, "input", &tc->input_len);
		tc->expected = jstr(t, "expected", &tc->expected_len);
		if (tc->name == NULL || tc->input == NULL || tc->expected == NULL)
			goto fail;
		if (json_object_object_get_ex(t, "flags", NULL) &&
		    (tc->flags = jstr(t, "flags", NULL)) == NULL)
			goto fail;
		if (json_object_object_get_ex(t, "interaction", NULL) &&
		    (tc->interaction = jstr(t, "interaction", NULL)) == NULL)
			goto fail;
		if (json_object_object_get_ex(t, "input_b64", NULL)) {
			free(tc->input);
			if ((tc->input = jb64(t, "input_b64", &tc->input_len)) == NULL)
				goto fail;
			tc->input_binary = 1;
		}
		if (json_object_object_get_ex(t, "expected_b64", NULL)) {
			free(tc->expected);
			if ((tc->expected = jb64(t, "expected_b64",
			    &tc->expected_len)) == NULL)
				goto fail;
			tc->expected_binary = 1;
		}
	}
	return q;
fail:
	cache_question_free(q);
	return NULL;
}

int
cache_vfiles_lang(const struct cache_vfile *f, size_t n)
{
	int cpp = 0, py = 0, c = 0;
	size_t i, l;
	const char *p;

	for (i = 0; i < n; i++) {
		p = f[i].path;
		l = strlen(p);
		cpp |= (l > 4 && (strcmp(p + l - 4, ".cpp") == 0 ||
		    strcmp(p + l - 4, ".cxx") == 0)) ||
		    (l > 3 && strcmp(p + l - 3, ".cc") == 0);
		py |= l > 3 && strcmp(p + l - 3, ".py") == 0;
		c |= l > 2 && strcmp(p + l - 2, ".c") == 0;
	}
	return cpp ? 54 : py ? 71 : c ? 50 : 0;
}

void
cache_vfiles_digest(const struct cache_vfile *f, size_t n, int lang,
    char hex[65])
{
	crypto_hash_sha256_state st;
	unsigned char h[crypto_hash_sha256_BYTES];
	char l[16];
	size_t i;

	snprintf(l, sizeof(l), "%d", lang);
	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, (const unsigned char *)l, strlen(l) + 1);
	for (i = 0; i < n; i++) {
		crypto_hash_sha256_update(&st, (const unsigned char *)f[i].path,
		    strlen(f[i].path) + 1);
		crypto_hash_sha256_update(&st, (const unsigned char *)
		    f[i].content_b64, strlen(f[i].content_b64) + 1);
	}
	crypto_hash_sha256_final(&st, h);
	sodium_bin2hex(hex, 65, h, sizeof(h));
}

/* The validator's sources, language and digest into the cache's JSON. */
static int
validator_json(json_object *o, const PGresult *vres)
{
	struct cache_vfile *vf;
	json_object *arr, *f;
	char hex[65];
	size_t i, n = (size_t)PQntuples(vres);
	int lang;

	if ((vf = calloc(n ? n : 1, sizeof(*vf))) == NULL)
		return -1;
	arr = json_object_new_array();
	for (i = 0; i < n; i++) {
		/* Borrowed from vres for the language and the digest. */
		vf[i].path = PQgetvalue(vres, (int)i, 0);
		vf[i].content_b64 = PQgetvalue(vres, (int)i, 1);
		f = json_object_new_object();
		json_object_object_add(f, "path",
		    json_object_new_string(vf[i].path));
		json_object_object_add(f, "content",
		    json_object_new_string(vf[i].content_b64));
		json_object_array_add(arr, f);
	}
	lang = cache_vfiles_lang(vf, n);
	cache_vfiles_digest(vf, n, lang, hex);
	free(vf);
	json_object_object_add(o, "validator_files", arr);
	json_object_object_add(o, "validator_lang", json_object_new_int(lang));
	json_object_object_add(o, "validator_digest",
	    json_object_new_string(hex));
	return 0;
}

/* Load question qid from PostgreSQL as the cache's JSON.  NULL: missing/error. */
static json_object *
question_load(struct db *db, long long qid, int *missing)
{
	char id[32];
	const char *params[1] = { id };
	PGresult *res = NULL, *tres = NULL, *vres = NULL;
	json_object *o = NULL, *tests;
	int i;

	*missing = 0;
	snprintf(id, sizeof(id), "%lld", qid);
	res = db_exec(db,
	    "SELECT q.id, q.round_id, q.slug, q.title, q.points, q.time_limit_ms,"
	    " q.memory_limit_kb, q.checker,"
	    " coalesce(ceil(extract(epoch FROM r.starts_at))::bigint, 0),"
	    " coalesce(floor(extract(epoch FROM r.ends_at))::bigint, 0),"
	    " CASE WHEN q.package_format IS NULL THEN '' ELSE q.validator END,"
	    " q.validator_flags, coalesce(q.validation_time_ms, 0),"
	    " coalesce(q.validation_memory_kb, 0)"
	    " FROM questions q JOIN rounds r ON r.id = q.round_id WHERE q.id = $1",
	    1, params);
	if (res == NULL)
		goto out;
	if (PQntuples(res) != 1) {
		*missing = 1;
		goto out;
	}
	tres = db_exec(db,
	    "SELECT id, ordinal, name, input, expected_output, is_sample, points,"
	    " validator_flags, interaction, encode(input_bytes, 'base64'),"
	    " encode(answer_bytes, 'base64')"
	    " FROM testcases WHERE question_id = $1 ORDER BY ordinal", 1, params);
	if (tres == NULL)
		goto out;
	o = json_object_new_object();
	json_object_object_add(o, "id", json_object_new_int64(atoll(PQgetvalue(res, 0, 0))));
	json_object_object_add(o, "round_id", json_object_new_int64(atoll(PQgetvalue(res, 0, 1))));
	json_object_object_add(o, "slug", json_object_new_string(PQgetvalue(res, 0, 2)));
	json_object_object_add(o, "title", json_object_new_string(PQgetvalue(res, 0, 3)));
	json_object_object_add(o, "points", json_object_new_int(atoi(PQgetvalue(res, 0, 4))));
	json_object_object_add(o, "time_limit_ms", json_object_new_int(atoi(PQgetvalue(res, 0, 5))));
	json_object_object_add(o, "memory_limit_kb", json_object_new_int(atoi(PQgetvalue(res, 0, 6))));
	json_object_object_add(o, "checker", json_object_new_string(PQgetvalue(res, 0, 7)));
	json_object_object_add(o, "starts_at", json_object_new_int64(atoll(PQgetvalue(res, 0, 8))));
	json_object_object_add(o, "ends_at", json_object_new_int64(atoll(PQgetvalue(res, 0, 9))));
	json_object_object_add(o, "validator", json_object_new_string(PQgetvalue(res, 0, 10)));
	json_object_object_add(o, "validator_flags", json_object_new_string(PQgetvalue(res, 0, 11)));
	json_object_object_add(o, "validation_time_ms", json_object_new_int(atoi(PQgetvalue(res, 0, 12))));
	json_object_object_add(o, "validation_memory_kb", json_object_new_int(atoi(PQgetvalue(res, 0, 13))));
	if (strcmp(PQgetvalue(res, 0, 10), "custom") == 0 ||
	    strcmp(PQgetvalue(res, 0, 10), "interactive") == 0) {
		if ((vres = db_exec(db, "SELECT path, encode(content, 'base64')"
		    " FROM validator_sources WHERE question_id = $1 ORDER BY path",
		    1, params)) == NULL) {
			json_object_put(o);
			o = NULL;
			goto out;
		}
		if (validator_json(o, vres) == -1) {
			json_object_put(o);
			o = NULL;
			goto out;
		}
	}
	tests = json_object_new_array();
	json_object_object_add(o, "tests", tests);
	for (i = 0; i < PQntuples(tres); i++) {
		json_object *t = json_object_new_object();
		json_object_object_add(t, "id", json_object_new_int64(atoll(PQgetvalue(tres, i, 0))));
		json_object_object_add(t, "ordinal", json_object_new_int(atoi(PQgetvalue(tres, i, 1))));
		json_object_object_add(t, "name", json_object_new_string(PQgetvalue(tres, i, 2)));
		json_object_object_add(t, "input", json_object_new_string_len(PQgetvalue(tres, i, 3), PQgetlength(tres, i, 3)));
		json_object_object_add(t, "expected", json_object_new_string_len(PQgetvalue(tres, i, 4), PQgetlength(tres, i, 4)));
		json_object_object_add(t, "sample", json_object_new_int(PQgetvalue(tres, i, 5)[0] == 't'));
		json_object_object_add(t, "points", json_object_new_int(atoi(PQgetvalue(tres, i, 6))));
		if (!PQgetisnull(tres, i, 7))
			json_object_object_add(t, "flags", json_object_new_string(PQgetvalue(tres, i, 7)));
		if (!PQgetisnull(tres, i, 8))
			json_object_object_add(t, "interaction", json_object_new_string(PQgetvalue(tres, i, 8)));
		/* Binary files as base64: the cache's JSON stays text. */
		if (!PQgetisnull(tres, i, 9))
			json_object_object_add(t, "input_b64", json_object_new_string(PQgetvalue(tres, i, 9)));
		if (!PQgetisnull(tres, i, 10))
			json_object_object_add(t, "expected_b64", json_object_new_string(PQgetvalue(tres, i, 10)));
		json_object_array_add(tests, t);
	}
out:
	PQclear(res);
	PQclear(tres);
	PQclear(vres);
	return o;
}

enum cache_rc
cache_question_get(struct redis *r, struct db **dbp, const struct config *cfg,
    long long qid, struct cache_question **out)
{
	char key[64];
	redisReply *rep;
	json_object *o = NULL, *stale = NULL;
	struct db *db;
	int missing = 0;
	enum cache_rc rc = CACHE_UNAVAILABLE;

	*out = NULL;
	snprintf(key, sizeof(key), KEY_QUESTION_FMT, qid);
	switch (entry_get(r, key, cfg->cache_ttl_s, &stale)) {
	case ENTRY_NEGATIVE:
		return CACHE_NOT_FOUND;
	case ENTRY_FRESH:
		o = stale;
		stale = NULL;
		break;
	default:
		break;
	}
	if (o == NULL) {
		if ((db = cache_db(dbp, cfg)) == NULL ||
		    (o = question_load(db, qid, &missing)) == NULL) {
			if (missing) {
				json_object_put(stale);
				rep = redis_cmd(r, "SET %s none EX %d", key,
				    NEGATIVE_TTL_S);
				freeReplyObject(rep);
				return CACHE_NOT_FOUND;
			}
			if ((o = entry_stale_or_null(stale, key)) == NULL)
				return CACHE_UNAVAILABLE;
			stale = NULL;
		} else
			entry_put(r, key, o);
	}
	json_object_put(stale);
	if ((*out = question_from_json(o)) != NULL)
		rc = CACHE_OK;
	else
		log_error(NULL, "malformed cache entry %s", key);
	json_object_put(o);
	return rc;
}

static json_object *
languages_load(struct db *db)
{
	PGresult *res;
	json_object *arr;
	int i;

	res = db_exec(db, "SELECT judge0_id, name, time_multiplier::float8, enabled"
	    " FROM languages ORDER BY judge0_id", 0, NULL);
	if (res == NULL)
		return NULL;
	arr = json_object_new_array();
	for (i = 0; i < PQntuples(res); i++) {
		json_object *l = json_object_new_object();
		json_object_object_add(l, "id", json_object_new_int(atoi(PQgetvalue(res, i, 0))));
		json_object_object_add(l, "name", json_object_new_string(PQgetvalue(res, i, 1)));
		json_object_object_add(l, "mult", json_object_new_double(atof(PQgetvalue(res, i, 2))));
		json_object_object_add(l, "enabled", json_object_new_boolean(PQgetvalue(res, i, 3)[0] == 't'));
		json_object_array_add(arr, l);
	}
	PQclear(res);
	return arr;
}

static int
languages_valid(json_object *arr)
{
	return json_object_is_type(arr, json_type_array);
}

/* The language table as cached in pitwall:languages.  NULL when unavailable. */
static json_object *
languages_json(struct redis *r, struct db **dbp, const struct config *cfg)
{
	json_object *arr, *stale;
	struct db *db;

	if ((arr = entry_get_valid(r, KEY_LANGUAGES, cfg->cache_ttl_s,
	    languages_valid, &stale)) != NULL)
		return arr;
	if ((db = cache_db(dbp, cfg)) == NULL || (arr = languages_load(db)) == NULL)
		return entry_stale_or_null(stale, KEY_LANGUAGES);
	json_object_put(stale);
	entry_put(r, KEY_LANGUAGES, arr);
	return arr;
}

static void
language_from_json(json_object *l, struct cache_language *out)
{
	json_object *v;

	memset(out, 0, sizeof(*out));
	out->id = (int)jint(l, "id");
	if (json_object_object_get_ex(l, "name", &v) &&
	    json_object_is_type(v, json_type_string)) {
		const char *s = json_object_get_string(v);
		size_t n = strlen(s);

		/* A long name is cut between characters (GET /languages
		 * sends it), not inside one. */
		if (n >= sizeof(out->name)) {
			n = sizeof(out->name) - 1;
			while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
				n--;
		}
		memcpy(out->name, s, n);
		out->name[n] = '\0';
	}
	out->time_multiplier = json_object_object_get_ex(l, "mult", &v) ?
	    json_object_get_double(v) : 1.0;
	out->enabled = json_object_object_get_ex(l, "enabled", &v) &&
	    json_object_get_boolean(v);
}

enum cache_rc
cache_language_get(struct redis *r, struct db **dbp, const struct config *cfg,
    int judge0_id, struct cache_language *out)
{
	json_object *arr;
	enum cache_rc rc = CACHE_NOT_FOUND;
	size_t i;

	if ((arr = languages_json(r, dbp, cfg)) == NULL)
		return CACHE_UNAVAILABLE;
	for (i = 0; i < json_object_array_length(arr); i++) {
		json_object *l = json_object_array_get_idx(arr, i);
		if (jint(l, "id") != judge0_id)
			continue;
		language_from_json(l, out);
		rc = CACHE_OK;
		break;
	}
	json_object_put(arr);
	return rc;
}

int
cache_languages_get(struct redis *r, struct db **dbp, const struct config *cfg,
    struct cache_language **out, size_t *n)
{
	json_object *arr;
	struct cache_language *ls;
	size_t i, len;

	*out = NULL;
	*n = 0;
	if ((arr = languages_json(r, dbp, cfg)) == NULL)
		return -1;
	len = json_object_array_length(arr);
	if ((ls = calloc(len ? len : 1, sizeof(*ls))) == NULL) {
		json_object_put(arr);
		return -1;
	}
	for (i = 0; i < len; i++)
		language_from_json(json_object_array_get_idx(arr, i), &ls[i]);
	json_object_put(arr);
	*out = ls;
	*n = len;
	return 0;
}

int
cache_invalidate_question(struct redis *r, long long qid)
{
	char key[64];
	redisReply *rep;
	char cursor[32] = "0";

	/* The contestant view of every round's questions (GET /questions). */
	if ((rep = redis_cmd(r, "DEL %s", KEY_ROUND_QUESTIONS)) == NULL)
		return -1;
	freeReplyObject(rep);
	if (qid != 0) {
		snprintf(key, sizeof(key), KEY_QUESTION_FMT, qid);
		if ((rep = redis_cmd(r, "DEL %s", key)) == NULL)
			return -1;
		freeReplyObject(rep);
		return 0;
	}
	if ((rep = redis_cmd(r, "DEL %s", KEY_ROUNDS)) == NULL)
		return -1;
	freeReplyObject(rep);
	/* Every question: SCAN, since KEYS would block Redis. */
	do {
		size_t i;
		rep = redis_cmd(r, "SCAN %s MATCH " KEY_QUESTION_MATCH " COUNT 1000", cursor);
		if (rep == NULL || rep->type != REDIS_REPLY_ARRAY || rep->elements != 2) {
			freeReplyObject(rep);
			return -1;
		}
		snprintf(cursor, sizeof(cursor), "%s", rep->element[0]->str);
		for (i = 0; i < rep->element[1]->elements; i++) {
			redisReply *d = redis_cmd(r, "DEL %s", rep->element[1]->element[i]->str);
			freeReplyObject(d);
		}
		freeReplyObject(rep);
	} while (strcmp(cursor, "0") != 0);
	return 0;
}

int
cache_invalidate_languages(struct redis *r)
{
	redisReply *rep = redis_cmd(r, "DEL %s", KEY_LANGUAGES);

	if (rep == NULL)
		return -1;
	freeReplyObject(rep);
	return 0;
}

/* 1 when arr is a rounds list of the current format (five columns). */
static int
rounds_valid(json_object *arr)
{
	json_object *w0;

	return json_object_is_type(arr, json_type_array) &&
	    (json_object_array_length(arr) == 0 ||
	    ((w0 = json_object_array_get_idx(arr, 0)) != NULL &&
	    json_object_is_type(w0, json_type_array) &&
	    json_object_array_length(w0) >= 7));
}

/* The rounds list as cached in pitwall:rounds.  NULL when unavailable. */
static json_object *
rounds_json(struct redis *r, struct db **dbp, const struct config *cfg)
{
	json_object *arr, *stale;
	struct db *db;
	PGresult *res;
	int i;

	/* An entry of an older format (two columns) is reloaded. */
	if ((arr = entry_get_valid(r, KEY_ROUNDS, cfg->cache_ttl_s, rounds_valid,
	    &stale)) != NULL)
		return arr;
	if ((db = cache_db(dbp, cfg)) == NULL)
		return entry_stale_or_null(stale, KEY_ROUNDS);
	res = db_exec(db, "SELECT coalesce(ceil(extract(epoch FROM starts_at))::bigint, 0),"
	    " coalesce(floor(extract(epoch FROM ends_at))::bigint, 0), id, slug, name,"
	    " scoring, CASE WHEN unfrozen THEN 0 ELSE"
	    "  coalesce(ceil(extract(epoch FROM freeze_at))::bigint, 0) END"
	    " FROM rounds ORDER BY id", 0, NULL);
	if (res == NULL)
		return entry_stale_or_null(stale, KEY_ROUNDS);
	json_object_put(stale);
	arr = json_object_new_array();
	for (i = 0; i < PQntuples(res); i++) {
		json_object *w = json_object_new_array();
		json_object_array_add(w, json_object_new_int64(atoll(PQgetvalue(res, i, 0))));
		json_object_array_add(w, json_object_new_int64(atoll(PQgetvalue(res, i, 1))));
		json_object_array_add(w, json_object_new_int64(atoll(PQgetvalue(res, i, 2))));
		json_object_array_add(w, json_object_new_string(PQgetvalue(res, i, 3)));
		json_object_array_add(w, json_object_new_string(PQgetvalue(res, i, 4)));
		json_object_array_add(w, json_object_new_string(PQgetvalue(res, i, 5)));
		json_object_array_add(w, json_object_new_int64(atoll(PQgetvalue(res, i, 6))));
		json_object_array_add(arr, w);
	}
	PQclear(res);
	entry_put(r, KEY_ROUNDS, arr);
	return arr;
}

int
cache_rounds_get(struct redis *r, struct db **dbp, const struct config *cfg,
    struct cache_round **out, size_t *n)
{
	json_object *arr;
	struct cache_round *rs;
	size_t i, len;

	*out = NULL;
	*n = 0;
	if ((arr = rounds_json(r, dbp, cfg)) == NULL)
		return -1;
	len = json_object_array_length(arr);
	if ((rs = calloc(len ? len : 1, sizeof(*rs))) == NULL) {
		json_object_put(arr);
		return -1;
	}
	for (i = 0; i < len; i++) {
		json_object *w = json_object_array_get_idx(arr, i);

		rs[i].starts_at = json_object_get_int64(json_object_array_get_idx(w, 0));
		rs[i].ends_at = json_object_get_int64(json_object_array_get_idx(w, 1));
		rs[i].id = json_object_get_int64(json_object_array_get_idx(w, 2));
		snprintf(rs[i].slug, sizeof(rs[i].slug), "%s",
		    json_object_get_string(json_object_array_get_idx(w, 3)));
		snprintf(rs[i].name, sizeof(rs[i].name), "%s",
		    json_object_get_string(json_object_array_get_idx(w, 4)));
		snprintf(rs[i].scoring, sizeof(rs[i].scoring), "%s",
		    json_object_get_string(json_object_array_get_idx(w, 5)));
		rs[i].freeze_at = json_object_get_int64(json_object_array_get_idx(w, 6));
	}
	json_object_put(arr);
	*out = rs;
	*n = len;
	return 0;
}

const struct cache_round *
cache_round_current(const struct cache_round *rs, size_t n, long long now,
    int or_next)
{
	const struct cache_round *open = NULL, *next = NULL;
	size_t i;

	for (i = 0; i < n; i++) {
		const struct cache_round *c = &rs[i];

		if (c->starts_at == 0 || c->ends_at == 0)
			continue;
		if (now >= c->starts_at && now < c->ends_at) {
			/* Several open: the one that ends first. */
			if (open == NULL || c->ends_at < open->ends_at)
				open = c;
		} else if (now < c->starts_at &&
		    (next == NULL || c->starts_at < next->starts_at))
			next = c;
	}
	if (open != NULL)
		return open;
	return or_next ? next : NULL;
}

int
cache_round_open(struct redis *r, struct db **dbp, const struct config *cfg,
    long long now)
{
	struct cache_round *rs;
	size_t n;
	int open;

	if (cache_rounds_get(r, dbp, cfg, &rs, &n) == -1)
		return -1;
	open = cache_round_current(rs, n, now, 0) != NULL;
	free(rs);
	return open;
}
