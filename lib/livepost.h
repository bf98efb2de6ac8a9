/*
 * One POST to nchan's publisher location (the live push): the easy handle
 * both the responders (fcgi/live_pub.c, synchronous) and the worker
 * (worker/publish.c, on its curl multi) send.
 */
#ifndef PITWALL_LIVEPOST_H
#define PITWALL_LIVEPOST_H

#include <curl/curl.h>

/*
 * An easy handle that POSTs body (copied) to url with headers hdr (kept
 * by the caller until the transfer ends), bounded by timeout_ms to
 * connect and in all, no signals, the reply discarded.  NULL when curl
 * cannot make one.  Caller runs and frees it (curl_easy_cleanup).
 */
CURL	*livepost_easy(const char *url, struct curl_slist *hdr,
	    const char *body, long timeout_ms);

#endif
