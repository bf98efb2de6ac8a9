/*
 * User accounts: field checks, creation, CSV rows (see account.h).
 * Shared by pitwall-admin (admin/user.c) and the /admin/users routes.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "account.h"
#include "auth.h"
#include "db.h"
#include "json.h"

/* The schema's CHECK: ^[^@\s]+@[^@\s]+$, at most 254 bytes. */
const char *
account_email_check(const char *email)
{
	const char *at, *s;

	if (email == NULL || *email == '\0')
		return "email is empty";
	if (strlen(email) > 254)
		return "email is longer than 254 bytes";
	if (!utf8_valid(email, strlen(email)))
		return "email is not valid UTF-8";
	for (s = email; *s != '\0'; s++)
		if (isspace((unsigned char)*s))
			return "email contains white space";
	at = strchr(email, '@');
	if (at == NULL || at == email || at[1] == '\0' || strchr(at + 1, '@'))
		return "email must look like name@host";
	return NULL;
}

/* 1..200 characters (the schema counts characters, not bytes). */
const char *
account_name_check(const char *name)
{
	size_t len, chars = 0, i;

	if (name == NULL || *name == '\0')
		return "name is empty";
	len = strlen(name);
	if (!utf8_valid(name, len))
		return "name is not valid UTF-8";
	for (i = 0; i < len; i++)
		if (((unsigned char)name[i] & 0xc0) != 0x80)
			chars++;
	if (chars > 200)
		return "name is longer than 200 characters";
	for (i = 0; i < len; i++)
		if ((unsigned char)name[i] < 0x20 || name[i] == 0x7f)
			return "name contains control characters";
	return NULL;
}

const char *
account_password_check(const char *password)
{
	size_t len;

	if (password == NULL)
		return "password is missing";
	len = strlen(password);
	if (len < ACCOUNT_PASSWORD_MIN)
		return "password is shorter than 8 bytes";
	if (len > ACCOUNT_PASSWORD_MAX)
		return "password is longer than 1024 bytes";
	return NULL;
}

const char *
account_role_check(const char *role)
{
	if (strcmp(role, "contestant") != 0 && strcmp(role, "admin") != 0)
		return "role must be contestant or admin";
	return NULL;
}

/* The hash is computed only for new emails, so a re-run import does not
 * spend Argon2 time on existing users. */
int
account_create(struct db *db, const char *email, const char *name,
    const char *password, const char *role, long long *idp)
{
	char hash[crypto_pwhash_STRBYTES];
	const char *params[4];
	PGresult *res = NULL;
	int rc = -1;

	params[0] = email;
	res = db_exec(db, "SELECT id FROM users WHERE lower(email) = lower($1)",
	    1, params);
	if (res == NULL)
		goto out;
	if (PQntuples(res) > 0) {
		*idp = atoll(PQgetvalue(res, 0, 0));
		rc = 0;
		goto out;
	}
	PQclear(res);
	res = NULL;
	if (auth_password_hash(password, hash, sizeof(hash)) == -1)
		goto out;
	params[1] = name;
	params[2] = hash;
	params[3] = role;
	/* The unique index on lower(email) settles a concurrent insert. */
	res = db_exec(db,
	    "INSERT INTO users (email, name, password_hash, role)"
	    " VALUES ($1, $2, $3, $4)"
	    " ON CONFLICT ((lower(email))) DO NOTHING RETURNING id", 4, params);
	if (res == NULL)
		goto out;
	if (PQntuples(res) == 0) {
		rc = 0;
		goto out;
	}
	*idp = atoll(PQgetvalue(res, 0, 0));
	rc = 1;
out:
	sodium_memzero(hash, sizeof(hash));
	PQclear(res);
	return rc;
}

int
account_password_set(struct db *db, long long uid, const char *password)
{
	char hash[crypto_pwhash_STRBYTES], id[24];
	const char *params[2] = { id, hash };
	PGresult *res = NULL;
	int rc = -1;

	snprintf(id, sizeof(id), "%lld", uid);
	if (auth_password_hash(password, hash, sizeof(hash)) == -1)
		goto out;
	if ((res = db_exec(db, "UPDATE users SET password_hash = $2"
	    " WHERE id = $1 RETURNING id", 2, params)) == NULL)
		goto out;
	rc = PQntuples(res) == 1 ? 1 : 0;
out:
	sodium_memzero(hash, sizeof(hash));
	PQclear(res);
	return rc;
}

int
account_csv_split(char *line, char *f[], int maxf, const char *toomany,
    const char **why)
{
	char *r = line, *w;
	int n = 0;

	for (;;) {
		if (n == maxf) {
			*why = toomany;
			return -1;
		}
		f[n++] = w = r;
		if (*r == '"') {
			r++;
			for (;;) {
				if (*r == '\0') {
					*why = "unterminated quoted field";
					return -1;
				}
				if (*r == '"' && r[1] == '"') {
					*w++ = '"';
					r += 2;
				} else if (*r == '"') {
					r++;
					break;
				} else
					*w++ = *r++;
			}
			if (*r != ',' && *r != '\0') {
				*why = "text after a closing quote";
				return -1;
			}
		} else {
			while (*r != ',' && *r != '\0') {
				if (*r == '"') {
					*why = "quote inside an unquoted field";
					return -1;
				}
				*w++ = *r++;
			}
		}
		if (*r == '\0') {
			*w = '\0';
			return n;
		}
		r++;	/* the comma */
		*w = '\0';
	}
}

char *
account_csv_trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
		*--e = '\0';
	return s;
}

int
account_csv_row(char *line, long lineno, struct account_row *out,
    const char **why)
{
	char *f[4];
	int nf;

	memset(out, 0, sizeof(*out));
	if (line[strspn(line, " \t")] == '\0')
		return 1;
	if (strlen(line) > ACCOUNT_CSV_LINE_MAX) {
		*why = "line longer than 4096 bytes";
		return -1;
	}
	if ((nf = account_csv_split(line, f, 4,
	    "too many fields (expected email,name,password[,role])", why)) == -1)
		return -1;
	if (lineno == 1 && strcasecmp(account_csv_trim(f[0]), "email") == 0)
		return 1;	/* header */
	if (nf < 3) {
		*why = "expected email,name,password[,role]";
		return -1;
	}
	out->email = account_csv_trim(f[0]);
	out->name = account_csv_trim(f[1]);
	out->password = f[2];
	out->role = nf == 4 && *account_csv_trim(f[3]) != '\0' ?
	    account_csv_trim(f[3]) : "contestant";
	if ((*why = account_email_check(out->email)) != NULL ||
	    (*why = account_name_check(out->name)) != NULL ||
	    (*why = account_password_check(out->password)) != NULL ||
	    (*why = account_role_check(out->role)) != NULL)
		return -1;
	return 0;
}
