"""The timeline's geometry: bars inside the chart, labels that do not collide, bar links."""

from __future__ import annotations

from collections import Counter
from itertools import pairwise

from searcher.facets import MonthCount
from searcher.facets import timeline as month_counts
from web.filters import SearchArgs
from web.timeline import LABEL_GAP, build


def months(first: str, last: str, every: int = 1) -> list[MonthCount]:
    """Every month from ``first`` to ``last``; one article in every ``every``-th month and in
    the first and last."""
    series = month_counts(Counter({first: 1, last: 1}))
    return [
        MonthCount(m.month, 1 if m.count or i % every == 0 else 0) for i, m in enumerate(series)
    ]


def test_ten_years_of_months_label_years_only_without_overlap() -> None:
    chart = build(months("2016-01", "2026-08", every=3), SearchArgs(q="高铁"))
    assert chart is not None and not chart.month_labels
    assert all(bar.x >= 0 and bar.x + bar.width <= 100 for bar in chart.bars)
    xs = [label.x for label in chart.labels]
    assert all(b - a >= LABEL_GAP for a, b in pairwise(xs))
    assert chart.labels[0].year == "2016" and len(chart.labels) <= 100 / LABEL_GAP + 1


def test_a_short_range_labels_its_months() -> None:
    chart = build(months("2024-02", "2024-10"), SearchArgs(q="高铁"))
    assert chart is not None
    assert [m.text for m in chart.month_labels][:3] == ["2月", "3月", "4月"]
    assert chart.label_y > chart.month_y  # the year goes under the months


def test_a_bar_filters_to_its_month_and_back() -> None:
    args = SearchArgs(q="高铁")
    chart = build(months("2024-02", "2024-03"), args)
    assert chart is not None
    february = chart.bars[0]
    assert february.url == "/?q=%E9%AB%98%E9%93%81&since=2024-02-01&until=2024-02-29"
    inside = SearchArgs(q="高铁", since="2024-02-01", until="2024-02-29")
    again = build(months("2024-02", "2024-02"), inside)
    assert again is not None and again.bars[0].selected
    assert again.bars[0].url == "/?q=%E9%AB%98%E9%93%81"
    assert again.bars[0].width <= 5.0  # one month is a bar, not a block


def test_nothing_to_draw() -> None:
    assert build([], SearchArgs(q="x")) is None
