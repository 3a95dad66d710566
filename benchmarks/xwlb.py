"""The xwlb benchmark corpus: 《新闻联播》 transcripts as JSON Lines dumps.

The archive ``shared/corpora/xwlb/news.tar.xz`` holds one Markdown file per broadcast day,
``news/YYYYMMDD.md``, laid out as::

    # 《新闻联播》 (YYYYMMDD)
    ## 新闻摘要            <- the day's table of contents (skipped: it repeats the headings)
    ## 详细新闻
    ### <story heading>
    <p>…</p><p>…</p>      <- the story body, HTML paragraphs (sometimes over several lines)
    [查看原文](https://tv.cctv.com/…)   <- link to the source page (dropped)
    ### <next story> …
    ---
    (更新时间戳: …)        <- page trailer after the last story (dropped)

A handful of bodies carry a stray ``undefined`` line (a scraper artefact, dropped), and about
340 headings have no body at all (the source page had no transcript): those are skipped, but
keep their number, so ``N`` in ``xwlb://YYYYMMDD/N`` is always the Nth heading of the day.

:func:`build` unpacks the archive into ``benchmarks/out/xwlb/`` (once) and writes one story
per line, ``{"url": "xwlb://YYYYMMDD/N", "title", "date": "YYYY-MM-DD", "text"}``, as
``xwlb-2000.jsonl``, ``xwlb-10000.jsonl`` and ``xwlb-all.jsonl``: the first N stories in
date order (story N of a day is its Nth ``###`` heading), so subsets are nested prefixes.

Run as a script: ``python benchmarks/xwlb.py`` prints the paths of the dumps.
"""

from __future__ import annotations

import argparse
import html
import json
import os
import re
import sys
import tarfile
from collections.abc import Iterator
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
OUT = HERE / "out"
#: The archive, found beside the repo (``/work/shared`` next to ``/work/main``) by default.
ARCHIVE = Path(
    os.environ.get("XWLB_ARCHIVE", REPO.parent / "shared" / "corpora" / "xwlb" / "news.tar.xz")
)
UNPACKED = OUT / "xwlb"
#: Subset name -> number of stories (None: all of them).
SUBSETS: dict[str, int | None] = {"2000": 2000, "10000": 10000, "all": None}

_DAY_RE = re.compile(r"^(\d{4})(\d{2})(\d{2})\.md$")
_HEADING_RE = re.compile(r"^### +(.*?)\s*$")
_DROP_LINE_RE = re.compile(
    r"^\s*(?:\[查看原文\]\([^)]*\)|---+|\(更新时间戳:[^)]*\)|（更新时间戳:[^）]*）|undefined)\s*$"
)
_BREAK_RE = re.compile(r"<br\s*/?>|</p\s*>|<p(?:\s[^>]*)?>|</?div[^>]*>", re.I)
_TAG_RE = re.compile(r"<[^>]+>")
_SPACE_RE = re.compile(r"[ \t\r\f\v\u00a0\u3000]+")


def unpack(archive: Path = ARCHIVE, dest: Path = UNPACKED) -> Path:
    """Unpack the archive into ``dest`` unless already there; returns the ``news/`` folder."""
    news = dest / "news"
    marker = dest / ".complete"
    if marker.exists() and news.is_dir():
        return news
    if not archive.exists():
        raise FileNotFoundError(f"xwlb archive not found: {archive} (set XWLB_ARCHIVE)")
    dest.mkdir(parents=True, exist_ok=True)
    print(f"xwlb: unpacking {archive} -> {dest}", file=sys.stderr)
    with tarfile.open(archive, "r:xz") as tar:
        members = [
            m
            for m in tar.getmembers()
            if (m.isfile() or m.isdir()) and not m.name.startswith("/") and ".." not in m.name
        ]
        if hasattr(tarfile, "data_filter"):
            tar.extractall(dest, members=members, filter="data")
        else:  # Python without extraction filters: members are already vetted above
            tar.extractall(dest, members=members)
    marker.write_text("ok\n")
    return news


def body_text(lines: list[str]) -> str:
    """Plain text of a story body: HTML paragraphs -> one line each, tags and junk dropped."""
    kept = [line for line in lines if not _DROP_LINE_RE.match(line)]
    raw = _BREAK_RE.sub("\n", "\n".join(kept))
    raw = html.unescape(_TAG_RE.sub("", raw))
    out = []
    for line in raw.split("\n"):
        line = _SPACE_RE.sub(" ", line).strip()
        if line and not _DROP_LINE_RE.match(line):
            out.append(line)
    return "\n".join(out)


def parse_day(path: Path) -> Iterator[dict[str, str]]:
    """The stories of one ``YYYYMMDD.md`` file, in order, as dump records."""
    match = _DAY_RE.match(path.name)
    if not match:
        raise ValueError(f"not a day file: {path}")
    year, month, day = match.groups()
    stamp, date = f"{year}{month}{day}", f"{year}-{month}-{day}"
    lines = path.read_text(encoding="utf-8").splitlines()
    # Stories live under "## 详细新闻"; the "## 新闻摘要" summary before it only lists titles.
    start = next((i for i, line in enumerate(lines) if line.startswith("## 详细")), None)
    if start is None:
        start = next((i for i, line in enumerate(lines) if line.startswith("### ")), len(lines))
    title: str | None = None
    body: list[str] = []
    number = 0

    def story() -> Iterator[dict[str, str]]:
        nonlocal number
        if title is None:
            return
        number += 1
        text = body_text(body)
        clean_title = html.unescape(_TAG_RE.sub("", title)).strip()
        if not text:  # a heading whose video page had no transcript: nothing to search
            return
        if clean_title == "undefined":
            clean_title = ""
        yield {"url": f"xwlb://{stamp}/{number}", "title": clean_title, "date": date, "text": text}

    for line in lines[start + 1 :]:
        heading = _HEADING_RE.match(line)
        if heading:
            yield from story()
            title, body = heading.group(1), []
        elif line.startswith(("# ", "## ")):
            yield from story()
            title, body = None, []
        elif title is not None:
            body.append(line)
    yield from story()


def stories(news: Path) -> Iterator[dict[str, str]]:
    """Every story of the corpus in date order."""
    days = sorted(p for p in news.iterdir() if _DAY_RE.match(p.name))
    for day in days:
        yield from parse_day(day)


def build(out: Path = OUT, archive: Path = ARCHIVE, force: bool = False) -> dict[str, Path]:
    """Unpack (once) and write the dumps; returns ``{"2000": path, "10000": path, "all": path}``.

    Existing dumps are kept unless ``force``.
    """
    paths = {name: out / f"xwlb-{name}.jsonl" for name in SUBSETS}
    if not force and all(p.exists() and p.stat().st_size > 0 for p in paths.values()):
        return paths
    news = unpack(archive, out / "xwlb")
    out.mkdir(parents=True, exist_ok=True)
    tmp = {name: p.with_suffix(".jsonl.tmp") for name, p in paths.items()}
    handles = {name: t.open("w", encoding="utf-8") for name, t in tmp.items()}
    try:
        for index, record in enumerate(stories(news)):
            line = json.dumps(record, ensure_ascii=False) + "\n"
            for name, limit in SUBSETS.items():
                if limit is None or index < limit:
                    handles[name].write(line)
    finally:
        for handle in handles.values():
            handle.close()
    for name, path in paths.items():
        tmp[name].replace(path)
    return paths


def count_lines(path: Path) -> int:
    """Number of records in a JSON Lines dump."""
    with path.open("rb") as handle:
        return sum(1 for line in handle if line.strip())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=OUT, help="output folder (benchmarks/out)")
    parser.add_argument("--archive", type=Path, default=ARCHIVE, help="news.tar.xz")
    parser.add_argument("--force", action="store_true", help="rewrite the dumps")
    args = parser.parse_args(argv)
    paths = build(args.out, args.archive, force=args.force)
    for name, path in paths.items():
        size = path.stat().st_size / 2**20
        print(f"{name}\t{count_lines(path)} stories\t{size:.1f} MB\t{path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
