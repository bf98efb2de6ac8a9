/*
 * Unit tests of lib/redis.c and lib/redis_acl.c against a real (throwaway)
 * Redis: each role's ACL rules loaded into it, a client AUTHing as its
 * role (its password file, refused when others can read it) and refused
 * another role's keys; a READONLY reply dropping the connection so the
 * next command reconnects; the acknowledgement rule (WAIT) off with no
 * replica wanted and failing when a replica is wanted and none is there.
 */
#include <sys/stat.h>

#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"
#include "keys.h"
#include "redis.h"
#include "redis_acl.h"

#include "redis_fixture.h"

struct world {
	struct redis_fixture	 fx;
	struct config		 cfg;
	struct redis		*r;
	char			 pwdir[64];
};

static int
setup(void **state)
{
	struct world *w = calloc(1, sizeof(*w));

	if (w == NULL || redis_fixture_start_client(&w->fx, &w->cfg, &w->r) == -1) {
		free(w);
		return -1;
	}
	snprintf(w->pwdir, sizeof(w->pwdir), "/tmp/pitwall-unit-pw.XXXXXX");
	if (mkdtemp(w->pwdir) == NULL) {
		redis_free(w->r);
		redis_fixture_stop(&w->fx);
		free(w);
		return -1;
	}
	*state = w;
	return 0;
}

static int
teardown(void **state)
{
	struct world *w = *state;
	char path[128];
	size_t i;

	for (i = 0; i < redis_nacls; i++) {
		snprintf(path, sizeof(path), "%s/redis-%s.key", w->pwdir,
		    redis_acls[i].role);
		(void)unlink(path);
	}
	(void)rmdir(w->pwdir);
	redis_free(w->r);
	redis_fixture_stop(&w->fx);
	free(w);
	return 0;
}

static const struct redis_acl *
acl_of(const char *role)
{
	size_t i;

	for (i = 0; i < redis_nacls; i++)
		if (strcmp(redis_acls[i].role, role) == 0)
			return &redis_acls[i];
	return NULL;
}

/* The table: the four roles, each starting from nothing (-@all). */
static void
test_acl_table(void **state)
{
	static const char *const never[] = { "+@all", "+config", "+flushall",
	    "+flushdb", "+keys ", "+acl", "+shutdown", "+debug", "+monitor",
	    "+replicaof", "+slaveof", "+subscribe", "+publish", "+client",
	    "+script", "+save", "+migrate", "allkeys", "allchannels", "~*" };
	const char *roles[] = { REDIS_ROLE_RESPONDER, REDIS_ROLE_WORKER,
	    REDIS_ROLE_JUDGE, REDIS_ROLE_ADMIN };
	size_t i, j;

	(void)state;
	assert_int_equal(redis_nacls, 4);
	for (i = 0; i < 4; i++) {
		const struct redis_acl *a = acl_of(roles[i]);

		assert_non_null(a);
		for (j = 0; j < sizeof(never) / sizeof(never[0]); j++) {
			assert_null(strstr(a->commands, never[j]));
			assert_null(strstr(a->keys, never[j]));
		}
		/* The judge's keys are the judge's alone, and the reverse: other
		 * roles may only read some (%R~, /metrics and /workers list the
		 * judge hosts), never write one. */
		if (strcmp(roles[i], REDIS_ROLE_JUDGE) == 0)
			assert_string_equal(a->keys, "~" JKEY_ALL_MATCH);
		else {
			const char *k = a->keys;

			while ((k = strstr(k, "judge:")) != NULL) {
				assert_true(k - a->keys >= 3);
				assert_memory_equal(k - 3, "%R~", 3);
				k++;
			}
		}
	}
	assert_non_null(strstr(acl_of(REDIS_ROLE_RESPONDER)->commands, "+wait"));
	assert_null(strstr(acl_of(REDIS_ROLE_WORKER)->keys, KEY_RL_PREFIX));
}

/* ACL SETUSER pitwall-<role> on >pw-<role> <its rules>; its password file. */
static void
load_role(struct world *w, const struct redis_acl *a, mode_t mode)
{
	char rules[2048], user[64], pass[64], path[128], *tok, *save = NULL;
	const char *argv[128];
	redisReply *rep;
	int argc = 0, fd;

	snprintf(user, sizeof(user), "pitwall-%s", a->role);
	snprintf(pass, sizeof(pass), ">pw-%s-0123456789", a->role);
	argv[argc++] = "ACL";
	argv[argc++] = "SETUSER";
	argv[argc++] = user;
	argv[argc++] = "on";
	argv[argc++] = pass;
	argv[argc++] = "resetkeys";
	snprintf(rules, sizeof(rules), "%s -@all %s", a->keys, a->commands);
	for (tok = strtok_r(rules, " ", &save); tok != NULL && argc < 128;
	    tok = strtok_r(NULL, " ", &save))
		argv[argc++] = tok;
	rep = redisCommandArgv(w->fx.c, argc, argv, NULL);
	assert_non_null(rep);
	if (rep->type == REDIS_REPLY_ERROR)
		fail_msg("ACL SETUSER %s: %s", user, rep->str);
	freeReplyObject(rep);
	snprintf(path, sizeof(path), "%s/redis-%s.key", w->pwdir, a->role);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, pass + 1, strlen(pass + 1)), (ssize_t)strlen(pass + 1));
	assert_int_equal(write(fd, "\n", 1), 1);
	close(fd);
	assert_int_equal(chmod(path, mode), 0);
}

/* The role's client runs CMD on KEY: 1 done, 0 refused with NOPERM. */
static int
runs(struct redis *r, const char *cmd, const char *key)
{
	redisReply *rep = redis_cmd(r, "%s %s", cmd, key);
	int ok;

	assert_non_null(rep);
	if (rep->type == REDIS_REPLY_ERROR)
		assert_non_null(strstr(rep->str, "NOPERM"));
	ok = rep->type != REDIS_REPLY_ERROR;
	freeReplyObject(rep);
	return ok;
}

static struct redis *
client_as(struct world *w, const char *role)
{
	struct config cfg = w->cfg;

	cfg.redis_password_dir = w->pwdir;
	return redis_new(&cfg, role);
}

static void
test_roles_auth_and_keys(void **state)
{
	struct world *w = *state;
	struct redis *resp, *judge, *worker;
	redisReply *rep;
	size_t i;

	for (i = 0; i < redis_nacls; i++)
		load_role(w, &redis_acls[i], 0600);
	rep = redis_fixture_cmd(&w->fx, "ACL SETUSER default off");
	freeReplyObject(rep);

	resp = client_as(w, REDIS_ROLE_RESPONDER);
	judge = client_as(w, REDIS_ROLE_JUDGE);
	worker = client_as(w, REDIS_ROLE_WORKER);
	assert_non_null(resp);
	assert_non_null(judge);
	assert_non_null(worker);
	assert_int_equal(redis_ping(resp), 0);
	assert_int_equal(redis_ping(judge), 0);

	assert_true(runs(resp, "LLEN", KEY_QUEUE));
	assert_false(runs(resp, "LLEN", JKEY_QUEUE));
	assert_true(runs(resp, "LLEN", KEY_DEAD));		/* read for /metrics */
	assert_false(runs(resp, "DEL", KEY_DEAD));		/* never written */
	assert_true(runs(judge, "LLEN", JKEY_QUEUE));
	assert_false(runs(judge, "LLEN", KEY_QUEUE));
	assert_false(runs(judge, "HGETALL", KEY_SUB_PREFIX "x"));
	assert_true(runs(worker, "DEL", KEY_DEAD));
	assert_false(runs(worker, "INCR", KEY_RL_PREFIX "submit:1:1"));
	assert_false(runs(worker, "FLUSHALL", ""));
	redis_free(resp);
	redis_free(judge);
	redis_free(worker);

	/* A client without its role's password does not get in. */
	{
		struct config cfg = w->cfg;
		struct redis *anon = redis_new(&cfg, REDIS_ROLE_ADMIN);

		assert_non_null(anon);
		assert_int_equal(redis_ping(anon), -1);
		redis_free(anon);
	}
	rep = redis_fixture_cmd(&w->fx, "ACL SETUSER default on");
	freeReplyObject(rep);
}

static void
test_readable_password_file_refused(void **state)
{
	struct world *w = *state;

	load_role(w, acl_of(REDIS_ROLE_ADMIN), 0640);
	assert_null(client_as(w, REDIS_ROLE_ADMIN));
	assert_null(client_as(w, "no-such-role"));
}

static long long
client_id(struct redis *r)
{
	redisReply *rep = redis_cmd(r, "CLIENT ID");
	long long id;

	assert_non_null(rep);
	assert_int_equal(rep->type, REDIS_REPLY_INTEGER);
	id = rep->integer;
	freeReplyObject(rep);
	return id;
}

/* A server turned replica answers READONLY: the client reconnects. */
static void
test_readonly_drops_the_connection(void **state)
{
	struct world *w = *state;
	redisReply *rep;
	long long id;

	id = client_id(w->r);
	rep = redis_fixture_cmd(&w->fx, "REPLICAOF 127.0.0.1 1");
	freeReplyObject(rep);
	/* The server may drop its clients as it turns replica. */
	rep = redis_cmd(w->r, "SET pitwall:unit 1");
	if (rep == NULL)
		rep = redis_cmd(w->r, "SET pitwall:unit 1");
	assert_non_null(rep);
	assert_int_equal(rep->type, REDIS_REPLY_ERROR);
	assert_memory_equal(rep->str, "READONLY", 8);
	freeReplyObject(rep);
	rep = redis_cmd_idem(w->r, "SET pitwall:unit 1");
	assert_non_null(rep);
	assert_memory_equal(rep->str, "READONLY", 8);
	freeReplyObject(rep);
	rep = redis_fixture_cmd(&w->fx, "REPLICAOF NO ONE");
	freeReplyObject(rep);
	rep = redis_cmd(w->r, "SET pitwall:unit 1");
	assert_non_null(rep);
	assert_int_equal(rep->type, REDIS_REPLY_STATUS);
	freeReplyObject(rep);
	assert_true(client_id(w->r) != id);
}

/* The server closes an idle connection (as a Redis that restarted has):
 * the next command gets a new one and succeeds, not an error (every idle
 * connection of a pool failed once after a restart). */
static void
test_closed_idle_connection_reconnects(void **state)
{
	struct world *w = *state;
	redisReply *rep;
	long long id;
	int i;

	/* As the programs do: a write to the closed socket is an error. */
	signal(SIGPIPE, SIG_IGN);
	id = client_id(w->r);
	rep = redis_fixture_cmd(&w->fx, "CLIENT KILL ID %lld", id);
	assert_non_null(rep);
	assert_int_equal(rep->type, REDIS_REPLY_INTEGER);
	assert_int_equal(rep->integer, 1);
	freeReplyObject(rep);
	/* The close reaches our end of the socket at once on a unix socket;
	 * a few tries only for a slow machine, each a fresh failure. */
	for (i = 0; i < 50; i++) {
		struct timespec ts = { 0, 2000000 };

		rep = redis_fixture_cmd(&w->fx, "CLIENT LIST ID %lld", id);
		if (rep != NULL && rep->type == REDIS_REPLY_STRING &&
		    rep->len == 0) {
			freeReplyObject(rep);
			break;
		}
		freeReplyObject(rep);
		nanosleep(&ts, NULL);
	}
	rep = redis_cmd(w->r, "SET pitwall:unit 2");
	assert_non_null(rep);
	assert_int_equal(rep->type, REDIS_REPLY_STATUS);
	freeReplyObject(rep);
	assert_true(client_id(w->r) != id);
}

/* The acknowledgement rule: no replica wanted, no wait; one wanted, none
 * there: not acknowledged. */
static void
test_wait_rule(void **state)
{
	struct world *w = *state;
	struct config cfg = w->cfg;
	struct redis *r;

	assert_int_equal(redis_ping(w->r), 0);
	assert_int_equal(redis_replicated(w->r, NULL), 0);
	cfg.redis_wait_replicas = 1;
	cfg.redis_wait_timeout_ms = 50;
	assert_non_null(r = redis_new(&cfg, REDIS_ROLE_RESPONDER));
	assert_int_equal(redis_ping(r), 0);
	assert_int_equal(redis_replicated(r, NULL), -1);
	redis_broken(r);
	assert_int_equal(redis_replicated(r, NULL), -1);	/* no connection: no proof */
	redis_free(r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_acl_table),
		cmocka_unit_test_setup_teardown(test_roles_auth_and_keys, setup, teardown),
		cmocka_unit_test_setup_teardown(test_readable_password_file_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_readonly_drops_the_connection, setup, teardown),
		cmocka_unit_test_setup_teardown(test_closed_idle_connection_reconnects, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wait_rule, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
