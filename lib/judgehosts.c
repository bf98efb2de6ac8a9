/*
 * Judge hosts from the runners' own keys (see lib/judgehosts.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hiredis/hiredis.h>

#include "judgehosts.h"
#include "keys.h"
#include "redis.h"

static int
host_cmp(const void *a, const void *b)
{
	return strcmp(((const struct judge_host *)a)->name,
	    ((const struct judge_host *)b)->name);
}

int
judge_hosts(struct redis *r, struct judge_host **out, size_t *n)
{
	redisReply *hosts = NULL, *runners = NULL, *v;
	struct judge_host *h = NULL;
	size_t	 i, k, m = 0, len;
	int	 rc = -1;

	*out = NULL;
	*n = 0;
	if ((hosts = redis_cmd(r, "SMEMBERS " JKEY_HOSTS)) == NULL ||
	    hosts->type != REDIS_REPLY_ARRAY ||
	    (runners = redis_cmd(r, "SMEMBERS " JKEY_RUNNERS)) == NULL ||
	    runners->type != REDIS_REPLY_ARRAY)
		goto out;
	if (hosts->elements > 0 &&
	    (h = calloc(hosts->elements, sizeof(*h))) == NULL)
		goto out;
	for (i = 0; i < hosts->elements; i++) {
		const char *name = hosts->element[i]->str;

		if (hosts->element[i]->type != REDIS_REPLY_STRING ||
		    (len = strlen(name)) == 0 || len >= sizeof(h->name))
			continue;
		if ((v = redis_cmd(r, "GET " JKEY_HOST "%s", name)) == NULL)
			goto out;
		if (v->type != REDIS_REPLY_STRING) {
			freeReplyObject(v);
			continue;	/* no runner of it beat lately */
		}
		memcpy(h[m].name, name, len + 1);
		if (sscanf(v->str, "%lf %ld", &h[m].load1, &h[m].cores) != 2) {
			h[m].load1 = -1;
			h[m].cores = -1;
		}
		freeReplyObject(v);
		for (k = 0; k < runners->elements; k++) {
			const char *id = runners->element[k]->str;

			if (runners->element[k]->type != REDIS_REPLY_STRING ||
			    strncmp(id, name, len) != 0 || id[len] != ':' ||
			    strchr(id + len + 1, ':') != NULL)
				continue;
			if (redis_int(r, "EXISTS " JKEY_HEARTBEAT "%s", id) != 1)
				continue;
			h[m].runners++;
			if (redis_int(r, "LLEN " JKEY_PROCESSING "%s", id) > 0)
				h[m].working++;
		}
		m++;
	}
	if (m > 0)
		qsort(h, m, sizeof(*h), host_cmp);
	*out = m > 0 ? h : NULL;
	*n = m;
	if (m == 0)
		free(h);
	h = NULL;
	rc = 0;
out:
	free(h);
	if (hosts != NULL)
		freeReplyObject(hosts);
	if (runners != NULL)
		freeReplyObject(runners);
	return rc;
}
