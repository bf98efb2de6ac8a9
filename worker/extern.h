/*
 * pitwall-worker: private declarations.
 */
#ifndef PITWALL_WORKER_EXTERN_H
#define PITWALL_WORKER_EXTERN_H

#include "config.h"

struct db;
struct redis;

struct wctx {
	struct config	 cfg;
	struct redis	*redis;
	struct db	*db;
	char		 id[128];	/* this worker's name: host:pid or WORKER_ID */
	char		 processing[192];	/* its processing list */
};

int	heartbeat_beat(struct wctx *w);

#endif
