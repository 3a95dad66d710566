"""Baseline (a): stock Whoosh 2.7.4 with jieba's ``ChineseAnalyzer``, as a user would set it up.

Runs in its own venv (``benchmarks/out/venv-stock``, made by ``perf.py``): stock ``whoosh``
and the project's ``whoosh3`` share an import name. Four modes, each printing JSON to stdout:

``index DUMP DIR``
    Create a fresh index in DIR (schema: title/text ``TEXT(stored=True,
    analyzer=ChineseAnalyzer())``, date and url ``ID(stored=True)``), add every story of the
    JSON Lines DUMP with the default writer, one commit. Prints stories, bytes and index size;
    ``perf.py`` times the whole process (wall clock, peak RSS).

``ids DIR STRINGS``
    For each string of the JSON list STRINGS, every url the quoted string (a Whoosh phrase
    over title+text) finds; used by ``recall.py`` as the anchor.

``query DIR QUERIES [--warmup FILE]``
    Open the index and one searcher, run the warm-up queries untimed, then each query once,
    timed: parse (``MultifieldParser`` over title+text; ``"..."`` is a Whoosh phrase), search
    the top 10 with a ``TermRange`` filter on date for ``since``/``until``, count all hits and
    read the stored url/title of the top 10. Prints p50/p95/p99 per kind and per-query ms/hits.

``rank DIR QUERIES``
    For each query of QUERIES (``{"q"}`` objects), parsed as ``query`` does, the urls of the
    top 10 by Whoosh's default BM25F, best first; used by ``ranking.py``.

jieba's tokenizer gives character offsets as token positions, so multi-character words are
never "adjacent" and phrase queries rarely match: expected, and part of what the benchmark
shows.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from queries import read, summarize, time_queries  # stdlib only: importable from the stock venv


def dir_size(path: Path) -> int:
    """Bytes of all files under ``path`` (or of the file itself)."""
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def build_index(dump: Path, index_dir: Path) -> dict[str, Any]:
    """Index every story of ``dump`` into a new Whoosh index at ``index_dir``."""
    from jieba.analyse import ChineseAnalyzer
    from whoosh import index
    from whoosh.fields import ID, TEXT, Schema

    if index_dir.exists():
        shutil.rmtree(index_dir)
    index_dir.mkdir(parents=True)
    schema = Schema(
        url=ID(stored=True),
        title=TEXT(stored=True, analyzer=ChineseAnalyzer()),
        text=TEXT(stored=True, analyzer=ChineseAnalyzer()),
        date=ID(stored=True),
    )
    ix = index.create_in(str(index_dir), schema)
    writer = ix.writer()
    stories = size = 0
    started = time.perf_counter()
    with dump.open(encoding="utf-8") as handle:
        for line in handle:
            if not line.strip():
                continue
            size += len(line.encode("utf-8"))
            story = json.loads(line)
            writer.add_document(
                url=story["url"],
                title=story.get("title") or "",
                text=story["text"],
                date=story.get("date") or "",
            )
            stories += 1
            if stories % 1000 == 0:
                rate = stories / (time.perf_counter() - started)
                print(f"stock-whoosh: {stories} stories ({rate:.0f}/s)", file=sys.stderr)
    print("stock-whoosh: committing", file=sys.stderr)
    writer.commit()
    ix.close()
    return {"stories": stories, "bytes": size, "index_bytes": dir_size(index_dir)}


def run_queries(
    index_dir: Path, queries: list[dict[str, str]], warmup: list[dict[str, str]]
) -> dict[str, Any]:
    """Run ``warmup`` untimed then each of ``queries`` once, timed, on one open searcher."""
    from whoosh import index
    from whoosh.qparser import MultifieldParser
    from whoosh.query import TermRange

    started = time.perf_counter()
    ix = index.open_dir(str(index_dir))
    searcher = ix.searcher()
    parser = MultifieldParser(["title", "text"], schema=ix.schema)
    open_s = time.perf_counter() - started

    def one(query: dict[str, str]) -> tuple[int, list[str]]:
        parsed = parser.parse(query["q"])
        since, until = query.get("since"), query.get("until")
        date_filter = TermRange("date", since, until) if since or until else None
        results = searcher.search(parsed, limit=10, filter=date_filter)
        top = [f"{hit['url']} {hit['title']}" for hit in results]
        return len(results), top

    rows = time_queries(one, queries, warmup)
    searcher.close()
    ix.close()
    return {"open_s": open_s, "summary": summarize(rows), "queries": rows}


def find_ids(index_dir: Path, queries: list[str]) -> dict[str, Any]:
    """Every matching url of each query string, quoted (a Whoosh phrase over title+text)."""
    from whoosh import index
    from whoosh.qparser import MultifieldParser

    ix = index.open_dir(str(index_dir))
    searcher = ix.searcher()
    parser = MultifieldParser(["title", "text"], schema=ix.schema)
    found = []
    for text in queries:
        parsed = parser.parse('"' + text + '"')
        found.append(sorted(hit["url"] for hit in searcher.search(parsed, limit=None)))
    searcher.close()
    ix.close()
    return {"found": found}


def rank(index_dir: Path, queries: list[dict[str, str]]) -> dict[str, Any]:
    """The top-10 urls of each query (``MultifieldParser`` over title+text, default scoring)."""
    from whoosh import index
    from whoosh.qparser import MultifieldParser

    ix = index.open_dir(str(index_dir))
    searcher = ix.searcher()
    parser = MultifieldParser(["title", "text"], schema=ix.schema)
    top = []
    for query in queries:
        results = searcher.search(parser.parse(query["q"]), limit=10)
        top.append([hit["url"] for hit in results])
    searcher.close()
    ix.close()
    return {"top": top}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Stock Whoosh 2.7.4 + jieba baseline.")
    sub = parser.add_subparsers(dest="mode", required=True)
    p_index = sub.add_parser("index", help="index a JSON Lines dump")
    p_index.add_argument("dump", type=Path)
    p_index.add_argument("index_dir", type=Path)
    p_query = sub.add_parser("query", help="run a query set warm")
    p_query.add_argument("index_dir", type=Path)
    p_query.add_argument("queries", type=Path)
    p_query.add_argument("--warmup", type=Path, help="queries to run untimed first")
    p_ids = sub.add_parser("ids", help="every matching url of quoted strings (JSON list file)")
    p_ids.add_argument("index_dir", type=Path)
    p_ids.add_argument("strings", type=Path)
    p_rank = sub.add_parser("rank", help="top-10 urls of each query (JSON)")
    p_rank.add_argument("index_dir", type=Path)
    p_rank.add_argument("queries", type=Path)
    args = parser.parse_args(argv)
    if args.mode == "index":
        result = build_index(args.dump, args.index_dir)
    elif args.mode == "rank":
        result = rank(args.index_dir, read(args.queries))
    elif args.mode == "ids":
        result = find_ids(args.index_dir, json.loads(args.strings.read_text(encoding="utf-8")))
    else:
        warmup = read(args.warmup) if args.warmup else []
        result = run_queries(args.index_dir, read(args.queries), warmup)
    result["system"] = "stock-whoosh"
    json.dump(result, sys.stdout, ensure_ascii=False)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
