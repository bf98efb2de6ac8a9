/*
 * judge/box_init.c — pitwall-box-init, pid 1 of every warm box.
 *
 * bubblewrap runs it (--as-pid-1) after it has built the namespaces and
 * mounts, with the control socket on fd 3 (BOX_CTL_FD).  For each run it
 * receives a box_cmd with its descriptors (judge.h) and starts the program
 * (clone with CLONE_VM | CLONE_VFORK, as posix_spawn),
 * which joins the run's cgroup and takes rlimits and a seccomp filter
 * before execv; it reaps every orphan of the box (so their CPU time is
 * accounted) until the program ends and reports the program's wait status
 * on the report pipe.  Then it kills whatever is left in the box's pid
 * namespace (kill(-1) from its pid 1 reaches every process but itself),
 * empties /tmp and /dev/shm, removes SysV IPC objects and answers on the
 * socket.  EOF on the socket: exit, and the kernel kills the namespace.
 * Being pid 1, it cannot be killed from inside the box.
 *
 * Why a helper and not bwrap --seccomp: the filter must come after bwrap's
 * own mount/unshare calls, rlimits must not hit bwrap itself, and only a
 * parent inside the box can tell an exec failure (ENOEXEC -> status 14) or
 * a signal from an exit code (bwrap folds both into one exit status).
 *
 * usage: pitwall-box-init  (memory and processes are limited by the run's
 * cgroup)
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/msg.h>
#include <sys/resource.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "judge.h"

/* Denied with EPERM: kernel attack surface a contest program never needs,
 * and ways out of the box (namespaces, mounts, tracing other boxes). */
static const char *const denied[] = {
	"ptrace", "process_vm_readv", "process_vm_writev", "kcmp",
	"mount", "umount", "umount2", "pivot_root", "chroot",
	"move_mount", "open_tree", "fsopen", "fsconfig", "fsmount",
	"fspick", "mount_setattr",
	"unshare", "setns",
	"kexec_load", "kexec_file_load", "reboot",
	"init_module", "finit_module", "delete_module",
	"bpf", "perf_event_open", "userfaultfd",
	"keyctl", "add_key", "request_key",
	"swapon", "swapoff", "acct", "quotactl", "quotactl_fd",
	"settimeofday", "clock_settime", "clock_adjtime", "adjtimex",
	"syslog", "vhangup", "uselib", "lookup_dcookie",
	"open_by_handle_at", "name_to_handle_at",
	"iopl", "ioperm", "personality",
	"fanotify_init", "nfsservctl",
	/* io_uring can issue socket/connect without passing the filter. */
	"io_uring_setup", "io_uring_enter", "io_uring_register",
	/* POSIX message queues outlive a run and cannot be listed (no
	 * mqueue mount) to be removed before the next. */
	"mq_open",
	NULL
};

static scmp_filter_ctx
filter_build(void)
{
	scmp_filter_ctx ctx;
	const char *const *p;
	static const unsigned long nsflags[] = {
		CLONE_NEWUSER, CLONE_NEWNS, CLONE_NEWPID, CLONE_NEWNET,
		CLONE_NEWIPC, CLONE_NEWUTS, CLONE_NEWCGROUP
	};
	size_t	 i;
	int	 nr;

	if ((ctx = seccomp_init(SCMP_ACT_ALLOW)) == NULL)
		return NULL;
	/* A binary tree of syscall numbers, not a list: the kernel runs the
	 * filter for every syscall number when it attaches it (its action
	 * cache), in each run's child: 87 -> 39 us per run measured. */
	if (seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2) < 0)
		goto fail;
	for (p = denied; *p != NULL; p++) {
		/* Unknown on this architecture: nothing to deny. */
		if ((nr = seccomp_syscall_resolve_name(*p)) == __NR_SCMP_ERROR)
			continue;
		if (seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), nr, 0) < 0)
			goto fail;
	}
	/* Only local (AF_UNIX) sockets; the net namespace is empty anyway. */
	if (seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(socket), 1,
	    SCMP_A0(SCMP_CMP_NE, AF_UNIX)) < 0)
		goto fail;
	/* clone() with namespace flags; clone3's flags sit behind a pointer
	 * the filter cannot read, so clone3 is ENOSYS and libc falls back. */
	for (i = 0; i < sizeof(nsflags) / sizeof(nsflags[0]); i++)
		if (seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM),
		    SCMP_SYS(clone), 1, SCMP_A0(SCMP_CMP_MASKED_EQ,
		    nsflags[i], nsflags[i])) < 0)
			goto fail;
	if ((nr = seccomp_syscall_resolve_name("clone3")) != __NR_SCMP_ERROR &&
	    seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), nr, 0) < 0)
		goto fail;
	return ctx;
fail:
	seccomp_release(ctx);
	return NULL;
}

/*
 * The filter as BPF, compiled once per box: seccomp_load() would compile
 * it again in every run's child (a few hundred microseconds); the child
 * only hands the kernel this program.  0 or -1.
 */
static int
filter_compile(scmp_filter_ctx ctx, struct sock_fprog *prog)
{
	struct sock_filter *insns;
	off_t	 len;
	int	 fd, rc = -1;

	if ((fd = memfd_create("seccomp", MFD_CLOEXEC)) == -1)
		return -1;
	if (seccomp_export_bpf(ctx, fd) < 0 ||
	    (len = lseek(fd, 0, SEEK_END)) <= 0 ||
	    len % (off_t)sizeof(*insns) != 0 ||
	    (insns = malloc((size_t)len)) == NULL)
		goto out;
	if (pread(fd, insns, (size_t)len, 0) != (ssize_t)len) {
		free(insns);
		goto out;
	}
	prog->len = (unsigned short)(len / (off_t)sizeof(*insns));
	prog->filter = insns;
	rc = 0;
out:
	close(fd);
	return rc;
}

static void
limit(int res, rlim_t soft, rlim_t hard)
{
	struct rlimit rl = { soft, hard };

	if (setrlimit(res, &rl) == -1)
		_exit(126);
}

static int64_t
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int64_t
tv_us(const struct rusage *ru)
{
	return (int64_t)(ru->ru_utime.tv_sec + ru->ru_stime.tv_sec) * 1000000 +
	    ru->ru_utime.tv_usec + ru->ru_stime.tv_usec;
}

static void
report(int fd, const struct box_report *r)
{
	ssize_t n = write(fd, r, sizeof(*r));

	(void)n;	/* nobody to tell if the judge is gone */
}

/* The descriptors of a box_cmd, in order (see judge.h). */
enum { FD_IN, FD_OUT, FD_ERR, FD_REPORT, FD_CG };

/*
 * The forked program, before execv: joins the run's cgroup, takes the
 * command's stdio, rlimits and the seccomp filter.  Only returns through
 * execv or _exit; an error goes to box-init on fd 3 (CLOEXEC), which is
 * also the only descriptor above stdio until then.
 */
static void __attribute__((noreturn))
program(const struct box_cmd *cmd, char **argv, const int *fds, int errw,
    const struct sock_fprog *filter)
{
	int	 err = 0, moved[4];
	unsigned i;

	for (i = FD_CG; i < cmd->nfds; i++)
		if (write(fds[i], "0", 1) != 1)
			goto fail;
	/* Above every target first, so dup2 to 0..3 clobbers nothing. */
	for (i = 0; i < 3; i++)
		if ((moved[i] = fcntl(fds[i], F_DUPFD_CLOEXEC, 16)) == -1)
			goto fail;
	if ((moved[3] = fcntl(errw, F_DUPFD_CLOEXEC, 16)) == -1 ||
	    dup2(moved[0], 0) == -1 || dup2(moved[1], 1) == -1 ||
	    dup2(moved[2], 2) == -1 || dup2(moved[3], 3) == -1 ||
	    fcntl(3, F_SETFD, FD_CLOEXEC) == -1 ||
	    close_range(4, ~0U, 0) == -1 || chdir("/box") == -1)
		goto fail;
	errw = 3;
	/* Every rlimit is set soft == hard except CPU: SIGXCPU first
	 * (reported as TLE), SIGKILL one second later. */
	if (cmd->cpu > 0)
		limit(RLIMIT_CPU, (rlim_t)cmd->cpu, (rlim_t)cmd->cpu + 1);
	limit(RLIMIT_FSIZE, cmd->fsize ? (rlim_t)cmd->fsize : RLIM_INFINITY,
	    cmd->fsize ? (rlim_t)cmd->fsize : RLIM_INFINITY);
	if (cmd->stack > 0)
		limit(RLIMIT_STACK, (rlim_t)cmd->stack, (rlim_t)cmd->stack);
	limit(RLIMIT_NOFILE, (rlim_t)cmd->nofile, (rlim_t)cmd->nofile);
	limit(RLIMIT_CORE, 0, 0);
	/* What seccomp_load() does, without compiling: no new privileges,
	 * then the filter. */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1 ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, filter) == -1)
		err = EPERM;
	else {
		execv(argv[0], argv);
		err = errno;
	}
	if (write(errw, &err, sizeof(err)) < 0)
		_exit(127);
	_exit(127);
fail:
	_exit(126);
}

/* Children's CPU time so far, in microseconds. */
static int64_t
children_us(void)
{
	struct rusage ru;

	return getrusage(RUSAGE_CHILDREN, &ru) == 0 ? tv_us(&ru) : 0;
}

/* What the program's child starts with (program_start). */
struct program_arg {
	const struct box_cmd	*cmd;
	char			**argv;
	const int		*fds;
	int			 errw;
	const struct sock_fprog	*filter;
};

static int
program_start(void *arg)
{
	const struct program_arg *a = arg;

	program(a->cmd, a->argv, a->fds, a->errw, a->filter);
}

/*
 * One run: starts the program, reaps every orphan of the box until the
 * program ends (their CPU time is accounted) and reports on the report
 * pipe.  Returns 0, or -1 when the program could not be started.
 */
static int
run(const struct box_cmd *cmd, char **argv, const int *fds,
    const struct sock_fprog *filter)
{
	/* The child's stack until it execs: it shares our memory
	 * (CLONE_VM) while we wait (CLONE_VFORK), as posix_spawn does, so
	 * starting it copies no page table and takes no copy-on-write
	 * fault afterwards (a fork was about a fifth of box-init's time). */
	static char stack[64 * 1024] __attribute__((aligned(16)));
	struct program_arg arg;
	struct box_report rep;
	struct rusage ru;
	int	 errpipe[2], err = 0, st;
	pid_t	 pid, w;
	int64_t	 start, cpu0;

	memset(&rep, 0, sizeof(rep));
	if (pipe2(errpipe, O_CLOEXEC) == -1)
		return -1;
	cpu0 = children_us();
	start = now_us();
	arg.cmd = cmd;
	arg.argv = argv;
	arg.fds = fds;
	arg.errw = errpipe[1];
	arg.filter = filter;
	/* Its own descriptors, cwd, rlimits and filter: only the memory is
	 * shared, and program() writes none of ours but errno. */
	if ((pid = clone(program_start, stack + sizeof(stack),
	    CLONE_VM | CLONE_VFORK | SIGCHLD, &arg)) == -1) {
		close(errpipe[0]);
		close(errpipe[1]);
		return -1;
	}
	close(errpipe[1]);
	if (read(errpipe[0], &err, sizeof(err)) == (ssize_t)sizeof(err)) {
		close(errpipe[0]);
		waitpid(pid, NULL, 0);
		rep.kind = BOX_REPORT_EXEC_FAILED;
		rep.exec_errno = err;
		report(fds[FD_REPORT], &rep);
		return 0;
	}
	close(errpipe[0]);
	/* As pid 1 we inherit every orphan: reap them until ours ends. */
	for (;;) {
		w = wait4(-1, &st, 0, &ru);
		if (w == pid)
			break;
		if (w == -1 && errno != EINTR)
			return -1;
	}
	rep.wall_us = now_us() - start;
	rep.kind = BOX_REPORT_EXITED;
	rep.wstatus = st;
	rep.cpu_us = children_us() - cpu0;
	/* The program's peak resident set (its waited-for children's
	 * too): a floor for the run's cgroup peak. */
	rep.maxrss_kb = ru.ru_maxrss;
	report(fds[FD_REPORT], &rep);
	return 0;
}

/* Kills every process of the namespace but us and reaps them.  0, or -1
 * when some would not go. */
static int
kill_rest(void)
{
	int	 i;

	for (i = 0; i < 1000; i++) {
		if (kill(-1, SIGKILL) == -1 && errno == ESRCH) {
			while (waitpid(-1, NULL, WNOHANG) > 0)
				;
			return 0;
		}
		/* Blocks until one dies; ECHILD: only non-children left,
		 * which kill(-1) has just been sent to. */
		if (waitpid(-1, NULL, 0) == -1 && errno == ECHILD)
			usleep(1000);
	}
	return -1;
}

/* Removes every SysV IPC object of the box's IPC namespace. */
static int
ipc_clear(void)
{
	struct shm_info si;
	struct shmid_ds sd;
	struct msqid_ds md;
	struct semid_ds smd;
	union semun { int val; struct semid_ds *buf; unsigned short *array;
	    struct seminfo *__buf; } arg;
	struct seminfo sinfo;
	int	 max, i, id, rc = 0;

	if ((max = shmctl(0, SHM_INFO, (struct shmid_ds *)(void *)&si)) >= 0)
		for (i = 0; i <= max; i++)
			if ((id = shmctl(i, SHM_STAT_ANY, &sd)) >= 0 &&
			    shmctl(id, IPC_RMID, NULL) == -1)
				rc = -1;
	if ((max = msgctl(0, MSG_INFO, &md)) >= 0)
		for (i = 0; i <= max; i++)
			if ((id = msgctl(i, MSG_STAT_ANY, &md)) >= 0 &&
			    msgctl(id, IPC_RMID, NULL) == -1)
				rc = -1;
	arg.__buf = &sinfo;
	if ((max = semctl(0, 0, SEM_INFO, arg)) >= 0)
		for (i = 0; i <= max; i++) {
			arg.buf = &smd;
			if ((id = semctl(i, 0, SEM_STAT_ANY, arg)) >= 0 &&
			    semctl(id, 0, IPC_RMID) == -1)
				rc = -1;
		}
	return rc;
}

/* Empties the box's writable places other than /box (the judge's). */
static int
box_reset(void)
{
	static const char *const dirs[] = { "/tmp", "/dev/shm", NULL };
	struct stat st;
	int	 i, rc = 0;

	if (kill_rest() == -1)
		rc = -1;
	for (i = 0; dirs[i] != NULL; i++)
		if (lstat(dirs[i], &st) == 0 && S_ISDIR(st.st_mode) &&
		    fs_empty(dirs[i]) == -1 && errno != EACCES)
			rc = -1;
	if (ipc_clear() == -1)
		rc = -1;
	return rc;
}

/* One box_cmd and its descriptors; 1, 0 on EOF, -1 on a bad message. */
static int
receive(struct box_cmd *cmd, int *fds, unsigned *nfds)
{
	union {
		char	 buf[CMSG_SPACE(sizeof(int) * BOX_CMD_FDS)];
		struct cmsghdr align;
	} u;
	struct msghdr mh;
	struct iovec iov = { cmd, sizeof(*cmd) };
	struct cmsghdr *cm;
	ssize_t	 n;

	memset(&mh, 0, sizeof(mh));
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = u.buf;
	mh.msg_controllen = sizeof(u.buf);
	*nfds = 0;
	while ((n = recvmsg(BOX_CTL_FD, &mh, MSG_CMSG_CLOEXEC)) == -1 &&
	    errno == EINTR)
		;
	if (n <= 0)
		return n == 0 ? 0 : -1;
	for (cm = CMSG_FIRSTHDR(&mh); cm != NULL; cm = CMSG_NXTHDR(&mh, cm))
		if (cm->cmsg_level == SOL_SOCKET &&
		    cm->cmsg_type == SCM_RIGHTS) {
			*nfds = (unsigned)((cm->cmsg_len - CMSG_LEN(0)) /
			    sizeof(int));
			memcpy(fds, CMSG_DATA(cm), *nfds * sizeof(int));
		}
	if ((size_t)n < offsetof(struct box_cmd, args) ||
	    cmd->len > (size_t)n - offsetof(struct box_cmd, args) ||
	    cmd->len == 0 || cmd->args[cmd->len - 1] != '\0' ||
	    cmd->nfds != *nfds || *nfds < FD_CG + 1 ||
	    (mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC)))
		return -1;
	return 1;
}

/* Splits the NUL-separated args into argv (at most BOX_MAX_ARGS). */
static int
split_args(struct box_cmd *cmd, char **argv)
{
	uint32_t off = 0;
	int	 n = 0;

	while (off < cmd->len) {
		if (n >= BOX_MAX_ARGS - 1)
			return -1;
		argv[n++] = cmd->args + off;
		off += (uint32_t)strlen(cmd->args + off) + 1;
	}
	argv[n] = NULL;
	return n > 0 ? 0 : -1;
}

int
main(void)
{
	static struct box_cmd cmd;
	static char *argv[BOX_MAX_ARGS];
	static struct sock_fprog filter;
	scmp_filter_ctx ctx;
	int	 fds[BOX_CMD_FDS], rc, ok;
	unsigned i, nfds;
	char	 ack;

	/* Anything inherited but the socket stays out. */
	if (close_range(BOX_CTL_FD + 1, ~0U, 0) == -1 ||
	    fcntl(BOX_CTL_FD, F_SETFD, FD_CLOEXEC) == -1)
		return 125;
	/* The program runs as our uid: non-dumpable keeps it out of
	 * /proc/1/fd (the control socket) and away from ptrace. */
	if (prctl(PR_SET_DUMPABLE, 0) == -1 ||
	    (ctx = filter_build()) == NULL)
		return 125;
	rc = filter_compile(ctx, &filter);
	seccomp_release(ctx);
	if (rc == -1)
		return 125;
	for (;;) {
		if ((rc = receive(&cmd, fds, &nfds)) == 0)
			return 0;
		ok = rc == 1 && split_args(&cmd, argv) == 0 &&
		    run(&cmd, argv, fds, &filter) == 0;
		for (i = 0; i < nfds; i++)
			close(fds[i]);
		/* Whatever the run left goes, also when it failed. */
		if (box_reset() == -1)
			ok = 0;
		ack = ok ? BOX_ACK_CLEAN : BOX_ACK_DIRTY;
		if (write(BOX_CTL_FD, &ack, 1) != 1)
			return 125;
	}
}
