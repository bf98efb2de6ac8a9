/*
 * The live push's POSTs to nchan: LIVE_PUBLISH_URL is a list of
 * publishers (one per app host's nginx, docs/hosts.md), and every message
 * goes to each of them.  The one fan-out both the responders and admin
 * (livepost_send, synchronous) and the worker (livepost_add and
 * livepost_run on its own curl multi, worker/publish.c) use.
 */
#ifndef PITWALL_LIVEPOST_H
#define PITWALL_LIVEPOST_H

#include <stddef.h>

#include <curl/curl.h>

#define LIVEPOST_MAX		8	/* publishers in LIVE_PUBLISH_URL */
#define LIVEPOST_URL_MAX	512	/* one publisher's base URL */

/*
 * LIVE_PUBLISH_URL parsed: each publisher's base URL (http:// or
 * https://, without a trailing '/'), in the order given.
 */
struct livepost_urls {
	size_t	n;
	char	url[LIVEPOST_MAX][LIVEPOST_URL_MAX];
};

/* What livepost_run saw of the posts it ran. */
struct livepost_result {
	size_t		 tried;		/* posts run */
	size_t		 failed;	/* of them: no reply, or not 2xx */
	unsigned	 failed_mask;	/* bit i: a post to publisher i failed */
	const char	*why;		/* the first failure's reason (static) */
};

/*
 * Parse list (comma separated, blanks around items ignored) into *u.
 * Empty items, items that are not http(s) URLs and items longer than
 * LIVEPOST_URL_MAX are skipped, as is every item past LIVEPOST_MAX: the
 * push is off with none (an empty LIVE_PUBLISH_URL).  Returns u->n.
 */
size_t	 livepost_parse(struct livepost_urls *u, const char *list);

/*
 * An easy handle that POSTs body (copied) to url with headers hdr (kept
 * by the caller until the transfer ends), bounded by timeout_ms to
 * connect and in all, no signals, the reply discarded.  NULL when curl
 * cannot make one.  Caller runs and frees it (curl_easy_cleanup).
 */
CURL	*livepost_easy(const char *url, struct curl_slist *hdr,
	    const char *body, long timeout_ms);

/*
 * Add to multi one POST of body to <publisher>/<channel> for each
 * publisher i of u that is not paused (paused NULL, or paused[i] zero),
 * at most max of them, stored in out[].  Each handle remembers its i
 * (livepost_run's failed_mask).  Returns how many were added; the
 * caller runs them with livepost_run.
 */
size_t	 livepost_add(CURLM *multi, const struct livepost_urls *u,
	    const int *paused, const char *channel, struct curl_slist *hdr,
	    const char *body, long timeout_ms, CURL **out, size_t max);

/*
 * Run the n posts e[] added to multi until each is done or has timed out,
 * then remove and free every one of them.  *res tells what happened.
 */
void	 livepost_run(CURLM *multi, CURL **e, size_t n,
	    struct livepost_result *res);

/*
 * POST body (JSON) to <publisher>/<channel> of every publisher in list,
 * concurrently, and wait for them (about timeout_ms at most in all).
 * Best effort: a publisher that fails does not stop the others.  0, or
 * -1 when curl could not start (res->tried is then 0); *res tells how
 * many posts were tried and failed.
 */
int	 livepost_send(const char *list, const char *channel,
	    const char *body, long timeout_ms, struct livepost_result *res);

#endif
