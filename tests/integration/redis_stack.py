"""An extra stack whose Redis runs in one of the modes of docs/redis.md
(PITWALL_REDIS_ACL, _TLS, _SENTINEL), for the test_redis_* files: brought
up in PITWALL_TEST_TMP/extra-stacks/<name> at PITWALL_PORT_BASE + 10
(tests/run stops every extra stack too), on the run's fake Judge0, and
pw's and contest's helpers pointed at it."""
import os
import pwd
import subprocess
import tempfile

import pw

S = {}


def up(name, embedded=False, **settings):
    """The stack NAME with SETTINGS; embedded: on the embedded judge (real
    sandboxed runs) instead of the fake Judge0."""
    top = os.environ.get("PITWALL_TEST_TMP") or tempfile.mkdtemp(prefix="pitwall-redis.")
    os.chmod(top, 0o755)
    base = os.path.join(top, "extra-stacks", name)
    os.makedirs(base, exist_ok=True)
    for d in (os.path.dirname(base), base):
        os.chmod(d, 0o755)
    var = os.path.join(base, "var")
    env = dict(os.environ, PITWALL_VAR=var, PITWALL_CRON="0",
               PITWALL_PORT_BASE=str(int(pw.ENV["PITWALL_PORT_BASE"]) + 10), **settings)
    if embedded:
        env.pop("JUDGE0_URL", None)
        env.pop("PITWALL_JUDGE_EMBEDDED", None)
    else:
        env.setdefault("JUDGE0_URL", pw.ENV["JUDGE0_URL"])
    S.update(var=var, env=env)
    p = subprocess.run(["bash", "scripts/stack", "up"], cwd=pw.ROOT, env=env,
                       capture_output=True, text=True, timeout=600)
    if p.returncode != 0:
        raise AssertionError(f"stack up ({settings}) exited {p.returncode}: "
                             f"{p.stdout[-3000:]} {p.stderr[-3000:]}")
    # pw's and contest's helpers now work on this stack.
    import contest
    pw.VAR = var
    pw.ENV.clear()
    pw.ENV.update(pw.stack_env(var))
    pw.URL = contest.URL = pw.ENV["PITWALL_URL"]
    pw.INTERNAL = pw.ENV["PITWALL_INTERNAL_URL"]
    pw.redis = contest.redis = lambda *a: cli("ops", *a).stdout.strip()
    return pw.ENV


def down():
    if "env" in S:
        subprocess.run(["bash", "scripts/stack", "down"], cwd=pw.ROOT, env=S["env"],
                       capture_output=True, text=True, timeout=300)


def secret(name):
    with open(os.path.join(S["var"], "secrets", name)) as f:
        return f.read().strip()


def cli(role, *args, to=None, password=None, extra=()):
    """redis-cli as the ACL user pitwall-<role> (None: no AUTH) on the
    server's own unix socket, or on to=[…redis-cli address options]."""
    env = dict(os.environ)
    cmd = ["redis-cli"] + list(to or ["-s", os.path.join(S["var"], "run", "redis.sock")])
    cmd += list(extra)
    if role is not None:
        env["REDISCLI_AUTH"] = password if password is not None else secret(f"redis-{role}.key")
        cmd += ["--user", f"pitwall-{role}"]
    return subprocess.run(cmd + [str(a) for a in args], env=env, capture_output=True,
                          text=True, timeout=30)


def sentinel(to, *args, password=True):
    """redis-cli to a sentinel at to=[…redis-cli address options], with
    the sentinels' password (password=False: without AUTH); its words."""
    env = dict(os.environ)
    cmd = ["redis-cli"] + list(to)
    if password:
        env["REDISCLI_AUTH"] = secret("sentinel.pass")
        cmd.append("--no-auth-warning")
    return subprocess.run(cmd + [str(a) for a in args], env=env, capture_output=True,
                          text=True, timeout=30).stdout.split()


def master_port(ask, ports):
    """The master's port as the first sentinel of ports that knows says
    (ask(port, *args): that sentinel's words), or None."""
    for p in ports:
        a = ask(p, "SENTINEL", "get-master-addr-by-name", "pitwall")
        if len(a) == 2:
            return int(a[1])
    return None


def check_sentinels(ask, ports):
    """Each sentinel knows the one replica and the two other sentinels."""
    for port in ports:
        info = ask(port, "SENTINEL", "master", "pitwall")
        fields = dict(zip(info[0::2], info[1::2]))
        pw.eq(fields.get("num-slaves"), "1", f"replicas sentinel {port} knows")
        pw.eq(fields.get("num-other-sentinels"), "2", f"other sentinels sentinel {port} knows")
    return fields


def judge_three(tok, q):
    """Three submissions of q, each scored with its one testcase passed."""
    from contest import submit, wait_done
    sids = []
    for _ in range(3):
        r = submit(tok, q)
        pw.eq(r.status, 202, f"submit {r!r}")
        sids.append(r.json()["submission_id"])
    for sid in sids:
        pw.eq(wait_done(sid)[1:4], ["1", "1", "1"], "done/total/passed")


def as_service(*cmd):
    """Run cmd as the stack's service user (as scripts/stack starts servers)."""
    if os.geteuid() == 0:
        svc = os.environ.get("PITWALL_USER", "pitwall")
        cmd = ("setpriv", f"--reuid={svc}", f"--regid={svc}", "--init-groups", "--") + cmd
    return subprocess.run(list(cmd), capture_output=True, text=True, timeout=60)


def service_uid():
    if os.geteuid() != 0:
        return os.geteuid()
    return pwd.getpwnam(os.environ.get("PITWALL_USER", "pitwall")).pw_uid
