"""Redis with TLS and Sentinel together (docs/redis.md): with
PITWALL_REDIS_TLS=1 and PITWALL_REDIS_SENTINEL=1 the master, the replica
and the three sentinels listen only with TLS (replication and the
sentinels' links too); the programs reach each of them through a
stunnel tunnel of its own (scripts/redis-tunnel), ask the sentinels
through theirs (with the sentinels' password) and reach the master the
sentinels name through the tunnel REDIS_ADDRESS_MAP gives for its
address.  The stack judges that way, a failover is followed, and an
address without a tunnel is never reached."""
import os
import signal
import subprocess
import time

import pw
import redis_stack as rs
from contest import jwt, make_question, make_round, make_user, submit, wait_done
from pw import ROOT, eq, psql, wait_for

S = {}


def setup_module():
    env = rs.up("redis-tls-sent", PITWALL_REDIS_TLS="1", PITWALL_REDIS_SENTINEL="1",
                PITWALL_SENTINEL_DOWN_MS="1000")
    base = int(env["PITWALL_PORT_BASE"])
    S.update(master=base + 6, replica=base + 7, sentinel_ports=[base + 8, base + 9, base + 5],
             sec=os.path.join(rs.S["var"], "secrets"))
    S["round"] = make_round()
    S["uid"] = make_user()
    S["tok"] = jwt(S["uid"])
    S["q"], S["tids"] = make_question(S["round"], [("1\n", "1\n")])


def teardown_module():
    rs.down()


def sock(port):
    return os.path.join(rs.S["var"], "run", f"redis-tls-127.0.0.1-{port}.sock")


def sentinel(port, *args, password=True):
    """redis-cli to a sentinel through its tunnel (rs.sentinel)."""
    return rs.sentinel(["-s", sock(port)], *args, password=password)


def master_port():
    return rs.master_port(sentinel, S["sentinel_ports"])


def ops(port, *args):
    """pitwall-ops on the server at port, through its tunnel."""
    return rs.cli("ops", *args, to=["-s", sock(port)]).stdout


def test_settings_and_tls_only():
    e = pw.ENV
    eq(e.get("REDIS_SOCKET"), "", "REDIS_SOCKET (the sentinels decide)")
    eq(e.get("REDIS_SENTINELS"), ",".join(sock(p) for p in S["sentinel_ports"]), "REDIS_SENTINELS")
    eq(e.get("REDIS_ADDRESS_MAP"), f"127.0.0.1:{S['master']}={sock(S['master'])},"
       f"127.0.0.1:{S['replica']}={sock(S['replica'])}", "REDIS_ADDRESS_MAP")
    for f in ("redis.conf", "redis-replica.conf"):
        conf = open(os.path.join(rs.S["var"], "redis", f)).read()
        assert "\nport 0\n" in conf and "\ntls-replication yes\n" in conf, f"{f}: {conf}"
    for i in (1, 2, 3):
        conf = open(os.path.join(rs.S["var"], "redis", f"sentinel-{i}", "sentinel.conf")).read()
        assert "\nport 0\n" in conf and "tls-port " in conf, f"sentinel {i}: {conf}"
    # Nothing answers in plain text: servers nor sentinels.
    for port in [S["master"], S["replica"]] + S["sentinel_ports"]:
        p = rs.cli("ops", "PING", to=["-h", "127.0.0.1", "-p", str(port)])
        assert "PONG" not in p.stdout, f"port {port} answered in plain text"


def test_sentinels_through_their_tunnels():
    eq(master_port(), S["master"], "the sentinels' master")
    rs.check_sentinels(sentinel, S["sentinel_ports"])
    for port in S["sentinel_ports"]:
        info = sentinel(port, "SENTINEL", "master", "pitwall")
        fields = dict(zip(info[0::2], info[1::2]))
        eq(fields.get("flags"), "master", f"master flags at sentinel {port}")
        got = " ".join(sentinel(port, "SENTINEL", "get-master-addr-by-name", "pitwall",
                                password=False))
        assert got.startswith("NOAUTH"), f"sentinel {port} answered without AUTH: {got!r}"
    # The replica syncs with the master over TLS.
    assert "master_link_status:up" in ops(S["replica"], "INFO", "replication")


def test_stack_judges_through_the_tunnels():
    rs.judge_three(S["tok"], S["q"])
    clients = [c for c in ops(S["master"], "CLIENT", "LIST").splitlines()
               if "user=pitwall-responder " in c or "user=pitwall-worker " in c]
    assert clients, "no responder or worker connected"
    for c in clients:
        assert f"laddr=127.0.0.1:{S['master']} " in c, f"a client not on the TLS port: {c}"
    eq(rs.cli("ops", "ACL", "LOG").stdout.strip(), "", "ACL LOG")
    out = subprocess.run(["bash", "scripts/stack", "status"], cwd=ROOT, env=rs.S["env"],
                         capture_output=True, text=True, timeout=60).stdout
    assert f"master 127.0.0.1 {S['master']}" in out and "3 of 3 running" in out, out


def test_an_address_without_a_tunnel_is_refused():
    """A program whose map has no tunnel for the address the sentinels
    name does not connect (never in plain text, never elsewhere)."""
    env = dict(os.environ, **pw.ENV)
    env["REDIS_ADDRESS_MAP"] = f"127.0.0.1:{S['replica']}={sock(S['replica'])}"
    p = subprocess.run([os.path.join(pw.BIN, "pitwall-admin"), "leaderboard", "rebuild"], env=env,
                       capture_output=True, text=True, timeout=60)
    assert p.returncode != 0, f"connected without the master's tunnel: {p.stdout} {p.stderr}"
    assert "REDIS_ADDRESS_MAP has no tunnel for" in p.stderr, p.stderr[-2000:]
    env["REDIS_ADDRESS_MAP"] = pw.ENV["REDIS_ADDRESS_MAP"]
    p = subprocess.run([os.path.join(pw.BIN, "pitwall-admin"), "leaderboard", "rebuild"], env=env,
                       capture_output=True, text=True, timeout=60)
    eq(p.returncode, 0, f"with the map: {p.stdout} {p.stderr}")


def test_failover_through_the_tunnels():
    pid = int(open(os.path.join(rs.S["var"], "run", "redis.pid")).read().split()[0])
    t = time.monotonic()
    os.kill(pid, signal.SIGKILL)
    wait_for(lambda: master_port() == S["replica"], timeout=60, interval=0.1,
             what="the sentinels to promote the replica")
    t_fo = time.monotonic() - t
    p = subprocess.run(["bash", "scripts/stack", "redis"], cwd=ROOT, env=rs.S["env"],
                       capture_output=True, text=True, timeout=120)
    eq(p.returncode, 0, f"scripts/stack redis: {p.stdout} {p.stderr}")
    assert "starts as its replica" in p.stdout, p.stdout
    wait_for(lambda: "master_link_status:up" in ops(S["master"], "INFO", "replication"),
             timeout=90, interval=0.2, what="the old master to replicate the new one over TLS")
    # The programs follow the sentinels to the new master's tunnel.
    sid = None
    end = time.monotonic() + 90
    while time.monotonic() < end:
        r = submit(S["tok"], S["q"], timeout=15)
        if r.status == 202:
            sid = r.json()["submission_id"]
            break
        assert r.status == 503, f"submit {r!r}"
        time.sleep(0.3)
    assert sid, "no 202 after the failover"
    t_202 = time.monotonic() - t
    eq(wait_done(sid)[1:4], ["1", "1", "1"], "done/total/passed after the failover")
    eq(psql(f"SELECT count(*) FROM submission_results WHERE submission_id = '{sid}'"), "1",
       "its result stored once")
    clients = [c for c in ops(S["replica"], "CLIENT", "LIST").splitlines()
               if "user=pitwall-responder " in c]
    assert clients, "no responder on the new master"
    print(f"# TLS failover: the sentinels named the replica {t_fo:.2f} s after the kill;"
          f" first 202 {t_202:.2f} s after it", flush=True)
