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
	unsigned long prep_epoch;	/* session prep_mask is about */
	unsigned long long prep_mask;	/* db_execp() ids prepared there */
};

/*
 * SQLSTATE classes that say "the server or the connection, not this
 * statement": the same statement may succeed later, so callers retry
 * (the worker keeps the job, a responder answers 503) rather than blame
 * the data.  Every other class (22 data, 23 constraint, 42 syntax …) is
 * the statement's own.
 */
static const char *const transient_classes[] = {
	"08",	/* connection exception */
	"26",	/* invalid statement name: prepared statement gone */
	"40",	/* transaction rollback: deadlock, serialization */
	"53",	/* insufficient resources */
	"57",	/* operator intervention: shutdown, cancel */
	"58",	/* system error */
	"XX",	/* internal error */
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

int
db_error_transient(const char *sqlstate)
{
	size_t i;

	if (sqlstate == NULL || strlen(sqlstate) != 5)
		return 1;	/* no SQLSTATE: the connection, not the server */
	for (i = 0; i < sizeof(transient_classes) /
	    sizeof(transient_classes[0]); i++)
		if (strncmp(sqlstate, transient_classes[i], 2) == 0)
			return 1;
	return 0;
}

void
db_err_fill(struct db *db, const PGresult *res, struct db_err *err)
{
	const char *state, *msg;

	state = res != NULL ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	msg = res != NULL ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) :
	    NULL;
	if (msg == NULL)
		msg = db->conn != NULL ? PQerrorMessage(db->conn) : "";
	snprintf(err->sqlstate, sizeof(err->sqlstate), "%s",
	    state != NULL ? state : "");
	snprintf(err->message, sizeof(err->message), "%s",
	    *msg != '\0' ? msg : "database error");
	/* Trailing newline of libpq's own messages. */
	err->message[strcspn(err->message, "\n")] = '\0';
	err->transient = db->conn == NULL ||
	    PQstatus(db->conn) != CONNECTION_OK ||
	    db_error_transient(state);
}

/* 0 when res holds a successful command or query result. */
static int
db_ok(const PGresult *res)
{
	ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;

	return st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK ? 0 : -1;
}

PGresult *
db_exec_err(struct db *db, const char *sql, int nparams,
    const char *const *params, struct db_err *err)
{
	struct db_err mine;
	PGresult *res;
	int tries;

	if (err == NULL)
		err = &mine;
	for (tries = 0; tries < 2; tries++) {
		/* A transaction does not survive a reconnect: never run
		 * the rest of one outside it. */
		if (db->in_tx && (db->conn == NULL ||
		    PQstatus(db->conn) != CONNECTION_OK)) {
			db_err_fill(db, NULL, err);
			goto fail;
		}
		if (db_ensure(db) == -1) {
			db_err_fill(db, NULL, err);
			goto fail;
		}
		res = PQexecParams(db->conn, sql, nparams, NULL, params, NULL,
		    NULL, 0);
		if (db_ok(res) == 0)
			return res;
		db_err_fill(db, res, err);
		PQclear(res);
		if (PQstatus(db->conn) != CONNECTION_OK && !db->in_tx)
			continue;	/* server restarted: reconnect, retry once */
		goto fail;
	}
fail:
	if (err == &mine)
		log_error(NULL, "query failed (%s): %s [%.60s]",
		    *err->sqlstate ? err->sqlstate : "-", err->message, sql);
	return NULL;
}

PGresult *
db_exec(struct db *db, const char *sql, int nparams, const char *const *params)
{
	return db_exec_err(db, sql, nparams, params, NULL);
}

PGresult *
db_execp(struct db *db, const struct db_stmt *s, const char *const *params,
    struct db_err *err)
{
	PGresult *res;

	if (db->conn == NULL || PQstatus(db->conn) != CONNECTION_OK ||
	    s->id >= 64) {
		db_err_fill(db, NULL, err);
		err->transient = 1;
		return NULL;
	}
	if (db->prep_epoch != db->epoch) {
		db->prep_epoch = db->epoch;
		db->prep_mask = 0;
	}
	if (!(db->prep_mask & (1ull << s->id))) {
		res = PQprepare(db->conn, s->name, s->sql, s->nparams, NULL);
		if (db_ok(res) == -1) {
			db_err_fill(db, res, err);
			PQclear(res);
			/* A statement that cannot be prepared is our bug,
			 * not the data's: never blame a job for it. */
			err->transient = 1;
			return NULL;
		}
		PQclear(res);
		db->prep_mask |= 1ull << s->id;
	}
	res = PQexecPrepared(db->conn, s->name, s->nparams, params, NULL, NULL,
	    0);
	if (db_ok(res) == 0)
		return res;
	db_err_fill(db, res, err);
	if (strncmp(err->sqlstate, "26", 2) == 0)
		db->prep_mask = 0;	/* gone (DISCARD ALL?): prepare again */
	PQclear(res);
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
