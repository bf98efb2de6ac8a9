"""Judge0's callbacks have a responder pool of their own (fcgi-cb): with
every thread of the contestant pool held by /submit requests waiting on a
slow Judge0, callbacks are still answered at once."""
import json
import os
import threading
import time
import urllib.parse
import urllib.request

from client import FakeJudge0
from contest import jwt, make_question, make_round, make_user, submit, wait_done
from pw import ENV, eq, http, pids, wait_for

FAKE = FakeJudge0(os.environ.get("PITWALL_FAKE_JUDGE0_URL", ENV.get("JUDGE0_URL", "")))
HOLD_MS = 6000


def pool_threads(name):
    """Threads of pool `name`: processes × FCGI_THREADS (as scripts/lib.sh sets)."""
    procs = len(pids(f"{name}.pids"))
    threads = int(os.environ.get("FCGI_THREADS", ENV.get("FCGI_THREADS", "8")))
    return procs * threads


def test_callbacks_answered_while_contestant_pool_is_saturated():
    FAKE.reset()
    rid = make_round()
    qid, _ = make_question(rid, [("a\n", "a\n"), ("b\n", "b\n")])
    tok = jwt(make_user())
    # One submission whose callbacks the fake does not send: the test
    # delivers them itself while the contestant pool is full.
    FAKE.set_rules([{"match": {"source_contains": "HOLD-ME"}, "action": {"hold_ms": HOLD_MS}},
                    {"match": {"source_contains": "CB-BY-TEST"}, "action": {"callback": "drop"}}])
    r = submit(tok, qid, source="print(input())  # CB-BY-TEST")
    eq(r.status, 202, "submission to call back")
    sid = r.json()["submission_id"]
    mine = wait_for(lambda: [s for s in FAKE.submissions() if sid in (s.get("callback_url") or "")]
                    if len([s for s in FAKE.submissions() if sid in (s.get("callback_url") or "")]) == 2
                    else None, what="its two testcases at the fake")

    held = pool_threads("fcgi") + 8
    done_at = []

    def held_submit(i):
        hold = submit(tok, qid, source=f"print(input())  # HOLD-ME {i}")
        done_at.append((time.monotonic(), hold.status))

    threads = [threading.Thread(target=held_submit, args=(i,)) for i in range(held)]
    for t in threads:
        t.start()
    try:
        # Every thread of the contestant pool is waiting on the fake.
        wait_for(lambda: len([s for s in FAKE.submissions() if "HOLD-ME" in (s.get("source_code") or "")])
                 >= pool_threads("fcgi") * 2, timeout=HOLD_MS / 1000 - 1, interval=0.05,
                 what="the contestant pool held")
        t0 = time.monotonic()
        answered = []
        for s in mine:
            tokq = urllib.parse.quote(s["token"])
            with urllib.request.urlopen(f"{FAKE.url}/submissions/{tokq}?base64_encoded=true&fields="
                                        "token,time,memory,stdout,stderr,compile_output,message,status",
                                        timeout=10) as f:
                body = f.read()
            cb = http("PUT", s["callback_url"], body=body, headers={"Content-Type": "application/json"},
                      timeout=HOLD_MS / 1000)
            answered.append((time.monotonic(), cb.status))
        eq([st for _, st in answered], [204, 204], "callbacks answered")
        eq(done_at, [], "no held /submit had returned when the callbacks were answered")
        print(f"# callbacks answered in {1000 * (answered[-1][0] - t0):.0f} ms with "
              f"{held} /submit requests held")
    finally:
        for t in threads:
            t.join(timeout=60)
    eq(sorted({st for _, st in done_at}), [202], "the held submissions were accepted")
    eq(wait_done(sid, timeout=60)[1:4], ["2", "2", "2"], "scored from the callbacks")
    FAKE.reset()
