#!/usr/bin/env python3
"""Run isolation (issue 4): the p99 latency of /callback and of /submit
while 64 /run requests are in flight, each held 2 s by the fake Judge0,
against the same figures with no runs in flight — same stack, same run.

Fixtures: a 10-testcase question for /submit and a question whose one
sample's stdin the fake Judge0 holds for 2 s (rule hold_ms 2000, matched on
that stdin, so /submit's batches are never held).  /callback is signed for
a real submission's ids (HMAC-SHA256 hex over "<sid>\\n<tid>\\n<attempt>"
with var/secrets/callback.key) and carries a Judge0 body; the worker
stores it once and ignores the repeats, as with duplicate callbacks.

Each round: wrk on PUT /callback (internal listener), then on POST /submit
(HTTPS), with no runs; then 64 threads keep one /run each in flight (a new
one as soon as one returns) and the same two wrk runs are repeated.  The
copies of the callback job are taken off the queue after each /callback
run (the worker would need minutes for them) and the stack is let settle
(queue empty) between phases.  Medians over rounds.

Environment: BENCH_RUNS (3), BENCH_SECONDS (5), BENCH_CONNS (4),
BENCH_RUNS_IN_FLIGHT (64), BENCH_HOLD_MS (2000), BENCH_PORT_BASE (31500).
Prints `figure<TAB>value<TAB>baseline<TAB>ratio`."""
import json
import os
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from pwbench import (Stack, connect, judge0_body, line, lua_str, median, new_token,  # noqa: E402
                     ratio, say, wrk)

RUNS = int(os.environ.get("BENCH_RUNS", "3"))
SECONDS = int(os.environ.get("BENCH_SECONDS", "5"))
CONNS = int(os.environ.get("BENCH_CONNS", "4"))
INFLIGHT = int(os.environ.get("BENCH_RUNS_IN_FLIGHT", "64"))
HOLD_MS = int(os.environ.get("BENCH_HOLD_MS", "2000"))
HOLD_STDIN = "hold me\n"

ROTATE = r"""
local tokens = {%s}
local i = math.random(1, #tokens)
request = function()
  i = i %% #tokens + 1
  return wrk.format(nil, nil, {["Content-Type"] = "application/json",
                               ["Authorization"] = "Bearer " .. tokens[i]}, nil)
end
"""


class Runs:
    """INFLIGHT threads, each keeping one POST /run in flight."""

    def __init__(self, st, qid, tokens):
        self.st, self.qid, self.tokens = st, qid, tokens
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.inflight = 0
        self.statuses = {}
        self.lat = []
        self.threads = []

    def one(self, k):
        body = json.dumps({"question_id": self.qid, "language_id": 71, "source_code": "print(input())\n"})
        hdrs = {"Content-Type": "application/json", "Authorization": "Bearer " + self.tokens[k % len(self.tokens)]}
        c = None
        while not self.stop.is_set():
            with self.lock:
                self.inflight += 1
            t0 = time.monotonic()
            try:
                if c is None:
                    c = connect(self.st.url, timeout=60)
                c.request("POST", "/run", body=body, headers=hdrs)
                r = c.getresponse()
                r.read()
                code = r.status
            except Exception as e:  # noqa: BLE001 — counted, the load goes on
                code = type(e).__name__
                c = None
            dt = time.monotonic() - t0
            with self.lock:
                self.inflight -= 1
                self.statuses[code] = self.statuses.get(code, 0) + 1
                self.lat.append(dt)

    def __enter__(self):
        self.stop.clear()
        self.threads = [threading.Thread(target=self.one, args=(k,), daemon=True) for k in range(INFLIGHT)]
        for t in self.threads:
            t.start()
        # Until every thread has a run held by the fake Judge0.
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.held() >= INFLIGHT:
                break
            time.sleep(0.05)
        return self

    def held(self):
        try:
            stats = self.st.fake_stats()
        except Exception:  # noqa: BLE001
            return 0
        self._created = stats.get("submissions_created", 0)
        return self._created - self._base if hasattr(self, "_base") else 0

    def __exit__(self, *exc):
        self.stop.set()
        for t in self.threads:
            t.join(HOLD_MS / 1000 + 30)
        return False


RULES = [{"name": "hold runs", "match": {"stdin": HOLD_STDIN}, "action": {"hold_ms": HOLD_MS}}]


def settle(st, timeout=60):
    """Queue empty, then a fresh fake Judge0 (it slows down as its
    submissions pile up) with the hold rule again."""
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        if int(st.redis("LLEN", "pitwall:queue") or 0) == 0:
            break
        time.sleep(0.2)
    else:
        say(f"queue not empty {timeout}s after a phase")
    time.sleep(0.5)  # the fake's last callbacks
    st.fake_reset()
    st.fake_rules(RULES)


def drop_callback_jobs(st, sid):
    """The /callback phase queues tens of thousands of copies of one job,
    far more than the worker drains between phases; they are all the same
    string (the newest is at the head of the list), so LREM takes them out
    and leaves the jobs /submit made."""
    job = st.redis("LINDEX", "pitwall:queue", 0)
    if f'"s":"{sid}"' in job:
        st.redis("LREM", "pitwall:queue", 0, job)


def main():
    problems = []
    fig = {("callback", False): [], ("callback", True): [], ("submit", False): [], ("submit", True): []}
    with Stack(31500) as st:
        rid = st.make_round()
        sq, stids = st.make_question(rid, [(f"case {k}\n", f"case {k}\n", k == 0) for k in range(10)])
        rq, _ = st.make_question(rid, [(HOLD_STDIN, HOLD_STDIN, True), ("hidden\n", "hidden\n", False)])
        st.fake_rules(RULES)
        uids = st.make_users(16)
        sub_tokens = [st.jwt(u) for u in uids[:8]]
        run_tokens = [st.jwt(u) for u in uids[8:]]
        c = connect(st.url)
        c.request("POST", "/submit", body=json.dumps({"question_id": sq, "language_id": 71,
                                                      "source_code": "print(input())\n"}),
                  headers={"Content-Type": "application/json", "Authorization": "Bearer " + sub_tokens[0]})
        r = c.getresponse()
        sid = json.loads(r.read())["submission_id"]
        cb_url = st.callback_url(sid, stids[0])
        cb_body = judge0_body(new_token(), "case 0\n")
        sub_body = json.dumps({"question_id": sq, "language_id": 71, "source_code": "print(input())\n"})
        extra = ROTATE % ", ".join(lua_str(t) for t in sub_tokens)

        def measure(loaded):
            cb = wrk(cb_url, "PUT", cb_body, {"Content-Type": "application/json"}, conns=CONNS,
                     seconds=SECONDS, tmpdir=st.tmp)
            drop_callback_jobs(st, sid)
            sb = wrk(st.url + "/submit", "POST", sub_body, conns=CONNS, seconds=SECONDS, tmpdir=st.tmp,
                     extra=extra)
            for name, x in (("callback", cb), ("submit", sb)):
                fig[(name, loaded)].append(x["p99_ms"])
                if x["non2xx"] or x["sockerr"]:
                    problems.append(f"{name} ({'runs in flight' if loaded else 'idle'}): {x['non2xx']} non-2xx,"
                                    f" {x['sockerr']} socket errors of {x['requests']}")
            say(f"{'loaded' if loaded else 'idle  '}: callback {cb['rps']:.0f}/s p99 {cb['p99_ms']:.1f} ms;"
                f" submit {sb['rps']:.0f}/s p99 {sb['p99_ms']:.1f} ms")

        runs = Runs(st, rq, run_tokens)
        measure(False)  # warm-up, not counted
        for k in fig:
            fig[k].clear()
        problems.clear()
        settle(st)
        for rnd in range(RUNS):
            measure(False)
            settle(st)
            runs._base = st.fake_stats().get("submissions_created", 0)
            with runs:
                held = runs.held()
                if held < INFLIGHT:
                    problems.append(f"round {rnd + 1}: only {held} runs reached the fake Judge0 in 10 s")
                measure(True)
                inflight = runs.inflight
            if inflight < INFLIGHT:
                problems.append(f"round {rnd + 1}: {inflight} runs in flight at the end of the phase")
            settle(st)
        ok = runs.statuses.get(200, 0)
        total = sum(runs.statuses.values())
        if ok != total:
            problems.append(f"/run replies: {runs.statuses}")
        for name in ("callback", "submit"):
            a, b = median(fig[(name, True)]), median(fig[(name, False)])
            line(f"run isolation: /{name} p99 ms with {INFLIGHT} runs held {HOLD_MS} ms vs none"
                 f" ({CONNS} conns, median of {RUNS})", a, b, ratio(a, b))
        line(f"run isolation: /run latency s (median of {total}, {ok} × 200)", median(runs.lat),
             HOLD_MS / 1000, ratio(median(runs.lat), HOLD_MS / 1000))
        for p in problems:
            say("problem:", p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
