"""Faults while indexing: a killed run, a full disk, a second writer. The previous index
keeps answering every query as before, and the next run completes the work."""

from __future__ import annotations

import errno
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from searcher import index as ix
from searcher.cli import main
from searcher.engine import Engine

QUERIES = ("文明城市", "徐子佳", "川汇区", "脱贫攻坚", "合成新闻标题")


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def answers(index: Path) -> dict[str, object]:
    """What the index answers to a few queries (in a fresh engine, as a new reader would)."""
    engine = Engine(index)
    try:
        return {q: engine.search(q, limit=50).to_dict() for q in QUERIES}
    finally:
        engine.close()


def generations(index: Path) -> list[str]:
    return sorted(p.name for p in index.iterdir() if p.name.startswith("gen-"))


def command(*args: str) -> list[str]:
    return [sys.executable, "-m", "searcher.cli", *args]


def processes_using(index: Path) -> list[int]:
    """Live processes (indexer and its workers) whose command line names ``index``."""
    pids = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes().decode("utf-8", "replace")
            state = (proc / "stat").read_text().split()[2]
        except OSError:
            continue
        if str(index) in cmdline and state != "Z":
            pids.append(int(proc.name))
    return pids


@pytest.fixture
def seed_copy(seed_index: Path, tmp_path: Path) -> Path:
    target = tmp_path / "ix"
    shutil.copytree(seed_index, target)
    return target


def test_kill_at_random_moments_keeps_the_previous_index(
    seed_index: Path, seed_copy: Path, big_dump: Path
) -> None:
    before = answers(seed_copy)
    assert before["合成新闻标题"]["total"] == 0  # type: ignore[index]
    rng = random.Random(20240601)
    args = command("index", str(big_dump), "--index", str(seed_copy), "--jobs", "2")
    # How long a whole run takes on this machine: the signals land at random moments of it.
    scratch = seed_copy.with_name("timing")
    shutil.copytree(seed_index, scratch)
    started = time.monotonic()
    subprocess.run(
        command("index", str(big_dump), "--index", str(scratch), "--jobs", "2"),
        capture_output=True, check=True, timeout=300,
    )  # fmt: skip
    duration = time.monotonic() - started
    kills = 0
    for attempt in range(4):
        ctrl_c = attempt % 2 == 0
        # Ctrl-C reaches the whole foreground process group; kill -9 only the indexer.
        proc = subprocess.Popen(
            args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            start_new_session=True,
        )  # fmt: skip
        # (Not before 0.5 s: a Ctrl-C while Python itself starts is not the indexer's.)
        time.sleep(max(0.5, rng.uniform(0.3, 0.9) * duration))
        if ctrl_c:
            os.killpg(proc.pid, signal.SIGINT)
        else:
            proc.kill()
        _out, err = proc.communicate(timeout=120)
        assert "Traceback" not in err, err
        # A fast machine finished first (or the Ctrl-C came just after the commit, which the
        # indexer says): the new index is complete. Start again from the seeds.
        committed = ctrl_c and "the new index was committed: it is complete" in err
        if proc.returncode == 0 or committed:
            assert answers(seed_copy)["合成新闻标题"]["total"] > 0  # type: ignore[index]
            shutil.rmtree(seed_copy)
            shutil.copytree(seed_index, seed_copy)
            continue
        kills += 1
        if ctrl_c:
            assert proc.returncode == 130, err
            assert "interrupted after" in err and "nothing was committed" in err, err
        else:
            assert proc.returncode == -signal.SIGKILL
        deadline = time.monotonic() + 10
        while processes_using(seed_copy) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert processes_using(seed_copy) == [], "no worker outlives the indexer"
        assert answers(seed_copy) == before, f"attempt {attempt}: the index changed"
    assert kills >= 2, "most signals should land while the run is still working"

    done = subprocess.run(args, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "1 new" in done.stdout
    after = answers(seed_copy)
    assert after["合成新闻标题"]["total"] > 0  # type: ignore[index]
    # Every seed article the name found is still found (among all matches: 172 synthetic
    # stories now hold the sentence that names him, and shorter ones rank first).
    seed_hits = {hit["id"] for hit in before["徐子佳"]["hits"]}  # type: ignore[index]
    engine = Engine(seed_copy)
    try:
        assert seed_hits <= set(engine.matching_ids("徐子佳"))
    finally:
        engine.close()
    assert generations(seed_copy) == [ix.current_generation(seed_copy).name]  # type: ignore[union-attr]


def test_disk_full_in_the_writer_leaves_the_index_intact(
    seed_copy: Path, tmp_path: Path, seeds: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from whoosh.writing import SegmentWriter

    before = answers(seed_copy)
    gens = generations(seed_copy)

    def full(self: object, *args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(SegmentWriter, "commit", full)
    dump = tmp_path / "new.txt"
    dump.write_text(next(seeds.glob("002_*.txt")).read_text("utf-8").replace("徐子佳", "欧阳明"))
    code, _, err = run("index", str(dump), "--index", str(seed_copy))
    assert code == 1
    assert "disk full" in err and "the previous index is intact" in err
    assert "Traceback" not in err
    assert generations(seed_copy) == gens, "the unfinished generation is removed"
    assert answers(seed_copy) == before
    monkeypatch.undo()
    code, out, err = run("index", str(dump), "--index", str(seed_copy))
    assert code == 0 and "1 new" in out, err


def test_a_real_full_disk(tmp_path: Path, seeds: Path, big_dump: Path) -> None:
    """A 2 MB tmpfs (mounted in a private mount namespace) fills up mid-index."""
    if shutil.which("unshare") is None:
        pytest.skip("unshare is not installed")
    mount = tmp_path / "small-disk"
    mount.mkdir()
    script = (
        'mount -t tmpfs -o size=2m tmpfs "$1" || exit 99\n'
        'index="$1/ix"; shift\n'
        '"$@" index "$SEEDS" --index "$index" -q || exit 98\n'
        '"$@" search 徐子佳 --index "$index" --json > "$index.before" || exit 97\n'
        '"$@" index "$BIG" --index "$index" --jobs 2\n'
        'echo "rc=$?"\n'
        '"$@" search 徐子佳 --index "$index" --json > "$index.after"\n'
        'cmp "$index.before" "$index.after" && echo same-answers\n'
        'ls "$index"\n'
    )
    env = {**os.environ, "SEEDS": str(seeds), "BIG": str(big_dump)}
    done = subprocess.run(
        ["unshare", "--map-root-user", "--mount", "sh", "-c", script, "sh", str(mount),
         sys.executable, "-m", "searcher.cli"],
        capture_output=True, text=True, timeout=300, env=env,
    )  # fmt: skip
    if done.returncode == 99 or "unshare failed" in done.stderr:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "rc=1" in done.stdout
    assert "disk full" in done.stderr and "the previous index is intact" in done.stderr
    assert "Traceback" not in done.stderr
    assert "same-answers" in done.stdout
    listing = done.stdout.split("same-answers", 1)[1].split()
    assert [name for name in listing if name.startswith("gen-")] == ["gen-000001"]


def test_second_writer_fails_with_no_wait(seed_copy: Path, seeds: Path) -> None:
    with ix.writer_lock(seed_copy):
        code, _, err = run("index", str(seeds), "--index", str(seed_copy), "--no-wait")
    assert code == 1
    assert "another 'searcher index' is writing this index" in err


def test_second_writer_waits_with_a_message(seed_copy: Path, tmp_path: Path, seeds: Path) -> None:
    dump = tmp_path / "new.txt"
    dump.write_text(next(seeds.glob("002_*.txt")).read_text("utf-8").replace("徐子佳", "欧阳明"))
    with ix.writer_lock(seed_copy):
        proc = subprocess.Popen(
            command("index", str(dump), "--index", str(seed_copy)),
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        assert proc.stderr is not None
        line = proc.stderr.readline()
        assert "waiting for another indexer" in line
        time.sleep(0.5)
        assert proc.poll() is None, "it waits while the lock is held"
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert "1 new" in out
    assert answers(seed_copy)["文明城市"]["total"] > 0  # type: ignore[index]


def test_two_indexers_at_once_both_complete(seed_copy: Path, tmp_path: Path, seeds: Path) -> None:
    dumps = []
    for name in ("欧阳明", "司马青"):
        path = tmp_path / f"{name}.txt"
        path.write_text(next(seeds.glob("002_*.txt")).read_text("utf-8").replace("徐子佳", name))
        dumps.append(path)
    procs = [
        subprocess.Popen(
            command("index", str(d), "--index", str(seed_copy)),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for d in dumps
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
    stats = json.loads(run("stats", "--index", str(seed_copy), "--json")[1])
    assert stats["files"] == 7


def test_a_ctrl_c_just_before_a_fork_lands_after_it() -> None:
    # Ctrl-C that reached Python just before a sub-writer was forked used to raise inside
    # Process.start(): a forked child without a handle, and a traceback from cancel().
    import multiprocessing

    from searcher.ingest import sigint_blocked

    started = []
    with pytest.raises(KeyboardInterrupt), sigint_blocked():
        # What Python does with a Ctrl-C the kernel delivered a moment before the block:
        # it runs the handler at the next line, whatever that line is.
        signal.getsignal(signal.SIGINT)(signal.SIGINT, None)
        task = multiprocessing.get_context("fork").Process(target=time.sleep, args=(0,))
        task.start()
        started.append(task)
    assert started and started[0].pid is not None
    started[0].join(timeout=10)
    assert started[0].exitcode == 0
