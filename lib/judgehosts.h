/*
 * The judge hosts of the embedded judge, as their runners report them in
 * Redis (judge:hosts, judge:host:<name>, the runners' heartbeats): one
 * definition for the judge's GET /workers and Pitwall's /metrics.
 */
#ifndef PITWALL_JUDGEHOSTS_H
#define PITWALL_JUDGEHOSTS_H

#include <stddef.h>

struct redis;

struct judge_host {
	char	 name[64];
	double	 load1;		/* 1-minute load average; -1 unknown */
	long	 cores;		/* online cores; -1 unknown */
	long	 runners;	/* runners with a live heartbeat */
	long	 working;	/* of which with a job in hand */
};

/*
 * The hosts whose load key is live, by name, in *out (the caller's,
 * free()d; NULL when none).  0, or -1 when Redis failed.
 */
int	judge_hosts(struct redis *r, struct judge_host **out, size_t *n);

#endif
