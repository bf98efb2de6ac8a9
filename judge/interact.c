/*
 * judge/interact.c — interactive problems: the submission and the
 * validator run at once, each in its own box, the validator's stdout the
 * submission's stdin and the other way round (two sandbox_run() calls,
 * one in a thread of its own).  Each direction passes through a relay
 * thread of ours, which notes when its writer's end closed (the program
 * ended) and only then closes the other program's input: end of file
 * reaches a program only through a relay, so the times of the two relays
 * tell which program ended first, exactly.  The submission has
 * its time limit; the validator its own plus the submission's wall time,
 * so that a submission that never flushes is stopped at its limit (TLE)
 * and the validator, reading end of file then, is not blamed.
 *
 * The verdict, by the rules of the problem package format:
 *  - the validator did not exit 42 or 43 (crash, timeout, other exit):
 *    Internal Error;
 *  - it exited 43 before the submission ended: Wrong Answer, whatever
 *    the submission did after (a crash on a closed pipe);
 *  - the submission exceeded its time limit or crashed: that status;
 *  - else 42 Accepted, 43 Wrong Answer.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "judge.h"

/* The submission's side, run in its own thread. */
struct side {
	struct exec			*ex;
	const struct lang		*l;
	const struct exec_submission	*s;
	const char			*files;
	struct exec_result		*r;
	int				 in_fd;	/* closed once it ran */
	int				 out_fd;
	int				 rc;
	double				 done_at;
};

static void *
side_main(void *arg)
{
	struct side *sd = arg;

	sd->rc = exec_runs(sd->ex, sd->l, sd->s, sd->files, sd->r, sd->in_fd,
	    sd->out_fd);
	sd->done_at = box_now();
	/* Its relay sees end of file once our copies are gone too. */
	close(sd->in_fd);
	close(sd->out_fd);
	return NULL;
}

/* One direction: from's bytes to `to`; then when from ended. */
struct relay {
	int	 from;
	int	 to;
	double	 eof_at;
};

static void *
relay_main(void *arg)
{
	struct relay *rl = arg;
	char	 buf[16384];
	sigset_t set;
	ssize_t	 n, w, off;

	/* A write to a program that is gone fails with EPIPE here instead
	 * of killing the judge. */
	sigemptyset(&set);
	sigaddset(&set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	for (;;) {
		if ((n = read(rl->from, buf, sizeof(buf))) == -1 &&
		    errno == EINTR)
			continue;
		if (n <= 0)
			break;
		for (off = 0; off < n; off += w)
			if ((w = write(rl->to, buf + off, (size_t)(n - off))) ==
			    -1) {
				if (errno == EINTR) {
					w = 0;
					continue;
				}
				goto gone;
			}
	}
	rl->eof_at = box_now();
	close(rl->to);
	close(rl->from);
	return NULL;
gone:
	/* The reader ended: the writer learns it on its next write, and
	 * its end is when its box is done (eof_at stays 0). */
	close(rl->from);
	close(rl->to);
	return NULL;
}

static void
close_all(int *fds, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (fds[i] != -1) {
			close(fds[i]);
			fds[i] = -1;
		}
}

/* The combined status of the two sides, by the rules above. */
static void
interact_verdict(double val_end, double sub_end, struct exec_result *sub,
    struct exec_result *r)
{
	int	 vst = r->status_id;

	if (vst != EXEC_ACCEPTED && vst != EXEC_WRONG_ANSWER)
		return;			/* IE, with its message */
	if (vst == EXEC_WRONG_ANSWER && val_end < sub_end)
		return;			/* the validator's word came first */
	if (sub->status_id != EXEC_ACCEPTED) {
		r->status_id = sub->status_id;
		exec_text_set(&r->message, sub->message.data,
		    sub->message.len);
	}
}

/* Pipes of a run: the programs' ends and the relays' ends. */
enum { SUB_IN, SUB_OUT, VAL_IN, VAL_OUT, NPIPES };

int
interact_run(struct exec *ex, const struct lang *l,
    const struct exec_submission *s, const char *files,
    const struct validator_spec *v, struct exec_result *r)
{
	int	 p[NPIPES][2];
	struct relay rl[2];	/* 0: submission -> validator, 1: back */
	struct sandbox_request req;
	struct sandbox_result vr;
	struct exec_result sub;
	struct side sd;
	struct vrun vrun;
	struct exec_submission run = *s;
	pthread_t th, rth[2];
	double	 val_done, val_end, sub_end;
	int	 rc = 0, started = 0, relays = 0, i;

	memset(&vr, 0, sizeof(vr));
	memset(&sub, 0, sizeof(sub));
	memset(rl, 0, sizeof(rl));
	for (i = 0; i < NPIPES; i++)
		p[i][0] = p[i][1] = -1;
	sub.time = sub.wall_time = -1;
	sub.memory = -1;
	sub.exit_code = sub.exit_signal = -1;
	/* The answer is the validator's alone; one run. */
	run.expected_output = NULL;
	run.expected_len = 0;
	run.number_of_runs = 1;
	if (validate_prepare(ex, v, s, r, &vrun, &req) == -1)
		goto out;
	for (i = 0; i < NPIPES; i++)
		if (pipe2(p[i], O_CLOEXEC) == -1) {
			rc = exec_result_fail(r, EXEC_INTERNAL, strerror(errno));
			goto out;
		}
	rl[0].from = p[SUB_OUT][0];
	rl[0].to = p[VAL_IN][1];
	rl[1].from = p[VAL_OUT][0];
	rl[1].to = p[SUB_IN][1];
	for (; relays < 2; relays++) {
		if (pthread_create(&rth[relays], NULL, relay_main,
		    &rl[relays]) != 0) {
			rc = exec_result_fail(r, EXEC_INTERNAL,
			    "cannot start a thread");
			goto out;
		}
		/* The relay's ends are its own now. */
		if (relays == 0)
			p[SUB_OUT][0] = p[VAL_IN][1] = -1;
		else
			p[VAL_OUT][0] = p[SUB_IN][1] = -1;
	}
	memset(&sd, 0, sizeof(sd));
	sd.ex = ex;
	sd.l = l;
	sd.s = &run;
	sd.files = files;
	sd.r = &sub;
	sd.in_fd = p[SUB_IN][0];
	sd.out_fd = p[SUB_OUT][1];
	if (pthread_create(&th, NULL, side_main, &sd) != 0) {
		rc = exec_result_fail(r, EXEC_INTERNAL, "cannot start a thread");
		goto out;
	}
	started = 1;
	p[SUB_IN][0] = p[SUB_OUT][1] = -1;	/* the thread's now */
	req.in_fd = p[VAL_IN][0];
	req.out_fd = p[VAL_OUT][1];
	validate_limits(v, s->wall_time_limit + v->time_limit + 1,
	    &req.limits);
	sandbox_run(exec_sandbox(ex), &req, &vr);
	val_done = box_now();
	close_all(&p[VAL_IN][0], 1);
	close_all(&p[VAL_OUT][1], 1);
	pthread_join(th, NULL);
	started = 0;
	for (i = 0; i < relays; i++)
		pthread_join(rth[i], NULL);
	relays = 0;
	sub_end = rl[0].eof_at > 0 ? rl[0].eof_at : sd.done_at;
	val_end = rl[1].eof_at > 0 ? rl[1].eof_at : val_done;
	validate_outcome(&vr, vrun.fb, r);
	/* The submission's figures and outputs are the result's. */
	r->time = sub.time;
	r->wall_time = sub.wall_time;
	r->memory = sub.memory;
	r->exit_code = sub.exit_code;
	r->exit_signal = sub.exit_signal;
	exec_text_set(&r->stderr_text, sub.stderr_text.data,
	    sub.stderr_text.len);
	if (sd.rc == -1)
		rc = -1;
	else
		interact_verdict(val_end, sub_end, &sub, r);
out:
	/* Closing every end we hold lets whatever still runs finish. */
	for (i = 0; i < NPIPES; i++)
		close_all(p[i], 2);
	if (started)
		pthread_join(th, NULL);
	for (i = 0; i < relays; i++)
		pthread_join(rth[i], NULL);
	validate_release(&vrun);
	sandbox_result_clear(&vr);
	exec_result_clear(&sub);
	return rc;
}
