"""The search state of a page (query, filters, sort, page) read from a URL, and the links that
change one part of it, so every state of the page is a shareable URL."""

from __future__ import annotations

import calendar
import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from searcher.engine import MAX_LIMIT
from searcher.query import MAX_QUERY_CHARS

MAX_PAGE = 1000
WEB_MAX_LIMIT = 100
DEFAULT_LIMIT = 10
SORTS = ("relevance", "date")
_DEFAULTS = {"page": 1, "limit": DEFAULT_LIMIT, "sort": "relevance"}
_PARAMS = ("q", "region", "source", "since", "until", "sort", "page", "limit")


class BadRequest(Exception):
    """User input the page or API refuses with a 400 and this message."""


@dataclass(frozen=True)
class SearchArgs:
    """What the user asked for; the engine validates dates and regions."""

    q: str = ""
    page: int = 1
    limit: int = DEFAULT_LIMIT
    sort: str = "relevance"
    since: str | None = None
    until: str | None = None
    region: str | None = None
    source: str | None = None
    #: Each hit's score broken into its parts (``explain=1``; the JSON API shows them).
    explain: bool = False

    @classmethod
    def from_params(cls, params: Mapping[str, str]) -> SearchArgs:
        """Read and check the URL parameters; BadRequest with a clear message otherwise."""
        query = params.get("q", "").strip()
        if len(query) > MAX_QUERY_CHARS:
            raise BadRequest(f"query too long: at most {MAX_QUERY_CHARS} characters")
        sort = params.get("sort") or "relevance"
        if sort not in SORTS:
            raise BadRequest("sort must be 'relevance' or 'date'")
        return cls(
            q=query,
            page=_int(params, "page", 1, 1, MAX_PAGE),
            limit=_int(params, "limit", DEFAULT_LIMIT, 1, min(WEB_MAX_LIMIT, MAX_LIMIT)),
            sort=sort,
            since=_text(params, "since"),
            until=_text(params, "until"),
            region=_text(params, "region"),
            source=_text(params, "source"),
            explain=_flag(params, "explain"),
        )

    def engine_kwargs(self) -> dict[str, Any]:
        """The keyword arguments of :meth:`searcher.engine.Engine.search`."""
        fields = dataclasses.asdict(self)
        fields["query"] = fields.pop("q")
        return fields

    @property
    def filtered(self) -> bool:
        return any((self.since, self.until, self.region, self.source))

    def params(self, **changes: Any) -> dict[str, Any]:
        """URL parameters of this state with ``changes``; defaults and empties left out.
        Any change other than the page goes back to page 1."""
        if "page" not in changes:
            changes["page"] = 1
        merged = {**dataclasses.asdict(self), **changes}
        return {
            name: merged[name]
            for name in _PARAMS
            if merged[name] not in (None, "") and _DEFAULTS.get(name) != merged[name]
        }

    def url(self, **changes: Any) -> str:
        """The search page URL of this state with ``changes``."""
        params = self.params(**changes)
        return "/?" + urlencode(params) if params else "/"

    def toggle(self, name: str, value: str) -> str:
        """The URL that filters on ``value``, or stops filtering when it already does."""
        return self.url(**{name: None if getattr(self, name) == value else value})

    # Date ranges: a year or a month is a since/until pair of whole days.

    def is_range(self, since: str, until: str) -> bool:
        return self.since == since and self.until == until

    def toggle_range(self, since: str, until: str) -> str:
        if self.is_range(since, until):
            return self.url(since=None, until=None)
        return self.url(since=since, until=until)


def year_range(year: str) -> tuple[str, str]:
    """The first and last day of ``year`` (``YYYY``)."""
    return f"{year}-01-01", f"{year}-12-31"


def month_range(month: str) -> tuple[str, str]:
    """The first and last day of ``month`` (``YYYY-MM``)."""
    year, number = int(month[:4]), int(month[5:7])
    last = calendar.monthrange(year, number)[1]
    return f"{month}-01", f"{month}-{last:02d}"


def _flag(params: Mapping[str, str], name: str) -> bool:
    """A yes/no parameter: ``1``/``true``/``yes`` or ``0``/``false``/``no`` (or absent)."""
    value = (params.get(name) or "").strip().lower()
    if value in ("", "0", "false", "no"):
        return False
    if value in ("1", "true", "yes"):
        return True
    raise BadRequest(f"{name} must be 1 or 0")


def _text(params: Mapping[str, str], name: str) -> str | None:
    value = (params.get(name) or "").strip()
    if len(value) > MAX_QUERY_CHARS:
        raise BadRequest(f"{name} too long: at most {MAX_QUERY_CHARS} characters")
    return value or None


_INT_RE = re.compile(r"[+-]?\d+")


def _int(params: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = (params.get(name) or "").strip()
    if not raw:
        return default
    if not _INT_RE.fullmatch(raw):
        raise BadRequest(f"{name} must be a whole number between {low} and {high}")
    value = int(raw) if len(raw) <= 12 else high + 1
    if not low <= value <= high:
        raise BadRequest(f"{name} must be between {low} and {high}")
    return value
