/*
 * Leaderboards in Redis (see board.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "board.h"
#include "db.h"
#include "keys.h"
#include "livepost.h"
#include "redis.h"

const char board_entries_sql[] =
    "SELECT x.rid, x.uid, p.total::text, p.meta, j.total::text, j.meta,"
    " board_competitor(x.rid, x.uid)"
    " FROM (SELECT DISTINCT * FROM unnest($1::bigint[], $2::bigint[]))"
    "  AS x(rid, uid)"
    " JOIN users u ON u.id = x.uid"
    " CROSS JOIN LATERAL leaderboard_entry(x.rid, x.uid, false) p"
    " CROSS JOIN LATERAL leaderboard_entry(x.rid, x.uid, true) j";

/* One command queued inside MULTI; -1 unless Redis said QUEUED. */
static int
queued(redisReply *rep)
{
	int ok = rep != NULL && rep->type == REDIS_REPLY_STATUS &&
	    strcmp(rep->str, "QUEUED") == 0;

	if (rep != NULL)
		freeReplyObject(rep);
	return ok ? 0 : -1;
}

const char *const board_keys[2][2] = {
	{ KEY_LB_FMT, KEY_LB_META_FMT },
	{ KEY_LB_JURY_FMT, KEY_LB_JURY_META_FMT },
};

/*
 * Queue the ZADD and HSET of row i of board_entries_sql's res on both
 * boards (total and meta in columns 2, 3 then 4, 5; the member, the
 * competitor, in 6).  0 / -1.
 */
static int
board_queue_row(struct redis *r, PGresult *res, int i)
{
	char key[64], mkey[64];
	const char *uid = PQgetvalue(res, i, 6);
	long long rid = atoll(PQgetvalue(res, i, 0));
	int b;

	for (b = 0; b < 2; b++) {
		snprintf(key, sizeof(key), board_keys[b][0], rid);
		snprintf(mkey, sizeof(mkey), board_keys[b][1], rid);
		if (queued(redis_cmd(r, "ZADD %s %s %s", key,
		    PQgetvalue(res, i, 2 + 2 * b), uid)) == -1 ||
		    queued(redis_cmd(r, "HSET %s %s %s", mkey, uid,
		    PQgetvalue(res, i, 3 + 2 * b))) == -1)
			return -1;
	}
	return 0;
}

/*
 * Write the rows of res in one MULTI/EXEC, after deleting round rid's
 * boards when del.  0 / -1 (DISCARDed).
 */
static int
board_write(struct redis *r, PGresult *res, long long rid, int del)
{
	char k[4][64];
	redisReply *rep;
	int i, rc = -1;

	if ((rep = redis_cmd(r, "MULTI")) == NULL)
		return -1;
	freeReplyObject(rep);
	if (del) {
		for (i = 0; i < 4; i++)
			snprintf(k[i], sizeof(k[i]), board_keys[i / 2][i % 2], rid);
		if (queued(redis_cmd(r, "DEL %s %s %s %s", k[0], k[1], k[2],
		    k[3])) == -1)
			goto discard;
	}
	for (i = 0; i < PQntuples(res); i++)
		if (board_queue_row(r, res, i) == -1)
			goto discard;
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

int
board_user_refresh(struct db *db, struct redis *r, long long rid,
    long long uid)
{
	char a[32], b[32];
	const char *p[2] = { a, b };
	PGresult *res;
	int rc;

	snprintf(a, sizeof(a), "{%lld}", rid);
	snprintf(b, sizeof(b), "{%lld}", uid);
	if ((res = db_exec(db, board_entries_sql, 2, p)) == NULL)
		return -1;
	rc = board_write(r, res, rid, 0);
	PQclear(res);
	return rc;
}

int
board_round_rebuild(struct db *db, struct redis *r, long long rid,
    int *users)
{
	static const char sql[] =
	    "SELECT array_agg($1::bigint), array_agg(t.user_id) FROM"
	    " (SELECT DISTINCT ON (board_competitor($1, s.user_id)) s.user_id"
	    "  FROM submissions s JOIN questions q ON q.id = s.question_id"
	    "  WHERE q.round_id = $1 AND s.status = 'done'"
	    "  ORDER BY board_competitor($1, s.user_id), s.user_id) t";
	char rbuf[24];
	const char *p[2] = { rbuf, NULL };
	PGresult *who = NULL, *res = NULL;
	int rc = -1;

	snprintf(rbuf, sizeof(rbuf), "%lld", rid);
	if ((who = db_exec(db, sql, 1, p)) == NULL)
		goto out;
	p[0] = PQgetisnull(who, 0, 0) ? "{}" : PQgetvalue(who, 0, 0);
	p[1] = PQgetisnull(who, 0, 1) ? "{}" : PQgetvalue(who, 0, 1);
	if ((res = db_exec(db, board_entries_sql, 2, p)) == NULL)
		goto out;
	if ((rc = board_write(r, res, rid, 1)) == 0 && users != NULL)
		*users = PQntuples(res);
out:
	PQclear(who);
	PQclear(res);
	return rc;
}

void
board_announce(const char *publish_url, long long rid)
{
	struct livepost_result res;
	char body[96];

	snprintf(body, sizeof(body), "{\"type\":\"leaderboard\",\"round_id\":%lld}",
	    rid);
	(void)livepost_send(publish_url, "leaderboard", body, 500, &res);
}
