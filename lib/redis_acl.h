/*
 * The Redis ACL of each role (lib/redis.h's REDIS_ROLE_*): the keys and
 * the commands it may use, Redis ACL rules built from lib/keys.h.
 * scripts/stack writes them, with each role's password, into Redis's ACL
 * file (docs/redis.md).
 */
#ifndef PITWALL_REDIS_ACL_H
#define PITWALL_REDIS_ACL_H

#include <stdio.h>

struct redis_acl {
	const char	*role;
	const char	*keys;		/* "~pattern …" (%R~: read only) */
	const char	*commands;	/* "+command …" */
};

extern const struct redis_acl redis_acls[];
extern const size_t redis_nacls;

/* One line per role: "<role> resetkeys … -@all +…" (ACL SETUSER rules). */
void	redis_acl_print(FILE *fp);

#endif
