"""Reading every match as arrays (searcher.matches) gives Whoosh's own matches, scores and order,
and the searches that use it give the hits, totals and facets they gave through Whoosh."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from whoosh import query as wq

from searcher import engine as engine_module
from searcher import matches
from searcher.engine import Engine
from searcher.query import parse

#: Queries of every shape the query builder makes: words (one, two, three), quoted strings of
#: one character and more, exclusions, alternatives, a field, synonyms, words outside the
#: dictionary.
QUERIES = [
    "合成",
    "文明城市",
    "工作 群众",
    "群众 创建 工作",
    '"文明"',
    '"创"',
    '"创建工作"',
    "合成 -文明",
    "文明 OR 群众",
    "title:通报",
    '"合成" 群众',
    "网格化",
    "第12号",
]


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory, seeds: Path, big_dump: Path) -> Path:
    """The seeds and the 1,300-article dump, in segments of several sub-writers, then one dump
    rewritten and indexed again: its old articles are deleted documents of their segment."""
    root = tmp_path_factory.mktemp("matches")
    dumps = root / "dumps"
    shutil.copytree(seeds, dumps)
    big = dumps / big_dump.name
    shutil.copy(big_dump, big)
    folder = root / "index"
    Engine(folder).index([dumps])
    lines = big.read_text("utf-8").splitlines(keepends=True)
    big.write_text("".join(lines[: len(lines) * 2 // 3]), "utf-8")
    Engine(folder).index([dumps])
    return folder


def _built(engine: Engine, query: str) -> tuple[Any, Any]:
    store, searcher = engine._open()
    return engine._query_builder(store, searcher).build(parse(query)), searcher


def test_the_index_has_several_segments_and_deletions(index: Path) -> None:
    engine = Engine(index)
    _, searcher = engine._open()
    leaves = [leaf for leaf, _ in searcher.reader().leaf_readers()]
    assert len(leaves) > 1
    assert any(leaf.has_deletions() for leaf in leaves)


@pytest.mark.parametrize("query", QUERIES)
def test_arrays_are_whooshs_matches_scores_and_order(index: Path, query: str) -> None:
    engine = Engine(index)
    built, searcher = _built(engine, query)
    expected = list(searcher.search(built, limit=None).top_n)
    found = matches.evaluate(built, searcher)
    assert found.top(None) == expected
    assert len(found) == len(expected) > 0
    assert found.top(7) == expected[:7]


def test_a_matcher_of_another_kind_is_walked_as_whoosh_walks_it(index: Path) -> None:
    engine = Engine(index)
    _, searcher = engine._open()
    # DisjunctionMax keeps the best of its parts: a matcher this module has no reader for.
    query = wq.DisjunctionMax([wq.Term("title", "合成"), wq.Term("text", "群众")])
    expected = list(searcher.search(query, limit=None).top_n)
    assert matches.evaluate(query, searcher).top(None) == expected
    assert expected


FILTERS: list[dict[str, Any]] = [
    {},
    {"facets": True},
    {"facets": True, "since": "2024-03-01", "until": "2024-08-31"},
    {"page": 2, "limit": 20, "facets": True},
    {"source": "焦作日报", "facets": True},
    {"region": "河南省周口市", "since": "2020-01-01", "facets": True},
]


@pytest.mark.parametrize("filters", FILTERS, ids=lambda f: ",".join(f) or "none")
def test_searches_through_arrays_give_what_they_gave_through_whoosh(
    index: Path, filters: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    def results() -> list[dict[str, object]]:
        engine = Engine(index)
        return [engine.search(q, **filters).to_dict() for q in QUERIES]

    monkeypatch.setattr(engine_module, "ARRAYS_MIN", 1)
    through_arrays = results()
    monkeypatch.setattr(engine_module, "ARRAYS_MIN", 10**9)
    through_whoosh = results()
    assert through_arrays == through_whoosh
    assert any(r["total"] for r in through_arrays)


@pytest.mark.parametrize("arrays_min", [1, 10**9])
def test_a_date_range_without_articles_finds_nothing(
    index: Path, arrays_min: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Whoosh takes an empty set of allowed documents for no filter: every match came back.
    monkeypatch.setattr(engine_module, "ARRAYS_MIN", arrays_min)
    engine = Engine(index)
    assert engine.search("合成").total > 0
    found = engine.search("合成", since="2031-01-01", facets=True)
    assert found.total == 0
    assert found.hits == []
    assert found.facets is not None and found.facets.year == []
