"""Output validators in the worker, through the fake Judge0: a question
imported from a problem package is judged by the package's default
validator (lib/outval.c) with its validator_flags, a Pitwall-native one
by Judge0's exact rule as before, and a custom one never on the word of
a Judge0 that did not run its validator."""
import os

from client import FakeJudge0
from contest import jwt, make_question, make_round, make_user, results, submit, wait_done
from pw import BIN, ENV, ROOT, eq, psql, redis, run

FAKE = FakeJudge0(os.environ.get("PITWALL_FAKE_JUDGE0_URL", ENV.get("JUDGE0_URL", "")))
ADMIN = os.path.join(BIN, "pitwall-admin")
PKGS = os.path.join(ROOT, "tests", "packages")
S = {}


def setup_module():
    S["round"] = make_round()
    S["slug"] = psql(f"SELECT slug FROM rounds WHERE id = {S['round']}")
    S["tok"] = jwt(make_user())


def import_pkg(name):
    run([ADMIN, "import-problem", os.path.join(PKGS, name), "--round", S["slug"],
         "--slug", name + "-" + S["slug"]])
    return int(psql(f"SELECT id FROM questions WHERE slug = '{name}-{S['slug']}'"))


def judged(qid, rules):
    """Submit under the fake's rules {stdin: stdout}; the verdicts in order."""
    FAKE.reset()
    FAKE.set_rules([{"match": {"stdin": i}, "action": {"stdout": o}} for i, o in rules.items()])
    r = submit(S["tok"], qid)
    eq(r.status, 202, f"submit {r!r}")
    sid = r.json()["submission_id"]
    wait_done(sid)
    return sid, [v for _, v, _ in results(sid)]


def judge_messages(sid):
    return psql(f"SELECT coalesce(sr.judge_message, '-') FROM submission_results sr"
                f" JOIN testcases t ON t.id = sr.testcase_id WHERE sr.submission_id = '{sid}'"
                f" ORDER BY t.ordinal").split("\n")


def test_float_tolerance():
    qid = import_pkg("floatavg")
    # Numbers equal within float_tolerance 1e-6 but not as text.
    _, v = judged(qid, {"3\n1 2 4\n": "2.3333333333333335\n", "2\n0 1\n": "0.5000001\n",
                        "1\n1000000000\n": "1000000000.0\n"})
    eq(v, ["AC", "AC", "AC"], "within the tolerance")
    sid, v = judged(qid, {"3\n1 2 4\n": "2.33333\n", "2\n0 1\n": "0.5\n",
                          "1\n1000000000\n": "1000002000\n"})
    eq(v, ["WA", "AC", "WA"], "beyond the tolerance (absolute, then relative)")
    msgs = judge_messages(sid)
    assert "got '2.33333'" in msgs[0] and "expected '2.333333333'" in msgs[0], msgs
    eq(msgs[1], "-", "no judge message on AC")
    eq(psql(f"SELECT count(*) FROM submission_results WHERE submission_id = '{sid}'"
            " AND team_message IS NOT NULL"), "0", "nothing for the team")


def test_case_and_space_flags():
    qid = import_pkg("shout")
    _, v = judged(qid, {"hello  world\n": "HELLO  WORLD\n", "a b\n": "A B\n", "x\n": "X"})
    # case_sensitive + space_change_sensitive: "X" without its newline differs
    # in the trailing whitespace run, which space_change_sensitive compares.
    eq(v, ["AC", "AC", "WA"], "space_change_sensitive counts the final newline")
    _, v = judged(qid, {"hello  world\n": "HELLO  WORLD\n", "a b\n": "A  B\n", "x\n": "x\n"})
    eq(v, ["AC", "WA", "WA"], "a doubled space, then the wrong case")


def test_default_flags_are_lenient():
    # Same package data with no flags: case and spaces do not matter.
    qid = import_pkg("shout")
    psql(f"UPDATE questions SET validator_flags = '' WHERE id = {qid}")
    redis("DEL", f"pitwall:q:{qid}")
    _, v = judged(qid, {"hello  world\n": "  hello\nWORLD", "a b\n": "a\n\tb\n", "x\n": "x\n"})
    eq(v, ["AC", "AC", "AC"], "case-insensitive, any whitespace")


def test_native_question_keeps_exact_rule():
    qid, _ = make_question(S["round"], [("2\n0 1\n", "0.5\n"), ("a b\n", "A B\n")])
    _, v = judged(qid, {"2\n0 1\n": "0.5000001\n", "a b\n": "A B   \n\n"})
    eq(v, ["WA", "AC"], "Judge0's rule: text, trailing white space ignored")


def test_custom_needs_the_judges_validation():
    # A Judge0 that ignores pitwall_validator answers 3 for a clean run: that
    # says nothing about the output, so the result is IE, never AC.
    qid = import_pkg("shout")
    psql(f"UPDATE questions SET validator = 'custom' WHERE id = {qid}")
    redis("DEL", f"pitwall:q:{qid}")
    sid, v = judged(qid, {"hello  world\n": "HELLO  WORLD\n", "a b\n": "A B\n", "x\n": "X\n"})
    eq(v, ["IE", "IE", "IE"], "no validation: IE")
    assert "validator" in judge_messages(sid)[0], judge_messages(sid)


def test_real_judge0_refuses_custom_and_interactive():
    # This stack's JUDGE0_URL is another Judge0 (PITWALL_JUDGE_EMBEDDED=0).
    slug = "guess-" + S["slug"]
    p = run([ADMIN, "import-problem", os.path.join(PKGS, "guess"), "--round", S["slug"],
             "--slug", slug], check=False)
    eq(p.returncode, 1, f"refused: {p.stderr}")
    assert "interactive validator needs Pitwall's embedded judge" in p.stderr, p.stderr
    eq(psql(f"SELECT count(*) FROM questions WHERE slug = '{slug}'"), "0", "nothing stored")
