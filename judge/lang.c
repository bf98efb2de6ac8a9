/*
 * judge/lang.c — the languages of the embedded judge: Judge0 CE ids and
 * names (so clients resolving names via GET /languages work unchanged),
 * run with Debian's toolchains.  Compile commands have no optimisation
 * flags, like Judge0's (`gcc main.c`); options go between the compiler and
 * the source file, as in Judge0's "gcc %s main.c".  The names shown
 * carry the installed version (lang_name), probed once per process.
 */
#include <sys/wait.h>

#include <ctype.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <errno.h>

#include "judge.h"

static const char *const c_cc[] = { "/usr/bin/gcc", NULL };
static const char *const c_cc_tail[] = { "main.c", NULL };
static const char *const cpp_cc[] = { "/usr/bin/g++", NULL };
static const char *const cpp_cc_tail[] = { "main.cpp", NULL };
static const char *const java_cc[] = { "/usr/bin/javac", NULL };
static const char *const java_cc_tail[] = { "Main.java", NULL };
/* Judge0 CE: "go build %s main.go", "rustc %s main.rs", "kotlinc %s Main.kt";
 * Go's build cache in the box (its home is not writable). */
static const char *const go_cc[] = { "/usr/bin/env", "GOCACHE=/box/.gocache",
    "GOPATH=/box/.gopath", "GO111MODULE=off", "/usr/bin/go", "build", NULL };
static const char *const go_cc_tail[] = { "-o", "a.out", "main.go", NULL };
/* Symbols stripped: Rust's std makes a 4 MB binary, Judge0's file size
 * limit for the compiler. */
static const char *const rust_cc[] = { "/usr/bin/rustc", "-C", "strip=symbols",
    NULL };
static const char *const rust_cc_tail[] = { "-o", "a.out", "main.rs", NULL };
/* The JVM's quick start (serial GC, C1 only) halves kotlinc's CPU time. */
static const char *const kt_cc[] = { "/usr/bin/env",
    "JAVA_OPTS='-Xmx256M -Xms32M -XX:+UseSerialGC -XX:TieredStopAtLevel=1'",
    "/usr/bin/kotlinc", NULL };
static const char *const kt_cc_tail[] = { "Main.kt", NULL };
static const char *const native_run[] = { "./a.out", NULL };
static const char *const py_run[] = { "/usr/bin/python3", "script.py", NULL };
static const char *const java_run[] = { "/usr/bin/java", "Main", NULL };
static const char *const kt_run[] = { "/usr/bin/kotlin", "MainKt", NULL };
static const char *const js_run[] = { "/usr/bin/node", "script.js", NULL };
static const char *const text_run[] = { "/bin/cat", "text.txt", NULL };

/* Version probes: each prints the version as its first "N.N[.N]". */
static const char *const gcc_v[] = { "/usr/bin/gcc", "-dumpfullversion", NULL };
static const char *const gpp_v[] = { "/usr/bin/g++", "-dumpfullversion", NULL };
static const char *const java_v[] = { "/usr/bin/javac", "-version", NULL };
static const char *const node_v[] = { "/usr/bin/node", "--version", NULL };
static const char *const py_v[] = { "/usr/bin/python3", "--version", NULL };
static const char *const go_v[] = { "/usr/bin/go", "version", NULL };
static const char *const rust_v[] = { "/usr/bin/rustc", "--version", NULL };
/* Debian's kotlinc calls itself "1.3-SNAPSHOT" and needs a JVM start for
 * that: the package's version is the installed one, and quick. */
static const char *const kt_v[] = { "/usr/bin/dpkg-query", "-W",
    "-f=${Version}", "kotlin", NULL };

/*
 * kotlinc starts a JVM and loads a 40 MB compiler: 5-10 s of CPU for a
 * hello world, more on a loaded machine, beyond Judge0's 15 s / 20 s for
 * compiling.  Compiles are cached per source, so this is paid once.
 */
#define KOTLIN_COMPILE_CPU_S	40
#define KOTLIN_COMPILE_WALL_S	60

static const struct lang langs[] = {
	{ 43, "Plain Text", "text.txt", NULL, NULL, text_run,
	    { "/bin/cat", NULL }, NULL, NULL, 0, 0 },
	{ 50, "C (GCC 9.2.0)", "main.c", c_cc, c_cc_tail, native_run,
	    { "/usr/bin/gcc", NULL }, "C (GCC %s)", gcc_v, 0, 0 },
	{ 54, "C++ (GCC 9.2.0)", "main.cpp", cpp_cc, cpp_cc_tail, native_run,
	    { "/usr/bin/g++", NULL }, "C++ (GCC %s)", gpp_v, 0, 0 },
	{ 60, "Go (1.13.5)", "main.go", go_cc, go_cc_tail, native_run,
	    { "/usr/bin/go", NULL }, "Go (%s)", go_v, 0, 0 },
	{ 62, "Java (OpenJDK 13.0.1)", "Main.java", java_cc, java_cc_tail,
	    java_run, { "/usr/bin/javac", "/usr/bin/java" }, "Java (OpenJDK %s)",
	    java_v, 0, 0 },
	{ 63, "JavaScript (Node.js 12.14.0)", "script.js", NULL, NULL, js_run,
	    { "/usr/bin/node", NULL }, "JavaScript (Node.js %s)", node_v, 0, 0 },
	{ 71, "Python (3.8.1)", "script.py", NULL, NULL, py_run,
	    { "/usr/bin/python3", NULL }, "Python (%s)", py_v, 0, 0 },
	{ 73, "Rust (1.40.0)", "main.rs", rust_cc, rust_cc_tail, native_run,
	    { "/usr/bin/rustc", NULL }, "Rust (%s)", rust_v, 0, 0 },
	{ 78, "Kotlin (1.3.70)", "Main.kt", kt_cc, kt_cc_tail, kt_run,
	    { "/usr/bin/kotlinc", "/usr/bin/kotlin" }, "Kotlin (%s)", kt_v,
	    KOTLIN_COMPILE_CPU_S, KOTLIN_COMPILE_WALL_S },
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

#define LANG_NAME_MAX	80
#define LANG_PROBE_MS	10000	/* one probe's output, at most */

/* Written once under pthread_once, read-only after. */
static char lang_names[sizeof(langs) / sizeof(langs[0])][LANG_NAME_MAX];
static pthread_once_t lang_names_once = PTHREAD_ONCE_INIT;

extern char **environ;

/*
 * Run argv (stdin /dev/null, stdout and stderr into buf), at most
 * LANG_PROBE_MS; killed past it.  0 with buf NUL-terminated, -1 on
 * failure, a non-zero exit or the deadline.
 */
static int
lang_probe_run(const char *const *argv, char *buf, size_t bufsz)
{
	posix_spawn_file_actions_t fa;
	struct timespec t0, t;
	struct pollfd pfd;
	size_t len = 0;
	ssize_t n;
	pid_t pid = -1, r;
	int fds[2] = { -1, -1 }, st = 0, ms, rc = -1;

	buf[0] = '\0';
	if (pipe2(fds, O_CLOEXEC) == -1)
		return -1;
	if (posix_spawn_file_actions_init(&fa) != 0)
		goto out;
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
	posix_spawn_file_actions_adddup2(&fa, fds[1], 2);
	if (posix_spawn(&pid, argv[0], &fa, NULL, (char *const *)argv,
	    environ) != 0)
		pid = -1;
	posix_spawn_file_actions_destroy(&fa);
	close(fds[1]);
	fds[1] = -1;
	if (pid == -1)
		goto out;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pfd.fd = fds[0];
	pfd.events = POLLIN;
	for (;;) {
		clock_gettime(CLOCK_MONOTONIC, &t);
		ms = LANG_PROBE_MS - (int)((t.tv_sec - t0.tv_sec) * 1000 +
		    (t.tv_nsec - t0.tv_nsec) / 1000000);
		if (ms <= 0 || poll(&pfd, 1, ms) == 0) {
			kill(pid, SIGKILL);
			break;
		}
		if ((n = read(fds[0], buf + len, bufsz - 1 - len)) <= 0)
			break;
		len += (size_t)n;
		if (len == bufsz - 1)
			break;
	}
	buf[len] = '\0';
	while ((r = waitpid(pid, &st, 0)) == -1 && errno == EINTR)
		;
	rc = r == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
out:
	if (fds[0] != -1)
		close(fds[0]);
	if (fds[1] != -1)
		close(fds[1]);
	return rc;
}

/* The first "N.N" or "N.N.N…" of s into v (NUL-terminated).  0 / -1. */
static int
lang_version_pick(const char *s, char *v, size_t vsz)
{
	size_t i, n, dots;

	for (i = 0; s[i] != '\0'; i++) {
		/* "go1.19.8" and "v20.1.0" count, "x86_64" and "1.3" of
		 * "11.3" do not. */
		if (!isdigit((unsigned char)s[i]) || (i > 0 &&
		    (isdigit((unsigned char)s[i - 1]) || s[i - 1] == '.')))
			continue;
		for (n = i, dots = 0; isdigit((unsigned char)s[n]) ||
		    (s[n] == '.' && isdigit((unsigned char)s[n + 1])); n++)
			dots += s[n] == '.';
		if (dots == 0 || n - i >= vsz)
			continue;
		memcpy(v, s + i, n - i);
		v[n - i] = '\0';
		return 0;
	}
	return -1;
}

/* pthread_once: every language's shown name. */
static void
lang_names_fill(void)
{
	char out[4096], ver[32];
	size_t i;

	for (i = 0; i < NLANGS; i++) {
		const struct lang *l = &langs[i];

		snprintf(lang_names[i], LANG_NAME_MAX, "%s", l->name);
		if (l->version == NULL || !lang_installed(l) ||
		    lang_probe_run(l->version, out, sizeof(out)) == -1 ||
		    lang_version_pick(out, ver, sizeof(ver)) == -1)
			continue;
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
		snprintf(lang_names[i], LANG_NAME_MAX, l->label, ver);
#pragma GCC diagnostic pop
	}
}

void
lang_probe(void)
{
	pthread_once(&lang_names_once, lang_names_fill);
}

const char *
lang_name(const struct lang *l)
{
	size_t i = (size_t)(l - langs);

	if (i >= NLANGS)
		return l->name;
	lang_probe();
	return lang_names[i];
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
