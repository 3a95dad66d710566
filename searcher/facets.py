"""Facets: how many of a query's matches fall in each region, source, year and month.

A region's count is what the region filter finds for it, so it includes the regions under
it (``北京市`` counts ``北京市朝阳区`` too) and clicking a facet finds exactly that many.

Counting reads the facet columns once per index generation into numpy arrays of value
numbers indexed by Whoosh document number; a query's facets are then one ``bincount`` per
column over its matches, never a Python call per match (Whoosh's ``groupedby`` makes a
categorizer call per document and facet). ``benchmarks/facets.py`` measures both.
"""

from __future__ import annotations

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
        import numpy as np

        #: Per column, each document's value number, and the values by number.
        self._codes: dict[str, Any] = {}
        self._names: dict[str, list[str]] = {}
        for name in COLUMNS:
            values = _column(reader, name)
            numbers: dict[str, int] = {}
            self._codes[name] = np.fromiter(
                (numbers.setdefault(v, len(numbers)) for v in values),
                dtype=np.int32,
                count=len(values),
            )
            self._names[name] = list(numbers)
        days = np.array(_column(reader, "day"), dtype=np.int64)
        self._by_day = np.argsort(days, kind="stable")
        self._days = days[self._by_day]
        self._expand_region = expand_region
        self._under: dict[str, frozenset[str]] = {}

    def _regions_under(self, region: str) -> frozenset[str]:
        under = self._under.get(region)
        if under is None:
            under = self._under[region] = frozenset(self._expand_region(region)) | {region}
        return under

    def days_between(self, low: int, high: int) -> Any:
        """Documents dated from ``low`` to ``high`` (``YYYYMMDD`` numbers, both included),
        as a sorted array of document numbers."""
        import numpy as np

        start = int(np.searchsorted(self._days, low, side="left"))
        end = int(np.searchsorted(self._days, high, side="right"))
        return np.sort(self._by_day[start:end])

    def _counts(self, name: str, docs: Any) -> Counter[str]:
        import numpy as np

        names = self._names[name]
        bins = np.bincount(self._codes[name][docs], minlength=len(names))
        present = np.flatnonzero(bins)
        return Counter(dict(zip([names[i] for i in present], bins[present].tolist(), strict=True)))

    def count(self, docnums: Collection[int] | Any) -> Facets:
        """The facets of the documents ``docnums`` (one query's matches: an array or any
        collection of document numbers)."""
        import numpy as np

        if isinstance(docnums, np.ndarray):
            docs = docnums
        else:
            docs = np.fromiter(docnums, dtype=np.int64, count=len(docnums))
        counts = {name: self._counts(name, docs) for name in COLUMNS}
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
