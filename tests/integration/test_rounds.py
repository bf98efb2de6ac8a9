"""Contest rules over HTTP: round window edges on /submit (one second
before/after start and end, admins exempt), admin round changes seen at
once, results arriving after the end still scored, rejudge after a
testcase fix (scored once, can go down), leaderboard order and ties."""
import json
import os
import secrets
import time

from client import FakeJudge0
from contest import auth, jwt, make_question, make_round, make_user, results, submit, wait_done
from pw import BIN, ENV, URL, eq, get, http, post, psql, redis, run, wait_for

FAKE = FakeJudge0(os.environ.get("PITWALL_FAKE_JUDGE0_URL", ENV.get("JUDGE0_URL", "")))
S = {}


def admin_hdr():
    return auth(jwt(S["admin"], role="admin"))


def setup_module():
    FAKE.reset()
    S["admin"] = make_user(role="admin")
    S["uid"] = make_user()


def set_window(rid, at, start_s, end_s):
    """Window relative to the whole second `at` (epoch seconds; the server
    compares whole seconds), caches dropped as an admin change would."""
    psql(f"UPDATE rounds SET starts_at = to_timestamp({at + start_s}),"
         f" ends_at = to_timestamp({at + end_s}) WHERE id = {rid}")
    qids = psql(f"SELECT id FROM questions WHERE round_id = {rid}").split()
    redis("DEL", "pitwall:rounds", *[f"pitwall:q:{q}" for q in qids])


def submit_at_edge(rid, qid, start_s, end_s, tok):
    """Set the window around a second a little ahead, then submit within
    that second: only the submit has to fit in it, so a loaded machine
    (slow psql and redis-cli) still tests the one-second edges; tried
    again when even the submit was too slow."""
    for _ in range(10):
        at = int(time.time()) + 2
        set_window(rid, at, start_s, end_s)
        if time.time() >= at:
            continue
        time.sleep(at - time.time() + 0.01)
        r = submit(tok, qid)
        if int(time.time()) == at:
            return r
    raise AssertionError("the machine is too slow for one-second edges")


def test_round_window_edges():
    rid = make_round()
    qid, _ = make_question(rid, [("1\n", "1\n")])
    tok = jwt(S["uid"])
    r = submit_at_edge(rid, qid, 1, 3600, tok)
    eq((r.status, r.json().get("error")), (409, "round_closed"), "1 s before the start")
    r = submit_at_edge(rid, qid, -1, 3600, tok)
    eq(r.status, 202, "1 s after the start")
    r = submit_at_edge(rid, qid, -3600, 1, tok)
    eq(r.status, 202, "1 s before the end")
    r = submit_at_edge(rid, qid, -3600, -1, tok)
    eq((r.status, r.json().get("error")), (409, "round_closed"), "1 s after the end")
    r = submit_at_edge(rid, qid, -3600, -1, jwt(S["admin"], role="admin"))
    eq(r.status, 202, "admins are exempt")


def test_admin_round_changes_take_effect_at_once():
    rid = make_round()
    slug = psql(f"SELECT slug FROM rounds WHERE id = {rid}")
    qid, _ = make_question(rid, [("1\n", "1\n")])
    tok = jwt(S["uid"])
    eq(submit(tok, qid).status, 202, "open")  # the question is now cached
    r = post(f"/admin/rounds/{slug}/close", headers=admin_hdr())
    eq((r.status, r.json()["state"]), (200, "closed"), "close")
    eq(submit(tok, qid).status, 409, "closed at once")
    r = http("PATCH", URL + f"/admin/rounds/{slug}", body={"extend_minutes": 5}, headers=admin_hdr())
    eq((r.status, r.json()["state"]), (200, "open"), "extended")
    eq(submit(tok, qid).status, 202, "open again at once")
    r = post(f"/admin/rounds/{slug}/open", {"minutes": 30}, headers=admin_hdr())
    eq(r.status, 200, "open")
    got = psql(f"SELECT round(extract(epoch FROM ends_at - starts_at)) FROM rounds WHERE id = {rid}")
    eq(got, "1800", "open for 30 minutes")
    r = http("PUT", URL + f"/admin/rounds/{slug}",
             body={"starts_at": "2020-01-01T00:00:00Z", "ends_at": "2020-01-01T03:00:00Z"},
             headers=admin_hdr())
    eq((r.status, r.json()["state"], r.json()["starts_at"]), (200, "closed", "2020-01-01T00:00:00Z"),
       "window set")
    eq(submit(tok, qid).status, 409, "set window in the past")
    r = post("/admin/rounds", {"slug": "n" + secrets.token_hex(4), "name": "New",
                                "starts_at": None, "minutes": 60}, headers=admin_hdr())
    eq((r.status, r.json()["state"], r.json()["minutes"]), (201, "unscheduled", 60), "create")


def close_api(slug):
    r = post(f"/admin/rounds/{slug}/close", headers=admin_hdr())
    eq(r.status, 200, f"POST /admin/rounds/{slug}/close: {r.body!r}")
    return r.json()["state"]


def close_cli(slug):
    p = run([os.path.join(BIN, "pitwall-admin"), "round", "close", slug])
    assert p.stdout.startswith(f"round {slug} "), p.stdout
    return "already closed" if "already closed" in p.stdout else "closed"


def window(slug):
    """(start < end, end in whole seconds, end <= now, seconds from start to end)."""
    return psql("SELECT starts_at < ends_at, ends_at = date_trunc('second', ends_at),"
                " ends_at <= now(), extract(epoch FROM ends_at - starts_at)::int"
                f" FROM rounds WHERE slug = '{slug}'")


def test_round_close_edges_same_from_cli_and_api():
    """One close (lib/round.c) for pitwall-admin and /admin/rounds: a round
    that never started gets a start one second before its end (it reads
    closed, not unscheduled); one that already ended keeps its end; the end
    is a whole second so a second-precision reader sees it closed at once."""
    for how, close in (("api", close_api), ("cli", close_cli)):
        # Never started: no start, no end.
        rid = make_round(open_=False)
        slug = psql(f"SELECT slug FROM rounds WHERE id = {rid}")
        state = close(slug)
        eq(window(slug), "t|t|t|1", f"{how}: never started: start 1 s before a whole-second end")
        eq(state, "closed", f"{how}: never started is closed now, not already closed")
        eq(get_state(slug), "closed", f"{how}: never started reads closed")
        # Scheduled for later: the start moves to just before the end.
        rid = make_round(starts_in=600, ends_in=3600)
        slug = psql(f"SELECT slug FROM rounds WHERE id = {rid}")
        close(slug)
        eq(window(slug), "t|t|t|1", f"{how}: scheduled round: start 1 s before the end")
        # Open: the start is kept, the end is now in whole seconds.
        rid = make_round(starts_in=-600, ends_in=3600)
        slug = psql(f"SELECT slug FROM rounds WHERE id = {rid}")
        start = psql(f"SELECT starts_at FROM rounds WHERE id = {rid}")
        close(slug)
        eq(psql(f"SELECT starts_at FROM rounds WHERE id = {rid}"), start, f"{how}: open round keeps its start")
        eq(window(slug)[:6], "t|t|t|", f"{how}: open round ends now, whole seconds")
        eq(get_state(slug), "closed", f"{how}: open round reads closed")
        # Already ended, with no start: the end is kept, the start set before it.
        slug = "r" + secrets.token_hex(4)
        psql(f"INSERT INTO rounds (slug, name, ends_at) VALUES ('{slug}', 'Round',"
             " now() - interval '1 hour')")
        end = psql(f"SELECT ends_at FROM rounds WHERE slug = '{slug}'")
        state = close(slug)
        eq(psql(f"SELECT ends_at FROM rounds WHERE slug = '{slug}'"), end, f"{how}: ended round keeps its end")
        eq(window(slug)[:2] + window(slug)[4:], "t|t|1", f"{how}: ended round gets a start 1 s before its end")
        if how == "cli":
            eq(state, "already closed", "cli: says already closed")
        eq(get_state(slug), "closed", f"{how}: ended round reads closed")
        # Already ended, with a start: nothing changes.
        rid = make_round(starts_in=-7200, ends_in=-3600)
        before = psql(f"SELECT starts_at, ends_at FROM rounds WHERE id = {rid}")
        slug = psql(f"SELECT slug FROM rounds WHERE id = {rid}")
        close(slug)
        eq(psql(f"SELECT starts_at, ends_at FROM rounds WHERE id = {rid}"), before, f"{how}: ended round unchanged")
    r = post("/admin/rounds/nope-none/close", headers=admin_hdr())
    eq(r.status, 404, "api: unknown round")
    p = run([os.path.join(BIN, "pitwall-admin"), "round", "close", "nope-none"], check=False)
    eq(p.returncode, 1, "cli: unknown round")


def get_state(slug):
    r = get(f"/admin/rounds/{slug}", headers=admin_hdr())
    eq(r.status, 200, f"GET /admin/rounds/{slug}")
    return r.json()["state"]


def test_result_after_the_end_is_still_scored():
    FAKE.reset()
    rid = make_round(starts_in=-60, ends_in=2)
    qid, _ = make_question(rid, [("late\n", "late\n")])
    FAKE.set_rules([{"match": {"stdin": "late\n"}, "action": {"delay_ms": 4000}}])
    r = submit(jwt(S["uid"]), qid)
    eq(r.status, 202, "accepted before the end")
    sid = r.json()["submission_id"]
    row = wait_done(sid, timeout=60)
    eq(float(row[5]), 100.0, "scored")
    eq(psql(f"SELECT s.finished_at > r.ends_at FROM submissions s, rounds r"
            f" WHERE s.id = '{sid}' AND r.id = {rid}"), "t", "finished after the end")
    eq(psql(f"SELECT score::float8 FROM best_scores WHERE user_id = {S['uid']} AND question_id = {qid}"),
       "100", "best score")
    FAKE.reset()


def lb_score(rid, uid):
    return redis("ZSCORE", f"pitwall:lb:{rid}", uid)


def test_rejudge_after_a_testcase_fix_scores_once_and_can_go_down():
    FAKE.reset()
    rid = make_round()
    qid, tids = make_question(rid, [("a\n", "a\n"), ("b\n", "b\n")])
    uid = make_user()
    tok = jwt(uid)
    sid = submit(tok, qid).json()["submission_id"]
    row = wait_done(sid)
    eq(float(row[5]), 100.0, "first score")
    wait_for(lambda: lb_score(rid, uid) == "100", what="leaderboard 100")
    # The expected output of the hidden testcase was wrong: fix it.
    r = http("PATCH", URL + f"/admin/testcases/{tids[1]}", body={"expected_output": "B\n"},
             headers=admin_hdr())
    eq(r.status, 200, f"fix {r!r}")
    r = post("/admin/rejudge", {"submission_id": sid}, headers=admin_hdr())
    eq((r.status, r.json()["rejudged"]), (202, [sid]), f"rejudge {r!r}")
    # Asking again while it is being judged is refused, not doubled.
    again = post("/admin/rejudge", {"submission_id": sid}, headers=admin_hdr())
    assert again.status in (202, 409), again

    def rescored():
        got = psql(f"SELECT status, score::float8 FROM submissions WHERE id = '{sid}'")
        return got if got == "done|50" else None
    wait_for(rescored, timeout=60, what="the rejudge to finish at 50")
    eq(results(sid), [("0", "AC", "3"), ("1", "WA", "3")], "new verdicts")
    eq(psql(f"SELECT done, passed, failed, total FROM submissions WHERE id = '{sid}'"), "2|1|1|2",
       "counted once")
    eq(psql(f"SELECT score::float8, submission_id FROM best_scores WHERE user_id = {uid}"
            f" AND question_id = {qid}"), f"50|{sid}", "best score went down")
    wait_for(lambda: lb_score(rid, uid) == "50", what="leaderboard 50")
    r = http("GET", URL + f"/submissions/{sid}", headers=auth(tok))
    eq((r.json()["status"], r.json()["passed"], r.json()["score"]), ("done", 1, 50.0), "owner's view")
    # Fix it back and rejudge the whole question: up again, still one row per testcase.
    http("PATCH", URL + f"/admin/testcases/{tids[1]}", body={"expected_output": "b\n"},
         headers=admin_hdr())
    r = post("/admin/rejudge", {"question_id": qid}, headers=admin_hdr())
    eq((r.status, r.json()["rejudged"]), (202, [sid]), f"question rejudge {r!r}")
    wait_for(lambda: psql(f"SELECT status, score::float8 FROM submissions WHERE id = '{sid}'")
             == "done|100", timeout=60, what="the second rejudge")
    eq(psql(f"SELECT count(*) FROM submission_results WHERE submission_id = '{sid}'"), "2", "rows")
    wait_for(lambda: lb_score(rid, uid) == "100", what="leaderboard 100 again")


def test_rejudge_keeps_a_better_other_submission():
    FAKE.reset()
    rid = make_round()
    qid, tids = make_question(rid, [("a\n", "a\n"), ("b\n", "b\n")])
    uid = make_user()
    tok = jwt(uid)
    first = submit(tok, qid, source="print(input()) # 1").json()["submission_id"]
    wait_done(first)
    FAKE.set_rules([{"match": {"stdin": "a\n"}, "action": {"stdout": "nope\n"}}])
    second = submit(tok, qid, source="print(input()) # 2").json()["submission_id"]
    wait_done(second)
    FAKE.reset()
    eq(psql(f"SELECT submission_id FROM best_scores WHERE user_id = {uid} AND question_id = {qid}"),
       first, "best is the first")
    # Rejudging the second (now correct) ties with the first: the earlier one stays best.
    post("/admin/rejudge", {"submission_id": second}, headers=admin_hdr())
    wait_for(lambda: psql(f"SELECT status, score::float8 FROM submissions WHERE id = '{second}'")
             == "done|100", timeout=60, what="rejudge")
    eq(psql(f"SELECT score::float8, submission_id FROM best_scores WHERE user_id = {uid}"
            f" AND question_id = {qid}"), f"100|{first}", "earlier submission keeps the best")


def callback_urls(sid):
    """The signed callback URLs Judge0 (the fake) was given for sid."""
    out = []
    for e in FAKE.requests("POST", "/submissions/batch"):
        for item in (e.get("body") or {}).get("submissions") or []:
            if sid in (item.get("callback_url") or ""):
                out.append(item["callback_url"])
    return out


def test_rejudge_ignores_a_late_result_of_the_earlier_run():
    # A callback of the first run arrives (again) after the rejudge, with
    # an output that would pass now: it must not count as the new result.
    FAKE.reset()
    rid = make_round()
    qid, tids = make_question(rid, [("a\n", "a\n"), ("b\n", "b\n")])
    tok = jwt(make_user())
    sid = submit(tok, qid).json()["submission_id"]
    eq(float(wait_done(sid)[5]), 100.0, "first score")
    old = [u for u in callback_urls(sid) if f"t={tids[1]}&" in u]
    eq(len(old), 1, "the first run's URL of the hidden testcase")
    assert "&a=1&" in old[0], old[0]
    http("PATCH", URL + f"/admin/testcases/{tids[1]}", body={"expected_output": "B\n"},
         headers=admin_hdr())
    # The new run's callbacks are lost: the reaper fetches them later.
    FAKE.set_rules([{"match": {"any": True}, "action": {"callback": "drop"}}])
    r = post("/admin/rejudge", {"submission_id": sid}, headers=admin_hdr())
    eq((r.status, r.json()["rejudged"]), (202, [sid]), f"rejudge {r!r}")
    eq(psql(f"SELECT judging FROM submissions WHERE id = '{sid}'"), "1", "judging counted")
    wait_for(lambda: len(callback_urls(sid)) == 4, what="the rejudge sent to Judge0")
    new = [u for u in callback_urls(sid) if u not in callback_urls(sid)[:2]]
    assert all("&a=1001&" in u for u in new), f"new run's attempts: {new}"
    stale_before = stale_count()
    stale = json.dumps({"token": "stale-token", "status": {"id": 3, "description": "Accepted"},
                        "stdout": "Qgo=\n", "time": "0.01", "memory": 1})
    r = http("PUT", old[0].replace(urlbase(old[0]), ENV["PITWALL_INTERNAL_URL"]), body=stale,
             headers={"Content-Type": "application/json"})
    eq(r.status, 204, "the old signature is still genuine")

    def rescored():
        got = psql(f"SELECT status, score::float8 FROM submissions WHERE id = '{sid}'")
        return got if got == "done|50" else None
    wait_for(rescored, timeout=60, what="the rejudge to finish at 50 (not 100)")
    eq(results(sid), [("0", "AC", "3"), ("1", "WA", "3")], "the new run's verdicts")
    wait_for(lambda: stale_count() > stale_before, timeout=20,
             what="pitwall_stale_results_total to count the ignored result")
    eq(psql(f"SELECT judge_token = 'stale-token' FROM submission_results r"
            f" WHERE submission_id = '{sid}' AND testcase_id = {tids[1]}"), "f", "stale row")
    FAKE.reset()


def stale_count():
    text = http("GET", ENV["PITWALL_INTERNAL_URL"] + "/metrics").body.decode()
    for line in text.splitlines():
        if line.startswith("pitwall_stale_results_total "):
            return float(line.split()[1])
    return 0.0


def urlbase(u):
    return u[:u.index("/callback")]


def test_leaderboard_order_ties_and_bans():
    rid = make_round(starts_in=-60, ends_in=900)
    slug = psql(f"SELECT slug FROM rounds WHERE id = {rid}")
    redis("DEL", "pitwall:rounds")
    names = {}
    rows = [("early", 100, "2025-01-01T10:00:00.000Z"), ("tie-b", 100, "2025-01-01T10:05:00.000Z"),
            ("tie-a", 100, "2025-01-01T10:05:00.000Z"), ("late", 100, "2025-01-01T10:09:00.000Z"),
            ("half", 50, "2025-01-01T09:00:00.000Z"), ("zero", 0, None), ("cheat", 500, "2025-01-01T09:00:00.000Z")]
    for name, score, at in rows:
        uid = make_user(name=f"{name}-{secrets.token_hex(2)}", banned=(name == "cheat"))
        names[name] = psql(f"SELECT name FROM users WHERE id = {uid}")
        redis("ZADD", f"pitwall:lb:{rid}", score, uid)
        redis("HSET", f"pitwall:lb:{rid}:meta", uid,
              json.dumps({"name": names[name], "score": score, "last_improved_at": at}))
    r = http("GET", URL + f"/leaderboard?round={slug}")
    eq(r.status, 200, f"leaderboard {r!r}")
    got = [(e["rank"], e["name"], e["score"], e["last_improved_at"]) for e in r.json()]
    want = [(1, names["early"], 100, rows[0][2]),
            (2, names["tie-a"], 100, rows[2][2]), (2, names["tie-b"], 100, rows[1][2]),
            (4, names["late"], 100, rows[3][2]),
            (5, names["half"], 50, rows[4][2]),
            (6, names["zero"], 0, None)]
    eq(got, want, "ranks: score, then earlier last improvement; equal places share a rank")
    # The round ending first among the open ones is the default.
    eq(http("GET", URL + "/leaderboard").json(), r.json(), "default round")
    eq(http("GET", URL + "/leaderboard?round=no-such").status, 404, "unknown round")


def test_leaderboard_from_real_submissions_matches_rebuild():
    FAKE.reset()
    rid = make_round()
    slug = psql(f"SELECT slug FROM rounds WHERE id = {rid}")
    redis("DEL", "pitwall:rounds")  # made behind the API's back
    qid, _ = make_question(rid, [("x\n", "x\n")])
    a, b = make_user(name="lbA" + secrets.token_hex(2)), make_user(name="lbB" + secrets.token_hex(2))
    sa = submit(jwt(a), qid).json()["submission_id"]
    wait_done(sa)
    sb = submit(jwt(b), qid).json()["submission_id"]
    wait_done(sb)
    board = lambda: [(e["rank"], e["name"], e["score"]) for e in
                     http("GET", URL + f"/leaderboard?round={slug}").json()]
    na = psql(f"SELECT name FROM users WHERE id = {a}")
    nb = psql(f"SELECT name FROM users WHERE id = {b}")
    wait_for(lambda: board() == [(1, na, 100), (2, nb, 100)], what="A first (earlier), then B")
    before = http("GET", URL + f"/leaderboard?round={slug}").json()
    from pw import BIN, run
    run([os.path.join(BIN, "pitwall-admin"), "leaderboard", "rebuild"])
    eq(http("GET", URL + f"/leaderboard?round={slug}").json(), before, "same after rebuild")


def test_rebuild_keeps_the_order_of_a_tie_after_a_zero():
    """A and B tie on one question, A first; then A scores 0 on another
    question of the round.  That zero raised nothing, so A keeps the tie
    (last_improved_at of scoring rows only), in the worker's board and
    after `leaderboard rebuild` alike (sql/004_leaderboard_entry.sql)."""
    FAKE.reset()
    rid = make_round()
    slug = psql(f"SELECT slug FROM rounds WHERE id = {rid}")
    redis("DEL", "pitwall:rounds")  # made behind the API's back
    q1, _ = make_question(rid, [("x\n", "x\n")])
    q2, _ = make_question(rid, [("y\n", "y\n")])
    a, b = make_user(name="tieA" + secrets.token_hex(2)), make_user(name="tieB" + secrets.token_hex(2))
    na = psql(f"SELECT name FROM users WHERE id = {a}")
    nb = psql(f"SELECT name FROM users WHERE id = {b}")
    wait_done(submit(jwt(a), q1).json()["submission_id"])
    time.sleep(0.05)  # distinct achieved_at times
    wait_done(submit(jwt(b), q1).json()["submission_id"])
    time.sleep(0.05)
    zero = submit(jwt(a), q2, source="print(input())  #fake: status=4").json()["submission_id"]
    eq(wait_done(zero)[5], "0.0000", "A's wrong answer scores 0")
    eq(psql(f"SELECT count(*) FROM best_scores WHERE user_id = {a}"), "2", "A has a zero row")

    def board():
        return [(e["rank"], e["name"], e["score"], e["last_improved_at"]) for e in
                http("GET", URL + f"/leaderboard?round={slug}").json()]
    wait_for(lambda: [r[1] for r in board()] == [na, nb] and len(set(r[3] for r in board())) == 2,
             what="A first, then B (the zero changes nothing)")
    before = board()
    eq([r[0] for r in before], [1, 2], "no shared rank: A improved first")
    from pw import BIN, run
    run([os.path.join(BIN, "pitwall-admin"), "leaderboard", "rebuild"])
    eq(board(), before, "same order and times after rebuild")
