"""Clarifications and announcements (issue 16.3): a contestant asks, the
jury answers privately or to everyone, or announces.  Privacy first:
contestant B never sees A's private question or answer, in the list, by
id, by polling or on B's live channel; a public answer and an
announcement reach everyone.  Also the rate limit, input checks and the
admin-only routes."""
import time

from contest import auth, jwt, live_messages, make_question, make_round, make_user
from pw import ENV, URL, eq, http, psql

S = {}
RATE = int(ENV.get("CLAR_RATE_PER_MIN", "5"))


def setup_module():
    S["round"] = make_round()
    S["future"] = make_round(starts_in=3600, ends_in=7200)
    S["q"], _ = make_question(S["round"], [("1\n", "1\n")])
    S["fq"], _ = make_question(S["future"], [("1\n", "1\n")])
    S["a"], S["b"] = make_user(), make_user()
    S["ta"], S["tb"] = jwt(S["a"]), jwt(S["b"])
    S["admin"] = make_user(role="admin")
    S["tadm"] = jwt(S["admin"], role="admin")


def ask(tok, body):
    return http("POST", URL + "/clarifications", body=body, headers=auth(tok))


def listing(tok, since=None, admin=False):
    path = ("/admin" if admin else "") + "/clarifications" + (f"?since={since}" if since is not None else "")
    r = http("GET", URL + path, headers=auth(tok))
    eq(r.status, 200, f"GET {path}: {r!r}")
    return r.json()


def answer(cid, text, public=False):
    r = http("POST", URL + f"/admin/clarifications/{cid}/answer",
             body={"answer": text, "public": public}, headers=auth(S["tadm"]))
    eq(r.status, 200, f"answer {cid}: {r!r}")
    return r.json()


def error_shape(r, status, what):
    eq(r.status, status, f"{what}: {r!r}")
    eq(sorted(r.json()), ["error", "message"], f"{what}: JSON error shape")


def ids(rows):
    return {c["id"] for c in rows}


def test_contestant_asks_and_sees_only_their_own():
    r = ask(S["ta"], {"question_id": S["q"], "text": "A-PRIVATE-QUESTION: is n < 10?"})
    eq(r.status, 201, f"ask {r!r}")
    c = r.json()
    eq((c["kind"], c["question_id"], c["mine"], c["public"], c["answer"]),
       ("question", S["q"], True, False, None), "the new clarification")
    assert "user_id" not in c and "user_name" not in c, c
    S["private"] = c["id"]
    r = ask(S["ta"], {"text": "A-GENERAL-QUESTION: may I use C++20?"})
    eq(r.status, 201, f"general question {r!r}")
    eq(r.json()["question_id"], None, "a general question")
    S["general"] = r.json()["id"]
    mine = listing(S["ta"])
    assert {S["private"], S["general"]} <= ids(mine), mine
    theirs = listing(S["tb"])
    assert not ids(theirs) & {S["private"], S["general"]}, f"B sees A's questions: {theirs}"
    assert "A-PRIVATE" not in str(theirs)
    error_shape(http("GET", URL + f"/clarifications/{S['private']}", headers=auth(S["tb"])), 404,
                "B reads A's question by id")
    r = http("GET", URL + f"/clarifications/{S['private']}", headers=auth(S["ta"]))
    eq(r.status, 200, "A reads their own by id")
    jury = {c["id"]: c for c in listing(S["tadm"], admin=True)}
    eq((jury[S["private"]]["user_id"], jury[S["private"]]["answer"]), (S["a"], None),
       "the jury sees who asked")


def test_private_answer_reaches_the_asker_only():
    before = max(c["seq"] for c in listing(S["ta"]))
    c = answer(S["private"], "A-PRIVATE-ANSWER: yes", public=False)
    eq((c["answer"], c["public"], c["answered_by"]), ("A-PRIVATE-ANSWER: yes", False, S["admin"]),
       "answered privately")
    assert c["seq"] > before, "an answer moves the row's seq"
    polled = listing(S["ta"], since=before)
    eq([x["id"] for x in polled], [S["private"]], "polling since the last seq gives the answer")
    eq(polled[0]["answer"], "A-PRIVATE-ANSWER: yes", "the answer")
    eq(listing(S["ta"], since=polled[0]["seq"]), [], "nothing changed since")
    assert S["private"] not in ids(listing(S["tb"], since=0)), "B polls A's private answer"
    error_shape(http("GET", URL + f"/clarifications/{S['private']}", headers=auth(S["tb"])), 404,
                "B reads A's answered question by id")


def test_public_answer_and_announcement_reach_everyone():
    c = answer(S["general"], "GENERAL-ANSWER: yes, C++20", public=True)
    eq(c["public"], True, "answered to everyone")
    r = http("POST", URL + "/admin/clarifications", body={"text": "ANNOUNCEMENT: problem B fixed",
                                                          "question_id": S["q"]},
             headers=auth(S["tadm"]))
    eq(r.status, 201, f"announce {r!r}")
    ann = r.json()
    eq((ann["kind"], ann["public"], ann["user_id"]), ("announcement", True, None), "announcement")
    S["ann"] = ann["id"]
    late = jwt(make_user())
    for who, tok in (("B", S["tb"]), ("A", S["ta"]), ("a new user", late)):
        rows = {x["id"]: x for x in listing(tok)}
        assert S["general"] in rows and S["ann"] in rows, f"{who} misses a public row: {rows}"
        g = rows[S["general"]]
        eq((g["text"], g["answer"]), ("A-GENERAL-QUESTION: may I use C++20?",
                                      "GENERAL-ANSWER: yes, C++20"), f"{who}: the public answer")
        assert "user_id" not in g and "user_name" not in g, f"{who}: who asked is not shown"
        eq(g["mine"], who == "A", f"{who}: mine")
        assert S["private"] not in rows or who == "A", f"{who} sees A's private question"
    r = http("GET", URL + f"/clarifications/{S['ann']}", headers=auth(S["tb"]))
    eq((r.status, r.json()["text"]), (200, "ANNOUNCEMENT: problem B fixed"), "by id")


def live_on():
    if not ENV.get("LIVE_PUBLISH_URL"):
        raise AssertionError("LIVE_PUBLISH_URL is empty: nchan is not loaded")


def test_live_channels_keep_private_rows_private():
    live_on()
    a_msgs = live_messages(f"/live/clarifications/{S['a']}", S["ta"])
    assert any(m["id"] == S["private"] and m["answer"] == "A-PRIVATE-ANSWER: yes" for m in a_msgs), \
        f"A's channel lacks the private answer: {a_msgs}"
    eq({m["type"] for m in a_msgs}, {"clarification"}, "message type")
    mine = live_messages("/live/clarifications/mine", S["ta"])
    eq([m["id"] for m in mine], [m["id"] for m in a_msgs], "/mine is A's own channel")
    b_msgs = live_messages(f"/live/clarifications/{S['b']}", S["tb"])
    assert live_messages("/live/clarifications/mine", S["tb"]) == b_msgs, "/mine is B's own channel"
    all_msgs = live_messages("/live/clarifications/all", S["tb"])
    for name, msgs in (("B's channel", b_msgs), ("the public channel", all_msgs)):
        assert all(m["id"] != S["private"] for m in msgs), f"{name} carries A's private row: {msgs}"
        assert "A-PRIVATE" not in str(msgs), f"{name} leaks A's private text"
        assert all("user_id" not in m for m in msgs), f"{name} names an asker"
    got = {m["id"] for m in all_msgs}
    assert {S["general"], S["ann"]} <= got, f"the public channel misses a public row: {all_msgs}"
    jury = live_messages("/live/clarifications/jury", S["tadm"])
    assert {S["private"], S["general"], S["ann"]} <= {m["id"] for m in jury}, "the jury channel"
    # Who may listen where.
    error_shape(http("GET", URL + f"/live/clarifications/{S['a']}", headers=auth(S["tb"]), timeout=5),
                403, "B listens to A's channel")
    error_shape(http("GET", URL + "/live/clarifications/jury", headers=auth(S["tb"]), timeout=5),
                403, "a contestant listens to the jury")
    error_shape(http("GET", URL + "/live/clarifications/all", timeout=5), 401, "no token")
    for odd in (f"0{S['a']}", f"{S['a']}/x", "all/..%2f" + str(S["a"]), "%41ll", ""):
        r = http("GET", URL + f"/live/clarifications/{odd}", headers=auth(S["tb"]), timeout=5)
        assert r.status in (403, 404), f"channel {odd!r}: {r!r}"
    eq(len(live_messages(f"/live/clarifications/{S['a']}", S["tadm"], limit=1)), 1,
       "an admin may listen to a user's channel")


def test_bad_input_is_refused_with_the_error_shape():
    uid = make_user()
    tok = jwt(uid)
    cases = [
        ("POST", "/clarifications", {}, 422, "no text"),
        ("POST", "/clarifications", {"text": "   \n\t"}, 422, "blank text"),
        ("POST", "/clarifications", {"text": "x" * 4001}, 422, "too long"),
        ("POST", "/clarifications", {"text": "x" * 17000}, 413, "body over 16 KiB"),
        ("POST", "/clarifications", {"text": 5}, 422, "text not a string"),
        ("POST", "/clarifications", {"text": "q", "question_id": "1"}, 422, "question_id a string"),
        ("POST", "/clarifications", {"text": "q", "question_id": 0}, 422, "question_id 0"),
        ("POST", "/clarifications", {"text": "q", "question_id": 999999999}, 422, "unknown question"),
        ("POST", "/clarifications", {"text": "q", "question_id": S["fq"]}, 422,
         "a question of a round not started"),
        ("GET", "/clarifications?since=abc", None, 400, "since not a number"),
        ("GET", "/clarifications?since=-1", None, 400, "since negative"),
        ("GET", "/clarifications/abc", None, 404, "id not a number"),
        ("GET", "/clarifications/999999999", None, 404, "unknown id"),
        ("POST", f"/clarifications/{S['private']}", {"text": "x"}, 405, "POST on one"),
        ("DELETE", "/clarifications", None, 405, "DELETE"),
    ]
    wrong = []
    for method, path, body, want, what in cases:
        r = http(method, URL + path, body=body, headers=auth(tok))
        try:
            error_shape(r, want, what)
        except AssertionError as e:
            wrong.append(f"{method} {path} {what}: {e}")
    r = http("POST", URL + "/clarifications", body=b"{not json",
             headers=dict(auth(tok), **{"Content-Type": "application/json"}))
    if r.status != 400:
        wrong.append(f"bad JSON: {r!r}")
    r = http("POST", URL + "/clarifications", body=b"text=x",
             headers=dict(auth(tok), **{"Content-Type": "application/x-www-form-urlencoded"}))
    if r.status != 415:
        wrong.append(f"form body: {r!r}")
    adm = auth(S["tadm"])
    for method, path, body, want, what in [
        ("POST", f"/admin/clarifications/{S['ann']}/answer", {"answer": "x"}, 409, "answer an announcement"),
        ("POST", "/admin/clarifications/999999999/answer", {"answer": "x"}, 404, "answer nothing"),
        ("POST", f"/admin/clarifications/{S['private']}/answer", {"answer": " "}, 422, "blank answer"),
        ("POST", f"/admin/clarifications/{S['private']}/answer", {"answer": "x", "public": "yes"}, 422,
         "public not a boolean"),
        ("POST", "/admin/clarifications", {"text": ""}, 422, "empty announcement"),
        ("GET", f"/admin/clarifications/{S['private']}/answer", None, 405, "GET answer"),
        ("GET", "/admin/clarifications?since=x", None, 400, "admin since"),
    ]:
        r = http(method, URL + path, body=body, headers=adm)
        try:
            error_shape(r, want, what)
        except AssertionError as e:
            wrong.append(f"{method} {path} {what}: {e}")
    # An admin may ask about a question of a round that has not started.
    r = ask(S["tadm"], {"text": "jury note", "question_id": S["fq"]})
    if r.status != 201:
        wrong.append(f"admin asks about a future round's question: {r!r}")
    assert not wrong, "\n".join(wrong)
    eq(psql(f"SELECT count(*) FROM clarifications WHERE user_id = {uid}"), "0",
       "nothing stored for refused requests")


def test_admin_routes_refuse_contestants():
    for method, path, body in [("GET", "/admin/clarifications", None),
                               ("GET", f"/admin/clarifications/{S['private']}", None),
                               ("POST", "/admin/clarifications", {"text": "fake announcement"}),
                               ("POST", f"/admin/clarifications/{S['private']}/answer",
                                {"answer": "forged", "public": True})]:
        error_shape(http(method, URL + path, body=body, headers=auth(S["ta"])), 403,
                    f"{method} {path} as a contestant")
        error_shape(http(method, URL + path, body=body), 401, f"{method} {path} without a token")
    r = http("GET", URL + f"/clarifications/{S['private']}", headers=auth(S["ta"]))
    eq(r.json()["answer"], "A-PRIVATE-ANSWER: yes", "the forged answer was not stored")
    eq(psql("SELECT count(*) FROM clarifications WHERE text = 'fake announcement'"), "0",
       "no forged announcement")


def test_rate_limit_per_user():
    tok = jwt(make_user())
    # A fixed one-minute window: start early in a minute so it cannot roll over.
    if time.time() % 60 > 45:
        time.sleep(61 - time.time() % 60)
    for i in range(RATE):
        r = ask(tok, {"text": f"question {i}"})
        eq(r.status, 201, f"question {i} of {RATE}: {r!r}")
    r = ask(tok, {"text": "one too many"})
    eq(r.status, 429, f"over the limit: {r!r}")
    assert int(r.headers.get("Retry-After", "0")) > 0, r.headers
    eq(r.json()["error"], "rate_limited", "error code")
    eq(ask(S["tb"], {"text": "B is not limited by another user"}).status, 201, "another user")
    # A refused question is not stored, and invalid ones were not counted.
    eq(psql("SELECT count(*) FROM clarifications WHERE text = 'one too many'"), "0", "not stored")
