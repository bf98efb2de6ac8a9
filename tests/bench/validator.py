#!/usr/bin/env python3
"""Custom output validator cost (issue 14): seconds per testcase of a
100-testcase package judged on the embedded judge with a custom C++
validator (pitwall_validator: built once, then run in a box of its own
after each run of the submission), against the same 100 testcases with
the default validator (no pitwall_validator: the judge runs the
submission alone and the worker compares with lib/outval.c, a cost of
microseconds not counted here), in the same run.

Brings up a throwaway stack on the embedded judge (JUDGE0_URL unset) and
stops it.  Environment: BENCH_RUNS (3), BENCH_VAL_TESTS (100),
BENCH_PORT_BASE (31560)."""
import base64
import hashlib
import json
import os
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
from pwbench import Stack, connect, line, median, ratio, say  # noqa: E402

RUNS = int(os.environ.get("BENCH_RUNS", "3"))
NTESTS = max(20, int(os.environ.get("BENCH_VAL_TESTS", "100")) // 20 * 20)
SRC = '#include <stdio.h>\nint main(void){long long a,b;if(scanf("%lld %lld",&a,&b)!=2)return 1;printf("%lld\\n",a+b);return 0;}\n'
# A token-by-token comparison, as a package's own validator would do.
VALIDATOR = r'''#include <fstream>
#include <iostream>
#include <string>
int main(int argc, char **argv) {
	if (argc < 4) return 1;
	std::ifstream ans(argv[2]);
	std::string want, got;
	while (ans >> want) {
		if (!(std::cin >> got) || got != want) {
			std::ofstream(std::string(argv[3]) + "/judgemessage.txt") << "expected " << want;
			return 43;
		}
	}
	if (std::cin >> got) return 43;
	return 42;
}
'''


def b64(s):
    return base64.b64encode(s.encode()).decode()


def call(conn, method, path, body=None):
    conn.request(method, path, body=json.dumps(body) if body is not None else None,
                 headers={"Content-Type": "application/json"})
    r = conn.getresponse()
    data = r.read()
    if r.status >= 300:
        raise RuntimeError(f"{method} {path}: {r.status} {data[:300]!r}")
    return json.loads(data)


def items(custom):
    spec = {"mode": "custom", "language_id": 54,
            "digest": hashlib.sha256(VALIDATOR.encode()).hexdigest(), "flags": "",
            "time_limit": 10, "memory_limit": 1048576,
            "files": [{"path": "output_validator/validator.cpp", "content": b64(VALIDATOR)}]}
    out = []
    for i in range(NTESTS):
        it = {"source_code": b64(SRC), "language_id": 50, "stdin": b64(f"{i} {i * 7}\n"),
              "cpu_time_limit": 2, "wall_time_limit": 5}
        if custom:
            it["expected_output"] = b64(f"{i * 8}\n")
            it["pitwall_validator"] = spec
        out.append(it)
    return out


def judged(base, batch):
    """Seconds to judge the testcases of batch, sent in batches of 20 at
    once (as dispatch does) and polled; every one must be Accepted."""
    errors = []
    chunks = [batch[i:i + 20] for i in range(0, len(batch), 20)]

    def lane(chunk):
        conn = connect(base)
        try:
            toks = call(conn, "POST", "/submissions/batch?base64_encoded=true",
                        {"submissions": chunk})
            q = ",".join(t["token"] for t in toks)
            while True:
                subs = call(conn, "GET", f"/submissions/batch?base64_encoded=true&tokens={q}"
                            "&fields=status_id,stdout,message")["submissions"]
                if all(s["status_id"] >= 3 for s in subs):
                    break
                time.sleep(0.02)
            bad = [s for s in subs if s["status_id"] != 3]
            if bad:
                errors.append(bad[0])
        except Exception as e:  # noqa: BLE001
            errors.append(repr(e))
        finally:
            conn.close()
    ts = [threading.Thread(target=lane, args=(c,)) for c in chunks]
    t0 = time.monotonic()
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    dt = time.monotonic() - t0
    if errors:
        raise RuntimeError(f"judge runs failed: {errors[0]}")
    return dt


def main():
    port = int(os.environ.get("BENCH_PORT_BASE", "31560"))
    with Stack(port, {"JUDGE0_URL": "", "JUDGE_MAX_QUEUE": str(NTESTS * 2 + 100)}) as st:
        base = st.env["JUDGE0_URL"]
        custom, default = items(True), items(False)
        say(f"embedded judge at {base}; {NTESTS} testcases per measurement")
        judged(base, custom[:20])   # build the validator and the program once
        judged(base, default[:20])
        cs, ds = [], []
        for i in range(RUNS):
            d = judged(base, default)
            c = judged(base, custom)
            ds.append(d / NTESTS)
            cs.append(c / NTESTS)
            say(f"run {i + 1}: custom {c / NTESTS * 1000:.1f} ms/testcase, "
                f"default {d / NTESTS * 1000:.1f} ms/testcase")
        c, d = median(cs), median(ds)
        cores = os.cpu_count() or 1
        line(f"validator: ms per testcase of {NTESTS}, custom C++ validator vs default "
             f"validator, embedded judge, {cores} cores (median of {RUNS})",
             c * 1000, d * 1000, ratio(c, d))
        line("validator: the custom validator's extra ms per testcase", (c - d) * 1000, "-", "-")


if __name__ == "__main__":
    sys.exit(main())
