"""The exact-match text: each article's title and text, scanned as one string."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from searcher.engine import Engine
from searcher.exact import CHAR_INDEX_AFTER, FILE, ExactText


@pytest.fixture
def text() -> ExactText:
    return ExactText.from_articles(
        [
            ("a", "蝴蝶 飞舞", "城市，长期规划。"),
            ("b", "市长调研", "網格化管理"),
            ("c", "城市", "长期"),
        ]
    )


def test_finds_every_article_holding_the_string_once(text: ExactText) -> None:
    assert text.find("蝶") == ([0], {0})
    assert text.find("市") == ([0, 1, 2], {1, 2})
    assert text.find("网格化") == ([1], set())


def test_matches_never_run_across_punctuation_or_fields(text: ExactText) -> None:
    assert text.find("市长")[0] == [1]
    assert text.find("城市长期")[0] == []


def test_title_or_text_only(text: ExactText) -> None:
    assert text.find("市长", "title") == ([1], {1})
    assert text.find("市长", "text")[0] == []
    assert text.find("长期", "title")[0] == []
    assert text.find("长期", "text") == ([0, 2], set())


def test_written_and_read_back(tmp_path: Path, text: ExactText) -> None:
    in_order = dataclasses.replace(text, docnums=[0, 1, 3])
    in_order.write(tmp_path / FILE)
    again = ExactText.read(tmp_path / FILE)
    assert again == in_order
    (tmp_path / "bad").write_bytes(b"not an exact file")
    with pytest.raises(ValueError):
        ExactText.read(tmp_path / "bad")


def test_looks_only_within_the_articles_given(text: ExactText) -> None:
    assert text.find("市", within=[0, 2]) == ([0, 2], {2})
    assert text.find("长期", within=[1]) == ([], set())
    assert text.find("市长", "title", within=[0, 1]) == ([1], {1})


def _seed_text(engine: Engine) -> ExactText:
    store, _ = engine._open()
    return ExactText.from_articles(store.shown_texts())


def test_the_character_index_finds_what_a_full_scan_finds(engine: Engine) -> None:
    scanned = _seed_text(engine)
    indexed = _seed_text(engine)
    indexed.build_char_index()
    assert scanned.chars is None and indexed.chars is not None
    every = range(len(scanned.ids))
    needles = {"蝶", "网格化", "淮安区", "的", "市长", "2018", "。", "不在任何文章里的字符串鑫"}
    for text in scanned.texts:
        for start in range(0, len(text), 97):
            needles.update({text[start : start + 1], text[start : start + 4]})
    for needle in sorted(needles):
        assert indexed.find(needle) == scanned.find(needle), needle
        assert indexed.find(needle, "title") == scanned.find(needle, "title"), needle
        assert indexed.find(needle, within=every[::2]) == scanned.find(needle, within=every[::2])


@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_a_random_string_is_found_alike_with_and_without_the_index(
    engine: Engine, data: st.DataObject
) -> None:
    scanned = _seed_text(engine)
    indexed = _seed_text(engine)
    indexed.build_char_index()
    text = data.draw(st.sampled_from([t for t in scanned.texts if t]))
    start = data.draw(st.integers(0, len(text) - 1))
    needle = text[start : start + data.draw(st.integers(1, 8))]
    assert indexed.find(needle) == scanned.find(needle)
    assert start in range(len(text)) and indexed.find(needle)[0]


def test_a_process_that_keeps_scanning_builds_the_index_itself(engine: Engine) -> None:
    text = _seed_text(engine)
    for _ in range(CHAR_INDEX_AFTER - 1):
        text.find("网格化")
    assert text.chars is None  # a one-off search never pays for it
    text.find("网格化")
    assert text.chars is not None


def test_a_warmed_engine_has_its_character_index_and_holds_no_reader(seed_index: Path) -> None:
    engine = Engine(seed_index)
    engine.warm()
    assert engine._readers.lease is None  # a later generation swap can remove this one
    matcher = engine._search_data[1] if engine._search_data else None
    loaded = getattr(matcher, "_matcher", matcher)
    assert loaded is not None and loaded.text.chars is not None
    assert engine.search('"网格化"').total == engine.search("网格化").total >= 1
