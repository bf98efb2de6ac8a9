"""Pitwall on several hosts (issue 18), each host a network namespace this
test makes and removes: a data host (PostgreSQL over TLS + SCRAM, Redis
with an ACL user per role and TLS only), two app hosts (responders, worker, judge API, nginx)
and two judge hosts (runners only, `scripts/judge join`), on a bridge of
their own, 10.77.0.0/24, inside a namespace of its own ("the switch").
The host's real network is never touched: no interface is made or
changed outside these namespaces.

A replica host runs a Redis replica of the data host's and three
sentinels (TLS only: replication and the sentinels' links too, the
replica host's certificate issued by the data host); app and judge
hosts find the master through them, each address through a tunnel of
their own, each program as its role's ACL user.  A
scripted contest runs across them (contestants send to both app hosts
in turn, and to the other one when one does not answer) while the test
kills a judge host (every process in its namespace, SIGKILL) mid-run,
then cuts an app host off (its link down, later up again), then kills
the Redis master (the sentinels promote the replica; the old master is
started again 20 s later and becomes a replica).  Then:
nothing acknowledged is lost, nothing is counted twice, every submission
is scored; the test prints how long each fault delayed verdicts.

Root only (network namespaces, the judge's sandbox).  Prints "ok"/"not
ok" lines (tests/run's "multihost" section counts them).  Usage:
    python3 tests/multihost/test_multihost.py [--bin DIR] [--keep]
"""
import ctypes
import json
import os
import re
import random
import secrets
import shlex
import signal
import ssl
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
TAG = "pw%04x" % random.randrange(0x10000)   # namespace names of this run
NET = "10.77.0"
HOSTS = {  # name: (last octet, role)
    "data": (1, "data"),
    "rep": (2, "replica"),
    "app1": (11, "app"),
    "app2": (12, "app"),
    "jh1": (21, "judge"),
    "jh2": (22, "judge"),
    "cl": (100, "client"),
}
BASE = 24000 + (random.randrange(200) * 20)
PORTS = {"data": BASE, "app1": BASE + 20, "app2": BASE + 40, "jh1": BASE + 60, "jh2": BASE + 80,
         "rep": BASE + 100}


def sentinels():
    """The replica host's sentinels (scripts/stack's SENTINEL_PORTS)."""
    b = PORTS["rep"]
    return ",".join(f"{NET}.2:{p}" for p in (b + 8, b + 9, b + 5))

results = []          # (ok, name, detail)
BIN = os.path.join(ROOT, "bin")
KEEP = False


def tap(ok, name, detail=""):
    """One result line; detail (why it failed) follows a failure only."""
    results.append((ok, name))
    print(f"{'ok' if ok else 'not ok'} - {name}")
    if not ok and detail:
        for line in str(detail).splitlines()[:40]:
            print(f"# {line}")
    sys.stdout.flush()


def ns(host):
    return f"{TAG}-{host}"


def in_ns(host):
    """The prefix running a command in host's network namespace: nsenter,
    not `ip netns exec`, which remounts /sys in a mount namespace of its
    own and so hides the cgroup hierarchies the judge's sandbox needs."""
    return ["nsenter", f"--net=/run/netns/{ns(host)}", "--"]


def sh(cmd, check=True, timeout=300, env=None, host=None):
    """Run cmd (a list), in host's namespace when given."""
    if host is not None:
        cmd = in_ns(host) + cmd
    e = dict(os.environ)
    e.update(env or {})
    p = subprocess.run(cmd, cwd=ROOT, env=e, capture_output=True, text=True, timeout=timeout,
                       stdin=subprocess.DEVNULL)
    if check and p.returncode != 0:
        raise RuntimeError(f"{' '.join(map(shlex.quote, cmd))} exited {p.returncode}:\n"
                           f"{p.stdout[-3000:]}\n{p.stderr[-3000:]}")
    return p


# ---- the network --------------------------------------------------------

def net_up():
    sh(["ip", "netns", "add", ns("sw")])
    sh(["ip", "-n", ns("sw"), "link", "set", "lo", "up"])
    sh(["ip", "-n", ns("sw"), "link", "add", "br0", "type", "bridge"])
    sh(["ip", "-n", ns("sw"), "link", "set", "br0", "up"])
    for h, (octet, _) in HOSTS.items():
        sh(["ip", "netns", "add", ns(h)])
        sh(["ip", "-n", ns(h), "link", "set", "lo", "up"])
        # The pair is made inside the host's namespace, one end moved to
        # the switch's: neither end ever exists in the real one.
        sh(["ip", "-n", ns(h), "link", "add", "eth0", "type", "veth", "peer", "name", f"v-{h}"])
        sh(["ip", "-n", ns(h), "link", "set", f"v-{h}", "netns", ns("sw")])
        sh(["ip", "-n", ns("sw"), "link", "set", f"v-{h}", "master", "br0"])
        sh(["ip", "-n", ns("sw"), "link", "set", f"v-{h}", "up"])
        sh(["ip", "-n", ns(h), "addr", "add", f"{NET}.{octet}/24", "dev", "eth0"])
        sh(["ip", "-n", ns(h), "link", "set", "eth0", "up"])


def net_down():
    for h in list(HOSTS) + ["sw"]:
        if os.path.exists(f"/run/netns/{ns(h)}"):
            ns_kill(h)
            sh(["ip", "netns", "del", ns(h)], check=False)


def ns_pids(host):
    p = sh(["ip", "netns", "pids", ns(host)], check=False)
    return [int(x) for x in p.stdout.split() if x.isdigit() and int(x) != os.getpid()]


def exe_name(pid):
    try:
        return os.path.basename(os.readlink(f"/proc/{pid}/exe"))
    except OSError:
        return None


def ns_signal(host, sig, pids=None):
    """Sends sig to pids (default: every process of host's namespace)."""
    for pid in ns_pids(host) if pids is None else pids:
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            pass


def ns_kill(host):
    """SIGKILL every process of host's namespace (the host dies)."""
    for _ in range(5):
        pids = ns_pids(host)
        if not pids:
            return
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        time.sleep(0.3)


def link(host, up):
    sh(["ip", "-n", ns("sw"), "link", "set", f"v-{host}", "up" if up else "down"])


def enter(host):
    """This process's network becomes host's (setns(2)); its children too."""
    libc = ctypes.CDLL(None, use_errno=True)
    fd = os.open(f"/run/netns/{ns(host)}", os.O_RDONLY)
    if libc.setns(fd, 0x40000000) != 0:   # CLONE_NEWNET
        raise OSError(ctypes.get_errno(), "setns")
    os.close(fd)


# ---- the hosts ----------------------------------------------------------

class Host:
    def __init__(self, tmp, name):
        self.name = name
        self.octet, self.role = HOSTS[name]
        self.addr = f"{NET}.{self.octet}"
        self.var = os.path.join(tmp, name, "var")
        self.base = PORTS.get(name)
        self.watch = None
        os.makedirs(os.path.dirname(self.var), exist_ok=True)
        os.chmod(os.path.dirname(self.var), 0o755)

    def env(self, **kw):
        e = {"PITWALL_VAR": self.var, "PITWALL_BIN": BIN, "PITWALL_PORT_BASE": str(self.base),
             "PITWALL_CRON": "0"}
        e.update({k: str(v) for k, v in kw.items()})
        return e

    def stack_env(self):
        out = {}
        with open(os.path.join(self.var, "stack.env")) as f:
            for line in f:
                line = line.strip()
                if line and not line.startswith("#") and "=" in line:
                    k, v = line.split("=", 1)
                    out[k] = shlex.split(v)[0] if v else ""
        return out

    def supervise(self):
        """The cron step, inside the host's namespace (cron itself runs in
        the real one, where 10.77.0.x is not reachable): checks every 5 s."""
        self.watch = subprocess.Popen(
            in_ns(self.name) + ["bash", "scripts/worker-supervise", "--watch", "3600"],
            cwd=ROOT, env=dict(os.environ, **self.env()), stdin=subprocess.DEVNULL,
            stdout=open(os.path.join(os.path.dirname(self.var), "supervise.log"), "a"),
            stderr=subprocess.STDOUT)


def contest_env():
    """Settings every app host gets (loose rate limits: one client address
    sends for every contestant; a short reaper deadline, so a lost callback
    is fetched within seconds)."""
    return {
        "PITWALL_LIMIT_LOGIN": "10000r/s", "PITWALL_LIMIT_RUN": "10000r/s",
        "PITWALL_LIMIT_SUBMIT": "10000r/s", "PITWALL_LIMIT_ANON": "10000r/s",
        "PITWALL_LIMIT_ADDR": "100000r/s", "PITWALL_LIMIT_ADDR_BURST": "10000",
        "PITWALL_LIMIT_SUBMIT_BURST": "1000", "SUBMIT_RATE_PER_MIN": "100000",
        "JUDGE0_DEADLINE": "10", "WORKER_REAP_INTERVAL": "1",
        "PITWALL_JUDGE0_ALLOW": f"{NET}.0/24", "PITWALL_METRICS_ALLOW": f"{NET}.0/24",
        # Every app host's internal listener: the live push goes to each.
        "PITWALL_APP_HOSTS": ",".join(f"{NET}.{HOSTS[n][0]}:{PORTS[n] + 2}" for n in ("app1", "app2")),
    }


def hosts_up(tmp):
    H = {n: Host(tmp, n) for n in HOSTS if n != "cl"}
    d = H["data"]
    global BUNDLE, DATA_VAR
    DATA_VAR = d.var
    # Redis with an ACL user per role and TLS only (servers, replication,
    # sentinels); the data host issues the replica host's certificate.
    sh(["bash", "scripts/stack", "up"], host="data", timeout=600,
       env=d.env(PITWALL_ROLE="data", PITWALL_PG_LISTEN=d.addr, PITWALL_REDIS_LISTEN=d.addr,
                 PITWALL_REDIS_ACL=1, PITWALL_REDIS_TLS=1,
                 PITWALL_REDIS_REPLICAS=f"{H['rep'].addr}:{PORTS['rep'] + 6}"))
    bundle = os.path.join(d.var, "root", "hosts")
    BUNDLE = bundle
    r = H["rep"]
    sh(["bash", "scripts/stack", "up"], host="rep", timeout=300,
       env=r.env(PITWALL_ROLE="replica", PITWALL_DATA_FROM=os.path.join(bundle, f"replica-{r.addr}"),
                 PITWALL_REDIS_LISTEN=r.addr))
    for n in ("app1", "app2"):
        a = H[n]
        sh(["bash", "scripts/stack", "up"], host=n, timeout=600,
           env=a.env(PITWALL_ROLE="app", PITWALL_DATA_FROM=os.path.join(bundle, "app"),
                     PITWALL_LISTEN_ADDR=a.addr,
                     PITWALL_INTERNAL_ADDR=a.addr, PITWALL_REDIS_SENTINELS=sentinels(),
                     **contest_env()))
        a.supervise()
    denv = d.stack_env()
    for n in ("jh1", "jh2"):
        j = H[n]
        sh(["bash", "scripts/judge", "join"], host=n, timeout=300,
           env=j.env(PITWALL_DATA_FROM=os.path.join(bundle, "judge"), REDIS_SENTINELS=sentinels(),
                     JUDGE_HOST_NAME=n, JUDGE_RUNNERS=2))
        j.supervise()
    return H


def hosts_down(H):
    for n in ("jh1", "jh2"):
        if n in H:
            sh(["bash", "scripts/judge", "leave"], host=n, check=False, env=H[n].env())
    for n in ("app1", "app2", "rep", "data"):
        if n in H:
            sh(["bash", "scripts/stack", "down"], host=n, check=False, timeout=300, env=H[n].env())
    for h in H.values():
        if h.watch is not None:
            try:
                h.watch.terminate()
                h.watch.wait(10)
            except Exception:
                pass


# ---- the contest ----------------------------------------------------------

_ctx = ssl.create_default_context()
_ctx.check_hostname = False
_ctx.verify_mode = ssl.CERT_NONE


def http(method, url, body=None, headers=None, timeout=5):
    data = json.dumps(body).encode() if body is not None else None
    h = dict(headers or {})
    if data is not None:
        h["Content-Type"] = "application/json"
    req = urllib.request.Request(url, data=data, method=method, headers=h)
    try:
        with urllib.request.urlopen(req, timeout=timeout, context=_ctx) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def live_messages(base, path, tok, timeout=1.5):
    """Every message buffered on a live push channel of one app host's
    nginx, oldest first (nchan's long-poll subscriber: the next one asked
    for with the previous one's Last-Modified and Etag, until none comes
    within timeout)."""
    out, hdr = [], {"Authorization": "Bearer " + tok}
    for _ in range(50):
        req = urllib.request.Request(base + path, headers=hdr)
        try:
            with urllib.request.urlopen(req, timeout=timeout, context=_ctx) as r:
                out.append(json.loads(r.read()))
                hdr["If-Modified-Since"] = r.headers.get("Last-Modified", "")
                hdr["If-None-Match"] = r.headers.get("Etag", "")
        except urllib.error.HTTPError as e:
            out.append({"http_error": e.code})
            break
        except (OSError, ValueError):
            break
    return out


class Db:
    """psql to the data host, as an app host reaches it (TLS, SCRAM)."""

    def __init__(self, url):
        self.url = url

    def q(self, sql):
        p = subprocess.run(["psql", self.url, "-X", "-Atq", "-v", "ON_ERROR_STOP=1", "-c", sql],
                           capture_output=True, text=True, timeout=60)
        if p.returncode != 0:
            raise RuntimeError(f"psql: {p.stderr}")
        return p.stdout.strip()


def jwt(key, sub):
    import base64
    import hashlib
    import hmac

    def b64(b):
        return base64.urlsafe_b64encode(b).rstrip(b"=").decode()
    now = int(time.time())
    payload = {"sub": str(sub), "role": "contestant", "iat": now, "exp": now + 7200,
               "iss": "pitwall", "jti": secrets.token_hex(8)}
    s = b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode()) + "." + b64(json.dumps(payload).encode())
    return s + "." + b64(hmac.new(key.encode(), s.encode(), hashlib.sha256).digest())


GOOD = "import time\ntime.sleep(0.3)\na, b = map(int, input().split())\nprint(a + b)\n"
BAD = "import time\ntime.sleep(0.3)\na, b = map(int, input().split())\nprint(a - b)\n"
CASES = [("1 2\n", "3\n"), ("20 22\n", "42\n")]


class Contest:
    def __init__(self, H):
        self.H = H
        app = H["app1"].stack_env()
        self.db = Db(app["DATABASE_URL"])
        with open(app["JWT_SECRET_FILE"]) as f:
            key = f.read().strip()
        self.apps = [H["app1"].stack_env()["PITWALL_URL"], H["app2"].stack_env()["PITWALL_URL"]]
        self.slug = f"mh{secrets.token_hex(3)}"
        rid = int(self.db.q("INSERT INTO rounds (slug, name, starts_at, ends_at) VALUES"
                            f" ('{self.slug}', 'Multihost', now() - interval '1 minute',"
                            " now() + interval '2 hours') RETURNING id").split()[0])
        self.qid = int(self.db.q("INSERT INTO questions (round_id, slug, title, points, time_limit_ms,"
                                 f" memory_limit_kb) VALUES ({rid}, 'sum{secrets.token_hex(2)}', 'Sum',"
                                 " 100, 2000, 131072) RETURNING id").split()[0])
        for i, (inp, exp) in enumerate(CASES):
            self.db.q("INSERT INTO testcases (question_id, ordinal, name, input, expected_output, points,"
                      f" is_sample) VALUES ({self.qid}, {i}, '{i:02d}', '{inp}', '{exp}', 1, {str(i == 0).lower()})")
        self.users = []
        for i in range(10):
            uid = int(self.db.q("INSERT INTO users (email, name, password_hash, role) VALUES"
                                f" ('mh{i}-{secrets.token_hex(3)}@example.org', 'mh{i}', 'x', 'contestant')"
                                " RETURNING id").split()[0])
            self.users.append((uid, jwt(key, uid), i % 2 == 0))   # even: a right answer
        self.acked = {}       # sid: (uid, good, t_sent, app index)
        self.unanswered = 0   # sends with no reply (the app host was cut off)
        self.lock = threading.Lock()
        self.stop = False
        self.n = 0

    def send_one(self):
        uid, tok, good = self.users[self.n % len(self.users)]
        first = self.n % 2
        self.n += 1
        body = {"question_id": self.qid, "language_id": 71, "source_code": GOOD if good else BAD}
        # One Idempotency-Key for the send and its retry on the other app
        # host: a retry of a submission that was stored gets it back.
        key = secrets.token_hex(12)
        t = time.time()
        for k in (first, 1 - first):
            try:
                st, b = http("POST", self.apps[k] + "/submit", body,
                             {"Authorization": "Bearer " + tok, "Idempotency-Key": key}, timeout=4)
            except OSError:
                with self.lock:
                    self.unanswered += 1
                continue
            if st == 202:
                with self.lock:
                    self.acked[json.loads(b)["submission_id"]] = (uid, good, t, k)
                return
        # neither answered: counted in unanswered, not acknowledged

    def sender(self, rate):
        while not self.stop:
            t0 = time.time()
            self.send_one()
            time.sleep(max(0, 1 / rate - (time.time() - t0)))

    def finished(self):
        """{sid: finished epoch} of the acknowledged submissions PostgreSQL
        has as done (finished_at: when the verdict landed)."""
        rows = self.db.q("SELECT id, extract(epoch FROM finished_at) FROM submissions"
                         f" WHERE question_id = {self.qid} AND status = 'done'")
        out = {}
        for r in rows.splitlines():
            sid, _, at = r.partition("|")
            out[sid] = float(at) if at else time.time()
        return out


def main():
    global BIN, KEEP
    args = sys.argv[1:]
    if "--bin" in args:
        BIN = os.path.abspath(args[args.index("--bin") + 1])
    KEEP = "--keep" in args
    if os.geteuid() != 0:
        print("ok - multihost # SKIP needs root (network namespaces, the judge's sandbox)")
        return 0
    # Settings of another stack (tests/run's) are not these hosts'.
    for k in list(os.environ):
        if k in ("PITWALL_VAR", "PITWALL_PORT_BASE", "PITWALL_TEST_TMP", "DATABASE_URL") or \
                k.startswith(("JUDGE0_", "PITWALL_FAKE", "REDIS_", "PG", "JUDGE_")):
            del os.environ[k]
    tmp = tempfile.mkdtemp(prefix="pitwall-multihost.")
    os.chmod(tmp, 0o755)
    # Sanitizer reports (a build/san binary) land here, checked at the end.
    os.makedirs(os.path.join(tmp, "asan"))
    os.chmod(os.path.join(tmp, "asan"), 0o1777)
    os.environ["ASAN_OPTIONS"] = f"detect_leaks=1:abort_on_error=0:log_path={tmp}/asan/report"
    os.environ["UBSAN_OPTIONS"] = f"print_stacktrace=1:log_path={tmp}/asan/ubsan"
    H = {}
    try:
        net_up()
        tap(True, "network namespaces and bridge made (10.77.0.0/24, inside the test's namespaces)")
        H = hosts_up(tmp)
        tap(True, "data host, replica host (Redis replica, sentinels), two app hosts and two judge hosts up")
        enter("cl")
        run(H)
    except Exception as e:   # noqa: BLE001 - reported as a failure
        import traceback
        tap(False, "multihost run", traceback.format_exc())
    finally:
        if not KEEP:
            sanitizer_check(tmp)
            hosts_down(H)
            net_down()
            left = [n for n in list(HOSTS) + ["sw"] if os.path.exists(f"/run/netns/{ns(n)}")]
            tap(not left, "namespaces removed", f"left: {left}")
            p = subprocess.run([sys.executable, os.path.join(ROOT, "tests", "integration", "survivors.py"),
                                "--wait", "5", tmp], capture_output=True, text=True)
            tap(p.returncode == 0, "no process of the hosts outlives them", p.stdout + p.stderr)
            mounts = [m for m in open("/proc/self/mountinfo").read().splitlines() if tmp in m]
            tap(not mounts, "no mount of the hosts is left", "\n".join(mounts[:5]))
            subprocess.run(["rm", "-rf", tmp])
        else:
            print(f"# kept: {tmp}, namespaces {TAG}-*")
    failed = sum(1 for ok, _ in results if not ok)
    return 1 if failed else 0


SAN = ("runtime error:", "ERROR: AddressSanitizer", "ERROR: LeakSanitizer",
       "ERROR: UndefinedBehaviorSanitizer")


def sanitizer_check(tmp):
    """A sanitizer report in any host's logs is a failure."""
    found = [os.path.join(tmp, "asan", f) for f in os.listdir(os.path.join(tmp, "asan"))]
    for dirpath, _, files in os.walk(tmp):
        if not dirpath.endswith(("/log", "/root")):
            continue
        for f in files:
            if not f.endswith((".log", ".out")):
                continue
            try:
                with open(os.path.join(dirpath, f), errors="replace") as fh:
                    text = fh.read()
            except OSError:
                continue
            if any(p in text for p in SAN):
                found.append(os.path.join(dirpath, f))
    tap(not found, "no sanitizer reports from the hosts' processes", "\n".join(found))


def wait_for(pred, timeout, what):
    end = time.time() + timeout
    while time.time() < end:
        v = pred()
        if v:
            return v
        time.sleep(0.5)
    raise RuntimeError(f"timed out after {timeout}s waiting for {what}")


BUNDLE = None     # the data host's VAR/root/hosts (hosts_up)
DATA_VAR = None   # the data host's VAR


def tls(cert=True):
    """redis-cli's TLS options: the data host's CA and (cert) its client
    certificate: every Redis server and sentinel speaks TLS only."""
    s = os.path.join(DATA_VAR, "secrets")
    o = ["--tls", "--cacert", os.path.join(s, "redis-ca.crt")]
    return o + (["--cert", os.path.join(s, "redis-client.crt"), "--key", os.path.join(s, "redis-client.key")]
                if cert else [])


def ops_env():
    """redis-cli's environment to AUTH as pitwall-ops (the operator's ACL
    user, every command; its password the data host's, root's)."""
    with open(os.path.join(DATA_VAR, "secrets", "redis-ops.key")) as f:
        return dict(os.environ, REDISCLI_AUTH=f.read().strip())


def sentinel_cli(hp, *args, password=True):
    """redis-cli to the sentinel at hp ("host:port"), over TLS, with the
    sentinels' password (the data host's sentinel.pass) unless
    password=False."""
    h, _, p = hp.partition(":")
    env = dict(os.environ)
    if password:
        with open(os.path.join(BUNDLE, "app", "sentinel.pass")) as f:
            env["REDISCLI_AUTH"] = f.read().strip()
    return subprocess.run(["redis-cli", "--no-auth-warning", *tls(), "-h", h, "-p", p, *map(str, args)],
                          env=env, capture_output=True, text=True, timeout=10)


def master():
    """(host, port) of the Redis master the sentinels name."""
    for hp in sentinels().split(","):
        r = sentinel_cli(hp, "SENTINEL", "get-master-addr-by-name", "pitwall")
        out = r.stdout.split()
        if len(out) == 2:
            return out[0], out[1]
    return None


_master = None   # (when asked, (host, port)): the sentinels' answer, kept 1 s
HOSTS_UP = {}    # the hosts (run)


def rcli_at(H, host, port, *args):
    """redis-cli to the server at host:port, over TLS, as pitwall-ops."""
    p = subprocess.run(["redis-cli", "--no-auth-warning", *tls(), "--user", "pitwall-ops", "-h", host,
                        "-p", str(port), *map(str, args)],
                       env=ops_env(), capture_output=True, text=True, timeout=20)
    return p.stdout


def rcli(H, *args):
    """redis-cli to the master the sentinels name, as rcli_at."""
    d = H["data"]
    global _master
    if _master is None or time.time() - _master[0] > 1:
        _master = (time.time(), master() or (d.addr, str(PORTS["data"] + 6)))
    h, p = _master[1]
    return rcli_at(H, h, p, *args).strip()


def redis_as(host, role, *args):
    """redis-cli on host, through that host's own tunnel to the master the
    sentinels name (its REDIS_ADDRESS_MAP), as ACL user pitwall-ROLE with
    the password that host holds (its VAR/secrets/redis-ROLE.key)."""
    h = HOSTS_UP[host]
    env = h.stack_env()
    m = master()
    socks = dict(e.split("=", 1) for e in env["REDIS_ADDRESS_MAP"].split(","))
    with open(os.path.join(h.var, "secrets", f"redis-{role}.key")) as f:
        pw = f.read().strip()
    p = sh(["redis-cli", "--no-auth-warning", "-s", socks[f"{m[0]}:{m[1]}"], "--user", f"pitwall-{role}",
            *map(str, args)], host=host, check=False, env={"REDISCLI_AUTH": pw}, timeout=20)
    return (p.stdout + p.stderr).strip()


def redis_checks(H):
    """Redis across the hosts: ACL users per role, TLS only, each host
    given only its kind's secrets."""
    # What each kind of host was given (the data host's bundle).
    ls = {k: set(os.listdir(os.path.join(BUNDLE, k))) for k in ("app", "judge", f"replica-{H['rep'].addr}")}
    roles = {f"redis-{r}.key" for r in ("responder", "worker", "judge", "admin")}
    want = {
        "judge": {"data.env", "redis-judge.key", "sentinel.pass", "redis-ca.crt", "redis-client.crt",
                  "redis-client.key"},
        "app": roles | {"data.env", "jwt.key", "callback.key", "pg.pass", "pg-ca.pem", "sentinel.pass",
                        "redis-ca.crt", "redis-client.crt", "redis-client.key"},
        f"replica-{H['rep'].addr}": {"data.env", "sentinel.pass", "redis-replica.key", "redis-sentinel.key",
                                     "users.acl", "redis-ca.crt", "redis-server.crt", "redis-server.key",
                                     "redis-client.crt", "redis-client.key"},
    }
    tap(ls == want and not (set(os.listdir(BUNDLE)) - set(want)),
        "the data host's bundle: a directory per kind of host, each with only what it needs",
        json.dumps({k: sorted(v ^ want[k]) for k, v in ls.items()}) + f" top: {sorted(os.listdir(BUNDLE))}")
    keys = {}
    for n in os.listdir(os.path.join(DATA_VAR, "secrets")):
        if n.startswith("redis-") and n.endswith(".key") and not n.startswith("redis-c"):
            with open(os.path.join(DATA_VAR, "secrets", n)) as f:
                keys[n] = f.read().strip()
    with open(os.path.join(BUNDLE, f"replica-{H['rep'].addr}", "users.acl")) as f:
        acl = f.read()
    tap(len(keys) >= 7 and not any(v in acl for v in keys.values()) and
        re.search(r"^user default on #[0-9a-f]{64} ", acl, re.M) and "nopass" not in acl,
        "the replica host's ACL file holds the users' hashes, no password", acl[:300])
    held = {n: sorted(f for f in os.listdir(os.path.join(H[n].var, "secrets")) if f.startswith("redis-"))
            for n in ("jh1", "jh2")}
    tap(all(v == ["redis-judge.key"] for v in held.values()),
        "a judge host holds the judge role's Redis password alone", json.dumps(held))

    # A judge host's credentials are refused the worker's keys and any
    # command the judge does not send; its own keys answer.
    q = redis_as("jh2", "judge", "LLEN", "pitwall:queue")
    c = redis_as("jh2", "judge", "CONFIG", "GET", "maxmemory")
    mv = redis_as("jh2", "judge", "LMOVE", "pitwall:queue", "judge:queue", "LEFT", "LEFT")
    own = redis_as("jh2", "judge", "LLEN", "judge:queue")
    tap("NOPERM" in q and "NOPERM" in c and "NOPERM" in mv and own.isdigit(),
        "a judge host's ACL user: NOPERM on a worker's key and command, its own keys answer",
        f"LLEN pitwall:queue: {q!r}; CONFIG GET: {c!r}; LMOVE: {mv!r}; LLEN judge:queue: {own!r}")
    w = redis_as("app1", "worker", "LLEN", "pitwall:queue")
    wj = redis_as("app1", "worker", "FLUSHALL")
    tap(w.isdigit() and "NOPERM" in wj, "an app host's worker user reaches its queue, and is refused FLUSHALL",
        f"{w!r} {wj!r}")
    rcli(H, "ACL", "LOG", "RESET")

    # Every Redis port speaks TLS only, with a client certificate of the
    # data host's CA; without a password nothing is answered.
    ports = [("data master", H["data"].addr, PORTS["data"] + 6), ("replica", H["rep"].addr, PORTS["rep"] + 6)] + \
        [(f"sentinel {hp}", *hp.split(":")) for hp in sentinels().split(",")]
    bad = []
    for name, h, p in ports:
        plain = subprocess.run(["redis-cli", "-h", h, "-p", str(p), "PING"], capture_output=True, text=True,
                               timeout=10)
        nocert = subprocess.run(["redis-cli", *tls(cert=False), "-h", h, "-p", str(p), "PING"],
                                capture_output=True, text=True, timeout=10)
        nopass = subprocess.run(["redis-cli", *tls(), "-h", h, "-p", str(p), "PING"],
                                capture_output=True, text=True, timeout=10)
        for what, r in (("plain", plain), ("TLS without a certificate", nocert)):
            if "PONG" in r.stdout:
                bad.append(f"{name}: {what} answered {r.stdout!r}")
        if "NOAUTH" not in nopass.stdout + nopass.stderr:
            bad.append(f"{name}: TLS without a password: {nopass.stdout!r} {nopass.stderr!r}")
    tap(not bad, "every Redis server and sentinel refuses plain TCP and TLS without a client certificate,"
        " and answers nothing without a password", "\n".join(bad))
    info = rcli_at(H, H["data"].addr, PORTS["data"] + 6, "INFO", "replication")
    tap(f"ip={H['rep'].addr},port={PORTS['rep'] + 6},state=online" in info,
        "the replica host's Redis replicates the master over TLS", info)


def client_users(H):
    """The master's clients: each host's programs as their roles' ACL
    users (through their tunnels, from the host's address), none as
    default."""
    out = rcli(H, "CLIENT", "LIST")
    by = {}
    for line in out.splitlines():
        f = dict(kv.split("=", 1) for kv in line.split() if "=" in kv)
        by.setdefault(f.get("addr", "").rsplit(":", 1)[0], set()).add(f.get("user"))
    a = {n: by.get(H[n].addr, set()) for n in ("app1", "app2", "jh1", "jh2")}
    apps = a["app1"] | a["app2"]
    ok = (all(u == {"pitwall-judge"} for n, u in a.items() if n.startswith("jh")) and
          {"pitwall-responder", "pitwall-worker", "pitwall-judge"} <= apps and
          apps <= {"pitwall-responder", "pitwall-worker", "pitwall-judge", "pitwall-admin"} and
          "default" not in set().union(*by.values()))
    tap(ok, "the master's clients: judge hosts as pitwall-judge alone, app hosts as their programs' roles",
        json.dumps({k: sorted(x for x in v if x) for k, v in by.items()}))


def run(H):
    global HOSTS_UP
    HOSTS_UP = H
    c = Contest(H)
    app1 = H["app1"].stack_env()

    # Judge hosts are listed with their load: /workers (the judge API on
    # an app host) and /metrics (an app host's internal listener).
    def workers():
        p = sh(["curl", "-s", f"http://127.0.0.1:{app1['PITWALL_JUDGE_PORT']}/workers"], host="app1",
               check=False)
        try:
            hosts = json.loads(p.stdout)[0].get("pitwall_hosts", [])
        except (ValueError, IndexError, KeyError):
            return None
        return hosts if sorted(h["name"] for h in hosts) == ["jh1", "jh2"] else None
    def workers_names():
        p = sh(["curl", "-s", f"http://127.0.0.1:{app1['PITWALL_JUDGE_PORT']}/workers"], host="app1",
               check=False)
        try:
            return sorted(h["name"] for h in json.loads(p.stdout)[0].get("pitwall_hosts", []))
        except (ValueError, IndexError, KeyError, TypeError):
            return None
    try:
        hosts = wait_for(workers, 30, "both judge hosts in /workers")
        ok = all(h["runners"] == 2 and h["load1"] is not None and h["cores"] >= 1 for h in hosts)
        tap(ok, "/workers lists both judge hosts with runners and load", json.dumps(hosts))
    except RuntimeError as e:
        tap(False, "/workers lists both judge hosts with runners and load", str(e))
    st, body = http("GET", app1["PITWALL_INTERNAL_URL"] + "/metrics")
    text = body.decode(errors="replace")
    tap(st == 200 and 'pitwall_judge_host_load1{host="jh1"}' in text and "pitwall_judge_hosts 2" in text,
        "/metrics has pitwall_judge_host_* for both judge hosts",
        "\n".join(l for l in text.splitlines() if "judge_host" in l) or text[:500])

    # The sentinels answer only with their password.
    hp = sentinels().split(",")[0]
    noauth = sentinel_cli(hp, "SENTINEL", "get-master-addr-by-name", "pitwall", password=False)
    tap(noauth.stdout.startswith("NOAUTH") and master() is not None,
        "the sentinels refuse a client without their password (NOAUTH) and answer with it",
        f"without: {noauth.stdout!r} {noauth.stderr!r}; with: {master()!r}")

    redis_checks(H)

    # Live push reaches every app host: with one app host's worker paused
    # (SIGSTOP, after its 1 s BLMOVE is over: it takes nothing), the other
    # one scores a submission, and a contestant subscribed on either app
    # host's nginx hears its result (each worker publishes to both).
    uid, tok, _ = c.users[0]
    for quiet, busy in ((1, 0), (0, 1)):
        what = (f"live push: app{busy + 1}'s worker's result reaches subscribers on both app"
                f" hosts' nginx (app{quiet + 1}'s worker paused)")
        with open(os.path.join(H[f"app{quiet + 1}"].var, "root", "worker.pid")) as f:
            wpid = int(f.read().split()[0])
        sid = None
        os.kill(wpid, signal.SIGSTOP)
        try:
            time.sleep(1.5)
            st, b = http("POST", c.apps[quiet] + "/submit",
                         {"question_id": c.qid, "language_id": 71, "source_code": GOOD},
                         {"Authorization": "Bearer " + tok}, timeout=10)
            sid = json.loads(b)["submission_id"] if st == 202 else None
            if sid is not None:
                wait_for(lambda: sid in c.finished(), 10, f"{sid} to be scored")
        except RuntimeError as e:
            tap(False, what, str(e))
            continue
        finally:
            os.kill(wpid, signal.SIGCONT)
        heard = {k: live_messages(c.apps[k], f"/live/submissions/{sid}", tok) for k in (0, 1)}
        tap(sid is not None and all(any(m.get("type") == "done" and m.get("id") == sid and
                                        m.get("score") == 100 for m in msgs)
                                    for msgs in heard.values()),
            what, "; ".join(f"{sid} on app{k + 1}: {[m.get('type', m) for m in msgs]}"
                            for k, msgs in heard.items()))

    senders = threading.Thread(target=c.sender, args=(1.5,), daemon=True)
    senders.start()
    faults = []   # (name, t_fault, t_repaired)
    time.sleep(15)
    client_users(H)

    # 1. A judge host dies mid-run: every process of its namespace killed
    #    while one of its runners holds a job.
    # jh1's jobs in hand, "token status" lines, read in one step (a Lua
    # script: nothing moves while it reads).
    lua = ("local out = {} "
           "for _, k in ipairs(redis.call('KEYS', 'judge:processing:jh1:*')) do "
           "  for _, t in ipairs(redis.call('LRANGE', k, 0, -1)) do "
           "    table.insert(out, t .. ' ' .. (redis.call('HGET', 'judge:sub:' .. t, 'status_id') or '?')) "
           "  end "
           "end return out")

    def in_hand():
        return dict(line.split(" ", 1) for line in rcli(H, "EVAL", lua, 0).splitlines() if " " in line)
    # Which host runs a job is chance (runners take jobs ahead, and a slow
    # machine may give jh2 all of them for a while), so jh2's runners are
    # paused until jh1 runs one: then jh1 is frozen (SIGSTOP: nothing of it
    # moves), what it holds is read, and it is killed; jh2 goes on.  (The
    # pause stays under jh2's heartbeat window of 10 s, or its runners
    # would count as dead.)
    # A job seen running may be done before the freeze lands, so what jh1
    # holds is read once it is frozen, and it is thawed and tried again
    # when that is nothing.
    paused = [pid for pid in ns_pids("jh2") if exe_name(pid) == "pitwall-judge-runner"]
    held = {}
    for _ in range(6):
        ns_signal("jh2", signal.SIGSTOP, paused)
        try:
            wait_for(lambda: "2" in in_hand().values(), 6, "a job running on jh1")
        except RuntimeError:
            ns_signal("jh2", signal.SIGCONT, paused)
            time.sleep(3)   # jh2's heartbeats go on
            continue
        ns_signal("jh1", signal.SIGSTOP)
        held = in_hand()
        if held:
            break
        ns_signal("jh1", signal.SIGCONT)
        ns_signal("jh2", signal.SIGCONT, paused)
        time.sleep(3)
    else:
        ns_signal("jh1", signal.SIGSTOP)
    seen = ("" if held else
            f"; jh2's runners paused: {paused}; queued: prio "
            f"{rcli(H, 'LLEN', 'judge:queue:prio')} queue {rcli(H, 'LLEN', 'judge:queue')}"
            f" lanes {rcli(H, 'LLEN', 'judge:lanes')}; processing lists:"
            f" {rcli(H, 'KEYS', 'judge:processing:*').split()}; jh1's runners:"
            f" {[(p, exe_name(p)) for p in ns_pids('jh1')]}; jh1's runner log: "
            + "".join(open(os.path.join(H['jh1'].var, 'root', 'judge-runner.log'),
                           errors='replace').readlines()[-8:]))
    t = time.time()
    ns_kill("jh1")
    ns_signal("jh2", signal.SIGCONT, paused)
    faults.append(("judge host jh1 killed", t, t))
    # What it held when it died stays in its processing lists until
    # another runner takes the lists back: {token: status at death}.
    tap(bool(held), "judge host jh1 killed while it held a job", f"held at death: {held}{seen}")
    print(f"# jh1 held at its death: {held} (status 2: running)")
    try:
        wait_for(lambda: (p := workers_names()) is not None and p == ["jh2"], 30,
                 "jh1 to leave /workers")
        tap(True, "the dead judge host leaves /workers within the heartbeat window")
    except RuntimeError as e:
        tap(False, "the dead judge host leaves /workers within the heartbeat window", str(e))
    time.sleep(max(0, 20 - (time.time() - t)))

    # 2. An app host cut off (its link down) for 15 s, then back.
    t = time.time()
    link("app2", False)
    time.sleep(15)
    link("app2", True)
    t_back = time.time()
    faults.append(("app host app2 cut off 15 s", t, t_back))
    time.sleep(15)
    back = [s for s, (_, _, t0, k) in c.acked.items() if k == 1 and t0 > t_back]
    tap(len(back) > 0, "the cut-off app host answers again once its link is back",
        f"{len(back)} submissions acknowledged by app2 after the repair")

    # 3. The Redis master (on the data host) killed: the sentinels make
    #    the replica host's Redis the master; 20 s later the old one is
    #    started again and becomes a replica.
    with open(os.path.join(H["data"].var, "run", "redis.pid")) as f:
        rpid = int(f.read().split()[0])
    t = time.time()
    os.kill(rpid, signal.SIGKILL)
    try:
        m = wait_for(lambda: (x := master()) is not None and x[0] == H["rep"].addr and x, 30,
                     "the sentinels to name the replica host's Redis")
        t_fo = time.time() - t
        tap(True, "the sentinels promote the replica host's Redis")
    except RuntimeError as e:
        t_fo = float("nan")
        tap(False, "the sentinels promote the replica host's Redis", str(e))
    time.sleep(max(0, 20 - (time.time() - t)))
    sh(["bash", "scripts/stack", "up"], host="data", timeout=300, env=H["data"].env())
    t_back = time.time()
    faults.append(("Redis master killed (data host), restarted 20 s later", t, t_back))
    try:
        wait_for(lambda: "role:slave" in rcli_at(H, H["data"].addr, PORTS["data"] + 6, "INFO", "replication")
                 and "master_link_status:up" in rcli_at(H, H["data"].addr, PORTS["data"] + 6, "INFO",
                                                         "replication"), 60,
                 "the old master to replicate the new one")
        tap(True, "the old master, restarted, replicates the new one")
    except RuntimeError as e:
        tap(False, "the old master, restarted, replicates the new one", str(e))
    time.sleep(15)
    after = [s for s, (_, _, t0, _) in c.acked.items() if t0 > t_back + 5]
    tap(len(after) > 0, "submissions are acknowledged again after the failover",
        f"{len(after)} acknowledged after the old master came back")
    c.stop = True
    senders.join(10)
    t_end = time.time()

    # Everything acknowledged is scored (judge hosts: jh2 alone now).
    acked = dict(c.acked)
    try:
        wait_for(lambda: all(s in c.finished() for s in acked), 240,
                 "every acknowledged submission to be scored")
        tap(True, "every acknowledged submission scored")
    except RuntimeError as e:
        fin = c.finished()
        tap(False, "every acknowledged submission scored",
            f"{e}; missing {[s for s in acked if s not in fin][:10]}")
    # Submissions not acknowledged (a 503 not_replicated during the Redis
    # failover, a 202 lost on the cut link) are judged too, some after
    # the worker's dispatch backoff (up to 32 s): wait for every one.
    try:
        wait_for(lambda: c.db.q("SELECT count(*) FROM submissions WHERE question_id ="
                                f" {c.qid} AND status <> 'done'") == "0", 180,
                 "every submission in PostgreSQL to be scored")
    except RuntimeError:
        pass   # reported below
    done = c.finished()

    # What jh1 was running when it died was run again by another runner
    # (attempts counts the takes) and finished.
    # (A job whose result was stored just before the death, not yet
    # dropped from the list, is finished and not run again.)
    rerun = [(tok, then, rcli(H, "HGET", f"judge:sub:{tok}", "attempts"),
              rcli(H, "HGET", f"judge:sub:{tok}", "status_id")) for tok, then in held.items()]
    tap(held and all(st.isdigit() and int(st) >= 3 and (then != "2" or (a.isdigit() and int(a) >= 2))
                     for _, then, a, st in rerun),
        "the jobs the dead judge host held were finished elsewhere (those it ran, run again)",
        f"(token, status at death, attempts, status): {rerun}")

    # Every submission PostgreSQL has (acknowledged or not: a 202 lost on
    # a cut link) is scored, each testcase counted once, verdicts right.
    rows = c.db.q("SELECT s.id, s.user_id, s.status, s.total, s.done, s.passed, s.failed,"
                  " (SELECT count(*) FROM submission_results r WHERE r.submission_id = s.id),"
                  " (SELECT count(DISTINCT r.testcase_id) FROM submission_results r WHERE r.submission_id = s.id)"
                  f" FROM submissions s WHERE s.question_id = {c.qid}").splitlines()
    good = {uid: g for uid, _, g in c.users}
    bad, stuck = [], []
    for r in rows:
        sid, uid, status, total, dn, passed, failed, nres, ndist = r.split("|")
        want = int(total) if good[int(uid)] else 0
        if status != "done" and sid not in acked and dn == "0" and nres == "0":
            stuck.append(r)   # never scored: see below
        elif (status != "done" or dn != total or int(passed) + int(failed) != int(total)
                or nres != total or ndist != total or int(passed) != want):
            bad.append(r)
    tap(not bad and len(rows) >= len(acked),
        "every submission in PostgreSQL scored once (each testcase counted once, verdicts right)",
        "\n".join(bad[:10]) or f"{len(rows)} rows < {len(acked)} acknowledged")
    tap(not stuck, "every unacknowledged submission (a 503 or a lost 202) scored too",
        "\n".join(stuck[:10]))
    lost = [s for s in acked if s not in {r.split('|')[0] for r in rows}]
    tap(not lost, "nothing acknowledged lost", f"lost: {lost[:10]}")

    # The best scores: one per contestant, 100 for the right answers.
    best = dict(tuple(r.split("|")) for r in c.db.q(
        f"SELECT user_id, score FROM best_scores WHERE question_id = {c.qid}").splitlines())
    wrong = [(uid, best.get(str(uid))) for uid, _, g in c.users
             if float(best.get(str(uid), -1)) != (100.0 if g else 0.0)]
    tap(not wrong, "best scores: 100 for each right answer, 0 for each wrong one", f"{wrong}")

    # The leaderboard each app host serves (Redis) agrees: each
    # contestant once, with that score.
    names = {f"mh{i}": g for i, (_, _, g) in enumerate(c.users)}
    for k, url in enumerate(c.apps):
        st, body = http("GET", url + f"/leaderboard?round={c.slug}")
        try:
            board = {e["name"]: float(e["score"]) for e in json.loads(body)}
            rows_n = len(json.loads(body))
        except (ValueError, KeyError, TypeError):
            board, rows_n = {}, -1
        off = [(n, board.get(n)) for n, g in names.items() if board.get(n) != (100.0 if g else 0.0)]
        tap(st == 200 and not off and rows_n == len(names),
            f"app{k + 1}'s leaderboard: every contestant once, with the right score",
            f"{st} {off} {body[:300]!r}")

    # No command of ours was refused by the ACL on either server (the
    # test's own refusals were cleared after redis_checks), through the
    # failover and the old master's return as a replica.
    # The AOF's replay client (id 2^64-1) counts too: Redis 7.0 re-checks
    # EXEC's commands against the default user while it loads the AOF
    # (redis/redis#14541), which is why that user is not off (scripts/stack).
    logs = {}
    for n in ("data", "rep"):
        logs[n] = ("\n" + rcli_at(H, H[n].addr, PORTS[n] + 6, "ACL", "LOG").strip()).split("\ncount\n")[1:]
    tap(not logs["data"] and not logs["rep"],
        "ACL LOG empty on both servers (no command of ours refused, the restarted one's AOF replay too)",
        json.dumps(logs)[:2000])

    # How long each fault delayed verdicts: the verdict time of what was
    # sent around it, over the median of what was sent before any fault.
    lat = sorted((t0, done[s] - t0) for s, (_, _, t0, _) in acked.items() if s in done)
    first_fault = faults[0][1]
    base = [l for t0, l in lat if t0 < first_fault - 2]
    med = statistics.median(base) if base else 0.0
    print(f"# verdict latency before any fault: median {med:.2f} s over {len(base)} submissions")
    print(f"# Redis failover: the sentinels named the new master {t_fo:.1f} s after the kill")
    for name, t0f, t1f in faults:
        around = [l for t0, l in lat if t0f - 10 <= t0 <= t1f + 5]
        worst = max(around) if around else 0.0
        # When verdicts were back to normal: the first submission sent
        # after the fault (and its repair) whose latency is within 2 s of
        # the median, less the fault's time.
        back = next((t0 - t1f for t0, l in lat if t0 > t1f and l <= med + 2), float("nan"))
        # The longest stretch with no send acknowledged (202), around it.
        sent = sorted([t0f] + [t0 for t0, _ in lat if t0f - 5 <= t0 <= t1f + 40])
        gap = max((b - a for a, b in zip(sent, sent[1:])), default=0.0)
        print(f"# fault: {name}: worst verdict latency {worst:.2f} s (+{worst - med:.2f} s over the"
              f" median) among {len(around)} submissions sent around it; normal again"
              f" {back:.1f} s after it{' was repaired' if t1f > t0f else ''}; no 202 for"
              f" {gap:.1f} s at most")
    print(f"# contest: {len(acked)} submissions acknowledged in {t_end - (first_fault - 15):.0f} s,"
          f" {len(rows)} in PostgreSQL, {c.unanswered} sends unanswered (the cut-off host; sent again"
          " to the other)")


if __name__ == "__main__":
    sys.exit(main())
