"""Explain a hit's score: the parts it is made of, as Elasticsearch's ``explain`` does.

Each node of the Whoosh query a search ran is scored again on the hit alone, by its own
matcher, so the parts always add up to what the search computed: each word's BM25F (with
its count in the title and the text), each exact string's BM25, the tiers (the whole query
as one string, the typed word before its synonyms), then the second stage's bonuses
(:class:`searcher.rank.Bonus`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from whoosh import query as wq

from .exact import DocSetQuery
from .query import BothWords, ExactTier, Excluding, Unpruned, WordQuery
from .rank import Bonus


@dataclass
class Explanation:
    """A value, what it is, and the parts it is the sum of."""

    value: float
    description: str
    details: list[Explanation] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        out: dict[str, object] = {"value": round(self.value, 4), "description": self.description}
        if self.details:
            out["details"] = [d.to_dict() for d in self.details]
        return out

    def lines(self, indent: int = 0) -> list[str]:
        """The tree as indented text lines (what ``searcher search --explain`` prints)."""
        out = [f"{'  ' * indent}{self.value:9.3f}  {self.description}"]
        for detail in self.details:
            out += detail.lines(indent + 1)
        return out


def explain(query: wq.Query, searcher: Any, docnum: int, bonus: Bonus | None = None) -> Explanation:
    """What the score of document ``docnum`` (top-level numbering) for ``query`` is made of,
    with the second stage's ``bonus`` when it was re-scored."""
    sub, local = _leaf(searcher, docnum)
    first = _node(query, sub, local)
    if bonus is None:
        return first
    parts = [first]
    if bonus.title:
        parts.append(Explanation(bonus.title, "title holds every word of the query"))
    if bonus.proximity:
        parts.append(Explanation(bonus.proximity, "proximity: the words close, in one sentence"))
    if len(parts) == 1:
        return first
    return Explanation(sum(p.value for p in parts), "score, re-scored", parts)


def _leaf(searcher: Any, docnum: int) -> tuple[Any, int]:
    """The segment searcher holding ``docnum``, and its number there."""
    if searcher.is_atomic():
        return searcher, docnum
    for sub, offset in searcher.leaf_searchers():
        if offset <= docnum < offset + sub.reader().doc_count_all():
            return sub, docnum - offset
    raise ValueError(f"no document {docnum}")


def _score(query: wq.Query, sub: Any, local: int) -> float | None:
    """The score ``query`` gives document ``local`` of segment ``sub``, None if unmatched."""
    matcher = query.matcher(sub, sub.context())
    if not matcher.is_active():
        return None
    matcher.skip_to(local)
    if not matcher.is_active() or matcher.id() != local:
        return None
    return float(matcher.score())


def _node(query: wq.Query, sub: Any, local: int) -> Explanation:
    if isinstance(query, Unpruned):
        return _node(query.child, sub, local)
    value = _score(query, sub, local) or 0.0
    if isinstance(query, WordQuery):
        weighted = f" (a synonym, weighted {query.boost:g})" if query.boost != 1.0 else ""
        return Explanation(value, _word_description(query, sub, local) + weighted)
    if isinstance(query, DocSetQuery):
        where = {"*": "title or text", "title": "title", "text": "text"}
        field_name, _, needle = query.label.partition(":")
        what = where.get(field_name, field_name)
        weighted = f" (a synonym, weighted {query.boost:g})" if query.boost != 1.0 else ""
        return Explanation(
            value, f"«{needle}» in the {what} (exact string): BM25 of its count{weighted}"
        )
    if isinstance(query, ExactTier):
        where = " (in its title: tripled)" if value > query.score else ""
        return Explanation(
            value, f"tier: holds the whole query as one string «{query.needle}»{where}"
        )
    if isinstance(query, wq.ConstantScoreQuery):
        return Explanation(value, "tier: holds the word as typed (not only a synonym)")
    if isinstance(query, wq.Term):
        return Explanation(value, f"word «{query.text}» in the {query.fieldname}: BM25")
    if isinstance(query, Excluding):
        return _node(query.a, sub, local)
    if isinstance(query, (wq.AndMaybe, wq.And, wq.Or, BothWords)):
        children = query.children()
        parts = [_node(child, sub, local) for child in children]
        parts = [p for p in parts if p.value or p.details]
        if query.boost != 1.0:
            return Explanation(value, f"synonyms, weighted {query.boost:g}", parts)
        if len(parts) == 1 and abs(parts[0].value - value) < 1e-9:
            return parts[0]
        flat: list[Explanation] = []
        for part in parts:  # a sum of sums is one sum
            flat += part.details if part.description == "sum of" else [part]
        return Explanation(value, "sum of", flat)
    return Explanation(value, repr(query))


def _word_description(query: WordQuery, sub: Any, local: int) -> str:
    """``word «书法»: BM25F, title ×1, text ×3``."""
    counts = []
    for fieldname in query.fields:
        field = sub.schema[fieldname]
        unit = getattr(field, "unit", None) or field.format.field_boost or 1.0
        weight = _score_weight(fieldname, query.text, sub, local)
        if weight:
            counts.append(f"{fieldname} ×{round(weight / unit, 2):g}")
    return f"word «{query.text}»: BM25F, " + ", ".join(counts or ["not held"])


def _score_weight(fieldname: str, text: str, sub: Any, local: int) -> float:
    """The posting weight of ``text`` in ``fieldname`` of document ``local`` (0 if none)."""
    matcher = wq.Term(fieldname, text).matcher(sub, sub.boolean_context())
    if not matcher.is_active():
        return 0.0
    matcher.skip_to(local)
    if not matcher.is_active() or matcher.id() != local:
        return 0.0
    return float(matcher.weight())
