#!/usr/bin/env python3
"""The Contest API's event feed under a contest load (issue 17, Figures):
events per second delivered to 50 concurrent feed readers while N
submissions go through /submit, the fake Judge0's callbacks and the
worker — against one reader doing the same in the same run — and the
time from a verdict in PostgreSQL (submissions.finished_at) to its
judgement on an open feed, p50/p95 over every reader.

Each phase: R public readers open GET /api/contests/{id}/event-feed
(streaming, from the last token), N submissions are made (3 testcases
each: a submission, a judgement started, 3 runs and the judgement done
per submission for the public), and each reader reads until it has the
finished judgement of every one.  Delivered events per second: the
events all readers received / the time from the first submit until the
last reader had the last verdict.  The readers are Python threads on the
same 2 cores as the stack, so the client's own reading counts too.

Brings up a throwaway stack (fake Judge0, the API pool with 64 threads,
PITWALL_FEED_CONN_PER_ADDR 100) and stops it.  Environment: BENCH_RUNS
(3), BENCH_FEED_SUBS (N, 100), BENCH_FEED_READERS (50), BENCH_PORT_BASE
(31560)."""
import json
import os
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
from pwbench import Stack, connect, line, median, ratio, say  # noqa: E402

RUNS = int(os.environ.get("BENCH_RUNS", "3"))
NSUB = int(os.environ.get("BENCH_FEED_SUBS", "100"))
NREAD = int(os.environ.get("BENCH_FEED_READERS", "50"))
TESTS = [(f"{i}\n", f"{i}\n", i == 0) for i in range(3)]


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))] if xs else float("nan")


class Reader(threading.Thread):
    """One streaming feed from token `since`; stops once it saw `want`
    finished judgements (or at the deadline)."""

    def __init__(self, st, slug, since, want, deadline):
        super().__init__(daemon=True)
        self.st, self.slug, self.since, self.want, self.deadline = st, slug, since, want, deadline
        self.events = 0
        self.done = {}          # submission api_seq -> arrival time (time.time())
        self.finished_at = None
        self.error = None
        self.opened = threading.Event()

    def run(self):
        c = None
        try:
            c = connect(self.st.url, timeout=30)
            c.request("GET", f"/api/contests/{self.slug}/event-feed?since_token={self.since}")
            r = c.getresponse()
            if r.status != 200:
                raise RuntimeError(f"feed: {r.status} {r.read()[:200]!r}")
            self.opened.set()
            while len(self.done) < self.want and time.monotonic() < self.deadline:
                ln = r.readline()
                if not ln:
                    raise RuntimeError("the feed ended")
                if not ln.strip():
                    continue
                now = time.time()
                e = json.loads(ln)
                self.events += 1
                d = e.get("data")
                if e["type"] == "judgements" and d and d.get("judgement_type_id"):
                    self.done.setdefault(d["submission_id"], now)
            self.finished_at = time.monotonic()
        except Exception as ex:  # noqa: BLE001 (reported by the phase)
            self.error = ex
        finally:
            self.opened.set()
            if c is not None:
                c.close()


def phase(st, rid, slug, qid, tokens, readers):
    """R readers during N submissions: (events/s delivered, [latencies s])."""
    since = st.psql(f"SELECT coalesce(max(id), 0) FROM api_events WHERE round_id = {rid}")
    deadline = time.monotonic() + 120 + NSUB
    rs = [Reader(st, slug, since, NSUB, deadline) for _ in range(readers)]
    for r in rs:
        r.start()
    for r in rs:
        r.opened.wait(30)
    bad = [r.error for r in rs if r.error]
    if bad:
        raise RuntimeError(f"{len(bad)} readers failed to open: {bad[0]}")
    time.sleep(1)   # every reader is polling
    local = threading.local()

    def one(i):
        if not hasattr(local, "c"):
            local.c = connect(st.url)
        local.c.request("POST", "/submit", body=json.dumps({
            "question_id": qid, "language_id": 71, "source_code": f"print(input()) # {i} {time.time()}"}),
            headers={"Content-Type": "application/json", "Authorization": "Bearer " + tokens[i % len(tokens)]})
        resp = local.c.getresponse()
        body = resp.read()
        if resp.status != 202:
            raise RuntimeError(f"/submit: {resp.status} {body[:200]!r}")
    t0 = time.monotonic()
    with ThreadPoolExecutor(4) as ex:
        list(ex.map(one, range(NSUB)))
    for r in rs:
        r.join(max(1, deadline - time.monotonic()))
    bad = [r for r in rs if r.error or len(r.done) < NSUB]
    if bad:
        raise RuntimeError(f"{len(bad)} readers did not get every verdict "
                           f"({len(bad[0].done)}/{NSUB}, {bad[0].error})")
    wall = max(r.finished_at for r in rs) - t0
    total = sum(r.events for r in rs)
    seqs = sorted({s for r in rs for s in r.done})
    fin = dict(ln.split("|") for ln in st.psql(
        "SELECT api_seq, extract(epoch FROM finished_at) FROM submissions WHERE api_seq IN ("
        + ",".join(seqs) + ")").splitlines())
    lat = [r.done[s] - float(fin[s]) for r in rs for s in r.done]
    say(f"{readers} reader(s): {total} events in {wall:.2f} s ({total / wall:.0f}/s), "
        f"verdict->event p50 {pct(lat, 50) * 1000:.0f} ms p95 {pct(lat, 95) * 1000:.0f} ms")
    return total / wall, lat


def main():
    extra = {"PITWALL_API_THREADS": str(NREAD + 14), "PITWALL_FEED_CONN_PER_ADDR": str(NREAD + 50)}
    with Stack(31560, extra) as st:
        rid = st.make_round()
        slug = st.psql(f"SELECT slug FROM rounds WHERE id = {rid}")
        qid, _ = st.make_question(rid, TESTS)
        tokens = [st.jwt(u) for u in st.make_users(50)]
        say(f"{NSUB} submissions x {len(TESTS)} testcases; 1 reader, then {NREAD}")
        phase(st, rid, slug, qid, tokens, 1)  # warm up
        one, many, l1, ln = [], [], [], []
        for r in range(RUNS):
            a, la = phase(st, rid, slug, qid, tokens, 1)
            b, lb = phase(st, rid, slug, qid, tokens, NREAD)
            one.append(a)
            many.append(b)
            l1.append(la)
            ln.append(lb)
        e1, en = median(one), median(many)
        line(f"event_feed: events/s delivered to {NREAD} concurrent readers during {NSUB} submissions"
             f" vs 1 reader (median of {RUNS})", en, e1, ratio(en, e1))
        p50 = median([pct(x, 50) for x in ln]) * 1000
        p95 = median([pct(x, 95) for x in ln]) * 1000
        b50 = median([pct(x, 50) for x in l1]) * 1000
        b95 = median([pct(x, 95) for x in l1]) * 1000
        line(f"event_feed: verdict in PostgreSQL -> event on the feed p50 ms, {NREAD} readers vs 1",
             p50, b50, ratio(p50, b50))
        line(f"event_feed: verdict in PostgreSQL -> event on the feed p95 ms, {NREAD} readers vs 1",
             p95, b95, ratio(p95, b95))


if __name__ == "__main__":
    sys.exit(main())
