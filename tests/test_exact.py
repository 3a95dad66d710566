"""The exact-match text: each article's title and text, scanned as one string."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from searcher.exact import FILE, ExactText


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
