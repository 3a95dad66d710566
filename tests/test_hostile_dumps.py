"""Hostile dumps: random bytes, random and pathological HTML, bombs, endless lines.

Pages come from the open web. Whatever a file holds, reading and cleaning it ends in
bounded time with pages or a ``path: reason`` error, never an exception, and the rest of
the input is still indexed.
"""

from __future__ import annotations

import gzip
import json
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from searcher import sources
from searcher.engine import Engine
from searcher.ingest import clean_page
from searcher.sources import Page, SourceError, read_pages

SUFFIXES = (".txt", ".html", ".jsonl", ".txt.gz", ".html.gz")
BODY = "川汇区召开创建全国文明城市提名城市工作推进会,传达贯彻全市会议精神,安排部署下一步工作。"


def read_and_clean(path: Path) -> tuple[list[Page], list[SourceError]]:
    pages: list[Page] = []
    errors: list[SourceError] = []
    for item in read_pages(path):
        if isinstance(item, SourceError):
            errors.append(item)
        else:
            clean_page(item)
            pages.append(item)
    return pages, errors


FAST = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@FAST
@given(data=st.binary(max_size=4096), suffix=st.sampled_from(SUFFIXES))
def test_random_bytes_never_crash(tmp_path: Path, data: bytes, suffix: str) -> None:
    path = tmp_path / f"dump{suffix}"
    path.write_bytes(data)
    pages, errors = read_and_clean(path)
    assert pages or errors
    for error in errors:
        assert str(error).startswith(str(path))


TAGS = st.sampled_from(["div", "p", "span", "a", "li", "ul", "table", "td", "script", "b"])
ATTRS = st.sampled_from(
    ["", ' class="nav"', ' class="content"', ' style="display:none"', ' id="footer"', " hidden"]
)
TEXT = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=40)


@st.composite
def html_soup(draw: st.DrawFn) -> str:
    """Random tag soup: unclosed and stray tags, entities, attributes, random text."""
    parts = []
    for _ in range(draw(st.integers(0, 60))):
        kind = draw(st.integers(0, 4))
        tag = draw(TAGS)
        if kind == 0:
            parts.append(f"<{tag}{draw(ATTRS)}>")
        elif kind == 1:
            parts.append(f"</{tag}>")
        elif kind == 2:
            parts.append(
                draw(st.sampled_from(["&amp;", "&#x4e2d;", "&#99999999;", "&bogus;", "<"]))
            )
        else:
            parts.append(draw(TEXT))
    return "".join(parts)


@FAST
@given(html=html_soup())
def test_random_html_never_crashes(tmp_path: Path, html: str) -> None:
    path = tmp_path / "page.html"
    path.write_text(html, encoding="utf-8", errors="replace")
    pages, errors = read_and_clean(path)
    assert pages or errors


def timed(path: Path, limit: float) -> tuple[list[Page], list[SourceError]]:
    started = time.perf_counter()
    result = read_and_clean(path)
    assert time.perf_counter() - started < limit
    return result


def test_deeply_nested_html_is_read_without_recursion(tmp_path: Path) -> None:
    path = tmp_path / "deep.html"
    depth = 50_000
    path.write_text("<div>" * depth + f"<p>{BODY}</p>" + "</div>" * depth, encoding="utf-8")
    pages, errors = timed(path, 60)
    assert pages or errors


def test_a_hundred_thousand_elements(tmp_path: Path) -> None:
    path = tmp_path / "wide.html"
    path.write_text(
        "<html><body>" + "<p><a href='#'>链接</a></p>" * 100_000 + f"<p>{BODY}</p></body></html>",
        encoding="utf-8",
    )
    (page,), errors = timed(path, 60)
    assert not errors
    assert BODY in "".join(line.text for line in clean_page(page).lines if line.keep)


def test_entity_expansion_is_not_performed(tmp_path: Path) -> None:
    laughs = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        + "".join(
            f'<!ENTITY lol{n} "{("&lol" + str(n - 1) + ";") * 10 if n > 1 else "&lol;" * 10}">'
            for n in range(1, 10)
        )
        + f"]><html><body><p>&lol9;</p><p>{BODY}</p></body></html>"
    )
    path = tmp_path / "laughs.html"
    path.write_text(laughs, encoding="utf-8")
    pages, _ = timed(path, 20)
    text = "".join(line.text for page in pages for line in page.lines)
    assert text.count("lol") < 1000


def test_gzip_bomb_is_refused_at_the_cap(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sources, "MAX_DECOMPRESSED", 4 * 2**20)
    path = tmp_path / "bomb.txt.gz"
    path.write_bytes(gzip.compress(b"0" * (64 * 2**20), compresslevel=9))
    _, (error,) = timed(path, 20)
    assert "decompresses to more than 4 MB" in str(error)


def test_an_endless_line_is_refused_and_the_rest_indexed(tmp_path: Path) -> None:
    dumps = tmp_path / "dumps"
    dumps.mkdir()
    (dumps / "long.txt").write_text("长" * (sources.MAX_PAGE_CHARS + 10), encoding="utf-8")
    (dumps / "random.html").write_bytes(bytes(range(256)) * 64)
    (dumps / "broken.jsonl").write_text('{"url": "x", "text": ' + "\n", encoding="utf-8")
    (dumps / "good.jsonl").write_text(
        json.dumps({"url": "http://a.gov.cn/1", "title": "推进会召开", "text": BODY * 3}) + "\n",
        encoding="utf-8",
    )
    engine = Engine(tmp_path / "index")
    report = engine.index([dumps])
    assert report.files_failed >= 2
    assert any("long.txt" in p and "larger than" in p for p in report.problems)
    assert engine.search("推进会").total == 1


@pytest.mark.parametrize(
    ("name", "size", "reason"),
    [("huge.txt", 2 * 2**30, "page larger than 5 M characters"),
     ("huge.html", 30 * 2**20, "page larger than 5 M characters"),
     ("huge.jsonl", 8 * 2**30, "larger than 512 MB")],
)  # fmt: skip
def test_a_huge_file_is_refused_without_being_read(
    tmp_path: Path, name: str, size: int, reason: str
) -> None:
    """A file too big to hold a page (or, JSON Lines, too big to read at once) is refused
    from its size: a 2 GB text file costs no 2 GB of memory."""
    import tracemalloc

    path = tmp_path / name
    with open(path, "wb") as handle:
        handle.truncate(size)  # sparse: no disk space used
    tracemalloc.start()
    try:
        _, (error,) = timed(path, 2)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert reason in str(error)
    assert peak < 2**20


def test_a_json_lines_file_of_line_separators_is_reported(tmp_path: Path) -> None:
    # Found by hypothesis: b"\x1c" is not blank to bytes.strip but is a line break to Python.
    path = tmp_path / "seps.jsonl"
    path.write_bytes(b"\x1c\x1d\x1e")
    pages, (error,) = read_and_clean(path)
    assert not pages and "no JSON records" in str(error)
