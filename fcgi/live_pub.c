/*
 * Live push from the responders: a POST to nginx's nchan publisher on
 * the internal listener of every app host (LIVE_PUBLISH_URL's list,
 * <URL>/<channel> each), as the worker does for results
 * (worker/publish.c).  The responders publish clarifications
 * (fcgi/clar_req.c), a few a minute in a contest, so a short blocking
 * wait per message on the request's thread (its POSTs concurrent, one per
 * publisher) is enough.  Best effort: the page also polls, so a failure
 * is logged and ignored, and one publisher's does not stop the others.
 */
#include <json-c/json.h>

#include "extern.h"
#include "livepost.h"
#include "log.h"
#include "metrics.h"

#define LIVE_PUB_TIMEOUT_MS	500

/*
 * POST msg (JSON) to <publisher>/<channel> of every publisher of
 * LIVE_PUBLISH_URL (one per app host's nginx), concurrently.  0, or -1
 * when publishing is off or a post failed (logged; the others went on).
 * msg stays the caller's.
 */
int
live_publish(struct req *r, const char *channel, json_object *msg)
{
	struct livepost_result res;
	const char *body;

	body = json_object_to_json_string_ext(msg,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	if (livepost_send(r->cfg->live_publish_url, channel, body,
	    LIVE_PUB_TIMEOUT_MS, &res) == -1) {
		log_warn(r->reqid, "live publish to %s: curl failed", channel);
		metrics_count(METRICS_LIVE_FAILED, 1);
		return -1;
	}
	if (res.tried == 0)
		return -1;
	metrics_count(METRICS_LIVE_SENT, (long long)(res.tried - res.failed));
	metrics_count(METRICS_LIVE_FAILED, (long long)res.failed);
	if (res.failed > 0) {
		log_warn(r->reqid, "live publish to %s: %zu of %zu publishers "
		    "failed (%s); pages poll", channel, res.failed, res.tried,
		    res.why);
		return -1;
	}
	return 0;
}
