"""pitwall-admin verify on the embedded judge: every jury submission of the
fixture packages (default, custom C++ and Python, interactive validators,
per-group validator flags) gets the verdict its folder (or its
@EXPECTED_RESULTS@ line) names, a misfiled submission makes verify exit 1,
a multi-file submission is an error row, and --store keeps the computed
time limit, which import-problem then uses."""
import os
import re
import shutil
import tempfile

from pw import BIN, ROOT, eq, psql, run

ADMIN = os.path.join(BIN, "pitwall-admin")
PKGS = os.path.join(ROOT, "tests", "packages")
ROUND = "verify-round"
TMP = None
ROW = re.compile(r"^(submissions/\S+)\s+(.+?)\s+(\S+)\s+(AC|WA|TLE|RE|CE|IE|-)\s+([0-9.]+s|-)(.*)$")


def setup_module():
    global TMP
    TMP = tempfile.mkdtemp(prefix="pw-verify-", dir=os.environ.get("PITWALL_TEST_TMP"))
    psql(f"INSERT INTO rounds (slug, name, minutes) VALUES ('{ROUND}', 'Verify', 60)"
         " ON CONFLICT (slug) DO NOTHING")


def teardown_module():
    shutil.rmtree(TMP, ignore_errors=True)


def verify(path, *args):
    return run([ADMIN, "verify", path, *map(str, args)], check=False, timeout=900)


def rows(out):
    """{file: (expected, got, rest)} of verify's table."""
    found = {}
    for line in out.splitlines():
        m = ROW.match(line)
        if m:
            found[m.group(1)] = (m.group(3), m.group(4), m.group(6))
    return found


def submissions_of(pkg):
    base = os.path.join(PKGS, pkg)
    return sorted(os.path.relpath(os.path.join(d, f), base)
                  for d, _, fs in os.walk(os.path.join(base, "submissions")) for f in fs)


def check_package(pkg):
    p = verify(os.path.join(PKGS, pkg))
    eq(p.returncode, 0, f"verify {pkg}: {p.stdout}\n{p.stderr}")
    table = rows(p.stdout)
    subs = submissions_of(pkg)
    eq(sorted(table), subs, f"every submission of {pkg} in the table:\n{p.stdout}")
    folder = {"accepted": "AC", "wrong_answer": "WA", "time_limit_exceeded": "TLE",
              "run_time_error": "RE"}
    for f, (expected, got, rest) in table.items():
        assert "MISMATCH" not in rest and "ERROR" not in rest, (f, p.stdout)
        assert got in expected.split("|"), (f, expected, got)
        d = f.split("/")[1]
        if d in folder:
            eq(got, folder[d], f"{pkg}: {f}")
    assert "0 mismatch(es)" in p.stdout, p.stdout
    assert re.search(r"^time limit: [0-9.]+ s ", p.stdout, re.M), p.stdout
    return p.stdout


def test_floatavg_legacy_float_tolerance():
    out = check_package("floatavg")
    # .timelimit fixes 2.5 s; legacy safety margin x2.
    assert "time limit: 2.5 s (fixed by the package)" in out, out
    assert "safety margin: 5 s" in out, out


def test_shout_2023_case_and_space_sensitive():
    out = check_package("shout")
    assert "time limit: 1.5 s (fixed by the package)" in out, out
    assert "safety margin: 2.25 s (x 1.5)" in out, out


def test_scored_groups():
    out = check_package("scored")
    m = re.search(r"slowest accepted ([0-9.]+) s x 5 = ([0-9.]+) s -> ([0-9.]+) s", out)
    assert m, out
    slowest, tl = float(m.group(1)), float(m.group(3))
    eq(tl, max(1.0, -(-round(slowest * 5, 3) // 1)), "ceil(slowest x 5), at least 1 s")


def test_texonly_with_expected_results_line():
    out = check_package("texonly")
    t = rows(out)
    eq(t["submissions/rejected/either.c"][:2], ("WA|RE", "WA"), "@EXPECTED_RESULTS@ line")
    assert "(@EXPECTED_RESULTS@)" in t["submissions/rejected/either.c"][2]


def test_misfiled_submission_fails():
    pkg = os.path.join(TMP, "floatavg")
    shutil.copytree(os.path.join(PKGS, "floatavg"), pkg)
    shutil.move(os.path.join(pkg, "submissions", "wrong_answer", "two_decimals.c"),
                os.path.join(pkg, "submissions", "accepted", "two_decimals.c"))
    p = verify(pkg)
    eq(p.returncode, 1, f"exit status: {p.stdout}")
    t = rows(p.stdout)
    eq(t["submissions/accepted/two_decimals.c"][:2], ("AC", "WA"), "misfiled row")
    assert "MISMATCH" in t["submissions/accepted/two_decimals.c"][2]
    assert "MISMATCH" not in t["submissions/accepted/avg.py"][2]
    assert "1 mismatch(es)" in p.stdout, p.stdout


def test_fast_program_filed_as_tle_fails():
    pkg = os.path.join(TMP, "shout")
    shutil.copytree(os.path.join(PKGS, "shout"), pkg)
    shutil.copy(os.path.join(pkg, "submissions", "accepted", "upper.py"),
                os.path.join(pkg, "submissions", "time_limit_exceeded", "fast.py"))
    p = verify(pkg)
    eq(p.returncode, 1, p.stdout)
    eq(rows(p.stdout)["submissions/time_limit_exceeded/fast.py"][:2], ("TLE", "AC"), "row")


def test_custom_cpp_validator_with_header():
    check_package("casecmp")


def test_python_validator():
    check_package("twosum")


def test_interactive():
    out = check_package("guess")
    eq(rows(out)["submissions/time_limit_exceeded/no_flush.py"][1], "TLE", "never flushes: TLE")


def test_group_flags():
    out = check_package("groupflags")
    # Within the root's tolerance (sample, secret/loose), not secret/tight's.
    eq(rows(out)["submissions/wrong_answer/quarter.py"][1], "WA", "secret/tight's flags")


def test_binary_test_data():
    # NUL bytes and bytes that are not UTF-8, judged byte for byte.
    out = check_package("binrev")
    eq(rows(out)["submissions/run_time_error/as_text.py"][1], "RE", "not text: the bytes as they are")


def test_misfiled_custom_validator_submission_fails():
    pkg = os.path.join(TMP, "twosum")
    shutil.copytree(os.path.join(PKGS, "twosum"), pkg)
    shutil.move(os.path.join(pkg, "submissions", "wrong_answer", "plus_one.py"),
                os.path.join(pkg, "submissions", "accepted", "plus_one.py"))
    p = verify(pkg)
    eq(p.returncode, 1, p.stdout)
    eq(rows(p.stdout)["submissions/accepted/plus_one.py"][:2], ("AC", "WA"), "the validator's WA")


def test_multi_file_submission_is_reported():
    pkg = os.path.join(TMP, "floatavg-multi")
    shutil.copytree(os.path.join(PKGS, "floatavg"), pkg)
    multi = os.path.join(pkg, "submissions", "accepted", "two_files")
    os.makedirs(multi)
    open(os.path.join(multi, "main.py"), "w").write("import helper\nhelper.main()\n")
    open(os.path.join(multi, "helper.py"), "w").write("def main():\n    print(1)\n")
    p = verify(pkg)
    eq(p.returncode, 1, p.stdout)
    t = rows(p.stdout)
    row = t.get("submissions/accepted/two_files/")
    assert row is not None, p.stdout
    assert "ERROR: a multi-file submission" in row[2], row
    eq([f for f in t if f.startswith("submissions/accepted/two_files/") and f != "submissions/accepted/two_files/"],
       [], "one row for the folder, not one per file")
    assert "MISMATCH" not in t["submissions/accepted/avg.py"][2], p.stdout


def test_store_keeps_the_limit_and_import_uses_it():
    path, slug = os.path.join(PKGS, "texonly"), "verify-texonly"
    p = verify(path, "--store", "--slug", slug)
    eq(p.returncode, 1, "nothing to store before the question exists")
    assert "import-problem it first" in p.stderr, p.stderr
    run([ADMIN, "import-problem", path, "--round", ROUND, "--slug", slug])
    p = verify(path, "--store", "--slug", slug)
    eq(p.returncode, 0, p.stdout + p.stderr)
    computed = int(round(float(re.search(r"-> ([0-9.]+) s", p.stdout).group(1)) * 1000))
    eq(psql("SELECT verified_time_limit_ms || '|' || time_limit_ms FROM questions"
            f" WHERE slug = '{slug}'"), f"{computed}|{computed}", "stored (no limit in the package)")
    # The import's precedence: the package's own limit, else verify's, else 1 s.
    psql(f"UPDATE questions SET verified_time_limit_ms = 3000 WHERE slug = '{slug}'")
    run([ADMIN, "import-problem", path, "--round", ROUND, "--slug", slug])
    eq(psql(f"SELECT time_limit_ms FROM questions WHERE slug = '{slug}'"), "3000", "verify's limit")
    run([ADMIN, "import-problem", path, "--round", ROUND, "--slug", slug, "--time-limit", "2"])
    eq(psql(f"SELECT time_limit_ms FROM questions WHERE slug = '{slug}'"), "2000", "--time-limit wins")
