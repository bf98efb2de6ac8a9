/*
 * Teams, organizations, memberships and the team CSV (see team.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libpq-fe.h>

#include "account.h"
#include "board.h"
#include "db.h"
#include "team.h"

static const char *const team_msgs[TEAM__MAX] = {
	[TEAM_OK] = "done",
	[TEAM_EXISTS] = "a team of that name exists",
	[TEAM_NO_TEAM] = "no such team",
	[TEAM_NO_USER] = "no such user",
	[TEAM_NOT_CONTESTANT] = "an admin cannot be a team member",
	[TEAM_FULL] = "the team is full (TEAM_MAX_MEMBERS)",
	[TEAM_TAKEN] = "the user is in another team",
	[TEAM_NOT_MEMBER] = "the user is not a member of this team",
	[TEAM_DB] = "database error",
};

const char *
team_strerror(enum team_rc rc)
{
	return rc < TEAM__MAX ? team_msgs[rc] : "unknown error";
}

/* The same rule as a user's name (the schema's length, no controls). */
const char *
team_name_check(const char *name)
{
	return account_name_check(name);
}

/* The id of organization org (created when new), in *id.  0 / -1. */
static int
org_ensure(struct db *db, const char *org, long long *id)
{
	const char *p[1] = { org };
	PGresult *res;

	/* The unique index on lower(name) settles a concurrent insert. */
	if ((res = db_exec(db, "WITH n AS (INSERT INTO organizations (name)"
	    " VALUES ($1) ON CONFLICT ((lower(name))) DO NOTHING RETURNING id)"
	    " SELECT id FROM n UNION ALL"
	    " SELECT id FROM organizations WHERE lower(name) = lower($1)",
	    1, p)) == NULL)
		return -1;
	if (PQntuples(res) < 1) {
		PQclear(res);
		return -1;
	}
	*id = atoll(PQgetvalue(res, 0, 0));
	PQclear(res);
	return 0;
}

enum team_rc
team_create(struct db *db, const char *name, const char *org, long long *id)
{
	char obuf[24];
	const char *p[2] = { name, NULL };
	PGresult *res = NULL;
	long long oid;
	enum team_rc rc = TEAM_DB;

	/* An existing team: no new organization either. */
	if ((res = db_exec(db, "SELECT id FROM teams WHERE lower(name) = lower($1)",
	    1, p)) == NULL)
		return TEAM_DB;
	if (PQntuples(res) == 1) {
		*id = atoll(PQgetvalue(res, 0, 0));
		PQclear(res);
		return TEAM_EXISTS;
	}
	PQclear(res);
	res = NULL;
	if (org != NULL && *org != '\0') {
		if (org_ensure(db, org, &oid) == -1)
			return TEAM_DB;
		snprintf(obuf, sizeof(obuf), "%lld", oid);
		p[1] = obuf;
	}
	if ((res = db_exec(db, "WITH n AS (INSERT INTO teams (name, organization_id)"
	    " VALUES ($1, $2::bigint) ON CONFLICT ((lower(name))) DO NOTHING"
	    " RETURNING id) SELECT id, true FROM n UNION ALL"
	    " SELECT id, false FROM teams WHERE lower(name) = lower($1)",
	    2, p)) == NULL || PQntuples(res) < 1)
		goto out;
	*id = atoll(PQgetvalue(res, 0, 0));
	rc = PQgetvalue(res, 0, 1)[0] == 't' ? TEAM_OK : TEAM_EXISTS;
out:
	PQclear(res);
	return rc;
}

/*
 * team_member_add inside the caller's transaction, the team's row
 * locked first so concurrent adds to one team count one after the other.
 */
static enum team_rc
member_add_locked(struct db *db, long long tid, long long uid, int max,
    long long *other)
{
	char tbuf[24], ubuf[24];
	const char *p[2] = { tbuf, ubuf };
	PGresult *res;
	enum team_rc rc = TEAM_DB;

	snprintf(tbuf, sizeof(tbuf), "%lld", tid);
	snprintf(ubuf, sizeof(ubuf), "%lld", uid);
	if ((res = db_exec(db, "SELECT id FROM teams WHERE id = $1::bigint"
	    " FOR UPDATE", 1, p)) == NULL)
		return TEAM_DB;
	if (PQntuples(res) != 1) {
		PQclear(res);
		return TEAM_NO_TEAM;
	}
	PQclear(res);
	/* A new statement, a new snapshot: the members as of the lock.
	 * -> the user's role, their team, the team's members. */
	if ((res = db_exec(db, "SELECT"
	    " (SELECT role FROM users WHERE id = $2::bigint),"
	    " (SELECT team_id FROM team_members WHERE user_id = $2::bigint),"
	    " (SELECT count(*) FROM team_members WHERE team_id = $1::bigint)",
	    2, p)) == NULL || PQntuples(res) != 1)
		goto out;
	if (PQgetisnull(res, 0, 0))
		rc = TEAM_NO_USER;
	else if (strcmp(PQgetvalue(res, 0, 0), "contestant") != 0)
		rc = TEAM_NOT_CONTESTANT;
	else if (!PQgetisnull(res, 0, 1) && atoll(PQgetvalue(res, 0, 1)) == tid)
		rc = TEAM_OK;
	else if (!PQgetisnull(res, 0, 1)) {
		if (other != NULL)
			*other = atoll(PQgetvalue(res, 0, 1));
		rc = TEAM_TAKEN;
	} else if (atoll(PQgetvalue(res, 0, 2)) >= max)
		rc = TEAM_FULL;
	else {
		PQclear(res);
		res = db_exec(db, "INSERT INTO team_members (user_id, team_id)"
		    " VALUES ($2::bigint, $1::bigint)", 2, p);
		rc = res != NULL ? TEAM_OK : TEAM_DB;
	}
out:
	PQclear(res);
	return rc;
}

enum team_rc
team_member_add(struct db *db, long long tid, long long uid, int max,
    long long *other)
{
	enum team_rc rc;

	if (db_begin(db) == -1)
		return TEAM_DB;
	if ((rc = member_add_locked(db, tid, uid, max, other)) != TEAM_OK) {
		db_rollback(db);
		return rc;
	}
	return db_commit(db) == 0 ? TEAM_OK : TEAM_DB;
}

enum team_rc
team_member_remove(struct db *db, long long tid, long long uid)
{
	char tbuf[24], ubuf[24];
	const char *p[2] = { tbuf, ubuf };
	PGresult *res;
	enum team_rc rc;

	snprintf(tbuf, sizeof(tbuf), "%lld", tid);
	snprintf(ubuf, sizeof(ubuf), "%lld", uid);
	if ((res = db_exec(db, "DELETE FROM team_members WHERE team_id = $1::bigint"
	    " AND user_id = $2::bigint RETURNING 1", 2, p)) == NULL)
		return TEAM_DB;
	rc = PQntuples(res) == 1 ? TEAM_OK : TEAM_NOT_MEMBER;
	PQclear(res);
	return rc;
}

enum team_rc
team_delete(struct db *db, long long tid)
{
	char tbuf[24];
	const char *p[1] = { tbuf };
	PGresult *res;
	enum team_rc rc;

	snprintf(tbuf, sizeof(tbuf), "%lld", tid);
	if ((res = db_exec(db, "DELETE FROM teams WHERE id = $1::bigint"
	    " RETURNING 1", 1, p)) == NULL)
		return TEAM_DB;
	rc = PQntuples(res) == 1 ? TEAM_OK : TEAM_NO_TEAM;
	PQclear(res);
	return rc;
}

int
team_csv_row(char *line, long lineno, int max, struct team_row *out,
    const char **why)
{
	char *f[2 + TEAM_CSV_EMAILS_MAX];
	const char *e;
	int nf, i;

	memset(out, 0, sizeof(*out));
	if (line[strspn(line, " \t")] == '\0')
		return 1;
	if (strlen(line) > ACCOUNT_CSV_LINE_MAX) {
		*why = "line longer than 4096 bytes";
		return -1;
	}
	if ((nf = account_csv_split(line, f, 2 + TEAM_CSV_EMAILS_MAX,
	    "too many fields (expected team,organization,email[,email...])",
	    why)) == -1)
		return -1;
	if (lineno == 1 && strcasecmp(account_csv_trim(f[0]), "team") == 0)
		return 1;	/* header */
	if (nf < 2) {
		*why = "expected team,organization,email[,email...]";
		return -1;
	}
	out->name = account_csv_trim(f[0]);
	out->org = *account_csv_trim(f[1]) != '\0' ? account_csv_trim(f[1]) : NULL;
	if ((e = team_name_check(out->name)) != NULL) {
		*why = strcmp(e, "name is empty") == 0 ? "team name is empty" : e;
		return -1;
	}
	if (out->org != NULL && team_name_check(out->org) != NULL) {
		*why = "bad organization name (1 to 200 characters, no control"
		    " characters)";
		return -1;
	}
	for (i = 2; i < nf; i++) {
		char *m = account_csv_trim(f[i]);

		if (*m == '\0')
			continue;
		if ((*why = account_email_check(m)) != NULL)
			return -1;
		out->emails[out->n++] = m;
	}
	if (out->n > max) {
		snprintf(out->why, sizeof(out->why), "%d members, a team has at"
		    " most %d (TEAM_MAX_MEMBERS)", out->n, max);
		*why = out->why;
		return -1;
	}
	return 0;
}

enum team_rc
team_row_apply(struct db *db, const struct team_row *row, int max,
    long long *tid, int *created, char *why, size_t whysz)
{
	const char *p[1];
	PGresult *res;
	long long uid, other = 0;
	enum team_rc rc;
	int i;

	*created = 0;
	snprintf(why, whysz, "%s", "database error");
	if (db_begin(db) == -1)
		return TEAM_DB;
	if ((rc = team_create(db, row->name, row->org, tid)) == TEAM_DB)
		goto fail;
	*created = rc == TEAM_OK;
	if (rc == TEAM_EXISTS && row->org != NULL) {
		char tbuf[24], obuf[24];
		const char *q[2] = { tbuf, obuf };
		long long oid;

		if (org_ensure(db, row->org, &oid) == -1)
			goto fail;
		snprintf(tbuf, sizeof(tbuf), "%lld", *tid);
		snprintf(obuf, sizeof(obuf), "%lld", oid);
		if ((res = db_exec(db, "UPDATE teams SET organization_id ="
		    " $2::bigint WHERE id = $1::bigint", 2, q)) == NULL)
			goto fail;
		PQclear(res);
	}
	for (i = 0; i < row->n; i++) {
		p[0] = row->emails[i];
		if ((res = db_exec(db, "SELECT id FROM users"
		    " WHERE lower(email) = lower($1)", 1, p)) == NULL)
			goto fail;
		if (PQntuples(res) != 1) {
			PQclear(res);
			snprintf(why, whysz, "no user %s", row->emails[i]);
			rc = TEAM_NO_USER;
			goto fail;
		}
		uid = atoll(PQgetvalue(res, 0, 0));
		PQclear(res);
		if ((rc = member_add_locked(db, *tid, uid, max, &other)) != TEAM_OK) {
			if (rc == TEAM_TAKEN)
				snprintf(why, whysz, "%s is in another team (id %lld)",
				    row->emails[i], other);
			else if (rc == TEAM_FULL)
				snprintf(why, whysz, "%s: team %s is full (at most %d"
				    " members, TEAM_MAX_MEMBERS)", row->emails[i],
				    row->name, max);
			else
				snprintf(why, whysz, "%s: %s", row->emails[i],
				    team_strerror(rc));
			goto fail;
		}
	}
	if (db_commit(db) == -1)
		return TEAM_DB;
	return TEAM_OK;
fail:
	db_rollback(db);
	*created = 0;
	return rc == TEAM_OK || rc == TEAM_EXISTS ? TEAM_DB : rc;
}

int
team_boards_rebuild(struct db *db, struct redis *r, const char *publish_url,
    int *rounds)
{
	PGresult *res;
	int i, rc = 0;

	if (rounds != NULL)
		*rounds = 0;
	if ((res = db_exec(db, "SELECT id FROM rounds WHERE team_based ORDER BY id",
	    0, NULL)) == NULL)
		return -1;
	for (i = 0; i < PQntuples(res); i++) {
		long long rid = atoll(PQgetvalue(res, i, 0));

		if (board_round_rebuild(db, r, rid, NULL) == -1) {
			rc = -1;
			continue;
		}
		board_announce(publish_url, rid);
		if (rounds != NULL)
			(*rounds)++;
	}
	PQclear(res);
	return rc;
}
