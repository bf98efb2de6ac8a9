"""A submission that does not compile tells the contestant why (issue
16.6): the compiler's output is stored once on the submission
(submissions.compile_output, cut to OUTPUT_LIMIT_BYTES as valid UTF-8),
shown by GET /submissions/{id} (from Redis, and from PostgreSQL once
Redis lost it) and carried by the live push.  The fake Judge0 answers
status 6 with the compile_output a `#fake:` line of the source asks for."""
import base64
import os

from client import FakeJudge0
from contest import auth, jwt, live_messages, make_question, make_round, make_user, submission, submit, wait_done
from pw import ENV, URL, eq, http, psql, redis, wait_for

FAKE = FakeJudge0(os.environ.get("PITWALL_FAKE_JUDGE0_URL", ENV.get("JUDGE0_URL", "")))
S = {}
LIMIT = int(ENV.get("OUTPUT_LIMIT_BYTES", "4096"))
MESSAGE = "main.c:3:5: error: expected ';' before 'return'\n    3 |     return 0\n"


def ce_source(message_bytes):
    b64 = base64.b64encode(message_bytes).decode()
    return f"#fake: status=6 compile_output={b64}\nint main(void) {{ return 0 }}\n"


def api_done(sid):
    """GET /submissions/{id} once it says done: PostgreSQL commits first and
    the worker updates the Redis copy the route reads just after, so
    wait_done() alone can be answered from a copy not yet done."""
    def done():
        got = submission(S["tok"], sid).json()
        return got if got.get("status") == "done" else None
    return wait_for(done, timeout=30, what=f"GET /submissions/{sid} to say done")


def setup_module():
    FAKE.reset()
    S["round"] = make_round()
    S["q"], _ = make_question(S["round"], [(f"{i}\n", f"{i}\n") for i in range(3)])
    S["tok"] = jwt(make_user())


def test_compile_error_carries_the_compiler_output_once():
    r = submit(S["tok"], S["q"], source=ce_source(MESSAGE.encode()))
    eq(r.status, 202, f"submit {r!r}")
    sid = S["sid"] = r.json()["submission_id"]
    row = wait_done(sid)
    eq((row[1], row[3], row[5]), ("3", "0", "0.0000"), "done, nothing passed, score 0")
    eq(psql(f"SELECT compile_output FROM submissions WHERE id = '{sid}'"), MESSAGE.rstrip("\n"),
       "stored on the submission")
    got = api_done(sid)
    eq(got["compile_output"], MESSAGE, "GET /submissions/{id} (Redis)")
    eq([x["verdict"] for x in got["results"]], ["CE"] * 3, "every testcase is a Compilation Error")
    eq(str(got).count("expected ';'"), 1, "the message appears once, not per testcase")


def test_from_postgresql_when_redis_lost_it():
    sid = S["sid"]
    redis("DEL", f"pitwall:sub:{sid}", f"pitwall:sub:{sid}:results")
    got = submission(S["tok"], sid).json()
    eq(got["compile_output"], MESSAGE, "GET /submissions/{id} (PostgreSQL)")
    eq(got["status"], "done", "status")


def test_live_push_carries_it():
    if not ENV.get("LIVE_PUBLISH_URL"):
        raise AssertionError("LIVE_PUBLISH_URL is empty: nchan is not loaded")
    msgs = live_messages(f"/live/submissions/{S['sid']}", S["tok"])
    assert msgs, "nothing published"
    eq(msgs[-1]["compile_output"], MESSAGE, "the last message has the compiler output")
    eq(msgs[-1]["type"], "done", "and finishes the submission")


def test_cut_to_the_output_limit_as_valid_utf8():
    # Multi-byte characters around the cut, and a byte that is not UTF-8.
    long = b"\xff bad byte\n" + ("é" * (LIMIT)).encode() + b"\nTAIL-NOT-KEPT\n"
    r = submit(S["tok"], S["q"], source=ce_source(long))
    eq(r.status, 202, f"submit {r!r}")
    sid = r.json()["submission_id"]
    wait_done(sid)
    got = api_done(sid)["compile_output"]
    raw = got.encode()
    assert len(raw) <= LIMIT, f"{len(raw)} bytes kept, limit {LIMIT}"
    assert len(raw) >= LIMIT - 4, f"cut well before the limit: {len(raw)}"
    assert got.startswith("? bad byte\n"), f"the invalid byte is replaced: {got[:20]!r}"
    assert "TAIL-NOT-KEPT" not in got and set(got[11:]) == {"é"}, "cut between characters"


def test_a_submission_that_compiles_has_none():
    r = submit(S["tok"], S["q"])
    eq(r.status, 202, f"submit {r!r}")
    sid = r.json()["submission_id"]
    wait_done(sid)
    got = api_done(sid)
    eq(got["compile_output"], None, "no compiler output")
    eq(psql(f"SELECT compile_output IS NULL FROM submissions WHERE id = '{sid}'"), "t", "NULL")


def test_a_rejudge_that_compiles_clears_it():
    """The judge's compiler was fixed (the fake now accepts the source):
    a rejudge leaves no stale message behind."""
    sid = S["sid"]
    FAKE.set_rules([{"match": {"any": True}, "action": {"status_id": 3}}])
    try:
        adm = auth(jwt(make_user(role="admin"), role="admin"))
        r = http("POST", URL + "/admin/rejudge", body={"submission_id": sid}, headers=adm)
        eq(r.status, 202, f"rejudge {r!r}")
        wait_for(lambda: psql(f"SELECT status || '|' || passed FROM submissions WHERE id = '{sid}'")
                 == "done|3", timeout=60, what="the rejudge to pass every testcase")
    finally:
        FAKE.set_rules([])
    eq(psql(f"SELECT compile_output IS NULL FROM submissions WHERE id = '{sid}'"), "t", "cleared")
    eq(submission(S["tok"], sid).json()["compile_output"], None, "GET /submissions/{id}")
