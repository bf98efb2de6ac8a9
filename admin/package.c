/*
 * Problem packages: parsing and validation of contest.json, question.json
 * and NN.points, and bounded file reading.  No database code here, so that
 * a fuzz target can link this file alone.  The format is docs/packages.md;
 * the ranges are the schema's CHECKs (sql/001_schema.sql).
 */
#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "extern.h"
#include "json.h"

void
package_errf(char *err, size_t errsz, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errsz == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errsz, fmt, ap);
	va_end(ap);
}

/* ^[a-z0-9][a-z0-9_-]{0,63}$ as in the schema. */
int
package_slug_valid(const char *s)
{
	size_t i;

	if (s == NULL || !(islower((unsigned char)s[0]) || isdigit((unsigned char)s[0])))
		return 0;
	for (i = 1; s[i] != '\0'; i++) {
		if (i >= PKG_SLUG_MAX)
			return 0;
		if (!islower((unsigned char)s[i]) && !isdigit((unsigned char)s[i]) &&
		    s[i] != '_' && s[i] != '-')
			return 0;
	}
	return 1;
}

/* A balloon's rgb as the Contest API has it: ^#[0-9A-Fa-f]{3}([0-9A-Fa-f]{3})?$. */
int
package_rgb_valid(const char *s)
{
	size_t i, n;

	if (s == NULL || s[0] != '#' || ((n = strlen(s)) != 4 && n != 7))
		return 0;
	for (i = 1; i < n; i++)
		if (!isxdigit((unsigned char)s[i]))
			return 0;
	return 1;
}

/* A balloon's colour name: 1..PKG_COLOR_MAX printable ASCII bytes ("light
 * blue"), no quotes or backslashes (it goes into YAML and CSS titles). */
int
package_color_valid(const char *s)
{
	size_t i;

	if (s == NULL || s[0] == '\0')
		return 0;
	for (i = 0; s[i] != '\0'; i++)
		if (i >= PKG_COLOR_MAX || s[i] < 0x20 || s[i] > 0x7e ||
		    s[i] == '"' || s[i] == '\'' || s[i] == '\\')
			return 0;
	return 1;
}

/* ^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$: a file name stem, never "." or "..". */
int
package_test_name_valid(const char *s)
{
	size_t i;

	if (s == NULL || !isalnum((unsigned char)s[0]))
		return 0;
	for (i = 1; s[i] != '\0'; i++) {
		if (i >= PKG_TEST_NAME_MAX)
			return 0;
		if (!isalnum((unsigned char)s[i]) && s[i] != '_' && s[i] != '-')
			return 0;
	}
	return 1;
}

static int
digits(const char *s, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return 0;
	return 1;
}

/*
 * YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM).  PostgreSQL has the
 * last word on calendar validity (a 31st of February fails the import).
 */
int
package_time_valid(const char *s)
{
	size_t i;

	if (s == NULL || strlen(s) < 20 || strlen(s) > 40)
		return 0;
	if (!digits(s, 4) || s[4] != '-' || !digits(s + 5, 2) || s[7] != '-' ||
	    !digits(s + 8, 2) || (s[10] != 'T' && s[10] != ' ') ||
	    !digits(s + 11, 2) || s[13] != ':' || !digits(s + 14, 2) ||
	    s[16] != ':' || !digits(s + 17, 2))
		return 0;
	i = 19;
	if (s[i] == '.') {
		i++;
		if (!isdigit((unsigned char)s[i]))
			return 0;
		while (isdigit((unsigned char)s[i]))
			i++;
	}
	if (s[i] == 'Z' && s[i + 1] == '\0')
		return 1;
	if ((s[i] == '+' || s[i] == '-') && digits(s + i + 1, 2) &&
	    s[i + 3] == ':' && digits(s + i + 4, 2) && s[i + 6] == '\0')
		return 1;
	return 0;
}

int
package_text_check(const char *what, const char *buf, size_t len, char *err,
    size_t errsz)
{
	if (memchr(buf, '\0', len) != NULL) {
		package_errf(err, errsz, "%s: contains a NUL byte (binary data is not "
		    "supported)", what);
		return -1;
	}
	if (!utf8_valid(buf, len)) {
		package_errf(err, errsz, "%s: is not valid UTF-8", what);
		return -1;
	}
	return 0;
}

/* Refuse keys not in `allowed`: a typo must not silently become a default. */
static int
keys_known(json_object *o, const char *const *allowed, const char *what,
    char *err, size_t errsz)
{
	size_t i;

	json_object_object_foreach(o, key, val) {
		(void)val;
		for (i = 0; allowed[i] != NULL; i++)
			if (strcmp(key, allowed[i]) == 0)
				break;
		if (allowed[i] == NULL) {
			package_errf(err, errsz, "%sunknown key \"%.64s\"", what, key);
			return -1;
		}
	}
	return 0;
}

/*
 * One JSON file of a package: within PKG_JSON_MAX, valid, an object with
 * only the keys in `allowed`.  The object (json_object_put() it), or
 * NULL with err set.
 */
static json_object *
pkg_object(const char *json, size_t len, const char *const *allowed,
    char *err, size_t errsz)
{
	json_object *o;
	struct jerr je;

	if (len > PKG_JSON_MAX) {
		package_errf(err, errsz, "larger than %d bytes", PKG_JSON_MAX);
		return NULL;
	}
	if ((o = json_parse_bounded(json, len, 8, &je)) == NULL) {
		package_errf(err, errsz, "%s", je.message);
		return NULL;
	}
	if (!json_object_is_type(o, json_type_object)) {
		package_errf(err, errsz, "a JSON object is expected");
		json_object_put(o);
		return NULL;
	}
	if (keys_known(o, allowed, "", err, errsz) == -1) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

/* A nullable ISO-8601 string field.  *out is strdup'd or stays NULL. */
static int
time_field(json_object *o, const char *key, char **out, const char *what,
    char *err, size_t errsz)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || v == NULL ||
	    json_object_is_type(v, json_type_null))
		return 0;
	if (!json_object_is_type(v, json_type_string) ||
	    !package_time_valid(json_object_get_string(v))) {
		package_errf(err, errsz, "%s%s must be null or an ISO-8601 time with a "
		    "zone, like 2025-05-01T09:00:00Z", what, key);
		return -1;
	}
	if ((*out = strdup(json_object_get_string(v))) == NULL) {
		package_errf(err, errsz, "out of memory");
		return -1;
	}
	return 0;
}

int
package_parse_contest(const char *json, size_t len, struct pkg_contest *out,
    char *err, size_t errsz)
{
	static const char *const ckeys[] = { "name", "rounds", NULL };
	static const char *const rkeys[] = { "slug", "name", "starts_at",
	    "ends_at", "minutes", "scoring", "penalty_minutes", "freeze_at",
	    NULL };
	json_object *o = NULL, *rounds = NULL, *r;
	struct jerr je;
	const char *s;
	char what[96];
	int64_t minutes, penalty;
	size_t i, j, n;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if ((o = pkg_object(json, len, ckeys, err, errsz)) == NULL)
		goto out;
	if (json_get_string(o, "name", 1, 1, 200, &s, NULL, &je) == -1) {
		package_errf(err, errsz, "%s", je.message);
		goto out;
	}
	if ((out->name = strdup(s)) == NULL)
		goto oom;
	if (!json_object_object_get_ex(o, "rounds", &rounds) ||
	    !json_object_is_type(rounds, json_type_array) ||
	    (n = json_object_array_length(rounds)) == 0 || n > PKG_MAX_ROUNDS) {
		package_errf(err, errsz, "rounds must be an array of 1 to %d rounds",
		    PKG_MAX_ROUNDS);
		goto out;
	}
	if ((out->rounds = calloc(n, sizeof(*out->rounds))) == NULL)
		goto oom;
	out->nrounds = n;
	for (i = 0; i < n; i++) {
		struct pkg_round *pr = &out->rounds[i];

		snprintf(what, sizeof(what), "rounds[%zu]: ", i);
		r = json_object_array_get_idx(rounds, i);
		if (r == NULL || !json_object_is_type(r, json_type_object)) {
			package_errf(err, errsz, "%sa JSON object is expected", what);
			goto out;
		}
		if (keys_known(r, rkeys, what, err, errsz) == -1)
			goto out;
		if (json_get_string(r, "slug", 1, 1, PKG_SLUG_MAX, &s, NULL,
		    &je) == -1) {
			package_errf(err, errsz, "%s%s", what, je.message);
			goto out;
		}
		if (!package_slug_valid(s)) {
			package_errf(err, errsz, "%sslug \"%s\" must match "
			    "[a-z0-9][a-z0-9_-]{0,63}", what, s);
			goto out;
		}
		snprintf(pr->slug, sizeof(pr->slug), "%s", s);
		for (j = 0; j < i; j++)
			if (strcmp(out->rounds[j].slug, pr->slug) == 0) {
				package_errf(err, errsz, "%sslug \"%s\" appears twice",
				    what, s);
				goto out;
			}
		if (json_get_string(r, "name", 1, 1, 200, &s, NULL, &je) == -1) {
			package_errf(err, errsz, "%s%s", what, je.message);
			goto out;
		}
		if ((pr->name = strdup(s)) == NULL)
			goto oom;
		minutes = 180;
		if (json_get_int(r, "minutes", 0, 1, 100000, &minutes, &je) == -1) {
			package_errf(err, errsz, "%s%s", what, je.message);
			goto out;
		}
		pr->minutes = (int)minutes;
		/* How the round ranks (docs/scoring.md); absent: unchanged. */
		penalty = -1;
		if (json_get_int(r, "penalty_minutes", 0, 0, 1000, &penalty,
		    &je) == -1) {
			package_errf(err, errsz, "%s%s", what, je.message);
			goto out;
		}
		pr->penalty = (int)penalty;
		s = NULL;
		if (json_get_string(r, "scoring", 0, 1, 15, &s, NULL, &je) == -1 ||
		    (s != NULL && strcmp(s, "proportional") != 0 &&
		    strcmp(s, "icpc") != 0 && strcmp(s, "ioi") != 0)) {
			package_errf(err, errsz, "%sscoring must be proportional, "
			    "icpc or ioi", what);
			goto out;
		}
		snprintf(pr->scoring, sizeof(pr->scoring), "%s", s ? s : "");
		if (time_field(r, "starts_at", &pr->starts_at, what, err,
		    errsz) == -1 ||
		    time_field(r, "ends_at", &pr->ends_at, what, err, errsz) == -1 ||
		    time_field(r, "freeze_at", &pr->freeze_at, what, err,
		    errsz) == -1)
			goto out;
	}
	rc = 0;
	goto out;
oom:
	package_errf(err, errsz, "out of memory");
out:
	json_object_put(o);
	return rc;
}

void
package_contest_free(struct pkg_contest *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < c->nrounds; i++) {
		free(c->rounds[i].name);
		free(c->rounds[i].starts_at);
		free(c->rounds[i].ends_at);
		free(c->rounds[i].freeze_at);
	}
	free(c->rounds);
	free(c->name);
	memset(c, 0, sizeof(*c));
}

int
package_parse_question(const char *json, size_t len, struct pkg_question *out,
    char *err, size_t errsz)
{
	static const char *const qkeys[] = { "round", "title", "points",
	    "time_limit_ms", "memory_limit_kb", "checker", "samples", "rgb",
	    "color", NULL };
	json_object *o = NULL, *samples = NULL, *v;
	struct jerr je;
	const char *s, *checker = "exact", *round = NULL, *title = NULL;
	const char *rgb = NULL, *color = NULL;
	int64_t points = 100, tl = 1000, ml = 262144;
	size_t i, j, n;
	int rc = -1;
	const struct jfield fields[] = {
		{ "round", JF_STRING, 1, 1, PKG_SLUG_MAX, &round, NULL },
		{ "title", JF_STRING, 1, 1, 200, &title, NULL },
		{ "points", JF_INT, 0, 0, 1000000, &points, NULL },
		{ "time_limit_ms", JF_INT, 0, 1, 60000, &tl, NULL },
		{ "memory_limit_kb", JF_INT, 0, 2048, 4194304, &ml, NULL },
		{ "checker", JF_STRING, 0, 1, 15, &checker, NULL },
		{ "samples", JF_ARRAY, 0, 0, 0, &samples, NULL },
		{ "rgb", JF_STRING, 0, 4, 7, &rgb, NULL },
		{ "color", JF_STRING, 0, 1, PKG_COLOR_MAX, &color, NULL },
	};

	memset(out, 0, sizeof(*out));
	if ((o = pkg_object(json, len, qkeys, err, errsz)) == NULL)
		goto out;
	if (json_read_fields(o, fields, sizeof(fields) / sizeof(fields[0]),
	    &je) == -1) {
		package_errf(err, errsz, "%s", je.message);
		goto out;
	}
	if (!package_slug_valid(round)) {
		package_errf(err, errsz, "round \"%s\" is not a valid round slug", round);
		goto out;
	}
	snprintf(out->round, sizeof(out->round), "%s", round);
	if ((out->title = strdup(title)) == NULL)
		goto oom;
	if (strcmp(checker, "exact") != 0) {
		package_errf(err, errsz, "checker \"%s\" is unknown (only \"exact\")",
		    checker);
		goto out;
	}
	snprintf(out->checker, sizeof(out->checker), "%s", checker);
	if (rgb != NULL && !package_rgb_valid(rgb)) {
		package_errf(err, errsz, "rgb \"%s\" is not \"#rgb\" or \"#rrggbb\"",
		    rgb);
		goto out;
	}
	if (color != NULL && !package_color_valid(color)) {
		package_errf(err, errsz, "color must be 1-%d printable ASCII "
		    "characters without quotes or backslashes", PKG_COLOR_MAX);
		goto out;
	}
	snprintf(out->rgb, sizeof(out->rgb), "%s", rgb != NULL ? rgb : "");
	snprintf(out->color, sizeof(out->color), "%s", color != NULL ? color : "");
	out->points = (int)points;
	out->time_limit_ms = (int)tl;
	out->memory_limit_kb = (int)ml;
	n = samples != NULL ? json_object_array_length(samples) : 0;
	if (n > PKG_MAX_SAMPLES) {
		package_errf(err, errsz, "samples has more than %d entries",
		    PKG_MAX_SAMPLES);
		goto out;
	}
	if (n > 0 && (out->samples = calloc(n, sizeof(*out->samples))) == NULL)
		goto oom;
	for (i = 0; i < n; i++) {
		v = json_object_array_get_idx(samples, i);
		if (v == NULL || !json_object_is_type(v, json_type_string) ||
		    !package_test_name_valid(s = json_object_get_string(v))) {
			package_errf(err, errsz, "samples[%zu] must be a test name like "
			    "\"01\"", i);
			goto out;
		}
		for (j = 0; j < out->nsamples; j++)
			if (strcmp(out->samples[j], s) == 0) {
				package_errf(err, errsz, "samples lists \"%s\" twice", s);
				goto out;
			}
		snprintf(out->samples[out->nsamples++], PKG_TEST_NAME_MAX + 1,
		    "%s", s);
	}
	rc = 0;
	goto out;
oom:
	package_errf(err, errsz, "out of memory");
out:
	json_object_put(o);
	return rc;
}

void
package_question_free(struct pkg_question *q)
{
	if (q == NULL)
		return;
	free(q->title);
	free(q->samples);
	memset(q, 0, sizeof(*q));
}

int
package_parse_points(const char *buf, size_t len, int *out, char *err,
    size_t errsz)
{
	char tmp[PKG_POINTS_FILE_MAX + 1], *end;
	size_t i = 0;
	long n;

	if (len > PKG_POINTS_FILE_MAX) {
		package_errf(err, errsz, "longer than %d bytes", PKG_POINTS_FILE_MAX);
		return -1;
	}
	memcpy(tmp, buf, len);
	tmp[len] = '\0';
	while (len > 0 && isspace((unsigned char)tmp[len - 1]))
		tmp[--len] = '\0';
	while (isspace((unsigned char)tmp[i]))
		i++;
	if (!isdigit((unsigned char)tmp[i]) || strlen(tmp + i) > 7) {
		package_errf(err, errsz, "must hold one integer from 0 to 1000000");
		return -1;
	}
	errno = 0;
	n = strtol(tmp + i, &end, 10);
	if (errno != 0 || *end != '\0' || n < 0 || n > 1000000) {
		package_errf(err, errsz, "must hold one integer from 0 to 1000000");
		return -1;
	}
	*out = (int)n;
	return 0;
}

int
package_read_file(const char *path, size_t maxsz, int optional, char **buf,
    size_t *len, char *err, size_t errsz)
{
	struct stat st;
	char *b = NULL;
	size_t got = 0;
	ssize_t n;
	int fd = -1, rc = -1;

	*buf = NULL;
	*len = 0;
	/* A link could publish any file root can read (a key as a statement). */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK)) == -1) {
		if (errno == ENOENT && optional)
			return 1;
		if (errno == ELOOP)
			package_errf(err, errsz, "%s: a symbolic link (packages may not "
			    "contain links)", path);
		else
			package_errf(err, errsz, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		package_errf(err, errsz, "%s: not a regular file", path);
		goto out;
	}
	if ((size_t)st.st_size > maxsz) {
		package_errf(err, errsz, "%s: larger than %zu bytes", path, maxsz);
		goto out;
	}
	if ((b = malloc((size_t)st.st_size + 1)) == NULL) {
		package_errf(err, errsz, "%s: out of memory", path);
		goto out;
	}
	/* Read what fstat promised, and notice a file that grew meanwhile. */
	while (got <= (size_t)st.st_size) {
		n = read(fd, b + got, (size_t)st.st_size + 1 - got);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			package_errf(err, errsz, "%s: %s", path, strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	if (got > (size_t)st.st_size) {
		package_errf(err, errsz, "%s: changed while being read", path);
		goto out;
	}
	b[got] = '\0';
	*buf = b;
	*len = got;
	b = NULL;
	rc = 0;
out:
	free(b);
	if (fd != -1)
		close(fd);
	return rc;
}

int
package_path(char *buf, size_t bufsz, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, bufsz, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= bufsz) {
		fprintf(stderr, "pitwall-admin: path too long: %s\n", buf);
		return -1;
	}
	return 0;
}
