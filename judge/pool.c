/*
 * judge/pool.c — the warm boxes.  A box is made once (a locked id and
 * uid, its /box tmpfs, its cgroup pitwall-box-N and a bwrap whose pid 1,
 * pitwall-box-init, waits for runs on a socket) and then runs one command
 * after another; sandbox.c resets it after each run.  A box that cannot
 * be reset, or whose bwrap died, is retired: everything of it killed and
 * removed, its id released.  Idle boxes wait in sb->idle (pool_lock), so
 * two threads never share a box.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "judge.h"

/* Waits up to sec for our child pid to end; 0, or -1 when it lives. */
static int
pool_reap(pid_t pid, double sec)
{
	double	 end = box_now() + sec;
	pid_t	 w;

	do {
		if ((w = waitpid(pid, NULL, WNOHANG)) == pid ||
		    (w == -1 && errno == ECHILD))
			return 0;
		usleep(1000);
	} while (box_now() < end);
	return -1;
}

/* Kills and removes everything of the box and frees it. */
static void
pool_destroy(struct sandbox *sb, struct box *b)
{
	if (b->ctl != -1)
		close(b->ctl);
	/* box-init exits on EOF, then bwrap, which reaps it.  Killing bwrap
	 * first would leave box-init a zombie for the host's init to reap,
	 * i.e. a process of the box after it; so box-init is killed first
	 * (its pid namespace goes with it) when it does not exit. */
	if (b->bwrap > 0 && pool_reap(b->bwrap, 2) == -1) {
		cgroup_kill_but(&b->holder, b->bwrap);
		if (pool_reap(b->bwrap, 2) == -1) {
			kill(b->bwrap, SIGKILL);
			pool_reap(b->bwrap, 10);
		}
	}
	/* What is left of the box (box-init, a stuck run) dies with its
	 * groups; the directory goes after the pages charged to them. */
	cgroup_kill_all(&b->run);
	cgroup_destroy(&b->run);
	cgroup_destroy(&b->holder);
	if (cgroup_box_remove(&sb->cg, b->cgname) == -1)
		sandbox_log(sb, JUDGE_LOG_ERR, "%s: cgroup %s not removed: %s",
		    __func__, b->cgname, strerror(errno));
	box_empty(sb, b);
	box_release(b);
	free(b);
}

/* Makes a new warm box.  NULL with msg set on failure. */
static struct box *
pool_start(struct sandbox *sb, char *msg, size_t msglen)
{
	struct box *b;
	char	*av[BOX_MAX_ARGS], store[24][64];
	int	 sv[2] = { -1, -1 };

	if ((b = calloc(1, sizeof(*b))) == NULL) {
		snprintf(msg, msglen, "out of memory");
		return NULL;
	}
	b->ctl = -1;
	b->holder.procs_fd[0] = b->holder.procs_fd[1] = -1;
	b->holder.procs_fd[2] = -1;
	b->run.procs_fd[0] = b->run.procs_fd[1] = b->run.procs_fd[2] = -1;
	if (box_acquire(sb, b, msg, msglen) == -1) {
		free(b);
		return NULL;
	}
	snprintf(b->runcg, sizeof(b->runcg), "%s/run", b->cgname);
	if (cgroup_box_create(&sb->cg, b->cgname, &b->holder) == -1) {
		snprintf(msg, msglen, "cgroup %s: %s", b->cgname,
		    strerror(errno));
		goto fail;
	}
	if (box_argv(sb, b, av, store) == -1 ||
	    socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == -1) {
		snprintf(msg, msglen, "box set-up: %s", strerror(errno));
		goto fail;
	}
	if ((b->bwrap = fork()) == -1) {
		snprintf(msg, msglen, "fork: %s", strerror(errno));
		goto fail;
	}
	if (b->bwrap == 0)
		box_child(sb, b, sv[1], av);
	close(sv[1]);
	sv[1] = -1;
	b->ctl = sv[0];
	__atomic_add_fetch(&sb->started, 1, __ATOMIC_RELAXED);
	return b;
fail:
	if (sv[0] != -1)
		close(sv[0]);
	if (sv[1] != -1)
		close(sv[1]);
	pool_destroy(sb, b);
	return NULL;
}

/* An idle box whose bwrap is alive, or a new one. */
struct box *
pool_take(struct sandbox *sb, char *msg, size_t msglen)
{
	struct box *b;

	for (;;) {
		pthread_mutex_lock(&sb->pool_lock);
		b = sb->nidle > 0 ? sb->idle[--sb->nidle] : NULL;
		pthread_mutex_unlock(&sb->pool_lock);
		if (b == NULL)
			return pool_start(sb, msg, msglen);
		/* Its bwrap is gone when the thread that made it exited (the
		 * death signal) or something killed it. */
		if (waitpid(b->bwrap, NULL, WNOHANG) == 0)
			return b;
		b->bwrap = -1;
		pool_retire(sb, b, "its bwrap is gone");
	}
}

/* Back to the idle list after a successful reset. */
void
pool_give(struct sandbox *sb, struct box *b)
{
	pthread_mutex_lock(&sb->pool_lock);
	if (sb->nidle < POOL_MAX) {
		sb->idle[sb->nidle++] = b;
		b = NULL;
	}
	pthread_mutex_unlock(&sb->pool_lock);
	if (b != NULL)
		pool_destroy(sb, b);
}

void
pool_retire(struct sandbox *sb, struct box *b, const char *why)
{
	sandbox_log(sb, JUDGE_LOG_WARN, "box %d retired after %ld run(s): %s",
	    b->id, b->runs, why);
	__atomic_add_fetch(&sb->retired, 1, __ATOMIC_RELAXED);
	pool_destroy(sb, b);
}

/* Every idle box goes (sandbox_free). */
void
pool_free(struct sandbox *sb)
{
	while (sb->nidle > 0)
		pool_destroy(sb, sb->idle[--sb->nidle]);
}

void
sandbox_pool_stats(struct sandbox *sb, long *started, long *retired)
{
	*started = __atomic_load_n(&sb->started, __ATOMIC_RELAXED);
	*retired = __atomic_load_n(&sb->retired, __ATOMIC_RELAXED);
}
