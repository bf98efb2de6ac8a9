-- The Contest API's events (sql/011) at a cost a contest can pay: run
-- events once per statement instead of once per row, and the objects' SQL
-- inlined into the triggers.  The row trigger ran api_run and
-- api_sub_round (SQL functions that take whole rows and have a FROM, which
-- PostgreSQL never inlines) as queries of their own for every inserted
-- result: 1-2 ms a row, most of what the worker's batches cost
-- (docs/benchmarks.md, worker_drain 2026-12-03).  Their bodies move to
-- set-returning functions, which PostgreSQL inlines when they are called
-- in FROM; api_run and api_sub_round become calls of those (one definition
-- each), and a statement trigger with a transition table makes one INSERT
-- ... SELECT of the statement's run events, by submission (api_seq) then
-- testcase ordinal.  The events are those the row trigger wrote.  Deleted
-- runs (a rejudge) keep sql/011's row trigger.  Submissions keep a row
-- trigger (a statement one must join its old and new rows, which costs
-- more than it saves), whose plan now inlines api_judgement_rows and
-- api_sub_round_rows instead of calling api_judgement twice a row.

-- The run object of result sr of submission s (sql/011's api_run).
CREATE FUNCTION api_run_rows(sr submission_results, s submissions)
RETURNS TABLE (run jsonb)
LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object('id', s.api_seq || '-' || s.judging || '-' || n,
        'judgement_id', s.api_seq || '-' || s.judging, 'ordinal', n,
        'judgement_type_id', api_jtype(sr.verdict), 'time', board_ts(sr.created_at),
        'contest_time', api_ctime(r, sr.created_at),
        'run_time', round(coalesce(sr.time_ms, 0) / 1000.0, 3))
    FROM testcases t JOIN questions q ON q.id = t.question_id
    JOIN rounds r ON r.id = q.round_id,
    LATERAL (SELECT count(*) AS n FROM testcases x
             WHERE x.question_id = t.question_id AND x.ordinal <= t.ordinal) c
    WHERE t.id = sr.testcase_id
$$;

-- The round of submission s, when its user is a team (sql/011's
-- api_sub_round); no row: none.
CREATE FUNCTION api_sub_round_rows(s submissions)
RETURNS TABLE (round_id bigint)
LANGUAGE sql STABLE AS $$
    SELECT q.round_id FROM questions q WHERE q.id = s.question_id AND api_is_team(s.user_id)
$$;

-- The judgement object of submission s (sql/011's api_judgement).
CREATE FUNCTION api_judgement_rows(s submissions)
RETURNS TABLE (judgement jsonb)
LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object('id', s.api_seq || '-' || s.judging,
        'submission_id', s.api_seq::text,
        'judgement_type_id', CASE WHEN s.status = 'done' AND s.verdict IS NOT NULL THEN api_jtype(s.verdict) END,
        'start_time', board_ts(coalesce(s.api_judged_at, s.created_at)),
        'start_contest_time', api_ctime(r, coalesce(s.api_judged_at, s.created_at)),
        'end_time', CASE WHEN s.status = 'done' AND s.verdict IS NOT NULL THEN board_ts(s.finished_at) END,
        'end_contest_time', CASE WHEN s.status = 'done' AND s.verdict IS NOT NULL THEN api_ctime(r, s.finished_at) END,
        'max_run_time', CASE WHEN s.status = 'done' AND s.verdict IS NOT NULL
            AND s.max_time_ms IS NOT NULL
            THEN round(s.max_time_ms / 1000.0, 3) END)
        || CASE WHEN r.scoring <> 'icpc' THEN jsonb_build_object('score',
            coalesce(s.score, 0)) ELSE '{}'::jsonb END
    FROM questions q JOIN rounds r ON r.id = q.round_id WHERE q.id = s.question_id
$$;

CREATE OR REPLACE FUNCTION api_judgement(s submissions) RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT judgement FROM api_judgement_rows(s)
$$;

CREATE OR REPLACE FUNCTION api_run(sr submission_results, s submissions) RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT run FROM api_run_rows(sr, s)
$$;

CREATE OR REPLACE FUNCTION api_sub_round(s submissions) RETURNS bigint
LANGUAGE sql STABLE AS $$
    SELECT round_id FROM api_sub_round_rows(s)
$$;

-- sql/011's api_sub_events, its lookups written as subqueries of the
-- inlinable functions (planned once per session, not once per call).
CREATE OR REPLACE FUNCTION api_sub_events() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    rid bigint := (SELECT round_id FROM api_sub_round_rows(NEW));
    jn jsonb;
BEGIN
    IF rid IS NULL THEN
        RETURN NULL;
    END IF;
    jn := (SELECT judgement FROM api_judgement_rows(NEW));
    IF TG_OP = 'INSERT' THEN
        PERFORM api_emit(rid, 'submissions', NEW.api_seq::text, api_submission(NEW, true), 'jury');
        PERFORM api_emit(rid, 'submissions', NEW.api_seq::text, api_submission(NEW, false), 'public');
        PERFORM api_emit(rid, 'judgements', NEW.api_seq || '-' || NEW.judging, jn, 'all', NEW.id);
    ELSIF NEW.judging <> OLD.judging THEN
        -- A rejudge: the old judgement goes, a new one starts.
        PERFORM api_emit(rid, 'judgements', OLD.api_seq || '-' || OLD.judging, NULL, 'all', NEW.id);
        PERFORM api_emit(rid, 'judgements', NEW.api_seq || '-' || NEW.judging, jn, 'all', NEW.id);
    ELSIF jn IS DISTINCT FROM (SELECT judgement FROM api_judgement_rows(OLD)) THEN
        -- The end of the judging (or any other change of the object).
        PERFORM api_emit(rid, 'judgements', NEW.api_seq || '-' || NEW.judging, jn, 'all', NEW.id);
    END IF;
    RETURN NULL;
END
$$;

-- New runs, the statement's at once.
CREATE FUNCTION api_run_events_inserted() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM api_new) THEN
        RETURN NULL;
    END IF;
    PERFORM pg_advisory_xact_lock(7413);
    INSERT INTO api_events (round_id, type, obj_id, data, audience, submission_id)
    SELECT r.round_id, 'runs', j.run->>'id', j.run, 'all', s.id
      FROM api_new n JOIN submissions s ON s.id = n.submission_id
      JOIN testcases t ON t.id = n.testcase_id,
           LATERAL api_sub_round_rows(s) r,
           LATERAL api_run_rows(n, s) j
     ORDER BY s.api_seq, t.ordinal;
    RETURN NULL;
END
$$;

DROP TRIGGER api_run_events ON submission_results;
CREATE TRIGGER api_run_events AFTER DELETE ON submission_results
    FOR EACH ROW EXECUTE FUNCTION api_run_events();
CREATE TRIGGER api_run_events_inserted AFTER INSERT ON submission_results
    REFERENCING NEW TABLE AS api_new
    FOR EACH STATEMENT EXECUTE FUNCTION api_run_events_inserted();
