/*
 * Verdicts from Judge0 results, and decoding of Judge0's result JSON.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "json.h"
#include "judge0.h"
#include "verdict.h"

static const char *const verdict_names[VERDICT__MAX] = {
	"AC", "WA", "TLE", "CE", "RE", "IE", "MLE", "OLE",
};

#define MLE_MESSAGE	"Memory limit exceeded"

enum verdict
verdict_refine(enum verdict v, const char *msg, size_t len)
{
	if (v == VERDICT_RE && msg != NULL && len >= sizeof(MLE_MESSAGE) - 1 &&
	    memcmp(msg, MLE_MESSAGE, sizeof(MLE_MESSAGE) - 1) == 0)
		return VERDICT_MLE;
	return v;
}

const char *
verdict_name(enum verdict v)
{
	if ((int)v < 0 || v >= VERDICT__MAX)
		return "?";
	return verdict_names[v];
}

/* Ruby's String#rstrip set: what Judge0 strips at the end of lines. */
static int
is_strip(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' ||
	    c == '\f' || c == '\r' || c == '\0';
}

/*
 * Judge0's normalisation of s[0..len) into a malloc'd buffer (*outlen
 * bytes).  NULL when memory ran out.
 */
static char *
normalize(const char *s, size_t len, size_t *outlen)
{
	char *buf;
	size_t i = 0, n = 0, end, eol;

	if ((buf = malloc(len + 1)) == NULL)
		return NULL;
	while (i < len) {
		const char *nl = memchr(s + i, '\n', len - i);

		eol = nl ? (size_t)(nl - s) : len;
		end = eol;
		while (end > i && is_strip(s[end - 1]))
			end--;
		memcpy(buf + n, s + i, end - i);
		n += end - i;
		if (nl != NULL)
			buf[n++] = '\n';
		i = eol + 1;
	}
	while (n > 0 && is_strip(buf[n - 1]))
		n--;
	buf[n] = '\0';
	*outlen = n;
	return buf;
}

int
verdict_output_matches(const char *out, size_t outlen, const char *expected,
    size_t explen)
{
	char *a = NULL, *b = NULL;
	size_t alen, blen;
	int eq = 0;

	if ((a = normalize(out ? out : "", out ? outlen : 0, &alen)) == NULL ||
	    (b = normalize(expected ? expected : "", expected ? explen : 0,
	    &blen)) == NULL)
		goto out;
	eq = alen == blen && memcmp(a, b, alen) == 0;
out:
	free(a);
	free(b);
	return eq;
}

enum verdict_rc
verdict_from_status(int status_id, const char *out, size_t outlen,
    const char *expected, size_t explen, enum verdict *v)
{
	switch (status_id) {
	case 1:
	case 2:
		return VERDICT_PENDING;
	case 3:
		/* No expected_output was sent: 3 only means "ran cleanly". */
		*v = verdict_output_matches(out, outlen, expected, explen) ?
		    VERDICT_AC : VERDICT_WA;
		return VERDICT_FINAL;
	case 4:
		*v = VERDICT_WA;
		return VERDICT_FINAL;
	case 5:
		*v = VERDICT_TLE;
		return VERDICT_FINAL;
	case 6:
		*v = VERDICT_CE;
		return VERDICT_FINAL;
	case 8:		/* SIGXFSZ: the output file size limit */
		*v = VERDICT_OLE;
		return VERDICT_FINAL;
	case 7: case 9: case 10: case 11: case 12:
	case 14:	/* Exec Format Error: the program could not run */
		*v = VERDICT_RE;
		return VERDICT_FINAL;
	case 13:
		*v = VERDICT_IE;
		return VERDICT_FINAL;
	default:
		return VERDICT_BAD_STATUS;
	}
}

int
verdict_time_ms(const char *s, int *ms)
{
	char *end;
	double t;

	if (s == NULL || *s == '\0')
		return -1;
	errno = 0;
	t = strtod(s, &end);
	if (errno != 0 || *end != '\0' || !isfinite(t) || t < 0 ||
	    t > 1e6)
		return -1;
	*ms = (int)lround(t * 1000.0);
	return 0;
}

void
verdict_result_clear(struct verdict_result *r)
{
	if (r == NULL)
		return;
	free(r->out);
	free(r->err);
	free(r->compile_output);
	free(r->message);
	memset(r, 0, sizeof(*r));
	r->time_ms = r->memory_kb = -1;
}

/*
 * Decode the base64 string field `key` of obj into *dst / *lenp (NULL
 * when absent or null).  0 / -1 with err set.
 */
static int
field_b64(json_object *obj, const char *key, char **dst, size_t *lenp,
    char *err, size_t errsz)
{
	json_object *v;
	const char *s;

	*dst = NULL;
	*lenp = 0;
	if (!json_object_object_get_ex(obj, key, &v) || v == NULL ||
	    json_object_is_type(v, json_type_null))
		return 0;
	if (!json_object_is_type(v, json_type_string)) {
		snprintf(err, errsz, "%s is not a string", key);
		return -1;
	}
	s = json_object_get_string(v);
	*dst = b64_decode(s, (size_t)json_object_get_string_len(v), lenp);
	if (*dst == NULL) {
		snprintf(err, errsz, "%s is not base64", key);
		return -1;
	}
	return 0;
}

int
verdict_result_parse(const char *body, size_t len, struct verdict_result *r,
    char *err, size_t errsz)
{
	json_object *obj = NULL, *st, *v;
	struct jerr jerr;
	int64_t n;
	int rc = -1;

	memset(r, 0, sizeof(*r));
	r->time_ms = r->memory_kb = -1;
	if ((obj = json_parse_bounded(body, len, 16, &jerr)) == NULL) {
		snprintf(err, errsz, "body is not JSON: %s", jerr.message);
		goto out;
	}
	if (!json_object_is_type(obj, json_type_object)) {
		snprintf(err, errsz, "body is not a JSON object");
		goto out;
	}
	if (!json_object_object_get_ex(obj, "status", &st) ||
	    json_get_int(st, "id", 1, 1, 1000, &n, &jerr) == -1) {
		snprintf(err, errsz, "body has no status id");
		goto out;
	}
	r->status_id = (int)n;

	if (json_object_object_get_ex(obj, "token", &v) &&
	    json_object_is_type(v, json_type_string)) {
		if ((size_t)json_object_get_string_len(v) >= sizeof(r->token)) {
			snprintf(err, errsz, "token is too long");
			goto out;
		}
		snprintf(r->token, sizeof(r->token), "%s",
		    json_object_get_string(v));
	}

	/* time: a string of seconds in Judge0 1.13; accept a number too. */
	if (json_object_object_get_ex(obj, "time", &v) && v != NULL &&
	    !json_object_is_type(v, json_type_null)) {
		if ((json_object_is_type(v, json_type_string) ||
		    json_object_is_type(v, json_type_double) ||
		    json_object_is_type(v, json_type_int)) &&
		    verdict_time_ms(json_object_get_string(v), &r->time_ms) == 0)
			;
		else {
			snprintf(err, errsz, "time is not a number of seconds");
			goto out;
		}
	}
	if (json_object_object_get_ex(obj, "memory", &v) && v != NULL &&
	    !json_object_is_type(v, json_type_null)) {
		if (!json_object_is_type(v, json_type_int) ||
		    json_object_get_int64(v) < 0 ||
		    json_object_get_int64(v) > 1000000000) {
			snprintf(err, errsz, "memory is not a number of KB");
			goto out;
		}
		r->memory_kb = (int)json_object_get_int64(v);
	}

	if (field_b64(obj, "stdout", &r->out, &r->out_len, err, errsz) == -1 ||
	    field_b64(obj, "stderr", &r->err, &r->err_len, err, errsz) == -1 ||
	    field_b64(obj, "compile_output", &r->compile_output,
	    &r->compile_output_len, err, errsz) == -1 ||
	    field_b64(obj, "message", &r->message, &r->message_len, err,
	    errsz) == -1)
		goto out;
	rc = 0;
out:
	json_object_put(obj);
	return rc;
}

/* Length of the valid UTF-8 character at s[0..len), or 0 when invalid. */
static size_t
utf8_char(const unsigned char *s, size_t len)
{
	size_t n;

	if (s[0] < 0x80)
		return s[0] == 0 ? 0 : 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4;
	else
		return 0;
	if (n > len || !utf8_valid((const char *)s, n))
		return 0;
	return n;
}

char *
verdict_excerpt(const char *s, size_t len, size_t max)
{
	char *buf;
	size_t i = 0, n = 0, c;

	if (s == NULL)
		return NULL;
	if ((buf = malloc((len < max ? len : max) + 1)) == NULL)
		return NULL;
	while (i < len) {
		c = utf8_char((const unsigned char *)s + i, len - i);
		if (n + (c ? c : 1) > max)
			break;
		if (c == 0) {
			buf[n++] = '?';
			i++;
		} else {
			memcpy(buf + n, s + i, c);
			n += c;
			i += c;
		}
	}
	buf[n] = '\0';
	return buf;
}
