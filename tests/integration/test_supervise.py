"""`scripts/stack down` stops a `worker-supervise --watch` run in flight
(as cron starts one every minute) at once, with the worker it started,
and a run that starts after `down` starts nothing.

The stack here is the supervisor's part only, in a directory of its own
(PITWALL_TEST_TMP/extra-stacks/supervise, which tests/run also stops):
a stack.env and a stand-in pitwall-worker that sleeps, so the test needs
neither the shared stack nor its time."""
import os
import shutil
import subprocess
import tempfile
import time

from pw import ROOT, eq, wait_for
from survivors import survivors, wait_gone

S = {}
FAKE_WORKER = "#!/bin/sh\n# Stands in for pitwall-worker: runs until stopped.\nexec sleep 600\n"


def setup_module():
    top = os.environ.get("PITWALL_TEST_TMP")
    if not top:
        top = tempfile.mkdtemp(prefix="pitwall-supervise.")
        os.chmod(top, 0o755)
        S["own"] = top
    base = os.path.join(top, "extra-stacks", "supervise")
    var, binp = os.path.join(base, "var"), os.path.join(base, "bin")
    for d in (os.path.dirname(base), base, var, binp, os.path.join(var, "run"),
              os.path.join(var, "log"), os.path.join(var, "root")):
        os.makedirs(d, exist_ok=True)
        os.chmod(d, 0o755)	# the service user runs the stand-in worker
    if os.geteuid() == 0:
        # As scripts/stack makes them: the service user's (the worker's
        # output file is opened by it), the rest root's.
        import pwd
        svc = pwd.getpwnam(os.environ.get("PITWALL_USER", "pitwall"))
        for d in ("run", "log"):
            os.chown(os.path.join(var, d), svc.pw_uid, svc.pw_gid)
    with open(os.path.join(var, "stack.env"), "w") as f:
        f.write(f"PITWALL_VAR='{var}'\nREDIS_SOCKET='{var}/run/redis.sock'\n")
    worker = os.path.join(binp, "pitwall-worker")
    with open(worker, "w") as f:
        f.write(FAKE_WORKER)
    os.chmod(worker, 0o755)
    S.update(var=var, bin=binp,
             env=dict(os.environ, PITWALL_VAR=var, PITWALL_BIN=binp, PITWALL_CRON="0"))


def supervise_watch():
    """A `worker-supervise --watch 55` run, as cron starts it."""
    log = open(os.path.join(S["var"], "root", "supervise.log"), "ab")
    return subprocess.Popen(["/bin/bash", os.path.join(ROOT, "scripts", "worker-supervise"),
                             "--watch", "55"], env=S["env"], stdout=log, stderr=log,
                            stdin=subprocess.DEVNULL, start_new_session=True)


def worker_pid():
    try:
        with open(os.path.join(S["var"], "root", "worker.pid")) as f:
            return int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[-1].split()[0] != "Z"
    except OSError:
        return False


def stack_down():
    t0 = time.monotonic()
    r = subprocess.run(["bash", os.path.join(ROOT, "scripts", "stack"), "down"], env=S["env"],
                       capture_output=True, text=True, timeout=120)
    eq(r.returncode, 0, f"stack down: {r.stdout}{r.stderr}")
    return time.monotonic() - t0, r.stdout


def test_down_stops_a_watch_run_in_flight_at_once():
    run = supervise_watch()
    try:
        wait_for(lambda: worker_pid() and alive(worker_pid()), timeout=20,
                 what="the watch run to start the worker")
        worker = worker_pid()
        # The scan that tests/run makes after its last `down` sees both.
        seen = {pid for pid, _, _ in survivors(S["var"])}
        assert {run.pid, worker} <= seen, (run.pid, worker, survivors(S["var"]))
        assert run.poll() is None, "the watch run ended by itself"
        took, out = stack_down()
        assert "stopping worker-supervise" in out, out
        # At once: not when the run's 55 s are over.
        assert took < 20, f"stack down took {took:.1f}s"
        wait_for(lambda: run.poll() is not None, timeout=3, what="the watch run to end")
        assert not alive(worker), f"worker {worker} outlived stack down"
        left = wait_gone(S["var"], 3)
        eq(left, [], "processes of the stopped stack")
    finally:
        if run.poll() is None:
            run.kill()
            run.wait()


def test_a_run_after_down_starts_nothing():
    assert os.path.exists(os.path.join(S["var"], "root", "supervise.off")), "down left no marker"
    before = worker_pid()
    t0 = time.monotonic()
    run = supervise_watch()
    try:
        run.wait(timeout=10)
    finally:
        if run.poll() is None:
            run.kill()
            run.wait()
            raise AssertionError("a watch run after stack down kept running")
    assert time.monotonic() - t0 < 5, "the run did not end at once"
    eq(worker_pid(), before, "worker.pid after a run on a stopped stack")
    eq(wait_gone(S["var"], 3), [], "processes of the stopped stack")


def teardown_module():
    subprocess.run(["bash", os.path.join(ROOT, "scripts", "stack"), "down"], env=S.get("env"),
                   capture_output=True, timeout=120)
    if S.get("own"):
        shutil.rmtree(S["own"], ignore_errors=True)
