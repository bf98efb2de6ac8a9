/*
 * Opening and closing a round: the one definition used by
 * `pitwall-admin round open|close` and POST /admin/rounds/{slug}/open|close.
 *
 * Both statements take $1 = the round's slug and, for open, $2 = minutes
 * (text, NULL for the round's own minutes).  Both return one row for a
 * known slug, none for an unknown one:
 *   open:  id, starts_at, ends_at           (ISO 8601 UTC, whole seconds)
 *   close: id, starts_at, ends_at, was_closed ('t' when the round had
 *          already ended and kept its end)
 *
 * open: the window starts now, for $2 minutes or the round's own.
 * close: the round ends now, unless it had already ended (then its end is
 * kept).  A round that never started (start NULL) or would start at or
 * after the new end gets a start one second before the end, so the schema's
 * ends_at > starts_at holds and the round reads "closed", never
 * "unscheduled".
 * Times are truncated to whole seconds: the responders compare the clock
 * in seconds, so an end of now() with its microseconds would keep a
 * just-closed round open until the next second (and a start rounded up
 * would keep a just-opened one closed).
 */
/*
 * How a round ranks and its freeze, the one definition used by
 * `pitwall-admin round set|unfreeze` and PATCH /admin/rounds/{slug},
 * POST /admin/rounds/{slug}/unfreeze (sql/007_scoring.sql):
 *   settings: $1 slug, $2 scoring (NULL: unchanged), $3 penalty minutes
 *             (NULL: unchanged), $4 't' to set freeze_at to $5 (NULL: no
 *             freeze; setting it freezes again) -> id, scoring,
 *             penalty_minutes, freeze_at ('-' when none)
 *   unfreeze: $1 slug -> id, 't' when the round had a freeze time
 * The caller rebuilds the round's boards after either (lib/board.h).
 *
 * Whether a round is team-based (sql/012_teams.sql), the one definition
 * used by `pitwall-admin round set --teams` and PATCH /admin/rounds/{slug}
 * {team_based}: $1 slug, $2 't' or 'f' -> id, team_based.  The caller
 * rebuilds the round's boards (their competitors changed).
 */
#ifndef PITWALL_ROUND_H
#define PITWALL_ROUND_H

extern const char round_open_sql[];
extern const char round_close_sql[];
extern const char round_settings_sql[];
extern const char round_unfreeze_sql[];
extern const char round_teams_sql[];

#endif
