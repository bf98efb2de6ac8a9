/*
 * Clarifications, the jury's side (role admin):
 *   GET  /admin/clarifications[?since=SEQ] -> [clarification]: every row,
 *        with user_id, user_name and answered_by, in the order they
 *        last changed
 *   POST /admin/clarifications {text, question_id?} -> 201 clarification:
 *        an announcement, for everyone
 *   GET  /admin/clarifications/{id}        -> clarification
 *   POST /admin/clarifications/{id}/answer {answer, public?} -> clarification:
 *        public false (the default) answers the asker only, true everyone
 *        (the question's text becomes public, never who asked); answering
 *        again replaces the answer; 409 for an announcement
 * Each change is pushed live (clar_publish) and moves the row's seq.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <libpq-fe.h>

#include "auth.h"
#include "extern.h"
#include "json.h"
#include "log.h"

static void
jury_list(struct req *r, const struct admin_args *a)
{
	clar_list_reply(r, CLAR_VIEW_JURY, a->who->user_id);
}

static void
jury_get(struct req *r, const struct admin_args *a)
{
	clar_one_reply(r, CLAR_VIEW_JURY, a->who->user_id, a->id, 200);
}

/* POST /admin/clarifications {text, question_id?} -> 201 announcement */
static void
jury_announce(struct req *r, const struct admin_args *a)
{
	clar_post_reply(r, a->who, 1);
}

/* POST /admin/clarifications/{id}/answer {answer, public?} -> clarification */
static void
jury_answer(struct req *r, const struct admin_args *a)
{
	json_object *body = NULL;
	const char *answer = NULL;
	int public = 0;
	char ibuf[24], ubuf[24];
	const char *p[4] = { ibuf, NULL, NULL, ubuf };
	PGresult *res = NULL;
	const struct jfield fields[] = {
		{ "answer", JF_STRING, 1, 1, CLAR_TEXT_BYTES, &answer, NULL },
		{ "public", JF_BOOL, 0, 0, 0, &public, NULL },
	};

	if (req_fields_or_reply(r, CLAR_ADMIN_BODY_BYTES, ADMIN_JSON_DEPTH,
	    fields, 2, &body) == -1)
		return;
	if (clar_text_or_reply(r, "answer", answer) == -1)
		goto out;
	snprintf(ibuf, sizeof(ibuf), "%lld", a->id);
	snprintf(ubuf, sizeof(ubuf), "%lld", a->who->user_id);
	if ((res = req_row_or_reply(r, "SELECT user_id IS NULL"
	    " FROM clarifications WHERE id = $1::bigint", 1, p,
	    "clarification")) == NULL)
		goto out;
	if (PQgetvalue(res, 0, 0)[0] == 't') {
		http_error(r, 409, "conflict",
		    "clarification %lld is an announcement: nothing to answer",
		    a->id);
		goto out;
	}
	p[1] = answer;
	p[2] = public ? "t" : "f";
	PQclear(res);
	if ((res = clar_write_or_reply(r, "UPDATE clarifications SET answer = $2,"
	    " public = $3::boolean, answered_by = $4::bigint,"
	    " answered_at = now(), seq = nextval('clarification_seq')"
	    " WHERE id = $1::bigint", 4, p)) == NULL)
		goto out;
	log_info(r->reqid, "admin %lld answered clarification %lld (%s)",
	    a->who->user_id, a->id, public ? "to everyone" : "privately");
	clar_publish(r, a->id);
	clar_one_reply(r, CLAR_VIEW_JURY, a->who->user_id, a->id, 200);
out:
	PQclear(res);
	json_object_put(body);
}

static const struct admin_route jury_routes[] = {
	{ "", METHOD_GET, jury_list },
	{ "", METHOD_POST, jury_announce },
	{ "/#", METHOD_GET, jury_get },
	{ "/#/answer", METHOD_POST, jury_answer },
};

void
route_admin_clarifications(struct req *r)
{
	admin_route_dispatch(r, "/admin/clarifications", jury_routes,
	    sizeof(jury_routes) / sizeof(jury_routes[0]));
}
