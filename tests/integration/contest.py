"""Fixtures for integration tests: users, tokens, rounds, questions made
directly in PostgreSQL (as an operator would with pitwall-admin), JWTs
signed with the stack's key, submissions through the real /submit."""
import base64
import contextlib
import hashlib
import hmac
import json
import os
import secrets
import socket
import threading
import time
import urllib.error
import uuid

from pw import ENV, URL, http, psql, redis, wait_for


def b64url(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def jwt(sub, role="contestant", exp_in=3600, key=None, alg="HS256", iss=None, extra=None,
        drop=()):
    """An access token like pitwall's own, or a broken variant for tests."""
    if key is None:
        with open(ENV["JWT_SECRET_FILE"]) as f:
            key = f.read().strip()
    now = int(time.time())
    payload = {"sub": str(sub), "role": role, "iat": now, "exp": now + exp_in,
               "iss": iss or ENV.get("JWT_ISSUER", "pitwall"), "jti": secrets.token_hex(8)}
    payload.update(extra or {})
    for k in drop:
        payload.pop(k, None)
    header = {"alg": alg, "typ": "JWT"}
    signing = b64url(json.dumps(header).encode()) + "." + b64url(json.dumps(payload).encode())
    if alg == "none":
        return signing + "."
    digest = {"HS256": hashlib.sha256, "HS512": hashlib.sha512}.get(alg, hashlib.sha256)
    sig = hmac.new(key.encode(), signing.encode(), digest).digest()
    return signing + "." + b64url(sig)


def auth(token):
    return {"Authorization": "Bearer " + token}


def make_user(name=None, role="contestant", banned=False):
    name = name or "user-" + secrets.token_hex(4)
    uid = psql(f"INSERT INTO users (email, name, password_hash, role, banned) VALUES "
               f"('{name}@example.org', '{name}', 'x', '{role}', {str(banned).lower()}) RETURNING id")
    uid = int(uid.split("\n")[0])
    if banned:
        redis("SADD", "pitwall:banned", uid)
    return uid


def make_round(open_=True, starts_in=-60, ends_in=3600):
    slug = "r" + secrets.token_hex(4)
    if open_:
        rid = psql(f"INSERT INTO rounds (slug, name, starts_at, ends_at) VALUES ('{slug}', 'Round',"
                   f" now() + interval '{starts_in} seconds', now() + interval '{ends_in} seconds') RETURNING id")
    else:
        rid = psql(f"INSERT INTO rounds (slug, name) VALUES ('{slug}', 'Round') RETURNING id")
    return int(rid.split("\n")[0])


def make_question(round_id, tests, points=100, time_limit_ms=1000, memory_limit_kb=65536):
    """tests: list of (input, expected_output[, points[, is_sample]])."""
    slug = "q" + secrets.token_hex(4)
    qid = int(psql(f"INSERT INTO questions (round_id, slug, title, points, time_limit_ms, memory_limit_kb)"
                   f" VALUES ({round_id}, '{slug}', 'Q', {points}, {time_limit_ms}, {memory_limit_kb})"
                   f" RETURNING id").split("\n")[0])
    tids = []
    for i, t in enumerate(tests):
        inp, exp = t[0], t[1]
        pts = t[2] if len(t) > 2 else 1
        sample = t[3] if len(t) > 3 else (i == 0)
        tid = psql(f"INSERT INTO testcases (question_id, ordinal, name, input, expected_output, points, is_sample)"
                   f" VALUES ({qid}, {i}, '{i:02d}', $x${inp}$x$, $x${exp}$x$, {pts}, {str(sample).lower()})"
                   f" RETURNING id")
        tids.append(int(tid.split("\n")[0]))
    redis("DEL", f"pitwall:q:{qid}")
    return qid, tids


def submit(token, qid, source="print(input())", lang=71, **kw):
    return http("POST", URL + "/submit", body={"question_id": qid, "language_id": lang,
                                              "source_code": source}, headers=auth(token), **kw)


def submission(token, sid):
    return http("GET", URL + f"/submissions/{sid}", headers=auth(token))


def wait_done(sid, timeout=60):
    """Wait until PostgreSQL has the submission finalized; return its row."""
    def done():
        row = psql(f"SELECT status, done, total, passed, failed, score FROM submissions WHERE id = '{sid}'")
        return row if row.startswith("done|") else None
    return wait_for(done, timeout=timeout, what=f"submission {sid} to finish").split("|")


def results(sid):
    rows = psql(f"SELECT t.ordinal, sr.verdict, sr.status_id FROM submission_results sr"
                f" JOIN testcases t ON t.id = sr.testcase_id WHERE sr.submission_id = '{sid}'"
                f" ORDER BY t.ordinal")
    return [tuple(r.split("|")) for r in rows.split("\n") if r]


@contextlib.contextmanager
def leaderboard_messages():
    """The public leaderboard channel's messages (/live/leaderboard) while
    the with block runs, gathered by a thread into the list it yields (the
    channel gives what comes after connecting: it listens before the block)."""
    got, stop = [], threading.Event()

    def listen():
        while not stop.is_set():
            try:
                r = http("GET", URL + "/live/leaderboard", timeout=2)
            except (socket.timeout, TimeoutError, urllib.error.URLError):
                continue
            if r.status == 200:
                got.append(r.json())

    t = threading.Thread(target=listen, daemon=True)
    t.start()
    time.sleep(0.5)
    try:
        yield got
    finally:
        stop.set()
        t.join(5)


def live_messages(path, token=None, limit=50, hdr=None):
    """Every message buffered on a channel, oldest first (long-poll: the
    next one is asked for with the previous one's Last-Modified and Etag;
    when none comes within 2 s the channel has been read).  hdr: where to
    start, updated to after the last message read."""
    out = []
    hdr = hdr if hdr is not None else {}
    hdr.update(auth(token) if token else {})
    for _ in range(limit):
        try:
            r = http("GET", URL + path, headers=hdr, timeout=2)
        except (socket.timeout, TimeoutError, urllib.error.URLError):
            break
        if r.status != 200:
            raise AssertionError(f"long-poll {path}: {r!r}")
        out.append(r.json())
        hdr["If-Modified-Since"] = r.headers.get("Last-Modified", "")
        hdr["If-None-Match"] = r.headers.get("Etag", "")
    return out
