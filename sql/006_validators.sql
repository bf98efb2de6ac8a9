-- Output validators (docs/judge.md, docs/packages.md): what a validator
-- said about one testcase.  judge_message is judgemessage.txt (or the
-- default validator's reason for a Wrong Answer), for the jury only;
-- team_message is teammessage.txt, shown to the contestant; validator_score
-- is score.txt of a custom validator (NULL when none), read by scoring.
ALTER TABLE submission_results
    ADD COLUMN IF NOT EXISTS judge_message   text,
    ADD COLUMN IF NOT EXISTS team_message    text,
    ADD COLUMN IF NOT EXISTS validator_score numeric;
