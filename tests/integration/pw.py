"""Helpers for integration tests: the stack's settings, HTTP(S) calls,
running the project's scripts and programs."""
import json
import os
import shlex
import ssl
import subprocess
import time
import urllib.error
import urllib.request

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
VAR = os.environ.get("PITWALL_VAR", os.path.join(ROOT, "var"))
BIN = os.environ.get("PITWALL_BIN", os.path.join(ROOT, "bin"))


def stack_env(var=None):
    """The KEY=value settings of a stack's stack.env, as a dict."""
    env = {}
    with open(os.path.join(var or VAR, "stack.env")) as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#") or "=" not in line:
                continue
            k, v = line.split("=", 1)
            env[k] = shlex.split(v)[0] if v else ""
    return env


ENV = stack_env() if os.path.exists(os.path.join(VAR, "stack.env")) else {}
URL = ENV.get("PITWALL_URL", "")
INTERNAL = ENV.get("PITWALL_INTERNAL_URL", "")

_ctx = ssl.create_default_context()
_ctx.check_hostname = False
_ctx.verify_mode = ssl.CERT_NONE


class Reply:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    def json(self):
        return json.loads(self.body)

    def __repr__(self):
        return f"<{self.status} {self.body[:300]!r}>"


def http(method, url, body=None, headers=None, timeout=30):
    """One request; never raises on HTTP errors.  body: bytes, str or JSON."""
    hdrs = dict(headers or {})
    data = None
    if body is not None:
        if isinstance(body, (dict, list)):
            data = json.dumps(body).encode()
            hdrs.setdefault("Content-Type", "application/json")
        elif isinstance(body, str):
            data = body.encode()
        else:
            data = body
    req = urllib.request.Request(url, data=data, method=method, headers=hdrs)

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *a, **k):
            return None

    opener = urllib.request.build_opener(NoRedirect, urllib.request.HTTPSHandler(context=_ctx))
    try:
        with opener.open(req, timeout=timeout) as r:
            return Reply(r.status, dict(r.headers), r.read())
    except urllib.error.HTTPError as e:
        return Reply(e.code, dict(e.headers), e.read())


def get(path, base=None, **kw):
    return http("GET", (base or URL) + path, **kw)


def post(path, body=None, base=None, **kw):
    return http("POST", (base or URL) + path, body=body, **kw)


def run(cmd, env=None, check=True, timeout=300):
    """Run a command with the stack's settings in its environment."""
    e = dict(os.environ)
    e.update(ENV)
    e.update(env or {})
    p = subprocess.run(cmd, cwd=ROOT, env=e, capture_output=True, text=True, timeout=timeout)
    if check and p.returncode != 0:
        raise AssertionError(f"{cmd} exited {p.returncode}: {p.stdout[-2000:]} {p.stderr[-2000:]}")
    return p


def psql(sql, var=None):
    env = stack_env(var) if var else ENV
    p = subprocess.run(["psql", env["DATABASE_URL"], "-X", "-Atq", "-v", "ON_ERROR_STOP=1", "-c", sql],
                       capture_output=True, text=True, timeout=60)
    if p.returncode != 0:
        raise AssertionError(f"psql failed: {p.stderr}")
    return p.stdout.strip()


def redis(*args):
    p = subprocess.run(["redis-cli", "-s", ENV["REDIS_SOCKET"], *map(str, args)],
                       capture_output=True, text=True, timeout=30)
    return p.stdout.strip()


def wait_for(pred, timeout=30, interval=0.2, what="condition"):
    """Poll pred() until it returns a true value; return it or raise."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = pred()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what} (last: {last!r})")


def eq(a, b, what=""):
    if a != b:
        raise AssertionError(f"{what}: expected {b!r}, got {a!r}")


# Pid files of what root starts are root's, in VAR/root (scripts/lib.sh).
ROOT_PID_FILES = ("worker.pid", "judge-runners.pids")


def pids(name):
    with open(os.path.join(VAR, "root" if name in ROOT_PID_FILES else "run", name)) as f:
        return [int(x) for x in f.read().split()]
