"""Indexing runs: find what changed since the last run, clean it in parallel, write it safely.

One run (``Engine.index``), under the index folder's writer lock:

1. **plan**: each input file against the manifest of the current generation. A file with
   the size and mtime on record (or, failing that, the same content hash) and the same
   cleaner version is skipped unread. A file that is not a dump (by its suffix: a PDF or
   Word attachment beside the pages) is reported and counted as skipped, never read. With
   nothing new, changed, re-cleaned or pruned, the run writes nothing at all.
2. **read** (pass one, worker processes, one file each): pages and their short lines; the
   site statistics in the store are updated, and the earlier pages whose repeated-line
   decisions the new counts flip are found (their files are read again, only those pages
   are cleaned again).
3. **clean** (pass two, worker processes, chunks of pages): articles with duplicate keys.
4. **apply**: old articles of changed and pruned files out, new ones in, each new article
   joining the cluster of an earlier exact or near copy (every stored signature is in the
   LSH, so a copy that arrives weeks later still joins); one that is a near copy of members
   of several clusters merges them (:mod:`searcher.dedup`), and all of them are written.
5. **write**: deletions, then one Whoosh document per touched cluster, by parallel
   sub-writers (``procs``, one segment each, written by :mod:`searcher.postings`) when
   there are many.
6. **commit**: the new generation becomes current; a crash, Ctrl-C or full disk before that
   leaves the previous generation answering, and the next run redoes the work.
"""

from __future__ import annotations

import errno
import hashlib
import os
import pickle
import queue
import sqlite3
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import whoosh.multiproc
from whoosh.multiproc import MpWriter
from whoosh.writing import SegmentWriter

from . import dedup, exact
from . import index as ix
from .analysis import load_segmenter
from .articles import Article
from .clean import CLEANER_VERSION, SiteStats
from .errors import SearcherError
from .ingest import (
    FileRead,
    Indexable,
    Workers,
    clean_for_index,
    default_region_finder,
    die_with_parent,
    merged,
    read_file,
    sigint_blocked,
)
from .postings import FastSegmentWriter, TermPool
from .sources import Page, dump_kind, not_a_dump, suffix_label
from .store import FileRecord, Store

#: Below this much input, worker processes cost more than they save.
PARALLEL_MIN_BYTES = 1 << 20
#: Below this many Whoosh documents, one writer in this process is faster than sub-writers.
PARALLEL_MIN_DOCS = 1000
#: A sub-writer writes its segment out and starts another after this many documents: its
#: memory (the segment's postings and exact-match text, held until written) is set by this
#: batch, not by the corpus.
SEGMENT_DOCS = 40_000
#: Pages per cleaning job sent to a worker.
CHUNK_PAGES = 64
#: A JSON Lines dump this big is read by every worker, each building the pages of its
#: share of the lines (each decodes the whole file: memory for the file once per worker).
SPLIT_READ_MIN_BYTES = 16 << 20
#: Memory a reader needs per byte of a JSON Lines dump (bytes, decoded text, its lines):
#: about 7 measured (2.9 GB for a 410 MB dump of HTML pages), with some room.
READ_MEMORY_PER_BYTE = 8


@dataclass
class IndexReport:
    """What an ``index`` run did (so far, when it was interrupted)."""

    files_new: int = 0
    files_changed: int = 0
    files_skipped: int = 0
    files_failed: int = 0
    files_pruned: int = 0
    #: Files to read in this run (new, changed or re-cleaned), and how many were read.
    files_total: int = 0
    files_read: int = 0
    pages_recleaned: int = 0
    articles_added: int = 0
    articles_removed: int = 0
    duplicates: int = 0
    #: What goes to stderr, one line each: files and JSON lines that could not be read,
    #: and the files that are not dumps (also in ``not_dumps``).
    problems: list[str] = field(default_factory=list)
    #: Files given or found in a folder that are not dumps (``path: skipped, not a dump
    #: (PDF document)``), and their count by suffix: neither read nor failed.
    not_dumps: list[str] = field(default_factory=list)
    not_dump_suffixes: Counter[str] = field(default_factory=Counter)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0
    written: bool = False

    @property
    def failures(self) -> list[str]:
        """The problems that are failures (``--strict`` exits 1 on them), not skipped files."""
        skipped = set(self.not_dumps)
        return [problem for problem in self.problems if problem not in skipped]

    def summary(self) -> str:
        pruned = f", {self.files_pruned} pruned" if self.files_pruned else ""
        recleaned = (
            f", {self.pages_recleaned} earlier pages re-cleaned" if self.pages_recleaned else ""
        )
        skipped = ""
        if self.not_dumps:
            by_suffix = sorted(self.not_dump_suffixes.items(), key=lambda kv: (-kv[1], kv[0]))
            counts = ", ".join(f"{count} {suffix}" for suffix, count in by_suffix)
            skipped = f", {len(self.not_dumps)} skipped: {counts}"
        return (
            f"files: {self.files_new} new, {self.files_changed} changed, "
            f"{self.files_skipped} unchanged, {self.files_failed} failed{pruned}{skipped}; "
            f"articles: {self.articles_added} added, {self.articles_removed} removed, "
            f"{self.duplicates} duplicate copies{recleaned}; {self.seconds:.1f} s"
        )

    def interrupted(self) -> str:
        """What a Ctrl-C'd run had done, and that none of it was kept."""
        if self.written:
            return "interrupted just after the new index was committed: it is complete"
        return (
            f"interrupted after {self.seconds:.1f} s: {self.files_read} of {self.files_total} "
            f"files read, {self.articles_added} articles cleaned; nothing was committed, the "
            "index is as it was before this run. Run the same command again to index them."
        )


class IndexInterrupted(KeyboardInterrupt):
    """Ctrl-C during a run; ``report`` says what had been done (and was discarded)."""

    def __init__(self, report: IndexReport) -> None:
        super().__init__(report.interrupted())
        self.report = report


@dataclass
class Progress:
    """Where a run is: ``done`` of ``total`` ``unit`` (bytes read/cleaned, documents written)."""

    stage: str
    done: int
    total: int
    unit: str
    files: int
    files_total: int
    articles: int


ProgressCallback = Callable[[Progress], None]


@dataclass
class _Todo:
    """An input file to (re)index."""

    path: Path
    size: int
    mtime: float
    digest: str
    known: FileRecord | None


@dataclass
class _Plan:
    todo: list[_Todo] = field(default_factory=list)
    prune: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.todo and not self.prune


def file_hash(path: Path) -> str:
    """The content hash the manifest records (BLAKE2b, 128 bits)."""
    digest = hashlib.blake2b(digest_size=16)
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def default_jobs() -> int:
    """Every core this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def run(
    index_dir: Path,
    files: list[Path],
    rebuild: bool = False,
    prune: bool = False,
    jobs: int | None = None,
    wait: bool = True,
    on_wait: Callable[[], None] | None = None,
    on_progress: ProgressCallback | None = None,
    user_words: tuple[str, ...] = (),
    force: bool = False,
    check: Callable[[ix.Generation], None] | None = None,
    finish: Callable[[ix.Generation], None] | None = None,
) -> IndexReport:
    """Bring the index in ``index_dir`` up to date with ``files`` (see the module doc).

    ``user_words`` go into a new index's analyzer; ``check`` vets the new generation before
    anything is written, ``finish`` adds what search needs beside Whoosh before the commit;
    ``force`` writes a generation even when no file changed (new synonyms, say).
    """
    started = time.perf_counter()
    report = IndexReport()
    jobs = jobs or default_jobs()
    with ix.writer_lock(index_dir, wait=wait, on_wait=on_wait):
        ix.remove_unread(index_dir)
        previous = None if rebuild else ix.current_generation(index_dir)
        try:
            plan = _plan(previous, files, prune, report, index_dir)
        except sqlite3.Error as error:
            raise SearcherError(
                f"{index_dir}: the index cannot be read ({error}); 'searcher index --rebuild' "
                "builds a new one"
            ) from None
        report.files_total = len(plan.todo)
        if previous is not None and plan.empty and not force:
            report.seconds = time.perf_counter() - started
            return report
        generation = ix.Generation(index_dir, rebuild, user_words)
        if getattr(generation.ix.schema["text"], "scale", 1) == 1:
            report.notes.append(
                "this index counts a word found inside a longer word as a whole occurrence "
                "(it was made before sub-words were weighted down); 'searcher index "
                "--rebuild' makes it rank as a new index does"
            )
        if previous is not None and (previous / exact.FILE).exists():
            report.notes.append(
                "this index keeps the exact-match text of every article in one file, "
                "written anew on each run (it was made before each segment kept its own); "
                "'searcher index --rebuild' makes a small run cost only what it adds"
            )
        try:
            if check is not None:
                check(generation)
            _execute(generation, plan, jobs, report, on_progress or (lambda _: None))
            if finish is not None:
                finish(generation)
            generation.commit()
        except KeyboardInterrupt:
            report.written = ix.current_generation(index_dir) == generation.path
            generation.abort()
            report.seconds = time.perf_counter() - started
            raise IndexInterrupted(report) from None
        except (OSError, sqlite3.Error) as error:
            generation.abort()
            raise ix.disk_error(index_dir, error) from None
        except BrokenProcessPool:
            generation.abort()
            raise SearcherError(
                "a worker process died (out of memory?); nothing was changed, the previous "
                "index is intact"
            ) from None
        except BaseException:
            generation.abort()
            raise
    report.written = True
    report.seconds = time.perf_counter() - started
    return report


# --------------------------------------------------------------------------- plan


def _plan(
    previous: Path | None,
    files: list[Path],
    prune: bool,
    report: IndexReport,
    index_dir: Path | None = None,
) -> _Plan:
    known: dict[str, FileRecord] = {}
    if previous is not None:
        store = Store(previous / ix.STORE, readonly=True)
        try:
            known = {record.path: record for record in store.files()}
        finally:
            store.close()
    plan = _Plan()
    given = set()
    for path in files:
        key = str(path)
        if key in given:
            continue
        given.add(key)
        if index_dir is not None and _inside(path, index_dir):
            continue  # the index's own files, in a folder being indexed
        what = not_a_dump(path)
        if what is not None:
            line = f"{path}: skipped, not a dump ({what})"
            report.problems.append(line)
            report.not_dumps.append(line)
            report.not_dump_suffixes[suffix_label(path)] += 1
            continue
        todo = _check(path, known.get(key), report)
        if todo is not None:
            plan.todo.append(todo)
    stale = [r for r in known.values() if r.cleaner != CLEANER_VERSION and os.path.exists(r.path)]
    if stale:
        versions = ", ".join(sorted({str(r.cleaner) for r in stale}))
        report.notes.append(
            f"the cleaner changed (version {versions} -> {CLEANER_VERSION}): re-cleaning "
            f"the {len(stale)} files indexed with the old version"
        )
        for record in stale:
            if record.path not in given:
                todo = _check(Path(record.path), record, report)
                if todo is not None:
                    plan.todo.append(todo)
    gone = sorted(p for p in known if p not in given and not os.path.lexists(p))
    if prune:
        plan.prune = gone
    elif gone:
        report.notes.append(
            f"{len(gone)} indexed files no longer exist; 'searcher index --prune' removes "
            "their articles"
        )
    return plan


def _inside(path: Path, folder: Path) -> bool:
    return Path(os.path.abspath(path)).is_relative_to(os.path.abspath(folder))


def _check(path: Path, record: FileRecord | None, report: IndexReport) -> _Todo | None:
    """A file to index, or None when it is unchanged (or cannot be read at all)."""
    try:
        stat = path.stat()
        current = record is not None and record.cleaner == CLEANER_VERSION
        if current and record.size == stat.st_size and record.mtime == stat.st_mtime:
            return _unchanged(path, record, report)
        digest = file_hash(path)
    except OSError as error:
        report.files_failed += 1
        report.problems.append(f"{path}: {_reason(error)}")
        return None
    if current and record is not None and record.hash == digest:
        return _unchanged(path, record, report)
    return _Todo(path, stat.st_size, stat.st_mtime, digest, record)


def _unchanged(path: Path, record: FileRecord, report: IndexReport) -> None:
    """Skip an unchanged file; one that could not be read is reported again all the same."""
    if record.failed:
        report.files_failed += 1
        report.problems.append(f"{path}: {record.note}")
    else:
        report.files_skipped += 1


def _reason(error: OSError) -> str:
    if isinstance(error, PermissionError):
        return "permission denied"
    if isinstance(error, IsADirectoryError):
        return "is a folder"
    return (error.strerror or str(error)).lower()


# --------------------------------------------------------------------------- execute


def _execute(
    generation: ix.Generation,
    plan: _Plan,
    jobs: int,
    report: IndexReport,
    progress: ProgressCallback,
) -> None:
    store = Store(generation.store_path)
    try:
        _execute_in(generation, store, plan, jobs, report, progress)
    finally:
        store.close()


def _execute_in(
    generation: ix.Generation,
    store: Store,
    plan: _Plan,
    jobs: int,
    report: IndexReport,
    progress: ProgressCallback,
) -> None:
    total_bytes = sum(todo.size for todo in plan.todo)
    files_total = len(plan.todo)
    jobs = jobs if total_bytes >= PARALLEL_MIN_BYTES else 1
    reads: list[FileRead] = []
    with Workers(jobs) as readers:
        done = 0
        splits = [_read_parts(todo, readers.jobs) for todo in plan.todo]
        paths = [todo.path for todo, n in zip(plan.todo, splits, strict=True) for _ in range(n)]
        shares = [k for n in splits for k in range(n)]
        counts = [n for n in splits for _ in range(n)]
        parts_read = readers.map(read_file, paths, shares, counts)
        # While the first files are read: what cleaning and writing need, loaded once here
        # and shared by the workers and sub-writers forked after it (each loaded its own:
        # rjieba's dictionary alone is 0.1 s a process). rjieba last: it holds the GIL
        # while it loads, and the pool's thread needs it to hand the reads over.
        default_region_finder()
        dedup.signature("")
        load_segmenter(())  # the cleaner's
        load_segmenter(getattr(generation.ix.schema["text"].analyzer, "user_words", ()))
        for todo, n in zip(plan.todo, splits, strict=True):
            reads.append(merged([next(parts_read) for _ in range(n)]))
            done += todo.size
            report.files_read = len(reads)
            progress(Progress("reading", done, total_bytes, "B", len(reads), files_total, 0))

    # The pages read are dropped once stored (before the segment writers fork).
    deleted, touched = _clean_into_store(store, plan, reads, jobs, report, progress, total_bytes)
    del reads
    _write(generation, store, deleted, touched, jobs, report, progress)
    report.duplicates = store.count(shown_only=False) - store.count(shown_only=True)
    store.commit()


def _clean_into_store(
    store: Store,
    plan: _Plan,
    reads: list[FileRead],
    jobs: int,
    report: IndexReport,
    progress: ProgressCallback,
    total_bytes: int,
) -> tuple[list[str], set[str]]:
    """Clean the pages read and store their articles, clustered; the ids deleted and the
    clusters touched (to be written to the index)."""
    files_total = len(plan.todo)
    with Workers(jobs) as workers:
        removed_paths = [str(t.path) for t in plan.todo if t.known is not None] + plan.prune
        stats, recleaned = _update_site_stats(store, removed_paths, reads)
        rereads = _reread(workers, recleaned, report)
        report.pages_recleaned = sum(len(pages) for _, pages in rereads)

        touched: set[str] = set()
        deleted: list[str] = []
        for path in removed_paths:
            old = store.ids_of_path(path)
            touched |= store.clusters_of(old)
            store.delete_articles(old)
            deleted.extend(old)
            report.articles_removed += len(old)
        for path in plan.prune:
            store.delete_file(path)
        report.files_pruned = len(plan.prune)

        jobs_pages = [pages for read in reads for pages in _chunks(read.pages)]
        jobs_pages += [pages for _, pages in rereads for pages in _chunks(pages)]
        cleaned = workers.map(
            clean_for_index, jobs_pages, [_stats_for(stats, pages) for pages in jobs_pages]
        )
        per_page = (page for chunk in cleaned for page in chunk)
        clusters = dedup.Clusters(store.text, store.near_candidates)
        done = 0
        for todo, read in zip(plan.todo, reads, strict=True):
            articles: list[Indexable] = []
            for number, _ in enumerate(read.pages, start=1):
                page_articles = next(per_page)
                # Stored as they come, while the workers clean the next pages.
                for item in page_articles:
                    touched |= _put(store, clusters, item)
                articles.extend(page_articles)
                if number % CHUNK_PAGES == 0:
                    share = todo.size * number // len(read.pages)
                    progress(
                        Progress("cleaning", done + share, total_bytes, "B", report.files_read,
                                 files_total, report.articles_added + len(articles))
                    )  # fmt: skip
            note = _file_note(todo.path, read, articles, report)
            report.articles_added += len(articles)
            failed = bool(read.errors) and not read.pages
            if failed:
                report.files_failed += 1
            elif todo.known is not None:
                report.files_changed += 1
            else:
                report.files_new += 1
            store.put_file(
                FileRecord(
                    str(todo.path), todo.size, todo.mtime, todo.digest, CLEANER_VERSION,
                    len(articles), note, ix.now_iso(), failed,
                )
            )  # fmt: skip
            done += todo.size
            progress(
                Progress("cleaning", done, total_bytes, "B", report.files_read, files_total,
                         report.articles_added)
            )  # fmt: skip
        for path, pages in rereads:
            for page in pages:
                old = set(store.ids_of_page(path, page.number))
                new = {item.article.id: item for item in next(per_page)}
                gone = sorted(old - set(new))
                touched |= store.clusters_of(gone)
                store.delete_articles(gone)
                deleted.extend(gone)
                for article_id, item in new.items():
                    if article_id not in old:
                        touched |= _put(store, clusters, item)
                report.articles_removed += len(gone)
                report.articles_added += len(set(new) - old)
            record = store.file(path)
            if record is not None:
                record.articles = store.count_of_path(path)
                store.put_file(record)
    return deleted, touched


def _file_note(
    path: Path, read: FileRead, articles: list[Indexable], report: IndexReport
) -> str | None:
    for error in read.errors:
        report.problems.append(str(error))
    if read.errors and not read.pages:
        return read.errors[0].reason
    if not articles:
        note = "no article text found (only page chrome)" if read.pages else "no pages found"
        report.notes.append(f"{path}: {note}")
        return note
    return None


def _read_parts(todo: _Todo, jobs: int) -> int:
    """How many processes read one file: a big JSON Lines dump is shared out by line
    (parsing a crawl's HTML pages is most of its reading), anything else is read whole.

    Each part decodes the whole file (:data:`READ_MEMORY_PER_BYTE` of memory per byte of
    dump, as one reader needs), so a dump is shared out only while that fits in half the
    free memory.
    """
    if jobs <= 1 or todo.size < SPLIT_READ_MIN_BYTES or dump_kind(todo.path) != "jsonl":
        return 1
    if todo.size * READ_MEMORY_PER_BYTE * jobs > _available_memory() // 2:
        return 1
    return jobs


def _available_memory() -> int:
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return 0


def _chunks(pages: list[Page]) -> Iterator[list[Page]]:
    for start in range(0, len(pages), CHUNK_PAGES):
        yield pages[start : start + CHUNK_PAGES]


def _stats_for(stats: SiteStats, pages: list[Page]) -> SiteStats:
    """The part of ``stats`` a chunk of pages needs (what is sent to a worker)."""
    sites = {page.site for page in pages}
    part = SiteStats()
    for site in sites:
        if site in stats.pages:
            part.pages[site] = stats.pages[site]
            part.lines[site] = stats.lines[site]
    return part


def _update_site_stats(
    store: Store, removed_paths: list[str], reads: list[FileRead]
) -> tuple[SiteStats, dict[str, set[int]]]:
    """Replace the statistics of the files read; return the new counts of every site the
    run touches, and the earlier pages (path -> page numbers) whose cleaning they change."""
    sites = {site for path in removed_paths for site in store.sites_of_path(path)}
    sites |= {page.site for read in reads for page in read.pages}
    before = store.site_stats(sites)
    for path in removed_paths:
        store.delete_page_lines(path)
    for read in reads:
        store.delete_page_lines(str(read.path))
        for page, lines in zip(read.pages, read.lines, strict=True):
            store.put_page_lines(str(read.path), page.number, page.site, lines)
    after = store.site_stats(sites)
    fresh = {str(read.path) for read in reads}
    affected: dict[str, set[int]] = {}
    for site in sites:
        flipped = set()
        candidates = set(before.lines.get(site, ())) | set(after.lines.get(site, ()))
        for fp in candidates:
            if max(before.lines[site].get(fp, 0), after.lines[site].get(fp, 0)) < 3:
                continue  # never repeated on either side: nothing can flip
            sample = store.line_sample(site, fp)
            if sample is not None and before.is_repeated(site, sample) != after.is_repeated(
                site, sample
            ):
                flipped.add(fp)
        for path, page in store.pages_showing(site, flipped):
            if path not in fresh:
                affected.setdefault(path, set()).add(page)
    return after, affected


def _reread(
    workers: Workers, affected: dict[str, set[int]], report: IndexReport
) -> list[tuple[str, list[Page]]]:
    """Read the files of earlier pages to re-clean again; keep only those pages."""
    paths = sorted(affected)
    out = []
    for path, read in zip(paths, workers.map(read_file, [Path(p) for p in paths]), strict=True):
        pages = [page for page in read.pages if page.number in affected[path]]
        if len(pages) < len(affected[path]):
            report.notes.append(
                f"{path}: could not be read again to re-clean {len(affected[path])} pages "
                "with the new site statistics; they keep their earlier cleaning"
            )
            continue
        out.append((path, pages))
    return out


def _put(store: Store, clusters: dedup.Clusters, item: Indexable) -> set[str]:
    """Store a new article in the cluster of an earlier copy (or its own); the clusters
    whose shown copy and duplicates change: its own, and those merged into it (a near copy
    of members of several clusters brings them into one, :meth:`Store.merge_clusters`)."""
    article = item.article
    cluster = store.cluster_of_fingerprint(item.fingerprint)
    changed: set[str] = set()
    if cluster is not None and article.date:
        cluster = _dated_exact_copy(store, clusters, item, cluster, changed)
    if cluster is None:
        match = clusters.find(article.text, item.bands, item.comparable, article.date)
        if match is None:
            cluster = article.id
        elif len(match.clusters) > 1:
            cluster = store.merge_clusters(match.clusters)
            changed.update(match.clusters)
        else:
            cluster = match.cluster
    store.put(article, cluster, True, item.fingerprint, item.signature, item.bands)
    changed.add(cluster)
    return changed


def _dated_exact_copy(
    store: Store, clusters: dedup.Clusters, item: Indexable, cluster: str, changed: set[str]
) -> str:
    """The cluster a dated exact copy joins, ``cluster`` (its twins') put right by what its
    date tells (the clusters rewritten go to ``changed``):

    - members that are another year's story (let in by a copy without a date) leave it, in
      clusters of their own (:meth:`dedup.Clusters.strangers`);
    - when it is the first copy of its text dated in its year, near copies of that year
      its twins could not take in are merged in (a 2023 repost of a text both 2022 and
      2023 broadcast, 2022's indexed first; or one that left with the strangers).
    """
    article = item.article
    twins = store.dates_of_fingerprint(item.fingerprint)
    members = store.dated_members(cluster)
    groups = clusters.strangers(article.text, [article.date, *twins], members)
    for group in groups:
        if cluster not in group:
            store.move_to_cluster(group, group[0])
            changed.add(group[0])
    if any(cluster in group for group in groups):
        # The cluster bears a stranger's id: its group keeps it, the others leave.
        leaving = {key for group in groups for key in group}
        stay = [m.id for m in store.cluster_members(cluster) if m.id not in leaving]
        store.move_to_cluster(stay, article.id)
        changed.add(cluster)
        cluster = article.id
    if not any(date and not dedup.years_apart(article.date, date) for date in twins):
        match = clusters.find(
            article.text, item.bands, item.comparable, article.date, joined=cluster
        )
        if match is not None and len(match.clusters) > 1:
            changed.update(match.clusters)
            cluster = store.merge_clusters(match.clusters)
    return cluster


# --------------------------------------------------------------------------- write


def whoosh_document(article: Article) -> dict[str, object]:
    """The fields Whoosh indexes for the shown copy of a cluster (its copies are in the
    store; indexes written before this kept their number in a field nobody reads)."""
    doc: dict[str, object] = {
        "id": article.id,
        "title": article.title,
        "text": article.text,
        "path": article.path,
        "day": int(article.date.replace("-", "")) if article.date else 0,
    }
    if article.date:
        doc.update(date=article.date, year=article.date[:4], month=article.date[:7])
    if article.region:
        doc["region"] = article.region
    if article.source:
        doc["source"] = article.source
    return doc


def representative(members: list[Article]) -> Article:
    """The copy a cluster shows: earliest-dated, then most complete, then stable by id."""
    return min(members, key=lambda a: (a.date is None, a.date or "", -len(a.text), a.path, a.id))


def _write(
    generation: ix.Generation,
    store: Store,
    deleted: list[str],
    touched: set[str],
    jobs: int,
    report: IndexReport,
    progress: ProgressCallback,
) -> None:
    writer = _writer(generation.ix, len(touched), jobs)
    try:
        for article_id in deleted:
            writer.delete_by_term("id", article_id)
        for done, cluster in enumerate(sorted(touched), start=1):
            members = store.cluster_members(cluster)
            for member in members:
                writer.delete_by_term("id", member.id)
            if members:
                shown = representative(members)
                for member in members:
                    store.set_cluster(member.id, cluster, member is shown)
                writer.add_document(**whoosh_document(shown))
            if done % 200 == 0 or done == len(touched):
                progress(
                    Progress("writing", done, len(touched), "doc", report.files_read,
                             report.files_total, report.articles_added)
                )  # fmt: skip
        # Whoosh flushes its segments here: the longest step, without a measure of its own.
        progress(Progress("committing", 0, 0, "", report.files_read, report.files_total,
                          report.articles_added))  # fmt: skip
        writer.commit()
    except BaseException:
        if not writer.is_closed:
            writer.cancel()
        raise
    expected = store.count(shown_only=True)
    with generation.ix.reader() as reader:
        indexed = reader.doc_count()
    if indexed != expected:
        raise SearcherError(
            f"the new index holds {indexed} documents instead of {expected}; it was not "
            "committed, the previous index is intact"
        )


def _writer(whoosh_ix: Any, documents: int, jobs: int) -> Any:
    if jobs > 1 and documents >= PARALLEL_MIN_DOCS:
        return _ParallelWriter(
            whoosh_ix, procs=jobs, batchsize=256, multisegment=True,
            start_method="fork",
        )  # fmt: skip
    return IndexSegmentWriter(whoosh_ix)


class IndexSegmentWriter(FastSegmentWriter):
    """Our segment writer, with each segment's exact-match text kept beside it
    (:class:`searcher.exact.SegmentText`)."""

    def __init__(self, ix: Any, **kwargs: Any) -> None:
        super().__init__(ix, **kwargs)
        self.sidecar = exact.SegmentText(Path(ix.storage.folder))


def _subwriter(parent: int, *args: Any) -> None:
    die_with_parent(parent)
    # Whoosh's sub-writer task builds a SegmentWriter by that name: in this forked child
    # only, it is ours.
    whoosh.multiproc.SegmentWriter = IndexSegmentWriter  # type: ignore[misc]
    try:
        _write_segments(*args)
    except OSError as error:  # the indexer reports it (a full disk, above all)
        os._exit(error.errno or 1)
    except BaseException:
        os._exit(1)


def _write_segments(
    storage: Any,
    indexname: str,
    jobqueue: Any,
    resultqueue: Any,
    kwargs: dict[str, Any],
    multisegment: bool,
) -> None:
    """A sub-writer: Whoosh's ``SubWriterTask.run`` (multisegment), starting a new segment
    every :data:`SEGMENT_DOCS` documents; puts the list of its segments on the result queue
    (:meth:`_ParallelWriter._commit` takes lists)."""
    assert multisegment
    limit = SEGMENT_DOCS
    whoosh_ix = storage.open_index(indexname)
    segments = []
    writer: IndexSegmentWriter | None = None
    while (job := jobqueue.get()) is not None:
        filename, count = job
        if writer is None:
            # Never finished (Whoosh's sub-writers are not): that would remove the job files
            # of the shared temporary storage.
            writer = IndexSegmentWriter(whoosh_ix, _lk=False, **kwargs)
        temporary = writer.temp_storage()
        with temporary.open_file(filename).raw_file() as jobs:
            for _ in range(count):
                code, fields = pickle.load(jobs)
                assert code == 0  # add_document, the only job there is
                writer.add_document(**fields)
        temporary.delete_file(filename)
        if writer.docnum >= limit:
            segments.append(writer._finalize_segment())
            writer = None
    if writer is not None and writer._added:
        segments.append(writer._finalize_segment())
    resultqueue.put((None, None, segments), timeout=5)


class _ParallelWriter(MpWriter, FastSegmentWriter):
    """Whoosh's multi-process writer, with sub-writers that write our way
    (:class:`FastSegmentWriter`, as does this writer for the segments it merges), die with
    the indexer, ignore Ctrl-C (the indexer handles it), and are stopped, not left waiting,
    on cancel."""

    def __init__(self, ix: Any, **kwargs: Any) -> None:
        super().__init__(ix, **kwargs)  # MpWriter's, which calls SegmentWriter's
        self.pool = TermPool()
        self.sidecar = exact.SegmentText(Path(ix.storage.folder))

    def _new_task(self) -> Any:
        args = (
            os.getpid(), self.storage, self.indexname, self.jobqueue, self.resultqueue,
            self.subargs, self.multisegment,
        )  # fmt: skip
        task = self._mpctx.Process(target=_subwriter, args=args)
        self.tasks.append(task)
        with sigint_blocked():
            task.start()
        return task

    def _commit(self, mergetype: Any, optimize: Any, merge: Any) -> None:
        """Whoosh's ``MpWriter._commit`` (multisegment), each sub-writer giving a list of
        segments (:func:`_write_segments`)."""
        if self.docbuffer:
            self._enqueue()
        for _ in self.tasks:
            self.jobqueue.put(None)
        finalsegments = self._merge_segments(mergetype, optimize, merge)
        for task in self.tasks:
            task.join()
        for _ in self.tasks:
            try:
                _, _, segments = self.resultqueue.get(timeout=1)
            except queue.Empty:  # a sub-writer failed: commit() reports it
                continue
            finalsegments += segments
        if self._added:
            finalsegments.append(self._finalize_segment())
        else:
            self._close_segment()
        self._commit_toc(finalsegments)
        self._finish()

    def cancel(self) -> None:
        started = [task for task in self.tasks if task.pid is not None]
        for task in started:
            task.terminate()
        for task in started:
            task.join()
        SegmentWriter.cancel(self)

    def commit(self, *args: Any, **kwargs: Any) -> None:
        super().commit(*args, **kwargs)
        failed = [task.exitcode for task in self.tasks if task.exitcode]
        if errno.ENOSPC in failed:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        if failed:
            raise SearcherError(
                f"an index sub-writer failed (exit status {failed[0]}); nothing was changed, "
                "the previous index is intact"
            )
