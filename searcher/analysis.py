"""Text analysis: normalisation and jieba segmentation with positions that count tokens.

The same pipeline runs on documents and on queries::

    normalise (NFKC, case fold, traditional -> simplified) -> segment (rjieba) -> drop space
    and punctuation -> positions 0, 1, 2 …

jieba's own ``ChineseAnalyzer`` gives character offsets as positions, so Whoosh phrase queries
never match; here a token's position is its rank among the kept tokens.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable, Iterator
from importlib import resources
from pathlib import Path
from typing import Any

from whoosh.analysis import Token, Tokenizer

_CJK_RUN_RE = re.compile(r"^[\u3400-\u9fff]+$")
# A token made only of punctuation, symbols or spaces carries no meaning for search.
_NON_WORD_RE = re.compile(r"^[\W_]+$")


@functools.cache
def _t2s() -> Any:
    import opencc

    return opencc.OpenCC("t2s")


def normalise(text: str) -> str:
    """NFKC, case folding and traditional -> simplified: what both sides of a match see.

    Full-width letters and digits become ASCII, compatibility forms their plain letters,
    ``網格化`` becomes ``网格化``. The length of the text may change.
    """
    text = unicodedata.normalize("NFKC", text).casefold()
    return _t2s().convert(text)


def data_file(name: str) -> str:
    """The text of a data file shipped in ``searcher/data``."""
    return resources.files("searcher").joinpath("data", name).read_text(encoding="utf-8")


def read_word_list(text: str) -> list[str]:
    """Words from a data file: one a line, ``#`` comments and blank lines ignored."""
    words = []
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            words.append(line)
    return words


@functools.cache
def stop_words() -> frozenset[str]:
    """Chinese function words ignored in unquoted queries (never in phrases or the index)."""
    return frozenset(normalise(w) for w in read_word_list(data_file("stopwords.txt")))


@functools.cache
def load_segmenter(userdicts: tuple[str, ...] = ()) -> Any:
    """An rjieba segmenter with jieba's dictionary plus ours and the user's; built once."""
    import rjieba

    segmenter = rjieba.Jieba()
    words: list[str] = read_word_list(data_file("userdict.txt"))
    for path in userdicts:
        words.extend(read_word_list(Path(path).read_text(encoding="utf-8")))
    for line in words:
        word, *rest = line.split()
        freq = int(rest[0]) if rest and rest[0].isdigit() else None
        segmenter.add_word(normalise(word), freq, None)
    return segmenter


def segment(text: str, userdicts: tuple[str, ...] = ()) -> list[tuple[str, int, int]]:
    """``(word, start, end)`` for every word of already-normalised ``text``, space and
    punctuation dropped. Offsets index ``text``."""
    return [
        (word, start, end)
        for word, start, end in load_segmenter(userdicts).tokenize(text)
        if not _NON_WORD_RE.match(word)
    ]


@functools.lru_cache(maxsize=200_000)
def subwords(word: str, userdicts: tuple[str, ...] = ()) -> tuple[str, ...]:
    """Dictionary words inside a longer word: ``全国文明城市`` -> 全国, 文明, 城市, 文明城市 ….

    Indexed at the position of the word that holds them, so a search for a part of a word
    the segmenter kept whole still finds it, and phrase positions are unchanged.
    """
    if len(word) < 3 or not _CJK_RUN_RE.match(word):
        return ()
    segmenter = load_segmenter(userdicts)
    found = []
    for size in range(len(word) - 1, 1, -1):
        for start in range(len(word) - size + 1):
            gram = word[start : start + size]
            if segmenter.has_word(gram):
                found.append(gram)
    return tuple(dict.fromkeys(found))


def terms(text: str, userdicts: tuple[str, ...] = ()) -> list[str]:
    """The index terms of raw ``text`` in order (normalised and segmented)."""
    return [word for word, _, _ in segment(normalise(text), userdicts)]


class ChineseTokenizer(Tokenizer):
    """A Whoosh tokenizer: normalise, segment with rjieba, positions that count tokens.

    Pickled inside the index schema, so it keeps only plain data (the user dictionaries'
    paths) and reloads the segmenter lazily.
    """

    def __init__(self, userdicts: Iterable[str] = ()) -> None:
        self.userdicts = tuple(str(p) for p in userdicts)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ChineseTokenizer) and other.userdicts == self.userdicts

    def __hash__(self) -> int:
        return hash(self.userdicts)

    def __call__(  # type: ignore[override]
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs: Any,
    ) -> Iterator[Token]:
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:
            token.original = token.text = value
            token.boost = 1.0
            if positions:
                token.pos = start_pos
            if chars:
                token.startchar = start_char
                token.endchar = start_char + len(value)
            yield token
            return
        words = getattr(value, "segmented", None)
        if words is None:
            words = segment(normalise(value), self.userdicts)
        expand = mode == "index"
        for pos, (word, start, end) in enumerate(words, start=start_pos):
            for text in (word, *subwords(word, self.userdicts)) if expand else (word,):
                token.text = text
                token.boost = 1.0
                token.stopped = False
                if keeporiginal:
                    token.original = text
                if positions:
                    token.pos = pos
                if chars:
                    token.startchar = start_char + start
                    token.endchar = start_char + end
                yield token


class Segmented(str):
    """A string that carries its segmentation, so a text is segmented once, not per use."""

    segmented: list[tuple[str, int, int]]

    def __new__(cls, text: str, words: list[tuple[str, int, int]]) -> Segmented:
        obj = super().__new__(cls, text)
        obj.segmented = words
        return obj

    def __reduce__(self) -> tuple[type[Segmented], tuple[str, list[tuple[str, int, int]]]]:
        return (Segmented, (str(self), self.segmented))


def chinese_analyzer(userdicts: Iterable[str] = ()) -> ChineseTokenizer:
    """The analyzer of every text field, and of queries against them."""
    return ChineseTokenizer(userdicts)
