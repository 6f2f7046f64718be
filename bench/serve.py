#!/usr/bin/env python3
"""Benchmark (not a test) of `cmrelay serve`'s durable receive path.

For 1, 16 and 64 concurrent keep-alive clients, POSTs the same Volcengine body REQUESTS
times to `cmrelay serve` (spool on the same disk as the reference's files, delivering to the
loopback sink) and to bench/fsync_receiver.py (Python http.server, write + fsync + rename +
directory fsync), side by side, and prints requests per second, p50/p99 latency, and the
CPU per request of the receiver, the sink and the load (this process). The same body each
time is a vendor retry to serve, delivered once: the receive path is measured; with
--distinct each body differs, and serve delivers every one to the sink meanwhile. The
flush cost is shown separately, from serve's own cmrelay_serve_fsync_seconds and
cmrelay_serve_store_seconds histograms, with the mean group-commit batch (requests per
flush, cmrelay_serve_commit_batch_size) where the binary has it. Several BINs (say a build
before and after a change) run side by side in the same run, on the same disk.

Usage: bench/serve.py [BIN...] [--requests N] [--clients 1,16,64] [--dir DIR] [--distinct]
"""
import argparse
import asyncio
import itertools
import multiprocessing
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))


def wait_file(path, proc, seconds=10):
    end = time.time() + seconds
    while time.time() < end:
        if os.path.exists(path) and os.path.getsize(path) > 0:
            return open(path).read().strip()
        if proc.poll() is not None:
            raise SystemExit(f"{proc.args[0]} exited {proc.returncode}")
        time.sleep(0.05)
    raise SystemExit(f"{path} never appeared")


# --distinct: each request's body differs (its rule name, same length), so that serve
# delivers every one to the sink; by default the same body each time, which serve takes for
# a vendor's retry of the first (delivered once), so only the receive path is measured.
DISTINCT = "--distinct" in sys.argv
RULE = b'"prod-ecs-cpu"'
LOAD_PROCS = 1
LOAD = "asyncio"
RUNS = itertools.count()


async def one_client(port, path, body, count, latencies, serial):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    top = (f"POST {path} HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\n"
           f"Content-Length: {len(body)}\r\n\r\n").encode()
    request = top + body
    for _ in range(count):
        if DISTINCT:  # 12 characters, as the name it replaces: unique per process and request.
            request = top + body.replace(RULE, b'"%06d%06d"' % (os.getpid() % 10**6, next(serial) % 10**6), 1)
        t0 = time.perf_counter()
        writer.write(request)
        head = await reader.readuntil(b"\r\n\r\n")
        if not head.startswith(b"HTTP/1.1 200"):
            raise SystemExit(f"unexpected answer: {head[:40]!r}")
        length = int(re.search(rb"(?i)content-length: *(\d+)", head).group(1))
        await reader.readexactly(length)
        latencies.append(time.perf_counter() - t0)
    writer.close()


def load_part(port, path, body, clients, per, out):
    """One load process: clients connections, per requests each; its latencies to out."""
    latencies, serial = [], itertools.count()
    async def run():
        await asyncio.gather(*(one_client(port, path, body, per, latencies, serial) for _ in range(clients)))
    asyncio.run(run())
    out.put(latencies)


WRK_SCRIPT = r"""
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local f = assert(io.open(os.getenv("BENCH_BODY"), "rb"))
wrk.body = f:read("*a")
f:close()
local distinct = os.getenv("BENCH_DISTINCT") == "1"
local run = tonumber(os.getenv("BENCH_RUN"))
local threads, n = 0, 0
function setup(thread) threads = threads + 1; thread:set("id", threads) end
function request()
  if not distinct then return wrk.request() end
  n = n + 1  -- 12 characters, as the name it replaces: unique per run, thread and request.
  local b = wrk.body:gsub('"prod%-ecs%-cpu"', string.format('"%02d%02d%08d"', run % 100, id % 100, n % 100000000), 1)
  return wrk.format(nil, nil, nil, b)
end
"""


def load_wrk(port, path, body, clients, total):
    """The same load from wrk (a C load generator, one thread per core): it runs for the time
    the asyncio load would take at 10,000 requests a second at least (wrk counts time, not
    requests)."""
    tmp = tempfile.mkdtemp(prefix="cmrelay-bench-wrk-")
    try:
        with open(f"{tmp}/post.lua", "w") as f:
            f.write(WRK_SCRIPT)
        with open(f"{tmp}/body", "wb") as f:
            f.write(body)
        env = dict(os.environ, BENCH_BODY=f"{tmp}/body", BENCH_DISTINCT="1" if DISTINCT else "0",
                   BENCH_RUN=str(next(RUNS)))
        seconds = max(2, round(total / 10000))
        out = subprocess.run(["wrk", f"-t{min(clients, LOAD_PROCS)}", f"-c{clients}", f"-d{seconds}s", "--latency",
                              "-s", f"{tmp}/post.lua", f"http://127.0.0.1:{port}{path}"],
                             env=env, capture_output=True, text=True, check=True).stdout
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if "Non-2xx" in out or "Socket errors" in out and re.search(r"(connect|read|write|timeout) [1-9]", out):
        raise SystemExit(f"wrk saw failures:\n{out}")
    ms = lambda v, unit: float(v) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
    p50 = ms(*re.search(r"^\s+50%\s+([\d.]+)(us|ms|s)$", out, re.M).groups())
    p99 = ms(*re.search(r"^\s+99%\s+([\d.]+)(us|ms|s)$", out, re.M).groups())
    rate = float(re.search(r"^Requests/sec:\s+([\d.]+)", out, re.M).group(1))
    count = int(re.search(r"^\s+(\d+) requests in", out, re.M).group(1))
    return rate, p50, p99, count


def load(port, path, body, clients, total):
    if LOAD == "wrk":
        return load_wrk(port, path, body, clients, total)
    """total requests from clients keep-alive connections, spread over one asyncio process
    per core (one process alone saturates a core before a fast receiver does); the rate,
    and the p50 and p99 latency in ms."""
    procs = min(clients, LOAD_PROCS)
    per = max(1, total // clients)
    out = multiprocessing.Queue()
    parts = [multiprocessing.Process(target=load_part, args=(port, path, body, clients // procs + (i < clients % procs), per, out))
             for i in range(procs)]
    t0 = time.perf_counter()
    for p in parts:
        p.start()
    latencies = [x for _ in parts for x in out.get()]
    took = time.perf_counter() - t0
    for p in parts:
        p.join()
        if p.exitcode != 0:
            raise SystemExit(f"a load process failed (exit {p.exitcode})")
    latencies.sort()
    pick = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000
    return len(latencies) / took, pick(0.50), pick(0.99), len(latencies)


def metric_sum(port, name):
    """The histogram's sum and count; (0, 0) when the binary has no such metric."""
    text = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics").read().decode()
    s = re.search(rf"^{name}_sum (\S+)$", text, re.M)
    c = re.search(rf"^{name}_count (\S+)$", text, re.M)
    return (float(s.group(1)), float(c.group(1))) if s and c else (0.0, 0.0)


def cpu_seconds(pid=None):
    """User + system CPU seconds of a process so far (this one when pid is None)."""
    if pid is None:  # This process and its load processes, once ended.
        t = os.times()
        return t.user + t.system + t.children_user + t.children_system
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def start_serve(binary, tmp, n, sink_port, more):
    log_path = f"{tmp}/serve{n}.log"
    os.mkdir(f"{tmp}/spool{n}")  # Each its own spool, and its own rejected/ beside it.
    log = open(log_path, "w")
    serve = subprocess.Popen([binary, "serve", "--listen", "127.0.0.1:0", "--spool", f"{tmp}/spool{n}/spool",
                              "--token-file", f"{tmp}/tokens", "--url", f"http://127.0.0.1:{sink_port}/fast",
                              "--dead-letter", f"{tmp}/dead{n}", "--spool-max-files", "1000000",
                              "--max-connections-per-ip", "256", "--dedup-window", "0"] + more,
                             stderr=log)
    end = time.time() + 10
    while time.time() < end:
        m = re.search(r" port=(\d+)", open(log_path).read())
        if m:
            return serve, m.group(1)
        if serve.poll() is not None:
            break
        time.sleep(0.05)
    raise SystemExit(f"{binary} serve did not start: {open(log_path).read().strip()}")


def measured(pids, run):
    """run()'s (rate, p50, p99) and the CPU it cost per request, in milliseconds, of each
    pid (the receiver, the sink) and of this process with its children (the load), as "R/S/L"."""
    before = [cpu_seconds(p) for p in pids] + [cpu_seconds()]
    rate, p50, p99, count = run()
    after = [cpu_seconds(p) for p in pids] + [cpu_seconds()]
    cpu = "/".join(f"{(b - a) / max(1, count) * 1000:.3f}" for a, b in zip(before, after))
    return rate, p50, p99, cpu


def wait_drained(port, seconds=120):
    """Until serve's spool is empty: its relay's work on one run must not load the next."""
    end = time.time() + seconds
    while time.time() < end:
        text = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics").read().decode()
        m = re.search(r"^cmrelay_serve_spool_files (\S+)$", text, re.M)
        if m is None or float(m.group(1)) == 0:
            return
        time.sleep(0.1)


def run_serve(port, pids, body, clients, total):
    s0, c0 = metric_sum(port, "cmrelay_serve_fsync_seconds")
    t0, _ = metric_sum(port, "cmrelay_serve_store_seconds")
    b0, f0 = metric_sum(port, "cmrelay_serve_commit_batch_size")
    def run():  # The CPU counted includes the relay's work left when the load ends.
        result = load(int(port), "/hook/bench-token", body, clients, total)
        wait_drained(port)
        return result
    rate, p50, p99, cpu = measured(pids, run)
    s1, c1 = metric_sum(port, "cmrelay_serve_fsync_seconds")
    t1, _ = metric_sum(port, "cmrelay_serve_store_seconds")
    b1, f1 = metric_sum(port, "cmrelay_serve_commit_batch_size")
    fsync_ms = (s1 - s0) / max(1, c1 - c0) * 1000
    share = (s1 - s0) / max(1e-9, t1 - t0)
    batch = f", batch {(b1 - b0) / (f1 - f0):.1f}" if f1 > f0 else ""
    return rate, p50, p99, cpu, f"{fsync_ms:.2f} ({share:.0%} of the store time{batch})"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("bins", nargs="*", default=[os.path.join(HERE, "..", "build", "cmrelay")])
    ap.add_argument("--requests", type=int, default=2000)
    ap.add_argument("--clients", default="1,16,64", help="comma-separated client counts")
    ap.add_argument("--serve-args", dest="serve_args", type=str.split, default=[], help="more serve options")
    ap.add_argument("--dir", default=None, help="where the spools go (default: a temporary directory)")
    ap.add_argument("--distinct", action="store_true", help="a different body each request: every one delivered")
    ap.add_argument("--load-procs", type=int, default=os.cpu_count(), help="load processes (default: one per core)")
    ap.add_argument("--load", choices=["wrk", "asyncio"], default="wrk" if shutil.which("wrk") else "asyncio",
                    help="the load generator: wrk (when installed: the default) or Python asyncio")
    a = ap.parse_args()
    global LOAD_PROCS, LOAD
    LOAD_PROCS = max(1, a.load_procs)
    LOAD = a.load
    body = open(os.path.join(HERE, "..", "samples", "volcengine", "metric-firing.json"), "rb").read()
    tmp = tempfile.mkdtemp(prefix="cmrelay-bench-serve-", dir=a.dir)
    procs = []
    try:
        sink = subprocess.Popen([sys.executable, os.path.join(HERE, "..", "tests", "net", "deliver", "sink.py"),
                                 "--port-file", f"{tmp}/sink.port", "--max-seconds", "600"])
        procs.append(sink)
        sink_port = wait_file(f"{tmp}/sink.port", sink)
        with open(f"{tmp}/tokens", "w") as f:
            f.write("bench-token\n")
        serves = []
        for n, binary in enumerate(a.bins):
            proc, port = start_serve(binary, tmp, n, sink_port, a.serve_args)
            procs.append(proc)
            serves.append((binary if len(a.bins) > 1 else "cmrelay serve", port, proc.pid))
        os.mkdir(f"{tmp}/py")
        py = subprocess.Popen([sys.executable, os.path.join(HERE, "fsync_receiver.py"), f"{tmp}/py", f"{tmp}/py.port"])
        procs.append(py)
        py_port = wait_file(f"{tmp}/py.port", py)

        what = (f"wrk for {max(2, round(a.requests / 10000))} s per run" if LOAD == "wrk"
                else f"{a.requests} POSTs per run from {LOAD_PROCS} asyncio processes")
        print(f"{what}, a {len(body)}-byte body{' (distinct)' if DISTINCT else ''}; spools under {tmp}")
        print("CPU ms/req: the receiver's / the sink's / the load's (this process) CPU time over the run")
        print(f"{'clients':>7}  {'receiver':<28} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8}  {'CPU ms/req':<18} flush ms/req (share)")
        for clients in (int(c) for c in a.clients.split(",")):
            for label, port, pid in serves:
                rate, p50, p99, cpu, flush = run_serve(port, [pid, sink.pid], body, clients, a.requests)
                print(f"{clients:>7}  {label:<28} {rate:>8.0f} {p50:>8.2f} {p99:>8.2f}  {cpu:<18} {flush}")
            rate, p50, p99, cpu = measured([py.pid, sink.pid], lambda: load(int(py_port), "/", body, clients, a.requests))
            print(f"{clients:>7}  {'python http.server + fsync':<28} {rate:>8.0f} {p50:>8.2f} {p99:>8.2f}  {cpu}")
            sys.stdout.flush()
    finally:
        for p in procs:
            p.terminate()
            try:
                p.wait(timeout=15)
            except subprocess.TimeoutExpired:
                p.kill()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
