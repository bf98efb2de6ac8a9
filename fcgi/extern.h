/*
 * pitwall-fcgi: private declarations of the FastCGI responder.
 */
#ifndef PITWALL_FCGI_EXTERN_H
#define PITWALL_FCGI_EXTERN_H

#include <stddef.h>

#include <fcgiapp.h>
#include <json-c/json.h>

#include "config.h"

struct db;
struct redis;

/* Shared by all threads; read-only once the threads run. */
struct app {
	struct config	 cfg;
	const char	*prog;
};

/* One per request thread: connections are never shared between threads. */
struct worker_ctx {
	struct app	*app;
	struct redis	*redis;
	struct db	*db;		/* lazily connected; only /healthz and cache fills */
	int		 id;
};

enum method {
	METHOD_GET	= 0x01,
	METHOD_POST	= 0x02,
	METHOD_PUT	= 0x04,
	METHOD_DELETE	= 0x08,
	METHOD_HEAD	= 0x10,
	METHOD_OTHER	= 0x80
};

struct req {
	FCGX_Request		 fcgx;
	struct worker_ctx	*w;
	const struct config	*cfg;
	enum method		 method;
	const char		*method_name;
	const char		*path;		/* DOCUMENT_URI, without the query */
	const char		*query;		/* QUERY_STRING, may be "" */
	const char		*reqid;		/* REQUEST_ID from nginx, or generated */
	char			 reqid_buf[40];
	char			*body;		/* read on demand, NUL-terminated */
	size_t			 bodylen;
	int			 status;	/* status of the reply written */
};

enum route_id {
	ROUTE_HEALTHZ,
	ROUTE__MAX
};

struct route {
	const char	*path;
	int		 prefix;	/* path is a prefix ("/submissions/") */
	unsigned	 methods;
	void		(*handler)(struct req *);
};

/* http.c: replies and request input. */
const char	*http_param(struct req *r, const char *name);
void		 http_reply(struct req *r, int status, const char *ctype,
		    const char *extra_headers, const char *body, size_t len);
void		 http_reply_json(struct req *r, int status, json_object *obj);
void		 http_error(struct req *r, int status, const char *code,
		    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
int		 http_read_body(struct req *r, size_t max);
int		 http_json_body_or_reply(struct req *r, size_t max, int depth,
		    json_object **out);
enum method	 http_method_parse(const char *name);

/* routes */
void	route_healthz(struct req *);

#endif
