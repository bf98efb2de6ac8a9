"""Operations: zero-downtime pool reload under load, the worker under
cron (kill -9 and kill -STOP), unprivileged processes, secret-file
permissions, log reopening, /metrics, request ids on both sides."""
import json
import os
import re
import shutil
import signal
import socket
import stat
import subprocess
import tempfile
import time
import uuid

from pw import BIN, ENV, INTERNAL, ROOT, URL, VAR, eq, get, http, pids, psql, redis, run, wait_for

LANG = 71
TESTS = [("1\n", 1), ("2 2\n", 2), ("3\n", 3)]


def alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def uid_of(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("Uid:"):
                return int(line.split()[1])
    raise AssertionError(f"no Uid for {pid}")


def worker_pid():
    with open(os.path.join(VAR, "root", "worker.pid")) as f:
        return int(f.read().split()[0])


def beating(pid):
    return redis("GET", f"pitwall:worker:{socket.gethostname()}:{pid}")


# ---- fixtures shaped like test_worker's (Redis state of /submit) ----

def first(out):
    return out.split("\n")[0]


def make_fixture():
    slug = "o" + uuid.uuid4().hex[:8]
    rid = int(first(psql(f"INSERT INTO rounds (slug, name, starts_at, ends_at) VALUES "
                         f"('{slug}', 'R', now() - interval '1 hour', now() + interval '1 hour') "
                         f"RETURNING id")))
    qid = int(first(psql(f"INSERT INTO questions (round_id, slug, title, points) VALUES "
                         f"({rid}, '{slug}', 'Q', 100) RETURNING id")))
    tids = [int(first(psql(f"INSERT INTO testcases (question_id, ordinal, name, input, expected_output, points) "
                           f"VALUES ({qid}, {i}, '{i:02d}', 'in', $x${exp}$x$, {pts}) RETURNING id")))
            for i, (exp, pts) in enumerate(TESTS)]
    uid = int(first(psql(f"INSERT INTO users (email, name, password_hash) VALUES "
                         f"('{slug}@example.org', '{slug}', 'x') RETURNING id")))
    return uid, qid, tids


def new_sub(uid, qid, tids):
    sid = str(uuid.uuid4())
    redis("HSET", f"pitwall:sub:{sid}", "user_id", uid, "question_id", qid, "language_id", LANG,
          "source", "print(input())", "total", len(tids), "created_at", int(time.time() * 1000),
          "status", "judging", "done", 0, "passed", 0, "failed", 0)
    redis("SADD", f"pitwall:sub:{sid}:pending", *tids)
    return sid


def b64(text):
    import base64
    return base64.b64encode(text.encode()).decode() + "\n"


def push_jobs(sid, tids):
    redis("LPUSH", "pitwall:queue", json.dumps({"type": "submission", "s": sid}))
    for t, out in zip(tids, ["1", "2 2", "x"]):
        body = json.dumps({"token": str(uuid.uuid4()), "time": "0.01", "memory": 100,
                           "stdout": b64(out), "stderr": None, "compile_output": None,
                           "message": None, "status": {"id": 3, "description": "Accepted"}})
        redis("LPUSH", "pitwall:queue", json.dumps({"type": "result", "s": sid, "t": t, "a": 1,
                                                    "body": body}))


def wait_done(sid, timeout=120):
    def done():
        row = psql(f"SELECT status, done, passed, failed FROM submissions WHERE id = '{sid}'")
        return row if row.startswith("done|") else None
    return wait_for(done, timeout=timeout, what=f"submission {sid} done").split("|")


def results_count(sid):
    return int(psql(f"SELECT count(*) FROM submission_results WHERE submission_id = '{sid}'"))


# ---- unprivileged processes, secrets, logs ----

def test_services_run_unprivileged():
    if os.geteuid() != 0:
        return
    procs = pids("fcgi.pids") + pids("fcgi-run.pids") + pids("fcgi-cb.pids") + [worker_pid()] + pids("nginx.pid")
    for pid in procs:
        assert uid_of(pid) != 0, f"pid {pid} runs as root"
    # nginx's workers too.
    for child in subprocess.run(["pgrep", "-P", str(pids("nginx.pid")[0])],
                                capture_output=True, text=True).stdout.split():
        assert uid_of(int(child)) != 0, f"nginx worker {child} runs as root"


def test_secret_files_with_loose_permissions_are_refused():
    tmp = tempfile.mkdtemp(dir=os.environ.get("PITWALL_TEST_TMP"))
    try:
        for prog, var, src in (("pitwall-fcgi", "JWT_SECRET_FILE", ENV["JWT_SECRET_FILE"]),
                               ("pitwall-worker", "CALLBACK_SECRET_FILE", ENV["CALLBACK_SECRET_FILE"])):
            loose = os.path.join(tmp, os.path.basename(src))
            shutil.copy(src, loose)
            os.chmod(loose, 0o644)
            env = dict(os.environ)
            env.update(ENV)
            env[var] = loose
            env.pop("PITWALL_LOG_FILE", None)
            p = subprocess.run([os.path.join(BIN, prog)], env=env, capture_output=True, text=True,
                               stdin=subprocess.DEVNULL, timeout=30)
            eq(p.returncode, 78, f"{prog} exit status with a 0644 secret")
            assert var in p.stderr and "chmod 600" in p.stderr, p.stderr
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def test_fcgi_log_reopened_on_sighup_and_request_id_on_both_sides():
    # Callbacks are served by the fcgi-cb pool, which logs to fcgi-cb.log.
    log = os.path.join(VAR, "log", "fcgi-cb.log")
    os.rename(log, log + ".1")
    for pid in pids("fcgi-cb.pids"):
        os.kill(pid, signal.SIGHUP)
    wait_for(lambda: os.path.exists(log), timeout=20, what="a new fcgi.log")
    # A refused callback logs a warning with the request id.
    ids = []
    for _ in range(4):
        r = http("PUT", INTERNAL + "/callback?s=x&t=1&a=1&sig=00", body=b"{}")
        eq(r.status, 403, "unsigned callback")
        ids.append(r.headers["X-Request-Id"])
    assert all(re.fullmatch(r"[0-9a-f]{32}", i) for i in ids), ids
    wait_for(lambda: all(f"req={i}" in open(log).read() for i in ids), timeout=20,
             what="request ids in the new fcgi-cb.log")
    access = os.path.join(VAR, "log", "nginx-access.log")
    wait_for(lambda: all(f"req={i}" in open(access).read() for i in ids), timeout=20,
             what="request ids in nginx's access log")
    line = [x for x in open(access) if f"req={ids[0]}" in x][0]
    assert "urt=" in line and "uht=" in line, line


def test_worker_log_reopened_on_sighup():
    log = os.path.join(VAR, "log", "worker.log")
    pid = worker_pid()
    if os.path.exists(log):
        os.rename(log, log + ".1")
    os.kill(pid, signal.SIGHUP)
    wait_for(lambda: os.path.exists(log), timeout=30, what="a new worker.log")
    assert alive(pid), "worker survived SIGHUP"


# ---- metrics ----

def metric(text, name):
    m = re.search(rf"^{re.escape(name)} ([0-9.e+]+)$", text, re.M)
    return float(m.group(1)) if m else 0.0


def test_metrics_on_internal_listener_only():
    r = get("/metrics")
    eq(r.status, 404, "public /metrics")
    eq(sorted(r.json()), ["error", "message"], "JSON error shape")
    r = get("/metrics", base=INTERNAL)
    eq(r.status, 200, "internal /metrics")
    assert r.headers["Content-Type"].startswith("text/plain"), r.headers
    text = r.body.decode()
    for fam in ("pitwall_queue_length", "pitwall_processing_length", "pitwall_dead_letter_length",
                "pitwall_dispatch_retries_total", "pitwall_reaper_recovered_total",
                "pitwall_workers_alive"):
        assert f"# TYPE {fam} " in text, fam
    # Every sample line is "name{labels} value".
    for line in text.splitlines():
        assert line.startswith("#") or re.fullmatch(r"[a-z_][a-z0-9_]*(\{[^}]*\})? [-0-9.e+Inf]+", line), line
    name = 'pitwall_http_requests_total{route="/healthz",status="200"}'
    before = metric(text, name)
    for _ in range(5):
        eq(get("/healthz", base=INTERNAL).status, 200, "healthz")
    wait_for(lambda: metric(get("/metrics", base=INTERNAL).body.decode(), name) >= before + 5,
             timeout=20, what="healthz requests counted")
    text = get("/metrics", base=INTERNAL).body.decode()
    assert 'pitwall_http_request_duration_seconds_bucket{route="/healthz",le="+Inf"}' in text
    assert metric(text, "pitwall_workers_alive") >= 1, text


# ---- zero-downtime reload ----

def test_five_reloads_under_load_fail_no_request():
    path = "/time" if get("/time").status == 200 else "/healthz"
    pools = ("fcgi", "fcgi-run", "fcgi-cb", "fcgi-api")   # POOLS, scripts/lib.sh
    before = tuple(pids(f"{p}.pids") for p in pools)
    out = os.path.join(os.environ.get("PITWALL_TEST_TMP", tempfile.gettempdir()), "wrk-reload.txt")
    with open(out, "w") as f:
        wrk = subprocess.Popen(["wrk", "-t2", "-c16", "-d20s", "--timeout", "10s", URL + path],
                               stdout=f, stderr=subprocess.STDOUT)
    try:
        time.sleep(2)
        for i in range(5):
            run(["bash", "scripts/fcgi-reload"], timeout=200)
            eq(get(path).status, 200, f"after reload {i + 1}")
    finally:
        wrk.wait(timeout=120)
    report = open(out).read()
    assert "requests in" in report, report
    assert "Non-2xx" not in report and "Socket errors" not in report, report
    after = tuple(pids(f"{p}.pids") for p in pools)
    for old, new in zip(before, after):
        assert not set(old) & set(new), (old, new)
        for pid in old:
            assert not alive(pid), f"old responder {pid} still running"
    socks = sorted(f for f in os.listdir(os.path.join(VAR, "run")) if f.endswith(".sock") and "fcgi" in f)
    eq(len(socks), 2 * len(pools), f"one symlink and one socket per pool: {socks}")
    for p in pools:
        eq(len([f for f in socks if f.startswith(p + ".") and f.count(".") == 2]), 1,
           f"one live generation of {p}: {socks}")


# ---- the worker under cron ----

def cron_line():
    out = subprocess.run(["crontab", "-l"], capture_output=True, text=True).stdout
    return [x for x in out.splitlines() if x.endswith(f"# pitwall-supervise {VAR}")]


def test_stack_up_installed_cron_entry_and_cron_runs_it():
    lines = cron_line()
    eq(len(lines), 1, "one crontab line for this stack")
    assert "worker-supervise --watch" in lines[0], lines
    assert subprocess.run(["pgrep", "-x", "cron"], capture_output=True).returncode == 0, "cron runs"
    log = os.path.join(VAR, "root", "supervise.log")
    # cron picks up a new entry at the next minute: wait for its first run.
    wait_for(lambda: os.path.exists(log), timeout=130, interval=1, what="cron to run worker-supervise")


def kill_and_expect_replacement(sig):
    uid, qid, tids = make_fixture()
    pid = worker_pid()
    me = f"{socket.gethostname()}:{pid}"
    sids = [new_sub(uid, qid, tids) for _ in range(3)]
    os.kill(pid, signal.SIGSTOP)
    for sid in sids:
        push_jobs(sid, tids)
    # As if the worker had taken a batch just before.
    for _ in range(5):
        redis("LMOVE", "pitwall:queue", f"pitwall:processing:{me}", "RIGHT", "LEFT")
    if sig == signal.SIGKILL:
        os.kill(pid, signal.SIGKILL)
    t0 = time.monotonic()
    # Only cron's supervisor acts here: nothing else restarts the worker.
    new = wait_for(lambda: (lambda p: p if p != pid and alive(p) and beating(p) else None)(worker_pid()),
                   timeout=70, interval=0.5, what=f"a new worker after {sig.name}")
    took = time.monotonic() - t0
    assert not alive(pid), f"old worker {pid} is still there"
    for sid in sids:
        eq(wait_done(sid)[:4], ["done", "3", "2", "1"], f"submission after {sig.name}")
        eq(results_count(sid), 3, "exactly once")
    eq(redis("LLEN", f"pitwall:processing:{me}"), "0", "the old worker's jobs were recovered")
    return new, took


def test_kill_9_worker_replaced_by_cron_within_70s_nothing_lost():
    new, took = kill_and_expect_replacement(signal.SIGKILL)
    print(f"# kill -9: new worker {new} after {took:.0f}s")


def test_stopped_worker_replaced_by_cron_within_70s_nothing_lost():
    new, took = kill_and_expect_replacement(signal.SIGSTOP)
    print(f"# kill -STOP: new worker {new} after {took:.0f}s")
