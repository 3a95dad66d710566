"""Query building on a small in-memory index: exclusion, tiers, pagination."""

from __future__ import annotations

from whoosh.fields import ID, TEXT, Schema
from whoosh.filedb.filestore import RamStorage

from searcher.analysis import chinese_analyzer
from searcher.exact import ExactMatcher, ExactText
from searcher.query import QueryBuilder, Synonyms, parse

DOCS = [
    ("d0", "创卫工作", "创卫"),
    ("d1", "创文创卫", "创文与创卫"),
    ("d2", "创文", "创文动员会"),
    ("d3", "城市建设", "创建文明城市动员会"),
]


def search(query: str) -> list[str]:
    schema = Schema(
        id=ID(stored=True),
        title=TEXT(analyzer=chinese_analyzer(), stored=True, field_boost=3.0),
        text=TEXT(analyzer=chinese_analyzer()),
    )
    ix = RamStorage().create_index(schema)
    with ix.writer() as writer:
        for doc_id, title, text in DOCS:
            writer.add_document(id=doc_id, title=title, text=text)
    with ix.searcher() as searcher:
        exact = ExactMatcher(ExactText.from_articles(DOCS), searcher)
        builder = QueryBuilder(exact=exact.query, synonyms=Synonyms.bundled())
        return [hit["id"] for hit in searcher.search(builder.build(parse(query)), limit=None)]


def test_an_excluded_first_match_is_excluded() -> None:
    # d1 is the first article with 创文 and holds 创卫, which starts earlier (d0).
    assert search("创文 -创卫") == ["d2", "d3"]  # d3 by the synonym 创建文明城市


def test_synonyms_come_after_the_typed_word() -> None:
    assert search("创文")[-1] == "d3"
    assert set(search("创文")) == {"d1", "d2", "d3"}


def test_exact_string_inside_a_word() -> None:
    assert search('"文动"') == ["d2"]
    assert search('"卫工"') == ["d0"]


def test_the_whole_query_as_one_string_comes_first_in_every_segment() -> None:
    docs = [
        ("a", "动态", "文明的城市，城市的文明，文明的城市"),
        ("b", "动态", "建设文明城市"),
        ("c", "动态", "城市的文明，文明的城市"),
    ]
    schema = Schema(id=ID(stored=True), title=TEXT(analyzer=chinese_analyzer()),
                    text=TEXT(analyzer=chinese_analyzer()))  # fmt: skip
    ix = RamStorage().create_index(schema)
    for doc_id, title, text in docs:  # one segment each
        writer = ix.writer()
        writer.add_document(id=doc_id, title=title, text=text)
        writer.commit(merge=False)
    with ix.searcher() as searcher:
        assert len(searcher.leaf_searchers()) == 3
        exact = ExactMatcher(ExactText.from_articles(docs), searcher)
        builder = QueryBuilder(exact=exact.query)
        hits = searcher.search(builder.build(parse("文明 城市")), limit=None)
        assert hits[0]["id"] == "b"
        assert len(hits) == 3
