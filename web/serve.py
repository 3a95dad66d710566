"""Serving the app with waitress: threads in one process, or several processes on one port.

Python runs one thread at a time, so a single process uses one core however many threads it
has. ``workers > 1`` forks that many processes, each with its own listening socket on the same
port (``SO_REUSEPORT``: the kernel spreads connections across them) and its own readers.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
from typing import Any

IDENT = "searcher"
#: Every page is a GET: a request body is never read, so waitress need not buffer one (its
#: default accepts 1 GB, spooled to disk); a client that sends nothing for 30 s is dropped.
OPTIONS = {"ident": IDENT, "max_request_body_size": 64 * 1024, "channel_timeout": 30}


def serve(app: Any, host: str, port: int, threads: int, workers: int = 1) -> None:
    """Serve ``app`` until interrupted (Ctrl-C or SIGTERM)."""
    import waitress

    if workers == 1:
        waitress.serve(app, host=host, port=port, threads=threads, **OPTIONS)
        return
    # Every socket is bound before forking, so a busy port fails here, once.
    sockets = [_listening_socket(host, port) for _ in range(workers)]
    children = []
    for sock in sockets:
        pid = os.fork()
        if pid == 0:
            for other in sockets:
                if other is not sock:
                    other.close()
            status = 0
            try:
                waitress.serve(app, sockets=[sock], threads=threads, **OPTIONS)
            except KeyboardInterrupt:
                pass
            except BaseException:
                status = 1
            finally:
                os._exit(status)
        children.append(pid)
    for sock in sockets:
        sock.close()
    _wait_for(children)


def _listening_socket(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    sock.listen(1024)
    return sock


def _wait_for(children: list[int]) -> None:
    """Wait for the workers; SIGTERM or Ctrl-C here stops them all."""

    def stop(signum: int = signal.SIGTERM, frame: Any = None) -> None:
        for pid in children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        for pid in children:
            try:
                os.waitpid(pid, 0)
            except KeyboardInterrupt:
                stop()
                for other in children:
                    with contextlib.suppress(ChildProcessError):
                        os.waitpid(other, 0)
                return
    finally:
        signal.signal(signal.SIGTERM, previous)
