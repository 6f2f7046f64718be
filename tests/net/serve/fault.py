#!/usr/bin/env python3
"""cmrelay serve under faults: nothing acknowledged is ever lost.

Several clients POST a few thousand Volcengine bodies (each with its own id, trace id and
alert key) to `cmrelay serve`, retrying what did not get a 2xx as a cloud would, while the
loopback sink answers 500, 429 (Retry-After) or hangs at random, and serve is killed with
SIGKILL twice in the middle and restarted on the same spool. Every request that got a 2xx
must end delivered (a 200 from the sink) or dead-lettered; a single loss fails. Duplicate
deliveries (at-least-once after a kill) are counted and reported. Bounded: every loop has a
count and a deadline; the whole run takes well under 90 s on 2 shared cores.

Usage: fault.py CMRELAY_BINARY SOURCE_DIR [--bodies N]
"""
import argparse
import http.client
import http.server
import json
import os
import random
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

ID = re.compile(r"fault-(\d+)-x")
DEADLINE = time.monotonic() + 85


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Sink(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256  # serve opens up to --concurrency connections at once.

    def __init__(self):
        super().__init__(("127.0.0.1", 0), SinkHandler)
        self.lock = threading.Lock()
        self.delivered = {}  # id -> times answered 200
        self.answers = {"200": 0, "500": 0, "429": 0, "hang": 0}
        self.rng = random.Random(14)

    def handle_error(self, request, client_address):
        pass  # serve killed mid-request resets connections: expected here.


class SinkHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        srv = self.server
        with srv.lock:
            roll = srv.rng.random()
        if roll < 0.05:
            with srv.lock:
                srv.answers["hang"] += 1
            time.sleep(2.5)  # Longer than serve's --timeout: the attempt fails.
            self.close_connection = True
            return
        if roll < 0.17:
            code, extra = 500, {}
        elif roll < 0.23:
            code, extra = 429, {}
        elif roll < 0.233:
            # Pauses the whole channel for a second (Flashduty's rate limit): kept rare, so
            # that the run stays short.
            code, extra = 429, {"Retry-After": "1"}
        else:
            code, extra = 200, {}
        payload = b'{"request_id":"fault-sink","data":{}}' if code == 200 else b"{}"
        with srv.lock:
            srv.answers[str(code)] += 1
            if code == 200:
                for m in ID.findall(body.decode("utf-8", "replace")):
                    srv.delivered[m] = srv.delivered.get(m, 0) + 1
                    break
        self.send_response(code)
        for k, v in extra.items():
            self.send_header(k, v)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


def body_for(template, n):
    doc = json.loads(template)
    doc["RuleName"] = f"fault-{n}-x"
    doc["RuleId"] = str(1000000 + n)
    return json.dumps(doc).encode()


class Serve:
    def __init__(self, binary, port, args, log):
        self.cmd = [binary, "serve", "--listen", f"127.0.0.1:{port}"] + args
        self.log = log
        self.proc = None

    def start(self):
        self.proc = subprocess.Popen(self.cmd, stdout=subprocess.DEVNULL, stderr=self.log)

    def kill(self, sig):
        self.proc.send_signal(sig)
        return self.proc.wait(timeout=30)


def client(port, token, ids, template, accepted, stats, lock):
    conn = None
    for n in ids:
        body = body_for(template, n)
        for attempt in range(400):  # A cloud retries; this one until serve is back.
            if time.monotonic() > DEADLINE - 30:
                return
            try:
                if conn is None:
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                conn.request("POST", f"/hook/{token}", body=body,
                             headers={"Content-Type": "application/json", "x-volc-trace-id": f"trace-{n}"})
                resp = conn.getresponse()
                resp.read()
                if 200 <= resp.status < 300:
                    with lock:
                        accepted.add(str(n))
                    break
                with lock:
                    stats[resp.status] = stats.get(resp.status, 0) + 1
            except (OSError, http.client.HTTPException):
                with lock:
                    stats["conn"] = stats.get("conn", 0) + 1
                if conn is not None:
                    conn.close()
                conn = None
            time.sleep(0.05)


def spool_files(spool):
    try:
        return [f for f in os.listdir(spool) if not f.startswith(".")]
    except FileNotFoundError:
        return []


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("binary")
    ap.add_argument("source")
    ap.add_argument("--bodies", type=int, default=3000)
    ap.add_argument("--clients", type=int, default=6)
    a = ap.parse_args()
    template = open(os.path.join(a.source, "samples/volcengine/metric-firing.json")).read()

    sink = Sink()
    threading.Thread(target=sink.serve_forever, daemon=True).start()
    tmp = tempfile.mkdtemp(prefix="cmrelay-fault-")
    token = "fault-token-%d" % random.randrange(10**9)
    with open(os.path.join(tmp, "tokens"), "w") as f:
        f.write(token + "\n")
    spool = os.path.join(tmp, "spool")
    dead = os.path.join(tmp, "dead.ndjson")
    port = free_port()
    log = open(os.path.join(tmp, "serve.log"), "wb")
    serve = Serve(a.binary, port, [
        "--spool", spool, "--token-file", os.path.join(tmp, "tokens"), "--dead-letter", dead,
        "--url", f"http://127.0.0.1:{sink.server_address[1]}/push?integration_key=fault-secret",
        "--timeout", "1", "--max-attempts", "4", "--backoff-base", "0.05", "--backoff-cap", "0.5",
        "--max-elapsed", "8", "--concurrency", "32", "--drain-timeout", "2"], log)
    serve.start()

    accepted, stats, lock = set(), {}, threading.Lock()
    ids = list(range(a.bodies))
    threads = [threading.Thread(target=client, args=(port, token, ids[i::a.clients], template, accepted, stats, lock))
               for i in range(a.clients)]
    t0 = time.monotonic()
    for t in threads:
        t.start()
    kills = 0
    for fraction in (0.3, 0.6):  # SIGKILL twice in the middle, restart at once.
        while len(accepted) < a.bodies * fraction and time.monotonic() < DEADLINE - 40:
            time.sleep(0.02)
        rc = serve.kill(signal.SIGKILL)
        kills += 1
        print(f"killed serve (SIGKILL, rc {rc}) with {len(accepted)} accepted, "
              f"{len(spool_files(spool))} in the spool")
        time.sleep(0.3)
        serve.start()
    for t in threads:
        t.join(timeout=max(1, DEADLINE - 20 - time.monotonic()))
    posted = time.monotonic() - t0
    while spool_files(spool) and time.monotonic() < DEADLINE - 5:
        time.sleep(0.1)
    left = spool_files(spool)
    rc = serve.kill(signal.SIGTERM)
    log.close()
    sink.shutdown()

    dead_ids = {}
    if os.path.exists(dead):
        for line in open(dead, encoding="utf-8"):
            for m in ID.findall(line):
                dead_ids[m] = dead_ids.get(m, 0) + 1
                break
    lost = sorted((i for i in accepted if i not in sink.delivered and i not in dead_ids), key=int)
    duplicates = sum(c - 1 for c in sink.delivered.values() if c > 1)
    never = a.bodies - len(accepted)
    print(f"{a.bodies} bodies, {len(accepted)} acknowledged (2xx) in {posted:.1f} s, {kills} SIGKILLs; "
          f"client retries {stats}")
    print(f"sink answers {sink.answers}; delivered {len(sink.delivered)} distinct, {duplicates} duplicate deliveries; "
          f"dead-lettered {len(dead_ids)}; left in spool {len(left)}; serve's exit on SIGTERM {rc}")
    fails = []
    if lost:
        fails.append(f"{len(lost)} acknowledged bodies lost: {lost[:20]}")
    if never:
        fails.append(f"{never} bodies never acknowledged (the clients ran out of time)")
    if left:
        fails.append(f"{len(left)} files still in the spool")
    if rc != 0:
        fails.append(f"serve exited {rc} on SIGTERM")
    with open(os.path.join(tmp, "serve.log"), "rb") as f:
        logged = f.read()
    if token.encode() in logged or b"fault-secret" in logged:
        fails.append("a secret reached serve's log")
    for f in fails:
        print("FAIL: " + f)
    if not fails and not os.environ.get("KEEP"):
        subprocess.run(["rm", "-rf", tmp])
    else:
        print(f"kept {tmp}")
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
