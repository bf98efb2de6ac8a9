/*
 * The live push's POSTs to nchan, to every publisher of LIVE_PUBLISH_URL
 * (lib/livepost.h).
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "livepost.h"

static size_t
discard(char *p, size_t sz, size_t n, void *arg)
{
	(void)p;
	(void)arg;
	return sz * n;
}

size_t
livepost_parse(struct livepost_urls *u, const char *list)
{
	const char *p = list, *end, *a, *b;
	size_t len;

	u->n = 0;
	while (p != NULL && *p != '\0' && u->n < LIVEPOST_MAX) {
		if ((end = strchr(p, ',')) == NULL)
			end = p + strlen(p);
		for (a = p; a < end && (*a == ' ' || *a == '\t'); a++)
			continue;
		for (b = end; b > a && (b[-1] == ' ' || b[-1] == '\t' ||
		    b[-1] == '/'); b--)
			continue;
		len = (size_t)(b - a);
		p = *end == ',' ? end + 1 : end;
		if (len == 0 || len >= LIVEPOST_URL_MAX ||
		    (strncmp(a, "http://", 7) != 0 &&
		    strncmp(a, "https://", 8) != 0) ||
		    memchr(a, ' ', len) != NULL)
			continue;
		memcpy(u->url[u->n], a, len);
		u->url[u->n][len] = '\0';
		u->n++;
	}
	return u->n;
}

CURL *
livepost_easy(const char *url, struct curl_slist *hdr, const char *body,
    long timeout_ms)
{
	CURL *e;

	if ((e = curl_easy_init()) == NULL)
		return NULL;
	curl_easy_setopt(e, CURLOPT_URL, url);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, hdr);
	curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
	curl_easy_setopt(e, CURLOPT_COPYPOSTFIELDS, body);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, timeout_ms);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, discard);
	return e;
}

size_t
livepost_add(CURLM *multi, const struct livepost_urls *u, const int *paused,
    const char *channel, struct curl_slist *hdr, const char *body,
    long timeout_ms, CURL **out, size_t max)
{
	char url[LIVEPOST_URL_MAX + 256];
	size_t i, n = 0;
	CURL *e;

	for (i = 0; i < u->n && n < max; i++) {
		if (paused != NULL && paused[i])
			continue;
		if ((size_t)snprintf(url, sizeof(url), "%s/%s", u->url[i],
		    channel) >= sizeof(url))
			continue;
		if ((e = livepost_easy(url, hdr, body, timeout_ms)) == NULL)
			continue;
		curl_easy_setopt(e, CURLOPT_PRIVATE, (void *)(uintptr_t)i);
		if (curl_multi_add_handle(multi, e) != CURLM_OK) {
			curl_easy_cleanup(e);
			continue;
		}
		out[n++] = e;
	}
	return n;
}

/* The publisher index livepost_add gave e. */
static size_t
target(CURL *e)
{
	char *p = NULL;

	curl_easy_getinfo(e, CURLINFO_PRIVATE, &p);
	return (size_t)(uintptr_t)p % LIVEPOST_MAX;
}

void
livepost_run(CURLM *multi, CURL **e, size_t n, struct livepost_result *res)
{
	size_t posts[LIVEPOST_MAX] = { 0 }, ok[LIVEPOST_MAX] = { 0 }, i;
	int running = 1, left;
	CURLMsg *m;
	long code;

	memset(res, 0, sizeof(*res));
	res->tried = n;
	if (n == 0)
		return;
	while (running > 0) {
		if (curl_multi_perform(multi, &running) != CURLM_OK)
			break;
		if (running > 0 &&
		    curl_multi_poll(multi, NULL, 0, 100, NULL) != CURLM_OK)
			break;
	}
	while ((m = curl_multi_info_read(multi, &left)) != NULL) {
		if (m->msg != CURLMSG_DONE)
			continue;
		code = 0;
		if (m->data.result == CURLE_OK)
			curl_easy_getinfo(m->easy_handle, CURLINFO_RESPONSE_CODE,
			    &code);
		if (m->data.result == CURLE_OK && code >= 200 && code < 300)
			ok[target(m->easy_handle)]++;
		else if (res->why == NULL)
			res->why = m->data.result != CURLE_OK ?
			    curl_easy_strerror(m->data.result) : "refused";
	}
	/* What did not finish (curl multi failed) counts as failed too. */
	for (i = 0; i < n; i++) {
		posts[target(e[i])]++;
		curl_multi_remove_handle(multi, e[i]);
		curl_easy_cleanup(e[i]);
	}
	for (i = 0; i < LIVEPOST_MAX; i++)
		if (ok[i] < posts[i]) {
			res->failed += posts[i] - ok[i];
			res->failed_mask |= 1u << i;
		}
	if (res->failed > 0 && res->why == NULL)
		res->why = "curl multi failed";
}

int
livepost_send(const char *list, const char *channel, const char *body,
    long timeout_ms, struct livepost_result *res)
{
	struct livepost_urls u;
	struct curl_slist *hdr = NULL;
	CURL *e[LIVEPOST_MAX];
	CURLM *multi = NULL;
	size_t n;
	int rc = -1;

	memset(res, 0, sizeof(*res));
	if (livepost_parse(&u, list) == 0)
		return 0;
	if ((hdr = curl_slist_append(NULL, "Content-Type: application/json")) == NULL ||
	    (multi = curl_multi_init()) == NULL)
		goto out;
	n = livepost_add(multi, &u, NULL, channel, hdr, body, timeout_ms, e,
	    LIVEPOST_MAX);
	livepost_run(multi, e, n, res);
	/* A publisher whose handle could not be made counts as failed. */
	if (n < u.n) {
		res->failed += u.n - n;
		res->tried = u.n;
		if (res->why == NULL)
			res->why = "no curl handle";
	}
	rc = 0;
out:
	curl_multi_cleanup(multi);
	curl_slist_free_all(hdr);
	return rc;
}
