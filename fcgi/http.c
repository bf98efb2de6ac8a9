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
	/* A reply already started (a stream: the event feed) cannot become
	 * an error reply: log it. */
	if (r->status != 0) {
		log_error(r->reqid, "after the reply: %d %s: %s", status, code, msg);
		return;
	}
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
	static const char *const codes[] = { "bad_request", "too_large", "internal" };
	char err[128];
	int status;

	if (r->body != NULL)
		return 0;
	status = fcgi_body_read(&r->fcgx, max, &r->body, &r->bodylen, err,
	    sizeof(err));
	if (status == 0)
		return 0;
	http_error(r, status, codes[status == 413 ? 1 : status == 500 ? 2 : 0],
	    "%s", err);
	return -1;
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

int
req_fields_or_reply(struct req *r, size_t max, int depth,
    const struct jfield *f, size_t n, json_object **body)
{
	struct jerr jerr;

	if (http_json_body_or_reply(r, max, depth, body) == -1)
		return -1;
	if (json_read_fields(*body, f, n, &jerr) == -1) {
		http_error(r, 422, "invalid_field", "%s", jerr.message);
		json_object_put(*body);
		*body = NULL;
		return -1;
	}
	return 0;
}
