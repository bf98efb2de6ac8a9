/*
 * GET /languages -> [{id, name}]: the enabled languages, ordered by name.
 * Public (a token that is sent must be valid).  Served from the language
 * cache /submit and /run check (pitwall:languages, CACHE_TTL), so the list
 * agrees with what they accept; pitwall-admin language enable|disable
 * drops it.
 */
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "auth.h"
#include "cache.h"
#include "extern.h"

static int
by_name(const void *a, const void *b)
{
	const struct cache_language *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	return c != 0 ? c : (x->id > y->id) - (x->id < y->id);
}

void
route_languages(struct req *r)
{
	struct auth_claims who;
	struct cache_language *ls = NULL;
	json_object *arr;
	size_t n, i;

	if (req_auth_optional_or_reply(r, &who) == -1)
		return;
	if (cache_languages_get(r->w->redis, &r->w->db, r->cfg, &ls, &n) == -1) {
		http_error(r, 503, "unavailable", "language data is unavailable");
		return;
	}
	qsort(ls, n, sizeof(*ls), by_name);
	arr = json_object_new_array();
	for (i = 0; i < n; i++) {
		json_object *o;

		if (!ls[i].enabled)
			continue;
		o = json_object_new_object();
		json_object_object_add(o, "id", json_object_new_int(ls[i].id));
		json_object_object_add(o, "name", json_object_new_string(ls[i].name));
		json_object_array_add(arr, o);
	}
	http_reply_json(r, 200, arr);
	json_object_put(arr);
	free(ls);
}
