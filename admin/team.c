/*
 * pitwall-admin team add|list|members|assign|remove|delete|import
 * (lib/team.h; docs/teams.md).  A TEAM argument is a team's id or its
 * name.  A change of memberships rebuilds the boards of the team-based
 * rounds.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "extern.h"
#include "redis.h"
#include "team.h"

/* The id of team ref (an id or a name) in *id.  0, or -1 after printing. */
static int
team_find(struct db *db, const char *ref, long long *id)
{
	const char *p[1] = { ref };
	PGresult *res;
	int rc = -1;

	if ((res = db_exec(db, "SELECT id FROM teams WHERE id::text = $1"
	    " OR lower(name) = lower($1) ORDER BY id::text = $1 DESC LIMIT 1",
	    1, p)) == NULL)
		return -1;
	if (PQntuples(res) == 1) {
		*id = atoll(PQgetvalue(res, 0, 0));
		rc = 0;
	} else
		fprintf(stderr, "pitwall-admin: no team %s\n", ref);
	PQclear(res);
	return rc;
}

/* The id of the user with email in *id.  0, or -1 after printing. */
static int
user_find(struct db *db, const char *email, long long *id)
{
	const char *p[1] = { email };
	PGresult *res;
	int rc = -1;

	if ((res = db_exec(db, "SELECT id FROM users WHERE lower(email) = lower($1)",
	    1, p)) == NULL)
		return -1;
	if (PQntuples(res) == 1) {
		*id = atoll(PQgetvalue(res, 0, 0));
		rc = 0;
	} else
		fprintf(stderr, "pitwall-admin: no user %s\n", email);
	PQclear(res);
	return rc;
}

/* After memberships changed: the team-based rounds' boards. */
static int
team_boards(struct actx *a, struct db *db)
{
	struct redis *r;

	if ((r = actx_redis(a)) == NULL ||
	    team_boards_rebuild(db, r, a->cfg.live_publish_url, NULL) == -1) {
		fprintf(stderr, "pitwall-admin: the leaderboards were not rebuilt; "
		    "run pitwall-admin leaderboard rebuild\n");
		return ADMIN_FAIL;
	}
	return ADMIN_OK;
}

/* add --name N [--org ORGANIZATION] */
static int
team_add(struct actx *a, int argc, char *argv[])
{
	const char *name = NULL, *org = NULL, *why;
	const struct opt opts[] = { { "name", &name, NULL }, { "org", &org, NULL } };
	char *pos[1];
	struct db *db;
	long long id;
	int npos;
	enum team_rc c;

	if (opts_parse(argc, argv, opts, 2, pos, 0, &npos) == -1 || name == NULL) {
		fprintf(stderr, "usage: pitwall-admin team add --name N "
		    "[--org ORGANIZATION]\n");
		return ADMIN_USAGE;
	}
	if ((why = team_name_check(name)) != NULL ||
	    (org != NULL && *org != '\0' && (why = team_name_check(org)) != NULL)) {
		fprintf(stderr, "pitwall-admin: %s\n", why);
		return ADMIN_USAGE;
	}
	actx_config(a, CONFIG_NEED_DB);
	if ((db = actx_db(a)) == NULL)
		return ADMIN_FAIL;
	if ((c = team_create(db, name, org, &id)) == TEAM_DB)
		return ADMIN_FAIL;
	if (c == TEAM_EXISTS) {
		fprintf(stderr, "pitwall-admin: a team named %s exists (id %lld)\n",
		    name, id);
		return ADMIN_FAIL;
	}
	printf("created team %lld %s\n", id, name);
	return ADMIN_OK;
}

/* Tab-separated, with a header. */
static int
team_list(struct actx *a, int argc, char *argv[])
{
	char *pos[1];
	struct db *db;
	PGresult *res;
	int npos, i;

	if (opts_parse(argc, argv, NULL, 0, pos, 0, &npos) == -1) {
		fprintf(stderr, "usage: pitwall-admin team list\n");
		return ADMIN_USAGE;
	}
	actx_config(a, CONFIG_NEED_DB);
	if ((db = actx_db(a)) == NULL)
		return ADMIN_FAIL;
	if ((res = db_exec(db, "SELECT t.id, t.name, coalesce(o.name, '-'),"
	    " (SELECT count(*) FROM team_members m WHERE m.team_id = t.id)"
	    " FROM teams t LEFT JOIN organizations o ON o.id = t.organization_id"
	    " ORDER BY t.id", 0, NULL)) == NULL)
		return ADMIN_FAIL;
	printf("id\tname\torganization\tmembers\n");
	for (i = 0; i < PQntuples(res); i++)
		printf("%s\t%s\t%s\t%s\n", PQgetvalue(res, i, 0),
		    PQgetvalue(res, i, 1), PQgetvalue(res, i, 2),
		    PQgetvalue(res, i, 3));
	PQclear(res);
	(void)argv;
	return ADMIN_OK;
}

/* members TEAM: tab-separated, with a header. */
static int
team_members(struct actx *a, int argc, char *argv[])
{
	char *pos[1], tbuf[24];
	const char *p[1] = { tbuf };
	struct db *db;
	PGresult *res;
	long long tid;
	int npos, i;

	if (opts_parse(argc, argv, NULL, 0, pos, 1, &npos) == -1 || npos != 1) {
		fprintf(stderr, "usage: pitwall-admin team members TEAM\n");
		return ADMIN_USAGE;
	}
	actx_config(a, CONFIG_NEED_DB);
	if ((db = actx_db(a)) == NULL || team_find(db, pos[0], &tid) == -1)
		return ADMIN_FAIL;
	snprintf(tbuf, sizeof(tbuf), "%lld", tid);
	if ((res = db_exec(db, "SELECT u.id, u.email, u.name FROM team_members m"
	    " JOIN users u ON u.id = m.user_id WHERE m.team_id = $1::bigint"
	    " ORDER BY u.id", 1, p)) == NULL)
		return ADMIN_FAIL;
	printf("id\temail\tname\n");
	for (i = 0; i < PQntuples(res); i++)
		printf("%s\t%s\t%s\n", PQgetvalue(res, i, 0),
		    PQgetvalue(res, i, 1), PQgetvalue(res, i, 2));
	PQclear(res);
	return ADMIN_OK;
}

/* assign|remove --team TEAM --email E */
static int
team_assign(struct actx *a, int argc, char *argv[], int add)
{
	const char *team = NULL, *email = NULL;
	const struct opt opts[] = { { "team", &team, NULL }, { "email", &email, NULL } };
	char *pos[1];
	struct db *db;
	long long tid, uid, other = 0;
	int npos;
	enum team_rc c;

	if (opts_parse(argc, argv, opts, 2, pos, 0, &npos) == -1 ||
	    team == NULL || email == NULL) {
		fprintf(stderr, "usage: pitwall-admin team %s --team TEAM --email E\n",
		    add ? "assign" : "remove");
		return ADMIN_USAGE;
	}
	actx_config(a, CONFIG_NEED_DB);
	if ((db = actx_db(a)) == NULL || team_find(db, team, &tid) == -1 ||
	    user_find(db, email, &uid) == -1)
		return ADMIN_FAIL;
	c = add ? team_member_add(db, tid, uid, a->cfg.team_max_members, &other) :
	    team_member_remove(db, tid, uid);
	if (c == TEAM_TAKEN) {
		fprintf(stderr, "pitwall-admin: %s is in another team (id %lld)\n",
		    email, other);
		return ADMIN_FAIL;
	}
	if (c == TEAM_FULL) {
		fprintf(stderr, "pitwall-admin: team %s is full (at most %d members,"
		    " TEAM_MAX_MEMBERS)\n", team, a->cfg.team_max_members);
		return ADMIN_FAIL;
	}
	if (c != TEAM_OK) {
		fprintf(stderr, "pitwall-admin: %s\n", team_strerror(c));
		return ADMIN_FAIL;
	}
	printf("%s %s %s team %lld\n", add ? "assigned" : "removed", email,
	    add ? "to" : "from", tid);
	return team_boards(a, db);
}

/* delete TEAM */
static int
team_del(struct actx *a, int argc, char *argv[])
{
	char *pos[1];
	struct db *db;
	long long tid;
	int npos;

	if (opts_parse(argc, argv, NULL, 0, pos, 1, &npos) == -1 || npos != 1) {
		fprintf(stderr, "usage: pitwall-admin team delete TEAM\n");
		return ADMIN_USAGE;
	}
	actx_config(a, CONFIG_NEED_DB);
	if ((db = actx_db(a)) == NULL || team_find(db, pos[0], &tid) == -1)
		return ADMIN_FAIL;
	if (team_delete(db, tid) != TEAM_OK)
		return ADMIN_FAIL;
	printf("deleted team %lld\n", tid);
	return team_boards(a, db);
}

/*
 * import FILE.csv: rows team,organization,email[,email…]; each row is
 * one transaction (a bad row changes nothing and is reported with its
 * line).  Exit 0 when no row was bad, 1 otherwise.
 */
static int
team_import(struct actx *a, int argc, char *argv[])
{
	char *pos[1], *line = NULL, why[320];
	struct team_row row;
	const char *e;
	struct db *db;
	FILE *fp = NULL;
	size_t cap = 0;
	ssize_t n;
	long lineno = 0;
	long long tid;
	int npos, c, isnew, rc = ADMIN_FAIL, created = 0, updated = 0, bad = 0;

	if (opts_parse(argc, argv, NULL, 0, pos, 1, &npos) == -1 || npos != 1) {
		fprintf(stderr, "usage: pitwall-admin team import FILE.csv\n");
		return ADMIN_USAGE;
	}
	actx_config(a, CONFIG_NEED_DB);
	if ((fp = fopen(pos[0], "r")) == NULL) {
		fprintf(stderr, "pitwall-admin: %s: %s\n", pos[0], strerror(errno));
		goto out;
	}
	if ((db = actx_db(a)) == NULL)
		goto out;
	while ((n = getline(&line, &cap, fp)) >= 0) {
		lineno++;
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		if (lineno == 1 && n >= 3 && memcmp(line, "\xef\xbb\xbf", 3) == 0)
			memmove(line, line + 3, (size_t)(n -= 3) + 1);	/* BOM */
		if ((size_t)n != strlen(line)) {
			fprintf(stderr, "%s:%ld: NUL byte in line\n", pos[0], lineno);
			bad++;
			continue;
		}
		if ((c = team_csv_row(line, lineno, a->cfg.team_max_members, &row,
		    &e)) == 1)
			continue;
		if (c == -1) {
			fprintf(stderr, "%s:%ld: %s\n", pos[0], lineno, e);
			bad++;
			continue;
		}
		if (team_row_apply(db, &row, a->cfg.team_max_members, &tid, &isnew,
		    why, sizeof(why)) != TEAM_OK) {
			fprintf(stderr, "%s:%ld: %s\n", pos[0], lineno, why);
			bad++;
			continue;
		}
		printf("%ld: %s team %lld %s (%d members listed)\n", lineno,
		    isnew ? "created" : "updated", tid, row.name, row.n);
		if (isnew)
			created++;
		else
			updated++;
	}
	if (ferror(fp)) {
		fprintf(stderr, "pitwall-admin: %s: read error\n", pos[0]);
		bad++;
	}
	printf("created %d, updated %d, bad %d\n", created, updated, bad);
	rc = bad == 0 ? ADMIN_OK : ADMIN_FAIL;
	if (created + updated > 0 && team_boards(a, db) != ADMIN_OK)
		rc = ADMIN_FAIL;
out:
	free(line);
	if (fp != NULL)
		fclose(fp);
	return rc;
}

int
cmd_team(struct actx *a, int argc, char *argv[])
{
	if (argc >= 1 && strcmp(argv[0], "add") == 0)
		return team_add(a, argc - 1, argv + 1);
	if (argc >= 1 && strcmp(argv[0], "list") == 0)
		return team_list(a, argc - 1, argv + 1);
	if (argc >= 1 && strcmp(argv[0], "members") == 0)
		return team_members(a, argc - 1, argv + 1);
	if (argc >= 1 && strcmp(argv[0], "assign") == 0)
		return team_assign(a, argc - 1, argv + 1, 1);
	if (argc >= 1 && strcmp(argv[0], "remove") == 0)
		return team_assign(a, argc - 1, argv + 1, 0);
	if (argc >= 1 && strcmp(argv[0], "delete") == 0)
		return team_del(a, argc - 1, argv + 1);
	if (argc >= 1 && strcmp(argv[0], "import") == 0)
		return team_import(a, argc - 1, argv + 1);
	usage();
	return ADMIN_USAGE;
}
