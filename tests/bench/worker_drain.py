#!/usr/bin/env python3
"""Worker drain (issue 3): how fast pitwall-worker persists queued Judge0
results, against what the same PostgreSQL does with single-row INSERT
transactions (pgbench), same stack, same run.

Fixtures as /submit leaves them: BENCH_DRAIN_JOBS / 10 submissions of a
10-testcase question (100 users), each a pitwall:sub:<sid> hash and pending
set in Redis, no PostgreSQL row yet.  With the worker stopped, one result
job per (submission, testcase) is pushed on pitwall:queue, shaped like
/callback makes them ({"type":"result","s","t","a","body"}, the body a
Judge0 callback with base64 wrapped at 60 columns; one submission in five
has a wrong answer).  Then the worker is started and timed until every
result row is in submission_results (so each submission is also finalized,
its best score and the leaderboard updated).

Baseline: pgbench, one client, a custom script of one INSERT of one row
into a scratch table per transaction, on the stack's PostgreSQL
(fsync and synchronous_commit on, as scripts/stack sets them).

Environment: BENCH_DRAIN_JOBS (100000), BENCH_RUNS (3), BENCH_PGBENCH_SECONDS
(10), BENCH_PGBENCH_CLIENTS (1), BENCH_DRAIN_TIMEOUT (seconds per run, 1200),
BENCH_PORT_BASE (31460).  Prints `figure<TAB>value<TAB>baseline<TAB>ratio`."""
import os
import re
import subprocess
import sys
import tempfile
import time
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from pwbench import Stack, judge0_body, line, median, new_token, ratio, say  # noqa: E402

JOBS = int(os.environ.get("BENCH_DRAIN_JOBS", "100000"))
RUNS = int(os.environ.get("BENCH_RUNS", "3"))
PGB_SECONDS = int(os.environ.get("BENCH_PGBENCH_SECONDS", "10"))
PGB_CLIENTS = int(os.environ.get("BENCH_PGBENCH_CLIENTS", "1"))
TIMEOUT = float(os.environ.get("BENCH_DRAIN_TIMEOUT", "1200"))
TESTS = 10


def pgbench(st, tmp):
    script = os.path.join(tmp, "insert.sql")
    with open(script, "w") as f:
        f.write("\\set k random(1, 1000000000)\n"
                "INSERT INTO bench_scratch (k, v) VALUES (:k, 'result');\n")
    e = st.env
    p = subprocess.run(["pgbench", "-n", "-c", str(PGB_CLIENTS), "-j", str(PGB_CLIENTS),
                        "-T", str(PGB_SECONDS), "-f", script,
                        "-h", e["PGHOST"], "-p", e["PGPORT"], "-U", e["PGUSER"], e["PGDATABASE"]],
                       capture_output=True, text=True, timeout=PGB_SECONDS + 120)
    m = re.search(r"tps = ([0-9.]+) \(without initial connection time\)", p.stdout)
    if not m:
        raise RuntimeError(f"pgbench: {p.stdout[-1000:]} {p.stderr[-1000:]}")
    return float(m.group(1))


def fill(st, qid, tids, uids, nsub, expected):
    """Redis state of nsub submissions (as /submit leaves it) and their
    nsub*10 result jobs on the queue.  Returns the submission ids."""
    sids = [str(uuid.uuid4()) for _ in range(nsub)]
    now_ms = int(time.time() * 1000)
    cmds = []
    for i, sid in enumerate(sids):
        key = f"pitwall:sub:{sid}"
        cmds.append(["HSET", key, "user_id", uids[i % len(uids)], "question_id", qid,
                     "language_id", 71, "source", "print(input())", "total", len(tids),
                     "created_at", now_ms + i, "status", "judging", "done", 0, "passed", 0,
                     "failed", 0])
        cmds.append(["SADD", key + ":pending", *tids])
        cmds.append(["EXPIRE", key, 3600])
        cmds.append(["EXPIRE", key + ":pending", 3600])
    jobs = []
    for i, sid in enumerate(sids):
        for k, tid in enumerate(tids):
            out = expected[k] if (i % 5 or k != 3) else "wrong\n"
            body = judge0_body(new_token(), out)
            jobs.append('{"type":"result","s":"%s","t":%d,"a":1,"body":%s}'
                        % (sid, tid, __import__("json").dumps(body)))
    for j in range(0, len(jobs), 200):
        cmds.append(["LPUSH", "pitwall:queue", *jobs[j:j + 200]])
    st.redis_pipe(cmds)
    return sids


def drain(st, n):
    """Start the worker; seconds until n result rows are stored."""
    t0 = time.monotonic()
    st.worker_start()
    last, last_t = -1, t0
    while True:
        time.sleep(0.1)
        q = int(st.redis("LLEN", "pitwall:queue") or 0)
        if q == 0:
            c = int(st.psql("SELECT count(*) FROM submission_results"))
            if c >= n:
                return time.monotonic() - t0, c
            if c != last:
                last, last_t = c, time.monotonic()
            elif time.monotonic() - last_t > 30:
                say(f"drain stalled at {c}/{n} results with the queue empty")
                return None, c
        if time.monotonic() - t0 > TIMEOUT:
            c = int(st.psql("SELECT count(*) FROM submission_results"))
            say(f"drain timed out after {TIMEOUT:.0f}s at {c}/{n} results (queue {q})")
            return None, c


def main():
    nsub = max(1, JOBS // TESTS)
    n = nsub * TESTS
    rates, secs, tps = [], [], []
    problems = []
    with Stack(31460) as st, tempfile.TemporaryDirectory() as tmp:
        rid = st.make_round()
        tests = [(f"in-{k}\n", f"out-{k}\n", k == 0) for k in range(TESTS)]
        qid, tids = st.make_question(rid, tests)
        uids = st.make_users(100)
        st.psql("CREATE TABLE bench_scratch (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
                " k bigint NOT NULL, v text NOT NULL, at timestamptz NOT NULL DEFAULT now())")
        prev = []
        for run in range(RUNS):
            st.worker_stop()
            st.psql("TRUNCATE submission_results, submission_group_scores, best_scores, submissions, bench_scratch")
            st.redis("DEL", f"pitwall:lb:{rid}", f"pitwall:lb:{rid}:meta")
            if prev:
                st.redis_pipe([["DEL", f"pitwall:sub:{s}", f"pitwall:sub:{s}:pending",
                                f"pitwall:sub:{s}:results"] for s in prev])
            st.psql("CHECKPOINT")
            tps.append(pgbench(st, tmp))
            st.psql("TRUNCATE bench_scratch")
            st.psql("CHECKPOINT")
            t = time.monotonic()
            prev = fill(st, qid, tids, uids, nsub, [x[1] for x in tests])
            say(f"run {run + 1}: {n} jobs queued in {time.monotonic() - t:.1f}s; pgbench {tps[-1]:.0f} tps")
            s, c = drain(st, n)
            if s is None:
                problems.append(f"run {run + 1}: only {c}/{n} results stored")
                continue
            secs.append(s)
            rates.append(n / s)
            done = st.psql("SELECT count(*) FILTER (WHERE status = 'done'), count(*) FROM submissions")
            dead = st.redis("LLEN", "pitwall:dead")
            say(f"run {run + 1}: {n} results in {s:.1f}s = {n / s:.0f}/s; submissions done/all {done};"
                f" dead letters {dead}")
            if done != f"{nsub}|{nsub}":
                problems.append(f"run {run + 1}: submissions done/all {done}, expected {nsub}|{nsub}")
            if dead not in ("", "0"):
                problems.append(f"run {run + 1}: {dead} dead letters")
        if rates:
            r, b = median(rates), median(tps)
            line(f"worker drain: results persisted/s ({n} jobs, median of {len(rates)}) vs pgbench "
                 f"1-row INSERT tx/s ({PGB_CLIENTS} client)", r, b, ratio(r, b))
            line(f"worker drain: seconds to drain {n} jobs (median)", median(secs), "-", "-")
        for p in problems:
            say("problem:", p)
    return 1 if problems or not rates else 0


if __name__ == "__main__":
    sys.exit(main())
