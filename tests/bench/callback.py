#!/usr/bin/env python3
"""/callback ingest (issues 7, 15): requests per second of signed PUT
/callback through nginx's internal listener (served by the `fcgi-cb`
pool), against a minimal durable responder (tests/bench/lpush.c: reads
the body, one LPUSH on the same Redis, answers 204) behind the same nginx,
on its own location and socket, with the same number of processes and
threads as the `fcgi-cb` pool — same stack, same run, alternating.  Goal:
ratio >= 0.9.

The body is a Judge0 1.13 callback (base64, wrapped); the URL is signed
with var/secrets/callback.key (HMAC-SHA256 over "<sid>\\n<tid>\\n<attempt>").
The worker is stopped so that only ingest is measured (the queue is
emptied between runs).

Environment: BENCH_RUNS (3), BENCH_SECONDS (8), BENCH_CONNS (16),
BENCH_PORT_BASE (31540).  Prints `figure<TAB>value<TAB>baseline<TAB>ratio`."""
import os
import subprocess
import sys
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from pwbench import ROOT, Stack, judge0_body, line, median, ratio, say, wrk  # noqa: E402

RUNS = int(os.environ.get("BENCH_RUNS", "3"))
SECONDS = int(os.environ.get("BENCH_SECONDS", "8"))
CONNS = int(os.environ.get("BENCH_CONNS", "16"))
# The fcgi-cb pool's size (scripts/lib.sh, pool_size).
PROCS = os.environ.get("PITWALL_CB_PROCS", "2")
THREADS = os.environ.get("PITWALL_CB_THREADS", "8")


def hello_up(st):
    exe = os.path.join(st.tmp, "bench-lpush")
    subprocess.run(["cc", "-O2", "-o", exe, os.path.join(ROOT, "tests/bench/lpush.c"),
                    "-lfcgi", "-lhiredis", "-pthread"], check=True)
    os.chmod(st.tmp, 0o755)
    sock = os.path.join(st.var, "run", "bench-lpush.sock")
    pids = os.path.join(st.var, "run", "bench-lpush.pids")
    # As the service user, like the pools (scripts/lib.sh's as_svc).
    subprocess.run(["bash", "-c", 'source scripts/lib.sh; FCGI_THREADS=$3 REDIS_SOCKET=$6 as_svc spawn-fcgi '
                    '-s "$1" -M 0660 -F "$2" -P "$4" -- "$5" >/dev/null',
                    "x", sock, PROCS, THREADS, pids, exe, st.env["REDIS_SOCKET"]], cwd=ROOT,
                   env=st.senv, check=True)
    with open(os.path.join(st.var, "nginx", "internal.d", "bench-lpush.conf"), "w") as f:
        f.write(f"location = /bench-lpush {{\n"
                f"\tclient_max_body_size 8m;\n"
                f"\tinclude {st.var}/nginx/fastcgi-internal.conf;\n"
                f"\tfastcgi_pass unix:{sock};\n}}\n")
    # Regenerates nginx.conf and reloads nginx (the include is picked up).
    subprocess.run(["bash", "scripts/stack", "up"], cwd=ROOT, env=st.senv, check=True,
                   stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return pids


def hello_down(pids):
    try:
        with open(pids) as f:
            for p in f.read().split():
                try:
                    os.kill(int(p), 15)
                except ProcessLookupError:
                    pass
    except OSError:
        pass


def main():
    with Stack(31540) as st:
        pids = hello_up(st)
        try:
            st.worker_stop()
            sid, tid = str(uuid.uuid4()), 1
            url = st.callback_url(sid, tid)
            body = judge0_body(str(uuid.uuid4()), "1 2 3\n" * 4)
            hdr = {"Content-Type": "application/json"}
            hello_url = st.internal + "/bench-lpush"
            # Warm-up, and a check that both answer 204.
            for u in (url, hello_url):
                r = wrk(u, "PUT", body, hdr, conns=4, seconds=1, tmpdir=st.tmp)
                if r["non2xx"] or r["sockerr"] or not r["requests"]:
                    raise RuntimeError(f"{u}: {r}")
            cb, hello = [], []
            for i in range(RUNS):
                st.redis("DEL", "pitwall:queue", "bench:lpush")
                h = wrk(hello_url, "PUT", body, hdr, conns=CONNS, threads=2, seconds=SECONDS,
                        tmpdir=st.tmp)
                c = wrk(url, "PUT", body, hdr, conns=CONNS, threads=2, seconds=SECONDS, tmpdir=st.tmp)
                if c["non2xx"] or c["sockerr"]:
                    raise RuntimeError(f"/callback failures: {c}")
                say(f"run {i + 1}: /callback {c['rps']:.0f} req/s (p99 {c['p99_ms']:.1f} ms), "
                    f"one-LPUSH {h['rps']:.0f} req/s (p99 {h['p99_ms']:.1f} ms)")
                cb.append(c["rps"])
                hello.append(h["rps"])
            queued = int(st.redis("LLEN", "pitwall:queue") or 0)
            say(f"last run queued {queued} callbacks")
            c, h = median(cb), median(hello)
            line("callback ingest req/s (PUT /callback vs one-LPUSH FastCGI)", c, h, ratio(c, h))
        finally:
            hello_down(pids)


if __name__ == "__main__":
    main()
