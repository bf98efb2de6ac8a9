-- The Contest API's clarifications, the problems' balloon colours, and
-- the event log's pruning (docs/contest-api.md).
--
-- api_objects() of sql/011 (or of a later migration before this one) is
-- kept as api_objects_base() and wrapped: this one adds the
-- clarifications collection and the colours of the problems, and leaves
-- every other collection to the base.  A later migration that replaces
-- api_objects() must keep this wrapper's two additions.

-- Balloon colours of a question, when its package gives them: rgb the
-- specification's "#rgb" / "#rrggbb", color a name ("blue").
ALTER TABLE questions
    ADD COLUMN rgb text CHECK (rgb ~ '^#[0-9A-Fa-f]{3}([0-9A-Fa-f]{3})?$'),
    ADD COLUMN color text CHECK (char_length(color) BETWEEN 1 AND 64
                                 AND color !~ '[[:cntrl:]]');

-- The team of a contestant in a round: the competitor of the boards
-- (sql/012, board_competitor: "t<team id>" in a team-based round, else
-- the user, a team of one); an admin is no team (api_is_team).  The one
-- place a clarification names its team.
CREATE FUNCTION api_team_id(p_user bigint, p_round bigint) RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN api_is_team(p_user) THEN board_competitor(p_round, p_user) END
$$;

-- The clarification messages of round p_round, as the endpoint gives
-- them (p_jury: the jury's view).  One row of clarifications is one or
-- two messages:
--   - the question (id: the row's id) from its team, or the jury's
--     announcement (no team: from and to null);
--   - its answer once there is one (id "<id>-a", reply_to_id the
--     question), from the jury to the asking team, or to everyone
--     (to_team_id null) when answered publicly.
-- The public sees announcements and publicly answered questions only;
-- such a question has no from_team_id there (who asked is never public,
-- sql/008): the jury passes its text on to everyone.  A question about a
-- problem belongs to that problem's round; a general one (and every
-- announcement) to every round.  A question of an account that is not a
-- team (an admin) is not shown, as its submissions are not.
CREATE FUNCTION api_clarifications(p_round bigint, p_jury boolean) RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT coalesce(jsonb_agg(m.o ORDER BY c.id, m.k), '[]'::jsonb)
    FROM rounds r
    JOIN clarifications c ON c.question_id IS NULL
        OR c.question_id IN (SELECT x.id FROM questions x WHERE x.round_id = r.id)
    LEFT JOIN questions q ON q.id = c.question_id
    CROSS JOIN LATERAL (
        SELECT 0 AS k, jsonb_build_object('id', c.id::text,
            'from_team_id', CASE WHEN p_jury THEN api_team_id(c.user_id, r.id) END,
            'to_team_id', NULL, 'reply_to_id', NULL, 'problem_id', q.slug,
            'text', c.text, 'time', board_ts(c.created_at),
            'contest_time', api_ctime(r, c.created_at)) AS o
        WHERE p_jury OR c.public
        UNION ALL
        SELECT 1, jsonb_build_object('id', c.id || '-a', 'from_team_id', NULL,
            'to_team_id', CASE WHEN NOT c.public THEN api_team_id(c.user_id, r.id) END,
            'reply_to_id', c.id::text, 'problem_id', q.slug, 'text', c.answer,
            'time', board_ts(c.answered_at), 'contest_time', api_ctime(r, c.answered_at))
        WHERE c.answer IS NOT NULL AND (p_jury OR c.public)) m
    WHERE r.id = p_round AND (c.user_id IS NULL OR api_is_team(c.user_id))
$$;

ALTER FUNCTION api_objects(bigint, text, boolean) RENAME TO api_objects_base;

CREATE FUNCTION api_objects(p_round bigint, p_type text, p_jury boolean) RETURNS jsonb
LANGUAGE plpgsql STABLE AS $$
DECLARE
    res jsonb;
BEGIN
    IF p_type = 'clarifications' THEN
        IF NOT EXISTS (SELECT 1 FROM rounds WHERE id = p_round) THEN
            RETURN NULL;
        END IF;
        RETURN api_clarifications(p_round, p_jury);
    END IF;
    res := api_objects_base(p_round, p_type, p_jury);
    IF p_type <> 'problems' OR res IS NULL THEN
        RETURN res;
    END IF;
    -- rgb and color only when the package gave them: the schema's are
    -- strings, not null.
    SELECT coalesce(jsonb_agg((o - 'rgb' - 'color') || jsonb_strip_nulls(
               jsonb_build_object('rgb', q.rgb, 'color', q.color)) ORDER BY n), '[]'::jsonb)
    INTO res
    FROM jsonb_array_elements(res) WITH ORDINALITY x(o, n)
    LEFT JOIN questions q ON q.round_id = p_round AND q.slug = o->>'id';
    RETURN res;
END
$$;

-- A clarification's change: the clarifications of the rounds it belongs
-- to, in both views, into the event log (api_sync: only what differs).
-- The feed syncs them too before each read (what changes without a
-- write here: a round's start, a question's slug, an asker's role).
CREATE FUNCTION api_clar_events() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    qids bigint[] := ARRAY[]::bigint[];
    general boolean := false;
    rid bigint;
BEGIN
    IF TG_OP <> 'DELETE' THEN
        general := NEW.question_id IS NULL;
        qids := qids || NEW.question_id;
    END IF;
    IF TG_OP <> 'INSERT' THEN
        general := general OR OLD.question_id IS NULL;
        qids := qids || OLD.question_id;
    END IF;
    FOR rid IN SELECT r.id FROM rounds r WHERE general
               OR r.id IN (SELECT q.round_id FROM questions q WHERE q.id = ANY (qids))
               ORDER BY r.id LOOP
        PERFORM api_sync(rid, 'jury', 'clarifications', api_clarifications(rid, true));
        PERFORM api_sync(rid, 'public', 'clarifications', api_clarifications(rid, false));
    END LOOP;
    RETURN NULL;
END
$$;

CREATE TRIGGER api_clar_events AFTER INSERT OR UPDATE OR DELETE ON clarifications
    FOR EACH ROW EXECUTE FUNCTION api_clar_events();

-- The clarifications made before this migration, once.
DO $$
DECLARE
    rid bigint;
BEGIN
    FOR rid IN SELECT id FROM rounds ORDER BY id LOOP
        PERFORM api_sync(rid, 'jury', 'clarifications', api_clarifications(rid, true));
        PERFORM api_sync(rid, 'public', 'clarifications', api_clarifications(rid, false));
    END LOOP;
END
$$;

-- Pruning the event log (pitwall-admin events prune): an event written
-- before p_before is deleted when a later event of the same object
-- (round, type, view, id) exists.  The last event of every object stays,
-- deletions included, so a replay from the start still gives every
-- object's current state (the endpoints), and a reader resuming from any
-- token still gets the last word on everything that changed after it;
-- only intermediate states older than the bound go, which the
-- specification never promises (two changes may be one event).  Tokens
-- stay valid.  Returns how many events were deleted.
CREATE FUNCTION api_prune(p_before timestamptz) RETURNS bigint
LANGUAGE sql AS $$
    WITH gone AS (
        DELETE FROM api_events e
        WHERE e.created_at < p_before
          AND EXISTS (SELECT 1 FROM api_events n
                      WHERE n.round_id = e.round_id AND n.type = e.type
                        AND n.audience = e.audience
                        AND (n.obj_id = e.obj_id OR (n.obj_id IS NULL AND e.obj_id IS NULL))
                        AND n.id > e.id)
        RETURNING 1)
    SELECT count(*) FROM gone
$$;
