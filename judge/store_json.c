/*
 * judge/store_json.c — a stored submission as Judge0 1.13 serializes it:
 * the `fields` selection, base64 (Ruby-wrapped) text fields, decimals as
 * strings ("5.0", "0.045"), ISO 8601 timestamps, and the nested `status`
 * and `language` objects.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "json.h"
#include "service.h"

enum sf_kind {
	SF_TEXT,	/* bytes; base64 when asked, else must be UTF-8 */
	SF_STR,		/* a string that came in as JSON */
	SF_DECIMAL,	/* stored as Judge0 prints it, rendered as string */
	SF_INT,
	SF_BOOL,
	SF_TIME,	/* ms since the epoch, rendered ISO 8601 */
	SF_TOKEN,
	SF_STATUS,
	SF_LANGUAGE,
	SF_NULL,	/* accepted, never set by this judge */
	SF_KIND__MAX
};

struct sfield {
	const char	*name;
	enum sf_kind	 kind;
	int		 in_all;	/* part of fields=* */
};

/* Judge0's serializer order (fields=*), then ids that may be asked for. */
static const struct sfield sfields[] = {
	{ "source_code", SF_TEXT, 1 },
	{ "stdin", SF_TEXT, 1 },
	{ "expected_output", SF_TEXT, 1 },
	{ "stdout", SF_TEXT, 1 },
	{ "created_at", SF_TIME, 1 },
	{ "finished_at", SF_TIME, 1 },
	{ "time", SF_DECIMAL, 1 },
	{ "memory", SF_INT, 1 },
	{ "stderr", SF_TEXT, 1 },
	{ "token", SF_TOKEN, 1 },
	{ "number_of_runs", SF_INT, 1 },
	{ "cpu_time_limit", SF_DECIMAL, 1 },
	{ "cpu_extra_time", SF_DECIMAL, 1 },
	{ "wall_time_limit", SF_DECIMAL, 1 },
	{ "memory_limit", SF_INT, 1 },
	{ "stack_limit", SF_INT, 1 },
	{ "max_processes_and_or_threads", SF_INT, 1 },
	{ "enable_per_process_and_thread_time_limit", SF_BOOL, 1 },
	{ "enable_per_process_and_thread_memory_limit", SF_BOOL, 1 },
	{ "max_file_size", SF_INT, 1 },
	{ "compile_output", SF_TEXT, 1 },
	{ "exit_code", SF_INT, 1 },
	{ "exit_signal", SF_INT, 1 },
	{ "message", SF_TEXT, 1 },
	{ "wall_time", SF_DECIMAL, 1 },
	{ "compiler_options", SF_STR, 1 },
	{ "command_line_arguments", SF_STR, 1 },
	{ "redirect_stderr_to_stdout", SF_BOOL, 1 },
	{ "callback_url", SF_STR, 1 },
	{ "additional_files", SF_NULL, 1 },
	{ "enable_network", SF_BOOL, 1 },
	{ "status", SF_STATUS, 1 },
	{ "language", SF_LANGUAGE, 1 },
	{ "status_id", SF_INT, 0 },
	{ "language_id", SF_INT, 0 },
};
#define NSFIELDS	(sizeof(sfields) / sizeof(sfields[0]))

static const char *const default_fields[] = {
	"token", "time", "memory", "stdout", "stderr", "compile_output",
	"message", "status"
};

static const struct sfield *
sfield_find(const char *name)
{
	size_t	 i;

	for (i = 0; i < NSFIELDS; i++)
		if (strcmp(sfields[i].name, name) == 0)
			return &sfields[i];
	return NULL;
}

int
store_fields_parse(const char *spec, struct store_fields *f, char *err,
    size_t errsz)
{
	const struct sfield *sf;
	char	*p, *next, *e;
	size_t	 i, bad = 0, elen;

	f->n = 0;
	while (spec != NULL && (*spec == ' ' || *spec == '\t'))
		spec++;
	if (spec == NULL || *spec == '\0') {
		for (i = 0; i < sizeof(default_fields) /
		    sizeof(default_fields[0]); i++)
			f->names[f->n++] = default_fields[i];
		return 0;
	}
	if (strcmp(spec, "*") == 0) {
		for (i = 0; i < NSFIELDS; i++)
			if (sfields[i].in_all)
				f->names[f->n++] = sfields[i].name;
		return 0;
	}
	snprintf(f->buf, sizeof(f->buf), "%s", spec);
	elen = (size_t)snprintf(err, errsz, "invalid fields: [");
	for (p = f->buf; p != NULL; p = next) {
		if ((next = strchr(p, ',')) != NULL)
			*next++ = '\0';
		while (*p == ' ')
			p++;
		for (e = p + strlen(p); e > p && e[-1] == ' '; e--)
			e[-1] = '\0';
		if (*p == '\0')
			continue;
		if ((sf = sfield_find(p)) == NULL) {
			if (elen < errsz)
				elen += (size_t)snprintf(err + elen, errsz - elen,
				    "%s%s", bad++ ? ", " : "", p);
			continue;
		}
		if (f->n < sizeof(f->names) / sizeof(f->names[0]))
			f->names[f->n++] = sf->name;
	}
	if (bad > 0) {
		if (elen < errsz)
			snprintf(err + elen, errsz - elen, "]");
		return -1;
	}
	return 0;
}

/* One field's value (NULL: JSON null).  -1 when not UTF-8 (!b64) or out
 * of memory. */
static int
field_json(const struct store_row *row, const char *token,
    const struct sfield *sf, int b64, json_object **out, int *not_utf8)
{
	const char *v, *desc;
	const struct lang *l;
	size_t	 len;
	char	*enc;
	long	 id;
	json_object *o;

	*out = NULL;
	v = store_row_get(row, sf->name, &len);
	switch (sf->kind) {
	case SF_TEXT:
		if (v == NULL)
			return 0;
		if (b64) {
			if ((enc = b64_ruby_encode(v, len)) == NULL)
				return -1;
			*out = json_object_new_string(enc);
			free(enc);
		} else if (!utf8_valid(v, len)) {
			/* Judge0's 400: use base64_encoded=true. */
			*not_utf8 = 1;
			return -1;
		} else
			*out = json_object_new_string_len(v, (int)len);
		break;
	case SF_STR:
	case SF_DECIMAL:
		if (v != NULL)
			*out = json_object_new_string_len(v, (int)len);
		break;
	case SF_INT:
		if (v != NULL)
			*out = json_object_new_int64(strtoll(v, NULL, 10));
		break;
	case SF_BOOL:
		*out = json_object_new_boolean(v != NULL && strcmp(v, "1") == 0);
		break;
	case SF_TIME:
		if (v != NULL)
			*out = json_new_iso_ms(strtoll(v, NULL, 10));
		break;
	case SF_TOKEN:
		*out = json_object_new_string(token);
		break;
	case SF_STATUS:
		id = store_row_long(row, "status_id", 1);
		desc = exec_status_description((int)id);
		o = json_object_new_object();
		json_object_object_add(o, "id", json_object_new_int((int)id));
		json_object_object_add(o, "description",
		    json_object_new_string(desc ? desc : "Unknown"));
		*out = o;
		break;
	case SF_LANGUAGE:
		id = store_row_long(row, "language_id", -1);
		l = lang_find((int)id);
		o = json_object_new_object();
		json_object_object_add(o, "id", json_object_new_int((int)id));
		json_object_object_add(o, "name", l != NULL ?
		    json_object_new_string(lang_name(l)) : NULL);
		*out = o;
		break;
	default:
		break;
	}
	return 0;
}

/*
 * Pitwall's extension: {exit, judgemessage, teammessage, score} of the
 * validator, its messages base64 (always: a validator's files are
 * bytes).  NULL when the row has none.
 */
static json_object *
validation_json(const struct store_row *row)
{
	static const char *const texts[][2] = {
		{ "pv_judgemessage", "judgemessage" },
		{ "pv_teammessage", "teammessage" },
	};
	json_object *o;
	const char *v;
	size_t	 len, i;
	char	*enc;

	if (store_row_get(row, "pv_done", NULL) == NULL ||
	    (o = json_object_new_object()) == NULL)
		return NULL;
	json_object_object_add(o, "exit", store_row_get(row, "pv_exit",
	    NULL) != NULL ? json_object_new_int((int)store_row_long(row,
	    "pv_exit", 0)) : NULL);
	for (i = 0; i < 2; i++) {
		enc = (v = store_row_get(row, texts[i][0], &len)) != NULL ?
		    b64_ruby_encode(v, len) : NULL;
		json_object_object_add(o, texts[i][1], enc != NULL ?
		    json_object_new_string(enc) : NULL);
		free(enc);
	}
	v = store_row_get(row, "pv_score", &len);
	json_object_object_add(o, "score", v != NULL ?
	    json_object_new_string_len(v, (int)len) : NULL);
	return o;
}

json_object *
store_row_json(const struct store_row *row, const char *token,
    const struct store_fields *f, int b64, int *not_utf8)
{
	json_object *o, *v;
	size_t	 i;

	*not_utf8 = 0;
	if ((o = json_object_new_object()) == NULL)
		return NULL;
	for (i = 0; i < f->n; i++) {
		if (field_json(row, token, sfield_find(f->names[i]), b64, &v,
		    not_utf8) == -1) {
			json_object_put(o);
			return NULL;
		}
		json_object_object_add(o, f->names[i], v);
	}
	/* Whatever the fields: only clients that sent pitwall_validator
	 * ever see it. */
	if ((v = validation_json(row)) != NULL)
		json_object_object_add(o, "pitwall_validation", v);
	return o;
}
