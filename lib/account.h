/*
 * User accounts as pitwall-admin and the /admin routes create them: field
 * checks (the schema's CHECKs, with reasons), creation with an Argon2id
 * hash, and the CSV rows of a bulk import (email,name,password[,role]).
 */
#ifndef PITWALL_ACCOUNT_H
#define PITWALL_ACCOUNT_H

#include <stddef.h>

struct db;

#define ACCOUNT_PASSWORD_MIN	8
#define ACCOUNT_PASSWORD_MAX	1024
#define ACCOUNT_CSV_LINE_MAX	4096

/* NULL when valid, else a sentence saying why not. */
const char	*account_email_check(const char *email);
const char	*account_name_check(const char *name);
const char	*account_password_check(const char *password);
const char	*account_role_check(const char *role);

/*
 * Create one user.  Returns 1 created (id in *idp), 0 the email exists
 * (its id in *idp), -1 on a database error (logged).  The hash is
 * computed only for new emails.
 */
int		 account_create(struct db *db, const char *email, const char *name,
		    const char *password, const char *role, long long *idp);

/*
 * Set a user's password (an Argon2id hash of it; check it first with
 * account_password_check).  Returns 1 done, 0 no such user, -1 on a
 * database error (logged).  Tokens already issued stay valid until they
 * expire or the user logs out (ban the user to end them at once).
 */
int		 account_password_set(struct db *db, long long uid,
		    const char *password);

/*
 * Split one CSV line into at most maxf fields in place (RFC 4180 quoting
 * within the line: "a, b" and "" for a quote).  Returns the number of
 * fields, or -1 with *why set (toomany when there are more than maxf).
 * The one CSV reader of the imports (users here, teams in lib/team.c).
 */
int		 account_csv_split(char *line, char *f[], int maxf,
		    const char *toomany, const char **why);
/* Trim spaces and tabs around a field (in place); returns its start. */
char		*account_csv_trim(char *s);

/* One CSV row of a user import, pointing into the line it was split from. */
struct account_row {
	const char	*email;
	const char	*name;
	const char	*password;
	const char	*role;
};

/*
 * Split and check one line (in place; CR/LF already removed) of a user
 * CSV: RFC 4180 quoting within the line, spaces around email, name and
 * role trimmed, passwords taken as written.  Returns 0 for a user row,
 * 1 for a line to skip (blank, or the header on line 1), -1 with *why.
 */
int		 account_csv_row(char *line, long lineno, struct account_row *out,
		    const char **why);

#endif
