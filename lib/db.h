/*
 * PostgreSQL (libpq) wrapper: connect with a timeout, reconnect after the
 * server restarts, parameterised queries, transactions.
 */
#ifndef PITWALL_DB_H
#define PITWALL_DB_H

#include <libpq-fe.h>

struct db;

/* Connect (or remember the settings and fail lazily).  Owned: db_free(). */
struct db	*db_new(const char *conninfo, int timeout_s);
void		 db_free(struct db *db);

/* Make sure the connection is up, reconnecting when it broke.  0 / -1. */
int		 db_ensure(struct db *db);

/* What made a statement fail. */
struct db_err {
	char	sqlstate[6];	/* "" when there is none (connection lost) */
	int	transient;	/* the server or connection, not the statement:
				 * the same statement may succeed later */
	char	message[256];	/* PostgreSQL's primary message, or libpq's */
};

/*
 * Whether an error with this SQLSTATE is transient (see struct db_err):
 * 1 for the connection, resource, shutdown, deadlock/serialization,
 * system and internal error classes and for NULL (no SQLSTATE), 0 for
 * everything else (bad data, constraints, syntax …).  The one list of
 * retryable codes.
 */
int		 db_error_transient(const char *sqlstate);

/* Describe the failed result res (NULL: none) of db's connection. */
void		 db_err_fill(struct db *db, const PGresult *res,
		    struct db_err *err);

/*
 * Run a parameterised statement (text params, NULL for SQL NULL).  Returns
 * the result on PGRES_COMMAND_OK / PGRES_TUPLES_OK (caller PQclear()s it),
 * NULL on error: logged by db_exec(), described in *err and not logged by
 * db_exec_err() (the caller knows whether it is worth a log line).
 * A broken connection is reset once and the statement retried, but only
 * outside a transaction.
 */
PGresult	*db_exec(struct db *db, const char *sql, int nparams,
		    const char *const *params);
PGresult	*db_exec_err(struct db *db, const char *sql, int nparams,
		    const char *const *params, struct db_err *err);

/*
 * A statement prepared once per session: after a reconnect it is
 * prepared again.  id (< 64) is unique per program.
 */
struct db_stmt {
	unsigned	 id;
	const char	*name;
	const char	*sql;
	int		 nparams;
};

/*
 * Run prepared statement s, never reconnecting (it is meant for a
 * transaction the caller rolls back on failure).  As db_exec_err();
 * a failure to prepare counts as transient.
 */
PGresult	*db_execp(struct db *db, const struct db_stmt *s,
		    const char *const *params, struct db_err *err);

/* BEGIN / COMMIT / ROLLBACK.  0 / -1. */
int		 db_begin(struct db *db);
int		 db_commit(struct db *db);
void		 db_rollback(struct db *db);

/* "SELECT 1" round trip: 0 when PostgreSQL answers. */
int		 db_ping(struct db *db);

#endif
