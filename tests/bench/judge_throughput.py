#!/usr/bin/env python3
"""Embedded-judge throughput (issue 13): runs per second of one small C
program through the Judge0 API (POST /submissions/batch of 20, polled with
GET /submissions/batch, several batches in flight), against the same
binary fork+exec'd bare with the same stdin, one process per core, no
sandbox, in the same run (tests/bench/forkexec.c, a C loop: an
interpreter in the baseline's loop would flatter the ratio).  Also the
per-run overhead that ratio implies and the median latency of one
wait=true run.

Brings up a throwaway stack on the embedded judge (JUDGE0_URL unset) and
stops it.  Environment: BENCH_RUNS (3), BENCH_JT_RUNS (400 runs per
measurement, a multiple of 20), BENCH_JT_INFLIGHT (4 batches),
BENCH_JT_WAITS (15 wait=true runs), BENCH_JT_RUNNERS (JUDGE_RUNNERS;
default one per core), BENCH_PORT_BASE (31480)."""
import base64
import json
import os
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
from pwbench import Stack, connect, line, median, ratio, say  # noqa: E402

RUNS = int(os.environ.get("BENCH_RUNS", "3"))
NRUN = max(20, int(os.environ.get("BENCH_JT_RUNS", "400")) // 20 * 20)
INFLIGHT = int(os.environ.get("BENCH_JT_INFLIGHT", "4"))
NWAIT = int(os.environ.get("BENCH_JT_WAITS", "15"))
SRC = '#include <stdio.h>\nint main(void){int a,b;if(scanf("%d %d",&a,&b)!=2)return 1;printf("%d\\n",a+b);return 0;}\n'
STDIN = "20 22\n"
EXPECTED = "42\n"


def b64(s):
    return base64.b64encode(s.encode()).decode()


def call(conn, method, path, body=None):
    conn.request(method, path, body=json.dumps(body) if body is not None else None,
                 headers={"Content-Type": "application/json"})
    r = conn.getresponse()
    data = r.read()
    if r.status >= 300:
        raise RuntimeError(f"{method} {path}: {r.status} {data[:300]!r}")
    return json.loads(data)


def judged(base, n):
    """Seconds to judge n runs in batches of 20 with INFLIGHT batches
    outstanding; every run must be Accepted with the right output."""
    item = {"source_code": b64(SRC), "language_id": 50, "stdin": b64(STDIN),
            "expected_output": b64(EXPECTED)}
    todo = [n // 20 // INFLIGHT + (1 if i < (n // 20) % INFLIGHT else 0) for i in range(INFLIGHT)]
    errors = []

    def lane(batches):
        conn = connect(base)
        try:
            for _ in range(batches):
                toks = call(conn, "POST", "/submissions/batch?base64_encoded=true",
                            {"submissions": [item] * 20})
                q = ",".join(t["token"] for t in toks)
                while True:
                    subs = call(conn, "GET", f"/submissions/batch?base64_encoded=true&tokens={q}"
                                "&fields=status_id,stdout")["submissions"]
                    if all(s["status_id"] >= 3 for s in subs):
                        break
                    time.sleep(0.02)
                bad = [s for s in subs if s["status_id"] != 3]
                if bad:
                    errors.append(bad[0])
        except Exception as e:  # noqa: BLE001
            errors.append(repr(e))
        finally:
            conn.close()
    ts = [threading.Thread(target=lane, args=(b,)) for b in todo if b]
    t0 = time.monotonic()
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    dt = time.monotonic() - t0
    if errors:
        raise RuntimeError(f"judge runs failed: {errors[0]}")
    return dt


def bare(forker, exe, n):
    """Seconds to fork+exec exe n times with STDIN, one process per core
    (tests/bench/forkexec.c: no interpreter in the loop)."""
    cores = os.cpu_count() or 1
    per = [n // cores + (1 if i < n % cores else 0) for i in range(cores)]
    t0 = time.monotonic()
    ps = [subprocess.Popen([forker, exe, str(k), STDIN, EXPECTED]) for k in per if k]
    if any(p.wait() != 0 for p in ps):
        raise RuntimeError("bare run failed")
    return time.monotonic() - t0


def wait_latency(base):
    conn = connect(base)
    out = []
    try:
        for _ in range(NWAIT):
            t0 = time.monotonic()
            r = call(conn, "POST", "/submissions?base64_encoded=true&wait=true",
                     {"source_code": b64(SRC), "language_id": 50, "stdin": b64(STDIN)})
            out.append(time.monotonic() - t0)
            if r["status"]["id"] != 3:
                raise RuntimeError(f"wait=true run: {r}")
    finally:
        conn.close()
    return median(out)


def main():
    tmp = tempfile.mkdtemp(prefix="pitwall-bench-jt.")
    exe = os.path.join(tmp, "a.out")
    with open(os.path.join(tmp, "main.c"), "w") as f:
        f.write(SRC)
    subprocess.run(["gcc", "-o", exe, os.path.join(tmp, "main.c")], check=True)
    forker = os.path.join(tmp, "forkexec")
    subprocess.run(["cc", "-O2", "-o", forker,
                    os.path.join(os.path.dirname(os.path.abspath(__file__)), "forkexec.c")], check=True)
    # JUDGE0_URL empty: the stack starts its embedded judge.
    env = {"JUDGE0_URL": "", "JUDGE_MAX_QUEUE": str(20 * INFLIGHT + 100)}
    if os.environ.get("BENCH_JT_RUNNERS"):
        env["JUDGE_RUNNERS"] = os.environ["BENCH_JT_RUNNERS"]
    with Stack(31480, env) as st:
        base = st.env["JUDGE0_URL"]
        say(f"embedded judge at {base}; {NRUN} runs per measurement, {INFLIGHT} batches in flight")
        judged(base, 20)  # compile once, warm everything
        jr, br, lat = [], [], []
        for i in range(RUNS):
            b = bare(forker, exe, NRUN)
            j = judged(base, NRUN)
            jr.append(NRUN / j)
            br.append(NRUN / b)
            lat.append(wait_latency(base))
            say(f"run {i + 1}: judge {NRUN / j:.1f} runs/s, bare {NRUN / b:.1f} runs/s, "
                f"wait=true {lat[-1] * 1000:.1f} ms")
        j, b = median(jr), median(br)
        cores = os.cpu_count() or 1
        line(f"judge_throughput: runs/s of a small C program, Judge0 API batches of 20 "
             f"vs bare fork+exec, {cores} cores (median of {RUNS})", j, b, ratio(j, b))
        # Each core spends 1/j*cores s per run instead of 1/b*cores s.
        over = (cores / j - cores / b) * 1000
        line("judge_throughput: implied overhead per run, ms of a core (goal < 2)", over,
             cores / b * 1000, ratio(cores / j, cores / b))
        line(f"judge_throughput: one wait=true run, median ms of {NWAIT}", median(lat) * 1000,
             "-", "-")
    subprocess.run(["rm", "-rf", tmp])


if __name__ == "__main__":
    sys.exit(main())
