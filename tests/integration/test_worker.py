"""pitwall-worker against the real stack: jobs pushed straight on
pitwall:queue (bodies shaped like Judge0 1.13 callbacks), results stored
exactly once, scores, dead letters, crashes and outages."""
import base64
import json
import os
import signal
import socket
import subprocess
import time
import uuid

from pw import ENV, ROOT, VAR, eq, psql, redis, run, wait_for

LANG = 71
# (expected output, points) of the fixture question's testcases.
TESTS = [("1\n", 1), ("2 2\n", 2), ("3\n", 3)]


def ruby_b64(text):
    """Base64 the way Judge0 (Ruby's encode64) writes it: \\n every 60 chars and at the end."""
    if text is None:
        return None
    enc = base64.b64encode(text.encode() if isinstance(text, str) else text).decode()
    return "".join(enc[i:i + 60] + "\n" for i in range(0, len(enc), 60))


def body(stdout, status=3, time_s="0.045", memory=1234, token=None, message=None,
         compile_output=None):
    return json.dumps({
        "token": token or str(uuid.uuid4()),
        "time": time_s, "memory": memory,
        "stdout": ruby_b64(stdout), "stderr": None,
        "compile_output": ruby_b64(compile_output), "message": ruby_b64(message),
        "status": {"id": status, "description": "x"},
    })


def push(job):
    redis("LPUSH", "pitwall:queue", job if isinstance(job, str) else json.dumps(job))


def result_job(sid, tid, stdout, attempt=1, **kw):
    return {"type": "result", "s": sid, "t": tid, "a": attempt, "body": body(stdout, **kw)}


def first(out):
    return out.split("\n")[0]


def make_user():
    name = "w" + uuid.uuid4().hex[:8]
    return int(first(psql(f"INSERT INTO users (email, name, password_hash) VALUES "
                          f"('{name}@example.org', '{name}', 'x') RETURNING id")))


def make_question(points=100, tests=TESTS):
    slug = "w" + uuid.uuid4().hex[:8]
    rid = int(first(psql(f"INSERT INTO rounds (slug, name, starts_at, ends_at) VALUES "
                         f"('{slug}', 'R', now() - interval '1 hour', now() + interval '1 hour') "
                         f"RETURNING id")))
    qid = int(first(psql(f"INSERT INTO questions (round_id, slug, title, points) VALUES "
                         f"({rid}, '{slug}', 'Q', {points}) RETURNING id")))
    tids = []
    for i, (exp, pts) in enumerate(tests):
        tids.append(int(first(psql(
            f"INSERT INTO testcases (question_id, ordinal, name, input, expected_output, points) "
            f"VALUES ({qid}, {i}, '{i:02d}', 'in', $x${exp}$x$, {pts}) RETURNING id"))))
    return rid, qid, tids


def new_sub(uid, qid, tids, created_ms=None):
    """The Redis state /submit leaves for a submission."""
    sid = str(uuid.uuid4())
    created = created_ms or int(time.time() * 1000)
    redis("HSET", f"pitwall:sub:{sid}", "user_id", uid, "question_id", qid, "language_id", LANG,
          "source", "print(input())", "total", len(tids), "created_at", created,
          "status", "judging", "done", 0, "passed", 0, "failed", 0)
    redis("SADD", f"pitwall:sub:{sid}:pending", *tids)
    return sid


def sub_row(sid):
    out = psql(f"SELECT status, done, passed, failed, coalesce(score::text, ''), "
               f"coalesce(max_time_ms, -1), coalesce(max_memory_kb, -1) "
               f"FROM submissions WHERE id = '{sid}'")
    return out.split("|") if out else None


def wait_done(sid, timeout=60):
    return wait_for(lambda: (lambda r: r if r and r[0] == "done" else None)(sub_row(sid)),
                    timeout=timeout, what=f"submission {sid} done")


def verdicts(sid):
    return psql(f"SELECT string_agg(verdict, ',' ORDER BY t.ordinal) FROM submission_results r "
                f"JOIN testcases t ON t.id = r.testcase_id WHERE submission_id = '{sid}'")


def results_count(sid):
    return int(psql(f"SELECT count(*) FROM submission_results WHERE submission_id = '{sid}'"))


def dead_entries():
    out = redis("LRANGE", "pitwall:dead", 0, -1)
    return [json.loads(x) for x in out.split("\n") if x]


def worker_pid():
    with open(os.path.join(VAR, "root", "worker.pid")) as f:
        return int(f.read().split()[0])


def alive(pid):
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False


def restart_worker():
    run(["bash", "scripts/worker-supervise"])
    pid = worker_pid()
    wait_for(lambda: redis("GET", f"pitwall:worker:{socket.gethostname()}:{pid}"),
             timeout=30, what="new worker heartbeat")
    return pid


def all_processing_empty():
    keys = [k for k in redis("KEYS", "pitwall:processing:*").split("\n") if k]
    return all(redis("LLEN", k) == "0" for k in keys)


def test_submission_then_results_scored_and_published():
    rid, qid, tids = make_question()
    uid = make_user()
    sid = new_sub(uid, qid, tids)
    push({"type": "submission", "s": sid})
    wait_for(lambda: sub_row(sid), what="submission row")
    # AC (trailing spaces and CRLF are ignored), WA, AC.
    push(result_job(sid, tids[0], "1   \r\n", time_s="0.045", memory=1000))
    push(result_job(sid, tids[1], "2  2\n", time_s="0.120", memory=3000))
    push(result_job(sid, tids[2], "3\n\n\n", time_s="0.010", memory=2000))
    row = wait_done(sid)
    eq(row, ["done", "3", "2", "1", "66.6667", "120", "3000"], "submission row")
    eq(verdicts(sid), "AC,WA,AC", "verdicts")
    eq(psql(f"SELECT time_ms FROM submission_results WHERE submission_id = '{sid}' "
            f"AND testcase_id = {tids[1]}"), "120", "time_ms from the time string")
    eq(psql(f"SELECT score::text, submission_id FROM best_scores WHERE user_id = {uid} "
            f"AND question_id = {qid}"), f"66.6667|{sid}", "best score")
    # Redis follows PostgreSQL.
    h = wait_for(lambda: (lambda v: v if v.split("\n")[0] == "done" else None)(
        redis("HMGET", f"pitwall:sub:{sid}", "status", "done", "passed", "failed", "score")),
        what="Redis hash done")
    eq(h.split("\n"), ["done", "3", "2", "1", "66.6667"], "Redis hash")
    eq(redis("SCARD", f"pitwall:sub:{sid}:pending"), "0", "pending set")
    res = json.loads(redis("HGET", f"pitwall:sub:{sid}:results", tids[1]))
    eq(res, {"ordinal": 1, "verdict": "WA", "status_id": 3, "time_ms": 120, "memory_kb": 3000},
       "results entry")
    eq(float(redis("ZSCORE", f"pitwall:lb:{rid}", uid)), 66.6667, "leaderboard score")
    meta = json.loads(redis("HGET", f"pitwall:lb:{rid}:meta", uid))
    eq(meta["score"], 66.6667, "leaderboard meta score")
    assert meta["name"].startswith("w") and meta["last_improved_at"].endswith("Z"), meta


def test_results_exactly_once_duplicated_out_of_order_before_submission_job():
    rid, qid, tids = make_question()
    uid = make_user()
    sid = new_sub(uid, qid, tids)
    jobs = [result_job(sid, tids[2], "3\n"), result_job(sid, tids[0], "1\n"),
            result_job(sid, tids[2], "wrong\n"), result_job(sid, tids[1], "2 2")]
    for j in jobs:
        push(j)
    for j in jobs:
        push(j)		# every callback twice
    push({"type": "submission", "s": sid})
    row = wait_done(sid)
    eq(results_count(sid), 3, "one result per testcase")
    eq(row[:5], ["done", "3", "3", "0", "100.0000"], "counted once")
    # A late duplicate changes nothing but is consumed.
    push(result_job(sid, tids[0], "nope"))
    wait_for(lambda: redis("LLEN", "pitwall:queue") == "0" and all_processing_empty(),
             what="queue drained")
    eq(sub_row(sid)[:5], ["done", "3", "3", "0", "100.0000"], "after a late duplicate")


def test_best_score_kept_when_a_later_one_is_lower():
    rid, qid, tids = make_question()
    uid = make_user()
    good = new_sub(uid, qid, tids, created_ms=int(time.time() * 1000) - 5000)
    for t, out in zip(tids, ["1", "2 2", "3"]):
        push(result_job(good, t, out))
    wait_done(good)
    bad = new_sub(uid, qid, tids)
    for t, out in zip(tids, ["1", "x", "x"]):
        push(result_job(bad, t, out))
    eq(wait_done(bad)[4], "16.6667", "lower score")
    eq(psql(f"SELECT score::text, submission_id FROM best_scores WHERE user_id = {uid} "
            f"AND question_id = {qid}"), f"100.0000|{good}", "best stays")
    eq(float(redis("ZSCORE", f"pitwall:lb:{rid}", uid)), 100.0, "leaderboard keeps the best")
    # An equal score later does not move the time the total was reached.
    same = new_sub(uid, qid, tids)
    for t, out in zip(tids, ["1", "2 2", "3"]):
        push(result_job(same, t, out))
    wait_done(same)
    eq(psql(f"SELECT submission_id FROM best_scores WHERE user_id = {uid} AND question_id = {qid}"),
       good, "tie goes to the earlier submission")


def test_statuses_become_verdicts():
    rid, qid, tids = make_question(tests=[("x\n", 1), ("y\n", 1), ("z\n", 1)])
    uid = make_user()
    cases = [(5, "TLE"), (6, "CE"), (11, "RE"), (14, "RE"), (4, "WA")]
    sids = []
    for status, _ in cases:
        sid = new_sub(uid, qid, tids[:1])
        push(result_job(sid, tids[0], "x\n", status=status, compile_output="err" if status == 6 else None,
                        time_s=None if status == 6 else "1.5", memory=None if status == 6 else 10))
        sids.append(sid)
    # Internal Error at the last attempt is stored as IE.
    ie = new_sub(uid, qid, tids[:1])
    push(result_job(ie, tids[0], None, status=13, attempt=3, message="boom"))
    for sid, (_, v) in zip(sids + [ie], cases + [(13, "IE")]):
        wait_done(sid)
        eq(verdicts(sid), v, f"verdict of {sid}")
    eq(psql(f"SELECT coalesce(time_ms, -1), output_excerpt FROM submission_results "
            f"WHERE submission_id = '{sids[1]}'"), "-1|err", "CE keeps compile output, null time")
    eq(psql(f"SELECT message FROM submission_results WHERE submission_id = '{ie}'"), "boom",
       "IE message")
    eq(psql(f"SELECT score::text FROM submissions WHERE id = '{sids[0]}'"), "0.0000", "score 0")


def test_pending_status_is_ignored():
    rid, qid, tids = make_question()
    uid = make_user()
    sid = new_sub(uid, qid, tids)
    push(result_job(sid, tids[0], None, status=2))
    push({"type": "submission", "s": sid})
    wait_for(lambda: sub_row(sid), what="submission row")
    wait_for(lambda: redis("LLEN", "pitwall:queue") == "0" and all_processing_empty(),
             what="queue drained")
    eq(results_count(sid), 0, "status 2 stores nothing")
    eq(sub_row(sid)[:2], ["judging", "0"], "not advanced")


def test_malformed_jobs_go_to_dead_letters_and_work_goes_on():
    rid, qid, tids = make_question()
    _, _, other_tids = make_question()
    uid = make_user()
    redis("DEL", "pitwall:dead")
    sid = new_sub(uid, qid, tids)
    bad = [
        "this is not json",
        json.dumps({"type": "result", "s": sid, "t": tids[0], "a": 1,
                    "body": json.dumps({"stdout": "%%%not-base64%%%", "status": {"id": 3}})}),
        json.dumps(result_job(str(uuid.uuid4()), tids[0], "1")),		# unknown submission
        json.dumps(result_job(sid, other_tids[0], "1")),		# testcase of another question
        json.dumps(result_job(sid, 999999999, "1")),			# unknown testcase
        json.dumps({"type": "result", "s": sid, "t": tids[0]}),		# missing fields
        json.dumps({"type": "bogus", "s": sid}),
        json.dumps({"type": "submission", "s": "x'; DROP TABLE users; --"}),
    ]
    for b in bad:
        push(b)
    for t, out in zip(tids, ["1", "2 2", "3"]):
        push(result_job(sid, t, out))
    eq(wait_done(sid)[4], "100.0000", "good jobs after bad ones")
    dead = wait_for(lambda: (lambda d: d if len(d) >= len(bad) else None)(dead_entries()),
                    what="dead letters")
    eq(sorted(d["job"] for d in dead), sorted(bad), "every bad job dead-lettered as it was")
    for d in dead:
        assert d["reason"], d
    reasons = {d["job"]: d["reason"] for d in dead}
    assert "base64" in reasons[bad[1]], reasons[bad[1]]
    assert "unknown submission" in reasons[bad[2]], reasons[bad[2]]
    assert "question" in reasons[bad[3]], reasons[bad[3]]
    eq(psql("SELECT to_regclass('users') IS NOT NULL"), "t", "users still there")
    assert all_processing_empty()
    assert alive(worker_pid()), "worker still running"


def test_ghost_worker_processing_list_is_recovered():
    rid, qid, tids = make_question()
    uid = make_user()
    sid = new_sub(uid, qid, tids)
    ghost = "ghost-" + uuid.uuid4().hex[:6]
    redis("DEL", f"pitwall:worker:{ghost}")
    for t in tids:
        redis("LPUSH", f"pitwall:processing:{ghost}", json.dumps(result_job(sid, t, "x")))
    redis("SADD", "pitwall:workers", ghost)
    wait_done(sid, timeout=90)
    eq(results_count(sid), 3, "ghost's jobs stored")
    eq(redis("LLEN", f"pitwall:processing:{ghost}"), "0", "ghost list emptied")
    wait_for(lambda: redis("SISMEMBER", "pitwall:workers", ghost) == "0", what="ghost forgotten")


def test_kill_9_with_jobs_in_flight_loses_nothing():
    rid, qid, tids = make_question()
    uid = make_user()
    pid = worker_pid()
    me = f"{socket.gethostname()}:{pid}"
    sids = [new_sub(uid, qid, tids) for _ in range(6)]
    os.kill(pid, signal.SIGSTOP)
    try:
        for sid in sids:
            push({"type": "submission", "s": sid})
            for t, out in zip(tids, ["1", "2 2", "x"]):
                push(result_job(sid, t, out))
        # As if the worker had taken a batch just before dying.
        for _ in range(8):
            redis("LMOVE", "pitwall:queue", f"pitwall:processing:{me}", "RIGHT", "LEFT")
        # (the stopped worker may hold one more, taken by its pending BLMOVE)
        assert int(redis("LLEN", f"pitwall:processing:{me}")) >= 8, "jobs in flight"
    finally:
        os.kill(pid, signal.SIGKILL)
    wait_for(lambda: not alive(pid), what="worker gone")
    restart_worker()
    for sid in sids:
        eq(wait_done(sid, timeout=120)[:5], ["done", "3", "2", "1", "50.0000"], "after kill -9")
        eq(results_count(sid), 3, "exactly once")
    eq(redis("LLEN", f"pitwall:processing:{me}"), "0", "dead worker's list moved")


def test_postgres_down_while_jobs_arrive():
    rid, qid, tids = make_question()
    uid = make_user()
    pid = worker_pid()
    data = os.path.join(VAR, "pg", "data")
    pgbin = sorted(os.listdir("/usr/lib/postgresql"))[-1]
    ctl = f"/usr/lib/postgresql/{pgbin}/bin/pg_ctl"
    as_svc = ["setpriv", "--reuid=pitwall", "--regid=pitwall", "--init-groups", "--"] \
        if os.geteuid() == 0 else []
    sids = [new_sub(uid, qid, tids) for _ in range(3)]
    subprocess.run(as_svc + [ctl, "-D", data, "-m", "fast", "-w", "stop"], check=True,
                   capture_output=True)
    try:
        for sid in sids:
            push({"type": "submission", "s": sid})
            for t, out in zip(tids, ["1", "2 2", "3"]):
                push(result_job(sid, t, out))
                push(result_job(sid, t, out))
        time.sleep(4)
        assert alive(pid), "worker survived PostgreSQL going away"
        beat = redis("GET", f"pitwall:worker:{socket.gethostname()}:{pid}")
        assert beat and int(beat) >= time.time() - 15, f"heartbeat kept: {beat}"
    finally:
        run(["bash", "scripts/stack", "up"])
    for sid in sids:
        eq(wait_done(sid, timeout=120)[:5], ["done", "3", "3", "0", "100.0000"], "after PG is back")
        eq(results_count(sid), 3, "exactly once")
    eq(worker_pid(), pid, "same worker throughout")
    for d in dead_entries():
        assert d["job"].find(sids[0]) < 0, f"no job of the outage dead-lettered: {d}"


def test_scores_recomputed_from_results_match():
    mismatches = psql("""
        WITH agg AS (
            SELECT s.id, q.points AS qp,
                   coalesce(sum(t.points) FILTER (WHERE r.passed), 0) AS pp,
                   coalesce(sum(t.points), 0) AS tp,
                   count(r.*) AS n, count(*) FILTER (WHERE r.passed) AS np
            FROM submissions s JOIN questions q ON q.id = s.question_id
            JOIN submission_results r ON r.submission_id = s.id
            JOIN testcases t ON t.id = r.testcase_id
            WHERE s.status = 'done'
            AND NOT (q.problem_type = 'scoring' AND q.id IN (SELECT question_id FROM testcase_groups))
            GROUP BY s.id, q.points)
        SELECT count(*) FROM submissions s JOIN agg a ON a.id = s.id
        WHERE s.score IS DISTINCT FROM
              (CASE WHEN a.tp > 0 THEN round(a.qp::numeric * a.pp / a.tp, 4) ELSE 0 END)
           OR s.done <> a.n OR s.passed <> a.np""")
    eq(mismatches, "0", "stored scores equal scores recomputed from submission_results")
    best = psql("""
        SELECT count(*) FROM (
            SELECT user_id, question_id, max(score) AS m FROM submissions
            WHERE status = 'done' GROUP BY user_id, question_id) x
        LEFT JOIN best_scores b USING (user_id, question_id)
        WHERE b.score IS DISTINCT FROM x.m""")
    eq(best, "0", "best_scores equal the best done submission")
    eq(psql("SELECT count(*) FROM submissions WHERE status = 'done' AND done <> total"), "0",
       "done means every testcase")


def test_sigterm_finishes_and_exits():
    pid = worker_pid()
    me = f"{socket.gethostname()}:{pid}"
    os.kill(pid, signal.SIGTERM)
    wait_for(lambda: not alive(pid), timeout=30, what="worker to exit on SIGTERM")
    eq(redis("SISMEMBER", "pitwall:workers", me), "0", "left the worker set")
    with open(os.path.join(VAR, "log", "worker.log")) as f:
        assert f"worker {me} stopping" in f.read()
    restart_worker()
