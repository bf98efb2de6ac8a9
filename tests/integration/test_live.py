"""Live push through nginx's nchan module: who may subscribe to a
submission's channel, and what the worker publishes there and on the
leaderboard channel (one message per submission per worker batch, each
carrying the results that batch stored).  Messages are read back with
nchan's long-poll subscriber, oldest first."""
import os
import re

from client import FakeJudge0
from contest import auth, jwt, leaderboard_messages, live_messages as messages, make_question, make_round, make_user, submit, wait_done
from pw import ENV, INTERNAL, URL, eq, http, wait_for

FAKE = FakeJudge0(os.environ.get("PITWALL_FAKE_JUDGE0_URL", ENV.get("JUDGE0_URL", "")))
S = {}


def setup_module():
    S["round"] = make_round()
    S["uid"] = make_user()
    S["tok"] = jwt(S["uid"])
    S["other"] = jwt(make_user())
    S["admin"] = jwt(make_user(role="admin"), role="admin")
    S["q"], _ = make_question(S["round"], [(f"{i}\n", f"{i}\n") for i in range(4)])


def counter(name):
    """A counter of the internal /metrics (0 when absent)."""
    text = http("GET", INTERNAL + "/metrics", timeout=10).body.decode()
    m = re.search(rf"^{re.escape(name)} ([0-9.e+]+)$", text, re.M)
    return float(m.group(1)) if m else 0.0


def live_enabled():
    return bool(ENV.get("LIVE_PUBLISH_URL"))


def error_shape(r, status, what):
    eq(r.status, status, what)
    eq(sorted(r.json()), ["error", "message"], f"{what}: JSON error shape")


def test_live_channel_is_for_its_owner_only():
    if not live_enabled():
        raise AssertionError("LIVE_PUBLISH_URL is empty: nchan is not loaded")
    FAKE.reset()
    sent = counter("pitwall_live_messages_total")
    r = submit(S["tok"], S["q"])
    eq(r.status, 202, "submit")
    sid = r.json()["submission_id"]
    S["sid"] = sid
    wait_done(sid)
    # Counted in /metrics (the worker flushes its counters every second).
    wait_for(lambda: counter("pitwall_live_messages_total") > sent, timeout=20,
             what="pitwall_live_messages_total to count the messages")
    path = f"/live/submissions/{sid}"
    error_shape(http("GET", URL + path, timeout=5), 401, "no token")
    error_shape(http("GET", URL + path, headers=auth(S["other"]), timeout=5), 403,
                "another contestant")
    error_shape(http("GET", URL + "/live/submissions/00000000-0000-4000-8000-000000000000",
                     headers=auth(S["tok"]), timeout=5), 403, "unknown submission")
    r = http("GET", URL + "/live/submissions/..%2f..%2fetc%2fpasswd", headers=auth(S["tok"]),
             timeout=5)
    assert r.status in (403, 404), f"path traversal: {r!r}"
    error_shape(r, r.status, "path traversal")
    eq(len(messages(path, S["admin"], limit=1)), 1, "an admin may listen")


def test_results_arrive_once_each_coalesced_per_batch():
    sid = S["sid"]
    msgs = messages(f"/live/submissions/{sid}", S["tok"])
    assert msgs, "nothing was published for the submission"
    assert len(msgs) <= 4, f"more messages than results: {len(msgs)}"
    seen = []
    for m in msgs:
        eq(m["id"], sid, "message for this submission")
        assert isinstance(m.get("results"), list) and m["results"], f"no results in {m}"
        seen += [x["ordinal"] for x in m["results"]]
        for x in m["results"]:
            eq(x["verdict"], "AC", "verdict")
            assert "stdout" not in x and "expected_output" not in x, "hidden data published"
    eq(sorted(seen), [0, 1, 2, 3], "every testcase's result exactly once")
    last = msgs[-1]
    eq((last["type"], last["status"], last["done"], last["passed"], last["total"]),
       ("done", "done", 4, 4, 4), "the last message finishes the submission")
    eq(float(last["score"]), 100.0, "score in the last message")
    for m in msgs[:-1]:
        eq(m["type"], "result", "earlier messages are progress")


def test_leaderboard_channel_announces_the_round():
    # The leaderboard channel gives a subscriber only what is published
    # after it connected: listen first, then finish a submission.
    with leaderboard_messages() as got:
        r = submit(S["other"], S["q"])
        eq(r.status, 202, "submit")
        wait_done(r.json()["submission_id"])
        want = {"type": "leaderboard", "round_id": S["round"]}
        wait_for(lambda: want in got, timeout=10, what="the leaderboard message")
