/*
 * The default output validator (see outval.h and docs/packages.md).
 *
 * Tokens are maximal runs of bytes other than the six ASCII whitespace
 * bytes (space, \t, \n, \v, \f, \r); any other byte, including non-UTF-8
 * ones, is part of a token.  Without space_change_sensitive any run of
 * whitespace equals any other, leading and trailing runs included; with
 * it, every whitespace run must be byte-identical to the answer's.
 *
 * With a tolerance set, an answer token that is a floating-point number
 * (decimal notation with optional exponent, or inf/infinity/nan, each with
 * an optional sign, case-insensitive) makes the team token compare as a
 * number: it must be one too, and is accepted when it is within the
 * absolute OR the relative tolerance of the answer (relative to the
 * answer's magnitude).  An infinite answer accepts only the same infinity
 * and a nan answer only a nan.  Tokens that match as text are accepted
 * first, so without a tolerance numbers must match exactly.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "outval.h"

/* A span of one of the two inputs. */
struct span {
	const char	*p;
	size_t		 len;
};

static int
outval_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' ||
	    c == '\r';
}

static unsigned char
outval_lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? (unsigned char)(c - 'A' + 'a') : c;
}

/* 1 when the two tokens are equal as text under the case rule. */
static int
outval_text_equal(struct span a, struct span b, int case_sensitive)
{
	size_t i;

	if (a.len != b.len)
		return 0;
	if (case_sensitive)
		return a.len == 0 || memcmp(a.p, b.p, a.len) == 0;
	for (i = 0; i < a.len; i++)
		if (outval_lower((unsigned char)a.p[i]) !=
		    outval_lower((unsigned char)b.p[i]))
			return 0;
	return 1;
}

/* 1 when s[0..len) equals the lower-case word w, ignoring case. */
static int
outval_word(const char *s, size_t len, const char *w)
{
	size_t i;

	if (strlen(w) != len)
		return 0;
	for (i = 0; i < len; i++)
		if (outval_lower((unsigned char)s[i]) != (unsigned char)w[i])
			return 0;
	return 1;
}

/*
 * 1 when t is a floating-point number in the syntax the header comment
 * gives: [+-]? (digits [. digits?] | . digits) ([eE] [+-]? digits)?, or
 * [+-]? (inf | infinity | nan).  A whitelist, so strtod's extras (hex,
 * "nan(...)") never count as numbers.
 */
static int
outval_float_syntax(struct span t)
{
	size_t i = 0, d = 0, f = 0, e = 0;

	if (i < t.len && (t.p[i] == '+' || t.p[i] == '-'))
		i++;
	if (outval_word(t.p + i, t.len - i, "inf") ||
	    outval_word(t.p + i, t.len - i, "infinity") ||
	    outval_word(t.p + i, t.len - i, "nan"))
		return 1;
	for (; i < t.len && t.p[i] >= '0' && t.p[i] <= '9'; i++)
		d++;
	if (i < t.len && t.p[i] == '.')
		for (i++; i < t.len && t.p[i] >= '0' && t.p[i] <= '9'; i++)
			f++;
	if (d + f == 0)
		return 0;
	if (i < t.len && (t.p[i] == 'e' || t.p[i] == 'E')) {
		i++;
		if (i < t.len && (t.p[i] == '+' || t.p[i] == '-'))
			i++;
		for (; i < t.len && t.p[i] >= '0' && t.p[i] <= '9'; i++)
			e++;
		if (e == 0)
			return 0;
	}
	return i == t.len;
}

/*
 * The value of a token that passed outval_float_syntax.  Out of range
 * values become +-inf or 0 as strtod rounds them.  Returns 0, or -1 when
 * a long token cannot be copied (out of memory).
 */
static int
outval_float_value(struct span t, double *v)
{
	char buf[OUTVAL_NUMBUF], *s = buf;

	if (t.len >= sizeof(buf) && (s = malloc(t.len + 1)) == NULL)
		return -1;
	memcpy(s, t.p, t.len);
	s[t.len] = '\0';
	*v = strtod(s, NULL);
	if (s != buf)
		free(s);
	return 0;
}

/* 1 when team value t is accepted for answer value a under *f. */
static int
outval_float_close(double a, double t, const struct outval_flags *f)
{
	double d;

	if (a == t)
		return 1;
	if (isnan(a) || isnan(t))
		return isnan(a) && isnan(t);
	if (isinf(a) || isinf(t))
		return 0;
	d = fabs(a - t);
	return d <= f->abs_tol || d <= f->rel_tol * fabs(a);
}

/* Append a token to msg, cut to OUTVAL_QUOTE bytes, \xNN for non-printing. */
static void
outval_quote(char *msg, size_t msgsz, struct span t)
{
	size_t n, i, used;
	unsigned char c;

	used = strlen(msg);
	n = t.len > OUTVAL_QUOTE ? OUTVAL_QUOTE : t.len;
	for (i = 0; i < n && used + 5 < msgsz; i++) {
		c = (unsigned char)t.p[i];
		if (c >= 0x20 && c < 0x7f && c != '\'' && c != '\\')
			msg[used++] = (char)c;
		else
			used += (size_t)snprintf(msg + used, msgsz - used,
			    "\\x%02x", c);
	}
	msg[used] = '\0';
	if (n < t.len && used + 4 < msgsz)
		strcat(msg, "...");
}

/* Append printf-style text to msg. */
static void
outval_say(char *msg, size_t msgsz, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
outval_say(char *msg, size_t msgsz, const char *fmt, ...)
{
	va_list ap;
	size_t used = strlen(msg);

	if (used + 1 >= msgsz)
		return;
	va_start(ap, fmt);
	vsnprintf(msg + used, msgsz - used, fmt, ap);
	va_end(ap);
}

/* Append "'a', got 't'" to msg: the usual end of a judge message. */
static void
outval_say_pair(char *msg, size_t msgsz, struct span a, struct span t)
{
	outval_say(msg, msgsz, "'");
	outval_quote(msg, msgsz, a);
	outval_say(msg, msgsz, "', got '");
	outval_quote(msg, msgsz, t);
	outval_say(msg, msgsz, "'");
}

/* A cursor over one input: position and, for the team's, the line. */
struct cursor {
	const char	*p;
	size_t		 len;
	size_t		 pos;
	size_t		 line;
};

/* The whitespace run at the cursor, which moves past it. */
static struct span
outval_next_space(struct cursor *c)
{
	struct span s = { c->p + c->pos, 0 };

	while (c->pos < c->len && outval_space((unsigned char)c->p[c->pos])) {
		if (c->p[c->pos] == '\n')
			c->line++;
		c->pos++;
		s.len++;
	}
	return s;
}

/* The token at the cursor (empty at the end), which moves past it. */
static struct span
outval_next_token(struct cursor *c)
{
	struct span s = { c->p + c->pos, 0 };

	while (c->pos < c->len && !outval_space((unsigned char)c->p[c->pos])) {
		c->pos++;
		s.len++;
	}
	return s;
}

/*
 * Compare one answer token a with team token t (the n-th, on team line
 * `line`).  Returns OUTVAL_AC or OUTVAL_WA with msg written.
 */
static enum outval_result
outval_token(struct span a, struct span t, size_t n, size_t line,
    const struct outval_flags *f, char *msg, size_t msgsz)
{
	double av, tv;

	if (outval_text_equal(a, t, f->case_sensitive))
		return OUTVAL_AC;
	if (f->has_float && outval_float_syntax(a)) {
		if (!outval_float_syntax(t)) {
			outval_say(msg, msgsz, "token %zu (line %zu): expected "
			    "a number ", n, line);
			outval_say_pair(msg, msgsz, a, t);
			return OUTVAL_WA;
		}
		if (outval_float_value(a, &av) == -1 ||
		    outval_float_value(t, &tv) == -1) {
			outval_say(msg, msgsz, "token %zu (line %zu): out of "
			    "memory reading a number", n, line);
			return OUTVAL_WA;
		}
		if (outval_float_close(av, tv, f))
			return OUTVAL_AC;
		outval_say(msg, msgsz, "token %zu (line %zu): expected ", n,
		    line);
		outval_say_pair(msg, msgsz, a, t);
		outval_say(msg, msgsz, " (difference %.3g)", fabs(av - tv));
		return OUTVAL_WA;
	}
	outval_say(msg, msgsz, "token %zu (line %zu): expected ", n, line);
	outval_say_pair(msg, msgsz, a, t);
	return OUTVAL_WA;
}

enum outval_result
outval_check(const char *ans, size_t anslen, const char *out, size_t outlen,
    const struct outval_flags *f, char *msg, size_t msgsz)
{
	struct cursor ca = { ans ? ans : "", anslen, 0, 1 },
	    co = { out ? out : "", outlen, 0, 1 };
	struct span sa, so, ta, to;
	size_t n, line;
	char dummy[1];

	if (msg == NULL || msgsz == 0) {
		msg = dummy;
		msgsz = sizeof(dummy);
	}
	msg[0] = '\0';
	for (n = 1;; n++) {
		line = co.line;
		sa = outval_next_space(&ca);
		so = outval_next_space(&co);
		if (f->space_change_sensitive &&
		    (sa.len != so.len || memcmp(sa.p, so.p, sa.len) != 0)) {
			outval_say(msg, msgsz, "whitespace differs before "
			    "token %zu (line %zu): expected ", n, line);
			outval_say_pair(msg, msgsz, sa, so);
			return OUTVAL_WA;
		}
		line = co.line;
		ta = outval_next_token(&ca);
		to = outval_next_token(&co);
		if (ta.len == 0 && to.len == 0)
			return OUTVAL_AC;
		if (ta.len == 0) {
			outval_say(msg, msgsz, "extra output: token %zu (line "
			    "%zu) '", n, line);
			outval_quote(msg, msgsz, to);
			outval_say(msg, msgsz, "' after the end of the answer");
			return OUTVAL_WA;
		}
		if (to.len == 0) {
			outval_say(msg, msgsz, "output ended at token %zu "
			    "(line %zu): expected '", n, line);
			outval_quote(msg, msgsz, ta);
			outval_say(msg, msgsz, "'");
			return OUTVAL_WA;
		}
		if (outval_token(ta, to, n, line, f, msg, msgsz) != OUTVAL_AC)
			return OUTVAL_WA;
	}
}

/* 1 when token w is exactly the word lit (flags are case-sensitive). */
static int
outval_is(struct span w, const char *lit)
{
	return w.len == strlen(lit) && memcmp(w.p, lit, w.len) == 0;
}

/* A tolerance value: a finite number >= 0 in s[0..len).  0 / -1. */
static int
outval_tolerance(const char *s, size_t len, double *v)
{
	struct span t = { s, len };

	if (!outval_float_syntax(t) || outval_float_value(t, v) == -1)
		return -1;
	return isfinite(*v) && *v >= 0 ? 0 : -1;
}

int
outval_flags_parse(const char *s, struct outval_flags *f, char *err,
    size_t errsz)
{
	struct cursor c = { s ? s : "", s ? strlen(s) : 0, 0, 1 };
	struct span w, v;
	double tol;

	memset(f, 0, sizeof(*f));
	for (;;) {
		(void)outval_next_space(&c);
		if ((w = outval_next_token(&c)).len == 0)
			return 0;
		if (outval_is(w, "case_sensitive")) {
			f->case_sensitive = 1;
			continue;
		}
		if (outval_is(w, "space_change_sensitive")) {
			f->space_change_sensitive = 1;
			continue;
		}
		if (!outval_is(w, "float_tolerance") &&
		    !outval_is(w, "float_absolute_tolerance") &&
		    !outval_is(w, "float_relative_tolerance")) {
			snprintf(err, errsz, "unknown validator flag '%.*s'",
			    (int)(w.len > 64 ? 64 : w.len), w.p);
			return -1;
		}
		(void)outval_next_space(&c);
		v = outval_next_token(&c);
		if (outval_tolerance(v.p, v.len, &tol) == -1) {
			snprintf(err, errsz, "validator flag '%.*s' needs a "
			    "number >= 0, got '%.*s'", (int)w.len, w.p,
			    (int)(v.len > 64 ? 64 : v.len), v.p);
			return -1;
		}
		f->has_float = 1;
		if (!outval_is(w, "float_relative_tolerance"))
			f->abs_tol = tol;
		if (!outval_is(w, "float_absolute_tolerance"))
			f->rel_tol = tol;
	}
}

const char *
outval_result_name(enum outval_result r)
{
	static const char *const names[OUTVAL__MAX] = { "AC", "WA" };

	return r >= 0 && r < OUTVAL__MAX ? names[r] : "?";
}
