/*
 * JSON helpers.  json-c accepts anything that parses; these add the checks
 * outside input needs: whole-buffer consumption, nesting depth, types,
 * ranges, UTF-8.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "json.h"

static void
jerr_set(struct jerr *err, const char *field, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return;
	snprintf(err->field, sizeof(err->field), "%s", field ? field : "");
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
}

int
utf8_valid(const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;

	while (i < len) {
		unsigned char c = s[i];
		size_t n, k;
		unsigned int cp;

		if (c < 0x80) {
			i++;
			continue;
		} else if ((c & 0xe0) == 0xc0) {
			n = 1; cp = c & 0x1f;
		} else if ((c & 0xf0) == 0xe0) {
			n = 2; cp = c & 0x0f;
		} else if ((c & 0xf8) == 0xf0) {
			n = 3; cp = c & 0x07;
		} else
			return 0;
		if (len - i <= n)	/* truncated sequence */
			return 0;
		for (k = 1; k <= n; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) ||
		    (n == 3 && cp < 0x10000) || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		i += n + 1;
	}
	return 1;
}

struct span {
	const char	*p;
	size_t		 len;
};

static int
span_cmp(const void *a, const void *b)
{
	const struct span *x = a, *y = b;

	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	return memcmp(x->p, y->p, x->len);
}

/*
 * Find a key given twice in one object of the JSON text buf[0..len), which
 * json-c would silently resolve to the last value.  Keys are compared as
 * written (escapes not decoded).  Returns 1 with *dup set when found, 0
 * when none, 2 when a string is single-quoted (json-c accepts those even in
 * strict mode; they are not JSON, and this scan would misread them), -1
 * when out of memory.  The text is already known to parse, but the scan
 * stays within its bounds whatever the text is.
 */
static int
json_duplicate_key(const char *buf, size_t len, struct span *dup)
{
	struct obj {
		struct span	*keys;
		size_t		 n, cap;
	} stack[64];
	int depth = -1, rc = 0;
	size_t i = 0, k;

	memset(stack, 0, sizeof(stack));
	while (i < len) {
		char c = buf[i];

		if (c == '\'') {
			rc = 2;
			goto out;
		}
		if (c == '"') {
			size_t start = ++i;
			while (i < len && buf[i] != '"')
				i += buf[i] == '\\' ? 2 : 1;
			if (i > len)
				i = len;
			{
				size_t end = i++, j = i;
				/* A string followed by ':' is a key of the innermost object. */
				while (j < len && strchr(" \t\r\n", buf[j]) != NULL)
					j++;
				if (j < len && buf[j] == ':' && depth >= 0 && depth < 64) {
					struct obj *o = &stack[depth];
					if (o->n == o->cap) {
						size_t ncap = o->cap ? o->cap * 2 : 16;
						struct span *nk = realloc(o->keys, ncap * sizeof(*nk));
						if (nk == NULL) {
							rc = -1;
							goto out;
						}
						o->keys = nk;
						o->cap = ncap;
					}
					o->keys[o->n].p = buf + start;
					o->keys[o->n++].len = end - start;
				}
			}
			continue;
		}
		if (c == '{' || c == '[') {
			depth++;
			if (depth >= 0 && depth < 64)
				stack[depth].n = 0;
			/* Arrays hold no keys; an entry keeps the depths aligned. */
		} else if (c == '}' || c == ']') {
			if (depth >= 0 && depth < 64 && c == '}' && stack[depth].n > 1) {
				struct obj *o = &stack[depth];
				qsort(o->keys, o->n, sizeof(*o->keys), span_cmp);
				for (k = 1; k < o->n; k++)
					if (span_cmp(&o->keys[k - 1], &o->keys[k]) == 0) {
						*dup = o->keys[k];
						rc = 1;
						goto out;
					}
			}
			if (depth >= 0)
				depth--;
		}
		i++;
	}
out:
	for (k = 0; k < 64; k++)
		free(stack[k].keys);
	return rc;
}

json_object *
json_parse_bounded(const char *buf, size_t len, int depth, struct jerr *err)
{
	json_tokener *tok;
	json_object *obj = NULL;
	enum json_tokener_error jerr;

	if (len == 0) {
		jerr_set(err, "", "the body is empty; a JSON object is expected");
		return NULL;
	}
	if (len > INT32_MAX) {
		jerr_set(err, "", "the body is too large");
		return NULL;
	}
	if ((tok = json_tokener_new_ex(depth)) == NULL) {
		jerr_set(err, "", "out of memory");
		return NULL;
	}
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	obj = json_tokener_parse_ex(tok, buf, (int)len);
	jerr = json_tokener_get_error(tok);
	if (jerr == json_tokener_continue) {
		jerr_set(err, "", "the JSON body is incomplete");
		goto fail;
	}
	if (jerr != json_tokener_success) {
		jerr_set(err, "", "the body is not valid JSON: %s",
		    json_tokener_error_desc(jerr));
		goto fail;
	}
	/* Only whitespace may follow the value. */
	{
		size_t off = (size_t)json_tokener_get_parse_end(tok);
		for (; off < len; off++)
			if (strchr(" \t\r\n", buf[off]) == NULL) {
				jerr_set(err, "", "unexpected data after the JSON value");
				goto fail;
			}
	}
	{
		struct span dup;
		int d = json_duplicate_key(buf, len, &dup);
		if (d != 0) {
			if (d == 1)
				jerr_set(err, "", "the key \"%.*s\" appears twice in one object",
				    (int)(dup.len > 64 ? 64 : dup.len), dup.p);
			else if (d == 2)
				jerr_set(err, "", "the body is not valid JSON: "
				    "a string in single quotes");
			else
				jerr_set(err, "", "out of memory");
			goto fail;
		}
	}
	json_tokener_free(tok);
	return obj;
fail:
	json_object_put(obj);
	json_tokener_free(tok);
	return NULL;
}

static int
lookup(json_object *obj, const char *key, int required, json_object **out,
    struct jerr *err)
{
	*out = NULL;
	if (obj == NULL || !json_object_is_type(obj, json_type_object)) {
		jerr_set(err, "", "a JSON object is expected");
		return -1;
	}
	if (!json_object_object_get_ex(obj, key, out) ||
	    json_object_is_type(*out, json_type_null)) {
		*out = NULL;
		if (required) {
			jerr_set(err, key, "%s is required", key);
			return -1;
		}
	}
	return 0;
}

int
json_get_string(json_object *obj, const char *key, int required,
    size_t minlen, size_t maxlen, const char **out, size_t *lenp,
    struct jerr *err)
{
	json_object *v;
	const char *s;
	size_t len;

	if (lookup(obj, key, required, &v, err) == -1)
		return -1;
	if (v == NULL)
		return 0;
	if (!json_object_is_type(v, json_type_string)) {
		jerr_set(err, key, "%s must be a string", key);
		return -1;
	}
	s = json_object_get_string(v);
	len = (size_t)json_object_get_string_len(v);
	if (len > maxlen) {
		jerr_set(err, key, "%s is longer than %zu bytes", key, maxlen);
		return -1;
	}
	if (len < minlen) {
		jerr_set(err, key, minlen == 1 ? "%s must not be empty" :
		    "%s is too short", key);
		return -1;
	}
	if (memchr(s, '\0', len) != NULL || !utf8_valid(s, len)) {
		jerr_set(err, key, "%s must be valid UTF-8 text", key);
		return -1;
	}
	*out = s;
	if (lenp != NULL)
		*lenp = len;
	return 0;
}

int
json_get_int(json_object *obj, const char *key, int required, int64_t min,
    int64_t max, int64_t *out, struct jerr *err)
{
	json_object *v;
	int64_t n;

	if (lookup(obj, key, required, &v, err) == -1)
		return -1;
	if (v == NULL)
		return 0;
	if (!json_object_is_type(v, json_type_int)) {
		jerr_set(err, key, "%s must be an integer", key);
		return -1;
	}
	/* json-c saturates out-of-range integers at INT64_MIN/MAX. */
	n = json_object_get_int64(v);
	if (n < min || n > max) {
		jerr_set(err, key, "%s must be between %lld and %lld", key,
		    (long long)min, (long long)max);
		return -1;
	}
	*out = n;
	return 0;
}

int
json_get_bool(json_object *obj, const char *key, int required, int *out,
    struct jerr *err)
{
	json_object *v;

	if (lookup(obj, key, required, &v, err) == -1)
		return -1;
	if (v == NULL)
		return 0;
	if (!json_object_is_type(v, json_type_boolean)) {
		jerr_set(err, key, "%s must be true or false", key);
		return -1;
	}
	*out = json_object_get_boolean(v);
	return 0;
}

int
json_read_fields(json_object *obj, const struct jfield *f, size_t n,
    struct jerr *err)
{
	size_t i;
	json_object *v;

	if (obj == NULL || !json_object_is_type(obj, json_type_object)) {
		jerr_set(err, "", "a JSON object is expected");
		return -1;
	}
	for (i = 0; i < n; i++) {
		switch (f[i].type) {
		case JF_STRING:
			if (json_get_string(obj, f[i].key, f[i].required,
			    (size_t)f[i].min, (size_t)f[i].max,
			    (const char **)f[i].dst, f[i].lenp, err) == -1)
				return -1;
			break;
		case JF_INT:
			if (json_get_int(obj, f[i].key, f[i].required, f[i].min,
			    f[i].max, (int64_t *)f[i].dst, err) == -1)
				return -1;
			break;
		case JF_BOOL:
			if (json_get_bool(obj, f[i].key, f[i].required,
			    (int *)f[i].dst, err) == -1)
				return -1;
			break;
		case JF_OBJECT:
		case JF_ARRAY:
			if (lookup(obj, f[i].key, f[i].required, &v, err) == -1)
				return -1;
			if (v != NULL && !json_object_is_type(v,
			    f[i].type == JF_OBJECT ? json_type_object : json_type_array)) {
				jerr_set(err, f[i].key, "%s must be %s", f[i].key,
				    f[i].type == JF_OBJECT ? "an object" : "an array");
				return -1;
			}
			if (v != NULL)
				*(json_object **)f[i].dst = v;
			break;
		default:
			jerr_set(err, f[i].key, "internal: bad field type");
			return -1;
		}
	}
	return 0;
}

json_object *
json_new_iso_ms(long long ms)
{
	char buf[64];
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	gmtime_r(&t, &tm);
	snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, (int)(ms % 1000));
	return json_object_new_string(buf);
}
