"""Run the test_* functions of one integration test file in order.

Prints "ok - file: name" or "not ok - file: name" per test, with the
failure's message, and exits 1 when one failed.  A test that raises
unittest.SkipTest prints "ok - file: name # SKIP reason", which tests/run
counts as skipped, not passed.  Tests get the stack's
settings from var/stack.env through pw.py.
"""
import importlib.util
import os
import sys
import time
import traceback
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fakejudge0"))


def main(path):
    name = os.path.splitext(os.path.basename(path))[0]
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    tests = [(n, f) for n, f in vars(mod).items() if n.startswith("test_") and callable(f)]
    tests.sort(key=lambda t: t[1].__code__.co_firstlineno)
    failed = 0
    setup = getattr(mod, "setup_module", None)
    teardown = getattr(mod, "teardown_module", None)
    try:
        if setup:
            setup()
    except Exception:
        print(f"not ok - {name}: setup_module")
        traceback.print_exc(file=sys.stdout)
        return 1
    try:
        for tname, fn in tests:
            t0 = time.monotonic()
            try:
                fn()
                print(f"ok - {name}: {tname} ({time.monotonic() - t0:.1f}s)", flush=True)
            except unittest.SkipTest as e:
                print(f"ok - {name}: {tname} # SKIP {e}", flush=True)
            except Exception as e:
                failed += 1
                print(f"not ok - {name}: {tname}: {type(e).__name__}: {e}", flush=True)
                for line in traceback.format_exc().splitlines():
                    print("# " + line)
    finally:
        if teardown:
            try:
                teardown()
            except Exception:
                traceback.print_exc(file=sys.stdout)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
