"""Recall and precision of quoted queries, against ``grep -F`` over the export, side by side
with stock Whoosh + jieba's ChineseAnalyzer.

    python benchmarks/recall.py                         # the seeds and xwlb-2000
    python benchmarks/recall.py --corpora seeds,all     # the seeds and the whole xwlb corpus

For each corpus: index it with searcher, export it, and write the export in exact form (NFKC,
case, traditional -> simplified, whitespace removed; one line per title and per text). Draw
``--substrings`` random substrings (1–8 characters of real titles and texts) and ``--words``
real words (rjieba's segmentation of random articles); for each, the reference is the set of
articles ``grep -F`` finds in that file for the string in the same form. searcher answers
the quoted query (every page on corpora up to ``--paged-up-to`` articles, so ``total`` and
pagination are checked too; beyond, :meth:`Engine.matching_ids` and ``total``); stock
Whoosh 2.7.4 + jieba (``stock_baseline.py ids``, in its own venv: same import name as
whoosh3) indexes the same articles and answers the same quoted queries.

Printed per corpus and system: recall and precision over all (query, article) pairs, the
share of queries answered with exactly the reference set, queries that found nothing though
the text holds the string, and searcher's in-process latency of the quoted queries (first
page of 10, warm; p50/p95). ``--json FILE`` keeps every figure and the misses.

Indexes and exports go to ``benchmarks/out/recall/``; ``--reuse-indexes`` skips indexing
where an earlier run left one. ``--dumps DIR`` says where ``xwlb-N.jsonl`` are (made by
``xwlb.py``), ``--stock-venv DIR`` which venv has stock whoosh + jieba (``perf.py`` makes
``benchmarks/out/venv-stock``).
"""

from __future__ import annotations

import argparse
import json
import random
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
sys.path.insert(0, str(HERE))

from queries import percentile  # noqa: E402

from searcher.analysis import exact_form, terms  # noqa: E402
from searcher.engine import MAX_LIMIT, Engine, bundled_seeds  # noqa: E402
from searcher.exact import FILE as EXACT_FILE  # noqa: E402
from searcher.exact import SEGMENT_EXT  # noqa: E402

_CJK_WORD = re.compile(r"^[\u4e00-\u9fff]{2,6}$")


def log(message: str) -> None:
    print(f"[recall {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def dump_of(corpus: str, dumps: Path) -> Path:
    if corpus == "seeds":
        return bundled_seeds()
    return dumps / f"xwlb-{corpus}.jsonl"


def folder_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def build_searcher(corpus: str, source: Path, work: Path, reuse: bool) -> dict[str, Any]:
    """Index ``source`` into ``work/searcher``; seconds and sizes."""
    folder = work / "searcher"
    engine = Engine(folder)
    if reuse and engine.exists():
        log(f"{corpus}: reusing {folder}")
        seconds = None
    else:
        log(f"{corpus}: indexing {source} with searcher")
        started = time.perf_counter()
        engine.index([source], rebuild=True)
        seconds = time.perf_counter() - started
    generation = folder / (folder / "CURRENT").read_text().strip()
    return {
        "index_s": seconds,
        "index_bytes": folder_bytes(generation),
        # The segments' exact-match files (an older index: its one exact.bin).
        "exact_bytes": sum(
            path.stat().st_size
            for path in [*generation.glob(f"*{SEGMENT_EXT}"), generation / EXACT_FILE]
            if path.exists()
        ),
    }


def export(engine: Engine, work: Path) -> tuple[list[str], list[tuple[str, str]], Path, Path]:
    """Ids, raw (title, text) pairs, the exact-form grep file and the JSONL for stock."""
    ids: list[str] = []
    fields: list[tuple[str, str]] = []
    grep_file, jsonl = work / "export-exact.txt", work / "export.jsonl"
    with grep_file.open("w", encoding="utf-8") as plain, jsonl.open("w", encoding="utf-8") as js:
        for article in engine.export():
            ids.append(article.id)
            fields.append((article.title, article.text))
            plain.write(exact_form(article.title) + "\n" + exact_form(article.text) + "\n")
            record = {"url": article.id, "title": article.title, "text": article.text}
            js.write(json.dumps(record, ensure_ascii=False) + "\n")
    return ids, fields, grep_file, jsonl


def draw(fields: list[tuple[str, str]], substrings: int, words: int, seed: int) -> list[dict]:
    """Random substrings of real titles and texts, and real words, each once."""
    rng = random.Random(seed)
    texts = [t for pair in fields for t in pair if t.strip()]
    weights = [len(t) for t in texts]
    queries: dict[str, str] = {}
    while sum(1 for k in queries.values() if k == "substring") < substrings:
        text = rng.choices(texts, weights)[0]
        start = rng.randrange(len(text))
        needle = text[start : start + rng.randint(1, 8)]
        if exact_form(needle) and not any(q in needle for q in '"“”'):
            queries.setdefault(needle.strip(), "substring")
    tries = 0
    while sum(1 for k in queries.values() if k == "word") < words and tries < 100 * words:
        tries += 1
        title, text = rng.choice(fields)
        candidates = [w for w in terms(title + "\n" + text) if _CJK_WORD.match(w)]
        if candidates:
            queries.setdefault(rng.choice(candidates), "word")
    return [{"q": q, "kind": kind} for q, kind in queries.items()]


def grep_ids(needle: str, grep_file: Path, ids: list[str]) -> set[str]:
    """The articles whose title or text line holds ``needle``: ``grep -nF``."""
    run = subprocess.run(
        ["grep", "-nF", "--", exact_form(needle), str(grep_file)],
        capture_output=True,
        text=True,
        check=False,
    )
    if run.returncode > 1:
        raise RuntimeError(f"grep failed: {run.stderr.strip()}")
    lines = (int(line.split(":", 1)[0]) for line in run.stdout.splitlines())
    return {ids[(number - 1) // 2] for number in lines}


def searcher_ids(engine: Engine, needle: str, paged: bool) -> tuple[set[str], int]:
    """Every hit of the quoted query and the total ``search`` announced: read page by page
    (``paged``, snippets and all), else from :meth:`Engine.matching_ids`."""
    if not paged:
        return set(engine.matching_ids(f'"{needle}"')), engine.search(f'"{needle}"').total
    found: set[str] = set()
    page = 1
    while True:
        result = engine.search(f'"{needle}"', page=page, limit=MAX_LIMIT)
        found.update(hit.id for hit in result.hits)
        if page >= result.pages:
            return found, result.total
        page += 1


def stock_ids(
    python: Path, jsonl: Path, work: Path, queries: list[str], reuse: bool
) -> list[set[str]]:
    folder = work / "stock-whoosh"
    script = str(HERE / "stock_baseline.py")
    if not (reuse and folder.exists()):
        log(f"indexing {jsonl.name} with stock Whoosh + jieba")
        subprocess.run([str(python), script, "index", str(jsonl), str(folder)], check=True,
                       capture_output=True)  # fmt: skip
    strings = work / "strings.json"
    strings.write_text(json.dumps(queries, ensure_ascii=False), encoding="utf-8")
    log(f"{len(queries)} quoted queries on stock Whoosh")
    run = subprocess.run([str(python), script, "ids", str(folder), str(strings)], check=True,
                         capture_output=True, text=True)  # fmt: skip
    return [set(found) for found in json.loads(run.stdout)["found"]]


def score(reference: list[set[str]], found: list[set[str]]) -> dict[str, float]:
    hits = sum(len(r & f) for r, f in zip(reference, found, strict=True))
    relevant = sum(len(r) for r in reference)
    returned = sum(len(f) for f in found)
    return {
        "recall_pct": 100 * hits / relevant if relevant else 100.0,
        "precision_pct": 100 * hits / returned if returned else 100.0,
        "exact_set_pct": 100
        * sum(r == f for r, f in zip(reference, found, strict=True))
        / len(reference),
        "missed_queries": sum(1 for r, f in zip(reference, found, strict=True) if r and not f),
    }


def run_corpus(corpus: str, args: argparse.Namespace) -> dict[str, Any]:
    work = OUT / "recall" / corpus
    work.mkdir(parents=True, exist_ok=True)
    source = dump_of(corpus, args.dumps)
    if not source.exists():
        raise SystemExit(f"{source}: missing (python benchmarks/xwlb.py makes it)")
    built = build_searcher(corpus, source, work, args.reuse_indexes)
    engine = Engine(work / "searcher")
    ids, fields, grep_file, jsonl = export(engine, work)
    queries = draw(fields, args.substrings, args.words, args.seed)
    log(f"{corpus}: {len(ids)} articles, {len(queries)} queries; grep -F and searcher")
    reference = [grep_ids(q["q"], grep_file, ids) for q in queries]
    found, totals_ok = [], 0
    for q in queries:
        hits, total = searcher_ids(engine, q["q"], paged=len(ids) <= args.paged_up_to)
        found.append(hits)
        totals_ok += total == len(hits)
    latencies = []
    for q in queries:  # warm: every query ran once above
        started = time.perf_counter()
        engine.search(f'"{q["q"]}"', limit=10)
        latencies.append((time.perf_counter() - started) * 1000)
    result: dict[str, Any] = {
        "corpus": corpus,
        "articles": len(ids),
        "queries": len(queries),
        "substrings": sum(q["kind"] == "substring" for q in queries),
        "words": sum(q["kind"] == "word" for q in queries),
        **built,
        "searcher": score(reference, found),
        "totals_match_pct": 100 * totals_ok / len(queries),
        "quoted_p50_ms": percentile(latencies, 50),
        "quoted_p95_ms": percentile(latencies, 95),
        "misses": [
            {"q": q["q"], "missing": sorted(r - f)[:5], "extra": sorted(f - r)[:5]}
            for q, r, f in zip(queries, reference, found, strict=True)
            if r != f
        ],
    }
    if args.stock:
        from perf import ensure_stock_venv

        python = ensure_stock_venv(args.stock_venv)
        stock = stock_ids(python, jsonl, work, [q["q"] for q in queries], args.reuse_indexes)
        result["stock"] = score(reference, stock)
        result["stock_index_bytes"] = folder_bytes(work / "stock-whoosh")
    engine.close()
    return result


def table(result: dict[str, Any]) -> str:
    systems = ["searcher"] + (["stock"] if "stock" in result else [])
    names = {"searcher": "searcher", "stock": "stock-whoosh+jieba"}
    lines = [
        f"== {result['corpus']}: {result['articles']:,} articles; {result['queries']} quoted "
        f"queries ({result['substrings']} substrings of 1-8 chars, {result['words']} words) ==",
        f"{'':34}" + "".join(f"{names[s]:>20}" for s in systems),
    ]
    for key, label in (
        ("recall_pct", "recall % (vs grep -F)"),
        ("precision_pct", "precision %"),
        ("exact_set_pct", "queries with the exact set %"),
        ("missed_queries", "queries finding nothing held"),
    ):
        cells = "".join(f"{result[s][key]:>20.4g}" for s in systems)
        lines.append(f"{label:34}{cells}")
    lines.append(f"{'total == hits read, % of queries':34}{result['totals_match_pct']:>20.4g}")
    lines.append(
        f"{'quoted p50 / p95 ms (in-process)':34}"
        f"{result['quoted_p50_ms']:>11.2f} / {result['quoted_p95_ms']:<6.2f}"
    )
    if result["index_s"] is not None:
        lines.append(f"{'searcher index s (in-process)':34}{result['index_s']:>20.1f}")
    lines.append(
        f"{'index MB (exact-match files MB)':34}"
        f"{result['index_bytes'] / 2**20:>11.1f} ({result['exact_bytes'] / 2**20:.1f})"
        + (f"{result['stock_index_bytes'] / 2**20:>20.1f}" if "stock" in result else "")
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpora", default="seeds,2000", help="seeds,2000,10000,all")
    parser.add_argument("--substrings", type=int, default=300)
    parser.add_argument("--words", type=int, default=100)
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--dumps", type=Path, default=OUT, help="folder of xwlb-N.jsonl")
    parser.add_argument("--stock-venv", type=Path, default=OUT / "venv-stock")
    parser.add_argument("--no-stock", dest="stock", action="store_false")
    parser.add_argument("--reuse-indexes", action="store_true")
    parser.add_argument(
        "--paged-up-to",
        type=int,
        default=5000,
        help="read every page of searcher's answers on corpora of at most this many articles "
        "(larger: Engine.matching_ids, and only the total from search; default 5000)",
    )
    parser.add_argument("--json", type=Path, help="write every figure and miss here")
    args = parser.parse_args(argv)
    results = []
    for corpus in args.corpora.split(","):
        result = run_corpus(corpus.strip(), args)
        results.append(result)
        print(table(result), flush=True)
        print()
    if args.json:
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    perfect = all(
        r["searcher"]["recall_pct"] == r["searcher"]["precision_pct"] == 100 for r in results
    )
    return 0 if perfect else 1


if __name__ == "__main__":
    sys.exit(main())
