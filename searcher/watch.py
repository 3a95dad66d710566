"""Watching a folder: index the dumps that land in it, once they have finished landing.

A crawler writes a dump over seconds or minutes; a file is picked up only when it has
stopped changing (same size and mtime as at the previous look, or untouched for a whole
interval), so a half-written dump is not indexed. Each look runs an ordinary incremental
``index`` over the settled files: unchanged ones cost a ``stat`` each.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

from .indexer import IndexReport
from .sources import SourceError, expand_paths


def settled_files(
    folder: Path, seen: dict[Path, tuple[int, float]], interval: float, now: float
) -> list[Path]:
    """The dumps under ``folder`` that have stopped changing; ``seen`` is updated."""
    current: dict[Path, tuple[int, float]] = {}
    try:
        paths = list(expand_paths([folder]))
    except SourceError:
        paths = []
    for path in paths:
        try:
            stat = path.stat()
        except OSError:
            current[path] = (-1, 0.0)  # reported by the index run, which reads it
            continue
        current[path] = (stat.st_size, stat.st_mtime)
    ready = [
        path
        for path, signature in current.items()
        if seen.get(path) == signature or signature[1] <= now - interval
    ]
    seen.clear()
    seen.update(current)
    return sorted(ready)


def watch(
    folder: Path,
    interval: float,
    index: Callable[[list[Path]], IndexReport],
    on_report: Callable[[IndexReport], None],
    stop: Callable[[], bool] = lambda: False,
) -> None:
    """Every ``interval`` seconds, ``index`` the settled dumps of ``folder``; ``on_report``
    gets each run's report when it wrote something or met a new problem. Runs until
    ``stop()`` is true (or Ctrl-C)."""
    seen: dict[Path, tuple[int, float]] = {}
    told: set[str] = set()
    folder = Path(os.path.abspath(folder))
    while not stop():
        ready = settled_files(folder, seen, interval, time.time())
        if ready:
            report = index(ready)
            problems = set(report.problems)
            if report.written or problems - told:
                on_report(report)
            told |= problems
        deadline = time.monotonic() + interval
        while not stop() and time.monotonic() < deadline:
            time.sleep(min(0.1, interval))
