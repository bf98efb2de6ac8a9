/*
 * Clarifications, the contestant's side (any user):
 *   GET  /clarifications[?since=SEQ]  -> [clarification]: the caller's own
 *        questions and the public rows, in the order they last changed
 *        (seq ascending); ?since keeps those changed after a seq (polling)
 *   POST /clarifications {question_id?, text} -> 201 clarification
 *        (CLAR_RATE_PER_MIN per user, 429 past it)
 *   GET  /clarifications/{id}         -> clarification; 404 unless it is
 *        the caller's or public
 * clarification = {id, seq, kind: question|announcement, question_id,
 * question, text, answer, public, created_at, answered_at, mine}.
 * The jury's side is fcgi/route_admin_clarifications.c.
 */
#include "auth.h"
#include "extern.h"

static void
clar_list(struct req *r, const struct admin_args *a)
{
	clar_list_reply(r, CLAR_VIEW_USER, a->who->user_id);
}

static void
clar_get(struct req *r, const struct admin_args *a)
{
	clar_one_reply(r, CLAR_VIEW_USER, a->who->user_id, a->id, 200);
}

/* POST /clarifications {question_id?, text} -> 201 clarification */
static void
clar_ask(struct req *r, const struct admin_args *a)
{
	clar_post_reply(r, a->who, 0);
}

static const struct admin_route clar_routes[] = {
	{ "", METHOD_GET, clar_list },
	{ "", METHOD_POST, clar_ask },
	{ "/#", METHOD_GET, clar_get },
};

void
route_clarifications(struct req *r)
{
	struct auth_claims who;

	if (req_auth_or_reply(r, &who) == -1)
		return;
	admin_route_run(r, &who, "/clarifications", clar_routes,
	    sizeof(clar_routes) / sizeof(clar_routes[0]));
}
