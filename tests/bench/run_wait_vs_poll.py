#!/usr/bin/env python3
"""Why /run uses wait=true: the latency of judging two samples of a C
program on the embedded judge with parallel `wait=true` POSTs (what /run
does) against one batch POST followed by polling GET /submissions/batch with
backoff (50 ms doubling, capped at 400 ms) — same stack, same run, medians.

Brings up a throwaway stack on the embedded judge and stops it.  Prints
`figure<TAB>value<TAB>baseline<TAB>ratio` lines."""
import base64
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "9"))
SRC = '#include <stdio.h>\nint main(void){int a,b;scanf("%d %d",&a,&b);printf("%d\\n",a+b);return 0;}\n'


def b64(s):
    return base64.b64encode(s.encode()).decode()


def call(method, url, body=None):
    req = urllib.request.Request(url, method=method, data=json.dumps(body).encode() if body else None,
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=60) as r:
        return json.loads(r.read())


def by_wait(base, inputs):
    out = [None] * len(inputs)

    def one(i):
        out[i] = call("POST", base + "/submissions?base64_encoded=true&wait=true",
                      {"source_code": b64(SRC), "language_id": 50, "stdin": b64(inputs[i])})
    ts = [threading.Thread(target=one, args=(i,)) for i in range(len(inputs))]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    assert all(o and o["status"]["id"] == 3 for o in out), out


def by_poll(base, inputs):
    toks = call("POST", base + "/submissions/batch?base64_encoded=true",
                {"submissions": [{"source_code": b64(SRC), "language_id": 50, "stdin": b64(i)} for i in inputs]})
    q = ",".join(t["token"] for t in toks)
    delay = 0.05
    while True:
        subs = call("GET", base + f"/submissions/batch?base64_encoded=true&tokens={q}&fields=status")["submissions"]
        if all(s["status"]["id"] >= 3 for s in subs):
            return
        time.sleep(delay)
        delay = min(delay * 2, 0.4)


def main():
    tmp = tempfile.mkdtemp(prefix="pitwall-bench.")
    os.chmod(tmp, 0o755)
    env = dict(os.environ, PITWALL_VAR=tmp + "/var", PITWALL_CRON="0", PITWALL_PORT_BASE=os.environ.get("BENCH_PORT_BASE", "31440"))
    env.pop("JUDGE0_URL", None)
    try:
        subprocess.run(["bash", "scripts/stack", "up"], cwd=ROOT, env=env, check=True, capture_output=True)
        base = [l.strip().split("=", 1)[1].strip("'") for l in open(tmp + "/var/stack.env")
                if l.startswith("JUDGE0_URL=")][0]
        inputs = ["1 2\n", "3 4\n"]
        by_wait(base, inputs)  # warm the compile cache
        w, p = [], []
        for _ in range(ROUNDS):
            t0 = time.monotonic(); by_wait(base, inputs); w.append(time.monotonic() - t0)
            t0 = time.monotonic(); by_poll(base, inputs); p.append(time.monotonic() - t0)
        mw, mp = statistics.median(w) * 1000, statistics.median(p) * 1000
        print(f"run: 2 samples via wait=true (ms, median of {ROUNDS})\t{mw:.1f}\t{mp:.1f}\t{mw / mp:.2f}")
    finally:
        subprocess.run(["bash", "scripts/stack", "down"], cwd=ROOT, env=env, capture_output=True)
        subprocess.run(["rm", "-rf", tmp])


if __name__ == "__main__":
    sys.exit(main())
