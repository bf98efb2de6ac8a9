-- Package test data and judging beyond sql/005 (docs/packages.md).
--
-- Binary test files: a package's .in or .ans that is not UTF-8 text
-- without NUL bytes keeps its bytes in input_bytes / answer_bytes (the
-- text column then holds ''); every reader takes the bytes when they are
-- there.  Text files stay in input / expected_output as before, so
-- Pitwall's own format and every text path are unchanged.
--
-- validator_flags: the output validator flags of the testcase's group
-- (testdata.yaml's output_validator_flags / output_validator_args, each
-- key inherited down the tree, after problem.yaml's validator_flags);
-- NULL: the question's validator_flags.
--
-- interaction: an interactive sample's .interaction file, shown instead
-- of its input (which only the interactor reads).
--
-- validation_time_ms, validation_memory_kb: the package's
-- limits.validation_time and limits.validation_memory for every run of a
-- custom validator or interactor; NULL: the judge's defaults.
ALTER TABLE testcases
    ADD COLUMN IF NOT EXISTS input_bytes     bytea,
    ADD COLUMN IF NOT EXISTS answer_bytes    bytea,
    ADD COLUMN IF NOT EXISTS validator_flags text,
    ADD COLUMN IF NOT EXISTS interaction     text;
ALTER TABLE questions
    ADD COLUMN IF NOT EXISTS validation_time_ms   integer
        CHECK (validation_time_ms BETWEEN 1 AND 60000),
    ADD COLUMN IF NOT EXISTS validation_memory_kb integer
        CHECK (validation_memory_kb BETWEEN 2048 AND 4194304);
