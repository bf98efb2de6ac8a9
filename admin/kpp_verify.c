/*
 * What verify expects of a package's jury submissions (pure, no I/O, so
 * the fuzz target links it alone): the verdicts a submissions/ folder
 * names, DOMjudge's @EXPECTED_RESULTS@: lines, the language of a file by
 * its extension (Judge0 CE's ids, judge/lang.c).
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "extern.h"
#include "verdict.h"

#define VM(v)		KPP_VM(v)
#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

/* Directories of submissions/ and the verdicts their files must get. */
static const struct {
	const char	*dir;
	unsigned	 mask;
} verify_dirs[] = {
	{ "accepted", VM(VERDICT_AC) },
	{ "wrong_answer", VM(VERDICT_WA) },
	{ "time_limit_exceeded", VM(VERDICT_TLE) },
	{ "run_time_error", VM(VERDICT_RE) },
	{ "compile_error", VM(VERDICT_CE) },
	/* Judge0 reports exceeded memory and output as runtime errors. */
	{ "memory_limit_exceeded", VM(VERDICT_RE) },
	{ "output_limit_exceeded", VM(VERDICT_RE) },
	{ "rejected", VM(VERDICT_WA) | VM(VERDICT_TLE) | VM(VERDICT_RE) },
	{ "partially_accepted", VM(VERDICT_WA) | VM(VERDICT_TLE) | VM(VERDICT_RE) },
	{ "brute_force", VM(VERDICT_TLE) | VM(VERDICT_RE) },
};

/* DOMjudge's result names in @EXPECTED_RESULTS@: lines. */
static const struct {
	const char	*name;
	enum verdict	 v;
} verify_domjudge[] = {
	{ "CORRECT", VERDICT_AC },
	{ "WRONG-ANSWER", VERDICT_WA },
	{ "NO-OUTPUT", VERDICT_WA },
	{ "TIMELIMIT", VERDICT_TLE },
	{ "RUN-ERROR", VERDICT_RE },
	{ "MEMORY-LIMIT", VERDICT_RE },
	{ "OUTPUT-LIMIT", VERDICT_RE },
	{ "COMPILER-ERROR", VERDICT_CE },
};

/* Language by file extension: Judge0 CE's ids (judge/lang.c). */
static const struct {
	const char	*ext;
	int		 id;
} verify_exts[] = {
	{ ".c", 50 }, { ".cc", 54 }, { ".cpp", 54 }, { ".cxx", 54 },
	{ ".c++", 54 }, { ".go", 60 }, { ".java", 62 }, { ".js", 63 },
	{ ".py", 71 }, { ".py3", 71 }, { ".rs", 73 }, { ".kt", 78 },
};

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))


unsigned
kpp_dir_verdicts(const char *dir)
{
	size_t i;

	for (i = 0; i < NELEM(verify_dirs); i++)
		if (strcmp(dir, verify_dirs[i].dir) == 0)
			return verify_dirs[i].mask;
	return 0;
}

int
kpp_expected_results(const char *data, size_t len, unsigned *mask, char *err,
    size_t errsz)
{
	const char *tag = "@EXPECTED_RESULTS@:", *p, *e;
	char word[32];
	size_t i, l;

	if ((p = memmem(data, len, tag, strlen(tag))) == NULL)
		return 1;
	p += strlen(tag);
	e = memchr(p, '\n', len - (size_t)(p - data));
	if (e == NULL)
		e = data + len;
	*mask = 0;
	while (p < e) {
		while (p < e && (*p == ' ' || *p == '\t' || *p == ',' ||
		    *p == '\r'))
			p++;
		for (l = 0; p + l < e && p[l] != ' ' && p[l] != '\t' &&
		    p[l] != ',' && p[l] != '\r'; l++)
			;
		if (l == 0)
			break;
		snprintf(word, sizeof(word), "%.*s", (int)l, p);
		p += l;
		/* A comment's closing token on the same line. */
		if (strcmp(word, "*/") == 0 || strcmp(word, "-->") == 0)
			continue;
		for (i = 0; i < NELEM(verify_domjudge); i++)
			if (strcasecmp(word, verify_domjudge[i].name) == 0)
				break;
		if (i == NELEM(verify_domjudge)) {
			snprintf(err, errsz, "@EXPECTED_RESULTS@: unknown result "
			    "\"%s\"", word);
			return -1;
		}
		*mask |= VM(verify_domjudge[i].v);
	}
	if (*mask == 0) {
		snprintf(err, errsz, "@EXPECTED_RESULTS@: names no result");
		return -1;
	}
	return 0;
}

int
kpp_lang_of(const char *path)
{
	const char *dot = strrchr(path, '.');
	size_t i;

	for (i = 0; dot != NULL && i < NELEM(verify_exts); i++)
		if (strcasecmp(dot, verify_exts[i].ext) == 0)
			return verify_exts[i].id;
	return 0;
}

