"""A query's matches as arrays: every matching document of the index and its score, in bulk.

Whoosh's collector walks a query's matcher tree one document at a time, several method calls
per document and level, to score, count and keep the best: at a hundred thousand matches
that walk is most of a search. :func:`evaluate` builds the same matchers (the query's own
``matcher`` for each segment, with the searcher's context, as the collector does) and reads
each matcher whole into sorted document numbers and scores with numpy: a leaf's postings a
block at a time, a union's scores added with ``bincount``, an intersection with
``intersect1d``. Each combination adds the same float64 numbers in the same order as the
matcher's own ``score``, so scores, totals and the order of the hits are Whoosh's
(``tests/test_matches.py`` compares them query by query).

A matcher of a kind not listed in :data:`_READERS` is walked the way the collector walks it
(``is_active``/``id``/``score``/``next``): a new kind of query is slower here, never wrong.
This module depends on the internals of ``whoosh3==3.54.0``'s matchers named there.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
from whoosh import matching
from whoosh.codec.whoosh3 import W3LeafMatcher

from .exact import SortedListMatcher

#: Document numbers and scores of one matcher, both arrays of one length, ids ascending.
Arrays = tuple[np.ndarray, np.ndarray]

_NO_IDS = np.zeros(0, dtype=np.int64)
_NO_SCORES = np.zeros(0, dtype=np.float64)


@dataclass
class Matches:
    """Every match of a query: top-level document numbers (ascending) and their scores."""

    docnums: np.ndarray
    scores: np.ndarray

    def __len__(self) -> int:
        return len(self.docnums)

    def within(self, allowed: np.ndarray) -> Matches:
        """Only the matches among ``allowed`` (sorted document numbers)."""
        keep = np.isin(self.docnums, allowed, assume_unique=True)
        return Matches(self.docnums[keep], self.scores[keep])

    def top(self, limit: int | None) -> list[tuple[float, int]]:
        """The best ``limit`` matches (every match for None) as ``(score, docnum)``, best
        first, a lower document number first among equal scores: Whoosh's order."""
        count = len(self.docnums)
        if limit is not None and limit < count:
            # The limit-th best score; every match at least as good is a candidate.
            cut = np.partition(self.scores, count - limit)[count - limit]
            picked = np.flatnonzero(self.scores >= cut)
        else:
            picked = np.arange(count)
        order = np.lexsort((self.docnums[picked], -self.scores[picked]))[:limit]
        chosen = picked[order]
        return list(zip(self.scores[chosen].tolist(), self.docnums[chosen].tolist(), strict=True))


def evaluate(query: Any, searcher: Any) -> Matches:
    """Every document of ``searcher``'s index that ``query`` matches, with its score."""
    context = searcher.context()
    ids: list[np.ndarray] = []
    scores: list[np.ndarray] = []
    for subsearcher, offset in searcher.leaf_searchers():
        found, scored = read(query.matcher(subsearcher, context))
        if len(found):
            ids.append(found + offset)
            scores.append(scored)
    if not ids:
        return Matches(_NO_IDS, _NO_SCORES)
    return Matches(np.concatenate(ids), np.concatenate(scores))


def read(matcher: Any) -> Arrays:
    """The document numbers (ascending) and scores of everything ``matcher`` matches from
    where it stands."""
    reader = _READERS.get(type(matcher))
    if reader is None:
        return _walked(matcher)
    return reader(matcher)


def _walked(matcher: Any) -> Arrays:
    """As the collector reads a matcher: a document at a time."""
    ids: list[int] = []
    scores: list[float] = []
    while matcher.is_active():
        ids.append(matcher.id())
        scores.append(matcher.score())
        matcher.next()
    return np.array(ids, dtype=np.int64), np.array(scores, dtype=np.float64)


def _null(matcher: Any) -> Arrays:
    return _NO_IDS, _NO_SCORES


def _list(matcher: Any) -> Arrays:
    """ListMatcher (and ours, with a binary-search ``skip_to``): score is its weight."""
    if matcher._scorer is not None:
        return _walked(matcher)
    ids = np.asarray(matcher._ids[matcher._i :], dtype=np.int64)
    if matcher._all_weights:
        scores = np.full(len(ids), float(matcher._all_weights))
    elif matcher._weights:
        scores = np.asarray(matcher._weights[matcher._i :], dtype=np.float64)
    else:
        scores = np.ones(len(ids))
    return ids, scores


def _leaf(matcher: Any) -> Arrays:
    """A W3 posting list, a block at a time, scored in bulk by our BM25F scorer."""
    from .query import _NormScorer

    scorer = matcher.scorer
    if scorer is not None and type(scorer) is not _NormScorer:
        return _walked(matcher)
    ids: list[int] = []
    weights: list[float] = []
    i = matcher._i
    while matcher.is_active():
        if matcher._ids is None:
            matcher._read_ids()
        if matcher._weights is None:
            matcher._read_weights()
        ids.extend(matcher._ids[i:])
        weights.extend(matcher._weights[i:])
        i = 0
        matcher._next_block()
    found = np.array(ids, dtype=np.int64)
    tf = np.array(weights, dtype=np.float64)
    if scorer is None:  # a boolean context: only which documents match
        return found, tf
    return found, scorer.array_scores(found, tf)


def _wrapped(matcher: Any) -> Arrays:
    """WrappingMatcher: the child's scores times the boost."""
    ids, scores = read(matcher.child)
    return ids, scores * matcher.boost if matcher.boost != 1.0 else scores


def _filtered(matcher: Any) -> Arrays:
    """FilterMatcher (a segment's deleted documents, above all): the child's matches in (or,
    ``exclude``, not in) a set, scores times the boost."""
    ids, scores = _wrapped(matcher)
    chosen = np.fromiter(matcher._ids, dtype=np.int64, count=len(matcher._ids))
    keep = np.isin(ids, chosen, invert=matcher._exclude)
    return ids[keep], scores[keep]


def _constant(matcher: Any) -> Arrays:
    ids, _ = read(matcher.child)
    return ids, np.full(len(ids), float(matcher._score))


def _union(matcher: Any) -> Arrays:
    """Either side; where both match, ``a.score() + b.score()``."""
    a_ids, a_scores = read(matcher.a)
    b_ids, b_scores = read(matcher.b)
    if not len(b_ids):
        return a_ids, a_scores
    if not len(a_ids):
        return b_ids, b_scores
    ids, where = np.unique(np.concatenate((a_ids, b_ids)), return_inverse=True)
    # bincount adds in array order from 0.0: a's score, then b's, as the matcher does.
    return ids, np.bincount(where, weights=np.concatenate((a_scores, b_scores)))


def _intersection(matcher: Any) -> Arrays:
    a_ids, a_scores = read(matcher.a)
    if not len(a_ids):
        return _NO_IDS, _NO_SCORES
    b_ids, b_scores = read(matcher.b)
    ids, in_a, in_b = np.intersect1d(a_ids, b_ids, assume_unique=True, return_indices=True)
    return ids, a_scores[in_a] + b_scores[in_b]


def _and_maybe(matcher: Any) -> Arrays:
    """``a``'s matches; ``a.score() + b.score()`` where ``b`` matches too."""
    ids, scores = read(matcher.a)
    if not len(ids):
        return ids, scores
    b_ids, b_scores = read(matcher.b)
    _, in_a, in_b = np.intersect1d(ids, b_ids, assume_unique=True, return_indices=True)
    scores = scores.copy()
    scores[in_a] = scores[in_a] + b_scores[in_b]
    return ids, scores


def _excluding(matcher: Any) -> Arrays:
    """``a``'s matches not matched by ``b`` (searcher.query.Excluding's matcher)."""
    ids, scores = read(matcher.a)
    if not len(ids) or not matcher.b.is_active():
        return ids, scores
    b_ids, _ = read(matcher.b)
    keep = np.isin(ids, b_ids, assume_unique=True, invert=True)
    return ids[keep], scores[keep]


def _readers() -> dict[type, Callable[[Any], Arrays]]:
    from .query import _ExcludingMatcher, _UnprunedMatcher

    return {
        matching.NullMatcherClass: _null,
        matching.ListMatcher: _list,
        SortedListMatcher: _list,
        W3LeafMatcher: _leaf,
        matching.WrappingMatcher: _wrapped,
        _UnprunedMatcher: _wrapped,
        matching.FilterMatcher: _filtered,
        matching.ConstantScoreWrapperMatcher: _constant,
        matching.UnionMatcher: _union,
        matching.IntersectionMatcher: _intersection,
        matching.AndMaybeMatcher: _and_maybe,
        _ExcludingMatcher: _excluding,
    }


class _Readers(dict[type, Callable[[Any], Arrays]]):
    """The table, filled on first use (query.py imports this module's callers)."""

    def get(self, key: type, default: Any = None) -> Any:  # type: ignore[override]
        if not self:
            self.update(_readers())
        return super().get(key, default)


_READERS = _Readers()


def sorted_unique(values: Iterable[int]) -> np.ndarray:
    """Document numbers as a sorted array without repeats."""
    if isinstance(values, np.ndarray):
        return np.unique(values)
    return np.unique(np.fromiter(values, dtype=np.int64))


def intersected(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The document numbers in both sorted arrays."""
    return np.intersect1d(a, b, assume_unique=True)
