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
from collections import Counter
from collections.abc import Iterable, Iterator
from importlib import resources
from pathlib import Path
from typing import Any

from whoosh.analysis import Token, Tokenizer

from .errors import SearcherError

_CJK_RUN_RE = re.compile(r"^[\u3400-\u9fff]+$")
# A token made only of punctuation, symbols or spaces carries no meaning for search.
_NON_WORD_RE = re.compile(r"^[\W_]+$")


@functools.cache
def _t2s() -> Any:
    import opencc

    return opencc.OpenCC("t2s")


def nfkc(text: str) -> str:
    """``unicodedata.normalize("NFKC", text)``, skipped when the quick check says the text is
    in that form already (most text is: 100x cheaper)."""
    if unicodedata.is_normalized("NFKC", text):
        return text
    return _nfkc(text)


#: Full-width ASCII forms and the ideographic space, as NFKC maps them: the only characters
#: most Chinese text needs changed (its punctuation is full-width).
_FULL_WIDTH = {
    chr(c): unicodedata.normalize("NFKC", chr(c)) for c in (*range(0xFF01, 0xFF5F), 0x3000)
}
_FULL_WIDTH_RE = re.compile("[\uff01-\uff5e\u3000]")


# The cleaner normalises each line more than once (its fingerprint, its squeezed form):
# remember the recent ones.
@functools.lru_cache(maxsize=4096)
def _nfkc(text: str) -> str:
    # Mapping the full-width forms first leaves the same NFKC form (they are NFKC's own
    # mappings); what remains is most often normalised already. A regular expression finds
    # them faster than ``str.translate`` looks up every character, and the quick check is
    # several times cheaper than ``normalize`` on CJK text: 4x in all.
    mapped = _FULL_WIDTH_RE.sub(_full_width, text)
    if unicodedata.is_normalized("NFKC", mapped):
        return mapped
    return unicodedata.normalize("NFKC", mapped)


def _full_width(match: re.Match[str]) -> str:
    return _FULL_WIDTH[match.group()]


def normalise(text: str) -> str:
    """NFKC, case folding and traditional -> simplified: what both sides of a match see.

    Full-width letters and digits become ASCII, compatibility forms their plain letters,
    ``網格化`` becomes ``网格化``. The length of the text may change.
    """
    return _t2s().convert(nfkc(text).casefold())


def exact_form(text: str) -> str:
    """The form exact (quoted) matching compares: :func:`normalise`, whitespace removed.

    Punctuation stays, so ``"市长"`` never matches ``城市，长期``.
    """
    return "".join(normalise(text).split())


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


def read_word_file(path: str | Path) -> list[str]:
    """The entries of a user's word list file; SearcherError naming it when unreadable."""
    try:
        return read_word_list(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        reason = getattr(error, "strerror", None) or "not a UTF-8 text file"
        raise SearcherError(f"{path}: {reason}") from None


def read_user_dictionary(path: str | Path) -> tuple[str, ...]:
    """The entries of a user dictionary file (``word`` or ``word frequency`` a line).

    Raises SearcherError naming the file when it cannot be read or an entry is malformed.
    """
    lines = read_word_file(path)
    for number, line in enumerate(lines, start=1):
        fields = line.split()
        if len(fields) > 2 or (len(fields) == 2 and not fields[1].isdigit()):
            raise SearcherError(f"{path}: entry {number} {line!r} is not 'word' or 'word count'")
    return tuple(lines)


@functools.cache
def load_segmenter(user_words: tuple[str, ...] = ()) -> Any:
    """An rjieba segmenter with jieba's dictionary plus ours, the gazetteer's county and city
    names, and the user's words (lines ``word [frequency]``); built once per word list."""
    import rjieba

    # Importing rjieba loads jieba's dictionary into a default segmenter (0.1 s); the first
    # segmenter without user words is that one, not a second copy. (This function runs once
    # per word list, so the default one is only ever given ours.)
    default = getattr(rjieba, "_DEFAULT_JIEBA", None)
    segmenter = default if default is not None and not user_words else rjieba.Jieba()
    lines = [
        *read_word_list(data_file("userdict.txt")),
        *read_word_list(data_file("regionwords.txt")),  # the gazetteer's county and city names
        *user_words,
    ]
    for line in lines:
        word, *rest = line.split()
        freq = int(rest[0]) if rest and rest[0].isdigit() else None
        segmenter.add_word(normalise(word), freq, None)
    return segmenter


def is_word(word: str, user_words: tuple[str, ...] = ()) -> bool:
    """True when normalised ``word`` is one dictionary word of two characters or more."""
    return len(word) >= 2 and bool(load_segmenter(user_words).has_word(word))


def segment(text: str, user_words: tuple[str, ...] = ()) -> list[tuple[str, int, int]]:
    """``(word, start, end)`` for every word of already-normalised ``text``, space and
    punctuation dropped. Offsets index ``text``."""
    return _segment_with(load_segmenter(user_words), text)


def _segment_with(segmenter: Any, text: str) -> list[tuple[str, int, int]]:
    return [
        (word, start, end)
        for word, start, end in segmenter.tokenize(text)
        if not _NON_WORD_RE.match(word)
    ]


def subwords(word: str, user_words: tuple[str, ...] = ()) -> tuple[str, ...]:
    """Dictionary words inside a longer word: ``全国文明城市`` -> 全国, 文明, 城市, 文明城市 ….

    Indexed at the position of the word that holds them, so a search for a part of a word
    the segmenter kept whole still finds it, and phrase positions are unchanged.
    """
    return _subwords_with(load_segmenter(user_words), word)


# Keyed by the segmenter object (hashed by identity), so the indexing hot path never hashes
# the user's word list.
@functools.lru_cache(maxsize=200_000)
def _subwords_with(segmenter: Any, word: str) -> tuple[str, ...]:
    if len(word) < 3 or not _CJK_RUN_RE.match(word):
        return ()
    found = []
    for size in range(len(word) - 1, 1, -1):
        for start in range(len(word) - size + 1):
            gram = word[start : start + size]
            if segmenter.has_word(gram):
                found.append(gram)
    return tuple(dict.fromkeys(found))


def terms(text: str, user_words: tuple[str, ...] = ()) -> list[str]:
    """The index terms of raw ``text`` in order (normalised and segmented)."""
    return [word for word, _, _ in segment(normalise(text), user_words)]


class ChineseTokenizer(Tokenizer):
    """A Whoosh tokenizer: normalise, segment with rjieba, positions that count tokens.

    Pickled inside the index schema with the user dictionary's lines (``word [frequency]``),
    so an index always segments queries the way it segmented its documents; the segmenter
    itself is reloaded lazily.
    """

    # Indexes written before user dictionaries were stored have no such attribute.
    user_words: tuple[str, ...] = ()

    def __init__(self, user_words: Iterable[str] = ()) -> None:
        self.user_words = tuple(user_words)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ChineseTokenizer) and other.user_words == self.user_words

    def __hash__(self) -> int:
        return hash(self.user_words)

    def __getstate__(self) -> dict[str, Any]:
        return {"user_words": self.user_words}

    def _segmenter(self) -> Any:
        segmenter = self.__dict__.get("_loaded")
        if segmenter is None:
            segmenter = self.__dict__["_loaded"] = load_segmenter(self.user_words)
        return segmenter

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
        segmenter = self._segmenter()
        words = getattr(value, "segmented", None)
        if words is None:
            words = _segment_with(segmenter, normalise(value))
        expand = mode == "index"
        for pos, (word, start, end) in enumerate(words, start=start_pos):
            for text in (word, *_subwords_with(segmenter, word)) if expand else (word,):
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


def index_term_counts(
    value: str, user_words: tuple[str, ...] = (), scale: int = 1, part: int = 1
) -> Counter[str]:
    """How often each index term occurs in ``value``: every word, and the dictionary words
    inside it (:func:`subwords`), as :class:`ChineseTokenizer` yields them for indexing,
    counted without building a token per occurrence. A word counts ``scale`` each time,
    a dictionary word inside a longer one ``part``."""
    segmenter = load_segmenter(user_words)
    words = getattr(value, "segmented", None)
    if words is not None:
        counts = Counter(word for word, _, _ in words)
    else:
        # rjieba's ``cut`` is ``tokenize`` without the offsets (the same words, a fifth
        # faster); space and punctuation are dropped once per distinct token, not per token.
        counts = Counter(segmenter.cut(normalise(value)))
        # (A token of letters or digits only is a word: the regular expression only for
        # the others.)
        for token in [t for t in counts if not t.isalnum() and _NON_WORD_RE.match(t)]:
            del counts[token]
    # Only words of three characters or more hold dictionary words (``_subwords_with``).
    long_words = [(word, count) for word, count in counts.items() if len(word) > 2]
    if scale != 1:
        for word in counts:
            counts[word] *= scale
    for word, count in long_words:
        for inside in _subwords_with(segmenter, word):
            counts[inside] += count * part
    return counts


class Segmented(str):
    """A string that carries its segmentation, so a text is segmented once, not per use."""

    segmented: list[tuple[str, int, int]]

    def __new__(cls, text: str, words: list[tuple[str, int, int]]) -> Segmented:
        obj = super().__new__(cls, text)
        obj.segmented = words
        return obj

    def __reduce__(self) -> tuple[type[Segmented], tuple[str, list[tuple[str, int, int]]]]:
        return (Segmented, (str(self), self.segmented))


def chinese_analyzer(user_words: Iterable[str] = ()) -> ChineseTokenizer:
    """The analyzer of every text field, and of queries against them."""
    return ChineseTokenizer(user_words)
