"""Query building on a small in-memory index: exclusion, tiers, pagination."""

from __future__ import annotations

import random
from typing import Any

from whoosh import query as wq
from whoosh.fields import ID, TEXT, Schema
from whoosh.filedb.filestore import RamStorage

from searcher.analysis import chinese_analyzer
from searcher.exact import ExactMatcher, ExactText
from searcher.index import _whole_length_column
from searcher.query import (
    BothWords,
    CachedBM25F,
    QueryBuilder,
    Synonyms,
    WordQuery,
    _skip_to,
    estimate_matches,
    parse,
    whoosh_skip_to,
)

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


def _many_documents() -> Any:
    """2,000 documents: posting lists of one to hundreds of blocks, lengths that differ."""
    schema = Schema(
        id=ID(stored=True),
        title=TEXT(analyzer=chinese_analyzer(), stored=True, field_boost=3.0),
        text=TEXT(analyzer=chinese_analyzer()),
    )
    ix = RamStorage().create_index(schema)
    words = ["城市", "农村", "会议", "文明", "网格化", "动员"]
    with ix.writer() as writer:
        for n in range(2000):
            text = " ".join(w for k, w in enumerate(words) if n % (k * 3 + 1) == 0)
            writer.add_document(id=str(n), title=words[n % 6], text=text * (1 + n % 5))
    return ix


def test_skipping_through_posting_lists_lands_where_whoosh_does() -> None:
    ix = _many_documents()
    rng = random.Random(7)
    with ix.searcher() as searcher:
        for word in ["城市", "农村", "会议", "文明", "网格化", "动员"]:
            for _ in range(30):
                ours = searcher.postings("text", word)
                theirs = searcher.postings("text", word)
                target = 0
                while ours.is_active():
                    target += rng.randint(1, 150)
                    _skip_to(ours, target)
                    whoosh_skip_to(theirs, target)
                    assert ours.is_active() == theirs.is_active()
                    if ours.is_active():
                        assert (ours.id(), ours.weight()) == (theirs.id(), theirs.weight())


def test_cached_length_scores_equal_whooshs_bm25f() -> None:
    ix = _many_documents()
    query = wq.Or([wq.Term("text", "网格化"), wq.Term("title", "网格化"), wq.Term("text", "城市")])
    with ix.searcher() as stock, ix.searcher(weighting=CachedBM25F()) as cached:
        expected = [(hit["id"], hit.score) for hit in stock.search(query, limit=None)]
        got = [(hit["id"], hit.score) for hit in cached.search(query, limit=None)]
    assert got == expected and len(got) > 500


def test_an_optional_side_adds_nothing_to_the_match_estimate() -> None:
    ix = _many_documents()
    rare, common = wq.Term("text", "动员"), wq.Term("text", "城市")
    with ix.reader() as reader:
        assert estimate_matches(wq.AndMaybe(rare, common), reader) == rare.estimate_size(reader)
        assert estimate_matches(wq.AndNot(rare, common), reader) == rare.estimate_size(reader)
        assert wq.AndMaybe(rare, common).estimate_size(reader) > 1000  # Whoosh's own


def _in_two_segments(deleting_every: int, new_text: str) -> Any:
    """:func:`_many_documents`, every ``deleting_every``-th deleted, and a second segment of
    one more document."""
    ix = _many_documents()
    with ix.writer() as writer:
        for n in range(0, 2000, deleting_every):
            writer.delete_by_term("id", str(n))
        writer.add_document(id="new", title="网格化", text=new_text)
    return ix


def test_a_word_scored_in_bulk_matches_whooshs_own_terms() -> None:
    ix = _in_two_segments(7, "网格化 城市 城市")
    with ix.searcher(weighting=CachedBM25F()) as searcher:
        assert len(searcher.subsearchers) == 2 and searcher.reader().has_deletions()
        for word in ["城市", "网格化", "动员", "没有的词"]:
            bulk = WordQuery(("title", "text"), word)
            for query, plain in [(bulk, bulk.plain()), (wq.And([bulk, wq.Term("text", "会议")]),
                                 wq.And([bulk.plain(), wq.Term("text", "会议")]))]:  # fmt: skip
                got = [(hit["id"], hit.score) for hit in searcher.search(query, limit=None)]
                want = [(hit["id"], hit.score) for hit in searcher.search(plain, limit=None)]
                assert got == want
                assert set(query.docs(searcher)) == set(plain.docs(searcher))


def test_field_lengths_read_whole_are_whooshs() -> None:
    ix = _many_documents()
    with ix.reader() as reader:
        for segment, _ in reader.leaf_readers():
            perdoc, count = segment._perdoc, segment.doc_count_all()
            for field in ("title", "text", "id"):
                whole = _whole_length_column(perdoc, field)
                answers = [whole(d) for d in range(count)]
                assert answers == [perdoc.doc_field_length(d, field) for d in range(count)]
                assert any(answers) == (field != "id")


def test_a_segment_reads_a_words_postings_once_per_search(monkeypatch: Any) -> None:
    import searcher.query as query_module

    reads: list[int] = []
    real = query_module._read_postings
    monkeypatch.setattr(query_module, "_read_postings", lambda leaf: reads.append(1) or real(leaf))
    ix = _many_documents()
    with ix.searcher(weighting=CachedBM25F()) as searcher:
        word = WordQuery(("title", "text"), "网格化")
        scored = [(hit["id"], hit.score) for hit in searcher.search(word, limit=None)]
        assert set(word.docs(searcher)) == {int(i) for i, _ in scored} and len(reads) == 2
        assert [(h["id"], h.score) for h in searcher.search(word, limit=None)] == scored


def test_two_words_intersected_in_bulk_match_whooshs_and() -> None:
    ix = _in_two_segments(5, "网格化 城市 动员")
    with ix.searcher(weighting=CachedBM25F()) as searcher:
        for pair in [("城市", "网格化"), ("动员", "会议"), ("城市", "没有的词")]:
            words = [WordQuery(("title", "text"), w) for w in pair]
            bulk = [(h["id"], h.score) for h in searcher.search(BothWords(words), limit=None)]
            want = [(h["id"], h.score) for h in searcher.search(wq.And(words), limit=None)]
            assert bulk == want
            assert set(BothWords(words).docs(searcher)) == set(wq.And(words).docs(searcher))
