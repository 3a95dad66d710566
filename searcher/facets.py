"""Facets: how many of a query's matches fall in each region, source, year and month.

A region's count is what the region filter finds for it, so it includes the regions under
it (``北京市`` counts ``北京市朝阳区`` too) and clicking a facet finds exactly that many.

Counting reads the facet columns once per index generation into plain lists indexed by
Whoosh document number; a query's facets are then one list lookup per matched document and
column, in C (``Counter(map(...))``), rather than Whoosh's ``groupedby`` (a categorizer call
per document and facet). ``benchmarks/facets.py`` measures both.
"""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import Any

#: Facet columns read from the index (each a sortable ID field of the schema).
COLUMNS = ("region", "source", "month")
#: Values kept per facet, most frequent first; the timeline keeps every month.
FACET_SIZE = 20


@dataclass
class FacetValue:
    """One value of a facet and how many matches have it."""

    value: str
    count: int

    def to_dict(self) -> dict[str, object]:
        return {"value": self.value, "count": self.count}


@dataclass
class MonthCount:
    """Matches dated in one month (``YYYY-MM``)."""

    month: str
    count: int

    def to_dict(self) -> dict[str, object]:
        return {"month": self.month, "count": self.count}


@dataclass
class Facets:
    """Facet counts of one query; ``undated`` counts matches with no date."""

    region: list[FacetValue] = field(default_factory=list)
    source: list[FacetValue] = field(default_factory=list)
    year: list[FacetValue] = field(default_factory=list)
    timeline: list[MonthCount] = field(default_factory=list)
    undated: int = 0

    def to_dict(self) -> dict[str, object]:
        return {
            name: [v.to_dict() for v in getattr(self, name)]
            for name in ("region", "source", "year")
        }


def _column(reader: Any, name: str) -> list[Any]:
    """The values of column ``name``, by document number.

    Whoosh's multi-segment column leaves out a segment that has no such column when iterated
    (an update whose pages all lack a source), which would shift the values of every later
    document: such a segment gets the column's default for each of its documents instead.
    """
    field = reader.schema[name]
    default = field.from_column_value(field.column_type.default_value())
    values: list[Any] = []
    for leaf, _offset in reader.leaf_readers():
        if leaf.has_column(name):
            values.extend(leaf.column_reader(name))
        else:
            values.extend([default] * leaf.doc_count_all())
    return values


class FacetColumns:
    """The facet columns of one index generation, by document number, and its documents in
    date order for the date filter."""

    def __init__(self, reader: Any, expand_region: Callable[[str], list[str]]) -> None:
        self.values: dict[str, list[str]] = {name: _column(reader, name) for name in COLUMNS}
        days = _column(reader, "day")
        self._by_day = sorted(range(len(days)), key=days.__getitem__)
        self._days = [days[doc] for doc in self._by_day]
        self._expand_region = expand_region
        self._under: dict[str, frozenset[str]] = {}

    def _regions_under(self, region: str) -> frozenset[str]:
        under = self._under.get(region)
        if under is None:
            under = self._under[region] = frozenset(self._expand_region(region)) | {region}
        return under

    def days_between(self, low: int, high: int) -> set[int]:
        """Documents dated from ``low`` to ``high`` (``YYYYMMDD`` numbers, both included)."""
        start = bisect.bisect_left(self._days, low)
        end = bisect.bisect_right(self._days, high)
        return set(self._by_day[start:end])

    def count(self, docnums: Collection[int]) -> Facets:
        """The facets of the documents ``docnums`` (one query's matches)."""
        counts = {
            name: Counter(map(values.__getitem__, docnums)) for name, values in self.values.items()
        }
        months = counts["month"]
        undated = months.pop("", 0)
        years: Counter[str] = Counter()
        for month, n in months.items():
            years[month[:4]] += n
        regions = counts["region"]
        regions.pop("", None)
        present = regions.keys()
        with_children = Counter(
            {r: sum(regions[u] for u in self._regions_under(r) & present) for r in present}
        )
        return Facets(
            region=_top(with_children),
            source=_top(counts["source"]),
            year=[FacetValue(y, n) for y, n in sorted(years.items(), reverse=True)],
            timeline=timeline(months),
            undated=undated,
        )


def _top(counter: Counter[str]) -> list[FacetValue]:
    counter.pop("", None)
    ranked = sorted(counter.items(), key=lambda item: (-item[1], item[0]))
    return [FacetValue(value, n) for value, n in ranked[:FACET_SIZE]]


def timeline(months: Counter[str]) -> list[MonthCount]:
    """Every month from the first to the last with a match, empty months included, so the
    gaps show."""
    if not months:
        return []
    first, last = min(months), max(months)
    year, month = int(first[:4]), int(first[5:7])
    out = []
    while True:
        key = f"{year:04d}-{month:02d}"
        out.append(MonthCount(key, months.get(key, 0)))
        if key >= last:
            return out
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
