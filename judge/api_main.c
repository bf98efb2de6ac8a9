/*
 * judge/api_main.c — pitwall-judge: the embedded judge's Judge0-compatible
 * HTTP API, a FastCGI responder started by spawn-fcgi (listening socket on
 * fd 0) behind nginx's judge listener.  JUDGE_API_THREADS threads accept
 * with FCGX_Accept_r, each with its own Redis connection.  It only stores
 * and reads submissions; pitwall-judge-runner runs them.  SIGTERM stops
 * accepting and lets requests in flight finish (lib/fcgi_server.c).
 */
#include <ctype.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "fcgi_server.h"
#include "log.h"
#include "redis.h"
#include "service.h"

static const struct api_route_def routes[AR__MAX] = {
	[AR_SUBMISSIONS] = { { "/submissions", 0, METHOD_POST }, route_submissions },
	[AR_BATCH] = { { "/submissions/batch", 0, METHOD_GET | METHOD_POST }, route_batch },
	[AR_SUBMISSION] = { { "/submissions/", 1, METHOD_GET }, route_submission },
	[AR_LANGUAGES] = { { "/languages", 0, METHOD_GET }, route_languages },
	[AR_LANGUAGE] = { { "/languages/", 1, METHOD_GET }, route_language },
	[AR_STATUSES] = { { "/statuses", 0, METHOD_GET }, route_statuses },
	[AR_CONFIG_INFO] = { { "/config_info", 0, METHOD_GET }, route_config_info },
	[AR_WORKERS] = { { "/workers", 0, METHOD_GET }, route_workers },
	[AR_ABOUT] = { { "/about", 0, METHOD_GET }, route_about },
};

/* X-Auth-Token when JUDGE_AUTH_TOKEN is set; Judge0 answers a bare 401. */
static int
auth_ok(struct api_req *r)
{
	const char *want = r->cfg->judge_auth_token, *got;
	size_t	 len = strlen(want);

	if (len == 0)
		return 1;
	got = api_param(r, r->t->app->auth_param);
	return got != NULL && strlen(got) == len &&
	    sodium_memcmp(got, want, len) == 0;
}

static void
dispatch(struct api_req *r)
{
	size_t	 i;

	if (!auth_ok(r)) {
		api_reply(r, 401, NULL, 0);
		return;
	}
	switch (fcgi_route_find(routes, AR__MAX, sizeof(routes[0]), r->path,
	    r->method, &i)) {
	case FCGI_ROUTE_NONE:
		api_error(r, 404, "not found");
		return;
	case FCGI_ROUTE_METHOD:
		api_error(r, 405, "%s is not allowed on %s", r->method_name,
		    routes[i].m.path);
		return;
	case FCGI_ROUTE_FOUND:
		break;
	}
	routes[i].handler(r);
}

static void
req_begin(struct api_req *r, struct api_thread *t)
{
	struct fcgi_request_line line;

	r->t = t;
	r->cfg = &t->app->cfg;
	r->redis = t->redis;
	fcgi_request_line(&r->fcgx, &line);
	r->method_name = line.method_name;
	r->method = line.method;
	r->path = line.path;
	r->query = line.query;
	r->body = NULL;
	r->bodylen = 0;
	r->status = 0;
}

static void
req_end(struct api_req *r)
{
	if (r->status == 0)
		api_error(r, 500, "the request produced no reply");
	log_debug(NULL, "%s %s -> %d", r->method_name, r->path, r->status);
	free(r->body);
	r->body = NULL;
	FCGX_Finish_r(&r->fcgx);
}

/* One request thread: its Redis connection and its request. */
struct thread {
	struct api_thread	t;
	struct api_req		r;
};

static void
thread_serve(void *arg)
{
	struct thread *th = arg;

	req_begin(&th->r, &th->t);
	dispatch(&th->r);
	req_end(&th->r);
}

/* "X-Auth-Token" -> "HTTP_X_AUTH_TOKEN", as nginx passes headers. */
static void
auth_param_name(const char *header, char *out, size_t outsz)
{
	size_t	 n;

	n = (size_t)snprintf(out, outsz, "HTTP_");
	for (; *header != '\0' && n + 1 < outsz; header++)
		out[n++] = *header == '-' ? '_' :
		    (char)toupper((unsigned char)*header);
	out[n] = '\0';
}

int
main(int argc, char *argv[])
{
	struct api_app	 app;
	struct thread	*ts = NULL;
	struct fcgi_server srv;
	int		 i, n, rc;

	(void)argc;
	memset(&app, 0, sizeof(app));
	app.prog = "pitwall-judge";
	config_load_or_exit(&app.cfg, 0, app.prog);
	if (log_init(app.prog, app.cfg.log_level, app.cfg.log_format,
	    app.cfg.log_file) == -1) {
		fprintf(stderr, "%s: cannot open PITWALL_LOG_FILE %s\n",
		    argv[0], app.cfg.log_file);
		return 78;
	}
	auth_param_name(app.cfg.judge_auth_header, app.auth_param,
	    sizeof(app.auth_param));
	fcgi_server_signals();
	if (sodium_init() < 0 || FCGX_Init() != 0) {
		log_error(NULL, "library initialisation failed");
		return 1;
	}
	n = app.cfg.judge_api_threads;
	if ((ts = calloc((size_t)n, sizeof(*ts))) == NULL) {
		log_error(NULL, "out of memory");
		return 1;
	}
	for (i = 0; i < n; i++) {
		ts[i].t.app = &app;
		ts[i].t.id = i;
		if ((ts[i].t.redis = redis_new(&app.cfg, REDIS_ROLE_JUDGE)) == NULL) {
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
	lang_probe();	/* the installed versions, before the first request */
	log_info(NULL, "serving the Judge0 API with %d threads%s", n,
	    *app.cfg.judge_auth_token ? " (X-Auth-Token required)" : "");
	rc = fcgi_server_run(&srv);
	for (i = 0; i < n; i++)
		redis_free(ts[i].t.redis);
	free(ts);
	config_free(&app.cfg);
	log_info(NULL, "stopped");
	return rc == 0 ? 0 : 1;
}
