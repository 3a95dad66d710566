"""The analyzer: normalisation, jieba segmentation, positions that count tokens."""

from __future__ import annotations

import unicodedata
from collections import Counter
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh import query as wq
from whoosh.fields import ID, TEXT, Schema
from whoosh.filedb.filestore import RamStorage

from searcher.analysis import chinese_analyzer, index_term_counts, nfkc, normalise, terms


def tokens(text: str, mode: str = "query") -> list[tuple[str, int]]:
    return [(t.text, t.pos) for t in chinese_analyzer()(text, positions=True, mode=mode)]


def test_positions_count_tokens_not_characters() -> None:
    assert tokens("川汇区召开推进会") == [("川汇区", 0), ("召开", 1), ("推进", 2), ("会", 3)]


def test_space_and_punctuation_are_dropped() -> None:
    assert [t for t, _ in tokens("创文，创卫。 “五城联创”")] == ["创文", "创卫", "五城联创"]


def test_normalisation_folds_width_case_and_script() -> None:
    assert normalise("ＡＢＣ１２３") == "abc123"
    assert normalise("網格化管理") == "网格化管理"
    assert terms("網格化管理") == terms("网格化管理")


def test_government_terms_stay_whole() -> None:
    assert "河长制" in terms("全面推行河长制")
    assert "创文" in terms("为创文工作添砖加瓦")


def test_index_mode_adds_words_inside_long_words_at_the_same_position() -> None:
    indexed = tokens("创建全国文明城市", mode="index")
    positions = dict(indexed)
    assert positions["全国文明城市"] == positions["文明城市"] == positions["全国"]


def test_phrase_queries_match_with_this_analyzer() -> None:
    schema = Schema(id=ID(stored=True), text=TEXT(analyzer=chinese_analyzer()))
    ix = RamStorage().create_index(schema)
    with ix.writer() as writer:
        writer.add_document(id="a", text="川汇区召开创建全国文明城市提名城市工作推进会")
        writer.add_document(id="b", text="推进会召开，川汇区工作")
    with ix.searcher() as searcher:
        phrase = wq.Phrase("text", terms("召开创建"))
        assert [hit["id"] for hit in searcher.search(phrase)] == ["a"]
        reversed_words = wq.Phrase("text", terms("工作川汇区"))
        assert list(searcher.search(reversed_words)) == []


def test_county_and_city_names_of_the_gazetteer_are_single_words() -> None:
    assert terms("宁波市鄞州区召开河长制推进会")[:3] == ["宁波市", "鄞州区", "召开"]
    assert "川汇区" in terms("周口市川汇区") and "周口市" in terms("周口市川汇区")


def test_exact_form_folds_like_normalise_and_drops_only_whitespace() -> None:
    from searcher.analysis import exact_form

    assert exact_form("網格化 管理\n，ＡＢ") == "网格化管理,ab"
    assert exact_form("城市，长期") != exact_form("城市长期")


@settings(max_examples=400, deadline=None)
@given(
    st.text(
        alphabet=st.one_of(
            st.characters(min_codepoint=0x20, max_codepoint=0x3000),
            st.sampled_from("，。：；！？（）　ＡＢＣ１２３ａｂｃ＂＇Ａ\u0301\u3099か゛ｶﾞ㍻①ﬁ"),
            st.characters(),
        ),
        max_size=60,
    )
)
def test_nfkc_is_unicodes_nfkc(text: str) -> None:
    # The cleaner's NFKC maps full-width forms itself before asking unicodedata (4x
    # faster on Chinese text); the result must be NFKC's, combining marks and all.
    assert nfkc(text) == unicodedata.normalize("NFKC", text)


def test_nfkc_of_chinese_text() -> None:
    line = "本报讯（记者　张三）１１月２２日，ＸＸ县召开“网格化”管理推进会！"
    assert nfkc(line) == unicodedata.normalize("NFKC", line)
    assert nfkc(line) == "本报讯(记者 张三)11月22日,XX县召开“网格化”管理推进会!"


def test_index_term_counts_are_the_index_tokens(seeds: Path) -> None:
    # The index counts terms in one pass (rjieba's cut, punctuation dropped per distinct
    # token); a document's postings must be exactly the tokens the analyzer yields for it.
    for path in sorted(seeds.glob("*.txt")):
        text = path.read_text("utf-8")[:20000]
        counted = Counter(token for token, _ in tokens(text, mode="index"))
        assert counted
        assert index_term_counts(text) == counted, path.name
