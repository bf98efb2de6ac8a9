-- Pitwall schema (DESIGN.md §4).  Constraints make bad data impossible:
-- every reference is a foreign key, every enum a CHECK, and a testcase's
-- result can exist once per submission.

CREATE TABLE users (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email         text NOT NULL,
    name          text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    password_hash text NOT NULL,
    role          text NOT NULL DEFAULT 'contestant'
                  CHECK (role IN ('contestant', 'admin')),
    banned        boolean NOT NULL DEFAULT false,
    created_at    timestamptz NOT NULL DEFAULT now(),
    CHECK (email ~ '^[^@\s]+@[^@\s]+$' AND length(email) <= 254)
);
CREATE UNIQUE INDEX users_email_key ON users (lower(email));

CREATE TABLE rounds (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    slug       text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9][a-z0-9_-]{0,63}$'),
    name       text NOT NULL,
    starts_at  timestamptz,
    ends_at    timestamptz,
    minutes    integer NOT NULL DEFAULT 180 CHECK (minutes BETWEEN 1 AND 100000),
    CHECK (starts_at IS NULL OR ends_at IS NULL OR ends_at > starts_at)
);

CREATE TABLE languages (
    judge0_id       integer PRIMARY KEY CHECK (judge0_id > 0),
    name            text NOT NULL,
    time_multiplier numeric(6,2) NOT NULL DEFAULT 1 CHECK (time_multiplier > 0),
    enabled         boolean NOT NULL DEFAULT true
);

CREATE TABLE questions (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    round_id        bigint NOT NULL REFERENCES rounds(id) ON DELETE RESTRICT,
    slug            text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9][a-z0-9_-]{0,63}$'),
    title           text NOT NULL,
    statement       text NOT NULL DEFAULT '',
    points          integer NOT NULL DEFAULT 100 CHECK (points BETWEEN 0 AND 1000000),
    time_limit_ms   integer NOT NULL DEFAULT 1000 CHECK (time_limit_ms BETWEEN 1 AND 60000),
    memory_limit_kb integer NOT NULL DEFAULT 262144 CHECK (memory_limit_kb BETWEEN 2048 AND 4194304),
    checker         text NOT NULL DEFAULT 'exact' CHECK (checker IN ('exact'))
);
CREATE INDEX questions_round_idx ON questions (round_id);

CREATE TABLE testcases (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    question_id     bigint NOT NULL REFERENCES questions(id) ON DELETE CASCADE,
    ordinal         integer NOT NULL CHECK (ordinal >= 0),
    name            text NOT NULL,
    input           text NOT NULL,
    expected_output text NOT NULL,
    is_sample       boolean NOT NULL DEFAULT false,
    points          integer NOT NULL DEFAULT 1 CHECK (points BETWEEN 0 AND 1000000),
    UNIQUE (question_id, ordinal),
    UNIQUE (question_id, name)
);

CREATE TABLE submissions (
    id            uuid PRIMARY KEY,
    user_id       bigint NOT NULL REFERENCES users(id),
    question_id   bigint NOT NULL REFERENCES questions(id),
    language_id   integer NOT NULL REFERENCES languages(judge0_id),
    source        text NOT NULL,
    status        text NOT NULL DEFAULT 'judging'
                  CHECK (status IN ('queued', 'judging', 'done')),
    total         integer NOT NULL CHECK (total > 0),
    done          integer NOT NULL DEFAULT 0,
    passed        integer NOT NULL DEFAULT 0,
    failed        integer NOT NULL DEFAULT 0,
    score         numeric(12,4),
    max_time_ms   integer,
    max_memory_kb integer,
    created_at    timestamptz NOT NULL,
    finished_at   timestamptz,
    CHECK (done BETWEEN 0 AND total),
    CHECK (passed + failed = done),
    CHECK ((status = 'done') = (finished_at IS NOT NULL)),
    CHECK (status <> 'done' OR done = total)
);
CREATE INDEX submissions_user_idx ON submissions (user_id, created_at DESC);
CREATE INDEX submissions_question_idx ON submissions (question_id);
CREATE INDEX submissions_unfinished_idx ON submissions (created_at) WHERE status <> 'done';

CREATE TABLE submission_results (
    submission_id  uuid NOT NULL REFERENCES submissions(id) ON DELETE CASCADE,
    testcase_id    bigint NOT NULL REFERENCES testcases(id),
    judge_token    text,
    status_id      integer NOT NULL CHECK (status_id BETWEEN 1 AND 14),
    verdict        text NOT NULL CHECK (verdict IN ('AC', 'WA', 'TLE', 'CE', 'RE', 'IE')),
    passed         boolean NOT NULL,
    time_ms        integer CHECK (time_ms >= 0),
    memory_kb      integer CHECK (memory_kb >= 0),
    output_excerpt text,
    message        text,
    created_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (submission_id, testcase_id)
);
CREATE INDEX submission_results_testcase_idx ON submission_results (testcase_id);

CREATE TABLE best_scores (
    user_id       bigint NOT NULL REFERENCES users(id),
    question_id   bigint NOT NULL REFERENCES questions(id),
    score         numeric(12,4) NOT NULL CHECK (score >= 0),
    submission_id uuid NOT NULL REFERENCES submissions(id),
    achieved_at   timestamptz NOT NULL,
    PRIMARY KEY (user_id, question_id)
);
