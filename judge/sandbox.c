/*
 * judge/sandbox.c — run one command in a warm bubblewrap box.
 *
 * A box (pool.c) is made once: a locked box id N (flock on
 * lock_dir/box-N.lock, so several judge processes share one range), a
 * tmpfs bounded in bytes and inodes on work_root/box-N owned by uid
 * first_uid+N (it becomes /box), cgroup pitwall-box-N, and bwrap, run as
 * that uid, with the user, pid, net, ipc, uts, mount and cgroup
 * namespaces and pitwall-box-init as pid 1, waiting for runs on a socket.
 *
 * Per run: the request's files go in /box, a fresh cgroup
 * pitwall-box-N/run gets the run's limits, and box-init is sent the
 * command with its descriptors; it forks the program, which joins that
 * cgroup, applies rlimits and seccomp and execs.  Afterwards everything of the
 * run is killed (the run's cgroup; box-init kills what is left in its pid
 * namespace, empties /tmp and /dev/shm and removes SysV IPC objects), /box
 * is emptied (openat-based, fs_empty) and the run's cgroup removed, so
 * nothing of a run is visible to the next.  A box where any of that fails
 * is retired and a new one made.
 *
 * stdin is a memfd; stdout/stderr are memfds too, so a flooding program
 * never blocks on a pipe: it is stopped by RLIMIT_FSIZE (SIGXFSZ, as in
 * Judge0 where isolate writes output to files) and we keep the first
 * output_cap bytes.  in_fd / out_fd replace them when given.
 */
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "judge.h"

void
sandbox_log(const struct sandbox *sb, enum judge_log_level lvl,
    const char *fmt, ...)
{
	static const char *const names[] = { "error", "warning", "info" };
	char	 msg[1024];
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (sb != NULL && sb->cfg.log != NULL)
		sb->cfg.log(sb->cfg.log_arg, lvl, msg);
	else
		fprintf(stderr, "pitwall-judge: %s: %s\n", names[lvl], msg);
}

void
sandbox_free(struct sandbox *sb)
{
	if (sb == NULL)
		return;
	free(sb->work_root);
	free(sb->lock_dir);
	free(sb->box_init);
	free(sb->bwrap);
	if (sb->have_glob)
		globfree(&sb->etc_java);
	pool_free(sb);
	pthread_mutex_destroy(&sb->pool_lock);
	free(sb);
}

/* Installs box-init under work_root so every box uid can read it
 * whatever the permissions of the directory it was built in. */
static int
sb_install_box_init(struct sandbox *sb, const char *src)
{
	char	 tmp[700], dst[700], *data = NULL;
	size_t	 len;
	int	 rc = -1;

	snprintf(dst, sizeof(dst), "%s/box-init", sb->work_root);
	snprintf(tmp, sizeof(tmp), "%s/.box-init.%ld", sb->work_root,
	    (long)getpid());
	if (fs_read_file(src, &data, &len, 64 << 20) == -1 ||
	    fs_write_file(tmp, data, len, 0755) == -1 ||
	    rename(tmp, dst) == -1) {
		unlink(tmp);
		goto out;
	}
	if ((sb->box_init = strdup(dst)) != NULL)
		rc = 0;
out:
	free(data);
	return rc;
}

/* Can boxes be tmpfs mounts?  (Not in a container without
 * CAP_SYS_ADMIN: then the judge must not start, or a program could fill
 * the disk.)  Returns 0 or -1 (logged). */
static int
sb_probe_mount(struct sandbox *sb)
{
	char	 dir[700];
	int	 rc = 0;

	snprintf(dir, sizeof(dir), "%s/.probe-%ld", sb->work_root,
	    (long)getpid());
	if (mkdir(dir, 0700) == -1 && errno != EEXIST)
		rc = -1;
	else if (box_mount(sb, dir, 0) == -1 ||
	    umount2(dir, MNT_DETACH) == -1)
		rc = -1;
	if (rc == -1)
		sandbox_log(sb, JUDGE_LOG_ERR, "%s: cannot mount a tmpfs for "
		    "boxes on %s: %s", __func__, dir, strerror(errno));
	rmdir(dir);
	return rc;
}

/* bwrap runs as the box uid and must reach work_root/box-N: every
 * ancestor needs o+x.  Returns the first one that lacks it, or NULL. */
static const char *
sb_unsearchable(const char *dir, char *buf, size_t len)
{
	struct stat st;
	char	*p;

	snprintf(buf, len, "%s", dir);
	for (;;) {
		if (stat(buf, &st) == 0 && !(st.st_mode & S_IXOTH))
			return buf;
		if ((p = strrchr(buf, '/')) == NULL || p == buf)
			return NULL;
		*p = '\0';
	}
}

struct sandbox *
sandbox_new(const struct sandbox_config *cfg)
{
	const char *bad;
	struct sandbox *sb;
	char	 why[512], path[700];

	if ((sb = calloc(1, sizeof(*sb))) == NULL)
		return NULL;
	pthread_mutex_init(&sb->pool_lock, NULL);
	sb->cfg = *cfg;
	if (sb->cfg.output_cap == 0)
		sb->cfg.output_cap = 64 * 1024;
	if (sb->cfg.box_count <= 0)
		sb->cfg.box_count = 100;
	if (sb->cfg.box_kb == 0)
		sb->cfg.box_kb = 256 * 1024;
	if (sb->cfg.box_inodes == 0)
		sb->cfg.box_inodes = 8192;
	if (sb->cfg.first_uid == 0)
		sb->cfg.first_uid = 60000;
	sb->is_root = geteuid() == 0;
	if (cfg->work_root == NULL || cfg->box_init == NULL) {
		sandbox_log(sb, JUDGE_LOG_ERR, "%s: work_root and box_init "
		    "are required", __func__);
		goto fail;
	}
	sb->work_root = strdup(cfg->work_root);
	snprintf(path, sizeof(path), "%s/locks", cfg->work_root);
	sb->lock_dir = strdup(cfg->lock_dir ? cfg->lock_dir : path);
	sb->bwrap = strdup(cfg->bwrap ? cfg->bwrap : "/usr/bin/bwrap");
	if (sb->work_root == NULL || sb->lock_dir == NULL || sb->bwrap == NULL)
		goto fail;
	if (access(sb->bwrap, X_OK) == -1) {
		sandbox_log(sb, JUDGE_LOG_ERR, "%s: %s: %s (apt-get install "
		    "bubblewrap)", __func__, sb->bwrap, strerror(errno));
		goto fail;
	}
	/* 0711: boxes may traverse to their own dir, not list others. */
	if (fs_mkdir_p(sb->work_root, 0711) == -1 ||
	    chmod(sb->work_root, 0711) == -1 ||
	    fs_mkdir_p(sb->lock_dir, 0700) == -1) {
		sandbox_log(sb, JUDGE_LOG_ERR, "%s: %s: %s", __func__,
		    sb->work_root, strerror(errno));
		goto fail;
	}
	if (sb->is_root &&
	    (bad = sb_unsearchable(sb->work_root, path, sizeof(path)))) {
		sandbox_log(sb, JUDGE_LOG_ERR, "%s: work_root %s: %s is not "
		    "searchable by the box uids (chmod o+x)", __func__,
		    sb->work_root, bad);
		goto fail;
	}
	if (sb->is_root && sb_probe_mount(sb) == -1)
		goto fail;
	if (sb_install_box_init(sb, cfg->box_init) == -1) {
		sandbox_log(sb, JUDGE_LOG_ERR, "%s: cannot install %s: %s",
		    __func__, cfg->box_init, strerror(errno));
		goto fail;
	}
	if (glob("/etc/java*", 0, NULL, &sb->etc_java) == 0)
		sb->have_glob = 1;
	if (!sb->is_root)
		sandbox_log(sb, JUDGE_LOG_WARN, "not running as root: every "
		    "box runs as uid %ld outside its user namespace (no "
		    "per-box uid), stale boxes cannot be killed by uid, "
		    "box directories are not size-limited tmpfs",
		    (long)geteuid());
	/* Limits per process (RLIMIT_AS, RLIMIT_NPROC) are no substitute:
	 * without a group, workers escape the CPU, memory and process
	 * limits, and nothing kills what a program leaves behind. */
	if (cgroup_probe(&sb->cg, cfg->cgroup_v2_root, why, sizeof(why)) ==
	    -1) {
		sandbox_log(sb, JUDGE_LOG_ERR, "%s: %s", __func__, why);
		goto fail;
	}
	sandbox_log(sb, JUDGE_LOG_INFO, "cgroup v%d: %s",
	    sb->cg.mode == CGROUP_V2 ? 2 : 1, sb->cg.mem);
	return sb;
fail:
	sandbox_free(sb);
	return NULL;
}

/* Turns box-init's report (or its absence) into the result. */
static void
sb_outcome(struct sandbox_result *res,
    const struct box_report *rep, int have_rep, const struct cgroup_run *cg,
    const struct sandbox_limits *l, double wall)
{
	double	 cpu;
	long	 peak;
	int	 oom;

	res->wall_time = have_rep && res->outcome != SANDBOX_KILLED ?
	    rep->wall_us / 1e6 : wall;
	/* The cgroup's figure, read once everything in it is dead, is the
	 * whole tree: workers the program never reaped too (box-init itself
	 * is not in it), never below what box-init reaped. */
	if (cgroup_cpu_usage(cg, &cpu) == -1)
		cpu = have_rep ? rep->cpu_us / 1e6 : 0;
	else if (have_rep && cpu < rep->cpu_us / 1e6)
		cpu = rep->cpu_us / 1e6;
	res->cpu_time = cpu;
	/* Memory likewise: the cgroup's peak of this run's charges (pages
	 * another run brought in are not charged again), never below the
	 * program's own peak resident set. */
	if (cgroup_stats(cg, &peak, &oom) == 0) {
		res->memory_kb = have_rep && peak < rep->maxrss_kb ?
		    rep->maxrss_kb : peak;
		res->memory_limit_hit = oom;
	} else
		res->memory_kb = have_rep ? rep->maxrss_kb : 0;
	if (res->outcome == SANDBOX_KILLED)
		return;
	if (!have_rep) {
		res->outcome = SANDBOX_INTERNAL;
		snprintf(res->message, sizeof(res->message),
		    "sandbox failed: no report from the box");
		return;
	}
	if (rep->kind == BOX_REPORT_EXEC_FAILED) {
		res->outcome = SANDBOX_EXEC_FAILED;
		res->exec_errno = rep->exec_errno;
		snprintf(res->message, sizeof(res->message), "exec: %s",
		    strerror(rep->exec_errno));
		return;
	}
	if (WIFSIGNALED(rep->wstatus)) {
		res->outcome = SANDBOX_SIGNALED;
		res->exit_signal = WTERMSIG(rep->wstatus);
		/* SIGXCPU at the soft limit, SIGKILL at the hard one. */
		if (res->exit_signal == SIGXCPU || (l->cpu_time > 0 &&
		    res->exit_signal == SIGKILL && !res->memory_limit_hit &&
		    cpu >= floor(l->cpu_time + l->cpu_extra)))
			res->cpu_limit_hit = 1;
	} else {
		res->outcome = SANDBOX_EXITED;
		res->exit_code = WEXITSTATUS(rep->wstatus);
	}
}

/* The run's cgroup.procs descriptors, for the program to join. */
static int
sb_cg_fds(const struct cgroup_run *cg, int *fds)
{
	int	 i, n = 0;

	for (i = 0; i < 3; i++)
		if (cg->procs_fd[i] != -1)
			fds[n++] = cg->procs_fd[i];
	return n;
}

/*
 * Resets the box after a run: box-init's answer must say its side is
 * clean, the run's cgroup must be empty and go, /box must be emptied.
 * Returns NULL when the box may be reused, else why not.
 */
static const char *
sb_reset(const struct box *b, int ack, struct cgroup_run *cg)
{
	if (ack == -1)
		return "box-init did not answer";
	if (ack != BOX_ACK_CLEAN)
		return "box-init could not reset its side";
	if (cgroup_kill_all(cg) == -1)
		return "the run's cgroup could not be emptied";
	/* /box first: its pages are charged to the run's group. */
	if (fs_empty(b->dir) == -1)
		return "/box could not be emptied";
	if (cgroup_run_end(cg) == -1)
		return "the run's cgroup could not be reset";
	return NULL;
}

/*
 * Runs req in a box of the pool; see judge.h.  Every resource of the run
 * (run cgroup, fds) is released before returning, and the box reset or
 * retired.
 */
int
sandbox_run(struct sandbox *sb, const struct sandbox_request *req,
    struct sandbox_result *res)
{
	struct box	*b;
	struct cgroup_run *cg;
	struct box_report rep;
	const char	*why = NULL;
	int		 in = -1, out = -1, err = -1, rp[2] = { -1, -1 };
	int		 fds[BOX_CMD_FDS], nfds, ack = -1, have_rep = 0;
	double		 start;

	memset(res, 0, sizeof(*res));
	if (req->argv == NULL || req->argv[0] == NULL)
		return -1;
	res->outcome = SANDBOX_INTERNAL;
	if ((b = pool_take(sb, res->message, sizeof(res->message))) == NULL) {
		sandbox_log(sb, JUDGE_LOG_ERR, "%s: %s", __func__,
		    res->message);
		return 0;
	}
	b->runs++;
	cg = &b->run;
	if (box_fill(sb, b, req) == -1) {
		snprintf(res->message, sizeof(res->message), "cannot fill "
		    "box: %s", strerror(errno));
		why = "cannot fill it";
		goto out;
	}
	if (cgroup_run_begin(&sb->cg, b->runcg, &req->limits, cg) == -1) {
		snprintf(res->message, sizeof(res->message), "cgroup %s: %s",
		    b->runcg, strerror(errno));
		why = "cannot make the run's cgroup";
		goto out;
	}
	if ((in = req->in_fd >= 0 ? fcntl(req->in_fd, F_DUPFD_CLOEXEC, 0) :
	    box_memfd("stdin", req->stdin_data ? req->stdin_data : "",
	    req->stdin_len)) == -1 ||
	    (out = req->out_fd >= 0 ? fcntl(req->out_fd, F_DUPFD_CLOEXEC, 0) :
	    box_memfd("stdout", NULL, 0)) == -1 ||
	    (!req->merge_stderr && (err = box_memfd("stderr", NULL, 0)) == -1) ||
	    pipe2(rp, O_CLOEXEC | O_NONBLOCK) == -1) {
		snprintf(res->message, sizeof(res->message), "fds: %s",
		    strerror(errno));
		goto out;
	}
	fds[0] = in;
	fds[1] = out;
	fds[2] = err == -1 ? out : err;
	fds[3] = rp[1];
	nfds = 4 + sb_cg_fds(cg, fds + 4);
	start = box_now();
	if (box_send(b, &req->limits, req->argv, fds, nfds) == -1) {
		snprintf(res->message, sizeof(res->message), "cannot send the "
		    "run to the box (too many args, or the box is gone)");
		why = "the run could not be sent";
		goto out;
	}
	close(rp[1]);
	rp[1] = -1;
	res->outcome = SANDBOX_EXITED;
	ack = box_watch(res, b, cg, &req->limits, start);
	/* Nothing may outlive the run, whatever happened above. */
	cgroup_kill_all(cg);
	if (read(rp[0], &rep, sizeof(rep)) == (ssize_t)sizeof(rep))
		have_rep = 1;
	if ((req->out_fd < 0 && box_slurp(out, sb->cfg.output_cap, &res->out,
	    &res->out_len, &res->out_truncated) == -1) || (err != -1 &&
	    box_slurp(err, sb->cfg.output_cap, &res->err, &res->err_len,
	    &res->err_truncated) == -1)) {
		res->outcome = SANDBOX_INTERNAL;
		snprintf(res->message, sizeof(res->message), "out of memory");
		goto out;
	}
	if (req->out_fd >= 0 && (res->out = strdup("")) == NULL) {
		res->outcome = SANDBOX_INTERNAL;
		snprintf(res->message, sizeof(res->message), "out of memory");
		goto out;
	}
	sb_outcome(res, &rep, have_rep, cg, &req->limits,
	    box_now() - start);
	if (req->collect_to != NULL && res->outcome != SANDBOX_INTERNAL &&
	    fs_copy_files(b->dir, req->collect_to, (uid_t)-1, (gid_t)-1,
	    (size_t)256 << 20) == -1) {
		res->outcome = SANDBOX_INTERNAL;
		snprintf(res->message, sizeof(res->message), "collect: %s",
		    strerror(errno));
	}
	why = sb_reset(b, ack, cg);
out:
	if (in != -1)
		close(in);
	if (out != -1)
		close(out);
	if (err != -1)
		close(err);
	if (rp[0] != -1)
		close(rp[0]);
	if (rp[1] != -1)
		close(rp[1]);
	if (why == NULL && res->outcome == SANDBOX_INTERNAL)
		why = "the run failed inside the sandbox";
	if (why == NULL)
		pool_give(sb, b);
	else	/* its run group too (pool_destroy) */
		pool_retire(sb, b, why);
	if (res->outcome == SANDBOX_INTERNAL && res->message[0] != '\0')
		sandbox_log(sb, JUDGE_LOG_ERR, "%s: %s", __func__,
		    res->message);
	return 0;
}

void
sandbox_result_clear(struct sandbox_result *res)
{
	free(res->out);
	free(res->err);
	res->out = res->err = NULL;
	res->out_len = res->err_len = 0;
}
