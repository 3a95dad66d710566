"""The index: Whoosh schema, index generations swapped atomically, and the writer.

An index folder holds generations; ``CURRENT`` names the one readers open::

    index/CURRENT                  "gen-000003"
    index/gen-000003/              Whoosh segment files + articles.db (the store)
    index/gen-000003/READERS.lock  a shared flock held by every reader of the generation
    index/.lock                    held by the one writer

A write never touches the generation readers use: it builds the next generation (hard links
to the unchanged files, a copy of the store), commits it, then renames a new ``CURRENT``
into place. A crash at any point leaves the previous generation answering. A generation
that is no longer current is removed as soon as no reader holds it (by the writer after a
commit, and by a reader that moves on to a newer generation).
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import re
import shutil
import sqlite3
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from whoosh import index as whoosh_index
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3PerDocReader, _lenfield
from whoosh.columns import NumericColumn
from whoosh.fields import ID, NUMERIC, TEXT, Schema
from whoosh.util.numeric import byte_to_length

from . import mapped  # noqa: F401  (Whoosh reads segment files in place, not copied)
from .analysis import chinese_analyzer, index_term_counts
from .errors import SearcherError
from .postings import count_bytes

CURRENT = "CURRENT"
LOCK = ".lock"
READERS = "READERS.lock"
STORE = "articles.db"
INDEX_NAME = "MAIN"
_GEN_RE = re.compile(r"^gen-(\d{6})$")


class WordsField(TEXT):
    """A text field of word frequencies, without positions.

    Quoted strings and the whole-query tier are matched on the exact text
    (:mod:`searcher.exact`), never by Whoosh phrase queries, so positions would only cost
    time and disk (about half of each). Terms are counted in one pass over the
    segmentation instead of one Whoosh token per occurrence.

    A dictionary word inside a longer word (文明城市 in 全国文明城市) is indexed so that a
    search for it finds the longer word, but it is not the word the text says: it counts
    :data:`SUBWORD_WEIGHT` of an occurrence. Counts stay integers (Whoosh's ``Frequency``
    format): a word counts ``scale`` and a sub-word ``part``, and the field's boost is
    divided by ``scale``, so a posting's weight is ``words + part / scale × sub-words``
    times the boost. (Fields pickled before this have neither: every term counts 1.)
    """

    scale = 1
    part = 1

    def __init__(
        self,
        analyzer: Any,
        field_boost: float = 1.0,
        stored: bool = False,
        subword_weight: float | None = None,
    ) -> None:
        scale, part = 1, 1
        if subword_weight is not None:
            scale, part = 10, round(subword_weight * 10)
        super().__init__(
            analyzer=analyzer, phrase=False, field_boost=field_boost / scale, stored=stored
        )
        if subword_weight is not None:
            self.scale, self.part = scale, part

    @property
    def unit(self) -> float:
        """The weight of one occurrence of a word (the boost the field was made with)."""
        return self.format.field_boost * self.scale

    def index(self, value: Any, **kwargs: Any) -> Iterator[tuple[bytes, int, float, bytes]]:
        counts = self.term_counts(value) if kwargs.get("mode", "index") == "index" else None
        if counts is None:
            yield from super().index(value, **kwargs)
            return
        boost = self.format.field_boost
        for term, count in counts.items():
            yield term.encode("utf-8"), count, count * boost, count_bytes(count)

    def term_counts(self, value: Any) -> Counter[str] | None:
        """How often each term occurs in ``value``, in the field's units (what
        :meth:`index` yields, as counts: :class:`searcher.postings.FastSegmentWriter` takes
        them so)."""
        if not isinstance(value, str):
            return None
        user_words = getattr(self.analyzer, "user_words", ())
        return index_term_counts(value, user_words, self.scale, self.part)


#: What a dictionary word found inside a longer word counts, beside the word itself: chosen
#: on the tuning half of ``benchmarks/ranking.py`` (README, "Ranking").
SUBWORD_WEIGHT = 0.1


def _whole_length_column(self: Any, fieldname: str, default: int = 0) -> Any:
    """W3PerDocReader.doc_field_length_reader, reading the column once instead of per call.

    Whoosh's writer asks for a document's field length once per posting it writes (half a
    million lookups for 3,000 articles, each a seek and a one-byte read: a fifth of a
    segment's writing time). The length column is one byte per document; this reads it
    whole and answers from a list. Same answers (None where the byte is 0, as Whoosh's).
    """
    column = self._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
    if column is None:
        return lambda docnum, _default=default: _default
    if type(column) is not NumericColumn.Reader or getattr(column, "_fixedlen", None) != 1:
        return _whoosh_length_reader(self, fieldname, default)  # not the one-byte column
    data = column._dbfile.get(column._basepos, column._count) if column._count else b""
    lengths = [_LENGTH_OF_BYTE[b] for b in data]
    count = len(lengths)

    def get(docnum: int) -> int | None:
        return lengths[docnum] if docnum < count else None

    get.lengths = lengths  # type: ignore[attr-defined]  # for bulk lookups (searcher.postings)
    get.data = data  # type: ignore[attr-defined]  # the bytes (searcher.query's length norms)
    return get


_LENGTH_OF_BYTE = [None, *(byte_to_length(b) for b in range(1, 256))]
_whoosh_length_reader = getattr(W3PerDocReader, "doc_field_length_reader", None)
if _whoosh_length_reader is not None:
    W3PerDocReader.doc_field_length_reader = _whole_length_column


def make_schema(userdicts: tuple[str, ...] = ()) -> Schema:
    """Fields: word frequencies of title and text, filter and facet columns."""
    analyzer = chinese_analyzer(userdicts)
    return Schema(
        id=ID(stored=True, unique=True),
        title=WordsField(analyzer, field_boost=3.0, stored=True, subword_weight=SUBWORD_WEIGHT),
        text=WordsField(analyzer, subword_weight=SUBWORD_WEIGHT),
        date=ID(stored=True),
        day=NUMERIC(int, bits=32, sortable=True, signed=False),
        year=ID(sortable=True),
        month=ID(sortable=True),
        region=ID(stored=True, sortable=True),
        source=ID(stored=True, sortable=True),
        path=ID(stored=True),
    )


def has_index(folder: Path) -> bool:
    """True when ``folder`` holds a committed index generation."""
    return current_generation(folder) is not None


def current_generation(folder: Path) -> Path | None:
    """The generation readers should open, or None."""
    try:
        name = (folder / CURRENT).read_text(encoding="utf-8").strip()
    except (FileNotFoundError, NotADirectoryError):
        return None
    gen = folder / name
    if _GEN_RE.match(name) and (gen / STORE).exists():
        return gen
    return None


class Lease:
    """A reader's hold on one generation: while any lease is held, nobody removes it."""

    def __init__(self, generation: Path, handle: IO[bytes] | None) -> None:
        self.generation = generation
        self._handle = handle

    def release(self) -> None:
        if self._handle is not None:
            self._handle.close()  # closing the file drops the flock
            self._handle = None


def lease_current(folder: Path, attempts: int = 50) -> Lease | None:
    """Hold the current generation for reading (None when there is no index).

    The writer removes an old generation only while holding an exclusive flock on its
    ``READERS.lock``, so a shared flock keeps it. A reader that loses the race (it read
    ``CURRENT`` just before a swap and the generation went away) reads ``CURRENT`` again.
    """
    for _ in range(attempts):
        gen = current_generation(folder)
        if gen is None:
            return None
        try:
            handle = open(gen / READERS, "rb")  # noqa: SIM115 - held for the lease's life
        except FileNotFoundError:
            if (gen / STORE).exists():
                return Lease(gen, None)  # an index written before leases existed
            continue
        try:
            fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            time.sleep(0.01)
            continue
        if os.fstat(handle.fileno()).st_nlink == 0:
            handle.close()
            continue
        return Lease(gen, handle)
    raise SearcherError(f"{folder}: the index keeps changing under the reader; try again")


def remove_unread(folder: Path, keep: Iterable[str] = (), older_only: bool = False) -> None:
    """Remove the generations (other than the current one) that no reader holds.

    The writer (holding the writer lock) removes every such generation, leftovers of killed
    runs included; a reader passes ``older_only`` so a generation being built is never hit.
    """
    current = current_generation(folder)
    kept = {*keep, current.name if current else ""}
    limit = _gen_number(current) if current and older_only else None
    for gen in sorted(folder.iterdir()):
        if not _GEN_RE.match(gen.name) or gen.name in kept:
            continue
        if limit is not None and _gen_number(gen) >= limit:
            continue
        try:
            handle = open(gen / READERS, "rb")  # noqa: SIM115
        except FileNotFoundError:
            if not older_only:
                shutil.rmtree(gen, ignore_errors=True)
            continue
        except OSError:
            continue
        with handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                continue  # a reader still uses it: the next writer or reader removes it
            shutil.rmtree(gen, ignore_errors=True)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` so that readers see the old or the new file, never half."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)
    _fsync_dir(path.parent)


@contextlib.contextmanager
def writer_lock(
    folder: Path, wait: bool = True, on_wait: Callable[[], None] | None = None
) -> Iterator[None]:
    """Hold the folder's writer lock; a second writer waits (or fails with ``wait=False``)."""
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / LOCK, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if not wait:
                raise SearcherError(
                    f"{folder}: another 'searcher index' is writing this index"
                ) from None
            if on_wait is not None:
                on_wait()
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


class Generation:
    """A new generation being written; ``commit()`` makes it current.

    Files of the previous generation are hard-linked into the new one, except those named
    in ``COPIED`` (the store, which changes in place). Any other file a later stage writes
    per generation (beside the Whoosh segments) must therefore be replaced whole (write a
    new file, ``os.replace`` it), never modified in place.
    """

    COPIED = frozenset({STORE})

    def __init__(self, folder: Path, rebuild: bool, userdicts: tuple[str, ...] = ()) -> None:
        self.folder = folder
        self.previous = None if rebuild else current_generation(folder)
        number = max((_gen_number(p) for p in folder.iterdir()), default=0) + 1
        self.path = folder / f"gen-{number:06d}"
        try:
            if self.path.exists():
                shutil.rmtree(self.path)
            self.path.mkdir()
            (self.path / READERS).touch()
        except OSError as error:
            self.abort()
            raise disk_error(folder, error) from None
        try:
            if self.previous is not None:
                self._copy_previous()
                self.ix = whoosh_index.open_dir(str(self.path), indexname=INDEX_NAME)
            else:
                schema = make_schema(userdicts)
                self.ix = whoosh_index.create_in(str(self.path), schema, indexname=INDEX_NAME)
        except (OSError, sqlite3.Error) as error:
            self.abort()
            raise disk_error(folder, error) from None

    def _copy_previous(self) -> None:
        assert self.previous is not None
        for item in self.previous.iterdir():
            if item.name in self.COPIED or item.name.endswith(".lock"):
                continue
            os.link(item, self.path / item.name)
        # The store changes in place, so it is copied. A committed generation's store is
        # never written again (readers open it read-only, the next run writes its own copy,
        # under the writer lock), so a copy of the file is consistent: three times faster
        # than SQLite's online backup (0.75 s against 2.2 s for the 840 MB store of 200,000
        # articles), and the kernel's copy_file_range shares the blocks where the
        # filesystem can (btrfs, XFS).
        shutil.copyfile(self.previous / STORE, self.path / STORE)

    @property
    def store_path(self) -> Path:
        return self.path / STORE

    def commit(self) -> None:
        """fsync the new generation and make it the current one."""
        for item in self.path.iterdir():
            if item.is_file():
                with open(item, "rb") as handle:
                    os.fsync(handle.fileno())
        _fsync_dir(self.path)
        write_atomic(self.folder / CURRENT, self.path.name + "\n")
        remove_unread(self.folder, keep={self.path.name})

    def abort(self) -> None:
        """Remove the unfinished generation (never one that already became current)."""
        if current_generation(self.folder) != self.path:
            shutil.rmtree(self.path, ignore_errors=True)


def _gen_number(path: Path) -> int:
    match = _GEN_RE.match(path.name)
    return int(match.group(1)) if match else 0


def disk_error(folder: Path, error: OSError | sqlite3.Error) -> SearcherError:
    """What a failed write says: the index folder, why, and that nothing was lost."""
    full = (isinstance(error, OSError) and error.errno in (errno.ENOSPC, errno.EDQUOT)) or (
        isinstance(error, sqlite3.Error) and "full" in str(error)
    )
    if full:
        reason = "disk full"
    elif isinstance(error, OSError):
        reason = error.strerror or str(error)
    else:
        reason = str(error)
    return SearcherError(
        f"{folder}: {reason} while writing the new index; nothing was changed, "
        "the previous index is intact"
    )


def folder_size(path: Path) -> int:
    """Bytes on disk of every file under ``path``."""
    total = 0
    for root, _, files in os.walk(path):
        for name in files:
            with contextlib.suppress(OSError):
                total += os.stat(os.path.join(root, name)).st_size
    return total


def last_update(folder: Path) -> float | None:
    """When the current generation was committed (seconds since the epoch)."""
    try:
        return (folder / CURRENT).stat().st_mtime
    except OSError:
        return None


def now_iso() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime())
