/*
 * The Contest API's scoreboard and awards, from the round's board as
 * GET /leaderboard ranks it (leaderboard_ranked(): the same Redis boards,
 * kept by the one SQL definition leaderboard_entry(), sql/007): no
 * scoring rule is repeated here, only renamed into the specification's
 * shape.
 *
 *   GET /api/contests/{id}/scoreboard -> {event_id, time, contest_time,
 *       state, rows: [{rank, team_id, score, problems}]}
 *   GET /api/contests/{id}/awards[/{id}] -> [{id, citation, team_ids}]
 *
 * Rows are the board's entries (a team without a submission is not on
 * it); an admin's entry is left out (admins are not teams), keeping the
 * others' ranks.  Awards: "winner" (the rank-1 rows that scored) and,
 * for a pass-fail contest, "first-to-solve-<problem>" (the board's
 * first solvers).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "board.h"
#include "db.h"
#include "extern.h"

/* Member key of o (NULL when o is not an object or lacks it). */
static json_object *
jget(json_object *o, const char *key)
{
	json_object *v;

	return o != NULL && json_object_object_get_ex(o, key, &v) ? v : NULL;
}

/* The string member key of o, or "". */
static const char *
jstr(json_object *o, const char *key)
{
	json_object *v = jget(o, key);

	return v != NULL && json_object_is_type(v, json_type_string) ?
	    json_object_get_string(v) : "";
}

/* The element of array a whose member key is the string val, or NULL. */
static json_object *
jfind(json_object *a, const char *key, const char *val)
{
	size_t i, n = a != NULL ? json_object_array_length(a) : 0;

	for (i = 0; i < n; i++) {
		json_object *o = json_object_array_get_idx(a, i);

		if (strcmp(jstr(o, key), val) == 0)
			return o;
	}
	return NULL;
}

/*
 * The counts of the score modes (api_problem_counts()) of team uid and
 * problem slug in res: judged, pending, minutes into *v[3]; zeros when
 * the team has no submission on it.
 */
static void
counts_get(PGresult *res, const char *uid, const char *slug, long long v[3])
{
	int i;

	v[0] = v[1] = v[2] = 0;
	for (i = 0; res != NULL && i < PQntuples(res); i++)
		if (strcmp(PQgetvalue(res, i, 0), uid) == 0 &&
		    strcmp(PQgetvalue(res, i, 1), slug) == 0) {
			v[0] = atoll(PQgetvalue(res, i, 2));
			v[1] = atoll(PQgetvalue(res, i, 3));
			v[2] = atoll(PQgetvalue(res, i, 4));
			return;
		}
}

/*
 * One scoreboard row's problems: every problem of the contest in order,
 * from the board entry's problems (meta) and, for the score modes, the
 * counts.  first: the award array per problem (pass-fail), the team
 * added to the problem's when the board marks it the first solver.
 */
static json_object *
row_problems(const struct api_ctx *c, json_object *probs, json_object *meta,
    PGresult *counts, const char *uid, json_object *first)
{
	json_object *out = json_object_new_array();
	size_t i, n = json_object_array_length(probs);

	for (i = 0; i < n; i++) {
		const char *pid = jstr(json_object_array_get_idx(probs, i), "id");
		json_object *m = jfind(meta, "question", pid), *o, *v;

		o = json_object_new_object();
		json_object_object_add(o, "problem_id", json_object_new_string(pid));
		if (c->icpc) {
			int solved = (v = jget(m, "solved")) != NULL &&
			    json_object_get_boolean(v);

			json_object_object_add(o, "num_judged", json_object_new_int64(
			    (v = jget(m, "tries")) ? json_object_get_int64(v) : 0));
			json_object_object_add(o, "num_pending", json_object_new_int64(
			    (v = jget(m, "pending")) ? json_object_get_int64(v) : 0));
			json_object_object_add(o, "solved", json_object_new_boolean(solved));
			if (solved)
				json_object_object_add(o, "time", json_object_new_int64(
				    (v = jget(m, "minutes")) ? json_object_get_int64(v) : 0));
			if (solved && (v = jget(m, "first")) != NULL &&
			    json_object_get_boolean(v))
				json_object_array_add(json_object_array_get_idx(first, i),
				    json_object_new_string(uid));
		} else {
			long long cnt[3];
			double score = (v = jget(m, "score")) ? json_object_get_double(v) : 0;

			counts_get(counts, uid, pid, cnt);
			json_object_object_add(o, "num_judged", json_object_new_int64(cnt[0]));
			json_object_object_add(o, "num_pending", json_object_new_int64(cnt[1]));
			json_object_object_add(o, "score", json_object_new_double(score));
			if (score > 0)
				json_object_object_add(o, "time", json_object_new_int64(cnt[2]));
		}
		json_object_array_add(out, o);
	}
	return out;
}

/* An award object. */
static json_object *
award_new(const char *id, const char *citation, json_object *team_ids)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "id", json_object_new_string(id));
	json_object_object_add(o, "citation", json_object_new_string(citation));
	json_object_object_add(o, "team_ids", team_ids);
	return o;
}

int
api_board_build(struct req *r, const struct api_ctx *c, json_object **board,
    json_object **awards)
{
	json_object *lb = NULL, *probs = NULL, *teams = NULL, *head = NULL;
	json_object *rows = NULL, *first = NULL, *winners = NULL, *aw = NULL;
	PGresult *counts = NULL;
	char rid[24];
	const char *p[2];
	size_t i, n;
	int rc = -1;

	if (board != NULL)
		*board = NULL;
	if (awards != NULL)
		*awards = NULL;
	snprintf(rid, sizeof(rid), "%lld", c->round_id);
	p[0] = rid;
	p[1] = c->jury ? "t" : "f";
	if ((probs = api_sql_json(r, "SELECT api_objects($1, 'problems', true)::text",
	    1, p)) == NULL ||
	    (teams = api_sql_json(r, "SELECT api_objects($1, 'teams', true)::text",
	    1, p)) == NULL ||
	    (head = api_sql_json(r, "SELECT jsonb_build_object('event_id',"
	    " (SELECT coalesce(max(e.id), 0) FROM api_events e WHERE e.round_id = r.id)::text,"
	    " 'time', board_ts(now()), 'contest_time', api_ctime(r, now()),"
	    " 'state', api_objects(r.id, 'state', $2))::text"
	    " FROM rounds r WHERE r.id = $1", 2, p)) == NULL)
		goto out;
	if (!c->icpc && (counts = req_sql_or_reply(r, "SELECT team_id, slug, judged,"
	    " pending, minutes FROM api_problem_counts($1, $2)", 2, p)) == NULL)
		goto out;
	if (leaderboard_ranked(r, c->round_id, c->jury ? BOARD_JURY : BOARD_PUBLIC,
	    1, &lb) == -1)
		goto out;
	rows = json_object_new_array();
	first = json_object_new_array();
	winners = json_object_new_array();
	n = json_object_array_length(probs);
	for (i = 0; i < n; i++)
		json_object_array_add(first, json_object_new_array());
	for (i = 0; i < json_object_array_length(lb); i++) {
		json_object *e = json_object_array_get_idx(lb, i), *row, *score, *v;
		const char *uid = jstr(e, "competitor");
		double total;

		/* The competitor is the team id (sql/012_teams.sql). */
		if (*uid == '\0' || jfind(teams, "id", uid) == NULL)
			continue;
		total = (v = jget(e, "score")) ? json_object_get_double(v) : 0;
		row = json_object_new_object();
		json_object_object_add(row, "rank", json_object_get(jget(e, "rank")));
		json_object_object_add(row, "team_id", json_object_new_string(uid));
		score = json_object_new_object();
		if (c->icpc) {
			json_object_object_add(score, "num_solved",
			    json_object_new_int64((long long)total));
			json_object_object_add(score, "total_time", json_object_new_int64(
			    (v = jget(e, "penalty")) ? json_object_get_int64(v) : 0));
		} else
			json_object_object_add(score, "score",
			    json_object_new_double(total));
		json_object_object_add(row, "score", score);
		json_object_object_add(row, "problems", row_problems(c, probs,
		    jget(e, "problems"), counts, uid, first));
		json_object_array_add(rows, row);
		if (json_object_get_int64(jget(e, "rank")) == 1 && total > 0)
			json_object_array_add(winners, json_object_new_string(uid));
	}
	if (board != NULL) {
		json_object_object_add(head, "rows", rows);
		rows = NULL;
		*board = head;
		head = NULL;
	}
	if (awards != NULL) {
		aw = json_object_new_array();
		json_object_array_add(aw, award_new("winner", "Winner", winners));
		winners = NULL;
		for (i = 0; c->icpc && i < n; i++) {
			json_object *pr = json_object_array_get_idx(probs, i);
			char id[128], cit[160];

			snprintf(id, sizeof(id), "first-to-solve-%s", jstr(pr, "id"));
			snprintf(cit, sizeof(cit), "First to solve problem %s",
			    jstr(pr, "label"));
			json_object_array_add(aw, award_new(id, cit, json_object_get(
			    json_object_array_get_idx(first, i))));
		}
		*awards = aw;
	}
	rc = 0;
out:
	json_object_put(lb);
	json_object_put(probs);
	json_object_put(teams);
	json_object_put(head);
	json_object_put(rows);
	json_object_put(first);
	json_object_put(winners);
	PQclear(counts);
	return rc;
}

void
api_scoreboard_reply(struct req *r, const struct api_ctx *c)
{
	json_object *b;

	if (api_board_build(r, c, &b, NULL) == -1)
		return;
	api_reply_json(r, b);
	json_object_put(b);
}

void
api_awards_reply(struct req *r, const struct api_ctx *c, const char *id)
{
	json_object *a, *o;

	if (api_board_build(r, c, NULL, &a) == -1)
		return;
	if (id == NULL)
		api_reply_json(r, a);
	else if ((o = jfind(a, "id", id)) != NULL)
		api_reply_json(r, o);
	else
		http_error(r, 404, "not_found", "no award %s", id);
	json_object_put(a);
}
