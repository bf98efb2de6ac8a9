-- One definition of a leaderboard entry, for the worker (worker/sync.c),
-- a rejudge (fcgi/route_admin_rejudge.c) and `pitwall-admin leaderboard
-- rebuild` (admin/round.c): a user's total of best scores over a round's
-- questions, and when they last raised it.  Only scoring rows count for
-- that time (a later zero on another question raised nothing); a user
-- with no scoring row at all gets their first row's time.  Readers break
-- ties with it (earlier first), so every writer must agree on it.
-- last_improved_at is ISO 8601 UTC with milliseconds, as the boards keep
-- it; NULL (and total 0) when the user has no row in the round.
CREATE FUNCTION leaderboard_entry(p_round_id bigint, p_user_id bigint)
RETURNS TABLE (total numeric, last_improved_at text)
LANGUAGE sql STABLE AS $$
    SELECT COALESCE(sum(b.score), 0),
           to_char(COALESCE(max(b.achieved_at) FILTER (WHERE b.score > 0),
                            min(b.achieved_at)) AT TIME ZONE 'UTC',
                   'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
    FROM best_scores b
    WHERE b.user_id = p_user_id
      AND b.question_id IN (SELECT q.id FROM questions q WHERE q.round_id = p_round_id)
$$;
