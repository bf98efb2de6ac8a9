"""The embedded judge's runners are supervised like the worker (issue
13): the step cron runs every minute (scripts/worker-supervise, which
runs scripts/judge supervise) replaces a runner that was killed, and one
whose heartbeat judge:runner:<host>:<pid> stopped, without `scripts/judge
up`.  The step is run here directly, as cron would.  Run by tests/run on
the embedded-judge stack (tests/integration/runner.py)."""
import base64
import json
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request

from pw import BIN, ENV, ROOT, VAR, eq, redis, wait_for

PIDS = os.path.join(VAR, "root", "judge-runners.pids")
HOST = socket.gethostname()


def judge_env():
    out = {}
    try:
        with open(os.path.join(VAR, "judge", "judge.env")) as f:
            for line in f:
                k, _, v = line.rstrip("\n").partition("=")
                out[k] = v.strip("'")
    except OSError:
        pass
    return out


def runner_pids():
    with open(PIDS) as f:
        return [int(x) for x in f.read().split()]


def alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[-1].split()[0] not in ("Z", "X")
    except OSError:
        return False


def age(pid):
    with open(f"/proc/{pid}/stat") as f:
        start = int(f.read().rsplit(")", 1)[-1].split()[19])
    with open("/proc/uptime") as f:
        up = float(f.read().split()[0])
    return up - start / os.sysconf("SC_CLK_TCK")


def supervise_step():
    """One check of scripts/worker-supervise, as cron's run makes it."""
    r = subprocess.run(["bash", os.path.join(ROOT, "scripts", "worker-supervise")],
                       env=dict(os.environ, PITWALL_VAR=VAR, PITWALL_BIN=BIN),
                       capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
    eq(r.returncode, 0, f"worker-supervise: {r.stdout}{r.stderr}")
    return r


def judged():
    """One run through the judge API (wait=true): its status id."""
    jenv = judge_env()
    body = {"source_code": base64.b64encode(b"print(input())").decode(), "language_id": 71,
            "stdin": base64.b64encode(b"back\n").decode(),
            "expected_output": base64.b64encode(b"back\n").decode()}
    req = urllib.request.Request(
        f"http://127.0.0.1:{ENV['PITWALL_JUDGE_PORT']}/submissions?base64_encoded=true&wait=true",
        data=json.dumps(body).encode(), method="POST",
        headers={"Content-Type": "application/json"})
    if jenv.get("JUDGE_AUTH_TOKEN"):
        req.add_header(jenv.get("JUDGE_AUTH_HEADER", "X-Auth-Token"), jenv["JUDGE_AUTH_TOKEN"])
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(req, timeout=60) as r:
        return json.loads(r.read())["status"]["id"]


def beating(pid):
    return redis("EXISTS", f"judge:runner:{HOST}:{pid}") == "1"


def test_a_killed_runner_is_back_after_the_supervise_step():
    before = runner_pids()
    assert before and all(alive(p) for p in before), f"runners before: {before}"
    victim = before[0]
    os.kill(victim, signal.SIGKILL)
    wait_for(lambda: not alive(victim), timeout=10, what="the killed runner to die")
    out = supervise_step()
    after = runner_pids()
    eq(len(after), len(before), f"runner slots ({out.stdout})")
    assert victim not in after, f"the killed runner is still listed: {after}"
    assert all(alive(p) for p in after), f"runners after: {after}"
    new = [p for p in after if p not in before]
    eq(len(new), 1, "one runner started")
    wait_for(lambda: beating(new[0]), timeout=15, what="the new runner's heartbeat")
    eq(judged(), 3, "a run is judged after the step")


def test_a_runner_without_heartbeat_is_replaced():
    pids = runner_pids()
    old = [p for p in pids if age(p) > 35]
    if not old:
        import unittest
        raise unittest.SkipTest("no runner older than the 30 s start-up grace")
    victim = old[0]
    # Hung: stopped, and its heartbeat key gone as when it expires.
    os.kill(victim, signal.SIGSTOP)
    try:
        redis("DEL", f"judge:runner:{HOST}:{victim}")
        supervise_step()
        after = runner_pids()
        assert victim not in after, f"the silent runner is still listed: {after}"
        wait_for(lambda: not alive(victim), timeout=10, what="the silent runner to be killed")
        eq(len(after), len(pids), "runner slots")
        assert all(alive(p) for p in after), f"runners after: {after}"
        eq(judged(), 3, "a run is judged after the step")
    finally:
        if alive(victim):
            os.kill(victim, signal.SIGCONT)
