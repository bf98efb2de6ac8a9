"""Teams (issue 17 item 1; sql/012_teams.sql, lib/team.c, docs/teams.md):
teams made by the CLI, the admin API and a CSV import (bad rows named
with their line and reason, changing nothing), the member limit
(TEAM_MAX_MEMBERS) refused with a clear 409; in a team-based round two
members' submissions make one board entry with the team's best, which
`leaderboard rebuild` rebuilds to the same table; a teammate sees the
other's submission and clarification, a non-member does not; the
Contest API serves the team and its organization; an individual round
is as before."""
import json
import os
import secrets
import tempfile
import time
import uuid

from client import FakeJudge0
from contest import (auth, jwt, live_messages, make_question, make_round, make_user, submit,
                     wait_done)
from pw import BIN, ENV, URL, eq, http, post, psql, redis, run, wait_for
import test_contest_api
from test_contest_api import check_objects, check_replay

FAKE = FakeJudge0(os.environ.get("PITWALL_FAKE_JUDGE0_URL", ENV.get("JUDGE0_URL", "")))
ADMIN = os.path.join(BIN, "pitwall-admin")
MAX = int(ENV.get("TEAM_MAX_MEMBERS", "3"))
TAG = secrets.token_hex(3)
S = {}


def cli(*args, check=True):
    return run([ADMIN, *map(str, args)], check=check)


def adm():
    return auth(jwt(S["admin"], role="admin"))


def email(uid):
    return psql(f"SELECT email FROM users WHERE id = {uid}")


def team_id(name):
    return int(psql(f"SELECT id FROM teams WHERE name = '{name}'"))


def board(slug, admin=False):
    r = http("GET", URL + f"/leaderboard?round={slug}", headers=adm() if admin else {})
    eq(r.status, 200, f"leaderboard {r!r}")
    return r.json()


def error_shape(r, status, what):
    eq(r.status, status, f"{what}: {r!r}")
    eq(sorted(r.json()), ["error", "message"], f"{what}: JSON error shape")
    return r.json()


def setup_module():
    FAKE.reset()
    S["admin"] = make_user(role="admin")
    for k in ("a1", "a2", "b1", "b2", "b3", "b4", "c1", "c2", "c3", "c4", "lone"):
        S[k] = make_user(name=f"{k}-{TAG}")
    S["round"] = make_round()
    S["slug"] = psql(f"SELECT slug FROM rounds WHERE id = {S['round']}")
    S["q1"], _ = make_question(S["round"], [("1\n", "1\n"), ("2\n", "2\n")])
    S["q2"], _ = make_question(S["round"], [("3\n", "3\n")])
    S["solo"] = make_round()
    S["solo_slug"] = psql(f"SELECT slug FROM rounds WHERE id = {S['solo']}")
    S["sq"], _ = make_question(S["solo"], [("5\n", "5\n")])
    redis("DEL", "pitwall:rounds", "pitwall:round_questions")


def test_cli_creates_a_team_and_assigns_members():
    S["alpha"] = f"Alpha-{TAG}"
    S["org"] = f"Uni-{TAG}"
    p = cli("team", "add", "--name", S["alpha"], "--org", S["org"])
    assert "created team" in p.stdout, p.stdout
    tid = team_id(S["alpha"])
    for k in ("a1", "a2"):
        p = cli("team", "assign", "--team", S["alpha"], "--email", email(S[k]))
        assert f"to team {tid}" in p.stdout, p.stdout
    p = cli("team", "members", str(tid))
    eq(sorted(int(l.split("\t")[0]) for l in p.stdout.splitlines()[1:]),
       sorted([S["a1"], S["a2"]]), "members by id")
    listing = [l.split("\t") for l in cli("team", "list").stdout.splitlines()]
    eq(listing[0], ["id", "name", "organization", "members"], "team list header")
    eq([l for l in listing if l[1] == S["alpha"]], [[str(tid), S["alpha"], S["org"], "2"]],
       "team list row")
    # The same name again, a name that is no team, a user in another team.
    p = cli("team", "add", "--name", S["alpha"].upper(), check=False)
    eq(p.returncode, 1, "a duplicate (case-insensitive) name")
    assert "exists" in p.stderr, p.stderr
    p = cli("team", "assign", "--team", f"nope-{TAG}", "--email", email(S["b1"]), check=False)
    eq((p.returncode, f"no team nope-{TAG}" in p.stderr), (1, True), f"unknown team {p.stderr}")
    cli("team", "add", "--name", f"Other-{TAG}")
    p = cli("team", "assign", "--team", f"Other-{TAG}", "--email", email(S["a1"]), check=False)
    eq(p.returncode, 1, "a user is in one team only")
    assert "in another team" in p.stderr, p.stderr
    p = cli("team", "add", check=False)
    eq(p.returncode, 64, "usage")


def test_api_creates_a_team_and_enforces_the_member_limit():
    r = http("POST", URL + "/admin/teams", body={"name": f"Beta-{TAG}", "organization": S["org"]},
             headers=adm())
    eq(r.status, 201, f"create {r!r}")
    t = r.json()
    S["beta"] = t["id"]
    eq((t["name"], t["organization"], t["members"]), (f"Beta-{TAG}", S["org"], []), "new team")
    eq(t["organization_id"], int(psql(f"SELECT organization_id FROM teams WHERE id = {team_id(S['alpha'])}")),
       "one organization of that name, shared")
    error_shape(http("POST", URL + "/admin/teams", body={"name": f"beta-{TAG}"}, headers=adm()),
                409, "a duplicate name")
    error_shape(http("POST", URL + "/admin/teams", body={"name": ""}, headers=adm()), 422,
                "an empty name")
    error_shape(http("POST", URL + "/admin/teams", body={"name": 5}, headers=adm()), 422,
                "a name that is not a string")
    members = f"/admin/teams/{S['beta']}/members"
    r = http("POST", URL + members, body={"email": email(S["b1"])}, headers=adm())
    eq(r.status, 200, f"add by email {r!r}")
    for k in ("b2", "b3")[:MAX - 1]:
        r = http("POST", URL + members, body={"user_id": S[k]}, headers=adm())
        eq(r.status, 200, f"add {k} {r!r}")
    eq(len(r.json()["members"]), MAX, "a full team")
    # Adding a member again is no change.
    eq(http("POST", URL + members, body={"user_id": S["b1"]}, headers=adm()).status, 200, "again")
    e = error_shape(http("POST", URL + members, body={"user_id": S["b4"]}, headers=adm()), 409,
                    "one member too many")
    eq(e["error"], "team_full", "the error code")
    assert f"at most {MAX} members" in e["message"] and "TEAM_MAX_MEMBERS" in e["message"], e
    p = cli("team", "assign", "--team", str(S["beta"]), "--email", email(S["b4"]), check=False)
    eq(p.returncode, 1, "the CLI refuses it too")
    assert "full" in p.stderr and "TEAM_MAX_MEMBERS" in p.stderr, p.stderr
    eq(psql(f"SELECT count(*) FROM team_members WHERE team_id = {S['beta']}"), str(MAX),
       "still full, not over")
    error_shape(http("POST", URL + members, body={"user_id": S["a1"]}, headers=adm()), 409,
                "a member of another team")
    error_shape(http("POST", URL + members, body={"user_id": S["admin"]}, headers=adm()), 422,
                "an admin")
    error_shape(http("POST", URL + members, body={"email": f"nobody-{TAG}@example.org"},
                     headers=adm()), 404, "no such user")
    error_shape(http("POST", URL + members, body={}, headers=adm()), 422, "no user named")
    error_shape(http("POST", URL + "/admin/teams/999999999/members", body={"user_id": S["b4"]},
                     headers=adm()), 404, "no such team")
    # Remove one, then the fourth fits.
    r = http("DELETE", URL + f"{members}/{S['b3'] if MAX >= 3 else S['b2']}", headers=adm())
    eq(r.status, 200, f"remove {r!r}")
    error_shape(http("DELETE", URL + f"{members}/{S['lone']}", headers=adm()), 404,
                "remove a non-member")
    eq(http("POST", URL + members, body={"user_id": S["b4"]}, headers=adm()).status, 200,
       "room again")
    r = http("GET", URL + f"/admin/teams/{S['beta']}", headers=adm())
    eq((r.status, S["b4"] in [m["id"] for m in r.json()["members"]]), (200, True), "GET one")
    assert any(t["id"] == S["beta"] for t in http("GET", URL + "/admin/teams", headers=adm()).json())
    tmp = http("POST", URL + "/admin/teams", body={"name": f"Tmp-{TAG}"}, headers=adm()).json()
    eq(http("DELETE", URL + f"/admin/teams/{tmp['id']}", headers=adm()).status, 204, "delete")
    eq(http("GET", URL + f"/admin/teams/{tmp['id']}", headers=adm()).status, 404, "deleted")


CSV_BAD = {
    3: "no user nobody-",
    4: f"{MAX + 1} members, a team has at most {MAX}",
    5: "team name is empty",
    6: "unterminated quoted field",
    7: "is in another team",
    8: "expected team,organization,email",
}


def csv_text(prefix):
    e = {k: email(S[k]) for k in ("a1", "c1", "c2", "c3", "c4", "b1")}
    many = ",".join(f"m{i}-{TAG}@example.org" for i in range(MAX + 1))
    return (f"team,organization,emails\n"
            f"\"{prefix}Gamma-{TAG}, the first\",{prefix}Org-{TAG},{e['c1']}, {e['c2']} ,\n"
            f"{prefix}Bad1-{TAG},,{e['c3']},nobody-{TAG}@example.org\n"
            f"{prefix}Bad2-{TAG},,{many}\n"
            f" ,Org,{e['c3']}\n"
            f"\"{prefix}Bad4-{TAG},,{e['c3']}\n"
            f"{prefix}Bad5-{TAG},,{e['c3']},{e['a1']}\n"
            f"{prefix}Bad6-{TAG}\n"
            f"\n")


def test_csv_import_by_cli_and_api():
    with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False) as f:
        f.write(csv_text(""))
    p = cli("team", "import", f.name, check=False)
    os.unlink(f.name)
    eq(p.returncode, 1, f"bad rows fail the import: {p.stdout} {p.stderr}")
    errs = {int(l.split(":")[1]): l for l in p.stderr.splitlines() if l.startswith(f.name)}
    eq(sorted(errs), sorted(CSV_BAD), f"the bad lines: {p.stderr}")
    for line, why in CSV_BAD.items():
        assert why in errs[line], f"line {line}: {errs[line]!r} lacks {why!r}"
    assert "created 1, updated 0, bad 6" in p.stdout, p.stdout
    gamma = f"Gamma-{TAG}, the first"
    S["gamma"] = team_id(gamma)
    eq(psql(f"SELECT string_agg(user_id::text, ',' ORDER BY user_id) FROM team_members"
            f" WHERE team_id = {S['gamma']}"), ",".join(map(str, sorted([S["c1"], S["c2"]]))),
       "the good row's members")
    eq(psql(f"SELECT count(*) FROM teams WHERE name LIKE 'Bad%-{TAG}'"), "0",
       "a bad row changes nothing")
    eq(psql(f"SELECT count(*) FROM team_members WHERE user_id = {S['c3']}"), "0",
       "not even its valid members")
    # The same rows by the API: a per-row report; Gamma exists now.
    r = http("POST", URL + "/admin/teams/import", body=csv_text(""),
             headers={**adm(), "Content-Type": "text/csv"})
    eq(r.status, 200, f"import {r!r}")
    rep = r.json()
    eq((rep["created"], rep["updated"], rep["bad"]), (0, 1, 6), f"counts {rep}")
    rows = {x["line"]: x for x in rep["rows"]}
    eq((rows[2]["status"], rows[2]["id"]), ("updated", S["gamma"]), "the good row")
    for line, why in CSV_BAD.items():
        eq(rows[line]["status"], "bad", f"line {line}")
        assert why in rows[line]["reason"], f"line {line}: {rows[line]}"
    error_shape(http("POST", URL + "/admin/teams/import", body="x", headers=adm()), 415,
                "not text/csv")


def test_team_round_ranks_teams():
    # Team-based by the API; the reply says so.
    r = http("PATCH", URL + f"/admin/rounds/{S['slug']}", body={"team_based": True}, headers=adm())
    eq((r.status, r.json().get("team_based")), (200, True), f"PATCH team_based {r!r}")
    error_shape(http("PATCH", URL + f"/admin/rounds/{S['slug']}", body={"team_based": "yes"},
                     headers=adm()), 422, "team_based must be a boolean")
    redis("DEL", "pitwall:rounds")
    sids = {}
    for who, q, src in (("a1", "q1", "print(input()) #fake: status=4"),  # 0
                        ("a2", "q1", "print(input())"),                  # 100: the team's best
                        ("a1", "q2", "print(input())"),                  # 100
                        ("lone", "q1", "print(input())")):               # 100 on their own
        r = submit(jwt(S[who]), S[q], source=src)
        eq(r.status, 202, f"{who} submits {r!r}")
        sids[who, q] = r.json()["submission_id"]
        wait_done(sids[who, q])
    S["sids"] = sids
    tid = team_id(S["alpha"])
    want = [(1, S["alpha"], 200.0), (2, f"lone-{TAG}", 100.0)]
    for admin in (False, True):
        rows = wait_for(lambda: [x for x in board(S["slug"], admin) if x["score"] > 0]
                        if len(board(S["slug"], admin)) >= 2 else None, what="the board")
        eq([(x["rank"], x["name"], x["score"]) for x in rows], want,
           f"one row for the team ({'jury' if admin else 'public'})")
        names = [x["name"] for x in board(S["slug"], admin)]
        assert f"a1-{TAG}" not in names and f"a2-{TAG}" not in names, names
    eq(redis("ZSCORE", f"pitwall:lb:{S['round']}", f"t{tid}"), "200", "the board's member t<id>")
    meta = json.loads(redis("HGET", f"pitwall:lb:{S['round']}:meta", f"t{tid}"))
    eq([p["score"] for p in meta["problems"]], [100, 100], "the team's best per problem")


def test_leaderboard_rebuild_gives_the_same_table():
    before = (board(S["slug"]), board(S["slug"], True))
    redis("DEL", f"pitwall:lb:{S['round']}", f"pitwall:lb:{S['round']}:meta")
    cli("leaderboard", "rebuild")
    eq((board(S["slug"]), board(S["slug"], True)), before, "rebuilt")


def test_teammate_sees_submissions_others_do_not():
    sid = S["sids"]["a1", "q1"]
    r = http("GET", URL + "/submissions", headers=auth(jwt(S["a2"])))
    eq(r.status, 200, f"list {r!r}")
    got = {x["id"] for x in r.json()}
    assert {sid, S["sids"]["a1", "q2"], S["sids"]["a2", "q1"]} <= got, got
    eq(http("GET", URL + f"/submissions/{sid}", headers=auth(jwt(S["a2"]))).status, 200,
       "a teammate reads it")
    for who in ("lone", "c1"):
        error_shape(http("GET", URL + f"/submissions/{sid}", headers=auth(jwt(S[who]))), 403,
                    f"{who} reads it")
        got = {x["id"] for x in http("GET", URL + "/submissions", headers=auth(jwt(S[who]))).json()}
        assert sid not in got, f"{who} lists a team's submission"


def redis_only_submission(who, qid):
    """A submission /submit has stored and the worker has not written to
    PostgreSQL yet (its hash and the user's list, as /submit makes them)."""
    sid, ms = str(uuid.uuid4()), int(time.time() * 1000)
    redis("HSET", f"pitwall:sub:{sid}", "user_id", S[who], "question_id", qid, "language_id", 71,
          "total", 1, "created_at", ms, "status", "queued", "done", 0, "passed", 0, "failed", 0)
    redis("ZADD", f"pitwall:user:{S[who]}:subs", ms, f"{qid}:{sid}")
    return sid


def test_teammate_sees_live_and_not_yet_stored_submissions():
    sid = S["sids"]["a1", "q1"]
    eq(len(live_messages(f"/live/submissions/{sid}", jwt(S["a2"]), limit=1)), 1,
       "a teammate may listen to the live channel")
    error_shape(http("GET", URL + f"/live/submissions/{sid}", headers=auth(jwt(S["lone"])),
                     timeout=5), 403, "a non-member may not")
    team_sid = redis_only_submission("a1", S["q2"])
    solo_sid = redis_only_submission("a1", S["sq"])
    try:
        got = {x["id"] for x in http("GET", URL + "/submissions", headers=auth(jwt(S["a2"]))).json()}
        assert team_sid in got, "a teammate's submission is listed from its 202 on"
        assert solo_sid not in got, "not one of an individual round"
        got = {x["id"] for x in http("GET", URL + f"/submissions?question_id={S['q2']}",
                                     headers=auth(jwt(S["a2"]))).json()}
        assert team_sid in got, got
        got = {x["id"] for x in http("GET", URL + "/submissions",
                                     headers=auth(jwt(S["lone"]))).json()}
        assert team_sid not in got, "a non-member does not list it"
        eq(http("GET", URL + f"/submissions/{team_sid}", headers=auth(jwt(S["a2"]))).status, 200,
           "a teammate reads it from Redis")
        eq(http("GET", URL + f"/submissions/{solo_sid}", headers=auth(jwt(S["a2"]))).status, 403,
           "not in an individual round")
    finally:
        for sid in (team_sid, solo_sid):
            redis("DEL", f"pitwall:sub:{sid}")
        redis("ZREM", f"pitwall:user:{S['a1']}:subs", f"{S['q2']}:{team_sid}", f"{S['sq']}:{solo_sid}")


def test_teammate_sees_clarifications_others_do_not():
    r = http("POST", URL + "/clarifications", body={"question_id": S["q1"],
                                                    "text": f"TEAM-Q-{TAG}: is n > 0?"},
             headers=auth(jwt(S["a1"])))
    eq(r.status, 201, f"ask {r!r}")
    cid = r.json()["id"]
    S["clar"] = cid
    r = http("POST", URL + f"/admin/clarifications/{cid}/answer",
             body={"answer": "yes", "public": False}, headers=adm())
    eq(r.status, 200, f"answer {r!r}")
    rows = {c["id"]: c for c in http("GET", URL + "/clarifications",
                                     headers=auth(jwt(S["a2"]))).json()}
    assert cid in rows, f"the teammate misses it: {rows}"
    eq((rows[cid]["answer"], rows[cid]["mine"]), ("yes", True), "the team's question")
    eq(http("GET", URL + f"/clarifications/{cid}", headers=auth(jwt(S["a2"]))).status, 200,
       "by id")
    for who in ("lone", "b1"):
        rows = http("GET", URL + "/clarifications", headers=auth(jwt(S[who]))).json()
        assert cid not in {c["id"] for c in rows} and f"TEAM-Q-{TAG}" not in str(rows), who
        error_shape(http("GET", URL + f"/clarifications/{cid}", headers=auth(jwt(S[who]))), 404,
                    f"{who} reads it by id")


def test_contest_api_serves_teams_and_organizations():
    tid = team_id(S["alpha"])
    teams = {t["id"]: t for t in http("GET", URL + f"/api/contests/{S['slug']}/teams").json()}
    orgs = {o["id"]: o for o in http("GET", URL + f"/api/contests/{S['slug']}/organizations").json()}
    org_id = psql(f"SELECT organization_id FROM teams WHERE id = {tid}")
    eq((teams[f"t{tid}"]["name"], teams[f"t{tid}"]["organization_id"]), (S["alpha"], org_id),
       "the team")
    eq(orgs[org_id]["name"], S["org"], "its organization")
    for k in ("a1", "a2"):
        assert str(S[k]) not in teams, f"member {k} is no team of its own"
    assert str(S["lone"]) in teams, "a contestant without a team is a team of one"
    subs = http("GET", URL + f"/api/contests/{S['slug']}/submissions").json()
    eq(sorted(s["team_id"] for s in subs),
       sorted([f"t{tid}"] * 3 + [str(S["lone"])]), "members' submissions are the team's")
    sb = http("GET", URL + f"/api/contests/{S['slug']}/scoreboard").json()
    eq([(r["rank"], r["team_id"]) for r in sb["rows"]][:2], [(1, f"t{tid}"), (2, str(S["lone"]))],
       "the scoreboard ranks the team")
    contest = http("GET", URL + f"/api/contests/{S['slug']}").json()
    ctx = {"contest": contest, "organizations": orgs, "groups": {}, "teams": teams,
           "languages": {l["id"]: l for l in
                         http("GET", URL + f"/api/contests/{S['slug']}/languages").json()},
           "problems": {p["id"]: p for p in
                        http("GET", URL + f"/api/contests/{S['slug']}/problems").json()}}
    check_objects("organizations", list(orgs.values()), ctx)
    check_objects("teams", list(teams.values()), ctx)
    check_objects("submissions", subs, ctx)
    eq(http("GET", URL + f"/api/contests/{S['slug']}/teams/t{tid}").json()["id"], f"t{tid}",
       "one team by id")
    clars = {c["id"]: c for c in http("GET", URL + f"/api/contests/{S['slug']}/clarifications",
                                      headers=adm()).json()}
    cid = str(S["clar"])
    eq((clars[cid]["from_team_id"], clars[cid + "-a"]["to_team_id"]), (f"t{tid}", f"t{tid}"),
       "a member's question and its private answer are the team's")
    # Every endpoint checked against the specification, and the event
    # feed replayed from the start gives them, in both views.
    test_contest_api.S["admin"] = S["admin"]
    for jury in (False, True):
        check_replay(S["slug"], jury)
    # The individual round: users are teams, no organizations.
    solo = {t["id"] for t in http("GET", URL + f"/api/contests/{S['solo_slug']}/teams").json()}
    assert str(S["a1"]) in solo and f"t{tid}" not in solo, solo
    eq(http("GET", URL + f"/api/contests/{S['solo_slug']}/organizations").json(), [],
       "no organizations in an individual round")


def test_individual_round_is_unchanged():
    sids = {}
    for who, src in (("a1", "print(input())"), ("a2", "print(input()) #fake: status=4")):
        r = submit(jwt(S[who]), S["sq"], source=src)
        eq(r.status, 202, f"{who} submits {r!r}")
        sids[who] = r.json()["submission_id"]
        wait_done(sids[who])
    rows = wait_for(lambda: board(S["solo_slug"]) if len(board(S["solo_slug"])) == 2 else None,
                    what="the individual board")
    eq([(x["rank"], x["name"], x["score"]) for x in rows],
       [(1, f"a1-{TAG}", 100.0), (2, f"a2-{TAG}", 0.0)], "one row per user")
    eq(redis("ZSCORE", f"pitwall:lb:{S['solo']}", S["a1"]), "100", "the member is the user id")
    error_shape(http("GET", URL + f"/submissions/{sids['a1']}", headers=auth(jwt(S["a2"]))), 403,
                "teammates share nothing in an individual round")
    got = {x["id"] for x in http("GET", URL + "/submissions", headers=auth(jwt(S["a2"]))).json()}
    assert sids["a1"] not in got and sids["a2"] in got, got
    r = http("POST", URL + "/clarifications", body={"question_id": S["sq"], "text": "solo q"},
             headers=auth(jwt(S["a1"])))
    eq(r.status, 201, f"ask {r!r}")
    error_shape(http("GET", URL + f"/clarifications/{r.json()['id']}", headers=auth(jwt(S["a2"]))),
                404, "nor clarifications")
    # Off again by the CLI: the team round ranks users once more.
    p = cli("round", "set", S["slug"], "--teams", "off")
    assert "team_based off" in p.stdout, p.stdout
    names = {x["name"] for x in board(S["slug"], True)}
    assert f"a1-{TAG}" in names and f"a2-{TAG}" in names and S["alpha"] not in names, names
    ev, _ = check_replay(S["slug"], True)
    subs = [e for e in ev if e["type"] == "submissions"]
    eq(sorted({e["data"]["team_id"] for e in subs[-4:]}),
       sorted({str(S["a1"]), str(S["a2"]), str(S["lone"])}),
       "individual again: the submissions' events name the users")
    cli("round", "set", S["slug"], "--teams", "on")
    eq(board(S["slug"], True)[0]["name"], S["alpha"], "on again")
    check_replay(S["slug"], True)
