"""Rebuild without downtime: readers keep answering during a rebuild, move to the new index
after the swap without a restart, and old generations go once nobody reads them."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path

from searcher import index as ix
from searcher.engine import Engine


def generations(index: Path) -> list[str]:
    return sorted(p.name for p in index.iterdir() if p.name.startswith("gen-"))


def renamed_seeds(seeds: Path, folder: Path, name: str) -> Path:
    """The seed dumps with 徐子佳 renamed: a different corpus to rebuild from."""
    folder.mkdir()
    for path in seeds.glob("*.txt"):
        (folder / path.name).write_text(path.read_text("utf-8").replace("徐子佳", name), "utf-8")
    return folder


def test_rebuild_while_a_thread_searches_in_a_loop(
    seed_index: Path, seeds: Path, tmp_path: Path
) -> None:
    index = tmp_path / "ix"
    shutil.copytree(seed_index, index)
    corpora = [renamed_seeds(seeds, tmp_path / "a", "欧阳明"), seeds]
    reader = Engine(index)
    failures: list[str] = []
    searches = 0
    seen: set[str] = set()
    stop = threading.Event()

    def search_in_a_loop() -> None:
        nonlocal searches
        while not stop.is_set():
            try:
                # Each corpus holds exactly one of the two names, in one article.
                result = reader.search("欧阳明 OR 徐子佳")
                if result.total != 1:
                    failures.append(f"{result.total} hits")
                seen.add(result.hits[0].id)
                if reader.search("文明城市").total < 5:
                    failures.append("文明城市 lost")
            except Exception as error:
                failures.append(repr(error))
            searches += 1

    thread = threading.Thread(target=search_in_a_loop)
    thread.start()
    try:
        for round_ in range(4):
            Engine(index).index([corpora[round_ % 2]], rebuild=True)
            time.sleep(0.3)
            assert len(generations(index)) <= 2, "at most the current one and the one read"
    finally:
        stop.set()
        thread.join()
    assert failures == []
    assert searches > 10
    assert len(seen) == 2, "the reader moved to each new index without a restart"
    reader.close()
    Engine(index).stats()  # a reader moving on removes what nobody holds any more
    assert generations(index) == [ix.current_generation(index).name]  # type: ignore[union-attr]


def _get(url: str) -> dict:
    with urllib.request.urlopen(urllib.parse.quote(url, safe=":/?="), timeout=10) as response:
        return json.loads(response.read())


def test_serve_answers_the_new_index_after_a_rebuild_without_restart(
    seed_index: Path, seeds: Path, tmp_path: Path, free_port: Callable[[], int]
) -> None:
    index = tmp_path / "ix"
    shutil.copytree(seed_index, index)
    port = free_port()
    serve = subprocess.Popen(
        [sys.executable, "-m", "searcher.cli", "serve", "--index", str(index),
         "--port", str(port), "--threads", "1", "--workers", "1"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}/api/search?q="
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                first = _get(base + "徐子佳")
                break
            except OSError:
                if time.monotonic() > deadline or serve.poll() is not None:
                    raise
                time.sleep(0.2)
        assert first["total"] == 1
        old = generations(index)
        assert len(old) == 1

        done = subprocess.run(
            [sys.executable, "-m", "searcher.cli", "index", "--rebuild", "--index", str(index),
             str(renamed_seeds(seeds, tmp_path / "renamed", "欧阳明"))],
            capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        assert old[0] in generations(index), "kept while the server still reads it"

        assert _get(base + "欧阳明")["total"] == 1
        assert _get(base + "徐子佳")["total"] == 0
        assert generations(index) == [ix.current_generation(index).name]  # type: ignore[union-attr]
    finally:
        serve.terminate()
        serve.wait(timeout=30)


def test_a_reader_lease_keeps_its_generation(seed_index: Path, tmp_path: Path) -> None:
    index = tmp_path / "ix"
    shutil.copytree(seed_index, index)
    lease = ix.lease_current(index)
    assert lease is not None
    held = lease.generation
    Engine(index).index(rebuild=True)
    assert held.exists() and ix.current_generation(index) != held
    lease.release()
    Engine(index).index(rebuild=True)
    assert not held.exists()
    assert len(generations(index)) == 1
