/*
 * judge/runner_callback.c — the callback PUT of a finished submission
 * (libcurl).  Unlike Judge0, which tries 3 times on connection errors only
 * and counts any HTTP reply as delivered, we also retry on 5xx (a backend
 * restarting or overloaded), with exponential backoff, and log the final
 * failure.  4xx counts as delivered: retrying would not change it.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "log.h"
#include "service.h"

static size_t
discard_body(char *ptr, size_t size, size_t nmemb, void *arg)
{
	(void)ptr;
	(void)arg;
	return size * nmemb;
}

/* One PUT.  Returns the HTTP status, or -1 with err filled. */
static long
put_once(const char *url, const char *body, size_t len, long timeout_ms,
    char *err, size_t errsz)
{
	CURL	*c;
	struct curl_slist *h = NULL;
	char	 ebuf[CURL_ERROR_SIZE] = "";
	CURLcode rc;
	long	 code = -1;

	if ((c = curl_easy_init()) == NULL) {
		snprintf(err, errsz, "curl_easy_init failed");
		return -1;
	}
	h = curl_slist_append(h, "Content-Type: application/json");
	h = curl_slist_append(h, "Expect:");
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, "PUT");
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
	curl_easy_setopt(c, CURLOPT_USERAGENT, "pitwall-judge/" JUDGE0_VERSION);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard_body);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, ebuf);
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
#else
	curl_easy_setopt(c, CURLOPT_PROTOCOLS,
	    (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
	if ((rc = curl_easy_perform(c)) == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	else
		snprintf(err, errsz, "%s", ebuf[0] ? ebuf :
		    curl_easy_strerror(rc));
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	return code;
}

long
callback_put(const char *url, const char *body, size_t len, int tries,
    long timeout_ms, const char *token)
{
	struct timespec ts;
	char	 err[CURL_ERROR_SIZE + 32];
	long	 code = -1, delay_ms = 500;
	int	 i;

	for (i = 1; i <= tries; i++) {
		err[0] = '\0';
		code = put_once(url, body, len, timeout_ms, err, sizeof(err));
		if (code > 0 && code < 500)
			return code;
		if (code >= 500)
			snprintf(err, sizeof(err), "HTTP %ld", code);
		log_warn(NULL, "callback %s try %d/%d: %s", token, i, tries,
		    err);
		if (i == tries)
			break;
		ts.tv_sec = delay_ms / 1000;
		ts.tv_nsec = (delay_ms % 1000) * 1000000;
		nanosleep(&ts, NULL);
		if ((delay_ms *= 2) > 8000)
			delay_ms = 8000;
	}
	/* Not the query: it may hold the receiver's signature. */
	log_error(NULL, "callback %s to %.*s not delivered after %d tries: %s",
	    token, (int)strcspn(url, "?"), url, tries, err);
	return -1;
}
