"""Crash loop: kill ``searcher index`` at random moments and check the index every time.

    python benchmarks/kill_loop.py                   # 20 runs, 600 xwlb stories onto the seeds
    python benchmarks/kill_loop.py --runs 50 --stories 2000 --seed 7

An index of the five seed dumps is built once. Two uninterrupted runs (adding ``--stories``
stories of the xwlb corpus, and ``--rebuild`` with them) give the time a run takes and what
the index answers once it is complete. Then, ``--runs`` times, on a fresh copy of the seed
index: start the run (incremental and ``--rebuild`` in turn), wait a random time between 2%
and 100% of its duration, and kill it (in turn: ``kill -9`` of the indexer alone, ``kill -9``
of the indexer and its workers, Ctrl-C). Then, in a new process as a new reader would, the
index must open and answer a set of queries exactly as before the run or exactly as after a
complete one (a kill after the swap), ``searcher stats`` must work, and a new run must complete
and leave exactly the complete answers. Prints each run and the totals; exit 1 on any failure.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
QUERIES = (
    "文明城市", "川汇区", "脱贫攻坚", "发展", "经济", '"新闻联播"', "习近平 会议", "title:中国",
)  # fmt: skip
PROBE = """
import json, sys
from searcher.engine import Engine
engine = Engine(sys.argv[1])
out = {}
for q in json.loads(sys.argv[2]):
    result = engine.search(q, limit=20)
    out[q] = [result.total, [hit.id for hit in result.hits]]
print(json.dumps(out))
"""


def searcher(*args: str) -> list[str]:
    return [sys.executable, "-m", "searcher", *args]


def answers(index: Path) -> dict[str, object]:
    """What a fresh process finds in ``index``; raises if it cannot open or answer."""
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(index), json.dumps(QUERIES)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(done.stderr.strip().splitlines()[-1] if done.stderr else "no answer")
    return json.loads(done.stdout)


def run_index(index: Path, dump: Path, rebuild: bool) -> float:
    started = time.monotonic()
    args = ["index", str(dump), "--index", str(index), "--quiet", "--jobs", "2"]
    done = subprocess.run(searcher(*args, *(["--rebuild"] if rebuild else [])),
                          capture_output=True, text=True, timeout=600)  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(f"index run failed: {done.stderr[-300:]}")
    return time.monotonic() - started


def make_dump(corpus: Path, stories: int, folder: Path) -> Path:
    path = folder / f"xwlb-{stories}.jsonl"
    with open(corpus, encoding="utf-8") as source, open(path, "w", encoding="utf-8") as out:
        for n, line in enumerate(source):
            if n >= stories:
                break
            out.write(line)
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--stories", type=int, default=600)
    parser.add_argument("--corpus", type=Path, default=HERE / "out" / "xwlb-all.jsonl")
    parser.add_argument("--seed", type=int, default=20261123)
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="searcher-kill-"))
    try:
        return loop(args, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def loop(args: argparse.Namespace, work: Path) -> int:
    rng = random.Random(args.seed)
    dump = make_dump(args.corpus, args.stories, work)
    base = work / "base"
    subprocess.run(searcher("index", "--index", str(base), "--quiet"), check=True)
    before = answers(base)
    complete: dict[bool, dict[str, object]] = {}
    duration: dict[bool, float] = {}
    for rebuild in (False, True):
        target = work / f"complete-{rebuild}"
        shutil.copytree(base, target)
        duration[rebuild] = run_index(target, dump, rebuild)
        complete[rebuild] = answers(target)
        assert complete[rebuild] != before, "the run should change the answers"
    print(f"an uninterrupted run takes {duration[False]:.1f} s (adding {args.stories} stories) "
          f"and {duration[True]:.1f} s (--rebuild)")  # fmt: skip

    kinds = ("kill -9 indexer", "kill -9 all", "Ctrl-C")
    outcome = {"before": 0, "after": 0, "finished": 0}
    failures: list[str] = []
    started = time.monotonic()
    for run in range(args.runs):
        rebuild, kind = run % 2 == 1, kinds[run % 3]
        index = work / f"run-{run}"
        shutil.copytree(base, index)
        wait = rng.uniform(0.02, 1.0) * duration[rebuild]
        cmd = ["index", str(dump), "--index", str(index), "--quiet", "--jobs", "2"]
        proc = subprocess.Popen(searcher(*cmd, *(["--rebuild"] if rebuild else [])),
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                                start_new_session=True)  # fmt: skip
        time.sleep(wait)
        finished = proc.poll() is not None
        if not finished:
            if kind == "kill -9 indexer":
                proc.kill()
            else:
                os.killpg(proc.pid, signal.SIGKILL if kind == "kill -9 all" else signal.SIGINT)
        _, err = proc.communicate(timeout=120)
        time.sleep(0.5)  # orphaned workers notice their parent is gone
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)  # nothing of this run may linger
        state, problem = "broken", ""
        try:
            found = answers(index)
            state = ("before" if found == before else "after" if found == complete[rebuild]
                     else "broken")  # fmt: skip
            if state == "broken":
                problem = "answers are neither the old index nor the complete run"
            stats = subprocess.run(searcher("stats", "--index", str(index), "--json"),
                                   capture_output=True, text=True, timeout=60)  # fmt: skip
            if stats.returncode != 0:
                state, problem = "broken", f"stats: {stats.stderr.strip()}"
            run_index(index, dump, rebuild)
            if answers(index) != complete[rebuild]:
                state, problem = "broken", "the next run did not complete the work"
        except (RuntimeError, subprocess.TimeoutExpired) as error:
            state, problem = "broken", str(error)
        if "Traceback" in err:
            state, problem = "broken", err.strip().splitlines()[-1]
        label = "finished first" if finished else f"{kind} at {wait:.1f} s"
        if finished:
            outcome["finished"] += 1
        elif state != "broken":
            outcome[state] += 1
        else:
            failures.append(f"run {run}: {problem}")
        verdict = f"answers as {state}" if state != "broken" else f"BROKEN: {problem}"
        print(f"run {run + 1:2d} {'--rebuild' if rebuild else 'add':9} {label:26} -> {verdict}")
        shutil.rmtree(index, ignore_errors=True)

    killed = args.runs - outcome["finished"]
    print(f"{args.runs} runs in {time.monotonic() - started:.0f} s: {killed} killed mid-run, "
          f"{killed - len(failures)} crashes survived ({outcome['before']} answering as before "
          f"the run, {outcome['after']} as after it), {outcome['finished']} finished before "
          f"the kill, {len(failures)} broken; every next run completed the work"
          if not failures else f"{len(failures)} FAILED")  # fmt: skip
    print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} at the end")
    for failure in failures:
        print(failure)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
