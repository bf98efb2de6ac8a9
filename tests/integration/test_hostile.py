"""Hostile clients: oversized and slow bodies, invalid UTF-8, deep nesting,
huge numbers, duplicate keys, wrong content types, path traversal, rate
limits.  Each gets a clear 4xx in Pitwall's JSON error shape, and every
process keeps serving (same pids, /healthz 200)."""
import json
import os
import socket
import ssl
import time
from urllib.parse import urlparse

from contest import auth, jwt, make_question, make_round, make_user
from pw import ENV, INTERNAL, URL, VAR, eq, get, http, pids, run, wait_for

S = {}
PROCS = ("fcgi.pids", "fcgi-run.pids", "fcgi-cb.pids", "worker.pid", "nginx.pid", "redis.pid")


def setup_module():
    S["pids"] = {p: pids(p) for p in PROCS}
    S["round"] = make_round()
    S["uid"] = make_user()
    S["tok"] = jwt(S["uid"])
    S["q"], _ = make_question(S["round"], [("1\n", "1\n")])


def error4xx(r, status=None, what=""):
    """r is a 4xx (status when given) with a {"error","message"} body."""
    assert 400 <= r.status < 500, f"{what}: {r!r}"
    if status is not None:
        eq(r.status, status, what)
    body = r.json()
    eq(sorted(body), ["error", "message"], f"{what}: error shape")
    return body


def submit_raw(data, ctype="application/json"):
    return http("POST", URL + "/submit", body=data,
                headers={**auth(S["tok"]), "Content-Type": ctype}, timeout=60)


def raw_request(host, port, data, tls=True, timeout=30):
    """Send bytes, return what came back before the server closed."""
    s = socket.create_connection((host, port), timeout=timeout)
    if tls:
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        s = ctx.wrap_socket(s, server_hostname=host)
    out = b""
    try:
        s.sendall(data)
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            out += chunk
            if b"\r\n\r\n" in out and (b"Connection: close" in out or len(out) > 200):
                break
        return out
    except (ConnectionError, socket.timeout, ssl.SSLError):
        return out
    finally:
        s.close()


def test_oversized_bodies_are_413():
    big = {"question_id": S["q"], "language_id": 71, "source_code": "x" * 400_000}
    body = error4xx(submit_raw(json.dumps(big)), 413, "oversized /submit")
    eq(body["error"], "too_large", "code")
    error4xx(http("POST", URL + "/auth/login", body={"email": "a@b.c", "password": "p" * 10000}),
             413, "oversized login")
    error4xx(http("POST", URL + "/runcustom", body={"language_id": 71, "source_code": "x",
                                                    "stdin": "y" * 400_000},
                  headers=auth(S["tok"])), 413, "oversized /runcustom")
    # The callback's limit is larger, but a limit all the same.
    error4xx(http("PUT", INTERNAL + "/callback?s=x&t=1&a=1&sig=0", body=b"x" * 3_000_000),
             413, "oversized callback")
    # A source over MAX_SOURCE_BYTES but under the body limit: the responder says so.
    r = submit_raw(json.dumps({"question_id": S["q"], "language_id": 71,
                               "source_code": "x" * 70_000}))
    error4xx(r, None, "source over MAX_SOURCE_BYTES")


def test_slow_body_is_cut_off():
    u = urlparse(URL)
    marker = "slow-" + os.urandom(4).hex()
    head = (f"POST /submit?{marker} HTTP/1.1\r\nHost: {u.hostname}\r\nContent-Type: application/json\r\n"
            f"Authorization: Bearer {S['tok']}\r\nContent-Length: 1000\r\n\r\n{{\"question_id\": ")
    t0 = time.monotonic()
    out = raw_request(u.hostname, u.port, head.encode(), timeout=60)
    took = time.monotonic() - t0
    # nginx's client_body_timeout (PITWALL_CLIENT_TIMEOUT, 10 s): it closes
    # the connection and logs 408; the responder never sees the request.
    assert not out or out.startswith(b"HTTP/1.1 408"), out[:300]
    assert took < 55, f"connection held {took:.0f}s"
    access = os.path.join(VAR, "log", "nginx-access.log")
    wait_for(lambda: any(marker in x and '" 408 ' in x for x in open(access)), timeout=20,
             what="408 in the access log")


def test_slow_headers_are_cut_off():
    u = urlparse(URL)
    out = raw_request(u.hostname, u.port, b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ", timeout=60)
    # nginx closes a connection whose headers never end (client_header_timeout).
    assert b"200 OK" not in out, out[:300]


def test_invalid_utf8_is_refused():
    data = (b'{"question_id": %d, "language_id": 71, "source_code": "print(\xff\xfe)"}' % S["q"])
    error4xx(submit_raw(data), None, "invalid UTF-8 in source")
    data = b'{"email": "\xc3\x28@example.org", "password": "x"}'
    error4xx(http("POST", URL + "/auth/login", body=data,
                  headers={"Content-Type": "application/json"}), None, "invalid UTF-8 in login")


def test_deeply_nested_json_is_refused():
    for data in ("[" * 60_000, '{"a":' * 10_000 + "1" + "}" * 10_000):
        error4xx(submit_raw(data), 400, "deep nesting")


def test_huge_numbers_are_refused():
    for qid in ("1e400", "99999999999999999999999999", "-1", "1.5", "NaN", "Infinity"):
        data = '{"question_id": %s, "language_id": 71, "source_code": "x"}' % qid
        error4xx(submit_raw(data), None, f"question_id {qid}")
    data = '{"question_id": %d, "language_id": 1e308, "source_code": "x"}' % S["q"]
    error4xx(submit_raw(data), None, "language_id 1e308")


def test_duplicate_keys_are_refused_or_resolved_to_a_4xx():
    # json-c keeps the last value of a duplicated key; a bad last value is a 4xx.
    data = '{"question_id": %d, "question_id": "x", "language_id": 71, "source_code": "x"}' % S["q"]
    error4xx(submit_raw(data), None, "duplicate question_id")
    data = '{"question_id": %d, "language_id": 71, "source_code": "x", "source_code": null}' % S["q"]
    error4xx(submit_raw(data), None, "duplicate source_code")


def test_wrong_content_types_are_415():
    body = json.dumps({"question_id": S["q"], "language_id": 71, "source_code": "x"})
    for ctype in ("text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
                  "application/jsonp"):
        error4xx(submit_raw(body, ctype), 415, f"Content-Type {ctype}")
    error4xx(http("POST", URL + "/auth/login", body=b"email=a&password=b",
                  headers={"Content-Type": "application/x-www-form-urlencoded"}), 415, "form login")


def test_path_traversal_in_ids_is_4xx():
    u = urlparse(URL)
    paths = ["/submissions/../../etc/passwd", "/submissions/..%2f..%2fetc%2fpasswd",
             "/submissions/%2e%2e/%2e%2e/etc/passwd", "/submissions/x%00y",
             "/submissions/" + "a" * 5000, "/submissions/00000000-0000-4000-8000-000000000000/../../x",
             "/../../../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd"]
    for p in paths:
        req = f"GET {p} HTTP/1.1\r\nHost: {u.hostname}\r\nAuthorization: Bearer {S['tok']}\r\nConnection: close\r\n\r\n"
        out = raw_request(u.hostname, u.port, req.encode())
        status = int(out.split(b" ", 2)[1]) if out.startswith(b"HTTP/") else 0
        assert 400 <= status < 500, f"{p}: {out[:300]!r}"
        assert b"root:" not in out, f"{p} leaked a file"
        body = out.split(b"\r\n\r\n", 1)[1]
        if b"Transfer-Encoding: chunked" in out.split(b"\r\n\r\n", 1)[0]:
            body = body.split(b"\r\n", 1)[1].rsplit(b"\r\n0\r\n", 1)[0]
        eq(sorted(json.loads(body)), ["error", "message"], f"{p}: error shape")


def test_nginx_errors_are_json():
    r = http("POST", URL + "/index.html", body=b"x")
    error4xx(r, 405, "POST on a static file")
    error4xx(get("/no/such/page"), 404, "unknown page")
    error4xx(http("PUT", URL + "/callback", body=b"x"), 404, "public /callback")


def test_rate_limits_on_login_but_never_on_callback():
    low = {"PITWALL_LIMIT_LOGIN": "1r/m", "PITWALL_LIMIT_LOGIN_BURST": "1"}
    run(["bash", "scripts/stack", "up"], env=low)
    try:
        codes = [http("POST", URL + "/auth/login", body={"email": "x@example.org", "password": "x"}).status
                 for _ in range(6)]
        assert 429 in codes, codes
        r = http("POST", URL + "/auth/login", body={"email": "x@example.org", "password": "x"})
        body = error4xx(r, 429, "limited login")
        eq(body["error"], "rate_limited", "code")
        # Judge0's callbacks are never throttled, whatever the rate.
        codes = {http("PUT", INTERNAL + "/callback?s=x&t=1&a=1&sig=00", body=b"{}").status
                 for _ in range(60)}
        eq(codes, {403}, "callbacks refused for their signature only")
    finally:
        run(["bash", "scripts/stack", "up"])
    wait_for(lambda: http("POST", URL + "/auth/login",
                          body={"email": "x@example.org", "password": "x"}).status != 429,
             timeout=20, what="login limit restored")


def test_every_process_kept_serving():
    for p in PROCS:
        eq(pids(p), S["pids"][p], f"{p} unchanged")
    eq(get("/healthz").status, 200, "/healthz")
    eq(get("/healthz", base=INTERNAL).status, 200, "internal /healthz")
