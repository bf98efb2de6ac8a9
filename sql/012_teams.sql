-- Teams (issue 17 item 1, docs/teams.md): a round is individual (as
-- before) or team-based; in a team-based round the members of a team
-- compete as one: they share its submissions, its scores (one board
-- entry) and its clarifications.
--
-- A user is in at most one team (team_members' key is the user), for
-- every team-based round: a team is a standing group of people, as at an
-- ICPC site, not a per-round registration.  How many members a team may
-- have is a setting (TEAM_MAX_MEMBERS), checked by the one writer of
-- memberships, lib/team.c (the CLI, the admin API and the CSV import).

CREATE TABLE organizations (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name       text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX organizations_name_key ON organizations (lower(name));

CREATE TABLE teams (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name            text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    organization_id bigint REFERENCES organizations(id) ON DELETE SET NULL,
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX teams_name_key ON teams (lower(name));

CREATE TABLE team_members (
    user_id   bigint PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    team_id   bigint NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
    joined_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX team_members_team_idx ON team_members (team_id);

ALTER TABLE rounds ADD COLUMN team_based boolean NOT NULL DEFAULT false;

-- The one definition of a competitor.  In a team-based round a member
-- of a team competes as the team, key 't<team id>'; everyone else (every
-- user of an individual round, a user without a team) as themselves, key
-- the user id.  The boards' members (lib/board.h), the Contest API's
-- team ids and who sees whose submissions and clarifications all follow
-- from it.
CREATE FUNCTION board_competitor(p_round bigint, p_user bigint) RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT coalesce((SELECT 't' || m.team_id FROM team_members m
                     JOIN rounds r ON r.id = p_round AND r.team_based
                     WHERE m.user_id = p_user), p_user::text)
$$;

-- The users competing as board_competitor(p_round, p_user).
CREATE FUNCTION board_members(p_round bigint, p_user bigint) RETURNS bigint[]
LANGUAGE sql STABLE AS $$
    SELECT coalesce((SELECT array_agg(o.user_id ORDER BY o.user_id)
                     FROM team_members m JOIN team_members o ON o.team_id = m.team_id
                     JOIN rounds r ON r.id = p_round AND r.team_based
                     WHERE m.user_id = p_user), ARRAY[p_user])
$$;

-- The competitor's name on the boards: the team's, else the user's.
CREATE FUNCTION board_name(p_round bigint, p_user bigint) RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT coalesce((SELECT t.name FROM team_members m JOIN teams t ON t.id = m.team_id
                     JOIN rounds r ON r.id = p_round AND r.team_based
                     WHERE m.user_id = p_user),
                    (SELECT u.name FROM users u WHERE u.id = p_user))
$$;

-- Whether viewer p_viewer shares what user p_author made in round
-- p_round: the same competitor there.  p_round NULL (a clarification
-- about no problem): teammates share it.
CREATE FUNCTION team_shares(p_round bigint, p_author bigint, p_viewer bigint)
RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT p_author = p_viewer OR CASE WHEN p_round IS NULL THEN EXISTS (
               SELECT 1 FROM team_members a JOIN team_members v ON v.team_id = a.team_id
               WHERE a.user_id = p_author AND v.user_id = p_viewer)
           ELSE board_competitor(p_round, p_author) = board_competitor(p_round, p_viewer) END
$$;

-- A competitor's submissions in a round as a board sees them (007's,
-- now of every user the competitor stands for).
CREATE OR REPLACE FUNCTION board_subs(p_round_id bigint, p_user_id bigint, p_cutoff timestamptz)
RETURNS TABLE (id uuid, question_id bigint, slug text, done boolean,
    hidden boolean, score numeric, verdict text, created_at timestamptz)
LANGUAGE sql STABLE AS $$
    SELECT s.id, s.question_id, q.slug, s.status = 'done',
           p_cutoff IS NOT NULL AND s.created_at >= p_cutoff, s.score,
           s.verdict, s.created_at
    FROM submissions s JOIN questions q ON q.id = s.question_id
    WHERE s.user_id = ANY (board_members(p_round_id, p_user_id))
      AND q.round_id = p_round_id
$$;

-- 007's entry of a user, now of the competitor the user stands for
-- (board_subs above) under the competitor's name: the only change.
CREATE OR REPLACE FUNCTION leaderboard_entry(p_round_id bigint, p_user_id bigint,
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
    uname := board_name(p_round_id, p_user_id);
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

-- The Contest API (sql/011) of a team-based round: its teams are the
-- teams (id 't<team id>', board_competitor) and the contestants without
-- one (a team of one, as in an individual round); the organizations are
-- the teams' affiliations.  An individual round's are 011's: every
-- contestant a team of one, no organizations.
CREATE FUNCTION api_teams(rd rounds) RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT coalesce(jsonb_agg(x.o ORDER BY x.k, x.n), '[]'::jsonb) FROM (
        SELECT 0 AS k, u.id AS n, jsonb_build_object('id', u.id::text, 'name', u.name,
                   'display_name', NULL, 'organization_id', NULL, 'group_ids', '[]'::jsonb,
                   'hidden', u.banned) AS o
        FROM users u
        WHERE u.role = 'contestant' AND NOT (rd.team_based AND EXISTS (
            SELECT 1 FROM team_members m WHERE m.user_id = u.id))
        UNION ALL
        SELECT 1, t.id, jsonb_build_object('id', 't' || t.id, 'name', t.name,
                   'display_name', NULL, 'organization_id', t.organization_id::text,
                   'group_ids', '[]'::jsonb, 'hidden', false)
        FROM teams t WHERE rd.team_based) x
$$;

CREATE FUNCTION api_organizations(rd rounds) RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT coalesce(jsonb_agg(jsonb_build_object('id', o.id::text, 'name', o.name,
               'formal_name', o.name) ORDER BY o.id), '[]'::jsonb)
    FROM organizations o WHERE rd.team_based
$$;

-- A submission's team_id: its author's competitor.
CREATE OR REPLACE FUNCTION api_submission(s submissions, p_jury boolean) RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object('id', s.api_seq::text, 'language_id', s.language_id::text,
        'problem_id', q.slug, 'team_id', board_competitor(r.id, s.user_id),
        'time', board_ts(s.created_at),
        'contest_time', api_ctime(r, s.created_at), 'entry_point', NULL,
        -- No sources for the public: the archive is the jury's.
        'files', CASE WHEN p_jury THEN jsonb_build_array(jsonb_build_object(
            'href', 'contests/' || r.slug || '/submissions/' || s.api_seq || '/files',
            'filename', 'files.zip', 'mime', 'application/zip')) ELSE '[]'::jsonb END)
    FROM questions q JOIN rounds r ON r.id = q.round_id WHERE q.id = s.question_id
$$;

-- 011's collections, with the teams and organizations above.
CREATE OR REPLACE FUNCTION api_objects(p_round bigint, p_type text, p_jury boolean) RETURNS jsonb
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
    WHEN 'groups' THEN
        res := '[]'::jsonb;
    WHEN 'organizations' THEN
        res := api_organizations(rd);
    WHEN 'teams' THEN
        res := api_teams(rd);
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


-- 011's counts per competitor (team_id: its key) instead of per user.
DROP FUNCTION api_problem_counts(bigint, boolean);
CREATE FUNCTION api_problem_counts(p_round bigint, p_jury boolean)
RETURNS TABLE (team_id text, slug text, judged bigint, pending bigint, minutes bigint)
LANGUAGE sql STABLE AS $$
    SELECT x.key, x.slug, count(*) FILTER (WHERE x.done AND NOT x.hidden),
           count(*) FILTER (WHERE x.hidden OR NOT x.done),
           GREATEST(0, floor(extract(epoch FROM min(x.created_at) FILTER (
               WHERE x.done AND NOT x.hidden AND x.score = x.best AND x.score > 0)
               - min(x.starts_at)) / 60))::bigint
    FROM (SELECT u.key, s.*, coalesce(r.starts_at, s.created_at) AS starts_at,
                 max(s.score) FILTER (WHERE s.done AND NOT s.hidden)
                     OVER (PARTITION BY u.key, s.slug) AS best
          FROM rounds r
          CROSS JOIN LATERAL (SELECT DISTINCT ON (1) board_competitor(r.id, x.user_id) AS key,
                                     x.user_id AS id
                              FROM submissions x JOIN questions q ON q.id = x.question_id
                              WHERE q.round_id = r.id ORDER BY 1, 2) u
          CROSS JOIN LATERAL board_subs(r.id, u.id, CASE WHEN NOT p_jury AND NOT r.unfrozen
                                                         THEN r.freeze_at END) s
          WHERE r.id = p_round) x
    GROUP BY x.key, x.slug
$$;

-- A round that becomes team-based (or individual) changes its
-- submissions' team_id: their events again.
CREATE FUNCTION api_round_teams() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    s submissions%ROWTYPE;
BEGIN
    IF NEW.team_based IS NOT DISTINCT FROM OLD.team_based THEN
        RETURN NULL;
    END IF;
    FOR s IN SELECT x.* FROM submissions x JOIN questions q ON q.id = x.question_id
             WHERE q.round_id = NEW.id AND api_is_team(x.user_id) ORDER BY x.api_seq LOOP
        PERFORM api_emit(NEW.id, 'submissions', s.api_seq::text, api_submission(s, true), 'jury');
        PERFORM api_emit(NEW.id, 'submissions', s.api_seq::text, api_submission(s, false),
            'public');
    END LOOP;
    RETURN NULL;
END
$$;
CREATE TRIGGER api_round_teams AFTER UPDATE OF team_based ON rounds
    FOR EACH ROW EXECUTE FUNCTION api_round_teams();
