"""Facets, timeline and similar articles from the engine, on an index of the seed dumps."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from searcher.engine import Engine
from searcher.facets import MonthCount, timeline

QUERIES = ("文明城市", "工作", "川汇区", "网格化管理")


@pytest.mark.parametrize("query", QUERIES)
def test_every_region_count_is_what_its_filter_finds(web_engine: Engine, query: str) -> None:
    result = web_engine.search(query, facets=True)
    assert result.facets is not None and result.facets.region
    for value in result.facets.region:
        assert web_engine.search(query, region=value.value).total == value.count, value


@pytest.mark.parametrize("query", QUERIES)
def test_source_and_year_counts_are_what_their_filters_find(web_engine: Engine, query: str) -> None:
    facets = web_engine.search(query, facets=True).facets
    assert facets is not None
    for value in facets.source:
        assert web_engine.search(query, source=value.value).total == value.count
    for value in facets.year:
        y = value.value
        found = web_engine.search(query, since=f"{y}-01-01", until=f"{y}-12-31").total
        assert found == value.count


@pytest.mark.parametrize("query", QUERIES)
def test_timeline_accounts_for_every_match(web_engine: Engine, query: str) -> None:
    result = web_engine.search(query, facets=True, limit=100)
    facets = result.facets
    assert facets is not None
    assert sum(m.count for m in facets.timeline) + facets.undated == result.total
    dated = Counter(hit.date[:7] for hit in result.hits if hit.date)
    assert {m.month: m.count for m in facets.timeline if m.count} == dated
    years = Counter({v.value: v.count for v in facets.year})
    assert years == Counter(h.date[:4] for h in result.hits if h.date)


def test_facets_follow_the_filters(web_engine: Engine) -> None:
    whole = web_engine.search("文明城市", facets=True)
    region = whole.facets.region[0].value  # type: ignore[union-attr]
    narrowed = web_engine.search("文明城市", region=region, facets=True)
    assert narrowed.facets is not None
    assert [v.value for v in narrowed.facets.region] == [region]
    assert narrowed.total < whole.total


def test_facets_only_when_asked(web_engine: Engine) -> None:
    plain = web_engine.search("文明城市")
    assert plain.facets is None
    assert "facets" not in plain.to_dict() and "timeline" not in plain.to_dict()
    shape = web_engine.search("文明城市", facets=True).to_dict()
    assert set(shape["facets"]) == {"region", "source", "year"}  # type: ignore[arg-type]
    assert all(set(m) == {"month", "count"} for m in shape["timeline"])  # type: ignore[union-attr]


def test_timeline_fills_empty_months_across_a_new_year() -> None:
    months = timeline(Counter({"2017-11": 2, "2018-02": 1}))
    assert months == [
        MonthCount("2017-11", 2),
        MonthCount("2017-12", 0),
        MonthCount("2018-01", 0),
        MonthCount("2018-02", 1),
    ]
    assert timeline(Counter()) == []


def test_similar_articles_leave_out_the_article_and_its_copies(web_engine: Engine) -> None:
    hit = web_engine.search('"专题点评"').hits[0]
    assert hit.duplicates, "the repost in the web fixture is a copy of this article"
    similar = web_engine.similar(hit.id)
    assert similar
    own = {hit.id, *(d["id"] for d in hit.duplicates)}
    assert not own & {s.id for s in similar}
    # Another article about the same campaign (创建全国文明城市) is among the closest.
    assert any("文明城市" in s.title for s in similar)


@pytest.mark.parametrize("one_pass_max", [0, 10**9])
@pytest.mark.parametrize("sort", ["relevance", "date"])
def test_facets_never_change_the_hits(
    web_engine: Engine, monkeypatch: pytest.MonkeyPatch, one_pass_max: int, sort: str
) -> None:
    """Both ways of collecting a faceted search's matches (one scoring pass, or Whoosh's
    top-N pass) give the hits and total of the search without facets."""
    monkeypatch.setattr("searcher.engine.ONE_PASS_MAX", one_pass_max)
    for query in QUERIES:
        for page in (1, 2):
            plain = web_engine.search(query, sort=sort, limit=4, page=page)
            faceted = web_engine.search(query, sort=sort, limit=4, page=page, facets=True)
            assert [h.id for h in faceted.hits] == [h.id for h in plain.hits]
            assert [h.score for h in faceted.hits] == [h.score for h in plain.hits]
            assert faceted.total == plain.total
            assert faceted.facets is not None
            months = sum(m.count for m in faceted.facets.timeline)
            assert months + faceted.facets.undated == plain.total


def test_date_filter_includes_both_ends_and_leaves_out_undated(web_engine: Engine) -> None:
    every = web_engine.search("工作", limit=100).hits
    dated = [h for h in every if h.date]
    assert dated and len(dated) < len(every)
    for hit in dated:
        same_day = web_engine.search("工作", since=hit.date, until=hit.date, limit=100)
        assert hit.id in {h.id for h in same_day.hits}
        assert all(h.date == hit.date for h in same_day.hits)
    assert web_engine.search("工作", since="1900-01-01").total == len(dated)
    one_region = web_engine.search("工作", since="1900-01", region=dated[0].region or "")
    assert one_region.total == sum(1 for h in dated if h.region == dated[0].region)


def test_an_update_without_sources_keeps_facets_in_line(tmp_path: Path, seeds: Path) -> None:
    """A dump whose pages all lack a source makes a Whoosh segment without a source column;
    the facets of every article, old and new, still count what their filters find, and a
    running engine answers the new articles with facets."""
    import json

    from conftest import HOSTILE_PAGE

    first, update = tmp_path / "first", tmp_path / "update"
    first.mkdir()
    update.mkdir()
    (first / "page.jsonl").write_text(json.dumps(HOSTILE_PAGE, ensure_ascii=False) + "\n")
    story = {
        "url": "http://x.gov.cn/2",
        "date": "2024-05-01",
        "title": "川汇区推进河长制工作",
        "text": "川汇区召开河长制工作推进会，要求各级河长履职尽责，确保河湖水质持续改善。",
    }
    (update / "update.jsonl").write_text(json.dumps(story, ensure_ascii=False) + "\n")
    engine = Engine(tmp_path / "ix")
    engine.index([first, next(seeds.glob("001_*.txt"))])
    assert engine.search("川汇区", facets=True).facets is not None
    Engine(tmp_path / "ix").index([update])  # another process's run, in effect

    new = engine.search("河长制", facets=True)
    assert new.total == 1 and new.facets is not None and new.facets.source == []
    facets = engine.search("川汇区", facets=True).facets
    assert facets is not None and facets.source
    for value in facets.source:
        assert engine.search("川汇区", source=value.value).total == value.count
