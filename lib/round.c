/*
 * The SQL of round open and close (see round.h for what they do).
 */
#include "round.h"

#define ROUND_TS(col) "to_char(" col " AT TIME ZONE 'UTC'," \
	" 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"

const char round_open_sql[] =
    "UPDATE rounds SET starts_at = date_trunc('second', now()),"
    " ends_at = date_trunc('second', now())"
    " + make_interval(mins => coalesce($2::integer, minutes))"
    " WHERE slug = $1"
    " RETURNING id, " ROUND_TS("starts_at") ", " ROUND_TS("ends_at");

/* c.end_at: the kept end of a round that already ended, else now. */
const char round_close_sql[] =
    "UPDATE rounds r SET ends_at = c.end_at,"
    " starts_at = CASE WHEN r.starts_at IS NOT NULL AND r.starts_at < c.end_at"
    " THEN r.starts_at ELSE c.end_at - interval '1 second' END"
    " FROM (SELECT id, ends_at IS NOT NULL AND ends_at <= now() AS was_closed,"
    "  CASE WHEN ends_at IS NOT NULL AND ends_at <= now() THEN ends_at"
    "  ELSE date_trunc('second', now()) END AS end_at"
    "  FROM rounds WHERE slug = $1 FOR UPDATE) c"
    " WHERE r.id = c.id"
    " RETURNING r.id, " ROUND_TS("r.starts_at") ", " ROUND_TS("r.ends_at") ","
    " c.was_closed";

const char round_settings_sql[] =
    "UPDATE rounds SET scoring = coalesce($2, scoring),"
    " penalty_minutes = coalesce($3::integer, penalty_minutes),"
    " freeze_at = CASE WHEN $4::boolean THEN $5::timestamptz ELSE freeze_at END,"
    " unfrozen = CASE WHEN $4::boolean THEN false ELSE unfrozen END"
    " WHERE slug = $1"
    " RETURNING id, scoring, penalty_minutes, coalesce(" ROUND_TS("freeze_at")
    ", '-')";

const char round_unfreeze_sql[] =
    "UPDATE rounds SET unfrozen = true WHERE slug = $1"
    " RETURNING id, freeze_at IS NOT NULL";

const char round_teams_sql[] =
    "UPDATE rounds SET team_based = $2::boolean WHERE slug = $1"
    " RETURNING id, team_based";
