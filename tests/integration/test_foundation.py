"""Foundation: the stack, /healthz, reconnects, migrations, README table."""
import os
import re
import subprocess
import tempfile

from pw import (BIN, ENV, INTERNAL, ROOT, URL, VAR, eq, get, http, pids, psql,
                run, stack_env, wait_for)


def health(base=None):
    return get("/healthz", base=base, timeout=20)


def test_healthz_over_https_is_200():
    assert URL.startswith("https://"), URL
    r = health()
    eq(r.status, 200, "status")
    eq(r.json(), {"status": "ok", "postgres": "up", "redis": "up"}, "body")
    assert "max-age" in r.headers.get("Strict-Transport-Security", ""), r.headers
    assert re.fullmatch(r"[0-9a-f]{32}", r.headers.get("X-Request-Id", "")), r.headers


def test_healthz_on_internal_listener():
    eq(health(INTERNAL).status, 200, "internal /healthz")


def test_http_redirects_to_https():
    r = http("GET", ENV["PITWALL_HTTP_URL"] + "/healthz")
    eq(r.status, 301, "status")
    assert r.headers["Location"].startswith("https://"), r.headers


def test_unknown_route_and_method_are_json_errors():
    r = get("/no/such/route")
    eq(r.status, 404, "status")
    eq(sorted(r.json()), ["error", "message"], "error shape")
    r = http("DELETE", URL + "/healthz")
    eq(r.status, 405, "status")
    eq(r.json()["error"], "method_not_allowed", "code")


def test_callback_and_metrics_not_public():
    eq(http("PUT", URL + "/callback?s=x").status, 404, "public /callback")


def test_redis_down_is_503_then_recovers_without_restart():
    before = pids("fcgi.pids")
    run(["redis-cli", "-s", ENV["REDIS_SOCKET"], "shutdown"], check=False)
    wait_for(lambda: not os.path.exists(ENV["REDIS_SOCKET"]) or health().status == 503,
             what="redis to stop")
    r = wait_for(lambda: (lambda x: x if x.status == 503 else None)(health()), what="503")
    eq(r.json()["redis"], "down", "redis state")
    eq(r.json()["postgres"], "up", "postgres state")
    run(["bash", "scripts/stack", "up"])
    # Every responder thread reconnects: ask more times than there are threads.
    for _ in range(40):
        eq(health().status, 200, "after Redis restart")
    eq(pids("fcgi.pids"), before, "responders were not restarted")


def test_postgres_down_is_503_then_recovers():
    before = pids("fcgi.pids")
    data = os.path.join(VAR, "pg", "data")
    pgbin = sorted(p for p in os.listdir("/usr/lib/postgresql"))[-1]
    ctl = f"/usr/lib/postgresql/{pgbin}/bin/pg_ctl"
    as_svc = ["setpriv", "--reuid=pitwall", "--regid=pitwall", "--init-groups", "--"] if os.geteuid() == 0 else []
    subprocess.run(as_svc + [ctl, "-D", data, "-m", "fast", "-w", "stop"], check=True,
                   capture_output=True)
    r = health()
    eq(r.status, 503, "status with PostgreSQL down")
    eq(r.json()["postgres"], "down", "postgres state")
    run(["bash", "scripts/stack", "up"])
    for _ in range(40):
        eq(health().status, 200, "after PostgreSQL restart")
    eq(pids("fcgi.pids"), before, "responders were not restarted")


def test_migrate_twice_one_row_per_migration():
    files = sorted(f[:-4] for f in os.listdir(os.path.join(ROOT, "sql")) if re.match(r"\d{3}_.*\.sql$", f))
    p = run(["bash", "scripts/migrate"])
    assert "0 applied" in p.stdout, p.stdout
    run(["bash", "scripts/migrate"])
    rows = psql("SELECT version FROM schema_migrations ORDER BY version").split("\n")
    eq(rows, files, "schema_migrations")
    eq(psql("SELECT count(*) FROM schema_migrations"), str(len(files)), "row count")


def test_schema_refuses_bad_data():
    bad = [
        "INSERT INTO users (email, name, password_hash, role) VALUES ('a@b.c', 'x', 'h', 'root')",
        "INSERT INTO users (email, name, password_hash) VALUES ('not-an-email', 'x', 'h')",
        "INSERT INTO rounds (slug, name, starts_at, ends_at) VALUES ('r', 'R', now(), now() - interval '1 hour')",
        "INSERT INTO questions (round_id, slug, title) VALUES (999999, 'q', 'Q')",
        "INSERT INTO submission_results (submission_id, testcase_id, status_id, verdict, passed) "
        "VALUES (gen_random_uuid(), 1, 3, 'AC', true)",
    ]
    for sql in bad:
        try:
            psql(sql)
        except AssertionError:
            continue
        raise AssertionError(f"accepted: {sql}")


def test_stack_up_is_idempotent():
    before = (pids("fcgi.pids"), pids("nginx.pid"), pids("redis.pid"), pids("worker.pid"))
    run(["bash", "scripts/stack", "up"])
    after = (pids("fcgi.pids"), pids("nginx.pid"), pids("redis.pid"), pids("worker.pid"))
    eq(after, before, "pids after a second up")
    p = run(["bash", "scripts/stack", "status"])
    for name in ("postgres", "redis", "pitwall-fcgi", "pitwall-worker", "nginx"):
        assert re.search(rf"^{name}\s+running", p.stdout, re.M), p.stdout


def test_responder_refuses_empty_jwt_key():
    env = dict(os.environ)
    env.update(ENV)
    env.pop("JWT_SECRET_FILE", None)
    env["JWT_SECRET"] = ""
    p = subprocess.run([os.path.join(BIN, "pitwall-fcgi")], env=env, capture_output=True,
                       text=True, stdin=subprocess.DEVNULL, timeout=30)
    eq(p.returncode, 78, "exit status")
    assert "JWT_SECRET" in p.stderr, p.stderr


def test_readme_config_table_matches_code():
    table = run([os.path.join(BIN, "pitwall-admin"), "config", "markdown"]).stdout.strip()
    with open(os.path.join(ROOT, "README.md")) as f:
        readme = f.read()
    m = re.search(r"<!-- config-table -->\n(.*?)\n<!-- /config-table -->", readme, re.S)
    assert m, "README has no config table markers"
    eq(m.group(1).strip(), table, "README configuration table (regenerate with scripts/readme-config)")


def test_second_stack_does_not_collide():
    tmp = os.path.join(os.environ.get("PITWALL_TEST_TMP", tempfile.gettempdir()), "extra-stacks", "b")
    os.makedirs(tmp, exist_ok=True)
    os.chmod(os.path.dirname(tmp), 0o755)
    os.chmod(tmp, 0o755)
    var = os.path.join(tmp, "var")
    base = str(int(ENV["PITWALL_PORT_BASE"]) + 10)
    env = {"PITWALL_VAR": var, "PITWALL_PORT_BASE": base}
    try:
        run(["bash", "scripts/stack", "up"], env=env)
        other = stack_env(var)
        assert other["PITWALL_URL"] != URL
        eq(health(other["PITWALL_URL"]).status, 200, "second stack")
        eq(health().status, 200, "first stack still healthy")
        psql("CREATE TABLE only_in_b (x int)", var=var)
        eq(psql("SELECT to_regclass('only_in_b') IS NULL"), "t", "first stack's database untouched")
    finally:
        run(["bash", "scripts/stack", "down"], env=env, check=False)
    p = run(["bash", "scripts/stack", "status"], env=env, check=False)
    assert "running" not in p.stdout, p.stdout
    eq(health().status, 200, "first stack after the second went down")


def _psql_as(user):
    """psql to the stack's database as the local uid `user` (gid the same)."""
    return subprocess.run(["setpriv", f"--reuid={user}", f"--regid={user}", "--clear-groups",
                           "psql", ENV["DATABASE_URL"], "-X", "-Atqc", "SELECT 1"],
                          capture_output=True, text=True, timeout=30, cwd="/")


def test_other_local_users_cannot_reach_postgres():
    sock = ENV["PGHOST"]
    assert os.geteuid() == 0, "this test switches users: run as root (make test does)"
    eq(oct(os.stat(sock).st_mode & 0o777), oct(0o700), "socket directory mode")
    rules = psql("SELECT DISTINCT type || ':' || auth_method FROM pg_hba_file_rules ORDER BY 1")
    eq(rules, "local:peer", "pg_hba rules")
    p = _psql_as(65534)
    assert p.returncode != 0, p.stdout
    assert "Permission denied" in p.stderr, p.stderr
    # With the directory and the socket opened, authentication itself
    # still refuses.
    sfile = os.path.join(sock, ".s.PGSQL." + ENV["PGPORT"])
    eq(oct(os.stat(sfile).st_mode & 0o777), oct(0o700), "socket mode")
    os.chmod(sock, 0o755)
    os.chmod(sfile, 0o777)
    try:
        p = _psql_as(65534)
        assert p.returncode != 0, p.stdout
        assert "Peer authentication failed" in p.stderr, p.stderr
    finally:
        os.chmod(sfile, 0o700)
        os.chmod(sock, 0o700)
    eq(psql("SELECT 1"), "1", "root, mapped to pitwall, still connects")
