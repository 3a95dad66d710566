"""``searcher serve`` as a user runs it: waitress in one or several processes, on loopback."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

import pytest


def get(port: int, path: str) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", quote(path, safe="/?=&"))
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def children_of(pid: int) -> list[int]:
    with open(f"/proc/{pid}/task/{pid}/children") as handle:
        return [int(p) for p in handle.read().split()]


def wait_until_serving(server: subprocess.Popen[bytes], port: int) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert server.poll() is None, server.stderr.read() if server.stderr else ""
        try:
            if get(port, "/api/stats")[0] == 200:
                return
        except OSError:
            time.sleep(0.1)
    raise AssertionError("searcher serve did not answer")


@pytest.mark.parametrize("workers", [1, 2])
def test_serve_answers_and_stops_on_sigterm(
    seed_index: Path, workers: int, free_port: Callable[[], int]
) -> None:
    port = free_port()
    command = [sys.executable, "-m", "searcher", "serve", "--index", str(seed_index),
               "--port", str(port), "--threads", "2", "--workers", str(workers)]  # fmt: skip
    server = subprocess.Popen(command, stderr=subprocess.PIPE)
    try:
        wait_until_serving(server, port)
        workers_pids = children_of(server.pid)
        assert len(workers_pids) == (workers if workers > 1 else 0)
        for _ in range(6):  # keep-alive off: each request a new connection, any worker
            status, body = get(port, "/api/search?q=文明城市")
            assert status == 200 and json.loads(body)["total"] > 0
        status, body = get(port, "/api/search?q=" + "长" * 201)
        assert status == 400 and "too long" in json.loads(body)["error"]
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=20)
    for pid in workers_pids:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)


def test_a_busy_port_is_one_clear_line(seed_index: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        for workers in ("1", "2"):
            done = subprocess.run(
                [sys.executable, "-m", "searcher", "serve", "--index", str(seed_index),
                 "--port", str(port), "--workers", workers],
                capture_output=True, text=True, timeout=60,
            )  # fmt: skip
            assert done.returncode == 1
            assert f"cannot serve on 127.0.0.1:{port}" in done.stderr
            assert "Traceback" not in done.stderr
