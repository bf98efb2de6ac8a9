/*
 * judge/box.c — the mechanics of one box: lock a box id and its uid, fill
 * and empty its directory, build bwrap's command line, the forked child
 * that enters the cgroup and drops privileges, and the watch loop that
 * enforces wall and total CPU time and kills the box.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "judge.h"

/* SIGKILLs every process of uid (a helper takes the uid: kill(-1) then
 * reaches exactly that uid's processes, in any pid namespace). */
void
box_kill_uid(const struct sandbox *sb, uid_t uid)
{
	pid_t	 pid;

	if (!sb->is_root)
		return;
	if ((pid = fork()) == 0) {
		if (setresgid(uid, uid, uid) == 0 &&
		    setresuid(uid, uid, uid) == 0)
			kill(-1, SIGKILL);
		_exit(0);
	}
	if (pid > 0)
		waitpid(pid, NULL, 0);
}

/*
 * Empties the box directory: every process of the box uid killed, its
 * tmpfs (if any) unmounted, what is left removed.  Returns 0 or -1.
 */
static int
box_clear(struct sandbox *sb, const struct box *b)
{
	box_kill_uid(sb, b->uid);
	/* Also one left by a judge that died holding the box. */
	if (sb->is_root && umount2(b->dir, MNT_DETACH | UMOUNT_NOFOLLOW) ==
	    -1 && errno != EINVAL && errno != ENOENT)
		return -1;
	return fs_rmtree(b->dir);
}

/*
 * Makes dir a tmpfs of sb's size and inode bounds owned by uid, so a
 * program cannot fill the host's disk (its pages are charged to the
 * run's memory cgroup too).  Returns 0 or -1.
 */
int
box_mount(const struct sandbox *sb, const char *dir, uid_t uid)
{
	char	 opt[160];

	snprintf(opt, sizeof(opt), "size=%zuk,nr_inodes=%zu,mode=0700,"
	    "uid=%ld,gid=%ld", sb->cfg.box_kb, sb->cfg.box_inodes, (long)uid,
	    (long)uid);
	return mount("pitwall-box", dir, "tmpfs", MS_NOSUID | MS_NODEV, opt);
}

/* Locks a free box id and makes its fresh directory.  Waits up to 60 s
 * when every box is busy.  Returns 0 or -1 (message set). */
int
box_acquire(struct sandbox *sb, struct box *b, char *msg, size_t msglen)
{
	char	 path[700];
	int	 i, tries, fd;

	b->lock_fd = -1;
	for (tries = 0; tries < 1200 && b->lock_fd == -1; tries++) {
		for (i = 0; i < sb->cfg.box_count; i++) {
			snprintf(path, sizeof(path), "%s/box-%d.lock",
			    sb->lock_dir, sb->cfg.first_box + i);
			fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
			if (fd == -1) {
				snprintf(msg, msglen, "%.200s: %s", path,
				    strerror(errno));
				return -1;
			}
			if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
				b->lock_fd = fd;
				b->id = sb->cfg.first_box + i;
				break;
			}
			close(fd);
		}
		if (b->lock_fd == -1)
			usleep(50000);
	}
	if (b->lock_fd == -1) {
		snprintf(msg, msglen, "no free box");
		return -1;
	}
	b->uid = sb->cfg.first_uid + (uid_t)b->id;
	snprintf(b->dir, sizeof(b->dir), "%s/box-%d", sb->work_root, b->id);
	snprintf(b->cgname, sizeof(b->cgname), "pitwall-box-%d", b->id);
	/* Whatever is left belongs to a judge that died holding the box. */
	if (box_clear(sb, b) == -1 || mkdir(b->dir, 0700) == -1 ||
	    (sb->is_root && box_mount(sb, b->dir, b->uid) == -1)) {
		snprintf(msg, msglen, "%.200s: %s", b->dir,
		    strerror(errno));
		fs_rmtree(b->dir);
		close(b->lock_fd);
		b->lock_fd = -1;
		return -1;
	}
	return 0;
}

/* Empties the box; its cgroup may go after this, the lock after that. */
void
box_empty(struct sandbox *sb, struct box *b)
{
	if (b->lock_fd != -1 && box_clear(sb, b) == -1)
		sandbox_log(sb, JUDGE_LOG_ERR, "%s: cannot remove %s: %s",
		    __func__, b->dir, strerror(errno));
}

void
box_release(struct box *b)
{
	if (b->lock_fd == -1)
		return;
	close(b->lock_fd);
	b->lock_fd = -1;
}

/* Puts the request's files in the box directory, owned by the box uid. */
int
box_fill(struct sandbox *sb, const struct box *b,
    const struct sandbox_request *req)
{
	char	 path[900];
	size_t	 i;
	uid_t	 owner = sb->is_root ? b->uid : (uid_t)-1;

	for (i = 0; i < req->nfiles; i++) {
		const struct sandbox_file *f = &req->files[i];
		if (strchr(f->name, '/') != NULL || f->name[0] == '.')
			return -1;
		snprintf(path, sizeof(path), "%s/%s", b->dir, f->name);
		if (fs_write_file(path, f->data, f->len, f->mode) == -1)
			return -1;
		if (sb->is_root && chown(path, b->uid, b->uid) == -1)
			return -1;
	}
	if (req->copy_from != NULL &&
	    fs_copy_files(req->copy_from, b->dir, owner, owner,
	    (size_t)256 << 20) == -1)
		return -1;
	return 0;
}

/* Builds bwrap's argv (strings owned by `store`, freed by the caller). */
int
box_argv(const struct sandbox *sb, const struct box *b,
    const struct sandbox_request *req, char **av, char store[][64])
{
	static const char *const etc[] = {
		"/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d",
		"/etc/alternatives", "/etc/localtime", NULL
	};
	static const char *const top[] = { "/bin", "/lib", "/lib64",
	    "/sbin", "/lib32", "/libx32", NULL };
	const struct sandbox_limits *l = &req->limits;
	char	 link[64];
	ssize_t	 n;
	size_t	 i;
	int	 ac = 0, ns = 0;

#define A(s)	do { if (ac >= BOX_MAX_ARGS - 1) return -1; \
		    av[ac++] = (char *)(s); } while (0)
#define NUM(fmt, v) (snprintf(store[ns], 64, fmt, v), store[ns++])
	A(sb->bwrap);
	A("--unshare-all"); A("--die-with-parent"); A("--new-session");
	A("--as-pid-1");
	A("--uid"); A(NUM("%ld", (long)b->uid));
	A("--gid"); A(NUM("%ld", (long)b->uid));
	A("--hostname"); A("box");
	A("--ro-bind"); A("/usr"); A("/usr");
	/* Merged-/usr systems have symlinks here; mirror what the host has. */
	for (i = 0; top[i] != NULL; i++) {
		n = readlink(top[i], link, sizeof(link) - 1);
		if (n > 0) {
			link[n] = '\0';
			A("--symlink"); A(NUM("%s", link)); A(top[i]);
		} else if (access(top[i], F_OK) == 0) {
			A("--ro-bind"); A(top[i]); A(top[i]);
		}
	}
	/* Only what loaders and runtimes need from /etc: not shadow,
	 * passwd, nor any configuration of ours. */
	for (i = 0; etc[i] != NULL; i++) {
		A("--ro-bind-try"); A(etc[i]); A(etc[i]);
	}
	for (i = 0; sb->have_glob && i < sb->etc_java.gl_pathc; i++) {
		A("--ro-bind"); A(sb->etc_java.gl_pathv[i]);
		A(sb->etc_java.gl_pathv[i]);
	}
	A("--bind"); A(b->dir); A("/box");
	/* Also charged to the cgroup. */
	A("--size");
	A(NUM("%ld", (l->memory_kb > 0 ? l->memory_kb : 512000) * 1024));
	A("--tmpfs"); A("/tmp");
	A("--info-fd"); A(NUM("%d", BOX_INFO_FD));
	A("--proc"); A("/proc");
	A("--dev"); A("/dev");
	A("--ro-bind"); A(sb->box_init); A("/.box-init");
	A("--remount-ro"); A("/");
	A("--chdir"); A("/box");
	A("--clearenv");
	A("--setenv"); A("PATH"); A("/usr/local/bin:/usr/bin:/bin");
	A("--setenv"); A("HOME"); A("/box");
	A("--setenv"); A("TMPDIR"); A("/tmp");
	A("--setenv"); A("LANG"); A("C.UTF-8");
	A("/.box-init");
	if (l->cpu_time > 0) {
		A("-c");
		A(NUM("%ld", (long)ceil(l->cpu_time + l->cpu_extra)));
	}
	if (l->fsize_kb > 0) {
		A("-f"); A(NUM("%ld", l->fsize_kb * 1024));
	}
	if (l->stack_kb > 0) {
		A("-s"); A(NUM("%ld", l->stack_kb * 1024));
	}
	A("-n"); A(NUM("%d", l->nofile > 0 ? l->nofile : 256));
	A("--");
	for (i = 0; req->argv[i] != NULL; i++)
		A(req->argv[i]);
	av[ac] = NULL;
#undef A
#undef NUM
	return 0;
}

double
box_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Child side of fork(): only async-signal-safe calls until execv. */
void
box_child(const struct sandbox *sb, const struct box *b,
    const struct cgroup_run *cg, int in, int out, int err, int rep,
    int info, char **av)
{
	pid_t	 parent = getppid();

	if (cgroup_enter(cg) == -1)
		_exit(120);
	/* Move the fds above 3 first: dup2 to 0..3 must not clobber them. */
	if ((in = fcntl(in, F_DUPFD_CLOEXEC, 10)) == -1 ||
	    (out = fcntl(out, F_DUPFD_CLOEXEC, 10)) == -1 ||
	    (err = fcntl(err, F_DUPFD_CLOEXEC, 10)) == -1 ||
	    (rep = fcntl(rep, F_DUPFD_CLOEXEC, 10)) == -1 ||
	    (info = fcntl(info, F_DUPFD_CLOEXEC, 10)) == -1)
		_exit(121);
	if (dup2(in, 0) == -1 || dup2(out, 1) == -1 || dup2(err, 2) == -1 ||
	    dup2(rep, BOX_REPORT_FD) == -1 || dup2(info, BOX_INFO_FD) == -1)
		_exit(121);
	if (close_range(BOX_INFO_FD + 1, ~0U, 0) == -1)
		_exit(122);
	if (sb->is_root && (setgroups(0, NULL) == -1 ||
	    setresgid(b->uid, b->uid, b->uid) == -1 ||
	    setresuid(b->uid, b->uid, b->uid) == -1))
		_exit(123);
	/* After setresuid: a credential change clears the death signal. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) == -1 || getppid() != parent)
		_exit(124);
	execv(av[0], av);
	_exit(125);
}

/* Reads up to cap bytes of a memfd into a new NUL-terminated buffer. */
int
box_slurp(int fd, size_t cap, char **data, size_t *len, int *truncated)
{
	struct stat st;
	size_t	 want, got = 0;
	ssize_t	 n;

	if (fstat(fd, &st) == -1)
		return -1;
	want = (size_t)st.st_size < cap ? (size_t)st.st_size : cap;
	*truncated = (size_t)st.st_size > cap;
	if ((*data = malloc(want + 1)) == NULL)
		return -1;
	while (got < want && (n = pread(fd, *data + got, want - got,
	    (off_t)got)) > 0)
		got += (size_t)n;
	(*data)[got] = '\0';
	*len = got;
	return 0;
}

int
box_memfd(const char *name, const void *data, size_t len)
{
	int	 fd;
	char	 path[64];
	int	 ro;

	if ((fd = memfd_create(name, MFD_CLOEXEC)) == -1)
		return -1;
	if (data == NULL)
		return fd;
	if (len > 0 && write(fd, data, len) != (ssize_t)len) {
		close(fd);
		return -1;
	}
	/* A read-only descriptor of its own, at offset 0, for stdin. */
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	ro = open(path, O_RDONLY | O_CLOEXEC);
	close(fd);
	return ro;
}

/* pid (in our namespace) of the box's pid 1, from bwrap's info fd. */
static pid_t
box_pid1(int info)
{
	char	 buf[512], *p;
	ssize_t	 n;

	if ((n = read(info, buf, sizeof(buf) - 1)) <= 0)
		return -1;
	buf[n] = '\0';
	if ((p = strstr(buf, "\"child-pid\":")) == NULL)
		return -1;
	return (pid_t)strtol(p + 12, NULL, 10);
}

/*
 * Kills the box: its pid 1 first, so the kernel kills the whole pid
 * namespace and bwrap reaps pid 1 (killing bwrap first would leave pid 1
 * a zombie for init to reap, i.e. a process of the box after the run).
 */
static void
box_kill(pid_t pid, pid_t boxpid, const struct cgroup_run *cg, int *wstatus,
    struct rusage *ru)
{
	double	 t = box_now();

	if (boxpid > 0)
		kill(boxpid, SIGKILL);
	else
		kill(pid, SIGKILL);
	for (;;) {
		pid_t w = wait4(pid, wstatus, WNOHANG, ru);
		if (w == pid || (w == -1 && errno != EINTR))
			return;
		if (box_now() - t > 2) {
			/* bwrap stuck: force it and everything. */
			kill(pid, SIGKILL);
			cgroup_kill_all(cg);
		}
		usleep(1000);
	}
}

/* Waits for bwrap while enforcing wall and total CPU time. */
void
box_watch(struct sandbox_result *res, pid_t pid, int info,
    const struct cgroup_run *cg, const struct sandbox_limits *l,
    int *wstatus, struct rusage *ru, double start)
{
	struct timespec ts = { 0, 5000000 };
	double	 cpu;
	pid_t	 w, boxpid = -1;

	for (;;) {
		if (boxpid == -1)
			boxpid = box_pid1(info);
		w = wait4(pid, wstatus, WNOHANG, ru);
		if (w == pid || (w == -1 && errno != EINTR))
			return;
		if (l->wall_time > 0 && box_now() - start > l->wall_time)
			res->wall_limit_hit = 1;
		/* RLIMIT_CPU is per process; the cgroup sums the tree. */
		else if (l->cpu_time > 0 && cgroup_cpu_usage(cg, &cpu) == 0 &&
		    cpu > l->cpu_time + l->cpu_extra)
			res->cpu_limit_hit = 1;
		if (res->wall_limit_hit || res->cpu_limit_hit) {
			res->outcome = SANDBOX_KILLED;
			box_kill(pid, boxpid, cg, wstatus, ru);
			return;
		}
		nanosleep(&ts, NULL);
	}
}
