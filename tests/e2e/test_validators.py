"""Custom and interactive validators end to end on the embedded judge:
the fixture packages under tests/packages (a C++ validator with a local
header, a Python validator, an interactive problem) imported with
import-problem, their jury submissions judged in the sandbox with the
verdict their folder names; validator faults (crash, loop, huge
judgemessage, exit 0) are IE, never AC; what the team and the jury see;
a submission cannot reach the answer or the validator."""
import os
import shutil
import tempfile

from contest import auth, jwt, make_round, make_user, submission, submit, wait_done
from pw import BIN, ROOT, URL, eq, get, http, psql, redis, run

ADMIN = os.path.join(BIN, "pitwall-admin")
PKGS = os.path.join(ROOT, "tests", "packages")
LANGS = {".py": 71, ".c": 50, ".cpp": 54}
# The folder's verdict: the first testcase not accepted (AC when none).
EXPECT = {"accepted": "AC", "wrong_answer": "WA", "time_limit_exceeded": "TLE",
          "run_time_error": "RE"}
S = {}


def setup_module():
    # Open, but ending after the demo's r1 (180 minutes): the page's current
    # round, the one ending first, stays r1 for the browser tests after us.
    S["round"] = make_round(ends_in=7 * 86400)
    S["slug"] = psql(f"SELECT slug FROM rounds WHERE id = {S['round']}")
    S["tok"] = jwt(make_user())
    S["tmp"] = tempfile.mkdtemp(prefix="pw-val-", dir=os.environ.get("PITWALL_TEST_TMP"))


def teardown_module():
    shutil.rmtree(S["tmp"], ignore_errors=True)
    psql(f"UPDATE rounds SET ends_at = now() - interval '1 second' WHERE id = {S['round']}")
    redis("DEL", "pitwall:rounds")


def import_pkg(path, slug):
    run([ADMIN, "import-problem", path, "--round", S["slug"], "--slug", slug])
    return int(psql(f"SELECT id FROM questions WHERE slug = '{slug}'"))


def judge(qid, source, lang):
    r = submit(S["tok"], qid, source=source, lang=lang)
    eq(r.status, 202, f"submit {r!r}")
    sid = r.json()["submission_id"]
    wait_done(sid, timeout=240)
    return sid


def rows(sid):
    out = psql("SELECT sr.verdict, coalesce(sr.message, ''), coalesce(sr.judge_message, ''),"
               " coalesce(sr.team_message, '') FROM submission_results sr"
               " JOIN testcases t ON t.id = sr.testcase_id"
               f" WHERE sr.submission_id = '{sid}' ORDER BY t.ordinal")
    return [r.split("|") for r in out.split("\n") if r]


def first_not_ac(verdicts):
    return next((v for v in verdicts if v != "AC"), "AC")


def jury_submissions(name):
    base = os.path.join(PKGS, name, "submissions")
    for folder in sorted(os.listdir(base)):
        for f in sorted(os.listdir(os.path.join(base, folder))):
            yield folder, f, open(os.path.join(base, folder, f)).read(), \
                LANGS[os.path.splitext(f)[1]]


def check_package(name):
    qid = import_pkg(os.path.join(PKGS, name), f"{name}-{S['slug']}")
    got = []
    for folder, f, src, lang in jury_submissions(name):
        sid = judge(qid, src, lang)
        verdicts = [r[0] for r in rows(sid)]
        got.append((f, EXPECT[folder], first_not_ac(verdicts), verdicts))
    bad = [g for g in got if g[1] != g[2]]
    assert not bad, f"{name}: expected/got {bad}"
    return qid


def test_cpp_validator_with_local_header():
    qid = check_package("casecmp")
    # What the team sees: teammessage.txt; never judgemessage.txt.
    sid = judge(qid, "print('nope')\n", 71)
    r = rows(sid)
    eq([x[0] for x in r], ["WA", "WA", "WA"], "verdicts")
    eq(r[1][2], "expected Pitwall, got nope", "judge message kept for the jury")
    eq(r[1][3], "wrong word", "team message stored")
    body = submission(S["tok"], sid).json()
    eq([x.get("team_message") for x in body["results"]], ["wrong word"] * 3, "team message shown")
    assert "expected Pitwall" not in str(body), body


def test_python_validator():
    check_package("twosum")


def test_interactive():
    check_package("guess")


FAULTS = {
    "crash": "import os\nos.abort()\n",
    "loop": "while True:\n    pass\n",
    "huge": "import os, sys\nwith open(os.path.join(sys.argv[3], 'judgemessage.txt'), 'w') as f:\n"
            "    while True:\n        f.write('x' * 65536)\n",
    "exit0": "import sys\nsys.exit(0)\n",
}


def test_validator_faults_are_internal_errors():
    for fault, code in FAULTS.items():
        pkg = os.path.join(S["tmp"], "twosum-" + fault)
        shutil.copytree(os.path.join(PKGS, "twosum"), pkg)
        with open(os.path.join(pkg, "output_validator", "validator.py"), "w") as f:
            f.write(code)
        qid = import_pkg(pkg, f"fault-{fault}-{S['slug']}")
        sid = judge(qid, "n = int(input())\nprint(n // 2, n - n // 2)\n", 71)
        r = rows(sid)
        eq([x[0] for x in r], ["IE"] * 3, f"{fault}: IE, never AC")
        assert "validator" in r[0][1], f"{fault}: the jury is told why: {r[0]}"
        row = psql(f"SELECT status, passed, score::float8 FROM submissions WHERE id = '{sid}'")
        eq(row, "done|0|0", f"{fault}: nothing passed")


def test_submission_cannot_reach_answer_or_validator():
    qid = int(psql(f"SELECT id FROM questions WHERE slug = 'twosum-{S['slug']}'"))
    # Exit 3 (RE) when anything of the validator's box is visible.
    spy = ("import os, sys\n"
           "seen = set(os.listdir('.')) | set(os.listdir('/box'))\n"
           "for p in ('pitwall_answer', 'pitwall_input', 'validator.py', '../pitwall_answer'):\n"
           "    if os.path.exists(p) or os.path.exists('/box/' + p): sys.exit(3)\n"
           "if seen - {'script.py', '__pycache__'}: sys.exit(4)\n"
           "n = int(input())\nprint(0, n)\n")
    sid = judge(qid, spy, 71)
    eq([x[0] for x in rows(sid)], ["AC", "AC", "AC"], "the box holds the submission alone")


def run_samples(qid, source, lang=71):
    r = http("POST", URL + "/run", body={"question_id": qid, "language_id": lang,
                                        "source_code": source}, headers=auth(S["tok"]), timeout=240)
    eq(r.status, 200, f"/run {r!r}")
    return r.json()


def test_run_is_judged_by_the_questions_validator():
    # Custom C++ validator (case-insensitive): exact comparison would be WA.
    qid = import_pkg(os.path.join(PKGS, "casecmp"), f"run-casecmp-{S['slug']}")
    body = run_samples(qid, "print(input().upper())\n")
    eq([x["verdict"] for x in body["results"]], ["AC"], f"custom validator: {body}")
    body = run_samples(qid, "print('nope')\n")
    eq([x["verdict"] for x in body["results"]], ["WA"], "custom validator WA")
    eq(body["results"][0].get("team_message"), "wrong word", "teammessage.txt shown")
    assert "expected" not in str(body["results"][0].get("team_message")), body
    assert "Pitwall, got" not in str(body), "judgemessage.txt never shown"
    # The default validator with the package's flags (float tolerance 1e-6).
    qid = import_pkg(os.path.join(PKGS, "floatavg"), f"run-floatavg-{S['slug']}")
    body = run_samples(qid, "input()\nprint('2.3333333334')\n")
    eq([x["verdict"] for x in body["results"]], ["AC"], f"float tolerance: {body}")
    body = run_samples(qid, "input()\nprint('2.34')\n")
    eq([x["verdict"] for x in body["results"]], ["WA"], "beyond the tolerance")


def test_run_interactive_runs_the_interactor():
    qid = import_pkg(os.path.join(PKGS, "guess"), f"run-guess-{S['slug']}")
    src = open(os.path.join(PKGS, "guess", "submissions", "accepted", "bisect.py")).read()
    body = run_samples(qid, src)
    eq([x["verdict"] for x in body["results"]], ["AC"], f"interactive sample: {body}")
    res = body["results"][0]
    eq(res["input"], None, "the interactor's input is not the program's")
    eq(res["interaction"], open(os.path.join(PKGS, "guess/data/sample/1.interaction")).read(),
       "the .interaction shown")
    # The statement's samples: the .interaction, never the raw .in.
    admin = jwt(make_user(role="admin"), role="admin")
    r = get(f"/questions?round={S['slug']}", headers=auth(admin))
    eq(r.status, 200, f"{r!r}")
    q = next(x for x in r.json()["questions"] if x["id"] == qid)
    eq([(x["input"], x["expected_output"], x["interaction"]) for x in q["samples"]],
       [(None, None, res["interaction"])], "interactive samples")


def test_group_flags_per_testcase():
    qid = import_pkg(os.path.join(PKGS, "groupflags"), f"groupflags-{S['slug']}")
    src = open(os.path.join(PKGS, "groupflags", "submissions", "wrong_answer", "quarter.py")).read()
    sid = judge(qid, src, 71)
    # sample and secret/loose: the root's tolerance 0.5; secret/tight and
    # secret/tight/deep: 0.001.
    eq([x[0] for x in rows(sid)], ["AC", "AC", "WA", "WA"], "each group's flags")
    body = run_samples(qid, src)
    eq([x["verdict"] for x in body["results"]], ["AC"], "/run: the sample's flags")


def test_validation_time_limit_applies():
    slow = "import sys, time\ntime.sleep(2.5)\nsys.exit(42)\n"
    for limit, want in ((None, "AC"), ("0.5", "IE")):
        pkg = os.path.join(S["tmp"], f"twosum-slow-{limit}")
        shutil.copytree(os.path.join(PKGS, "twosum"), pkg)
        with open(os.path.join(pkg, "output_validator", "validator.py"), "w") as f:
            f.write(slow)
        if limit:
            with open(os.path.join(pkg, "problem.yaml"), "a") as f:
                f.write(f"  validation_time: {limit}\n")
        qid = import_pkg(pkg, f"slowval-{'x' if limit is None else 'l'}-{S['slug']}")
        sid = judge(qid, "n = int(input())\nprint(n // 2, n - n // 2)\n", 71)
        eq({x[0] for x in rows(sid)}, {want}, f"validation_time {limit}")


def test_binary_test_data():
    # The bytes reach the program and the default validator unchanged.
    qid = check_package("binrev")
    src = open(os.path.join(PKGS, "binrev", "submissions", "accepted", "rev.py")).read()
    body = run_samples(qid, src)
    eq([(x["verdict"], x["input"], x["expected_output"]) for x in body["results"]],
       [("AC", None, None)], "/run: AC, binary files not shown as text")
