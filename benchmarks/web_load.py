"""Load on the web API: concurrent clients on loopback against ``searcher serve`` (waitress).

    python benchmarks/web_load.py --index /tmp/xwlb-index                 # 8 clients, 30 s
    python benchmarks/web_load.py --index DIR --clients 1 --seconds 20    # one at a time
    python benchmarks/web_load.py --index DIR --workers 1 --threads 8     # one process
    python benchmarks/web_load.py --index DIR --json benchmarks/out/web-load.json

The server runs as its own process (``python -m searcher serve --index DIR --threads N
--workers W``),
the clients are threads of this one, each with a keep-alive ``http.client`` connection,
each sending ``GET /api/search`` (facets and timeline included, as the page runs them) for
the next of the 200 benchmark queries (``queries.py``, with their ``since``/``until``),
round-robin, as fast as answers come, for ``--seconds``. Before timing, the 25 warm-up
queries run from every client (each waitress thread opens its own readers on first use).

Printed: requests, requests/s, errors (anything but a 200 carrying JSON with facets), and
p50/p95/p99 latency overall and per query kind. ``--json`` saves the figures and every
latency. The index should hold the whole xwlb corpus (see ``facets.py``).
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import json
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import queries as querysets  # noqa: E402


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def path_of(query: dict[str, str]) -> str:
    params = {k: query[k] for k in ("q", "since", "until") if k in query}
    return "/api/search?" + urlencode(params)


def start_server(
    index: Path, port: int, threads: int, workers: int, log: Path
) -> subprocess.Popen[bytes]:
    """``searcher serve`` on ``port``, once it answers ``/api/stats``; its stderr in ``log``."""
    command = [
        sys.executable, "-m", "searcher", "serve", "--index", str(index), "--port", str(port),
        "--threads", str(threads), "--workers", str(workers),
    ]  # fmt: skip
    # The server's stderr goes to a file: a pipe nobody reads fills up with waitress's
    # "task queue depth" warnings under load, and the server then blocks writing them.
    with open(log, "wb") as err:
        server = subprocess.Popen(command, stderr=err)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"server exited: {log.read_text(errors='replace')[-500:]}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/api/stats")
            if conn.getresponse().status == 200:
                conn.close()
                return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("server did not answer within 60 s")


class Client(threading.Thread):
    """One keep-alive connection sending the next query until ``deadline``."""

    def __init__(self, port: int, work: Any, lock: threading.Lock, deadline: float) -> None:
        super().__init__(daemon=True)
        self.port, self.work, self.lock, self.deadline = port, work, lock, deadline
        self.records: list[dict[str, Any]] = []

    def run(self) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        while time.monotonic() < self.deadline:
            with self.lock:
                query = next(self.work)
            started = time.perf_counter()
            error = None
            try:
                conn.request("GET", path_of(query))
                response = conn.getresponse()
                body = response.read()
                if response.status != 200:
                    error = f"HTTP {response.status}: {body[:200]!r}"
                elif b'"facets"' not in body or b'"timeline"' not in body:
                    error = "no facets in the answer"
            except (OSError, http.client.HTTPException) as exc:
                error = f"{type(exc).__name__}: {exc}"
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            ms = (time.perf_counter() - started) * 1000
            self.records.append({"kind": query["kind"], "q": query["q"], "ms": ms,
                                 "error": error})  # fmt: skip
        conn.close()


def run_clients(port: int, queries: list[dict[str, str]], clients: int, seconds: float) -> Any:
    work = itertools.cycle(queries)
    lock = threading.Lock()
    deadline = time.monotonic() + seconds
    threads = [Client(port, work, lock, deadline) for _ in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    return [r for t in threads for r in t.records], elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--index", type=Path, required=True, help="index of the xwlb corpus")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--threads", type=int, default=4, help="waitress threads per worker")
    parser.add_argument(
        "--workers", type=int, default=len(os.sched_getaffinity(0)),
        help="server processes (default: one per core, as 'searcher serve')",
    )  # fmt: skip
    parser.add_argument("--json", type=Path, help="save the figures and every latency here")
    args = parser.parse_args(argv)

    port = free_port()
    work = Path(tempfile.mkdtemp(prefix="searcher-load-"))
    server = start_server(args.index, port, args.threads, args.workers, work / "serve.log")
    try:
        warmup = querysets.load_warmup()
        run_clients(port, warmup, args.clients, 0.0)  # opens a connection per client
        for _ in range(2):
            run_clients(port, warmup, args.clients, 2.0)
        records, elapsed = run_clients(port, querysets.load(), args.clients, args.seconds)
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        shutil.rmtree(work, ignore_errors=True)

    errors = [r for r in records if r["error"]]
    summary = querysets.summarize([{**r, "hits": None} for r in records])
    every = summary["all"]
    print(
        f"{len(records)} requests from {args.clients} clients in {elapsed:.1f} s against "
        f"{args.workers} x {args.threads} waitress threads: {len(records) / elapsed:.1f} req/s, "
        f"{len(errors)} errors"
    )
    print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} at the end")
    print(f"{'kind':10} {'n':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'mean ms':>8}")
    for kind in [*querysets.KINDS, "all"]:
        s = summary[kind]
        print(f"{kind:10} {s['n'] + s['errors']:6d} {s['p50_ms']:8.1f} {s['p95_ms']:8.1f} "
              f"{s['p99_ms']:8.1f} {s['mean_ms']:8.1f}")  # fmt: skip
    for error in errors[:5]:
        print(f"error: {error['q']}: {error['error']}")
    if args.json:
        args.json.write_text(json.dumps({
            "clients": args.clients, "threads": args.threads, "workers": args.workers,
            "seconds": elapsed,
            "requests": len(records), "rps": len(records) / elapsed, "errors": len(errors),
            "summary": summary, "machine": platform.platform(), "cpus": os.cpu_count(),
            "records": records,
        }, ensure_ascii=False, indent=1))  # fmt: skip
    print(f"p95 {every['p95_ms']:.1f} ms")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
