/*
 * pitwall-admin events prune [--older-than MINUTES]: the Contest API's
 * event log (sql/011, api_events) without the events no reader needs.
 * The rule is api_prune() of sql/013 (docs/contest-api.md, "Event log
 * maintenance"): an event older than the bound goes when a later event
 * of the same object exists; the last event of every object stays.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "extern.h"

#define PRUNE_MINUTES_DEFAULT	"60"

static int
events_prune(struct actx *a, int argc, char *argv[])
{
	const char *older = PRUNE_MINUTES_DEFAULT, *p[1];
	const struct opt opts[] = { { "older-than", &older, NULL } };
	char *pos[1], gone[24];
	long long minutes;
	struct db *db;
	PGresult *res;
	int npos;

	if (opts_parse(argc, argv, opts, 1, pos, 0, &npos) == -1 ||
	    arg_int(older, 0, 525600, &minutes) == -1) {
		fprintf(stderr, "usage: pitwall-admin events prune"
		    " [--older-than MINUTES]   (0 to 525600, default "
		    PRUNE_MINUTES_DEFAULT ")\n");
		return ADMIN_USAGE;
	}
	actx_config(a, CONFIG_NEED_DB);
	if ((db = actx_db(a)) == NULL)
		return ADMIN_FAIL;
	p[0] = older;
	if ((res = db_exec(db, "SELECT api_prune(now() - $1::integer"
	    " * interval '1 minute')", 1, p)) == NULL) {
		fprintf(stderr, "pitwall-admin: the event log could not be"
		    " pruned\n");
		return ADMIN_FAIL;
	}
	snprintf(gone, sizeof(gone), "%s", PQgetvalue(res, 0, 0));
	PQclear(res);
	/* Apart: one statement would count with the snapshot before. */
	if ((res = db_exec(db, "SELECT count(*) FROM api_events", 0,
	    NULL)) == NULL)
		return ADMIN_FAIL;
	printf("events: %s pruned, %s kept\n", gone, PQgetvalue(res, 0, 0));
	PQclear(res);
	return ADMIN_OK;
}

int
cmd_events(struct actx *a, int argc, char *argv[])
{
	if (argc >= 1 && strcmp(argv[0], "prune") == 0)
		return events_prune(a, argc - 1, argv + 1);
	usage();
	return ADMIN_USAGE;
}
