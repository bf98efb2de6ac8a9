/*
 * Unit tests of lib/cache.c against a real (throwaway) Redis and no
 * PostgreSQL (DATABASE_URL points at a socket that does not exist): the
 * cached question, language and round entries parsed, the negative entry,
 * malformed and old-format entries refused (they would be reloaded from
 * the database, which is down), the current round chosen, and the
 * invalidations deleting exactly their keys.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "cache.h"
#include "config.h"
#include "db.h"
#include "keys.h"
#include "redis.h"

#include "redis_fixture.h"

struct world {
	struct redis_fixture	 fx;
	struct config		 cfg;
	struct redis		*r;
	struct db		*db;	/* the lazily opened handle cache.c keeps */
};

static int
setup(void **state)
{
	struct world *w = calloc(1, sizeof(*w));

	if (w == NULL || redis_fixture_start_client(&w->fx, &w->cfg, &w->r) == -1) {
		free(w);
		return -1;
	}
	w->cfg.cache_ttl_s = 60;
	w->cfg.database_url = (char *)"postgresql:///pitwall?host=/nonexistent-pitwall-unit&port=1";
	w->cfg.db_connect_timeout_s = 1;
	*state = w;
	return 0;
}

static int
teardown(void **state)
{
	struct world *w = *state;

	db_free(w->db);
	redis_free(w->r);
	redis_fixture_stop(&w->fx);
	free(w);
	return 0;
}

static void
rset(struct world *w, const char *key, const char *val)
{
	redisReply *rep = redis_fixture_cmd(&w->fx, "SET %s %s", key, val);

	assert_non_null(rep);
	assert_int_not_equal(rep->type, REDIS_REPLY_ERROR);
	freeReplyObject(rep);
}

static int
rexists(struct world *w, const char *key)
{
	redisReply *rep = redis_fixture_cmd(&w->fx, "EXISTS %s", key);
	int n;

	assert_non_null(rep);
	n = (int)rep->integer;
	freeReplyObject(rep);
	return n;
}

static void
test_question_from_cache(void **state)
{
	struct world *w = *state;
	struct cache_question *q = NULL;
	const struct cache_testcase *t;

	rset(w, "pitwall:q:7", "{\"id\":7,\"round_id\":3,\"slug\":\"sum\",\"title\":\"Sum\","
	    "\"points\":100,\"time_limit_ms\":1500,\"memory_limit_kb\":65536,"
	    "\"checker\":\"exact\",\"starts_at\":1700000000,\"ends_at\":1700003600,"
	    "\"tests\":[{\"id\":70,\"ordinal\":1,\"name\":\"sample\",\"input\":\"1 2\\n\","
	    "\"expected\":\"3\\n\",\"sample\":1,\"points\":0},"
	    "{\"id\":71,\"ordinal\":2,\"name\":\"nul\",\"input\":\"a\\u0000b\","
	    "\"expected\":\"\",\"sample\":0,\"points\":100}]}");
	assert_int_equal(cache_question_get(w->r, &w->db, &w->cfg, 7, &q), CACHE_OK);
	assert_non_null(q);
	assert_int_equal(q->id, 7);
	assert_int_equal(q->round_id, 3);
	assert_string_equal(q->slug, "sum");
	assert_string_equal(q->title, "Sum");
	assert_string_equal(q->checker, "exact");
	assert_int_equal(q->points, 100);
	assert_int_equal(q->time_limit_ms, 1500);
	assert_int_equal(q->memory_limit_kb, 65536);
	assert_int_equal(q->starts_at, 1700000000);
	assert_int_equal(q->ends_at, 1700003600);
	assert_int_equal(q->ntests, 2);
	t = &q->tests[0];
	assert_int_equal(t->id, 70);
	assert_int_equal(t->ordinal, 1);
	assert_string_equal(t->name, "sample");
	assert_string_equal(t->input, "1 2\n");
	assert_int_equal(t->input_len, 4);
	assert_string_equal(t->expected, "3\n");
	assert_int_equal(t->expected_len, 2);
	assert_int_equal(t->is_sample, 1);
	assert_int_equal(t->points, 0);
	/* Inputs are binary-safe: the length counts past a NUL byte. */
	t = &q->tests[1];
	assert_int_equal(t->input_len, 3);
	assert_memory_equal(t->input, "a\0b", 4);
	assert_int_equal(t->expected_len, 0);
	assert_int_equal(t->is_sample, 0);
	assert_int_equal(t->points, 100);
	/* Served from Redis: the database was never needed. */
	assert_null(w->db);
	cache_question_free(q);
	cache_question_free(NULL);
}

static void
test_question_missing_fields_are_empty(void **state)
{
	struct world *w = *state;
	struct cache_question *q = NULL;

	rset(w, "pitwall:q:8", "{\"id\":8,\"tests\":[{\"id\":80}]}");
	assert_int_equal(cache_question_get(w->r, &w->db, &w->cfg, 8, &q), CACHE_OK);
	assert_string_equal(q->slug, "");
	assert_string_equal(q->checker, "");
	assert_int_equal(q->time_limit_ms, 0);
	assert_int_equal(q->tests[0].id, 80);
	assert_string_equal(q->tests[0].input, "");
	assert_int_equal(q->tests[0].input_len, 0);
	/* An entry of an older version: no validator, the native rule. */
	assert_string_equal(q->validator, "");
	assert_int_equal(q->nvfiles, 0);
	cache_question_free(q);
}

/* A custom validator's sources travel with the question (dispatch.c). */
static void
test_question_validator(void **state)
{
	struct world *w = *state;
	struct cache_question *q = NULL;

	rset(w, "pitwall:q:13", "{\"id\":13,\"tests\":[],\"validator\":\"custom\","
	    "\"validator_flags\":\"case_sensitive\",\"validator_lang\":54,"
	    "\"validator_digest\":\"ab\",\"validator_files\":[{\"path\":"
	    "\"output_validators/v/v.cpp\",\"content\":\"aW50\\n\"},{\"path\":\"v.h\","
	    "\"content\":\"\"}]}");
	assert_int_equal(cache_question_get(w->r, &w->db, &w->cfg, 13, &q), CACHE_OK);
	assert_string_equal(q->validator, "custom");
	assert_string_equal(q->validator_flags, "case_sensitive");
	assert_int_equal(q->validator_lang, 54);
	assert_string_equal(q->validator_digest, "ab");
	assert_int_equal(q->nvfiles, 2);
	assert_string_equal(q->vfiles[0].path, "output_validators/v/v.cpp");
	assert_string_equal(q->vfiles[0].content_b64, "aW50\n");
	assert_string_equal(q->vfiles[1].content_b64, "");
	/* Fields of the wrong type read as "" (jstr), like the others. */
	rset(w, "pitwall:q:14", "{\"id\":14,\"tests\":[],\"validator\":\"custom\","
	    "\"validator_files\":[{\"path\":1}]}");
	cache_question_free(q);
	q = NULL;
	assert_int_equal(cache_question_get(w->r, &w->db, &w->cfg, 14, &q),
	    CACHE_OK);
	assert_string_equal(q->vfiles[0].path, "");
	cache_question_free(q);
}

static void
test_question_negative_and_bad_entries(void **state)
{
	struct world *w = *state;
	struct cache_question *q = NULL;

	/* The negative entry: not found, without asking the database. */
	rset(w, "pitwall:q:9", "none");
	assert_int_equal(cache_question_get(w->r, &w->db, &w->cfg, 9, &q), CACHE_NOT_FOUND);
	assert_null(q);
	assert_null(w->db);
	/* Valid JSON without a tests array: malformed, not a question. */
	rset(w, "pitwall:q:10", "{\"id\":10,\"tests\":{}}");
	assert_int_equal(cache_question_get(w->r, &w->db, &w->cfg, 10, &q), CACHE_UNAVAILABLE);
	assert_null(q);
	/* Not JSON, and no entry at all: PostgreSQL is asked, and is down. */
	rset(w, "pitwall:q:11", "{\"id\":11,");
	assert_int_equal(cache_question_get(w->r, &w->db, &w->cfg, 11, &q), CACHE_UNAVAILABLE);
	assert_int_equal(cache_question_get(w->r, &w->db, &w->cfg, 12, &q), CACHE_UNAVAILABLE);
	assert_null(q);
	/* Nothing was cached for what could not be loaded. */
	assert_int_equal(rexists(w, "pitwall:q:12"), 0);
}

static void
test_languages_from_cache(void **state)
{
	struct world *w = *state;
	struct cache_language l, *ls = NULL;
	char json[512], name[160];
	size_t n = 0, i;

	/* A name of 70 two-byte characters: cut to whole characters. */
	for (i = 0; i < 70; i++)
		memcpy(name + 2 * i, "\xc3\xa9", 2);
	name[140] = '\0';
	snprintf(json, sizeof(json), "[{\"id\":50,\"name\":\"C (GCC 12)\",\"mult\":1.0,"
	    "\"enabled\":true},{\"id\":71,\"name\":\"Python\",\"mult\":2.5,"
	    "\"enabled\":false},{\"id\":72,\"name\":\"%s\"}]", name);
	rset(w, KEY_LANGUAGES, json);
	memset(&l, 0x55, sizeof(l));
	assert_int_equal(cache_language_get(w->r, &w->db, &w->cfg, 71, &l), CACHE_OK);
	assert_int_equal(l.id, 71);
	assert_string_equal(l.name, "Python");
	assert_true(l.time_multiplier == 2.5);
	assert_int_equal(l.enabled, 0);
	assert_int_equal(cache_language_get(w->r, &w->db, &w->cfg, 50, &l), CACHE_OK);
	assert_string_equal(l.name, "C (GCC 12)");
	assert_int_equal(l.enabled, 1);
	assert_int_equal(cache_language_get(w->r, &w->db, &w->cfg, 72, &l), CACHE_OK);
	assert_int_equal(strlen(l.name), 62);	/* 31 characters fit in 63 bytes */
	assert_memory_equal(l.name, name, 62);
	assert_true(l.time_multiplier == 1.0);	/* no multiplier: 1 */
	assert_int_equal(l.enabled, 0);
	assert_int_equal(cache_language_get(w->r, &w->db, &w->cfg, 43, &l), CACHE_NOT_FOUND);
	assert_int_equal(cache_languages_get(w->r, &w->db, &w->cfg, &ls, &n), 0);
	assert_int_equal(n, 3);
	assert_int_equal(ls[0].id, 50);
	assert_int_equal(ls[1].id, 71);
	assert_int_equal(ls[2].id, 72);
	free(ls);
	assert_null(w->db);
	/* Not an array: reloaded, and the database is down. */
	rset(w, KEY_LANGUAGES, "{\"id\":50}");
	assert_int_equal(cache_language_get(w->r, &w->db, &w->cfg, 50, &l), CACHE_UNAVAILABLE);
	assert_int_equal(cache_languages_get(w->r, &w->db, &w->cfg, &ls, &n), -1);
	assert_null(ls);
	assert_int_equal(n, 0);
}

static void
test_rounds_from_cache(void **state)
{
	struct world *w = *state;
	struct cache_round *rs = NULL;
	size_t n = 0;

	rset(w, KEY_ROUNDS, "[[1000,2000,1,\"warmup\",\"Warm-up\",\"icpc\",1800],"
	    "[0,0,2,\"draft\",\"Draft\",\"proportional\",0],"
	    "[3000,4000,3,\"final\",\"The final\",\"ioi\",0]]");
	assert_int_equal(cache_rounds_get(w->r, &w->db, &w->cfg, &rs, &n), 0);
	assert_int_equal(n, 3);
	assert_int_equal(rs[0].id, 1);
	assert_int_equal(rs[0].starts_at, 1000);
	assert_int_equal(rs[0].ends_at, 2000);
	assert_string_equal(rs[0].slug, "warmup");
	assert_string_equal(rs[0].name, "Warm-up");
	assert_string_equal(rs[0].scoring, "icpc");
	assert_int_equal(rs[0].freeze_at, 1800);
	assert_int_equal(rs[1].starts_at, 0);
	assert_int_equal(rs[1].freeze_at, 0);
	assert_string_equal(rs[2].name, "The final");
	free(rs);
	assert_int_equal(cache_round_open(w->r, &w->db, &w->cfg, 1500), 1);
	assert_int_equal(cache_round_open(w->r, &w->db, &w->cfg, 2000), 0);
	assert_int_equal(cache_round_open(w->r, &w->db, &w->cfg, 3999), 1);
	assert_null(w->db);
	/* An empty list is a valid entry: no round. */
	rset(w, KEY_ROUNDS, "[]");
	assert_int_equal(cache_rounds_get(w->r, &w->db, &w->cfg, &rs, &n), 0);
	assert_int_equal(n, 0);
	free(rs);
	assert_int_equal(cache_round_open(w->r, &w->db, &w->cfg, 1500), 0);
	/* An entry of an older format (two or five columns) is reloaded
	 * (database down). */
	rset(w, KEY_ROUNDS, "[[1000,2000,1,\"warmup\",\"Warm-up\"]]");
	assert_int_equal(cache_rounds_get(w->r, &w->db, &w->cfg, &rs, &n), -1);
	rset(w, KEY_ROUNDS, "[[1000,2000]]");
	assert_int_equal(cache_rounds_get(w->r, &w->db, &w->cfg, &rs, &n), -1);
	assert_null(rs);
	assert_int_equal(cache_round_open(w->r, &w->db, &w->cfg, 1500), -1);
}

/*
 * Entries carry the time they were filled ("@<time> <json>") and never
 * expire: a fresh one is served without the database, a stale one is
 * refreshed, and while PostgreSQL is down (here: always) the last good
 * copy is served instead of failing (DESIGN §2, the question cache once
 * expired after CACHE_TTL and /submit failed with it).
 */
static void
test_stale_entries_served_while_database_down(void **state)
{
	struct world *w = *state;
	struct cache_question *q = NULL;
	struct cache_language l;
	struct cache_round *rs = NULL;
	size_t n = 0;
	char buf[512];
	long long now = (long long)time(NULL);
	const char *qjson = "{\"id\":21,\"round_id\":3,\"slug\":\"s\",\"title\":\"T\","
	    "\"points\":100,\"tests\":[]}";

	snprintf(buf, sizeof(buf), "@%lld %s", now, qjson);
	rset(w, "pitwall:q:21", buf);
	assert_int_equal(cache_question_get(w->r, &w->db, &w->cfg, 21, &q), CACHE_OK);
	assert_string_equal(q->slug, "s");
	cache_question_free(q);
	assert_null(w->db);	/* fresh: the database was not asked */

	snprintf(buf, sizeof(buf), "@%lld %s", now - 61, qjson);
	rset(w, "pitwall:q:21", buf);
	q = NULL;
	assert_int_equal(cache_question_get(w->r, &w->db, &w->cfg, 21, &q), CACHE_OK);
	assert_non_null(q);
	assert_string_equal(q->title, "T");
	cache_question_free(q);
	assert_non_null(w->db);	/* stale: a refresh was tried, and failed */
	assert_int_equal(rexists(w, "pitwall:q:21"), 1);	/* still kept */

	snprintf(buf, sizeof(buf), "@%lld [{\"id\":71,\"name\":\"Python\",\"enabled\":true}]",
	    now - 3600);
	rset(w, KEY_LANGUAGES, buf);
	assert_int_equal(cache_language_get(w->r, &w->db, &w->cfg, 71, &l), CACHE_OK);
	assert_int_equal(l.enabled, 1);

	snprintf(buf, sizeof(buf), "@%lld [[1000,2000,1,\"r1\",\"Round 1\",\"icpc\",0]]",
	    now - 3600);
	rset(w, KEY_ROUNDS, buf);
	assert_int_equal(cache_rounds_get(w->r, &w->db, &w->cfg, &rs, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(rs[0].slug, "r1");
	free(rs);
	/* A stale entry of the older round format is still not used. */
	snprintf(buf, sizeof(buf), "@%lld [[1000,2000]]", now - 3600);
	rset(w, KEY_ROUNDS, buf);
	assert_int_equal(cache_rounds_get(w->r, &w->db, &w->cfg, &rs, &n), -1);

	/* A broken time prefix is no entry. */
	rset(w, "pitwall:q:22", "@x {\"id\":22,\"tests\":[]}");
	assert_int_equal(cache_question_get(w->r, &w->db, &w->cfg, 22, &q), CACHE_UNAVAILABLE);
	rset(w, "pitwall:q:22", "@123{\"id\":22,\"tests\":[]}");
	assert_int_equal(cache_question_get(w->r, &w->db, &w->cfg, 22, &q), CACHE_UNAVAILABLE);
	assert_null(q);
}

static void
test_round_current(void **state)
{
	const struct cache_round rs[] = {
		{ .id = 1, .starts_at = 100, .ends_at = 500 },
		{ .id = 2, .starts_at = 200, .ends_at = 300 },
		{ .id = 3, .starts_at = 0, .ends_at = 0 },	/* not scheduled */
		{ .id = 4, .starts_at = 900, .ends_at = 1000 },
		{ .id = 5, .starts_at = 700, .ends_at = 800 },
	};
	const size_t n = sizeof(rs) / sizeof(rs[0]);

	(void)state;
	assert_null(cache_round_current(rs, n, 50, 0));
	assert_int_equal(cache_round_current(rs, n, 50, 1)->id, 1);
	assert_int_equal(cache_round_current(rs, n, 100, 0)->id, 1);	/* start included */
	/* Several open: the one that ends first. */
	assert_int_equal(cache_round_current(rs, n, 250, 0)->id, 2);
	assert_int_equal(cache_round_current(rs, n, 300, 0)->id, 1);	/* end excluded */
	/* None open: the next to start, only when asked for. */
	assert_null(cache_round_current(rs, n, 600, 0));
	assert_int_equal(cache_round_current(rs, n, 600, 1)->id, 5);
	assert_int_equal(cache_round_current(rs, n, 850, 1)->id, 4);
	assert_null(cache_round_current(rs, n, 1000, 1));
	assert_null(cache_round_current(rs, 0, 250, 1));
}

static void
test_invalidate(void **state)
{
	struct world *w = *state;
	char key[32];
	int i;

	for (i = 1; i <= 1500; i++) {	/* more than one SCAN page */
		snprintf(key, sizeof(key), KEY_QUESTION_FMT, (long long)i);
		rset(w, key, "{}");
	}
	rset(w, KEY_ROUND_QUESTIONS, "x");
	rset(w, KEY_ROUNDS, "[]");
	rset(w, KEY_LANGUAGES, "[]");
	rset(w, "pitwall:qx", "kept");
	/* One question: it and the contestant lists, nothing else. */
	assert_int_equal(cache_invalidate_question(w->r, 2), 0);
	assert_int_equal(rexists(w, "pitwall:q:2"), 0);
	assert_int_equal(rexists(w, KEY_ROUND_QUESTIONS), 0);
	assert_int_equal(rexists(w, "pitwall:q:1"), 1);
	assert_int_equal(rexists(w, KEY_ROUNDS), 1);
	/* Every question, and the rounds. */
	rset(w, KEY_ROUND_QUESTIONS, "x");
	assert_int_equal(cache_invalidate_question(w->r, 0), 0);
	for (i = 1; i <= 1500; i++) {
		snprintf(key, sizeof(key), KEY_QUESTION_FMT, (long long)i);
		assert_int_equal(rexists(w, key), 0);
	}
	assert_int_equal(rexists(w, KEY_ROUND_QUESTIONS), 0);
	assert_int_equal(rexists(w, KEY_ROUNDS), 0);
	assert_int_equal(rexists(w, KEY_LANGUAGES), 1);
	assert_int_equal(rexists(w, "pitwall:qx"), 1);
	assert_int_equal(cache_invalidate_languages(w->r), 0);
	assert_int_equal(rexists(w, KEY_LANGUAGES), 0);
	/* Redis gone: reported. */
	redis_fixture_stop(&w->fx);
	assert_int_equal(cache_invalidate_question(w->r, 0), -1);
	assert_int_equal(cache_invalidate_languages(w->r), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_question_from_cache, setup, teardown),
		cmocka_unit_test_setup_teardown(test_question_validator, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_question_missing_fields_are_empty, setup, teardown),
		cmocka_unit_test_setup_teardown(test_question_negative_and_bad_entries, setup, teardown),
		cmocka_unit_test_setup_teardown(test_languages_from_cache, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rounds_from_cache, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stale_entries_served_while_database_down,
		    setup, teardown),
		cmocka_unit_test(test_round_current),
		cmocka_unit_test_setup_teardown(test_invalidate, setup, teardown),
	};

	/* As in the programs: a write to a Redis that went away is an
	 * error return, not a signal. */
	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests_name("cache", tests, NULL, NULL);
}
