#!/usr/bin/env python3
"""Benchmark (not a test) of `cmrelay serve`'s durable receive path.

For 1, 16 and 64 concurrent keep-alive clients, POSTs the same Volcengine body REQUESTS
times to `cmrelay serve` (spool on the same disk as the reference's files, delivering to the
loopback sink) and to bench/fsync_receiver.py (Python http.server, write + fsync + rename +
directory fsync), side by side, and prints requests per second and p50/p99 latency. The
flush cost is shown separately, from serve's own cmrelay_serve_fsync_seconds and
cmrelay_serve_store_seconds histograms, with the mean group-commit batch (requests per
flush, cmrelay_serve_commit_batch_size) where the binary has it. Several BINs (say a build
before and after a change) run side by side in the same run, on the same disk.

Usage: bench/serve.py [BIN...] [--requests N] [--clients 1,16,64] [--dir DIR]
"""
import argparse
import asyncio
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


async def one_client(port, path, body, count, latencies):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    request = (f"POST {path} HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\n"
               f"Content-Length: {len(body)}\r\n\r\n").encode() + body
    for _ in range(count):
        t0 = time.perf_counter()
        writer.write(request)
        head = await reader.readuntil(b"\r\n\r\n")
        if not head.startswith(b"HTTP/1.1 200"):
            raise SystemExit(f"unexpected answer: {head[:40]!r}")
        length = int(re.search(rb"(?i)content-length: *(\d+)", head).group(1))
        await reader.readexactly(length)
        latencies.append(time.perf_counter() - t0)
    writer.close()


async def load(port, path, body, clients, total):
    latencies = []
    per = max(1, total // clients)
    t0 = time.perf_counter()
    await asyncio.gather(*(one_client(port, path, body, per, latencies) for _ in range(clients)))
    took = time.perf_counter() - t0
    latencies.sort()
    pick = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000
    return len(latencies) / took, pick(0.50), pick(0.99)


def metric_sum(port, name):
    """The histogram's sum and count; (0, 0) when the binary has no such metric."""
    text = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics").read().decode()
    s = re.search(rf"^{name}_sum (\S+)$", text, re.M)
    c = re.search(rf"^{name}_count (\S+)$", text, re.M)
    return (float(s.group(1)), float(c.group(1))) if s and c else (0.0, 0.0)


def cpu_seconds(pid=None):
    """User + system CPU seconds of a process so far (this one when pid is None)."""
    if pid is None:
        t = os.times()
        return t.user + t.system
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


def measured(pids, total, run):
    """run()'s (rate, p50, p99) and the CPU it cost per request, in milliseconds, of each
    pid (the receiver, the sink) and of this process (the load), as "R/S/L"."""
    before = [cpu_seconds(p) for p in pids] + [cpu_seconds()]
    rate, p50, p99 = run()
    after = [cpu_seconds(p) for p in pids] + [cpu_seconds()]
    cpu = "/".join(f"{(b - a) / total * 1000:.3f}" for a, b in zip(before, after))
    return rate, p50, p99, cpu


def run_serve(port, pids, body, clients, total):
    s0, c0 = metric_sum(port, "cmrelay_serve_fsync_seconds")
    t0, _ = metric_sum(port, "cmrelay_serve_store_seconds")
    b0, f0 = metric_sum(port, "cmrelay_serve_commit_batch_size")
    rate, p50, p99, cpu = measured(pids, total, lambda: asyncio.run(load(int(port), "/hook/bench-token", body, clients, total)))
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
    a = ap.parse_args()
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

        print(f"{a.requests} POSTs of a {len(body)}-byte body per run; spools under {tmp}")
        print("CPU ms/req: the receiver's / the sink's / the load's (this process) CPU time over the run")
        print(f"{'clients':>7}  {'receiver':<28} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8}  {'CPU ms/req':<18} flush ms/req (share)")
        for clients in (int(c) for c in a.clients.split(",")):
            for label, port, pid in serves:
                rate, p50, p99, cpu, flush = run_serve(port, [pid, sink.pid], body, clients, a.requests)
                print(f"{clients:>7}  {label:<28} {rate:>8.0f} {p50:>8.2f} {p99:>8.2f}  {cpu:<18} {flush}")
            rate, p50, p99, cpu = measured([py.pid, sink.pid], a.requests,
                                           lambda: asyncio.run(load(int(py_port), "/", body, clients, a.requests)))
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
