"""Redis ACL (docs/redis.md): with PITWALL_REDIS_ACL=1 every program
AUTHs as its role's user (responder, worker, judge, admin), each allowed
its own keys and commands only; the default user has a password nobody
holds (so that a restart replays the AOF's transactions).  A stack of its
own (redis_stack.py, on the embedded judge) judges submissions and runs
under it without one command refused, and each role is refused the
others' keys and the server's administration with NOPERM."""
import os
import signal
import stat

import redis_stack as rs
import pw
from contest import auth, jwt, make_question, make_round, make_user, submit, wait_done
from pw import BIN, eq, http, psql, run

S = {}
ROLES = ("responder", "worker", "judge", "admin")


def setup_module():
    # On the embedded judge: its API and runners work as the judge role.
    rs.up("redis-acl", embedded=True, PITWALL_REDIS_ACL="1")
    rs.cli("ops", "ACL", "LOG", "RESET")
    S["round"] = make_round()
    S["uid"] = make_user()
    S["tok"] = jwt(S["uid"])
    S["q"], _ = make_question(S["round"], [("1\n", "1\n"), ("2\n", "2\n")])


def teardown_module():
    rs.down()


def test_submissions_are_judged_under_acl():
    eq(pw.ENV.get("PITWALL_JUDGE_EMBEDDED"), "1", "on the embedded judge")
    sids = []
    for src in ("print(input())", "print(int(input()) + 1)", "print(input())"):
        r = submit(S["tok"], S["q"], source=src)
        eq(r.status, 202, f"submit {r!r}")
        sids.append(r.json()["submission_id"])
    for sid, want in zip(sids, (["2", "2", "2", "0"], ["2", "2", "0", "2"], ["2", "2", "2", "0"])):
        eq(wait_done(sid, timeout=120)[1:5], want, "done/total/passed/failed")
    # A retry with an Idempotency-Key (WATCH, its key under the user's):
    # the same submission, not one refused command.
    body = {"question_id": S["q"], "language_id": 71, "source_code": "print(input()) # keyed"}
    hdr = dict(auth(S["tok"]), **{"Idempotency-Key": "acl-retry"})
    r1 = http("POST", pw.URL + "/submit", body=body, headers=hdr)
    r2 = http("POST", pw.URL + "/submit", body=body, headers=hdr)
    eq((r1.status, r2.status), (202, 202), f"keyed submits {r1!r} {r2!r}")
    eq(r2.json()["submission_id"], r1.json()["submission_id"], "the retry's submission")
    wait_done(r1.json()["submission_id"], timeout=120)
    r = http("POST", pw.URL + "/run", body={"question_id": S["q"], "language_id": 71,
                                         "source_code": "print(input())"}, headers=auth(S["tok"]))
    eq((r.status, r.json().get("passed")), (200, 1), f"/run {r!r}")
    # The admin CLI under its own user: a ban (authz keys) and a
    # leaderboard rebuild (the boards).
    email = psql(f"SELECT email FROM users WHERE id = {S['uid']}")
    run([f"{BIN}/pitwall-admin", "user", "ban", "--email", email])
    eq(rs.cli("ops", "SISMEMBER", "pitwall:banned", S["uid"]).stdout.strip(), "1", "ban in Redis")
    run([f"{BIN}/pitwall-admin", "user", "unban", "--email", email])
    run([f"{BIN}/pitwall-admin", "leaderboard", "rebuild"])
    eq(rs.cli("ops", "ZSCORE", f"pitwall:lb:{S['round']}", S["uid"]).stdout.strip(), "100",
       "leaderboard rebuilt by pitwall-admin")


def test_no_command_of_the_stack_was_refused():
    clients = rs.cli("ops", "CLIENT", "LIST").stdout
    for role in ("responder", "worker", "judge"):
        assert f"user=pitwall-{role} " in clients, f"no client of pitwall-{role}: {clients[:2000]}"
    log = rs.cli("ops", "ACL", "LOG").stdout.strip()
    eq(log, "", "ACL LOG (commands the stack sent and Redis refused)")


def test_default_user_needs_a_password_nobody_holds():
    p = rs.cli("ops", "ACL", "GETUSER", "default")
    flags = p.stdout.split()
    assert "on" in flags and "nopass" not in flags, p.stdout
    for guess in ("", "default", "pitwall", rs.secret("redis-ops.key")):
        p = rs.subprocess.run(["redis-cli", "-s", os.path.join(rs.S["var"], "run", "redis.sock"),
                               "AUTH", "default", guess or "x"], capture_output=True, text=True,
                              timeout=30)
        assert "WRONGPASS" in p.stdout + p.stderr, (guess, p.stdout, p.stderr)
    p = rs.cli(None, "PING")
    assert "NOAUTH" in p.stdout + p.stderr, (p.stdout, p.stderr)
    p = rs.cli(None, "GET", "pitwall:languages")
    assert "NOAUTH" in p.stdout + p.stderr, (p.stdout, p.stderr)
    p = rs.cli("worker", "PING", password="not-the-password")
    assert "WRONGPASS" in p.stdout + p.stderr, (p.stdout, p.stderr)
    p = rs.cli("worker", "PING", password=rs.secret("redis-responder.key"))
    assert "WRONGPASS" in p.stdout + p.stderr, "another role's password"
    for role in ROLES:
        eq(rs.cli(role, "PING").stdout.strip(), "PONG", f"{role} with its password")


def refused(role, *cmd):
    out = rs.cli(role, *cmd)
    assert "NOPERM" in out.stdout + out.stderr, \
        f"{role} {' '.join(map(str, cmd))}: expected NOPERM, got {out.stdout!r} {out.stderr!r}"


def allowed(role, *cmd):
    out = rs.cli(role, *cmd)
    text = out.stdout + out.stderr
    assert "NOPERM" not in text and "ERR" not in text, \
        f"{role} {' '.join(map(str, cmd))}: expected it to run, got {text!r}"


def test_each_role_only_its_own_keys():
    # What each role does keep.
    allowed("responder", "LLEN", "pitwall:queue")
    allowed("responder", "INCR", "pitwall:rl:submit:1:1")
    allowed("responder", "LLEN", "pitwall:dead")
    allowed("worker", "LLEN", "pitwall:processing:nobody")
    allowed("worker", "ZCARD", "pitwall:cbwait")
    allowed("judge", "LLEN", "judge:queue")
    allowed("judge", "HGETALL", "judge:sub:x")
    allowed("admin", "ZCARD", f"pitwall:lb:{S['round']}")
    # The embedded judge's keys are the judge's alone.
    for role in ("responder", "worker", "admin"):
        refused(role, "LLEN", "judge:queue")
        refused(role, "LPUSH", "judge:callbacks", "x")
        refused(role, "HGETALL", "judge:sub:x")
    # And Pitwall's are not the judge's.
    refused("judge", "LLEN", "pitwall:queue")
    refused("judge", "LPUSH", "pitwall:queue", "{}")
    refused("judge", "HGETALL", "pitwall:sub:x")
    refused("judge", "SMEMBERS", "pitwall:banned")
    # The responders read the worker's state for /metrics, never write it.
    refused("responder", "LPUSH", "pitwall:processing:w1", "{}")
    refused("responder", "DEL", "pitwall:dead")
    refused("responder", "SADD", "pitwall:workers", "w1")
    refused("responder", "ZADD", "pitwall:cbwait", "1", "x")
    # Rate-limit counters are the responders'.
    refused("worker", "INCR", "pitwall:rl:submit:1:1")
    # No role reaches a key outside the patterns.
    for role in ROLES:
        refused(role, "SET", "other:key", "1")


def test_no_role_administers_the_server():
    # (DEBUG is refused by Redis itself before the ACL: not listed.)
    for role in ROLES:
        for cmd in (("CONFIG", "GET", "dir"), ("FLUSHALL",), ("FLUSHDB",), ("KEYS", "*"),
                    ("ACL", "LIST"), ("SHUTDOWN", "NOSAVE"), ("CONFIG", "SET", "dir", "/tmp"),
                    ("REPLICAOF", "NO", "ONE"), ("CLIENT", "KILL", "TYPE", "normal"),
                    ("PUBLISH", "x", "y"), ("SCRIPT", "FLUSH"),
                    ("MIGRATE", "127.0.0.1", "1", "k", "0", "1000"), ("SAVE",), ("BGREWRITEAOF",)):
            refused(role, *cmd)
    eq(rs.cli("ops", "PING").stdout.strip(), "PONG", "Redis still up")


def test_passwords_stay_secret():
    sec = os.path.join(rs.S["var"], "secrets")
    for role in ROLES + ("replica", "sentinel", "ops"):
        st = os.stat(os.path.join(sec, f"redis-{role}.key"))
        eq(stat.S_IMODE(st.st_mode), 0o600, f"redis-{role}.key mode")
        want = 0 if role == "ops" and os.geteuid() == 0 else rs.service_uid()
        eq(st.st_uid, want, f"redis-{role}.key owner")
    with open(os.path.join(rs.S["var"], "redis", "users.acl")) as f:
        acl = f.read()
    for role in ROLES:
        assert rs.secret(f"redis-{role}.key") not in acl, "a plaintext password in users.acl"
        assert f"user pitwall-{role} on #" in acl, f"{role} has a hashed password"
    if os.geteuid() == 0:
        p = rs.as_service("cat", os.path.join(sec, "redis-ops.key"))
        assert p.returncode != 0, "the service user reads the operator's password"
        p = rs.subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                               "cat", os.path.join(sec, "redis-worker.key")],
                              capture_output=True, text=True)
        assert p.returncode != 0, "another local user reads a Redis password"


def test_program_refuses_a_readable_password_file():
    d = os.path.join(rs.S["var"], "pwtest")
    os.makedirs(d, exist_ok=True)
    f = os.path.join(d, "redis-admin.key")
    with open(f, "w") as fh:
        fh.write(rs.secret("redis-admin.key"))
    os.chmod(f, 0o644)
    p = run([f"{BIN}/pitwall-admin", "leaderboard", "rebuild"], env={"REDIS_PASSWORD_DIR": d},
            check=False)
    assert p.returncode != 0, "group-readable password file accepted"
    assert "accessible by group or others" in p.stderr + p.stdout, p.stderr
    os.chmod(f, 0o600)
    run([f"{BIN}/pitwall-admin", "leaderboard", "rebuild"], env={"REDIS_PASSWORD_DIR": d})


def test_a_restart_keeps_what_the_aof_holds():
    """Redis 7.0 replays the AOF's MULTI/EXEC as the default user and
    dropped them while it was off (the submission's is one): what one
    wrote must be there after Redis is killed and started again, and the
    stack judges on."""
    env = dict(os.environ, REDISCLI_AUTH=rs.secret("redis-ops.key"))
    p = rs.subprocess.run(["redis-cli", "--no-auth-warning", "--user", "pitwall-ops", "-s",
                           os.path.join(rs.S["var"], "run", "redis.sock")],
                          input="MULTI\nSET pitwall:test:aof tx\nEXEC\n", env=env,
                          capture_output=True, text=True, timeout=30)
    assert "OK" in p.stdout, (p.stdout, p.stderr)
    eq(rs.cli("ops", "GET", "pitwall:test:aof").stdout.strip(), "tx", "before the restart")
    rs.cli("ops", "ACL", "LOG", "RESET")
    pid = int(open(os.path.join(rs.S["var"], "run", "redis.pid")).read().split()[0])
    os.kill(pid, signal.SIGKILL)
    pw.wait_for(lambda: not os.path.exists(f"/proc/{pid}"), timeout=10, what="Redis to die")
    p = rs.subprocess.run(["bash", "scripts/stack", "redis"], cwd=pw.ROOT, env=rs.S["env"],
                          capture_output=True, text=True, timeout=120)
    eq(p.returncode, 0, f"scripts/stack redis: {p.stdout} {p.stderr}")
    pw.wait_for(lambda: rs.cli("ops", "PING").stdout.strip() == "PONG", timeout=30,
                what="Redis back")
    eq(rs.cli("ops", "GET", "pitwall:test:aof").stdout.strip(), "tx",
       "the MULTI/EXEC replayed from the AOF")
    eq(rs.cli("ops", "ACL", "LOG").stdout.strip(), "", "ACL LOG after the replay")
    r = submit(S["tok"], S["q"])
    eq(r.status, 202, f"submit after the restart {r!r}")
    eq(wait_done(r.json()["submission_id"], timeout=120)[1:4], ["2", "2", "2"],
       "done/total/passed after the restart")
