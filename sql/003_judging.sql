-- How many times a submission was rejudged (0: never).  Attempt numbers
-- carry it (lib/attempt.h), so the worker can refuse a result of an
-- earlier judging that arrives after a rejudge.
ALTER TABLE submissions
    ADD COLUMN judging integer NOT NULL DEFAULT 0 CHECK (judging BETWEEN 0 AND 998);
