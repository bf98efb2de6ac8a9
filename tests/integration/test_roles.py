"""Roles and bans act on the next request, whatever tokens the user
holds: every route checks the user's current role and ban in Redis
(lib/authz.c), rebuilt from PostgreSQL when Redis has lost them, and so
are logouts."""
import base64
import json
import os

from contest import auth, jwt, make_user
from pw import BIN, URL, eq, get, http, post, psql, redis, run

ADMIN = os.path.join(BIN, "pitwall-admin")


def email_of(uid):
    return psql(f"SELECT email FROM users WHERE id = {uid}")


def test_demoted_admin_loses_admin_routes_at_once():
    uid = make_user(role="admin")
    tok = jwt(uid, role="admin", exp_in=7 * 24 * 3600)
    eq(get("/admin/users", headers=auth(tok)).status, 200, "admin before")
    out = run([ADMIN, "user", "role", "--email", email_of(uid), "--role", "contestant"]).stdout
    assert "contestant" in out, out
    eq(psql(f"SELECT role FROM users WHERE id = {uid}"), "contestant", "role in the database")
    r = get("/admin/users", headers=auth(tok))
    eq(r.status, 403, "the same admin token after the demotion")
    eq(r.json()["error"], "forbidden", "error code")
    # Contestant routes still work for the demoted user.
    eq(get("/submissions", headers=auth(tok)).status, 200, "contestant route")


def test_role_change_through_the_api():
    boss = jwt(make_user(role="admin"), role="admin")
    uid = make_user()
    tok = jwt(uid)
    eq(get("/admin/users", headers=auth(tok)).status, 403, "contestant before")
    r = http("PATCH", f"{URL}/admin/users/{uid}", body={"role": "admin"}, headers=auth(boss))
    eq(r.status, 200, f"PATCH role: {r.body[:200]!r}")
    eq(r.json()["role"], "admin", "role in the reply")
    eq(get("/admin/users", headers=auth(tok)).status, 200, "promoted, same token")
    r = http("PATCH", f"{URL}/admin/users/{uid}", body={"role": "root"}, headers=auth(boss))
    eq(r.status, 422, "unknown role")
    r = http("PATCH", f"{URL}/admin/users/{uid}", body={"role": "contestant"}, headers=auth(tok))
    eq(r.status, 200, "an admin may demote themselves")
    eq(get("/admin/users", headers=auth(tok)).status, 403, "demoted, same token")
    r = http("PATCH", f"{URL}/admin/users/999999999", body={"role": "admin"}, headers=auth(boss))
    eq(r.status, 404, "unknown user")


def test_bans_and_roles_rebuilt_when_redis_lost_them():
    banned = make_user()
    demoted = make_user(role="admin")
    run([ADMIN, "user", "ban", "--email", email_of(banned)])
    run([ADMIN, "user", "role", "--email", email_of(demoted), "--role", "contestant"])
    eq(get("/submissions", headers=auth(jwt(banned))).status, 403, "banned")
    # Redis loses its record (a restore from an old file, a FLUSHDB).
    redis("DEL", "pitwall:banned", "pitwall:roles", "pitwall:authz:built")
    r = get("/submissions", headers=auth(jwt(banned)))
    eq(r.status, 403, "still banned after Redis lost the ban set")
    eq(r.json()["error"], "banned", "error code")
    eq(redis("EXISTS", "pitwall:authz:built"), "1", "record rebuilt")
    eq(redis("SISMEMBER", "pitwall:banned", banned), "1", "ban set rebuilt")
    eq(get("/admin/users", headers=auth(jwt(demoted, role="admin"))).status, 403,
       "still demoted after Redis lost the roles")
    run([ADMIN, "user", "unban", "--email", email_of(banned)])
    eq(get("/submissions", headers=auth(jwt(banned))).status, 200, "unbanned")


def test_logouts_rebuilt_when_redis_lost_them():
    uid = make_user()
    tok, other = jwt(uid), jwt(uid)
    jti = json.loads(base64.urlsafe_b64decode(tok.split(".")[1] + "==="))["jti"]
    eq(post("/auth/logout", headers=auth(tok)).status, 204, "logout")
    eq(psql(f"SELECT user_id FROM revoked_tokens WHERE jti = '{jti}'"), str(uid),
       "the logout is recorded in PostgreSQL")
    # Redis loses its record, the logout with it.
    redis("DEL", f"pitwall:revoked:{jti}", "pitwall:banned", "pitwall:roles",
          "pitwall:authz:built")
    r = get("/submissions", headers=auth(tok))
    eq(r.status, 401, "the logged-out token after Redis lost the logout")
    eq(r.json()["error"], "token_revoked", "error code")
    eq(redis("EXISTS", f"pitwall:revoked:{jti}"), "1", "logout rebuilt in Redis")
    ttl = int(redis("TTL", f"pitwall:revoked:{jti}"))
    assert 0 < ttl <= 3600, f"rebuilt logout lives until the token's exp, not {ttl}"
    eq(get("/submissions", headers=auth(other)).status, 200, "the user's other token")


def test_token_of_a_user_that_does_not_exist_is_refused():
    r = get("/submissions", headers=auth(jwt(987654321)))
    eq(r.status, 401, "no such user")
    eq(r.json()["error"], "unauthorized", "error code")
