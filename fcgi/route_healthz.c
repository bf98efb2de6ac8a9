/*
 * GET /healthz -> 200 {"status":"ok","postgres":"up","redis":"up"}
 *              or 503 with the failing dependency "down".
 */
#include <json-c/json.h>

#include "db.h"
#include "extern.h"
#include "redis.h"

void
route_healthz(struct req *r)
{
	struct worker_ctx *w = r->w;
	json_object *o;
	int pg_ok, redis_ok;

	if (w->db == NULL)
		w->db = db_new(r->cfg->database_url, r->cfg->db_connect_timeout_s);
	pg_ok = w->db != NULL && db_ping(w->db) == 0;
	redis_ok = redis_ping(w->redis) == 0;

	o = json_object_new_object();
	json_object_object_add(o, "status",
	    json_object_new_string(pg_ok && redis_ok ? "ok" : "degraded"));
	json_object_object_add(o, "postgres", json_object_new_string(pg_ok ? "up" : "down"));
	json_object_object_add(o, "redis", json_object_new_string(redis_ok ? "up" : "down"));
	http_reply_json(r, pg_ok && redis_ok ? 200 : 503, o);
	json_object_put(o);
}
