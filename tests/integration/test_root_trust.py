"""Root trusts only root's files (issue 15): as root, the scripts read
settings only from root's files, and parse them (never source or eval);
they signal a pid read from a file only when it is the expected program
of the expected user; root's pid files, locks and logs are in root's
VAR/root; the judge's box and cache directories are root's.  Each test
plays the service user editing what it can reach, and checks nothing of
its runs as root and no root file changes.

The layout is checked on the test stack; the attacks run on a stack of
their own (PITWALL_TEST_TMP/extra-stacks/trust, which tests/run stops),
with stand-in programs, so the shared stack is not disturbed."""
import os
import shutil
import signal
import subprocess
import tempfile
import time
import unittest

from pw import ROOT, VAR, eq, wait_for

SVC = "pitwall"
S = {}
STANDIN = "#!/bin/sh\n# A stand-in: says so, then runs until stopped.\necho standin-output\nexec sleep 600\n"


def as_svc(cmd):
    """Run the shell command cmd as the service user; its CompletedProcess."""
    return subprocess.run(["setpriv", f"--reuid={SVC}", f"--regid={SVC}", "--init-groups", "--",
                           "/bin/sh", "-c", cmd], capture_output=True, text=True, timeout=30)


def owner(path):
    st = os.lstat(path)
    return st.st_uid, st.st_gid, st.st_mode & 0o7777


def svc_ids():
    import pwd
    p = pwd.getpwnam(SVC)
    return p.pw_uid, p.pw_gid


def setup_module():
    if os.geteuid() != 0:
        raise unittest.SkipTest("needs root (the service user is another user)")
    top = os.environ.get("PITWALL_TEST_TMP")
    if not top:
        top = tempfile.mkdtemp(prefix="pitwall-trust.")
        os.chmod(top, 0o755)
        S["own"] = top
    base = os.path.join(top, "extra-stacks", "trust")
    var, binp = os.path.join(base, "var"), os.path.join(base, "bin")
    uid, gid = svc_ids()
    for d in (os.path.dirname(base), base, var, binp, os.path.join(var, "root"),
              os.path.join(var, "judge")):
        os.makedirs(d, exist_ok=True)
        os.chmod(d, 0o755)
    os.chmod(os.path.join(var, "judge"), 0o711)
    for d in ("run", "log"):
        os.makedirs(os.path.join(var, d), exist_ok=True)
        os.chown(os.path.join(var, d), uid, gid)
    for name in ("pitwall-worker", "pitwall-judge-runner", "pitwall-judge"):
        with open(os.path.join(binp, name), "w") as f:
            f.write(STANDIN)
        os.chmod(os.path.join(binp, name), 0o755)
    # Root's own things the attacks aim at.
    rootfile = os.path.join(base, "root-file")
    with open(rootfile, "w") as f:
        f.write("root's own\n")
    os.chmod(rootfile, 0o600)
    rootdir = os.path.join(base, "root-dir")
    os.makedirs(rootdir, exist_ok=True)
    os.chmod(rootdir, 0o755)
    with open(os.path.join(rootdir, "keep"), "w") as f:
        f.write("keep\n")
    S.update(base=base, var=var, bin=binp, rootfile=rootfile, rootdir=rootdir,
             marker=os.path.join(base, "ran-as-root"),
             env=dict(os.environ, PITWALL_VAR=var, PITWALL_BIN=binp, PITWALL_CRON="0"))
    write_stack_env()


def write_stack_env(extra=""):
    path = os.path.join(S["var"], "stack.env")
    with open(path, "w") as f:
        f.write(f"PITWALL_VAR='{S['var']}'\nREDIS_SOCKET='{S['var']}/run/redis.sock'\n"
                f"PITWALL_JUDGE_EMBEDDED='0'\n{extra}")
    os.chown(path, 0, 0)
    os.chmod(path, 0o644)
    return path


def script(*args, timeout=60):
    return subprocess.run(["bash", os.path.join(ROOT, "scripts", args[0]), *args[1:]],
                          env=S["env"], capture_output=True, text=True, timeout=timeout,
                          stdin=subprocess.DEVNULL)


def no_marker(what):
    assert not os.path.exists(S["marker"]), f"{what}: a command of the service user ran as root"


def root_file_intact(what):
    eq(owner(S["rootfile"]), (0, 0, 0o600), f"{what}: root's file owner and mode")
    with open(S["rootfile"]) as f:
        eq(f.read(), "root's own\n", f"{what}: root's file content")
    eq(owner(S["rootdir"])[:2], (0, 0), f"{what}: root's directory owner")
    eq(sorted(os.listdir(S["rootdir"])), ["keep"], f"{what}: root's directory content")


def stop_worker():
    script("stack", "down")
    try:
        os.unlink(os.path.join(S["var"], "root", "supervise.off"))
    except FileNotFoundError:
        pass


def test_the_stack_layout_keeps_root_files_root_s():
    uid, _ = svc_ids()
    eq(owner(VAR)[0], 0, "VAR")
    eq(owner(os.path.join(VAR, "stack.env")), (0, 0, 0o644), "stack.env")
    for d in ("root", "nginx", "secrets", "judge"):
        eq(owner(os.path.join(VAR, d))[0], 0, f"VAR/{d}")
    for d in ("run", "log", "pg", "redis"):
        eq(owner(os.path.join(VAR, d))[0], uid, f"VAR/{d} is the service user's")
    for f in ("worker.pid", "supervise.log"):
        if os.path.exists(os.path.join(VAR, "root", f)):
            eq(owner(os.path.join(VAR, "root", f))[0], 0, f"VAR/root/{f}")
    # What the service user would need to edit to reach root: refused.
    for cmd in (f"echo 'touch {S['marker']}' >> {VAR}/stack.env",
                f"mv {VAR}/stack.env {VAR}/stack.env.old",
                f"ln -sf {S['rootfile']} {VAR}/root/supervise.log.x",
                f"echo 1 > {VAR}/root/worker.pid",
                f"mkdir {VAR}/root/supervise-runs/x",
                f"ln -s {S['rootdir']} {VAR}/judge/cache.x",
                f"echo JUDGE_X=1 >> {VAR}/judge/judge.env",
                f"echo x > {VAR}/nginx/nginx.conf",
                f"mv {VAR}/run {VAR}/run.x"):
        r = as_svc(cmd)
        assert r.returncode != 0, f"the service user could: {cmd}"
    no_marker("layout")


def test_settings_the_service_user_wrote_are_refused():
    uid, gid = svc_ids()
    # An older layout: stack.env the service user's, with a command in it.
    path = write_stack_env()
    os.chown(path, uid, gid)
    r = as_svc(f"printf '%s\\n' 'touch {S['marker']}' \"PITWALL_LOG_LEVEL=\\$(touch {S['marker']})\""
               f" >> {path}")
    eq(r.returncode, 0, f"the service user edits its stack.env: {r.stderr}")
    r = script("worker-supervise")
    assert r.returncode != 0 and "refusing" in r.stderr, f"worker-supervise: {r.stdout}{r.stderr}"
    no_marker("worker-supervise with the service user's stack.env")
    assert not os.path.exists(os.path.join(S["var"], "root", "worker.pid")), "a worker started"
    # The same for judge.env, which scripts/judge used to eval.
    write_stack_env()
    jenv = os.path.join(S["var"], "judge", "judge.env")
    with open(jenv, "w") as f:
        f.write(f"JUDGE_RUNNERS='1'\nJUDGE_X=$(touch {S['marker']})\ntouch {S['marker']}\n")
    os.chown(jenv, uid, gid)
    r = script("judge", "supervise")
    assert r.returncode != 0 and "refusing" in r.stderr, f"judge supervise: {r.stdout}{r.stderr}"
    no_marker("scripts/judge with the service user's judge.env")
    os.unlink(jenv)


def test_settings_are_parsed_not_run():
    # Root's own files with shell in their values: data, never run.
    write_stack_env(f"PITWALL_LOG_LEVEL='$(touch {S['marker']})'\ntouch {S['marker']}\n"
                    f"WORKER_HEARTBEAT='a[$(touch {S['marker']})]'\n")
    try:
        r = script("worker-supervise")
        eq(r.returncode, 0, f"worker-supervise: {r.stdout}{r.stderr}")
        no_marker("stack.env values")
        jenv = os.path.join(S["var"], "judge", "judge.env")
        with open(jenv, "w") as f:
            f.write(f"JUDGE_RUNNERS='a[$(touch {S['marker']})]'\n")
        os.chmod(jenv, 0o600)
        r = script("judge", "supervise")
        assert r.returncode != 0 and "not a number" in r.stderr, f"judge: {r.stdout}{r.stderr}"
        no_marker("judge.env arithmetic")
        os.unlink(jenv)
    finally:
        stop_worker()
        write_stack_env()


def test_pid_files_pointed_at_other_processes_are_not_signalled():
    victims = [subprocess.Popen(["sleep", "300"]),
               subprocess.Popen(["setpriv", f"--reuid={SVC}", f"--regid={SVC}", "--init-groups",
                                 "--", "sleep", "300"])]
    try:
        time.sleep(0.3)
        pids = " ".join(str(v.pid) for v in victims)
        run = os.path.join(S["var"], "run")
        # judge.pids names the root process only: the API here is a
        # stand-in script, which pid_is matches by uid alone.
        r = as_svc(" && ".join([f"printf '%s\\n' {pids} > {run}/{f}" for f in
                                ("redis.pid", "nginx.pid", "fcgi.pids", "fcgi-cb.123.pids")]
                               + [f"echo {victims[0].pid} > {run}/judge.pids"]))
        eq(r.returncode, 0, f"the service user writes its pid files: {r.stderr}")
        r = as_svc(f"echo {victims[0].pid} > {S['var']}/root/judge-runners.pids")
        assert r.returncode != 0, "the service user wrote root's runner pid file"
        r = script("stack", "down")
        eq(r.returncode, 0, f"stack down: {r.stdout}{r.stderr}")
        for v in victims:
            assert v.poll() is None, f"pid {v.pid} was signalled by stack down: {r.stdout}"
        assert "not stopping pid" in r.stderr, r.stderr
    finally:
        for v in victims:
            v.kill()
            v.wait()
        try:
            os.unlink(os.path.join(S["var"], "root", "supervise.off"))
        except FileNotFoundError:
            pass


def test_planted_symlinks_lead_root_nowhere():
    uid, gid = svc_ids()
    judge = os.path.join(S["var"], "judge")
    # A stack made before this layout let the service user own VAR/judge:
    # it left the box directory as a link to a root directory and a cache
    # of its own with a link inside.
    os.chown(judge, uid, gid)
    r = as_svc(f"ln -s {S['rootdir']} {judge}/boxes && mkdir {judge}/cache && "
               f"ln -s {S['rootdir']} {judge}/cache/entry")
    os.chown(judge, 0, 0)
    eq(r.returncode, 0, f"plant: {r.stderr}")
    # The worker's output file replaced by a link to a root file.
    r = as_svc(f"rm -f {S['var']}/log/worker.out && ln -s {S['rootfile']} {S['var']}/log/worker.out")
    eq(r.returncode, 0, f"plant worker.out: {r.stderr}")
    jenv = os.path.join(judge, "judge.env")
    with open(jenv, "w") as f:
        f.write("JUDGE_RUNNERS='1'\nJUDGE_API_PROCS='1'\n")
    os.chmod(jenv, 0o600)
    write_stack_env()
    try:
        r = script("judge", "supervise")
        eq(r.returncode, 0, f"judge supervise: {r.stdout}{r.stderr}")
        for d, mode in (("boxes", 0o711), ("cache", 0o700)):
            p = os.path.join(judge, d)
            assert not os.path.islink(p), f"{d} is still a link"
            eq(owner(p), (0, 0, mode), f"{d} is root's")
            eq(os.listdir(p), [], f"{d} starts empty")
        r = script("worker-supervise")
        eq(r.returncode, 0, f"worker-supervise: {r.stdout}{r.stderr}")
        time.sleep(0.5)
        root_file_intact("after the supervisor started a worker and runners")
        no_marker("symlinks")
    finally:
        stop_worker()
        os.unlink(jenv)
        os.unlink(os.path.join(S["var"], "log", "worker.out"))


def test_a_runner_the_service_user_could_replace_is_not_run():
    uid, gid = svc_ids()
    runner = os.path.join(S["bin"], "pitwall-judge-runner")
    os.chown(runner, uid, gid)
    jenv = os.path.join(S["var"], "judge", "judge.env")
    with open(jenv, "w") as f:
        f.write("JUDGE_RUNNERS='1'\nJUDGE_API_PROCS='1'\n")
    os.chmod(jenv, 0o600)
    try:
        r = script("judge", "supervise")
        assert r.returncode != 0 and "not root's alone" in r.stderr, f"judge: {r.stdout}{r.stderr}"
        assert not os.path.exists(os.path.join(S["var"], "root", "judge-runners.pids")), \
            "a runner was started"
    finally:
        os.chown(runner, 0, 0)
        os.unlink(jenv)
        stop_worker()


def test_pool_switch_replaces_a_planted_link():
    # scripts/fcgi-reload on the test stack, with the name it copies the
    # pool's pids to planted as a link to a root file.
    run = os.path.join(VAR, "run")
    r = as_svc(f"ln -sfn {S['rootfile']} {run}/.fcgi-cb.pids.new")
    eq(r.returncode, 0, f"plant: {r.stderr}")
    r = subprocess.run(["bash", os.path.join(ROOT, "scripts", "fcgi-reload"), "fcgi-cb"],
                       env=dict(os.environ, PITWALL_DRAIN_TIMEOUT="20"), capture_output=True,
                       text=True, timeout=120)
    eq(r.returncode, 0, f"fcgi-reload: {r.stdout}{r.stderr}")
    root_file_intact("after fcgi-reload")
    assert not os.path.islink(os.path.join(run, "fcgi-cb.pids")), "fcgi-cb.pids is a link"


def teardown_module():
    if S.get("env"):
        script("stack", "down")
    if S.get("own"):
        shutil.rmtree(S["own"], ignore_errors=True)
