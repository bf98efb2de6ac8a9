/*
 * Problem packages in the ICPC/Kattis format: problem.yaml and
 * testdata.yaml (libyaml's document API), the test data tree, the
 * statement and the output validator sources, from the files that
 * admin/kpp_files.c read.  Both layouts: legacy and 2023-07.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <yaml.h>

#include "extern.h"

#define KPP_YAML_DEPTH	8	/* testdata.yaml nesting we convert */
#define KPP_YAML_NODES	10000	/* nodes converted (aliases may repeat) */

struct kpp *
kpp_new(void)
{
	return calloc(1, sizeof(struct kpp));
}

void
kpp_free(struct kpp *k)
{
	size_t i;

	if (k == NULL)
		return;
	kpp_files_clear(&k->files);
	free(k->name);
	free(k->validator_flags);
	free(k->problem_flags);
	free(k->statement);
	free(k->statement_file);
	for (i = 0; i < k->ngroups; i++) {
		free(k->groups[i].path);
		free(k->groups[i].settings);
	}
	free(k->groups);
	for (i = 0; i < k->ntests; i++) {
		free(k->tests[i].name);
		free(k->tests[i].flags);
	}
	free(k->tests);
	free(k->vsrc);
	free(k);
}

const char *
kpp_validator_name(enum kpp_validator v)
{
	static const char *const n[KPP_VALIDATOR__MAX] = { "default", "custom",
	    "interactive" };

	return v >= 0 && v < KPP_VALIDATOR__MAX ? n[v] : "?";
}

const char *
kpp_type_name(enum kpp_type t)
{
	static const char *const n[KPP_TYPE__MAX] = { "pass-fail", "scoring" };

	return t >= 0 && t < KPP_TYPE__MAX ? n[t] : "?";
}

/* ---- YAML ---- */

/* Load one YAML document; 0 / -1 with err naming what. */
static int
kpp_yaml_load(const char *what, const char *buf, size_t len,
    yaml_document_t *doc, char *err, size_t errsz)
{
	yaml_parser_t p;
	int rc = -1;

	if (len > KPP_YAML_MAX) {
		package_errf(err, errsz, "%s: larger than %d bytes", what, KPP_YAML_MAX);
		return -1;
	}
	if (!yaml_parser_initialize(&p)) {
		package_errf(err, errsz, "%s: out of memory", what);
		return -1;
	}
	yaml_parser_set_input_string(&p, (const unsigned char *)buf, len);
	if (!yaml_parser_load(&p, doc)) {
		package_errf(err, errsz, "%s: not valid YAML (line %zu: %s)", what,
		    p.problem_mark.line + 1, p.problem ? p.problem : "?");
		goto out;
	}
	rc = 0;
out:
	yaml_parser_delete(&p);
	return rc;
}

/* The value node of key in mapping node m, or NULL. */
static yaml_node_t *
kpp_yaml_get(yaml_document_t *d, yaml_node_t *m, const char *key)
{
	yaml_node_pair_t *pr;
	yaml_node_t *k;

	if (m == NULL || m->type != YAML_MAPPING_NODE)
		return NULL;
	for (pr = m->data.mapping.pairs.start; pr < m->data.mapping.pairs.top;
	    pr++) {
		k = yaml_document_get_node(d, pr->key);
		if (k != NULL && k->type == YAML_SCALAR_NODE &&
		    k->data.scalar.length == strlen(key) &&
		    memcmp(k->data.scalar.value, key, k->data.scalar.length) == 0)
			return yaml_document_get_node(d, pr->value);
	}
	return NULL;
}

/* A scalar's text (not NUL-safe: YAML scalars hold no NUL), or NULL. */
static const char *
kpp_yaml_str(yaml_node_t *n)
{
	return n != NULL && n->type == YAML_SCALAR_NODE ?
	    (const char *)n->data.scalar.value : NULL;
}

/* A scalar number in [min, max] into *v.  0; 1 when absent; -1 bad. */
static int
kpp_yaml_num(yaml_node_t *n, double min, double max, double *v)
{
	const char *s;
	char *end;

	if (n == NULL)
		return 1;
	if ((s = kpp_yaml_str(n)) == NULL || *s == '\0')
		return -1;
	errno = 0;
	*v = strtod(s, &end);
	if (errno != 0 || *end != '\0' || !isfinite(*v) || *v < min || *v > max)
		return -1;
	return 0;
}

/* Convert a YAML node to JSON (scalars: numbers, booleans, strings). */
static json_object *
kpp_yaml_json(yaml_document_t *d, yaml_node_t *n, int depth, int *budget)
{
	yaml_node_pair_t *pr;
	yaml_node_item_t *it;
	json_object *o, *v;
	const char *s;
	char *end;
	double x;
	long long i;

	if (n == NULL || depth > KPP_YAML_DEPTH || --*budget < 0)
		return NULL;
	switch (n->type) {
	case YAML_SCALAR_NODE:
		s = (const char *)n->data.scalar.value;
		if (n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE) {
			if (strcmp(s, "true") == 0 || strcmp(s, "false") == 0)
				return json_object_new_boolean(s[0] == 't');
			errno = 0;
			i = strtoll(s, &end, 10);
			if (*s != '\0' && *end == '\0' && errno == 0)
				return json_object_new_int64(i);
			errno = 0;
			x = strtod(s, &end);
			if (*s != '\0' && *end == '\0' && errno == 0 && isfinite(x))
				return json_object_new_double(x);
		}
		return json_object_new_string_len(s, (int)n->data.scalar.length);
	case YAML_SEQUENCE_NODE:
		if ((o = json_object_new_array()) == NULL)
			return NULL;
		for (it = n->data.sequence.items.start;
		    it < n->data.sequence.items.top; it++) {
			if ((v = kpp_yaml_json(d, yaml_document_get_node(d, *it),
			    depth + 1, budget)) == NULL) {
				json_object_put(o);
				return NULL;
			}
			json_object_array_add(o, v);
		}
		return o;
	case YAML_MAPPING_NODE:
		if ((o = json_object_new_object()) == NULL)
			return NULL;
		for (pr = n->data.mapping.pairs.start;
		    pr < n->data.mapping.pairs.top; pr++) {
			s = kpp_yaml_str(yaml_document_get_node(d, pr->key));
			v = kpp_yaml_json(d, yaml_document_get_node(d, pr->value),
			    depth + 1, budget);
			if (s == NULL || v == NULL) {
				json_object_put(v);
				json_object_put(o);
				return NULL;
			}
			json_object_object_add(o, s, v);
		}
		return o;
	default:
		return NULL;
	}
}

int
kpp_yaml_testdata(const char *buf, size_t len, char **json, char *err,
    size_t errsz)
{
	yaml_document_t doc;
	yaml_node_t *root;
	json_object *o = NULL;
	int budget = KPP_YAML_NODES, rc = -1;

	*json = NULL;
	if (kpp_yaml_load("testdata.yaml", buf, len, &doc, err, errsz) == -1)
		return -1;
	root = yaml_document_get_root_node(&doc);
	if (root == NULL) {		/* an empty file: the defaults */
		rc = (*json = strdup("{}")) != NULL ? 0 : -1;
		goto out;
	}
	if (root->type != YAML_MAPPING_NODE) {
		package_errf(err, errsz, "testdata.yaml: not a mapping");
		goto out;
	}
	if ((o = kpp_yaml_json(&doc, root, 0, &budget)) == NULL) {
		package_errf(err, errsz, "testdata.yaml: nested too deep, too large, or "
		    "a key that is not a string");
		goto out;
	}
	if ((*json = strdup(json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PLAIN))) == NULL)
		goto out;
	rc = 0;
out:
	json_object_put(o);
	yaml_document_delete(&doc);
	return rc;
}

/* The value of a flags node: a string, or a list of strings joined. */
static char *
kpp_yaml_flags(yaml_node_t *n, yaml_document_t *d)
{
	yaml_node_item_t *it;
	const char *s;
	char *out = NULL, *nw;
	size_t len = 0, sl;

	if (n != NULL && n->type == YAML_SCALAR_NODE)
		return strdup(kpp_yaml_str(n));
	if ((out = strdup("")) == NULL)
		return NULL;
	if (n == NULL || n->type != YAML_SEQUENCE_NODE)
		return out;
	for (it = n->data.sequence.items.start; it < n->data.sequence.items.top;
	    it++) {
		if ((s = kpp_yaml_str(yaml_document_get_node(d, *it))) == NULL)
			continue;
		sl = strlen(s);
		if ((nw = realloc(out, len + sl + 2)) == NULL) {
			free(out);
			return NULL;
		}
		out = nw;
		if (len > 0)
			out[len++] = ' ';
		memcpy(out + len, s, sl + 1);
		len += sl;
	}
	return out;
}

/* The name: a string, or a language map (en, else the first). */
static int
kpp_yaml_name(struct kpp *k, yaml_document_t *d, yaml_node_t *n)
{
	yaml_node_t *v;

	if (n == NULL)
		return 0;
	if (n->type == YAML_MAPPING_NODE) {
		v = kpp_yaml_get(d, n, "en");
		if (v == NULL && n->data.mapping.pairs.start <
		    n->data.mapping.pairs.top)
			v = yaml_document_get_node(d,
			    n->data.mapping.pairs.start->value);
		n = v;
	}
	if (kpp_yaml_str(n) == NULL)
		return -1;
	return (k->name = strdup(kpp_yaml_str(n))) != NULL ? 0 : -1;
}

/* One word of a 2023-07 `type`.  0 / -1 (unknown). */
static int
kpp_type_word(struct kpp *k, const char *w)
{
	if (strcmp(w, "pass-fail") == 0)
		return 0;
	if (strcmp(w, "scoring") == 0)
		k->type = KPP_TYPE_SCORING;
	else if (strcmp(w, "interactive") == 0)
		k->validator = KPP_VALIDATOR_INTERACTIVE;
	else
		return -1;
	return 0;
}

/* Legacy `validation`: default | custom [interactive] [score]. */
static int
kpp_validation(struct kpp *k, const char *s, char *err, size_t errsz)
{
	char *dup, *w, *save = NULL;
	int first = 1, rc = -1;

	if ((dup = strdup(s)) == NULL)
		return -1;
	for (w = strtok_r(dup, " \t", &save); w != NULL;
	    w = strtok_r(NULL, " \t", &save), first = 0) {
		if (first && strcmp(w, "default") == 0)
			k->validator = KPP_VALIDATOR_DEFAULT;
		else if (first && strcmp(w, "custom") == 0)
			k->validator = KPP_VALIDATOR_CUSTOM;
		else if (!first && k->validator != KPP_VALIDATOR_DEFAULT &&
		    strcmp(w, "interactive") == 0)
			k->validator = KPP_VALIDATOR_INTERACTIVE;
		else if (!first && k->validator != KPP_VALIDATOR_DEFAULT &&
		    strcmp(w, "score") == 0)
			k->validator_score = 1;
		else {
			package_errf(err, errsz, "problem.yaml: validation \"%.64s\" is "
			    "not default or custom [interactive] [score]", s);
			goto out;
		}
	}
	if (first) {
		package_errf(err, errsz, "problem.yaml: validation is empty");
		goto out;
	}
	rc = 0;
out:
	free(dup);
	return rc;
}

/*
 * The time multipliers verify computes a time limit with (problemtools'
 * rule): legacy limits.time_multiplier (default 5) and time_safety_margin
 * (2); 2023-07 limits.time_multipliers.ac_to_time_limit (2) and
 * time_limit_to_tle (1.5), limits.time_resolution (1 s) in both.
 */
static int
kpp_yaml_multipliers(struct kpp *k, yaml_document_t *d, yaml_node_t *lim,
    char *err, size_t errsz)
{
	yaml_node_t *m = lim;
	const char *ac = "time_multiplier", *tle = "time_safety_margin";

	k->ac_to_time_limit = k->layout == KPP_LAYOUT_2023 ? 2.0 : 5.0;
	k->time_limit_to_tle = k->layout == KPP_LAYOUT_2023 ? 1.5 : 2.0;
	k->time_resolution = 1.0;
	if (k->layout == KPP_LAYOUT_2023) {
		m = kpp_yaml_get(d, lim, "time_multipliers");
		ac = "ac_to_time_limit";
		tle = "time_limit_to_tle";
	}
	if (kpp_yaml_num(kpp_yaml_get(d, m, ac), 1, 100,
	    &k->ac_to_time_limit) == -1 ||
	    kpp_yaml_num(kpp_yaml_get(d, m, tle), 1, 100,
	    &k->time_limit_to_tle) == -1) {
		package_errf(err, errsz, "problem.yaml: limits.%s%s and %s must be "
		    "numbers in [1, 100]", k->layout == KPP_LAYOUT_2023 ?
		    "time_multipliers." : "", ac, tle);
		return -1;
	}
	if (kpp_yaml_num(kpp_yaml_get(d, lim, "time_resolution"), 0.001, 60,
	    &k->time_resolution) == -1) {
		package_errf(err, errsz, "problem.yaml: limits.time_resolution is not "
		    "a number of seconds in [0.001, 60]");
		return -1;
	}
	return 0;
}

int
kpp_yaml_problem(struct kpp *k, const char *buf, size_t len, char *err,
    size_t errsz)
{
	yaml_document_t doc;
	yaml_node_t *root, *n, *lim;
	yaml_node_item_t *it;
	const char *s;
	double v;
	int rc = -1, r;

	if (kpp_yaml_load("problem.yaml", buf, len, &doc, err, errsz) == -1)
		return -1;
	if ((root = yaml_document_get_root_node(&doc)) == NULL ||
	    root->type != YAML_MAPPING_NODE) {
		package_errf(err, errsz, "problem.yaml: not a mapping");
		goto out;
	}
	k->layout = KPP_LAYOUT_LEGACY;
	if ((n = kpp_yaml_get(&doc, root, "problem_format_version")) != NULL) {
		if ((s = kpp_yaml_str(n)) == NULL)
			goto bad_version;
		if (strncmp(s, "2023-07", 7) == 0)
			k->layout = KPP_LAYOUT_2023;
		else if (strcmp(s, "legacy") != 0 && strcmp(s, "legacy-icpc") != 0)
			goto bad_version;
	}
	if (kpp_yaml_name(k, &doc, kpp_yaml_get(&doc, root, "name")) == -1) {
		package_errf(err, errsz, "problem.yaml: name is not a string or a "
		    "language map of strings");
		goto out;
	}
	if ((n = kpp_yaml_get(&doc, root, "type")) != NULL) {
		if (n->type == YAML_SCALAR_NODE)
			r = kpp_type_word(k, kpp_yaml_str(n));
		else if (n->type == YAML_SEQUENCE_NODE && k->layout == KPP_LAYOUT_2023) {
			r = 0;
			for (it = n->data.sequence.items.start;
			    r == 0 && it < n->data.sequence.items.top; it++) {
				s = kpp_yaml_str(yaml_document_get_node(&doc, *it));
				r = s == NULL ? -1 : kpp_type_word(k, s);
			}
		} else
			r = -1;
		/* Legacy types are pass-fail and scoring only. */
		if (r == -1 || (k->layout == KPP_LAYOUT_LEGACY &&
		    k->validator == KPP_VALIDATOR_INTERACTIVE)) {
			package_errf(err, errsz, "problem.yaml: unknown type (supported: "
			    "pass-fail, scoring%s)", k->layout == KPP_LAYOUT_2023 ?
			    ", interactive" : "");
			goto out;
		}
	}
	if ((n = kpp_yaml_get(&doc, root, "validation")) != NULL) {
		if ((s = kpp_yaml_str(n)) == NULL) {
			package_errf(err, errsz, "problem.yaml: validation is not a string");
			goto out;
		}
		if (kpp_validation(k, s, err, errsz) == -1)
			goto out;
	}
	n = kpp_yaml_get(&doc, root, "validator_flags");
	if (n != NULL && n->type != YAML_SCALAR_NODE) {
		package_errf(err, errsz, "problem.yaml: validator_flags is not a string");
		goto out;
	}
	if ((k->validator_flags = kpp_yaml_flags(n, &doc)) == NULL)
		goto nomem;
	lim = kpp_yaml_get(&doc, root, "limits");
	if (kpp_yaml_multipliers(k, &doc, lim, err, errsz) == -1)
		goto out;
	if ((r = kpp_yaml_num(kpp_yaml_get(&doc, lim, "time_limit"), 0.001, 60,
	    &v)) == -1) {
		package_errf(err, errsz, "problem.yaml: limits.time_limit is not a number "
		    "of seconds in [0.001, 60]");
		goto out;
	}
	if (r == 0)
		k->time_limit_ms = (int)lround(v * 1000);
	if ((r = kpp_yaml_num(kpp_yaml_get(&doc, lim, "memory"), 2, 4096,
	    &v)) == -1) {
		package_errf(err, errsz, "problem.yaml: limits.memory is not a number of "
		    "MiB in [2, 4096]");
		goto out;
	}
	if (r == 0)
		k->memory_mb = (int)v;
	if ((r = kpp_yaml_num(kpp_yaml_get(&doc, lim, "output"), 1, 1024,
	    &v)) == -1) {
		package_errf(err, errsz, "problem.yaml: limits.output is not a number of "
		    "MiB in [1, 1024]");
		goto out;
	}
	if (r == 0)
		k->output_mb = (int)v;
	/* The validator's own limits (legacy and 2023-07 alike). */
	if ((r = kpp_yaml_num(kpp_yaml_get(&doc, lim, "validation_time"), 0.001,
	    60, &v)) == -1) {
		package_errf(err, errsz, "problem.yaml: limits.validation_time is not "
		    "a number of seconds in [0.001, 60]");
		goto out;
	}
	if (r == 0)
		k->validation_time_ms = (int)lround(v * 1000);
	if ((r = kpp_yaml_num(kpp_yaml_get(&doc, lim, "validation_memory"), 2,
	    4096, &v)) == -1) {
		package_errf(err, errsz, "problem.yaml: limits.validation_memory is "
		    "not a number of MiB in [2, 4096]");
		goto out;
	}
	if (r == 0)
		k->validation_memory_mb = (int)v;
	/* Balloon colours (the keys of a CCS problemset.yaml entry), when the
	 * package gives them. */
	if ((n = kpp_yaml_get(&doc, root, "rgb")) != NULL) {
		if ((s = kpp_yaml_str(n)) == NULL || !package_rgb_valid(s)) {
			package_errf(err, errsz, "problem.yaml: rgb is not \"#rgb\" or "
			    "\"#rrggbb\"");
			goto out;
		}
		snprintf(k->rgb, sizeof(k->rgb), "%s", s);
	}
	if ((n = kpp_yaml_get(&doc, root, "color")) != NULL) {
		if ((s = kpp_yaml_str(n)) == NULL || !package_color_valid(s)) {
			package_errf(err, errsz, "problem.yaml: color is not a colour name "
			    "(1-%d printable ASCII characters, no quotes)", PKG_COLOR_MAX);
			goto out;
		}
		snprintf(k->color, sizeof(k->color), "%s", s);
	}
	rc = 0;
	goto out;
bad_version:
	package_errf(err, errsz, "problem.yaml: problem_format_version is not legacy or "
	    "2023-07");
	goto out;
nomem:
	package_errf(err, errsz, "problem.yaml: out of memory");
out:
	yaml_document_delete(&doc);
	return rc;
}

int
kpp_yaml_testdata_flags(const char *name, const char *buf, size_t len,
    char **flags, char *err, size_t errsz)
{
	yaml_document_t doc;
	yaml_node_t *root, *n;
	int rc = 0;

	*flags = NULL;
	if (kpp_yaml_load(name, buf, len, &doc, err, errsz) == -1)
		return -1;
	root = yaml_document_get_root_node(&doc);
	if ((n = kpp_yaml_get(&doc, root, "output_validator_flags")) == NULL)
		n = kpp_yaml_get(&doc, root, "output_validator_args");
	if (n != NULL && (*flags = kpp_yaml_flags(n, &doc)) == NULL) {
		package_errf(err, errsz, "%s: out of memory", name);
		rc = -1;
	}
	yaml_document_delete(&doc);
	return rc;
}
