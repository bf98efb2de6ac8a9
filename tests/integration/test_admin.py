"""pitwall-admin against the real stack: users, bans, tokens, problem
packages (idempotent import, in-place fixes, export round trip), rounds and
the leaderboard rebuild."""
import base64
import json
import os
import shutil
import tempfile
import time
import uuid

from pw import BIN, ENV, ROOT, eq, psql, redis, run

ADMIN = os.path.join(BIN, "pitwall-admin")
DEMO = os.path.join(ROOT, "demo", "contest")
TMP = None


def admin(*args, check=True):
    return run([ADMIN, *map(str, args)], check=check)


def setup_module():
    global TMP
    TMP = tempfile.mkdtemp(prefix="pw-admin-", dir=os.environ.get("PITWALL_TEST_TMP"))


def teardown_module():
    shutil.rmtree(TMP, ignore_errors=True)


def counts(stdout):
    """{'rounds': (created, updated, unchanged, deleted), ...} from import output."""
    out = {}
    for line in stdout.splitlines():
        if ":" in line and "created" in line:
            what, rest = line.split(":", 1)
            nums = [int(w) for w in rest.replace(",", " ").split() if w.isdigit()]
            out[what.strip()] = tuple(nums)
    return out


def b64json(part):
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def test_usage_errors_exit_64():
    eq(admin(check=False).returncode, 64, "no command")
    eq(admin("frobnicate", check=False).returncode, 64, "unknown command")
    p = admin("user", "add", "--email", "x@y.z", check=False)
    eq(p.returncode, 64, "missing options")
    assert "usage:" in p.stderr, p.stderr
    eq(admin("round", "open", "r1", "--for", "0", check=False).returncode, 64, "--for 0")
    eq(admin("token", "--email", "a@b.c", "--ttl", "x", check=False).returncode, 64, "bad ttl")
    eq(admin("user", "add", "--bogus", "1", check=False).returncode, 64, "unknown option")
    p = admin("help")
    assert "leaderboard rebuild" in p.stdout, p.stdout


def test_user_add_and_duplicate():
    p = admin("user", "add", "--email", "alice@example.org", "--name", "Alice",
              "--password", "alice-secret-1")
    assert "created user" in p.stdout, p.stdout
    row = psql("SELECT name, role, banned, password_hash LIKE '$argon2id$%' "
               "FROM users WHERE email = 'alice@example.org'")
    eq(row, "Alice|contestant|f|t", "stored user")
    p = admin("user", "add", "--email", "ALICE@example.org", "--name", "Other",
              "--password", "whatever-123", check=False)
    eq(p.returncode, 1, "duplicate exit status")
    assert "exists" in p.stderr, p.stderr
    eq(psql("SELECT count(*) FROM users WHERE lower(email) = 'alice@example.org'"), "1", "one row")
    p = admin("user", "add", "--email", "root@example.org", "--name", "Root",
              "--password", "root-secret-1", "--role", "admin")
    eq(psql("SELECT role FROM users WHERE email = 'root@example.org'"), "admin", "admin role")
    for bad in (["--email", "nope", "--name", "N", "--password", "longenough"],
                ["--email", "b@c.d", "--name", "N", "--password", "short"],
                ["--email", "b@c.d", "--name", "N", "--password", "longenough", "--role", "root"]):
        eq(admin("user", "add", *bad, check=False).returncode, 64, f"refused {bad}")
    eq(psql("SELECT count(*) FROM users WHERE email = 'b@c.d'"), "0", "nothing stored")


def test_user_import_csv_reports_bad_rows():
    path = os.path.join(TMP, "users.csv")
    with open(path, "w") as f:
        f.write("email,name,password,role\n"
                "carol@example.org,Carol,carol-pass-1\n"
                "\"dave@example.org\",\"Doe, Dave\",dave-pass-1,admin\n"
                "not-an-email,Bad,bad-pass-11\n"
                "erin@example.org,Erin,short\n"
                "frank@example.org,Frank,frank-pass-1,superuser\n"
                "gina@example.org,Gina\n"
                "\n"
                "alice@example.org,Alice again,alice-secret-2\n"
                "hank@example.org,\"Hank \"\"H\"\" Hill\",hank-pass-11\r\n")
    p = admin("user", "import", path, check=False)
    eq(p.returncode, 1, "exit status with bad rows")
    for line in (4, 5, 6, 7):
        assert f"users.csv:{line}:" in p.stderr, (line, p.stderr)
    assert "users.csv:2:" not in p.stderr and "users.csv:3:" not in p.stderr, p.stderr
    assert "exists alice@example.org" in p.stdout, p.stdout
    assert "created 3, existing 1, bad 4" in p.stdout, p.stdout
    eq(psql("SELECT name || '/' || role FROM users WHERE email IN "
            "('carol@example.org', 'dave@example.org', 'hank@example.org') ORDER BY email"),
       "Carol/contestant\nDoe, Dave/admin\nHank \"H\" Hill/contestant", "imported rows")
    eq(psql("SELECT name FROM users WHERE email = 'alice@example.org'"), "Alice", "existing untouched")
    eq(psql("SELECT count(*) FROM users WHERE email IN ('erin@example.org', 'frank@example.org', "
            "'gina@example.org')"), "0", "bad rows not imported")
    # A re-run of the good rows only: everything exists, exit 0.
    good = os.path.join(TMP, "good.csv")
    with open(good, "w") as f:
        f.write("carol@example.org,Carol,carol-pass-1\ndave@example.org,Dave,dave-pass-1\n")
    p = admin("user", "import", good)
    assert "created 0, existing 2, bad 0" in p.stdout, p.stdout


def test_ban_and_unban_reach_db_and_redis():
    uid = psql("SELECT id FROM users WHERE email = 'carol@example.org'")
    admin("user", "ban", "--email", "carol@example.org")
    eq(psql(f"SELECT banned FROM users WHERE id = {uid}"), "t", "banned in DB")
    eq(redis("SISMEMBER", "pitwall:banned", uid), "1", "in Redis set")
    admin("user", "unban", "--email", "Carol@Example.org")
    eq(psql(f"SELECT banned FROM users WHERE id = {uid}"), "f", "unbanned in DB")
    eq(redis("SISMEMBER", "pitwall:banned", uid), "0", "out of Redis set")
    eq(admin("user", "ban", "--email", "nobody@example.org", check=False).returncode, 1, "unknown user")


def test_token_verifies_and_carries_claims():
    uid = psql("SELECT id FROM users WHERE email = 'root@example.org'")
    p = admin("token", "--email", "root@example.org", "--ttl", "600")
    tok = p.stdout.strip()
    parts = tok.split(".")
    eq(len(parts), 3, "three parts")
    eq(b64json(parts[0])["alg"], "HS256", "alg")
    claims = b64json(parts[1])
    eq(claims["sub"], uid, "sub")
    eq(claims["role"], "admin", "role")
    eq(claims["iss"], ENV.get("JWT_ISSUER", "pitwall"), "iss")
    assert isinstance(claims["exp"], int) and abs(claims["exp"] - time.time() - 600) < 30, claims
    assert len(claims["jti"]) == 32, claims
    # The signature verifies with the stack's key.
    import hashlib
    import hmac
    with open(ENV["JWT_SECRET_FILE"], "rb") as f:
        key = f.read().strip()
    mac = hmac.new(key, f"{parts[0]}.{parts[1]}".encode(), hashlib.sha256).digest()
    eq(base64.urlsafe_b64encode(mac).rstrip(b"=").decode(), parts[2], "signature")
    # A banned user still gets a token, with a warning.
    admin("user", "ban", "--email", "dave@example.org")
    p = admin("token", "--email", "dave@example.org")
    assert "banned" in p.stderr and p.stdout.count(".") == 2, (p.stdout, p.stderr)
    admin("user", "unban", "--email", "dave@example.org")
    eq(admin("token", "--email", "nobody@example.org", check=False).returncode, 1, "unknown user")


def test_user_list_has_no_hashes():
    p = admin("user", "list")
    assert "alice@example.org" in p.stdout and "Doe, Dave" in p.stdout, p.stdout
    assert "$argon2" not in p.stdout and "password" not in p.stdout, p.stdout
    assert p.stdout.splitlines()[0].split("\t")[:4] == ["id", "email", "name", "role"], p.stdout


def snapshot():
    return psql("SELECT q.slug, t.id, t.ordinal, t.name, t.is_sample, t.points, md5(t.input), "
                "md5(t.expected_output) FROM testcases t JOIN questions q ON q.id = t.question_id "
                "ORDER BY q.slug, t.ordinal")


def test_import_demo_twice_is_no_change():
    p = admin("import", DEMO)
    c = counts(p.stdout)
    eq(c["questions"][0], 2, "questions created")
    eq(c["testcases"][0], 10, "testcases created")
    eq(psql("SELECT slug, minutes FROM rounds WHERE slug = 'r1'"), "r1|180", "round")
    eq(psql("SELECT count(*) FILTER (WHERE is_sample), count(*) FROM testcases t JOIN questions q "
            "ON q.id = t.question_id WHERE q.slug = 'reverse'"), "2|5", "reverse samples")
    eq(psql("SELECT t.points FROM testcases t JOIN questions q ON q.id = t.question_id "
            "WHERE q.slug = 'sum' AND t.name = '05'"), "2", "NN.points")
    eq(psql("SELECT slug, rgb, color FROM questions WHERE slug IN ('sum', 'reverse')"
            " ORDER BY slug"), "reverse|#1e63d6|blue\nsum|#e53935|red", "balloon colours")
    before = snapshot()
    p = admin("import", DEMO)
    c = counts(p.stdout)
    eq(c["rounds"], (0, 0, 1, 0), "rounds second time")
    eq(c["questions"], (0, 0, 2, 0), "questions second time")
    eq(c["testcases"], (0, 0, 10, 0), "testcases second time")
    eq(snapshot(), before, "database after the second import")


def test_fixed_testcase_updates_in_place():
    pkg = os.path.join(TMP, "fixed")
    shutil.copytree(DEMO, pkg)
    tid = psql("SELECT t.id FROM testcases t JOIN questions q ON q.id = t.question_id "
               "WHERE q.slug = 'sum' AND t.name = '03'")
    with open(os.path.join(pkg, "sum", "tests", "03.out"), "w") as f:
        f.write("3000000000000\n\n")
    p = admin("import", pkg)
    eq(counts(p.stdout)["testcases"], (0, 1, 9, 0), "one updated")
    eq(psql("SELECT count(*) FROM testcases WHERE id = " + tid +
            " AND expected_output = E'3000000000000\\n\\n'"), "1", "same id, new output")
    # A new testcase in the middle renumbers, keeping every id.
    ids = psql("SELECT string_agg(t.id::text, ',' ORDER BY t.name) FROM testcases t "
               "JOIN questions q ON q.id = t.question_id WHERE q.slug = 'sum'")
    for ext, body in (("in", "1 1\n"), ("out", "2\n")):
        with open(os.path.join(pkg, "sum", "tests", f"02a.{ext}"), "w") as f:
            f.write(body)
    p = admin("import", pkg)
    eq(counts(p.stdout)["testcases"], (1, 3, 7, 0), "one created, three renumbered")
    eq(psql("SELECT string_agg(t.id::text, ',' ORDER BY t.name) FROM testcases t "
            "JOIN questions q ON q.id = t.question_id WHERE q.slug = 'sum' AND t.name <> '02a'"),
       ids, "ids kept")
    eq(psql("SELECT string_agg(t.name, ',' ORDER BY t.ordinal) FROM testcases t "
            "JOIN questions q ON q.id = t.question_id WHERE q.slug = 'sum'"),
       "01,02,02a,03,04,05", "ordinals follow names")
    # Removing it again: deleted, since nothing was judged against it.
    for ext in ("in", "out"):
        os.remove(os.path.join(pkg, "sum", "tests", f"02a.{ext}"))
    p = admin("import", pkg)
    eq(counts(p.stdout)["testcases"], (0, 3, 7, 1), "deleted")
    # Put the original back.
    admin("import", DEMO)


def test_removed_testcase_with_results_is_refused():
    pkg = os.path.join(TMP, "removed")
    shutil.copytree(DEMO, pkg)
    uid = psql("SELECT id FROM users WHERE email = 'alice@example.org'")
    qid, tid = psql("SELECT q.id, t.id FROM testcases t JOIN questions q ON q.id = t.question_id "
                    "WHERE q.slug = 'reverse' AND t.name = '05'").split("|")
    sid = str(uuid.uuid4())
    psql(f"INSERT INTO submissions (id, user_id, question_id, language_id, source, total, "
         f"created_at) VALUES ('{sid}', {uid}, {qid}, 71, 'print(1)', 5, now());"
         f"INSERT INTO submission_results (submission_id, testcase_id, status_id, verdict, passed) "
         f"VALUES ('{sid}', {tid}, 4, 'WA', false)")
    before = snapshot()
    for ext in ("in", "out"):
        os.remove(os.path.join(pkg, "reverse", "tests", f"05.{ext}"))
    with open(os.path.join(pkg, "sum", "tests", "01.out"), "w") as f:
        f.write("changed\n")
    p = admin("import", pkg, check=False)
    eq(p.returncode, 1, "refused")
    assert "05" in p.stderr and "result" in p.stderr, p.stderr
    eq(snapshot(), before, "nothing imported (one transaction)")
    psql(f"DELETE FROM submissions WHERE id = '{sid}'")


def test_bad_packages_name_the_file():
    cases = [
        ("sum/question.json", '{"round": "r1", "title": "T", "time_limit_ms": 0}', "time_limit_ms"),
        ("sum/question.json", '{"round": "r1", "title": "T", "tme_limit_ms": 5}', "tme_limit_ms"),
        ("sum/question.json", '{"round": "r9", "title": "T"}', "r9"),
        ("sum/question.json", '{"round": "r1", "title": "T", "samples": ["99"]}', "99"),
        ("sum/question.json", '{"round": "r1", "title": "T", "checker": "diff"}', "checker"),
        ("sum/question.json", '{"round": "r1", "title": ', "question.json"),
        ("sum/question.json", '{"round": "r1", "title": "T", "rgb": "red"}', "rgb"),
        ("sum/question.json", '{"round": "r1", "title": "T", "rgb": "#12345g"}', "rgb"),
        ("sum/question.json", '{"round": "r1", "title": "T", "color": "re\\"d"}', "color"),
        ("sum/question.json", '{"round": "r1", "title": "T", "color": ""}', "color"),
        ("contest.json", '{"name": "x", "rounds": [{"slug": "R 1", "name": "x"}]}', "slug"),
        ("contest.json", '{"name": "x", "rounds": [{"slug": "r1", "name": "x", "minutes": 0}]}',
         "minutes"),
        ("contest.json", '{"name": "x", "rounds": [{"slug": "r1", "name": "x", '
         '"starts_at": "tomorrow"}]}', "starts_at"),
        ("sum/tests/02.points", "lots\n", "02.points"),
        ("sum/tests/02.in", b"\xff\xfe\n", "02.in"),
        ("sum/tests/07.in", "1 2\n", "07.out"),
        ("sum/tests/notes.txt", "hi\n", "notes.txt"),
    ]
    before = snapshot()
    for i, (rel, body, needle) in enumerate(cases):
        pkg = os.path.join(TMP, f"bad{i}")
        shutil.copytree(DEMO, pkg)
        mode = "wb" if isinstance(body, bytes) else "w"
        with open(os.path.join(pkg, rel), mode) as f:
            f.write(body)
        p = admin("import", pkg, check=False)
        eq(p.returncode, 1, f"exit status for {rel}")
        assert needle in p.stderr, (rel, needle, p.stderr)
    eq(snapshot(), before, "bad packages changed nothing")
    eq(admin("import", os.path.join(TMP, "missing"), check=False).returncode, 1, "no dir")


def test_export_then_import_is_no_change():
    out = os.path.join(TMP, "export")
    p = admin("export", out)
    assert "exported" in p.stdout, p.stdout
    for rel in ("contest.json", "sum/question.json", "sum/statement.md", "sum/tests/05.points",
                "reverse/tests/03.out"):
        assert os.path.exists(os.path.join(out, rel)), rel
    with open(os.path.join(DEMO, "sum", "tests", "03.in")) as a, \
            open(os.path.join(out, "sum", "tests", "03.in")) as b:
        eq(b.read(), a.read(), "test data")
    with open(os.path.join(out, "contest.json")) as f:
        r1 = [r for r in json.load(f)["rounds"] if r["slug"] == "r1"][0]
    eq((r1["scoring"], r1["penalty_minutes"]), ("proportional", 20), "the round's mode exported")
    with open(os.path.join(out, "sum", "question.json")) as f:
        sq = json.load(f)
    eq((sq["rgb"], sq["color"]), ("#e53935", "red"), "the balloon colour exported")
    before = snapshot()
    p = admin("import", out)
    c = counts(p.stdout)
    eq(c["questions"][:2], (0, 0), "questions unchanged")
    eq(c["testcases"][:2] + c["testcases"][3:], (0, 0, 0), "testcases unchanged")
    eq(c["rounds"][:2], (0, 0), "rounds unchanged")
    eq(snapshot(), before, "database after importing the export")
    eq(admin("export", out, check=False).returncode, 1, "non-empty directory refused")


def test_round_open_and_close():
    redis("SET", "pitwall:q:999999", "stale")
    p = admin("round", "open", "r1", "--for", "90")
    assert "open" in p.stdout, p.stdout
    eq(redis("EXISTS", "pitwall:q:999999"), "0", "question caches dropped")
    row = psql("SELECT abs(extract(epoch FROM starts_at - now())) < 60, "
               "round(extract(epoch FROM ends_at - starts_at))::int FROM rounds WHERE slug = 'r1'")
    eq(row, "t|5400", "window of 90 minutes from now")
    admin("round", "open", "r1")
    eq(psql("SELECT round(extract(epoch FROM ends_at - starts_at))::int FROM rounds "
            "WHERE slug = 'r1'"), "10800", "default from the package (180)")
    p = admin("round", "list")
    assert "\tr1\t" in p.stdout and "\topen\t" in p.stdout, p.stdout
    # Re-importing the package keeps the window (null times = keep).
    admin("import", DEMO)
    eq(psql("SELECT ends_at > now() FROM rounds WHERE slug = 'r1'"), "t", "still open after import")
    admin("round", "close", "r1")
    eq(psql("SELECT ends_at <= now() AND ends_at > now() - interval '1 minute' FROM rounds "
            "WHERE slug = 'r1'"), "t", "closed now")
    assert "\tclosed\t" in admin("round", "list").stdout
    p = admin("round", "close", "r1")
    assert "already closed" in p.stdout, p.stdout
    eq(admin("round", "open", "nope", check=False).returncode, 1, "unknown round")
    admin("round", "open", "r1")


def test_export_with_round_window_round_trips():
    out = os.path.join(TMP, "export-open")
    admin("export", out)
    with open(os.path.join(out, "contest.json")) as f:
        r1 = [r for r in json.load(f)["rounds"] if r["slug"] == "r1"][0]
    assert r1["starts_at"].endswith("Z") and r1["ends_at"], r1
    before = psql("SELECT starts_at, ends_at FROM rounds WHERE slug = 'r1'")
    c = counts(admin("import", out).stdout)
    eq(c["rounds"][:2], (0, 0), "rounds unchanged")
    eq(psql("SELECT starts_at, ends_at FROM rounds WHERE slug = 'r1'"), before, "window kept")


def test_password_from_stdin():
    p = run_stdin([ADMIN, "user", "add", "--email", "stdin@example.org", "--name", "S",
                   "--password", "-"], "from-stdin-pw\n")
    eq(p.returncode, 0, p.stderr)
    eq(psql("SELECT count(*) FROM users WHERE email = 'stdin@example.org'"), "1", "created")


def run_stdin(cmd, data):
    import subprocess
    e = dict(os.environ)
    e.update(ENV)
    return subprocess.run(cmd, cwd=ROOT, env=e, input=data, capture_output=True, text=True,
                          timeout=60)


def test_leaderboard_rebuild_from_submissions():
    rid = psql("SELECT id FROM rounds WHERE slug = 'r1'")
    qs = dict(line.split("|") for line in psql("SELECT slug, id FROM questions").splitlines())
    users = {}
    for who in ("lb1", "lb2", "lb3"):
        admin("user", "add", "--email", f"{who}@example.org", "--name", who.upper(),
              "--password", "lb-pass-123")
        users[who] = psql(f"SELECT id FROM users WHERE email = '{who}@example.org'")

    def best(user, q, score, at):
        # A finished submission (the boards count those, sql/007_scoring.sql).
        sid = str(uuid.uuid4())
        psql(f"INSERT INTO submissions (id, user_id, question_id, language_id, source, total, "
             f"created_at, status, done, passed, failed, score, verdict, finished_at) VALUES "
             f"('{sid}', {users[user]}, {qs[q]}, 71, 'x', 5, '{at}', 'done', 5, 5, 0, {score},"
             f" 'AC', '{at}');"
             f"INSERT INTO best_scores VALUES ({users[user]}, {qs[q]}, {score}, '{sid}', '{at}')")

    best("lb1", "sum", 100, "2025-01-01T10:00:00Z")
    best("lb1", "reverse", 40.5, "2025-01-01T10:30:00Z")
    best("lb2", "sum", 60, "2025-01-01T10:05:00Z")
    best("lb3", "reverse", 0, "2025-01-01T10:10:00Z")
    lb = f"pitwall:lb:{rid}"
    redis("ZADD", lb, "999", "424242")  # stale entry: must go
    p = admin("leaderboard", "rebuild")
    assert "rebuilt" in p.stdout, p.stdout
    z = redis("ZRANGE", lb, "0", "-1", "WITHSCORES").splitlines()
    got = {z[i]: float(z[i + 1]) for i in range(0, len(z), 2)}
    eq(got, {users["lb1"]: 140.5, users["lb2"]: 60.0, users["lb3"]: 0.0}, "zset")
    meta = json.loads(redis("HGET", f"{lb}:meta", users["lb1"]))
    eq(meta["name"], "LB1", "meta name")
    eq(meta["score"], 140.5, "meta score")
    eq(meta["last_improved_at"], "2025-01-01T10:30:00.000Z", "meta last_improved_at")
    eq(redis("HLEN", f"{lb}:meta"), "3", "meta entries")
    # Idempotent.
    admin("leaderboard", "rebuild")
    eq(redis("ZCARD", lb), "3", "after a second rebuild")


def test_import_refuses_symbolic_links():
    """A link in a package (statement, test file, tests folder, question
    folder) is refused with its path named, and nothing of it is stored."""
    secret = os.path.join(TMP, "secret.key")
    with open(secret, "w") as f:
        f.write("TOP-SECRET-KEY-MATERIAL\n")
    before = snapshot()
    statements = psql("SELECT md5(string_agg(statement, '' ORDER BY id)) FROM questions")
    cases = [
        (os.path.join("sum", "statement.md"), secret),
        (os.path.join("sum", "tests", "01.out"), secret),
        (os.path.join("sum", "tests"), os.path.join(DEMO, "reverse", "tests")),
        ("extra", os.path.join(DEMO, "sum")),
    ]
    for i, (rel, target) in enumerate(cases):
        pkg = os.path.join(TMP, f"links{i}")
        shutil.copytree(DEMO, pkg)
        link = os.path.join(pkg, rel)
        if os.path.isdir(link) and not os.path.islink(link):
            shutil.rmtree(link)
        elif os.path.exists(link):
            os.remove(link)
        os.symlink(target, link)
        p = admin("import", pkg, check=False)
        assert p.returncode != 0, (rel, p.stdout)
        assert link in p.stderr and "symbolic link" in p.stderr, (rel, p.stderr)
    eq(snapshot(), before, "testcases after refused imports")
    eq(psql("SELECT md5(string_agg(statement, '' ORDER BY id)) FROM questions"), statements,
       "statements after refused imports")
    eq(psql("SELECT count(*) FROM questions WHERE statement LIKE '%TOP-SECRET%'"), "0", "key")
