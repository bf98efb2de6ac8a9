/*
 * judge/cgroup.c — one control group per sandbox run: memory limit,
 * process-count limit, CPU accounting, peak memory, OOM detection and
 * "kill everything in it".
 *
 * cgroup v2 is used when our subtree is delegated (memory and pids can be
 * enabled for children); otherwise the v1 memory, pids and cpuacct
 * hierarchies.  Groups are created under the judge's *own* cgroup of each
 * hierarchy (read from /proc/self/cgroup) so a judge inside a container or
 * a service slice stays inside its own accounting.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "judge.h"

/* A kept v1 group's charge left after a reset that is not reclaimed
 * (cgroup_run_end): at most this many bytes. */
#define CG_RESIDUE_MAX	(1024LL * 1024)

/* Reads fd's whole text from its start into buf (NUL-terminated);
 * length or -1.  A cgroup file makes its text again on each read at 0. */
static ssize_t
cg_pread(int fd, char *buf, size_t len)
{
	ssize_t	 n = 0, got = 0;

	while ((size_t)got + 1 < len &&
	    (n = pread(fd, buf + got, len - 1 - got, got)) > 0)
		got += n;
	buf[got] = '\0';
	return n == -1 && got == 0 ? -1 : got;
}

/* Reads a small file into buf (NUL-terminated).  Returns length or -1. */
static ssize_t
cg_read(const char *dir, const char *file, char *buf, size_t len)
{
	char	 path[700];
	int	 fd;
	ssize_t	 got;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	got = cg_pread(fd, buf, len);
	close(fd);
	return got;
}

static int
cg_pwrite(int fd, const char *val)
{
	size_t	 len = strlen(val);

	return pwrite(fd, val, len, 0) == (ssize_t)len ? 0 : -1;
}

static int
cg_write(const char *dir, const char *file, const char *val)
{
	char	 path[700];
	int	 fd, rc;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	if ((fd = open(path, O_WRONLY | O_CLOEXEC)) == -1)
		return -1;
	rc = cg_pwrite(fd, val);
	close(fd);
	return rc;
}

/*
 * The attribute files a kept v1 run group reads and writes on every run,
 * opened once with the group (cg_files_open): opening each by its path
 * took about a third of the runner's time per run.  cgroup.procs is not
 * among them: v1 keeps one pid list per open file for a second, so a
 * kept descriptor would read a stale list.
 */
enum cg_file {
	CGF_MEM_LIMIT, CGF_MEMSW_LIMIT, CGF_USAGE, CGF_MAX_USAGE,
	CGF_MEMSW_MAX_USAGE, CGF_FAILCNT, CGF_FORCE_EMPTY, CGF_OOM,
	CGF_PIDS_MAX, CGF_PIDS_CURRENT, CGF_CPU_USAGE
};

enum cg_dir { CGD_MEM, CGD_PIDS, CGD_CPU };

static const struct {
	enum cg_dir	 dir;
	const char	*name;
	int		 flags;
} cg_files[CGROUP_NFILES] = {
	[CGF_MEM_LIMIT] =	{ CGD_MEM, "memory.limit_in_bytes", O_WRONLY },
	[CGF_MEMSW_LIMIT] =	{ CGD_MEM, "memory.memsw.limit_in_bytes",
				  O_WRONLY },
	[CGF_USAGE] =		{ CGD_MEM, "memory.usage_in_bytes", O_RDONLY },
	[CGF_MAX_USAGE] =	{ CGD_MEM, "memory.max_usage_in_bytes", O_RDWR },
	[CGF_MEMSW_MAX_USAGE] =	{ CGD_MEM, "memory.memsw.max_usage_in_bytes",
				  O_WRONLY },
	[CGF_FAILCNT] =		{ CGD_MEM, "memory.failcnt", O_RDWR },
	[CGF_FORCE_EMPTY] =	{ CGD_MEM, "memory.force_empty", O_WRONLY },
	[CGF_OOM] =		{ CGD_MEM, "memory.oom_control", O_RDONLY },
	[CGF_PIDS_MAX] =	{ CGD_PIDS, "pids.max", O_WRONLY },
	[CGF_PIDS_CURRENT] =	{ CGD_PIDS, "pids.current", O_RDONLY },
	[CGF_CPU_USAGE] =	{ CGD_CPU, "cpuacct.usage", O_RDWR },
};

static const char *
cg_dir_of(const struct cgroup_run *r, enum cg_dir d)
{
	return d == CGD_MEM ? r->mem : d == CGD_PIDS ? r->pids : r->cpu;
}

/* Opens the kept group's files; one that is missing (memsw without swap
 * accounting) is left shut and used by its path, failing as before. */
static void
cg_files_open(struct cgroup_run *r)
{
	char	 path[700];
	int	 i, fd;

	for (i = 0; i < CGROUP_NFILES; i++) {
		if (r->file[i] != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s",
		    cg_dir_of(r, cg_files[i].dir), cg_files[i].name);
		if ((fd = open(path, cg_files[i].flags | O_CLOEXEC)) != -1)
			r->file[i] = fd + 1;
	}
}

static void
cg_files_close(struct cgroup_run *r)
{
	int	 i;

	for (i = 0; i < CGROUP_NFILES; i++) {
		if (r->file[i] != 0)
			close(r->file[i] - 1);
		r->file[i] = 0;
	}
}

static ssize_t
cg_readf(const struct cgroup_run *r, enum cg_file f, char *buf, size_t len)
{
	if (r->file[f] != 0)
		return cg_pread(r->file[f] - 1, buf, len);
	return cg_read(cg_dir_of(r, cg_files[f].dir), cg_files[f].name, buf,
	    len);
}

static int
cg_writef(const struct cgroup_run *r, enum cg_file f, const char *val)
{
	if (r->file[f] != 0)
		return cg_pwrite(r->file[f] - 1, val);
	return cg_write(cg_dir_of(r, cg_files[f].dir), cg_files[f].name, val);
}

/* Does the comma/space separated list hold the word? */
static int
has_word(const char *list, const char *word)
{
	size_t	 wl = strlen(word);
	const char *p = list;

	while ((p = strstr(p, word)) != NULL) {
		int start = (p == list || p[-1] == ',' || p[-1] == ' ');
		int end = (p[wl] == '\0' || p[wl] == ',' || p[wl] == ' ' ||
		    p[wl] == '\n');
		if (start && end)
			return 1;
		p += wl;
	}
	return 0;
}

/*
 * Finds where the hierarchy holding `ctrl` (v1) or the unified one
 * (ctrl == NULL) is mounted and our cgroup in it; writes the directory of
 * our cgroup into out.  Returns 0 or -1.
 */
static int
cg_own_dir(const char *ctrl, char *out, size_t outlen)
{
	FILE	*f;
	char	 line[1024], own[512] = "", mnt[512] = "", root[512] = "";
	int	 found = 0;

	if ((f = fopen("/proc/self/cgroup", "re")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL) {
		char *c1 = strchr(line, ':'), *c2;
		if (c1 == NULL || (c2 = strchr(c1 + 1, ':')) == NULL)
			continue;
		*c2 = '\0';
		c2[1 + strcspn(c2 + 1, "\n")] = '\0';
		if ((ctrl == NULL && c1[1] == '\0') ||
		    (ctrl != NULL && has_word(c1 + 1, ctrl))) {
			snprintf(own, sizeof(own), "%s", c2 + 1);
			found = 1;
			break;
		}
	}
	fclose(f);
	if (!found || (f = fopen("/proc/self/mountinfo", "re")) == NULL)
		return -1;
	found = 0;
	while (fgets(line, sizeof(line), f) != NULL) {
		/* id parent maj:min root mountpoint opts... - fstype src sopts */
		char r[512], m[512], fstype[64], sopts[512];
		char *dash = strstr(line, " - ");
		if (dash == NULL ||
		    sscanf(line, "%*s %*s %*s %511s %511s", r, m) != 2 ||
		    sscanf(dash + 3, "%63s %*s %511s", fstype, sopts) != 2)
			continue;
		if ((ctrl == NULL && strcmp(fstype, "cgroup2") == 0) ||
		    (ctrl != NULL && strcmp(fstype, "cgroup") == 0 &&
		    has_word(sopts, ctrl))) {
			snprintf(mnt, sizeof(mnt), "%s", m);
			snprintf(root, sizeof(root), "%s", r);
			found = 1;
			break;
		}
	}
	fclose(f);
	if (!found)
		return -1;
	/* Inside a container the mount root is a prefix of our path. */
	if (strcmp(root, "/") != 0 &&
	    strncmp(own, root, strlen(root)) == 0)
		memmove(own, own + strlen(root), strlen(own) - strlen(root) + 1);
	if (strcmp(own, "/") == 0)
		own[0] = '\0';
	if ((size_t)snprintf(out, outlen, "%s%s", mnt, own) >= outlen)
		return -1;
	return 0;
}

/* Can we create (and remove) a child group in dir?  0, or -1 with why. */
static int
cg_try_mkdir(const char *dir, char *why, size_t whylen)
{
	char	 probe[700];

	snprintf(probe, sizeof(probe), "%s/pitwall-probe-%ld", dir,
	    (long)getpid());
	if (mkdir(probe, 0755) == -1) {
		snprintf(why, whylen, "cannot create a group in %.200s: %s",
		    dir, strerror(errno));
		return -1;
	}
	rmdir(probe);
	return 0;
}

static int
cg_probe_v2(struct cgroup_base *b, const char *v2_root, char *why,
    size_t whylen)
{
	char	 buf[512];

	if (v2_root != NULL)
		snprintf(b->mem, sizeof(b->mem), "%s", v2_root);
	else if (cg_own_dir(NULL, b->mem, sizeof(b->mem)) == -1) {
		snprintf(why, whylen, "no cgroup2 mount");
		return -1;
	}
	if (cg_read(b->mem, "cgroup.controllers", buf, sizeof(buf)) == -1) {
		snprintf(why, whylen, "%.200s/cgroup.controllers: %s", b->mem,
		    strerror(errno));
		return -1;
	}
	if (!has_word(buf, "memory") || !has_word(buf, "pids")) {
		buf[strcspn(buf, "\n")] = '\0';
		snprintf(why, whylen, "%.200s: controllers \"%.60s\" lack "
		    "memory and pids (bound to v1?)", b->mem, buf);
		return -1;
	}
	if (cg_read(b->mem, "cgroup.subtree_control", buf, sizeof(buf)) == -1)
		return -1;
	/* Enabling fails (EBUSY) when our own group holds processes: the
	 * admin must start the judge in a leaf and hand us the parent. */
	if ((!has_word(buf, "memory") || !has_word(buf, "pids")) &&
	    cg_write(b->mem, "cgroup.subtree_control", "+memory +pids") == -1) {
		snprintf(why, whylen, "%.200s: cannot enable memory and pids "
		    "for subgroups: %s (not delegated, or the group holds "
		    "processes)", b->mem, strerror(errno));
		return -1;
	}
	if (cg_try_mkdir(b->mem, why, whylen) == -1)
		return -1;
	snprintf(b->pids, sizeof(b->pids), "%s", b->mem);
	snprintf(b->cpu, sizeof(b->cpu), "%s", b->mem);
	b->mode = CGROUP_V2;
	return 0;
}

static int
cg_probe_v1(struct cgroup_base *b, char *why, size_t whylen)
{
	static const char *const ctrl[] = { "memory", "pids", "cpuacct" };
	char	*dirs[] = { b->mem, b->pids, b->cpu };
	size_t	 i;

	for (i = 0; i < 3; i++) {
		if (cg_own_dir(ctrl[i], dirs[i], sizeof(b->mem)) == -1) {
			snprintf(why, whylen, "no %s hierarchy mounted",
			    ctrl[i]);
			return -1;
		}
		if (cg_try_mkdir(dirs[i], why, whylen) == -1)
			return -1;
	}
	b->mode = CGROUP_V1;
	return 0;
}

/*
 * Picks v2 if delegated (memory and pids for our subgroups), else v1
 * (memory, pids and cpuacct writable).  Returns 0, or -1 with `why`
 * naming what each lacks.
 */
int
cgroup_probe(struct cgroup_base *b, const char *v2_root, char *why,
    size_t whylen)
{
	char	 w2[400], w1[400];

	memset(b, 0, sizeof(*b));
	if (cg_probe_v2(b, v2_root, w2, sizeof(w2)) == 0)
		return 0;
	memset(b, 0, sizeof(*b));
	if (v2_root == NULL && cg_probe_v1(b, w1, sizeof(w1)) == 0)
		return 0;
	memset(b, 0, sizeof(*b));
	b->mode = CGROUP_NONE;
	snprintf(why, whylen, "no usable cgroup: v2: %s; v1: %s%s", w2,
	    v2_root != NULL ? "not tried (a v2 root was given)" : w1,
	    geteuid() != 0 ? " (not root)" : "");
	return -1;
}

/* Reads pids from dir/cgroup.procs and SIGKILLs them but `keep` (0:
 * none); returns how many. */
static int
cg_kill_but(const char *dir, pid_t keep)
{
	char	 buf[65536], *p, *end;
	int	 n = 0;

	if (cg_read(dir, "cgroup.procs", buf, sizeof(buf)) <= 0)
		return 0;
	for (p = buf; *p != '\0'; p = end) {
		long pid = strtol(p, &end, 10);
		if (end == p)
			break;
		if (pid > 0 && pid != keep && kill((pid_t)pid, SIGKILL) == 0)
			n++;
	}
	return n;
}

static int
cg_kill_pass(const char *dir)
{
	return cg_kill_but(dir, 0);
}

/* One pass of SIGKILL over the group but `keep`; how many were sent. */
int
cgroup_kill_but(const struct cgroup_run *r, pid_t keep)
{
	if (r->mode == CGROUP_NONE)
		return 0;
	return cg_kill_but(r->pids, keep) + (r->mode == CGROUP_V1 ?
	    cg_kill_but(r->mem, keep) : 0);
}

/*
 * Is the kept v1 run group empty?  pids.current counts every task of the
 * run until it is reaped, and each joins the memory group before the
 * pids group (cgroup_enter) or exits: 0 there means both are empty, read
 * from a kept descriptor instead of two pid lists.  0 when it cannot
 * tell (not kept, tasks left or still to be reaped).
 */
static int
cg_empty_v1(const struct cgroup_run *r)
{
	char	 buf[32];

	return r->file[CGF_PIDS_CURRENT] != 0 &&
	    cg_readf(r, CGF_PIDS_CURRENT, buf, sizeof(buf)) > 0 &&
	    strtol(buf, NULL, 10) == 0 && buf[0] == '0';
}

/*
 * SIGKILLs everything in the run's group until it is empty.  A fork bomb
 * cannot outrun this because pids.max caps what it can create.
 */
int
cgroup_kill_all(const struct cgroup_run *r)
{
	struct timespec ts = { 0, 2000000 };
	int	 i;

	if (r->mode == CGROUP_NONE)
		return 0;
	if (r->mode == CGROUP_V2)
		cg_write(r->mem, "cgroup.kill", "1");
	else if (cg_empty_v1(r))
		return 0;
	for (i = 0; i < 500; i++) {
		if (cg_kill_pass(r->pids) == 0 && cg_kill_pass(r->mem) == 0)
			return 0;
		nanosleep(&ts, NULL);
	}
	return -1;
}

static int
cg_mk(const char *dir)
{
	if (mkdir(dir, 0755) == 0)
		return 0;
	if (errno != EEXIST)
		return -1;
	/* Left over by a judge that crashed while holding this box. */
	if (cg_kill_pass(dir) > 0)
		usleep(50000);
	if (rmdir(dir) == -1 && errno != ENOENT)
		return -1;
	return mkdir(dir, 0755);
}

int
cgroup_create(const struct cgroup_base *b, const char *name,
    const struct sandbox_limits *lim, struct cgroup_run *r)
{
	char	 v[64], path[700];
	int	 i;

	memset(r, 0, sizeof(*r));
	for (i = 0; i < 3; i++)
		r->procs_fd[i] = -1;
	r->mode = b->mode;
	if (b->mode == CGROUP_NONE)
		return 0;
	snprintf(r->mem, sizeof(r->mem), "%s/%s", b->mem, name);
	snprintf(r->pids, sizeof(r->pids), "%s/%s", b->pids, name);
	snprintf(r->cpu, sizeof(r->cpu), "%s/%s", b->cpu, name);
	if (cg_mk(r->mem) == -1)
		goto fail;
	if (b->mode == CGROUP_V1 &&
	    (cg_mk(r->pids) == -1 || cg_mk(r->cpu) == -1))
		goto fail;
	if (lim->memory_kb > 0) {
		snprintf(v, sizeof(v), "%lld", (long long)lim->memory_kb * 1024);
		if (cg_write(r->mem, b->mode == CGROUP_V1 ?
		    "memory.limit_in_bytes" : "memory.max", v) == -1)
			goto fail;
		/* No swap either; fails harmlessly without swap accounting. */
		if (b->mode == CGROUP_V1)
			cg_write(r->mem, "memory.memsw.limit_in_bytes", v);
		else
			cg_write(r->mem, "memory.swap.max", "0");
	}
	if (lim->max_procs > 0) {
		snprintf(v, sizeof(v), "%d", lim->max_procs);
		if (cg_write(r->pids, "pids.max", v) == -1)
			goto fail;
	}
	/* Open now: after fork() the child may only write(). */
	snprintf(path, sizeof(path), "%s/cgroup.procs", r->mem);
	if ((r->procs_fd[0] = open(path, O_WRONLY | O_CLOEXEC)) == -1)
		goto fail;
	if (b->mode == CGROUP_V1) {
		snprintf(path, sizeof(path), "%s/cgroup.procs", r->pids);
		if ((r->procs_fd[1] = open(path, O_WRONLY | O_CLOEXEC)) == -1)
			goto fail;
		snprintf(path, sizeof(path), "%s/cgroup.procs", r->cpu);
		if ((r->procs_fd[2] = open(path, O_WRONLY | O_CLOEXEC)) == -1)
			goto fail;
	}
	return 0;
fail:
	cgroup_destroy(r);
	return -1;
}

/* In the forked child, before exec: move ourselves ("0") into the group. */
int
cgroup_enter(const struct cgroup_run *r)
{
	int	 i;

	for (i = 0; i < 3; i++)
		if (r->procs_fd[i] != -1 && write(r->procs_fd[i], "0", 1) != 1)
			return -1;
	return 0;
}

int
cgroup_cpu_usage(const struct cgroup_run *r, double *sec)
{
	char	 buf[1024], *p;

	if (r->mode == CGROUP_V1) {
		if (cg_readf(r, CGF_CPU_USAGE, buf, sizeof(buf)) <= 0)
			return -1;
		*sec = strtod(buf, NULL) / 1e9;
		return 0;
	}
	if (r->mode == CGROUP_V2 &&
	    cg_read(r->cpu, "cpu.stat", buf, sizeof(buf)) > 0 &&
	    (p = strstr(buf, "usage_usec ")) != NULL) {
		*sec = strtod(p + 11, NULL) / 1e6;
		return 0;
	}
	return -1;
}

static long
cg_field(const char *buf, const char *key)
{
	const char *p = buf;
	size_t	 kl = strlen(key);

	while ((p = strstr(p, key)) != NULL) {
		if ((p == buf || p[-1] == '\n') && p[kl] == ' ')
			return strtol(p + kl + 1, NULL, 10);
		p += kl;
	}
	return -1;
}

/* Peak memory (KB) and whether the OOM killer struck in the group. */
int
cgroup_stats(const struct cgroup_run *r, long *peak_kb, int *oom)
{
	char	 buf[1024];
	long	 n;

	*peak_kb = -1;
	*oom = 0;
	if (r->mode == CGROUP_V1) {
		/* A kept group starts with a residue (cgroup_run_end),
		 * which is not the run's. */
		if (cg_readf(r, CGF_MAX_USAGE, buf, sizeof(buf)) > 0) {
			long long b = strtoll(buf, NULL, 10) - r->base;

			*peak_kb = (long)((b > 0 ? b : 0) / 1024);
		}
		if (cg_readf(r, CGF_OOM, buf, sizeof(buf)) > 0 &&
		    (n = cg_field(buf, "oom_kill")) >= 0)
			*oom = n > r->oom0;	/* a kept group counts on */
		else if (cg_readf(r, CGF_FAILCNT, buf, sizeof(buf)) > 0)
			*oom = strtol(buf, NULL, 10) > 0;
	} else if (r->mode == CGROUP_V2) {
		if (cg_read(r->mem, "memory.peak", buf, sizeof(buf)) > 0)
			*peak_kb = (long)(strtoll(buf, NULL, 10) / 1024);
		if (cg_read(r->mem, "memory.events", buf, sizeof(buf)) > 0 &&
		    (n = cg_field(buf, "oom_kill")) >= 0)
			*oom = n > 0;
	}
	return *peak_kb >= 0 ? 0 : -1;
}

/*
 * A box's run group (name, e.g. pitwall-box-N/run) for one run with the
 * limits lim.  On cgroup v1 the group is made with the box's first run
 * and kept (making and removing a memory cgroup per run costs
 * milliseconds, under the kernel's global cgroup lock): each run sets its
 * limits and notes the OOM kills so far (a counter that cannot be
 * reset); cgroup_run_end() resets the rest.  On v2 (usage_usec and
 * memory.peak cannot be reset there) a fresh group per run.  0 or -1.
 */
int
cgroup_run_begin(const struct cgroup_base *b, const char *name,
    const struct sandbox_limits *lim, struct cgroup_run *r)
{
	static const struct sandbox_limits none;
	char	 v[64], buf[256];
	long	 n;

	if (b->mode != CGROUP_V1)
		return cgroup_create(b, name, lim, r);
	if (r->mode == CGROUP_NONE) {
		if (cgroup_create(b, name, &none, r) == -1)
			return -1;
		cg_files_open(r);
	}
	/* memsw may never be below the limit: lifted first, set last. */
	if (lim->memory_kb > 0)
		snprintf(v, sizeof(v), "%lld", (long long)lim->memory_kb * 1024);
	else
		snprintf(v, sizeof(v), "-1");
	cg_writef(r, CGF_MEMSW_LIMIT, "-1");
	if (cg_writef(r, CGF_MEM_LIMIT, v) == -1)
		return -1;
	/* No swap either; fails harmlessly without swap accounting. */
	cg_writef(r, CGF_MEMSW_LIMIT, v);
	if (lim->max_procs > 0)
		snprintf(v, sizeof(v), "%d", lim->max_procs);
	else
		snprintf(v, sizeof(v), "max");
	if (cg_writef(r, CGF_PIDS_MAX, v) == -1)
		return -1;
	r->oom0 = 0;
	if (cg_readf(r, CGF_OOM, buf, sizeof(buf)) > 0 &&
	    (n = cg_field(buf, "oom_kill")) > 0)
		r->oom0 = n;
	r->base = 0;
	if (cg_readf(r, CGF_USAGE, buf, sizeof(buf)) > 0)
		r->base = strtoll(buf, NULL, 10);
	return 0;
}

/*
 * After a run whose processes are all dead (cgroup_kill_all) and whose
 * files are gone: on v1 the group is emptied for the next run (its pages
 * reclaimed when more than CG_RESIDUE_MAX are left; peak, failure count
 * and CPU usage set to zero); on v2 it is removed.  0, or -1 when it could not be (the box must be retired).
 */
int
cgroup_run_end(struct cgroup_run *r)
{
	char	 buf[64];

	if (r->mode != CGROUP_V1)
		return cgroup_destroy(r);
	if (!cg_empty_v1(r) &&
	    (cg_read(r->pids, "cgroup.procs", buf, sizeof(buf)) != 0 ||
	    cg_read(r->mem, "cgroup.procs", buf, sizeof(buf)) != 0))
		return -1;
	/* What stays charged once the files are gone is page cache and
	 * dentries the run brought in.  force_empty reclaims it, but drains
	 * every CPU's page lists (0.3-10 ms); below CG_RESIDUE_MAX it is left
	 * and the next run's peak counts from it (r->base). */
	if (cg_readf(r, CGF_USAGE, buf, sizeof(buf)) <= 0 ||
	    strtoll(buf, NULL, 10) > CG_RESIDUE_MAX) {
		if (cg_writef(r, CGF_FORCE_EMPTY, "0") == -1)
			return -1;
	}
	if (cg_writef(r, CGF_MAX_USAGE, "0") == -1 ||
	    cg_writef(r, CGF_FAILCNT, "0") == -1 ||
	    cg_writef(r, CGF_CPU_USAGE, "0") == -1)
		return -1;
	cg_writef(r, CGF_MEMSW_MAX_USAGE, "0");
	return 0;
}

static int
cg_rmdir(const char *dir)
{
	int	 i;

	for (i = 0; i < 200; i++) {
		if (rmdir(dir) == 0 || errno == ENOENT)
			return 0;
		if (errno != EBUSY)
			return -1;
		cg_kill_pass(dir);
		usleep(5000);
	}
	return -1;
}

/* Closes the fds and removes the groups; -1 if one could not go. */
int
cgroup_destroy(struct cgroup_run *r)
{
	int	 i, rc = 0;

	for (i = 0; i < 3; i++) {
		if (r->procs_fd[i] != -1)
			close(r->procs_fd[i]);
		r->procs_fd[i] = -1;
	}
	cg_files_close(r);
	if (r->mode == CGROUP_NONE)
		return 0;
	if (r->mem[0] != '\0' && cg_rmdir(r->mem) == -1)
		rc = -1;
	if (r->mode == CGROUP_V1) {
		if (r->pids[0] != '\0' && cg_rmdir(r->pids) == -1)
			rc = -1;
		if (r->cpu[0] != '\0' && cg_rmdir(r->cpu) == -1)
			rc = -1;
	}
	r->mode = CGROUP_NONE;
	return rc;
}

/* Removes dir/name/run, dir/name/init and dir/name, killing what is in
 * them; 0, or -1 when one could not go. */
static int
cg_box_rm(const char *dir, const char *name)
{
	char	 path[700];
	int	 rc = 0;

	snprintf(path, sizeof(path), "%s/%s/run", dir, name);
	if (cg_rmdir(path) == -1)
		rc = -1;
	snprintf(path, sizeof(path), "%s/%s/init", dir, name);
	if (cg_rmdir(path) == -1)
		rc = -1;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (cg_rmdir(path) == -1)
		rc = -1;
	return rc;
}

int
cgroup_box_remove(const struct cgroup_base *b, const char *name)
{
	int	 rc = 0;

	if (b->mode == CGROUP_NONE)
		return 0;
	if (cg_box_rm(b->mem, name) == -1)
		rc = -1;
	if (b->mode == CGROUP_V1 && (cg_box_rm(b->pids, name) == -1 ||
	    cg_box_rm(b->cpu, name) == -1))
		rc = -1;
	return rc;
}

/*
 * Makes the box's group `name` (whatever a dead judge left of it goes
 * first) and its holder name/init, where bwrap and box-init live; runs
 * get name/run (cgroup_create).  On v2 the box group enables memory and
 * pids for both, and holds no process itself.  0 or -1.
 */
int
cgroup_box_create(const struct cgroup_base *b, const char *name,
    struct cgroup_run *holder)
{
	static const struct sandbox_limits none;
	char	 path[700], init[128];

	memset(holder, 0, sizeof(*holder));
	holder->procs_fd[0] = holder->procs_fd[1] = holder->procs_fd[2] = -1;
	if (b->mode == CGROUP_NONE)
		return 0;
	if (cgroup_box_remove(b, name) == -1)
		return -1;
	snprintf(path, sizeof(path), "%s/%s", b->mem, name);
	if (mkdir(path, 0755) == -1)
		return -1;
	if (b->mode == CGROUP_V2 &&
	    cg_write(path, "cgroup.subtree_control", "+memory +pids") == -1)
		goto fail;
	if (b->mode == CGROUP_V1) {
		/* EEXIST: co-mounted with an earlier controller. */
		snprintf(path, sizeof(path), "%s/%s", b->pids, name);
		if (mkdir(path, 0755) == -1 && errno != EEXIST)
			goto fail;
		snprintf(path, sizeof(path), "%s/%s", b->cpu, name);
		if (mkdir(path, 0755) == -1 && errno != EEXIST)
			goto fail;
	}
	snprintf(init, sizeof(init), "%s/init", name);
	if (cgroup_create(b, init, &none, holder) == 0)
		return 0;
fail:
	cgroup_box_remove(b, name);
	return -1;
}
