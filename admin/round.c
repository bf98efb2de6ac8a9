/*
 * pitwall-admin round open|close|list|set|unfreeze and leaderboard rebuild.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "extern.h"
#include "board.h"
#include "redis.h"
#include "round.h"

#define TS(col) "to_char(" col " AT TIME ZONE 'UTC'," \
	" 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"

/* Rebuild round id's boards after a change of its mode or freeze, and
 * tell the pages. */
static int
round_boards(struct actx *a, struct db *db, const char *id)
{
	struct redis *r;

	if ((r = actx_redis(a)) == NULL ||
	    board_round_rebuild(db, r, atoll(id), NULL) == -1) {
		fprintf(stderr, "pitwall-admin: the leaderboards were not rebuilt; "
		    "run pitwall-admin leaderboard rebuild\n");
		return ADMIN_FAIL;
	}
	board_announce(a->cfg.live_publish_url, atoll(id));
	return actx_caches_drop(a) == 0 ? ADMIN_OK : ADMIN_FAIL;
}

/* open SLUG [--for MINUTES]: the window starts now, for MINUTES or the
 * round's own minutes. */
static int
round_open(struct actx *a, int argc, char *argv[])
{
	const char *mins_s = NULL;
	const struct opt opts[] = { { "for", &mins_s, NULL } };
	const char *p[2];
	char *pos[1];
	struct db *db;
	PGresult *res = NULL;
	long long mins = 0;
	char mbuf[16], id[24];
	int npos, rc = ADMIN_FAIL;

	if (opts_parse(argc, argv, opts, 1, pos, 1, &npos) == -1 || npos != 1 ||
	    (mins_s != NULL && arg_int(mins_s, 1, 100000, &mins) == -1)) {
		fprintf(stderr, "usage: pitwall-admin round open SLUG "
		    "[--for MINUTES (1..100000)]\n");
		return ADMIN_USAGE;
	}
	actx_config(a, CONFIG_NEED_DB);
	if ((db = actx_db(a)) == NULL)
		return ADMIN_FAIL;
	snprintf(mbuf, sizeof(mbuf), "%lld", mins);
	p[0] = pos[0];
	p[1] = mins_s != NULL ? mbuf : NULL;
	res = db_exec(db, round_open_sql, 2, p);
	if (res == NULL)
		goto out;
	if (PQntuples(res) != 1) {
		fprintf(stderr, "pitwall-admin: no round %s\n", pos[0]);
		goto out;
	}
	printf("round %s open from %s to %s\n", pos[0], PQgetvalue(res, 0, 1),
	    PQgetvalue(res, 0, 2));
	snprintf(id, sizeof(id), "%s", PQgetvalue(res, 0, 0));
	PQclear(res);
	/* Another open round makes "the current round" ambiguous. */
	res = db_exec(db, "SELECT string_agg(slug, ', ') FROM rounds"
	    " WHERE slug <> $1 AND starts_at <= now() AND ends_at > now()", 1, p);
	if (res != NULL && !PQgetisnull(res, 0, 0))
		fprintf(stderr, "pitwall-admin: warning: also open: %s\n",
		    PQgetvalue(res, 0, 0));
	/* ICPC minutes count from the start, which has just moved. */
	rc = round_boards(a, db, id);
out:
	PQclear(res);
	return rc;
}

/*
 * `round VERB SLUG`: run sql ($1 = the slug, *slug after) on its one
 * round.  The row (caller PQclear()s it, *dbp set), or NULL with *rc the
 * exit status (usage, unknown round, failure), the message written.
 */
static PGresult *
round_slug_run(struct actx *a, int argc, char *argv[], const char *verb,
    const char *sql, struct db **dbp, const char **slug, int *rc)
{
	const char *p[1];
	char *pos[1];
	PGresult *res;
	int npos;

	*rc = ADMIN_FAIL;
	if (opts_parse(argc, argv, NULL, 0, pos, 1, &npos) == -1 || npos != 1) {
		fprintf(stderr, "usage: pitwall-admin round %s SLUG\n", verb);
		*rc = ADMIN_USAGE;
		return NULL;
	}
	actx_config(a, CONFIG_NEED_DB);
	if ((*dbp = actx_db(a)) == NULL)
		return NULL;
	p[0] = *slug = pos[0];
	if ((res = db_exec(*dbp, sql, 1, p)) == NULL)
		return NULL;
	if (PQntuples(res) != 1) {
		fprintf(stderr, "pitwall-admin: no round %s\n", pos[0]);
		PQclear(res);
		return NULL;
	}
	return res;
}

/* close SLUG: the round ends now, or keeps the end it already had
 * (lib/round.h). */
static int
round_close(struct actx *a, int argc, char *argv[])
{
	struct db *db;
	PGresult *res;
	const char *slug;
	int rc;

	if ((res = round_slug_run(a, argc, argv, "close", round_close_sql, &db,
	    &slug, &rc)) == NULL)
		return rc;
	printf("round %s %s at %s\n", slug, PQgetvalue(res, 0, 3)[0] == 't' ?
	    "already closed" : "closed", PQgetvalue(res, 0, 2));
	PQclear(res);
	return actx_caches_drop(a) == 0 ? ADMIN_OK : ADMIN_FAIL;
}

static int
round_list(struct actx *a, int argc, char *argv[])
{
	char *pos[1];
	struct db *db;
	PGresult *res;
	int npos, i;

	if (opts_parse(argc, argv, NULL, 0, pos, 0, &npos) == -1) {
		fprintf(stderr, "usage: pitwall-admin round list\n");
		return ADMIN_USAGE;
	}
	actx_config(a, CONFIG_NEED_DB);
	if ((db = actx_db(a)) == NULL)
		return ADMIN_FAIL;
	res = db_exec(db, "SELECT r.id, r.slug, r.name, r.minutes,"
	    " coalesce(" TS("r.starts_at") ", '-'), coalesce(" TS("r.ends_at") ", '-'),"
	    " CASE WHEN r.starts_at IS NULL OR r.ends_at IS NULL THEN 'unscheduled'"
	    " WHEN now() < r.starts_at THEN 'scheduled'"
	    " WHEN now() < r.ends_at THEN 'open' ELSE 'closed' END,"
	    " (SELECT count(*) FROM questions q WHERE q.round_id = r.id),"
	    " r.scoring, coalesce(" TS("r.freeze_at") ", '-')"
	    " || CASE WHEN r.unfrozen THEN ' (unfrozen)' ELSE '' END"
	    " FROM rounds r ORDER BY r.id", 0, NULL);
	if (res == NULL)
		return ADMIN_FAIL;
	printf("id\tslug\tname\tminutes\tstarts_at\tends_at\tstate\tquestions"
	    "\tscoring\tfreeze_at\n");
	for (i = 0; i < PQntuples(res); i++)
		printf("%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n",
		    PQgetvalue(res, i, 0), PQgetvalue(res, i, 1),
		    PQgetvalue(res, i, 2), PQgetvalue(res, i, 3),
		    PQgetvalue(res, i, 4), PQgetvalue(res, i, 5),
		    PQgetvalue(res, i, 6), PQgetvalue(res, i, 7),
		    PQgetvalue(res, i, 8), PQgetvalue(res, i, 9));
	PQclear(res);
	return ADMIN_OK;
}

/*
 * set SLUG [--scoring proportional|icpc|ioi] [--penalty MINUTES]
 * [--freeze-at TIME|none] [--teams on|off]: how the round ranks, when its
 * public board freezes and whether teams compete in it (lib/round.h);
 * the boards are rebuilt.
 */
static int
round_set(struct actx *a, int argc, char *argv[])
{
	const char *scoring = NULL, *pen_s = NULL, *freeze = NULL, *teams = NULL;
	const struct opt opts[] = { { "scoring", &scoring, NULL },
	    { "penalty", &pen_s, NULL }, { "freeze-at", &freeze, NULL },
	    { "teams", &teams, NULL } };
	const char *p[5];
	char *pos[1];
	struct db *db;
	PGresult *res = NULL;
	long long pen = 0;
	int npos, rc = ADMIN_FAIL;

	if (opts_parse(argc, argv, opts, 4, pos, 1, &npos) == -1 || npos != 1 ||
	    (teams != NULL && strcmp(teams, "on") != 0 && strcmp(teams, "off") != 0) ||
	    (pen_s != NULL && arg_int(pen_s, 0, 1000, &pen) == -1) ||
	    (scoring != NULL && strcmp(scoring, "proportional") != 0 &&
	    strcmp(scoring, "icpc") != 0 && strcmp(scoring, "ioi") != 0) ||
	    (scoring == NULL && pen_s == NULL && freeze == NULL && teams == NULL)) {
		fprintf(stderr, "usage: pitwall-admin round set SLUG "
		    "[--scoring proportional|icpc|ioi] [--penalty MINUTES "
		    "(0..1000)] [--freeze-at TIME|none] [--teams on|off]\n");
		return ADMIN_USAGE;
	}
	actx_config(a, CONFIG_NEED_DB);
	if ((db = actx_db(a)) == NULL)
		return ADMIN_FAIL;
	p[0] = pos[0];
	p[1] = scoring;
	p[2] = pen_s;
	p[3] = freeze != NULL ? "t" : "f";
	p[4] = freeze != NULL && strcmp(freeze, "none") != 0 ? freeze : NULL;
	if ((res = db_exec(db, round_settings_sql, 5, p)) == NULL)
		goto out;
	if (PQntuples(res) != 1) {
		fprintf(stderr, "pitwall-admin: no round %s\n", pos[0]);
		goto out;
	}
	printf("round %s scoring %s penalty %s freeze_at %s\n", pos[0],
	    PQgetvalue(res, 0, 1), PQgetvalue(res, 0, 2), PQgetvalue(res, 0, 3));
	if (teams != NULL) {
		PQclear(res);
		p[1] = strcmp(teams, "on") == 0 ? "t" : "f";
		if ((res = db_exec(db, round_teams_sql, 2, p)) == NULL ||
		    PQntuples(res) != 1)
			goto out;
		printf("round %s team_based %s\n", pos[0],
		    PQgetvalue(res, 0, 1)[0] == 't' ? "on" : "off");
	}
	rc = round_boards(a, db, PQgetvalue(res, 0, 0));
out:
	PQclear(res);
	return rc;
}

/* unfreeze SLUG: the public board shows everything again (final board). */
static int
round_unfreeze(struct actx *a, int argc, char *argv[])
{
	struct db *db;
	PGresult *res;
	const char *slug;
	int rc;

	if ((res = round_slug_run(a, argc, argv, "unfreeze", round_unfreeze_sql,
	    &db, &slug, &rc)) == NULL)
		return rc;
	printf("round %s unfrozen%s\n", slug, PQgetvalue(res, 0, 1)[0] == 't' ?
	    "" : " (it had no freeze)");
	rc = round_boards(a, db, PQgetvalue(res, 0, 0));
	PQclear(res);
	return rc;
}

int
cmd_round(struct actx *a, int argc, char *argv[])
{
	if (argc >= 1 && strcmp(argv[0], "open") == 0)
		return round_open(a, argc - 1, argv + 1);
	if (argc >= 1 && strcmp(argv[0], "close") == 0)
		return round_close(a, argc - 1, argv + 1);
	if (argc >= 1 && strcmp(argv[0], "list") == 0)
		return round_list(a, argc - 1, argv + 1);
	if (argc >= 1 && strcmp(argv[0], "set") == 0)
		return round_set(a, argc - 1, argv + 1);
	if (argc >= 1 && strcmp(argv[0], "unfreeze") == 0)
		return round_unfreeze(a, argc - 1, argv + 1);
	usage();
	return ADMIN_USAGE;
}

/*
 * leaderboard rebuild: every round's boards (public and jury) from the
 * submissions, by leaderboard_entry() (lib/board.h), replacing what the
 * worker built incrementally.
 */
static int
lb_rebuild(struct actx *a, int argc, char *argv[])
{
	char *pos[1];
	struct db *db;
	struct redis *r;
	PGresult *res;
	int npos, i, n, rounds = 0, users = 0, rc = ADMIN_FAIL;

	if (opts_parse(argc, argv, NULL, 0, pos, 0, &npos) == -1) {
		fprintf(stderr, "usage: pitwall-admin leaderboard rebuild\n");
		return ADMIN_USAGE;
	}
	actx_config(a, CONFIG_NEED_DB);
	if ((db = actx_db(a)) == NULL || (r = actx_redis(a)) == NULL)
		return ADMIN_FAIL;
	if ((res = db_exec(db, "SELECT id FROM rounds ORDER BY id", 0, NULL)) == NULL)
		return ADMIN_FAIL;
	for (i = 0; i < PQntuples(res); i++) {
		if (board_round_rebuild(db, r, atoll(PQgetvalue(res, i, 0)),
		    &n) == -1) {
			fprintf(stderr, "pitwall-admin: the leaderboard of round "
			    "%s could not be rebuilt\n", PQgetvalue(res, i, 0));
			goto out;
		}
		rounds++;
		users += n;
	}
	printf("rebuilt %d leaderboard(s), %d entries\n", rounds, users);
	rc = ADMIN_OK;
out:
	PQclear(res);
	return rc;
}

int
cmd_leaderboard(struct actx *a, int argc, char *argv[])
{
	if (argc >= 1 && strcmp(argv[0], "rebuild") == 0)
		return lb_rebuild(a, argc - 1, argv + 1);
	usage();
	return ADMIN_USAGE;
}
