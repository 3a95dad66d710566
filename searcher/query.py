"""Queries: parse the user's syntax, build Whoosh queries, rank, and cut snippets.

Syntax: words are all required; ``"…"`` is an exact string; ``A OR B`` either; ``-word``
excludes; ``title:word`` / ``title:"…"`` looks in titles only.

What matches (both sides in :func:`~searcher.analysis.exact_form`: NFKC, case, traditional ->
simplified, whitespace removed):

* ``"…"`` (any length, one character included): the articles whose title or text contains
  the string, found by the exact scan (:mod:`searcher.exact`), title holders first, then by
  BM25F of its words;
* an unquoted word that is one dictionary word of two characters or more: that word in the
  word index (which also holds the dictionary words inside longer words);
* any other unquoted word (a name or place the segmenter does not know, a single character,
  a run of words typed without spaces): the word as a character sequence, or all of its
  words anywhere;
* a word with synonyms (``创文`` -> ``创建文明城市``): the word or one of them.

Stop words are dropped from unquoted words unless the query holds nothing else; a query of
punctuation alone is searched as typed.

Ranking is BM25F in tiers: articles holding the whole query as one exact string
(:data:`PHRASE_BONUS`) come first, then those holding the typed words rather than only their
synonyms (:data:`TYPED_BONUS` per word). Its parameters, the BM25 of exact strings and the
second stage (title and proximity bonuses) are :mod:`searcher.rank`'s.
"""

from __future__ import annotations

import functools
import html
import re
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from whoosh import matching, scoring
from whoosh import query as wq
from whoosh.codec.whoosh3 import W3LeafMatcher

from .analysis import (
    data_file,
    exact_form,
    is_word,
    normalise,
    read_word_list,
    segment,
    stop_words,
)
from .errors import SearcherError
from .exact import DocSetQuery, SortedListMatcher
from .rank import Ranking

MAX_QUERY_CHARS = 200
MAX_TERMS = 32
#: Words, quoted strings and exclusions in one query. Each required clause is one more matcher
#: over every candidate article (a common word is 19,000 of them on the xwlb corpus), so the
#: cap is what keeps the slowest 200-character query under a second.
MAX_CLAUSES = 24
#: Words joined by OR, in the whole query: each alternative is scored over every article holding
#: it (eight common words: under a second on the xwlb corpus).
MAX_ALTERNATIVES = 8
FIELDS = ("title", "text")
PHRASE_BONUS = 10_000.0
TYPED_BONUS = 100.0
#: Above this many articles, an exact match is ranked by where it is (title first), not by
#: BM25F: Whoosh scores about 100,000 documents a second, too slow for a common character.
MAX_SCORED_EXACT = 2_000
SYNONYM_WEIGHT = 0.5
_NON_SPACE_RE = re.compile(r"\S+")
_TOKEN_RE = re.compile(r'(-?)(?:(title|text):)?(?:"([^"]*)"?|(\S+))')

#: ``exact(needle, field, score, within=None)``: the articles whose title or text (or only
#: ``field``) holds ``needle`` (in exact form), among the documents ``within`` when given,
#: as a Whoosh query scoring each of them ``score``.
ExactLookup = Callable[..., DocSetQuery]


@dataclass
class Clause:
    """One unit of a query: a word or a phrase, maybe excluded, maybe title-only."""

    text: str
    phrase: bool = False
    exclude: bool = False
    field: str | None = None

    @property
    def needle(self) -> str:
        """The clause in exact form: what an exact match looks for."""
        return exact_form(self.text)

    @property
    def key(self) -> tuple[str, bool, bool, str | None]:
        """Clauses with the same key find the same articles."""
        return (self.needle, self.phrase, self.exclude, self.field)


@dataclass
class ParsedQuery:
    """A query as groups of clauses: all groups are required, clauses of a group OR'ed."""

    raw: str
    groups: list[list[Clause]] = field(default_factory=list)
    excluded: list[Clause] = field(default_factory=list)

    @property
    def positive(self) -> list[Clause]:
        return [clause for group in self.groups for clause in group]


def parse(raw: str) -> ParsedQuery:
    """Parse the query syntax; raises SearcherError for an empty or over-long query."""
    text = raw.strip()
    if not text:
        raise SearcherError("empty query: type one or more words")
    if len(text) > MAX_QUERY_CHARS:
        raise SearcherError(f"query too long: at most {MAX_QUERY_CHARS} characters")
    # Full-width quotes and spaces are the same syntax to a Chinese keyboard.
    text = text.replace("“", '"').replace("”", '"').replace("\u3000", " ")
    parsed = ParsedQuery(raw)
    join_next = False
    for match in _TOKEN_RE.finditer(text):
        minus, field_name, quoted, bare = match.groups()
        if bare == "OR" and not minus and parsed.groups:
            join_next = True
            continue
        body = quoted if quoted is not None else bare
        if not exact_form(body):
            continue
        clause = Clause(body, phrase=quoted is not None, exclude=bool(minus), field=field_name)
        if clause.exclude:
            parsed.excluded.append(clause)
        elif join_next:
            parsed.groups[-1].append(clause)
        else:
            parsed.groups.append([clause])
        join_next = False
    if not parsed.groups and parsed.excluded:
        # Only exclusions: search the words themselves rather than everything-but.
        parsed.groups = [[Clause(c.text, c.phrase, False, c.field)] for c in parsed.excluded]
        parsed.excluded = []
    if not parsed.groups:
        # Nothing but syntax (a lone ``"`` or ``-``): search the characters as typed.
        parsed.groups = [[Clause(text, phrase=True)]]
    # A repeated word adds nothing to find but a full pass over its matches: ``的 的 …``.
    groups = [_unique(group, lambda c: c.key) for group in parsed.groups]
    parsed.groups = _unique(groups, lambda g: tuple(c.key for c in g))
    parsed.excluded = _unique(parsed.excluded, lambda c: c.key)
    if len(parsed.positive) + len(parsed.excluded) > MAX_CLAUSES:
        raise SearcherError(f"too many words: at most {MAX_CLAUSES} words and quoted strings")
    if sum(len(group) for group in parsed.groups if len(group) > 1) > MAX_ALTERNATIVES:
        raise SearcherError(f"too many alternatives: at most {MAX_ALTERNATIVES} words joined by OR")
    return parsed


def _unique(items: list[Any], key: Callable[[Any], Any]) -> list[Any]:
    """``items`` without repeats of a key, the first of each kept, in order."""
    first: dict[Any, Any] = {}
    for item in items:
        first.setdefault(key(item), item)
    return list(first.values())


class Synonyms:
    """Equivalent words, each line of the data file one group: ``创文 创建文明城市``."""

    def __init__(self, lines: Iterable[str] = ()) -> None:
        self._alternatives: dict[str, list[str]] = {}
        for line in lines:
            group = list(dict.fromkeys(exact_form(word) for word in line.split()))
            for word in group:
                known = self._alternatives.setdefault(word, [])
                known.extend(w for w in group if w != word and w not in known)

    @classmethod
    def bundled(cls, extra: Iterable[str] = ()) -> Synonyms:
        """``searcher/data/synonyms.txt`` plus the user's lines."""
        return cls([*read_word_list(data_file("synonyms.txt")), *extra])

    def of(self, word: str) -> list[str]:
        """The alternatives of ``word`` (in exact form), best first."""
        return self._alternatives.get(exact_form(word), [])


@dataclass
class QueryBuilder:
    """Turns a parsed query into a Whoosh query for one index.

    ``exact`` resolves exact matches on that index; ``user_words`` is the index's user
    dictionary (queries must be segmented the way the documents were).
    """

    exact: ExactLookup
    user_words: tuple[str, ...] = ()
    synonyms: Synonyms = field(default_factory=Synonyms)
    ranking: Ranking = field(default_factory=Ranking)

    def words(self, clause: Clause, drop_stops: bool = True) -> list[str]:
        """The index terms of a clause: stop words dropped from unquoted words."""
        words = [w for w, _, _ in segment(normalise(clause.text), self.user_words)]
        if clause.phrase or not drop_stops:
            return words[:MAX_TERMS]
        stops = stop_words()
        return [w for w in words if w not in stops][:MAX_TERMS]

    def stops_dropped(self, parsed: ParsedQuery) -> bool:
        """Stop words are ignored unless the query holds nothing else."""
        return any(c.phrase or self.words(c) for c in parsed.positive)

    def build(self, parsed: ParsedQuery) -> wq.Query:
        """Required groups, exclusions, and the tier of articles holding the whole query."""
        drop_stops = self.stops_dropped(parsed)
        required = []
        for group in parsed.groups:
            alternatives = [self.clause(c, drop_stops) for c in group]
            kept = _united([q for q in alternatives if q is not None])
            if kept:
                required.append(_either(kept))
        if not required:
            return wq.NullQuery()
        required = _intersected(required)
        query: wq.Query
        if len(required) == 1:
            query = required[0]
        elif len(required) == 2 and all(type(q) is WordQuery for q in required):
            query = BothWords(required)
        else:
            query = wq.And(required)
        excluded = [self.clause(c, drop_stops, expand=False) for c in parsed.excluded]
        excluded = [q for q in excluded if q is not None]
        if excluded:
            query = Excluding(query, _either(excluded))
        tier = self.phrase_tier(parsed, drop_stops, query)
        if tier is not None:
            query = wq.AndMaybe(query, tier)
        return Unpruned(query)

    def clause(self, clause: Clause, drop_stops: bool, expand: bool = True) -> wq.Query | None:
        """The query of one clause, or None when it is only stop words."""
        needle = clause.needle
        words = self.words(clause, drop_stops)
        if clause.phrase:
            return self._exact_ranked(needle, words, clause.field)
        if not words and drop_stops and self.words(clause, drop_stops=False):
            return None  # stop words only, and the query holds other words
        typed = self._word(needle, words, clause.field)
        alternatives = self.synonyms.of(needle) if expand else []
        if not alternatives:
            return typed
        # A synonym is a fixed expression: its words in that order, never scattered.
        others = [self._word(a, self.words(Clause(a)), clause.field, False) for a in alternatives]
        bonus = wq.ConstantScoreQuery(typed, TYPED_BONUS)
        return _either([typed, bonus, _either(others, boost=SYNONYM_WEIGHT)])

    def _word(
        self, needle: str, words: list[str], field_name: str | None, scattered: bool = True
    ) -> wq.Query:
        """An unquoted word: the dictionary word, else its characters (or, ``scattered``,
        all of its words anywhere)."""
        fields = (field_name,) if field_name else FIELDS
        if words == [needle] and is_word(needle, self.user_words) and field_name != "title":
            return WordQuery(fields, needle)
        # In titles a word is looked for as a string (titles are short: their exact scan
        # is cheap), so ``title:书法`` finds ``…中山篆书法篆刻…``, which the segmenter cuts
        # 篆书/法.
        as_typed = self._exact_ranked(needle, words, field_name)
        if len(words) < 2 or not scattered:
            return as_typed
        # Each word may sit in the title or the text.
        anywhere = wq.And([_either([wq.Term(f, w) for f in fields]) for w in words])
        return _either([as_typed, anywhere])

    def _exact_ranked(self, needle: str, words: list[str], field_name: str | None) -> wq.Query:
        """Exactly the articles holding ``needle``, scored by BM25 of how often each holds it
        (:func:`searcher.rank.exact_bm25`), plus BM25F of its words when the ranking asks for
        it and there are few enough of them to score (see :data:`MAX_SCORED_EXACT`)."""
        found = self.exact(needle, field_name, 1.0, ranking=self.ranking)
        fields = (field_name,) if field_name else FIELDS
        scoring = [wq.Term(f, w) for f in fields for w in dict.fromkeys(words)]
        if not scoring or not self.ranking.string_words or len(found) > MAX_SCORED_EXACT:
            return found
        return wq.AndMaybe(found, _either(scoring))

    def phrase_tier(
        self, parsed: ParsedQuery, drop_stops: bool, required: wq.Query
    ) -> wq.Query | None:
        """Articles (among those matching ``required``) holding the whole query as one exact
        string, or None when that tier means nothing (every result holds it already, or the
        query has alternatives)."""
        clauses = parsed.positive
        if any(len(g) > 1 for g in parsed.groups) or any(c.field for c in clauses):
            return None
        if len(clauses) == 1 and (clauses[0].phrase or len(self.words(clauses[0])) < 2):
            return None
        return ExactTier(required, "".join(c.needle for c in clauses), self.exact, PHRASE_BONUS)

    def rescoring_groups(self, parsed: ParsedQuery) -> list[list[str]]:
        """Per required group, the strings (exact form) that stand for it in a hit's title
        and text (each clause's string and its synonyms), for the second stage
        (:func:`searcher.rank.bonus`); groups of stop words only are left out."""
        drop_stops = self.stops_dropped(parsed)
        groups = []
        for group in parsed.groups:
            strings: list[str] = []
            for clause in group:
                if not clause.phrase and drop_stops and not self.words(clause):
                    continue
                strings += [
                    clause.needle,
                    *(() if clause.phrase else self.synonyms.of(clause.needle)),
                ]
            if strings:
                groups.append(list(dict.fromkeys(strings)))
        return groups

    def highlights(self, parsed: ParsedQuery) -> list[str]:
        """The strings (exact form) to mark in text, longest first: quoted strings whole;
        words, their words and synonyms."""
        out: set[str] = set()
        for clause in parsed.positive:
            needle = clause.needle
            if clause.phrase:
                out.add(needle)
                continue
            for word in [needle, *self.synonyms.of(needle)]:
                if len(word) <= 20:
                    out.add(word)
                out.update(self.words(Clause(word)))
        return sorted((s for s in out if s), key=len, reverse=True)


class ExactTier(wq.Query):
    """The articles holding ``needle``, looked for only among those ``required`` matches.

    It is only ever the optional side of ``AndMaybe(required, tier)``, which never looks at
    other documents; so the lookup tests only those (or, when there are more of them than
    articles holding the needle's rarest character, those articles, kept if required).
    """

    def __init__(self, required: wq.Query, needle: str, exact: ExactLookup, score: float) -> None:
        self.required = required
        self.needle = needle
        self.exact = exact
        self.score = score
        self.boost = 1.0

    def __repr__(self) -> str:
        return f"ExactTier({self.needle!r})"

    def __eq__(self, other: object) -> bool:
        return (
            type(other) is ExactTier
            and other.needle == self.needle
            and other.score == self.score
            and other.required == self.required
        )

    def __hash__(self) -> int:
        return hash((self.needle, self.score))

    def estimate_size(self, ixreader: Any) -> int:
        return self.required.estimate_size(ixreader)

    def matcher(self, searcher: Any, context: Any = None) -> Any:
        from .matches import read

        top = searcher.get_parent() if searcher.has_parent() else searcher
        offset = top._offset_for_subsearcher(searcher) or 0 if searcher.has_parent() else 0
        # This segment's matches of the rest of the query, read whole (searcher.matches); the
        # exact lookup tests them or the articles of the needle's rarest characters,
        # whichever are fewer.
        required, _ = read(self.required.matcher(searcher, searcher.boolean_context()))
        if not len(required):
            return matching.NullMatcher()
        within = (required + offset).tolist()
        return self.exact(self.needle, None, self.score, within=within).matcher(searcher, context)


class Excluding(wq.AndNot):
    """``a`` without the documents of ``b``.

    Whoosh's AndNotMatcher checks its first document against ``b`` only when ``b`` starts
    on that very document, so an excluded article that is the first match of ``a`` (and
    not the first of ``b``) comes through; this one checks it like every other.
    """

    def matcher(self, searcher: Any, context: Any = None) -> Any:
        scored = self.a.matcher(searcher, context)
        excluded = self.b.matcher(searcher, searcher.boolean_context())
        return _ExcludingMatcher(scored, excluded)


class _ExcludingMatcher(matching.AndNotMatcher):
    def _find_first(self) -> None:
        if self.a.is_active() and self.b.is_active():
            self._find_next()


class Unpruned(wq.WrappingQuery):
    """Scores every match: no top-k pruning by quality bounds.

    Whoosh's BM25 quality bounds can fall below the scores its matchers produce; next to
    the exact bounds of the tier bonuses the collector then drops documents that belong on
    the first page, so page 1 and page 2 disagree. Exact totals score every match anyway.
    """

    def matcher(self, searcher: Any, context: Any = None) -> Any:
        return _UnprunedMatcher(self.child.matcher(searcher, context))


class _UnprunedMatcher(matching.WrappingMatcher):
    def replace(self, minquality: float = 0) -> Any:
        return self if self.is_active() else matching.NullMatcher()

    def supports_block_quality(self) -> bool:
        return False


class CachedBM25F(scoring.BM25F):
    """Whoosh's BM25F with each segment's length normalisation computed once.

    Whoosh looks a document's field length up in its length column for every document it
    scores (a third of the cost of a common word's query); here each segment reader keeps
    ``K1 * ((1 - B) + B * length / average)`` for all its documents, and a score is the same
    arithmetic on the same numbers, so rankings are unchanged.

    With a :class:`~searcher.rank.Ranking`, its ``k1`` and ``b``, and its title weight in
    place of the field boost the index was written with (a title posting's weight is its
    count times that boost).
    """

    def __init__(self, ranking: Ranking | None = None, title_boost: float = 3.0) -> None:
        if ranking is None:
            super().__init__()
            self._title_scale = 1.0
        else:
            super().__init__(B=ranking.b, K1=ranking.k1, title_B=ranking.title_b)
            self._title_scale = ranking.title_weight / title_boost
        self.combined = ranking is not None and ranking.combined

    def scorer(self, searcher: Any, fieldname: str, text: str, qf: int = 1) -> Any:
        scorer = super().scorer(searcher, fieldname, text, qf)
        if type(scorer) is not scoring.BM25FScorer:
            return scorer
        norms = _length_norms(searcher.reader(), fieldname, scorer.avgfl, scorer.B, scorer.K1)
        scale = self._title_scale if fieldname == "title" else 1.0
        return _NormScorer(scorer, norms, scale)


class _NormScorer(scoring.BM25FScorer):
    def __init__(self, scorer: scoring.BM25FScorer, norms: Any, scale: float) -> None:
        self.__dict__.update(scorer.__dict__)
        self._norms = norms  # an array, by document number
        self._k1_plus_1 = self.K1 + 1
        self._scale = scale

    def score(self, matcher: Any) -> float:
        tf = matcher.weight() * self._scale
        norm = float(self._norms[matcher.id()])
        return self.idf * ((tf * self._k1_plus_1) / (tf + norm))

    def array_scores(self, docnums: Any, weights: Any) -> Any:
        """:meth:`score` of each posting (numpy arrays of document numbers and weights): the
        same float64 arithmetic in the same order."""
        tf = weights * self._scale
        return self.idf * ((tf * self._k1_plus_1) / (tf + self._norms[docnums]))

    def array_normalised(self, docnums: Any, weights: Any) -> Any:
        """Each posting's weighted frequency over its length normalisation (BM25F's
        per-field part, before saturation)."""
        return weights * (self.K1 * self._scale) / self._norms[docnums]


def _length_norms(reader: Any, fieldname: str, avgfl: float, b: float, k1: float) -> Any:
    """``K1 * ((1 - B) + B * length / avgfl)`` of every document of a segment reader, as a
    numpy array, kept on the reader (which lives as long as its index generation is read).

    Computed from the one-byte length column in bulk (a search from the command line
    computed it for every document in Python: 0.9 s of its 200,000 articles)."""
    import numpy as np

    cache = reader.__dict__.setdefault("_searcher_length_norms", {})
    key = (fieldname, avgfl, b, k1)
    norms = cache.get(key)
    if norms is None:
        count = reader.doc_count_all()
        perdoc = getattr(reader, "_perdoc", None)
        fast = getattr(perdoc, "doc_field_length_reader", None)
        length_of = fast(fieldname, 1) if fast is not None else None
        data = getattr(length_of, "data", None)  # the column's bytes (searcher.index)
        if data is not None:
            lengths = np.zeros(count, dtype=np.float64)
            known = min(count, len(data))
            lengths[:known] = _length_of_byte()[np.frombuffer(data, dtype=np.uint8)[:known]]
        else:
            if length_of is None:

                def length_of(docnum: int) -> Any:
                    return reader.doc_field_length(docnum, fieldname, 1)

            lengths = np.array([length_of(d) or 0 for d in range(count)], dtype=np.float64)
        norms = k1 * ((1 - b) + b * lengths / avgfl)
        cache[key] = norms
    return norms


@functools.cache
def _length_of_byte() -> Any:
    """Whoosh's field length of each length byte (0 for byte 0, which Whoosh reads as
    None), as an array."""
    import numpy as np
    from whoosh.util.numeric import byte_to_length

    return np.array([0, *(byte_to_length(n) for n in range(1, 256))], dtype=np.float64)


class WordQuery(wq.Query):
    """One indexed word in any of ``fields``: Whoosh's ``Or`` of its terms, scored in bulk.

    Every match is scored anyway (:class:`Unpruned`), so rather than walk the posting lists
    one document at a time through Whoosh's matchers (a dozen method calls per document),
    each segment reads them block by block and scores them as :class:`CachedBM25F` does,
    into one sorted list. Same documents, same scores; about twice as fast for a common
    word. Under another weighting, or another codec, it is the plain ``Or`` of terms.
    """

    def __init__(self, fields: Sequence[str], text: str) -> None:
        self.fields = tuple(fields)
        self.text = text
        self.boost = 1.0
        # Per segment reader: (reader, scored, document numbers, scores).
        self._found: dict[int, tuple[Any, bool, list[int], list[float]]] = {}

    def __repr__(self) -> str:
        return f"WordQuery({self.fields!r}, {self.text!r})"

    def __eq__(self, other: object) -> bool:
        return (
            type(other) is WordQuery
            and other.fields == self.fields
            and other.text == self.text
            and other.boost == self.boost
        )

    def __hash__(self) -> int:
        return hash((self.fields, self.text, self.boost))

    def terms(self, phrases: bool = False) -> Iterator[tuple[str, str]]:
        for fieldname in self.fields:
            yield fieldname, self.text

    def plain(self) -> wq.Query:
        """The same query as Whoosh's own terms."""
        return _either([wq.Term(f, self.text, boost=self.boost) for f in self.fields])

    def estimate_size(self, ixreader: Any) -> int:
        return int(self.plain().estimate_size(ixreader))

    def matcher(self, searcher: Any, context: Any = None) -> Any:
        weighting = searcher.weighting if context is None else context.weighting
        scored = isinstance(weighting, CachedBM25F)
        if not scored and weighting is not None:  # None: only which documents match
            return self.plain().matcher(searcher, context)
        reader = searcher.reader()
        # One search asks a segment twice (scored, then which documents match, for the
        # whole-query tier): the postings are read once.
        found = self._found.get(id(reader))
        if found is None or (scored and not found[1]):
            postings = self._postings(searcher, reader, weighting if scored else None)
            if postings is None:
                return self.plain().matcher(searcher, context)
            found = self._found[id(reader)] = (reader, scored, *postings)
        _, _, docnums, scores = found
        if not docnums:
            return matching.NullMatcher()
        if self.boost != 1.0:  # a synonym's weight (Whoosh's Term applies its boost too)
            scores = [score * self.boost for score in scores]
        return SortedListMatcher(docnums, weights=scores)

    def _postings(
        self, searcher: Any, reader: Any, weighting: Any
    ) -> tuple[list[int], list[float]] | None:
        """The documents of one segment holding the word, ascending, with their BM25F scores
        (1.0 each without ``weighting``); None where this reader or codec cannot do it."""
        terms = getattr(reader, "_terms", None)  # a segment's (not a multi-segment reader's)
        if terms is None:
            return None
        import numpy as np

        found: list[Any] = []  # per field: document numbers, then their parts of the score
        parts: list[Any] = []
        idfs: list[float] = []
        for fieldname in self.fields:
            try:
                btext = searcher.schema[fieldname].to_bytes(self.text)
            except (KeyError, ValueError):
                continue
            if (fieldname, btext) not in reader:
                continue
            scorer = weighting.scorer(searcher, fieldname, btext) if weighting else None
            leaf = terms.matcher(fieldname, btext, reader.schema[fieldname].format)
            if type(leaf) is not W3LeafMatcher or (weighting and type(scorer) is not _NormScorer):
                return None
            ids, weights = _read_postings(leaf)
            docs = np.array(ids, dtype=np.int64)
            found.append(docs)
            if scorer is None:
                continue
            if weighting.combined:
                # BM25F proper: each field's length-normalised frequency, weighted, is
                # added up before one saturation (a title match counts, but cannot drown
                # the text), with the idf of the field where the word is commonest.
                idfs.append(scorer.idf)
                parts.append(scorer.array_normalised(docs, np.array(weights, dtype=np.float64)))
            else:
                parts.append(scorer.array_scores(docs, np.array(weights, dtype=np.float64)))
        if not found:
            return [], []
        # Each document's parts added in field order (bincount adds from 0.0, in order).
        docnums, where = np.unique(np.concatenate(found), return_inverse=True)
        if weighting is None:
            scores = np.ones(len(docnums))
        else:
            scores = np.bincount(where, weights=np.concatenate(parts))
        if idfs:
            idf, k1 = min(idfs), weighting.K1
            scores = idf * scores * (k1 + 1) / (scores + k1)
        if reader.has_deletions():
            deleted = reader.deleted_docs_set
            keep = np.isin(docnums, np.fromiter(deleted, dtype=np.int64, count=len(deleted)))
            docnums, scores = docnums[~keep], scores[~keep]
        return docnums.tolist(), scores.tolist()


class BothWords(wq.And):
    """Two :class:`WordQuery` both required: Whoosh's ``And`` of them, intersected in bulk.

    Each side is already a sorted list of documents with scores; Whoosh's intersection
    would walk them a document at a time (a fifth of a two-word query). Same documents, and
    the same scores (a sum of two, as Whoosh's).
    """

    def matcher(self, searcher: Any, context: Any = None) -> Any:
        first, second = self.subqueries
        a, b = first.matcher(searcher, context), second.matcher(searcher, context)
        if type(a) is not SortedListMatcher or type(b) is not SortedListMatcher:
            if not a.is_active() or not b.is_active():
                return matching.NullMatcher()
            return matching.IntersectionMatcher(a, b)
        scores_b = dict(zip(b._ids, b._weights, strict=True))
        both = [
            (d, w + scores_b[d]) for d, w in zip(a._ids, a._weights, strict=True) if d in scores_b
        ]
        if not both:
            return matching.NullMatcher()
        return SortedListMatcher([d for d, _ in both], weights=[w for _, w in both])


def _read_postings(leaf: Any) -> tuple[list[int], list[float]]:
    """Every document number and weight of a W3 posting list, a block at a time."""
    ids: list[int] = []
    weights: list[float] = []
    while leaf.is_active():
        if leaf._ids is None:
            leaf._read_ids()
        if leaf._weights is None:
            leaf._read_weights()
        ids.extend(leaf._ids)
        weights.extend(leaf._weights)
        leaf._next_block()
    return ids, weights


def estimate_matches(query: wq.Query, reader: Any) -> int:
    """An upper bound of how many documents ``query`` matches, tighter than Whoosh's.

    Whoosh adds up the sizes of both sides of ``AndMaybe`` and ``AndNot``, which match no
    more than their first side: an exact phrase of common words (794 articles) looked like
    tens of thousands, and its search took the slow two-pass path.
    """
    if isinstance(query, (wq.AndMaybe, wq.AndNot)):
        return estimate_matches(query.a, reader)
    if isinstance(query, wq.WrappingQuery):
        return estimate_matches(query.child, reader)
    if type(query) is wq.And:
        return min(estimate_matches(q, reader) for q in query.subqueries)
    if type(query) is wq.Or:
        total = sum(estimate_matches(q, reader) for q in query.subqueries)
        return min(total, reader.doc_count())
    return int(query.estimate_size(reader))


def _skip_to(self: Any, targetid: int) -> None:
    """W3LeafMatcher.skip_to, with a binary search inside the block.

    Whoosh steps through a block one posting at a time (three method calls each) to reach
    ``targetid``; an intersection of a rare word with a common one (``AndMaybe`` of an exact
    phrase and its words, two words) spends most of its time there. Same result, same state.
    """
    if not self.is_active():
        raise matching.ReadTooFar
    if targetid <= self.id():
        return
    if targetid > self.block_max_id():
        block_max_id = self.block_max_id
        self._skip_to_block(lambda: targetid > block_max_id())
        if not self.is_active():
            return
        if self._ids is None:
            self._read_ids()
    self._i = bisect_left(self._ids, targetid, self._i, self._blocklength)
    if self._i == self._blocklength:  # only if a block's last id were below its max id
        self._i -= 1
        self.next()
    while self.is_active() and self.id() < targetid:
        self.next()


#: Whoosh's own, kept for comparison in the tests.
whoosh_skip_to = W3LeafMatcher.skip_to
W3LeafMatcher.skip_to = _skip_to


def _intersected(required: list[wq.Query]) -> list[wq.Query]:
    """``required`` with its exact matches (common words, single characters) intersected
    into one: Whoosh would walk every candidate once per clause, and twice per search."""
    sets = [q for q in required if type(q) is DocSetQuery]
    if len(sets) < 2:
        return required
    scores = dict(zip(sets[0].docnums, sets[0].scores, strict=True))
    for query in sets[1:]:
        scores = {
            doc: scores[doc] + score
            for doc, score in zip(query.docnums, query.scores, strict=True)
            if doc in scores
        }
    docnums = sorted(scores)
    merged = DocSetQuery(docnums, [scores[d] for d in docnums], " ".join(q.label for q in sets))
    return [merged, *(q for q in required if type(q) is not DocSetQuery)]


def _united(alternatives: list[wq.Query]) -> list[wq.Query]:
    """``alternatives`` with their exact matches united into one (scores add up, as in an Or)."""
    sets = [q for q in alternatives if type(q) is DocSetQuery]
    if len(sets) < 2:
        return alternatives
    scores: dict[int, float] = {}
    for query in sets:
        for doc, score in zip(query.docnums, query.scores, strict=True):
            scores[doc] = scores.get(doc, 0.0) + score
    docnums = sorted(scores)
    merged = DocSetQuery(docnums, [scores[d] for d in docnums], " OR ".join(q.label for q in sets))
    return [merged, *(q for q in alternatives if type(q) is not DocSetQuery)]


def _either(queries: Sequence[wq.Query], boost: float = 1.0) -> wq.Query:
    """Any of ``queries``, as a balanced tree of pairs.

    On an index of up to 5,000 documents Whoosh answers an Or of three or more with its
    ArrayUnionMatcher, which reads and scores every posting of every term up front, even
    under an AndMaybe that needs a few documents; pairs make lazy UnionMatchers that skip.
    """
    if len(queries) == 1:
        return queries[0] if boost == 1.0 else queries[0].with_boost(boost)
    middle = len(queries) // 2
    return wq.Or([_either(queries[:middle]), _either(queries[middle:])], boost=boost)


# --------------------------------------------------------------------------- snippets


@dataclass
class Snippet:
    """A passage of text as segments: ``(text, marked)``."""

    parts: list[tuple[str, bool]]

    def html(self) -> str:
        """HTML-escaped text with matches in ``<mark>``."""
        return "".join(
            f"<mark>{html.escape(text)}</mark>" if marked else html.escape(text)
            for text, marked in self.parts
        )

    def plain(self, left: str = "[", right: str = "]") -> str:
        return "".join(f"{left}{t}{right}" if m else t for t, m in self.parts)


def _normalised_with_map(text: str) -> tuple[str, list[int]]:
    """``text`` in exact form (whitespace dropped), and for each character the index in
    ``text`` it came from, so a match found across a line break marks the original."""
    norm = normalise(text)
    if len(norm) == len(text):
        index: list[int] = []
        for run in _NON_SPACE_RE.finditer(norm):
            index.extend(range(run.start(), run.end()))
        return "".join(norm.split()), index
    pairs = [(n, i) for i, ch in enumerate(text) for n in _normalised_char(ch) if not n.isspace()]
    return "".join(ch for ch, _ in pairs), [i for _, i in pairs]


@functools.lru_cache(maxsize=1 << 16)
def _normalised_char(char: str) -> str:
    """:func:`normalise` of one character, remembered (a text whose length NFKC changes,
    ``……`` say, is mapped a character at a time: thousands of calls per snippet)."""
    return normalise(char)


def find_spans(text: str, strings: Sequence[str]) -> list[tuple[int, int]]:
    """Non-overlapping spans of ``text`` matching any of ``strings`` (longest first)."""
    if not strings:
        return []
    norm, index = _normalised_with_map(text)
    taken = [False] * len(norm)
    spans: list[tuple[int, int]] = []
    for s in strings:
        start = norm.find(s)
        while start != -1:
            end = start + len(s)
            if not any(taken[start:end]):
                for k in range(start, end):
                    taken[k] = True
                spans.append((index[start], index[end - 1] + 1))
            start = norm.find(s, end)
    return sorted(spans)


def mark(text: str, spans: Sequence[tuple[int, int]]) -> list[tuple[str, bool]]:
    """Split ``text`` into segments, marking ``spans``."""
    parts: list[tuple[str, bool]] = []
    pos = 0
    for start, end in spans:
        if start < pos:
            continue
        if start > pos:
            parts.append((text[pos:start], False))
        parts.append((text[start:end], True))
        pos = end
    if pos < len(text):
        parts.append((text[pos:], False))
    return parts


def snippet(text: str, strings: Sequence[str], width: int = 120) -> Snippet:
    """The passage of about ``width`` characters holding the most distinct matches, closest
    together; marked matches are never cut."""
    flat = text.replace("\n", " ")
    spans = find_spans(flat, strings)
    if not spans:
        cut = flat[:width]
        return Snippet([(cut + ("…" if len(flat) > width else ""), False)])
    best, best_score = (0, width), (-1, 0)
    for i, (start, _) in enumerate(spans):
        window_end = start + width
        inside = [s for s in spans[i:] if s[1] <= window_end]
        distinct = len({flat[a:b] for a, b in inside})
        score = (distinct, len(inside))
        if score > best_score:
            best_score, best = score, (start, inside[-1][1])
    start, end = best
    # Centre the passage on its matches, then widen to ``width``.
    slack = max(0, width - (end - start))
    start = max(0, start - slack // 3)
    end = min(len(flat), max(end, start + width))
    for a, b in spans:  # never cut inside a marked match
        if a < start < b:
            start = a
        if a < end < b:
            end = b
    inside = [(a - start, b - start) for a, b in spans if a >= start and b <= end]
    parts = mark(flat[start:end], inside)
    if start > 0:
        parts.insert(0, ("…", False))
    if end < len(flat):
        parts.append(("…", False))
    return Snippet(parts)
