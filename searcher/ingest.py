"""Ingest: dump files -> pages -> classified lines -> articles (the cleaning half of indexing).

Cleaning needs two passes over the input: the first counts, per site, the lines that repeat
across pages (site chrome); the second classifies each page's lines with those counts and
builds its articles.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .articles import Article, RegionFinder, build_articles
from .clean import Line, Rules, SiteStats, classify
from .sources import Page, SourceError, dump_kind, expand_paths, html_page, read_pages, text_page


@dataclass
class Cleaned:
    """A page after cleaning: every line with its decision, and the articles built."""

    page: Page
    lines: list[Line]
    articles: list[Article]


@dataclass
class FileResult:
    """What one dump file gave: cleaned pages, and errors (the file's or single lines')."""

    path: Path
    pages: list[Cleaned] = field(default_factory=list)
    errors: list[SourceError] = field(default_factory=list)

    @property
    def articles(self) -> list[Article]:
        return [article for cleaned in self.pages for article in cleaned.articles]


def default_region_finder() -> RegionFinder | None:
    """The gazetteer's region finder."""
    from .gazetteer import Gazetteer

    return Gazetteer.load().find_region


def clean_page(
    page: Page,
    stats: SiteStats | None = None,
    find_region: RegionFinder | None = None,
    rules: Rules | None = None,
) -> Cleaned:
    """Classify one page's lines and build its articles."""
    lines = classify(page, stats, rules)
    return Cleaned(page, lines, build_articles(page, lines, find_region))


def read_files(paths: Iterable[Path]) -> Iterator[tuple[Path, list[Page], list[SourceError]]]:
    """Read each dump file: its pages and its errors."""
    for path in paths:
        pages: list[Page] = []
        errors: list[SourceError] = []
        for item in read_pages(path):
            (errors if isinstance(item, SourceError) else pages).append(item)
        yield path, pages, errors


def ingest(
    paths: Iterable[str | os.PathLike[str]], find_region: RegionFinder | None = None
) -> list[FileResult]:
    """Read and clean every dump under ``paths`` (two passes: site statistics, then pages)."""
    files = list(read_files(expand_paths(paths)))
    stats = SiteStats()
    for _, pages, _ in files:
        for page in pages:
            stats.add(page)
    results = []
    for path, pages, errors in files:
        cleaned = [clean_page(page, stats, find_region) for page in pages]
        results.append(FileResult(path, cleaned, errors))
    return results


def extract(data: bytes | str, name: str, find_region: RegionFinder | None = None) -> Cleaned:
    """Clean one page given as bytes or text; ``name``'s suffix says HTML or plain text."""
    from .sources import declared_charset, decode

    kind = dump_kind(Path(name)) or "text"
    if isinstance(data, bytes):
        text, _ = decode(data, declared_charset(data) if kind == "html" else None)
    else:
        text = data
    site = str(Path(name).parent)
    page = html_page(name, text, site) if kind == "html" else text_page(name, text, site)
    return clean_page(page, None, find_region)
