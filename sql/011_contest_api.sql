-- The ICPC Contest API (docs/contest-api.md): a round is a contest, its
-- objects are built here in one place for the endpoints
-- (fcgi/route_api.c) and for the event log the event feed replays, so a
-- replay from the start gives what the endpoints give.
--
-- Submissions, judgements and runs change with every submission and
-- result: triggers write their events.  Everything else (contest, state,
-- judgement types, languages, problems, groups, organizations, teams)
-- changes rarely or with the clock (a contest starts without a write):
-- api_sync_config() compares each object with its last event and writes
-- the changed ones; the feed runs it before each read.  Awards come from
-- the ranked boards in C and go through api_sync() the same way.

-- Submission ids of the API: short incrementing numbers (a judgement's
-- id adds the judging, a run's the testcase; an ID has at most 36
-- characters, a UUID alone has 36).
ALTER TABLE submissions ADD COLUMN api_seq bigint GENERATED ALWAYS AS IDENTITY;
CREATE UNIQUE INDEX submissions_api_seq_key ON submissions (api_seq);
-- When the current judging started (NULL: at the submission; set by a
-- rejudge), and when a round was unfrozen (state.thawed).
ALTER TABLE submissions ADD COLUMN api_judged_at timestamptz;
ALTER TABLE rounds ADD COLUMN thawed_at timestamptz;

-- The event log.  audience: who may read the event (all, jury, public:
-- objects that differ between the two views).  submission_id: judgements
-- and runs, hidden from the public while their submission is frozen.
-- token: the id.
CREATE TABLE api_events (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    round_id      bigint NOT NULL REFERENCES rounds(id) ON DELETE CASCADE,
    type          text NOT NULL,
    obj_id        text,
    data          jsonb,
    audience      text NOT NULL DEFAULT 'all' CHECK (audience IN ('all', 'jury', 'public')),
    submission_id uuid,
    created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX api_events_round_idx ON api_events (round_id, id);
CREATE INDEX api_events_obj_idx ON api_events (round_id, type, audience, obj_id, id);

-- TIME and RELTIME of the specification: UTC with milliseconds, and
-- (-)h:mm:ss.uuu.
CREATE FUNCTION api_reltime(d interval) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN ms < 0 THEN '-' ELSE '' END
           || (abs(ms) / 3600000)::text || ':'
           || lpad((abs(ms) / 60000 % 60)::text, 2, '0') || ':'
           || lpad((abs(ms) / 1000 % 60)::text, 2, '0') || '.'
           || lpad((abs(ms) % 1000)::text, 3, '0')
    FROM (SELECT round(extract(epoch FROM d) * 1000)::bigint AS ms) x
    WHERE d IS NOT NULL
$$;

-- Contest time of t in round rd: from the start (t itself before one is set).
CREATE FUNCTION api_ctime(rd rounds, t timestamptz) RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT api_reltime(t - coalesce(rd.starts_at, t))
$$;

-- Our verdict codes as judgement type ids.
CREATE FUNCTION api_jtype(v text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE v WHEN 'RE' THEN 'RTE' WHEN 'IE' THEN 'JE' ELSE v END
$$;

-- Whether the public does not see a judgement of submission s yet: made
-- at or after its round's freeze, the round not unfrozen (the rule of
-- board_subs, sql/007).
CREATE FUNCTION api_frozen(p_sub uuid) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT coalesce((SELECT r.freeze_at IS NOT NULL AND NOT r.unfrozen
                            AND s.created_at >= r.freeze_at
                     FROM submissions s JOIN questions q ON q.id = s.question_id
                     JOIN rounds r ON r.id = q.round_id WHERE s.id = p_sub), false)
$$;

-- Teams: every contestant is a team of one (id: the user id).  Admins'
-- submissions are not part of the contest.
CREATE FUNCTION api_is_team(p_user bigint) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT coalesce((SELECT role = 'contestant' FROM users WHERE id = p_user), false)
$$;

CREATE FUNCTION api_contest(rd rounds) RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object('id', rd.slug, 'name', rd.name, 'formal_name', rd.name,
        'start_time', board_ts(rd.starts_at), 'countdown_pause_time', NULL,
        'duration', api_reltime(coalesce(rd.ends_at - rd.starts_at,
                                         rd.minutes * interval '1 minute')),
        'scoreboard_freeze_duration', CASE WHEN rd.freeze_at IS NOT NULL AND rd.ends_at IS NOT NULL
            THEN api_reltime(GREATEST(rd.ends_at - rd.freeze_at, interval '0')) END,
        'scoreboard_type', CASE rd.scoring WHEN 'icpc' THEN 'pass-fail' ELSE 'score' END,
        'penalty_time', rd.penalty_minutes)
$$;

-- started < frozen < ended < thawed: a freeze lifted before the end is
-- no freeze (the public saw everything again); Pitwall has no
-- finalization step, so finalized and end_of_updates stay null.
CREATE FUNCTION api_state(rd rounds) RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object('started', board_ts(st), 'frozen', board_ts(fr),
        'ended', board_ts(en), 'thawed', board_ts(CASE WHEN fr IS NOT NULL AND en IS NOT NULL
            AND rd.unfrozen THEN rd.thawed_at END),
        'finalized', NULL, 'end_of_updates', NULL)
    FROM (SELECT st, en,
                 CASE WHEN st IS NOT NULL AND rd.freeze_at > st AND rd.freeze_at <= now()
                      AND (en IS NULL OR rd.freeze_at < en)
                      AND NOT (rd.unfrozen AND (en IS NULL OR rd.thawed_at <= en))
                      THEN rd.freeze_at END AS fr
          FROM (SELECT CASE WHEN rd.starts_at <= now() THEN rd.starts_at END AS st,
                       CASE WHEN rd.starts_at <= now() AND rd.ends_at <= now()
                            THEN rd.ends_at END AS en) t) x
$$;

CREATE FUNCTION api_submission(s submissions, p_jury boolean) RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object('id', s.api_seq::text, 'language_id', s.language_id::text,
        'problem_id', q.slug, 'team_id', s.user_id::text, 'time', board_ts(s.created_at),
        'contest_time', api_ctime(r, s.created_at), 'entry_point', NULL,
        -- No sources for the public: the archive is the jury's.
        'files', CASE WHEN p_jury THEN jsonb_build_array(jsonb_build_object(
            'href', 'contests/' || r.slug || '/submissions/' || s.api_seq || '/files',
            'filename', 'files.zip', 'mime', 'application/zip')) ELSE '[]'::jsonb END)
    FROM questions q JOIN rounds r ON r.id = q.round_id WHERE q.id = s.question_id
$$;

CREATE FUNCTION api_judgement(s submissions) RETURNS jsonb
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

-- A run: the testcase's place in its question (1-based) is the ordinal.
CREATE FUNCTION api_run(sr submission_results, s submissions) RETURNS jsonb
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

-- Every object of a collection of round p_round, as the endpoints give
-- them (p_jury: the jury's view).  contest and state are one object.
CREATE FUNCTION api_objects(p_round bigint, p_type text, p_jury boolean) RETURNS jsonb
LANGUAGE plpgsql STABLE AS $$
DECLARE
    rd rounds%ROWTYPE;
    res jsonb;
BEGIN
    SELECT * INTO rd FROM rounds WHERE id = p_round;
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    CASE p_type
    WHEN 'contest' THEN
        res := api_contest(rd);
    WHEN 'state' THEN
        res := api_state(rd);
    WHEN 'judgement-types' THEN
        SELECT jsonb_agg(jsonb_build_object('id', id, 'name', name, 'penalty', penalty,
                   'solved', id = 'AC') ORDER BY ord) INTO res
        FROM (VALUES (1, 'AC', 'Accepted', false), (2, 'WA', 'Wrong Answer', true),
                     (3, 'TLE', 'Time Limit Exceeded', true),
                     (4, 'MLE', 'Memory Limit Exceeded', true),
                     (5, 'RTE', 'Run-Time Error', true),
                     (6, 'OLE', 'Output Limit Exceeded', true),
                     (7, 'CE', 'Compile Error', false),
                     (8, 'JE', 'Judging Error', false)) v(ord, id, name, penalty);
    WHEN 'languages' THEN
        SELECT jsonb_agg(jsonb_build_object('id', l.judge0_id::text, 'name', l.name,
                   'entry_point_required', false, 'entry_point_name', NULL,
                   'extensions', api_extensions(l.name)) ORDER BY l.judge0_id) INTO res
        FROM languages l WHERE l.enabled;
    WHEN 'problems' THEN
        SELECT jsonb_agg(jsonb_build_object('id', q.slug,
                   'label', CASE WHEN n <= 26 THEN chr(64 + n::int) ELSE 'P' || n END,
                   'name', q.title, 'ordinal', n, 'rgb', NULL, 'color', NULL,
                   'time_limit', round(q.time_limit_ms / 1000.0, 3),
                   'test_data_count', (SELECT count(*) FROM testcases t WHERE t.question_id = q.id))
                   || CASE WHEN rd.scoring <> 'icpc' THEN jsonb_build_object('max_score', q.points)
                      ELSE '{}'::jsonb END ORDER BY n) INTO res
        FROM (SELECT q.*, row_number() OVER (ORDER BY q.id) AS n
              FROM questions q WHERE q.round_id = p_round) q;
    WHEN 'groups', 'organizations' THEN
        res := '[]'::jsonb;
    WHEN 'teams' THEN
        SELECT jsonb_agg(jsonb_build_object('id', u.id::text, 'name', u.name,
                   'display_name', NULL, 'organization_id', NULL, 'group_ids', '[]'::jsonb,
                   'hidden', u.banned) ORDER BY u.id) INTO res
        FROM users u WHERE u.role = 'contestant';
    WHEN 'submissions' THEN
        SELECT jsonb_agg(api_submission(s, p_jury) ORDER BY s.api_seq) INTO res
        FROM submissions s JOIN questions q ON q.id = s.question_id
        WHERE q.round_id = p_round AND api_is_team(s.user_id);
    WHEN 'judgements' THEN
        SELECT jsonb_agg(api_judgement(s) ORDER BY s.api_seq) INTO res
        FROM submissions s JOIN questions q ON q.id = s.question_id
        WHERE q.round_id = p_round AND api_is_team(s.user_id)
          AND (p_jury OR NOT api_frozen(s.id));
    WHEN 'runs' THEN
        SELECT jsonb_agg(api_run(sr, s) ORDER BY s.api_seq, t.ordinal) INTO res
        FROM submission_results sr JOIN submissions s ON s.id = sr.submission_id
        JOIN testcases t ON t.id = sr.testcase_id
        JOIN questions q ON q.id = s.question_id
        WHERE q.round_id = p_round AND api_is_team(s.user_id)
          AND (p_jury OR NOT api_frozen(s.id));
    ELSE
        RAISE EXCEPTION 'api_objects: unknown type %', p_type;
    END CASE;
    RETURN coalesce(res, '[]'::jsonb);
END
$$;

-- File extensions of a language, from its name (Judge0's names: "C++
-- (GCC 9.2.0)", "Python (3.8.1)" …).
CREATE FUNCTION api_extensions(p_name text) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE
        WHEN n LIKE 'c++%' THEN '["cpp", "cc", "cxx"]'
        WHEN n LIKE 'c#%' THEN '["cs"]'
        WHEN n LIKE 'c (%' OR n = 'c' THEN '["c"]'
        WHEN n LIKE 'python%' THEN '["py"]'
        WHEN n LIKE 'java (%' OR n = 'java' THEN '["java"]'
        WHEN n LIKE 'javascript%' THEN '["js"]'
        WHEN n LIKE 'kotlin%' THEN '["kt"]'
        WHEN n LIKE 'go%' THEN '["go"]'
        WHEN n LIKE 'rust%' THEN '["rs"]'
        WHEN n LIKE 'ruby%' THEN '["rb"]'
        WHEN n LIKE 'pascal%' THEN '["pas"]'
        WHEN n LIKE 'haskell%' THEN '["hs"]'
        ELSE '[]' END::jsonb
    FROM (SELECT lower(p_name) AS n) x
$$;

-- Append one event.  Event writers serialise on one transaction lock so
-- tokens are handed out in commit order: a reader that has seen token N
-- never later finds a new event below N.
CREATE FUNCTION api_emit(p_round bigint, p_type text, p_id text, p_data jsonb,
    p_audience text DEFAULT 'all', p_sub uuid DEFAULT NULL) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(7413);
    INSERT INTO api_events (round_id, type, obj_id, data, audience, submission_id)
    VALUES (p_round, p_type, p_id, p_data, p_audience, p_sub);
END
$$;

-- The objects of p_type (audience p_audience) whose last event differs
-- from p_objs: an object (contest, state; id NULL) or an array of
-- objects with "id", where a missing one is a deletion (data NULL).
CREATE FUNCTION api_diff(p_round bigint, p_audience text, p_type text, p_objs jsonb)
RETURNS TABLE (id text, data jsonb)
LANGUAGE sql STABLE AS $$
    SELECT NULL::text, p_objs
    WHERE jsonb_typeof(p_objs) = 'object'
      AND (SELECT e.data FROM api_events e WHERE e.round_id = p_round AND e.type = p_type
           AND e.audience = p_audience AND e.obj_id IS NULL ORDER BY e.id DESC LIMIT 1)
          IS DISTINCT FROM p_objs
    UNION ALL
    SELECT * FROM (
        WITH cur AS (SELECT x->>'id' AS id, x AS data FROM jsonb_array_elements(p_objs) x),
        last AS (SELECT DISTINCT ON (e.obj_id) e.obj_id AS id, e.data FROM api_events e
                 WHERE e.round_id = p_round AND e.type = p_type AND e.audience = p_audience
                 ORDER BY e.obj_id, e.id DESC)
        SELECT coalesce(c.id, l.id), c.data FROM cur c FULL JOIN last l ON l.id = c.id
        WHERE c.data IS DISTINCT FROM l.data AND NOT (c.data IS NULL AND l.data IS NULL)
        ORDER BY 1) d
    WHERE jsonb_typeof(p_objs) = 'array'
$$;

-- Write the events that make the log's last word on each object of
-- p_type (audience p_audience) equal p_objs (see api_diff).  Nothing
-- changed: no lock, so readers that poll do not wait for the writers.
-- Returns how many events were written.
CREATE FUNCTION api_sync(p_round bigint, p_audience text, p_type text, p_objs jsonb)
RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    n integer := 0;
    o record;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM api_diff(p_round, p_audience, p_type, p_objs)) THEN
        RETURN 0;
    END IF;
    -- Changed: again under the lock, against what another reader wrote.
    PERFORM pg_advisory_xact_lock(7413);
    FOR o IN SELECT * FROM api_diff(p_round, p_audience, p_type, p_objs) LOOP
        PERFORM api_emit(p_round, p_type, o.id, o.data, p_audience);
        n := n + 1;
    END LOOP;
    RETURN n;
END
$$;

-- The configuration objects and the state of round p_round, into the log.
CREATE FUNCTION api_sync_config(p_round bigint) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    n integer := 0;
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['contest', 'judgement-types', 'languages', 'problems',
                             'groups', 'organizations', 'teams', 'state'] LOOP
        n := n + api_sync(p_round, 'all', t, api_objects(p_round, t, true));
    END LOOP;
    RETURN n;
END
$$;

-- The round of submission s (NULL: none), when its user is a team.
CREATE FUNCTION api_sub_round(s submissions) RETURNS bigint
LANGUAGE sql STABLE AS $$
    SELECT q.round_id FROM questions q WHERE q.id = s.question_id AND api_is_team(s.user_id)
$$;

CREATE FUNCTION api_sub_events() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    rid bigint := api_sub_round(NEW);
BEGIN
    IF rid IS NULL THEN
        RETURN NULL;
    END IF;
    IF TG_OP = 'INSERT' THEN
        PERFORM api_emit(rid, 'submissions', NEW.api_seq::text, api_submission(NEW, true), 'jury');
        PERFORM api_emit(rid, 'submissions', NEW.api_seq::text, api_submission(NEW, false), 'public');
        PERFORM api_emit(rid, 'judgements', NEW.api_seq || '-' || NEW.judging,
            api_judgement(NEW), 'all', NEW.id);
    ELSIF NEW.judging <> OLD.judging THEN
        -- A rejudge: the old judgement goes, a new one starts.
        PERFORM api_emit(rid, 'judgements', OLD.api_seq || '-' || OLD.judging, NULL, 'all', NEW.id);
        PERFORM api_emit(rid, 'judgements', NEW.api_seq || '-' || NEW.judging,
            api_judgement(NEW), 'all', NEW.id);
    ELSIF api_judgement(NEW) IS DISTINCT FROM api_judgement(OLD) THEN
        -- The end of the judging (or any other change of the object).
        PERFORM api_emit(rid, 'judgements', NEW.api_seq || '-' || NEW.judging,
            api_judgement(NEW), 'all', NEW.id);
    END IF;
    RETURN NULL;
END
$$;

CREATE FUNCTION api_sub_rejudged() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.judging <> OLD.judging THEN
        NEW.api_judged_at := now();
    END IF;
    RETURN NEW;
END
$$;

CREATE FUNCTION api_run_events() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    s submissions%ROWTYPE;
    rid bigint;
BEGIN
    IF TG_OP = 'DELETE' THEN
        SELECT * INTO s FROM submissions WHERE id = OLD.submission_id;
        rid := api_sub_round(s);
        IF rid IS NOT NULL THEN
            PERFORM api_emit(rid, 'runs', (api_run(OLD, s))->>'id', NULL, 'all', s.id);
        END IF;
        RETURN NULL;
    END IF;
    SELECT * INTO s FROM submissions WHERE id = NEW.submission_id;
    rid := api_sub_round(s);
    IF rid IS NOT NULL THEN
        PERFORM api_emit(rid, 'runs', (api_run(NEW, s))->>'id', api_run(NEW, s), 'all', s.id);
    END IF;
    RETURN NULL;
END
$$;

-- Unfreeze: when.
CREATE FUNCTION api_round_thawed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.unfrozen AND NOT OLD.unfrozen THEN
        NEW.thawed_at := now();
    END IF;
    RETURN NEW;
END
$$;

-- A round's change that changes its live objects: a new start or mode
-- (contest times, judgement scores) writes every submission, judgement
-- and run of the round again; the unfreeze writes the judgements and
-- runs the public did not see once more (a reader already past their
-- first events gets them).
CREATE FUNCTION api_round_events() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    s submissions%ROWTYPE;
    sr submission_results%ROWTYPE;
    everything boolean := NEW.starts_at IS DISTINCT FROM OLD.starts_at
                          OR NEW.scoring IS DISTINCT FROM OLD.scoring;
    thaw boolean := NEW.unfrozen AND NOT OLD.unfrozen AND OLD.freeze_at IS NOT NULL;
BEGIN
    IF NOT (everything OR thaw) THEN
        RETURN NULL;
    END IF;
    FOR s IN SELECT x.* FROM submissions x JOIN questions q ON q.id = x.question_id
             WHERE q.round_id = NEW.id AND api_is_team(x.user_id)
               AND (everything OR x.created_at >= OLD.freeze_at) ORDER BY x.api_seq LOOP
        IF everything THEN
            PERFORM api_emit(NEW.id, 'submissions', s.api_seq::text, api_submission(s, true),
                'jury');
            PERFORM api_emit(NEW.id, 'submissions', s.api_seq::text, api_submission(s, false),
                'public');
        END IF;
        PERFORM api_emit(NEW.id, 'judgements', s.api_seq || '-' || s.judging,
            api_judgement(s), 'all', s.id);
        FOR sr IN SELECT * FROM submission_results WHERE submission_id = s.id LOOP
            PERFORM api_emit(NEW.id, 'runs', (api_run(sr, s))->>'id', api_run(sr, s), 'all', s.id);
        END LOOP;
    END LOOP;
    RETURN NULL;
END
$$;

CREATE TRIGGER api_sub_rejudged BEFORE UPDATE OF judging ON submissions
    FOR EACH ROW EXECUTE FUNCTION api_sub_rejudged();
CREATE TRIGGER api_sub_events AFTER INSERT OR UPDATE ON submissions
    FOR EACH ROW EXECUTE FUNCTION api_sub_events();
CREATE TRIGGER api_run_events AFTER INSERT OR DELETE ON submission_results
    FOR EACH ROW EXECUTE FUNCTION api_run_events();
CREATE TRIGGER api_round_thawed BEFORE UPDATE OF unfrozen ON rounds
    FOR EACH ROW EXECUTE FUNCTION api_round_thawed();
CREATE TRIGGER api_round_events AFTER UPDATE OF unfrozen, starts_at, scoring ON rounds
    FOR EACH ROW EXECUTE FUNCTION api_round_events();

-- The submissions made before this migration: their events, once, so a
-- replay of an older round gives its endpoints too.
DO $$
DECLARE
    s submissions%ROWTYPE;
    sr submission_results%ROWTYPE;
    rid bigint;
BEGIN
    FOR s IN SELECT * FROM submissions ORDER BY api_seq LOOP
        rid := api_sub_round(s);
        CONTINUE WHEN rid IS NULL;
        PERFORM api_emit(rid, 'submissions', s.api_seq::text, api_submission(s, true), 'jury');
        PERFORM api_emit(rid, 'submissions', s.api_seq::text, api_submission(s, false), 'public');
        PERFORM api_emit(rid, 'judgements', s.api_seq || '-' || s.judging, api_judgement(s),
            'all', s.id);
        FOR sr IN SELECT * FROM submission_results WHERE submission_id = s.id LOOP
            PERFORM api_emit(rid, 'runs', (api_run(sr, s))->>'id', api_run(sr, s), 'all', s.id);
        END LOOP;
    END LOOP;
END
$$;

-- Per user and problem of a round, the submissions judged and pending as
-- a board sees them (board_subs, sql/007: the freeze's cutoff), for the
-- scoreboard's num_judged / num_pending of the score modes, and the
-- contest minute of the earliest visible submission with the user's best
-- positive score on it (the problem's time).
CREATE FUNCTION api_problem_counts(p_round bigint, p_jury boolean)
RETURNS TABLE (user_id bigint, slug text, judged bigint, pending bigint, minutes bigint)
LANGUAGE sql STABLE AS $$
    SELECT x.uid, x.slug, count(*) FILTER (WHERE x.done AND NOT x.hidden),
           count(*) FILTER (WHERE x.hidden OR NOT x.done),
           GREATEST(0, floor(extract(epoch FROM min(x.created_at) FILTER (
               WHERE x.done AND NOT x.hidden AND x.score = x.best AND x.score > 0)
               - min(x.starts_at)) / 60))::bigint
    FROM (SELECT u.id AS uid, s.*, coalesce(r.starts_at, s.created_at) AS starts_at,
                 max(s.score) FILTER (WHERE s.done AND NOT s.hidden)
                     OVER (PARTITION BY u.id, s.slug) AS best
          FROM rounds r
          CROSS JOIN LATERAL (SELECT DISTINCT x.user_id AS id FROM submissions x
                              JOIN questions q ON q.id = x.question_id
                              WHERE q.round_id = r.id) u
          CROSS JOIN LATERAL board_subs(r.id, u.id, CASE WHEN NOT p_jury AND NOT r.unfrozen
                                                         THEN r.freeze_at END) s
          WHERE r.id = p_round) x
    GROUP BY x.uid, x.slug
$$;
