"""Accounts and sessions over HTTP: POST /auth/login (token and cookie,
one error for unknown email and wrong password, bans, rate limits per
account and per address), POST /auth/logout (revocation), admin user
creation and CSV import, GET /time."""
import json
import secrets
import time

from contest import auth, jwt, make_round, make_user
from pw import URL, eq, http, post, psql, redis, wait_for

S = {}
PASSWORD = "correct horse battery"


def admin_hdr():
    return auth(jwt(S["admin"], role="admin"))


def login(email, password, **kw):
    return post("/auth/login", {"email": email, "password": password}, **kw)


def clear_login_counters():
    keys = redis("--scan", "--pattern", "pitwall:rl:login-*").split()
    if keys:
        redis("DEL", *keys)


def create_user(email=None, role="contestant"):
    email = email or f"acc-{secrets.token_hex(4)}@example.org"
    r = post("/admin/users", {"email": email, "name": email.split("@")[0],
                              "password": PASSWORD, "role": role}, headers=admin_hdr())
    eq(r.status, 201, f"create user {r!r}")
    return email, r.json()["id"]


def setup_module():
    clear_login_counters()
    S["admin"] = make_user(role="admin")
    S["email"], S["uid"] = create_user()


def test_login_gives_token_and_cookie():
    r = login(S["email"], PASSWORD)
    eq(r.status, 200, f"login {r!r}")
    body = r.json()
    eq(body["token_type"], "Bearer", "token_type")
    assert isinstance(body["expires_in"], int) and body["expires_in"] > 0, body
    tok = body["access_token"]
    cookie = r.headers.get("Set-Cookie", "")
    assert cookie.startswith(f"access_token={tok};"), cookie
    for attr in ("HttpOnly", "Secure", "SameSite=Strict", "Path=/", f"Max-Age={body['expires_in']}"):
        assert attr in cookie, f"{attr} missing from {cookie}"
    assert "$argon2" not in r.body.decode()
    # The token works as a bearer token and as the cookie.
    eq(http("GET", URL + "/questions", headers=auth(tok)).status, 200, "bearer")
    eq(http("GET", URL + "/questions", headers={"Cookie": f"access_token={tok}"}).status, 200,
       "cookie")
    # Email is matched without case.
    eq(login(S["email"].upper(), PASSWORD).status, 200, "upper-case email")


def test_unknown_email_and_wrong_password_look_the_same():
    a = login(S["email"], "wrong password!")
    b = login(f"nobody-{secrets.token_hex(4)}@example.org", "wrong password!")
    eq(a.status, 401, "wrong password")
    eq(b.status, 401, "unknown email")
    eq(a.json(), b.json(), "same error body")
    assert "Set-Cookie" not in a.headers and "Set-Cookie" not in b.headers
    clear_login_counters()


def test_login_input_is_checked():
    eq(post("/auth/login", "email=x", headers={"Content-Type": "application/x-www-form-urlencoded"}).status,
       415, "not JSON")
    eq(post("/auth/login", {"email": S["email"]}).status, 422, "no password")
    eq(post("/auth/login", {"email": 5, "password": "x"}).status, 422, "email not a string")
    eq(http("GET", URL + "/auth/login").status, 405, "GET")


def test_banned_user_cannot_log_in_and_old_tokens_stop():
    email, uid = create_user()
    tok = login(email, PASSWORD).json()["access_token"]
    r = post(f"/admin/users/{uid}/ban", headers=admin_hdr())
    eq(r.status, 200, f"ban {r!r}")
    eq(r.json()["banned"], True, "banned flag")
    eq(psql(f"SELECT banned FROM users WHERE id = {uid}"), "t", "users.banned")
    eq(redis("SISMEMBER", "pitwall:banned", uid), "1", "Redis set")
    eq(login(email, PASSWORD).status, 403, "banned login")
    eq(http("GET", URL + "/questions", headers=auth(tok)).status, 403, "next request after the ban")
    eq(post(f"/admin/users/{uid}/unban", headers=admin_hdr()).status, 200, "unban")
    eq(redis("SISMEMBER", "pitwall:banned", uid), "0", "Redis set after unban")
    eq(http("GET", URL + "/questions", headers=auth(tok)).status, 200, "token works again")
    eq(login(email, PASSWORD).status, 200, "login after unban")


def test_logout_revokes_the_token_only():
    a = login(S["email"], PASSWORD).json()["access_token"]
    b = login(S["email"], PASSWORD).json()["access_token"]
    r = post("/auth/logout", headers=auth(a))
    eq(r.status, 204, f"logout {r!r}")
    cookie = r.headers.get("Set-Cookie", "")
    assert cookie.startswith("access_token=;") and "Max-Age=0" in cookie, cookie
    r = http("GET", URL + "/questions", headers=auth(a))
    eq(r.status, 401, "revoked token")
    eq(r.json()["error"], "token_revoked", "error code")
    eq(http("GET", URL + "/questions", headers={"Cookie": f"access_token={a}"}).status, 401,
       "revoked token as cookie")
    eq(post("/auth/logout", headers=auth(a)).status, 401, "second logout")
    eq(http("GET", URL + "/questions", headers=auth(b)).status, 200, "other session still valid")
    # The deny-list entry lives until the token would have expired, not longer.
    jti = json.loads(__import__("base64").urlsafe_b64decode(a.split(".")[1] + "==="))["jti"]
    ttl = int(redis("TTL", f"pitwall:revoked:{jti}"))
    assert 0 < ttl <= 28800, ttl
    eq(post("/auth/logout").status, 401, "anonymous logout")


def test_failed_logins_are_limited_per_account():
    clear_login_counters()
    email, _ = create_user()
    statuses = []
    # 5 failures a minute are allowed; a minute boundary may reset once.
    for _ in range(14):
        r = login(email, "not the password")
        statuses.append(r.status)
        if r.status == 429:
            break
    eq(statuses[-1], 429, f"statuses {statuses}")
    assert set(statuses[:-1]) == {401}, statuses
    r = login(email, PASSWORD)
    if r.status != 200:  # same window: even the right password waits
        eq(r.status, 429, "right password while limited")
        assert int(r.headers["Retry-After"]) in range(1, 61), r.headers
        eq(r.json()["error"], "rate_limited", "error code")
    # Another account from the same address is not affected.
    eq(login(S["email"], PASSWORD).status, 200, "other account")
    clear_login_counters()
    eq(login(email, PASSWORD).status, 200, "after the window")


def test_failed_logins_are_limited_per_address():
    clear_login_counters()
    statuses = []
    for i in range(70):
        r = login(f"ip-{i}-{secrets.token_hex(3)}@example.org", "not the password")
        statuses.append(r.status)
        if r.status == 429:
            break
    eq(statuses[-1], 429, f"statuses {statuses}")
    assert len(statuses) > 6, "the address limit is above the account limit"
    eq(login(S["email"], PASSWORD).status, 429, "every account from this address")
    clear_login_counters()
    eq(login(S["email"], PASSWORD).status, 200, "after the window")


def test_admin_creates_users_without_leaking_hashes():
    email, uid = create_user()
    r = post("/admin/users", {"email": email, "name": "dup", "password": PASSWORD},
             headers=admin_hdr())
    eq(r.status, 409, "duplicate email")
    for body, what in (({"email": "bad", "name": "x", "password": PASSWORD}, "bad email"),
                       ({"email": "a@b", "name": "x", "password": "short"}, "short password"),
                       ({"email": "a@b", "name": "x", "password": PASSWORD, "role": "root"}, "bad role")):
        eq(post("/admin/users", body, headers=admin_hdr()).status, 422, what)
    r = http("GET", URL + "/admin/users", headers=admin_hdr())
    eq(r.status, 200, "list")
    assert "$argon2" not in r.body.decode() and "password" not in r.body.decode()
    assert any(u["id"] == uid and u["email"] == email for u in r.json())
    r = http("GET", URL + f"/admin/users/{uid}", headers=admin_hdr())
    eq((r.status, r.json()["role"], r.json()["banned"]), (200, "contestant", False), "one user")
    eq(http("GET", URL + "/admin/users/99999999", headers=admin_hdr()).status, 404, "no user")


def test_csv_import_reports_bad_rows_and_imports_the_rest():
    tag = secrets.token_hex(3)
    csv = "\r\n".join([
        "email,name,password,role",
        f"csv1-{tag}@example.org,CSV One,{PASSWORD}",
        f"not-an-email,Bad,{PASSWORD}",
        f"csv2-{tag}@example.org,\"Two, Jr\",{PASSWORD},admin",
        f"csv3-{tag}@example.org,Short,abc",
        f"csv4-{tag}@example.org,Bad role,{PASSWORD},root",
        "",
        f"csv1-{tag}@example.org,Again,{PASSWORD}",
        f"\"unterminated,x,{PASSWORD}",
    ]) + "\r\n"
    hdr = dict(admin_hdr(), **{"Content-Type": "text/csv"})
    r = post("/admin/users/import", csv, headers=hdr)
    eq(r.status, 200, f"import {r!r}")
    body = r.json()
    eq((body["created"], body["existing"], body["bad"]), (2, 1, 4), f"counts {body}")
    bad = {row["line"] for row in body["rows"] if row["status"] == "bad"}
    eq(bad, {3, 5, 6, 9}, "bad lines reported")
    assert all(row.get("reason") for row in body["rows"] if row["status"] == "bad")
    eq(login(f"csv1-{tag}@example.org", PASSWORD).status, 200, "imported user logs in")
    eq(psql(f"SELECT name, role FROM users WHERE email = 'csv2-{tag}@example.org'"),
       "Two, Jr|admin", "quoted field and role")
    # Again: nothing new.
    r = post("/admin/users/import", csv, headers=hdr)
    eq((r.json()["created"], r.json()["existing"]), (0, 3), "re-import")
    eq(post("/admin/users/import", csv, headers=admin_hdr()).status, 415, "JSON content type")
    assert "$argon2" not in r.body.decode()


def test_time_gives_server_clock_and_round():
    rid = make_round(starts_in=-30, ends_in=600)  # ends first: the current round
    slug = psql(f"SELECT slug FROM rounds WHERE id = {rid}")
    redis("DEL", "pitwall:rounds")
    r = http("GET", URL + "/time")
    eq(r.status, 200, f"time {r!r}")
    body = r.json()
    assert abs(body["server_time_ms"] / 1000 - time.time()) < 60, body
    assert body["server_time"].endswith("Z") and "T" in body["server_time"], body
    rd = body["round"]
    eq((rd["slug"], rd["open"], rd["starts_in"]), (slug, True, 0), f"round {rd}")
    assert 500 < rd["seconds_left"] <= 601, rd
    # Closing it through the admin API is seen at once.
    eq(post(f"/admin/rounds/{slug}/close", headers=admin_hdr()).status, 200, "close")
    rd = http("GET", URL + "/time").json()["round"]
    assert rd is None or rd["slug"] != slug, rd
    # A token that is sent must be valid, even on a public route.
    eq(http("GET", URL + "/time", headers=auth("x.y.z")).status, 401, "bad token")
