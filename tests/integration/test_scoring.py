"""Scoring modes, the freeze, scored problems and the overall verdict
(sql/007_scoring.sql, lib/board.c, worker/finalize.c), over HTTP and the
CLI: hand-computed ICPC, IOI and proportional tables of a fixed history
(ties, a rejudge that changes a verdict, first solvers), the incremental
boards equal to `leaderboard rebuild`, the freeze one second before and
after with a rejudge during it, the scored package fixture's groups
through the fake Judge0, and the verdict of the first failing testcase."""
import json
import os
import secrets
import time
import uuid

from client import FakeJudge0
from contest import auth, jwt, make_question, make_user, submit, wait_done
from pw import BIN, ENV, ROOT, URL, eq, http, post, psql, redis, run, wait_for

FAKE = FakeJudge0(os.environ.get("PITWALL_FAKE_JUDGE0_URL", ENV.get("JUDGE0_URL", "")))
ADMIN = os.path.join(BIN, "pitwall-admin")
S = {}


def admin_hdr():
    return auth(jwt(S["admin"], role="admin"))


def admin(*args, check=True):
    return run([ADMIN, *map(str, args)], check=check)


def setup_module():
    FAKE.reset()
    S["admin"] = make_user(role="admin")


def new_round(start="2025-01-01T10:00:00Z", end=None, scoring=None):
    slug = "s" + secrets.token_hex(4)
    end = end or "now() + interval '1 hour'"
    start_sql = f"'{start}'" if "now()" not in start else start
    end_sql = f"'{end}'" if "now()" not in end else end
    rid = int(psql(f"INSERT INTO rounds (slug, name, starts_at, ends_at) VALUES ('{slug}', 'S',"
                   f" {start_sql}, {end_sql}) RETURNING id").split("\n")[0])
    redis("DEL", "pitwall:rounds")
    if scoring:
        admin("round", "set", slug, "--scoring", scoring)
    return rid, slug


def put(uid, qid, at, verdict, source="print(input())", status="done"):
    """A submission of the fixed history, finished with verdict at time at."""
    sid = str(uuid.uuid4())
    score = "100" if verdict == "AC" else "0"
    if status == "done":
        psql(f"INSERT INTO submissions (id, user_id, question_id, language_id, source, total,"
             f" status, done, passed, failed, score, verdict, created_at, finished_at) VALUES"
             f" ('{sid}', {uid}, {qid}, 71, $s${source}$s$, 1, 'done', 1,"
             f" {1 if verdict == 'AC' else 0}, {0 if verdict == 'AC' else 1}, {score},"
             f" '{verdict}', '{at}', '{at}')")
        # best_scores as the worker keeps it (a better score, or an equal
        # one reached earlier), so the history is one the worker could
        # have written (test_submit and test_worker check that of all).
        psql(f"INSERT INTO best_scores (user_id, question_id, score, submission_id, achieved_at)"
             f" VALUES ({uid}, {qid}, {score}, '{sid}', '{at}') ON CONFLICT (user_id, question_id)"
             f" DO UPDATE SET score = EXCLUDED.score, submission_id = EXCLUDED.submission_id,"
             f" achieved_at = EXCLUDED.achieved_at WHERE EXCLUDED.score > best_scores.score"
             f" OR (EXCLUDED.score = best_scores.score AND EXCLUDED.achieved_at < best_scores.achieved_at)")
    else:
        psql(f"INSERT INTO submissions (id, user_id, question_id, language_id, source, total,"
             f" created_at) VALUES ('{sid}', {uid}, {qid}, 71, 'x', 1, '{at}')")
    return sid


def board(slug, hdr=None):
    r = http("GET", URL + f"/leaderboard?round={slug}", headers=hdr or {})
    eq(r.status, 200, f"leaderboard {r!r}")
    return r.json()


def icpc_rows(b, names):
    """(rank, user, solved, penalty, {question: (tries, minutes, first, pending)})."""
    out = []
    for e in b:
        probs = {p["question"]: (p["tries"], p["minutes"], p.get("first", False), p["pending"])
                 for p in e["problems"] if p["tries"] or p["pending"]}
        out.append((e["rank"], names[e["name"]], e["score"], e["penalty"], probs))
    return out


def users(*tags):
    ids, names = {}, {}
    for t in tags:
        n = f"{t}-{secrets.token_hex(2)}"
        ids[t] = make_user(name=n)
        names[n] = t
    return ids, names


def test_icpc_fixed_history_ties_first_solvers_and_a_rejudge():
    FAKE.reset()
    rid, slug = new_round(scoring="icpc")
    qa, _ = make_question(rid, [("x\n", "x\n", 1, False)])
    qb, _ = make_question(rid, [("x\n", "x\n", 1, False)])
    sa = psql(f"SELECT slug FROM questions WHERE id = {qa}")
    sb = psql(f"SELECT slug FROM questions WHERE id = {qb}")
    u, names = users("u1", "u2", "u3", "u4", "u5")
    T = "2025-01-01T"
    put(u["u1"], qa, T + "10:05:00Z", "WA")
    put(u["u1"], qa, T + "10:07:00Z", "CE")        # a compile error is no try
    put(u["u1"], qa, T + "10:12:30Z", "AC")        # 12 min + 20
    put(u["u1"], qa, T + "10:50:00Z", "WA")        # after the solve: nothing
    put(u["u1"], qb, T + "10:30:00Z", "AC")        # 30 min: B's first solver
    put(u["u2"], qa, T + "10:10:00Z", "AC")        # A's first solver
    wrong = put(u["u2"], qb, T + "10:20:00Z", "WA")  # echo source: AC on rejudge
    put(u["u2"], qb, T + "10:40:00Z", "AC")        # 40 + 20
    for who in ("u3", "u4"):                        # the same times: a shared rank
        put(u[who], qa, T + "10:22:00Z", "AC")
        put(u[who], qb, T + "10:40:00Z", "AC")
    put(u["u5"], qa, T + "10:03:00Z", "IE")        # a judging error is no try
    put(u["u5"], qb, T + "10:04:00Z", "x", status="judging")  # pending
    admin("leaderboard", "rebuild")
    got = icpc_rows(board(slug), names)
    want = [(1, "u1", 2, 62, {sa: (2, 12, False, 0), sb: (1, 30, True, 0)}),
            (2, "u3", 2, 62, {sa: (1, 22, False, 0), sb: (1, 40, False, 0)}),
            (2, "u4", 2, 62, {sa: (1, 22, False, 0), sb: (1, 40, False, 0)}),
            (4, "u2", 2, 70, {sa: (1, 10, True, 0), sb: (2, 40, False, 0)}),
            (5, "u5", 0, 0, {sb: (0, None, False, 1)})]
    eq(got, want, "ICPC table: solved, penalty, last solve; CE/IE no tries; pending")
    eq(board(slug, admin_hdr()), board(slug), "no freeze: the jury sees the same board")

    # The rejudge turns u2's WA on B at 10:20 into AC: 10 + 20 = 30, first on B.
    r = post("/admin/rejudge", {"submission_id": wrong}, headers=admin_hdr())
    eq(r.status, 202, f"rejudge {r!r}")
    wait_for(lambda: psql(f"SELECT verdict FROM submissions WHERE id = '{wrong}'") == "AC",
             what="the rejudged submission accepted")
    want2 = [(1, "u2", 2, 30, {sa: (1, 10, True, 0), sb: (1, 20, True, 0)}),
             (2, "u1", 2, 62, {sa: (2, 12, False, 0), sb: (1, 30, False, 0)}),
             (3, "u3", 2, 62, {sa: (1, 22, False, 0), sb: (1, 40, False, 0)}),
             (3, "u4", 2, 62, {sa: (1, 22, False, 0), sb: (1, 40, False, 0)}),
             (5, "u5", 0, 0, {sb: (0, None, False, 1)})]
    wait_for(lambda: icpc_rows(board(slug), names) == want2,
             what="the worker's board after the rejudge")
    before = board(slug)
    admin("leaderboard", "rebuild")
    eq(board(slug), before, "incremental board after the rejudge = rebuild")

    # The same history ranked by points, the mode changed by the admin API.
    r = http("PATCH", URL + f"/admin/rounds/{slug}", body={"scoring": "proportional"},
             headers=admin_hdr())
    eq((r.status, r.json()["scoring"]), (200, "proportional"), f"PATCH {r!r}")
    got = [(e["rank"], names[e["name"]], e["score"]) for e in board(slug)]
    # 200 each; u2 reached it at 10:40 (its B best is the earliest 100,
    # now 10:20), u1 at 10:30, u3 and u4 at 10:40.
    eq(got, [(1, "u2", 200), (2, "u1", 200), (3, "u3", 200), (3, "u4", 200), (5, "u5", 0)],
       "proportional table of the same history")
    # ioi: ties are shared whatever the time.
    admin("round", "set", slug, "--scoring", "ioi")
    got = [(e["rank"], names[e["name"]], e["score"]) for e in board(slug)]
    eq(sorted(got), [(1, "u1", 200), (1, "u2", 200), (1, "u3", 200), (1, "u4", 200),
                     (5, "u5", 0)], "ioi: equal totals share the rank")


def test_icpc_penalty_setting_and_incremental_equals_rebuild():
    FAKE.reset()
    rid, slug = new_round(start="date_trunc('second', now()) - interval '90 seconds'")
    r = http("PATCH", URL + f"/admin/rounds/{slug}", body={"scoring": "icpc", "penalty_minutes": 7},
             headers=admin_hdr())
    eq((r.status, r.json()["penalty_minutes"]), (200, 7), f"PATCH {r!r}")
    qid, _ = make_question(rid, [("x\n", "x\n", 1, False), ("y\n", "y\n", 1, False)])
    u, names = users("a", "b")
    ta, tb = jwt(u["a"]), jwt(u["b"])
    for src in ("print(input())  #fake: status=4", "print(input())  #fake: status=6",
                "print(input())"):
        wait_done(submit(ta, qid, source=src).json()["submission_id"])
    wait_done(submit(tb, qid).json()["submission_id"])
    # a: one WA try (the CE is none) then AC at minute 1: 1 + 7; b: 1.
    want = [(1, "b", 1, 1), (2, "a", 1, 8)]
    rows = lambda: [(e["rank"], names[e["name"]], e["score"], e["penalty"]) for e in board(slug)]
    wait_for(lambda: rows() == want, what="the worker's ICPC board")
    before = board(slug)
    admin("leaderboard", "rebuild")
    eq(board(slug), before, "incremental = rebuild")


def test_verdict_is_the_first_failing_testcase():
    FAKE.reset()
    rid, _ = new_round(start="now() - interval '1 minute'")
    qid, _ = make_question(rid, [("a\n", "a\n"), ("b\n", "b\n"), ("c\n", "c\n")])
    uid = make_user()
    tok = jwt(uid)
    FAKE.set_rules([
        {"match": {"stdin": "b\n", "source_contains": "MIXED"}, "action": {"status_id": 5}},
        {"match": {"stdin": "c\n", "source_contains": "MIXED"}, "action": {"status_id": 4}},
        {"match": {"stdin": "a\n", "source_contains": "BIG"}, "action": {"status_id": 8}},
        {"match": {"stdin": "c\n", "source_contains": "MEM"},
         "action": {"status_id": 7, "message": "Memory limit exceeded"}},
    ])
    cases = [("print(input())", "AC"), ("print(input()) # MIXED", "TLE"),
             ("print(input()) # BIG", "OLE"), ("print(input()) # MEM", "MLE"),
             ("print(input())  #fake: status=6", "CE")]
    sids = []
    for src, want in cases:
        sid = submit(tok, qid, source=src).json()["submission_id"]
        wait_done(sid)
        sids.append((sid, want))
    for sid, want in sids:
        eq(psql(f"SELECT verdict FROM submissions WHERE id = '{sid}'"), want, f"verdict {sid}")
        got = wait_for(lambda: http("GET", URL + f"/submissions/{sid}", headers=auth(tok)).json()
                       .get("verdict"), what="verdict in GET /submissions/{id}")
        eq(got, want, "GET /submissions/{id}")
    lst = {s["id"]: s["verdict"] for s in
           http("GET", URL + f"/submissions?question_id={qid}", headers=auth(tok)).json()}
    eq(lst, dict(sids), "GET /submissions")
    # From PostgreSQL once Redis has forgotten the submission.
    redis("DEL", f"pitwall:sub:{sids[1][0]}", f"pitwall:sub:{sids[1][0]}:results")
    eq(http("GET", URL + f"/submissions/{sids[1][0]}", headers=auth(tok)).json()["verdict"],
       "TLE", "GET /submissions/{id} from PostgreSQL")
    # The first testcase in order decides: MIXED's second is TLE, third WA.
    eq(psql(f"SELECT string_agg(r.verdict, ',' ORDER BY t.ordinal) FROM submission_results r"
            f" JOIN testcases t ON t.id = r.testcase_id WHERE r.submission_id = '{sids[1][0]}'"),
       "AC,TLE,WA", "per-testcase verdicts")


def scored_rules():
    """Sum programs, the partial ones wrong on one group's first testcase."""
    answers = {"1 2": "3", "2 2": "4", "3 4": "7", "1000000000 1000000000": "2000000000",
               "5 6": "11"}
    rules = [{"match": {"stdin_prefix": "1000000000", "source_contains": "ONLY-G1"},
              "action": {"stdout": "0\n"}},
             {"match": {"stdin_prefix": "2 2", "source_contains": "ONLY-G2"},
              "action": {"stdout": "0\n"}}]
    rules += [{"match": {"stdin_prefix": k + "\n"}, "action": {"stdout": v + "\n"}}
              for k, v in answers.items()]
    return rules


def test_scored_package_groups_and_ioi_subtasks():
    """tests/packages/scored: group1 two testcases of 40 (sum, break),
    group2 two of 60 (min): 140 raw, scaled to 100 points.  ONLY-G1 gets
    80/140, ONLY-G2 60/140; under ioi one user with both has 100 (best
    per subtask), which ties a user with one full solution."""
    FAKE.reset()
    FAKE.set_rules(scored_rules())
    rid, slug = new_round(start="now() - interval '1 minute'", scoring="ioi")
    qslug = "scored" + secrets.token_hex(2)
    admin("import-problem", os.path.join(ROOT, "tests", "packages", "scored"), "--round", slug,
          "--slug", qslug)
    qid = int(psql(f"SELECT id FROM questions WHERE slug = '{qslug}'"))
    u, names = users("both", "full", "one")
    subs = {}
    for who, src in (("both", "ONLY-G1"), ("both", "ONLY-G2"), ("full", "FULL"),
                     ("one", "ONLY-G1")):
        sid = submit(jwt(u[who]), qid, source=f"print(sum(map(int, input().split()))) # {src}"
                     ).json()["submission_id"]
        subs[(who, src)] = wait_done(sid)[5]
        subs[(who, src, "id")] = sid
    eq(subs[("both", "ONLY-G1")], "57.1429", "group1 only: 100 x 80/140")
    eq(subs[("both", "ONLY-G2")], "42.8571", "group2 only: 100 x 60/140")
    eq(subs[("full", "FULL")], "100.0000", "all groups")
    eq(psql(f"SELECT string_agg(group_path || '=' || score, ',' ORDER BY group_path)"
            f" FROM submission_group_scores WHERE submission_id = '{subs[('both', 'ONLY-G2', 'id')]}'"),
       "secret/group1=0.0000,secret/group2=42.8571", "group scores of ONLY-G2 (group1 broke)")
    rows = lambda: sorted((e["rank"], names[e["name"]], e["score"]) for e in board(slug))
    want = [(1, "both", 100), (1, "full", 100), (3, "one", 57.1429)]
    wait_for(lambda: rows() == want, what="the ioi board: best per subtask, ties shared")
    before = board(slug)
    admin("leaderboard", "rebuild")
    eq(board(slug), before, "incremental = rebuild")
    admin("round", "set", slug, "--scoring", "proportional")
    eq(sorted((names[e["name"]], e["score"]) for e in board(slug)),
       [("both", 57.1429), ("full", 100), ("one", 57.1429)], "proportional: the best submission")


def at_second(offset):
    """Sleep until `offset` seconds past the database's whole second base."""
    target = S["base"] + offset + 0.1
    while time.time() < target:
        time.sleep(min(0.05, target - time.time()))


def test_freeze_edges_rejudge_and_unfreeze():
    FAKE.reset()
    # Started 5 min 30 s ago: the submissions below, made within 30 s,
    # are solved at minute 5.
    rid, slug = new_round(start="date_trunc('second', now()) - interval '330 seconds'",
                          scoring="icpc")
    qid, _ = make_question(rid, [("x\n", "x\n", 1, False)])
    q2, _ = make_question(rid, [("x\n", "x\n", 1, False)])
    u, names = users("before", "after", "owner")
    # freeze_at = the next whole second + 2: one submission at freeze - 1 s,
    # one at freeze + 1 s.
    S["base"] = int(time.time()) + 1
    freeze = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(S["base"] + 2))
    admin("round", "set", slug, "--freeze-at", freeze)
    r = http("GET", URL + f"/admin/rounds/{slug}", headers=admin_hdr()).json()
    eq(r["freeze_at"], freeze, "freeze_at")
    at_second(1)
    early = submit(jwt(u["before"]), qid).json()["submission_id"]
    at_second(3)
    late = submit(jwt(u["after"]), qid).json()["submission_id"]
    wrong = submit(jwt(u["owner"]), q2, source="print(input()) #fake: status=4").json()["submission_id"]
    for sid in (early, late, wrong):
        wait_done(sid)
    eq(psql(f"SELECT created_at < freeze_at FROM submissions s, rounds r WHERE r.id = {rid}"
            f" AND s.id IN ('{early}', '{late}') ORDER BY s.created_at"), "t\nf", "the edges")
    eq(http("GET", URL + f"/admin/rounds/{slug}", headers=admin_hdr()).json()["frozen"], True,
       "frozen")

    def rows(hdr=None):
        return sorted((names[e["name"]], e["score"], e["penalty"],
                       sum(p["pending"] for p in e["problems"])) for e in board(slug, hdr))
    public = [("after", 0, 0, 1), ("before", 1, 5, 0), ("owner", 0, 0, 1)]
    jury = [("after", 1, 5, 0), ("before", 1, 5, 0), ("owner", 0, 0, 0)]
    wait_for(lambda: rows() == public, what="the public board: after the freeze is pending")
    eq(rows(admin_hdr()), jury, "the jury's board is live")
    # Contestants (not admins) see the public board; each sees their own verdicts.
    eq(rows(auth(jwt(u["owner"]))), public, "a contestant's board is frozen")
    eq(http("GET", URL + f"/submissions/{wrong}", headers=auth(jwt(u["owner"]))).json()["verdict"],
       "WA", "the owner still sees the verdict")
    # A rejudge during the freeze: the pre-freeze submission turns WA, the
    # public board shows that (it is from before); the post-freeze one
    # stays pending there.
    FAKE.set_rules([{"match": {"any": True}, "action": {"status_id": 4}}])
    for sid in (early, late):
        eq(post("/admin/rejudge", {"submission_id": sid}, headers=admin_hdr()).status, 202,
           "rejudge")
    for sid in (early, late):
        wait_for(lambda: psql(f"SELECT verdict FROM submissions WHERE id = '{sid}'") == "WA",
                 what="rejudged to WA")
    public2 = [("after", 0, 0, 1), ("before", 0, 0, 0), ("owner", 0, 0, 1)]
    wait_for(lambda: rows() == public2, what="the rejudge seen on the public board")
    eq(rows(admin_hdr()), [("after", 0, 0, 0), ("before", 0, 0, 0), ("owner", 0, 0, 0)],
       "jury after the rejudge")
    frozen = board(slug)
    admin("leaderboard", "rebuild")
    eq(board(slug), frozen, "rebuild keeps the frozen board")
    # unfreeze: the final board is the jury's.
    r = post(f"/admin/rounds/{slug}/unfreeze", headers=admin_hdr())
    eq((r.status, r.json()["frozen"]), (200, False), f"unfreeze {r!r}")
    eq(board(slug), board(slug, admin_hdr()), "after unfreeze the public board is final")


def test_contest_package_sets_the_mode():
    import shutil
    import tempfile
    tmp = tempfile.mkdtemp(prefix="pw-score-", dir=os.environ.get("PITWALL_TEST_TMP"))
    slug, qslug = "pk" + secrets.token_hex(3), "pq" + secrets.token_hex(3)
    pkg = os.path.join(tmp, "pkg")
    shutil.copytree(os.path.join(ROOT, "demo", "contest", "sum"), os.path.join(pkg, qslug))
    with open(os.path.join(pkg, qslug, "question.json")) as f:
        q = json.load(f)
    q["round"] = slug
    with open(os.path.join(pkg, qslug, "question.json"), "w") as f:
        json.dump(q, f)
    contest = {"name": "P", "rounds": [{"slug": slug, "name": "P", "minutes": 60,
                                        "scoring": "icpc", "penalty_minutes": 15,
                                        "freeze_at": "2030-01-01T12:00:00Z"}]}
    with open(os.path.join(pkg, "contest.json"), "w") as f:
        json.dump(contest, f)
    admin("import", pkg)
    eq(psql(f"SELECT scoring, penalty_minutes, freeze_at = '2030-01-01T12:00:00Z'"
            f" FROM rounds WHERE slug = '{slug}'"), "icpc|15|t", "mode from contest.json")
    contest["rounds"][0]["scoring"] = "fastest"
    with open(os.path.join(pkg, "contest.json"), "w") as f:
        json.dump(contest, f)
    p = admin("import", pkg, check=False)
    assert p.returncode == 1 and "scoring" in p.stderr, p.stderr


def test_unfreeze_and_mode_changes_are_announced_live():
    from contest import leaderboard_messages
    rid, slug = new_round(start="now() - interval '1 minute'")
    want = {"type": "leaderboard", "round_id": rid}
    with leaderboard_messages() as got:
        eq(post(f"/admin/rounds/{slug}/unfreeze", headers=admin_hdr()).status, 200, "unfreeze")
        wait_for(lambda: want in got, timeout=10, what="the message of the API's unfreeze")
        got.clear()
        admin("round", "set", slug, "--scoring", "icpc")
        wait_for(lambda: want in got, timeout=10, what="the message of the CLI's mode change")
