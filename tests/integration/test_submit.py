"""The submit pipeline end to end: /submit -> Judge0 (the scripted fake)
-> signed callbacks -> queue -> worker -> PostgreSQL, exactly once."""
import json
import os
import subprocess
import time
import urllib.parse

from client import FakeJudge0, unb64
from contest import (auth, jwt, make_question, make_round, make_user, results, submission,
                     submit, wait_done)
from pw import BIN, ENV, INTERNAL, URL, VAR, eq, http, psql, redis, run, wait_for

FAKE = FakeJudge0(os.environ.get("PITWALL_FAKE_JUDGE0_URL", ENV.get("JUDGE0_URL", "")))
S = {}


def setup_module():
    FAKE.reset()
    S["round"] = make_round()
    S["uid"] = make_user()
    S["tok"] = jwt(S["uid"])
    S["q3"], S["t3"] = make_question(S["round"], [("1 2\n", "3\n"), ("5 5\n", "10\n", 2), ("0 0\n", "0\n", 3)])


def batch_posts_for(sid):
    out = []
    for e in FAKE.requests("POST", "/submissions/batch"):
        subs = (e.get("body") or {}).get("submissions") or []
        if subs and sid in (subs[0].get("callback_url") or ""):
            out.append(subs)
    return out


def accepted(r):
    eq(r.status, 202, f"submit reply {r!r}")
    return r.json()["submission_id"]


def test_submit_judges_every_testcase_and_scores():
    FAKE.reset()
    # Echo judge: stdout = stdin, so testcase 0 and 2 fail, 1 ... all fail? make it right:
    FAKE.set_rules([{"match": {"stdin": "1 2\n"}, "action": {"stdout": "3\n"}},
                    {"match": {"stdin": "5 5\n"}, "action": {"stdout": "10  \r\n\n"}},
                    {"match": {"stdin": "0 0\n"}, "action": {"stdout": "1\n"}}])
    sid = accepted(submit(S["tok"], S["q3"]))
    row = wait_done(sid)
    eq(row[1:5], ["3", "3", "2", "1"], "done/total/passed/failed")
    # 100 points × (1 + 2) / (1 + 2 + 3)
    eq(float(row[5]), 50.0, "score")
    eq(results(sid), [("0", "AC", "3"), ("1", "AC", "3"), ("2", "WA", "3")], "verdicts")
    best = psql(f"SELECT score::float8, submission_id FROM best_scores WHERE user_id = {S['uid']}"
                f" AND question_id = {S['q3']}")
    eq(best, f"50|{sid}", "best score")
    r = submission(S["tok"], sid)
    eq(r.status, 200, "GET /submissions/{id}")
    body = r.json()
    eq((body["status"], body["passed"], body["failed"], body["total"]), ("done", 2, 1, 3), "summary")
    eq([x["verdict"] for x in body["results"]], ["AC", "AC", "WA"], "per-testcase verdicts")
    for secret in ("5 5", "0 0", "10\n"):
        assert secret not in r.body.decode(), "hidden data leaked"


def test_batches_limits_and_no_expected_output():
    FAKE.reset()
    tests = [(f"{i}\n", f"{i}\n") for i in range(45)]
    qid, tids = make_question(S["round"], tests, time_limit_ms=6000, memory_limit_kb=600000)
    sid = accepted(submit(S["tok"], qid, lang=71))  # Python: multiplier 3 -> 18 s, clamped to 15
    row = wait_done(sid, timeout=90)
    eq(row[1:4], ["45", "45", "45"], "all 45 judged and accepted")
    posts = batch_posts_for(sid)
    eq(sorted(len(p) for p in posts), [5, 20, 20], "batch sizes")
    for p in posts:
        for item in p:
            eq(float(item["cpu_time_limit"]), 15.0, "cpu_time_limit clamped to Judge0's maximum")
            eq(item["memory_limit"], 512000, "memory_limit clamped to Judge0's maximum")
            assert "expected_output" not in item, "expected output sent to Judge0"
            u = urllib.parse.urlparse(item["callback_url"])
            q = urllib.parse.parse_qs(u.query)
            eq(u.path, "/callback", "callback path")
            eq(q["s"], [sid], "callback s")
            eq(len(q["sig"][0]), 64, "signature length")
    eq(sorted(int(urllib.parse.parse_qs(urllib.parse.urlparse(i["callback_url"]).query)["t"][0])
              for p in posts for i in p), sorted(tids), "one item per testcase")


def test_every_status_maps_to_a_verdict():
    FAKE.reset()
    statuses = [3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 14]
    tests = [(f"status{s}\n", f"status{s}\n") for s in statuses]
    qid, _ = make_question(S["round"], tests)
    FAKE.set_rules([{"match": {"stdin": f"status{s}\n"}, "action": {"status_id": s}} for s in statuses])
    sid = accepted(submit(S["tok"], qid))
    wait_done(sid)
    want = {3: "AC", 4: "WA", 5: "TLE", 6: "CE", 7: "RE", 8: "OLE", 9: "RE", 10: "RE",
            11: "RE", 12: "RE", 14: "RE"}
    got = results(sid)
    eq([(int(o), v, int(st)) for o, v, st in got],
       [(i, want[s], s) for i, s in enumerate(statuses)], "verdict per status")


def test_internal_error_is_retried_then_recorded():
    FAKE.reset()
    qid, _ = make_question(S["round"], [("ie\n", "ie\n"), ("ok\n", "ok\n")])
    FAKE.set_rules([{"match": {"stdin": "ie\n"}, "action": {"status_id": 13, "message": "boom"}}])
    sid = accepted(submit(S["tok"], qid))
    wait_done(sid)
    eq(results(sid), [("0", "IE", "13"), ("1", "AC", "3")], "verdicts")
    tries = [e for e in FAKE.requests("POST", "/submissions/batch")
             for i in (e.get("body") or {}).get("submissions", []) if i.get("stdin") and unb64(i["stdin"]) == b"ie\n"]
    assert len(tries) >= 2, f"internal error was not retried ({len(tries)} tries)"


def test_duplicate_early_and_reordered_callbacks_count_once():
    FAKE.reset()
    tests = [(f"{i}\n", f"{i}\n") for i in range(6)]
    qid, _ = make_question(S["round"], tests)
    FAKE.set_rules([
        {"match": {"stdin": "0\n"}, "action": {"callback": "twice"}},
        {"match": {"stdin": "1\n"}, "action": {"callback": "before_reply"}},
        {"match": {"stdin": "2\n"}, "action": {"delay_ms": 900}},
        {"match": {"stdin": "3\n"}, "action": {"delay_ms": 600, "callback": "twice"}},
        {"match": {"stdin": "4\n"}, "action": {"delay_ms": 300}},
    ])
    sid = accepted(submit(S["tok"], qid))
    row = wait_done(sid)
    eq(row[1:5], ["6", "6", "6", "0"], "done/total/passed/failed")
    time.sleep(1.5)  # let the duplicates arrive and be processed
    eq(psql(f"SELECT count(*) FROM submission_results WHERE submission_id = '{sid}'"), "6", "rows")
    eq(psql(f"SELECT done, passed FROM submissions WHERE id = '{sid}'"), "6|6", "counters")


def test_dropped_callbacks_are_recovered_by_the_reaper():
    FAKE.reset()
    qid, _ = make_question(S["round"], [("a\n", "a\n"), ("b\n", "b\n"), ("c\n", "c\n")])
    FAKE.set_rules([{"match": {"stdin": "b\n"}, "action": {"callback": "drop"}},
                    {"match": {"stdin": "c\n"}, "action": {"callback": "drop", "status_id": 4}}])
    sid = accepted(submit(S["tok"], qid))
    row = wait_done(sid, timeout=60)
    eq(row[1:5], ["3", "3", "2", "1"], "recovered results")
    assert FAKE.requests("GET", "/submissions/batch"), "the reaper never polled Judge0"


def test_judge0_unavailable_at_submit_is_retried():
    FAKE.reset()
    qid, _ = make_question(S["round"], [("x\n", "x\n"), ("y\n", "y\n")])
    FAKE.set_rules([{"match": {"any": True}, "action": {"http_status": 503}, "times": 2}])
    sid = accepted(submit(S["tok"], qid))
    row = wait_done(sid, timeout=60)
    eq(row[1:4], ["2", "2", "2"], "judged after Judge0 came back")


def test_judge0_down_at_submit_still_accepts():
    FAKE.reset()
    qid, _ = make_question(S["round"], [("d\n", "d\n")])
    FAKE.mode(down=True)
    try:
        sid = accepted(submit(S["tok"], qid))
    finally:
        time.sleep(1)
        FAKE.mode(down=False)
    eq(wait_done(sid, timeout=60)[1:4], ["1", "1", "1"], "judged later")


def callback_url(sid, tid, attempt=1, sig=None):
    q = f"s={sid}&t={tid}&a={attempt}"
    if sig is not None:
        q += f"&sig={sig}"
    return INTERNAL + "/callback?" + q


def test_forged_missing_and_replayed_signatures_are_refused():
    FAKE.reset()
    qid, tids = make_question(S["round"], [("p\n", "p\n"), ("q\n", "q\n")])
    FAKE.set_rules([{"match": {"any": True}, "action": {"callback": "drop", "stuck": 1}}])
    sid = accepted(submit(S["tok"], qid))
    wait_for(lambda: len(batch_posts_for(sid)) == 1, what="dispatch")
    item = batch_posts_for(sid)[0][0]
    u = urllib.parse.urlparse(item["callback_url"])
    good = urllib.parse.parse_qs(u.query)
    t0, sig0 = int(good["t"][0]), good["sig"][0]
    other = [t for t in tids if t != t0][0]
    body = json.dumps({"token": "x", "status": {"id": 3, "description": "Accepted"},
                       "stdout": "cQo=\n", "time": "0.01", "memory": 1}).encode()
    before = redis("LLEN", "pitwall:queue")
    for url in (callback_url(sid, t0), callback_url(sid, t0, sig="0" * 64),
                callback_url(sid, other, sig=sig0), callback_url(sid, t0, attempt=2, sig=sig0),
                callback_url("00000000-0000-4000-8000-000000000000", t0, sig=sig0)):
        r = http("PUT", url, body=body, headers={"Content-Type": "application/json"})
        eq(r.status, 403, f"PUT {url}")
        eq(r.json()["error"], "bad_signature", "error code")
    time.sleep(1)
    eq(psql(f"SELECT count(*) FROM submission_results WHERE submission_id = '{sid}'"), "0", "nothing stored")
    # The genuine URL is accepted (POST works too) with the token Judge0
    # gave that testcase (worker/bind.c).
    tok0 = [s["token"] for s in FAKE.submissions() if f"t={t0}&" in (s.get("callback_url") or "")]
    eq(len(tok0), 1, "the testcase's token at the fake")
    body = json.dumps({**json.loads(body), "token": tok0[0]}).encode()
    r = http("POST", callback_url(sid, t0, sig=sig0), body=body, headers={"Content-Type": "application/json"})
    eq(r.status, 204, "genuine callback")
    wait_for(lambda: psql(f"SELECT count(*) FROM submission_results WHERE submission_id = '{sid}'") == "1",
             what="the genuine result")
    FAKE.reset()


def test_callback_body_bounded_and_malformed_goes_to_dead_letters():
    FAKE.reset()
    qid, tids = make_question(S["round"], [("m\n", "m\n")])
    FAKE.set_rules([{"match": {"any": True}, "action": {"callback": "drop", "stuck": 1}}])
    sid = accepted(submit(S["tok"], qid))
    wait_for(lambda: len(batch_posts_for(sid)) == 1, what="dispatch")
    url = batch_posts_for(sid)[0][0]["callback_url"].replace(ENV["CALLBACK_BASE_URL"], INTERNAL)
    limit = int(run([os.path.join(BIN, "pitwall-admin"), "config",
                     "callback-bytes"]).stdout)
    assert limit > 4 * 1024 * 1024, f"derived from 1024 KB of output: {limit}"
    r = http("PUT", url, body=b"x" * (limit + 1), headers={"Content-Type": "application/json"})
    eq(r.status, 413, "oversized callback")
    dead_before = int(redis("LLEN", "pitwall:dead") or 0)
    for bad in (b"{not json", b'{"status": {"id": 3}, "stdout": "!!!notbase64"}', b'[1,2]'):
        eq(http("PUT", url, body=bad, headers={"Content-Type": "application/json"}).status, 204, "queued")
    wait_for(lambda: int(redis("LLEN", "pitwall:dead") or 0) >= dead_before + 3, what="dead letters")
    entry = json.loads(redis("LINDEX", "pitwall:dead", "0"))
    assert entry.get("reason"), entry
    FAKE.reset()
    # The worker keeps going: a good submission still finishes.
    qid2, _ = make_question(S["round"], [("z\n", "z\n")])
    eq(wait_done(accepted(submit(S["tok"], qid2)))[1:4], ["1", "1", "1"], "after poison")


def test_validation_errors():
    q = S["q3"]
    cases = [
        ("no token", http("POST", URL + "/submit", body={"question_id": q, "language_id": 71, "source_code": "x"}), 401),
        ("alg none", submit(jwt(S["uid"], alg="none"), q), 401),
        ("HS512", submit(jwt(S["uid"], alg="HS512"), q), 401),
        ("other key", submit(jwt(S["uid"], key="k" * 40), q), 401),
        ("expired", submit(jwt(S["uid"], exp_in=-10), q), 401),
        ("no exp", submit(jwt(S["uid"], drop=("exp",)), q), 401),
        ("wrong iss", submit(jwt(S["uid"], iss="evil"), q), 401),
        ("unknown question", submit(S["tok"], 999999), 404),
        ("disabled language", submit(S["tok"], q, lang=43), 422),
        ("unknown language", submit(S["tok"], q, lang=9999), 422),
        ("empty source", submit(S["tok"], q, source=""), 422),
        ("huge source", submit(S["tok"], q, source="x" * 70000), 413),
        ("bad json", http("POST", URL + "/submit", body=b"{", headers={**auth(S["tok"]), "Content-Type": "application/json"}), 400),
        ("wrong type", http("POST", URL + "/submit", body={"question_id": "1", "language_id": 71, "source_code": "x"}, headers=auth(S["tok"])), 422),
        ("content type", http("POST", URL + "/submit", body=b"question_id=1", headers={**auth(S["tok"]), "Content-Type": "application/x-www-form-urlencoded"}), 415),
        ("invalid utf-8", http("POST", URL + "/submit", body=b'{"question_id": %d, "language_id": 71, "source_code": "\xff\xfe"}' % q, headers={**auth(S["tok"]), "Content-Type": "application/json"}), (400, 422)),
    ]
    for name, r, want in cases:
        if isinstance(want, tuple):
            assert r.status in want, f"{name}: {r!r}"
        else:
            eq(r.status, want, f"{name}: {r!r}")
        eq(sorted(r.json()), ["error", "message"], f"{name}: error shape")


def test_banned_user_is_refused():
    uid = make_user(banned=True)
    eq(submit(jwt(uid), S["q3"]).status, 403, "banned")


def test_round_window_is_enforced():
    closed = make_round(open_=False)
    qa, _ = make_question(closed, [("1\n", "1\n")])
    eq(submit(S["tok"], qa).status, 409, "round without a window")
    future = make_round(starts_in=3600, ends_in=7200)
    qb, _ = make_question(future, [("1\n", "1\n")])
    r = submit(S["tok"], qb)
    eq(r.status, 409, "round not started")
    eq(r.json()["error"], "round_closed", "code")
    past = make_round(starts_in=-7200, ends_in=-1)
    qc, _ = make_question(past, [("1\n", "1\n")])
    eq(submit(S["tok"], qc).status, 409, "round over")
    admin = make_user(role="admin")
    eq(submit(jwt(admin, role="admin"), qc).status, 202, "admins are exempt")


def test_rate_limit_429_with_retry_after():
    uid = make_user()
    minute = int(time.time()) // 60
    for m in (minute, minute + 1):
        redis("SET", f"pitwall:rl:submit:{uid}:{m}", 10 ** 9, "EX", 180)
    r = submit(jwt(uid), S["q3"])
    eq(r.status, 429, "rate limited")
    assert 1 <= int(r.headers["Retry-After"]) <= 60, r.headers


def test_submission_visible_to_owner_and_admin_only():
    FAKE.reset()
    sid = accepted(submit(S["tok"], S["q3"]))
    other = make_user()
    eq(submission(jwt(other), sid).status, 403, "another contestant")
    admin = make_user(role="admin")
    eq(submission(jwt(admin, role="admin"), sid).status, 200, "admin")
    eq(submission(S["tok"], "00000000-0000-4000-8000-000000000000").status, 404, "unknown id")
    r = submission(S["tok"], "..%2f..%2fetc%2fpasswd")
    assert 400 <= r.status < 500 and b"root:" not in r.body, f"path traversal id: {r!r}"
    wait_done(sid)


def test_postgres_down_while_50_submissions_arrive():
    FAKE.reset()
    qid, _ = make_question(S["round"], [("k\n", "k\n"), ("l\n", "l\n")])
    uid = make_user()
    tok = jwt(uid)
    eq(submit(tok, qid).status, 202, "warm the cache")
    data = os.path.join(VAR, "pg", "data")
    ctl = [p for p in (f"/usr/lib/postgresql/{v}/bin/pg_ctl" for v in sorted(os.listdir("/usr/lib/postgresql")))][-1]
    as_svc = ["setpriv", "--reuid=pitwall", "--regid=pitwall", "--init-groups", "--"] if os.geteuid() == 0 else []
    subprocess.run(as_svc + [ctl, "-D", data, "-m", "fast", "-w", "stop"], check=True, capture_output=True)
    try:
        sids = [accepted(submit(tok, qid)) for _ in range(50)]
    finally:
        run(["bash", "scripts/stack", "up"])
    for sid in sids:
        eq(wait_done(sid, timeout=120)[1:4], ["2", "2", "2"], f"submission {sid}")
    eq(psql(f"SELECT count(*) FROM submission_results sr JOIN submissions s ON s.id = sr.submission_id"
            f" WHERE s.user_id = {uid}"), str(51 * 2), "every result stored once")


def test_postgres_down_longer_than_the_cache_ttl():
    """The question, language and round caches serve their last good copy
    while PostgreSQL is down, however long: /submit keeps working past
    CACHE_TTL (2 s here) instead of failing when an entry gets old."""
    FAKE.reset()
    qid, _ = make_question(S["round"], [("m\n", "m\n")])
    tok = jwt(make_user())
    run(["bash", "scripts/stack", "up"], env={"CACHE_TTL": "2"})
    run(["bash", "scripts/fcgi-reload", "fcgi"], timeout=200)
    data = os.path.join(VAR, "pg", "data")
    ctl = [p for p in (f"/usr/lib/postgresql/{v}/bin/pg_ctl" for v in sorted(os.listdir("/usr/lib/postgresql")))][-1]
    as_svc = ["setpriv", "--reuid=pitwall", "--regid=pitwall", "--init-groups", "--"] if os.geteuid() == 0 else []
    try:
        eq(submit(tok, qid).status, 202, "warm the cache")
        subprocess.run(as_svc + [ctl, "-D", data, "-m", "fast", "-w", "stop"], check=True, capture_output=True)
        time.sleep(4)
        sids = []
        for _ in range(5):
            r = submit(tok, qid)
            eq(r.status, 202, f"submit with PostgreSQL down past the TTL: {r.body[:200]!r}")
            sids.append(r.json()["submission_id"])
    finally:
        run(["bash", "scripts/stack", "up"])
        run(["bash", "scripts/fcgi-reload", "fcgi"], timeout=200)
    for sid in sids:
        eq(wait_done(sid, timeout=120)[1:4], ["1", "1", "1"], f"submission {sid}")


def test_worker_killed_mid_flight_loses_nothing():
    FAKE.reset()
    tests = [(f"{i}\n", f"{i}\n") for i in range(10)]
    qid, _ = make_question(S["round"], tests)
    FAKE.set_rules([{"match": {"any": True}, "action": {"delay_ms": 300}}])
    uid = make_user()
    tok = jwt(uid)
    sids = [accepted(submit(tok, qid)) for _ in range(10)]
    with open(os.path.join(VAR, "root", "worker.pid")) as f:
        os.kill(int(f.read().strip()), 9)
    time.sleep(1)
    run(["bash", "scripts/worker-supervise"])
    for sid in sids:
        eq(wait_done(sid, timeout=120)[1:4], ["10", "10", "10"], f"submission {sid}")
    eq(psql(f"SELECT count(*) FROM submission_results sr JOIN submissions s ON s.id = sr.submission_id"
            f" WHERE s.user_id = {uid}"), "100", "exactly once")


def test_redis_killed_after_202_loses_nothing():
    """A 202 means the submission is on disk: Redis fsyncs its AOF before it
    answers (appendfsync always), so killing it right after the replies and
    restarting it from its files loses no acknowledged submission."""
    eq(redis("CONFIG", "GET", "appendfsync").split(), ["appendfsync", "always"], "fsync policy")
    FAKE.reset()
    qid, _ = make_question(S["round"], [("r\n", "r\n"), ("s\n", "s\n")])
    uid = make_user()
    tok = jwt(uid)
    FAKE.set_rules([{"match": {"any": True}, "action": {"delay_ms": 500}}])
    sids = [accepted(submit(tok, qid)) for _ in range(20)]
    with open(os.path.join(VAR, "run", "redis.pid")) as f:
        os.kill(int(f.read().strip()), 9)
    time.sleep(0.5)
    run(["bash", "scripts/stack", "up"])
    FAKE.set_rules([])
    for sid in sids:
        eq(wait_done(sid, timeout=120)[1:4], ["2", "2", "2"], f"submission {sid}")
    eq(psql(f"SELECT count(*) FROM submission_results sr JOIN submissions s ON s.id = sr.submission_id"
            f" WHERE s.user_id = {uid}"), "40", "every result stored once")


def test_maximum_output_is_scored_without_the_reaper():
    """A program may print max_file_size (1024 KB, sent with every item):
    its callback (about 1.4 MB of base64) fits the callback limit derived
    from it, so the result arrives by callback, not by the reaper."""
    FAKE.reset()
    big = "y" * (1024 * 1024)
    qid, tids = make_question(S["round"], [("big\n", "-"), ("big2\n", "-")])
    psql(f"UPDATE testcases SET expected_output = repeat('y', {len(big)})"
         f" WHERE id IN ({tids[0]}, {tids[1]})")
    redis("DEL", f"pitwall:q:{qid}")
    FAKE.set_rules([{"match": {"stdin_prefix": "big"}, "action": {"stdout": big}}])
    sid = accepted(submit(S["tok"], qid))
    eq(wait_done(sid, timeout=60)[1:4], ["2", "2", "2"], "both testcases accepted")
    sent = [i for post in batch_posts_for(sid) for i in post]
    eq([i.get("max_file_size") for i in sent], [1024, 1024], "max_file_size sent")
    cbs = [e for e in FAKE.callbacks() if sid in e.get("url", "")]
    eq(sorted(e["status"] for e in cbs), [204, 204], "callbacks delivered")
    tokens = {e["token"] for e in cbs}
    eq(len(tokens), 2, "two tokens")
    polls = [e for e in FAKE.requests("GET", "/submissions/batch")
             if any(t in json.dumps(e.get("query")) for t in tokens)]
    eq(polls, [], "no reaper poll for these tokens")
    FAKE.reset()


def test_recomputed_scores_equal_incremental_scores():
    mismatches = psql("""
        WITH pts AS (
          SELECT s.id, q.points AS qpoints,
                 sum(t.points) FILTER (WHERE sr.passed) AS got, sum(t.points) AS total
          FROM submissions s JOIN questions q ON q.id = s.question_id
          JOIN submission_results sr ON sr.submission_id = s.id
          JOIN testcases t ON t.id = sr.testcase_id
          WHERE s.status = 'done'
          AND NOT (q.problem_type = 'scoring' AND q.id IN (SELECT question_id FROM testcase_groups))
          GROUP BY s.id, q.points)
        SELECT count(*) FROM pts JOIN submissions s ON s.id = pts.id
        WHERE round(pts.qpoints * coalesce(pts.got, 0)::numeric / nullif(pts.total, 0), 4) <> s.score""")
    eq(mismatches, "0", "submissions whose score differs from the recomputation")
    best = psql("""
        SELECT count(*) FROM (
          SELECT user_id, question_id, max(score) AS m FROM submissions WHERE status = 'done'
          GROUP BY user_id, question_id) x
        LEFT JOIN best_scores b USING (user_id, question_id)
        WHERE b.score IS DISTINCT FROM x.m""")
    eq(best, "0", "best scores that differ from the recomputation")
    assert int(psql("SELECT count(*) FROM submissions WHERE status = 'done'")) > 50


def submit_key(tok, qid, key, source="print(input())", lang=71):
    return http("POST", URL + "/submit", body={"question_id": qid, "language_id": lang,
                                              "source_code": source},
                headers=dict(auth(tok), **{"Idempotency-Key": key}))


def test_idempotency_key_makes_a_retry_safe():
    FAKE.reset()
    uid = make_user()
    tok = jwt(uid)
    key = f"retry-{time.time_ns()}"
    r1 = submit_key(tok, S["q3"], key)
    sid = accepted(r1)
    assert "Idempotent-Replayed" not in r1.headers, r1.headers
    r2 = submit_key(tok, S["q3"], key)
    eq(accepted(r2), sid, "a retry with the same key gets the same submission")
    eq(r2.headers.get("Idempotent-Replayed"), "true", "the retry's 202 says it is replayed")
    wait_done(sid)
    eq(len(batch_posts_for(sid)), 1, "the testcases were sent to Judge0 once")
    eq(psql(f"SELECT count(*) FROM submissions WHERE user_id = {uid}"), "1",
       "one submission in PostgreSQL")
    # After it is judged a retry still gets it.
    eq(accepted(submit_key(tok, S["q3"], key)), sid, "a retry after judging")
    # The same key for other contents is refused, and makes nothing.
    r = submit_key(tok, S["q3"], key, source="print(1)")
    eq(r.status, 422, f"another source under the key: {r!r}")
    eq(r.json()["error"], "idempotency_key_reused", "code")
    r = submit_key(tok, S["q3"], key, lang=50)
    eq(r.status, 422, "another language under the key")
    # Keys are per user: another contestant's same key is their own.
    other = make_user()
    sid_o = accepted(submit_key(jwt(other), S["q3"], key))
    assert sid_o != sid, "another user's key made their own submission"
    # Without a key two submits are two submissions, as before.
    a, b = accepted(submit(tok, S["q3"])), accepted(submit(tok, S["q3"]))
    assert a != b
    wait_done(a), wait_done(b), wait_done(sid_o)
    eq(psql(f"SELECT count(*) FROM submissions WHERE user_id = {uid}"), "3", "three in all")


def test_bad_idempotency_keys_are_refused():
    uid = make_user()
    before = redis("ZCARD", f"pitwall:user:{uid}:subs")
    for key in ("", "x" * 65, "has space", "semi;colon", "sl/ash"):
        r = submit_key(jwt(uid), S["q3"], key)
        eq(r.status, 400, f"Idempotency-Key {key!r}: {r!r}")
        eq(r.json()["error"], "bad_idempotency_key", f"code for {key!r}")
    eq(redis("ZCARD", f"pitwall:user:{uid}:subs"), before, "nothing stored")
    eq(submit_key(jwt(uid), S["q3"], "A.b_c:d-" + "9" * 56).status, 202, "a 64-character key")


def test_concurrent_retries_with_one_key_make_one_submission():
    from concurrent.futures import ThreadPoolExecutor
    FAKE.reset()
    uid = make_user()
    tok = jwt(uid)
    key = f"burst-{time.time_ns()}"
    with ThreadPoolExecutor(8) as ex:
        replies = list(ex.map(lambda _: submit_key(tok, S["q3"], key), range(8)))
    sids = {accepted(r) for r in replies}
    eq(len(sids), 1, f"8 requests at once with one key: {sids}")
    sid = sids.pop()
    wait_done(sid)
    eq(psql(f"SELECT count(*) FROM submissions WHERE user_id = {uid}"), "1",
       "one submission in PostgreSQL")
    eq(len(batch_posts_for(sid)), 1, "sent to Judge0 once")
    eq(sum(r.headers.get("Idempotent-Replayed") == "true" for r in replies), 7,
       "seven answers are replays")


def test_a_retry_after_the_round_closed_gets_its_submission():
    rid = make_round(starts_in=-60, ends_in=3)
    q, _ = make_question(rid, [("1\n", "1\n")])
    tok = jwt(make_user())
    key = f"late-{time.time_ns()}"
    sid = accepted(submit_key(tok, q, key))
    time.sleep(4)
    eq(submit(tok, q).status, 409, "the round is over")
    eq(accepted(submit_key(tok, q, key)), sid, "the retry of what was accepted in time")
