/*
 * pitwall-admin user add|import|ban|unban|list and token.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "account.h"
#include "authz.h"
#include "auth.h"
#include "db.h"
#include "extern.h"
#include "json.h"
#include "keys.h"
#include "redis.h"

#define TOKEN_TTL_MAX	(366LL * 24 * 3600)

/* The checks and the creation live in lib/account.c (the /admin routes
 * use them too). */
const char *
user_email_check(const char *email)
{
	return account_email_check(email);
}

const char *
user_name_check(const char *name)
{
	return account_name_check(name);
}

const char *
user_password_check(const char *password)
{
	return account_password_check(password);
}

const char *
user_role_check(const char *role)
{
	return account_role_check(role);
}

#define user_create	account_create

/* Read the first line of stdin (for --password -).  Caller frees. */
static char *
password_from_stdin(void)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	if ((n = getline(&line, &cap, stdin)) < 0) {
		free(line);
		return NULL;
	}
	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		line[--n] = '\0';
	return line;
}

static int
user_add(struct actx *a, int argc, char *argv[])
{
	const char *email = NULL, *name = NULL, *password = NULL;
	const char *role = "contestant", *why;
	char *pos[1], *stdin_pw = NULL;
	const struct opt opts[] = {
		{ "email", &email, NULL }, { "name", &name, NULL },
		{ "password", &password, NULL }, { "role", &role, NULL },
	};
	struct db *db;
	long long id = 0;
	int npos, rc = ADMIN_FAIL, c;

	if (opts_parse(argc, argv, opts, 4, pos, 0, &npos) == -1)
		return ADMIN_USAGE;
	if (email == NULL || name == NULL || password == NULL) {
		fprintf(stderr, "usage: pitwall-admin user add --email E --name N "
		    "--password P|- [--role contestant|admin]\n");
		return ADMIN_USAGE;
	}
	if (strcmp(password, "-") == 0) {
		if ((stdin_pw = password_from_stdin()) == NULL) {
			fprintf(stderr, "pitwall-admin: no password on stdin\n");
			return ADMIN_USAGE;
		}
		password = stdin_pw;
	}
	if ((why = user_email_check(email)) != NULL ||
	    (why = user_name_check(name)) != NULL ||
	    (why = user_password_check(password)) != NULL ||
	    (why = user_role_check(role)) != NULL) {
		fprintf(stderr, "pitwall-admin: %s\n", why);
		rc = ADMIN_USAGE;
		goto out;
	}
	actx_config(a, CONFIG_NEED_DB);
	if ((db = actx_db(a)) == NULL)
		goto out;
	c = user_create(db, email, name, password, role, &id);
	if (c == 1) {
		printf("created user %lld %s (%s)\n", id, email, role);
		rc = ADMIN_OK;
	} else if (c == 0)
		fprintf(stderr, "pitwall-admin: user %s exists (id %lld); "
		    "nothing changed\n", email, id);
	else
		fprintf(stderr, "pitwall-admin: cannot create user %s\n", email);
out:
	if (stdin_pw != NULL) {
		sodium_memzero(stdin_pw, strlen(stdin_pw));
		free(stdin_pw);
	}
	return rc;
}

/*
 * user import FILE.csv: one user per line, email,name,password[,role].
 * A first line whose first field is "email" is a header.  Each row stands
 * alone: bad rows are reported on stderr as FILE:LINE: reason and skipped,
 * existing emails are reported and left unchanged.  Exit 0 when no row was
 * bad (a re-run is therefore 0), 1 when any row was bad or failed.
 */
static int
user_import(struct actx *a, int argc, char *argv[])
{
	char *pos[1], *line = NULL;
	const struct opt *opts = NULL;
	struct account_row row;
	const char *why;
	struct db *db;
	FILE *fp = NULL;
	size_t cap = 0;
	ssize_t n;
	long lineno = 0;
	long long id;
	int npos, c, rc = ADMIN_FAIL;
	int created = 0, existing = 0, bad = 0;

	if (opts_parse(argc, argv, opts, 0, pos, 1, &npos) == -1 || npos != 1) {
		fprintf(stderr, "usage: pitwall-admin user import FILE.csv\n");
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
		if ((c = account_csv_row(line, lineno, &row, &why)) == 1)
			continue;	/* blank or header */
		if (c == -1) {
			fprintf(stderr, "%s:%ld: %s\n", pos[0], lineno, why);
			bad++;
			continue;
		}
		c = user_create(db, row.email, row.name, row.password, row.role,
		    &id);
		if (c == 1) {
			printf("%ld: created %s (id %lld, %s)\n", lineno, row.email,
			    id, row.role);
			created++;
		} else if (c == 0) {
			printf("%ld: exists %s (id %lld)\n", lineno, row.email, id);
			existing++;
		} else {
			fprintf(stderr, "%s:%ld: database error\n", pos[0], lineno);
			bad++;
		}
		sodium_memzero(line, (size_t)n);
	}
	if (ferror(fp)) {
		fprintf(stderr, "pitwall-admin: %s: read error\n", pos[0]);
		bad++;
	}
	printf("created %d, existing %d, bad %d\n", created, existing, bad);
	rc = bad == 0 ? ADMIN_OK : ADMIN_FAIL;
out:
	if (line != NULL) {
		sodium_memzero(line, cap);
		free(line);
	}
	if (fp != NULL)
		fclose(fp);
	return rc;
}

/*
 * ban, unban, role: users is the record, then the Redis state every route
 * checks on every request (lib/authz.c), so the change acts at once.
 * sql takes $1 the email and $2 arg, and returns id, role, banned.
 */
static int
user_authz_set(struct actx *a, const char *email, const char *sql,
    const char *arg, const char *what)
{
	const char *params[2] = { email, arg };
	struct db *db;
	struct redis *r;
	PGresult *res = NULL;
	int rc = ADMIN_FAIL;

	actx_config(a, CONFIG_NEED_DB);
	if ((db = actx_db(a)) == NULL)
		goto out;
	if ((res = db_exec(db, sql, 2, params)) == NULL)
		goto out;
	if (PQntuples(res) != 1) {
		fprintf(stderr, "pitwall-admin: no user %s\n", email);
		goto out;
	}
	if ((r = actx_redis(a)) == NULL ||
	    authz_user_set(r, atoll(PQgetvalue(res, 0, 0)), PQgetvalue(res, 0, 1),
	    PQgetvalue(res, 0, 2)[0] == 't') == -1) {
		fprintf(stderr, "pitwall-admin: the user is changed in the database "
		    "but Redis was not updated; run the command again\n");
		goto out;
	}
	printf("%s user %s %s\n", what, PQgetvalue(res, 0, 0), email);
	rc = ADMIN_OK;
out:
	PQclear(res);
	return rc;
}

/* ban|unban --email E */
static int
user_ban(struct actx *a, int argc, char *argv[], int ban)
{
	const char *email = NULL;
	const struct opt opts[] = { { "email", &email, NULL } };
	char *pos[1];
	int npos;

	if (opts_parse(argc, argv, opts, 1, pos, 0, &npos) == -1 ||
	    email == NULL) {
		fprintf(stderr, "usage: pitwall-admin user %s --email E\n",
		    ban ? "ban" : "unban");
		return ADMIN_USAGE;
	}
	return user_authz_set(a, email, "UPDATE users SET banned = $2::boolean"
	    " WHERE lower(email) = lower($1) RETURNING id, role, banned",
	    ban ? "t" : "f", ban ? "banned" : "unbanned");
}

/* role --email E --role contestant|admin: a demotion acts at once. */
static int
user_role(struct actx *a, int argc, char *argv[])
{
	const char *email = NULL, *role = NULL, *why;
	const struct opt opts[] = { { "email", &email, NULL }, { "role", &role, NULL } };
	char *pos[1];
	int npos;

	if (opts_parse(argc, argv, opts, 2, pos, 0, &npos) == -1 ||
	    email == NULL || role == NULL) {
		fprintf(stderr, "usage: pitwall-admin user role --email E "
		    "--role contestant|admin\n");
		return ADMIN_USAGE;
	}
	if ((why = user_role_check(role)) != NULL) {
		fprintf(stderr, "pitwall-admin: %s\n", why);
		return ADMIN_USAGE;
	}
	return user_authz_set(a, email, "UPDATE users SET role = $2"
	    " WHERE lower(email) = lower($1) RETURNING id, role, banned",
	    role, role);
}

/* Tab-separated, with a header; never the password hash. */
static int
user_list(struct actx *a, int argc, char *argv[])
{
	char *pos[1];
	struct db *db;
	PGresult *res;
	int npos, i;

	(void)argv;
	if (opts_parse(argc, argv, NULL, 0, pos, 0, &npos) == -1) {
		fprintf(stderr, "usage: pitwall-admin user list\n");
		return ADMIN_USAGE;
	}
	actx_config(a, CONFIG_NEED_DB);
	if ((db = actx_db(a)) == NULL)
		return ADMIN_FAIL;
	res = db_exec(db, "SELECT id, email, name, role,"
	    " CASE WHEN banned THEN 'banned' ELSE '-' END,"
	    " to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
	    " FROM users ORDER BY id", 0, NULL);
	if (res == NULL)
		return ADMIN_FAIL;
	printf("id\temail\tname\trole\tbanned\tcreated_at\n");
	for (i = 0; i < PQntuples(res); i++)
		printf("%s\t%s\t%s\t%s\t%s\t%s\n", PQgetvalue(res, i, 0),
		    PQgetvalue(res, i, 1), PQgetvalue(res, i, 2),
		    PQgetvalue(res, i, 3), PQgetvalue(res, i, 4),
		    PQgetvalue(res, i, 5));
	PQclear(res);
	return ADMIN_OK;
}

int
cmd_user(struct actx *a, int argc, char *argv[])
{
	if (argc >= 1 && strcmp(argv[0], "add") == 0)
		return user_add(a, argc - 1, argv + 1);
	if (argc >= 1 && strcmp(argv[0], "import") == 0)
		return user_import(a, argc - 1, argv + 1);
	if (argc >= 1 && strcmp(argv[0], "ban") == 0)
		return user_ban(a, argc - 1, argv + 1, 1);
	if (argc >= 1 && strcmp(argv[0], "unban") == 0)
		return user_ban(a, argc - 1, argv + 1, 0);
	if (argc >= 1 && strcmp(argv[0], "role") == 0)
		return user_role(a, argc - 1, argv + 1);
	if (argc >= 1 && strcmp(argv[0], "list") == 0)
		return user_list(a, argc - 1, argv + 1);
	usage();
	return ADMIN_USAGE;
}

/*
 * token --email E [--ttl SECONDS]: a JWT for that user with their role, on
 * stdout alone (scripts capture it).  A banned user still gets one, with
 * a warning: the routes refuse banned users whatever their token.
 */
int
cmd_token(struct actx *a, int argc, char *argv[])
{
	const char *email = NULL, *ttl_s = NULL;
	const struct opt opts[] = {
		{ "email", &email, NULL }, { "ttl", &ttl_s, NULL },
	};
	const char *params[1];
	char *pos[1], *tok = NULL;
	struct db *db;
	PGresult *res = NULL;
	long long ttl = 0;
	int npos, rc = ADMIN_FAIL;

	if (opts_parse(argc, argv, opts, 2, pos, 0, &npos) == -1 ||
	    email == NULL ||
	    (ttl_s != NULL && arg_int(ttl_s, 1, TOKEN_TTL_MAX, &ttl) == -1)) {
		fprintf(stderr, "usage: pitwall-admin token --email E "
		    "[--ttl SECONDS (1..%lld)]\n", TOKEN_TTL_MAX);
		return ADMIN_USAGE;
	}
	actx_config(a, CONFIG_NEED_DB | CONFIG_NEED_JWT);
	if (ttl == 0)
		ttl = a->cfg.jwt_ttl_s;
	if ((db = actx_db(a)) == NULL)
		goto out;
	params[0] = email;
	res = db_exec(db, "SELECT id, role, banned FROM users"
	    " WHERE lower(email) = lower($1)", 1, params);
	if (res == NULL)
		goto out;
	if (PQntuples(res) != 1) {
		fprintf(stderr, "pitwall-admin: no user %s\n", email);
		goto out;
	}
	if (PQgetvalue(res, 0, 2)[0] == 't')
		fprintf(stderr, "pitwall-admin: warning: %s is banned; the "
		    "token will be refused until they are unbanned\n", email);
	tok = auth_jwt_issue(a->cfg.jwt_secret, a->cfg.jwt_issuer,
	    atoll(PQgetvalue(res, 0, 0)), PQgetvalue(res, 0, 1), (int)ttl,
	    time(NULL));
	if (tok == NULL)
		goto out;
	printf("%s\n", tok);
	rc = ADMIN_OK;
out:
	free(tok);
	PQclear(res);
	return rc;
}
