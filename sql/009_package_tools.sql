-- Package tools (pitwall-admin verify, export-problem) and the languages
-- added with them.

-- The time limit `verify --store` computed from the package's jury
-- submissions (slowest accepted x the time multiplier, problemtools'
-- rule); import-problem uses it when neither --time-limit, limits.time_limit
-- nor a .timelimit file gives one.
ALTER TABLE questions
    ADD COLUMN IF NOT EXISTS verified_time_limit_ms integer
        CHECK (verified_time_limit_ms BETWEEN 1 AND 60000);

-- Rust, Go and Kotlin with Judge0 CE's ids and names; `pitwall-admin
-- language sync` renames them (and the others) after the installed
-- versions the judge reports.  Kotlin runs on the JVM: Java's multiplier.
INSERT INTO languages (judge0_id, name, time_multiplier, enabled) VALUES
    (60, 'Go (1.13.5)', 1.0, true),
    (73, 'Rust (1.40.0)', 1.0, true),
    (78, 'Kotlin (1.3.70)', 2.0, true)
ON CONFLICT (judge0_id) DO NOTHING;
