#!/usr/bin/python3
"""fakejudge0 - a scripted fake Judge0 CE 1.13 for Pitwall's integration tests.

Standard library only.  Speaks the wire contract of ../shared/JUDGE0.md (beside the repository)
(submissions, batches, fields, base64 the Ruby way, 422/400/401/503 shapes,
status progression 1 -> 2 -> final, PUT callbacks) and adds a control API under
/_control/ to script results and inject faults.  See README.md next to this
file for the control API, rules and the `#fake:` source directives.

    fakejudge0.py --port N [--host 127.0.0.1] [--auth-token T] [--max-batch 20]
                  [--max-queue 100] [--pidfile F] [--log-file F] [--no-insecure]
"""
import argparse
import base64
import datetime
import heapq
import http.client
import json
import os
import queue
import re
import signal
import socket
import ssl
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

VERSION = "1.13.1"
STATUSES = [
    (1, "In Queue"), (2, "Processing"), (3, "Accepted"), (4, "Wrong Answer"),
    (5, "Time Limit Exceeded"), (6, "Compilation Error"),
    (7, "Runtime Error (SIGSEGV)"), (8, "Runtime Error (SIGXFSZ)"),
    (9, "Runtime Error (SIGFPE)"), (10, "Runtime Error (SIGABRT)"),
    (11, "Runtime Error (NZEC)"), (12, "Runtime Error (Other)"),
    (13, "Internal Error"), (14, "Exec Format Error")]
STATUS_NAME = dict(STATUSES)
LANGUAGES = [
    (45, "Assembly (NASM 2.14.02)"), (46, "Bash (5.0.0)"), (75, "C (Clang 7.0.1)"),
    (48, "C (GCC 7.4.0)"), (49, "C (GCC 8.3.0)"), (50, "C (GCC 9.2.0)"),
    (51, "C# (Mono 6.6.0.161)"), (76, "C++ (Clang 7.0.1)"), (52, "C++ (GCC 7.4.0)"),
    (53, "C++ (GCC 8.3.0)"), (54, "C++ (GCC 9.2.0)"), (60, "Go (1.13.5)"),
    (62, "Java (OpenJDK 13.0.1)"), (63, "JavaScript (Node.js 12.14.0)"),
    (89, "Multi-file program"), (68, "PHP (7.4.1)"), (43, "Plain Text"),
    (70, "Python (2.7.17)"), (71, "Python (3.8.1)"), (72, "Ruby (2.7.0)"),
    (73, "Rust (1.40.0)"), (74, "TypeScript (3.7.4)")]
LANGUAGE_NAME = dict(LANGUAGES)
DEFAULT_FIELDS = ["token", "time", "memory", "stdout", "stderr", "compile_output",
                  "message", "status"]
TEXT_FIELDS = ["source_code", "stdin", "expected_output", "stdout", "stderr",
               "compile_output", "message"]
ALL_FIELDS = ["source_code", "stdin", "expected_output", "stdout", "created_at",
              "finished_at", "time", "memory", "stderr", "token", "number_of_runs",
              "cpu_time_limit", "cpu_extra_time", "wall_time_limit", "memory_limit",
              "stack_limit", "max_processes_and_or_threads",
              "enable_per_process_and_thread_time_limit",
              "enable_per_process_and_thread_memory_limit", "max_file_size",
              "compile_output", "exit_code", "exit_signal", "message", "wall_time",
              "compiler_options", "command_line_arguments", "redirect_stderr_to_stdout",
              "callback_url", "additional_files", "enable_network", "status", "language"]
# name: (default, lower bound, lower is strict (>), upper bound, integer column)
LIMITS = {
    "number_of_runs": (1, 0, True, 20, True),
    "cpu_time_limit": (5.0, 0, False, 15.0, False),
    "cpu_extra_time": (1.0, 0, False, 5.0, False),
    "wall_time_limit": (10.0, 1, False, 20.0, False),
    "memory_limit": (128000, 2048, False, 512000, True),
    "stack_limit": (64000, 0, False, 128000, True),
    "max_processes_and_or_threads": (60, 0, True, 120, True),
    "max_file_size": (1024, 0, False, 4096, True),
}
DECIMAL_FIELDS = {"time", "wall_time", "cpu_time_limit", "cpu_extra_time", "wall_time_limit"}
BOOL_FIELDS = ["enable_per_process_and_thread_time_limit",
               "enable_per_process_and_thread_memory_limit",
               "redirect_stderr_to_stdout", "enable_network"]
DEFAULT_MESSAGES = {5: "Time limit exceeded", 7: "Exited with error status 139",
                    11: "Exited with error status 1", 13: "Internal Error"}
MATCH_KEYS = {"any", "stdin", "stdin_prefix", "source_contains", "language_id"}
ACTION_KEYS = {"status_id", "stdout", "stderr", "compile_output", "message",
               "stdout_b64", "stderr_b64", "compile_output_b64", "time", "wall_time",
               "memory", "exit_code", "exit_signal", "delay_ms", "queue_ms", "callback",
               "callback_delay_ms", "http_status", "http_body", "hold_ms",
               "drop_reply", "stuck"}
CALLBACK_MODES = {"send", "drop", "twice", "before_reply"}
NOT_UTF8 = ("some attributes for this submission cannot be converted to UTF-8, "
            "use base64_encoded=true query parameter")
NOT_UTF8_BATCH = ("some attributes for one or more submissions cannot be converted "
                  "to UTF-8, use base64_encoded=true query parameter")


SENDERS = 8   # threads that PUT callbacks (Fake.sender)


# ---------------------------------------------------------------- encoding --
def b64_ruby(data):
    """Ruby's Base64.encode64: a "\\n" after every 60 chars and at the end."""
    s = base64.b64encode(data).decode("ascii")
    return "".join(s[i:i + 60] + "\n" for i in range(0, len(s), 60))


def b64_lenient(text):
    """Ruby's Base64.decode64: skips non-alphabet chars, stops at padding."""
    s = re.sub(r"[^A-Za-z0-9+/]", "", str(text).split("=", 1)[0])
    if len(s) % 4 == 1:
        s = s[:-1]
    return base64.b64decode(s + "=" * (-len(s) % 4))


def ruby_decimal(v):
    return None if v is None else repr(float(v))


def iso(t):
    if t is None:
        return None
    d = datetime.datetime.fromtimestamp(t, datetime.timezone.utc)
    return d.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (d.microsecond // 1000)


def as_bytes(v):
    if v is None:
        return None
    return v.encode() if isinstance(v, str) else str(v).encode()


def judge0_equal(out, expected):
    norm = lambda b: "\n".join(l.rstrip() for l in b.decode("utf-8", "replace")
                               .split("\n")).rstrip()
    return norm(out or b"") == norm(expected or b"")


# -------------------------------------------------------------- validation --
def number_error(value, lo, strict, hi):
    if isinstance(value, bool):
        return "is not a number"
    try:
        x = float(value)
    except (TypeError, ValueError):
        return "is not a number"
    if strict and not x > lo:
        return "must be greater than %s" % lo
    if not strict and x < lo:
        return "must be greater than or equal to %s" % lo
    if x > hi:
        return "must be less than or equal to %s" % hi
    return None


def validate(item, b64):
    """Returns (params, errors) for one submission object, like Rails would."""
    if not isinstance(item, dict):
        item = {}
    errors = {}
    p = {}
    add = lambda f, m: errors.setdefault(f, []).append(m)
    for f in ("source_code", "stdin", "expected_output"):
        v = item.get(f)
        p[f] = None if v is None else (b64_lenient(v) if b64 else as_bytes(v))
    if not p["source_code"] or not p["source_code"].strip():
        add("source_code", "can't be blank")
    lang = item.get("language_id")
    if lang in (None, ""):
        add("language_id", "can't be blank")
    for name, (default, lo, strict, hi, is_int) in LIMITS.items():
        v = item.get(name)
        if v is None or v == "":
            p[name] = default
            continue
        err = number_error(v, lo, strict, hi)
        if err:
            add(name, err)
            p[name] = default
        else:
            p[name] = int(float(v)) if is_int else float(v)
    for f in ("compiler_options", "command_line_arguments"):
        v = item.get(f)
        p[f] = None if v is None else str(v)
        if p[f] is not None and len(p[f]) > 512:
            add(f, "is too long (maximum is 512 characters)")
    for f in BOOL_FIELDS:
        p[f] = item.get(f) in (True, "true", 1, "1")
    p["callback_url"] = item.get("callback_url") or None
    p["additional_files"] = item.get("additional_files")
    if lang not in (None, ""):
        try:
            p["language_id"] = int(lang)
        except (TypeError, ValueError):
            p["language_id"] = None
        if p["language_id"] not in LANGUAGE_NAME:
            add("language_id", "language with id %s doesn't exist" % lang)
    return p, errors


def parse_directives(source):
    """`#fake: key=value ...` lines in the (decoded) source code."""
    out = {}
    for m in re.finditer(r"#fake:([^\n]*)", source.decode("utf-8", "replace")):
        for tok in m.group(1).split():
            if "=" not in tok:
                continue
            k, v = tok.split("=", 1)
            if k in ("stdout", "stderr", "compile_output", "message"):
                out[k + "_b64"] = v
            elif k == "status":
                out["status_id"] = int(v)
            elif k in ("memory", "exit_code", "exit_signal", "delay_ms"):
                out[k] = int(v)
            elif k in ("time", "wall_time", "callback"):
                out[k] = v
    return out


# ------------------------------------------------------------------- state --
class Submission:
    def __init__(self, params, action, now):
        self.token = str(uuid.uuid4())
        self.p = params
        self.created = now
        self.finished = None
        delay = max(0, int(action.get("delay_ms", 0))) / 1000.0
        self.t_final = now + delay
        q = action.get("queue_ms")
        self.t_queue_end = now + (delay / 2 if q is None else min(delay, q / 1000.0))
        self.stuck = action.get("stuck")
        self.callback = action.get("callback", "send")
        self.callback_delay = int(action.get("callback_delay_ms", 0)) / 1000.0
        self.r = self.result(params, action)

    @staticmethod
    def result(p, a):
        explicit_status = "status_id" in a
        sid = int(a.get("status_id", 3))
        r = {"status_id": sid, "time": "0.010", "wall_time": "0.020", "memory": 1000,
             "exit_code": 0, "exit_signal": None, "message": None, "stderr": None,
             "compile_output": None,
             "stdout": p["source_code"] if p["language_id"] == 43 else (p["stdin"] or b"")}
        if sid == 6:
            r.update(stdout=None, time=None, wall_time=None, memory=None, exit_code=None,
                     compile_output=b"main.c: error: fake compilation error\n")
        if sid in DEFAULT_MESSAGES:
            r["message"] = DEFAULT_MESSAGES[sid].encode()
        if sid == 11:
            r["exit_code"] = 1
        for f in ("stdout", "stderr", "compile_output", "message"):
            if f in a:
                r[f] = as_bytes(a[f])
            if a.get(f + "_b64") is not None:
                r[f] = b64_lenient(a[f + "_b64"])
        for f in ("time", "wall_time"):
            if f in a:
                r[f] = None if a[f] is None else (a[f] if isinstance(a[f], str)
                                                  else ruby_decimal(a[f]))
        for f in ("memory", "exit_code", "exit_signal"):
            if f in a:
                r[f] = a[f]
        for f in ("stdout", "stderr", "compile_output", "message"):
            if r[f] == b"":
                r[f] = None   # Judge0 stores empty output as nil
        if not explicit_status and sid == 3 and p["expected_output"] is not None:
            r["status_id"] = 3 if judge0_equal(r["stdout"], p["expected_output"]) else 4
        return r

    def status_id(self, now):
        if self.stuck in (1, 2):
            return self.stuck
        if now < self.t_queue_end:
            return 1
        if now < self.t_final:
            return 2
        return self.r["status_id"]

    def serialize(self, fields, b64, now=None):
        now = time.time() if now is None else now
        sid = self.status_id(now)
        final = sid > 2
        out = {}
        for f in fields:
            if f == "token":
                v = self.token
            elif f == "status":
                v = {"id": sid, "description": STATUS_NAME[sid]}
            elif f == "language":
                lid = self.p["language_id"]
                v = {"id": lid, "name": LANGUAGE_NAME.get(lid)}
            elif f == "created_at":
                v = iso(self.created)
            elif f == "finished_at":
                v = iso(self.t_final) if final else None
            elif f in ("stdout", "stderr", "compile_output", "message", "time",
                       "wall_time", "memory", "exit_code", "exit_signal"):
                v = self.r[f] if final else None
            else:
                v = self.p.get(f)
            if f in TEXT_FIELDS and v is not None:
                if b64:
                    v = b64_ruby(v)
                else:
                    try:
                        v = v.decode("utf-8")
                    except UnicodeDecodeError:
                        raise ValueError("not utf-8")
            elif f in DECIMAL_FIELDS and v is not None and not isinstance(v, str):
                v = ruby_decimal(v)
            out[f] = v
        return out


class Fake:
    def __init__(self, args):
        self.args = args
        self.lock = threading.Lock()
        self.log_out = open(args.log_file, "a", buffering=1) if args.log_file else sys.stderr
        ctx = ssl.create_default_context()
        if args.insecure:
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
        self.opener = urllib.request.build_opener(
            urllib.request.ProxyHandler({}), urllib.request.HTTPSHandler(context=ctx))
        self.ctx = ctx
        # Callbacks: a scheduler (due times) and a few senders that keep
        # their connections alive, instead of a timer thread and a new
        # connection per callback (which made the fake the bottleneck of
        # the /submit benchmark).
        self.due = []                      # heap of (due, seq, s, gen)
        self.due_seq = 0
        self.due_cv = threading.Condition()
        self.ready = queue.Queue()
        self.local = threading.local()
        threading.Thread(target=self.scheduler, daemon=True).start()
        for _ in range(SENDERS):
            threading.Thread(target=self.sender, daemon=True).start()
        self.reset()

    def reset(self):
        with self.lock:
            self.generation = getattr(self, "generation", 0) + 1
            self.subs = {}
            # What queued() counts, kept as submissions are made (a scan
            # of every submission per batch grew with the run): the ends
            # of the queue phases still ahead, the ones stuck in the
            # queue, and the rare ones whose final status is 1.
            self.q_ends = []
            self.q_stuck = 0
            self.q_odd = []
            self.rules = []
            self.events = []
            self.counts = {}
            self.mode = {"down": False, "http_status": None, "http_body": None,
                         "methods": None, "hold_ms": 0,
                         "max_batch": self.args.max_batch, "max_queue": self.args.max_queue,
                         "auth_token": self.args.auth_token,
                         "callback_tries": 3, "callback_timeout_s": 5.0}

    def say(self, msg):
        print("%s fakejudge0: %s" % (time.strftime("%H:%M:%S"), msg), file=self.log_out,
              flush=True)

    def event(self, kind, **kw):
        with self.lock:
            e = {"seq": len(self.events) + 1, "ts": round(time.time(), 6), "kind": kind}
            e.update(kw)
            self.events.append(e)
            return e

    def count(self, key, n=1):
        with self.lock:
            self.counts[key] = self.counts.get(key, 0) + n

    # rules ------------------------------------------------------------------
    @staticmethod
    def check_rules(rules):
        if not isinstance(rules, list):
            return "rules must be a list"
        for i, r in enumerate(rules):
            if not isinstance(r, dict) or not isinstance(r.get("match", {}), dict) \
                    or not isinstance(r.get("action", {}), dict):
                return "rule %d: must be {match: {...}, action: {...}}" % i
            bad = set(r.get("match", {})) - MATCH_KEYS | set(r.get("action", {})) - ACTION_KEYS \
                | set(r) - {"match", "action", "times", "name"}
            if bad:
                return "rule %d: unknown keys %s" % (i, sorted(bad))
            cb = r.get("action", {}).get("callback", "send")
            if cb not in CALLBACK_MODES:
                return "rule %d: callback must be one of %s" % (i, sorted(CALLBACK_MODES))
        return None

    @staticmethod
    def matches(m, p):
        stdin = (p["stdin"] or b"").decode("utf-8", "replace")
        src = (p["source_code"] or b"").decode("utf-8", "replace")
        return all([
            "stdin" not in m or stdin == m["stdin"],
            "stdin_prefix" not in m or stdin.startswith(m["stdin_prefix"]),
            "source_contains" not in m or m["source_contains"] in src,
            "language_id" not in m or p.get("language_id") == m["language_id"],
            m.get("any", True) is not False])

    def find_rule(self, p, used):   # caller holds the lock; used: uses in this request
        for r in self.rules:
            # A rule without "times" applies to every item, in a batch too.
            left = r["times"] - used.get(id(r), 0) if "times" in r else 1
            if left > 0 and self.matches(r.get("match", {}), p):
                used[id(r)] = used.get(id(r), 0) + 1
                return r
        return None

    def consume(self, rule):  # caller holds the lock
        if rule is not None and "times" in rule:
            rule["times"] -= 1
            if rule["times"] <= 0:
                self.rules = [r for r in self.rules if r is not rule]

    def action_for(self, p, rule):
        a = parse_directives(p["source_code"] or b"")
        if rule is not None:
            a.update(rule.get("action", {}))
        return a

    # submissions --------------------------------------------------------------
    def queued(self, now):   # caller holds the lock
        """Submissions whose status is 1 (In Queue) at `now`."""
        h = self.q_ends
        while h and h[0] <= now:
            heapq.heappop(h)
        return len(h) + self.q_stuck + sum(1 for s in self.q_odd
                                           if s.status_id(now) == 1 and now >= s.t_queue_end)

    def create(self, params, action):
        now = time.time()
        s = Submission(params, action, now)
        with self.lock:
            self.subs[s.token] = s
            if s.stuck == 1:
                self.q_stuck += 1
            elif s.stuck != 2:
                if s.t_queue_end > now:
                    heapq.heappush(self.q_ends, s.t_queue_end)
                if s.r["status_id"] == 1:
                    self.q_odd.append(s)
            gen = self.generation
        self.count("submissions_created")
        if s.stuck in (1, 2) or s.callback == "drop" or not params["callback_url"]:
            return s
        if s.callback == "before_reply":
            s.t_final = s.t_queue_end = now
            self.deliver(s, gen)
        else:
            with self.due_cv:
                self.due_seq += 1
                heapq.heappush(self.due, (s.t_final + s.callback_delay, self.due_seq, s, gen))
                self.due_cv.notify()
        return s

    def scheduler(self):
        """Move callbacks that are due to the senders."""
        with self.due_cv:
            while True:
                now = time.time()
                while self.due and self.due[0][0] <= now:
                    _, _, s, gen = heapq.heappop(self.due)
                    self.ready.put((s, gen))
                self.due_cv.wait(None if not self.due else self.due[0][0] - now)

    def sender(self):
        while True:
            s, gen = self.ready.get()
            try:
                self.deliver(s, gen)
            except Exception as e:  # never lose the sender thread
                self.say("callback of %s failed: %r" % (s.token, e))

    def deliver(self, s, gen):
        body = json.dumps(s.serialize(DEFAULT_FIELDS, True), separators=(",", ":")).encode()
        for n in range(2 if s.callback == "twice" else 1):
            if gen != self.generation:
                return
            self.put(s, body, n + 1)

    def conn(self, u, fresh=False):
        """This thread's kept-alive connection to u's host."""
        conns = getattr(self.local, "conns", None)
        if conns is None:
            conns = self.local.conns = {}
        key = (u.scheme, u.hostname, u.port)
        c = conns.get(key)
        if c is not None and fresh:
            c.close()
            c = None
        if c is None:
            timeout = self.mode["callback_timeout_s"]
            if u.scheme == "https":
                c = http.client.HTTPSConnection(u.hostname, u.port, timeout=timeout,
                                                context=self.ctx)
            else:
                c = http.client.HTTPConnection(u.hostname, u.port, timeout=timeout)
            conns[key] = c
        return c

    def put_once(self, url, body):
        """One PUT: (status, None) or (None, error)."""
        u = urllib.parse.urlsplit(url)
        path = (u.path or "/") + ("?" + u.query if u.query else "")
        for fresh in (False, True):
            c = self.conn(u, fresh)
            try:
                c.request("PUT", path, body=body, headers={"Content-Type": "application/json"})
                resp = c.getresponse()
                resp.read()
                if resp.will_close:
                    c.close()
                return resp.status, None
            except (OSError, http.client.HTTPException) as e:
                c.close()
                # A kept-alive connection the server had closed: once more
                # on a new one; an error on a new one is the answer.
                if fresh or isinstance(e, (socket.timeout, TimeoutError)):
                    return None, str(getattr(e, "reason", e)) or e.__class__.__name__
        return None, "unreachable"

    def put(self, s, body, copy):
        url = s.p["callback_url"]
        tries = self.mode["callback_tries"]
        for attempt in range(1, tries + 1):
            code, err = self.put_once(url, body)
            self.event("callback", token=s.token, url=url, copy=copy, attempt=attempt,
                       status=code, error=err, body=json.loads(body))
            self.count("callback_attempts")
            if code is not None:
                self.count("callbacks_delivered")
                return
        self.count("callbacks_failed")


# ----------------------------------------------------------------- handler --
class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def version_string(self):
        return "fakejudge0/" + VERSION

    def log_message(self, fmt, *a):
        pass

    @property
    def fake(self):
        return self.server.fake

    def do_any(self):
        self.dispatch(self.command)
    do_GET = do_POST = do_PUT = do_DELETE = do_any

    def read_body(self):
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            data = b""
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return data
                data += self.rfile.read(size)
                self.rfile.readline()
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n > 0 else b""

    def reply(self, code, obj=None, raw=None):
        data = raw if raw is not None else (b"" if obj is None else json.dumps(
            obj, ensure_ascii=False, separators=(",", ":")).encode())
        # Logged before the reply is written: a client that reads the
        # log once it has its reply must find the status there.
        if self.entry is not None:
            self.entry["reply_status"] = code
        self.send_response(code)
        if data or obj is not None:
            self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def dispatch(self, method):
        self.entry = None
        u = urlsplit(self.path)
        path = u.path.rstrip("/") or "/"
        self.q = {k: v[-1] for k, v in parse_qs(u.query, keep_blank_values=True).items()}
        raw = self.read_body()
        try:
            self.body = json.loads(raw) if raw.strip() else None
            self.bad_json = False
        except ValueError:
            self.body, self.bad_json = raw.decode("utf-8", "replace"), True
        try:
            if path.startswith("/_control"):
                return self.control(method, path)
            self.judge0(method, path)
        except Exception as e:   # never let the fake die on a bad request
            self.fake.say("error on %s %s: %r" % (method, self.path, e))
            try:
                self.reply(500, {"error": "fake internal error: %r" % e})
            except OSError:
                pass

    # the Judge0 API --------------------------------------------------------------
    def judge0(self, method, path):
        fake, mode = self.fake, self.fake.mode
        self.entry = fake.event("request", method=method, path=path, query=self.q,
                                headers=dict(self.headers.items()), body=self.body,
                                reply_status=None)
        route = "%s %s" % (method, re.sub(r"^/submissions/(?!batch$)[^/]+$",
                                         "/submissions/{token}", path))
        fake.count("requests")
        fake.count(route)
        affected = not mode["methods"] or method in mode["methods"]
        if mode["hold_ms"] and affected:
            time.sleep(mode["hold_ms"] / 1000.0)
        if mode["down"] and affected:
            self.close_connection = True
            self.entry["reply_status"] = "closed"
            return
        if mode["http_status"] and affected:
            return self.fault(mode["http_status"], mode["http_body"])
        tok = mode["auth_token"]
        if tok and self.headers.get("X-Auth-Token") != tok:
            return self.reply(401)
        if self.bad_json and method == "POST":
            return self.reply(400, {"error": "invalid JSON body"})
        self.b64 = self.q.get("base64_encoded") == "true"
        if method == "POST" and path == "/submissions":
            return self.post_one()
        if method == "POST" and path == "/submissions/batch":
            return self.post_batch()
        if method == "GET" and path == "/submissions/batch":
            return self.get_batch()
        if method == "GET" and path.startswith("/submissions/"):
            return self.get_one(path.split("/", 2)[2])
        if method == "GET" and path == "/languages":
            return self.reply(200, [{"id": i, "name": n} for i, n in LANGUAGES])
        if method == "GET" and path.startswith("/languages/"):
            lid = path.split("/")[2]
            if lid.isdigit() and int(lid) in LANGUAGE_NAME:
                return self.reply(200, {"id": int(lid), "name": LANGUAGE_NAME[int(lid)],
                                        "is_archived": False})
            return self.reply(404, {"error": "record not found"})
        if method == "GET" and path == "/statuses":
            return self.reply(200, [{"id": i, "description": d} for i, d in STATUSES])
        if method == "GET" and path == "/config_info":
            return self.reply(200, self.config_info())
        if method == "GET" and path == "/workers":
            with fake.lock:
                now = time.time()
                q = fake.queued(now)
                busy = sum(1 for s in fake.subs.values() if s.status_id(now) == 2)
            return self.reply(200, [{"queue": VERSION, "size": q, "available": 1,
                                     "idle": 0 if busy else 1, "working": min(busy, 1),
                                     "paused": 0, "failed": 0}])
        if method == "GET" and path == "/about":
            return self.reply(200, {"version": VERSION, "homepage": "https://judge0.com",
                                    "source_code": "https://github.com/judge0/judge0",
                                    "maintainer": "fakejudge0"})
        return self.reply(404, {"error": "not found"})

    def fault(self, code, body=None):
        if body is None:
            body = {"error": "queue is full"} if code == 503 else \
                {"error": "internal server error"}
        return self.reply(code, body)

    def config_info(self):
        m = self.fake.mode
        cfg = {"maintenance_mode": False, "enable_wait_result": True,
               "enable_compiler_options": True, "allowed_languages_for_compile_options": [],
               "enable_command_line_arguments": True, "enable_submission_delete": False,
               "enable_callbacks": True, "callbacks_max_tries": m["callback_tries"],
               "callbacks_timeout": m["callback_timeout_s"],
               "enable_additional_files": True, "max_queue_size": m["max_queue"]}
        for name, (default, lo, strict, hi, is_int) in LIMITS.items():
            cfg[name] = default
            cfg["max_" + name] = hi
        cfg.update({"enable_per_process_and_thread_time_limit": False,
                    "allow_enable_per_process_and_thread_time_limit": True,
                    "enable_per_process_and_thread_memory_limit": False,
                    "allow_enable_per_process_and_thread_memory_limit": True,
                    "redirect_stderr_to_stdout": False, "max_extract_size": 10240,
                    "enable_batched_submissions": True,
                    "max_submission_batch_size": m["max_batch"],
                    "submission_cache_duration": 1.0, "use_docs_as_homepage": False,
                    "allow_enable_network": True, "enable_network": False})
        return cfg

    def fields(self):
        raw = self.q.get("fields", "").strip()
        if not raw:
            return DEFAULT_FIELDS, None
        if raw == "*":
            return ALL_FIELDS, None
        want = [f.strip() for f in raw.split(",") if f.strip()]
        bad = [f for f in want if f not in ALL_FIELDS]
        return want, ("invalid fields: [%s]" % ", ".join(bad) if bad else None)

    def queue_full(self, n):
        with self.fake.lock:
            return self.fake.queued(time.time()) + n > self.fake.mode["max_queue"]

    def resolve(self, items):
        """Validate items and pick rules; returns (per-item list, fault action)."""
        fake = self.fake
        out, fault, used = [], None, {}
        with fake.lock:
            for item in items:
                p, errors = validate(item, self.b64)
                rule = None if errors else fake.find_rule(p, used)
                out.append((p, errors, rule))
                if rule and rule.get("action", {}).get("http_status") and fault is None:
                    fault = rule["action"]
            for p, errors, rule in out:
                if fault is None or (rule and rule.get("action", {}).get("http_status")):
                    fake.consume(rule)
        return out, fault

    def post_one(self):
        fake = self.fake
        wait = self.q.get("wait") == "true"
        if self.queue_full(1):
            return self.reply(503, {"error": "queue is full"})
        fields, ferr = self.fields()
        if ferr:
            return self.reply(400, {"error": ferr})
        [(p, errors, rule)], fault = self.resolve([self.body])
        if fault:
            return self.fault(fault["http_status"], fault.get("http_body"))
        if errors:
            return self.reply(422, errors)
        action = fake.action_for(p, rule)
        s = fake.create(p, action)
        if wait and s.stuck not in (1, 2):
            time.sleep(max(0.0, s.t_final - time.time()))
        if action.get("hold_ms"):
            time.sleep(action["hold_ms"] / 1000.0)
        if action.get("drop_reply"):
            self.close_connection = True
            self.entry["reply_status"] = "closed"
            return
        if not wait:
            return self.reply(201, {"token": s.token})
        try:
            return self.reply(201, s.serialize(fields, self.b64))
        except ValueError:
            return self.reply(201, {"error": NOT_UTF8, "token": s.token})

    def post_batch(self):
        fake = self.fake
        items = self.body.get("submissions") if isinstance(self.body, dict) else None
        n = len(items) if isinstance(items, list) else 0
        if self.queue_full(max(n, 1)):
            return self.reply(503, {"error": "queue is full"})
        if n > fake.mode["max_batch"]:
            return self.reply(400, {"error": "number of submissions in a batch should be "
                                    "less than or equal to %d" % fake.mode["max_batch"]})
        if n == 0:
            return self.reply(400, {"error": "there should be at least one submission "
                                    "in a batch"})
        resolved, fault = self.resolve(items)
        if fault:
            return self.fault(fault["http_status"], fault.get("http_body"))
        out, hold, drop = [], 0, False
        for p, errors, rule in resolved:
            if errors:
                out.append(errors)
                continue
            action = fake.action_for(p, rule)
            hold = max(hold, int(action.get("hold_ms", 0)))
            drop = drop or bool(action.get("drop_reply"))
            out.append({"token": fake.create(p, action).token})
        if hold:
            time.sleep(hold / 1000.0)
        if drop:
            self.close_connection = True
            self.entry["reply_status"] = "closed"
            return
        ok = any("token" in o for o in out)
        return self.reply(201 if ok else 422, out)

    def get_one(self, token):
        fields, ferr = self.fields()
        if ferr:
            return self.reply(400, {"error": ferr})
        s = self.fake.subs.get(token)
        if s is None:
            return self.reply(404, {"error": "record not found"})
        try:
            return self.reply(200, s.serialize(fields, self.b64))
        except ValueError:
            return self.reply(400, {"error": NOT_UTF8})

    def get_batch(self):
        fields, ferr = self.fields()
        if ferr:
            return self.reply(400, {"error": ferr})
        raw = (self.headers.get("tokens") or self.q.get("tokens") or "").strip()
        tokens = [t for t in raw.split(",")] if raw else []
        mx = self.fake.mode["max_batch"]
        if len(tokens) > mx:
            return self.reply(400, {"error": "number of submissions in a batch should be "
                                    "less than or equal to %d" % mx})
        if not tokens:
            return self.reply(400, {"error": "there should be at least one submission "
                                    "in a batch"})
        now, out = time.time(), []
        try:
            for t in tokens:
                s = self.fake.subs.get(t)
                out.append(None if s is None else s.serialize(fields, self.b64, now))
        except ValueError:
            return self.reply(400, {"error": NOT_UTF8_BATCH})
        return self.reply(200, {"submissions": out})

    # the control API -------------------------------------------------------------
    def control(self, method, path):
        fake = self.fake
        what = path[len("/_control"):].strip("/")
        body = self.body if isinstance(self.body, (dict, list)) else {}
        if self.bad_json:
            return self.reply(400, {"error": "invalid JSON body"})
        if method == "POST" and what == "reset":
            fake.reset()
            return self.reply(200, {"ok": True})
        if what == "rules" and method == "POST":
            rules = body.get("rules") if isinstance(body, dict) else body
            err = fake.check_rules(rules)
            if err:
                return self.reply(400, {"error": err})
            with fake.lock:
                rules = json.loads(json.dumps(rules))
                fake.rules = (fake.rules if isinstance(body, dict) and body.get("append")
                              else []) + rules
                return self.reply(200, {"rules": fake.rules})
        if what == "rules" and method == "GET":
            with fake.lock:
                return self.reply(200, {"rules": fake.rules})
        if what == "mode" and method == "POST":
            bad = set(body) - set(fake.mode) if isinstance(body, dict) else {"<not object>"}
            if bad:
                return self.reply(400, {"error": "unknown mode keys %s" % sorted(bad)})
            with fake.lock:
                fake.mode.update(body)
                return self.reply(200, dict(fake.mode))
        if what == "mode" and method == "GET":
            return self.reply(200, dict(fake.mode))
        if what == "log" and method == "GET":
            since = int(self.q.get("since") or 0)
            kind = self.q.get("kind")
            with fake.lock:
                ev = [e for e in fake.events[since:] if not kind or e["kind"] == kind]
                return self.reply(200, {"events": ev, "next": len(fake.events)})
        if what == "stats" and method == "GET":
            now = time.time()
            with fake.lock:
                st = dict(fake.counts)
                by = {}
                for s in fake.subs.values():
                    k = str(s.status_id(now))
                    by[k] = by.get(k, 0) + 1
                st.update(submissions=len(fake.subs), by_status=by, rules=len(fake.rules))
            return self.reply(200, st)
        if what == "submissions" and method == "GET":
            with fake.lock:
                subs = sorted(fake.subs.values(), key=lambda s: s.created)
            out = []
            for s in subs:
                d = {"token": s.token, "status_id": s.status_id(time.time()),
                     "created_at": iso(s.created)}
                for k, v in s.p.items():
                    d[k] = v.decode("utf-8", "replace") if isinstance(v, bytes) else v
                out.append(d)
            return self.reply(200, {"submissions": out})
        return self.reply(404, {"error": "unknown control route %s %s" % (method, path)})


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128


def main(argv=None):
    ap = argparse.ArgumentParser(description="scripted fake Judge0 CE 1.13")
    ap.add_argument("--port", type=int, required=True, help="0 = pick a free port")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--auth-token", default=None)
    ap.add_argument("--max-batch", type=int, default=20)
    ap.add_argument("--max-queue", type=int, default=100)
    ap.add_argument("--pidfile")
    ap.add_argument("--log-file")
    ap.add_argument("--insecure", dest="insecure", action="store_true", default=True,
                    help="do not verify TLS certificates of callback URLs (default)")
    ap.add_argument("--no-insecure", dest="insecure", action="store_false")
    args = ap.parse_args(argv)
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        ap.error("--host must be a loopback address")
    fake = Fake(args)
    srv = Server((args.host, args.port), Handler)
    srv.fake = fake
    if args.pidfile:
        with open(args.pidfile, "w") as f:
            f.write("%d\n" % os.getpid())

    def stop(signum, frame):
        fake.say("signal %d, stopping" % signum)
        threading.Thread(target=srv.shutdown, daemon=True).start()
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    fake.say("ready on http://%s:%d (pid %d)" % (args.host, srv.server_address[1],
                                                 os.getpid()))
    try:
        srv.serve_forever(poll_interval=0.2)
    finally:
        srv.server_close()
        if args.pidfile:
            try:
                os.unlink(args.pidfile)
            except OSError:
                pass
        fake.say("stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
