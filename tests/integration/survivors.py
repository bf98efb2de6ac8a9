#!/usr/bin/python3
"""The processes that still belong to a stopped stack.

    survivors.py [--wait SECONDS] DIR

A process belongs to the stack in DIR (a test's temporary directory, or
one stack's var/) when its command line or its environment names DIR, or
its working directory is inside DIR.  Prints one line per such process
and exits 1 when there is one, after waiting up to SECONDS (default 0)
for processes on their way out (a zombie counts as gone).  This process
itself is never listed.  Python standard library only; used by tests/run
after the last `stack down` and by tests/integration/test_supervise.py.
"""
import os
import sys
import time


def _read(path):
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError:
        return b""


def survivors(path):
    """[(pid, why, command line)] of the live processes referring to path."""
    want = os.fsencode(os.path.abspath(path))
    real = os.fsencode(os.path.realpath(path))
    me = os.getpid()
    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit() or int(name) == me:
            continue
        pid = int(name)
        stat = _read(f"/proc/{pid}/stat")
        # The state follows the command name, which is in parentheses.
        if not stat or stat.rsplit(b")", 1)[-1].split()[0:1] == [b"Z"]:
            continue
        cmdline = _read(f"/proc/{pid}/cmdline")
        why = []
        if want in cmdline or real in cmdline:
            why.append("command line")
        environ = _read(f"/proc/{pid}/environ")
        if want in environ or real in environ:
            why.append("environment")
        try:
            cwd = os.fsencode(os.readlink(f"/proc/{pid}/cwd"))
        except OSError:
            cwd = b""
        if any(cwd == d or cwd.startswith(d + b"/") for d in (want, real)):
            why.append("working directory")
        if why:
            cmd = cmdline.replace(b"\0", b" ").strip().decode(errors="replace")
            found.append((pid, ", ".join(why), cmd[:300]))
    return found


def wait_gone(path, seconds):
    """survivors(path), waiting up to `seconds` for the list to empty."""
    deadline = time.monotonic() + seconds
    while True:
        left = survivors(path)
        if not left or time.monotonic() >= deadline:
            return left
        time.sleep(0.2)


def main(argv):
    wait = 0.0
    if len(argv) >= 2 and argv[0] == "--wait":
        wait = float(argv[1])
        argv = argv[2:]
    if len(argv) != 1:
        print("usage: survivors.py [--wait SECONDS] DIR", file=sys.stderr)
        return 64
    left = wait_gone(argv[0], wait)
    for pid, why, cmd in left:
        print(f"pid {pid} ({why}): {cmd}")
    return 1 if left else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
