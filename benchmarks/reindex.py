"""Reindexing figures on the xwlb corpus: a full index, a re-run on unchanged input, one new day.

The corpus is written as one JSON Lines file per broadcast day (``out/xwlb-days/``, the
format of ``xwlb.py``, 1,423 files), the way a daily crawl lands. Each step is one
``searcher index`` process, timed from launch to exit:

1. ``full``: every day but the last, into a fresh index;
2. ``unchanged``: the same command again (nothing to do: every file skipped on size+mtime);
3. ``one new day``: the last day copied into the folder, the same command again;
4. ``unchanged (all.jsonl)`` / ``full (all.jsonl)``: the same corpus as one 30 MB file,
   with ``--single`` (skipped by default: it is another full index).

Usage::

    python benchmarks/reindex.py                 # --jobs = every core
    python benchmarks/reindex.py --jobs 1,2      # one row set per value

CPU seconds count the indexer and its worker processes. Other load on the machine moves
the wall times: compare rows of one run only.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import xwlb  # noqa: E402

OUT = HERE / "out"
DAYS = OUT / "xwlb-days"
SPARE = OUT / "xwlb-last-day"


def day_files() -> tuple[Path, Path]:
    """Write one JSON Lines file per day (once); the folder of all but the last, the last."""
    news = xwlb.unpack()
    marker = DAYS / ".complete"
    if not marker.exists():
        shutil.rmtree(DAYS, ignore_errors=True)
        shutil.rmtree(SPARE, ignore_errors=True)
        DAYS.mkdir(parents=True)
        SPARE.mkdir(parents=True)
        days = sorted(p for p in news.glob("*.md"))
        for number, day in enumerate(days):
            records = list(xwlb.parse_day(day))
            if not records:
                continue
            target = (SPARE if number == len(days) - 1 else DAYS) / f"{day.stem}.jsonl"
            with open(target, "w", encoding="utf-8") as out:
                for record in records:
                    out.write(json.dumps(record, ensure_ascii=False) + "\n")
        marker.touch()
    (last,) = SPARE.glob("*.jsonl")
    return DAYS, last


def searcher(*args: str) -> tuple[float, float, str]:
    """Run ``searcher ARGS``: wall seconds, CPU seconds (it and its workers), summary line."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "searcher.cli", *args], capture_output=True, text=True
    )
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if done.returncode != 0:
        raise SystemExit(f"searcher {' '.join(args)} failed:\n{done.stderr}")
    return seconds, cpu, done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--jobs", default=str(len(os.sched_getaffinity(0))))
    parser.add_argument("--single", action="store_true", help="also the one-file corpus")
    args = parser.parse_args(argv)
    days, last = day_files()
    rows = []
    for jobs in [int(j) for j in args.jobs.split(",")]:
        index = OUT / "idx" / f"reindex-j{jobs}"
        single = OUT / "idx" / f"reindex-single-j{jobs}"
        for folder in (index, single):
            shutil.rmtree(folder, ignore_errors=True)
        (days / last.name).unlink(missing_ok=True)
        on_days = ("index", str(days), "--index", str(index), "--jobs", str(jobs))
        dump = xwlb.build()["all"] if args.single else OUT / "xwlb-all.jsonl"
        on_one = ("index", str(dump), "--index", str(single), "--jobs", str(jobs))
        steps = [
            ("full (1,422 day files)", on_days),
            ("unchanged", on_days),
            ("one new day", on_days),
        ]
        if args.single:
            steps += [("full (all.jsonl)", on_one), ("unchanged (all.jsonl)", on_one)]
        for name, command in steps:
            if name == "one new day":
                shutil.copy2(last, days / last.name)
            seconds, cpu, summary = searcher(*command)
            rows.append((jobs, name, seconds, cpu))
            print(f"jobs={jobs}  {name:<24} {seconds:7.2f} s   {summary}", file=sys.stderr)
        (days / last.name).unlink(missing_ok=True)
    print(f"\n{'jobs':>4}  {'step':<24} {'wall s':>7} {'CPU s':>7}")
    for jobs, name, seconds, cpu in rows:
        print(f"{jobs:>4}  {name:<24} {seconds:7.2f} {cpu:7.2f}")
    print(f"\nload average at the end: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
