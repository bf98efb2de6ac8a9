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
from pw import BIN, ENV, INTERNAL, URL, VAR, eq, get, http, pids, run, wait_for

S = {}
PROCS = ("fcgi.pids", "fcgi-run.pids", "fcgi-cb.pids", "worker.pid", "nginx.pid", "redis.pid")


def setup_module():
    S["pids"] = {p: pids(p) for p in PROCS}
    S["round"] = make_round()
    S["uid"] = make_user()
    S["tok"] = jwt(S["uid"])
    S["q"], _ = make_question(S["round"], [("1\n", "1\n")])


def error4xx(r, status, code, what=""):
    """r is the 4xx `status` with a {"error": code, "message": text} body:
    the refusal expected, not any 4xx (an expired token's 401 or a
    missing route's 404 would pass a looser check)."""
    assert 400 <= status < 500, f"{what}: not a 4xx expectation"
    eq(r.status, status, f"{what}: {r!r}")
    body = r.json()
    eq(sorted(body), ["error", "message"], f"{what}: error shape")
    eq(body["error"], code, f"{what}: error code")
    assert isinstance(body["message"], str) and body["message"], f"{what}: empty message"
    return body


def submit_raw(data, ctype="application/json"):
    return http("POST", URL + "/submit", body=data,
                headers={**auth(S["tok"]), "Content-Type": ctype}, timeout=60)


def raw_request(host, port, data, tls=True, timeout=30):
    """Send bytes, return what came back before the server closed."""
    return raw_exchange(host, port, data, tls, timeout)[0]


def raw_exchange(host, port, data, tls=True, timeout=30):
    """Send bytes; (what came back, how it ended): "closed" when the server
    closed the connection (or answered), "timeout" when `timeout` passed
    first, "reset" on a connection or TLS error."""
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
        return out, "closed"
    except socket.timeout:
        return out, "timeout"
    except (ConnectionError, ssl.SSLError):
        return out, "reset"
    finally:
        s.close()


def test_oversized_bodies_are_413():
    big = {"question_id": S["q"], "language_id": 71, "source_code": "x" * 400_000}
    error4xx(submit_raw(json.dumps(big)), 413, "too_large", "oversized /submit")
    error4xx(http("POST", URL + "/auth/login", body={"email": "a@b.c", "password": "p" * 10000}),
             413, "too_large", "oversized login")
    error4xx(http("POST", URL + "/runcustom", body={"language_id": 71, "source_code": "x",
                                                    "stdin": "y" * 400_000},
                  headers=auth(S["tok"])), 413, "too_large", "oversized /runcustom")
    # The callback's limit is larger (derived from the output limit), but a
    # limit all the same, at nginx too.
    limit = int(run([os.path.join(BIN, "pitwall-admin"), "config", "callback-bytes"]).stdout)
    error4xx(http("PUT", INTERNAL + "/callback?s=x&t=1&a=1&sig=0", body=b"x" * (limit + 1)),
             413, "too_large", "oversized callback")
    # A source over MAX_SOURCE_BYTES but under the body limit: the responder says so.
    r = submit_raw(json.dumps({"question_id": S["q"], "language_id": 71,
                               "source_code": "x" * 70_000}))
    body = error4xx(r, 413, "too_large", "source over MAX_SOURCE_BYTES")
    assert "source_code" in body["message"], body


def test_slow_body_is_cut_off():
    u = urlparse(URL)
    marker = "slow-" + os.urandom(4).hex()
    head = (f"POST /submit?{marker} HTTP/1.1\r\nHost: {u.hostname}\r\nContent-Type: application/json\r\n"
            f"Authorization: Bearer {S['tok']}\r\nContent-Length: 1000\r\n\r\n{{\"question_id\": ")
    cut_off_by_nginx(u, head.encode(), marker)


def cut_off_by_nginx(u, data, marker):
    """nginx's client_body_timeout / client_header_timeout
    (PITWALL_CLIENT_TIMEOUT, 10 s) ends the request `data` tagged with
    `marker`: nginx itself closes the connection, after the timeout and
    not at once (so not some other refusal), answering nothing or a 408,
    and logs a 408 that went to no upstream (the responder never saw it)."""
    t0 = time.monotonic()
    out, how = raw_exchange(u.hostname, u.port, data, timeout=60)
    took = time.monotonic() - t0
    eq(how, "closed", f"connection end after {took:.0f}s ({out[:200]!r})")
    assert not out or out.startswith(b"HTTP/1.1 408"), out[:300]
    assert 5 <= took < 55, f"connection closed after {took:.1f}s"
    access = os.path.join(VAR, "log", "nginx-access.log")

    def logged():
        lines = [x for x in open(access) if marker in x]
        return lines and all('" 408 ' in x and " up=- " in x for x in lines)
    wait_for(logged, timeout=20, what=f"one 408 without upstream for {marker} in the access log")


def test_slow_headers_are_cut_off():
    u = urlparse(URL)
    marker = "slowhdr-" + os.urandom(4).hex()
    cut_off_by_nginx(u, f"GET /healthz?{marker} HTTP/1.1\r\nHost: x\r\nX-Slow: ".encode(), marker)


def test_invalid_utf8_is_refused():
    data = (b'{"question_id": %d, "language_id": 71, "source_code": "print(\xff\xfe)"}' % S["q"])
    body = error4xx(submit_raw(data), 422, "invalid_field", "invalid UTF-8 in source")
    assert "source_code" in body["message"] and "UTF-8" in body["message"], body
    data = b'{"email": "\xc3\x28@example.org", "password": "x"}'
    body = error4xx(http("POST", URL + "/auth/login", body=data,
                         headers={"Content-Type": "application/json"}),
                    422, "invalid_field", "invalid UTF-8 in login")
    assert "email" in body["message"] and "UTF-8" in body["message"], body


def test_deeply_nested_json_is_refused():
    for data in ("[" * 60_000, '{"a":' * 10_000 + "1" + "}" * 10_000):
        body = error4xx(submit_raw(data), 400, "bad_json", "deep nesting")
        assert "nesting" in body["message"], body


def test_huge_numbers_are_refused():
    for qid in ("1e400", "99999999999999999999999999", "-1", "1.5", "NaN", "Infinity"):
        data = '{"question_id": %s, "language_id": 71, "source_code": "x"}' % qid
        body = error4xx(submit_raw(data), 422, "invalid_field", f"question_id {qid}")
        assert "question_id" in body["message"], body
    data = '{"question_id": %d, "language_id": 1e308, "source_code": "x"}' % S["q"]
    body = error4xx(submit_raw(data), 422, "invalid_field", "language_id 1e308")
    assert "language_id" in body["message"], body


def test_duplicate_keys_are_refused():
    # json-c would keep the last value of a duplicated key; the body is refused.
    data = '{"question_id": %d, "question_id": "x", "language_id": 71, "source_code": "x"}' % S["q"]
    body = error4xx(submit_raw(data), 400, "bad_json", "duplicate question_id")
    assert '"question_id" appears twice' in body["message"], body
    data = '{"question_id": %d, "language_id": 71, "source_code": "x", "source_code": null}' % S["q"]
    body = error4xx(submit_raw(data), 400, "bad_json", "duplicate source_code")
    assert '"source_code" appears twice' in body["message"], body


def test_wrong_content_types_are_415():
    body = json.dumps({"question_id": S["q"], "language_id": 71, "source_code": "x"})
    for ctype in ("text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
                  "application/jsonp"):
        error4xx(submit_raw(body, ctype), 415, "unsupported_media_type", f"Content-Type {ctype}")
    error4xx(http("POST", URL + "/auth/login", body=b"email=a&password=b",
                  headers={"Content-Type": "application/x-www-form-urlencoded"}),
             415, "unsupported_media_type", "form login")


def test_path_traversal_in_ids_is_4xx():
    u = urlparse(URL)
    # Paths climbing above the root are nginx's 400; the others reach a
    # route (or none) and are a 404 for an id that does not exist.
    paths = {"/submissions/../../etc/passwd": (400, "bad_request"),
             "/submissions/..%2f..%2fetc%2fpasswd": (400, "bad_request"),
             "/submissions/%2e%2e/%2e%2e/etc/passwd": (400, "bad_request"),
             "/submissions/x%00y": (400, "bad_request"),
             "/submissions/" + "a" * 5000: (404, "not_found"),
             "/submissions/00000000-0000-4000-8000-000000000000/../../x": (404, "not_found"),
             "/../../../../etc/passwd": (400, "bad_request"),
             "/%2e%2e/%2e%2e/etc/passwd": (400, "bad_request")}
    for p, (want, code) in paths.items():
        req = f"GET {p} HTTP/1.1\r\nHost: {u.hostname}\r\nAuthorization: Bearer {S['tok']}\r\nConnection: close\r\n\r\n"
        out = raw_request(u.hostname, u.port, req.encode())
        assert out.startswith(b"HTTP/1.1 "), f"{p}: no HTTP reply: {out[:300]!r}"
        eq(int(out.split(b" ", 2)[1]), want, f"{p}: status ({out[:300]!r})")
        assert b"root:" not in out, f"{p} leaked a file"
        head, body = out.split(b"\r\n\r\n", 1)
        if b"Transfer-Encoding: chunked" in head:
            body = body.split(b"\r\n", 1)[1].rsplit(b"\r\n0\r\n", 1)[0]
        body = json.loads(body)
        eq(sorted(body), ["error", "message"], f"{p}: error shape")
        eq(body["error"], code, f"{p}: error code")


def test_nginx_errors_are_json():
    r = http("POST", URL + "/index.html", body=b"x")
    error4xx(r, 405, "method_not_allowed", "POST on a static file")
    error4xx(get("/no/such/page"), 404, "not_found", "unknown page")
    error4xx(http("PUT", URL + "/callback", body=b"x"), 404, "not_found", "public /callback")


def test_rate_limits_on_login_but_never_on_callback():
    low = {"PITWALL_LIMIT_LOGIN": "1r/m", "PITWALL_LIMIT_LOGIN_BURST": "1"}
    run(["bash", "scripts/stack", "up"], env=low)
    try:
        codes = [http("POST", URL + "/auth/login", body={"email": "x@example.org", "password": "x"}).status
                 for _ in range(6)]
        assert 429 in codes, codes
        r = http("POST", URL + "/auth/login", body={"email": "x@example.org", "password": "x"})
        error4xx(r, 429, "rate_limited", "limited login")
        # Judge0's callbacks are never throttled, whatever the rate: each
        # is refused by the responder, for its signature only.
        replies = [http("PUT", INTERNAL + "/callback?s=x&t=1&a=1&sig=00", body=b"{}")
                   for _ in range(60)]
        for r in replies:
            error4xx(r, 403, "bad_signature", "callback with a bad signature")
    finally:
        run(["bash", "scripts/stack", "up"])
    wait_for(lambda: http("POST", URL + "/auth/login",
                          body={"email": "x@example.org", "password": "x"}).status != 429,
             timeout=20, what="login limit restored")


def test_every_process_kept_serving():
    for p in PROCS:
        eq(pids(p), S["pids"][p], f"{p} unchanged")
    for base in (URL, INTERNAL):
        r = get("/healthz", base=base)
        eq(r.status, 200, f"{base}/healthz")
        eq(r.json(), {"status": "ok", "postgres": "up", "redis": "up"}, f"{base}/healthz body")
