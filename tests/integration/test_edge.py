"""nginx's edge limits: a lab of contestants behind one address is not
refused (authenticated routes are limited per credential), a flood without
credentials is, and a refused request is the JSON 429 whatever its body."""
import concurrent.futures
import os

from client import FakeJudge0
from contest import auth, jwt, make_question, make_round, make_user
from pw import ENV, URL, eq, http, run, wait_for

FAKE = FakeJudge0(os.environ.get("PITWALL_FAKE_JUDGE0_URL", ENV.get("JUDGE0_URL", "")))
# The limits a stack has when the operator sets none (scripts/stack).
DEFAULTS = {"PITWALL_LIMIT_RUN": "5r/s", "PITWALL_LIMIT_RUN_BURST": "20",
            "PITWALL_LIMIT_SUBMIT": "5r/s", "PITWALL_LIMIT_SUBMIT_BURST": "20",
            "PITWALL_LIMIT_ANON": "5r/s", "PITWALL_LIMIT_ANON_BURST": "20",
            "PITWALL_LIMIT_LOGIN": "10r/s", "PITWALL_LIMIT_LOGIN_BURST": "100",
            "PITWALL_LIMIT_ADDR": "200r/s", "PITWALL_LIMIT_ADDR_BURST": "1000"}


def setup_module():
    run(["bash", "scripts/stack", "up"], env=DEFAULTS)


def teardown_module():
    run(["bash", "scripts/stack", "up"])


def submit_body(qid, i):
    return {"question_id": qid, "language_id": 71, "source_code": f"print(input())  # {i}"}


def test_fifty_contestants_behind_one_address_are_not_refused():
    FAKE.reset()
    qid, _ = make_question(make_round(), [("x\n", "x\n")])
    toks = [jwt(make_user()) for _ in range(50)]

    def burst(tok):
        # Each contestant within their own edge budget (burst 20): 5 at once.
        return [http("POST", URL + "/submit", body=submit_body(qid, i), headers=auth(tok)).status
                for i in range(5)]

    with concurrent.futures.ThreadPoolExecutor(25) as ex:
        codes = [c for cs in ex.map(burst, toks) for c in cs]
    eq(len(codes), 250, "requests")
    eq(sorted(set(codes)), [202], "every submission of the room accepted")
    FAKE.reset()


def test_one_contestant_over_their_budget_is_refused_alone():
    qid, _ = make_question(make_round(), [("y\n", "y\n")])
    greedy, polite = jwt(make_user()), jwt(make_user())
    # All at once: over 5 r/s with burst 20 however slow each /run is on
    # a loaded machine (one after another, 40 slow runs can stay within).
    with concurrent.futures.ThreadPoolExecutor(40) as ex:
        codes = list(ex.map(lambda i: http("POST", URL + "/run", body=submit_body(qid, i),
                                           headers=auth(greedy)).status, range(40)))
    assert 429 in codes, codes
    r = http("POST", URL + "/run", body=submit_body(qid, 0), headers=auth(polite))
    assert r.status != 429, (r.status, r.body[:200])


def test_flood_without_credentials_is_limited_per_address():
    with concurrent.futures.ThreadPoolExecutor(40) as ex:
        codes = list(ex.map(lambda _: http("POST", URL + "/submit", body={"question_id": 1}).status,
                            range(40)))
    assert 401 in codes, codes  # the first ones, within the burst
    assert 429 in codes, codes
    eq(set(codes) - {401, 429}, set(), "only 401 and 429")


def test_refused_large_body_is_json_429():
    body = "x" * 20000
    big = {"question_id": 1, "language_id": 71, "source_code": body}
    replies = [http("POST", URL + "/submit", body=big) for _ in range(40)]
    limited = [r for r in replies if r.status == 429]
    assert limited, [r.status for r in replies]
    for r in limited:
        eq(r.json(), {"error": "rate_limited", "message": "too many requests; slow down"}, "429 body")
        eq(r.headers.get("Retry-After"), "1", "Retry-After")
    wait_for(lambda: http("POST", URL + "/submit", body=big).status == 401, timeout=20,
             what="the anonymous budget back")
