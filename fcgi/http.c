/*
 * HTTP over FastCGI: reading the request, writing replies in Pitwall's
 * JSON error shape.  Every reply goes through http_reply().
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "extern.h"
#include "log.h"
#include "json.h"
#include "httpstatus.h"


const char *
http_param(struct req *r, const char *name)
{
	return FCGX_GetParam(name, r->fcgx.envp);
}

enum method
http_method_parse(const char *name)
{
	static const struct { const char *n; enum method m; } tab[] = {
		{ "GET", METHOD_GET }, { "POST", METHOD_POST },
		{ "PUT", METHOD_PUT }, { "DELETE", METHOD_DELETE },
		{ "HEAD", METHOD_HEAD }, { "PATCH", METHOD_PATCH },
	};
	size_t i;

	for (i = 0; name != NULL && i < sizeof(tab) / sizeof(tab[0]); i++)
		if (strcmp(name, tab[i].n) == 0)
			return tab[i].m;
	return METHOD_OTHER;
}

void
http_reply(struct req *r, int status, const char *ctype,
    const char *extra_headers, const char *body, size_t len)
{
	FCGX_Stream *out = r->fcgx.out;

	r->status = status;
	FCGX_FPrintF(out, "Status: %d %s\r\n", status, http_status_text(status));
	FCGX_FPrintF(out, "X-Request-Id: %s\r\n", r->reqid);
	FCGX_FPrintF(out, "Cache-Control: no-store\r\n");
	if (extra_headers != NULL)
		FCGX_PutS(extra_headers, out);
	if (status != 204 && ctype != NULL)
		FCGX_FPrintF(out, "Content-Type: %s\r\n", ctype);
	FCGX_PutS("\r\n", out);
	if (status != 204 && body != NULL && len > 0 && r->method != METHOD_HEAD)
		FCGX_PutStr(body, (int)len, out);
}

void
http_reply_json(struct req *r, int status, json_object *obj)
{
	size_t len;
	const char *s = json_object_to_json_string_length(obj,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &len);

	http_reply(r, status, "application/json", NULL, s, len);
}

void
http_error(struct req *r, int status, const char *code, const char *fmt, ...)
{
	char msg[512];
	json_object *o;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if ((o = json_object_new_object()) == NULL) {
		http_reply(r, 500, "application/json", NULL,
		    "{\"error\":\"internal\",\"message\":\"out of memory\"}", 47);
		return;
	}
	json_object_object_add(o, "error", json_object_new_string(code));
	json_object_object_add(o, "message", json_object_new_string(msg));
	http_reply_json(r, status, o);
	json_object_put(o);
	if (status >= 500)
		log_error(r->reqid, "%d %s: %s", status, code, msg);
}

/*
 * Read the request body, at most `max` bytes.  Returns 0, or -1 with the
 * reply (413/400/500) already written.  The body is NUL-terminated.
 */
int
http_read_body(struct req *r, size_t max)
{
	const char *cl = http_param(r, "CONTENT_LENGTH");
	unsigned long long want = 0;
	char *end;
	size_t got = 0;
	int n;

	if (r->body != NULL)
		return 0;
	if (cl != NULL && *cl != '\0') {
		want = strtoull(cl, &end, 10);
		if (*end != '\0') {
			http_error(r, 400, "bad_request", "Content-Length is not a number");
			return -1;
		}
	}
	if (want > max) {
		http_error(r, 413, "too_large",
		    "the request body is larger than %zu bytes", max);
		return -1;
	}
	if ((r->body = malloc((size_t)want + 1)) == NULL) {
		http_error(r, 500, "internal", "out of memory");
		return -1;
	}
	while (got < want) {
		n = FCGX_GetStr(r->body + got, (int)(want - got), r->fcgx.in);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	if (got < want) {
		http_error(r, 400, "bad_request", "the request body was cut short");
		return -1;
	}
	r->body[got] = '\0';
	r->bodylen = got;
	return 0;
}

/*
 * Read and parse a JSON body (Content-Type application/json, ≤ max bytes,
 * nesting ≤ depth).  Returns 0 with *out owned by the caller, or -1 with
 * the reply written.
 */
int
http_json_body_or_reply(struct req *r, size_t max, int depth, json_object **out)
{
	const char *ct = http_param(r, "CONTENT_TYPE");
	struct jerr err;

	*out = NULL;
	if (ct == NULL || strncasecmp(ct, "application/json", 16) != 0 ||
	    (ct[16] != '\0' && ct[16] != ';' && ct[16] != ' ')) {
		http_error(r, 415, "unsupported_media_type",
		    "send the body as application/json");
		return -1;
	}
	if (http_read_body(r, max) == -1)
		return -1;
	if ((*out = json_parse_bounded(r->body, r->bodylen, depth, &err)) == NULL) {
		http_error(r, 400, "bad_json", "%s", err.message);
		return -1;
	}
	if (!json_object_is_type(*out, json_type_object)) {
		json_object_put(*out);
		*out = NULL;
		http_error(r, 400, "bad_json", "the body must be a JSON object");
		return -1;
	}
	return 0;
}
