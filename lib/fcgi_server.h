/*
 * The FastCGI plumbing both responders share (pitwall-fcgi and the
 * embedded judge's API, pitwall-judge): threads that each accept on the
 * socket spawn-fcgi passes as fd 0 (FCGX_Accept_r), and a main thread
 * that takes the signals.  SIGHUP/SIGUSR1 reopen the log file (rotation);
 * SIGTERM/SIGINT stop accepting and let the requests in flight finish
 * (scripts/fcgi-reload relies on it).  Also what every request needs
 * before its handler runs: the method, path and query, the route it
 * matches in a route table, and its body.
 */
#ifndef PITWALL_FCGI_SERVER_H
#define PITWALL_FCGI_SERVER_H

#include <stddef.h>

#include <fcgiapp.h>

struct fcgi_server {
	int		  nthreads;
	void		 *threads;	/* nthreads per-thread contexts … */
	size_t		  thread_size;	/* … of this size each */
	/* Where in a thread's context the FCGX_Request it accepts into is
	 * (offsetof). */
	size_t		  request_offset;
	/* Serve the request just accepted; finish it (FCGX_Finish_r). */
	void		 (*serve)(void *thread);
	/* Called by the main thread about once a second, or NULL. */
	void		 (*tick)(void *arg);
	void		 *tick_arg;
};

/*
 * Block the signals the main thread takes; call before any thread is
 * started (libraries' included).
 */
void	fcgi_server_signals(void);

/*
 * Start the threads and serve until SIGTERM or SIGINT, then wait for the
 * requests in flight.  0, or -1 when a thread could not be started.
 */
int	fcgi_server_run(const struct fcgi_server *s);

/* HTTP methods, as bits so that a route names the set it takes. */
enum http_method {
	METHOD_GET	= 0x01,
	METHOD_POST	= 0x02,
	METHOD_PUT	= 0x04,
	METHOD_DELETE	= 0x08,
	METHOD_HEAD	= 0x10,
	METHOD_PATCH	= 0x20,
	METHOD_OTHER	= 0x80
};

/* The request line of an accepted request (pointers into its params). */
struct fcgi_request_line {
	const char		*method_name;	/* REQUEST_METHOD, else "GET" */
	enum http_method	 method;
	const char		*path;		/* DOCUMENT_URI, else SCRIPT_NAME, else "/" */
	const char		*query;		/* QUERY_STRING, else "" */
};

/* Read the request line of the request in req. */
void	fcgi_request_line(FCGX_Request *req, struct fcgi_request_line *out);

/*
 * One entry of a route table: the first member of each program's route
 * struct, which adds the handler.
 */
struct fcgi_route {
	const char	*path;
	int		 prefix;	/* path is a prefix ("/submissions/") */
	unsigned	 methods;	/* enum http_method bits */
};

enum fcgi_match {
	FCGI_ROUTE_FOUND,	/* *idx: the route */
	FCGI_ROUTE_NONE,	/* no route has this path: 404 */
	FCGI_ROUTE_METHOD	/* *idx: the route, which refuses the method: 405 */
};

/*
 * The first route of table (n entries of stride bytes, each starting with
 * a struct fcgi_route) whose path is path, or a prefix of it for a prefix
 * route.
 */
enum fcgi_match	 fcgi_route_find(const void *table, size_t n, size_t stride,
		    const char *path, enum http_method method, size_t *idx);

/*
 * Read the body of req (CONTENT_LENGTH bytes, at most max) into *body
 * (malloc'ed, NUL-terminated, the caller's; NULL on failure) and *len.
 * Returns 0, or the HTTP status to answer (400 bad or short length, 413
 * too large, 500 out of memory) with a message in err.
 */
int		 fcgi_body_read(FCGX_Request *req, size_t max, char **body,
		    size_t *len, char *err, size_t errsz);

/*
 * 1 when the web server closed the connection of req (its client went
 * away and nginx gave the request up), 0 while it is open.  For handlers
 * that wait: they stop instead of holding a thread for nobody.
 */
int		 fcgi_peer_gone(const FCGX_Request *req);

/* 1 once SIGTERM/SIGINT asked the server to stop: long handlers (the
 * Contest API's event feed) end their reply instead of delaying it. */
int		 fcgi_server_stopping(void);

#endif
