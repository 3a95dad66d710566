"""Baseline (b): SQLite FTS5 (stdlib ``sqlite3``) over text segmented with rjieba.

The database holds a plain table ``stories(id, url, title, date, text)`` with the original
text (for display and the date filter) and a contentless FTS5 table ``fts(title, text)`` fed
the rjieba tokens joined by spaces, so FTS5's ``unicode61`` tokenizer keeps jieba's words
(it only drops punctuation and lower-cases). Three modes, each printing JSON to stdout:

``index DUMP DB``
    Create a fresh database, insert every story of the JSON Lines DUMP in one transaction.
    Prints stories, bytes and database size; ``perf.py`` times the whole process.

``query DB QUERIES [--warmup FILE]``
    Open one connection, run the warm-up queries untimed, then each query once, timed: every
    space-separated word becomes an FTS5 phrase of its rjieba tokens (words AND-ed), a quoted
    phrase one phrase of all its tokens; ``since``/``until`` filter the plain ``date`` column.
    Fetch the top 10 by bm25 (url, title) and count all hits. Prints p50/p95/p99 per kind and
    per-query ms/hits.

``rank DB QUERIES``
    For each query, the urls of the top 10 by ``bm25()`` (the same MATCH expression as
    ``query``), best first; used by ``ranking.py``.
"""

from __future__ import annotations

import argparse
import json
import re
import sqlite3
import sys
import time
from pathlib import Path
from typing import Any

import rjieba

sys.path.insert(0, str(Path(__file__).resolve().parent))

from queries import read, summarize, time_queries

SCHEMA = """
CREATE TABLE stories(id INTEGER PRIMARY KEY, url TEXT, title TEXT, date TEXT, text TEXT);
CREATE VIRTUAL TABLE fts USING fts5(
    title, text, content='', tokenize='unicode61 remove_diacritics 0'
);
"""
_TERM_RE = re.compile(r'"([^"]*)"|(\S+)')


def segment(text: str) -> str:
    """``text`` as rjieba tokens joined by single spaces."""
    return " ".join(token for token in rjieba.cut(text) if not token.isspace())


def add_story(con: sqlite3.Connection, story: dict[str, Any]) -> None:
    """One story (``url``, ``title``, ``date``, ``text``) into the tables of :data:`SCHEMA`."""
    title, text = story.get("title") or "", story["text"]
    cursor = con.execute(
        "INSERT INTO stories(url, title, date, text) VALUES (?, ?, ?, ?)",
        (story["url"], title, story.get("date") or "", text),
    )
    con.execute(
        "INSERT INTO fts(rowid, title, text) VALUES (?, ?, ?)",
        (cursor.lastrowid, segment(title), segment(text)),
    )


def build_index(dump: Path, db: Path) -> dict[str, Any]:
    """Index every story of ``dump`` into a new SQLite database ``db``."""
    for path in (db, db.with_name(db.name + "-journal"), db.with_name(db.name + "-wal")):
        path.unlink(missing_ok=True)
    db.parent.mkdir(parents=True, exist_ok=True)
    con = sqlite3.connect(db)
    con.executescript(SCHEMA)
    stories = size = 0
    started = time.perf_counter()
    with con, dump.open(encoding="utf-8") as handle:
        for line in handle:
            if not line.strip():
                continue
            size += len(line.encode("utf-8"))
            add_story(con, json.loads(line))
            stories += 1
            if stories % 5000 == 0:
                rate = stories / (time.perf_counter() - started)
                print(f"fts5: {stories} stories ({rate:.0f}/s)", file=sys.stderr)
    con.close()
    return {"stories": stories, "bytes": size, "index_bytes": db.stat().st_size}


def _phrase(text: str) -> str | None:
    tokens = [t for t in rjieba.cut(text) if any(ch.isalnum() for ch in t)]
    if not tokens:
        return None
    return '"' + " ".join(tokens).replace('"', '""') + '"'


def match_expression(q: str) -> str:
    """An FTS5 MATCH expression for a user query (words AND-ed, ``"..."`` a phrase)."""
    parts = []
    for quoted, word in _TERM_RE.findall(q):
        phrase = _phrase(quoted or word)
        if phrase:
            parts.append(phrase)
    return " AND ".join(parts) if parts else '""'


def run_queries(
    db: Path, queries: list[dict[str, str]], warmup: list[dict[str, str]]
) -> dict[str, Any]:
    """Run ``warmup`` untimed then each of ``queries`` once, timed, on one connection."""
    started = time.perf_counter()
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    open_s = time.perf_counter() - started

    def one(query: dict[str, str]) -> tuple[int, list[str]]:
        expression = match_expression(query["q"])
        where, params = "fts MATCH ?", [expression]
        if query.get("since"):
            where += " AND s.date >= ?"
            params.append(query["since"])
        if query.get("until"):
            where += " AND s.date <= ?"
            params.append(query["until"])
        joined = f"FROM fts JOIN stories s ON s.id = fts.rowid WHERE {where}"
        top = [
            f"{url} {title}"
            for url, title in con.execute(
                f"SELECT s.url, s.title {joined} ORDER BY fts.rank LIMIT 10", params
            )
        ]
        (hits,) = con.execute(f"SELECT count(*) {joined}", params).fetchone()
        return hits, top

    rows = time_queries(one, queries, warmup)
    con.close()
    return {"open_s": open_s, "summary": summarize(rows), "queries": rows}


def rank(db: Path, queries: list[dict[str, str]]) -> dict[str, Any]:
    """The top-10 urls of each query by FTS5's ``bm25()`` (``ORDER BY rank``)."""
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    top = [
        [
            url
            for (url,) in con.execute(
                "SELECT s.url FROM fts JOIN stories s ON s.id = fts.rowid"
                " WHERE fts MATCH ? ORDER BY fts.rank LIMIT 10",
                [match_expression(query["q"])],
            )
        ]
        for query in queries
    ]
    con.close()
    return {"top": top}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="SQLite FTS5 + rjieba baseline.")
    sub = parser.add_subparsers(dest="mode", required=True)
    p_index = sub.add_parser("index", help="index a JSON Lines dump")
    p_index.add_argument("dump", type=Path)
    p_index.add_argument("db", type=Path)
    p_query = sub.add_parser("query", help="run a query set warm")
    p_query.add_argument("db", type=Path)
    p_query.add_argument("queries", type=Path)
    p_query.add_argument("--warmup", type=Path, help="queries to run untimed first")
    p_rank = sub.add_parser("rank", help="top-10 urls of each query (JSON)")
    p_rank.add_argument("db", type=Path)
    p_rank.add_argument("queries", type=Path)
    args = parser.parse_args(argv)
    if args.mode == "index":
        result = build_index(args.dump, args.db)
    elif args.mode == "rank":
        result = rank(args.db, read(args.queries))
    else:
        warmup = read(args.warmup) if args.warmup else []
        result = run_queries(args.db, read(args.queries), warmup)
    result["system"] = "fts5-rjieba"
    json.dump(result, sys.stdout, ensure_ascii=False)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
