-- ICPC/Kattis problem packages (pitwall-admin import-problem, docs/packages.md).
-- Testcase input and answer stay text: every program reads them as text
-- today (worker, embedded judge, /run, /questions, export), so the import
-- refuses files that are not UTF-8 without NUL bytes, naming the file.
ALTER TABLE questions
    ADD COLUMN validator       text NOT NULL DEFAULT 'default'
               CHECK (validator IN ('default', 'custom', 'interactive')),
    ADD COLUMN validator_flags text NOT NULL DEFAULT '',
    ADD COLUMN problem_type    text NOT NULL DEFAULT 'pass-fail'
               CHECK (problem_type IN ('pass-fail', 'scoring')),
    ADD COLUMN output_limit_kb integer CHECK (output_limit_kb BETWEEN 1 AND 1048576),
    ADD COLUMN package_format  text CHECK (package_format IN ('legacy', '2023-07'));

-- The test data group a testcase belongs to: its folder under data/
-- ("sample", "secret/group1"); '' for questions from Pitwall's own format.
ALTER TABLE testcases
    ADD COLUMN group_path text NOT NULL DEFAULT '';

-- Every group of a package question with the testdata.yaml in effect.
CREATE TABLE testcase_groups (
    question_id bigint NOT NULL REFERENCES questions(id) ON DELETE CASCADE,
    path        text NOT NULL,
    ordinal     integer NOT NULL,
    settings    jsonb,
    PRIMARY KEY (question_id, path)
);

-- Custom output validator (or interactor) sources, built later per package.
CREATE TABLE validator_sources (
    question_id bigint NOT NULL REFERENCES questions(id) ON DELETE CASCADE,
    path        text NOT NULL,
    content     bytea NOT NULL,
    PRIMARY KEY (question_id, path)
);
