/*
 * POST /admin/packages?round=SLUG&slug=SLUG[&points=N][&time_limit=S]
 *     body: a problem package as a zip (application/zip)
 *     -> 201 {slug, warnings: [...]} | 422 {error, message}
 *
 * The jury page's problem upload.  The package is read by the same code
 * as `pitwall-admin import-problem` (admin/kpp*.c), run as that command
 * in a child process: a hostile zip or YAML is parsed outside the
 * responder (a parser fault costs the child, never a responder thread),
 * and the one transaction of the import is the CLI's.  The upload goes
 * in a private temporary directory, removed before the reply.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "extern.h"
#include "log.h"
#include "query.h"

extern char **environ;

#define PACKAGE_BODY_MAX	(32 * 1024 * 1024)
#define IMPORT_OUTPUT_MAX	8192	/* bytes of the command's output kept */
#define IMPORT_TIMEOUT_MS	60000

/* The import's exit status and what it printed. */
struct import_run {
	int	 status;		/* exit code; -1: did not run or was killed */
	char	 out[IMPORT_OUTPUT_MAX];
	size_t	 outlen;
	char	 err[IMPORT_OUTPUT_MAX];
	size_t	 errlen;
};

/* pitwall-admin beside this responder's own executable.  0 / -1. */
static int
admin_path(char *out, size_t outsz)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	char *slash;

	if (n <= 0)
		return -1;
	self[n] = '\0';
	if ((slash = strrchr(self, '/')) == NULL)
		return -1;
	*slash = '\0';
	return snprintf(out, outsz, "%s/pitwall-admin", self) < (int)outsz ? 0 : -1;
}

/* Appends what fd has to buf (bounded; the rest is read and dropped).
 * 1 at end of file, 0 otherwise. */
static int
drain(int fd, char *buf, size_t cap, size_t *len)
{
	char tmp[4096];
	ssize_t n = read(fd, tmp, sizeof(tmp));
	size_t k;

	if (n <= 0)
		return n == 0 || (errno != EINTR && errno != EAGAIN);
	k = (size_t)n;
	if (*len + 1 < cap) {
		if (k > cap - 1 - *len)
			k = cap - 1 - *len;
		memcpy(buf + *len, tmp, k);
		*len += k;
		buf[*len] = '\0';
	}
	return 0;
}

/*
 * Runs argv (argv[0] an absolute path) with this process's environment,
 * collecting stdout and stderr, killed after IMPORT_TIMEOUT_MS.  0 when
 * it ran (see run->status), -1 when it could not be started.
 */
static int
import_spawn(char *const argv[], struct import_run *run)
{
	posix_spawn_file_actions_t fa;
	int po[2] = { -1, -1 }, pe[2] = { -1, -1 }, done_o = 0, done_e = 0;
	int rc = -1, ws = 0, left = IMPORT_TIMEOUT_MS;
	pid_t pid = -1;

	memset(run, 0, sizeof(*run));
	run->status = -1;
	if (pipe2(po, O_CLOEXEC) == -1 || pipe2(pe, O_CLOEXEC) == -1)
		goto out;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, po[1], 1);
	posix_spawn_file_actions_adddup2(&fa, pe[1], 2);
	if (posix_spawn(&pid, argv[0], &fa, NULL, argv, environ) != 0)
		pid = -1;
	posix_spawn_file_actions_destroy(&fa);
	close(po[1]);
	close(pe[1]);
	po[1] = pe[1] = -1;
	if (pid == -1)
		goto out;
	while ((!done_o || !done_e) && left > 0) {
		struct pollfd p[2] = { { po[0], POLLIN, 0 }, { pe[0], POLLIN, 0 } };
		struct timespec t0, t1;

		clock_gettime(CLOCK_MONOTONIC, &t0);
		if (poll(p, 2, left) == -1 && errno != EINTR)
			break;
		if (!done_o && p[0].revents)
			done_o = drain(po[0], run->out, sizeof(run->out), &run->outlen);
		if (!done_e && p[1].revents)
			done_e = drain(pe[0], run->err, sizeof(run->err), &run->errlen);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		left -= (int)((t1.tv_sec - t0.tv_sec) * 1000 +
		    (t1.tv_nsec - t0.tv_nsec) / 1000000);
	}
	if (!done_o || !done_e)
		kill(pid, SIGKILL);
	while ((rc = (int)waitpid(pid, &ws, 0)) == -1 && errno == EINTR)
		;
	if (rc != -1 && WIFEXITED(ws) && done_o && done_e)
		run->status = WEXITSTATUS(ws);
	rc = 0;
out:
	for (int i = 0; i < 2; i++) {
		if (po[i] != -1)
			close(po[i]);
		if (pe[i] != -1)
			close(pe[i]);
	}
	return rc;
}

/* Removes every occurrence of prefix (the temporary directory) from s. */
static void
strip_prefix(char *s, const char *prefix)
{
	size_t n = strlen(prefix);
	char *p;

	while ((p = strstr(s, prefix)) != NULL)
		memmove(p, p + n, strlen(p + n) + 1);
}

static void
package_upload(struct req *r)
{
	char round[96], slug[96], points[24], tl[24], dir[] = "/tmp/pitwall-upload-XXXXXX";
	char file[sizeof(dir) + 16], admin[PATH_MAX];
	const char *pr, *ps, *pp, *pt, *ct = http_param(r, "CONTENT_TYPE");
	char *argv[16];
	struct import_run *run = NULL;
	json_object *o, *warn;
	int argc = 0, made = 0;
	char *line, *save;

	if (req_query_text_or_reply(r, "round", round, sizeof(round), &pr) == -1 ||
	    req_query_text_or_reply(r, "slug", slug, sizeof(slug), &ps) == -1 ||
	    req_query_text_or_reply(r, "points", points, sizeof(points), &pp) == -1 ||
	    req_query_text_or_reply(r, "time_limit", tl, sizeof(tl), &pt) == -1)
		return;
	if (pr == NULL || ps == NULL) {
		http_error(r, 422, "invalid_parameter",
		    "give the round and the question's slug (?round=…&slug=…)");
		return;
	}
	if (ct == NULL || (strncmp(ct, "application/zip", 15) != 0 &&
	    strncmp(ct, "application/octet-stream", 24) != 0)) {
		http_error(r, 415, "unsupported_media_type",
		    "send the package as application/zip");
		return;
	}
	if (http_read_body(r, PACKAGE_BODY_MAX) == -1)
		return;
	if (r->bodylen == 0) {
		http_error(r, 422, "invalid_body", "the package is empty");
		return;
	}
	if (admin_path(admin, sizeof(admin)) == -1 || mkdtemp(dir) == NULL) {
		http_error(r, 500, "internal", "cannot stage the upload");
		return;
	}
	made = 1;
	snprintf(file, sizeof(file), "%s/%s", dir, "package.zip");
	{
		int fd = open(file, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
		    O_CLOEXEC, 0600);
		size_t off = 0;
		ssize_t n = 0;

		while (fd != -1 && off < r->bodylen &&
		    (n = write(fd, r->body + off, r->bodylen - off)) > 0)
			off += (size_t)n;
		if (fd == -1 || off != r->bodylen || close(fd) == -1) {
			http_error(r, 500, "internal", "cannot stage the upload");
			goto out;
		}
	}
	argv[argc++] = admin;
	argv[argc++] = (char *)"import-problem";
	argv[argc++] = file;
	argv[argc++] = (char *)"--round";
	argv[argc++] = round;
	argv[argc++] = (char *)"--slug";
	argv[argc++] = slug;
	if (pp != NULL) {
		argv[argc++] = (char *)"--points";
		argv[argc++] = points;
	}
	if (pt != NULL) {
		argv[argc++] = (char *)"--time-limit";
		argv[argc++] = tl;
	}
	argv[argc] = NULL;
	if ((run = malloc(sizeof(*run))) == NULL || import_spawn(argv, run) == -1) {
		http_error(r, 500, "internal", "cannot run the import");
		goto out;
	}
	strip_prefix(run->err, file);
	strip_prefix(run->err, dir);
	if (run->status != 0) {
		log_info(r->reqid, "package upload for %s/%s refused (exit %d)",
		    round, slug, run->status);
		/* The CLI's sentence names the file and why; usage is ours. */
		http_error(r, 422, "package_refused", "%s",
		    run->errlen > 0 ? run->err : "the import failed");
		goto out;
	}
	o = json_object_new_object();
	warn = json_object_new_array();
	run->out[strcspn(run->out, "\n")] = '\0';
	json_object_object_add(o, "slug", json_object_new_string(run->out));
	for (line = strtok_r(run->err, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save))
		json_object_array_add(warn, json_object_new_string(line));
	json_object_object_add(o, "warnings", warn);
	log_info(r->reqid, "package uploaded as %s in round %s", run->out, round);
	http_reply_json(r, 201, o);
	json_object_put(o);
out:
	free(run);
	if (made) {
		unlink(file);
		rmdir(dir);
	}
}

static void
packages_post(struct req *r, const struct admin_args *a)
{
	(void)a;
	package_upload(r);
}

static const struct admin_route packages_routes[] = {
	{ "", METHOD_POST, packages_post },
};

void
route_admin_packages(struct req *r)
{
	admin_route_dispatch(r, "/admin/packages", packages_routes,
	    sizeof(packages_routes) / sizeof(packages_routes[0]));
}
