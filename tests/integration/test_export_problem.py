"""pitwall-admin export-problem: a question imported from each fixture
package, exported (2023-07 layout), imported again under another slug,
is the same question: row, testcases, groups and validator sources; and
exporting the copy gives the same files again."""
import filecmp
import os
import shutil
import tempfile

from pw import BIN, ROOT, eq, psql, run

ADMIN = os.path.join(BIN, "pitwall-admin")
PKGS = os.path.join(ROOT, "tests", "packages")
ROUND = "export-round"
TMP = None


def admin(*args, check=True):
    # This stack's JUDGE0_URL is the fake Judge0: imports of custom and
    # interactive packages run as on the embedded judge.
    return run([ADMIN, *map(str, args)], check=check, env={"PITWALL_JUDGE_EMBEDDED": "1"})


def setup_module():
    global TMP
    TMP = tempfile.mkdtemp(prefix="pw-xkpp-", dir=os.environ.get("PITWALL_TEST_TMP"))
    psql(f"INSERT INTO rounds (slug, name, minutes) VALUES ('{ROUND}', 'Export', 60)"
         " ON CONFLICT (slug) DO NOTHING")


def teardown_module():
    shutil.rmtree(TMP, ignore_errors=True)


def snapshot(slug, legacy):
    """The question as rows (the slug and ids left out)."""
    q = f"(SELECT id FROM questions WHERE slug = '{slug}')"
    # A legacy package's flags sit in problem.yaml; 2023-07 has them only
    # in data/testdata.yaml, so they appear in the groups' settings there.
    # Flags that differ per group are each testcase's validator_flags.
    settings = ("coalesce(settings - 'output_validator_args' - 'output_validator_flags', '{}')"
                if legacy else "settings")
    return {
        "question": psql("SELECT concat_ws('|', title, md5(statement), points, time_limit_ms,"
                         " memory_limit_kb, validator, validator_flags, problem_type,"
                         " output_limit_kb, validation_time_ms, validation_memory_kb)"
                         f" FROM questions WHERE id = {q}"),
        "testcases": psql("SELECT string_agg(concat_ws('|', ordinal, name, md5(input),"
                          " md5(expected_output), is_sample, points, group_path,"
                          " coalesce(validator_flags, '-'), md5(interaction), md5(input_bytes),"
                          " md5(answer_bytes)), ',' ORDER BY ordinal)"
                          f" FROM testcases WHERE question_id = {q}"),
        "groups": psql(f"SELECT string_agg(concat_ws('|', ordinal, path, {settings}), ',' ORDER BY"
                       f" ordinal) FROM testcase_groups WHERE question_id = {q}"),
        "validator": psql("SELECT string_agg(path || '|' || md5(content), ',' ORDER BY path)"
                          f" FROM validator_sources WHERE question_id = {q}"),
    }


def round_trip(pkg, legacy=False):
    admin("import-problem", os.path.join(PKGS, pkg), "--round", ROUND)
    out = os.path.join(TMP, pkg)
    p = admin("export-problem", pkg, out)
    assert f"exported {pkg}" in p.stdout, p.stdout
    eq(admin("import-problem", out, "--round", ROUND, "--slug", pkg + "-rt").stdout.strip(),
       pkg + "-rt", "re-import")
    a, b = snapshot(pkg, legacy), snapshot(pkg + "-rt", legacy)
    for k in a:
        eq(b[k], a[k], f"{pkg}: {k} after the round trip")
    assert a["testcases"], "has testcases"
    eq(psql(f"SELECT package_format FROM questions WHERE slug = '{pkg}-rt'"), "2023-07", "layout")
    # The copy exports to the very same files.
    again = os.path.join(TMP, pkg + "-again")
    admin("export-problem", pkg + "-rt", again)
    cmp = filecmp.dircmp(out, again)
    diffs = []

    def walk(c, rel=""):
        diffs.extend(os.path.join(rel, f) for f in c.left_only + c.right_only + c.diff_files)
        for name, sub in c.subdirs.items():
            walk(sub, os.path.join(rel, name))
    walk(cmp)
    if legacy:	# the copy's groups now carry the flags of data/testdata.yaml
        diffs = [d for d in diffs if os.path.basename(d) != "testdata.yaml"]
    eq(diffs, [], f"{pkg}: export of the copy differs")
    return out


def test_2023_flags_and_limits():
    out = round_trip("shout")
    with open(os.path.join(out, "data", "testdata.yaml")) as f:
        assert "case_sensitive space_change_sensitive" in f.read()
    with open(os.path.join(out, "problem.yaml")) as f:
        y = f.read()
    assert "time_limit: 1.5" in y and "memory: 512" in y and "output: 16" in y, y


def test_scored_groups_and_settings():
    out = round_trip("scored")
    assert os.path.exists(os.path.join(out, "data", "secret", "group2", "testdata.yaml"))


def test_interactive_with_validator_sources():
    out = round_trip("guess")
    assert os.path.exists(os.path.join(out, "output_validator", "guess.h"))
    eq(open(os.path.join(out, "data", "sample", "1.interaction")).read(),
       open(os.path.join(PKGS, "guess", "data", "sample", "1.interaction")).read(), ".interaction")
    eq(psql("SELECT validator FROM questions WHERE slug = 'guess-rt'"), "interactive", "validator")


def test_legacy_packages():
    round_trip("floatavg", legacy=True)
    round_trip("texonly", legacy=True)


def test_group_flags_and_validation_limits():
    out = round_trip("groupflags", legacy=True)
    with open(os.path.join(out, "data", "secret", "tight", "testdata.yaml")) as f:
        assert "case_sensitive float_absolute_tolerance 0.001" in f.read()
    with open(os.path.join(out, "problem.yaml")) as f:
        y = f.read()
    assert "validation_time: 4" in y and "validation_memory: 128" in y, y


def test_binary_test_data():
    try:
        out = round_trip("binrev")
        for name in ("sample/1", "secret/1", "secret/2"):
            for ext in (".in", ".ans"):
                eq(open(os.path.join(out, "data", name + ext), "rb").read(),
                   open(os.path.join(PKGS, "binrev", "data", name + ext), "rb").read(),
                   f"{name}{ext}: the same bytes")
    finally:
        # Pitwall's own `export` (other files) refuses binary data.
        psql("DELETE FROM questions WHERE slug IN ('binrev', 'binrev-rt')")


def test_usage_and_errors():
    eq(admin("export-problem", "no-such-question", os.path.join(TMP, "none"), check=False).returncode,
       1, "unknown slug")
    os.makedirs(os.path.join(TMP, "full"))
    open(os.path.join(TMP, "full", "x"), "w").close()
    eq(admin("export-problem", "shout", os.path.join(TMP, "full"), check=False).returncode, 1,
       "a directory that is not empty")
    eq(admin("export-problem", "shout", check=False).returncode, 64, "usage")
