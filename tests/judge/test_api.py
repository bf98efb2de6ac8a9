#!/usr/bin/python3
"""tests/judge/test_api.py — the embedded judge's Judge0 API against the
wire contract ../shared/JUDGE0.md (relative to the repository's root),
through nginx's judge listener of a running stack.

    PITWALL_VAR=/path/to/var /usr/bin/python3 tests/judge/test_api.py

Reads $PITWALL_VAR/stack.env (default ./var) for PITWALL_JUDGE_PORT and
REDIS_SOCKET, and $PITWALL_VAR/judge/judge.env for JUDGE_AUTH_TOKEN.  Prints
"ok - name" / "not ok - name" per check and exits 1 when one failed.  Every
check runs: the auth check restarts the judge's API with a token of its
own when none is set (and restores it after), the runner-kill check kills
a runner (it needs the rights to: the user who brought the stack up, or
root) and runs scripts/judge up.  Python standard library only.
"""
import base64
import http.server
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
VAR = os.environ.get("PITWALL_VAR") or os.path.join(ROOT, "var")


def read_env(path):
    env = {}
    try:
        with open(path) as f:
            for line in f:
                m = re.match(r"^([A-Z0-9_]+)='(.*)'$", line.strip())
                if m:
                    env[m.group(1)] = m.group(2).replace("'\\''", "'")
    except OSError:
        pass
    return env


ENV = read_env(os.path.join(VAR, "stack.env"))
ENV.update(read_env(os.path.join(VAR, "judge", "judge.env")))
PORT = ENV.get("PITWALL_JUDGE_PORT", "2358")
BASE = "http://127.0.0.1:%s" % PORT
AUTH = ENV.get("JUDGE_AUTH_TOKEN", "")
AUTH_HEADER = ENV.get("JUDGE_AUTH_HEADER", "X-Auth-Token")
MAX_QUEUE = int(ENV.get("JUDGE_MAX_QUEUE", "100"))
OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))

failures = 0


def report(name, ok, detail=""):
    global failures
    if ok:
        print("ok - %s" % name)
    else:
        failures += 1
        print("not ok - %s" % name)
        if detail:
            for line in str(detail).splitlines()[:8]:
                print("#   %s" % line[:300])
    sys.stdout.flush()


def call(method, path, body=None, auth=True, headers=None):
    """(status, parsed JSON or raw bytes) of one request."""
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(BASE + path, data=data, method=method)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    if auth and AUTH:
        req.add_header(AUTH_HEADER, AUTH)
    for k, v in (headers or {}).items():
        req.add_header(k, v)
    try:
        with OPENER.open(req, timeout=120) as r:
            status, raw = r.status, r.read()
    except urllib.error.HTTPError as e:
        status, raw = e.code, e.read()
    try:
        return status, json.loads(raw) if raw else None
    except ValueError:
        return status, raw


def b64(s):
    return base64.b64encode(s if isinstance(s, bytes) else s.encode()).decode()


def unb64(s):
    return None if s is None else base64.b64decode(s)


def ruby_b64(data):
    s = base64.b64encode(data).decode()
    return "".join(s[i:i + 60] + "\n" for i in range(0, len(s), 60))


def submit(src, lang, wait=True, fields=None, **extra):
    body = {"source_code": b64(src), "language_id": lang}
    for k, v in extra.items():
        body[k] = b64(v) if k in ("stdin", "expected_output") else v
    q = "?base64_encoded=true&wait=%s" % ("true" if wait else "false")
    if fields:
        q += "&fields=" + fields
    return call("POST", "/submissions" + q, body)


def poll(token, timeout=60, fields="status,stdout,token"):
    deadline = time.time() + timeout
    while True:
        st, o = call("GET", "/submissions/%s?base64_encoded=true&fields=%s" % (token, fields))
        if st == 200 and o["status"]["id"] > 2 or time.time() > deadline:
            return st, o
        time.sleep(0.3)


class Redis:
    """Just enough RESP over the stack's unix socket."""

    def __init__(self, path):
        self.s = socket.socket(socket.AF_UNIX)
        self.s.connect(path)
        self.f = self.s.makefile("rb")

    def cmd(self, *args):
        out = b"*%d\r\n" % len(args)
        for a in args:
            a = a if isinstance(a, bytes) else str(a).encode()
            out += b"$%d\r\n%s\r\n" % (len(a), a)
        self.s.sendall(out)
        return self.read()

    def read(self):
        line = self.f.readline().rstrip(b"\r\n")
        t, rest = line[:1], line[1:]
        if t in (b"+", b"-"):
            return rest.decode()
        if t == b":":
            return int(rest)
        if t == b"$":
            n = int(rest)
            if n < 0:
                return None
            data = self.f.read(n + 2)[:-2]
            return data.decode(errors="replace")
        if t == b"*":
            n = int(rest)
            return None if n < 0 else [self.read() for _ in range(n)]
        raise ValueError(line)


C_HELLO = '#include <stdio.h>\nint main(void) { puts("hello"); return 0; }\n'


# ------------------------------------------------------------------ tests
def test_info():
    st, langs = call("GET", "/languages")
    ids = {l["id"] for l in langs} if st == 200 else set()
    report("GET /languages lists installed C and Python", st == 200 and {50, 71} <= ids, langs)
    st, s = call("GET", "/statuses")
    report("GET /statuses has Judge0's 14 statuses",
           st == 200 and len(s) == 14 and s[0] == {"id": 1, "description": "In Queue"}
           and s[13] == {"id": 14, "description": "Exec Format Error"}, s)
    st, c = call("GET", "/config_info")
    report("GET /config_info", st == 200 and c.get("max_queue_size") == MAX_QUEUE
           and c.get("max_submission_batch_size") == 20 and c.get("max_cpu_time_limit") == 15, c)
    st, w = call("GET", "/workers")
    report("GET /workers shows live runners",
           st == 200 and isinstance(w, list) and w[0]["available"] >= 1, w)
    st, o = call("GET", "/nope")
    report("unknown route -> 404", st == 404, o)


def judge_script(*args, env=None):
    """scripts/judge ARGS for this stack: (exit code, output)."""
    r = subprocess.run(["bash", os.path.join(ROOT, "scripts", "judge")] + list(args),
                       env=dict(env or os.environ, PITWALL_VAR=VAR), capture_output=True,
                       text=True, timeout=120)
    return r.returncode, r.stdout + r.stderr


def auth_checks(token):
    st, o = call("GET", "/languages", auth=False)
    report("no X-Auth-Token -> 401", st == 401, "%s %s" % (st, o))
    st, o = call("GET", "/languages", auth=False, headers={AUTH_HEADER: "wrong"})
    report("wrong X-Auth-Token -> 401", st == 401, "%s %s" % (st, o))
    st, o = call("GET", "/languages", auth=False, headers={AUTH_HEADER: token})
    report("right X-Auth-Token -> 200", st == 200 and isinstance(o, list) and o, "%s %s" % (st, o))


def test_auth():
    """With the stack's token when it has one; else the API restarts with
    a token of its own (runners go on), and restarts as it was after."""
    if AUTH:
        auth_checks(AUTH)
        return
    token = "t-" + os.urandom(12).hex()
    env_file = os.path.join(VAR, "judge", "judge.env")
    with open(env_file) as f:
        saved = f.read()
    base = {k: v for k, v in os.environ.items() if not k.startswith("JUDGE_AUTH_")}
    try:
        rc, out = judge_script("api-restart", env=dict(base, JUDGE_AUTH_TOKEN=token,
                                                       JUDGE_AUTH_HEADER=AUTH_HEADER))
        report("judge API restarted with JUDGE_AUTH_TOKEN", rc == 0, out)
        if rc == 0:
            auth_checks(token)
    finally:
        # As it was: the saved settings (no token), the API restarted.
        with open(env_file, "w") as f:
            f.write(saved)
        rc, out = judge_script("api-restart", env=base)
        with open(env_file, "w") as f:
            f.write(saved)
    st, o = call("GET", "/languages", auth=False)
    report("judge API restarted without a token: no X-Auth-Token -> 200",
           rc == 0 and st == 200 and isinstance(o, list), "%s %s %s" % (out, st, o))


def test_validation():
    good = {"source_code": C_HELLO, "language_id": 50}
    cases = [
        ("cpu_time_limit 16", {"cpu_time_limit": 16}, "cpu_time_limit"),
        ("cpu_extra_time 6", {"cpu_extra_time": 6}, "cpu_extra_time"),
        ("wall_time_limit 0.5", {"wall_time_limit": 0.5}, "wall_time_limit"),
        ("memory_limit 1000", {"memory_limit": 1000}, "memory_limit"),
        ("memory_limit 600000", {"memory_limit": 600000}, "memory_limit"),
        ("stack_limit 200000", {"stack_limit": 200000}, "stack_limit"),
        ("max_processes_and_or_threads 121", {"max_processes_and_or_threads": 121},
         "max_processes_and_or_threads"),
        ("max_file_size 5000", {"max_file_size": 5000}, "max_file_size"),
        ("number_of_runs 21", {"number_of_runs": 21}, "number_of_runs"),
        ("compiler_options 513 chars", {"compiler_options": "x" * 513}, "compiler_options"),
        ("command_line_arguments 513 chars", {"command_line_arguments": "x" * 513},
         "command_line_arguments"),
        ("language_id 9999", {"language_id": 9999}, "language_id"),
        ("cpu_time_limit not a number", {"cpu_time_limit": "abc"}, "cpu_time_limit"),
        ("blank source_code", {"source_code": "  \n"}, "source_code"),
    ]
    for name, patch, field in cases:
        st, o = call("POST", "/submissions", dict(good, **patch))
        ok = (st == 422 and isinstance(o, dict) and list(o) == [field]
              and isinstance(o[field], list) and isinstance(o[field][0], str))
        report("422 %s -> {\"%s\": [msg]}" % (name, field), ok, "%s %s" % (st, o))
    st, o = call("POST", "/submissions", {"language_id": 50})
    report("422 missing source_code", st == 422 and "source_code" in o, o)
    st, o = call("POST", "/submissions", {"source_code": "x"})
    report("422 missing language_id", st == 422 and "language_id" in o, o)
    st, o = call("POST", "/submissions", dict(good, cpu_time_limit=15, wall_time_limit=20,
                                                 memory_limit=512000, number_of_runs=1))
    report("limits at their maxima accepted", st == 201 and "token" in o, o)
    # Query strings go through lib/query.c (fuzzed): a bad %-escape is a
    # clear 400, not a silently shortened value.
    st, o = call("GET", "/submissions/batch?tokens=%zz")
    report("malformed tokens parameter -> 400", st == 400 and "error" in o, "%s %s" % (st, o))
    st, o = call("GET", "/submissions/batch?tokens=a&fields=stdout%2")
    report("malformed fields parameter -> 400", st == 400 and "error" in o, "%s %s" % (st, o))


def test_defaults_and_fields():
    st, o = submit(C_HELLO, 50, wait=True, fields="*")
    want = {"cpu_time_limit": "5.0", "cpu_extra_time": "1.0", "wall_time_limit": "10.0",
            "memory_limit": 128000, "stack_limit": 64000, "max_processes_and_or_threads": 60,
            "max_file_size": 1024, "number_of_runs": 1, "redirect_stderr_to_stdout": False,
            "enable_network": False, "stdin": None, "expected_output": None,
            "callback_url": None, "compiler_options": None, "command_line_arguments": None}
    bad = {k: (o.get(k), v) for k, v in want.items() if not o or o.get(k) != v}
    report("field defaults (fields=*)", st == 201 and not bad, "%s %s" % (st, bad or o))
    ok = st == 201 and isinstance(o.get("time"), str) and isinstance(o.get("wall_time"), str) \
        and re.match(r"^\d+\.\d{3}$", o["time"] or "") and isinstance(o.get("memory"), int)
    report("time and wall_time are strings, memory an integer", ok, o)
    report("created_at/finished_at ISO 8601, language object",
           st == 201 and re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", o["created_at"] or "")
           and o["finished_at"] and o["language"]["id"] == 50, o)
    token = o.get("token") if o else None
    st, o = call("GET", "/submissions/%s?base64_encoded=true" % token)
    report("default fields of GET", st == 200 and sorted(o) == sorted(
        ["token", "time", "memory", "stdout", "stderr", "compile_output", "message", "status"]), o)
    st, o = call("GET", "/submissions/%s?fields=status,stdout" % token)
    report("fields=status,stdout", st == 200 and sorted(o) == ["status", "stdout"]
           and o["stdout"] == "hello\n", o)
    st, o = call("GET", "/submissions/%s?fields=status,bogus" % token)
    report("unknown field -> 400 invalid fields", st == 400 and o == {"error": "invalid fields: [bogus]"}, o)
    st, o = call("GET", "/submissions/00000000-0000-4000-8000-000000000000")
    report("unknown token -> 404", st == 404, o)


def test_base64():
    data = bytes(range(256)) * 2
    src = "import sys\nsys.stdout.buffer.write(bytes(range(256)) * 2)\n"
    st, o = submit(src, 71, wait=True)
    out = o.get("stdout") if o else None
    report("base64 out: Ruby-wrapped (60 cols + final newline)",
           st == 201 and out == ruby_b64(data), "%s %r" % (st, out and out[:200]))
    token = o.get("token") if o else None
    st, e = call("GET", "/submissions/%s" % token)
    report("non-UTF-8 output without base64_encoded -> 400", st == 400
           and "base64_encoded=true" in (e or {}).get("error", ""), e)
    # Lenient decoding: whitespace and line breaks inside the input.
    wrapped = ruby_b64(b"print(input())\n")
    st, o = call("POST", "/submissions?base64_encoded=true&wait=true",
                 {"source_code": wrapped, "language_id": 71, "stdin": ruby_b64(b"xyz")})
    report("base64 in: wrapped input decoded", st == 201 and unb64(o["stdout"]) == b"xyz\n", o)
    st, o = call("POST", "/submissions?wait=true",
                 {"source_code": "print('plain')", "language_id": 71})
    report("base64_encoded=false: plain text in and out",
           st == 201 and o["stdout"] == "plain\n", o)


def test_verdicts():
    st, o = submit(C_HELLO, 50, expected_output="hello  \r\n\n")
    report("C hello world + expected_output (trailing space) -> 3",
           st == 201 and o["status"]["id"] == 3 and unb64(o["stdout"]) == b"hello\n", o)
    st, o = submit("print('hello')", 71, expected_output="hello")
    report("Python hello world -> 3", st == 201 and o["status"]["id"] == 3, o)
    st, o = submit("print('hullo')", 71, expected_output="hello")
    report("wrong output -> 4 Wrong Answer", st == 201 and o["status"]["id"] == 4, o)
    st, o = submit("int main(void) { for (;;); }", 50, cpu_time_limit=1, cpu_extra_time=0.5)
    report("busy loop -> 5 Time Limit Exceeded", st == 201 and o["status"]["id"] == 5, o)
    st, o = submit("int main(void) { return x; }", 50)
    co = unb64(o.get("compile_output")) if st == 201 else None
    report("compile error -> 6 with compile_output",
           st == 201 and o["status"]["id"] == 6 and co and b"error" in co, o)
    st, o = submit("import sys\nsys.exit(3)", 71)
    report("exit 3 -> 11 NZEC", st == 201 and o["status"]["id"] == 11, o)
    st, o = submit("print('a')", 71, wait=False)
    report("wait=false -> 201 {token}", st == 201 and list(o) == ["token"], o)
    if st == 201:
        st, o = poll(o["token"])
        report("queued submission finishes", st == 200 and o["status"]["id"] == 3, o)


def test_batch():
    st, o = call("POST", "/submissions/batch", {"submissions": []})
    report("batch of 0 -> 400", st == 400 and "error" in o, o)
    st, o = call("POST", "/submissions/batch",
                 {"submissions": [{"source_code": "x", "language_id": 43}] * 21})
    report("batch of 21 -> 400", st == 400 and "20" in o.get("error", ""), o)
    items = [{"source_code": b64("print(%d)" % i), "language_id": 71} for i in range(3)]
    items.insert(1, {"source_code": b64("x"), "language_id": 9999})
    st, o = call("POST", "/submissions/batch?base64_encoded=true", {"submissions": items})
    ok = st == 201 and len(o) == 4 and "language_id" in o[1] and all("token" in o[i] for i in (0, 2, 3))
    report("batch: tokens and error hash in input order, 201", ok, o)
    st2, o2 = call("POST", "/submissions/batch", {"submissions": [{"language_id": 9999}]})
    report("batch with only invalid items -> 422", st2 == 422 and isinstance(o2, list), o2)
    if not ok:
        return
    tokens = [o[0]["token"], "00000000-0000-4000-8000-000000000000", o[2]["token"], o[3]["token"]]
    for t in (tokens[0], tokens[2], tokens[3]):
        poll(t)
    st, g = call("GET", "/submissions/batch?base64_encoded=true&fields=token,stdout,status&tokens="
                 + ",".join(tokens))
    subs = g.get("submissions") if st == 200 else None
    report("GET batch: unknown token -> null, order kept",
           subs is not None and len(subs) == 4 and subs[1] is None
           and subs[0]["token"] == tokens[0] and unb64(subs[3]["stdout"]) == b"2\n", g)
    st, g = call("GET", "/submissions/batch?tokens=" + ",".join([tokens[0]] * 21))
    report("GET batch of 21 tokens -> 400", st == 400, g)


C_NAP = '#include <stdio.h>\n#include <unistd.h>\nint main(void) { usleep(60000); puts("a"); return 0; }\n'


def finished(tokens, timeout=180):
    """{token: finished_at} once every token is final."""
    out = {}
    for t in tokens:
        st, o = poll(t, timeout=timeout, fields="status,finished_at")
        out[t] = o.get("finished_at") if st == 200 and o["status"]["id"] > 2 else None
    return out


def test_fair_order():
    """One submitter's 3 batches of 20 are queued, then another
    submitter's batch of 2 and a single submission (what /run sends): with
    FIFO both would end after all 60; the fair order takes the lanes in
    turn and single submissions first."""
    submit(C_NAP, 50)   # compile both programs before the clock matters
    submit(C_HELLO, 50)
    item = {"source_code": b64(C_NAP), "language_id": 50, "pitwall_submitter": "u-many"}
    many = []
    for _ in range(3):
        st, o = call("POST", "/submissions/batch?base64_encoded=true", {"submissions": [item] * 20})
        if st != 201:
            report("fair order: 3 batches of 20 queued", False, "%s %s" % (st, o))
            return
        many += [x["token"] for x in o]
    st, o = call("POST", "/submissions/batch?base64_encoded=true",
                 {"submissions": [dict(item, pitwall_submitter="u-one")] * 2})
    other = [x["token"] for x in o] if st == 201 else []
    st, o = submit(C_HELLO, 50, wait=False)
    single = o.get("token") if st == 201 else None
    fin = finished(many + other + ([single] if single else []))
    if None in fin.values() or len(other) != 2 or single is None:
        report("fair order: every run finished", False, fin)
        return
    before = lambda t: sum(1 for m in many if fin[m] < fin[t])
    b = max(before(t) for t in other)
    report("fair order: another submitter's batch is not behind one submitter's 60 runs "
           "(%d of them finished before it)" % b, b <= 20, fin)
    p = before(single)
    report("fair order: a single submission goes before queued batches "
           "(%d batch runs finished before it)" % p, p <= 10, fin)
    st, o = call("POST", "/submissions/batch", {"submissions": [dict(item, pitwall_submitter="a b")]})
    report("pitwall_submitter outside [A-Za-z0-9_.:-] -> 422",
           st == 422 and "pitwall_submitter" in (o[0] or {}), "%s %s" % (st, o))


def test_queue_full():
    """Fills judge:queue with junk (runners drop it) so queued + 1 > max."""
    sock = ENV.get("REDIS_SOCKET")
    report("stack.env names REDIS_SOCKET", bool(sock), ENV)
    if not sock:
        return
    r = Redis(sock)
    n = MAX_QUEUE + 50000
    for i in range(0, n, 5000):
        r.cmd("LPUSH", "judge:queue", *["junk-%d" % j for j in range(i, i + 5000)])
    st, o = call("POST", "/submissions", {"source_code": "x", "language_id": 43})
    st2, o2 = call("POST", "/submissions/batch",
                   {"submissions": [{"source_code": "x", "language_id": 43}]})
    r.cmd("LREM", "judge:queue", 0, "junk")  # no-op; junk tokens differ
    r.cmd("DEL", "judge:queue")
    report("queue full -> 503 {\"error\":\"queue is full\"}",
           st == 503 and o == {"error": "queue is full"}, "%s %s" % (st, o))
    report("queue full (batch) -> 503", st2 == 503, "%s %s" % (st2, o2))
    st, o = call("POST", "/submissions", {"source_code": "x", "language_id": 43})
    report("queue drained -> 201 again", st == 201, o)


class Receiver(http.server.BaseHTTPRequestHandler):
    got = []
    fail_first = 1

    def do_PUT(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        Receiver.got.append((self.headers.get("Content-Type"), body, time.time()))
        code = 500 if Receiver.fail_first > 0 else 204
        Receiver.fail_first -= 1
        self.send_response(code)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *a):
        pass


def test_callback():
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    url = "http://127.0.0.1:%d/cb?sig=abc" % srv.server_address[1]
    st, o = call("POST", "/submissions", {"source_code": "print('cb')", "language_id": 71,
                                          "callback_url": url})
    token = o.get("token") if st == 201 else None
    deadline = time.time() + 40
    while len(Receiver.got) < 2 and time.time() < deadline:
        time.sleep(0.2)
    srv.shutdown()
    report("callback PUT retried after a 5xx, then delivered", len(Receiver.got) == 2,
           Receiver.got)
    if not Receiver.got:
        return
    ctype, body, _ = Receiver.got[-1]
    try:
        b = json.loads(body)
    except ValueError:
        b = {}
    report("callback Content-Type application/json", (ctype or "").startswith("application/json"),
           ctype)
    report("callback body: Judge0 fields, base64",
           sorted(b) == sorted(["token", "time", "memory", "stdout", "stderr", "compile_output",
                                "message", "status"])
           and b["token"] == token and b["stdout"] == ruby_b64(b"cb\n")
           and b["status"]["id"] == 3, body[:400])


def runner_pids():
    try:
        with open(os.path.join(VAR, "root", "judge-runners.pids")) as f:
            return [int(x) for x in f.read().split()]
    except OSError:
        return []


def test_runner_killed():
    sock = ENV.get("REDIS_SOCKET")
    report("stack.env names REDIS_SOCKET", bool(sock), ENV)
    if not sock:
        return
    r = Redis(sock)
    src = "import time\ntime.sleep(4)\nprint('survived')\n"
    st, o = submit(src, 71, wait=False, wall_time_limit=15)
    token = o.get("token") if st == 201 else None
    victim = None
    deadline = time.time() + 20
    while victim is None and token and time.time() < deadline:
        for key in r.cmd("KEYS", "judge:processing:*") or []:
            if token in (r.cmd("LRANGE", key, 0, -1) or []):
                pid = int(key.rsplit(":", 1)[1])
                if pid in runner_pids():
                    victim = pid
        time.sleep(0.1)
    report("a runner picked the job up", victim is not None,
           "no judge:processing list of a runner holds %s" % token)
    if victim is None:
        return
    os.kill(victim, 9)
    # scripts/judge up restarts the dead slot; any live runner re-queues the
    # job once the victim's heartbeat has expired.
    rc, out = judge_script("up")
    report("scripts/judge up restarts the killed runner", rc == 0
           and victim not in runner_pids(), out)
    st, o = poll(token, timeout=60)
    report("job of a killed runner still finishes",
           st == 200 and o["status"]["id"] == 3 and unb64(o["stdout"]) == b"survived\n", o)


def test_hostile():
    bomb = "#include <unistd.h>\nint main(void) { for (;;) fork(); }\n"
    st, o = submit(bomb, 50, wall_time_limit=3, cpu_time_limit=2)
    report("fork bomb finishes with a final status", st == 201 and o["status"]["id"] > 2, o)
    flood = "int main(void) { for (;;) __builtin_printf(\"yyyyyyyyyyyyyyyyyyyyyyyy\\n\"); }"
    st, o = submit(flood, 50, max_file_size=64)
    report("output flood -> SIGXFSZ (8) or TLE", st == 201 and o["status"]["id"] in (5, 8), o)
    st, o = submit(C_HELLO, 50, expected_output="hello")
    report("judge still serves after hostile programs", st == 201 and o["status"]["id"] == 3, o)
    st, w = call("GET", "/workers")
    report("all runners alive after hostile programs",
           st == 200 and w[0]["available"] == len(runner_pids()), w)


def test_wait_stops_when_the_client_is_gone():
    """A wait=true request whose client gave up (a /run past its bound)
    does not hold an API thread until the program ends: the thread sees
    nginx close the connection and stops waiting; the run itself goes on."""
    log = os.path.join(VAR, "log", "judge.log")
    before = open(log, errors="replace").read().count("the client is gone") if os.path.exists(log) else 0
    src = "import time\ntime.sleep(6)\nprint('late')\n"
    body = json.dumps({"source_code": b64(src), "language_id": 71, "wall_time_limit": 10}).encode()
    head = ("POST /submissions?base64_encoded=true&wait=true HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            "Content-Type: application/json\r\nContent-Length: %d\r\n" % len(body))
    if AUTH:
        head += "%s: %s\r\n" % (AUTH_HEADER, AUTH)
    s = socket.create_connection(("127.0.0.1", int(PORT)), timeout=10)
    s.sendall(head.encode() + b"\r\n" + body)
    time.sleep(1.0)
    t0 = time.time()
    s.close()
    seen = 0
    while time.time() - t0 < 4.5:
        if os.path.exists(log):
            seen = open(log, errors="replace").read().count("the client is gone") - before
        if seen:
            break
        time.sleep(0.2)
    report("wait=true stops once its client is gone (before the 6 s program ends)", seen == 1,
           "log lines: %d after %.1f s" % (seen, time.time() - t0))


PY_VALIDATOR = (b"import sys\nans = open(sys.argv[2]).read().split()\n"
                b"open(sys.argv[3] + 'teammessage.txt', 'w').write('hi')\n"
                b"sys.exit(42 if sys.stdin.read().split() == ans else 43)\n")


def validator(mode="custom", **patch):
    v = {"mode": mode, "language_id": 71, "digest": "0" * 64, "flags": "",
         "time_limit": 5, "memory_limit": 262144,
         "files": [{"path": "output_validator/validator.py",
                    "content": base64.b64encode(PY_VALIDATOR).decode()}]}
    v.update(patch)
    return v


def test_validator_extension():
    """Pitwall's pitwall_validator (docs/judge.md): checked at POST, run."""
    good = {"source_code": C_HELLO, "language_id": 50}
    for name, patch in [("mode", {"mode": "judge"}), ("language", {"language_id": 62}),
                        ("digest", {"digest": "xyz"}), ("no files", {"files": []}),
                        ("hidden file", {"files": [{"path": "a/.v.py", "content": ""}]}),
                        ("time limit", {"time_limit": 0})]:
        st, o = call("POST", "/submissions", dict(good, pitwall_validator=validator(**patch)))
        report("422 pitwall_validator %s" % name,
               st == 422 and list(o) == ["pitwall_validator"], "%s %s" % (st, o))
    src = "print(input())"
    for stdin, want in (("hello world\n", 3), ("bye\n", 4)):
        st, o = submit(src, 71, stdin=stdin, expected_output="hello   world\n",
                       pitwall_validator=validator())
        pv = o.get("pitwall_validation") or {}
        report("custom validator: status %d, exit %d, teammessage" % (want, want + 39),
               st == 201 and o["status"]["id"] == want and pv.get("exit") == want + 39
               and unb64(pv.get("teammessage")) == b"hi", o)
    st, o = submit(src, 71, stdin="x\n", expected_output="x\n")
    report("no pitwall_validation without pitwall_validator",
           st == 201 and "pitwall_validation" not in o, o)


def main():
    try:
        call("GET", "/statuses")
    except OSError as e:
        print("not ok - judge API reachable at %s: %s" % (BASE, e))
        return 1
    for t in (test_info, test_auth, test_validation, test_defaults_and_fields, test_base64,
              test_verdicts, test_validator_extension, test_wait_stops_when_the_client_is_gone, test_batch,
              test_fair_order, test_queue_full, test_callback, test_hostile,
              test_runner_killed):
        try:
            t()
        except Exception as e:  # a crash is one failure, the rest still run
            report("%s raised" % t.__name__, False, repr(e))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
