"""Ranking: the parameters of the order, the score of an exact string, and proximity.

A search is ranked in two stages, as search engines do it:

1. Whoosh scores every match (:mod:`searcher.query`): BM25F of the words over title and
   text, and BM25 of a quoted string or an unknown word counted in the exact text
   (:func:`exact_bm25`: how often the article holds the string, against its length), with
   the tiers above them (the whole query as one string, the typed word before its synonyms).
2. The best :attr:`Ranking.window` matches are re-scored (:func:`bonus`): an article whose
   title holds every word of the query gains :attr:`Ranking.title_match`, and one holding
   the words close together in one sentence up to :attr:`Ranking.proximity`
   (:func:`proximity`).

The parameters were chosen on the tuning half of ``benchmarks/ranking.py`` and checked on
its other half; ``searcher search --explain`` shows each part of a hit's score.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass

from whoosh.scoring import bm25

#: Characters that end a sentence (or a line) in exact-form text: a window of the query's
#: words crossing one is not "in one sentence".
_SENTENCE_END_RE = re.compile(r"[。！？；!?;\n]")


@dataclass(frozen=True)
class Ranking:
    """The parameters of the order, chosen on the tuning half of ``benchmarks/ranking.py``
    (the README's ranking section gives the figures of each choice)."""

    #: BM25's term-frequency saturation and length normalisation, for words and strings:
    #: a text twice the average length needs a bit less than twice the occurrences.
    k1: float = 1.2
    b: float = 0.9
    #: Length normalisation of titles (their lengths vary less than texts').
    title_b: float = 0.75
    #: BM25F proper: a word's length-normalised frequencies in title and text, weighted,
    #: are added before one saturation (a word in the title counts, but cannot drown the
    #: text); else each field's BM25 is added up (Whoosh's BM25F).
    combined: bool = True
    #: One occurrence in the title counts as this many in the text.
    title_weight: float = 1.0
    #: Add BM25F of a quoted string's words to the string's own BM25 (counts it twice).
    string_words: bool = False
    #: The most a hit gains by proximity (holding every query word in one short window of
    #: one sentence): a tie-breaker, as more costs the benchmark's orders.
    proximity: float = 0.2
    #: What a hit gains when its title holds every word of the query.
    title_match: float = 10.0
    #: How many of the best matches are re-scored by proximity and title matches.
    window: int = 200


def idf(documents: int, holding: int) -> float:
    """Whoosh's idf (``log(N / (df + 1)) + 1``), so strings and words share a scale."""
    return math.log(documents / (holding + 1)) + 1


def exact_bm25(
    counts: Sequence[tuple[int, int, int]],
    documents: int,
    average_length: float,
    ranking: Ranking,
    field: str | None = None,
) -> list[float]:
    """BM25 of a string (exact form) in each article holding it, from ``counts``: how often
    its title holds the string, how often its text does, and the text's length. The count in
    the text plus :attr:`Ranking.title_weight` times the count in the title (only one of them
    for a ``field``), against the text's length, with the idf of how many articles hold it."""
    weight = ranking.title_weight
    scale = idf(documents, len(counts))
    k1, b = ranking.k1, ranking.b
    average = average_length or 1.0
    scores = []
    for in_title, in_text, length in counts:
        tf = (weight * in_title if field != "text" else 0) + (in_text if field != "title" else 0)
        scores.append(bm25(scale, tf, length, average, b, k1))
    return scores


def min_window(
    text: str, groups: Sequence[Sequence[str]], one_sentence: bool = False
) -> tuple[int, int] | None:
    """The shortest span ``(start, end)`` of ``text`` holding one of the strings of every one
    of ``groups`` (all in exact form), within one sentence if ``one_sentence``; None when
    there is none."""
    events: list[tuple[int, int, int]] = []  # (start, end, group)
    for k, group in enumerate(groups):
        found = False
        for needle in group:
            start = text.find(needle)
            while start >= 0:
                found = True
                events.append((start, start + len(needle), k))
                start = text.find(needle, start + 1)
        if not found:
            return None
    events.sort()
    ends = [m.start() for m in _SENTENCE_END_RE.finditer(text)] if one_sentence else []
    sentence = -1
    last_start = [-1] * len(groups)
    last_end = [-1] * len(groups)
    best: tuple[int, int] | None = None
    seen = 0
    for start, end, k in events:
        if ends:
            here = bisect_right(ends, start)
            if here != sentence:  # a new sentence: what came before does not count
                sentence, seen = here, 0
                last_start = [-1] * len(groups)
                last_end = [-1] * len(groups)
        if last_start[k] < 0:
            seen += 1
        last_start[k], last_end[k] = start, end
        if seen == len(groups):
            low, high = min(last_start), max(last_end)
            if best is None or high - low < best[1] - best[0]:
                best = (low, high)
    return best


@dataclass(frozen=True)
class Bonus:
    """What the second stage adds to a hit's score, part by part."""

    proximity: float = 0.0
    title: float = 0.0

    @property
    def total(self) -> float:
        return self.proximity + self.title


def bonus(title: str, text: str, groups: Sequence[Sequence[str]], ranking: Ranking) -> Bonus:
    """The second-stage parts of a hit with ``title`` and ``text`` (exact form) for a query of
    ``groups`` (each a required group's strings, in exact form)."""
    return Bonus(proximity(text, groups, ranking), title_match(title, groups, ranking))


def title_match(title: str, groups: Sequence[Sequence[str]], ranking: Ranking) -> float:
    """:attr:`Ranking.title_match` when the title holds a string of every one of ``groups``,
    else 0."""
    if ranking.title_match <= 0 or not groups:
        return 0.0
    held = sum(1 for group in groups if any(needle in title for needle in group))
    return ranking.title_match if held == len(groups) else 0.0


def proximity(text: str, groups: Sequence[Sequence[str]], ranking: Ranking) -> float:
    """What ``text`` gains for holding the query's ``groups`` close together:
    :attr:`Ranking.proximity` times how much of the shortest window holding them all within
    one sentence is the strings themselves; 0 when no sentence holds them all."""
    if ranking.proximity <= 0 or len(groups) < 2:
        return 0.0
    span = min_window(text, groups, one_sentence=True)
    if span is None:
        return 0.0
    covered = sum(min(len(needle) for needle in group) for group in groups)
    return ranking.proximity * min(1.0, covered / (span[1] - span[0]))
