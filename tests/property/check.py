#!/usr/bin/env python3
"""Property test: for every sample and every fuzz-corpus and regression input, cmrelay's
stdout is valid UTF-8 NDJSON whose events respect Flashduty's limits, and every body is
accounted for: converted (one or more events) or rejected (one --reject record).

    python3 tests/property/check.py BIN SRC_DIR

Per input it runs `cmrelay detect` and `cmrelay convert`, each with --reject, and checks:
- exit status 0 when nothing was rejected, 1 otherwise (never a crash, never 2);
- each stdout line is one JSON object of UTF-8 text with exactly Flashduty's fields:
  event_status in Critical/Warning/Info/Ok, title_rule <= 512, alert_key <= 255,
  description <= 2048 code points, <= 50 labels, keys <= 128, values <= 2048, all strings,
  event_time an integer when present; images a list of {src, href, alt} strings with src;
- bodies read (detect lines + detect rejects, which is also the "N of M" count convert
  reports) = bodies converted + convert rejects, and events >= bodies converted;
- reject records are whole JSON lines naming distinct record numbers within the input.
Every input is checked with --jobs 1 and --jobs 2, and the two runs must agree byte for byte
(stdout, stderr, exit status, reject file); so must --jobs 1, 2 and 3 over one stream of every
input concatenated, several MiB long, so that the work is really shared by threads.
"""
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

LIMITS = {"title_rule": 512, "alert_key": 255, "description": 2048}
STATUSES = {"Critical", "Warning", "Info", "Ok"}
FIELDS = {"event_status", "title_rule", "alert_key", "description", "labels", "event_time", "images"}


def fail(path, msg):
    raise AssertionError("%s: %s" % (path, msg))


def run(args, reject):
    reject.write_bytes(b"")
    p = subprocess.run(args + ["--reject", str(reject)], capture_output=True, timeout=60)
    if p.returncode not in (0, 1):
        fail(args[-1], "%s exited %d: %s" % (args[1], p.returncode, p.stderr.decode(errors="replace")[-500:]))
    records = []
    p.rejects = reject.read_bytes()
    for line in p.rejects.splitlines():
        rec = json.loads(line.decode("utf-8"))
        if not {"source", "record", "reason"} <= rec.keys() or ("body" not in rec and "body_base64" not in rec):
            fail(args[-1], "incomplete reject record %r" % rec)
        records.append(rec)
    return p, records


def check_event(path, n, line):
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError as e:
        fail(path, "event %d is not UTF-8: %s" % (n, e))
    e = json.loads(text)
    if not isinstance(e, dict) or not set(e) <= FIELDS or not {"event_status", "alert_key", "labels"} <= set(e):
        fail(path, "event %d has fields %s" % (n, sorted(e) if isinstance(e, dict) else type(e)))
    if e["event_status"] not in STATUSES:
        fail(path, "event %d status %r" % (n, e["event_status"]))
    for field, limit in LIMITS.items():
        v = e.get(field, "")
        if not isinstance(v, str) or len(v) > limit:
            fail(path, "event %d %s is not a string of <= %d characters" % (n, field, limit))
    labels = e["labels"]
    if not isinstance(labels, dict) or len(labels) > 50:
        fail(path, "event %d labels: not an object of <= 50" % n)
    for k, v in labels.items():
        if len(k) > 128 or not isinstance(v, str) or len(v) > 2048:
            fail(path, "event %d label %r breaks a limit" % (n, k[:40]))
    if "event_time" in e and not isinstance(e["event_time"], int):
        fail(path, "event %d event_time %r" % (n, e["event_time"]))
    for image in e.get("images", []):
        if (not isinstance(image, dict) or not set(image) <= {"src", "href", "alt"} or "src" not in image
                or not all(isinstance(v, str) for v in image.values())):
            fail(path, "event %d image %r" % (n, image))


def check(binary, path, tmp, jobs):
    reject = Path(tmp) / "reject.ndjson"
    d, d_rejects = run([binary, "detect", "--jobs", jobs, str(path)], reject)
    detected = d.stdout.splitlines()
    for line in detected:
        if not re.match(rb"^.*:\d+: [a-z]+(\.[a-z0-9]+)? \(.*\)$", line):
            fail(path, "detect line %r" % line[:120])
    bodies = len(detected) + len(d_rejects)

    c, c_rejects = run([binary, "convert", "--jobs", jobs, str(path)], reject)
    lines = c.stdout.splitlines()
    for n, line in enumerate(lines, 1):
        check_event(path, n, line)
    numbers = [r["record"] for r in c_rejects]
    if len(set(numbers)) != len(numbers) or any(not 1 <= r <= bodies for r in numbers):
        fail(path, "reject records %s for %d bodies" % (numbers, bodies))
    converted = bodies - len(c_rejects)
    if converted < 0 or len(lines) < converted or (converted == 0 and lines):
        fail(path, "%d bodies, %d rejected, %d events" % (bodies, len(c_rejects), len(lines)))
    summary = re.search(rb"cmrelay: (\d+) of (\d+) bodies rejected", c.stderr)
    if c_rejects:
        if c.returncode != 1 or not summary or int(summary.group(1)) != len(c_rejects) or int(summary.group(2)) != bodies:
            fail(path, "exit %d, summary %r for %d of %d rejected" % (c.returncode, summary and summary.group(0), len(c_rejects), bodies))
    elif c.returncode != 0 or summary:
        fail(path, "nothing rejected, yet exit %d / %r" % (c.returncode, summary and summary.group(0)))
    seen = [(r.stdout, r.stderr, r.returncode, r.rejects) for r in (d, c)]
    return (bodies, len(lines), len(c_rejects)), seen


def check_jobs(binary, path, tmp, jobs_list):
    """Checks path with each --jobs; all must say the same. The first run's totals."""
    first = None
    for jobs in jobs_list:
        totals, seen = check(binary, path, tmp, jobs)
        if first is None:
            first = (totals, seen)
        elif seen != first[1]:
            fail(path, "--jobs %s says otherwise than --jobs %s" % (jobs, jobs_list[0]))
    return first[0]


def concatenated(inputs, tmp, size):
    """Every input, each ending in a newline, over and over until size bytes."""
    path = Path(tmp) / "all-inputs"
    parts, total = [], 0
    while total < size:
        for p in inputs:
            b = p.read_bytes() + b"\n"
            parts.append(b)
            total += len(b)
    path.write_bytes(b"".join(parts))
    return path


def main():
    binary, src = sys.argv[1], Path(sys.argv[2])
    inputs = sorted(p for p in (src / "samples").rglob("*") if p.is_file() and p.suffix not in (".yaml", ".yml", ".md"))
    inputs += sorted(p for p in (src / "tests" / "fuzz").glob("*/*/*") if p.is_file())
    totals = [0, 0, 0]
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        for path in inputs:
            try:
                for i, v in enumerate(check_jobs(binary, path, tmp, ["1", "2"])):
                    totals[i] += v
            except (AssertionError, json.JSONDecodeError, subprocess.TimeoutExpired) as e:
                failures += 1
                print("FAIL", e)
        try:
            check_jobs(binary, concatenated(inputs, tmp, 4 << 20), tmp, ["1", "2", "3"])
        except (AssertionError, json.JSONDecodeError, subprocess.TimeoutExpired) as e:
            failures += 1
            print("FAIL", e)
    print("property: %d inputs, %d bodies, %d events, %d rejected, %d failures" % (len(inputs), *totals, failures))
    return 1 if failures or not inputs else 0


if __name__ == "__main__":
    sys.exit(main())
