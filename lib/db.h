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

/* The raw connection (valid until the next db_ensure/db_free). */
PGconn		*db_conn(struct db *db);

/*
 * Changes whenever the session is new (connect, reconnect): prepared
 * statements made before are gone.
 */
unsigned long	 db_epoch(struct db *db);

/*
 * Run a parameterised statement (text params, NULL for SQL NULL).  Returns
 * the result on PGRES_COMMAND_OK / PGRES_TUPLES_OK (caller PQclear()s it),
 * NULL on error (logged, with the SQLSTATE in *sqlstate when not NULL).
 * A broken connection is reset once and the statement retried, but only
 * outside a transaction.
 */
PGresult	*db_exec(struct db *db, const char *sql, int nparams,
		    const char *const *params);

/* BEGIN / COMMIT / ROLLBACK.  0 / -1. */
int		 db_begin(struct db *db);
int		 db_commit(struct db *db);
void		 db_rollback(struct db *db);

/* "SELECT 1" round trip: 0 when PostgreSQL answers. */
int		 db_ping(struct db *db);

#endif
