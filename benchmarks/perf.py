"""Performance, measured side by side: searcher vs two baselines on the same corpus, same run.

    python benchmarks/perf.py                 # subsets 2000, 10000 and all (a few minutes)
    python benchmarks/perf.py --quick         # the 2000-story subset only
    python benchmarks/perf.py --subsets 2000,all --json benchmarks/out/perf.json

Systems:

``stock-whoosh`` (a, the reference for ratios)
    stock Whoosh 2.7.4 + jieba's ``ChineseAnalyzer``, default writer, one commit
    (``stock_baseline.py``, run with its own venv ``benchmarks/out/venv-stock``, made here).
``fts5-rjieba`` (b)
    SQLite FTS5 over rjieba-segmented text (``fts5_baseline.py``).
``searcher``
    this project: ``searcher index DUMP --index DIR --rebuild`` (or ``python -m
    searcher.cli`` when ``searcher`` is not on PATH), queries through
    ``searcher.engine.Engine(DIR).search(q, limit=10, since=, until=)`` in this
    process (``facets=True`` for the filtered kind, as the search page asks). If any of
    that fails the table says ``searcher: not available (<error>)``.

Indexing runs each system as a whole process (interpreter start to exit): wall seconds, CPU
seconds, peak memory (all its processes together: summed PSS, sampled from ``/proc``),
stories/s, MB/s of the dump, index size on disk.
Queries run warm: index opened once (searcher's also warmed as ``searcher serve`` does it:
facet columns, exact-match text and its character index loaded, ``Engine.warm``), 25 warm-up
queries of another seed untimed, then each of the 200 queries (``queries.py``) once, timed,
top 10 plus the total hit count. Per kind the
table shows p50/p95/p99 latency (with 40 queries, p99 is close to the slowest) and the median
hit count with the share of queries that found nothing. Each figure is also shown as a ratio
to stock-whoosh. Progress goes to stderr, the table to stdout; ``--json FILE`` saves it all.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
OUT = HERE / "out"
sys.path.insert(0, str(HERE))

import queries as querysets  # noqa: E402
import xwlb  # noqa: E402
from helper_venv import ensure_venv  # noqa: E402

STOCK_VENV = OUT / "venv-stock"
STOCK_PACKAGES = ("whoosh==2.7.4", "jieba==0.42.1")
SYSTEMS = ("stock-whoosh", "fts5-rjieba", "searcher")
SYSTEM_ALIASES = {"stock": "stock-whoosh", "fts5": "fts5-rjieba", "searcher": "searcher"}
MB = 2**20

Query = dict[str, str]


def log(message: str) -> None:
    print(f"[perf {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- processes


def run_measured(
    cmd: Sequence[str], log_path: Path, timeout: float, env: dict[str, str] | None = None
) -> dict[str, Any]:
    """Run ``cmd`` to completion; wall and CPU seconds, peak RSS (MB), exit code and stdout.

    stderr goes to ``log_path``. ``rss_mb`` is the peak of the memory of the child and all its
    descendants together, sampled every 0.5 s from ``/proc``: their proportional set sizes
    (PSS), so that pages forked processes share count once, not once per process, and never
    less than ``largest_rss_mb``, ``wait4``'s figure: the RSS of the largest single process.
    """
    log_path.parent.mkdir(parents=True, exist_ok=True)
    out_path = log_path.with_suffix(".out")
    with out_path.open("wb") as out, log_path.open("wb") as err:
        started = time.perf_counter()
        proc = subprocess.Popen(
            list(cmd), stdout=out, stderr=err, stdin=subprocess.DEVNULL, cwd=REPO, env=env
        )
        killer = threading.Timer(timeout, proc.kill)
        killer.start()
        sampler = TreeMemory(proc.pid)
        sampler.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            killer.cancel()
            sampler.stop()
        wall = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    return {
        "wall_s": wall,
        "cpu_s": usage.ru_utime + usage.ru_stime,
        # A run shorter than the sampling interval is seen barely started: never report less
        # than its largest process.
        "rss_mb": max(sampler.peak_kb, usage.ru_maxrss) / 1024,  # Linux: kilobytes
        "largest_rss_mb": usage.ru_maxrss / 1024,
        "rc": proc.returncode,
        "timed_out": wall > timeout,
        "stdout": out_path.read_text(encoding="utf-8", errors="replace"),
        "stderr_tail": _tail(log_path),
    }


class TreeMemory(threading.Thread):
    """Samples the summed memory (PSS) of a process and its descendants."""

    def __init__(self, pid: int, every: float = 0.5) -> None:
        # Reading smaps_rollup locks the process's memory map: more often slows it down.
        super().__init__(daemon=True)
        self.pid, self.every = pid, every
        self.peak_kb = 0
        self._done = threading.Event()

    def run(self) -> None:
        while not self._done.is_set():
            self.peak_kb = max(self.peak_kb, tree_pss_kb(self.pid))
            self._done.wait(self.every)

    def stop(self) -> None:
        self._done.set()
        self.join()


def tree_pss_kb(root: int) -> int:
    """Proportional set size of ``root`` and every process descended from it, in kB: what
    they hold together, shared pages counted once (Linux ``/proc/PID/smaps_rollup``)."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", "rb") as handle:
                    stat = handle.read()
                parents[int(entry)] = int(stat[stat.rindex(b")") + 2 :].split()[1])
            except (OSError, ValueError, IndexError):
                continue
    tree, frontier = {root}, [root]
    while frontier:
        parent = frontier.pop()
        children = [pid for pid, ppid in parents.items() if ppid == parent and pid not in tree]
        tree.update(children)
        frontier.extend(children)
    total = 0
    for pid in tree:
        try:
            with open(f"/proc/{pid}/smaps_rollup", "rb") as handle:
                for line in handle:
                    if line.startswith(b"Pss:"):
                        total += int(line.split()[1])
                        break
        except (OSError, ValueError):
            continue
    return total


def _tail(path: Path, lines: int = 1) -> str:
    text = path.read_text(encoding="utf-8", errors="replace").replace("\r", "\n")
    kept = [line.strip() for line in text.splitlines() if line.strip()]
    return " | ".join(kept[-lines:])


def _last_json(stdout: str) -> dict[str, Any]:
    for line in reversed(stdout.strip().splitlines()):
        if line.startswith("{"):
            return json.loads(line)
    raise ValueError("no JSON on stdout")


def dir_size(path: Path) -> int:
    """Bytes of all files under ``path`` (or of the file itself)."""
    if path.is_file():
        return path.stat().st_size
    if not path.exists():
        return 0
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def ensure_stock_venv(venv: Path = STOCK_VENV) -> Path:
    """The stock venv's python, creating the venv (whoosh 2.7.4 + jieba) if missing."""
    check = (
        "import sys, whoosh, jieba; jieba.setLogLevel(60); jieba.initialize();"
        " sys.exit(whoosh.versionstring() != '2.7.4')"
    )
    return ensure_venv(venv, STOCK_PACKAGES, check, log)


def searcher_command() -> list[str]:
    """How to run the searcher CLI: ``searcher`` on PATH, else ``python -m searcher.cli``."""
    found = shutil.which("searcher")
    return [found] if found else [sys.executable, "-m", "searcher.cli"]


def child_env() -> dict[str, str]:
    """The environment for children: this repo first on PYTHONPATH."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    return env


# --------------------------------------------------------------------------- systems


class System:
    """One search system: how to index a dump and how to run the query set on the index."""

    name = ""

    def __init__(self, work: Path, timeout: float) -> None:
        self.work = work
        self.timeout = timeout

    def index_path(self, subset: str) -> Path:
        return self.work / f"{self.name}-{subset}"

    def index_command(self, dump: Path, index: Path) -> list[str]:
        raise NotImplementedError

    def index(self, subset: str, dump: Path) -> dict[str, Any]:
        index = self.index_path(subset)
        cmd = self.index_command(dump, index)
        shown = " ".join(Path(c).name if os.sep in c else c for c in cmd)
        log(f"{self.name}: indexing: {shown}")
        result = run_measured(
            cmd, self.work / "logs" / f"{self.name}-{subset}-index.log", self.timeout, child_env()
        )
        if result["rc"] != 0:
            why = "timed out" if result["timed_out"] else f"exit {result['rc']}"
            raise RuntimeError(f"index: {why}: {result['stderr_tail'] or 'no message'}")
        result["index_mb"] = dir_size(index) / MB
        log(f"{self.name}: indexed in {result['wall_s']:.1f} s, {result['index_mb']:.1f} MB")
        return result

    def search(self, subset: str, timed: Path, warmup: Path) -> dict[str, Any]:
        raise NotImplementedError

    def first_result(self, subset: str, queries: list[Query]) -> dict[str, float]:
        """Seconds from launch to exit of a one-query command, per query kind (none here)."""
        return {}


class ScriptBaseline(System):
    """A baseline script with ``index DUMP OUT`` and ``query OUT QUERIES --warmup W`` modes."""

    script = ""

    def __init__(self, work: Path, timeout: float, python: str) -> None:
        super().__init__(work, timeout)
        self.python = python

    def index_command(self, dump: Path, index: Path) -> list[str]:
        return [self.python, str(HERE / self.script), "index", str(dump), str(index)]

    def search(self, subset: str, timed: Path, warmup: Path) -> dict[str, Any]:
        index = self.index_path(subset)
        cmd = [self.python, str(HERE / self.script), "query", str(index), str(timed)]
        cmd += ["--warmup", str(warmup)]
        log(f"{self.name}: querying")
        result = run_measured(
            cmd, self.work / "logs" / f"{self.name}-{subset}-query.log", self.timeout, child_env()
        )
        if result["rc"] != 0:
            raise RuntimeError(f"query: exit {result['rc']}: {result['stderr_tail']}")
        figures = _last_json(result["stdout"])
        figures["process_rss_mb"] = result["rss_mb"]
        return figures


class StockWhoosh(ScriptBaseline):
    name = "stock-whoosh"
    script = "stock_baseline.py"


class Fts5(ScriptBaseline):
    name = "fts5-rjieba"
    script = "fts5_baseline.py"

    def index_path(self, subset: str) -> Path:
        return self.work / f"{self.name}-{subset}.db"


class Searcher(System):
    name = "searcher"

    def index_command(self, dump: Path, index: Path) -> list[str]:
        return [*searcher_command(), "index", str(dump), "--index", str(index), "--rebuild"]

    def search(self, subset: str, timed: Path, warmup: Path) -> dict[str, Any]:
        if str(REPO) not in sys.path:
            sys.path.insert(0, str(REPO))
        from searcher.engine import Engine  # the engine under test, in this process

        log("searcher: querying (in process)")
        started = time.perf_counter()
        engine = Engine(self.index_path(subset))
        if hasattr(engine, "warm"):
            engine.warm()  # as `searcher serve` does before its first answer
        open_s = time.perf_counter() - started

        def one(query: Query) -> tuple[int | None, list[str]]:
            result = engine.search(
                query["q"],
                limit=10,
                since=query.get("since"),
                until=query.get("until"),
                facets=query["kind"] == "filtered",
            )
            return hit_count(result), top_hits(result)

        rows = querysets.time_queries(one, querysets.read(timed), querysets.read(warmup))
        close = getattr(engine, "close", None)
        if callable(close):
            close()
        return {"open_s": open_s, "summary": querysets.summarize(rows), "queries": rows}

    def first_result(self, subset: str, queries: list[Query]) -> dict[str, float]:
        """``searcher search Q --limit 1`` as a whole process, launch to exit (the median of
        three runs), for the first word and the first quoted phrase of the query set."""
        out = {}
        for kind in ("common", "phrase"):
            query = next(q for q in queries if q["kind"] == kind)
            cmd = [*searcher_command(), "search", query["q"], "--index",
                   str(self.index_path(subset)), "--limit", "1"]  # fmt: skip
            log_path = self.work / "logs" / f"{self.name}-{subset}-first-{kind}.log"
            walls = []
            for _ in range(3):
                result = run_measured(cmd, log_path, self.timeout, child_env())
                if result["rc"] != 0:
                    raise RuntimeError(f"search: exit {result['rc']}: {result['stderr_tail']}")
                walls.append(result["wall_s"])
            out[kind] = sorted(walls)[1]
        return out


_COUNT_NAMES = ("total", "total_hits", "hit_count", "num_hits", "n_hits", "count", "found")
_LIST_NAMES = ("hits", "results", "items", "docs")


def _field(obj: Any, name: str) -> Any:
    if isinstance(obj, dict):
        return obj.get(name)
    return getattr(obj, name, None)


def hit_count(result: Any) -> int | None:
    """The total number of hits in a search result, whatever its shape; None if not told."""
    for name in _COUNT_NAMES:
        value = _field(result, name)
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    return None


def top_hits(result: Any) -> list[str]:
    """``url title`` of each returned hit, best effort."""
    hits = result if isinstance(result, list) else None
    for name in _LIST_NAMES:
        if hits is None and isinstance(_field(result, name), list | tuple):
            hits = list(_field(result, name))
    shown = []
    for hit in hits or []:
        where = _field(hit, "url") or _field(hit, "id") or _field(hit, "path")
        shown.append(f"{where or ''} {_field(hit, 'title') or ''}".strip())
    return shown


# --------------------------------------------------------------------------- the run


def measure(
    systems: list[System],
    subset: str,
    dump: Path,
    timed: Path,
    warmup: Path,
    reuse: bool,
) -> dict[str, Any]:
    """Index and query ``dump`` with every system; figures or ``{"error"}`` per system."""
    stories, size = xwlb.count_lines(dump), dump.stat().st_size
    figures: dict[str, Any] = {"dump": str(dump), "stories": stories, "bytes": size, "systems": {}}
    for system in systems:
        entry: dict[str, Any] = {}
        try:
            if reuse and system.index_path(subset).exists():
                log(f"{system.name}: reusing {system.index_path(subset)}")
                entry["index"] = {"index_mb": dir_size(system.index_path(subset)) / MB}
            else:
                entry["index"] = system.index(subset, dump)
                entry["index"]["stories_per_s"] = stories / entry["index"]["wall_s"]
                entry["index"]["mb_per_s"] = size / MB / entry["index"]["wall_s"]
            entry["queries"] = system.search(subset, timed, warmup)
            entry["first_result"] = system.first_result(subset, querysets.read(timed))
        except Exception as error:  # one system failing must not hide the others
            what = str(error) if isinstance(error, RuntimeError) else ""
            entry["error"] = what or f"{type(error).__name__}: {error}".strip()
            log(f"{system.name}: not available ({entry['error']})")
        figures["systems"][system.name] = entry
    return figures


def _fmt(value: float | None) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if isinstance(value, int):
        return f"{value:,}"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    if abs(value) >= 100:
        return f"{value:.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    if abs(value) >= 1:
        return f"{value:.2f}"
    return f"{value:.3f}"


def _cell(value: float | None, base: float | None, ratio: bool = True) -> str:
    text = _fmt(value)
    if not ratio or text == "-" or base is None or not base or math.isnan(base):
        return text
    return f"{text} ({value / base:.2f}x)"


def _get(entry: dict[str, Any], *keys: str) -> Any:
    for key in keys:
        if not isinstance(entry, dict):
            return None
        entry = entry.get(key)
    return entry


def _base(names: Sequence[str]) -> str:
    return "stock-whoosh" if "stock-whoosh" in names else names[0]


def aligned(rows: list[list[str]]) -> str:
    """``rows`` as a plain-text table: the first column left-aligned, the others right, a
    rule under the first row."""
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = []
    for number, cells in enumerate(rows):
        line = (
            cells[0].ljust(widths[0])
            + "  "
            + "  ".join(c.rjust(w) for c, w in zip(cells[1:], widths[1:], strict=True))
        )
        lines.append(line.rstrip())
        if number == 0:
            lines.append("-" * len(lines[0]))
    return "\n".join(lines)


def table(figures: dict[str, Any], names: Sequence[str]) -> str:
    """One subset's figures as an aligned plain-text table (ratios to the first system)."""
    systems = figures["systems"]
    base_name = _base(names)
    rows: list[list[str]] = [["", *names]]

    def row(label: str, *keys: str, ratio: bool = True) -> None:
        base = _get(systems.get(base_name, {}), *keys)
        rows.append([label, *(_cell(_get(systems[n], *keys), base, ratio) for n in names)])

    row("index: wall s", "index", "wall_s")
    row("index: CPU s", "index", "cpu_s")
    row("index: stories/s", "index", "stories_per_s")
    row("index: MB/s", "index", "mb_per_s")
    row("index: peak RSS MB (all processes)", "index", "rss_mb")
    row("index: size on disk MB", "index", "index_mb")
    row("query: open index s", "queries", "open_s")
    row("start-up: word, launch to exit s", "first_result", "common")
    row("start-up: quoted, launch to exit s", "first_result", "phrase")
    if any(_get(systems[n], "queries", "summary", "all", "errors") for n in names):
        row("query: failed queries", "queries", "summary", "all", "errors", ratio=False)
    for kind in (*querysets.KINDS, "all"):
        for pct in ("p50", "p95", "p99"):
            row(f"{kind}: {pct} ms", "queries", "summary", kind, f"{pct}_ms")
        cells = []
        for name in names:
            summary = _get(systems[name], "queries", "summary", kind) or {}
            median, zero = summary.get("hits_median"), summary.get("zero_hit_pct")
            cells.append(
                "-" if median is None or math.isnan(median) else f"{median:g} / {zero:.0f}%"
            )
        rows.append([f"{kind}: hits median / % zero", *cells])
    lines = aligned(rows).split("\n")
    for name in names:
        if "error" in systems[name]:
            lines.append(f"{name}: not available ({systems[name]['error']})")
    return "\n".join(lines)


PROJECTED_STORIES = 1_000_000
#: Indexing figures whose growth the scale table shows: key, label, unit at 1 million.
SCALED = (
    ("wall_s", "wall", "h", 3600),
    ("index_mb", "disk", "GB", 1024),
    ("rss_mb", "RSS", "GB", 1024),
)


def slope(points: Sequence[tuple[float, float]]) -> tuple[float, float]:
    """Least-squares line ``y = a + b x`` through ``points``: ``(a, b)``."""
    n = len(points)
    mean_x = sum(x for x, _ in points) / n
    mean_y = sum(y for _, y in points) / n
    spread = sum((x - mean_x) ** 2 for x, _ in points)
    b = sum((x - mean_x) * (y - mean_y) for x, y in points) / spread if spread else 0.0
    return mean_y - b * mean_x, b


def scale_table(report: dict[str, Any], names: Sequence[str]) -> str:
    """How indexing cost grows with the corpus: the least-squares slope over the subsets
    (seconds and MB per 1,000 stories) and the line's value at 1 million stories."""
    subsets = report["subsets"]
    header = ["", *(f"{label} /1k stories" for _, label, _, _ in SCALED)]
    header += [f"{label} at 1M ({unit})" for _, label, unit, _ in SCALED]
    rows = [header]
    for name in names:
        per_k, projected = [], []
        for key, _, _, divisor in SCALED:
            points = [
                (float(f["stories"]), float(v))
                for f in subsets.values()
                if (v := _get(f["systems"].get(name, {}), "index", key)) is not None
            ]
            if len(points) < 2:
                per_k.append("-")
                projected.append("-")
                continue
            fixed, per_story = slope(points)
            per_k.append(f"{per_story * 1000:.3g}")
            projected.append(f"{(fixed + per_story * PROJECTED_STORIES) / divisor:.3g}")
        rows.append([name, *per_k, *projected])
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    title = (
        f"== scale: indexing cost per 1,000 stories (least squares over {', '.join(subsets)})"
        f" and projected for {PROJECTED_STORIES:,} stories =="
    )
    lines = [title]
    for row in rows:
        lines.append(
            (
                row[0].ljust(widths[0])
                + "  "
                + "  ".join(c.rjust(w) for c, w in zip(row[1:], widths[1:], strict=True))
            ).rstrip()
        )
    return "\n".join(lines)


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "sqlite": sqlite3.sqlite_version,
        "time": time.strftime("%Y-%m-%d %H:%M:%S"),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="searcher vs stock Whoosh+jieba vs SQLite FTS5, side by side.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--subsets",
        default="2000,10000,all",
        help="comma-separated: 2000, 10000, all (default: all three)",
    )
    parser.add_argument("--quick", action="store_true", help="the 2000-story subset only")
    parser.add_argument(
        "--systems",
        default="stock,fts5,searcher",
        help="comma-separated: stock, fts5, searcher (default: all)",
    )
    parser.add_argument("--json", type=Path, metavar="FILE", help="save the raw figures")
    parser.add_argument(
        "--reuse-indexes",
        action="store_true",
        help="skip indexing where an index from an earlier run exists",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=3600,
        help="seconds allowed for one index or query process (3600)",
    )
    args = parser.parse_args(argv)

    subsets = ["2000"] if args.quick else [s.strip() for s in args.subsets.split(",") if s.strip()]
    unknown = [s for s in subsets if s not in xwlb.SUBSETS]
    names = [SYSTEM_ALIASES.get(s.strip(), s.strip()) for s in args.systems.split(",")]
    names = [n for n in SYSTEMS if n in names]
    if unknown or not names:
        parser.error(f"unknown subset(s) {unknown}" if unknown else "no known system")

    log("building the xwlb dumps and the query set")
    dumps = xwlb.build()
    querysets.load(dump=dumps["all"])
    querysets.load_warmup(dump=dumps["all"])
    timed, warmup = querysets.QUERIES_PATH, querysets.WARMUP_PATH

    work = OUT / "idx"
    systems: list[System] = []
    stock_error = None
    for name in names:
        if name == "stock-whoosh":
            try:
                python = str(ensure_stock_venv())
            except (subprocess.CalledProcessError, OSError) as error:
                stock_error = f"cannot set up {STOCK_VENV}: {error}"
                log(stock_error)
                continue
            systems.append(StockWhoosh(work, args.timeout, python))
        elif name == "fts5-rjieba":
            systems.append(Fts5(work, args.timeout, sys.executable))
        else:
            systems.append(Searcher(work, args.timeout))

    report: dict[str, Any] = {"machine": machine(), "subsets": {}}
    blocks = []
    for subset in subsets:
        figures = measure(systems, subset, dumps[subset], timed, warmup, args.reuse_indexes)
        if stock_error:
            figures["systems"]["stock-whoosh"] = {"error": stock_error}
        report["subsets"][subset] = figures
        shown = [n for n in names if n in figures["systems"]]
        title = (
            f"== xwlb-{subset}: {figures['stories']:,} stories, {figures['bytes'] / MB:.1f} MB;"
            f" {len(querysets.read(timed))} queries; (x) = ratio to {_base(shown)} =="
        )
        blocks.append(title + "\n" + table(figures, shown))
        print(blocks[-1] + "\n", flush=True)

    if len(subsets) > 1:
        print(scale_table(report, names) + "\n")
    info = report["machine"]
    load = " / ".join(f"{x:.1f}" for x in info["load_average"])
    print(
        f"machine: {info['cpu']}, {info['cores']} cores, Python {info['python']}, "
        f"SQLite {info['sqlite']}; load average at start {load} (1/5/15 min)"
    )
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
        log(f"raw figures saved to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
