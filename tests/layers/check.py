#!/usr/bin/env python3
"""The documented layering, checked over every #include "..." line of src/.

A file may include its own folder and the folders listed before it here; nothing else.
The order is docs/ARCHITECTURE.md's: base layers first, then the stages in the order data
flows, then the delivering half (src/net/, the cmrelay_net library), and main.cpp, which only
wires and may include anything. A header outside src/net/ that includes one inside it would
put libcurl or SQLite into the light binary; that is the same check (net comes last).

Usage: check.py SRC_DIR [FILE...]   (FILEs: check only these; default every file under src/)
Prints one line per violation (FILE:LINE: includes X, which stands after Y) and exits 1 on any.
"""
import os
import re
import sys

LAYERS = [
    "text",          # domain-free helpers
    "json",          # the parser
    "report",        # what a run says and keeps: diag, record files, write_all, progress
    "event",         # the model: the Flashduty standard event
    "input",         # framing, captures (reader and writer)
    "vendors",       # decoders and the detection that walks their registry
    "pipeline",      # reading stages wired; rejection
    "target",        # target kinds: an event rendered for a destination, its answer judged
    "route",         # route files, dispatch
    "output",        # what commands print: NDJSON, the label census
    "cli",           # the core commands
    "net/state",     # the open-alert state (SQLite)
    "net/deliver",   # the sender, the delivery engine
    "net/serve",     # the webhook receiver
    "net/commands",  # the delivering commands
]
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')


def layer_of(path):
    """The layer a path under src/ belongs to, or None (main.cpp)."""
    for name in sorted(LAYERS, key=len, reverse=True):
        if path.startswith(name + "/"):
            return name
    return None


def self_test():
    """The check can fail: a temporary tree with one include upward and one into net/."""
    import subprocess
    import tempfile
    with tempfile.TemporaryDirectory() as root:
        for rel, body in {"src/vendors/a.h": '#include "route/model.h"\n',
                          "src/cli/b.cpp": '#include "net/deliver/sender.h"\n',
                          "src/route/c.cpp": '#include "vendors/a.h"\n'}.items():
            os.makedirs(os.path.dirname(os.path.join(root, rel)), exist_ok=True)
            with open(os.path.join(root, rel), "w", encoding="utf-8") as f:
                f.write(body)
        run = subprocess.run([sys.executable, __file__, root], capture_output=True, text=True, check=False)
        ok = run.returncode == 1 and "src/vendors/a.h:1" in run.stdout and "src/cli/b.cpp:1" in run.stdout \
            and "src/route/c.cpp" not in run.stdout
        print("layers self-test:", "passed" if ok else "FAILED\n" + run.stdout)
        return 0 if ok else 1


def main():
    if sys.argv[1] == "--self-test":
        return self_test()
    src = os.path.join(sys.argv[1], "src")
    files = sys.argv[2:]
    if not files:
        for root, _, names in os.walk(src):
            files += [os.path.join(root, n) for n in names if n.endswith((".h", ".cpp"))]
    violations = 0
    for f in sorted(files):
        rel = os.path.relpath(f, src)
        mine = layer_of(rel)
        if mine is None:
            if rel != "main.cpp":
                print(f"src/{rel}: not in any documented layer")
                violations += 1
            continue
        with open(f, encoding="utf-8") as text:
            for number, line in enumerate(text, 1):
                m = INCLUDE.match(line)
                if not m:
                    continue
                theirs = layer_of(m.group(1))
                if theirs is None:
                    print(f"src/{rel}:{number}: includes {m.group(1)}, which is in no layer")
                    violations += 1
                elif LAYERS.index(theirs) > LAYERS.index(mine):
                    print(f"src/{rel}:{number}: includes {m.group(1)} ({theirs}), which stands after {mine}")
                    violations += 1
    print(f"layers: {violations} include lines against the documented order")
    return 1 if violations else 0


if __name__ == "__main__":
    sys.exit(main())
