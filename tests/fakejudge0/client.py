"""Tiny helper for Python tests that drive tests/fakejudge0/fakejudge0.py.

    from client import FakeJudge0, CallbackReceiver
    fj = FakeJudge0.start()                 # spawns the fake on a free port
    fj.reset(); fj.set_rules([{"match": {"any": True}, "action": {"status_id": 4}}])
    ... point Pitwall's JUDGE0_URL at fj.url ...
    fj.wait_for_callbacks(3); fj.log(kind="request"); fj.stop()

Or attach to one that is already running: FakeJudge0("http://127.0.0.1:2358").
Standard library only.
"""
import base64
import json
import os
import re
import socket
import ssl
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HERE = os.path.dirname(os.path.abspath(__file__))
_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def http(method, url, body=None, headers=None, timeout=30):
    """Returns (status, parsed JSON or raw bytes or None, headers); never raises on 4xx/5xx."""
    data = None if body is None else (body if isinstance(body, bytes)
                                      else json.dumps(body).encode())
    h = {"Content-Type": "application/json"} if data is not None else {}
    h.update(headers or {})
    req = urllib.request.Request(url, data=data, method=method, headers=h)
    try:
        with _opener.open(req, timeout=timeout) as r:
            code, raw, hdrs = r.status, r.read(), r.headers
    except urllib.error.HTTPError as e:
        code, raw, hdrs = e.code, e.read(), e.headers
    if not raw:
        return code, None, hdrs
    try:
        return code, json.loads(raw), hdrs
    except ValueError:
        return code, raw, hdrs


def b64(text):
    return base64.b64encode(text.encode() if isinstance(text, str) else text).decode()


def unb64(text):
    return None if text is None else base64.b64decode(re.sub(r"\s", "", text))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class FakeJudge0:
    def __init__(self, url, proc=None, log_file=None):
        self.url = url.rstrip("/")
        self.proc = proc
        self.log_file = log_file

    @classmethod
    def start(cls, port=None, log_file=None, extra_args=(), timeout=10):
        port = port or free_port()
        log_file = log_file or os.path.join(
            os.environ.get("TMPDIR", "/tmp"), "fakejudge0-%d.log" % port)
        open(log_file, "w").close()
        proc = subprocess.Popen(
            [sys.executable, os.path.join(HERE, "fakejudge0.py"), "--port", str(port),
             "--log-file", log_file] + list(extra_args))
        deadline = time.time() + timeout
        while time.time() < deadline:
            with open(log_file) as f:
                if " ready on " in f.read():
                    return cls("http://127.0.0.1:%d" % port, proc, log_file)
            if proc.poll() is not None:
                break
            time.sleep(0.05)
        proc.kill()
        raise RuntimeError("fakejudge0 did not start; see %s" % log_file)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode if self.proc else None

    def control(self, method, what, body=None):
        code, data, _ = http(method, "%s/_control/%s" % (self.url, what), body)
        if code != 200:
            raise RuntimeError("control %s %s -> %s %r" % (method, what, code, data))
        return data

    def reset(self):
        return self.control("POST", "reset", {})

    def set_rules(self, rules, append=False):
        return self.control("POST", "rules", {"rules": rules, "append": append})["rules"]

    def rules(self):
        return self.control("GET", "rules")["rules"]

    def mode(self, **kw):
        return self.control("POST", "mode", kw)

    def log(self, kind=None, since=0):
        q = "log?since=%d" % since + ("&kind=%s" % kind if kind else "")
        return self.control("GET", q)["events"]

    def requests(self, method=None, path=None):
        return [e for e in self.log("request")
                if (method is None or e["method"] == method)
                and (path is None or e["path"] == path)]

    def stats(self):
        return self.control("GET", "stats")

    def submissions(self):
        return self.control("GET", "submissions")["submissions"]

    def callbacks(self, delivered_only=True):
        return [e for e in self.log("callback") if not delivered_only or e["status"]]

    def wait_for_callbacks(self, n, timeout=10, delivered_only=True):
        """Waits until at least n callback PUTs were sent (delivered ones by default)."""
        deadline = time.time() + timeout
        while True:
            cbs = self.callbacks(delivered_only)
            if len(cbs) >= n or time.time() >= deadline:
                return cbs
            time.sleep(0.05)


class CallbackReceiver:
    """A tiny local HTTP server that records every request (for callback tests).

    reply_status: what to answer (default 204). Set .delay_s to answer slowly."""

    def __init__(self, reply_status=204, certfile=None, keyfile=None):
        self.received = []
        self.reply_status = reply_status
        self.delay_s = 0
        self.cond = threading.Condition()
        outer = self

        class H(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a):
                pass

            def _any(self):
                n = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(n) if n else b""
                if outer.delay_s:
                    time.sleep(outer.delay_s)
                with outer.cond:
                    outer.received.append({"method": self.command, "path": self.path,
                                           "headers": dict(self.headers.items()),
                                           "raw": raw, "t": time.time()})
                    outer.cond.notify_all()
                self.send_response(outer.reply_status)
                self.send_header("Content-Length", "0")
                self.end_headers()
            do_PUT = do_POST = do_GET = _any

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), H)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.url = "http://127.0.0.1:%d" % self.port
        if certfile:   # HTTPS with e.g. a self-signed certificate
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(certfile, keyfile)
            self.server.socket = ctx.wrap_socket(self.server.socket, server_side=True)
            self.url = "https://127.0.0.1:%d" % self.port
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def wait(self, n, timeout=10):
        with self.cond:
            self.cond.wait_for(lambda: len(self.received) >= n, timeout)
            return list(self.received)

    def close(self):
        self.server.shutdown()
        self.server.server_close()
