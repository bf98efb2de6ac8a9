/*
 * pitwall-admin: the operator's command line.  Talks to PostgreSQL
 * directly and refreshes the Redis caches.  Exit status: 0 done, 1 failed,
 * 64 bad command line, 78 bad configuration.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache.h"
#include "config.h"
#include "db.h"
#include "extern.h"
#include "judge0.h"
#include "log.h"
#include "redis.h"
#include "redis_acl.h"

static void
usage_to(FILE *fp)
{
	fprintf(fp,
	    "usage: pitwall-admin COMMAND ...\n"
	    "  user add --email E --name N --password P|- [--role contestant|admin]\n"
	    "  user import FILE.csv          rows: email,name,password[,role]\n"
	    "  user ban|unban --email E\n"
	    "  user role --email E --role contestant|admin\n"
	    "  user list\n"
	    "  team add --name N [--org ORGANIZATION]\n"
	    "  team list | members TEAM | delete TEAM      TEAM: id or name\n"
	    "  team assign|remove --team TEAM --email E\n"
	    "  team import FILE.csv          rows: team,organization,email[,email...]\n"
	    "  token --email E [--ttl SECONDS]\n"
	    "  import DIR                    problem package (docs/packages.md)\n"
	    "  import-problem PATH --round SLUG [--slug SLUG] [--points N]\n"
	    "      [--time-limit SECONDS] [--max-size BYTES]\n"
	    "                                an ICPC/Kattis package (dir, .zip, .kpp)\n"
	    "  verify PATH [--store] [--slug SLUG] [--time-limit SECONDS]\n"
	    "                                judge the package's submissions/, compute\n"
	    "                                its time limit (--store: keep it)\n"
	    "  export DIR                    DIR must be new or empty\n"
	    "  export-problem SLUG DIR       one question as an ICPC/Kattis package\n"
	    "  round open SLUG [--for MINUTES]\n"
	    "  round close SLUG\n"
	    "  round list\n"
	    "  round set SLUG [--scoring proportional|icpc|ioi] [--penalty MINUTES]\n"
	    "            [--freeze-at TIME|none] [--teams on|off]\n"
	    "  round unfreeze SLUG\n"
	    "  language list\n"
	    "  language enable|disable ID    a Judge0 language id\n"
	    "  language sync                 names from the judge's GET /languages\n"
	    "  leaderboard rebuild\n"
	    "  events prune [--older-than MINUTES]\n"
	    "                                drop Contest API events a later one of\n"
	    "                                the same object replaces (default 60)\n"
	    "  config markdown|example|check|redis-acl\n"
	    "Settings come from the environment (see `config example`);\n"
	    "--password - reads the password from the first line of stdin.\n"
	    "Exit status: 0 done, 1 failed, 64 usage, 78 configuration.\n");
}

void
usage(void)
{
	usage_to(stderr);
}

void
actx_config(struct actx *a, unsigned need)
{
	const char *lvl;

	if (a->cfg_loaded)
		return;
	config_load_or_exit(&a->cfg, need, "pitwall-admin");
	a->cfg_loaded = 1;
	/* A command line talks to the operator: library chatter below
	 * warnings (reconnects and the like) only with debug. */
	lvl = strcmp(a->cfg.log_level, "debug") == 0 ? "debug" : "warn";
	if (log_init("pitwall-admin", lvl, a->cfg.log_format, NULL) == -1)
		fprintf(stderr, "pitwall-admin: cannot set up logging\n");
}

struct db *
actx_db(struct actx *a)
{
	if (a->db == NULL)
		a->db = db_new(a->cfg.database_url, a->cfg.db_connect_timeout_s);
	if (a->db == NULL || db_ensure(a->db) == -1) {
		fprintf(stderr, "pitwall-admin: cannot connect to PostgreSQL "
		    "(DATABASE_URL)\n");
		return NULL;
	}
	return a->db;
}

struct redis *
actx_redis(struct actx *a)
{
	if (a->redis == NULL)
		a->redis = redis_new(&a->cfg, REDIS_ROLE_ADMIN);
	if (a->redis == NULL || redis_ensure(a->redis) == -1) {
		fprintf(stderr, "pitwall-admin: cannot connect to Redis "
		    "(REDIS_SOCKET / REDIS_HOST)\n");
		return NULL;
	}
	return a->redis;
}

struct judge0 *
actx_judge0(struct actx *a)
{
	if (a->j0 == NULL && (a->j0 = judge0_new(&a->cfg)) == NULL)
		fprintf(stderr, "pitwall-admin: cannot set up the Judge0 client "
		    "(JUDGE0_URL)\n");
	return a->j0;
}

/*
 * The responders cache questions (with their round's window) and the
 * language table; after any change to those, drop the caches so the next
 * request reloads from PostgreSQL instead of waiting for CACHE_TTL.
 */
int
actx_caches_drop(struct actx *a)
{
	struct redis *r;

	if ((r = actx_redis(a)) == NULL ||
	    cache_invalidate_question(r, 0) == -1 ||
	    cache_invalidate_languages(r) == -1) {
		fprintf(stderr, "pitwall-admin: warning: the database changed but "
		    "the Redis caches could not be dropped; they expire after "
		    "CACHE_TTL seconds\n");
		return -1;
	}
	return 0;
}

int
opts_parse(int argc, char *argv[], const struct opt *opts, size_t nopts,
    char *pos[], int maxpos, int *npos)
{
	const char *name, *eq, *val;
	size_t i, nlen;
	int k;

	*npos = 0;
	for (k = 0; k < argc; k++) {
		if (strncmp(argv[k], "--", 2) != 0 || argv[k][2] == '\0') {
			if (*npos >= maxpos) {
				fprintf(stderr, "pitwall-admin: unexpected "
				    "argument '%s'\n", argv[k]);
				return -1;
			}
			pos[(*npos)++] = argv[k];
			continue;
		}
		name = argv[k] + 2;
		eq = strchr(name, '=');
		nlen = eq ? (size_t)(eq - name) : strlen(name);
		for (i = 0; i < nopts; i++)
			if (strlen(opts[i].name) == nlen &&
			    strncmp(opts[i].name, name, nlen) == 0)
				break;
		if (i == nopts) {
			fprintf(stderr, "pitwall-admin: unknown option "
			    "'--%.*s'\n", (int)nlen, name);
			return -1;
		}
		if (opts[i].flag != NULL) {
			if (eq != NULL) {
				fprintf(stderr, "pitwall-admin: --%s takes no "
				    "value\n", opts[i].name);
				return -1;
			}
			*opts[i].flag = 1;
			continue;
		}
		if (eq != NULL)
			val = eq + 1;
		else if (k + 1 < argc)
			val = argv[++k];
		else {
			fprintf(stderr, "pitwall-admin: --%s needs a value\n",
			    opts[i].name);
			return -1;
		}
		*opts[i].val = val;
	}
	return 0;
}

int
arg_int(const char *s, long long min, long long max, long long *out)
{
	char *end;
	long long n;

	if (s == NULL || *s == '\0' || (*s != '-' && (*s < '0' || *s > '9')))
		return -1;
	errno = 0;
	n = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || n < min || n > max)
		return -1;
	*out = n;
	return 0;
}

static int
cmd_config(struct actx *a, int argc, char *argv[])
{
	/* config callback-bytes: the callback body limit in force, for nginx. */
	if (argc == 1 && strcmp(argv[0], "callback-bytes") == 0) {
		actx_config(a, 0);
		printf("%d\n", a->cfg.max_callback_bytes);
		return ADMIN_OK;
	}
	if (argc != 1) {
		usage();
		return ADMIN_USAGE;
	}
	/* config redis-acl: each role's Redis ACL rules, for scripts/stack. */
	if (strcmp(argv[0], "redis-acl") == 0) {
		redis_acl_print(stdout);
		return ADMIN_OK;
	}
	if (strcmp(argv[0], "markdown") == 0) {
		config_print_markdown(stdout);
		return ADMIN_OK;
	}
	if (strcmp(argv[0], "example") == 0) {
		config_print_example(stdout);
		return ADMIN_OK;
	}
	if (strcmp(argv[0], "check") == 0) {
		actx_config(a, CONFIG_NEED_JWT | CONFIG_NEED_CALLBACK |
		    CONFIG_NEED_DB);
		printf("configuration ok\n");
		return ADMIN_OK;
	}
	usage();
	return ADMIN_USAGE;
}

static const struct {
	const char	*name;
	int		(*fn)(struct actx *, int, char *[]);
} commands[] = {
	{ "config", cmd_config },
	{ "user", cmd_user },
	{ "team", cmd_team },
	{ "token", cmd_token },
	{ "import", cmd_import },
	{ "import-problem", cmd_import_problem },
	{ "export", cmd_export },
	{ "export-problem", cmd_export_problem },
	{ "verify", cmd_verify },
	{ "round", cmd_round },
	{ "language", cmd_language },
	{ "leaderboard", cmd_leaderboard },
	{ "events", cmd_events },
};

int
main(int argc, char *argv[])
{
	struct actx a;
	size_t i;
	int rc = ADMIN_USAGE;

	memset(&a, 0, sizeof(a));
	if (argc < 2) {
		usage();
		return ADMIN_USAGE;
	}
	if (strcmp(argv[1], "help") == 0 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0) {
		usage_to(stdout);
		return ADMIN_OK;
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			break;
	if (i == sizeof(commands) / sizeof(commands[0])) {
		fprintf(stderr, "pitwall-admin: unknown command '%s'\n", argv[1]);
		usage();
		return ADMIN_USAGE;
	}
	rc = commands[i].fn(&a, argc - 2, argv + 2);
	db_free(a.db);
	redis_free(a.redis);
	judge0_free(a.j0);
	if (a.cfg_loaded)
		config_free(&a.cfg);
	return rc;
}
