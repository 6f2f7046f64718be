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
A POST to /t/KIND/STEP,STEP,... answers as that target kind's documentation says (steps counted
per path; the last repeats). KIND is pagerduty, dingtalk, feishu, wecom, slack or webhook; steps:
  ok        success (PagerDuty 202; DingTalk, WeCom errcode 0; Feishu code 0; Slack "ok"; webhook 200)
  limit     the kind's rate limit (PagerDuty 429; DingTalk 200 errcode 130101; Feishu 200 code 9499;
            WeCom 200 errcode 45009; Slack and webhook 429 with Retry-After: 1)
  refuse    another refusal (PagerDuty 400 invalid event; DingTalk 200 errcode 300001; Feishu 200
            code 19001; WeCom 200 errcode 93000; Slack 404 no_service; webhook 400)
  CODE      that HTTP status with an empty body
With --secret S, DingTalk's query timestamp/sign and Feishu's body timestamp/sign are checked
(HMAC-SHA256 as each documents; a timestamp more than an hour off fails too): a request that
does not verify is answered DingTalk's 310000 "sign not match" or Feishu's 19021 (step
"badsign" in the log). --limit applies to /t/dingtalk per access_token, answered 130101.
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
(names in lower case), conn (the client's port: one per connection), body; and for /t/ paths
the query.
"""
import argparse
import base64
from collections import deque
import asyncio
import email.utils
import hashlib
import hmac
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


def signed(kind, query, event, now):
    """True when a DingTalk or Feishu request carries a valid signature of --secret."""
    secret = args.secret.encode()
    if kind == "dingtalk":
        q = urllib.parse.parse_qs(query)
        ts, sign = q.get("timestamp", [""])[0], q.get("sign", [""])[0]
        if not ts.isdigit() or abs(int(ts) / 1000 - now) > 3600:
            return False
        want = base64.b64encode(hmac.new(secret, f"{ts}\n{args.secret}".encode(), hashlib.sha256).digest())
        return hmac.compare_digest(sign.encode(), want)
    ts, sign = str(event.get("timestamp", "")), str(event.get("sign", ""))
    if not ts.isdigit() or abs(int(ts) - now) > 3600:
        return False
    want = base64.b64encode(hmac.new(f"{ts}\n{args.secret}".encode(), b"", hashlib.sha256).digest())
    return hmac.compare_digest(sign.encode(), want)


TARGET_ANSWERS = {  # kind -> step -> (status, body, extra headers)
    "pagerduty": {
        "ok": (202, {"status": "success", "message": "Event processed", "dedup_key": None}, ""),
        "limit": (429, {"status": "throttle event", "message": "Requests for this service are arriving too quickly."
                        " Please retry later."}, ""),
        "refuse": (400, {"status": "invalid event", "message": "Event object is invalid",
                         "errors": ["'payload.severity' is invalid"]}, ""),
    },
    "dingtalk": {
        "ok": (200, {"errcode": 0, "errmsg": "ok"}, ""),
        "limit": (200, {"errcode": 130101, "errmsg": "send too fast, exceed 20 times per minute"}, ""),
        "refuse": (200, {"errcode": 300001, "errmsg": "token is not exist"}, ""),
        "badsign": (200, {"errcode": 310000, "errmsg": "sign not match"}, ""),
    },
    "feishu": {
        "ok": (200, {"StatusCode": 0, "StatusMessage": "success", "code": 0, "data": {}, "msg": "success"}, ""),
        "limit": (200, {"code": 9499, "msg": "too many request", "data": {}}, ""),
        "refuse": (200, {"code": 19001, "msg": "param invalid: incoming webhook access token invalid", "data": {}}, ""),
        "badsign": (200, {"code": 19021, "msg": "sign match fail or timestamp is not within one hour from current time",
                          "data": {}}, ""),
    },
    "wecom": {
        "ok": (200, {"errcode": 0, "errmsg": "ok"}, ""),
        "limit": (200, {"errcode": 45009, "errmsg": "api freq out of limit"}, ""),
        "refuse": (200, {"errcode": 93000, "errmsg": "invalid webhook url"}, ""),
    },
    "slack": {
        "ok": (200, "ok", ""),
        "limit": (429, "rate_limited", "Retry-After: 1\r\n"),
        "refuse": (404, "no_service", ""),
    },
    "webhook": {
        "ok": (200, {}, ""),
        "limit": (429, {"error": "slow down"}, "Retry-After: 1\r\n"),
        "refuse": (400, {"error": "bad request"}, ""),
    },
}


def target_answer(kind, step, query, event, now):
    """(bytes to send, the step logged, retry_at) for a request to /t/KIND/..."""
    answers = TARGET_ANSWERS.get(kind, TARGET_ANSWERS["webhook"])
    if args.secret and kind in ("dingtalk", "feishu") and not signed(kind, query, event, now):
        step = "badsign"
    if kind == "dingtalk" and limits and over_limit(urllib.parse.parse_qs(query).get("access_token", [""])[0], now):
        step = "429limit"
        status, body, extra = answers["limit"]
    elif step in answers:
        status, body, extra = answers[step]
    elif step.isdigit():
        status, body, extra = int(step), "", ""
    else:
        status, body, extra = 400, f"unknown step {step}", ""
    text = body.encode() if isinstance(body, str) else json.dumps(body).encode()
    retry_at = now + 1 if "Retry-After" in extra else None
    return response(status, text, extra), step, retry_at


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
        if path.startswith("/t/"):
            try:
                event = json.loads(body)
            except ValueError:
                event = {}
            self.target(path, query, headers, body, event, now)
            return
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


    def target(self, path, query, headers, body, event, now):
        kind = path.split("/")[2]
        n = counts[(path, "")] = counts.get((path, ""), 0) + 1
        steps = (path.split("/") + [""])[3].split(",")
        out, step, retry_at = target_answer(kind, steps[min(n, len(steps)) - 1], query,
                                            event if isinstance(event, dict) else {}, now)
        if log:
            log.write(json.dumps({"t": now, "path": path, "alert_key": "", "n": n, "step": step,
                                  "retry_at": retry_at, "content_type": headers.get("content-type"),
                                  "headers": headers, "conn": self.peer, "query": query,
                                  "body": body.decode("utf-8", "replace")}) + "\n")
            log.flush()
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
    p.add_argument("--secret", default="", help="check DingTalk's and Feishu's signatures made with this secret")
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
