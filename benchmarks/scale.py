"""Scale: searcher on synthetic corpora of 20,000 to 1,000,000 articles (issue 18).

    python benchmarks/scale.py --sizes 20000                    # a few minutes
    python benchmarks/scale.py                                  # 20k and 200k
    nohup python benchmarks/scale.py --sizes 20000,200000,1000000 \\
        --json benchmarks/out/scale-1m.json > /tmp/scale-1m.log 2>&1 &

The corpus (seeded, deterministic): article ``n`` is a real xwlb title with the suffix
``（之n）``, 3-12 paragraphs drawn at random from the xwlb story bodies, a random date from
2010-01-01 to 2024-12-31 and the url ``https://siteNN.scale.example/F/n.html`` (20 made-up
sites), written as JSON Lines (``url``, ``title``, ``date``, ``text``) in files of 10,000.
File ``k`` depends only on the seed and ``k``, so the files are generated once into
``out/scale/files/`` and hard-linked into ``out/scale/corpus-<N>/`` (its first N/10,000).
One story in 20 is held back from the paragraph pool; one article in 100 carries one of its
paragraphs instead of a drawn one, so words found nowhere else stay rare (document frequency
1-5) at every size; the ``rare`` queries are drawn from them. The 1,000 articles added to
each index (``out/scale/add-1000/``) are numbered from 9,000,000 and hold no held-back
paragraph.

Per size, on a fresh index (``out/scale/idx-<N>/``):

``index``
    ``searcher index corpus-<N> --index DIR --rebuild`` as a whole process (perf.py's
    ``run_measured``): wall and CPU seconds, peak memory of the process tree (summed PSS),
    size on disk (hard links counted once), disk / text (title + text, UTF-8 bytes), and the
    processes carrying this run's environment that outlive it (at exit, and still there 10 s
    later; those are then killed by pid).
``add 1,000``
    ``searcher index corpus-<N> add-1000/add-1000.jsonl --index DIR``: the corpus files are
    skipped on size and mtime (the summary is checked: 1 new, N/10,000 unchanged), the new
    file indexed; the same figures.
``CLI``
    ``searcher search Q --index DIR``, launch to exit, the median of 3, for 经济, "改革" and
    经济 发展.
``server``
    ``searcher serve --index DIR --port P`` at its defaults (4 threads, a worker per core):
    seconds from launch to the first 200 of ``/api/search?q=经济``, PSS of its process tree
    after 25 warm-up queries (``queries.py``'s warm-up set, over 8 connections so every
    worker gets some), then, on one keep-alive connection, ``--requests`` (40) timed requests
    per kind cycling through its ``--distinct`` (20) queries; then ``--clients`` (8) clients
    for ``--seconds`` (20) over every query, round-robin (web_load.py's ``run_clients``):
    p95, errors, requests/s and the peak PSS meanwhile. ``/api/search`` always computes the
    facets and the timeline (web/app.py), and every answer is checked for them.
``fts5-rjieba`` / ``fts5-trigram``
    SQLite FTS5 on the same articles, each built and then given the same 1,000 articles by a
    process of this script (``scale.py fts5-index``), timed as searcher is: rjieba tokens as
    in fts5_baseline.py (its schema, segmenting and MATCH expressions), and a contentless
    ``trigram`` table for quoted strings of 3 characters or more (it cannot serve 2); the
    same timed queries in this process.

Query kinds: ``common`` (经济 and 19 common words of ``queries.py``), ``two_words`` (长江 生态
and 19 pairs), ``quoted2`` ("改革" and 19 quoted 2-character words), ``phrase`` ("高质量发展"
and 4-8 character phrases), ``dated`` (the common words with since=2018-01-01 and
until=2019-12-31), ``rare`` (20 words of document frequency 1-5 in corpus-<N>).

Beside each figure is the issue's target at 1,000,000 articles: ✓/✗ only at that size; at
smaller sizes ``!`` marks a figure already over it. With several sizes, a last table shows
each figure per size, its slope per 100,000 articles between consecutive sizes and, if 1M
was not measured, the least-squares line's value there. Progress goes to stderr, tables to
stdout, ``--json FILE`` keeps every figure.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import hashlib
import http.client
import itertools
import json
import os
import random
import re
import shutil
import signal
import sqlite3
import stat
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

import fts5_baseline  # noqa: E402
import queries as querysets  # noqa: E402
import xwlb  # noqa: E402
from perf import (  # noqa: E402
    MB,
    TreeMemory,
    _fmt,
    aligned,
    child_env,
    machine,
    run_measured,
    searcher_command,
    slope,
    tree_pss_kb,
)
from web_load import free_port, path_of, run_clients  # noqa: E402

SCRATCH = HERE / "out" / "scale"
POOL = SCRATCH / "files"
ADD_DIR = SCRATCH / "add-1000"
#: Bump when the generator changes: cached files of another version are written again.
GENERATOR = 1
SEED = 18
FILE_ARTICLES = 10_000
ADD_ARTICLES = 1_000
ADD_FIRST = 9_000_000
SITES = 20
FIRST_DAY = dt.date(2010, 1, 1)
DAYS = (dt.date(2024, 12, 31) - FIRST_DAY).days + 1
#: Story ``i`` with ``i % RESERVE_EVERY == RESERVE_EVERY - 1`` is held back from the pool.
RESERVE_EVERY = 20
#: Article ``n`` with ``n % RARE_EVERY == RARE_AT`` carries one held-back paragraph.
RARE_EVERY, RARE_AT = 100, 7
TARGET_SIZE = 1_000_000
TOKEN_VAR = "SEARCHER_SCALE_RUN"

KINDS = ("common", "two_words", "quoted2", "phrase", "dated", "rare")
KIND_LABELS = {
    "common": "common word",
    "two_words": "two words",
    "quoted2": "quoted 2 chars",
    "phrase": "quoted 4-8 chars",
    "dated": "word + 2 years",
    "rare": "rare word",
}
DATED = {"since": "2018-01-01", "until": "2019-12-31"}
CLI_QUERIES = ("经济", '"改革"', "经济 发展")
SYSTEMS = ("searcher", "fts5-rjieba", "fts5-trigram")
TRIGRAM_SCHEMA = """
CREATE TABLE info(articles INTEGER NOT NULL);
INSERT INTO info VALUES (0);
CREATE VIRTUAL TABLE tri USING fts5(title, text, content='', tokenize='trigram');
"""

Query = dict[str, str]
Figures = dict[str, Any]


def log(message: str) -> None:
    print(f"[scale {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- corpus


@dataclass
class Pool:
    """What articles are made of: xwlb titles, the paragraph pool and the held-back paragraphs."""

    titles: list[str]
    paragraphs: list[str]
    reserve: list[str]

    @classmethod
    def load(cls, dump: Path) -> Pool:
        titles, paragraphs, reserve = [], [], []
        with dump.open(encoding="utf-8") as handle:
            for number, line in enumerate(handle):
                story = json.loads(line)
                if story.get("title"):
                    titles.append(story["title"])
                held = number % RESERVE_EVERY == RESERVE_EVERY - 1
                kept = [p for p in story["text"].split("\n") if p.strip()]
                (reserve if held else paragraphs).extend(kept)
        return cls(titles, paragraphs, reserve)

    def reserve_index(self, number: int) -> int | None:
        """The held-back paragraph article ``number`` of the corpus carries, if any."""
        if number % RARE_EVERY != RARE_AT:
            return None
        return (number // RARE_EVERY) % len(self.reserve)


@dataclass
class Corpus:
    size: int
    folder: Path
    files: list[Path]
    text_bytes: int


def make_article(rng: random.Random, pool: Pool, number: int, rare: bool) -> dict[str, str]:
    """Article ``number``: a real title made unique, 3-12 pool paragraphs, a date, a url."""
    paragraphs = [rng.choice(pool.paragraphs) for _ in range(rng.randint(3, 12))]
    held = pool.reserve_index(number) if rare else None
    if held is not None:
        paragraphs[rng.randrange(len(paragraphs))] = pool.reserve[held]
    day = FIRST_DAY + dt.timedelta(days=rng.randrange(DAYS))
    return {
        "url": f"https://site{number % SITES:02d}.scale.example/{number // FILE_ARTICLES}/"
        f"{number}.html",
        "title": f"{rng.choice(pool.titles)}（之{number}）",
        "date": day.isoformat(),
        "text": "\n".join(paragraphs),
    }


def write_articles(
    path: Path, pool: Pool, first: int, count: int, key: str, rare: bool
) -> dict[str, int]:
    """Write ``count`` articles numbered from ``first`` (seeded by ``key``) to ``path``."""
    rng = random.Random(f"{SEED}:{GENERATOR}:{key}")
    text_bytes = 0
    tmp = path.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8") as out:
        for number in range(first, first + count):
            article = make_article(rng, pool, number, rare)
            text_bytes += len((article["title"] + article["text"]).encode("utf-8"))
            out.write(json.dumps(article, ensure_ascii=False) + "\n")
    tmp.replace(path)
    return {"articles": count, "text_bytes": text_bytes}


def _manifest() -> dict[str, Any]:
    path = POOL / "manifest.json"
    version = {"generator": GENERATOR, "seed": SEED}
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        manifest = {}
    if manifest.get("version") != version:
        shutil.rmtree(POOL, ignore_errors=True)
        for old in SCRATCH.glob("corpus-*"):
            shutil.rmtree(old, ignore_errors=True)
        shutil.rmtree(ADD_DIR, ignore_errors=True)
        manifest = {"version": version, "files": {}}
    return manifest


def _save_manifest(manifest: dict[str, Any]) -> None:
    POOL.mkdir(parents=True, exist_ok=True)
    (POOL / "manifest.json").write_text(json.dumps(manifest, indent=1), encoding="utf-8")


def ensure_corpus(size: int, pool: Pool) -> Corpus:
    """``corpus-<size>/``: hard links to the first size/10,000 files, each generated once."""
    manifest = _manifest()
    POOL.mkdir(parents=True, exist_ok=True)
    folder = SCRATCH / f"corpus-{size}"
    folder.mkdir(parents=True, exist_ok=True)
    names = [f"part-{k:05d}.jsonl" for k in range(size // FILE_ARTICLES)]
    text_bytes = 0
    for k, name in enumerate(names):
        source = POOL / name
        if name not in manifest["files"] or not source.exists():
            log(f"generating {name} ({k + 1} of {len(names)})")
            first = k * FILE_ARTICLES
            manifest["files"][name] = write_articles(
                source, pool, first, FILE_ARTICLES, f"part:{k}", rare=True
            )
            _save_manifest(manifest)
        text_bytes += manifest["files"][name]["text_bytes"]
        link = folder / name
        if not link.exists() or not os.path.samefile(link, source):
            link.unlink(missing_ok=True)
            try:
                os.link(source, link)
            except OSError:
                shutil.copy2(source, link)
    for stray in folder.iterdir():
        if stray.name not in names:
            stray.unlink()
    return Corpus(size, folder, [folder / n for n in names], text_bytes)


def ensure_add_file(pool: Pool) -> Path:
    """The 1,000 new articles added to every index (generated once)."""
    manifest = _manifest()
    path = ADD_DIR / f"add-{ADD_ARTICLES}.jsonl"
    if "add" not in manifest or not path.exists():
        ADD_DIR.mkdir(parents=True, exist_ok=True)
        manifest["add"] = write_articles(path, pool, ADD_FIRST, ADD_ARTICLES, "add", rare=False)
        _save_manifest(manifest)
    return path


# --------------------------------------------------------------------------- queries


def _cjk(word: str, low: int, high: int) -> bool:
    return querysets.is_cjk_word(word, low, high) and not any(
        b in word for b in querysets._BOILERPLATE
    )


def rare_words(pool: Pool, size: int, count: int, pool_words: set[str]) -> list[Query]:
    """``count`` words found in 1-5 articles of corpus-<size>: dictionary words of the
    held-back paragraphs it carries that no pool paragraph or title holds, even inside a
    longer word."""
    import rjieba

    uses = Counter(
        held
        for number in range(RARE_AT, size, RARE_EVERY)
        if (held := pool.reserve_index(number)) is not None
    )
    candidates = sorted(
        {
            word
            for held in uses
            for word in rjieba.cut(pool.reserve[held])
            if _cjk(word, 2, 4)
            and word not in pool_words
            # a dictionary word, not a run the HMM glued together (郝鹏作, 尹锡悦致)
            and rjieba.cut(word, False) == [word]
        }
    )
    random.Random(f"{SEED}:rare:{size}").shuffle(candidates)
    everywhere = "\n".join(pool.paragraphs) + "\n" + "\n".join(pool.titles)
    out: list[Query] = []
    for word in candidates:
        if len(out) == count:
            break
        df = sum(n for held, n in uses.items() if word in pool.reserve[held])
        if 1 <= df <= 5 and word not in everywhere:
            out.append({"kind": "rare", "q": word, "df": str(df)})
    return out


def pool_words(pool: Pool) -> set[str]:
    """Every rjieba word of the pool paragraphs and the titles."""
    import rjieba

    words: set[str] = set()
    for text in itertools.chain(pool.paragraphs, pool.titles):
        words.update(rjieba.cut(text))
    return words


def query_sets(pool: Pool, size: int, distinct: int, words: set[str]) -> dict[str, list[Query]]:
    """The queries of each kind: the issue's example first, then words of ``queries.py``'s
    set (drawn from xwlb) that the pool paragraphs hold."""
    drawn = querysets.load(dump=xwlb.build()["all"])
    text = "\n".join(pool.paragraphs)

    def of(kind: str) -> list[str]:
        return [q["q"] for q in drawn if q["kind"] == kind]

    def first(named: str, more: Sequence[str]) -> list[str]:
        picked = [named]
        for q in more:
            inner = q.strip('"')
            if q not in picked and all(part in text for part in inner.split()):
                picked.append(q)
        return picked[:distinct]

    common = first("经济", of("common"))
    two_chars = [w for q in of("common") + of("two_words") for w in q.split() if _cjk(w, 2, 2)]
    phrases = [q for q in of("phrase") if 4 <= len(q.strip('"')) <= 8]
    sets = {
        "common": [{"q": q} for q in common],
        "two_words": [{"q": q} for q in first("长江 生态", of("two_words"))],
        "quoted2": [{"q": f'"{w}"'} for w in first("改革", two_chars)],
        "phrase": [{"q": q} for q in first('"高质量发展"', phrases)],
        "dated": [{"q": q, **DATED} for q in common],
        "rare": rare_words(pool, size, distinct, words),
    }
    return {kind: [{"kind": kind, **q} for q in sets[kind]] for kind in KINDS}


def cycled(queries: Sequence[Query], count: int) -> list[Query]:
    """``count`` queries, going round ``queries``."""
    return [queries[i % len(queries)] for i in range(count)] if queries else []


# --------------------------------------------------------------------------- processes


def token_processes(token: str) -> list[dict[str, Any]]:
    """Running processes whose environment carries ``TOKEN_VAR=token``."""
    marker = f"{TOKEN_VAR}={token}".encode() + b"\0"
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            with open(f"/proc/{entry}/environ", "rb") as handle:
                if marker not in handle.read() + b"\0":
                    continue
            with open(f"/proc/{entry}/cmdline", "rb") as handle:
                command = handle.read().replace(b"\0", b" ").decode(errors="replace").strip()
        except OSError:
            continue
        found.append({"pid": int(entry), "cmd": command[:200]})
    return found


def left_behind(token: str, grace: float = 10.0) -> dict[str, Any]:
    """Processes of a finished run still alive at its exit and ``grace`` seconds later;
    those still there are killed (by pid: they are this benchmark's)."""
    at_exit = token_processes(token)
    still = at_exit
    deadline = time.monotonic() + grace
    while still and time.monotonic() < deadline:
        time.sleep(0.5)
        still = token_processes(token)
    for process in still:
        with contextlib.suppress(ProcessLookupError):
            os.kill(process["pid"], signal.SIGKILL)
    if at_exit:
        log(f"{len(at_exit)} processes outlived the run, {len(still)} after {grace:g} s")
    return {"at_exit": len(at_exit), "after_grace": len(still), "processes": at_exit}


def measured(cmd: Sequence[str], name: str, size: int, timeout: float) -> dict[str, Any]:
    """``run_measured`` with a token in the environment, and what the run left behind."""
    token = f"{os.getpid()}-{name}-{size}-{time.monotonic_ns()}"
    env = {**child_env(), TOKEN_VAR: token}
    result = run_measured(cmd, SCRATCH / "logs" / f"{name}-{size}.log", timeout, env)
    result["left_behind"] = left_behind(token)
    if result["rc"] != 0:
        why = "timed out" if result["timed_out"] else f"exit {result['rc']}"
        raise RuntimeError(f"{name}: {why}: {result['stderr_tail'] or 'no message'}")
    return result


def disk_bytes(path: Path) -> int:
    """Bytes of the files under ``path``, a file hard-linked twice counted once."""
    seen, total = set(), 0
    for item in [path, *path.rglob("*")] if path.is_dir() else [path]:
        try:
            info = os.lstat(item)
        except FileNotFoundError:
            continue
        if stat.S_ISREG(info.st_mode) and (info.st_dev, info.st_ino) not in seen:
            seen.add((info.st_dev, info.st_ino))
            total += info.st_size
    return total


_SUMMARY_RE = re.compile(
    r"files: (?P<new>\d+) new, (?P<changed>\d+) changed, (?P<unchanged>\d+) unchanged.*?"
    r"articles: (?P<added>\d+) added, (?P<removed>\d+) removed, (?P<duplicates>\d+) duplicate"
)


def index_summary(stdout: str) -> dict[str, Any]:
    """The counts of ``searcher index``'s summary line."""
    line = next((x for x in reversed(stdout.splitlines()) if "files:" in x), "")
    match = _SUMMARY_RE.search(line)
    counts = {k: int(v) for k, v in match.groupdict().items()} if match else {}
    return {"summary": line.strip(), **counts}


def _index_figures(result: dict[str, Any], index: Path, text_bytes: int) -> dict[str, Any]:
    figures = {k: v for k, v in result.items() if k != "stdout"}
    figures.update(index_summary(result["stdout"]))
    figures["index_bytes"] = disk_bytes(index)
    figures["index_mb"] = figures["index_bytes"] / MB
    figures["disk_ratio"] = figures["index_bytes"] / text_bytes
    figures["left_at_exit"] = result["left_behind"]["at_exit"]
    return figures


# --------------------------------------------------------------------------- searcher


def measure_index(corpus: Corpus, index: Path, timeout: float) -> dict[str, Any]:
    """``searcher index corpus-<N> --index DIR --rebuild`` into a fresh folder."""
    shutil.rmtree(index, ignore_errors=True)
    log(f"searcher: indexing {corpus.size:,} articles")
    cmd = [*searcher_command(), "index", str(corpus.folder), "--index", str(index), "--rebuild"]
    result = measured(cmd, "searcher-index", corpus.size, timeout)
    figures = _index_figures(result, index, corpus.text_bytes)
    log(f"searcher: indexed in {figures['wall_s']:.1f} s, {figures['index_mb']:.0f} MB")
    return figures


def measure_add(corpus: Corpus, add: Path, index: Path, timeout: float) -> dict[str, Any]:
    """``searcher index corpus-<N> ADD --index DIR``: only the new file is read."""
    log(f"searcher: adding {ADD_ARTICLES:,} articles")
    cmd = [*searcher_command(), "index", str(corpus.folder), str(add), "--index", str(index)]
    result = measured(cmd, "searcher-add", corpus.size, timeout)
    figures = _index_figures(result, index, corpus.text_bytes)
    # The cleaner may split a page in several articles (a 国内联播快讯 paragraph among them):
    # more than 1,000 articles can be added, from the one new file.
    figures["only_new_file"] = (
        figures.get("new") == 1
        and figures.get("changed") == 0
        and figures.get("unchanged") == len(corpus.files)
    )
    if not figures["only_new_file"]:
        log(f"searcher: the add run did more than add one file: {figures['summary']}")
    log(f"searcher: added in {figures['wall_s']:.1f} s")
    return figures


def measure_cli(index: Path, size: int, timeout: float, runs: int = 3) -> dict[str, Any]:
    """``searcher search Q --index DIR``, launch to exit, the median of ``runs``."""
    out = {}
    for query in CLI_QUERIES:
        walls, first_line, left = [], "", 0
        for _ in range(runs):
            cmd = [*searcher_command(), "search", query, "--index", str(index)]
            result = measured(cmd, "searcher-search", size, timeout)
            walls.append(result["wall_s"])
            first_line = (result["stdout"].strip().splitlines() or [""])[0]
            left = max(left, result["left_behind"]["at_exit"])
        out[query] = {
            "median_s": sorted(walls)[len(walls) // 2],
            "walls_s": walls,
            "first_line": first_line,
            "left_at_exit": left,
        }
        log(f"searcher: search {query}: {out[query]['median_s']:.2f} s ({first_line})")
    return out


def get(conn: http.client.HTTPConnection, path: str) -> tuple[int, bytes]:
    conn.request("GET", path)
    response = conn.getresponse()
    return response.status, response.read()


def answer_error(status: int, body: bytes) -> str | None:
    """Why an ``/api/search`` answer is not a full one (None: it is)."""
    if status != 200:
        return f"HTTP {status}: {body[:200]!r}"
    if b'"facets"' not in body or b'"timeline"' not in body:
        return "no facets or timeline in the answer"
    return None


def start_server(
    index: Path, size: int, port: int, token: str, timeout: float
) -> tuple[subprocess.Popen[bytes], float]:
    """``searcher serve`` at its defaults; the server and the seconds from launch to its first
    full answer of ``/api/search?q=经济``.

    web_load.py's ``start_server`` gives up after 60 s and waits for ``/api/stats``; this one
    times the first search answer and waits ``timeout``."""
    cmd = [*searcher_command(), "serve", "--index", str(index), "--port", str(port)]
    log_path = SCRATCH / "logs" / f"serve-{size}.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    path = path_of({"q": "经济"})
    started = time.perf_counter()
    with log_path.open("wb") as err:  # a pipe nobody reads would block the server
        server = subprocess.Popen(
            cmd, stderr=err, stdout=subprocess.DEVNULL, env={**child_env(), TOKEN_VAR: token}
        )
    while time.perf_counter() - started < timeout:
        if server.poll() is not None:
            raise RuntimeError(f"server exited: {log_path.read_text(errors='replace')[-300:]}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
            status, body = get(conn, path)
            conn.close()
            if answer_error(status, body) is None:
                return server, time.perf_counter() - started
        except OSError:
            time.sleep(0.05)
    server.kill()
    server.wait()
    raise RuntimeError(f"server did not answer within {timeout:g} s")


def stop_server(server: subprocess.Popen[bytes], token: str) -> dict[str, Any]:
    """SIGTERM (the server stops its workers), then what is left."""
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()
    return left_behind(token)


def warm_up(port: int, queries: Sequence[Query], connections: int = 8) -> int:
    """Each query once, round-robin over fresh connections (each worker gets some); errors."""
    conns = [http.client.HTTPConnection("127.0.0.1", port, timeout=600) for _ in range(connections)]
    errors = 0
    for number, query in enumerate(queries):
        try:
            errors += answer_error(*get(conns[number % connections], path_of(query))) is not None
        except (OSError, http.client.HTTPException):
            errors += 1
            conns[number % connections].close()
    for conn in conns:
        conn.close()
    return errors


def timed_requests(port: int, queries: Sequence[Query]) -> list[dict[str, Any]]:
    """Each query once on one keep-alive connection: ``{"kind", "q", "ms", "hits", "error"}``."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    records = []
    for query in queries:
        started = time.perf_counter()
        try:
            status, body = get(conn, path_of(query))
            ms = (time.perf_counter() - started) * 1000
            error = answer_error(status, body)
            hits = json.loads(body).get("total") if error is None else None
        except (OSError, http.client.HTTPException) as exc:
            ms, error, hits = (time.perf_counter() - started) * 1000, repr(exc), None
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
        records.append({"kind": query["kind"], "q": query["q"], "ms": ms, "hits": hits,
                        "error": error})  # fmt: skip
    conn.close()
    return records


def measure_server(
    index: Path, size: int, queries: dict[str, list[Query]], args: argparse.Namespace
) -> dict[str, Any]:
    """Start-up, memory, one-client latency per kind and the concurrent load."""
    token = f"{os.getpid()}-serve-{size}"
    port = free_port()
    log("searcher: starting the server")
    server, first_answer = start_server(index, size, port, token, args.server_timeout)
    figures: dict[str, Any] = {"first_answer_s": first_answer, "port": port}
    log(f"searcher: first answer {first_answer:.1f} s after launch")
    try:
        figures["warmup_errors"] = warm_up(port, querysets.load_warmup())
        figures["pss_warm_mb"] = tree_pss_kb(server.pid) / 1024
        log(f"searcher: server PSS after warm-up {figures['pss_warm_mb']:.0f} MB")
        timed = [q for kind in KINDS for q in cycled(queries[kind], args.requests)]
        records = timed_requests(port, timed)
        figures["queries"] = querysets.summarize(records)
        figures["records"] = records
        p95 = {k: v["p95_ms"] for k, v in figures["queries"].items() if k != "all"}
        log("searcher: p95 ms " + ", ".join(f"{k} {ms:.0f}" for k, ms in p95.items()))
        mixed = [q for group in itertools.zip_longest(*queries.values()) for q in group if q]
        sampler = TreeMemory(server.pid)
        sampler.start()
        log(f"searcher: {args.clients} clients for {args.seconds:g} s")
        try:
            load, elapsed = run_clients(port, mixed, args.clients, args.seconds)
        finally:
            sampler.stop()
        summary = querysets.summarize([{**r, "hits": None} for r in load])
        errors = [r for r in load if r["error"]]
        figures["load"] = {
            "clients": args.clients,
            "seconds": elapsed,
            "requests": len(load),
            "rps": len(load) / elapsed,
            "errors": len(errors),
            "first_errors": errors[:5],
            "summary": summary,
            "p50_ms": summary["all"]["p50_ms"],
            "p95_ms": summary["all"]["p95_ms"],
        }
        figures["pss_peak_mb"] = sampler.peak_kb / 1024
        figures["pss_end_mb"] = tree_pss_kb(server.pid) / 1024
        log(f"searcher: {len(load)} requests, p95 {summary['all']['p95_ms']:.0f} ms, "
            f"{len(errors)} errors")  # fmt: skip
    finally:
        left = stop_server(server, token)
        figures["left_behind"] = left
        figures["left_at_exit"] = left["at_exit"]
    return figures


# --------------------------------------------------------------------------- SQLite FTS5


def iter_articles(paths: Sequence[Path]) -> Iterator[dict[str, str]]:
    for path in paths:
        with path.open(encoding="utf-8") as handle:
            for line in handle:
                if line.strip():
                    yield json.loads(line)


def fts5_build(tokenizer: str, db: Path, paths: Sequence[Path], append: bool) -> dict[str, Any]:
    """Index the articles of ``paths`` into ``db`` (new unless ``append``): rjieba tokens in
    fts5_baseline.py's schema, or a contentless trigram table whose rowids are the same."""
    if not append:
        for old in (db, db.with_name(db.name + "-journal")):
            old.unlink(missing_ok=True)
    db.parent.mkdir(parents=True, exist_ok=True)
    con = sqlite3.connect(db)
    if not append:
        con.executescript(fts5_baseline.SCHEMA if tokenizer == "rjieba" else TRIGRAM_SCHEMA)
    count = 0
    with con:
        if tokenizer == "rjieba":
            for story in iter_articles(paths):
                fts5_baseline.add_story(con, story)
                count += 1
        else:
            (rowid,) = con.execute("SELECT articles FROM info").fetchone()
            for story in iter_articles(paths):
                rowid += 1
                con.execute(
                    "INSERT INTO tri(rowid, title, text) VALUES (?, ?, ?)",
                    (rowid, story.get("title") or "", story["text"]),
                )
                count += 1
            con.execute("UPDATE info SET articles = ?", (rowid,))
    con.close()
    return {"articles": count, "db_bytes": db.stat().st_size}


def fts5_main(argv: list[str]) -> int:
    """``scale.py fts5-index {rjieba,trigram} DB PATH... [--append]`` (run by the benchmark)."""
    parser = argparse.ArgumentParser(prog="scale.py fts5-index")
    parser.add_argument("tokenizer", choices=("rjieba", "trigram"))
    parser.add_argument("db", type=Path)
    parser.add_argument("paths", type=Path, nargs="+")
    parser.add_argument("--append", action="store_true")
    args = parser.parse_args(argv)
    print(json.dumps(fts5_build(args.tokenizer, args.db, args.paths, args.append)))
    return 0


def trigram_expression(q: str) -> str:
    """A quoted query as one FTS5 trigram phrase."""
    return '"' + q.strip().strip('"').replace('"', '""') + '"'


def trigram_queries(
    db: Path, words_db: Path, timed: list[Query], warmup: list[Query]
) -> dict[str, Any]:
    """The quoted queries of 3 characters or more on the trigram table, as fts5_baseline's
    ``run_queries`` runs its own: top 10 by rank (url and title from the rjieba database)
    and the count of all matches."""
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    con.execute("ATTACH DATABASE ? AS w", (f"file:{words_db}?mode=ro",))

    def one(query: Query) -> tuple[int, list[str]]:
        expression = trigram_expression(query["q"])
        rows = con.execute(
            "SELECT s.url, s.title FROM tri JOIN w.stories s ON s.id = tri.rowid"
            " WHERE tri MATCH ? ORDER BY tri.rank LIMIT 10",
            (expression,),
        )
        top = [f"{url} {title}" for url, title in rows]
        (hits,) = con.execute(
            "SELECT count(*) FROM tri WHERE tri MATCH ?", (expression,)
        ).fetchone()
        return hits, top

    rows = querysets.time_queries(one, timed, warmup)
    con.close()
    return {"summary": querysets.summarize(rows), "queries": rows}


def serves_trigram(query: Query) -> bool:
    """A quoted string of 3 characters or more: what the trigram tokenizer can answer."""
    q = query["q"].strip()
    return q.startswith('"') and q.endswith('"') and len(q.strip('"')) >= 3


def measure_fts5(
    corpus: Corpus, add: Path, queries: dict[str, list[Query]], args: argparse.Namespace
) -> dict[str, Figures]:
    """Both FTS5 tables: built, given the 1,000 articles, then the timed queries."""
    out: dict[str, Figures] = {}
    dbs = {t: SCRATCH / f"fts5-{t}-{corpus.size}.db" for t in ("rjieba", "trigram")}
    for tokenizer, db in dbs.items():
        name = f"fts5-{tokenizer}"
        entry: Figures = {}
        try:
            for step, paths, extra in (("index", corpus.files, []), ("add", [add], ["--append"])):
                log(f"{name}: {step}")
                cmd = [sys.executable, str(Path(__file__).resolve()), "fts5-index", tokenizer,
                       str(db), *map(str, paths), *extra]  # fmt: skip
                result = measured(cmd, f"{name}-{step}", corpus.size, args.timeout)
                entry[step] = _index_figures(result, db, corpus.text_bytes)
                done = entry[step]
                log(f"{name}: {step} {done['wall_s']:.1f} s, {done['index_mb']:.0f} MB")
        except Exception as error:
            entry["error"] = str(error)
            log(f"{name}: {error}")
        out[name] = entry
    timed = [q for kind in KINDS for q in cycled(queries[kind], args.requests)]
    warmup = querysets.load_warmup()
    if "error" not in out["fts5-rjieba"]:
        log("fts5-rjieba: queries")
        result = fts5_baseline.run_queries(dbs["rjieba"], timed, warmup)
        out["fts5-rjieba"]["queries"] = result["summary"]
        out["fts5-rjieba"]["records"] = result["queries"]
        if "error" not in out["fts5-trigram"]:
            log("fts5-trigram: queries")
            result = trigram_queries(
                dbs["trigram"],
                dbs["rjieba"],
                [q for q in timed if serves_trigram(q)],
                [q for q in warmup if serves_trigram(q)],
            )
            out["fts5-trigram"]["queries"] = result["summary"]
            out["fts5-trigram"]["records"] = result["queries"]
    return out


# --------------------------------------------------------------------------- one size


def measure_size(
    corpus: Corpus, add: Path, queries: dict[str, list[Query]], args: argparse.Namespace
) -> Figures:
    """Every figure of one corpus size; a step that fails leaves its ``error``."""
    figures: Figures = {
        "articles": corpus.size,
        "files": len(corpus.files),
        "text_bytes": corpus.text_bytes,
        "text_mb": corpus.text_bytes / MB,
        "queries": queries,
        "git": git_state(),
        "load_average_before": os.getloadavg(),
    }
    index = SCRATCH / f"idx-{corpus.size}"
    entry: Figures = {}
    steps: list[tuple[str, Callable[[], Any]]] = [
        ("index", lambda: measure_index(corpus, index, args.timeout)),
        ("add", lambda: measure_add(corpus, add, index, args.timeout)),
        ("cli", lambda: measure_cli(index, corpus.size, args.timeout)),
        ("server", lambda: measure_server(index, corpus.size, queries, args)),
    ]
    for name, step in steps:
        try:
            entry[name] = step()
            entry[name]["git"] = git_state()  # another session may change searcher/ meanwhile
        except Exception as error:
            entry.setdefault("errors", {})[name] = f"{type(error).__name__}: {error}"
            log(f"searcher: {name} failed: {error}")
            if name == "index":
                break
    server = entry.get("server", {})
    entry["queries"] = server.get("queries")
    figures["systems"] = {"searcher": entry}
    if not args.no_fts5:
        figures["systems"].update(measure_fts5(corpus, add, queries, args))
    figures["load_average_after"] = os.getloadavg()
    figures["git_after"] = git_state()
    return figures


# --------------------------------------------------------------------------- tables


@dataclass(frozen=True)
class Target:
    limit: float
    text: str

    def holds(self, value: float) -> bool:
        return value <= self.limit


@dataclass(frozen=True)
class Row:
    label: str
    keys: tuple[str, ...]
    target: Target | None = None
    #: Which systems have the figure.
    systems: tuple[str, ...] = ("searcher",)
    #: A cost that grows with the corpus (the slope table gives its slope), not a count
    #: or a ratio.
    scales: bool = True


ALL = SYSTEMS
GB = 1024.0
NONE_LEFT = Target(0, "0")


def _rows() -> list[Row]:
    rows = [
        Row("index: wall s", ("index", "wall_s"), Target(25 * 60, "≤ 1500 (25 min)"), ALL),
        Row("index: CPU s", ("index", "cpu_s"), None, ALL),
        Row(
            "index: peak MB (PSS, all processes)",
            ("index", "rss_mb"),
            Target(3 * GB, "≤ 3072"),
            ALL,
        ),
        Row("index: on disk MB", ("index", "index_mb"), None, ALL),
        Row("index: disk / text", ("index", "disk_ratio"), Target(3.5, "≤ 3.5"), ALL, False),
        Row("index: articles (as the cleaner splits pages)", ("index", "added"), scales=False),
        Row("index: duplicate copies found", ("index", "duplicates"), scales=False),
        Row("index: processes left at exit", ("index", "left_at_exit"), NONE_LEFT, scales=False),
        Row("add 1,000: wall s", ("add", "wall_s"), Target(10, "≤ 10"), ALL),
        Row("add 1,000: CPU s", ("add", "cpu_s"), None, ALL),
        Row("add 1,000: peak MB (PSS)", ("add", "rss_mb"), Target(GB, "≤ 1024"), ALL),
        Row("add 1,000: articles added", ("add", "added"), scales=False),
        Row("add 1,000: processes left at exit", ("add", "left_at_exit"), NONE_LEFT, scales=False),
        Row("add 1,000: on disk MB after", ("add", "index_mb"), None, ALL),
        Row("server: launch to first answer s", ("server", "first_answer_s"), Target(3, "≤ 3")),
        Row("server: PSS after warm-up MB", ("server", "pss_warm_mb"), Target(3 * GB, "≤ 3072")),
        Row("server: PSS peak under load MB", ("server", "pss_peak_mb"), Target(3 * GB, "≤ 3072")),
        Row(
            "server: processes left after stop", ("server", "left_at_exit"), NONE_LEFT, scales=False
        ),
    ]
    for query in CLI_QUERIES:
        target = Target(0.5, "≤ 0.5") if query != "经济 发展" else None
        rows.append(Row(f"CLI {query}: launch to exit s", ("cli", query, "median_s"), target))
    for kind in KINDS:
        label = KIND_LABELS[kind]
        limit = Target(20, "≤ 20") if kind == "rare" else Target(100, "≤ 100")
        rows += [
            Row(f"{label}: p50 ms", ("queries", kind, "p50_ms"), None, ALL),
            Row(f"{label}: p95 ms", ("queries", kind, "p95_ms"), limit, ALL),
            Row(f"{label}: hits median", ("queries", kind, "hits_median"), None, ALL, False),
        ]
    rows += [
        Row("8 clients: p95 ms", ("server", "load", "p95_ms"), Target(300, "≤ 300")),
        Row("8 clients: errors", ("server", "load", "errors"), Target(0, "0"), scales=False),
        Row("8 clients: requests/s", ("server", "load", "rps"), scales=False),
    ]
    return rows


ROWS = _rows()


def _get(entry: Any, keys: Sequence[str]) -> Any:
    for key in keys:
        if not isinstance(entry, dict):
            return None
        entry = entry.get(key)
    return entry


def _value(figures: Figures, system: str, row: Row) -> float | None:
    value = _get(figures.get("systems", {}).get(system), row.keys)
    return value if isinstance(value, int | float) and not isinstance(value, bool) else None


def _mark(value: float | None, target: Target | None, size: int) -> str:
    """✓/✗ at the target's size; below it, ``!`` when already over."""
    if value is None or target is None or value != value:  # NaN
        return ""
    if size >= TARGET_SIZE:
        return " ✓" if target.holds(value) else " ✗"
    return " !" if not target.holds(value) else ""


def size_table(figures: Figures) -> str:
    """One size: a column per system and the issue's target at 1M."""
    size = figures["articles"]
    names = [n for n in SYSTEMS if n in figures.get("systems", {})]
    rows = [["", *names, "target (1M)"]]
    for row in ROWS:
        cells = []
        for name in names:
            value = _value(figures, name, row) if name in row.systems else None
            mark = _mark(value, row.target, size) if name == "searcher" else ""
            cells.append(_fmt(value) + mark)
        if any(c != "-" for c in cells):
            rows.append([row.label, *cells, row.target.text if row.target else ""])
    title = (
        f"== {size:,} articles ({figures['files']} files of {FILE_ARTICLES:,}), "
        f"{figures['text_mb']:.0f} MB of text (title + text, UTF-8); queries after the add "
        f"({size + ADD_ARTICLES:,} articles) =="
    )
    notes = []
    searcher = figures["systems"].get("searcher", {})
    add = searcher.get("add") or {}
    if add and not add.get("only_new_file"):
        notes.append(f"note: the add run did more than add one file: {add.get('summary')}")
    for name in names:
        entry = figures["systems"][name]
        for step, error in (entry.get("errors") or {}).items():
            notes.append(f"{name}: {step} failed: {error}")
        if entry.get("error"):
            notes.append(f"{name}: failed: {entry['error']}")
    load = searcher.get("server", {}).get("load") or {}
    for error in load.get("first_errors", []):
        notes.append(f"8 clients: error: {error['q']}: {error['error']}")
    before, after = figures["load_average_before"][0], figures["load_average_after"][0]
    notes.append(f"searcher {figures['git']}; load average (1 min) {before:.1f} before, "
                 f"{after:.1f} after")  # fmt: skip
    if figures["git_after"] != figures["git"]:
        notes.append(f"searcher changed during the run: {figures['git_after']} at the end")
    return "\n".join([title, aligned(rows), *notes])


def slope_table(report: Figures) -> str:
    """Each figure per size, its slope per 100,000 articles between consecutive sizes and,
    without a measured 1M, the least-squares line's value there."""
    sizes = sorted(report["sizes"].values(), key=lambda f: f["articles"])
    counts = [f["articles"] for f in sizes]
    project = counts[-1] < TARGET_SIZE
    header = ["", *(f"{n // 1000:,}k" for n in counts)]
    header += [f"/100k {a // 1000}k→{b // 1000}k" for a, b in itertools.pairwise(counts)]
    header += ["1M (line)"] if project else []
    rows = [[*header, "target (1M)"]]
    for system in SYSTEMS:
        for row in ROWS:
            if system not in row.systems or (system != "searcher" and row.keys[0] != "index"):
                continue
            values = [_value(f, system, row) for f in sizes]
            if all(v is None for v in values):
                continue
            cells = [_fmt(v) + _mark(v, row.target if system == "searcher" else None, n)
                     for v, n in zip(values, counts, strict=True)]  # fmt: skip
            for (a, va), (b, vb) in itertools.pairwise(zip(counts, values, strict=True)):
                if not row.scales:
                    cells.append("")
                elif va is None or vb is None:
                    cells.append("-")
                else:
                    cells.append(_fmt((vb - va) / (b - a) * 1e5))
            if project and not row.scales:
                cells.append("")
            elif project:
                points = [
                    (float(n), v) for n, v in zip(counts, values, strict=True) if v is not None
                ]
                fixed, per = slope(points) if len(points) > 1 else (0.0, float("nan"))
                cells.append(_fmt(fixed + per * TARGET_SIZE) if len(points) > 1 else "-")
            label = row.label if system == "searcher" else f"{system} {row.label}"
            target = row.target.text if row.target and system == "searcher" else ""
            rows.append([label, *cells, target])
    return "== scale: per size, per 100,000 articles between sizes ==\n" + aligned(rows)


def git_state() -> str:
    """The commit measured, and a digest of what searcher/ and web/ hold beyond it."""

    def git(*args: str) -> str:
        command = ["git", "-C", str(REPO), *args]
        return subprocess.run(command, capture_output=True, text=True, check=True).stdout

    try:
        commit = git("rev-parse", "--short", "HEAD").strip()
        changed = git("status", "--porcelain", "--", "searcher", "web").splitlines()
        diff = git("diff", "HEAD", "--", "searcher", "web")
    except (OSError, subprocess.CalledProcessError):
        return "unknown commit"
    if not changed:
        return commit
    digest = hashlib.blake2b(diff.encode(), digest_size=4).hexdigest()
    return f"{commit} + uncommitted changes in {len(changed)} files (diff {digest})"


# --------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["fts5-index"]:
        return fts5_main(argv[1:])
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="20000,200000", help="articles, multiples of 10,000")
    parser.add_argument("--json", type=Path, metavar="FILE", help="save every figure here")
    parser.add_argument("--requests", type=int, default=40, help="timed requests per kind (40)")
    parser.add_argument("--distinct", type=int, default=20, help="queries per kind (20)")
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients (8)")
    parser.add_argument("--seconds", type=float, default=20.0, help="of concurrent load (20)")
    parser.add_argument("--no-fts5", action="store_true", help="searcher only")
    parser.add_argument(
        "--timeout", type=float, default=4 * 3600, help="seconds for one process (4 h)"
    )
    parser.add_argument(
        "--server-timeout", type=float, default=600, help="seconds to the first answer (600)"
    )
    args = parser.parse_args(argv)
    try:
        sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    except ValueError:
        parser.error("--sizes: comma-separated numbers")
    if not sizes or any(n < FILE_ARTICLES or n % FILE_ARTICLES for n in sizes):
        parser.error(f"--sizes: multiples of {FILE_ARTICLES:,}")

    log("loading the xwlb paragraph pool")
    pool = Pool.load(xwlb.build()["all"])
    words = pool_words(pool)
    add = ensure_add_file(pool)
    report: Figures = {"machine": machine(), "git": git_state(), "sizes": {}}
    for size in sizes:
        corpus = ensure_corpus(size, pool)
        queries = query_sets(pool, size, args.distinct, words)
        log(f"== {size:,} articles: " + ", ".join(f"{len(queries[k])} {k}" for k in KINDS))
        figures = measure_size(corpus, add, queries, args)
        report["sizes"][str(size)] = figures
        print(size_table(figures) + "\n", flush=True)
        if args.json:
            args.json.parent.mkdir(parents=True, exist_ok=True)
            args.json.write_text(json.dumps(report, ensure_ascii=False, indent=1), "utf-8")
    if len(sizes) > 1:
        print(slope_table(report) + "\n")
    info = report["machine"]
    report["git_after"] = git_state()
    changed = f", {report['git_after']} at the end" if report["git_after"] != report["git"] else ""
    print(
        f"searcher {report['git']}{changed}; {info['cpu']}, {info['cores']} cores, Python "
        f"{info['python']}, SQLite {info['sqlite']}; {info['time']}\n"
        f"target (1M): issue 18's, at 1,000,000 articles; ✓/✗ at that size only, "
        f"! = already over it at this size"
    )
    if args.json:
        log(f"figures saved to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
