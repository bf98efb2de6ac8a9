"""End to end on the embedded judge (no fake): the demo package, real C
and Python programs compiled and run in the sandbox, verdicts, scores."""
import os
import time

from contest import auth, jwt, make_question, make_user, results, submission, submit, wait_done
from pw import BIN, ENV, URL, eq, http, psql, run

S = {}
SUM_OK = '#include <stdio.h>\nint main(void){long long a,b;scanf("%lld %lld",&a,&b);printf("%lld\\n",a+b);return 0;}\n'
SLEEPER = '#include <unistd.h>\nint main(void){sleep(30);return 0;}\n'
SUM_WRONG = '#include <stdio.h>\nint main(void){long long a,b;scanf("%lld %lld",&a,&b);printf("%lld\\n",a-b);return 0;}\n'


def setup_module():
    run([os.path.join(BIN, "pitwall-admin"), "import", "demo/contest"])
    run([os.path.join(BIN, "pitwall-admin"), "round", "open", "r1"])
    S["qid"] = int(psql("SELECT id FROM questions WHERE slug = 'sum'"))
    S["uid"] = make_user()
    S["tok"] = jwt(S["uid"])


def test_run_wrong_solution_is_wrong_answer():
    r = http("POST", URL + "/run", body={"question_id": S["qid"], "language_id": 50,
                                        "source_code": SUM_WRONG}, headers=auth(S["tok"]), timeout=120)
    eq(r.status, 200, f"{r!r}")
    body = r.json()
    eq(body["passed"], 0, "passed")
    assert body["total"] >= 1
    eq({x["verdict"] for x in body["results"]}, {"WA"}, "verdicts")


def test_submit_right_solution_scores_full():
    r = submit(S["tok"], S["qid"], source=SUM_OK, lang=50)
    eq(r.status, 202, f"{r!r}")
    sid = r.json()["submission_id"]
    row = wait_done(sid, timeout=180)
    eq(row[3:5], [row[2], "0"], "all passed")
    eq(float(row[5]), 100.0, "score")
    body = submission(S["tok"], sid).json()
    eq({x["verdict"] for x in body["results"]}, {"AC"}, "verdicts")
    assert all(x["time_ms"] is not None for x in body["results"]), body


def test_compile_error_and_python_runtime_error():
    r = submit(S["tok"], S["qid"], source="int main( {", lang=50)
    sid = r.json()["submission_id"]
    wait_done(sid, timeout=180)
    body = submission(S["tok"], sid).json()
    eq({x["verdict"] for x in body["results"]}, {"CE"}, "compile error")
    # The compiler's own message, once on the submission (issue 16.6).
    assert body["compile_output"] and "error" in body["compile_output"], body
    r = submit(S["tok"], S["qid"], source="raise SystemExit(3)\n", lang=71)
    sid = r.json()["submission_id"]
    wait_done(sid, timeout=180)
    eq({x["verdict"] for x in submission(S["tok"], sid).json()["results"]}, {"RE"}, "runtime error")


def test_runcustom_python():
    r = http("POST", URL + "/runcustom", body={"language_id": 71, "source_code": "print(input()[::-1])",
                                              "stdin": "pitwall\n"}, headers=auth(S["tok"]), timeout=120)
    eq(r.status, 200, f"{r!r}")
    eq((r.json()["verdict"], r.json()["stdout"]), ("AC", "llawtip\n"), "custom run")


def test_sleeping_program_is_tle_within_the_wall_limit_derived_from_cpu():
    # Pitwall sends wall_time_limit = 2 x cpu + 1 s (3 s for a 1 s question):
    # a sleeping program is TLE after ~3 s, not after Judge0's default 10 s.
    rid = int(psql("SELECT id FROM rounds WHERE slug = 'r1'"))
    qid, _ = make_question(rid, [("1 2\n", "3\n")], time_limit_ms=1000)
    t0 = time.monotonic()
    r = submit(S["tok"], qid, source=SLEEPER, lang=50)
    eq(r.status, 202, f"{r!r}")
    wait_done(r.json()["submission_id"], timeout=60)
    took = time.monotonic() - t0
    eq([v for _, v, _ in results(r.json()["submission_id"])], ["TLE"], "verdict")
    assert took < 8, f"judged in {took:.1f} s: the wall limit is not derived from the CPU limit"
