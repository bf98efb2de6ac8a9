/*
 * judge/box.c — the mechanics of one box: lock a box id and its uid, fill
 * and empty its directory, build bwrap's command line, the forked child
 * that enters the box's cgroup and drops privileges, sending one run to
 * box-init, and the watch loop that enforces wall and total CPU time and
 * kills the run.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <math.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
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

/* Builds bwrap's argv for a warm box (strings in `store`). */
int
box_argv(const struct sandbox *sb, const struct box *b, char **av,
    char store[][64])
{
	static const char *const etc[] = {
		"/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d",
		"/etc/alternatives", "/etc/localtime", NULL
	};
	static const char *const top[] = { "/bin", "/lib", "/lib64",
	    "/sbin", "/lib32", "/libx32", NULL };
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
	/* Judge0's largest memory limit; its pages are charged to the run's
	 * cgroup, so the run's own limit holds too. */
	A("--size"); A(NUM("%ld", 512000L * 1024));
	A("--tmpfs"); A("/tmp");
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

/* Child side of fork(): only async-signal-safe calls until execv.  ctl
 * becomes box-init's BOX_CTL_FD; stdio is /dev/null. */
void
box_child(const struct sandbox *sb, const struct box *b, int ctl, char **av)
{
	pid_t	 parent = getppid();
	sigset_t none;
	int	 nul;

	if (cgroup_enter(&b->holder) == -1)
		_exit(120);
	/* A thread of the judge may block signals; the box must not. */
	sigemptyset(&none);
	if (sigprocmask(SIG_SETMASK, &none, NULL) == -1)
		_exit(121);
	if ((ctl = fcntl(ctl, F_DUPFD_CLOEXEC, 10)) == -1 ||
	    (nul = open("/dev/null", O_RDWR | O_CLOEXEC)) == -1)
		_exit(121);
	if (dup2(nul, 0) == -1 || dup2(nul, 1) == -1 || dup2(nul, 2) == -1 ||
	    dup2(ctl, BOX_CTL_FD) == -1)
		_exit(121);
	if (close_range(BOX_CTL_FD + 1, ~0U, 0) == -1)
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

/*
 * Sends one run to the box's box-init: limits, argv and the descriptors
 * (see struct box_cmd).  0, or -1 when the box is gone or argv too long.
 */
int
box_send(const struct box *b, const struct sandbox_limits *l,
    const char *const *argv, const int *fds, int nfds)
{
	struct box_cmd *cmd;
	struct msghdr mh;
	struct iovec iov;
	struct cmsghdr *cm;
	union {
		char	 buf[CMSG_SPACE(sizeof(int) * BOX_CMD_FDS)];
		struct cmsghdr align;
	} u;
	size_t	 i, n, off = 0;
	int	 rc = -1;

	if (nfds > BOX_CMD_FDS || (cmd = calloc(1, sizeof(*cmd))) == NULL)
		return -1;
	cmd->cpu = l->cpu_time > 0 ? (int64_t)ceil(l->cpu_time +
	    l->cpu_extra) : 0;
	cmd->fsize = l->fsize_kb > 0 ? (int64_t)l->fsize_kb * 1024 : 0;
	cmd->stack = l->stack_kb > 0 ? (int64_t)l->stack_kb * 1024 : 0;
	cmd->nofile = l->nofile > 0 ? l->nofile : 256;
	cmd->nfds = (uint32_t)nfds;
	for (i = 0; argv[i] != NULL; i++) {
		n = strlen(argv[i]) + 1;
		if (i >= BOX_MAX_ARGS || off + n > sizeof(cmd->args))
			goto out;
		memcpy(cmd->args + off, argv[i], n);
		off += n;
	}
	cmd->len = (uint32_t)off;
	memset(&mh, 0, sizeof(mh));
	memset(&u, 0, sizeof(u));
	iov.iov_base = cmd;
	iov.iov_len = offsetof(struct box_cmd, args) + off;
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = u.buf;
	mh.msg_controllen = CMSG_SPACE(sizeof(int) * (size_t)nfds);
	cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int) * (size_t)nfds);
	memcpy(CMSG_DATA(cm), fds, sizeof(int) * (size_t)nfds);
	if (sendmsg(b->ctl, &mh, MSG_NOSIGNAL) == (ssize_t)iov.iov_len)
		rc = 0;
out:
	free(cmd);
	return rc;
}

/* Waits up to `sec` for box-init's answer; the byte, or -1. */
static int
box_ack(const struct box *b, double sec)
{
	struct pollfd pfd = { b->ctl, POLLIN, 0 };
	double	 end = box_now() + sec;
	char	 c;

	while (box_now() < end) {
		if (poll(&pfd, 1, 10) == 1) {
			if (read(b->ctl, &c, 1) == 1)
				return (unsigned char)c;
			return -1;
		}
	}
	return -1;
}

/*
 * Waits for the end of the run (box-init's answer) while enforcing wall
 * and total CPU time: past a limit, everything in the run's cgroup is
 * killed, box-init reaps it and answers.  Returns box-init's byte
 * (BOX_ACK_*), or -1 when the box did not answer (it must be retired).
 */
int
box_watch(struct sandbox_result *res, const struct box *b,
    const struct cgroup_run *cg, const struct sandbox_limits *l,
    double start)
{
	struct pollfd pfd = { b->ctl, POLLIN, 0 };
	double	 cpu;
	char	 c;
	int	 n;

	for (;;) {
		if ((n = poll(&pfd, 1, 5)) == 1) {
			if (read(b->ctl, &c, 1) == 1)
				return (unsigned char)c;
			return -1;
		}
		if (n == -1 && errno != EINTR)
			return -1;
		if (l->wall_time > 0 && box_now() - start > l->wall_time)
			res->wall_limit_hit = 1;
		/* RLIMIT_CPU is per process; the cgroup sums the tree. */
		else if (l->cpu_time > 0 && cgroup_cpu_usage(cg, &cpu) == 0 &&
		    cpu > l->cpu_time + l->cpu_extra)
			res->cpu_limit_hit = 1;
		if (res->wall_limit_hit || res->cpu_limit_hit) {
			res->outcome = SANDBOX_KILLED;
			cgroup_kill_all(cg);
			return box_ack(b, 5);
		}
	}
}
