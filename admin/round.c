/*
 * pitwall-admin round open|close|list and leaderboard rebuild.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "extern.h"
#include "json.h"
#include "keys.h"
#include "redis.h"
#include "round.h"

#define TS(col) "to_char(" col " AT TIME ZONE 'UTC'," \
	" 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"

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
	char mbuf[16];
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
	PQclear(res);
	/* Another open round makes "the current round" ambiguous. */
	res = db_exec(db, "SELECT string_agg(slug, ', ') FROM rounds"
	    " WHERE slug <> $1 AND starts_at <= now() AND ends_at > now()", 1, p);
	if (res != NULL && !PQgetisnull(res, 0, 0))
		fprintf(stderr, "pitwall-admin: warning: also open: %s\n",
		    PQgetvalue(res, 0, 0));
	rc = actx_caches_drop(a) == 0 ? ADMIN_OK : ADMIN_FAIL;
out:
	PQclear(res);
	return rc;
}

/* close SLUG: the round ends now, or keeps the end it already had
 * (lib/round.h). */
static int
round_close(struct actx *a, int argc, char *argv[])
{
	const char *p[1];
	char *pos[1];
	struct db *db;
	PGresult *res = NULL;
	int npos, rc = ADMIN_FAIL;

	if (opts_parse(argc, argv, NULL, 0, pos, 1, &npos) == -1 || npos != 1) {
		fprintf(stderr, "usage: pitwall-admin round close SLUG\n");
		return ADMIN_USAGE;
	}
	actx_config(a, CONFIG_NEED_DB);
	if ((db = actx_db(a)) == NULL)
		return ADMIN_FAIL;
	p[0] = pos[0];
	if ((res = db_exec(db, round_close_sql, 1, p)) == NULL)
		goto out;
	if (PQntuples(res) != 1) {
		fprintf(stderr, "pitwall-admin: no round %s\n", pos[0]);
		goto out;
	}
	printf("round %s %s at %s\n", pos[0], PQgetvalue(res, 0, 3)[0] == 't' ?
	    "already closed" : "closed", PQgetvalue(res, 0, 2));
	rc = actx_caches_drop(a) == 0 ? ADMIN_OK : ADMIN_FAIL;
out:
	PQclear(res);
	return rc;
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
	    " (SELECT count(*) FROM questions q WHERE q.round_id = r.id)"
	    " FROM rounds r ORDER BY r.id", 0, NULL);
	if (res == NULL)
		return ADMIN_FAIL;
	printf("id\tslug\tname\tminutes\tstarts_at\tends_at\tstate\tquestions\n");
	for (i = 0; i < PQntuples(res); i++)
		printf("%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", PQgetvalue(res, i, 0),
		    PQgetvalue(res, i, 1), PQgetvalue(res, i, 2),
		    PQgetvalue(res, i, 3), PQgetvalue(res, i, 4),
		    PQgetvalue(res, i, 5), PQgetvalue(res, i, 6),
		    PQgetvalue(res, i, 7));
	PQclear(res);
	return ADMIN_OK;
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
	usage();
	return ADMIN_USAGE;
}

/* Queue one command inside MULTI; -1 when Redis did not say QUEUED. */
static int
queued(redisReply *rep)
{
	int ok = rep != NULL && rep->type == REDIS_REPLY_STATUS &&
	    strcmp(rep->str, "QUEUED") == 0;

	if (rep != NULL)
		freeReplyObject(rep);
	return ok ? 0 : -1;
}

/*
 * Rebuild pitwall:lb:<rid> and its :meta for one round from the rows of
 * res that belong to it (rows [*row, …) with round id rid), in one
 * MULTI/EXEC so readers never see a half-built board.
 */
static int
lb_round(struct redis *r, const char *rid, PGresult *res, int *row, int *users)
{
	char key[64], mkey[64];
	const char *argv[4];
	json_object *m;
	redisReply *rep;
	int n = PQntuples(res), rc = -1;

	snprintf(key, sizeof(key), KEY_LB_FMT, atoll(rid));
	snprintf(mkey, sizeof(mkey), KEY_LB_META_FMT, atoll(rid));
	if ((rep = redis_cmd(r, "MULTI")) == NULL)
		return -1;
	freeReplyObject(rep);
	if (queued(redis_cmd(r, "DEL %s %s", key, mkey)) == -1)
		goto discard;
	for (; *row < n && strcmp(PQgetvalue(res, *row, 0), rid) == 0; (*row)++) {
		const char *uid = PQgetvalue(res, *row, 1);

		if (PQgetisnull(res, *row, 2))
			continue;	/* a round without scores: just the DEL */
		if (queued(redis_cmd(r, "ZADD %s %s %s", key,
		    PQgetvalue(res, *row, 3), uid)) == -1)
			goto discard;
		m = json_object_new_object();
		json_object_object_add(m, "name",
		    json_object_new_string(PQgetvalue(res, *row, 2)));
		json_object_object_add(m, "score",
		    json_object_new_double(strtod(PQgetvalue(res, *row, 3), NULL)));
		json_object_object_add(m, "last_improved_at",
		    json_object_new_string(PQgetvalue(res, *row, 4)));
		argv[0] = "HSET";
		argv[1] = mkey;
		argv[2] = uid;
		argv[3] = json_object_to_json_string_ext(m, JSON_C_TO_STRING_PLAIN);
		rep = redis_cmdargv(r, 4, argv, NULL);
		json_object_put(m);
		if (queued(rep) == -1)
			goto discard;
		(*users)++;
	}
	rep = redis_cmd(r, "EXEC");
	if (rep != NULL && rep->type == REDIS_REPLY_ARRAY)
		rc = 0;
	if (rep != NULL)
		freeReplyObject(rep);
	return rc;
discard:
	if ((rep = redis_cmd(r, "DISCARD")) != NULL)
		freeReplyObject(rep);
	return -1;
}

/*
 * leaderboard rebuild: every round's board from best_scores, replacing
 * what the worker built incrementally.  Score = the user's total of best
 * scores over the round's questions; ties are broken by readers with
 * last_improved_at (when the user last raised their total).
 */
static int
lb_rebuild(struct actx *a, int argc, char *argv[])
{
	char *pos[1], rid[32];
	struct db *db;
	struct redis *r;
	PGresult *res;
	int npos, row = 0, rounds = 0, users = 0, rc = ADMIN_FAIL;

	if (opts_parse(argc, argv, NULL, 0, pos, 0, &npos) == -1) {
		fprintf(stderr, "usage: pitwall-admin leaderboard rebuild\n");
		return ADMIN_USAGE;
	}
	actx_config(a, CONFIG_NEED_DB);
	if ((db = actx_db(a)) == NULL || (r = actx_redis(a)) == NULL)
		return ADMIN_FAIL;
	/* Every round (so a round whose scores vanished is emptied), with
	 * its users' totals; NULL user columns for a round with none. */
	/* sql/004_leaderboard_entry.sql: the one definition of an entry. */
	res = db_exec(db, "SELECT r.id, t.user_id, u.name, e.total::text,"
	    " e.last_improved_at"
	    " FROM rounds r LEFT JOIN ("
	    "  SELECT DISTINCT q.round_id, b.user_id"
	    "  FROM best_scores b JOIN questions q ON q.id = b.question_id) t"
	    "  ON t.round_id = r.id"
	    " LEFT JOIN users u ON u.id = t.user_id"
	    " LEFT JOIN LATERAL leaderboard_entry(r.id, u.id) e ON true"
	    " ORDER BY r.id, t.user_id", 0, NULL);
	if (res == NULL)
		return ADMIN_FAIL;
	while (row < PQntuples(res)) {
		snprintf(rid, sizeof(rid), "%s", PQgetvalue(res, row, 0));
		if (lb_round(r, rid, res, &row, &users) == -1) {
			fprintf(stderr, "pitwall-admin: Redis refused the "
			    "leaderboard of round %s\n", rid);
			goto out;
		}
		rounds++;
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
