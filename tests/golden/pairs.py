#!/usr/bin/env python3
"""Golden pair check: for each `FIRING RECOVERY` line of tests/golden/pairs.txt, every Ok
event that cmrelay prints for samples/RECOVERY carries the alert_key of a firing event of
samples/FIRING (their expected outputs under tests/golden/), so recoveries close the alerts
their firing events opened.

    python3 tests/golden/pairs.py SRC_DIR
"""
import json
import sys
from pathlib import Path


def events(golden, rel):
    path = golden / (rel + ".out")
    if not path.is_file():
        raise AssertionError("%s: no expected output %s" % (rel, path))
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def main():
    src = Path(sys.argv[1])
    golden = src / "tests" / "golden"
    failures = 0
    pairs = 0
    for n, line in enumerate((golden / "pairs.txt").read_text(encoding="utf-8").splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split()
        try:
            if len(parts) != 2:
                raise AssertionError("pairs.txt:%d: want FIRING RECOVERY, got %r" % (n, line))
            firing, recovery = parts
            for rel in parts:
                if not (src / "samples" / rel).is_file():
                    raise AssertionError("pairs.txt:%d: no sample samples/%s" % (n, rel))
            keys = {e["alert_key"] for e in events(golden, firing) if e["event_status"] != "Ok"}
            oks = [e for e in events(golden, recovery) if e["event_status"] == "Ok"]
            if not keys:
                raise AssertionError("%s has no firing event" % firing)
            if not oks:
                raise AssertionError("%s has no Ok event" % recovery)
            for e in oks:
                if e["alert_key"] not in keys:
                    raise AssertionError("%s: Ok event %r meets no firing event of %s (keys %s)"
                                         % (recovery, e["alert_key"], firing, sorted(keys)))
            pairs += 1
        except AssertionError as err:
            print("FAIL", err)
            failures += 1
    print("pairs: %d pairs, %d failures" % (pairs, failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
