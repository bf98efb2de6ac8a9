/*
 * Who may do what, as every route checks it on every request: the
 * user's current role and ban and the token's logout, kept in Redis
 * (pitwall:roles, pitwall:banned, pitwall:revoked:<jti>) and rebuilt from
 * PostgreSQL (users.role, users.banned, revoked_tokens: the record) when
 * Redis has lost them.  A token's role claim is only
 * what the user was when it was issued: a demoted admin or a ban takes
 * effect on the next request, not when the token expires.
 */
#ifndef PITWALL_AUTHZ_H
#define PITWALL_AUTHZ_H

struct config;
struct db;
struct redis;

enum authz_rc {
	AUTHZ_OK,		/* *role, *banned, *revoked filled */
	AUTHZ_UNKNOWN_USER,	/* no such user in PostgreSQL */
	AUTHZ_UNAVAILABLE,	/* Redis down, or a fill from PostgreSQL failed */
	AUTHZ_RC__MAX
};

/*
 * The state of user uid and of the token jti, in one Redis round trip:
 * the current role (written into role[rolesz]; it starts as the token's
 * claim), whether the user is banned and whether the token was logged
 * out.  When Redis has no record (never built, or lost), it is rebuilt
 * from PostgreSQL (*dbp is opened on demand and kept by the caller); a
 * user missing from the record (made in SQL directly) is filled from
 * PostgreSQL.  With PostgreSQL down as well, the token's role stands
 * (logged): the hot path keeps working without PostgreSQL (DESIGN §2).
 */
enum authz_rc	 authz_check(struct redis *r, struct db **dbp,
		    const struct config *cfg, long long uid, const char *jti,
		    char *role, size_t rolesz, int *banned, int *revoked);

/*
 * Record the role and ban of user uid in Redis after PostgreSQL has
 * them (account creation, role change, ban, unban).  0 / -1 (logged).
 */
int		 authz_user_set(struct redis *r, long long uid, const char *role,
		    int banned);

/*
 * Rebuild pitwall:roles and pitwall:banned from the users table (one
 * script) and the pitwall:revoked:<jti> keys from revoked_tokens, then
 * mark the record as built.  0 / -1 (logged).
 */
int		 authz_rebuild(struct redis *r, struct db *db);

/*
 * Log out token jti of user uid, valid until exp (unix time): refused
 * from now on (Redis, pitwall:revoked:<jti>), and recorded in PostgreSQL
 * (revoked_tokens) so a rebuild brings it back.  db may be NULL or down:
 * the logout then holds in Redis only (logged).  0 / -1 (Redis failed:
 * nothing is revoked).
 */
int		 authz_revoke(struct redis *r, struct db *db, long long uid,
		    const char *jti, long long exp);

#endif
