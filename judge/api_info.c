/*
 * judge/api_info.c — Judge0's informational routes: languages, statuses,
 * config_info, workers, about.
 */
#include <stdlib.h>
#include <string.h>

#include "judgehosts.h"
#include "redis.h"
#include "service.h"

/* GET /languages -> 200 [{"id", "name"}] of the installed languages */
void
route_languages(struct api_req *r)
{
	json_object *a = exec_json_languages();

	if (a == NULL) {
		api_error(r, 500, "out of memory");
		return;
	}
	api_reply_json(r, 200, a);
	json_object_put(a);
}

/* GET /languages/{id} -> 200 {"id", "name", "is_archived", "source_file"} */
void
route_language(struct api_req *r)
{
	const char *id = r->path + strlen("/languages/");
	const struct lang *l;
	char	*end;
	long	 n;
	json_object *o;

	n = strtol(id, &end, 10);
	if (*id == '\0' || *end != '\0' || (l = lang_find((int)n)) == NULL ||
	    !lang_installed(l)) {
		api_error(r, 404, "record not found");
		return;
	}
	o = json_object_new_object();
	json_object_object_add(o, "id", json_object_new_int(l->id));
	json_object_object_add(o, "name", json_object_new_string(lang_name(l)));
	json_object_object_add(o, "is_archived", json_object_new_boolean(0));
	json_object_object_add(o, "source_file",
	    json_object_new_string(l->source_file));
	api_reply_json(r, 200, o);
	json_object_put(o);
}

/* GET /statuses -> 200 [{"id", "description"}] */
void
route_statuses(struct api_req *r)
{
	json_object *a = json_object_new_array(), *o;
	int	 i;

	for (i = 1; i < EXEC_STATUS__MAX; i++) {
		o = json_object_new_object();
		json_object_object_add(o, "id", json_object_new_int(i));
		json_object_object_add(o, "description",
		    json_object_new_string(exec_status_description(i)));
		json_object_array_add(a, o);
	}
	api_reply_json(r, 200, a);
	json_object_put(a);
}

static void
add_bool(json_object *o, const char *k, int v)
{
	json_object_object_add(o, k, json_object_new_boolean(v));
}

static void
add_int(json_object *o, const char *k, long v)
{
	json_object_object_add(o, k, json_object_new_int64(v));
}

static void
add_num(json_object *o, const char *k, double v)
{
	json_object_object_add(o, k, json_object_new_double(v));
}

/* GET /config_info -> 200 {Judge0's configuration keys} */
void
route_config_info(struct api_req *r)
{
	const struct config *c = r->cfg;
	json_object *o = json_object_new_object();

	add_bool(o, "maintenance_mode", 0);
	add_bool(o, "enable_wait_result", 1);
	add_bool(o, "enable_compiler_options", 1);
	json_object_object_add(o, "allowed_languages_for_compile_options",
	    json_object_new_array());
	add_bool(o, "enable_command_line_arguments", 1);
	add_bool(o, "enable_submission_delete", 0);
	add_bool(o, "enable_callbacks", 1);
	add_int(o, "callbacks_max_tries", c->judge_callback_tries);
	add_num(o, "callbacks_timeout", c->judge_callback_timeout_ms / 1000.0);
	add_bool(o, "enable_additional_files", 0);
	add_int(o, "max_queue_size", c->judge_max_queue);
	add_num(o, "cpu_time_limit", 5);
	add_num(o, "max_cpu_time_limit", 15);
	add_num(o, "cpu_extra_time", 1);
	add_num(o, "max_cpu_extra_time", 5);
	add_num(o, "wall_time_limit", 10);
	add_num(o, "max_wall_time_limit", 20);
	add_int(o, "memory_limit", 128000);
	add_int(o, "max_memory_limit", 512000);
	add_int(o, "stack_limit", 64000);
	add_int(o, "max_stack_limit", 128000);
	add_int(o, "max_processes_and_or_threads", 60);
	add_int(o, "max_max_processes_and_or_threads", 120);
	add_bool(o, "enable_per_process_and_thread_time_limit", 0);
	add_bool(o, "allow_enable_per_process_and_thread_time_limit", 0);
	add_bool(o, "enable_per_process_and_thread_memory_limit", 0);
	add_bool(o, "allow_enable_per_process_and_thread_memory_limit", 0);
	add_int(o, "max_file_size", 1024);
	add_int(o, "max_max_file_size", 4096);
	add_int(o, "number_of_runs", 1);
	add_int(o, "max_number_of_runs", 20);
	add_bool(o, "redirect_stderr_to_stdout", 0);
	add_int(o, "max_extract_size", 10240);
	add_bool(o, "enable_batched_submissions", 1);
	add_int(o, "max_submission_batch_size", c->judge_max_batch);
	add_num(o, "submission_cache_duration", 1);
	add_bool(o, "use_docs_as_homepage", 0);
	add_bool(o, "allow_enable_network", 0);
	add_bool(o, "enable_network", 0);
	api_reply_json(r, 200, o);
	json_object_put(o);
}

/* Integer reply of a command, or -1. */
static long long
int_cmd(struct redis *rd, const char *fmt, const char *arg)
{
	redisReply *rep = redis_cmd(rd, fmt, arg);
	long long v = -1;

	if (rep == NULL)
		return -1;
	if (rep->type == REDIS_REPLY_INTEGER)
		v = rep->integer;
	freeReplyObject(rep);
	return v;
}

/* Pitwall's extension of /workers: "pitwall_hosts": [{"name", "runners",
 * "working", "load1", "cores"}], the judge hosts whose runners beat. */
static void
hosts_add(struct api_req *r, json_object *o)
{
	struct judge_host *h;
	json_object *a, *e;
	size_t	 n, i;

	if (judge_hosts(r->redis, &h, &n) == -1)
		return;
	a = json_object_new_array();
	for (i = 0; i < n; i++) {
		e = json_object_new_object();
		json_object_object_add(e, "name",
		    json_object_new_string(h[i].name));
		add_int(e, "runners", h[i].runners);
		add_int(e, "working", h[i].working);
		json_object_object_add(e, "load1", h[i].load1 < 0 ? NULL :
		    json_object_new_double(h[i].load1));
		json_object_object_add(e, "cores", h[i].cores < 0 ? NULL :
		    json_object_new_int64(h[i].cores));
		json_object_array_add(a, e);
	}
	free(h);
	json_object_object_add(o, "pitwall_hosts", a);
}

/* GET /workers -> 200 [{"queue", "size", "available", "idle", "working",
 * "paused", "failed"}]: runners with a live heartbeat, busy or not. */
void
route_workers(struct api_req *r)
{
	redisReply *m;
	long long size, alive = 0, busy = 0;
	size_t	 i;
	json_object *a, *o;

	if ((size = store_queue_len(r->redis)) < 0 ||
	    (m = redis_cmd(r->redis, "SMEMBERS " JKEY_RUNNERS)) == NULL) {
		api_error(r, 500, "the judge's store (Redis) is unavailable");
		return;
	}
	for (i = 0; m->type == REDIS_REPLY_ARRAY && i < m->elements; i++) {
		if (int_cmd(r->redis, "EXISTS " JKEY_HEARTBEAT "%s",
		    m->element[i]->str) != 1)
			continue;
		alive++;
		if (int_cmd(r->redis, "LLEN " JKEY_PROCESSING "%s",
		    m->element[i]->str) > 0)
			busy++;
	}
	freeReplyObject(m);
	a = json_object_new_array();
	o = json_object_new_object();
	json_object_object_add(o, "queue", json_object_new_string(
	    JUDGE0_VERSION));
	add_int(o, "size", (long)size);
	add_int(o, "available", (long)alive);
	add_int(o, "idle", (long)(alive - busy));
	add_int(o, "working", (long)busy);
	add_int(o, "paused", 0);
	add_int(o, "failed", 0);
	hosts_add(r, o);
	json_object_array_add(a, o);
	api_reply_json(r, 200, a);
	json_object_put(a);
}

/* GET /about -> 200 {"version", "homepage", "source_code", "maintainer"} */
void
route_about(struct api_req *r)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "version",
	    json_object_new_string(JUDGE0_VERSION));
	json_object_object_add(o, "homepage",
	    json_object_new_string("https://judge0.com"));
	json_object_object_add(o, "source_code",
	    json_object_new_string("https://github.com/judge0/judge0"));
	json_object_object_add(o, "maintainer",
	    json_object_new_string("Pitwall embedded judge"));
	api_reply_json(r, 200, o);
	json_object_put(o);
}
