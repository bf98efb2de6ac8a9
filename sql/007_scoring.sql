-- Scoring modes, the scoreboard freeze, scored (subtask) problems and the
-- overall verdict of a submission (docs/scoring.md).

-- How a round ranks (proportional: today's points; icpc: solved, penalty
-- time, last solve; ioi: best per subtask summed), the penalty of an ICPC
-- rejected try, and the freeze: from freeze_at on, the public boards show
-- later submissions as pending until `unfreeze` sets unfrozen.
ALTER TABLE rounds
    ADD COLUMN scoring         text NOT NULL DEFAULT 'proportional'
               CHECK (scoring IN ('proportional', 'icpc', 'ioi')),
    ADD COLUMN penalty_minutes integer NOT NULL DEFAULT 20
               CHECK (penalty_minutes BETWEEN 0 AND 1000),
    ADD COLUMN freeze_at       timestamptz,
    ADD COLUMN unfrozen        boolean NOT NULL DEFAULT false;

-- The overall verdict, set at finalize: the first testcase in ordinal
-- order that was not accepted, AC when all were; NULL while judging.
ALTER TABLE submissions
    ADD COLUMN verdict text
               CHECK (verdict IN ('AC', 'WA', 'TLE', 'MLE', 'RE', 'OLE', 'CE', 'IE'));

-- A testcase result may now say MLE or OLE too (lib/verdict.c).
ALTER TABLE submission_results DROP CONSTRAINT IF EXISTS submission_results_verdict_check;
ALTER TABLE submission_results ADD CONSTRAINT submission_results_verdict_check
    CHECK (verdict IN ('AC', 'WA', 'TLE', 'MLE', 'RE', 'OLE', 'CE', 'IE'));

-- score.txt of a custom validator (written by the validators' side, 006).
ALTER TABLE submission_results ADD COLUMN IF NOT EXISTS validator_score numeric;

-- A scored problem's submission, per test data group (subtask): the
-- group's score scaled to the question's points (worker/finalize.c).
-- The ioi mode takes each group's best over a user's submissions.
CREATE TABLE submission_group_scores (
    submission_id uuid NOT NULL REFERENCES submissions(id) ON DELETE CASCADE,
    group_path    text NOT NULL,
    score         numeric(12,4) NOT NULL,
    PRIMARY KEY (submission_id, group_path)
);

-- One definition of a leaderboard entry (replacing 004's), for the worker
-- (worker/publish.c), a rejudge (fcgi/route_admin_rejudge.c), the rebuilds
-- (lib/board.c: `pitwall-admin leaderboard rebuild`, a round's mode or
-- freeze changed).  p_jury: the live board; otherwise the public one,
-- where a frozen round's submissions made at or after freeze_at are
-- pending.  Only finished submissions count.
--   total             proportional, ioi: points; icpc: problems solved
--   penalty           icpc: minutes; 0 otherwise
--   last_improved_at  proportional, ioi: when the total was last raised
--                     (earliest reach of each best; a user without a
--                     scoring submission gets their first one's time);
--                     icpc: the time of the last first-accepted submission
--   meta              the board's JSON of the entry: name, score,
--                     last_improved_at, mode, penalty, problems (icpc:
--                     solved, tries, minutes, at, pending; ioi: score)
-- Readers rank by total desc, penalty asc, then (not ioi, whose ties are
-- shared) last_improved_at asc.  All times ISO 8601 UTC with milliseconds.
DROP FUNCTION leaderboard_entry(bigint, bigint);

CREATE FUNCTION board_ts(t timestamptz) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
$$;

-- A user's submissions in a round as a board sees them: hidden when made
-- at or after the cutoff (a frozen public board), done when finished.
CREATE FUNCTION board_subs(p_round_id bigint, p_user_id bigint, p_cutoff timestamptz)
RETURNS TABLE (id uuid, question_id bigint, slug text, done boolean,
    hidden boolean, score numeric, verdict text, created_at timestamptz)
LANGUAGE sql STABLE AS $$
    SELECT s.id, s.question_id, q.slug, s.status = 'done',
           p_cutoff IS NOT NULL AND s.created_at >= p_cutoff, s.score,
           s.verdict, s.created_at
    FROM submissions s JOIN questions q ON q.id = s.question_id
    WHERE s.user_id = p_user_id AND q.round_id = p_round_id
$$;

CREATE FUNCTION leaderboard_entry(p_round_id bigint, p_user_id bigint,
    p_jury boolean DEFAULT false)
RETURNS TABLE (total numeric, last_improved_at text, penalty bigint, meta text)
LANGUAGE plpgsql STABLE AS $$
DECLARE
    rd rounds%ROWTYPE;
    cutoff timestamptz;
    uname text;
    probs jsonb;
    at timestamptz;
BEGIN
    SELECT * INTO rd FROM rounds WHERE id = p_round_id;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    SELECT name INTO uname FROM users WHERE id = p_user_id;
    IF NOT p_jury AND NOT rd.unfrozen THEN
        cutoff := rd.freeze_at;
    END IF;
    IF rd.scoring = 'icpc' THEN
        -- Per problem: the first accepted submission, the rejected tries
        -- before it (compile and internal errors are not tries), and the
        -- submissions not known yet (judging, or hidden by the freeze).
        WITH s AS (SELECT * FROM board_subs(p_round_id, p_user_id, cutoff)),
        per AS (
            SELECT s.question_id, min(s.slug) AS slug,
                   min(s.created_at) FILTER (WHERE s.done AND NOT s.hidden
                       AND s.verdict = 'AC') AS ac
            FROM s GROUP BY s.question_id),
        q AS (
            SELECT p.question_id, p.slug, p.ac,
                   (SELECT count(*) FROM s x
                    WHERE x.question_id = p.question_id AND x.done
                      AND NOT x.hidden AND x.verdict NOT IN ('AC', 'CE', 'IE')
                      AND (p.ac IS NULL OR x.created_at < p.ac)) AS tries,
                   (SELECT count(*) FROM s x
                    WHERE x.question_id = p.question_id
                      AND (x.hidden OR NOT x.done)
                      AND (p.ac IS NULL OR x.created_at < p.ac)) AS pending,
                   CASE WHEN p.ac IS NOT NULL THEN GREATEST(0, floor(extract(
                       epoch FROM p.ac - coalesce(rd.starts_at, p.ac)) / 60))::bigint
                   END AS minutes
            FROM per p)
        SELECT count(q.ac),
               coalesce(sum(q.minutes + q.tries * rd.penalty_minutes), 0)::bigint,
               max(q.ac),
               coalesce(jsonb_agg(jsonb_build_object('question_id', q.question_id,
                   'question', q.slug, 'solved', q.ac IS NOT NULL,
                   'tries', q.tries + CASE WHEN q.ac IS NOT NULL THEN 1 ELSE 0 END,
                   'minutes', q.minutes, 'at', board_ts(q.ac), 'pending', q.pending)
                   ORDER BY q.question_id), '[]'::jsonb)
        INTO total, penalty, at, probs
        FROM q;
    ELSE
        -- Per problem the best finished score, reached earliest; under
        -- ioi a scored problem's best per group (subtask), summed.
        WITH vis AS (SELECT * FROM board_subs(p_round_id, p_user_id, cutoff) s
                     WHERE s.done AND NOT s.hidden),
        grp AS (
            SELECT DISTINCT ON (v.question_id, g.group_path) v.question_id,
                   g.score, v.created_at
            FROM vis v JOIN submission_group_scores g ON g.submission_id = v.id
            WHERE rd.scoring = 'ioi'
            ORDER BY v.question_id, g.group_path, g.score DESC, v.created_at),
        gq AS (
            SELECT grp.question_id, sum(grp.score) AS score,
                   max(grp.created_at) AS at
            FROM grp GROUP BY grp.question_id),
        whole AS (
            SELECT DISTINCT ON (v.question_id) v.question_id, v.slug,
                   coalesce(v.score, 0) AS score, v.created_at AS at
            FROM vis v
            ORDER BY v.question_id, v.score DESC NULLS LAST, v.created_at, v.id),
        best AS (
            SELECT w.question_id, w.slug, coalesce(gq.score, w.score) AS score,
                   coalesce(gq.at, w.at) AS at
            FROM whole w LEFT JOIN gq ON gq.question_id = w.question_id)
        SELECT coalesce(sum(b.score), 0), 0,
               coalesce(max(b.at) FILTER (WHERE b.score > 0), min(b.at)),
               coalesce(jsonb_agg(jsonb_build_object('question_id', b.question_id,
                   'question', b.slug, 'score', b.score) ORDER BY b.question_id),
                   '[]'::jsonb)
        INTO total, penalty, at, probs
        FROM best b;
    END IF;
    last_improved_at := board_ts(at);
    meta := jsonb_build_object('name', uname, 'score', total::float8,
        'last_improved_at', last_improved_at, 'mode', rd.scoring,
        'penalty', penalty, 'problems', probs)::text;
    RETURN NEXT;
END
$$;
