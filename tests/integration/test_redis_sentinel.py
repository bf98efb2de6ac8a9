"""Redis failover with Redis Sentinel (docs/redis.md): with
PITWALL_REDIS_SENTINEL=1 the stack runs a master, a replica and three
sentinels; every program finds the master through the sentinels, and
/submit's 202 waits for the replica (REDIS_WAIT_REPLICAS=1).  Submissions
flow while the test kills the master: the sentinels promote the replica,
the programs follow, `scripts/stack redis` brings the dead server back as
a replica, and every acknowledged submission is scored exactly once.  Prints the failover time and the time to the first 202 after the
kill."""
import os
import signal
import threading
import time

import pw
import redis_stack as rs
from contest import jwt, make_question, make_round, make_user, submit
from pw import ROOT, eq, psql, wait_for

S = {}


def setup_module():
    env = rs.up("redis-sentinel", PITWALL_REDIS_SENTINEL="1", PITWALL_REDIS_ACL="1",
                PITWALL_SENTINEL_DOWN_MS="1000")
    base = int(env["PITWALL_PORT_BASE"])
    S.update(master=base + 6, replica=base + 7,
             sentinels=[int(s.rsplit(":", 1)[1]) for s in env["REDIS_SENTINELS"].split(",")])
    S["round"] = make_round()
    S["uid"] = make_user()
    S["tok"] = jwt(S["uid"])
    S["q"], S["tids"] = make_question(S["round"], [("1\n", "1\n"), ("2\n", "2\n")])


def teardown_module():
    rs.down()


def sentinel(port, *args, password=True):
    """redis-cli to the sentinel on port (rs.sentinel)."""
    return rs.sentinel(["-h", "127.0.0.1", "-p", str(port)], *args, password=password)


def master_port():
    return rs.master_port(sentinel, S["sentinels"])


def test_master_replica_and_three_sentinels():
    eq(master_port(), S["master"], "the sentinels' master")
    rs.check_sentinels(sentinel, S["sentinels"])
    role = rs.cli("ops", "ROLE", to=["-h", "127.0.0.1", "-p", str(S["replica"])]).stdout.split()
    eq(role[0], "slave", "replica's role")
    # A submission goes through, acknowledged once the replica has it.
    r = submit(S["tok"], S["q"])
    eq(r.status, 202, f"submit {r!r}")
    sid = r.json()["submission_id"]
    wait_for(lambda: psql(f"SELECT status FROM submissions WHERE id = '{sid}'") == "done",
             timeout=60, what="first submission")
    got = rs.cli("ops", "EXISTS", f"pitwall:sub:{sid}",
                 to=["-h", "127.0.0.1", "-p", str(S["replica"])]).stdout.strip()
    eq(got, "1", "the submission is on the replica")


def test_sentinels_refuse_a_client_without_their_password():
    for port in S["sentinels"]:
        got = " ".join(sentinel(port, "SENTINEL", "get-master-addr-by-name", "pitwall",
                                password=False))
        assert got.startswith("NOAUTH"), f"sentinel {port} answered without AUTH: {got!r}"
        got = " ".join(sentinel(port, "SENTINEL", "masters", password=False))
        assert got.startswith("NOAUTH"), f"sentinel {port} answered without AUTH: {got!r}"
    # A wrong password is refused too, and the right one answers.
    env = dict(rs.os.environ, REDISCLI_AUTH="not-the-password")
    p = rs.subprocess.run(["redis-cli", "--no-auth-warning", "-h", "127.0.0.1", "-p",
                           str(S["sentinels"][0]), "SENTINEL", "get-master-addr-by-name", "pitwall"],
                          env=env, capture_output=True, text=True, timeout=30)
    assert str(S["master"]) not in p.stdout, f"a wrong password answered: {p.stdout!r}"
    eq(sentinel(S["sentinels"][0], "SENTINEL", "get-master-addr-by-name", "pitwall"),
       ["127.0.0.1", str(S["master"])], "with the password")
    mode = os.stat(os.path.join(rs.S["var"], "secrets", "sentinel.pass")).st_mode & 0o777
    eq(mode, 0o600, "sentinel.pass mode")
    eq(pw.ENV.get("REDIS_SENTINEL_PASSWORD_FILE"),
       os.path.join(rs.S["var"], "secrets", "sentinel.pass"), "the programs' REDIS_SENTINEL_PASSWORD_FILE")
    # The programs find the master through the sentinels with it (the
    # stack works: test_master_replica_and_three_sentinels); without it
    # they find none.
    env = dict(os.environ, **pw.ENV)
    for k in ("REDIS_SENTINEL_PASSWORD_FILE", "REDIS_SENTINEL_PASSWORD"):
        env.pop(k, None)
    p = rs.subprocess.run([os.path.join(pw.BIN, "pitwall-admin"), "leaderboard", "rebuild"],
                          env=env, capture_output=True, text=True, timeout=60)
    assert p.returncode != 0, f"pitwall-admin without the sentinels' password: {p.stdout} {p.stderr}"
    assert "NOAUTH" in p.stderr + p.stdout, (p.stdout + p.stderr)[-2000:]


def test_failover_keeps_every_acknowledged_submission():
    acked, refused, other = [], [], []
    stop = threading.Event()
    t_kill = [None]

    def submitter():
        while not stop.is_set():
            t = time.monotonic()
            try:
                r = submit(S["tok"], S["q"], timeout=15)
            except Exception as e:  # noqa: BLE001 (a cut connection counts as refused)
                other.append((t, repr(e)))
                continue
            if r.status == 202:
                acked.append((t, time.monotonic(), r.json()["submission_id"]))
            elif r.status == 503:
                refused.append((t, r.json().get("error")))
            else:
                other.append((t, f"{r.status} {r.body[:200]!r}"))
            time.sleep(0.05)

    th = threading.Thread(target=submitter, daemon=True)
    th.start()
    try:
        wait_for(lambda: len(acked) >= 10, timeout=60, what="10 submissions before the kill")
        pid = int(open(os.path.join(rs.S["var"], "run", "redis.pid")).read().split()[0])
        t_kill[0] = time.monotonic()
        os.kill(pid, signal.SIGKILL)
        wait_for(lambda: master_port() == S["replica"], timeout=60, interval=0.05,
                 what="the sentinels to promote the replica")
        t_failover = time.monotonic()
        # The dead machine comes back (`scripts/stack redis` starts what
        # of Redis is not running): as the new master's replica, and
        # writes are acknowledged again once it has synced.
        p = rs.subprocess.run(["bash", "scripts/stack", "redis"], cwd=ROOT, env=rs.S["env"],
                              capture_output=True, text=True, timeout=120)
        eq(p.returncode, 0, f"scripts/stack redis: {p.stdout} {p.stderr}")
        assert "starts as its replica" in p.stdout, p.stdout
        wait_for(lambda: "master_link_status:up" in rs.cli(
            "ops", "INFO", "replication", to=["-h", "127.0.0.1", "-p", str(S["master"])]).stdout,
            timeout=90, interval=0.1, what="the old master to replicate the new one")
        t_rejoined = time.monotonic()
        wait_for(lambda: any(a[0] > t_kill[0] for a in acked), timeout=90, interval=0.1,
                 what="a 202 after the kill")
        t_first = min(a[1] for a in acked if a[0] > t_kill[0])
        n_before = len(acked)
        wait_for(lambda: len(acked) >= n_before + 5, timeout=60, what="5 more 202s")
    finally:
        stop.set()
        th.join(30)
    role = rs.cli("ops", "ROLE", to=["-h", "127.0.0.1", "-p", str(S["master"])]).stdout.split()
    eq(role[0], "slave", "the old master, back, is a replica")
    assert not other, f"neither 202 nor 503: {other[:5]}"
    for _, err in refused:
        assert err in ("unavailable", "not_replicated"), f"503 {err}"
    sids = [a[2] for a in acked]
    eq(len(set(sids)), len(sids), "distinct submission ids")
    ids = ",".join(f"'{s}'" for s in sids)
    # Every acknowledged submission is scored, each testcase once.
    wait_for(lambda: psql(f"SELECT count(*) FROM submissions WHERE id IN ({ids})"
                          f" AND status = 'done'") == str(len(sids)),
             timeout=180, interval=0.5, what="every acknowledged submission scored")
    rows = psql(f"SELECT submission_id, count(*), count(DISTINCT testcase_id) FROM submission_results"
                f" WHERE submission_id IN ({ids}) GROUP BY 1").split("\n")
    eq(len(rows), len(sids), "submissions with results")
    for row in rows:
        sid, n, distinct = row.split("|")
        eq((n, distinct), (str(len(S["tids"])), str(len(S["tids"]))), f"results of {sid}")
    eq(psql(f"SELECT count(*) FROM submissions WHERE id IN ({ids}) AND"
            f" (passed, failed, done) <> ({len(S['tids'])}, 0, {len(S['tids'])})"), "0",
       "every one judged in full, counted once")
    print(f"# failover: {t_failover - t_kill[0]:.2f} s from the kill to the sentinels naming the"
          f" replica; the old master, restarted then, replicating at {t_rejoined - t_kill[0]:.2f} s;"
          f" first 202 after the kill: {t_first - t_kill[0]:.2f} s; {len(sids)} acknowledged,"
          f" {len(refused)} refused with 503"
          f" ({sum(1 for _, e in refused if e == 'not_replicated')} not_replicated)", flush=True)
