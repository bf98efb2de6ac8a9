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
#ifndef PITWALL_ROUND_H
#define PITWALL_ROUND_H

extern const char round_open_sql[];
extern const char round_close_sql[];

#endif
