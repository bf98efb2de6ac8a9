#!/usr/bin/env python3
"""A contest end to end on the embedded judge (issue 13): N submissions
(distinct C and Python sources, half each) of a 10-testcase question
through POST /submit, the worker's dispatch, the embedded judge, the
callbacks and the worker, until every one is scored — against the same
work done bare on the same cores in the same run (the N/2 compiles with
the judge's command, `gcc main.c`, and the N x 10 runs, one process per
core, no sandbox, no pipeline).  Also the p50/p95 time from the 202 to
`done` (created_at to finished_at), and that nothing was lost or counted
twice (every submission done with done = total = passed = 10 and exactly
10 result rows).

Brings up a throwaway stack on the embedded judge and stops it.
Environment: BENCH_RUNS (3), BENCH_E2E_SUBS (N, 200; the issue's figure
is 2,000), BENCH_E2E_USERS (50), BENCH_PORT_BASE (31520)."""
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from multiprocessing import Pool

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
from pwbench import Stack, connect, line, median, ratio, say  # noqa: E402

RUNS = int(os.environ.get("BENCH_RUNS", "3"))
NSUB = int(os.environ.get("BENCH_E2E_SUBS", "200"))
NUSERS = int(os.environ.get("BENCH_E2E_USERS", "50"))
NTEST = 10
TESTS = [(f"{i} {i * 7 + 3}\n", f"{i + i * 7 + 3}\n") for i in range(NTEST)]


def source(lang, k):
    """A distinct correct solution (the k-th) in C (50) or Python (71)."""
    if lang == 50:
        return ('#include <stdio.h>\n/* solution %d */\nint main(void){long long a,b;'
                'if(scanf("%%lld %%lld",&a,&b)!=2)return 1;printf("%%lld\\n",a+b);return 0;}\n' % k)
    return f"# solution {k}\na, b = map(int, input().split())\nprint(a + b)\n"


def plan(run):
    return [(50 if k % 2 == 0 else 71, source(50 if k % 2 == 0 else 71, run * 100000 + k))
            for k in range(NSUB)]


def bare_one(job):
    lang, src, d = job
    os.makedirs(d, exist_ok=True)
    if lang == 50:
        with open(os.path.join(d, "main.c"), "w") as f:
            f.write(src)
        subprocess.run(["/usr/bin/gcc", "main.c"], cwd=d, check=True, capture_output=True)
        cmd = ["./a.out"]
    else:
        with open(os.path.join(d, "script.py"), "w") as f:
            f.write(src)
        cmd = ["/usr/bin/python3", "script.py"]
    for inp, exp in TESTS:
        p = subprocess.run(cmd, cwd=d, input=inp.encode(), capture_output=True)
        if p.returncode != 0 or p.stdout.decode() != exp:
            return 1
    return 0


def worker_init():
    # The stack's SIGTERM handler (pwbench) is not for pool workers, which
    # Pool stops with SIGTERM when done.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def bare(jobs, tmp):
    with Pool(os.cpu_count() or 1, initializer=worker_init) as pool:
        t0 = time.monotonic()
        bad = sum(pool.map(bare_one, [(l, s, os.path.join(tmp, f"b{i}")) for i, (l, s) in enumerate(jobs)],
                           chunksize=4))
        dt = time.monotonic() - t0
    subprocess.run(["rm", "-rf", tmp])
    if bad:
        raise RuntimeError(f"{bad} bare submissions failed")
    return dt


def contest(st, qid, tokens, jobs):
    """Submits every job, waits until all are done; returns (seconds,
    [202->done seconds], sids)."""
    sids = [None] * len(jobs)
    local = threading.local()

    def one(i):
        if not hasattr(local, "c"):
            local.c = connect(st.url)
        lang, src = jobs[i]
        local.c.request("POST", "/submit", body=json.dumps({"question_id": qid, "language_id": lang,
                                                           "source_code": src}),
                        headers={"Content-Type": "application/json",
                                 "Authorization": "Bearer " + tokens[i % len(tokens)]})
        r = local.c.getresponse()
        body = r.read()
        if r.status != 202:
            raise RuntimeError(f"/submit: {r.status} {body[:300]!r}")
        sids[i] = json.loads(body)["submission_id"]
    t0 = time.monotonic()
    with ThreadPoolExecutor(4) as ex:
        list(ex.map(one, range(len(jobs))))
    ids = ",".join(f"'{s}'" for s in sids)
    deadline = time.monotonic() + 60 + len(jobs) * 2
    while True:
        left = int(st.psql(f"SELECT count(*) FROM submissions WHERE id IN ({ids}) AND status <> 'done'"))
        if left == 0:
            break
        if time.monotonic() > deadline:
            raise RuntimeError(f"{left} submissions not done in time")
        time.sleep(0.2)
    dt = time.monotonic() - t0
    lat = [float(x) for x in st.psql(
        f"SELECT extract(epoch FROM finished_at - created_at) FROM submissions WHERE id IN ({ids})").split()]
    # Nothing lost or counted twice.
    bad = st.psql(f"SELECT count(*) FROM submissions s WHERE id IN ({ids}) AND NOT (s.done = {NTEST} "
                  f"AND s.total = {NTEST} AND s.passed = {NTEST} AND s.failed = 0 AND "
                  f"(SELECT count(*) FROM submission_results r WHERE r.submission_id = s.id "
                  f"AND r.passed) = {NTEST})")
    rows = st.psql(f"SELECT count(*) FROM submission_results WHERE submission_id IN ({ids})")
    if int(bad) != 0 or int(rows) != len(jobs) * NTEST:
        raise RuntimeError(f"{bad} submissions miscounted, {rows} result rows for {len(jobs) * NTEST}")
    return dt, lat


def cpu_times():
    """(idle, total) jiffies of every core so far (/proc/stat)."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    return v[3] + v[4], sum(v[:8])


def idle_share(t0, t1):
    """The share of the cores' time between two cpu_times() left idle."""
    return (t1[0] - t0[0]) / max(1, t1[1] - t0[1])


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


def main():
    with Stack(31520, {"JUDGE0_URL": "", "JUDGE_MAX_QUEUE": "100000"}) as st:
        rid = st.make_round()
        qid = int(st.psql(f"INSERT INTO questions (round_id, slug, title, points, time_limit_ms) VALUES "
                          f"({rid}, 'e2e{os.getpid()}', 'Sum', 100, 1000) RETURNING id").split()[0])
        for i, (inp, exp) in enumerate(TESTS):
            st.psql(f"INSERT INTO testcases (question_id, ordinal, name, input, expected_output, is_sample)"
                    f" VALUES ({qid}, {i}, '{i:02d}', $x${inp}$x$, $x${exp}$x$, {str(i == 0).lower()})")
        st.redis("DEL", f"pitwall:q:{qid}")
        tokens = [st.jwt(u) for u in st.make_users(NUSERS)]
        say(f"{NSUB} submissions x {NTEST} testcases, {NUSERS} users")
        contest(st, qid, tokens, plan(99)[:4])  # warm up
        cs, bs, p50, p95, idle, bidle = [], [], [], [], [], []
        for r in range(RUNS):
            jobs = plan(r)
            t0 = cpu_times()
            b = bare(jobs, tempfile.mkdtemp(prefix="pitwall-bench-e2e."))
            t1 = cpu_times()
            c, lat = contest(st, qid, tokens, jobs)
            idle.append(idle_share(t1, cpu_times()))
            bidle.append(idle_share(t0, t1))
            cs.append(c)
            bs.append(b)
            p50.append(pct(lat, 50))
            p95.append(pct(lat, 95))
            say(f"run {r + 1}: contest {c:.1f} s, bare {b:.1f} s, 202->done p50 {p50[-1]:.2f} s "
                f"p95 {p95[-1]:.2f} s, cores idle {idle[-1]:.1%} (bare {bidle[-1]:.1%}), "
                "nothing lost or counted twice")
        c, b = median(cs), median(bs)
        line(f"contest_e2e: wall s, {NSUB} submissions (C and Python) x {NTEST} testcases through "
             f"/submit vs bare compiles+runs (median of {RUNS})", c, b, ratio(c, b))
        line("contest_e2e: 202 -> done p50 s, p95 s (as baseline)", median(p50), median(p95), "-")
        line("contest_e2e: share of the cores' time idle, contest vs bare", median(idle),
             median(bidle), "-")
        line("contest_e2e: submissions lost or counted twice", 0, 0, "-")


if __name__ == "__main__":
    sys.exit(main())
