"""Queries: parse the user's syntax, build Whoosh queries, rank, and cut snippets.

Syntax: words are all required; ``"…"`` is an exact phrase; ``A OR B`` either; ``-word``
excludes; ``title:word`` / ``title:"…"`` looks in titles only. Stop words are dropped from
unquoted words (unless nothing else is left). Articles holding the whole query as a phrase
rank first.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from whoosh import query as wq

from .analysis import normalise, segment, stop_words
from .errors import SearcherError

MAX_QUERY_CHARS = 200
MAX_TERMS = 32
FIELDS = ("title", "text")
_TOKEN_RE = re.compile(r'(-?)(?:(title|text):)?(?:"([^"]*)"?|(\S+))')


@dataclass
class Clause:
    """One unit of a query: a word or a phrase, maybe excluded, maybe title-only."""

    text: str
    phrase: bool = False
    exclude: bool = False
    field: str | None = None


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
        if not body.strip():
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
        parsed.groups = [[Clause(text)]]
    return parsed


def clause_terms(clause: Clause, userdicts: tuple[str, ...] = ()) -> list[str]:
    """The index terms of a clause: stop words dropped from unquoted words."""
    words = [w for w, _, _ in segment(normalise(clause.text), userdicts)]
    if clause.phrase:
        return words
    stops = stop_words()
    content = [w for w in words if w not in stops]
    return content or words


def _fields(clause: Clause) -> tuple[str, ...]:
    return (clause.field,) if clause.field else FIELDS


def clause_query(clause: Clause, userdicts: tuple[str, ...] = ()) -> wq.Query | None:
    """The Whoosh query of one clause, or None when it has no searchable term."""
    terms = clause_terms(clause, userdicts)[:MAX_TERMS]
    if not terms:
        return None
    per_field = []
    for name in _fields(clause):
        if len(terms) == 1:
            per_field.append(wq.Term(name, terms[0]))
        elif clause.phrase:
            per_field.append(wq.Phrase(name, terms))
        else:
            per_field.append(wq.And([wq.Term(name, t) for t in terms]))
    if not clause.phrase and len(terms) > 1 and not clause.field:
        # Each word of an unquoted clause may sit in the title or the text.
        per_field.append(wq.And([wq.Or([wq.Term(f, t) for f in FIELDS]) for t in terms]))
    return per_field[0] if len(per_field) == 1 else wq.Or(per_field)


def build_query(parsed: ParsedQuery, userdicts: tuple[str, ...] = ()) -> wq.Query:
    """Required groups, exclusions, and a boost for the whole query as a phrase."""
    required = []
    for group in parsed.groups:
        alternatives = [q for q in (clause_query(c, userdicts) for c in group) if q is not None]
        if alternatives:
            required.append(alternatives[0] if len(alternatives) == 1 else wq.Or(alternatives))
    if not required:
        return wq.NullQuery()
    query: wq.Query = required[0] if len(required) == 1 else wq.And(required)
    excluded = [q for q in (clause_query(c, userdicts) for c in parsed.excluded) if q]
    if excluded:
        query = wq.AndNot(query, wq.Or(excluded))
    words = [t for c in parsed.positive if not c.field for t in clause_terms(c, userdicts)]
    if len(words) > 1 and all(len(g) == 1 for g in parsed.groups):
        boost = wq.Or([wq.Phrase(f, words[:MAX_TERMS], boost=2.0) for f in FIELDS])
        query = wq.AndMaybe(query, boost)
    return query


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


def highlight_strings(parsed: ParsedQuery, userdicts: tuple[str, ...] = ()) -> list[str]:
    """The normalised strings to mark in text: phrases whole, words and their terms."""
    out: set[str] = set()
    for clause in parsed.positive:
        norm = re.sub(r"\s+", "", normalise(clause.text))
        if clause.phrase and norm:
            out.add(norm)
        else:
            out.update(t for t in clause_terms(clause, userdicts) if t)
            if norm and len(norm) <= 20:
                out.add(norm)
    return sorted(out, key=len, reverse=True)


def _normalised_with_map(text: str) -> tuple[str, list[int]]:
    """``text`` normalised, and for each normalised character the index it came from."""
    norm = normalise(text)
    if len(norm) == len(text):
        return norm, list(range(len(text)))
    chars: list[str] = []
    index: list[int] = []
    for i, ch in enumerate(text):
        n = normalise(ch)
        chars.append(n)
        index.extend([i] * len(n))
    return "".join(chars), index


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
