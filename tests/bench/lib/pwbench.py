"""Shared by the Python benchmarks in tests/bench/: a throwaway stack with
the scripted fake Judge0 in a temporary directory (stopped even on failure
or SIGTERM), fixtures made straight in PostgreSQL, JWTs signed with the
stack's key, signed callback URLs, wrk runs with a JSON summary, RSS.

Not a benchmark itself: it lives in tests/bench/lib/ so the harness
(tests/bench/run, which looks at tests/bench/*.py and *.sh) skips it.

Output convention of every benchmark: one line per figure,
`figure<TAB>value<TAB>baseline<TAB>ratio` (line()), nothing else on stdout;
progress goes to stderr (say())."""
import base64
import hashlib
import hmac
import http.client
import json
import os
import secrets
import shlex
import shutil
import signal
import ssl
import statistics
import subprocess
import sys
import tempfile
import time
import uuid

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
FAKE_PY = "/usr/bin/python3"   # the fake Judge0 wants the system Python (3.11)


def say(*a):
    print("#", *a, file=sys.stderr, flush=True)


def line(figure, value, baseline, ratio):
    def f(x):
        if isinstance(x, float):
            return f"{x:.3f}" if abs(x) < 10 else f"{x:.1f}"
        return str(x)
    print(f"{figure}\t{f(value)}\t{f(baseline)}\t{f(ratio)}", flush=True)


def median(xs):
    return statistics.median(xs) if xs else float("nan")


def ratio(a, b):
    return a / b if b else float("nan")


class Stack:
    """scripts/stack up in a temp dir with the fake Judge0; use as `with`."""

    def __init__(self, port_base, extra_env=None):
        self.port_base = int(os.environ.get("BENCH_PORT_BASE", port_base))
        self.extra_env = extra_env or {}
        self.tmp = None
        self.fake = None
        self.env = {}
        self.senv = None

    def __enter__(self):
        try:
            return self._up()
        except BaseException:
            self.__exit__(None, None, None)
            raise

    def _up(self):
        # SIGTERM (a harness timeout) unwinds through __exit__ like ^C.
        signal.signal(signal.SIGTERM, _on_term)
        self.tmp = tempfile.mkdtemp(prefix="pitwall-bench.")
        os.chmod(self.tmp, 0o755)
        fport = self.port_base + 5
        self.fake_url = f"http://127.0.0.1:{fport}"
        log = os.path.join(self.tmp, "fakejudge0.log")
        self.fake = subprocess.Popen([FAKE_PY, os.path.join(ROOT, "tests/fakejudge0/fakejudge0.py"),
                                      "--port", str(fport), "--log-file", log,
                                      "--max-queue", "100000"],
                                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        for _ in range(100):
            if os.path.exists(log) and "ready" in open(log).read():
                break
            time.sleep(0.1)
        else:
            raise RuntimeError("fake Judge0 did not start")
        loose = {
            "PITWALL_LIMIT_LOGIN": "100000r/s", "PITWALL_LIMIT_RUN": "100000r/s",
            "PITWALL_LIMIT_SUBMIT": "100000r/s", "PITWALL_LIMIT_LOGIN_BURST": "100000",
            "PITWALL_LIMIT_RUN_BURST": "100000", "PITWALL_LIMIT_SUBMIT_BURST": "100000",
            "PITWALL_LIMIT_ANON": "100000r/s", "PITWALL_LIMIT_ANON_BURST": "100000",
            "PITWALL_LIMIT_ADDR": "1000000r/s", "PITWALL_LIMIT_ADDR_BURST": "1000000",
            "SUBMIT_RATE_PER_MIN": "100000", "RUN_RATE_PER_MIN": "100000",
        }
        self.senv = dict(os.environ)
        self.senv.pop("JUDGE0_URL", None)
        self.senv.update(loose)
        self.senv.update(PITWALL_VAR=self.tmp + "/var", PITWALL_PORT_BASE=str(self.port_base),
                         JUDGE0_URL=self.fake_url, PITWALL_CRON="0",
                         PITWALL_LOG_LEVEL=os.environ.get("PITWALL_LOG_LEVEL", "warn"))
        self.senv.update(self.extra_env)
        say(f"stack up in {self.tmp} (ports {self.port_base}..)")
        # Output to a file, not a pipe: a daemon that kept the pipe open
        # would make us wait for ever.
        uplog = os.path.join(self.tmp, "stack-up.log")
        with open(uplog, "w") as out:
            rc = subprocess.run(["bash", "scripts/stack", "up"], cwd=ROOT, env=self.senv,
                                stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                                timeout=300).returncode
        if rc != 0:
            raise RuntimeError(f"stack up failed: {open(uplog).read()[-2000:]}")
        self.var = self.tmp + "/var"
        with open(self.var + "/stack.env") as f:
            for ln in f:
                ln = ln.strip()
                if ln and not ln.startswith("#") and "=" in ln:
                    k, v = ln.split("=", 1)
                    self.env[k] = shlex.split(v)[0] if v else ""
        self.url = self.env["PITWALL_URL"]
        self.internal = self.env["PITWALL_INTERNAL_URL"]
        with open(self.env["JWT_SECRET_FILE"]) as f:
            self.jwt_key = f.read().strip()
        with open(self.env["CALLBACK_SECRET_FILE"]) as f:
            self.cb_key = f.read().strip()
        return self

    def __exit__(self, *exc):
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        try:
            if self.senv and os.environ.get("BENCH_KEEP") != "1":
                subprocess.run(["bash", "scripts/stack", "down"], cwd=ROOT, env=self.senv,
                               stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, timeout=180)
        finally:
            if self.fake:
                self.fake.terminate()
                try:
                    self.fake.wait(10)
                except subprocess.TimeoutExpired:
                    self.fake.kill()
            if self.tmp and os.environ.get("BENCH_KEEP") != "1":
                shutil.rmtree(self.tmp, ignore_errors=True)
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
        return False

    # --- data -------------------------------------------------------------
    def psql(self, sql):
        p = subprocess.run(["psql", self.env["DATABASE_URL"], "-X", "-Atq", "-v", "ON_ERROR_STOP=1",
                            "-c", sql], capture_output=True, text=True, timeout=600)
        if p.returncode != 0:
            raise RuntimeError(f"psql failed: {p.stderr}")
        return p.stdout.strip()

    def psql_script(self, sql):
        p = subprocess.run(["psql", self.env["DATABASE_URL"], "-X", "-Atq", "-v", "ON_ERROR_STOP=1"],
                           input=sql, capture_output=True, text=True, timeout=600)
        if p.returncode != 0:
            raise RuntimeError(f"psql failed: {p.stderr}")
        return p.stdout.strip()

    def redis(self, *args):
        p = subprocess.run(["redis-cli", "-s", self.env["REDIS_SOCKET"], *map(str, args)],
                           capture_output=True, text=True, timeout=60)
        return p.stdout.strip()

    def redis_pipe(self, commands):
        """Send many commands (lists of str/bytes) with redis-cli --pipe."""
        buf = bytearray()
        for cmd in commands:
            buf += b"*%d\r\n" % len(cmd)
            for a in cmd:
                a = a if isinstance(a, bytes) else str(a).encode()
                buf += b"$%d\r\n%s\r\n" % (len(a), a)
        p = subprocess.run(["redis-cli", "-s", self.env["REDIS_SOCKET"], "--pipe"],
                           input=bytes(buf), capture_output=True, timeout=600)
        if p.returncode != 0 or b"errors: 0" not in p.stdout:
            raise RuntimeError(f"redis --pipe: {p.stdout[-500:]!r} {p.stderr[-500:]!r}")

    def make_users(self, n, prefix="bench"):
        tag = secrets.token_hex(3)
        rows = self.psql(
            f"INSERT INTO users (email, name, password_hash, role) SELECT "
            f"'{prefix}{tag}-' || g || '@example.org', '{prefix}{tag}-' || g, 'x', 'contestant'"
            f" FROM generate_series(1, {n}) g RETURNING id")
        return [int(x) for x in rows.split()]

    def make_round(self):
        slug = "b" + secrets.token_hex(4)
        return int(self.psql(f"INSERT INTO rounds (slug, name, starts_at, ends_at) VALUES "
                             f"('{slug}', 'Bench', now() - interval '1 minute',"
                             f" now() + interval '1 day') RETURNING id").split()[0])

    def make_question(self, round_id, tests, points=100):
        """tests: list of (input, expected_output, is_sample). -> (qid, [tid…])"""
        slug = "q" + secrets.token_hex(4)
        qid = int(self.psql(f"INSERT INTO questions (round_id, slug, title, points) VALUES "
                            f"({round_id}, '{slug}', 'Q', {points}) RETURNING id").split()[0])
        tids = []
        for i, (inp, exp, sample) in enumerate(tests):
            tids.append(int(self.psql(
                f"INSERT INTO testcases (question_id, ordinal, name, input, expected_output, is_sample)"
                f" VALUES ({qid}, {i}, '{i:02d}', $x${inp}$x$, $x${exp}$x$, {str(sample).lower()})"
                f" RETURNING id").split()[0]))
        self.redis("DEL", f"pitwall:q:{qid}")
        return qid, tids

    # --- auth -------------------------------------------------------------
    def jwt(self, uid, role="contestant", ttl=86400):
        def b64u(b):
            return base64.urlsafe_b64encode(b).rstrip(b"=").decode()
        now = int(time.time())
        payload = {"sub": str(uid), "role": role, "iat": now, "exp": now + ttl,
                   "iss": self.env.get("JWT_ISSUER", "pitwall"), "jti": secrets.token_hex(8)}
        signing = b64u(json.dumps({"alg": "HS256", "typ": "JWT"}).encode()) + "." + \
            b64u(json.dumps(payload).encode())
        return signing + "." + b64u(hmac.new(self.jwt_key.encode(), signing.encode(),
                                             hashlib.sha256).digest())

    def callback_url(self, sid, tid, attempt=1):
        sig = hmac.new(self.cb_key.encode(), f"{sid}\n{tid}\n{attempt}".encode(),
                       hashlib.sha256).hexdigest()
        return f"{self.internal}/callback?s={sid}&t={tid}&a={attempt}&sig={sig}"

    # --- processes --------------------------------------------------------
    def pids(self, name):
        try:
            where = "root" if name in ("worker.pid", "judge-runners.pids") else "run"
            with open(os.path.join(self.var, where, name)) as f:
                return [int(x) for x in f.read().split()]
        except OSError:
            return []

    def worker_stop(self):
        """Stop the worker so it is not restarted (like `stack down` does)."""
        open(os.path.join(self.var, "root", "supervise.off"), "w").close()
        for pid in self.pids("worker.pid"):
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                continue
            for _ in range(300):
                if not alive(pid):
                    break
                time.sleep(0.05)
            else:
                os.kill(pid, signal.SIGKILL)

    def worker_start(self):
        os.unlink(os.path.join(self.var, "root", "supervise.off"))
        rc = subprocess.run(["bash", "scripts/worker-supervise"], cwd=ROOT, env=self.senv,
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, timeout=60).returncode
        if rc != 0:
            raise RuntimeError(f"worker-supervise exited {rc}")

    def fake_rules(self, rules):
        req = http.client.HTTPConnection("127.0.0.1", self.port_base + 5, timeout=10)
        req.request("POST", "/_control/rules", body=json.dumps({"rules": rules}),
                    headers={"Content-Type": "application/json"})
        r = req.getresponse()
        r.read()
        req.close()
        if r.status != 200:
            raise RuntimeError(f"fake rules: {r.status}")

    def fake_reset(self):
        """Forget the fake's submissions (its queue-limit check scans them
        all on every POST, so it slows down as they pile up) and rules."""
        req = http.client.HTTPConnection("127.0.0.1", self.port_base + 5, timeout=30)
        req.request("POST", "/_control/reset", body="{}", headers={"Content-Type": "application/json"})
        r = req.getresponse()
        r.read()
        req.close()
        if r.status != 200:
            raise RuntimeError(f"fake reset: {r.status}")

    def fake_stats(self):
        req = http.client.HTTPConnection("127.0.0.1", self.port_base + 5, timeout=10)
        req.request("GET", "/_control/stats")
        r = req.getresponse()
        out = json.loads(r.read())
        req.close()
        return out


def _on_term(*_):
    raise KeyboardInterrupt("SIGTERM")


def alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def rss_kb(pid):
    """VmRSS of pid in KB (None when it is gone)."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for ln in f:
                if ln.startswith("VmRSS:"):
                    return int(ln.split()[1])
    except OSError:
        return None
    return None


_ssl = ssl.create_default_context()
_ssl.check_hostname = False
_ssl.verify_mode = ssl.CERT_NONE


def connect(url, timeout=60):
    """A persistent http.client connection to url's host (https unverified)."""
    from urllib.parse import urlsplit
    u = urlsplit(url)
    if u.scheme == "https":
        return http.client.HTTPSConnection(u.hostname, u.port, timeout=timeout, context=_ssl)
    return http.client.HTTPConnection(u.hostname, u.port, timeout=timeout)


WRK_LUA = r"""
wrk.method = %(method)s
wrk.body = %(body)s
%(headers)s
%(extra)s
local threads = {}
function setup(thread) table.insert(threads, thread) end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "WRKJSON {\"requests\":%%d,\"duration_us\":%%d,\"p50_us\":%%d,\"p99_us\":%%d," ..
    "\"max_us\":%%d,\"non2xx\":%%d,\"sockerr\":%%d}\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    latency.max, e.status, e.connect + e.read + e.write + e.timeout))
end
"""


def lua_str(s):
    n = 0
    while "]" + "=" * n + "]" in s:
        n += 1
    return "[" + "=" * n + "[" + s + "]" + "=" * n + "]"


def wrk(url, method="GET", body=None, headers=None, conns=8, threads=1, seconds=5, tmpdir=None,
        extra=""):
    """Run wrk for `seconds` against url (extra: more Lua, e.g. a request()
    function); returns {"rps","p50_ms","p99_ms",
    "max_ms","requests","non2xx","sockerr"}."""
    hdrs = "\n".join(f"wrk.headers[ {lua_str(k)} ] = {lua_str(v)}" for k, v in (headers or {}).items())
    script = WRK_LUA % {"method": lua_str(method), "body": lua_str(body) if body is not None else "nil",
                        "headers": hdrs, "extra": extra}
    fd, path = tempfile.mkstemp(suffix=".lua", dir=tmpdir)
    with os.fdopen(fd, "w") as f:
        f.write(script)
    try:
        p = subprocess.run(["wrk", "-t", str(threads), "-c", str(conns), "-d", f"{seconds}s",
                            "--timeout", "30s", "-s", path, url],
                           capture_output=True, text=True, timeout=seconds + 60)
    finally:
        os.unlink(path)
    for ln in p.stdout.splitlines():
        if ln.startswith("WRKJSON "):
            j = json.loads(ln[8:])
            return {"rps": j["requests"] / (j["duration_us"] / 1e6), "p50_ms": j["p50_us"] / 1000,
                    "p99_ms": j["p99_us"] / 1000, "max_ms": j["max_us"] / 1000,
                    "requests": j["requests"], "non2xx": j["non2xx"], "sockerr": j["sockerr"]}
    raise RuntimeError(f"wrk gave no summary: {p.stdout[-1000:]} {p.stderr[-1000:]}")


def judge0_body(token, stdout, status_id=3, desc="Accepted"):
    """A Judge0 callback body as Judge0 sends it: base64 wrapped at 60 columns."""
    def b64(s):
        if s is None:
            return None
        e = base64.b64encode(s.encode()).decode()
        return "\n".join(e[i:i + 60] for i in range(0, len(e), 60)) + "\n"
    return json.dumps({"token": token, "time": "0.010", "memory": 1000, "stdout": b64(stdout),
                       "stderr": None, "compile_output": None, "message": None,
                       "status": {"id": status_id, "description": desc}})


def new_token():
    return str(uuid.uuid4())
