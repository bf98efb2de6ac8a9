/*
 * Leaderboards in Redis, from the one definition of an entry,
 * leaderboard_entry() (sql/007_scoring.sql).  Every round has two boards:
 * the public one (pitwall:lb:<rid> and :meta), which a frozen round keeps
 * as it was at freeze_at, and the jury's live one (pitwall:lb:<rid>:jury
 * and :jury:meta).  Each is a zset of competitor by total and a hash of
 * competitor to the entry's JSON.  A competitor (board_competitor(),
 * sql/012_teams.sql) is a user id, or "t<team id>" for a team of a
 * team-based round: its members share one entry.  Writers: the worker after a batch (pipelined,
 * with board_entries_sql), a rejudge (board_user_refresh) and the
 * rebuilds (board_round_rebuild: `pitwall-admin leaderboard rebuild`, a
 * round's mode or freeze changed).
 */
#ifndef PITWALL_BOARD_H
#define PITWALL_BOARD_H

struct db;
struct redis;

/*
 * $1 bigint[] round ids, $2 bigint[] user ids (pairs; duplicates are
 * fine) -> rid, uid, public total, public meta, jury total, jury meta,
 * competitor (the boards' member: the uid, or "t<team id>").
 */
extern const char board_entries_sql[];

/* The zset and hash key formats (%lld: round id) of the public, then the
 * jury board: board_keys[BOARD_JURY][1] is the jury's hash. */
enum { BOARD_PUBLIC, BOARD_JURY };
extern const char *const board_keys[2][2];

/* Rewrite the entries of uid's competitor on both boards of round rid.
 * 0 / -1. */
int	board_user_refresh(struct db *db, struct redis *r, long long rid,
	    long long uid);

/*
 * Rebuild both boards of round rid from PostgreSQL, in one MULTI/EXEC
 * so readers never see a half-built board: every competitor with a
 * finished submission in the round.  *users (may be NULL) is set to how
 * many.
 * 0 / -1.
 */
int	board_round_rebuild(struct db *db, struct redis *r, long long rid,
	    int *users);

/*
 * Tell the pages that round rid's boards changed: POST
 * {"type":"leaderboard","round_id":rid} to <publisher>/leaderboard of
 * every publisher in publish_url (LIVE_PUBLISH_URL's list), the message
 * the worker sends (docs/pipeline.md).  Best effort, bounded by half a
 * second; nothing when publish_url is empty.  For the rebuilds
 * outside the worker (a mode or freeze change, unfreeze).
 */
void	board_announce(const char *publish_url, long long rid);

#endif
