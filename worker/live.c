/*
 * Live push: after a batch is committed and Redis is current, tell the
 * browsers through nginx's nchan publisher on the internal listener
 * (LIVE_PUBLISH_URL/<channel>).  Best effort: a failed POST is ignored
 * (the page falls back to polling GET /submissions/{id}), and after a
 * failure the worker stops trying for a few seconds so a missing
 * publisher never slows the queue down.
 *
 * Channels: submissions/<id> (owner only; nginx asks the responders)
 * and leaderboard (public): the paths under /live/ browsers subscribe to.
 *
 * One batch makes one message per submission (all of its results in the
 * batch) and one per leaderboard, collected by live_submission() and
 * live_leaderboard() and sent together, concurrently over a few kept-alive
 * connections, by live_flush(): publishing costs the queue one bounded
 * wait per batch, not a round trip per result.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <json-c/json.h>

#include "extern.h"
#include "log.h"
#include "metrics.h"

#define LIVE_TIMEOUT_MS		500	/* one flush, all of its posts */
#define LIVE_BACKOFF_S		5
#define LIVE_CONNS		4	/* concurrent posts to the publisher */
#define LIVE_MAX_POSTS		1024	/* per flush; more are dropped */
#define LIVE_MAX_ROUNDS		16	/* distinct leaderboards per flush */

static CURLM *live_multi;
static struct curl_slist *live_hdr;
static CURL *live_easy[LIVE_MAX_POSTS];
static size_t live_n;		/* posts collected since the last flush */
static long long live_rounds[LIVE_MAX_ROUNDS];
static size_t live_nrounds;
static time_t live_off_until;

static size_t
discard(char *p, size_t sz, size_t n, void *arg)
{
	(void)p;
	(void)arg;
	return sz * n;
}

/* Whether publishing is configured and not paused after a failure. */
static int
live_on(const struct wctx *w)
{
	const char *base = w->cfg.live_publish_url;

	if (base == NULL || (strncmp(base, "http://", 7) != 0 &&
	    strncmp(base, "https://", 8) != 0))
		return 0;
	return time(NULL) >= live_off_until;
}

static int
live_init(void)
{
	if (live_multi != NULL)
		return 0;
	if ((live_multi = curl_multi_init()) == NULL)
		return -1;
	curl_multi_setopt(live_multi, CURLMOPT_MAX_HOST_CONNECTIONS,
	    (long)LIVE_CONNS);
	curl_multi_setopt(live_multi, CURLMOPT_MAX_TOTAL_CONNECTIONS,
	    (long)LIVE_CONNS);
	live_hdr = curl_slist_append(NULL, "Content-Type: application/json");
	live_hdr = curl_slist_append(live_hdr, "Accept: text/json");
	return live_hdr == NULL ? -1 : 0;
}

/* Queue a POST of body (copied) to <LIVE_PUBLISH_URL>/<channel>. */
static void
live_post(struct wctx *w, const char *channel, const char *body)
{
	char url[1024];
	CURL *e;

	if (live_n == LIVE_MAX_POSTS || live_init() == -1)
		return;
	if ((size_t)snprintf(url, sizeof(url), "%s/%s",
	    w->cfg.live_publish_url, channel) >= sizeof(url))
		return;
	if ((e = curl_easy_init()) == NULL)
		return;
	curl_easy_setopt(e, CURLOPT_URL, url);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, live_hdr);
	curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
	curl_easy_setopt(e, CURLOPT_COPYPOSTFIELDS, body);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)LIVE_TIMEOUT_MS);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, (long)LIVE_TIMEOUT_MS);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, discard);
	if (curl_multi_add_handle(live_multi, e) != CURLM_OK) {
		curl_easy_cleanup(e);
		return;
	}
	live_easy[live_n++] = e;
}

static json_object *
num_or_null(const char *s, int is_double)
{
	if (s == NULL || *s == '\0')
		return NULL;
	return is_double ? json_object_new_double(strtod(s, NULL)) :
	    json_object_new_int64(atoll(s));
}

/*
 * Collect the message of one submission: its state after the batch and
 * the results the batch stored (ev->results, JSON texts), for live_flush.
 */
void
live_submission(struct wctx *w, const struct live_event *ev)
{
	json_object *o, *arr;
	char channel[64];
	size_t i;

	if (!live_on(w))
		return;
	if ((o = json_object_new_object()) == NULL)
		return;
	json_object_object_add(o, "type", json_object_new_string(
	    ev->done ? "done" : "result"));
	json_object_object_add(o, "id", json_object_new_string(ev->sid));
	json_object_object_add(o, "status", json_object_new_string(ev->status));
	json_object_object_add(o, "total", num_or_null(ev->total, 0));
	json_object_object_add(o, "done", num_or_null(ev->ndone, 0));
	json_object_object_add(o, "passed", num_or_null(ev->passed, 0));
	json_object_object_add(o, "failed", num_or_null(ev->failed, 0));
	json_object_object_add(o, "score", ev->done ? num_or_null(ev->score, 1) : NULL);
	if ((arr = json_object_new_array()) != NULL) {
		for (i = 0; i < ev->nresults; i++) {
			json_object *r = json_tokener_parse(ev->results[i]);

			if (r != NULL)
				json_object_array_add(arr, r);
		}
		json_object_object_add(o, "results", arr);
	}
	snprintf(channel, sizeof(channel), "submissions/%s", ev->sid);
	live_post(w, channel,
	    json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
	if (ev->done && ev->round_id != NULL && *ev->round_id != '\0')
		live_leaderboard(w, atoll(ev->round_id));
}

/* Note that round_id's leaderboard changed: one message per flush. */
void
live_leaderboard(struct wctx *w, long long round_id)
{
	size_t i;

	if (!live_on(w))
		return;
	for (i = 0; i < live_nrounds; i++)
		if (live_rounds[i] == round_id)
			return;
	if (live_nrounds < LIVE_MAX_ROUNDS)
		live_rounds[live_nrounds++] = round_id;
}

/*
 * Send what was collected, concurrently, and wait for it (at most about
 * LIVE_TIMEOUT_MS).  Any failure pauses publishing for LIVE_BACKOFF_S.
 */
void
live_flush(struct wctx *w)
{
	char body[96];
	CURLMsg *m;
	size_t i;
	long code;
	int running = 1, left, failed = 0;
	const char *why = NULL;

	for (i = 0; i < live_nrounds; i++) {
		snprintf(body, sizeof(body),
		    "{\"type\":\"leaderboard\",\"round_id\":%lld}", live_rounds[i]);
		live_post(w, "leaderboard", body);
	}
	live_nrounds = 0;
	if (live_n == 0)
		return;
	while (running > 0) {
		if (curl_multi_perform(live_multi, &running) != CURLM_OK)
			break;
		if (running > 0 &&
		    curl_multi_poll(live_multi, NULL, 0, 100, NULL) != CURLM_OK)
			break;
	}
	while ((m = curl_multi_info_read(live_multi, &left)) != NULL) {
		if (m->msg != CURLMSG_DONE)
			continue;
		code = 0;
		if (m->data.result == CURLE_OK)
			curl_easy_getinfo(m->easy_handle, CURLINFO_RESPONSE_CODE,
			    &code);
		if (m->data.result != CURLE_OK || code < 200 || code >= 300) {
			failed++;
			if (why == NULL)
				why = m->data.result != CURLE_OK ?
				    curl_easy_strerror(m->data.result) : "refused";
		}
	}
	for (i = 0; i < live_n; i++) {
		curl_multi_remove_handle(live_multi, live_easy[i]);
		curl_easy_cleanup(live_easy[i]);
	}
	if (running > 0) {	/* curl multi failed with these unfinished */
		failed += running;
		if (why == NULL)
			why = "curl multi failed";
	}
	metrics_count(METRICS_LIVE_SENT, (long long)live_n - failed);
	metrics_count(METRICS_LIVE_FAILED, failed);
	if (failed > 0) {
		log_warn(NULL, "live publish: %d of %zu posts failed (%s); "
		    "pages poll instead for %d s", failed, live_n, why,
		    LIVE_BACKOFF_S);
		live_off_until = time(NULL) + LIVE_BACKOFF_S;
	}
	live_n = 0;
}
