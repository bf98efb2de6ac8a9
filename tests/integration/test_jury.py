"""The jury's submission routes (GET /admin/submissions, /admin/submissions/{id})
on the real stack with the scripted fake Judge0: filters, one submission's
source and per-testcase results, and who may call them."""
import os
import urllib.parse
import uuid

from client import FakeJudge0
from contest import auth, jwt, make_question, make_round, make_user, submit, wait_done
from pw import ENV, ROOT, URL, eq, http, psql

FAKE = FakeJudge0(os.environ.get("PITWALL_FAKE_JUDGE0_URL", ENV.get("JUDGE0_URL", "")))
S = {}


def admin_get(path):
    return http("GET", URL + path, headers=auth(S["admin"]))


def ids(reply):
    eq(reply.status, 200, reply.body[:200])
    return [x["id"] for x in reply.json()]


def setup_module():
    FAKE.reset()
    # "RIGHT" in a source prints the answer; anything else prints 0.
    FAKE.set_rules([{"match": {"source_contains": "RIGHT", "stdin": "1 2\n"}, "action": {"stdout": "3\n"}},
                    {"match": {"source_contains": "RIGHT", "stdin": "2 2\n"}, "action": {"stdout": "4\n"}},
                    {"match": {"any": True}, "action": {"stdout": "0\n"}}])
    rid = make_round()
    S["round"] = psql(f"SELECT slug FROM rounds WHERE id = {rid}")
    S["q"], _ = make_question(rid, [("1 2\n", "3\n"), ("2 2\n", "4\n")])
    S["q2"], _ = make_question(rid, [("1 2\n", "3\n")])
    S["a"], S["b"] = make_user(), make_user()
    S["admin"] = jwt(make_user(role="admin"), role="admin")
    ta, tb = jwt(S["a"]), jwt(S["b"])
    S["a_right"] = submit(ta, S["q"], "# RIGHT\nprint(1)").json()["submission_id"]
    S["a_wrong"] = submit(ta, S["q2"], "print(0)").json()["submission_id"]
    S["b_wrong"] = submit(tb, S["q"], "print(0) # b").json()["submission_id"]
    for sid in (S["a_right"], S["a_wrong"], S["b_wrong"]):
        wait_done(sid)


def test_list_is_newest_first_without_sources():
    got = ids(admin_get(f"/admin/submissions?round={S['round']}"))
    eq(got, [S["b_wrong"], S["a_wrong"], S["a_right"]], "newest first")
    rows = admin_get(f"/admin/submissions?round={S['round']}").json()
    assert all("source" not in r for r in rows), "a list carries no source"
    row = next(r for r in rows if r["id"] == S["a_right"])
    eq((row["user_id"], row["question_id"], row["status"], row["passed"], row["total"]),
       (S["a"], S["q"], "done", 2, 2), "row fields")
    eq(row["verdict"], "AC", "the overall verdict")


def test_filters_by_user_question_status_and_verdict():
    r = S["round"]
    eq(ids(admin_get(f"/admin/submissions?round={r}&user={S['a']}")),
       [S["a_wrong"], S["a_right"]], "by user")
    eq(ids(admin_get(f"/admin/submissions?round={r}&question={S['q']}")),
       [S["b_wrong"], S["a_right"]], "by question")
    eq(ids(admin_get(f"/admin/submissions?round={r}&verdict=AC")), [S["a_right"]], "accepted")
    eq(ids(admin_get(f"/admin/submissions?round={r}&verdict=WA")),
       [S["b_wrong"], S["a_wrong"]], "wrong answer")
    eq(ids(admin_get(f"/admin/submissions?round={r}&status=judging")), [], "none judging")
    eq(ids(admin_get(f"/admin/submissions?round={r}&limit=1")), [S["b_wrong"]], "limit")
    created = psql(f"SELECT to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.USZ')"
                   f" FROM submissions WHERE id = '{S['b_wrong']}'")
    before = urllib.parse.quote(created)
    eq(ids(admin_get(f"/admin/submissions?round={r}&before={before}")),
       [S["a_wrong"], S["a_right"]], "before a time")


def test_one_submission_has_source_and_every_result_in_order():
    r = admin_get(f"/admin/submissions/{S['b_wrong']}")
    eq(r.status, 200, r.body[:200])
    body = r.json()
    eq(body["source"], "print(0) # b", "source")
    eq([(x["ordinal"], x["verdict"]) for x in body["results"]], [(0, "WA"), (1, "WA")], "results")
    eq(body["verdict"], "WA", "the overall verdict")
    for k in ("judge_message", "team_message", "validator_score"):
        assert k in body["results"][0], f"results carry {k}"


def test_bad_parameters_are_422_and_unknown_ids_404():
    for q in ("user=0", "user=x", "question=-1", "limit=0", "limit=5000", "status=lost",
              "verdict=", "before=tea-time"):
        r = admin_get("/admin/submissions?" + q)
        eq(r.status, 422, q)
        assert r.json()["error"], q
    eq(admin_get(f"/admin/submissions/{uuid.uuid4()}").status, 404, "unknown id")
    eq(admin_get("/admin/submissions/not-a-uuid").status, 404, "not a uuid")
    eq(http("DELETE", URL + f"/admin/submissions/{S['a_right']}",
            headers=auth(S["admin"])).status, 405, "read only")


def test_contestants_and_anonymous_are_refused():
    eq(http("GET", URL + "/admin/submissions", headers=auth(jwt(S["a"]))).status, 403, "contestant")
    eq(http("GET", URL + f"/admin/submissions/{S['a_right']}").status, 401, "anonymous")


def test_rejudge_everything_since_a_time():
    created = psql(f"SELECT to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.USZ')"
                   f" FROM submissions WHERE id = '{S['a_wrong']}'")
    before = {sid: int(psql(f"SELECT judging FROM submissions WHERE id = '{sid}'"))
              for sid in (S["a_right"], S["a_wrong"], S["b_wrong"])}
    r = http("POST", URL + "/admin/rejudge", body={"since": created, "round": S["round"]},
             headers=auth(S["admin"]))
    eq(r.status, 202, r.body[:200])
    eq(sorted(r.json()["rejudged"]), sorted([S["a_wrong"], S["b_wrong"]]), "made since then")
    for sid in (S["a_wrong"], S["b_wrong"]):
        wait_done(sid)
        eq(int(psql(f"SELECT judging FROM submissions WHERE id = '{sid}'")), before[sid] + 1,
           "judged again")
    eq(int(psql(f"SELECT judging FROM submissions WHERE id = '{S['a_right']}'")),
       before[S["a_right"]], "an older one is left alone")
    for body, status in (({"round": S["round"]}, 422), ({"since": "tea-time"}, 422),
                         ({"since": created, "question_id": S["q"]}, 422),
                         ({"since": created, "round": "no-such-round"}, 404)):
        eq(http("POST", URL + "/admin/rejudge", body=body, headers=auth(S["admin"])).status,
           status, str(body))


def package_zip(name, extra=None):
    """The fixture tests/packages/<name> as zip bytes (extra: {entry: bytes})."""
    import io
    import zipfile
    src = os.path.join(ROOT, "tests", "packages", name)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for base, _, files in os.walk(src):
            for f in sorted(files):
                full = os.path.join(base, f)
                z.write(full, os.path.relpath(full, src))
        for entry, data in (extra or {}).items():
            z.writestr(entry, data)
    return buf.getvalue()


def upload(query, data, ctype="application/zip", token=None):
    return http("POST", URL + "/admin/packages?" + query, body=data,
                headers={**auth(token or S["admin"]), "Content-Type": ctype})


def test_package_upload_imports_a_kattis_package():
    r = upload(f"round={S['round']}&slug=up-floatavg&points=40", package_zip("floatavg"))
    eq(r.status, 201, r.body[:300])
    eq(r.json()["slug"], "up-floatavg", "slug")
    row = psql("SELECT q.points, q.validator_flags <> '', count(t.id) FROM questions q"
               " JOIN testcases t ON t.question_id = q.id WHERE q.slug = 'up-floatavg'"
               " GROUP BY q.id")
    points, flags, n = row.split("|")
    eq((points, flags), ("40", "t"), "points and the package's validator flags")
    assert int(n) >= 2, row
    # The same upload again updates the question in place.
    eq(upload(f"round={S['round']}&slug=up-floatavg&points=50", package_zip("floatavg")).status,
       201, "re-upload")
    eq(psql("SELECT points FROM questions WHERE slug = 'up-floatavg'"), "50", "updated in place")


def test_package_upload_refuses_bad_packages_with_the_reason():
    r = upload(f"round={S['round']}&slug=up-evil",
               package_zip("floatavg", {"../../evil.sh": b"echo owned"}))
    eq(r.status, 422, r.body[:300])
    msg = r.json()["message"]
    assert "evil.sh" in msg and "/tmp/pitwall-upload" not in msg, msg
    eq(psql("SELECT count(*) FROM questions WHERE slug = 'up-evil'"), "0", "nothing imported")
    eq(upload(f"round={S['round']}&slug=up-junk", b"not a zip at all").status, 422, "not a zip")
    eq(upload(f"round=no-such-round&slug=up-x", package_zip("floatavg")).status, 422,
       "unknown round")
    eq(upload(f"round={S['round']}", package_zip("floatavg")).status, 422, "no slug")
    eq(upload(f"round={S['round']}&slug=up-x", b"{}", ctype="application/json").status, 415,
       "content type")
    eq(upload(f"round={S['round']}&slug=up-x", package_zip("floatavg"),
              token=jwt(S["a"])).status, 403, "contestant")
    leftovers = [d for d in os.listdir("/tmp") if d.startswith("pitwall-upload-")]
    eq(leftovers, [], "no upload left behind")


def test_password_reset_by_the_jury():
    r = http("POST", URL + "/admin/users", body={"email": "reset-me@example.org", "name": "R",
                                                 "password": "old-password-1"},
             headers=auth(S["admin"]))
    eq(r.status, 201, r.body[:200])
    uid = r.json()["id"]

    def login(pw):
        return http("POST", URL + "/auth/login",
                    body={"email": "reset-me@example.org", "password": pw}).status
    eq(login("old-password-1"), 200, "old password before the reset")
    r = http("POST", URL + f"/admin/users/{uid}/password", body={"password": "new-password-2"},
             headers=auth(S["admin"]))
    eq(r.status, 200, r.body[:200])
    assert "password" not in r.body.decode() and "hash" not in r.body.decode(), r.body
    eq(login("new-password-2"), 200, "new password")
    eq(login("old-password-1"), 401, "old password after the reset")
    eq(http("POST", URL + f"/admin/users/{uid}/password", body={"password": "short"},
            headers=auth(S["admin"])).status, 422, "too short")
    eq(http("POST", URL + "/admin/users/999999999/password", body={"password": "long-enough-3"},
            headers=auth(S["admin"])).status, 404, "unknown user")
    eq(http("POST", URL + f"/admin/users/{uid}/password", body={"password": "by-a-contestant"},
            headers=auth(jwt(S["a"]))).status, 403, "contestant")


def test_time_tells_the_scoring_mode_and_the_freeze():
    rid = make_round(ends_in=40)   # ends first of the open rounds: /time's round
    slug = psql(f"SELECT slug FROM rounds WHERE id = {rid}")
    r = http("PATCH", URL + f"/admin/rounds/{slug}", body={"scoring": "icpc", "freeze_at":
             psql("SELECT to_char((now() - interval '5 seconds') AT TIME ZONE 'UTC',"
                  " 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')")}, headers=auth(S["admin"]))
    eq(r.status, 200, r.body[:200])
    t = http("GET", URL + "/time").json()["round"]
    eq((t["slug"], t["scoring"], t["frozen"]), (slug, "icpc", True), "the frozen ICPC round")
    assert t["freeze_at"].endswith("Z"), t
    eq(http("POST", URL + f"/admin/rounds/{slug}/unfreeze", headers=auth(S["admin"])).status, 200,
       "unfreeze")
    t = http("GET", URL + "/time").json()["round"]
    eq((t["frozen"], t["freeze_at"]), (False, None), "unfrozen: the final board")
