"""GET /submissions (the caller's own list: newest first, ?question_id,
?limit, submissions the worker has not written to PostgreSQL yet) and
GET /languages (the enabled languages, and what an organizer's change
does to it)."""
import os
import re
import signal
import time

from client import FakeJudge0
from contest import auth, jwt, make_question, make_round, make_user, submit, wait_done
from pw import BIN, ENV, URL, VAR, eq, http, psql, redis, run, wait_for

FAKE = FakeJudge0(os.environ.get("PITWALL_FAKE_JUDGE0_URL", ENV.get("JUDGE0_URL", "")))
ADMIN = os.path.join(BIN, "pitwall-admin")
S = {}
FIELDS = {"id", "question_id", "question", "language_id", "status", "total", "done", "passed",
          "failed", "score", "verdict", "max_time_ms", "max_memory_kb", "created_at", "finished_at"}
TS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


def mine(tok, query=""):
    return http("GET", URL + "/submissions" + query, headers=auth(tok) if tok else {})


def ids(r):
    eq(r.status, 200, f"GET /submissions {r!r}")
    return [s["id"] for s in r.json()]


def accepted(r):
    eq(r.status, 202, f"submit {r!r}")
    return r.json()["submission_id"]


def setup_module():
    FAKE.reset()
    S["round"] = make_round()
    S["a"], S["b"] = make_user(), make_user()
    S["ta"], S["tb"] = jwt(S["a"]), jwt(S["b"])
    # Echo judge: input == expected output passes; the hidden testcase too.
    S["q1"], _ = make_question(S["round"], [("s1\n", "s1\n"), ("HIDDEN-LIST-IN\n", "HIDDEN-LIST-IN\n", 1, False)])
    S["q2"], _ = make_question(S["round"], [("s2\n", "s2\n")])
    S["q1_slug"] = psql(f"SELECT slug FROM questions WHERE id = {S['q1']}")
    S["q2_slug"] = psql(f"SELECT slug FROM questions WHERE id = {S['q2']}")
    # A's three, oldest first, a little apart so created_at orders them.
    S["subs"] = []
    for qid, src in ((S["q1"], "print(input()) # A1"), (S["q2"], "print(input()) # A2"),
                     (S["q1"], "print(input()) # A3")):
        S["subs"].append(accepted(submit(S["ta"], qid, source=src)))
        time.sleep(0.02)
    S["b_sub"] = accepted(submit(S["tb"], S["q1"], source="print(input()) # B-SECRET"))
    for sid in S["subs"] + [S["b_sub"]]:
        wait_done(sid)


def test_own_list_newest_first_without_sources_or_hidden_data():
    a1, a2, a3 = S["subs"]
    r = mine(S["ta"])
    eq(ids(r), [a3, a2, a1], "A's submissions, newest first")
    eq(r.headers.get("Content-Type"), "application/json", "content type")
    text = r.body.decode()
    for leak in (S["b_sub"], "B-SECRET", "# A1", "HIDDEN-LIST-IN", "source", "results"):
        assert leak not in text, f"{leak!r} in {text[:300]}"
    rows = r.json()
    for s in rows:
        eq(set(s), FIELDS, "fields")
        eq((s["language_id"], s["status"], s["total"], s["done"], s["passed"], s["failed"]),
           (71, "done", s["total"], s["total"], s["total"], 0), "counters")
        eq(s["score"], 100.0, "score")
        assert TS.match(s["created_at"]) and TS.match(s["finished_at"]), s
        assert isinstance(s["max_time_ms"], int) and isinstance(s["max_memory_kb"], int), s
    eq([(s["question_id"], s["question"], s["total"]) for s in rows],
       [(S["q1"], S["q1_slug"], 2), (S["q2"], S["q2_slug"], 1), (S["q1"], S["q1_slug"], 2)],
       "question ids and slugs")
    created = [s["created_at"] for s in rows]
    eq(created, sorted(created, reverse=True), "created_at descending")
    # B sees only B's; a user with none gets [].
    eq(ids(mine(S["tb"])), [S["b_sub"]], "B's list")
    eq(ids(mine(jwt(make_user()))), [], "a new user's list")


def test_question_filter():
    a1, a2, a3 = S["subs"]
    eq(ids(mine(S["ta"], f"?question_id={S['q1']}")), [a3, a1], "q1")
    eq(ids(mine(S["ta"], f"?question_id={S['q2']}")), [a2], "q2")
    eq(ids(mine(S["tb"], f"?question_id={S['q2']}")), [], "B has none on q2")
    eq(ids(mine(S["ta"], "?question_id=987654321")), [], "unknown question: empty, not 404")


def test_limit_bounds():
    a1, a2, a3 = S["subs"]
    eq(ids(mine(S["ta"], "?limit=1")), [a3], "limit 1")
    eq(ids(mine(S["ta"], "?limit=2")), [a3, a2], "limit 2")
    eq(ids(mine(S["ta"], "?limit=200")), [a3, a2, a1], "limit 200 (the maximum)")
    eq(ids(mine(S["ta"], f"?limit=1&question_id={S['q1']}")), [a3], "limit with filter")
    eq(ids(mine(S["ta"], f"?question_id={S['q1']}&limit=%32")), [a3, a1], "percent-encoded")


def test_default_limit_is_50():
    uid = make_user()
    tok = jwt(uid)
    # 55 rows straight into PostgreSQL, one minute apart, still judging:
    # finished ones without results and best scores would break the
    # invariants other tests check over the whole database.
    psql(f"INSERT INTO submissions (id, user_id, question_id, language_id, source, total,"
         f" created_at, status)"
         f" SELECT gen_random_uuid(), {uid}, {S['q2']}, 71, 'x', 1,"
         f"  now() - make_interval(mins => g), 'judging'"
         f" FROM generate_series(1, 55) g")
    rows = mine(tok).json()
    eq(len(rows), 50, "default limit")
    want = psql(f"SELECT id FROM submissions WHERE user_id = {uid}"
                f" ORDER BY created_at DESC LIMIT 50").split("\n")
    eq([s["id"] for s in rows], want, "the 50 newest, newest first")
    eq(len(mine(tok, "?limit=200").json()), 55, "all with limit=200")


def test_bad_parameters_are_400_json():
    bad = ["?limit=0", "?limit=201", "?limit=-1", "?limit=abc", "?limit=", "?limit",
           "?limit=1.5", "?limit=%zz", "?limit=99999999999999999999", "?limit=+5",
           "?question_id=0", "?question_id=-3", "?question_id=x", "?question_id=",
           "?question_id=1e3", "?question_id=%00", "?limit=10&question_id=q"]
    wrong = []
    for q in bad:
        r = mine(S["ta"], q)
        try:
            e = r.json()
            ok = r.status == 400 and e.get("error") == "bad_request" and e.get("message")
        except ValueError:
            ok = False
        if not ok:
            wrong.append(f"{q}: {r!r}")
    assert not wrong, "\n".join(wrong)


def test_no_or_bad_token_is_401():
    r = mine(None)
    eq(r.status, 401, "no token")
    eq(set(r.json()) >= {"error", "message"}, True, "error shape")
    eq(mine(jwt(S["a"], exp_in=-10)).status, 401, "expired token")
    eq(mine(None, "?limit=0").status, 401, "no token with bad parameters: 401 first")
    eq(http("POST", URL + "/submissions", body={}, headers=auth(S["ta"])).status, 405, "POST")


def worker_pid():
    with open(os.path.join(VAR, "run", "worker.pid")) as f:
        return int(f.read().split()[0])


def test_submissions_not_yet_in_postgresql_are_listed():
    """With the worker paused, /submit's submissions are only in Redis."""
    uid = make_user()
    tok = jwt(uid)
    old = accepted(submit(tok, S["q2"]))
    wait_done(old)
    pid = worker_pid()
    os.kill(pid, signal.SIGSTOP)
    try:
        new1 = accepted(submit(tok, S["q1"]))
        time.sleep(0.02)
        new2 = accepted(submit(tok, S["q2"]))
        eq(psql(f"SELECT count(*) FROM submissions WHERE id IN ('{new1}', '{new2}')"), "0",
           "not in PostgreSQL while the worker is stopped")
        rows = mine(tok).json()
        eq([s["id"] for s in rows], [new2, new1, old], "Redis ones first, newest first")
        s = rows[1]
        eq(set(s), FIELDS, "fields of a Redis-only row")
        eq((s["question_id"], s["question"], s["language_id"], s["status"], s["total"],
            s["done"], s["score"], s["finished_at"]),
           (S["q1"], S["q1_slug"], 71, "judging", 2, 0, None, None), "Redis-only row")
        assert TS.match(s["created_at"]), s
        eq(ids(mine(tok, "?limit=1")), [new2], "limit counts Redis-only rows")
        eq(ids(mine(tok, "?limit=2")), [new2, new1], "limit 2")
        eq(ids(mine(tok, f"?question_id={S['q2']}")), [new2, old], "filter applies to them")
        eq(ids(mine(tok, f"?question_id={S['q1']}")), [new1], "filter q1")
        eq(ids(mine(S["tb"])), [S["b_sub"]], "not in another user's list")
    finally:
        os.kill(pid, signal.SIGCONT)
    wait_done(new1)
    wait_done(new2)
    rows = mine(tok).json()
    eq([s["id"] for s in rows], [new2, new1, old], "same order from PostgreSQL")
    eq([s["status"] for s in rows], ["done"] * 3, "finished")
    assert all(s["finished_at"] for s in rows), rows


def test_redis_list_is_bounded():
    key = f"pitwall:user:{S['a']}:subs"
    assert 0 < int(redis("ZCARD", key)) <= 200, redis("ZCARD", key)
    ttl = int(redis("TTL", key))
    assert 0 < ttl <= 7 * 24 * 3600, ttl


# ---- GET /languages -----------------------------------------------------------

def db_enabled():
    rows = psql("SELECT judge0_id, name FROM languages WHERE enabled").split("\n")
    out = [{"id": int(r.split("|", 1)[0]), "name": r.split("|", 1)[1]} for r in rows if r]
    return sorted(out, key=lambda l: (l["name"].encode(), l["id"]))


def languages(tok=None):
    r = http("GET", URL + "/languages", headers=auth(tok) if tok else {})
    eq(r.status, 200, f"GET /languages {r!r}")
    return r.json()


def admin(*args, check=True):
    return run([ADMIN, *map(str, args)], check=check)


def test_languages_match_the_enabled_ones_in_the_database():
    got = languages()
    eq(got, db_enabled(), "enabled languages ordered by name")
    assert all(set(l) == {"id", "name"} for l in got), got
    assert 43 not in [l["id"] for l in got], "Plain Text is disabled in sql/002_languages.sql"
    eq(languages(S["ta"]), got, "same with a token")
    eq(http("GET", URL + "/languages", headers=auth(jwt(S["a"], exp_in=-10))).status, 401,
       "a token that is sent must be valid")


def test_organizer_disables_and_enables_a_language():
    assert 62 in [l["id"] for l in languages()], "Java enabled to start with"
    try:
        p = admin("language", "disable", 62)
        assert "disabled" in p.stdout, p.stdout
        ids_now = [l["id"] for l in languages()]
        assert 62 not in ids_now, f"Java still listed at once after disable: {ids_now}"
        eq(languages(), db_enabled(), "matches the database")
        r = submit(S["ta"], S["q1"], lang=62)
        eq(r.status, 422, f"/submit agrees with the list {r!r}")
        assert "62" in admin("language", "list").stdout
        admin("language", "enable", 62)
        assert 62 in [l["id"] for l in languages()], "Java back at once"
        eq(admin("language", "disable", 999999, check=False).returncode, 1, "unknown language")
        eq(admin("language", "disable", "x", check=False).returncode, 64, "usage")
    finally:
        psql("UPDATE languages SET enabled = true WHERE judge0_id = 62")
        redis("DEL", "pitwall:languages")


def test_a_change_made_in_sql_shows_when_the_cache_goes():
    """Raw SQL bypasses pitwall-admin: the list follows once the cached
    copy expires (CACHE_TTL), as /submit does; here the expiry is forced."""
    before = languages()
    try:
        psql("UPDATE languages SET enabled = false WHERE judge0_id = 54")
        eq(languages(), before, "cached copy until it expires")
        redis("DEL", "pitwall:languages")
        after = languages()
        assert 54 not in [l["id"] for l in after], after
        eq(after, db_enabled(), "matches the database")
    finally:
        psql("UPDATE languages SET enabled = true WHERE judge0_id = 54")
        redis("DEL", "pitwall:languages")
