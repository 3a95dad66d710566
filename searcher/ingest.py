"""Ingest: dump files -> pages -> classified lines -> articles (the cleaning half of indexing).

Cleaning needs two passes over the input: the first counts, per site, the lines that repeat
across pages (site chrome); the second classifies each page's lines with those counts and
builds its articles. Both passes run in worker processes (:class:`Workers`) when there is
enough input to pay for them.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import itertools
import multiprocessing
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from . import dedup
from .articles import Article, RegionFinder, build_articles
from .clean import Line, Rules, SiteStats, classify, fingerprint, is_repeatable
from .sources import Page, SourceError, dump_kind, expand_paths, html_page, read_pages, text_page

T = TypeVar("T")
R = TypeVar("R")


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


# --------------------------------------------------------------------------- indexing runs


@dataclass
class FileRead:
    """One dump file read for indexing: its pages, its errors, and each page's short lines.

    ``lines[i]`` maps the fingerprint of each line of ``pages[i]`` that counts towards the
    site's repeated-line statistics to the line's text.
    """

    path: Path
    pages: list[Page] = field(default_factory=list)
    errors: list[SourceError] = field(default_factory=list)
    lines: list[dict[str, str]] = field(default_factory=list)


def page_lines(page: Page) -> dict[str, str]:
    """The lines of ``page`` that :class:`SiteStats` counts, by fingerprint."""
    return {fingerprint(line.text): line.text for line in page.lines if is_repeatable(line.text)}


def read_file(path: Path, part: int = 0, parts: int = 1) -> FileRead:
    """Read one dump file, or its ``part`` of ``parts`` (pass one of cleaning; see
    :func:`~searcher.sources.read_pages`)."""
    read = FileRead(path)
    try:
        for item in read_pages(path, part, parts):
            if isinstance(item, SourceError):
                read.errors.append(item)
            else:
                read.pages.append(item)
                read.lines.append(page_lines(item))
    except Exception as error:  # a reader bug on odd input must not stop the whole run
        read.errors.append(SourceError(str(path), f"could not be read ({error!r})"))
    return read


def merged(parts: list[FileRead]) -> FileRead:
    """The reads of the parts of one file as one read of it: pages in line order."""
    if len(parts) == 1:
        return parts[0]
    read = FileRead(parts[0].path)
    pairs = sorted(
        (
            (page, lines)
            for part in parts
            for page, lines in zip(part.pages, part.lines, strict=True)
        ),
        key=lambda pair: pair[0].number,
    )
    read.pages = [page for page, _ in pairs]
    read.lines = [lines for _, lines in pairs]
    errors = [error for part in parts for error in part.errors]
    read.errors = sorted(errors, key=lambda error: error.line or 0)
    return read


@dataclass
class Indexable:
    """An article ready for the store: with its exact and near-duplicate keys (the MinHash
    signature, its LSH band buckets, and whether the text is long enough to be compared)."""

    article: Article
    fingerprint: str
    signature: bytes
    bands: list[int]
    comparable: bool

    @classmethod
    def of(cls, article: Article) -> Indexable:
        signature = dedup.signature(article.text)
        return cls(
            article,
            dedup.fingerprint(article.text),
            dedup.to_blob(signature),
            dedup.band_keys(signature),
            dedup.comparable(article.text),
        )


def clean_for_index(pages: list[Page], stats: SiteStats) -> list[list[Indexable]]:
    """Pass two: each page's articles with their duplicate keys, cleaned with ``stats``."""
    find_region = default_region_finder()
    out = []
    for page in pages:
        articles = clean_page(page, stats, find_region).articles
        out.append([Indexable.of(article) for article in articles])
    return out


def die_with_parent(parent: int) -> None:
    """In a worker process: never outlive the indexer, and leave Ctrl-C to it.

    A SIGKILLed indexer cannot stop its workers, so on Linux the kernel is asked to
    (``PR_SET_PDEATHSIG``); Ctrl-C reaches the whole process group, and only the indexer
    should act on it.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    if sys.platform.startswith("linux"):
        import ctypes

        ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # 1 = PR_SET_PDEATHSIG
    if os.getppid() != parent:
        os._exit(1)  # the parent died before the request took effect


@contextlib.contextmanager
def sigint_blocked() -> Iterator[None]:
    """Hold Ctrl-C back while forking workers: a new worker must not receive it before it
    has set itself to ignore it (it would die with a traceback), and the fork must not be
    cut in the middle (a started worker the parent has no handle on). Delivered after.

    Blocking the signal is not enough in the parent: one that arrived just before is
    pending for Python, which would raise KeyboardInterrupt at any line of the fork; so in
    the main thread the Python handler only records it until the block ends."""
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    caught: list[int] = []
    handler = None
    if threading.current_thread() is threading.main_thread():
        handler = signal.signal(signal.SIGINT, lambda signum, frame: caught.append(signum))
    try:
        yield
    finally:
        if handler is not None:
            signal.signal(signal.SIGINT, handler)
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)
        if caught:
            signal.raise_signal(signal.SIGINT)  # to the handler it would have reached


class Workers:
    """Run functions over items in ``jobs`` worker processes, or in this one (``jobs=1``).

    Workers are forked, so they share what the parent has already loaded (segmenter
    dictionary, gazetteer) instead of loading it again.
    """

    def __init__(self, jobs: int) -> None:
        self.jobs = max(1, jobs)
        self._pool: concurrent.futures.ProcessPoolExecutor | None = None

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def map(self, function: Callable[..., R], *iterables: Iterable[Any]) -> Iterator[R]:
        """``function`` over the items, results in order, computed ahead in the workers.

        The first items are sent to the workers at once (the caller can do something else
        meanwhile); the rest as results are taken.
        """
        if self.jobs == 1:
            return map(function, *iterables)
        if self._pool is None:
            self._pool = concurrent.futures.ProcessPoolExecutor(
                self.jobs,
                mp_context=multiprocessing.get_context("fork"),
                initializer=die_with_parent,
                initargs=(os.getpid(),),
            )
        items = zip(*iterables, strict=True)
        ahead = self.jobs * 2
        pending = [self._submit(function, args) for args in itertools.islice(items, ahead + 1)]
        return self._results(function, items, pending, ahead)

    def _submit(self, function: Callable[..., R], args: tuple[Any, ...]) -> Future[R]:
        assert self._pool is not None
        with sigint_blocked():  # the first submit forks the workers
            return self._pool.submit(function, *args)

    def _results(
        self,
        function: Callable[..., R],
        items: Iterator[tuple[Any, ...]],
        pending: list[Future[R]],
        ahead: int,
    ) -> Iterator[R]:
        for args in items:
            pending.append(self._submit(function, args))
            if len(pending) > ahead:
                yield pending.pop(0).result()
        for future in pending:
            yield future.result()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
