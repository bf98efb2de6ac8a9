/*
 * GET /metrics -> 200 text/plain; version=0.0.4 (Prometheus exposition)
 *
 * Only on the internal listener: nginx sets PITWALL_LISTENER "internal"
 * there, and the public listener answers 404 before we are asked; this
 * check keeps it so if a location is ever added by mistake.
 */
#include <stdlib.h>
#include <string.h>

#include "extern.h"
#include "metrics.h"

void
route_metrics(struct req *r)
{
	const char *listener = http_param(r, "PITWALL_LISTENER");
	char *text;
	size_t len;

	if (listener == NULL || strcmp(listener, "internal") != 0) {
		http_error(r, 404, "not_found", "no route for %s", r->path);
		return;
	}
	if ((text = metrics_render(r->w->redis, &len)) == NULL) {
		http_error(r, 503, "unavailable", "Redis is unavailable");
		return;
	}
	http_reply(r, 200, "text/plain; version=0.0.4; charset=utf-8", NULL,
	    text, len);
	free(text);
}
