"""Search recall and precision on the seed articles: what the text holds is found, nothing else.

The reference is ``grep -F`` over the export: the articles whose title or text (each on its
own), both in exact form (NFKC, case, traditional -> simplified, whitespace removed), holds
the query string.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from searcher.analysis import exact_form
from searcher.articles import Article
from searcher.engine import Engine


@pytest.fixture(scope="module")
def articles(engine: Engine) -> list[Article]:
    return list(engine.export())


def grep(articles: list[Article], needle: str, title_only: bool = False) -> set[str]:
    """Ids of the articles holding ``needle`` (raw; put in exact form here)."""
    needle = exact_form(needle)
    return {
        a.id
        for a in articles
        if needle in exact_form(a.title) or (not title_only and needle in exact_form(a.text))
    }


def found(engine: Engine, query: str, **filters: str) -> list[str]:
    """Ids of every hit of ``query``, in rank order, read page by page."""
    ids: list[str] = []
    page = 1
    while True:
        result = engine.search(query, page=page, limit=4, **filters)
        ids.extend(hit.id for hit in result.hits)
        if page >= result.pages:
            assert result.total == len(ids)
            return ids
        page += 1


def test_quoted_single_character_inside_a_word(engine: Engine, articles: list[Article]) -> None:
    hits = found(engine, '"蝶"')
    assert set(hits) == grep(articles, "蝶") != set()
    assert engine.search('"蝶"').hits[0].title == "蝶变,让城市生活更精彩"


def test_unquoted_single_character_matches_like_quoted(
    engine: Engine, articles: list[Article]
) -> None:
    assert set(found(engine, "蝶")) == grep(articles, "蝶")


def test_part_of_a_place_name_is_found(engine: Engine, articles: list[Article]) -> None:
    # The segmenter keeps 川汇区 whole; 川汇 and 汇区 are inside it.
    expected = grep(articles, "川汇区")
    assert len(expected) > 10
    assert set(found(engine, "川汇")) == expected
    assert set(found(engine, '"汇区"')) == expected


def test_unknown_name_matches_as_characters(engine: Engine, articles: list[Article]) -> None:
    for name in ("徐子佳", "施恩佩", "韩志刚"):
        assert set(found(engine, name)) == grep(articles, name) != set(), name


def test_traditional_query_finds_simplified_text(engine: Engine, articles: list[Article]) -> None:
    assert set(found(engine, '"專題點評"')) == grep(articles, "专题点评") != set()
    assert found(engine, "網格化") == found(engine, "网格化") != []
    assert found(engine, "創文") == found(engine, "创文")


def test_full_width_query_finds_ascii_text(engine: Engine, articles: list[Article]) -> None:
    assert set(found(engine, '"５０００万元"')) == grep(articles, "5000万元") != set()
    assert found(engine, "５０００万元") == found(engine, "5000万元")


def test_punctuation_stays_so_strings_never_join_across_it(
    engine: Engine, articles: list[Article]
) -> None:
    # "上午，川汇区…": 午 and 川 are only ever separated by a comma.
    assert grep(articles, "午川") == set()
    assert found(engine, '"午川"') == []
    assert set(found(engine, '"午，川"')) == grep(articles, "午,川") != set()


def test_quoted_phrase_is_exact_and_ordered(engine: Engine, articles: list[Article]) -> None:
    assert set(found(engine, '"全国文明城市创建"')) == grep(articles, "全国文明城市创建") != set()
    assert found(engine, '"城市文明全国创建"') == []


def test_title_only(engine: Engine, articles: list[Article]) -> None:
    assert set(found(engine, 'title:"蝶"')) == grep(articles, "蝶", title_only=True)
    assert grep(articles, "徐子佳") and found(engine, 'title:"徐子佳"') == []


def test_every_word_is_required_and_phrase_holders_rank_first(
    engine: Engine, articles: list[Article]
) -> None:
    hits = found(engine, "川汇区 召开")
    both = grep(articles, "川汇区") & grep(articles, "召开")
    assert set(hits) == both
    holders = grep(articles, "川汇区召开")
    assert 0 < len(holders) < len(hits)
    assert set(hits[: len(holders)]) == holders


def test_exclusion(engine: Engine, articles: list[Article]) -> None:
    hits = found(engine, "文明城市 -川汇区")
    assert hits
    assert set(hits) == set(found(engine, "文明城市")) - grep(articles, "川汇区")
    assert set(found(engine, '"文明" -"川汇"')) == grep(articles, "文明") - grep(articles, "川汇")


def test_or(engine: Engine, articles: list[Article]) -> None:
    assert set(found(engine, '"蝶" OR "徐子佳"')) == grep(articles, "蝶") | grep(articles, "徐子佳")


def test_synonyms_are_alternatives_ranked_below_the_typed_word(
    engine: Engine, articles: list[Article]
) -> None:
    typed = grep(articles, "创文")
    hits = found(engine, "创文")
    assert set(hits) >= typed
    only_synonym = set(hits) - typed
    assert only_synonym and all(
        any(s in exact_form(a.title + a.text) for s in ("创建文明城市", "创建全国文明城市"))
        for a in articles
        if a.id in only_synonym
    )
    assert set(hits[: len(typed)]) == typed
    # And the other way round: the long form finds the abbreviation.
    assert typed <= set(found(engine, "创建文明城市"))


def test_stop_words_are_ignored_unless_they_are_the_whole_query(
    engine: Engine, articles: list[Article]
) -> None:
    assert found(engine, "蝶 的") == found(engine, "蝶")
    assert set(found(engine, "的")) == grep(articles, "的") != set()
    assert found(engine, '"蝶的"') == []


@pytest.mark.parametrize("query", ["，", "。", "的了", '"', "-", "--", "“”", "OR", "-的", "、、"])
def test_queries_of_only_stop_words_or_punctuation_are_searched_as_typed(
    engine: Engine, articles: list[Article], query: str
) -> None:
    result = engine.search(query)
    assert result.total >= 0
    if query in ("，", "。", "、、"):
        assert set(found(engine, query)) == grep(articles, query)


def test_filters_apply_to_exact_matches(engine: Engine, articles: list[Article]) -> None:
    zhoukou = found(engine, '"文明"', region="周口市")
    assert zhoukou and all(
        a.region and a.region.startswith("河南省周口市") for a in articles if a.id in zhoukou
    )
    assert set(zhoukou) == {
        a.id for a in articles if a.id in grep(articles, "文明") and "周口市" in (a.region or "")
    }
    dated = found(engine, '"文明"', since="2018-01-01", until="2018-12-31")
    assert [engine.article(i).date for i in dated] == ["2018-07-16"]
    assert found(engine, '"文明"', source="焦作日报") == [
        a.id for a in articles if a.source == "焦作日报"
    ]


def test_sort_by_date_keeps_the_exact_set(engine: Engine, articles: list[Article]) -> None:
    result = engine.search('"文明"', sort="date", limit=100)
    assert {h.id for h in result.hits} == grep(articles, "文明")
    dates = [h.date for h in result.hits if h.date]
    assert dates == sorted(dates, reverse=True)


@pytest.mark.parametrize(
    "word", ["早泄", "妇科", "太极拳网", "网站地图", "苏公网安备", "聊不完的曾经"]
)
def test_words_only_in_spam_or_chrome_give_no_hits(engine: Engine, word: str) -> None:
    # Each is in a seed page's ad, footer, menu or link list, never in an article.
    assert engine.search(word).total == 0
    assert engine.search(f'"{word}"').total == 0


def test_snippet_marks_the_exact_string(engine: Engine) -> None:
    hit = engine.search('"午，川汇区召开"').hits[0]
    assert ("午,川汇区召开", True) in hit.snippet.parts


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_any_substring_of_an_article_finds_it_and_only_its_holders(
    engine: Engine, articles: list[Article], data: st.DataObject
) -> None:
    article = data.draw(st.sampled_from(articles))
    source = data.draw(st.sampled_from([article.title, article.text]))
    start = data.draw(st.integers(0, len(source) - 1))
    size = data.draw(st.integers(1, 12))
    needle = source[start : start + size]
    if not exact_form(needle) or any(q in needle for q in '"“”'):
        return  # whitespace only, or the quote character itself
    hits = set(found(engine, f'"{needle}"'))
    assert article.id in hits
    assert hits == grep(articles, needle) == set(engine.matching_ids(f'"{needle}"'))
