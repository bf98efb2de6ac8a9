"""pitwall-admin import-problem against the real stack: each fixture
package under tests/packages (directory and zip), what lands in PostgreSQL,
re-import in place, and hostile packages refused with the file named and
nothing stored."""
import os
import shutil
import stat
import tempfile
import zipfile

from pw import BIN, ROOT, eq, psql, run

ADMIN = os.path.join(BIN, "pitwall-admin")
PKGS = os.path.join(ROOT, "tests", "packages")
ROUND = "kpp-round"
TMP = None


def admin(*args, check=True):
    return run([ADMIN, *map(str, args)], check=check)


def setup_module():
    global TMP
    TMP = tempfile.mkdtemp(prefix="pw-kpp-", dir=os.environ.get("PITWALL_TEST_TMP"))
    psql(f"INSERT INTO rounds (slug, name, minutes) VALUES ('{ROUND}', 'Packages', 60)"
         " ON CONFLICT (slug) DO NOTHING")


def teardown_module():
    shutil.rmtree(TMP, ignore_errors=True)


def q(slug, cols):
    return psql(f"SELECT {cols} FROM questions WHERE slug = '{slug}'")


def zip_dir(name, top=True):
    """The fixture `name` as a zip (inside a top folder when top)."""
    path = os.path.join(TMP, name + ".zip")
    src = os.path.join(PKGS, name)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for d, _, files in os.walk(src):
            for f in files:
                full = os.path.join(d, f)
                rel = os.path.relpath(full, src)
                z.write(full, os.path.join(name, rel) if top else rel)
    return path


def test_legacy_float_tolerance():
    p = admin("import-problem", os.path.join(PKGS, "floatavg"), "--round", ROUND)
    eq(p.stdout.strip(), "floatavg", "prints the slug")
    eq(q("floatavg", "title, validator, validator_flags, problem_type, time_limit_ms,"
         " memory_limit_kb, package_format, points"),
       "Float Average|default|float_tolerance 1e-6|pass-fail|2500|262144|legacy|100",
       "question row (.timelimit 2.5 s, limits.memory 256 MiB)")
    eq(psql("SELECT string_agg(name || ':' || is_sample || ':' || group_path, ',' ORDER BY ordinal)"
            " FROM testcases t JOIN questions q ON q.id = t.question_id WHERE q.slug = 'floatavg'"),
       "sample/01:true:sample,secret/01:false:secret,secret/02:false:secret", "samples then secret, in order")
    eq(psql("SELECT expected_output FROM testcases t JOIN questions q ON q.id = t.question_id"
            " WHERE q.slug = 'floatavg' AND t.name = 'secret/02'"), "1e9", "answer bytes")
    assert "print their average" in q("floatavg", "statement")


def test_2023_flags_zip_and_options():
    path = zip_dir("shout")
    p = admin("import-problem", path, "--round", ROUND, "--points", 250)
    eq(p.stdout.strip(), "shout", "slug from the zip name")
    eq(q("shout", "title, validator_flags, time_limit_ms, memory_limit_kb, output_limit_kb,"
         " package_format, points"),
       "Shout|case_sensitive space_change_sensitive|1500|524288|16384|2023-07|250", "row")
    # --time-limit wins over limits.time_limit; --slug names another question.
    admin("import-problem", path, "--round", ROUND, "--slug", "shout2", "--time-limit", "0.75")
    eq(q("shout2", "time_limit_ms, points"), "750|100", "--time-limit, default points")


def test_scored_groups_settings():
    admin("import-problem", os.path.join(PKGS, "scored"), "--round", ROUND)
    eq(q("scored", "problem_type"), "scoring", "type")
    eq(psql("SELECT string_agg(path, ',' ORDER BY ordinal) FROM testcase_groups g"
            " JOIN questions q ON q.id = g.question_id WHERE q.slug = 'scored'"),
       "sample,secret,secret/group1,secret/group2", "groups in tree order")
    eq(psql("SELECT settings->>'accept_score' FROM testcase_groups g JOIN questions q"
            " ON q.id = g.question_id WHERE q.slug = 'scored' AND path = 'secret/group1'"),
       "40", "group1 testdata.yaml")
    eq(psql("SELECT settings->>'on_reject' FROM testcase_groups g JOIN questions q"
            " ON q.id = g.question_id WHERE q.slug = 'scored' AND path = 'secret'"),
       "continue", "secret testdata.yaml")
    eq(psql("SELECT string_agg(group_path, ',' ORDER BY ordinal) FROM testcases t"
            " JOIN questions q ON q.id = t.question_id WHERE q.slug = 'scored'"),
       "sample,secret/group1,secret/group1,secret/group2,secret/group2", "testcase groups")


def test_latex_statement_warns():
    p = admin("import-problem", os.path.join(PKGS, "texonly"), "--round", ROUND)
    assert "warning" in p.stderr and "problem.en.tex" in p.stderr, p.stderr
    st = q("texonly", "statement")
    assert st.startswith("# TeX Only"), st
    assert "\\" not in st and "1 <= n <= 100" in st, st


def test_interactive_sources_stored():
    # This stack's JUDGE0_URL is the fake (no validators): as if embedded.
    run([ADMIN, "import-problem", zip_dir("guess", top=False), "--round", ROUND],
        env={"PITWALL_JUDGE_EMBEDDED": "1"})
    eq(q("guess", "validator, time_limit_ms"), "interactive|2000", "row")
    eq(psql("SELECT string_agg(path || ':' || length(content), ',' ORDER BY path)"
            " FROM validator_sources v JOIN questions q ON q.id = v.question_id"
            " WHERE q.slug = 'guess'"),
       "output_validator/guess.h:%d,output_validator/validator.cpp:%d" % (
           os.path.getsize(os.path.join(PKGS, "guess/output_validator/guess.h")),
           os.path.getsize(os.path.join(PKGS, "guess/output_validator/validator.cpp"))),
       "sources with their sizes")


def test_group_flags_and_validation_limits():
    admin("import-problem", os.path.join(PKGS, "groupflags"), "--round", ROUND)
    eq(q("groupflags", "validator_flags, validation_time_ms, validation_memory_kb"),
       "case_sensitive float_absolute_tolerance 0.5|4000|131072",
       "problem.yaml's flags then data/testdata.yaml's; limits.validation_*")
    eq(psql("SELECT string_agg(name || '=' || coalesce(t.validator_flags, '-'), ',' ORDER BY ordinal)"
            " FROM testcases t JOIN questions q ON q.id = t.question_id WHERE q.slug = 'groupflags'"),
       "sample/1=-,secret/loose/1=-,"
       "secret/tight/1=case_sensitive float_absolute_tolerance 0.001,"
       "secret/tight/deep/1=case_sensitive float_absolute_tolerance 0.001",
       "each group's flags, inherited key by key (NULL: the question's)")
    # A group's flags the default validator does not know: refused, named.
    src = os.path.join(TMP, "badgroupflag")
    shutil.copytree(os.path.join(PKGS, "groupflags"), src)
    open(os.path.join(src, "data/secret/tight/testdata.yaml"), "w").write(
        "output_validator_flags: ignore_case\n")
    refused(src, "h-groupflag", "data/secret/tight/1: unknown validator flag 'ignore_case'")


def test_interactive_sample_interaction_stored():
    run([ADMIN, "import-problem", os.path.join(PKGS, "guess"), "--round", ROUND, "--slug", "guess2"],
        env={"PITWALL_JUDGE_EMBEDDED": "1"})
    eq(psql("SELECT string_agg(name || ':' || coalesce(interaction, '-'), ',' ORDER BY ordinal)"
            " FROM testcases t JOIN questions q ON q.id = t.question_id WHERE q.slug = 'guess2'"),
       "sample/1:" + open(os.path.join(PKGS, "guess/data/sample/1.interaction")).read()
       + ",secret/1:-,secret/2:-", "the sample's .interaction")


def test_binary_test_data_stored_as_bytes():
    admin("import-problem", os.path.join(PKGS, "binrev"), "--round", ROUND, "--slug", "binrev-imp")
    try:
        for name in ("sample/1", "secret/1", "secret/2"):
            data = open(os.path.join(PKGS, "binrev", "data", name + ".in"), "rb").read()
            assert b"\0" in data, name
            eq(psql("SELECT concat_ws('|', encode(input_bytes, 'hex'), encode(answer_bytes, 'hex'),"
                    " length(input), length(expected_output)) FROM testcases t JOIN questions q"
                    f" ON q.id = t.question_id WHERE q.slug = 'binrev-imp' AND t.name = '{name}'"),
               f"{data.hex()}|{data[::-1].hex()}|0|0", f"{name}: the bytes, not text")
        # Text files stay text.
        eq(psql("SELECT count(*) FROM testcases t JOIN questions q ON q.id = t.question_id"
                " WHERE q.slug = 'floatavg' AND (input_bytes IS NOT NULL OR answer_bytes IS NOT NULL)"),
           "0", "text tests have no bytes")
    finally:
        # Pitwall's own `export` (other files) holds text only.
        psql("DELETE FROM questions WHERE slug = 'binrev-imp'")


def test_reimport_updates_in_place():
    src = os.path.join(TMP, "floatavg")
    shutil.copytree(os.path.join(PKGS, "floatavg"), src)
    qid = q("floatavg", "id")
    ids = psql("SELECT string_agg(id::text, ',' ORDER BY ordinal) FROM testcases WHERE question_id = "
               + qid)
    text = open(os.path.join(src, "problem.yaml")).read().replace(
        "float_tolerance 1e-6", "float_relative_tolerance 1e-4")
    open(os.path.join(src, "problem.yaml"), "w").write(text)
    open(os.path.join(src, "data/secret/01.ans"), "w").write("0.50\n")
    os.remove(os.path.join(src, "data/secret/02.in"))
    os.remove(os.path.join(src, "data/secret/02.ans"))
    p = admin("import-problem", src, "--round", ROUND)
    eq(p.stdout.strip(), "floatavg", "same slug")
    eq(q("floatavg", "id"), qid, "same question row")
    eq(q("floatavg", "validator_flags"), "float_relative_tolerance 1e-4", "flags updated")
    eq(psql("SELECT string_agg(id::text, ',' ORDER BY ordinal) FROM testcases WHERE question_id = "
            + qid), ",".join(ids.split(",")[:2]), "kept testcases keep their ids; the gone one is deleted")
    eq(psql(f"SELECT expected_output FROM testcases WHERE question_id = {qid} AND name = 'secret/01'"),
       "0.50", "answer updated")
    eq(psql("SELECT count(*) FROM questions WHERE slug = 'floatavg'"), "1", "no duplicate")


def test_balloon_colours():
    """rgb and color of problem.yaml are stored; a re-import without them
    keeps the stored ones; bad values are refused; export-problem writes
    them back."""
    src = os.path.join(TMP, "balloon")
    shutil.copytree(os.path.join(PKGS, "floatavg"), src)
    y = os.path.join(src, "problem.yaml")
    plain = open(y).read()
    open(y, "w").write(plain + "rgb: '#00Ff00'\ncolor: light green\n")
    eq(admin("import-problem", src, "--round", ROUND).stdout.strip(), "balloon", "slug")
    eq(q("balloon", "rgb, color"), "#00Ff00|light green", "stored")
    open(y, "w").write(plain)
    admin("import-problem", src, "--round", ROUND)
    eq(q("balloon", "rgb, color"), "#00Ff00|light green", "a package without them keeps them")
    open(y, "w").write(plain + "rgb: '#abc'\n")
    admin("import-problem", src, "--round", ROUND)
    eq(q("balloon", "rgb"), "#abc", "#rgb")
    for bad, named in (("rgb: green\n", "rgb"), ("rgb: '#abcd'\n", "rgb"),
                       ("rgb: [1, 2]\n", "rgb"), ("color: \"a'b\"\n", "color"),
                       ("color: {x: 1}\n", "color")):
        open(y, "w").write(plain + bad)
        p = admin("import-problem", src, "--round", ROUND, "--slug", "balloon-bad", check=False)
        eq(p.returncode, 1, f"{bad!r} refused")
        assert f"problem.yaml: {named}" in p.stderr, (bad, p.stderr)
        eq(q("balloon-bad", "count(*)"), "0", "nothing stored")
    out = os.path.join(TMP, "balloon-out")
    admin("export-problem", "balloon", out)
    text = open(os.path.join(out, "problem.yaml")).read()
    assert "rgb: '#abc'\n" in text and "color: 'light green'\n" in text, text
    admin("import-problem", out, "--round", ROUND, "--slug", "balloon-rt")
    eq(q("balloon-rt", "rgb, color"), "#abc|light green", "round trip")


def nothing_stored(slug):
    eq(psql(f"SELECT count(*) FROM questions WHERE slug = '{slug}'"), "0", "nothing stored")


def hostile_zip(name, entry, data=b"x", mode=None):
    path = os.path.join(TMP, name + ".zip")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("problem.yaml", "name: Hostile\n")
        z.writestr("data/secret/1.in", "1\n")
        z.writestr("data/secret/1.ans", "1\n")
        info = zipfile.ZipInfo(entry)
        info.compress_type = zipfile.ZIP_DEFLATED
        if mode is not None:
            info.create_system = 3
            info.external_attr = mode << 16
        z.writestr(info, data)
    return path


def refused(path, slug, named):
    p = admin("import-problem", path, "--round", ROUND, "--slug", slug, check=False)
    eq(p.returncode, 1, "exit 1: " + p.stderr)
    assert named in p.stderr, (named, p.stderr)
    nothing_stored(slug)
    return p


def test_hostile_packages_refused():
    refused(hostile_zip("symlink", "data/secret/2.in", b"/etc/passwd", stat.S_IFLNK | 0o777),
            "h-symlink", "data/secret/2.in: symbolic links are refused")
    refused(hostile_zip("dotdot", "../../evil.sh"), "h-dotdot", "../../evil.sh")
    refused(hostile_zip("absolute", "/tmp/evil"), "h-absolute", "/tmp/evil: absolute")
    bomb = hostile_zip("bomb", "data/secret/big.in", b"\0" * (32 << 20))
    assert os.path.getsize(bomb) < (1 << 20)
    p = admin("import-problem", bomb, "--round", ROUND, "--slug", "h-bomb", "--max-size", 4 << 20,
              check=False)
    eq(p.returncode, 1, "bomb refused")
    assert "data/secret/big.in: the package unpacks to more than" in p.stderr, p.stderr
    nothing_stored("h-bomb")


def test_bad_content_refused():
    src = os.path.join(TMP, "badtype")
    shutil.copytree(os.path.join(PKGS, "shout"), src)
    text = open(os.path.join(src, "problem.yaml")).read().replace("type: pass-fail", "type: multi-pass")
    open(os.path.join(src, "problem.yaml"), "w").write(text)
    refused(src, "h-type", "problem.yaml: unknown type")

    src = os.path.join(TMP, "badlang")
    shutil.copytree(os.path.join(PKGS, "guess"), src)
    open(os.path.join(src, "output_validator", "Check.java"), "w").write("class Check {}\n")
    refused(src, "h-lang", "output_validator/Check.java")

    src = os.path.join(TMP, "badflag")
    shutil.copytree(os.path.join(PKGS, "floatavg"), src)
    text = open(os.path.join(src, "problem.yaml")).read().replace(
        "float_tolerance 1e-6", "float_tolerance 1e-6 ignore_case")
    open(os.path.join(src, "problem.yaml"), "w").write(text)
    refused(src, "h-flag", "unknown validator flag 'ignore_case'")



def test_usage():
    eq(admin("import-problem", os.path.join(PKGS, "floatavg"), check=False).returncode, 64,
       "--round is required")
    eq(admin("import-problem", os.path.join(PKGS, "floatavg"), "--round", ROUND, "--slug", "Bad Slug",
             check=False).returncode, 64, "bad slug")
    eq(admin("import-problem", os.path.join(PKGS, "floatavg"), "--round", ROUND, "--time-limit", "0",
             check=False).returncode, 64, "bad time limit")
    p = admin("import-problem", os.path.join(PKGS, "floatavg"), "--round", "no-such-round",
              "--slug", "h-round", check=False)
    eq(p.returncode, 1, "unknown round")
    assert "no round" in p.stderr, p.stderr
    nothing_stored("h-round")
