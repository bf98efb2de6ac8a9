-- The leaderboard entry at a cost the worker can pay once a batch
-- (docs/benchmarks.md, worker_drain 2026-12-04).  Two costs, neither a
-- change of what an entry is:
--
-- 1. leaderboard_entry() returns one row (none for an unknown round), but
--    as a set-returning PL/pgSQL function it was estimated at 1,000, so
--    lib/board.c's query, which calls it twice per (round, user), was
--    costed at hundreds of thousands and compiled by JIT (inlining and
--    optimisation: 0.2-0.5 s) every time the worker ran it, once a batch.
--    ROWS 1 is what it returns.
--
-- 2. sql/012's board_subs() tested each submission against
--    board_members(), a function with a subquery, which PostgreSQL does
--    not inline: unless the planner chose the index on user_id, it ran
--    once per row scanned (a million calls in a 10,000-result drain, a
--    plan chosen while the table was small).  The members are now a
--    subquery of their own, computed once per call, the same set.

ALTER FUNCTION leaderboard_entry(bigint, bigint, boolean) ROWS 1;

CREATE OR REPLACE FUNCTION board_subs(p_round_id bigint, p_user_id bigint, p_cutoff timestamptz)
RETURNS TABLE (id uuid, question_id bigint, slug text, done boolean,
    hidden boolean, score numeric, verdict text, created_at timestamptz)
LANGUAGE sql STABLE AS $$
    SELECT s.id, s.question_id, q.slug, s.status = 'done',
           p_cutoff IS NOT NULL AND s.created_at >= p_cutoff, s.score,
           s.verdict, s.created_at
    FROM submissions s JOIN questions q ON q.id = s.question_id
    WHERE s.user_id = ANY ((SELECT board_members(p_round_id, p_user_id))::bigint[])
      AND q.round_id = p_round_id
$$;
