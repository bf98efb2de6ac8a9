-- Clarifications and announcements (issue 16.3), and a submission's
-- compiler output (16.6).
--
-- A clarification is a contestant's question (user_id: the asker) about a
-- problem (question_id) or in general (question_id NULL); the jury
-- answers it privately (public false: only the asker sees it) or to
-- everyone (public true).  An announcement is the jury's own message:
-- no asker, always public.  A contestant sees their own rows and the
-- public ones, nothing else (fcgi/route_clarifications.c).
--
-- seq is a change counter: every insert and every answer takes the next
-- value, so `GET /clarifications?since=<seq>` returns exactly what changed
-- after the last poll (an answer moves an old question forward).
CREATE SEQUENCE clarification_seq;

CREATE TABLE clarifications (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id     bigint REFERENCES users(id),
    question_id bigint REFERENCES questions(id) ON DELETE SET NULL,
    text        text NOT NULL CHECK (char_length(text) BETWEEN 1 AND 4000),
    answer      text CHECK (char_length(answer) BETWEEN 1 AND 4000),
    public      boolean NOT NULL DEFAULT false,
    answered_by bigint REFERENCES users(id),
    created_at  timestamptz NOT NULL DEFAULT now(),
    answered_at timestamptz,
    seq         bigint NOT NULL DEFAULT nextval('clarification_seq'),
    -- An announcement (no asker) is for everyone and answers nothing.
    CHECK (user_id IS NOT NULL OR (public AND answer IS NULL)),
    CHECK ((answer IS NULL) = (answered_at IS NULL))
);
ALTER SEQUENCE clarification_seq OWNED BY clarifications.seq;
CREATE INDEX clarifications_user_idx ON clarifications (user_id, seq);
CREATE INDEX clarifications_public_idx ON clarifications (seq) WHERE public;
CREATE INDEX clarifications_seq_idx ON clarifications (seq);

-- The compiler's output of a submission that did not compile, once per
-- submission (each testcase's result carries it again), cut to
-- OUTPUT_LIMIT_BYTES by the worker.  PROTOCOL.md: added by C.
ALTER TABLE submissions ADD COLUMN IF NOT EXISTS compile_output text;
