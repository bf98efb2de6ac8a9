/*
 * JSON helpers over json-c: bounded parsing and typed field reading with
 * clear errors, driven by a whitelist table (like kcgi's validators).
 */
#ifndef PITWALL_JSON_H
#define PITWALL_JSON_H

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

enum jfield_type {
	JF_STRING,	/* const char * into the object (valid while it lives) */
	JF_INT,		/* int64_t */
	JF_BOOL,	/* int */
	JF_OBJECT,	/* json_object * (borrowed) */
	JF_ARRAY,	/* json_object * (borrowed) */
	JF_TYPE__MAX
};

struct jfield {
	const char		*key;
	enum jfield_type	 type;
	int			 required;
	int64_t			 min, max;	/* JF_INT: range; JF_STRING: length range in bytes */
	void			*dst;
	size_t			*lenp;		/* JF_STRING: length out (optional) */
};

/* Error of a failed read: which field, and a sentence. */
struct jerr {
	char	field[64];
	char	message[256];
};

/*
 * Parse exactly `len` bytes as one JSON value, nesting at most `depth`.
 * Returns the object (caller owns it: json_object_put) or NULL with err set.
 */
json_object	*json_parse_bounded(const char *buf, size_t len, int depth,
		    struct jerr *err);

/*
 * Read the fields of `obj` (must be an object) per the table.  Strings are
 * checked to be valid UTF-8 without NUL bytes.  Returns 0, or -1 with err
 * set (and nothing of the remaining fields read).
 */
int	json_read_fields(json_object *obj, const struct jfield *f, size_t n,
	    struct jerr *err);

/* Single-field readers used by json_read_fields.  Same return convention. */
int	json_get_string(json_object *obj, const char *key, int required,
	    size_t minlen, size_t maxlen, const char **out, size_t *lenp,
	    struct jerr *err);
int	json_get_int(json_object *obj, const char *key, int required,
	    int64_t min, int64_t max, int64_t *out, struct jerr *err);
int	json_get_bool(json_object *obj, const char *key, int required,
	    int *out, struct jerr *err);

/*
 * A JSON string of the UTC time ms (milliseconds since the epoch) in
 * ISO 8601 with milliseconds, "2026-11-26T03:05:08.216Z": the one format
 * of times in Pitwall's and the judge's replies.
 */
json_object	*json_new_iso_ms(long long ms);

/* 1 when s[0..len) is valid UTF-8 (no overlongs, no surrogates). */
int	utf8_valid(const char *s, size_t len);

#endif
