/*
 * judge/api_http.c — HTTP over FastCGI for the judge API: replies in
 * Judge0's shapes ({"error": …}, 422 field hashes), request bodies and
 * query parameters.  Every reply goes through api_reply().
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "httpstatus.h"
#include "json.h"
#include "log.h"
#include "query.h"
#include "service.h"


const char *
api_param(struct api_req *r, const char *name)
{
	return FCGX_GetParam(name, r->fcgx.envp);
}

/* body NULL: no Content-Type, empty body (Judge0's bare 401). */
void
api_reply(struct api_req *r, int status, const char *body, size_t len)
{
	FCGX_Stream *out = r->fcgx.out;

	r->status = status;
	FCGX_FPrintF(out, "Status: %d %s\r\n", status, http_status_text(status));
	FCGX_FPrintF(out, "Cache-Control: no-store\r\n");
	if (body != NULL)
		FCGX_FPrintF(out, "Content-Type: application/json; "
		    "charset=utf-8\r\n");
	FCGX_PutS("\r\n", out);
	if (body != NULL && len > 0 && r->method != METHOD_HEAD)
		FCGX_PutStr(body, (int)len, out);
}

void
api_reply_json(struct api_req *r, int status, json_object *obj)
{
	size_t	 len;
	const char *s;

	if (obj == NULL) {
		api_reply(r, status, "null", 4);
		return;
	}
	s = json_object_to_json_string_length(obj, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE, &len);
	api_reply(r, status, s, len);
}

void
api_error(struct api_req *r, int status, const char *fmt, ...)
{
	char	 msg[512];
	json_object *o;
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if ((o = json_object_new_object()) == NULL) {
		api_reply(r, 500, "{\"error\":\"out of memory\"}", 25);
		return;
	}
	json_object_object_add(o, "error", json_object_new_string(msg));
	api_reply_json(r, status, o);
	json_object_put(o);
	if (status >= 500 && status != 503)
		log_error(NULL, "%s %s -> %d: %s", r->method_name, r->path,
		    status, msg);
}

json_object *
api_field_error(const char *field, const char *msg)
{
	json_object *o, *a;

	if ((o = json_object_new_object()) == NULL)
		return NULL;
	a = json_object_new_array();
	json_object_array_add(a, json_object_new_string(msg));
	json_object_object_add(o, field, a);
	return o;
}

static int
read_body(struct api_req *r, size_t max)
{
	char	 err[128];
	int	 status;

	status = fcgi_body_read(&r->fcgx, max, &r->body, &r->bodylen, err,
	    sizeof(err));
	if (status != 0) {
		api_error(r, status, "%s", err);
		return -1;
	}
	return 0;
}

int
api_json_body_or_reply(struct api_req *r, json_object **out)
{
	struct jerr err;

	*out = NULL;
	if (read_body(r, (size_t)r->cfg->judge_max_body_bytes) == -1)
		return -1;
	/* Rails reads JSON whatever the Content-Type says; so do we. */
	if ((*out = json_parse_bounded(r->body, r->bodylen, 32, &err)) == NULL) {
		api_error(r, 400, "invalid JSON body: %s", err.message);
		return -1;
	}
	if (!json_object_is_type(*out, json_type_object)) {
		json_object_put(*out);
		*out = NULL;
		api_error(r, 400, "the body must be a JSON object");
		return -1;
	}
	return 0;
}

/*
 * Query parameter `name`, decoded into buf (lib/query.c, the parser the
 * fuzz target covers): 1 found, 0 absent, -1 malformed (a bad %-escape,
 * a NUL byte) or longer than buf.  buf is "" unless 1.
 */
int
api_query(const struct api_req *r, const char *name, char *buf, size_t bufsz)
{
	long	 n = query_get(r->query, name, buf, bufsz);

	if (n >= 0)
		return 1;
	if (bufsz > 0)
		buf[0] = '\0';
	return n == -1 ? 0 : -1;
}

int
api_query_true(const struct api_req *r, const char *name)
{
	char	 v[16];

	return api_query(r, name, v, sizeof(v)) == 1 && strcmp(v, "true") == 0;
}
