"""Rust, Go and Kotlin on the embedded judge (Debian's toolchains, Judge0
CE's ids): an accepted program, a compile error and a runtime error each,
run in the sandbox through the judge's Judge0 API; the names GET
/languages gives carry the installed versions, and `language sync` (run
by `stack up`) put those names into Pitwall's languages table."""
import base64
import os
import re
import subprocess

from contest import jwt, make_user, submission, submit, wait_done
from pw import BIN, ENV, eq, http, psql, run

ADMIN = os.path.join(BIN, "pitwall-admin")

S = {}
SUM = {
    60: 'package main\nimport "fmt"\nfunc main() { var a, b int64; fmt.Scan(&a, &b); fmt.Println(a + b) }\n',
    73: ("use std::io::Read;\nfn main() { let mut s = String::new();"
         " std::io::stdin().read_to_string(&mut s).unwrap();"
         " let v: Vec<i64> = s.split_whitespace().map(|x| x.parse().unwrap()).collect();"
         ' println!("{}", v[0] + v[1]); }\n'),
    78: ('fun main() {\n    val (a, b) = readLine()!!.trim().split(" ").map { it.toLong() }\n'
         "    println(a + b)\n}\n"),
}
BROKEN = {
    60: "package main\nfunc main() { x := }\n",
    73: "fn main() { let x: i32 = \"no\"; }\n",
    78: "fun main() { val x: Int = \"no\" }\n",
}
CRASH = {
    60: 'package main\nfunc main() { var a []int; println(a[3]) }\n',
    73: 'fn main() { let v: Vec<i32> = Vec::new(); println!("{}", v[3]); }\n',
    78: "fun main() { throw IllegalStateException(\"boom\") }\n",
}
# The installed version as its own tool tells it.
VERSION_CMD = {
    50: ["/usr/bin/gcc", "-dumpfullversion"],
    60: ["/usr/bin/go", "version"],
    73: ["/usr/bin/rustc", "--version"],
    78: ["/usr/bin/dpkg-query", "-W", "-f=${Version}", "kotlin"],
}


def judge(lang, src, stdin="1 2\n"):
    """One submission, wait=true, straight to the judge; the result."""
    body = {"language_id": lang, "source_code": base64.b64encode(src.encode()).decode(),
            "stdin": base64.b64encode(stdin.encode()).decode()}
    r = http("POST", S["judge"] + "/submissions?base64_encoded=true&wait=true", body=body,
             headers=S["auth"], timeout=180)
    eq(r.status, 201, f"judge reply {r!r}")
    res = r.json()
    for k in ("stdout", "compile_output", "stderr"):
        if res.get(k):
            res[k] = base64.b64decode(res[k]).decode(errors="replace")
    return res


def setup_module():
    S["judge"] = ENV["JUDGE0_URL"]
    tok = ENV.get("JUDGE0_AUTH_TOKEN", "")
    S["auth"] = {ENV.get("JUDGE0_AUTH_HEADER", "X-Auth-Token"): tok} if tok else {}


def check_language(lang):
    r = judge(lang, SUM[lang])
    eq((r["status"]["id"], r["stdout"]), (3, "3\n"), f"accepted: {r}")
    r = judge(lang, BROKEN[lang])
    eq(r["status"]["id"], 6, f"compile error: {r}")
    assert r["compile_output"], r
    r = judge(lang, CRASH[lang])
    assert 7 <= r["status"]["id"] <= 12, f"runtime error: {r}"


def test_go_accepted_compile_error_runtime_error():
    check_language(60)


def test_rust_accepted_compile_error_runtime_error():
    check_language(73)


def test_kotlin_accepted_compile_error_runtime_error():
    # kotlinc needs 5-10 s of CPU: beyond Judge0's 15 s compile limit on a
    # busy machine, hence Kotlin's own (judge/lang.c).
    check_language(78)


def test_names_tell_the_installed_versions():
    r = http("GET", S["judge"] + "/languages", headers=S["auth"])
    eq(r.status, 200, f"{r!r}")
    names = {x["id"]: x["name"] for x in r.json()}
    for lang, cmd in VERSION_CMD.items():
        out = subprocess.run(cmd, capture_output=True, text=True).stdout
        ver = re.search(r"(?<![\d.])\d+(\.\d+)+", out).group(0)
        assert ver in names[lang], f"language {lang}: {names[lang]!r} does not name {ver}"
    assert "9.2.0" not in names[50], names[50]
    # stack up ran `language sync`: Pitwall's table names them the same.
    for lang in (50, 60, 73, 78):
        eq(psql(f"SELECT name FROM languages WHERE judge0_id = {lang}"), names[lang],
           f"languages.name of {lang}")


def test_rust_submission_end_to_end():
    run([ADMIN, "import", "demo/contest"])
    run([ADMIN, "round", "open", "r1"], check=False)
    qid = int(psql("SELECT id FROM questions WHERE slug = 'sum'"))
    tok = jwt(make_user())
    r = submit(tok, qid, source=SUM[73], lang=73)
    eq(r.status, 202, f"{r!r}")
    sid = r.json()["submission_id"]
    wait_done(sid, timeout=180)
    eq({x["verdict"] for x in submission(tok, sid).json()["results"]}, {"AC"}, "Rust verdicts")
