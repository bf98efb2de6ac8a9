/*
 * judge/lang.c — the languages of the embedded judge: Judge0 CE ids and
 * names (so clients resolving names via GET /languages work unchanged),
 * run with Debian's toolchains.  Compile commands have no optimisation
 * flags, like Judge0's (`gcc main.c`); options go between the compiler and
 * the source file, as in Judge0's "gcc %s main.c".
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "judge.h"

static const char *const c_cc[] = { "/usr/bin/gcc", NULL };
static const char *const c_cc_tail[] = { "main.c", NULL };
static const char *const cpp_cc[] = { "/usr/bin/g++", NULL };
static const char *const cpp_cc_tail[] = { "main.cpp", NULL };
static const char *const java_cc[] = { "/usr/bin/javac", NULL };
static const char *const java_cc_tail[] = { "Main.java", NULL };
static const char *const native_run[] = { "./a.out", NULL };
static const char *const py_run[] = { "/usr/bin/python3", "script.py", NULL };
static const char *const java_run[] = { "/usr/bin/java", "Main", NULL };
static const char *const js_run[] = { "/usr/bin/node", "script.js", NULL };
static const char *const text_run[] = { "/bin/cat", "text.txt", NULL };

static const struct lang langs[] = {
	{ 43, "Plain Text", "text.txt", NULL, NULL, text_run,
	    { "/bin/cat", NULL } },
	{ 50, "C (GCC 9.2.0)", "main.c", c_cc, c_cc_tail, native_run,
	    { "/usr/bin/gcc", NULL } },
	{ 54, "C++ (GCC 9.2.0)", "main.cpp", cpp_cc, cpp_cc_tail, native_run,
	    { "/usr/bin/g++", NULL } },
	{ 62, "Java (OpenJDK 13.0.1)", "Main.java", java_cc, java_cc_tail,
	    java_run, { "/usr/bin/javac", "/usr/bin/java" } },
	{ 63, "JavaScript (Node.js 12.14.0)", "script.js", NULL, NULL, js_run,
	    { "/usr/bin/node", NULL } },
	{ 71, "Python (3.8.1)", "script.py", NULL, NULL, py_run,
	    { "/usr/bin/python3", NULL } },
};

#define NLANGS	(sizeof(langs) / sizeof(langs[0]))

const struct lang *
lang_find(int id)
{
	size_t	 i;

	for (i = 0; i < NLANGS; i++)
		if (langs[i].id == id)
			return &langs[i];
	return NULL;
}

size_t
lang_count(void)
{
	return NLANGS;
}

const struct lang *
lang_at(size_t i)
{
	return i < NLANGS ? &langs[i] : NULL;
}

/* Installed when every binary it needs is executable here (and so in the
 * box, which binds /usr read-only). */
int
lang_installed(const struct lang *l)
{
	size_t	 i;

	for (i = 0; i < 2; i++)
		if (l->probe[i] != NULL && access(l->probe[i], X_OK) == -1)
			return 0;
	return 1;
}

void
lang_argv_free(char **argv)
{
	size_t	 i;

	if (argv == NULL)
		return;
	for (i = 0; argv[i] != NULL; i++)
		free(argv[i]);
	free(argv);
}

static int
argv_push(char ***argv, size_t *argc, char *word)
{
	char	**n;

	if ((n = realloc(*argv, (*argc + 2) * sizeof(*n))) == NULL)
		return -1;
	*argv = n;
	n[(*argc)++] = word;
	n[*argc] = NULL;
	return 0;
}

/*
 * Shell-like word splitting without any expansion: Judge0 passes options
 * and arguments through bash, so quoting must work the same way; nothing
 * else of the shell is wanted (no $VAR, globs or command substitution).
 */
int
lang_argv_append(char ***argv, size_t *argc, const char *s)
{
	char	*w = NULL;
	size_t	 wl = 0;
	int	 inword = 0;
	char	 q = 0;

	if (*argv == NULL && argv_push(argv, argc, NULL) == 0)
		(*argc)--;	/* allocate the terminator */
	if (*argv == NULL || (w = malloc(strlen(s) + 1)) == NULL)
		return -1;
	for (;; s++) {
		char c = *s;
		if (c == '\0' || (!q && (c == ' ' || c == '\t' || c == '\n'))) {
			if (q)
				goto fail;
			if (inword) {
				w[wl] = '\0';
				char *dup = strdup(w);
				if (dup == NULL || argv_push(argv, argc, dup)) {
					free(dup);
					goto fail;
				}
				wl = 0;
				inword = 0;
			}
			if (c == '\0')
				break;
			continue;
		}
		inword = 1;
		if (q == '\'' && c == '\'')
			q = 0;
		else if (q == '"' && c == '"')
			q = 0;
		else if (!q && (c == '\'' || c == '"'))
			q = c;
		else if (c == '\\' && q != '\'' && s[1] != '\0')
			w[wl++] = *++s;
		else
			w[wl++] = c;
	}
	free(w);
	return 0;
fail:
	free(w);
	return -1;
}
