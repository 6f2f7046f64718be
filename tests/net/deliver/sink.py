#!/usr/bin/env python3
"""A loopback HTTP/1.1 sink for cmrelay send's tests and benchmark.

Binds 127.0.0.1 only, on a free port written to --port-file, and stops by itself after
--max-seconds or --max-requests. Keep-alive, asyncio, no threads.

A POST to /s/STEP,STEP,...[/MORE/PATH] answers with the steps in order, counted per (path, alert_key)
of the body; the last step repeats. Steps:
  200       200 {"request_id":..,"data":{"alert_key":..}}
  200e      200 with an "error" member (Flashduty's failure body)
  400       400 {"error":{"code":"InvalidParameter",..}}
  401k      401 whose message echoes the request's integration_key (must be redacted)
  401h      401 whose message echoes the Authorization and X-Api-Key headers (must be masked)
  401u      401 whose message echoes the request target, path and query (must be redacted)
  400x      400 whose code and message hold ESC, BEL and CR LF with a forged "cmrelay:" line
  429sN     429 with Retry-After: N (seconds)
  503dN     503 with Retry-After: an HTTP-date N seconds ahead
  CODE      any other status (500, 501, 408...) with an empty JSON body
  hangN     no answer; the connection is closed after N seconds
  reset     the connection is reset (RST)
  302       302 with Location: the same URL on another path (never to be followed)
Any other path answers 200 (the benchmark's fast path). --tls serves HTTPS instead, with
the self-signed test certificate beside this script. Every JSON answer carries a distinct
request_id, "sink-N" (N counts requests).

--limit N/SECONDS[,N/SECONDS...] enforces Flashduty's rate limits the strict way: per
integration_key, a request that would make more than N accepted requests in any SECONDS-long
interval (sliding) is answered 429 RequestTooFrequently WITHOUT Retry-After (step "429limit"
in the log), before its path is looked at.

With --log FILE, every request is one JSON line: t (receive time, epoch seconds), method, path,
alert_key, event_status, n (1-based count for its path and key), step, retry_at (when a
Retry-After was sent: the earliest time the client may come back), content_type, headers
(names in lower case), conn (the client's port: one per connection), body.
"""
import argparse
from collections import deque
import asyncio
import email.utils
import json
import math
import os
import socket
import struct
import sys
import time
import urllib.parse

counts = {}
accepted = {}  # (integration_key, window index) -> deque of accept times, for --limit
limits = []
served = 0
log = None
args = None

REASONS = {200: "OK", 400: "Bad Request", 401: "Unauthorized", 408: "Request Timeout",
           429: "Too Many Requests", 500: "Internal Server Error", 501: "Not Implemented",
           503: "Service Unavailable"}


def response(status, body=b"{}", extra=""):
    reason = REASONS.get(status, "Status")
    return (f"HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n{extra}\r\n").encode() + body


FAST = response(200, b'{"request_id":"fast","data":{}}')


def error_body(code, message):
    return json.dumps({"request_id": f"sink-{served}", "error": {"code": code, "message": message}}).encode()


def over_limit(ikey, now):
    """True when one more request of ikey would pass a --limit window; else counts it."""
    for i, (n, seconds) in enumerate(limits):
        q = accepted.setdefault((ikey, i), deque())
        while q and q[0] <= now - seconds:
            q.popleft()
        if len(q) >= n:
            return True
    for i in range(len(limits)):
        accepted[(ikey, i)].append(now)
    return False


class Conn(asyncio.Protocol):
    def connection_made(self, transport):
        self.t = transport
        self.peer = transport.get_extra_info("peername")[1]
        self.buf = b""
        self.dead = False

    def data_received(self, data):
        self.buf += data
        while not self.dead:
            head_end = self.buf.find(b"\r\n\r\n")
            if head_end < 0:
                return
            lines = self.buf[:head_end].decode("latin-1").split("\r\n")
            headers = {}
            for line in lines[1:]:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
            length = int(headers.get("content-length", "0"))
            if len(self.buf) < head_end + 4 + length:
                return
            body = self.buf[head_end + 4:head_end + 4 + length]
            self.buf = self.buf[head_end + 4 + length:]
            parts = lines[0].split(" ")
            self.handle(parts[1] if len(parts) > 1 else "/", headers, body, parts[0])

    def handle(self, target, headers, body, method="POST"):
        global served
        served += 1
        if served >= args.max_requests:
            asyncio.get_running_loop().call_soon(asyncio.get_running_loop().stop)
        path, _, query = target.partition("?")
        now = time.time()
        if not path.startswith("/s/") and not limits:
            self.t.write(FAST)
            return
        try:
            event = json.loads(body)
        except ValueError:
            event = {}
        key = event.get("alert_key", "") if isinstance(event, dict) else ""
        if limits and over_limit(urllib.parse.parse_qs(query).get("integration_key", [""])[0], now):
            self.t.write(response(429, error_body("RequestTooFrequently", "request too frequently")))
            if log:
                log.write(json.dumps({"t": now, "path": path, "step": "429limit", "alert_key": key,
                                      "n": 0, "retry_at": None}) + "\n")
            return
        if not path.startswith("/s/"):
            self.t.write(FAST)
            return
        n = counts[(path, key)] = counts.get((path, key), 0) + 1
        steps = path[3:].split("/")[0].split(",")  # /s/401u/hooks/T/X: the steps end at the next '/'.
        step = steps[min(n, len(steps)) - 1]
        retry_at = None
        if step == "200":
            out = response(200, json.dumps({"request_id": f"sink-{served}", "data": {"alert_key": key}}).encode())
        elif step == "200e":
            out = response(200, error_body("InvalidParameter", "title_rule is required"))
        elif step == "400":
            out = response(400, error_body("InvalidParameter", "event_status is invalid"))
        elif step == "401k":
            ikey = urllib.parse.parse_qs(query).get("integration_key", [""])[0]
            out = response(401, error_body("Unauthorized", f"integration_key {ikey} is unknown"))
        elif step == "401h":
            echoed = f"authorization {headers.get('authorization')} x-api-key {headers.get('x-api-key')}"
            out = response(401, error_body("Unauthorized", echoed))
        elif step == "401u":
            out = response(401, error_body("Unauthorized", f"no hook at {target}"))
        elif step == "400x":
            out = response(400, error_body("Bad\x1b[31m", "bad\x07\r\ncmrelay: send: all delivered"))
        elif step.startswith("429s"):
            retry_at = now + int(step[4:])
            out = response(429, error_body("RequestTooFrequently", "slow down"), f"Retry-After: {step[4:]}\r\n")
        elif step.startswith("503d"):
            retry_at = math.ceil(now) + int(step[4:])
            date = email.utils.formatdate(retry_at, usegmt=True)
            out = response(503, b"{}", f"Retry-After: {date}\r\n")
        elif step == "302":
            out = response(302, b"{}", f"Location: http://127.0.0.1:1{path}?{query}\r\n")
        elif step.startswith("hang"):
            out = None
            self.dead = True
            asyncio.get_running_loop().call_later(min(float(step[4:]), 30), self.t.close)
        elif step == "reset":
            out = None
            self.dead = True
            sock = self.t.get_extra_info("socket")
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.t.abort()
        else:
            out = response(int(step))
        if log:
            log.write(json.dumps({"t": now, "method": method, "path": path, "alert_key": key,
                                  "event_status": event.get("event_status") if isinstance(event, dict) else None,
                                  "n": n, "step": step, "retry_at": retry_at,
                                  "content_type": headers.get("content-type"), "headers": headers, "conn": self.peer,
                                  "body": body.decode("utf-8", "replace")}) + "\n")
            log.flush()
        if out is not None:
            self.t.write(out)


async def main():
    loop = asyncio.get_running_loop()
    tls = None
    if args.tls:
        import ssl
        here = os.path.dirname(os.path.abspath(__file__))
        tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls.load_cert_chain(os.path.join(here, "tls-cert.pem"), os.path.join(here, "tls-key.pem"))
    server = await loop.create_server(Conn, "127.0.0.1", 0, backlog=512, ssl=tls)
    port = server.sockets[0].getsockname()[1]
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(f"{port}\n")
    os.rename(tmp, args.port_file)
    await asyncio.sleep(args.max_seconds)


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("--port-file", required=True)
    p.add_argument("--log")
    p.add_argument("--max-seconds", type=float, default=120)
    p.add_argument("--max-requests", type=int, default=100000)
    p.add_argument("--limit", default="", help="N/SECONDS,...: per integration_key, 429 without Retry-After beyond")
    p.add_argument("--tls", action="store_true",
                   help="serve HTTPS with tls-cert.pem (self-signed, for 127.0.0.1 and localhost, test only)")
    args = p.parse_args()
    limits = [(int(n), float(sec)) for n, sec in (w.split("/") for w in args.limit.split(",") if w)]
    if args.log:
        log = open(args.log, "a")
    try:
        asyncio.run(main())
    except RuntimeError:
        pass  # Stopped by --max-requests.
    print(f"sink: {served} requests", file=sys.stderr)
