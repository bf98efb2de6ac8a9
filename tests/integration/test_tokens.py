"""Judge0 tokens as the worker uses them (issue 15): a callback's result
is bound to the token dispatch recorded for its (submission, testcase,
attempt) (worker/bind.c), and workers claim overdue tokens, so each is
polled by one worker (worker/reaper.c)."""
import json
import os
import subprocess
import time
import urllib.parse

from client import FakeJudge0
from contest import jwt, make_question, make_round, make_user, results, submit, wait_done
from pw import BIN, ENV, INTERNAL, VAR, eq, http, psql, redis, wait_for

FAKE = FakeJudge0(os.environ.get("PITWALL_FAKE_JUDGE0_URL", ENV.get("JUDGE0_URL", "")))
S = {}


def setup_module():
    FAKE.reset()
    S["round"] = make_round()
    S["tok"] = jwt(make_user())


def accepted(r):
    eq(r.status, 202, f"submit reply {r!r}")
    return r.json()["submission_id"]


def fake_subs(sid):
    """The fake's submissions of sid: testcase id -> (token, internal callback URL)."""
    out = {}
    for s in FAKE.submissions():
        u = s.get("callback_url") or ""
        if sid not in u:
            continue
        q = urllib.parse.parse_qs(urllib.parse.urlparse(u).query)
        out[int(q["t"][0])] = (s["token"], u.replace(ENV["CALLBACK_BASE_URL"], INTERNAL))
    return out


def dead_letters(marker):
    out = []
    for raw in redis("LRANGE", "pitwall:dead", "0", "-1").splitlines():
        if marker in raw:
            out.append(json.loads(raw))
    return out


def test_replayed_callback_url_with_a_forged_body_is_dead_lettered():
    FAKE.reset()
    qid, tids = make_question(S["round"], [("fa\n", "fa\n"), ("fb\n", "fb\n"), ("fc\n", "fc\n")])
    # The genuine result of fb is wrong; fb's and fc's come late (9 s), so
    # the forged ones below arrive while they wait for their results.
    FAKE.set_rules([{"match": {"stdin": "fb\n"}, "action": {"stdout": "nope\n", "delay_ms": 9000}},
                    {"match": {"stdin": "fc\n"}, "action": {"delay_ms": 9000}}])
    sid = accepted(submit(S["tok"], qid))
    subs = wait_for(lambda: (lambda d: d if len(d) == 3 else None)(fake_subs(sid)), what="dispatch")
    tok_b, url_b = subs[tids[1]]
    tok_c, _ = subs[tids[2]]
    wait_for(lambda: psql(f"SELECT count(*) FROM submission_results WHERE submission_id = '{sid}'")
             == "1", what="fa's genuine result")
    marker = "Zm9yZ2Vk"   # base64 "forged": what a third party claims fb printed
    forged = {"status": {"id": 3, "description": "Accepted"}, "stdout": "ZmIK",
              "stderr": marker, "time": "0.01", "memory": 1}
    hdr = {"Content-Type": "application/json"}
    # fb's signed URL replayed with: the token of another testcase (still
    # recorded), a made-up one.
    for token in (tok_c, "00000000-0000-4000-8000-00000000f0f0"):
        r = http("PUT", url_b, body=json.dumps({**forged, "token": token}).encode(), headers=hdr)
        eq(r.status, 204, "the signature is genuine: queued")
    wait_for(lambda: len(dead_letters(marker)) >= 1, timeout=4,
             what="the body with another testcase's token dead-lettered")
    # The made-up token may be a callback that outran its dispatch: it waits
    # up to JUDGE0_DEADLINE, then goes to the dead letters too.
    wait_for(lambda: len(dead_letters(marker)) == 2, timeout=20,
             what="the body with an unknown token dead-lettered")
    for d in dead_letters(marker):
        assert "not the one recorded" in d["reason"], d
    eq(psql(f"SELECT count(*) FROM submission_results WHERE submission_id = '{sid}'"), "1",
       "nothing stored from the forged bodies")
    # The genuine result still counts.
    row = wait_done(sid, timeout=60)
    eq(row[1:5], ["3", "3", "2", "1"], "done/total/passed/failed")
    eq(results(sid), [("0", "AC", "3"), ("1", "WA", "3"), ("2", "AC", "3")],
       "verdicts: fb's genuine WA")
    # A copy of fb's genuine callback after its token was forgotten: counts once.
    eq(redis("HEXISTS", "pitwall:tokens", tok_b), "0", "fb's token forgotten once stored")
    dead = int(redis("LLEN", "pitwall:dead"))
    genuine = {"token": tok_b, "status": {"id": 3, "description": "Accepted"},
               "stdout": "bm9wZQo=", "time": "0.01", "memory": 1}
    eq(http("PUT", url_b, body=json.dumps(genuine).encode(), headers=hdr).status, 204, "duplicate")
    time.sleep(1.5)
    eq(psql(f"SELECT count(*), sum(CASE WHEN passed THEN 1 ELSE 0 END) FROM submission_results"
            f" WHERE submission_id = '{sid}'"), "3|2", "rows after the duplicate")
    eq(psql(f"SELECT done, passed FROM submissions WHERE id = '{sid}'"), "3|2", "counters")
    eq(int(redis("LLEN", "pitwall:dead")), dead, "a duplicate is not a dead letter")
    FAKE.reset()


def test_unknown_token_for_a_testcase_redis_forgot_is_kept_as_a_dead_letter():
    FAKE.reset()
    qid, tids = make_question(S["round"], [("lost\n", "lost\n")])
    FAKE.set_rules([{"match": {"any": True}, "action": {"callback": "drop", "stuck": 1}}])
    sid = accepted(submit(S["tok"], qid))
    subs = wait_for(lambda: fake_subs(sid), what="dispatch")
    _, url = subs[tids[0]]
    # Redis lost the pending set: no result stored, none pending.
    redis("DEL", f"pitwall:sub:{sid}:pending")
    marker = "bG9zdC1yZWNvcmQ="
    body = {"token": "00000000-0000-4000-8000-0000000010f7", "stderr": marker,
            "status": {"id": 3, "description": "Accepted"}, "stdout": "bG9zdAo=",
            "time": "0.01", "memory": 1}
    eq(http("PUT", url, body=json.dumps(body).encode(),
            headers={"Content-Type": "application/json"}).status, 204, "queued")
    wait_for(lambda: dead_letters(marker), timeout=10, what="the dead letter")
    eq(psql(f"SELECT count(*) FROM submission_results WHERE submission_id = '{sid}'"), "0",
       "nothing stored")
    FAKE.reset()


def start_worker(wid):
    env = {**os.environ, **ENV, "WORKER_ID": wid,
           "PITWALL_LOG_FILE": os.path.join(VAR, "log", f"worker-{wid}.log")}
    return subprocess.Popen([os.path.join(BIN, "pitwall-worker")], env=env, cwd=VAR,
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)


def polled_tokens():
    out = []
    for e in FAKE.requests("GET", "/submissions/batch"):
        out += [t for t in ((e.get("query") or {}).get("tokens") or "").split(",") if t]
    return out


def test_two_workers_poll_each_overdue_token_once():
    FAKE.reset()
    n = 30   # more than one poll's 20, so both workers have some
    qid, _ = make_question(S["round"], [(f"r{i}\n", f"r{i}\n") for i in range(n)])
    FAKE.set_rules([{"match": {"any": True}, "action": {"callback": "drop"}}])
    # Each poll takes 1.5 s: longer than a reaper interval (1 s), so a
    # worker that did not claim its tokens would poll them again.
    FAKE.mode(hold_ms=1500, methods=["GET"])
    second = start_worker("test-tokens-second")
    try:
        wait_for(lambda: redis("EXISTS", "pitwall:worker:test-tokens-second") == "1",
                 what="the second worker's heartbeat")
        sid = accepted(submit(S["tok"], qid))
        wait_for(lambda: len(fake_subs(sid)) == n, what="dispatch")
        tokens = {t for t, _ in fake_subs(sid).values()}
        row = wait_done(sid, timeout=90)
        eq(row[1:4], [str(n), str(n), str(n)], "every testcase recovered by the reaper")
        mine = [t for t in polled_tokens() if t in tokens]
        eq(sorted(set(mine)), sorted(tokens), "every overdue token polled")
        twice = sorted({t for t in mine if mine.count(t) > 1})
        eq(twice, [], f"tokens polled more than once (of {len(mine)} polls)")
        log = open(os.path.join(VAR, "log", "worker-test-tokens-second.log"), errors="replace").read()
        assert "started" in log, log[-500:]
    finally:
        FAKE.mode(hold_ms=0, methods=None)
        second.terminate()
        second.wait(timeout=30)
        FAKE.reset()
