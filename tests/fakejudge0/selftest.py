#!/usr/bin/python3
"""Self-test of the fake Judge0: starts it on a free port and checks the wire
contract and the fault behaviours.  Prints "ok - name" / "not ok - name" per
check and "N passed, N failed"; exits 0 when everything passed."""
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from client import CallbackReceiver, FakeJudge0, b64, free_port, http, unb64  # noqa: E402

RESULTS = {"passed": 0, "failed": 0}
B64Q = "?base64_encoded=true"


def check(name):
    def deco(fn):
        try:
            fn()
            RESULTS["passed"] += 1
            print("ok - %s" % name)
        except Exception:
            RESULTS["failed"] += 1
            print("not ok - %s" % name)
            for line in traceback.format_exc().rstrip().splitlines():
                print("#   " + line)
        return fn
    return deco


def eq(a, b, what=""):
    if a != b:
        raise AssertionError("%s: expected %r, got %r" % (what, b, a))


def sub(source="print(input())", stdin="hi", lang=71, **kw):
    d = {"source_code": b64(source), "language_id": lang, "stdin": b64(stdin)}
    d.update(kw)
    return d


def run(fj):
    url = fj.url
    cb = CallbackReceiver()

    def post(body, q=B64Q, **kw):
        return http("POST", url + "/submissions" + q, body, **kw)

    def get(token, q=B64Q):
        return http("GET", "%s/submissions/%s%s" % (url, token, q))

    @check("GET /languages, /statuses, /config_info, /workers")
    def _():
        code, langs, _ = http("GET", url + "/languages")
        eq(code, 200)
        names = {l["id"]: l["name"] for l in langs}
        for i, n in [(50, "C (GCC 9.2.0)"), (54, "C++ (GCC 9.2.0)"), (71, "Python (3.8.1)"),
                     (62, "Java (OpenJDK 13.0.1)"), (63, "JavaScript (Node.js 12.14.0)"),
                     (43, "Plain Text")]:
            eq(names.get(i), n, "language %d" % i)
        code, st, _ = http("GET", url + "/statuses")
        eq(len(st), 14)
        eq(st[10], {"id": 11, "description": "Runtime Error (NZEC)"})
        code, cfg, _ = http("GET", url + "/config_info")
        eq((cfg["max_cpu_time_limit"], cfg["max_submission_batch_size"]), (15.0, 20))
        code, w, _ = http("GET", url + "/workers")
        eq((code, w[0]["queue"]), (200, "1.13.1"))

    @check("echo default: 201 token, GET default fields, time string, memory int")
    def _():
        code, r, _ = post(sub(stdin="hello\n"))
        eq(code, 201)
        eq(list(r), ["token"])
        code, g, _ = get(r["token"])
        eq(code, 200)
        eq(list(g), ["token", "time", "memory", "stdout", "stderr", "compile_output",
                     "message", "status"])
        eq(g["status"], {"id": 3, "description": "Accepted"})
        eq((g["time"], g["memory"], g["stdout"], g["stderr"]), ("0.010", 1000, "aGVsbG8K\n", None))

    @check("base64 output wrapped every 60 chars and at the end; input whitespace tolerated")
    def _():
        data = "".join(chr(65 + i % 26) for i in range(100))   # 136 base64 chars
        wrapped = b64(data)[:60] + "\n  " + b64(data)[60:120] + "\r\n" + b64(data)[120:]
        code, r, _ = post(sub(stdin="x") | {"stdin": wrapped})
        code, g, _ = get(r["token"])
        full = b64(data)
        eq(g["stdout"], full[:60] + "\n" + full[60:120] + "\n" + full[120:] + "\n")
        eq(unb64(g["stdout"]).decode(), data)
        code, g, _ = get(r["token"], "?base64_encoded=false")
        eq(g["stdout"], data)

    @check("fields=* and fields list; invalid fields -> 400")
    def _():
        code, r, _ = post(sub(cpu_time_limit=2.5, memory_limit=262144))
        code, g, _ = get(r["token"], B64Q + "&fields=*")
        eq((g["cpu_time_limit"], g["memory_limit"], g["wall_time_limit"]), ("2.5", 262144, "10.0"))
        eq(g["language"], {"id": 71, "name": "Python (3.8.1)"})
        eq(g["source_code"], b64("print(input())") + "\n")
        code, g, _ = get(r["token"], B64Q + "&fields=status,time,wall_time")
        eq(g, {"status": {"id": 3, "description": "Accepted"}, "time": "0.010",
               "wall_time": "0.020"})
        code, g, _ = get(r["token"], B64Q + "&fields=status,bogus")
        eq((code, g), (400, {"error": "invalid fields: [bogus]"}))
        eq(get("no-such-token")[0], 404)

    @check("422 shapes for invalid fields")
    def _():
        for extra, want in [
                ({"language_id": 999}, {"language_id": ["language with id 999 doesn't exist"]}),
                ({"cpu_time_limit": 16}, {"cpu_time_limit": ["must be less than or equal to 15.0"]}),
                ({"memory_limit": 1000}, {"memory_limit": ["must be greater than or equal to 2048"]}),
                ({"wall_time_limit": 0.5}, {"wall_time_limit": ["must be greater than or equal to 1"]}),
                ({"number_of_runs": 0}, {"number_of_runs": ["must be greater than 0"]}),
                ({"stack_limit": "abc"}, {"stack_limit": ["is not a number"]}),
                ({"source_code": ""}, {"source_code": ["can't be blank"]}),
                ({"compiler_options": "x" * 513},
                 {"compiler_options": ["is too long (maximum is 512 characters)"]})]:
            code, r, _ = post(sub() | extra)
            eq((code, r), (422, want), repr(extra))
        code, r, _ = post({"source_code": b64("x")})
        eq((code, r), (422, {"language_id": ["can't be blank"]}))

    @check("batch: mixed items -> 201 in input order; all invalid -> 422")
    def _():
        body = {"submissions": [sub(stdin="a"), sub(lang=999), sub(stdin="c")]}
        code, r, _ = http("POST", url + "/submissions/batch" + B64Q, body)
        eq(code, 201)
        eq(len(r), 3)
        eq(r[1], {"language_id": ["language with id 999 doesn't exist"]})
        assert "token" in r[0] and "token" in r[2], r
        code, r, _ = http("POST", url + "/submissions/batch" + B64Q,
                          {"submissions": [sub(lang=999), sub(cpu_time_limit=99)]})
        eq(code, 422)
        eq(r[1], {"cpu_time_limit": ["must be less than or equal to 15.0"]})

    @check("batch of 21 -> 400, empty batch -> 400, 20 -> 201")
    def _():
        code, r, _ = http("POST", url + "/submissions/batch" + B64Q,
                          {"submissions": [sub(stdin=str(i)) for i in range(21)]})
        eq((code, r), (400, {"error": "number of submissions in a batch should be less "
                                      "than or equal to 20"}))
        code, r, _ = http("POST", url + "/submissions/batch" + B64Q, {"submissions": []})
        eq((code, r), (400, {"error": "there should be at least one submission in a batch"}))
        code, r, _ = http("POST", url + "/submissions/batch" + B64Q,
                          {"submissions": [sub(stdin=str(i)) for i in range(20)]})
        eq((code, len(r)), (201, 20))

    @check("GET batch: unknown token -> null, order kept, >20 tokens -> 400")
    def _():
        code, r, _ = http("POST", url + "/submissions/batch" + B64Q,
                          {"submissions": [sub(stdin="one"), sub(stdin="two")]})
        toks = [r[0]["token"], "deadbeef-0000", r[1]["token"]]
        code, g, _ = http("GET", url + "/submissions/batch?base64_encoded=true&tokens="
                          + ",".join(toks) + "&fields=token,stdout")
        eq(code, 200)
        eq(g["submissions"][1], None)
        eq([unb64(s["stdout"]) for s in (g["submissions"][0], g["submissions"][2])],
           [b"one", b"two"])
        code, g, _ = http("GET", url + "/submissions/batch?tokens=" + ",".join(["x"] * 21))
        eq(code, 400)

    @check("callback: one PUT, JSON, exact fields, always base64 (wrapped)")
    def _():
        fj.reset()
        long_out = "z" * 50
        code, r, _ = post({"source_code": "x", "language_id": 71, "stdin": long_out,
                           "callback_url": cb.url + "/callback?s=1&t=2&sig=ab"},
                          q="?base64_encoded=false")
        eq(code, 201)
        got = cb.wait(1)
        time.sleep(0.3)
        eq(len(cb.received), 1, "number of PUTs")
        c = got[0]
        eq((c["method"], c["path"]), ("PUT", "/callback?s=1&t=2&sig=ab"))
        eq(c["headers"].get("Content-Type"), "application/json")
        body = json.loads(c["raw"])
        eq(list(body), ["token", "time", "memory", "stdout", "stderr", "compile_output",
                        "message", "status"])
        eq(body["token"], r["token"])
        enc = b64(long_out)
        eq(body["stdout"], enc[:60] + "\n" + enc[60:] + "\n")
        eq(body["status"], {"id": 3, "description": "Accepted"})
        eq(fj.callbacks()[0]["status"], 204)

    @check("callback drop: none sent, result still final")
    def _():
        fj.reset()
        cb.received.clear()
        fj.set_rules([{"match": {"stdin": "drop-me"}, "action": {"callback": "drop"}}])
        code, r, _ = post(sub(stdin="drop-me", callback_url=cb.url + "/cb"))
        time.sleep(0.5)
        eq(len(cb.received), 0)
        eq(get(r["token"])[1]["status"]["id"], 3)

    @check("callback twice: two identical PUTs")
    def _():
        fj.reset()
        cb.received.clear()
        fj.set_rules([{"match": {"stdin_prefix": "dup"}, "action": {"callback": "twice",
                                                                     "status_id": 4}}])
        post(sub(stdin="dup-1", callback_url=cb.url + "/cb"))
        got = cb.wait(2)
        eq(len(got), 2)
        eq(got[0]["raw"], got[1]["raw"])
        eq(json.loads(got[0]["raw"])["status"]["id"], 4)

    @check("delay: status 1 -> 2 -> final, callback after the delay")
    def _():
        fj.reset()
        cb.received.clear()
        fj.set_rules([{"match": {"any": True},
                       "action": {"delay_ms": 800, "queue_ms": 300, "status_id": 5,
                                  "time": "1.001", "memory": 4242}}])
        t0 = time.time()
        code, r, _ = post(sub(callback_url=cb.url + "/cb"))
        g1 = get(r["token"])[1]
        eq((g1["status"]["id"], g1["time"], g1["stdout"]), (1, None, None))
        time.sleep(max(0, t0 + 0.5 - time.time()))
        eq(get(r["token"])[1]["status"]["id"], 2)
        got = cb.wait(1)
        assert got and got[0]["t"] - t0 >= 0.75, "callback too early"
        g3 = get(r["token"])[1]
        eq((g3["status"]["id"], g3["time"], g3["memory"]), (5, "1.001", 4242))
        eq(unb64(g3["message"]), b"Time limit exceeded")

    @check("rule http_status 503 with times=1, then normal again")
    def _():
        fj.reset()
        fj.set_rules([{"match": {"any": True}, "action": {"http_status": 503}, "times": 1}])
        code, r, _ = http("POST", url + "/submissions/batch" + B64Q,
                          {"submissions": [sub(), sub()]})
        eq((code, r), (503, {"error": "queue is full"}))
        eq(fj.rules(), [])
        code, r, _ = http("POST", url + "/submissions/batch" + B64Q,
                          {"submissions": [sub(), sub()]})
        eq(code, 201)
        eq(fj.stats()["submissions_created"], 2)

    @check("rule times=1 applies to one item of a batch only")
    def _():
        fj.reset()
        fj.set_rules([{"match": {"any": True}, "action": {"status_id": 4}, "times": 1}])
        code, r, _ = http("POST", url + "/submissions/batch" + B64Q,
                          {"submissions": [sub(), sub(), sub()]})
        code, g, _ = http("GET", url + "/submissions/batch?fields=status&tokens="
                          + ",".join(x["token"] for x in r))
        eq([x["status"]["id"] for x in g["submissions"]], [4, 3, 3])
        eq(fj.rules(), [])

    @check("wait=true: 201 with the full result after the delay")
    def _():
        fj.reset()
        fj.set_rules([{"match": {"any": True}, "action": {"delay_ms": 300}}])
        t0 = time.time()
        code, r, _ = post(sub(stdin="waited"), q=B64Q + "&wait=true")
        eq(code, 201)
        assert time.time() - t0 >= 0.3, "returned too early"
        eq((r["status"]["id"], unb64(r["stdout"])), (3, b"waited"))
        code, r, _ = post(sub(stdin="w2"), q=B64Q + "&wait=true&fields=stdout,exit_code")
        eq(r, {"stdout": b64("w2") + "\n", "exit_code": 0})

    @check("callback before_reply: PUT arrives before the POST reply")
    def _():
        fj.reset()
        cb.received.clear()
        fj.set_rules([{"match": {"any": True}, "action": {"callback": "before_reply"}}])
        code, r, _ = post(sub(callback_url=cb.url + "/cb"))
        eq(len(cb.received), 1)
        eq(json.loads(cb.received[0]["raw"])["token"], r["token"])

    @check("callback retries: 3 attempts on connection refused; HTTP 500 counts as delivered")
    def _():
        fj.reset()
        fj.mode(callback_timeout_s=1.0)
        dead = "http://127.0.0.1:%d/cb" % free_port()
        post(sub(callback_url=dead))
        deadline = time.time() + 10
        while len(fj.log("callback")) < 3 and time.time() < deadline:
            time.sleep(0.05)
        time.sleep(0.2)
        att = fj.log("callback")
        eq([(a["attempt"], a["status"]) for a in att], [(1, None), (2, None), (3, None)])
        assert all(a["error"] for a in att)
        fj.reset()
        bad = CallbackReceiver(reply_status=500)
        post(sub(callback_url=bad.url + "/cb"))
        bad.wait(1)
        time.sleep(0.3)
        eq([(a["attempt"], a["status"]) for a in fj.log("callback")], [(1, 500)])
        eq(len(bad.received), 1)
        bad.close()

    @check("#fake: directives and Plain Text; expected_output comparison")
    def _():
        fj.reset()
        src = "int main(){}\n// #fake: status=11 stderr=%s time=0.5 memory=777\n" % b64("boom")
        code, r, _ = post(sub(source=src, lang=50), q=B64Q + "&wait=true&fields=*")
        eq((r["status"]["id"], unb64(r["stderr"]), r["time"], r["memory"], r["exit_code"]),
           (11, b"boom", "0.5", 777, 1))
        code, r, _ = post(sub(source="plain\n", lang=43, stdin=""), q=B64Q + "&wait=true")
        eq(unb64(r["stdout"]), b"plain\n")
        code, r, _ = post(sub(stdin="a \r\nb\n\n", expected_output=b64("a\nb")),
                          q=B64Q + "&wait=true")
        eq(r["status"]["id"], 3)
        code, r, _ = post(sub(stdin="a\nc", expected_output=b64("a\nb")), q=B64Q + "&wait=true")
        eq(r["status"]["id"], 4)

    @check("non-UTF-8 output without base64 -> 400; rule times=2 then removed")
    def _():
        fj.reset()
        fj.set_rules([{"match": {"source_contains": "bin"},
                       "action": {"stdout_b64": b64(b"\xff\xfe")}, "times": 2}])
        code, r, _ = post(sub(source="bin"))
        code, g, _ = get(r["token"], "?base64_encoded=false")
        eq(code, 400)
        assert "cannot be converted to UTF-8" in g["error"]
        eq(unb64(get(r["token"])[1]["stdout"]), b"\xff\xfe")
        post(sub(source="bin"))
        eq(fj.rules(), [])
        code, r, _ = post(sub(source="bin", stdin="plain"))
        eq(unb64(get(r["token"])[1]["stdout"]), b"plain")

    @check("queue full -> 503; stuck submissions stay at status 2")
    def _():
        fj.reset()
        fj.mode(max_queue=1)
        fj.set_rules([{"match": {"stdin": "q"}, "action": {"stuck": 1}},
                      {"match": {"stdin": "p"}, "action": {"stuck": 2}}])
        eq(post(sub(stdin="q"))[0], 201)
        code, r, _ = post(sub(stdin="q"))
        eq((code, r), (503, {"error": "queue is full"}))
        fj.mode(max_queue=100)
        code, r, _ = post(sub(stdin="p"))
        time.sleep(0.1)
        eq(get(r["token"])[1]["status"], {"id": 2, "description": "Processing"})

    @check("mode: down closes without reply; http_status 500; GET-only")
    def _():
        fj.reset()
        fj.mode(down=True)
        try:
            http("GET", url + "/languages")
            raise AssertionError("expected a connection error")
        except (ConnectionError, OSError):   # RemoteDisconnected is one
            pass
        fj.mode(down=False, http_status=500, methods=["GET"])
        eq(http("GET", url + "/languages")[0], 500)
        eq(post(sub())[0], 201)
        fj.reset()
        eq(http("GET", url + "/languages")[0], 200)

    @check("control log and stats record requests, bodies, headers")
    def _():
        fj.reset()
        http("POST", url + "/submissions/batch" + B64Q,
             {"submissions": [sub(cpu_time_limit=3, memory_limit=65536)]},
             headers={"X-Auth-Token": "abc"})
        reqs = fj.requests("POST", "/submissions/batch")
        eq(len(reqs), 1)
        eq(reqs[0]["query"], {"base64_encoded": "true"})
        eq(reqs[0]["headers"].get("X-Auth-Token"), "abc")
        item = reqs[0]["body"]["submissions"][0]
        eq((item["cpu_time_limit"], item["memory_limit"], "expected_output" in item),
           (3, 65536, False))
        eq(reqs[0]["reply_status"], 201)
        st = fj.stats()
        eq((st["POST /submissions/batch"], st["submissions"]), (1, 1))
        eq(fj.submissions()[0]["stdin"], "hi")

    if shutil.which("openssl"):
        @check("HTTPS callback to a self-signed certificate")
        def _():
            fj.reset()
            d = tempfile.mkdtemp()
            subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                            "-keyout", d + "/k.pem", "-out", d + "/c.pem", "-days", "1",
                            "-subj", "/CN=127.0.0.1"], check=True, capture_output=True)
            tls = CallbackReceiver(certfile=d + "/c.pem", keyfile=d + "/k.pem")
            post(sub(callback_url=tls.url + "/cb"))
            got = tls.wait(1)
            eq(len(got), 1)
            eq(json.loads(got[0]["raw"])["stdout"], b64("hi") + "\n")
            tls.close()
            shutil.rmtree(d)
    cb.close()


def main():
    fj = FakeJudge0.start()
    try:
        run(fj)
    finally:
        rc = fj.stop()

    @check("SIGTERM: clean exit 0 (from the run above)")
    def _():
        eq(rc, 0)

    d = tempfile.mkdtemp()
    port = free_port()
    proc = None

    @check("--auth-token: 401 without X-Auth-Token; pidfile written and removed")
    def _():
        nonlocal proc
        a = FakeJudge0.start(port=port, log_file=d + "/log",
                             extra_args=["--auth-token", "s3cret", "--pidfile", d + "/pid"])
        proc = a.proc
        try:
            eq(int(open(d + "/pid").read()), a.proc.pid)
            code, body, _ = http("GET", a.url + "/languages")
            eq((code, body), (401, None))
            eq(http("GET", a.url + "/languages", headers={"X-Auth-Token": "s3cret"})[0], 200)
            eq(a.control("GET", "stats")["requests"], 2)
        finally:
            os.kill(a.proc.pid, signal.SIGTERM)
            eq(a.proc.wait(5), 0)
        assert not os.path.exists(d + "/pid"), "pidfile left behind"
    if proc and proc.poll() is None:
        proc.kill()
    shutil.rmtree(d, ignore_errors=True)
    print("%d passed, %d failed" % (RESULTS["passed"], RESULTS["failed"]))
    return 0 if RESULTS["failed"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
