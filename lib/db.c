/*
 * PostgreSQL wrapper.  One struct db per thread: libpq connections must not
 * be shared between threads without locking.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "log.h"

struct db {
	PGconn	*conn;
	char	*conninfo;
	char	 timeout[16];
	int	 in_tx;
	unsigned long epoch;	/* bumped on every (re)connect */
};

static PGconn *
db_open(struct db *db)
{
	const char *keys[] = { "dbname", "connect_timeout",
	    "application_name", NULL };
	const char *vals[] = { db->conninfo, db->timeout, "pitwall", NULL };
	PGconn *c;

	/* expand_dbname=1: dbname may be a full conninfo string or URI. */
	c = PQconnectdbParams(keys, vals, 1);
	if (c == NULL || PQstatus(c) != CONNECTION_OK) {
		log_warn(NULL, "cannot connect to PostgreSQL: %s",
		    c ? PQerrorMessage(c) : "out of memory");
		PQfinish(c);
		return NULL;
	}
	return c;
}

struct db *
db_new(const char *conninfo, int timeout_s)
{
	struct db *db;

	if ((db = calloc(1, sizeof(*db))) == NULL)
		return NULL;
	if ((db->conninfo = strdup(conninfo)) == NULL) {
		free(db);
		return NULL;
	}
	snprintf(db->timeout, sizeof(db->timeout), "%d", timeout_s);
	db->conn = db_open(db);
	db->epoch = 1;
	return db;
}

void
db_free(struct db *db)
{
	if (db == NULL)
		return;
	PQfinish(db->conn);
	explicit_bzero(db->conninfo, strlen(db->conninfo));
	free(db->conninfo);
	free(db);
}

int
db_ensure(struct db *db)
{
	if (db->conn != NULL && PQstatus(db->conn) == CONNECTION_OK)
		return 0;
	db->in_tx = 0;
	if (db->conn != NULL) {
		PQreset(db->conn);
		if (PQstatus(db->conn) == CONNECTION_OK) {
			log_info(NULL, "reconnected to PostgreSQL");
			db->epoch++;
			return 0;
		}
		PQfinish(db->conn);
		db->conn = NULL;
	}
	if ((db->conn = db_open(db)) == NULL)
		return -1;
	db->epoch++;
	return 0;
}

unsigned long
db_epoch(struct db *db)
{
	return db->epoch;
}

PGconn *
db_conn(struct db *db)
{
	return db->conn;
}

PGresult *
db_exec(struct db *db, const char *sql, int nparams, const char *const *params)
{
	PGresult *res;
	ExecStatusType st;
	int tries;

	for (tries = 0; tries < 2; tries++) {
		if (db_ensure(db) == -1)
			return NULL;
		res = PQexecParams(db->conn, sql, nparams, NULL, params, NULL,
		    NULL, 0);
		st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
		if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)
			return res;
		if (PQstatus(db->conn) != CONNECTION_OK && !db->in_tx) {
			PQclear(res);
			continue;	/* server restarted: reconnect, retry once */
		}
		log_error(NULL, "query failed: %s [%.60s]",
		    res ? PQresultErrorMessage(res) : PQerrorMessage(db->conn), sql);
		PQclear(res);
		return NULL;
	}
	return NULL;
}

static int
db_simple(struct db *db, const char *sql)
{
	PGresult *res = db_exec(db, sql, 0, NULL);

	if (res == NULL)
		return -1;
	PQclear(res);
	return 0;
}

int
db_begin(struct db *db)
{
	if (db_simple(db, "BEGIN") == -1)
		return -1;
	db->in_tx = 1;
	return 0;
}

/* A COMMIT of a failed transaction "succeeds" as ROLLBACK: report -1. */
int
db_commit(struct db *db)
{
	PGresult *res = db_exec(db, "COMMIT", 0, NULL);
	int rc = -1;

	db->in_tx = 0;
	if (res == NULL)
		return -1;
	if (strcmp(PQcmdStatus(res), "COMMIT") == 0)
		rc = 0;
	else
		log_error(NULL, "transaction rolled back at COMMIT");
	PQclear(res);
	return rc;
}

void
db_rollback(struct db *db)
{
	if (db->conn != NULL && PQstatus(db->conn) == CONNECTION_OK) {
		PGresult *res = PQexec(db->conn, "ROLLBACK");
		PQclear(res);
	}
	db->in_tx = 0;
}

int
db_ping(struct db *db)
{
	return db_simple(db, "SELECT 1");
}
