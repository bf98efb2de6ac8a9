/*
 * The baseline of tests/bench/judge_throughput.py: a program run with no
 * sandbox at the least it can cost.  forkexec EXE N INPUT EXPECTED
 * fork+execs EXE N times, each with INPUT on a pipe as stdin, reads its
 * stdout from a pipe and checks it is EXPECTED and that it exited 0.
 * One of these per core is "bare": whatever the judge costs beyond it is
 * the sandbox's, the queue's and the API's.  Exits 1 on the first wrong
 * run.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static int
once(const char *exe, const char *in, const char *want)
{
	int	 pin[2], pout[2], st;
	char	 buf[256];
	size_t	 got = 0;
	ssize_t	 n;
	pid_t	 pid;

	if (pipe(pin) == -1 || pipe(pout) == -1)
		return -1;
	if ((pid = fork()) == -1)
		return -1;
	if (pid == 0) {
		dup2(pin[0], 0);
		dup2(pout[1], 1);
		close(pin[0]);
		close(pin[1]);
		close(pout[0]);
		close(pout[1]);
		execl(exe, exe, (char *)NULL);
		_exit(127);
	}
	close(pin[0]);
	close(pout[1]);
	if (write(pin[1], in, strlen(in)) != (ssize_t)strlen(in))
		return -1;
	close(pin[1]);
	while (got < sizeof(buf) - 1 &&
	    (n = read(pout[0], buf + got, sizeof(buf) - 1 - got)) > 0)
		got += (size_t)n;
	close(pout[0]);
	buf[got] = '\0';
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) ||
	    WEXITSTATUS(st) != 0 || strcmp(buf, want) != 0)
		return -1;
	return 0;
}

int
main(int argc, char **argv)
{
	long	 i, n;

	if (argc != 5) {
		fprintf(stderr, "usage: forkexec EXE N INPUT EXPECTED\n");
		return 2;
	}
	n = strtol(argv[2], NULL, 10);
	for (i = 0; i < n; i++)
		if (once(argv[1], argv[3], argv[4]) == -1) {
			fprintf(stderr, "forkexec: run %ld failed\n", i + 1);
			return 1;
		}
	return 0;
}
