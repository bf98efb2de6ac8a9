"""/run and /runcustom against the scripted fake Judge0."""
import json
import os
import threading
import time

from client import FakeJudge0, unb64
from contest import auth, jwt, make_question, make_round, make_user, submit
from pw import ENV, INTERNAL, URL, eq, http, redis

FAKE = FakeJudge0(os.environ.get("PITWALL_FAKE_JUDGE0_URL", ENV.get("JUDGE0_URL", "")))
S = {}


def setup_module():
    FAKE.reset()
    S["round"] = make_round()
    S["uid"] = make_user()
    S["tok"] = jwt(S["uid"])
    # Two samples, two hidden testcases.
    S["q"], S["t"] = make_question(S["round"], [
        ("s1\n", "s1\n", 1, True), ("s2\n", "two\n", 1, True),
        ("HIDDEN-IN\n", "HIDDEN-OUT\n", 1, False), ("HIDDEN-IN2\n", "HIDDEN-OUT2\n", 1, False)],
        time_limit_ms=2000)


def run(body, tok=None):
    return http("POST", URL + "/run", body=body, headers=auth(tok or S["tok"]), timeout=60)


def test_run_judges_samples_only():
    FAKE.reset()
    r = run({"question_id": S["q"], "language_id": 50, "source_code": "int main(){}"})
    eq(r.status, 200, f"{r!r}")
    body = r.json()
    eq((body["passed"], body["total"]), (1, 2), "passed/total")
    eq([x["verdict"] for x in body["results"]], ["AC", "WA"], "verdicts")
    eq(body["results"][1]["input"], "s2\n", "sample input shown")
    eq(body["results"][1]["expected_output"], "two\n", "sample expected output shown")
    eq(body["results"][1]["stdout"], "s2\n", "stdout")
    assert "HIDDEN" not in r.body.decode(), "hidden testcase leaked through /run"
    sent = [unb64(i["stdin"]).decode() for e in FAKE.requests("POST", "/submissions")
            for i in [e["body"]]]
    eq(sorted(sent), ["s1\n", "s2\n"], "only samples sent to Judge0")


def test_verdicts_and_compile_output():
    FAKE.reset()
    cases = [(5, "TLE"), (6, "CE"), (11, "RE"), (7, "RE"), (13, "IE")]
    for status, verdict in cases:
        FAKE.set_rules([{"match": {"any": True}, "action": {"status_id": status}}])
        r = run({"question_id": S["q"], "language_id": 54, "source_code": "x"})
        eq(r.status, 200, f"status {status}: {r!r}")
        res = r.json()["results"][0]
        eq((res["verdict"], res["status_id"]), (verdict, status), f"status {status}")
        if status == 6:
            assert res["compile_output"], res
    FAKE.reset()


def test_time_limit_multiplier_applied():
    FAKE.reset()
    eq(run({"question_id": S["q"], "language_id": 71, "source_code": "print(1)"}).status, 200, "python run")
    limits = {float(e["body"]["cpu_time_limit"]) for e in FAKE.requests("POST", "/submissions")}
    eq(limits, {6.0}, "2 s × Python's 3.0")
    # A wall limit derived from the CPU limit (2 × cpu + 1 s, at most
    # Judge0's 20 s), so a sleeping program does not hold a box for 10 s.
    walls = {float(e["body"]["wall_time_limit"]) for e in FAKE.requests("POST", "/submissions")}
    eq(walls, {13.0}, "wall_time_limit of /run")
    FAKE.reset()
    r = http("POST", URL + "/runcustom", body={"language_id": 50, "source_code": "int main(){}",
                                                "stdin": ""}, headers=auth(S["tok"]))
    eq(r.status, 200, f"{r!r}")
    sent = [e["body"] for e in FAKE.requests("POST", "/submissions")]
    eq([(float(b["cpu_time_limit"]), float(b["wall_time_limit"])) for b in sent], [(2.0, 5.0)],
       "limits of /runcustom (C: 2 s, wall 5 s)")


def test_output_truncated_and_marked():
    FAKE.reset()
    big = "x" * 10000
    FAKE.set_rules([{"match": {"any": True}, "action": {"stdout": big, "stderr": "e"}}])
    r = run({"question_id": S["q"], "language_id": 50, "source_code": "int main(){}"})
    res = r.json()["results"][0]
    eq(len(res["stdout"]), 4096, "cut to OUTPUT_LIMIT_BYTES")
    eq(res["stdout_truncated"], True, "marked")
    eq(res["stderr_truncated"], False, "short stderr not marked")
    FAKE.reset()


def test_runcustom_one_result():
    FAKE.reset()
    r = http("POST", URL + "/runcustom", body={"language_id": 71, "source_code": "print(input())",
                                                "stdin": "hello\n"}, headers=auth(S["tok"]))
    eq(r.status, 200, f"{r!r}")
    body = r.json()
    eq((body["verdict"], body["stdout"]), ("AC", "hello\n"), "echo")
    assert "expected_output" not in body
    r = http("POST", URL + "/runcustom", body={"language_id": 71, "source_code": "x",
                                                "stdin": "y" * (2 * 1024 * 1024)}, headers=auth(S["tok"]))
    assert r.status in (413,), f"huge stdin: {r!r}"


def test_run_refusals():
    closed = make_round(starts_in=-7200, ends_in=-10)
    qc, _ = make_question(closed, [("1\n", "1\n")])
    eq(run({"question_id": qc, "language_id": 50, "source_code": "x"}).status, 409, "round closed")
    banned = make_user(banned=True)
    eq(run({"question_id": S["q"], "language_id": 50, "source_code": "x"}, tok=jwt(banned)).status, 403, "banned")
    eq(run({"question_id": S["q"], "language_id": 50, "source_code": "x"}, tok=jwt(S["uid"], alg="none")).status,
       401, "alg none")
    uid = make_user()
    minute = int(time.time()) // 60
    for m in (minute, minute + 1):
        redis("SET", f"pitwall:rl:run:{uid}:{m}", 10 ** 9, "EX", 180)
    r = run({"question_id": S["q"], "language_id": 50, "source_code": "x"}, tok=jwt(uid))
    eq(r.status, 429, "run rate limit")
    assert int(r.headers["Retry-After"]) >= 1


def test_judge_down_is_503_and_422_passes_message():
    FAKE.reset()
    FAKE.mode(down=True)
    try:
        r = run({"question_id": S["q"], "language_id": 50, "source_code": "x"})
        eq(r.status, 503, f"{r!r}")
        eq(r.json()["error"], "judge_unavailable", "code")
    finally:
        FAKE.mode(down=False)
    FAKE.set_rules([{"match": {"any": True}, "action": {"http_status": 500}}])
    eq(run({"question_id": S["q"], "language_id": 50, "source_code": "x"}).status, 503, "Judge0 500")
    FAKE.reset()


def test_slow_runs_do_not_starve_submit_and_callback():
    FAKE.reset()
    FAKE.set_rules([{"match": {"stdin": "s1\n"}, "action": {"hold_ms": 3000}},
                    {"match": {"stdin": "s2\n"}, "action": {"hold_ms": 3000}}])
    results = []

    def one():
        results.append(run({"question_id": S["q"], "language_id": 50, "source_code": "x"}).status)

    threads = [threading.Thread(target=one) for _ in range(32)]
    for t in threads:
        t.start()
    time.sleep(0.5)
    # While 32 runs (64 Judge0 calls) are held, other routes answer.
    other, _ = make_question(S["round"], [("other\n", "other\n")])
    t0 = time.monotonic()
    r = submit(S["tok"], other, lang=50)
    eq(r.status, 202, f"submit during runs: {r!r}")
    r = http("PUT", INTERNAL + "/callback?s=x", body=b"{}", headers={"Content-Type": "application/json"})
    eq(r.status, 403, "callback route answers")
    eq(http("GET", URL + "/healthz").status, 200, "healthz")
    during = time.monotonic() - t0
    for t in threads:
        t.join()
    eq(results.count(200), 32, f"all runs answered: {results}")
    print(f"# /submit + /callback + /healthz answered in {during:.2f}s while 32 runs were held 3 s")
    FAKE.reset()
