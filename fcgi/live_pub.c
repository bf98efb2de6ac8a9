/*
 * Live push from the responders: one POST to nginx's nchan publisher on
 * the internal listener (LIVE_PUBLISH_URL/<channel>), as the worker does
 * for results (worker/publish.c).  The responders publish clarifications
 * (fcgi/clar_req.c), a few a minute in a contest, so one short blocking
 * POST per message on the request's thread is enough.  Best effort: the
 * page also polls, so a failure is logged and ignored.
 */
#include <stdio.h>
#include <string.h>

#include <curl/curl.h>
#include <json-c/json.h>

#include "extern.h"
#include "livepost.h"
#include "log.h"
#include "metrics.h"

#define LIVE_PUB_TIMEOUT_MS	500

/*
 * POST msg (JSON) to <LIVE_PUBLISH_URL>/<channel>.  0, or -1 when
 * publishing is off or failed (logged).  msg stays the caller's.
 */
int
live_publish(struct req *r, const char *channel, json_object *msg)
{
	const char *base = r->cfg->live_publish_url, *body;
	struct curl_slist *hdr = NULL;
	char url[1024];
	CURL *e = NULL;
	CURLcode cc;
	long code = 0;
	int rc = -1;

	if (base == NULL || (strncmp(base, "http://", 7) != 0 &&
	    strncmp(base, "https://", 8) != 0))
		return -1;
	if ((size_t)snprintf(url, sizeof(url), "%s/%s", base, channel) >=
	    sizeof(url))
		return -1;
	body = json_object_to_json_string_ext(msg,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	if ((hdr = curl_slist_append(NULL, "Content-Type: application/json")) == NULL ||
	    (e = livepost_easy(url, hdr, body, LIVE_PUB_TIMEOUT_MS)) == NULL)
		goto out;
	cc = curl_easy_perform(e);
	if (cc == CURLE_OK)
		curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &code);
	if (cc != CURLE_OK || code < 200 || code >= 300) {
		log_warn(r->reqid, "live publish to %s failed (%s); pages poll",
		    channel, cc != CURLE_OK ? curl_easy_strerror(cc) : "refused");
		goto out;
	}
	rc = 0;
out:
	metrics_count(rc == 0 ? METRICS_LIVE_SENT : METRICS_LIVE_FAILED, 1);
	curl_slist_free_all(hdr);
	curl_easy_cleanup(e);
	return rc;
}
