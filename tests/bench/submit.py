#!/usr/bin/env python3
"""/submit throughput and latency (issue 3), against GET /healthz on the
same stack, same run, and the resident memory of a responder and of the
worker before and after the load.

A 10-testcase question (the echo program passes every testcase), 20
contestants whose tokens wrk takes in turn, the fake Judge0 at zero delay
sending every callback (so /callback and the worker run too, as in a
contest).  Each round: wrk on GET /healthz, then wrk on POST /submit (same
connections, threads and duration, over HTTPS through nginx), then a wait
until every accepted submission is finalized in PostgreSQL (so the next
round starts from an idle stack, and the fake Judge0 is reset: it scans
every submission it ever made on each POST, so it would slow down from
round to round).  Medians over the rounds.  On a 2-core machine the fake
Judge0 (Python) is the bottleneck of this figure, not Pitwall.

RSS (VmRSS from /proc) is read after a warm-up and again after the last
round has drained: the largest of the `fcgi` pool's responders, and the
worker.

Environment: BENCH_RUNS (3), BENCH_SECONDS (8), BENCH_CONNS (8),
BENCH_PORT_BASE (31480).  Prints `figure<TAB>value<TAB>baseline<TAB>ratio`."""
import json
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from pwbench import Stack, line, lua_str, median, ratio, rss_kb, say, wrk  # noqa: E402

RUNS = int(os.environ.get("BENCH_RUNS", "3"))
SECONDS = int(os.environ.get("BENCH_SECONDS", "8"))
CONNS = int(os.environ.get("BENCH_CONNS", "8"))
DRAIN_TIMEOUT = 180

ROTATE = r"""
local tokens = {%s}
local i = math.random(1, #tokens)
request = function()
  i = i %% #tokens + 1
  return wrk.format(nil, nil, {["Content-Type"] = "application/json",
                               ["Authorization"] = "Bearer " .. tokens[i]}, nil)
end
"""


def rss(st):
    fc = [rss_kb(p) for p in st.pids("fcgi.pids")]
    fc = [x for x in fc if x]
    wk = [rss_kb(p) for p in st.pids("worker.pid")]
    wk = [x for x in wk if x]
    return (max(fc) / 1024 if fc else float("nan")), (wk[0] / 1024 if wk else float("nan"))


def settle(st, accepted):
    """Wait until `accepted` submissions are all done in PostgreSQL."""
    t0 = time.monotonic()
    while time.monotonic() - t0 < DRAIN_TIMEOUT:
        row = st.psql("SELECT count(*), count(*) FILTER (WHERE status = 'done') FROM submissions")
        n, done = map(int, row.split("|"))
        if n >= accepted and done == n and int(st.redis("LLEN", "pitwall:queue") or 0) == 0:
            st.fake_reset()
            return True, time.monotonic() - t0, n, done
        time.sleep(0.5)
    return False, time.monotonic() - t0, n, done


def main():
    problems = []
    sub_rps, sub_p99, hz_rps, hz_p99 = [], [], [], []
    with Stack(31480) as st:
        rid = st.make_round()
        qid, _ = st.make_question(rid, [(f"case {k}\n", f"case {k}\n", k == 0) for k in range(10)])
        tokens = [st.jwt(u) for u in st.make_users(20)]
        body = json.dumps({"question_id": qid, "language_id": 71, "source_code": "print(input())\n"})
        extra = ROTATE % ", ".join(lua_str(t) for t in tokens)

        def submit(seconds):
            return wrk(st.url + "/submit", "POST", body, conns=CONNS, seconds=seconds,
                       tmpdir=st.tmp, extra=extra)

        def healthz(seconds):
            return wrk(st.url + "/healthz", conns=CONNS, seconds=seconds, tmpdir=st.tmp)

        accepted = 0
        healthz(2)
        w = submit(2)
        accepted += w["requests"] - w["non2xx"]
        ok, _, _, _ = settle(st, accepted)
        fc0, wk0 = rss(st)
        say(f"after warm-up: responder {fc0:.1f} MB, worker {wk0:.1f} MB")
        for run in range(RUNS):
            h = healthz(SECONDS)
            s = submit(SECONDS)
            accepted += s["requests"] - s["non2xx"]
            hz_rps.append(h["rps"]); hz_p99.append(h["p99_ms"])
            sub_rps.append(s["rps"]); sub_p99.append(s["p99_ms"])
            for name, x in (("healthz", h), ("submit", s)):
                if x["non2xx"] or x["sockerr"]:
                    problems.append(f"run {run + 1} {name}: {x['non2xx']} non-2xx, {x['sockerr']} socket errors"
                                    f" of {x['requests']}")
            ok, secs, n, done = settle(st, accepted)
            say(f"run {run + 1}: healthz {h['rps']:.0f}/s p99 {h['p99_ms']:.1f} ms; submit {s['rps']:.0f}/s"
                f" p99 {s['p99_ms']:.1f} ms; {n} submissions, all done after {secs:.1f}s: {ok}")
            if not ok:
                problems.append(f"run {run + 1}: {n - done} of {n} submissions not done "
                                f"{DRAIN_TIMEOUT}s after the load ({accepted} accepted)")
        fc1, wk1 = rss(st)
        dead = st.redis("LLEN", "pitwall:dead")
        if dead not in ("", "0"):
            problems.append(f"{dead} dead letters")
        line(f"submit: submissions/s (10 testcases, fake Judge0 0 ms, {CONNS} conns, median of {RUNS})"
             f" vs GET /healthz req/s", median(sub_rps), median(hz_rps), ratio(median(sub_rps), median(hz_rps)))
        line("submit: p99 latency ms vs GET /healthz p99 ms", median(sub_p99), median(hz_p99),
             ratio(median(sub_p99), median(hz_p99)))
        line(f"submit: responder RSS MB after {accepted} submissions vs after warm-up", fc1, fc0, ratio(fc1, fc0))
        line(f"submit: worker RSS MB after {accepted} submissions vs after warm-up", wk1, wk0, ratio(wk1, wk0))
        for p in problems:
            say("problem:", p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
