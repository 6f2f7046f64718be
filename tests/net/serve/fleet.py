#!/usr/bin/env python3
"""A fleet of two `cmrelay serve` hosts acting as one through a shared Redis, behind HAProxy.

The real parts, each started by this test on loopback ports (never a system service): a
redis-server (no persistence), a receiver for the channels (in this script: it stamps each
request with the kernel's receive time), two serve processes on their own spools with
`--shared redis://... --fleet-size 2`, and HAProxy in front of them, health-checking /readyz.

  1. Burst and failover: 600 bodies through HAProxy toward one integration paced at
     `rate: [50/s]`, and serve A killed with SIGKILL mid-burst and started again on its
     spool. Every acknowledged body is delivered at least once (the duplicates are counted
     and printed), and the sink never sees more than 50 requests of the integration in any
     1-second interval, by the kernel's receive times: the limiter's margin (5% of the window
     plus 100 ms, man page "Pacing") keeps each 50 starts 1.15 s apart, which absorbs the
     jitter between a start in one host and its arrival here.
  2. A value-dependent route: the firing (current_value 96) lands on A and goes to channel
     hot; its recovery (current_value 41, which the route file sends to cold) lands on B and
     still reaches hot, the firing's channel, through the state in Redis. `alerts --shared`
     lists the open alert before the recovery and none after.
  3. A vendor retry: one body (one x-volc-trace-id) posted to A, then to B within the
     window, is delivered once.
  4. Redis stopped mid-run: both hosts stay up and say so once (log, /metrics, /readyz
     "ready, degraded"), every body is delivered, and each keeps to its share (25 per
     window), so the sink still sees at most 50 in any second. Redis started again: both
     say it once, /readyz is "ready", and the budget is the fleet's again (its window is
     back in Redis).

Bounded: every loop has a count and a deadline; the whole run is meant to take well under
two minutes. Usage: fleet.py CMRELAY_BINARY SOURCE_DIR
"""
import json
import os
import re
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

DEADLINE = time.monotonic() + 170
ID = re.compile(r"fleet-(\d+)-x")
RATE, WINDOW = 50, 1.0
failures = []


def check(what, ok, detail=""):
    print(("PASS: " if ok else "FAIL: ") + what + (f" ({detail})" if detail and not ok else ""))
    if not ok:
        failures.append(what)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_for(pred, seconds):
    end = min(time.monotonic() + seconds, DEADLINE)
    while time.monotonic() < end:
        if pred():
            return True
        time.sleep(0.05)
    return pred()


def fleet_duplicates(port):
    """serve's cmrelay_serve_duplicates_fleet_total (-1 when it cannot be read)."""
    _, metrics = http_get(port, "/metrics")
    m = re.search(r"^cmrelay_serve_duplicates_fleet_total (\d+)", metrics, re.M)
    return int(m.group(1)) if m else -1


def http_get(port, path):
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=2) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()
    except OSError:
        return 0, ""


def post(port, body, trace, attempts=200):
    """POSTs body as a cloud would: again after anything but a 2xx, until the deadline."""
    for _ in range(attempts):
        if time.monotonic() > DEADLINE - 20:
            return False
        req = urllib.request.Request(f"http://127.0.0.1:{port}/hook", data=body, method="POST",
                                     headers={"Content-Type": "application/json", "x-volc-trace-id": trace})
        try:
            with urllib.request.urlopen(req, timeout=5) as r:
                if 200 <= r.status < 300:
                    return True
        except (OSError, urllib.error.HTTPError):
            pass
        time.sleep(0.05)
    return False


class Receiver:
    """The channels' server: HTTP/1.1 on loopback, answering 200 at once, recording for each
    request the kernel's receive time of its first bytes (SO_TIMESTAMPNS), which is when a
    server counting a rate window counts it, whatever this process's own scheduling on a
    busy machine (an asyncio sink stamps a request only when it gets to it: hundreds of
    milliseconds late under load, which would squeeze two windows' requests into one)."""

    SO_TIMESTAMPNS = 35  # Linux; Python does not name it.

    def __init__(self):
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.setsockopt(socket.SOL_SOCKET, self.SO_TIMESTAMPNS, 1)  # Accepted sockets inherit it.
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(512)
        self.port = self.sock.getsockname()[1]
        self.lock = threading.Lock()
        self.requests = []
        self.stamped = 0  # Requests the kernel stamped (the rest: this process's clock).
        threading.Thread(target=self.accept, daemon=True).start()

    def accept(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self.serve, args=(conn,), daemon=True).start()

    def received(self):
        with self.lock:
            return list(self.requests)

    def serve(self, conn):
        buf, t = b"", None
        conn.settimeout(60)
        try:
            while True:
                data, anc, _, _ = conn.recvmsg(1 << 16, socket.CMSG_SPACE(16))
                if not data:
                    return
                if not buf:  # A request's first bytes: their arrival is its time.
                    t = time.time()
                    for level, kind, payload in anc:
                        if level == socket.SOL_SOCKET and kind == self.SO_TIMESTAMPNS and len(payload) >= 16:
                            sec, nsec = struct.unpack("qq", payload[:16])
                            t = sec + nsec / 1e9
                            with self.lock:
                                self.stamped += 1
                buf += data
                while b"\r\n\r\n" in buf:
                    head, rest = buf.split(b"\r\n\r\n", 1)
                    length = int(re.search(rb"(?i)content-length:\s*(\d+)", head).group(1))
                    if len(rest) < length:
                        break
                    body, buf = rest[:length], rest[length:]
                    target = head.split(b" ", 2)[1].decode()
                    event = json.loads(body)
                    with self.lock:
                        self.requests.append({"t": t, "path": target.split("?")[0], "step": "200",
                                              "event_status": event.get("event_status"),
                                              "alert_key": event.get("alert_key"), "body": body.decode()})
                    answer = b'{"request_id":"fleet","data":{}}'
                    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s"
                                 % (len(answer), answer))
        except (OSError, ValueError, AttributeError):
            return
        finally:
            conn.close()


class Procs:
    """Every process this test started, ended by its pid at the end."""

    def __init__(self):
        self.procs = []

    def start(self, cmd, log):
        p = subprocess.Popen(cmd, stdout=log, stderr=log)
        self.procs.append(p)
        return p

    def end(self):
        for p in self.procs:
            if p.poll() is None:
                p.kill()
                p.wait(timeout=10)


class Fleet:
    def __init__(self, binary, source, tmp, procs):
        self.tmp, self.procs, self.binary = tmp, procs, binary
        self.template = open(os.path.join(source, "samples/volcengine/metric-firing.json")).read()
        self.recovered = open(os.path.join(source, "samples/volcengine/metric-recovered.json")).read()
        self.redis_port = free_port()
        self.start_redis()
        self.receiver = Receiver()
        sink = f"http://127.0.0.1:{self.receiver.port}"
        with open(f"{tmp}/routes.yaml", "w") as f:
            f.write(f"""channels:
  paced: {{url: "{sink}/s/200/paced?integration_key=fleet-secret", rate: [{RATE}/s]}}
  hot:   {{url: "{sink}/s/200/hot?integration_key=hot-key"}}
  cold:  {{url: "{sink}/s/200/cold?integration_key=cold-key"}}
cases:
  - name: hot values
    if:
      - {{key: labels.rule_name, oper: IN, vals: ["value-*"]}}
      - {{key: labels.current_value, oper: IN, vals: ["num:ge:90"]}}
    channels: [hot]
  - name: other values
    if:
      - {{key: labels.rule_name, oper: IN, vals: ["value-*"]}}
    channels: [cold]
default:
  channels: [paced]
""")
        self.shared = f"redis://127.0.0.1:{self.redis_port}"
        self.ports = {"a": free_port(), "b": free_port()}
        self.serves = {}
        for name in self.ports:
            self.start_serve(name)
        self.lb = free_port()
        with open(f"{tmp}/haproxy.cfg", "w") as f:
            f.write(f"""global
  maxconn 512
defaults
  mode http
  timeout connect 1s
  timeout client 10s
  timeout server 10s
  retries 3
  option redispatch
frontend fleet
  bind 127.0.0.1:{self.lb}
  default_backend serves
backend serves
  balance roundrobin
  option httpchk GET /readyz
  http-check expect status 200
  server a 127.0.0.1:{self.ports['a']} check inter 200ms fall 1 rise 1
  server b 127.0.0.1:{self.ports['b']} check inter 200ms fall 1 rise 1
""")
        procs.start(["haproxy", "-db", "-f", f"{tmp}/haproxy.cfg"], open(f"{tmp}/haproxy.log", "wb"))
        if not wait_for(lambda: http_get(self.lb, "/readyz")[0] == 200, 10):
            raise SystemExit("FAIL: haproxy or serve did not start")

    def start_redis(self):
        self.redis = self.procs.start(
            ["redis-server", "--port", str(self.redis_port), "--bind", "127.0.0.1", "--save", "", "--appendonly",
             "no", "--dir", self.tmp], open(f"{self.tmp}/redis.log", "ab"))
        wait_for(lambda: self.redis_cli("PING") == "PONG", 10)

    def redis_cli(self, *args):
        r = subprocess.run(["redis-cli", "-p", str(self.redis_port), *args], capture_output=True, text=True,
                           timeout=10)
        return r.stdout.strip()

    def start_serve(self, name):
        port = self.ports[name]
        os.makedirs(f"{self.tmp}/{name}", exist_ok=True)
        self.serves[name] = self.procs.start(
            [self.binary, "serve", "--listen", f"127.0.0.1:{port}", "--spool", f"{self.tmp}/{name}/spool",
             "--no-auth", "--routes", f"{self.tmp}/routes.yaml", "--dead-letter", f"{self.tmp}/{name}.dead",
             "--shared", self.shared, "--fleet-size", "2", "--dedup-window", "60", "--timeout", "5",
             "--max-elapsed", "120", "--drain-timeout", "1"],
            open(f"{self.tmp}/{name}.log", "ab"))
        wait_for(lambda: http_get(port, "/readyz")[0] == 200, 10)

    def body(self, n, rule=None, current=None, recovered=False):
        doc = json.loads(self.recovered if recovered else self.template)
        doc["RuleName"] = rule or f"fleet-{n}-x"
        doc["RuleId"] = str(1000000 + n)
        if current is not None:
            key = "RecoveredResources" if recovered else "Resources"
            doc[key][0]["Metrics"][0]["CurrentValue"] = current
        return json.dumps(doc).encode()

    def sink(self):
        return self.receiver.received()

    def log(self, name):
        return open(f"{self.tmp}/{name}.log", errors="replace").read()


def delivered_ids(requests):
    ids = {}
    for r in requests:
        if r["path"].endswith("/paced") and r["step"] == "200":
            m = ID.search(r["body"])
            if m:
                ids[m.group(1)] = ids.get(m.group(1), 0) + 1
    return ids


def most_in_window(requests, path):
    times = sorted(r["t"] for r in requests if r["path"].endswith(path))
    most, i = 0, 0
    for j, t in enumerate(times):
        while t - times[i] >= WINDOW:
            i += 1
        most = max(most, j - i + 1)
    return most


def tightest(requests, path, n):
    """The shortest time in which n requests of path arrived (the pacing's real margin)."""
    times = sorted(r["t"] for r in requests if r["path"].endswith(path))
    return min((times[i + n - 1] - times[i] for i in range(len(times) - n + 1)), default=float("inf"))


def burst(fleet, ids, kill_at=None):
    """Posts ids through HAProxy from 6 clients; SIGKILLs serve A (and restarts it) once
    kill_at of them are acknowledged. Returns the acknowledged ids."""
    accepted, lock = set(), threading.Lock()

    def client(part):
        for n in part:
            if post(fleet.lb, fleet.body(n), f"trace-{n}"):
                with lock:
                    accepted.add(str(n))

    threads = [threading.Thread(target=client, args=(ids[i::6],)) for i in range(6)]
    for t in threads:
        t.start()
    if kill_at is not None:
        wait_for(lambda: len(accepted) >= kill_at, 60)
        with lock:
            at = len(accepted)
        fleet.serves["a"].send_signal(signal.SIGKILL)
        fleet.serves["a"].wait(timeout=10)
        spooled = len([f for f in os.listdir(f"{fleet.tmp}/a/spool") if not f.startswith(".")])
        print(f"killed serve A (SIGKILL) with {at} accepted, {spooled} in its spool")
        time.sleep(0.3)
        fleet.start_serve("a")
    for t in threads:
        t.join(max(1, DEADLINE - time.monotonic()))
    return accepted


def main():
    binary, source = sys.argv[1], sys.argv[2]
    tmp = tempfile.mkdtemp(prefix="cmrelay-fleet-")
    procs = Procs()
    t0 = time.monotonic()
    try:
        fleet = Fleet(binary, source, tmp, procs)

        # 1. Burst and failover.
        ids = list(range(600))
        accepted = burst(fleet, ids, kill_at=300)
        check("burst: all 600 bodies acknowledged", len(accepted) == 600, f"{len(accepted)}")
        wait_for(lambda: set(accepted) <= set(delivered_ids(fleet.sink())), 60)
        got = delivered_ids(fleet.sink())
        lost = set(accepted) - set(got)
        dups = sum(n - 1 for n in got.values())
        print(f"burst: {len(got)} delivered, {dups} delivered twice or more (at least once after a kill)")
        check("burst: every acknowledged body delivered at least once", not lost, f"{len(lost)} lost")
        most = most_in_window(fleet.sink(), "/paced")
        print(f"burst: at most {most} requests of the integration in any {WINDOW:g} s (budget {RATE}/s); "
              f"{RATE + 1} of them took at least {tightest(fleet.sink(), '/paced', RATE + 1):.3f} s")
        check(f"burst: the receiver never sees more than {RATE} in any second", most <= RATE, f"{most}")
        check("burst: serve A restarted delivers from its spool",
              wait_for(lambda: not [f for f in os.listdir(f"{tmp}/a/spool") if not f.startswith(".")], 30))

        # 2. A value-dependent route: firing on A, recovery on B.
        pair = 900000  # Its own alert_key (the rule id), apart from the burst's open alerts.
        check("firing posted to A", post(fleet.ports["a"], fleet.body(pair, rule="value-pair", current=96), "v-f"))
        wait_for(lambda: any(r["path"].endswith("/hot") for r in fleet.sink()), 20)
        listed = subprocess.run([binary, "alerts", "--shared", fleet.shared, "--format", "ndjson"],
                                capture_output=True, text=True, timeout=20)
        pair_alerts = [a for a in map(json.loads, listed.stdout.splitlines()) if f"/{1000000 + pair}/" in a["alert_key"]]
        print(f"alerts --shared: {len(listed.stdout.splitlines())} open alerts in the fleet")
        check("alerts --shared lists the open alert at hot, fleet-wide",
              listed.returncode == 0 and [a["channels"] for a in pair_alerts] == [["hot"]], listed.stderr)
        check("recovery posted to B",
              post(fleet.ports["b"], fleet.body(pair, rule="value-pair", current=41, recovered=True), "v-r"))
        ok = wait_for(lambda: any(r["path"].endswith("/hot") and r["event_status"] == "Ok" for r in fleet.sink()), 20)
        check("the recovery on B reaches hot, the firing's channel", ok)
        check("... and cold, where its own route points",  # Its own delivery: it may land after hot's.
              wait_for(lambda: any(r["path"].endswith("/cold") and r["event_status"] == "Ok" for r in fleet.sink()),
                       10))
        check("the alert is closed after the recovery (alerts --shared no longer lists it)",
              wait_for(lambda: f"/{1000000 + pair}/" not in subprocess.run(
                  [binary, "alerts", "--shared", fleet.shared, "--format", "ndjson"], capture_output=True, text=True,
                  timeout=20).stdout, 10))

        # 3. A vendor retry: the same body to A, then to B, within the window.
        retry = fleet.body(5000)
        # B may already count fleet duplicates from the burst (a body A stored but died before
        # answering, sent again through HAProxy to B): the retry must add exactly one.
        before = fleet_duplicates(fleet.ports["b"])
        check("vendor body posted to A", post(fleet.ports["a"], retry, "retry-trace"))
        wait_for(lambda: delivered_ids(fleet.sink()).get("5000", 0) >= 1, 20)
        check("vendor retry posted to B", post(fleet.ports["b"], retry, "retry-trace"))
        seen = wait_for(lambda: "seen=fleet" in fleet.log("b"), 20)
        check("B recognised the retry through Redis", seen)
        time.sleep(0.5)
        check("the vendor retry is delivered once", delivered_ids(fleet.sink()).get("5000", 0) == 1,
              str(delivered_ids(fleet.sink()).get("5000")))
        after = fleet_duplicates(fleet.ports["b"])
        check("B counts it (cmrelay_serve_duplicates_fleet_total one more)", after == before + 1,
              f"{before} before, {after} after")

        # 4. Redis stopped mid-run, then started again.
        before = len(fleet.sink())
        fleet.redis.send_signal(signal.SIGKILL)
        fleet.redis.wait(timeout=10)
        degraded = wait_for(lambda: all("degraded" in http_get(p, "/readyz")[1] for p in fleet.ports.values()), 10)
        check("redis down: /readyz on both hosts says ready, degraded (200)",
              degraded and all(http_get(p, "/readyz")[0] == 200 for p in fleet.ports.values()))
        check("redis down: /metrics shows cmrelay_serve_shared_up 0",
              all(re.search(r"cmrelay_serve_shared_up\{[^}]*\} 0", http_get(p, "/metrics")[1])
                  for p in fleet.ports.values()))
        down_ids = list(range(1000, 1150))
        accepted = burst(fleet, down_ids)
        check("redis down: all 150 bodies acknowledged", len(accepted) == 150, f"{len(accepted)}")
        wait_for(lambda: set(accepted) <= set(delivered_ids(fleet.sink())), 30)
        check("redis down: every body delivered", set(accepted) <= set(delivered_ids(fleet.sink())))
        check("redis down: both serve processes still up",
              all(p.poll() is None for p in fleet.serves.values()))
        outage = fleet.sink()[before:]
        most = most_in_window(outage, "/paced")
        print(f"redis down: at most {most} in any {WINDOW:g} s (each host at 1/2 of {RATE}/s)")
        check(f"redis down: the local shares hold the budget (<= {RATE} in any second)", most <= RATE, f"{most}")
        for name in fleet.ports:
            check(f"redis down: {name} logged the outage once", fleet.log(name).count("outcome=degraded") == 1)

        fleet.start_redis()
        back = wait_for(lambda: all(http_get(p, "/readyz")[1] == "ready\n" for p in fleet.ports.values()), 10)
        check("redis back: /readyz on both hosts says ready", back)
        for name in fleet.ports:
            check(f"redis back: {name} logged its end once", fleet.log(name).count("outcome=restored") == 1)
        more = burst(fleet, list(range(2000, 2100)))
        wait_for(lambda: set(more) <= set(delivered_ids(fleet.sink())), 30)
        check("redis back: every body delivered", len(more) == 100 and set(more) <= set(delivered_ids(fleet.sink())))
        check("redis back: the budget is the fleet's again (its window is in Redis)",
              fleet.redis_cli("--scan", "--pattern", "cmrelay:rate:*") != "")
        most = most_in_window(fleet.sink(), "/paced")
        check(f"whole run: never more than {RATE} in any second", most <= RATE, f"{most}")
        print(f"receiver: {fleet.receiver.stamped} of {len(fleet.sink())} requests stamped by the kernel")
        dead = sum(os.path.getsize(f"{tmp}/{n}.dead") for n in fleet.ports if os.path.exists(f"{tmp}/{n}.dead"))
        check("nothing dead-lettered", dead == 0, f"{dead} bytes")
    finally:
        procs.end()
    print(f"fleet: {time.monotonic() - t0:.1f} s")
    if failures:
        for name in ("a", "b"):
            path = f"{tmp}/{name}.log"
            if os.path.exists(path):
                print(f"--- last lines of serve {name}'s log")
                print("".join(open(path, errors="replace").readlines()[-15:]))
        print(f"fleet: {len(failures)} failed (logs kept in {tmp})")
        sys.exit(1)
    subprocess.run(["rm", "-rf", tmp])
    print("fleet: all passed")


if __name__ == "__main__":
    main()
