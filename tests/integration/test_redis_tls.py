"""Redis over TCP with TLS (docs/redis.md): with PITWALL_REDIS_TLS=1 the
stack's Redis listens only with TLS (client certificates of the stack's
CA required, no plaintext port) and the programs reach it through the
stunnel client tunnel of scripts/redis-tunnel, as their ACL users.  A
stack of its own (redis_stack.py) judges submissions that way; a client
without the tunnel, without a certificate or with one of another CA is
refused."""
import os
import socket
import subprocess

import redis_stack as rs
from contest import jwt, make_question, make_round, make_user
from pw import ROOT, eq, wait_for

S = {}


def setup_module():
    env = rs.up("redis-tls", PITWALL_REDIS_TLS="1")
    S["port"] = int(env["PITWALL_PORT_BASE"]) + 6
    S["sec"] = os.path.join(rs.S["var"], "secrets")
    S["round"] = make_round()
    S["uid"] = make_user()
    S["tok"] = jwt(S["uid"])
    S["q"], _ = make_question(S["round"], [("1\n", "1\n")])


def teardown_module():
    rs.down()


def tcp(*opts):
    return ["-h", "127.0.0.1", "-p", str(S["port"]), *opts]


def tls(*opts):
    return tcp("--tls", "--cacert", os.path.join(S["sec"], "redis-ca.crt"), *opts)


def test_stack_works_through_the_tunnel():
    eq(rs.S["env"].get("PITWALL_REDIS_TLS"), "1", "mode")
    from pw import ENV
    eq(ENV["REDIS_SOCKET"], os.path.join(rs.S["var"], "run", "redis-tls.sock"), "programs' socket")
    rs.judge_three(S["tok"], S["q"])
    # Every client of the responders and the worker came in on the TLS
    # port (through stunnel), as its role's user.
    clients = [c for c in rs.cli("ops", "CLIENT", "LIST").stdout.splitlines()
               if "user=pitwall-responder " in c or "user=pitwall-worker " in c]
    assert clients, "no responder or worker connected"
    for c in clients:
        assert f"laddr=127.0.0.1:{S['port']} " in c, f"a client not on the TLS port: {c}"
    eq(rs.cli("ops", "ACL", "LOG").stdout.strip(), "", "ACL LOG")


def test_plaintext_client_refused():
    p = rs.cli("ops", "PING", to=tcp())
    assert "PONG" not in p.stdout, "plaintext TCP answered"
    conf = open(os.path.join(rs.S["var"], "redis", "redis.conf")).read()
    assert "\nport 0\n" in conf and f"\ntls-port {S['port']}\n" in conf, conf


def test_tls_without_client_certificate_refused():
    p = rs.cli("ops", "PING", to=tls())
    assert "PONG" not in p.stdout, "TLS without a client certificate answered"


def test_tls_with_a_certificate_of_another_ca_refused():
    d = os.path.join(rs.S["var"], "othercert")
    os.makedirs(d, exist_ok=True)
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2", "-subj", "/CN=intruder",
                    "-keyout", f"{d}/k.pem", "-out", f"{d}/c.pem"], check=True, capture_output=True)
    p = rs.cli("ops", "PING", to=tls("--cert", f"{d}/c.pem", "--key", f"{d}/k.pem"))
    assert "PONG" not in p.stdout, "a certificate of another CA was accepted"
    # The stack's own client certificate does get in (as an ACL user).
    p = rs.cli("ops", "PING", to=tls("--cert", f"{S['sec']}/redis-client.crt",
                                     "--key", f"{S['sec']}/redis-client.key"))
    eq(p.stdout.strip(), "PONG", f"the stack's client certificate: {p.stderr}")
    # …and still needs a password.
    p = rs.cli(None, "PING", to=tls("--cert", f"{S['sec']}/redis-client.crt",
                                    "--key", f"{S['sec']}/redis-client.key"))
    assert "NOAUTH" in p.stdout + p.stderr, p.stdout


def test_tunnel_refuses_a_server_of_another_ca():
    """A tunnel to an impostor (a TLS server whose certificate is not of
    the stack's CA) carries nothing."""
    d = os.path.join(rs.S["var"], "othercert")
    port = int(rs.S["env"]["PITWALL_PORT_BASE"]) + 7
    srv = subprocess.Popen(["openssl", "s_server", "-quiet", "-accept", f"127.0.0.1:{port}",
                            "-cert", f"{d}/c.pem", "-key", f"{d}/k.pem"],
                           stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    def listening():
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return True
        except OSError:
            return srv.poll() is not None   # exited: the assertion below says
    wait_for(listening, timeout=30, interval=0.1, what="the impostor TLS server")
    assert srv.poll() is None, "openssl s_server exited"
    tvar = os.path.join(rs.S["var"], "impostor")
    for sub in ("", "run", "log", "redis"):
        os.makedirs(os.path.join(tvar, sub), exist_ok=True)
        os.chown(os.path.join(tvar, sub), rs.service_uid(), -1)
    env = dict(rs.S["env"], PITWALL_VAR=tvar, PITWALL_REDIS_TLS_CONNECT=f"127.0.0.1:{port}",
               PITWALL_REDIS_TLS_DIR=S["sec"])
    try:
        p = subprocess.run(["bash", "scripts/redis-tunnel", "up"], cwd=ROOT, env=env,
                           capture_output=True, text=True, timeout=60)
        eq(p.returncode, 0, f"tunnel up: {p.stdout} {p.stderr}")
        out = rs.cli("ops", "PING", to=["-s", os.path.join(tvar, "run", "redis-tls.sock")])
        assert "PONG" not in out.stdout, "the tunnel talked to an impostor"
        log = open(os.path.join(tvar, "log", "stunnel.log")).read()
        assert "certificate verify failed" in log or "CERT:" in log, log[-2000:]
    finally:
        subprocess.run(["bash", "scripts/redis-tunnel", "down"], cwd=ROOT, env=env,
                       capture_output=True, text=True, timeout=60)
        srv.kill()
        srv.wait()
