#!/usr/bin/env python3
"""on_tty.py stdout|stderr COMMAND...: runs COMMAND with that stream on a pseudo-terminal
(TERM=xterm; the other stream to /dev/null) and writes the bytes the terminal received, as
they came, to standard output. Exits with COMMAND's status."""
import os
import pty
import subprocess
import sys

which, argv = sys.argv[1], sys.argv[2:]
master, slave = pty.openpty()
streams = {"stdout": slave, "stderr": subprocess.DEVNULL} if which == "stdout" else {"stdout": subprocess.DEVNULL, "stderr": slave}
p = subprocess.Popen(argv, env=dict(os.environ, TERM="xterm"), **streams)
os.close(slave)
out = b""
while True:
    try:
        chunk = os.read(master, 65536)
    except OSError:  # EIO: the command closed the terminal.
        break
    if not chunk:
        break
    out += chunk
sys.stdout.buffer.write(out)
sys.exit(p.wait())
