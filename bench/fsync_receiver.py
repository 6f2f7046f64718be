#!/usr/bin/env python3
"""The trivial durable receiver bench/serve.py compares `cmrelay serve` with: Python's
http.server (threaded), each POST body written to a temporary file, fsynced, renamed and
the directory fsynced before the 200, as serve does. No auth, no limits, no delivery.

Usage: fsync_receiver.py DIR PORT_FILE
"""
import http.server
import itertools
import os
import sys
import threading

DIR = sys.argv[1]
seq = itertools.count()
dir_fd = os.open(DIR, os.O_RDONLY)


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # One write per answer, no Nagle: else each answer waits for a delayed ACK (40 ms).
    wbufsize = -1
    disable_nagle_algorithm = True

    def log_message(self, *args):
        pass

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        name = f"{next(seq):012d}.http"
        tmp = os.path.join(DIR, "." + name)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        os.write(fd, body)
        os.fsync(fd)
        os.close(fd)
        os.rename(tmp, os.path.join(DIR, name))
        os.fsync(dir_fd)
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256

    def handle_error(self, request, client_address):
        pass  # A load generator that stops mid-request (wrk at its deadline) is no news.


srv = Server(("127.0.0.1", 0), Handler)
with open(sys.argv[2], "w") as f:
    f.write(str(srv.server_address[1]))
srv.serve_forever()
