"""Two Sum: any two non-negative integers adding up to N are right.
validator.py input answer feedback_dir < team_output"""
import os
import sys


def verdict(ok, judge, team=None):
    with open(os.path.join(sys.argv[3], "judgemessage.txt"), "w") as f:
        f.write(judge)
    if team is not None:
        with open(os.path.join(sys.argv[3], "teammessage.txt"), "w") as f:
            f.write(team)
    sys.exit(42 if ok else 43)


n = int(open(sys.argv[1]).read())
tokens = sys.stdin.read().split()
if len(tokens) != 2:
    verdict(False, "expected 2 numbers, got %d" % len(tokens), "print two numbers")
try:
    a, b = int(tokens[0]), int(tokens[1])
except ValueError:
    verdict(False, "not integers: %r" % tokens[:2], "print integers")
if a < 0 or b < 0 or a + b != n:
    verdict(False, "%d + %d != %d" % (a, b, n), "the sum is wrong")
verdict(True, "ok: %d + %d" % (a, b))
