"""The authorization matrix: every route × {anonymous, contestant, banned
contestant, admin, expired token, token signed with another key, alg none,
tampered payload} gets the expected status, and no response body leaks
hidden testcases, other users' submissions or password hashes."""
import base64
import json
import os
import secrets

from client import FakeJudge0
from contest import auth, jwt, make_question, make_round, make_user, submit, wait_done
from pw import ENV, URL, eq, http, psql, redis

FAKE = FakeJudge0(os.environ.get("PITWALL_FAKE_JUDGE0_URL", ENV.get("JUDGE0_URL", "")))
S = {}
TAG = secrets.token_hex(4)
HIDDEN_IN = f"HIDDEN-IN-{TAG}"
HIDDEN_OUT = f"HIDDEN-OUT-{TAG}"
OTHER_SRC = f"print('OTHER-SECRET-{TAG}')"

IDENTITIES = ["anonymous", "contestant", "banned", "expired", "otherkey", "algnone",
              "tampered", "admin"]  # admin last: its requests change things


def b64url(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def token(who):
    """A fresh token (new jti) for an identity; None for anonymous."""
    if who == "anonymous":
        return None
    if who == "contestant":
        return jwt(S["uid"])
    if who == "banned":
        return jwt(S["banned"])
    if who == "admin":
        return jwt(S["admin"], role="admin")
    if who == "expired":
        return jwt(S["uid"], exp_in=-10)
    if who == "otherkey":
        return jwt(S["uid"], key="another-key-" + "k" * 40)
    if who == "algnone":
        return jwt(S["uid"], role="admin", alg="none")
    if who == "tampered":
        h, p, sig = jwt(S["uid"]).split(".")
        claims = json.loads(base64.urlsafe_b64decode(p + "=="))
        claims["role"] = "admin"
        return h + "." + b64url(json.dumps(claims).encode()) + "." + sig
    raise ValueError(who)


def setup_module():
    FAKE.reset()
    # Ends before the other tests' rounds: the current round.
    S["round"] = make_round(starts_in=-60, ends_in=1800)
    S["round_slug"] = psql(f"SELECT slug FROM rounds WHERE id = {S['round']}")
    S["uid"] = make_user()
    S["other"] = make_user()
    S["banned"] = make_user(banned=True)
    S["admin"] = make_user(role="admin")
    S["q"], S["tids"] = make_question(S["round"], [("SAMPLE-IN\n", "SAMPLE-IN\n", 1, True),
                                                  (HIDDEN_IN + "\n", HIDDEN_OUT + "\n", 1, False)])
    redis("DEL", "pitwall:rounds", "pitwall:round_questions")
    # Another user's submission, judged.
    r = submit(jwt(S["other"]), S["q"], source=OTHER_SRC)
    eq(r.status, 202, f"other's submission {r!r}")
    S["other_sid"] = r.json()["submission_id"]
    wait_done(S["other_sid"])
    # Another user's private clarification, answered privately.
    r = http("POST", URL + "/clarifications", body={"text": f"OTHER-SECRET-{TAG} question"},
             headers=auth(jwt(S["other"])))
    eq(r.status, 201, f"other's clarification {r!r}")
    S["other_clar"] = r.json()["id"]
    # A closed round of its own for the admin routes that change things.
    S["admin_round"] = make_round(open_=False)
    S["admin_round_slug"] = psql(f"SELECT slug FROM rounds WHERE id = {S['admin_round']}")
    S["admin_q"], S["admin_tids"] = make_question(S["admin_round"], [("1\n", "1\n"), ("2\n", "2\n")])


def fresh_question():
    qid, tids = make_question(S["admin_round"], [("x\n", "x\n")])
    return qid, tids[0]


# (name, method, path or callable, body, {identity: status}, default status for
#  valid non-admin users, admin status).  Statuses not listed follow the kind.
def routes():
    q, adm_q = S["q"], S["admin_q"]
    slug = S["admin_round_slug"]
    del_q, _ = fresh_question()
    _, del_t = fresh_question()
    victim = make_user()
    csv = f"email,name,password\nm-{TAG}-{secrets.token_hex(2)}@example.org,M,longenough1\n"
    team = psql(f"INSERT INTO teams (name) VALUES ('T-{TAG}-{secrets.token_hex(3)}') RETURNING id")
    team = int(team.split("\n")[0])
    del_team = int(psql(f"INSERT INTO teams (name) VALUES ('D-{TAG}-{secrets.token_hex(3)}')"
                        f" RETURNING id").split("\n")[0])
    member, leaver = make_user(), make_user()
    psql(f"INSERT INTO team_members (team_id, user_id) VALUES ({team}, {leaver})")
    team_csv = f"team,organization\nI-{TAG}-{secrets.token_hex(3)},O-{TAG}\n"
    return [
        # public: anonymous allowed; a token that is sent must be valid
        ("time", "GET", "/time", None, "public", 200, 200),
        ("leaderboard", "GET", f"/leaderboard?round={S['round_slug']}", None, "public", 200, 200),
        ("languages", "GET", "/languages", None, "public", 200, 200),
        ("healthz", "GET", "/healthz", None, "open", 200, 200),
        ("login", "POST", "/auth/login",
         lambda: {"email": f"no-{secrets.token_hex(4)}@example.org", "password": "nope-nope"},
         "open", 401, 401),
        ("callback not public", "PUT", "/callback", {}, "open", 404, 404),
        # contestant routes
        ("questions", "GET", "/questions", None, "user", 200, 200),
        ("submit", "POST", "/submit", {"question_id": q, "language_id": 71,
                                       "source_code": "print(input())"}, "user", 202, 202),
        ("run", "POST", "/run", {"question_id": q, "language_id": 71,
                                 "source_code": "print(input())"}, "user", 200, 200),
        ("runcustom", "POST", "/runcustom", {"language_id": 71, "source_code": "x",
                                             "stdin": "hello"}, "user", 200, 200),
        ("other's submission", "GET", f"/submissions/{S['other_sid']}", None, "user", 403, 200),
        ("my submissions", "GET", "/submissions", None, "user", 200, 200),
        ("my submissions filtered", "GET", f"/submissions?question_id={q}&limit=5", None, "user", 200, 200),
        ("clarifications", "GET", "/clarifications?since=0", None, "user", 200, 200),
        ("ask", "POST", "/clarifications", {"text": "matrix question"}, "user", 201, 201),
        # The contestant route is the caller's view, for admins too.
        ("other's clarification", "GET", f"/clarifications/{S['other_clar']}", None, "user", 404, 404),
        ("logout", "POST", "/auth/logout", None, "user", 204, 204),
        # admin routes
        ("admin rounds", "GET", "/admin/rounds", None, "admin", 403, 200),
        ("admin round create", "POST", "/admin/rounds",
         lambda: {"slug": "m" + secrets.token_hex(4), "name": "M"}, "admin", 403, 201),
        ("admin round patch", "PATCH", f"/admin/rounds/{slug}", {"name": "Matrix"}, "admin", 403, 200),
        ("admin round put", "PUT", f"/admin/rounds/{slug}", {"minutes": 90}, "admin", 403, 200),
        ("admin round close", "POST", f"/admin/rounds/{slug}/close", None, "admin", 403, 200),
        ("admin questions", "GET", "/admin/questions", None, "admin", 403, 200),
        ("admin question", "GET", f"/admin/questions/{adm_q}", None, "admin", 403, 200),
        ("admin question create", "POST", "/admin/questions",
         lambda: {"round": slug, "slug": "m" + secrets.token_hex(4), "title": "M"}, "admin", 403, 201),
        ("admin question patch", "PATCH", f"/admin/questions/{adm_q}", {"title": "T2"}, "admin", 403, 200),
        ("admin question delete", "DELETE", f"/admin/questions/{del_q}", None, "admin", 403, 204),
        ("admin testcases", "GET", f"/admin/questions/{adm_q}/testcases", None, "admin", 403, 200),
        ("admin testcase create", "POST", f"/admin/questions/{adm_q}/testcases",
         {"input": "3\n", "expected_output": "3\n"}, "admin", 403, 201),
        ("admin testcase", "GET", f"/admin/testcases/{S['admin_tids'][0]}", None, "admin", 403, 200),
        ("admin testcase patch", "PATCH", f"/admin/testcases/{S['admin_tids'][0]}", {"points": 2},
         "admin", 403, 200),
        ("admin testcase delete", "DELETE", f"/admin/testcases/{del_t}", None, "admin", 403, 204),
        ("admin users", "GET", "/admin/users", None, "admin", 403, 200),
        ("admin user", "GET", f"/admin/users/{S['other']}", None, "admin", 403, 200),
        ("admin user role", "PATCH", f"/admin/users/{S['other']}", {"role": "contestant"},
         "admin", 403, 200),
        ("admin user create", "POST", "/admin/users",
         lambda: {"email": f"m{secrets.token_hex(4)}@example.org", "name": "M",
                  "password": "longenough1"}, "admin", 403, 201),
        ("admin ban", "POST", f"/admin/users/{victim}/ban", None, "admin", 403, 200),
        ("admin unban", "POST", f"/admin/users/{victim}/unban", None, "admin", 403, 200),
        ("admin import", "POST", "/admin/users/import", ("text/csv", csv), "admin", 403, 200),
        ("admin submissions", "GET", f"/admin/users/{S['other']}/submissions", None, "admin", 403, 200),
        ("admin rejudge", "POST", "/admin/rejudge", {"question_id": adm_q}, "admin", 403, 202),
        ("admin teams", "GET", "/admin/teams", None, "admin", 403, 200),
        ("admin team create", "POST", "/admin/teams",
         lambda: {"name": "M-" + secrets.token_hex(4)}, "admin", 403, 201),
        ("admin team", "GET", f"/admin/teams/{team}", None, "admin", 403, 200),
        ("admin team member add", "POST", f"/admin/teams/{team}/members", {"user_id": member},
         "admin", 403, 200),
        ("admin team member remove", "DELETE", f"/admin/teams/{team}/members/{leaver}", None,
         "admin", 403, 200),
        ("admin team delete", "DELETE", f"/admin/teams/{del_team}", None, "admin", 403, 204),
        ("admin team import", "POST", "/admin/teams/import", ("text/csv", team_csv), "admin",
         403, 200),
        ("admin clarifications", "GET", "/admin/clarifications", None, "admin", 403, 200),
        ("admin clarification", "GET", f"/admin/clarifications/{S['other_clar']}", None,
         "admin", 403, 200),
        ("admin announce", "POST", "/admin/clarifications", {"text": "matrix announcement"},
         "admin", 403, 201),
        ("admin answer", "POST", f"/admin/clarifications/{S['other_clar']}/answer",
         {"answer": "matrix answer"}, "admin", 403, 200),
    ]


def expected(kind, who, user_status, admin_status):
    bad_token = who in ("expired", "otherkey", "algnone", "tampered")
    if kind == "open":
        return user_status
    if who == "admin":
        return admin_status
    if kind == "public":
        if who == "anonymous" or who == "contestant":
            return user_status
        return 403 if who == "banned" else 401
    if who == "anonymous" or bad_token:
        return 401
    if who == "banned":
        return 403
    # contestant
    return user_status


def call(method, path, body, tok):
    hdrs = auth(tok) if tok else {}
    if callable(body):
        body = body()
    if isinstance(body, tuple):
        hdrs["Content-Type"] = body[0]
        body = body[1]
    base = ENV["PITWALL_URL"]
    return http(method, base + path, body=body, headers=hdrs)


def check_no_leak(who, name, r):
    text = r.body.decode(errors="replace")
    assert "$argon2" not in text, f"{name} as {who}: password hash in reply"
    if who == "admin":
        return
    assert HIDDEN_IN not in text and HIDDEN_OUT not in text, f"{name} as {who}: hidden testcase leaked"
    assert f"OTHER-SECRET-{TAG}" not in text, f"{name} as {who}: another user's source leaked"
    assert S["other_sid"] not in text or name == "other's submission", \
        f"{name} as {who}: another user's submission id leaked"


def test_authorization_matrix():
    wrong = []
    for name, method, path, body, kind, user_status, admin_status in routes():
        for who in IDENTITIES:
            r = call(method, path, body, token(who))
            want = expected(kind, who, user_status, admin_status)
            if r.status != want:
                wrong.append(f"{method} {path} as {who}: {r.status}, expected {want} ({r.body[:160]!r})")
            check_no_leak(who, name, r)
            if r.status >= 400 and r.status != 404 or r.status == 404 and kind != "open":
                try:
                    e = r.json()
                    assert set(e) >= {"error", "message"}, e
                except ValueError:
                    wrong.append(f"{method} {path} as {who}: error body is not JSON: {r.body[:100]!r}")
    assert not wrong, "\n".join(wrong)


def test_admin_sees_hidden_tests_and_sources_contestants_do_not():
    adm = auth(jwt(S["admin"], role="admin"))
    r = http("GET", URL + f"/admin/questions/{S['q']}", headers=adm)
    assert HIDDEN_IN in r.body.decode(), "admin view has every testcase"
    r = http("GET", URL + f"/admin/users/{S['other']}/submissions", headers=adm)
    eq(r.status, 200, "admin submissions")
    subs = r.json()
    assert any(s["id"] == S["other_sid"] and s["source"] == OTHER_SRC for s in subs), subs
    r = http("GET", URL + "/questions", headers=auth(jwt(S["uid"])))
    body = r.json()
    eq(body["round"]["slug"], S["round_slug"], "current round")
    qs = [q for q in body["questions"] if q["id"] == S["q"]]
    eq(len(qs), 1, "the question is listed")
    eq(qs[0]["samples"], [{"ordinal": 0, "input": "SAMPLE-IN\n", "expected_output": "SAMPLE-IN\n"}],
       "samples only")
    for k in ("statement", "points", "time_limit_ms", "memory_limit_kb", "title"):
        assert k in qs[0], k


def test_questions_of_other_rounds_are_refused_to_contestants():
    tok = jwt(S["uid"])
    r = http("GET", URL + f"/questions?round={S['admin_round_slug']}", headers=auth(tok))
    eq(r.status, 409, "closed round")
    eq(http("GET", URL + "/questions?round=nope-nope", headers=auth(tok)).status, 404, "no round")
    r = http("GET", URL + f"/questions?round={S['admin_round_slug']}",
             headers=auth(jwt(S["admin"], role="admin")))
    eq(r.status, 200, "admin sees any round")
    assert all(q["id"] != S["q"] for q in r.json()["questions"])
    r = http("GET", URL + "/questions", headers=auth(jwt(S["admin"], role="admin")))
    assert any(q["id"] == S["admin_q"] and q["round"] == S["admin_round_slug"]
               for q in r.json()["questions"]), "admin without ?round sees every round"


def test_admin_input_is_validated():
    adm = auth(jwt(S["admin"], role="admin"))
    slug = S["admin_round_slug"]
    cases = [
        ("POST", "/admin/rounds", {"slug": "Bad Slug", "name": "x"}, 422),
        ("POST", "/admin/rounds", {"slug": slug, "name": "dup"}, 409),
        ("PATCH", f"/admin/rounds/{slug}", {"starts_at": "2030-01-02T00:00:00Z",
                                           "ends_at": "2030-01-01T00:00:00Z"}, 422),
        ("PATCH", f"/admin/rounds/{slug}", {"starts_at": "yesterday"}, 422),
        ("PATCH", f"/admin/rounds/{slug}", {"starts_at": "2030-13-45T00:00:00Z"}, 422),
        ("PATCH", "/admin/rounds/no-such-round", {"name": "x"}, 404),
        ("POST", "/admin/questions", {"round": slug, "slug": "q" + TAG, "title": "x",
                                      "time_limit_ms": 0}, 422),
        ("POST", "/admin/questions", {"round": slug, "slug": "q" + TAG, "title": "x",
                                      "memory_limit_kb": 10}, 422),
        ("POST", "/admin/questions", {"round": "no-such-round", "slug": "q" + TAG, "title": "x"}, 422),
        ("PATCH", f"/admin/questions/{S['admin_q']}", {"points": -1}, 422),
        ("PATCH", f"/admin/questions/{S['admin_q']}", {"checker": "fuzzy"}, 422),
        ("POST", f"/admin/questions/{S['admin_q']}/testcases", {"input": "1"}, 422),
        ("POST", f"/admin/questions/{S['admin_q']}/testcases",
         {"input": "1", "expected_output": "1", "ordinal": 0}, 409),
        ("PATCH", f"/admin/testcases/{S['admin_tids'][0]}", {"points": 2000000}, 422),
        ("GET", "/admin/questions/abc", None, 404),
        ("GET", "/admin/nothing", None, 404),
        ("DELETE", "/admin/rounds", None, 405),
        ("POST", "/admin/rejudge", {}, 422),
        ("POST", "/admin/rejudge", {"submission_id": "00000000-0000-4000-8000-000000000000"}, 404),
        # A question with submissions, a testcase with results: kept.
        ("DELETE", f"/admin/questions/{S['q']}", None, 409),
        ("DELETE", f"/admin/testcases/{S['tids'][1]}", None, 409),
    ]
    wrong = []
    for method, path, body, want in cases:
        r = http(method, URL + path, body=body, headers=adm)
        if r.status != want:
            wrong.append(f"{method} {path} {body}: {r.status} {r.body[:200]!r}, expected {want}")
    assert not wrong, "\n".join(wrong)


def test_admin_sub_route_tables():
    """The /admin groups route by table: 404 for a path no entry has, 405
    naming the methods of the entries whose path matches."""
    adm = auth(jwt(S["admin"], role="admin"))
    slug = S["admin_round_slug"]
    q = S["admin_q"]
    cases = [
        ("DELETE", "/admin/rounds", 405, "GET or POST"),
        ("DELETE", "/admin/rounds/", 405, "GET or POST"),
        ("DELETE", f"/admin/rounds/{slug}", 405, "GET, PATCH or PUT"),
        ("GET", f"/admin/rounds/{slug}/close", 405, "POST"),
        ("POST", f"/admin/rounds/{slug}/reopen", 404, None),
        ("GET", f"/admin/rounds/{slug}/open/x", 404, None),
        ("GET", "/admin/roundsx", 404, None),
        ("POST", f"/admin/questions/{q}", 405, "GET, PATCH, PUT or DELETE"),
        ("DELETE", f"/admin/questions/{q}/testcases", 405, "GET or POST"),
        ("GET", "/admin/questions/0", 404, None),
        ("GET", "/admin/testcases", 404, None),
        ("POST", f"/admin/testcases/{S['admin_tids'][0]}", 405, "GET, PATCH, PUT or DELETE"),
        ("GET", "/admin/users/import", 405, "POST"),
        ("DELETE", f"/admin/users/{S['admin']}", 405, "GET, PATCH or PUT"),
        ("GET", f"/admin/users/{S['admin']}/ban", 405, "POST"),
        ("POST", f"/admin/users/{S['admin']}/submissions", 405, "GET"),
        ("GET", f"/admin/users/{S['admin']}/nothing", 404, None),
        ("GET", "/admin/teams/import", 405, "POST"),
        ("PATCH", "/admin/teams/1", 405, "GET or DELETE"),
        ("GET", "/admin/teams/1/members", 405, "POST"),
        ("GET", "/admin/teams/1/members/2", 405, "DELETE"),
        ("DELETE", "/admin/teams/1/members/x/y", 404, None),
    ]
    wrong = []
    for method, path, want, allowed in cases:
        r = http(method, URL + path, headers=adm)
        got = (r.status, r.json().get("message") if allowed else None)
        if got != (want, allowed):
            wrong.append(f"{method} {path}: {r.status} {r.body[:200]!r}, expected {want} {allowed}")
    assert not wrong, "\n".join(wrong)
    eq(http("GET", URL + f"/admin/rounds/{slug}", headers=adm).json()["slug"], slug, "GET one round")
    eq(http("GET", URL + f"/admin/questions/{q}/testcases", headers=adm).status, 200, "testcases of a question")
