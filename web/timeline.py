"""The timeline of a query as SVG geometry: one bar per month, one label per year (and per
month when the range is short enough for them to fit).

Positions are percentages of the chart's width and heights are pixels, so the SVG stretches
to any screen without scaling its text (no viewBox) and needs no inline style (the CSP
forbids it) and no script.
"""

from __future__ import annotations

from dataclasses import dataclass

from searcher.facets import MonthCount

from .filters import SearchArgs, month_range

BAR_AREA = 80  # pixels of the tallest bar
LABEL_Y = BAR_AREA + 18
HEIGHT = LABEL_Y + 4
MAX_BAR_WIDTH = 5.0  # percent: a few months still look like a chart, not a block
LABEL_GAP = 12.5  # percent of the width between year labels: 8 fit on a phone
MONTH_LABELS_UP_TO = 24  # months in range; beyond, only years are labelled
MONTH_ROW = 15  # pixels the year row moves down for a row of month numbers


@dataclass
class Bar:
    """One month: where its bar goes and the link that filters to it."""

    month: str
    count: int
    x: float  # percent of the width
    width: float  # percent of the width
    y: int
    height: int
    url: str
    selected: bool

    @property
    def label(self) -> str:
        year, month = self.month.split("-")
        return f"{year}年{int(month)}月：{self.count} 篇"


@dataclass
class YearLabel:
    year: str
    x: float  # percent of the width
    anchor: str = "start"


@dataclass
class MonthLabel:
    text: str
    x: float  # percent of the width: the middle of the month's slot


@dataclass
class Timeline:
    bars: list[Bar]
    labels: list[YearLabel]
    peak: int
    month_labels: list[MonthLabel]
    height: int = HEIGHT
    label_y: int = LABEL_Y
    month_y: int = LABEL_Y
    baseline: int = BAR_AREA


def build(months: list[MonthCount], args: SearchArgs) -> Timeline | None:
    """The chart of ``months`` (every month of the range, empty ones included), bars linking
    to the search filtered to their month (or back out of it); None when there is nothing
    to draw."""
    if not months:
        return None
    peak = max(m.count for m in months)
    if peak == 0:
        return None
    slot = 100 / len(months)
    width = min(max(slot * 0.8, 0.2), MAX_BAR_WIDTH)
    bars = []
    for i, month in enumerate(months):
        if not month.count:
            continue
        height = max(2, round(BAR_AREA * month.count / peak))
        since, until = month_range(month.month)
        bars.append(
            Bar(
                month=month.month,
                count=month.count,
                x=round(i * slot + (slot - width) / 2, 3),
                width=round(width, 3),
                y=BAR_AREA - height,
                height=height,
                url=args.toggle_range(since, until),
                selected=args.is_range(since, until),
            )
        )
    month_labels = []
    if len(months) <= MONTH_LABELS_UP_TO:
        step = 1 if len(months) <= MONTH_LABELS_UP_TO // 2 else 2
        month_labels = [
            MonthLabel(f"{int(m.month[5:7])}月", round((i + 0.5) * slot, 3))
            for i, m in enumerate(months)
            if i % step == 0
        ]
    shift = MONTH_ROW if month_labels else 0
    return Timeline(
        bars=bars,
        labels=_year_labels(months, slot),
        peak=peak,
        month_labels=month_labels,
        height=HEIGHT + shift,
        label_y=LABEL_Y + shift,
    )


def _year_labels(months: list[MonthCount], slot: float) -> list[YearLabel]:
    """A label where each year starts (and at the left edge when the first January is far),
    dropping those that would overlap."""
    starts = [(i * slot, m.month[:4]) for i, m in enumerate(months) if m.month.endswith("-01")]
    if not starts or starts[0][0] >= LABEL_GAP:
        starts.insert(0, (0.0, months[0].month[:4]))
    labels: list[YearLabel] = []
    for x, year in starts:
        if labels and x - labels[-1].x < LABEL_GAP:
            continue
        labels.append(YearLabel(year, round(x, 3)))
    if labels and labels[-1].x > 100 - LABEL_GAP / 2:
        labels[-1].x, labels[-1].anchor = 100.0, "end"
    return labels
