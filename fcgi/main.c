/*
 * pitwall-fcgi: the FastCGI responder started by spawn-fcgi (listening
 * socket on fd 0).  FCGI_THREADS threads each accept with FCGX_Accept_r and
 * own their Redis/PostgreSQL connections.  SIGTERM stops accepting, lets
 * requests in flight finish, then exits (scripts/fcgi-reload relies on
 * it): lib/fcgi_server.c, shared with the embedded judge's API.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <sodium.h>

#include "db.h"
#include "fcgi_server.h"
#include "judge0.h"
#include "extern.h"
#include "log.h"
#include "metrics.h"
#include "redis.h"

#define ADMIN_METHODS \
	(METHOD_GET | METHOD_POST | METHOD_PUT | METHOD_PATCH | METHOD_DELETE)

static const struct route routes[ROUTE__MAX] = {
	[ROUTE_HEALTHZ] = { { "/healthz", 0, METHOD_GET | METHOD_HEAD }, route_healthz },
	[ROUTE_SUBMIT] = { { "/submit", 0, METHOD_POST }, route_submit },
	[ROUTE_CALLBACK] = { { "/callback", 0, METHOD_PUT | METHOD_POST }, route_callback },
	[ROUTE_SUBMISSION] = { { "/submissions/", 1, METHOD_GET }, route_submission },
	[ROUTE_RUN] = { { "/run", 0, METHOD_POST }, route_run },
	[ROUTE_RUNCUSTOM] = { { "/runcustom", 0, METHOD_POST }, route_runcustom },
	[ROUTE_AUTH_LOGIN] = { { "/auth/login", 0, METHOD_POST }, route_auth_login },
	[ROUTE_AUTH_LOGOUT] = { { "/auth/logout", 0, METHOD_POST }, route_auth_logout },
	[ROUTE_TIME] = { { "/time", 0, METHOD_GET | METHOD_HEAD }, route_time },
	[ROUTE_QUESTIONS] = { { "/questions", 0, METHOD_GET }, route_questions },
	[ROUTE_LEADERBOARD] = { { "/leaderboard", 0, METHOD_GET }, route_leaderboard },
	/* Admin groups check the method and the rest of the path themselves. */
	[ROUTE_ADMIN_ROUNDS] = { { "/admin/rounds", 1, ADMIN_METHODS }, route_admin_rounds },
	[ROUTE_ADMIN_QUESTIONS] = { { "/admin/questions", 1, ADMIN_METHODS }, route_admin_questions },
	[ROUTE_ADMIN_TESTCASES] = { { "/admin/testcases", 1, ADMIN_METHODS }, route_admin_testcases },
	[ROUTE_ADMIN_USERS] = { { "/admin/users", 1, ADMIN_METHODS }, route_admin_users },
	[ROUTE_ADMIN_REJUDGE] = { { "/admin/rejudge", 0, METHOD_POST }, route_admin_rejudge },
	[ROUTE_METRICS] = { { "/metrics", 0, METHOD_GET | METHOD_HEAD }, route_metrics },
	[ROUTE_LIVE_AUTH] = { { "/live-auth", 0, METHOD_GET | METHOD_HEAD }, route_live_auth },
	[ROUTE_SUBMISSIONS] = { { "/submissions", 0, METHOD_GET }, route_submissions },
	[ROUTE_LANGUAGES] = { { "/languages", 0, METHOD_GET | METHOD_HEAD }, route_languages },
	[ROUTE_ADMIN_SUBMISSIONS] = { { "/admin/submissions", 1, ADMIN_METHODS }, route_admin_submissions },
	[ROUTE_ADMIN_PACKAGES] = { { "/admin/packages", 1, ADMIN_METHODS }, route_admin_packages },
	/* /clarifications[/{id}]: a sub-route table of its own. */
	[ROUTE_CLARIFICATIONS] = { { "/clarifications", 1, METHOD_GET | METHOD_POST }, route_clarifications },
	[ROUTE_ADMIN_CLARIFICATIONS] = { { "/admin/clarifications", 1, ADMIN_METHODS }, route_admin_clarifications },
	[ROUTE_API] = { { "/api", 1, METHOD_GET | METHOD_HEAD }, route_api },
	[ROUTE_ADMIN_TEAMS] = { { "/admin/teams", 1, ADMIN_METHODS }, route_admin_teams },
};

static void
dispatch(struct req *r)
{
	size_t i;

	switch (fcgi_route_find(routes, ROUTE__MAX, sizeof(routes[0]), r->path,
	    r->method, &i)) {
	case FCGI_ROUTE_NONE:
		http_error(r, 404, "not_found", "no route for %s", r->path);
		return;
	case FCGI_ROUTE_METHOD:
		r->route = i;
		http_error(r, 405, "method_not_allowed",
		    "%s is not allowed on %s", r->method_name, routes[i].m.path);
		return;
	case FCGI_ROUTE_FOUND:
		break;
	}
	r->route = i;
	routes[i].handler(r);
}

static void
req_begin(struct req *r, struct worker_ctx *w)
{
	struct fcgi_request_line line;
	const char *id;

	clock_gettime(CLOCK_MONOTONIC, &r->t0);
	r->route = ROUTE__MAX;
	r->w = w;
	r->cfg = &w->app->cfg;
	fcgi_request_line(&r->fcgx, &line);
	r->method_name = line.method_name;
	r->method = line.method;
	r->path = line.path;
	r->query = line.query;
	id = http_param(r, "REQUEST_ID");
	if (id != NULL && *id != '\0' && strlen(id) < sizeof(r->reqid_buf)) {
		snprintf(r->reqid_buf, sizeof(r->reqid_buf), "%s", id);
	} else {
		unsigned char rnd[16];
		randombytes_buf(rnd, sizeof(rnd));
		sodium_bin2hex(r->reqid_buf, sizeof(r->reqid_buf), rnd, sizeof(rnd));
	}
	r->reqid = r->reqid_buf;
	r->body = NULL;
	r->bodylen = 0;
	r->status = 0;
}

static void
req_end(struct req *r)
{
	struct timespec t1;

	if (r->status == 0)
		http_error(r, 500, "internal", "the request produced no reply");
	log_debug(r->reqid, "%s %s -> %d", r->method_name, r->path, r->status);
	free(r->body);
	r->body = NULL;
	FCGX_Finish_r(&r->fcgx);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	metrics_http(r->route, r->status, (double)(t1.tv_sec - r->t0.tv_sec) +
	    (double)(t1.tv_nsec - r->t0.tv_nsec) / 1e9);
}

/* One request thread: its connections and its request. */
struct thread {
	struct worker_ctx	w;
	struct req		r;
};

static void
thread_serve(void *arg)
{
	struct thread *t = arg;

	req_begin(&t->r, &t->w);
	dispatch(&t->r);
	req_end(&t->r);
}

/* Once a second in the main thread: the metrics to Redis. */
static void
tick_metrics(void *arg)
{
	(void)metrics_flush(arg);
}

int
main(int argc, char *argv[])
{
	struct app app;
	struct thread *ts = NULL;
	struct redis *mredis = NULL;
	struct fcgi_server srv;
	const char *route_names[ROUTE__MAX];
	int i, n, rc;

	(void)argc;
	memset(&app, 0, sizeof(app));
	app.prog = "pitwall-fcgi";
	config_load_or_exit(&app.cfg, CONFIG_NEED_JWT | CONFIG_NEED_CALLBACK, app.prog);
	if (log_init(app.prog, app.cfg.log_level, app.cfg.log_format,
	    app.cfg.log_file) == -1) {
		fprintf(stderr, "%s: cannot open PITWALL_LOG_FILE %s\n", argv[0],
		    app.cfg.log_file);
		return 78;
	}
	/* Signals are taken by the main thread only. */
	fcgi_server_signals();
	if (sodium_init() < 0 || curl_global_init(CURL_GLOBAL_DEFAULT) != 0 ||
	    FCGX_Init() != 0) {
		log_error(NULL, "library initialisation failed");
		return 1;
	}

	/* Metrics are labelled with the route's path; the main thread flushes. */
	for (i = 0; i < ROUTE__MAX; i++)
		route_names[i] = routes[i].m.path ? routes[i].m.path : "unknown";
	metrics_routes(route_names, ROUTE__MAX);
	n = app.cfg.fcgi_threads;
	if ((mredis = redis_new(&app.cfg, REDIS_ROLE_RESPONDER)) == NULL ||
	    (ts = calloc((size_t)n, sizeof(*ts))) == NULL) {
		log_error(NULL, "out of memory");
		return 1;
	}
	for (i = 0; i < n; i++) {
		ts[i].w.app = &app;
		ts[i].w.id = i;
		ts[i].w.redis = redis_new(&app.cfg, REDIS_ROLE_RESPONDER);
		ts[i].w.j0 = judge0_new(&app.cfg);
		if (ts[i].w.redis == NULL || ts[i].w.j0 == NULL) {
			log_error(NULL, "out of memory");
			return 1;
		}
	}
	memset(&srv, 0, sizeof(srv));
	srv.nthreads = n;
	srv.threads = ts;
	srv.thread_size = sizeof(*ts);
	srv.request_offset = offsetof(struct thread, r.fcgx);
	srv.serve = thread_serve;
	srv.tick = tick_metrics;
	srv.tick_arg = mredis;
	log_info(NULL, "serving with %d threads", n);
	rc = fcgi_server_run(&srv);
	for (i = 0; i < n; i++) {
		redis_free(ts[i].w.redis);
		db_free(ts[i].w.db);
		judge0_free(ts[i].w.j0);
	}
	(void)metrics_flush(mredis);
	redis_free(mredis);
	free(ts);
	config_free(&app.cfg);
	curl_global_cleanup();
	log_info(NULL, "stopped");
	return rc == 0 ? 0 : 1;
}
