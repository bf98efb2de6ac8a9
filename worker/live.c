/*
 * Live push: after a result is committed and Redis is current, tell the
 * browsers through nginx's nchan publisher on the internal listener
 * (LIVE_PUBLISH_URL/<channel>).  Best effort: a failed POST is ignored
 * (the page falls back to polling GET /submissions/{id}), and after a
 * failure the worker stops trying for a few seconds so a missing
 * publisher never slows the queue down.
 *
 * Channels: submissions/<id> (owner only; nginx asks the responders)
 * and leaderboard (public): the paths under /live/ browsers subscribe to.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <json-c/json.h>

#include "extern.h"
#include "log.h"

#define LIVE_TIMEOUT_MS		500
#define LIVE_BACKOFF_S		5

static CURL *live_curl;
static time_t live_off_until;

static size_t
discard(char *p, size_t sz, size_t n, void *arg)
{
	(void)p;
	(void)arg;
	return sz * n;
}

/* POST body to <LIVE_PUBLISH_URL>/<channel>.  0 / -1 (ignored by callers). */
static int
live_post(struct wctx *w, const char *channel, const char *body)
{
	const char *base = w->cfg.live_publish_url;
	struct curl_slist *hdr = NULL;
	char url[1024];
	long code = 0;
	CURLcode cc;
	time_t now;

	if (base == NULL || (strncmp(base, "http://", 7) != 0 &&
	    strncmp(base, "https://", 8) != 0))
		return 0;
	now = time(NULL);
	if (now < live_off_until)
		return -1;
	if ((size_t)snprintf(url, sizeof(url), "%s/%s", base, channel) >= sizeof(url))
		return -1;
	if (live_curl == NULL && (live_curl = curl_easy_init()) == NULL)
		return -1;
	curl_easy_reset(live_curl);
	hdr = curl_slist_append(hdr, "Content-Type: application/json");
	hdr = curl_slist_append(hdr, "Accept: text/json");
	curl_easy_setopt(live_curl, CURLOPT_URL, url);
	curl_easy_setopt(live_curl, CURLOPT_HTTPHEADER, hdr);
	curl_easy_setopt(live_curl, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(live_curl, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
	curl_easy_setopt(live_curl, CURLOPT_TIMEOUT_MS, (long)LIVE_TIMEOUT_MS);
	curl_easy_setopt(live_curl, CURLOPT_CONNECTTIMEOUT_MS, (long)LIVE_TIMEOUT_MS);
	curl_easy_setopt(live_curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(live_curl, CURLOPT_WRITEFUNCTION, discard);
	cc = curl_easy_perform(live_curl);
	curl_slist_free_all(hdr);
	if (cc == CURLE_OK)
		curl_easy_getinfo(live_curl, CURLINFO_RESPONSE_CODE, &code);
	if (cc != CURLE_OK || code < 200 || code >= 300) {
		log_warn(NULL, "live publish to %s failed (%s, HTTP %ld); "
		    "pages poll instead for %d s", channel,
		    cc != CURLE_OK ? curl_easy_strerror(cc) : "refused", code,
		    LIVE_BACKOFF_S);
		live_off_until = now + LIVE_BACKOFF_S;
		return -1;
	}
	return 0;
}

static json_object *
num_or_null(const char *s, int is_double)
{
	if (s == NULL || *s == '\0')
		return NULL;
	return is_double ? json_object_new_double(strtod(s, NULL)) :
	    json_object_new_int64(atoll(s));
}

void
live_publish_result(struct wctx *w, const struct live_event *ev)
{
	json_object *o, *res = NULL;
	char channel[64];

	if (*w->cfg.live_publish_url == '\0')
		return;
	if (ev->result_json != NULL)
		res = json_tokener_parse(ev->result_json);
	if ((o = json_object_new_object()) == NULL) {
		json_object_put(res);
		return;
	}
	json_object_object_add(o, "type", json_object_new_string(
	    ev->done ? "done" : "result"));
	json_object_object_add(o, "id", json_object_new_string(ev->sid));
	json_object_object_add(o, "status", json_object_new_string(ev->status));
	json_object_object_add(o, "total", num_or_null(ev->total, 0));
	json_object_object_add(o, "done", num_or_null(ev->ndone, 0));
	json_object_object_add(o, "passed", num_or_null(ev->passed, 0));
	json_object_object_add(o, "failed", num_or_null(ev->failed, 0));
	json_object_object_add(o, "score", ev->done ? num_or_null(ev->score, 1) : NULL);
	json_object_object_add(o, "result", res);
	snprintf(channel, sizeof(channel), "submissions/%s", ev->sid);
	(void)live_post(w, channel,
	    json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
	if (ev->done && ev->round_id != NULL) {
		if ((o = json_object_new_object()) == NULL)
			return;
		json_object_object_add(o, "type", json_object_new_string("leaderboard"));
		json_object_object_add(o, "round_id", num_or_null(ev->round_id, 0));
		(void)live_post(w, "leaderboard",
		    json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
		json_object_put(o);
	}
}

