/*
 * Problem packages in the ICPC/Kattis format: from the loaded files to a
 * struct kpp: test data groups and cases, testdata.yaml per group, the
 * statement (Markdown, or LaTeX turned into text), the output validator
 * sources and the time limit.  problem.yaml itself is admin/kpp.c.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "extern.h"

static int
kpp_has_suffix(const char *s, const char *suf)
{
	size_t n = strlen(s), m = strlen(suf);

	return n >= m && strcmp(s + n - m, suf) == 0;
}

/*
 * Order of test names: component by component, each by strcmp, so that
 * "secret/g1/..." and "secret/g10" sort as the folders g1 < g10 do.
 */
static int
kpp_name_cmp(const char *a, const char *b)
{
	size_t la, lb;
	int c;

	for (;;) {
		la = strcspn(a, "/");
		lb = strcspn(b, "/");
		if ((c = memcmp(a, b, la < lb ? la : lb)) != 0)
			return c;
		if (la != lb)
			return la < lb ? -1 : 1;
		if (a[la] == '\0' || b[lb] == '\0')
			return (a[la] != '\0') - (b[lb] != '\0');
		a += la + 1;
		b += lb + 1;
	}
}

static int
kpp_test_cmp(const void *a, const void *b)
{
	const struct kpp_test *x = a, *y = b;

	/* sample before secret, then the folder order. */
	if (x->is_sample != y->is_sample)
		return y->is_sample - x->is_sample;
	return kpp_name_cmp(x->name, y->name);
}

/* The group index of folder path (created, with its settings, if new). */
static int
kpp_group(struct kpp *k, const char *path, size_t *idx, char *err,
    size_t errsz)
{
	struct kpp_group *ng;
	const struct kpp_file *f;
	char yp[1024];
	size_t i, l;

	for (i = 0; i < k->ngroups; i++)
		if (strcmp(k->groups[i].path, path) == 0) {
			*idx = i;
			return 0;
		}
	if ((ng = realloc(k->groups, (k->ngroups + 1) * sizeof(*ng))) == NULL)
		goto nomem;
	k->groups = ng;
	ng = &k->groups[k->ngroups];
	memset(ng, 0, sizeof(*ng));
	if ((ng->path = strdup(path)) == NULL)
		goto nomem;
	k->ngroups++;
	/* The closest testdata.yaml: this folder's, else an ancestor's. */
	l = strlen(path);
	for (;;) {
		snprintf(yp, sizeof(yp), "data/%.*s%stestdata.yaml", (int)l, path,
		    l ? "/" : "");
		if ((f = kpp_files_get(&k->files, yp)) != NULL) {
			if (kpp_yaml_testdata(f->data, f->len, &ng->settings, err,
			    errsz) == -1) {
				/* Name the file, not just "testdata.yaml". */
				char tmp[256];

				snprintf(tmp, sizeof(tmp), "%s", err);
				package_errf(err, errsz, "data/%.*s%s%s", (int)l, path,
				    l ? "/" : "", tmp);
				return -1;
			}
			break;
		}
		if (l == 0)
			break;
		while (l > 0 && path[l - 1] != '/')
			l--;
		if (l > 0)
			l--;
	}
	*idx = k->ngroups - 1;
	return 0;
nomem:
	package_errf(err, errsz, "%s: out of memory", path);
	return -1;
}

/* Every data/{sample,secret}/...NAME.in with its NAME.ans. */
static int
kpp_tests(struct kpp *k, char *err, size_t errsz)
{
	char ansp[1024], grp[1024], *slash;
	const struct kpp_file *ans;
	struct kpp_test *t;
	size_t i, j, l;

	if ((k->tests = calloc(k->files.n ? k->files.n : 1, sizeof(*t))) == NULL)
		goto nomem;
	for (i = 0; i < k->files.n; i++) {
		const struct kpp_file *f = &k->files.v[i];
		int sample;

		sample = strncmp(f->path, "data/sample/", 12) == 0;
		if (!sample && strncmp(f->path, "data/secret/", 12) != 0)
			continue;
		if (!kpp_has_suffix(f->path, ".in"))
			continue;
		l = strlen(f->path) - 3;
		if (l + 5 > sizeof(ansp)) {
			package_errf(err, errsz, "%s: path too long", f->path);
			return -1;
		}
		snprintf(ansp, sizeof(ansp), "%.*s.ans", (int)l, f->path);
		if ((ans = kpp_files_get(&k->files, ansp)) == NULL) {
			package_errf(err, errsz, "%s: no matching .ans file", f->path);
			return -1;
		}
		t = &k->tests[k->ntests];
		if ((t->name = strndup(f->path + 5, l - 5)) == NULL)
			goto nomem;
		k->ntests++;
		t->is_sample = sample;
		t->in = f;
		t->ans = ans;
	}
	for (i = 0; i < k->files.n; i++) {
		const char *p = k->files.v[i].path;

		if (kpp_has_suffix(p, ".ans") && strncmp(p, "data/", 5) == 0) {
			snprintf(ansp, sizeof(ansp), "%.*s.in",
			    (int)(strlen(p) - 4), p);
			if (kpp_files_get(&k->files, ansp) == NULL &&
			    (strncmp(p, "data/sample/", 12) == 0 ||
			    strncmp(p, "data/secret/", 12) == 0)) {
				package_errf(err, errsz, "%s: no matching .in file", p);
				return -1;
			}
		}
	}
	if (k->ntests > 1)
		qsort(k->tests, k->ntests, sizeof(*k->tests), kpp_test_cmp);
	for (i = 0; i < k->ntests; i++) {
		t = &k->tests[i];
		snprintf(grp, sizeof(grp), "%s", t->name);
		if ((slash = strrchr(grp, '/')) != NULL)
			*slash = '\0';
		/* Ancestors first, so groups come in tree order. */
		for (j = 0; grp[j] != '\0'; j++)
			if (grp[j] == '/') {
				size_t dummy;

				grp[j] = '\0';
				if (kpp_group(k, grp, &dummy, err, errsz) == -1)
					return -1;
				grp[j] = '/';
			}
		if (kpp_group(k, grp, &t->group, err, errsz) == -1)
			return -1;
	}
	if (k->ntests == 0 || k->tests[k->ntests - 1].is_sample) {
		package_errf(err, errsz, "data/secret: no testcases (NAME.in and NAME.ans)");
		return -1;
	}
	return 0;
nomem:
	package_errf(err, errsz, "data: out of memory");
	return -1;
}

/* Append src[0..n) to the growing string *o (length *ol).  0 / -1. */
static int
kpp_put(char **o, size_t *ol, size_t *cap, const char *src, size_t n)
{
	char *nb;
	size_t nc;

	if (*ol + n + 1 > *cap) {
		nc = *cap ? *cap : 256;
		while (nc < *ol + n + 1)
			nc *= 2;
		if ((nb = realloc(*o, nc)) == NULL)
			return -1;
		*o = nb;
		*cap = nc;
	}
	memcpy(*o + *ol, src, n);
	*ol += n;
	(*o)[*ol] = '\0';
	return 0;
}

/*
 * LaTeX to readable text, no TeX toolchain: comments dropped,
 * \problemname{X} and \section{X} become Markdown headings, \item a list
 * bullet, \\ a line break, escaped specials their character, math kept
 * without its dollars, every other command dropped with its braces' text
 * kept, environments' \begin/\end lines dropped.
 */
char *
kpp_latex_text(const char *tex, size_t len)
{
	static const struct {
		const char	*cmd;
		const char	*open;
		const char	*close;
	} heads[] = {
		{ "problemname", "# ", "\n" },
		{ "section", "\n## ", "\n" },
		{ "subsection", "\n### ", "\n" },
	};
	char *o = NULL, name[32];
	const char *close = NULL;
	size_t ol = 0, cap = 0, i = 0, n, h;
	int depth = 0, close_depth = -1, rc = 0;

	if (kpp_put(&o, &ol, &cap, "", 0) == -1)
		return NULL;
	while (i < len && rc == 0) {
		char c = tex[i];

		if (c == '%') {
			while (i < len && tex[i] != '\n')
				i++;
			continue;
		}
		if (c == '$' || c == '~') {
			rc = c == '~' ? kpp_put(&o, &ol, &cap, " ", 1) : 0;
			i++;
			continue;
		}
		if (c == '{' || c == '}') {
			depth += c == '{' ? 1 : -1;
			if (c == '}' && depth == close_depth && close != NULL) {
				rc = kpp_put(&o, &ol, &cap, close, strlen(close));
				close = NULL;
				close_depth = -1;
			}
			i++;
			continue;
		}
		if (c != '\\') {
			rc = kpp_put(&o, &ol, &cap, &tex[i++], 1);
			continue;
		}
		i++;
		if (i < len && !isalpha((unsigned char)tex[i])) {
			if (tex[i] == '\\')
				rc = kpp_put(&o, &ol, &cap, "\n", 1);
			else if (strchr("%$&#_{}", tex[i]) != NULL)
				rc = kpp_put(&o, &ol, &cap, &tex[i], 1);
			else if (tex[i] == ',' || tex[i] == ' ')
				rc = kpp_put(&o, &ol, &cap, " ", 1);
			i++;
			continue;
		}
		for (n = 0; i < len && isalpha((unsigned char)tex[i]); i++)
			if (n + 1 < sizeof(name))
				name[n++] = tex[i];
		name[n] = '\0';
		if (i < len && tex[i] == '*')
			i++;
		if (strcmp(name, "begin") == 0 || strcmp(name, "end") == 0 ||
		    strcmp(name, "label") == 0 || strcmp(name, "includegraphics") == 0) {
			/* Skip the argument(s) entirely. */
			while (i < len && (tex[i] == '{' || tex[i] == '[')) {
				char endc = tex[i] == '{' ? '}' : ']';

				while (i < len && tex[i] != endc)
					i++;
				if (i < len)
					i++;
			}
			continue;
		}
		if (strcmp(name, "item") == 0) {
			while (i < len && tex[i] == ' ')
				i++;
			rc = kpp_put(&o, &ol, &cap, "\n- ", 3);
			continue;
		}
		if (strcmp(name, "le") == 0 || strcmp(name, "leq") == 0)
			rc = kpp_put(&o, &ol, &cap, "<=", 2);
		else if (strcmp(name, "ge") == 0 || strcmp(name, "geq") == 0)
			rc = kpp_put(&o, &ol, &cap, ">=", 2);
		else if (strcmp(name, "cdot") == 0 || strcmp(name, "times") == 0)
			rc = kpp_put(&o, &ol, &cap, "*", 1);
		else if (strcmp(name, "ldots") == 0 || strcmp(name, "dots") == 0)
			rc = kpp_put(&o, &ol, &cap, "...", 3);
		for (h = 0; h < sizeof(heads) / sizeof(heads[0]); h++)
			if (strcmp(name, heads[h].cmd) == 0 && i < len &&
			    tex[i] == '{' && close == NULL) {
				rc = kpp_put(&o, &ol, &cap, heads[h].open,
				    strlen(heads[h].open));
				close = heads[h].close;
				close_depth = depth;
			}
	}
	if (rc == -1) {
		free(o);
		return NULL;
	}
	return o;
}

/* The statement: problem.en.md, problem.md, the first problem.*.md, then
 * the same for .tex (turned into text, with a warning). */
static int
kpp_statement(struct kpp *k, char *err, size_t errsz)
{
	static const char *const dirs[] = { "statement/", "problem_statement/", "" };
	static const char *const exts[] = { "md", "tex" };
	const struct kpp_file *f = NULL;
	char p[256];
	size_t d, e, i, dl;

	for (e = 0; e < 2 && f == NULL; e++)
		for (d = 0; d < 3 && f == NULL; d++) {
			snprintf(p, sizeof(p), "%sproblem.en.%s", dirs[d], exts[e]);
			if ((f = kpp_files_get(&k->files, p)) != NULL)
				break;
			snprintf(p, sizeof(p), "%sproblem.%s", dirs[d], exts[e]);
			if ((f = kpp_files_get(&k->files, p)) != NULL)
				break;
			dl = strlen(dirs[d]);
			snprintf(p, sizeof(p), ".%s", exts[e]);
			for (i = 0; i < k->files.n && f == NULL; i++) {
				const char *fp = k->files.v[i].path;

				if (strncmp(fp, dirs[d], dl) == 0 &&
				    strncmp(fp + dl, "problem.", 8) == 0 &&
				    strchr(fp + dl, '/') == NULL &&
				    kpp_has_suffix(fp, p))
					f = &k->files.v[i];
			}
		}
	if (f == NULL) {
		k->statement = strdup("");
		return k->statement != NULL ? 0 : -1;
	}
	if (package_text_check(f->path, f->data, f->len, err, errsz) == -1)
		return -1;
	if ((k->statement_file = strdup(f->path)) == NULL)
		goto nomem;
	if (kpp_has_suffix(f->path, ".md")) {
		if ((k->statement = strdup(f->data)) == NULL)
			goto nomem;
		return 0;
	}
	k->statement_latex = 1;
	if ((k->statement = kpp_latex_text(f->data, f->len)) == NULL)
		goto nomem;
	snprintf(k->warning, sizeof(k->warning), "%s: a LaTeX statement, "
	    "imported as plain text (no TeX toolchain)", f->path);
	return 0;
nomem:
	package_errf(err, errsz, "%s: out of memory", f->path);
	return -1;
}

/* Output validator sources: legacy output_validators/, 2023 output_validator/. */
static int
kpp_validators(struct kpp *k, char *err, size_t errsz)
{
	static const char *const ok[] = { ".c", ".cc", ".cpp", ".h", ".hpp",
	    ".py", NULL };
	const char *dir = k->layout == KPP_LAYOUT_2023 ? "output_validator/" :
	    "output_validators/";
	size_t i, j, dl = strlen(dir);

	if ((k->vsrc = calloc(k->files.n ? k->files.n : 1,
	    sizeof(*k->vsrc))) == NULL) {
		package_errf(err, errsz, "%s: out of memory", dir);
		return -1;
	}
	for (i = 0; i < k->files.n; i++) {
		const struct kpp_file *f = &k->files.v[i];

		if (strncmp(f->path, dir, dl) != 0)
			continue;
		for (j = 0; ok[j] != NULL; j++)
			if (kpp_has_suffix(f->path, ok[j]))
				break;
		if (ok[j] == NULL) {
			package_errf(err, errsz, "%s: an output validator file we cannot "
			    "build (C, C++ or Python sources only: .c .cc .cpp .h "
			    ".hpp .py)", f->path);
			return -1;
		}
		k->vsrc[k->nvsrc++] = f;
	}
	/* 2023-07: a custom validator is there or not; interactive needs one. */
	if (k->layout == KPP_LAYOUT_2023 && k->nvsrc > 0 &&
	    k->validator == KPP_VALIDATOR_DEFAULT)
		k->validator = KPP_VALIDATOR_CUSTOM;
	if (k->validator != KPP_VALIDATOR_DEFAULT && k->nvsrc == 0) {
		package_errf(err, errsz, "%s: the problem needs a %s output validator and "
		    "there is none", dir, kpp_validator_name(k->validator));
		return -1;
	}
	return 0;
}

/* DOMjudge's .timelimit (seconds) when problem.yaml gave none. */
static int
kpp_timelimit(struct kpp *k, char *err, size_t errsz)
{
	const struct kpp_file *f;
	char *end;
	double v;

	if (k->time_limit_ms > 0 ||
	    (f = kpp_files_get(&k->files, ".timelimit")) == NULL)
		return 0;
	errno = 0;
	v = strtod(f->data, &end);
	while (*end == ' ' || *end == '\n' || *end == '\r' || *end == '\t')
		end++;
	if (end == f->data || *end != '\0' || errno != 0 || !isfinite(v) ||
	    v < 0.001 || v > 60) {
		package_errf(err, errsz, ".timelimit: not a number of seconds in "
		    "[0.001, 60]");
		return -1;
	}
	k->time_limit_ms = (int)lround(v * 1000);
	return 0;
}

/* "a b" of two flag strings, either may be empty (malloc'd; NULL: memory). */
static char *
kpp_flags_join(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	char *o;

	if ((o = malloc(la + lb + 2)) == NULL)
		return NULL;
	memcpy(o, a, la);
	o[la] = la > 0 && lb > 0 ? ' ' : '\0';
	memcpy(o + la + (la > 0 && lb > 0), b, lb + 1);
	return o;
}

/*
 * The output validator flags of folder path under data/ ("" the root):
 * those of the closest testdata.yaml that sets output_validator_flags
 * (2023-07: output_validator_args), this folder's first, then its
 * ancestors' up to data/ (each key is inherited on its own, as
 * problemtools does); *flags NULL when none sets them.  0 / -1.
 */
static int
kpp_group_flags(struct kpp *k, const char *path, char **flags, char *err,
    size_t errsz)
{
	const struct kpp_file *f;
	char yp[1024];
	size_t l = strlen(path);

	*flags = NULL;
	for (;;) {
		snprintf(yp, sizeof(yp), "data/%.*s%stestdata.yaml", (int)l, path,
		    l ? "/" : "");
		if ((f = kpp_files_get(&k->files, yp)) != NULL &&
		    kpp_yaml_testdata_flags(yp, f->data, f->len, flags, err,
		    errsz) == -1)
			return -1;
		if (*flags != NULL || l == 0)
			return 0;
		while (l > 0 && path[l - 1] != '/')
			l--;
		if (l > 0)
			l--;
	}
}

/*
 * The question's validator flags: problem.yaml's validator_flags and
 * data/testdata.yaml's output_validator_flags, joined (problemtools passes
 * both); problem.yaml's alone kept for the testcases' own (kpp_test_flags).
 */
static int
kpp_root_flags(struct kpp *k, char *err, size_t errsz)
{
	char *flags = NULL, *j;

	if ((k->problem_flags = strdup(k->validator_flags != NULL ?
	    k->validator_flags : "")) == NULL)
		goto nomem;
	if (kpp_group_flags(k, "", &flags, err, errsz) == -1)
		return -1;
	if (flags == NULL)
		return 0;
	j = kpp_flags_join(k->problem_flags, flags);
	free(flags);
	if (j == NULL)
		goto nomem;
	free(k->validator_flags);
	k->validator_flags = j;
	return 0;
nomem:
	package_errf(err, errsz, "problem.yaml: out of memory");
	return -1;
}

/*
 * Each testcase's flags (problem.yaml's and its group's, kpp_group_flags)
 * where they differ from the question's, and an interactive sample's
 * NAME.interaction.
 */
static int
kpp_test_flags(struct kpp *k, char *err, size_t errsz)
{
	struct kpp_test *t;
	char grp[1024], *slash, *gf, *j;
	size_t i;

	for (i = 0; i < k->ntests; i++) {
		t = &k->tests[i];
		snprintf(grp, sizeof(grp), "%s", t->name);
		if ((slash = strrchr(grp, '/')) != NULL)
			*slash = '\0';
		if (kpp_group_flags(k, grp, &gf, err, errsz) == -1)
			return -1;
		j = kpp_flags_join(k->problem_flags, gf != NULL ? gf : "");
		free(gf);
		if (j == NULL) {
			package_errf(err, errsz, "data/%s: out of memory", t->name);
			return -1;
		}
		if (strcmp(j, k->validator_flags) == 0)
			free(j);
		else
			t->flags = j;
		if (t->is_sample && k->validator == KPP_VALIDATOR_INTERACTIVE) {
			snprintf(grp, sizeof(grp), "data/%s.interaction", t->name);
			t->interaction = kpp_files_get(&k->files, grp);
			if (t->interaction != NULL && package_text_check(
			    t->interaction->path, t->interaction->data,
			    t->interaction->len, err, errsz) == -1)
				return -1;
		}
	}
	return 0;
}

int
kpp_parse(struct kpp *k, char *err, size_t errsz)
{
	const struct kpp_file *f;

	if ((f = kpp_files_get(&k->files, "problem.yaml")) == NULL) {
		package_errf(err, errsz, "problem.yaml: missing");
		return -1;
	}
	if (kpp_yaml_problem(k, f->data, f->len, err, errsz) == -1 ||
	    kpp_root_flags(k, err, errsz) == -1 ||
	    kpp_timelimit(k, err, errsz) == -1 ||
	    kpp_tests(k, err, errsz) == -1 ||
	    kpp_validators(k, err, errsz) == -1 ||
	    kpp_test_flags(k, err, errsz) == -1 ||
	    kpp_statement(k, err, errsz) == -1)
		return -1;
	if (k->name == NULL && (k->name = strdup("")) == NULL)
		return -1;
	return 0;
}

int
kpp_load(struct kpp *k, const char *path, size_t limit, char *err,
    size_t errsz)
{
	struct stat st;

	k->files.limit = limit ? limit : KPP_TOTAL_MAX;
	if (stat(path, &st) == -1) {
		package_errf(err, errsz, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (S_ISDIR(st.st_mode)) {
		if (kpp_files_dir(path, &k->files, err, errsz) == -1)
			return -1;
	} else if (kpp_files_zip(path, &k->files, err, errsz) == -1)
		return -1;
	return kpp_parse(k, err, errsz);
}
