"""Live push to several publishers (LIVE_PUBLISH_URL a list: one nchan
publisher per app host's nginx, docs/hosts.md): every message goes to
each of them, and one that refuses does not stop the others nor lose the
result.  The publishers: a port nothing listens on (first, so it is
tried first), the stack's nchan, and a small HTTP listener of this test
standing in for a second app host's nginx.  The worker under test is a
second pitwall-worker with that list, the stack's own paused meanwhile
(it then takes no job: its BLMOVE waits 1 s); admin's leaderboard
announcement (pitwall-admin round open) is checked the same way."""
import json
import os
import signal
import socket
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from client import FakeJudge0
from contest import jwt, leaderboard_messages, live_messages, make_question, make_round, make_user, submit, wait_done
from pw import BIN, ENV, VAR, eq, psql, redis, run, wait_for

FAKE = FakeJudge0(os.environ.get("PITWALL_FAKE_JUDGE0_URL", ENV.get("JUDGE0_URL", "")))
S = {}


class Capture(BaseHTTPRequestHandler):
    """Records each POST (path, JSON body) and answers 201 as nchan does."""
    got = []

    def do_POST(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n)
        try:
            Capture.got.append((self.path, json.loads(body)))
        except ValueError:
            Capture.got.append((self.path, body))
        self.send_response(201)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *a):
        pass


def refused_port():
    """A port that refuses: bound (nothing else gets it) but not listening."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    S["refused"] = s
    return s.getsockname()[1]


def setup_module():
    if not ENV.get("LIVE_PUBLISH_URL"):
        raise AssertionError("LIVE_PUBLISH_URL is empty: nchan is not loaded")
    S["srv"] = ThreadingHTTPServer(("127.0.0.1", 0), Capture)
    threading.Thread(target=S["srv"].serve_forever, daemon=True).start()
    S["list"] = (f"http://127.0.0.1:{refused_port()}/live,{ENV['LIVE_PUBLISH_URL']},"
                 f" http://127.0.0.1:{S['srv'].server_address[1]}/live")
    S["round"] = make_round()
    S["uid"] = make_user()
    S["tok"] = jwt(S["uid"])
    S["q"], _ = make_question(S["round"], [(f"{i}\n", f"{i}\n") for i in range(2)])


def teardown_module():
    if "srv" in S:
        S["srv"].shutdown()
    if "refused" in S:
        S["refused"].close()


def captured(path):
    return [b for p, b in Capture.got if p == path]


def worker_pid():
    with open(os.path.join(VAR, "root", "worker.pid")) as f:
        return int(f.read().split()[0])


def test_worker_publishes_each_result_to_every_publisher():
    FAKE.reset()
    wid = "test-live-fanout"
    env = {**os.environ, **ENV, "WORKER_ID": wid, "LIVE_PUBLISH_URL": S["list"],
           "PITWALL_LOG_FILE": os.path.join(VAR, "log", f"worker-{wid}.log")}
    second = subprocess.Popen([os.path.join(BIN, "pitwall-worker")], env=env, cwd=VAR,
                              stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    main = worker_pid()
    stopped = False
    try:
        wait_for(lambda: redis("EXISTS", f"pitwall:worker:{wid}") == "1",
                 what="the second worker's heartbeat")
        os.kill(main, signal.SIGSTOP)
        stopped = True
        time.sleep(1.5)   # the stack's worker's BLMOVE (1 s) is over: it takes nothing
        # Two submissions in a row: the second is published while the
        # refusing publisher is paused after the first; the others are not.
        for n in range(2):
            r = submit(S["tok"], S["q"])
            eq(r.status, 202, "submit")
            sid = r.json()["submission_id"]
            eq(wait_done(sid, timeout=30)[:4], ["done", "2", "2", "2"], f"submission {n + 1} scored")
            eq(psql(f"SELECT count(*) FROM submission_results WHERE submission_id = '{sid}'"), "2",
               "its results stored")
            mine = wait_for(lambda: [b for b in captured(f"/live/submissions/{sid}")
                                     if b.get("type") == "done"], timeout=10,
                            what=f"submission {n + 1}'s done message on the second publisher")
            eq((mine[0]["id"], mine[0]["passed"], float(mine[0]["score"])), (sid, 2, 100.0),
               "the second publisher's message")
            nchan = live_messages(f"/live/submissions/{sid}", S["tok"])
            assert any(m.get("type") == "done" and m.get("id") == sid for m in nchan), \
                f"submission {n + 1}: the stack's nchan did not get the done message: {nchan}"
            seen = sorted(x["ordinal"] for m in nchan for x in m.get("results", []))
            eq(seen, [0, 1], "every result on the stack's nchan once")
        want = {"type": "leaderboard", "round_id": S["round"]}
        assert want in captured("/live/leaderboard"), Capture.got[-5:]
    finally:
        if stopped:
            os.kill(main, signal.SIGCONT)
        second.terminate()
        second.wait(timeout=30)
        FAKE.reset()
    log = open(os.path.join(VAR, "log", f"worker-{wid}.log"), errors="replace").read()
    assert "live publish" in log and S["list"].split(",")[0] in log, \
        f"the refusing publisher's failure is logged: {log[-800:]}"


def test_admin_announces_the_leaderboard_to_every_publisher():
    rid = make_round(open_=False)
    slug = psql(f"SELECT slug FROM rounds WHERE id = {rid}")
    with leaderboard_messages() as got:
        run([os.path.join(BIN, "pitwall-admin"), "round", "open", slug],
            env={"LIVE_PUBLISH_URL": S["list"]})
        want = {"type": "leaderboard", "round_id": rid}
        wait_for(lambda: want in captured("/live/leaderboard"), timeout=10,
                 what="the announcement on the second publisher")
        wait_for(lambda: want in got, timeout=10, what="the announcement on the stack's nchan")
