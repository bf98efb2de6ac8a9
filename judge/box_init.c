/*
 * judge/box_init.c — pitwall-box-init, pid 1 of every box.
 *
 * bubblewrap runs it (--as-pid-1) after it has built the namespaces and
 * mounts.  It forks the real program with rlimits and a seccomp filter,
 * reaps every orphan of the box (so their CPU time is accounted), reports
 * the program's wait status on fd 3 and exits as soon as the program does:
 * when pid 1 of a pid namespace exits the kernel kills everything left in
 * it, so background processes never outlive the program.
 *
 * Why a helper and not bwrap --seccomp: the filter must come after bwrap's
 * own mount/unshare calls, rlimits must not hit bwrap itself, and only a
 * parent inside the box can tell an exec failure (ENOEXEC -> status 14) or
 * a signal from an exit code (bwrap folds both into one exit status).
 *
 * usage: pitwall-box-init [-c cpu_s] [-f fsize] [-s stack] [-n nofile]
 *        -- program args...
 * (memory and processes are limited by the box's cgroup)
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
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

static void
report(const struct box_report *r)
{
	ssize_t n = write(BOX_REPORT_FD, r, sizeof(*r));

	(void)n;	/* nobody to tell if the judge is gone */
}

int
main(int argc, char *argv[])
{
	scmp_filter_ctx filter;
	struct box_report rep;
	struct rusage ru;
	rlim_t	 cpu = 0, fsize = 0, stack = 0, nofile = 256;
	int	 ch, errpipe[2], err = 0, st;
	pid_t	 pid, w;
	int64_t	 start;

	while ((ch = getopt(argc, argv, "+c:f:s:n:")) != -1) {
		rlim_t v = (rlim_t)strtoull(optarg, NULL, 10);
		switch (ch) {
		case 'c': cpu = v; break;
		case 'f': fsize = v; break;
		case 's': stack = v; break;
		case 'n': nofile = v; break;
		default: return 125;
		}
	}
	argv += optind;
	if (argv[0] == NULL)
		return 125;
	memset(&rep, 0, sizeof(rep));
	/* bwrap's --info-fd and anything else inherited stays out. */
	if (close_range(BOX_REPORT_FD + 1, ~0U, 0) == -1)
		return 125;
	/* The program runs as our uid: non-dumpable keeps it out of
	 * /proc/1/fd, so it cannot write a forged report on fd 3. */
	if (prctl(PR_SET_DUMPABLE, 0) == -1 ||
	    fcntl(BOX_REPORT_FD, F_SETFD, FD_CLOEXEC) == -1 ||
	    pipe2(errpipe, O_CLOEXEC) == -1 ||
	    (filter = filter_build()) == NULL)
		return 125;
	start = now_us();
	if ((pid = fork()) == -1)
		return 125;
	if (pid == 0) {
		close(errpipe[0]);
		/* Every rlimit is set soft == hard except CPU: SIGXCPU first
		 * (reported as TLE), SIGKILL one second later. */
		if (cpu > 0)
			limit(RLIMIT_CPU, cpu, cpu + 1);
		limit(RLIMIT_FSIZE, fsize ? fsize : RLIM_INFINITY,
		    fsize ? fsize : RLIM_INFINITY);
		if (stack > 0)
			limit(RLIMIT_STACK, stack, stack);
		limit(RLIMIT_NOFILE, nofile, nofile);
		limit(RLIMIT_CORE, 0, 0);
		if (seccomp_load(filter) < 0)
			err = EPERM;
		else {
			execv(argv[0], argv);
			err = errno;
		}
		if (write(errpipe[1], &err, sizeof(err)) < 0)
			_exit(127);
		_exit(127);
	}
	close(errpipe[1]);
	seccomp_release(filter);
	if (read(errpipe[0], &err, sizeof(err)) == (ssize_t)sizeof(err)) {
		waitpid(pid, NULL, 0);
		rep.kind = BOX_REPORT_EXEC_FAILED;
		rep.exec_errno = err;
		report(&rep);
		return 0;
	}
	close(errpipe[0]);
	/* As pid 1 we inherit every orphan: reap them until ours ends. */
	for (;;) {
		w = wait4(-1, &st, 0, NULL);
		if (w == pid)
			break;
		if (w == -1 && errno != EINTR)
			return 125;
	}
	rep.wall_us = now_us() - start;
	rep.kind = BOX_REPORT_EXITED;
	rep.wstatus = st;
	if (getrusage(RUSAGE_CHILDREN, &ru) == 0) {
		rep.cpu_us = (int64_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec)
		    * 1000000 + ru.ru_utime.tv_usec + ru.ru_stime.tv_usec;
		rep.maxrss_kb = ru.ru_maxrss;
	}
	report(&rep);
	return 0;
}
