"""``searcher watch``: dumps dropped into a folder become searchable without another command."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from searcher.engine import Engine
from searcher.watch import settled_files


def wait_for(condition: object, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)


def total(index: Path, query: str) -> int:
    engine = Engine(index)
    try:
        return engine.search(query).total if engine.exists() else 0
    finally:
        engine.close()


def test_watch_indexes_new_dumps_and_prunes_removed_ones(tmp_path: Path, seeds: Path) -> None:
    inbox, index = tmp_path / "inbox", tmp_path / "ix"
    inbox.mkdir()
    watcher = subprocess.Popen(
        [sys.executable, "-m", "searcher.cli", "watch", str(inbox), "--index", str(index),
         "--interval", "0.3", "--prune"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
    )  # fmt: skip
    try:
        shutil.copy(next(seeds.glob("002_*.txt")), inbox / "day1.txt")
        wait_for(lambda: total(index, "徐子佳") == 1)
        shutil.copy(next(seeds.glob("000_*.txt")), inbox / "day2.txt")
        wait_for(lambda: total(index, "川汇区") > 0)
        (inbox / "day1.txt").unlink()
        wait_for(lambda: total(index, "徐子佳") == 0)
        assert total(index, "川汇区") > 0
    finally:
        os.killpg(watcher.pid, signal.SIGINT)
        out, err = watcher.communicate(timeout=60)
    assert watcher.returncode == 130
    assert "stopped watching" in err and "Traceback" not in err
    assert out.count("indexed into") >= 3


def test_a_file_still_being_written_waits(tmp_path: Path) -> None:
    dump = tmp_path / "landing.txt"
    dump.write_text("第一部分", "utf-8")
    seen: dict[Path, tuple[int, float]] = {}
    now = time.time()
    assert settled_files(tmp_path, seen, 5.0, now) == [], "new and recent: not yet"
    with open(dump, "a", encoding="utf-8") as handle:
        handle.write("第二部分")
    assert settled_files(tmp_path, seen, 5.0, now + 5) == [], "it grew since the last look"
    assert settled_files(tmp_path, seen, 5.0, now + 10) == [dump], "unchanged for a look"
    old = tmp_path / "old.txt"
    old.write_text("早已写完", "utf-8")
    os.utime(old, (now - 60, now - 60))
    assert old in settled_files(tmp_path, {}, 5.0, now), "untouched for an interval"
