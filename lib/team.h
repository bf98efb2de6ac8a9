/*
 * Teams (sql/012_teams.sql, docs/teams.md): the one writer of teams,
 * organizations and memberships, for `pitwall-admin team …` and
 * /admin/teams, and the CSV rows of a team import
 * (team,organization,email[,email…]).  A user is in at most one team;
 * a team has at most max members (TEAM_MAX_MEMBERS), checked here under
 * a lock of the team's row.
 */
#ifndef PITWALL_TEAM_H
#define PITWALL_TEAM_H

#include <stddef.h>

struct db;
struct redis;

/* Most member emails one CSV row may list (beyond TEAM_MAX_MEMBERS a
 * row is refused anyway; this bounds the parser). */
#define TEAM_CSV_EMAILS_MAX	64

enum team_rc {
	TEAM_OK,		/* done */
	TEAM_EXISTS,		/* create: the name is taken (its id given) */
	TEAM_NO_TEAM,		/* no such team */
	TEAM_NO_USER,		/* no such user */
	TEAM_NOT_CONTESTANT,	/* an admin: admins are not competitors */
	TEAM_FULL,		/* the team has max members already */
	TEAM_TAKEN,		/* the user is in another team */
	TEAM_NOT_MEMBER,	/* remove: the user is not in this team */
	TEAM_DB,		/* database error (logged) */
	TEAM__MAX
};

/* A sentence for rc. */
const char	*team_strerror(enum team_rc rc);

/* NULL when name is a valid team or organization name, else why not. */
const char	*team_name_check(const char *name);

/*
 * Create team name, of organization org (NULL or "": none; an
 * organization is found by name, case-insensitively, or created).
 * TEAM_OK with the new id in *id, TEAM_EXISTS with the existing team's
 * id (nothing changed), TEAM_DB.
 */
enum team_rc	 team_create(struct db *db, const char *name, const char *org,
		    long long *id);

/*
 * Make user uid a member of team tid when the team has fewer than max
 * members.  TEAM_OK (also when uid is already a member), TEAM_NO_TEAM,
 * TEAM_NO_USER, TEAM_NOT_CONTESTANT, TEAM_FULL, TEAM_TAKEN (*other: the
 * user's team; may be NULL), TEAM_DB.
 */
enum team_rc	 team_member_add(struct db *db, long long tid, long long uid,
		    int max, long long *other);

/* Remove user uid from team tid: TEAM_OK, TEAM_NOT_MEMBER, TEAM_DB. */
enum team_rc	 team_member_remove(struct db *db, long long tid, long long uid);

/* Delete team tid and its memberships: TEAM_OK, TEAM_NO_TEAM, TEAM_DB. */
enum team_rc	 team_delete(struct db *db, long long tid);

/* One CSV row of a team import, pointing into the line it was split from. */
struct team_row {
	const char	*name;
	const char	*org;		/* NULL: none */
	const char	*emails[TEAM_CSV_EMAILS_MAX];
	int		 n;		/* how many emails */
	char		 why[96];	/* a message *why may point into */
};

/*
 * Split and check one line (in place; CR/LF removed) of a team CSV:
 * team,organization,email[,email…] with RFC 4180 quoting (lib/account.h),
 * spaces trimmed, empty email fields skipped, at most max emails.
 * Returns 0 for a team row, 1 for a line to skip (blank, or the header
 * "team,…" on line 1), -1 with *why (static, or in out->why).
 */
int		 team_csv_row(char *line, long lineno, int max,
		    struct team_row *out, const char **why);

/*
 * Apply one team row in one transaction: the team (created, or the
 * existing one of that name, whose organization is set when the row
 * names one), then each email's user as a member (team_member_add's
 * rules, max members counting the existing ones).  TEAM_OK with the
 * team's id in *tid and *created 1 when it is new; otherwise nothing
 * changed and what failed is in why (whysz bytes), e.g. "no user
 * x@example.org".
 */
enum team_rc	 team_row_apply(struct db *db, const struct team_row *row,
		    int max, long long *tid, int *created, char *why,
		    size_t whysz);

/*
 * After memberships changed: rebuild the boards of every team-based
 * round (lib/board.h) and tell the pages (publish_url may be NULL).
 * *rounds (may be NULL) is set to how many.  0 / -1.
 */
int		 team_boards_rebuild(struct db *db, struct redis *r,
		    const char *publish_url, int *rounds);

#endif
