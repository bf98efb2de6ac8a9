/*
 * judge/exec_json.c — Judge0 submission and result objects in JSON
 * (plain text; the HTTP API layers base64 on top).
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "judge.h"

/* Optional string field: absent or null leaves *dst NULL. */
static int
get_str(struct json_object *obj, const char *key, const char **dst,
    size_t *len)
{
	struct json_object *v;

	if (!json_object_object_get_ex(obj, key, &v) || v == NULL)
		return 0;
	if (!json_object_is_type(v, json_type_string))
		return -1;
	*dst = json_object_get_string(v);
	if (len != NULL)
		*len = (size_t)json_object_get_string_len(v);
	return 0;
}

/* Optional number (or numeric string, as Rails accepts). */
static int
get_num(struct json_object *obj, const char *key, double *dst)
{
	struct json_object *v;
	const char *s;
	char	*end;

	if (!json_object_object_get_ex(obj, key, &v) || v == NULL)
		return 0;
	switch (json_object_get_type(v)) {
	case json_type_int:
	case json_type_double:
		*dst = json_object_get_double(v);
		return 0;
	case json_type_string:
		s = json_object_get_string(v);
		errno = 0;
		*dst = strtod(s, &end);
		return (end == s || *end != '\0' || errno) ? -1 : 0;
	default:
		return -1;
	}
}

static int
get_bool(struct json_object *obj, const char *key, int *dst)
{
	struct json_object *v;

	if (!json_object_object_get_ex(obj, key, &v) || v == NULL)
		return 0;
	if (!json_object_is_type(v, json_type_boolean))
		return -1;
	*dst = json_object_get_boolean(v);
	return 0;
}

/*
 * Fills s (defaults first) from a Judge0 submission object.  Returns -1
 * with *field and *msg set on a type error; ranges are exec_submission_check's.
 */
int
exec_json_submission(struct json_object *obj, struct exec_submission *s,
    const char **field, const char **msg)
{
	static const struct { const char *key; int integer; } nums[] = {
		{ "language_id", 1 }, { "cpu_time_limit", 0 },
		{ "cpu_extra_time", 0 }, { "wall_time_limit", 0 },
		{ "memory_limit", 1 }, { "stack_limit", 1 },
		{ "max_processes_and_or_threads", 1 }, { "max_file_size", 1 },
		{ "number_of_runs", 1 },
	};
	double	 v[sizeof(nums) / sizeof(nums[0])];
	struct json_object *pvobj;
	size_t	 i;

	exec_submission_defaults(s);
	if (!json_object_is_type(obj, json_type_object)) {
		*field = "submission";
		*msg = "must be an object";
		return -1;
	}
	v[0] = -1;
	v[1] = s->cpu_time_limit;
	v[2] = s->cpu_extra_time;
	v[3] = s->wall_time_limit;
	v[4] = (double)s->memory_limit;
	v[5] = (double)s->stack_limit;
	v[6] = s->max_processes_and_or_threads;
	v[7] = (double)s->max_file_size;
	v[8] = s->number_of_runs;
	for (i = 0; i < sizeof(nums) / sizeof(nums[0]); i++)
		if (get_num(obj, nums[i].key, &v[i]) == -1 || !isfinite(v[i]) ||
		    fabs(v[i]) > 1e9 || (nums[i].integer && v[i] != floor(v[i]))) {
			*field = nums[i].key;
			*msg = "is not a number";
			return -1;
		}
	s->language_id = (int)v[0];
	s->cpu_time_limit = v[1];
	s->cpu_extra_time = v[2];
	s->wall_time_limit = v[3];
	s->memory_limit = (long)v[4];
	s->stack_limit = (long)v[5];
	s->max_processes_and_or_threads = (int)v[6];
	s->max_file_size = (long)v[7];
	s->number_of_runs = (int)v[8];
#define STR(k, d, l) if (get_str(obj, k, d, l) == -1) { *field = k; \
	*msg = "must be a string"; return -1; }
	STR("source_code", &s->source_code, &s->source_len);
	STR("stdin", &s->stdin_data, &s->stdin_len);
	STR("expected_output", &s->expected_output, &s->expected_len);
	if (json_object_object_get_ex(obj, "pitwall_validator", &pvobj) &&
	    pvobj != NULL) {
		s->validator_json = json_object_to_json_string_ext(pvobj,
		    JSON_C_TO_STRING_PLAIN);
		s->validator_json_len = strlen(s->validator_json);
	}
	STR("compiler_options", &s->compiler_options, NULL);
	STR("command_line_arguments", &s->command_line_arguments, NULL);
#undef STR
#define BOOL(k, d) if (get_bool(obj, k, d) == -1) { *field = k; \
	*msg = "must be a boolean"; return -1; }
	BOOL("redirect_stderr_to_stdout", &s->redirect_stderr_to_stdout);
	BOOL("enable_network", &s->enable_network);
#undef BOOL
	return 0;
}

static struct json_object *
text_json(const struct exec_text *t)
{
	return t->data == NULL ? NULL :
	    json_object_new_string_len(t->data, (int)t->len);
}

static struct json_object *
secs_json(double v)
{
	char	 buf[32];

	if (v < 0)
		return NULL;
	snprintf(buf, sizeof(buf), "%.3f", v);
	return json_object_new_string(buf);
}

/* Judge0-shaped result object; caller owns it (json_object_put). */
struct json_object *
exec_json_result(const struct exec_result *r)
{
	struct json_object *o, *st;

	if ((o = json_object_new_object()) == NULL)
		return NULL;
	json_object_object_add(o, "stdout", text_json(&r->stdout_text));
	json_object_object_add(o, "time", secs_json(r->time));
	json_object_object_add(o, "memory", r->memory < 0 ? NULL :
	    json_object_new_int64(r->memory));
	json_object_object_add(o, "stderr", text_json(&r->stderr_text));
	json_object_object_add(o, "compile_output",
	    text_json(&r->compile_output));
	json_object_object_add(o, "message", text_json(&r->message));
	json_object_object_add(o, "exit_code", r->exit_code < 0 ? NULL :
	    json_object_new_int(r->exit_code));
	json_object_object_add(o, "exit_signal", r->exit_signal < 0 ? NULL :
	    json_object_new_int(r->exit_signal));
	json_object_object_add(o, "wall_time", secs_json(r->wall_time));
	st = json_object_new_object();
	json_object_object_add(st, "id", json_object_new_int(r->status_id));
	json_object_object_add(st, "description", json_object_new_string(
	    exec_status_description(r->status_id) ?
	    exec_status_description(r->status_id) : "Unknown"));
	json_object_object_add(o, "status", st);
	if (r->validation.present) {
		struct json_object *pv = json_object_new_object();

		json_object_object_add(pv, "exit", r->validation.exit < 0 ?
		    NULL : json_object_new_int(r->validation.exit));
		json_object_object_add(pv, "judgemessage",
		    text_json(&r->validation.judgemessage));
		json_object_object_add(pv, "teammessage",
		    text_json(&r->validation.teammessage));
		json_object_object_add(pv, "score", r->validation.score[0] ?
		    json_object_new_string(r->validation.score) : NULL);
		json_object_object_add(o, "pitwall_validation", pv);
	}
	return o;
}

/* GET /languages: [{"id", "name"}] of the installed languages. */
struct json_object *
exec_json_languages(void)
{
	struct json_object *a, *o;
	size_t	 i;

	if ((a = json_object_new_array()) == NULL)
		return NULL;
	for (i = 0; i < lang_count(); i++) {
		if (!lang_installed(lang_at(i)))
			continue;
		o = json_object_new_object();
		json_object_object_add(o, "id",
		    json_object_new_int(lang_at(i)->id));
		json_object_object_add(o, "name",
		    json_object_new_string(lang_name(lang_at(i))));
		json_object_array_add(a, o);
	}
	return a;
}
