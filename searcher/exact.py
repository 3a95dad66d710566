"""Exact matching: every article's title and text, normalised, kept beside the word index.

A quoted query finds exactly the articles whose title or text (each on its own) contains the
string, both sides in :func:`searcher.analysis.exact_form` (NFKC, case, traditional ->
simplified, whitespace removed, punctuation kept): what ``grep -F`` finds in the export.
Word indexes cannot promise that (``"蝶"`` inside ``蝴蝶``, any string the segmenter cuts
differently), and a character n-gram field costs indexing 4x its speed and 23x the text on
disk, so each Whoosh segment has a file of its own beside it, ``MAIN_<segment>.exact``
(:func:`write_segment`): the segment's titles and texts as UTF-16, where each field starts,
and for each character the list of articles holding it. The segment's writer writes it
(:class:`SegmentText`: the sub-writers for their segments, and again when Whoosh merges
segments), named as the segment's own files are, so Whoosh removes it with the segment; a
new generation hard-links the files of the segments it keeps, so a run writes the text of
the articles it adds, never the whole corpus again.

Readers map the files (:class:`MappedText`): nothing is read whole or decompressed at
start, a one-off ``searcher search`` reads the pages its needle needs, and every server
process shares the same pages. A lookup takes, per segment, the articles holding the
needle's two rarest characters (their lists) and tests each of them with a C-level
substring search in its mapped fields, skipping the articles Whoosh marks deleted; the
segment's live articles are numbered from its document offset, so nothing maps ids to
document numbers (which would read every stored document).

Indexes written before this keep the whole text in one file, ``exact.bin`` (:class:`ExactText`:
ids, document numbers, then zlib(UTF-16) of title0 US text0 US title1 US …), rewritten from
the store on every run until ``searcher index --rebuild``. Loaded, it is one string per
title and per text; a search is one C-level substring test per field (about 4 ms for the 10
million characters of the whole xwlb corpus). A process that keeps scanning soon builds a
:class:`CharIndex` in memory and then tests only the articles that hold the needle's
rarest character.

Either way the matching articles become a :class:`DocSetQuery` that Whoosh ranks, filters
and paginates like any other query, so totals and pages stay exact.
"""

from __future__ import annotations

import mmap
import os
import struct
import threading
import zlib
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import accumulate, pairwise
from pathlib import Path
from typing import Any, overload

from whoosh import matching
from whoosh import query as wq

from .analysis import exact_form
from .errors import SearcherError
from .rank import Ranking, exact_bm25

FILE = "exact.bin"
#: The extension of a segment's file (``MAIN_<segment>.exact``).
SEGMENT_EXT = ".exact"
MAGIC = b"searcher-exact 3\n"
#: Files of the previous version (no document numbers, in the store's order) still load.
_OLD_MAGIC = b"searcher-exact 2\n"
# A whitespace character to ``str.split``, so exact_form removes it from text and queries:
# it can separate fields in the file.
SEPARATOR = "\x1f"
_HEADER = struct.Struct("<QQQ")  # articles, bytes of ids, bytes of the compressed text
_DOCNUM = "I"
_LEVEL = 6
#: How much more an article weighs when its title, not only its text, holds the string.
TITLE_WEIGHT = 3.0
#: Whole-text scans (or their worth in partial ones) after which an :class:`ExactText` builds
#: its :class:`CharIndex`: building costs about as much as 250 scans and then saves most of
#: each scan, so a one-off ``searcher search`` never pays for it and a server soon does.
CHAR_INDEX_AFTER = 64


class CharIndex:
    """Which articles hold each character (in their title or text): positions, ascending.

    An article can contain a string only if it holds each of the string's characters, so
    the articles to test for a needle are those holding its rarest character. Built in
    memory from the exact text (about 1 s and 17 MB for the 20,509 articles of the whole
    xwlb corpus: 4.3 million character-article pairs).
    """

    def __init__(self, titles: Sequence[str], texts: Sequence[str]) -> None:
        lists: dict[str, list[int]] = {}
        get = lists.get
        for position, (title, text) in enumerate(zip(titles, texts, strict=True)):
            for char in set(text).union(title):
                found = get(char)
                if found is None:
                    lists[char] = [position]
                else:
                    found.append(position)
        self.lists: dict[str, array[int]] = {c: array("i", ps) for c, ps in lists.items()}
        self._none: array[int] = array("i")

    def candidates(self, needle: str) -> array[int]:
        """Positions of the articles holding every character of ``needle`` at least as
        rarely as the rarest one: a superset of those that contain ``needle``."""
        lists, none = self.lists, self._none
        return min((lists.get(char, none) for char in set(needle)), key=len)


@dataclass
class ExactText:
    """The exact-match text of one index generation: article ``k`` (in ``ids`` order) has
    title ``titles[k]`` and text ``texts[k]``, both in exact form, and, once
    :meth:`in_whoosh_order`, Whoosh document number ``docnums[k]``."""

    ids: list[str]
    titles: list[str]
    texts: list[str]
    docnums: list[int] | None = None
    #: Built after :data:`CHAR_INDEX_AFTER` scans' worth of :meth:`find` (or on demand).
    chars: CharIndex | None = field(default=None, init=False, repr=False, compare=False)
    _scans: float = field(default=0.0, init=False, repr=False, compare=False)
    _building: threading.Lock = field(
        default_factory=threading.Lock, init=False, repr=False, compare=False
    )

    def build_char_index(self) -> None:
        """Build :attr:`chars` now, unless it is built or being built by another thread."""
        if self.chars is not None or not self._building.acquire(blocking=False):
            return
        try:
            if self.chars is None:
                self.chars = CharIndex(self.titles, self.texts)
        finally:
            self._building.release()

    @classmethod
    def from_articles(cls, articles: Iterable[tuple[str, str, str]]) -> ExactText:
        """From ``(id, title, text)`` of every searchable article, raw (normalised here)."""
        ids: list[str] = []
        titles: list[str] = []
        texts: list[str] = []
        for article_id, title, text in articles:
            ids.append(article_id)
            titles.append(exact_form(title))
            texts.append(exact_form(text))
        return cls(ids, titles, texts)

    def write(self, path: Path) -> None:
        """Write to ``path`` (a new file: generations are never changed in place)."""
        ids = "\n".join(self.ids).encode("ascii")
        docnums = array(_DOCNUM, self.docnums if self.docnums is not None else [])
        if self.docnums is None or len(docnums) != len(self.ids):
            raise ValueError("exact text is written in Whoosh's order (in_whoosh_order first)")
        fields = (f for pair in zip(self.titles, self.texts, strict=True) for f in pair)
        joined = "".join(f + SEPARATOR for f in fields)
        packed = zlib.compress(joined.encode("utf-16-le"), _LEVEL)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        with open(tmp, "wb") as handle:
            handle.write(MAGIC)
            handle.write(_HEADER.pack(len(self.ids), len(ids), len(packed)))
            handle.write(ids)
            handle.write(docnums.tobytes())
            handle.write(packed)
        os.replace(tmp, path)

    @classmethod
    def read(cls, path: Path) -> ExactText:
        """Load a file written by :meth:`write`; ValueError when it is not one."""
        data = path.read_bytes()
        if not data.startswith((MAGIC, _OLD_MAGIC)):
            raise ValueError(f"{path}: not an exact-match text file")
        at = len(MAGIC)
        try:
            count, id_bytes, packed_bytes = _HEADER.unpack_from(data, at)
        except struct.error:
            raise ValueError(f"{path}: truncated exact-match text file") from None
        at += _HEADER.size
        ids = data[at : at + id_bytes].decode("ascii").split("\n") if count else []
        at += id_bytes
        docnums = None
        if data.startswith(MAGIC):
            numbers = array(_DOCNUM)
            numbers.frombytes(data[at : at + count * numbers.itemsize])
            docnums = numbers.tolist()
            at += count * numbers.itemsize
        fields = zlib.decompress(data[at : at + packed_bytes]).decode("utf-16-le")
        parts = fields.split(SEPARATOR)
        complete = docnums is None or len(docnums) == count
        if not complete or len(ids) != count or len(parts) != 2 * count + 1 or parts[-1]:
            raise ValueError(f"{path}: truncated exact-match text file")
        return cls(ids, parts[0:-1:2], parts[1:-1:2], docnums)

    def find(
        self, needle: str, field: str | None = None, within: Sequence[int] | None = None
    ) -> tuple[list[int], set[int]]:
        """Positions in ``ids`` (ascending) of the articles whose title or text (or only
        ``field``) contains ``needle``, which must be in exact form, among the positions
        ``within`` (ascending) when given; and those whose title does."""
        if not needle:
            return [], set()
        titles, texts = self.titles, self.texts
        chars = self.chars
        if chars is not None:
            holding = chars.candidates(needle)
            if within is None:
                within = holding
            elif len(holding) < len(within):
                allowed = set(within)
                within = [i for i in holding if i in allowed]
        else:
            self._scans += 1.0 if within is None else len(within) / max(len(self.ids), 1)
            if self._scans >= CHAR_INDEX_AFTER:
                self.build_char_index()
        if within is None:
            within = range(len(self.ids))
        titled = set() if field == "text" else {i for i in within if needle in titles[i]}
        if field == "title":
            return sorted(titled), titled
        if titled:
            return [i for i in within if i in titled or needle in texts[i]], titled
        return [i for i in within if needle in texts[i]], titled

    def find_counted(
        self, needle: str, field: str | None = None, within: Sequence[int] | None = None
    ) -> tuple[list[int], set[int], list[tuple[int, int, int]]]:
        """:meth:`find`, and for each article found how often its title and its text hold
        ``needle`` (0 for the one a ``field`` leaves out), and its text's length: what
        :func:`searcher.rank.exact_bm25` needs."""
        found, titled = self.find(needle, field, within)
        titles, texts = self.titles, self.texts
        counts = [
            (
                titles[i].count(needle) if field != "text" else 0,
                texts[i].count(needle) if field != "title" else 0,
                len(texts[i]),
            )
            for i in found
        ]
        return found, titled, counts

    def reordered(self, order: Sequence[int]) -> ExactText:
        """The same articles in ``order`` (positions in ``ids``).

        The strings are made anew, one after the other, so that a scan reads memory in
        order: scanning them where they were, in another order, is twice as slow.
        """

        def copied(fields: list[str]) -> list[str]:
            return SEPARATOR.join(fields[i] for i in order).split(SEPARATOR) if order else []

        docnums = [self.docnums[i] for i in order] if self.docnums is not None else None
        return ExactText(
            [self.ids[i] for i in order], copied(self.titles), copied(self.texts), docnums
        )

    def in_whoosh_order(self, reader: Any) -> ExactText:
        """The articles Whoosh's ``reader`` holds, in its document order, with their numbers
        (articles missing from Whoosh, none when the two agree, are left out)."""
        by_id = {fields["id"]: docnum for docnum, fields in reader.iter_docs()}
        order = sorted(
            (i for i, a in enumerate(self.ids) if a in by_id), key=lambda i: by_id[self.ids[i]]
        )
        ordered = self.reordered(order)
        ordered.docnums = [by_id[a] for a in ordered.ids]
        return ordered

    def __len__(self) -> int:
        return len(self.ids)

    def average_length(self) -> float:
        """The mean length of the texts (characters), computed once."""
        average = self.__dict__.get("_average_length")
        if average is None:
            average = sum(map(len, self.texts)) / max(len(self.texts), 1)
            self.__dict__["_average_length"] = average
        return average


def segment_file(folder: Path, segment: Any) -> Path:
    """The exact-match file of a Whoosh ``segment`` in the index ``folder``."""
    return folder / segment.make_filename(SEGMENT_EXT)


class SegmentText:
    """The exact-match text of the segment a Whoosh writer is writing in ``folder`` (a
    :class:`searcher.postings.SegmentSidecar`): each document's id, title and text as it is
    added, and the live documents of each segment Whoosh merges into it, in its order."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.ids: list[str] = []
        self.titles: list[str] = []
        self.texts: list[str] = []
        #: False once a merged segment had no file (an index written before segment files):
        #: this one gets none either, and the index keeps its whole-text ``exact.bin``.
        self.complete = True

    def add(self, fields: Mapping[str, Any]) -> None:
        self.ids.append(str(fields.get("id", "")))
        self.titles.append(exact_form(str(fields.get("title") or "")))
        self.texts.append(exact_form(str(fields.get("text") or "")))

    def add_reader(self, reader: Any) -> None:
        segment = reader.segment()
        path = segment_file(self.folder, segment) if segment is not None else None
        if not self.complete or path is None or not is_segment_file(path):
            self.complete = False
            return
        part = SegmentMap(path)
        if len(part) != reader.doc_count_all():
            self.complete = False
            return
        ids = part.ids()
        for docnum in reader.all_doc_ids():
            self.ids.append(ids[docnum])
            self.titles.append(part.field(2 * docnum))
            self.texts.append(part.field(2 * docnum + 1))

    def write(self, storage: Any, segment: Any) -> None:
        if not self.complete or len(self.ids) != segment.doc_count_all():
            return  # the index keeps its whole-text file instead (see ``complete``)
        write_segment(segment_file(self.folder, segment), self.ids, self.titles, self.texts)


# --------------------------------------------------------------------------- segment files

SEGMENT_MAGIC = b"searcher-exact-segment 1\n"
# articles, bytes of ids, UTF-16 units of every field (separators included), characters,
# UTF-16 units of the texts alone (their average length, for BM25)
_SEGMENT_HEADER = struct.Struct("<QQQQQ")
_UNIT_SEPARATOR = SEPARATOR.encode("utf-16-le")


def _pad(at: int) -> int:
    return -at % 8


def write_segment(
    path: Path, ids: Sequence[str], titles: Sequence[str], texts: Sequence[str]
) -> None:
    """Write one segment's exact-match file (a new file, replaced whole)::

        magic line, header (articles, id bytes, field units, characters, text units)
        ids               ASCII, one a line
        field starts      uint64 × (2·articles + 1), in UTF-16 units: title k is field 2k,
                          text k field 2k + 1, each followed by a separator
        text              UTF-16-LE of every field
        characters        uint32 × characters, ascending code points
        counts            uint32 × characters: how many articles hold each
        list ends         uint64 × (characters + 1): where each one's list is in the lists
        lists             per character, zlib of the ascending article numbers holding it
                          (title or text), as uint32 differences

    Sections start at multiples of 8 bytes. Readers map the file (:class:`SegmentMap`) and
    read only what a lookup needs: the lists of the needle's characters, the fields of the
    articles they name.
    """
    count = len(ids)
    encoded = [f.encode("utf-16-le") for pair in zip(titles, texts, strict=True) for f in pair]
    starts = array("Q", [0])
    at = 0
    for data in encoded:
        at += len(data) // 2 + 1
        starts.append(at)
    holders = CharIndex(titles, texts).lists
    chars = sorted(holders)
    codes = array("I", map(ord, chars))
    counts = array("I", (len(holders[c]) for c in chars))
    ends = array("Q", [0])
    lists = []
    for char in chars:
        numbers = holders[char]
        gaps = array("I", [numbers[0]])
        gaps.extend(b - a for a, b in pairwise(numbers))
        packed = zlib.compress(gaps.tobytes(), 1)
        lists.append(packed)
        ends.append(ends[-1] + len(packed))
    id_bytes = "\n".join(ids).encode("ascii")
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "wb") as handle:
        handle.write(SEGMENT_MAGIC)
        text_units = sum(len(data) for data in encoded[1::2]) // 2
        handle.write(_SEGMENT_HEADER.pack(count, len(id_bytes), at, len(chars), text_units))
        written = len(SEGMENT_MAGIC) + _SEGMENT_HEADER.size
        for section in (id_bytes, starts.tobytes(), None, codes.tobytes(), counts.tobytes(),
                        ends.tobytes()):  # fmt: skip
            if section is None:  # the text, field after field
                for data in encoded:
                    handle.write(data)
                    handle.write(_UNIT_SEPARATOR)
                written += 2 * at
            else:
                handle.write(section)
                written += len(section)
            handle.write(bytes(_pad(written)))
            written += _pad(written)
        for packed in lists:
            handle.write(packed)
    os.replace(tmp, path)


def _starts_with(path: Path, magic: bytes) -> bool:
    try:
        with open(path, "rb") as handle:
            return handle.read(len(magic)) == magic
    except OSError:
        return False


def is_segment_file(path: Path) -> bool:
    """True when ``path`` is a segment's exact-match file of the current version."""
    return _starts_with(path, SEGMENT_MAGIC)


class SegmentMap:
    """One segment's exact-match file, mapped: fields and character lists read on demand,
    from pages the system shares between the processes that map the same file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        with open(path, "rb") as handle:
            try:
                self._map = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
            except ValueError:  # an empty file
                raise ValueError(f"{path}: not an exact-match segment file") from None
        data = self._map
        if data[: len(SEGMENT_MAGIC)] != SEGMENT_MAGIC:
            raise ValueError(f"{path}: not an exact-match segment file")
        at = len(SEGMENT_MAGIC)
        try:
            count, id_bytes, units, chars, text_units = _SEGMENT_HEADER.unpack_from(data, at)
        except struct.error:
            raise ValueError(f"{path}: truncated exact-match segment file") from None
        at += _SEGMENT_HEADER.size
        view = memoryview(data)

        def section(size: int) -> tuple[int, memoryview]:
            nonlocal at
            start = at
            at += size + _pad(at + size)
            if at > len(data) + 8:
                raise ValueError(f"{path}: truncated exact-match segment file")
            return start, view[start : start + size]

        self.count = count
        #: The length of all its texts together, in UTF-16 units.
        self.text_units = text_units
        self._ids_at, _ = section(id_bytes)
        self._id_bytes = id_bytes
        self.starts = section(8 * (2 * count + 1))[1].cast("Q")
        self._text_at, _ = section(2 * units)
        self.chars = section(4 * chars)[1].cast("I")
        self.counts = section(4 * chars)[1].cast("I")
        self.ends = section(8 * (chars + 1))[1].cast("Q")
        self._lists_at = at
        if self.starts[-1] != units or at + (self.ends[-1] if chars else 0) > len(data):
            raise ValueError(f"{path}: truncated exact-match segment file")

    def __len__(self) -> int:
        return self.count

    def ids(self) -> list[str]:
        raw = self._map[self._ids_at : self._ids_at + self._id_bytes]
        return raw.decode("ascii").split("\n") if self.count else []

    def span(self, number: int) -> tuple[int, int]:
        """Where field ``number`` (title k is 2k, text k 2k + 1) is in the file, in bytes."""
        at = self._text_at
        return at + 2 * self.starts[number], at + 2 * self.starts[number + 1] - 2

    def field(self, number: int) -> str:
        start, end = self.span(number)
        return self._map[start:end].decode("utf-16-le")

    def length(self, number: int) -> int:
        """Field ``number``'s length in UTF-16 units (its characters, but for the rare ones
        outside the basic plane, which count two)."""
        return self.starts[number + 1] - self.starts[number] - 1

    def _slot(self, char: str) -> int | None:
        """Where ``char`` is in :attr:`chars`; None when no article holds it."""
        code = ord(char)
        k = bisect_left(self.chars, code)
        return k if k < len(self.chars) and self.chars[k] == code else None

    def holding(self, char: str) -> list[int]:
        """The articles (ascending) whose title or text holds ``char``."""
        k = self._slot(char)
        if k is None:
            return []
        start = self._lists_at + self.ends[k]
        gaps = array("I")
        gaps.frombytes(zlib.decompress(self._map[start : self._lists_at + self.ends[k + 1]]))
        return list(accumulate(gaps))

    def how_many(self, char: str) -> int:
        """How many articles hold ``char`` (in their title or text)."""
        k = self._slot(char)
        return 0 if k is None else self.counts[k]

    def candidates(self, needle: str) -> list[int]:
        """The articles (ascending) holding the needle's two rarest characters: a superset
        of those that contain it, usually close to them."""
        rarest = sorted(set(needle), key=self.how_many)
        if not rarest or self.how_many(rarest[0]) == 0:
            return []
        found = self.holding(rarest[0])
        if len(rarest) > 1 and len(found) > 32:
            also = set(self.holding(rarest[1]))
            found = [n for n in found if n in also]
        return found


def _count(data: mmap.mmap, needle: bytes, start: int, end: int) -> int:
    """How many times ``needle`` (UTF-16-LE) is in the mapped bytes from ``start`` to
    ``end`` (both at characters), without overlaps, as ``str.count`` counts."""
    find = data.find
    count = 0
    at = find(needle, start, end)
    while at >= 0:
        if at & 1:  # inside a character
            at = find(needle, at + 1, end)
        else:
            count += 1
            at = find(needle, at + len(needle), end)
    return count


class _Fields(Sequence[str]):
    """Titles (``kind`` 0) or texts (1) of a :class:`MappedText`, by position, decoded when
    asked for."""

    def __init__(self, text: MappedText, kind: int) -> None:
        self._text = text
        self._kind = kind

    def __len__(self) -> int:
        return len(self._text)

    @overload
    def __getitem__(self, position: int) -> str: ...
    @overload
    def __getitem__(self, position: slice) -> list[str]: ...
    def __getitem__(self, position: int | slice) -> str | list[str]:
        if isinstance(position, slice):
            return [self[i] for i in range(*position.indices(len(self)))]
        segment, number = self._text.locate(position)
        return segment.field(2 * number + self._kind)


class MappedText:
    """The exact-match text of an index whose segments have their own files: the live
    articles of every segment, in Whoosh's document order, numbered as in the whole index;
    the same lookups as :class:`ExactText`, on the mapped files, always through their
    character lists (nothing is read whole, so a one-off search reads what it needs)."""

    def __init__(self, parts: Sequence[SegmentPart]) -> None:
        self.segments: list[SegmentMap] = []
        #: Per segment: the position of its first live article, and for a segment with
        #: deletions, each article's position among the live ones (-1 when deleted).
        self._bases: list[int] = []
        self._ranks: list[array[int] | None] = []
        self._live: list[array[int] | None] = []
        docnums = array("q")
        for part in parts:
            segment = SegmentMap(part.path)
            if len(segment) != part.count:
                raise ValueError(
                    f"{part.path}: {len(segment)} articles for a segment of {part.count}"
                )
            self._bases.append(len(docnums))
            self.segments.append(segment)
            if not part.deleted:
                self._ranks.append(None)
                self._live.append(None)
                docnums.extend(range(part.offset, part.offset + part.count))
                continue
            live = array("I", (n for n in range(part.count) if n not in part.deleted))
            ranks = array("i", [-1]) * part.count
            for rank, number in enumerate(live):
                ranks[number] = rank
            self._ranks.append(ranks)
            self._live.append(live)
            docnums.extend(part.offset + number for number in live)
        self.docnums = docnums
        self.titles = _Fields(self, 0)
        self.texts = _Fields(self, 1)
        #: Always searched through the segments' character lists.
        self.chars = True

    def __len__(self) -> int:
        return len(self.docnums)

    def build_char_index(self) -> None:
        """Nothing to build: each segment's file has its character lists."""

    def locate(self, position: int) -> tuple[SegmentMap, int]:
        """The segment and the article number in it of the article at ``position``."""
        if not 0 <= position < len(self.docnums):
            raise IndexError(position)
        k = bisect_right(self._bases, position) - 1
        live = self._live[k]
        offset = position - self._bases[k]
        return self.segments[k], offset if live is None else live[offset]

    @property
    def ids(self) -> list[str]:
        """Every article's id, by position (read from the files when asked for)."""
        out: list[str] = []
        for segment, live in zip(self.segments, self._live, strict=True):
            ids = segment.ids()
            out += ids if live is None else [ids[n] for n in live]
        return out

    def find(
        self, needle: str, field: str | None = None, within: Sequence[int] | None = None
    ) -> tuple[list[int], set[int]]:
        """As :meth:`ExactText.find`: positions (ascending) of the articles whose title or
        text (or only ``field``) contains ``needle``, among ``within`` when given; and those
        whose title does."""
        found, titled, _ = self._find(needle, field, within, counted=False)
        return found, titled

    def find_counted(
        self, needle: str, field: str | None = None, within: Sequence[int] | None = None
    ) -> tuple[list[int], set[int], list[tuple[int, int, int]]]:
        """As :meth:`ExactText.find_counted`, counting in the mapped fields."""
        return self._find(needle, field, within, counted=True)

    def _find(
        self, needle: str, field: str | None, within: Sequence[int] | None, counted: bool
    ) -> tuple[list[int], set[int], list[tuple[int, int, int]]]:
        found: list[int] = []
        titled: set[int] = set()
        counts: list[tuple[int, int, int]] = []
        if not needle:
            return found, titled, counts
        wanted = needle.encode("utf-16-le")
        in_title_only, in_text_only = field == "title", field == "text"
        ends = [*self._bases[1:], len(self.docnums)]
        for k, (segment, base, ranks) in enumerate(
            zip(self.segments, self._bases, self._ranks, strict=True)
        ):
            data, starts, at = segment._map, segment.starts, segment._text_at
            find = data.find
            allowed: set[int] | None = None
            if within is None:
                numbers: Sequence[int] = segment.candidates(needle)
            else:
                # ``within`` ascending: this segment's share of it.
                mine = within[bisect_left(within, base) : bisect_left(within, ends[k])]
                if not mine:
                    continue
                if len(mine) <= min(segment.how_many(c) for c in set(needle)):
                    # Fewer than the rarest character's articles: test these directly.
                    live = self._live[k]
                    numbers = [p - base for p in mine]
                    if live is not None:
                        numbers = [live[n] for n in numbers]
                else:
                    numbers = segment.candidates(needle)
                    allowed = set(mine)
            for number in numbers:
                if ranks is None:
                    position = base + number
                else:
                    position = ranks[number]
                    if position < 0:
                        continue  # deleted since
                    position += base
                if allowed is not None and position not in allowed:
                    continue
                # Title, separator, text: one search finds the first occurrence in either (a
                # needle never holds the separator), and the title holds it if that is there.
                title_start = at + 2 * starts[2 * number]
                text_start = at + 2 * starts[2 * number + 1]
                title_end = text_start - 2
                text_end = at + 2 * starts[2 * number + 2] - 2
                low = text_start if in_text_only else title_start
                high = title_end if in_title_only else text_end
                first = find(wanted, low, high)
                while first >= 0 and first & 1:  # inside a character, not at one
                    first = find(wanted, first + 1, high)
                if first < 0:
                    continue
                found.append(position)
                if first < title_end:
                    titled.add(position)
                if counted:
                    length = (text_end - text_start) // 2
                    if first < title_end:
                        in_title = _count(data, wanted, first, title_end)
                        in_text = 0 if in_title_only else _count(data, wanted, text_start, text_end)
                    else:
                        in_title, in_text = 0, _count(data, wanted, first, text_end)
                    counts.append((in_title, in_text, length))
        return found, titled, counts

    def average_length(self) -> float:
        """The mean length of the texts (UTF-16 units), computed once."""
        average = self.__dict__.get("_average_length")
        if average is None:
            total = 0
            for segment, ranks in zip(self.segments, self._ranks, strict=True):
                total += segment.text_units
                if ranks is not None:  # less the deleted ones
                    gone = (n for n, rank in enumerate(ranks) if rank < 0)
                    total -= sum(segment.length(2 * n + 1) for n in gone)
            average = total / max(len(self), 1)
            self.__dict__["_average_length"] = average
        return average


@dataclass(frozen=True)
class SegmentPart:
    """One segment's exact-match file: its first document number in the whole index, how
    many documents it has, and which of them were deleted since (Whoosh's TOC holds them)."""

    path: Path
    offset: int
    count: int
    deleted: frozenset[int] = frozenset()


def segment_parts(folder: Path, reader: Any) -> list[SegmentPart] | None:
    """Where the exact-match text of each segment Whoosh's ``reader`` reads is; None when a
    segment has no file (an index written before segment files: see :data:`FILE`)."""
    parts = []
    for leaf, offset in reader.leaf_readers():
        count = leaf.doc_count_all()
        if count == 0:
            continue  # an empty index
        segment = leaf.segment()
        path = segment_file(folder, segment) if segment is not None else None
        if path is None or not is_segment_file(path):
            return None
        parts.append(SegmentPart(path, offset, count, frozenset(segment.deleted_docs())))
    return parts


def has_segment_files(folder: Path, reader: Any) -> bool:
    """True when every segment of ``reader`` has its exact-match file."""
    return segment_parts(folder, reader) is not None


class DocSetQuery(wq.Query):
    """A Whoosh query matching a fixed set of documents, each with its own score.

    ``docnums`` are sorted document numbers of the top-level searcher the query runs on (a
    segment's searcher sees its own slice, shifted to its numbering); ``scores`` go with them.
    """

    def __init__(self, docnums: Sequence[int], scores: Sequence[float], label: str = "") -> None:
        self.docnums = docnums
        self.scores = scores
        self.label = label
        self.boost = 1.0

    def __repr__(self) -> str:
        return f"DocSetQuery({self.label!r}, {len(self.docnums)} docs)"

    def __eq__(self, other: object) -> bool:
        return (
            type(other) is DocSetQuery
            and other.label == self.label
            and list(other.docnums) == list(self.docnums)
            and list(other.scores) == list(self.scores)
            and other.boost == self.boost
        )

    def __hash__(self) -> int:
        return hash((self.label, len(self.docnums)))

    def __len__(self) -> int:
        return len(self.docnums)

    def estimate_size(self, ixreader: Any) -> int:
        return len(self.docnums)

    def matcher(self, searcher: Any, context: Any = None) -> Any:
        offset = 0
        if searcher.has_parent():
            offset = searcher.get_parent()._offset_for_subsearcher(searcher) or 0
        end = offset + searcher.reader().doc_count_all()
        low, high = bisect_left(self.docnums, offset), bisect_left(self.docnums, end)
        if low == high:
            return matching.NullMatcher()
        ids = array("I", (d - offset for d in self.docnums[low:high]))
        scores = list(self.scores[low:high])
        if self.boost != 1.0:  # a synonym's weight
            scores = [score * self.boost for score in scores]
        return SortedListMatcher(ids, weights=scores)


class SortedListMatcher(matching.ListMatcher):
    """Whoosh's ListMatcher (ascending ids) with a binary search in ``skip_to``, where
    Whoosh steps one id at a time: an intersection with a rare word skips most of it."""

    def skip_to(self, id: int) -> None:
        if not self.is_active():
            raise matching.ReadTooFar
        if id > self._ids[self._i]:
            self._i = bisect_left(self._ids, id, self._i)


class ExactMatcher:
    """Exact matches of one generation as Whoosh queries for one searcher's numbering."""

    def __init__(self, text: ExactText | MappedText, searcher: Any = None) -> None:
        # In Whoosh's order, so that positions found are document numbers in order.
        if isinstance(text, ExactText) and text.docnums is None:
            text = text.in_whoosh_order(searcher.reader())
        self.text = text
        self.docnums: Sequence[int] = text.docnums if text.docnums is not None else []

    def warm(self) -> None:
        """Build the character index now (a server, before its first request)."""
        self.text.build_char_index()

    def query(
        self,
        needle: str,
        field: str | None = None,
        score: float = 1.0,
        within: Sequence[int] | None = None,
        ranking: Ranking | None = None,
    ) -> DocSetQuery:
        """The documents holding ``needle`` (exact form), among the document numbers
        ``within`` (ascending) when given, as a query: with ``ranking``, each scores ``score``
        times the BM25 of the string in it (:func:`searcher.rank.exact_bm25`); without, each
        scores ``score``, times :data:`TITLE_WEIGHT` when its title holds it."""
        docnums = self.docnums
        positions = None
        if within is not None:
            import numpy as np

            numbers = np.asarray(docnums, dtype=np.int64)
            asked = np.asarray(within, dtype=np.int64)
            at = np.searchsorted(numbers, asked)
            inside = at < len(numbers)
            at, asked = at[inside], asked[inside]
            positions = at[numbers[at] == asked].tolist()
        label = f"{field or '*'}:{needle}"
        if ranking is not None:
            text = self.text
            found, _, counts = text.find_counted(needle, field, positions)
            bm25 = exact_bm25(counts, len(docnums), text.average_length(), ranking, field)
            return DocSetQuery([docnums[i] for i in found], [score * s for s in bm25], label)
        found, titled = self.text.find(needle, field, positions)
        boosted = score * TITLE_WEIGHT
        return DocSetQuery(
            [docnums[i] for i in found], [boosted if i in titled else score for i in found], label
        )


def has_document_numbers(path: Path) -> bool:
    """True when ``path`` is an exact-match file in Whoosh's order (the current version)."""
    return _starts_with(path, MAGIC)


class LazyExactMatcher:
    """The :class:`ExactMatcher` of text in Whoosh's order, read at the first lookup by
    ``load`` (:class:`MappedText` of the segments' files, or :meth:`ExactText.read` of an
    older index's whole-text file).

    A query of dictionary words never needs the exact text, so ``searcher search`` shows
    its results without reading and decompressing it (0.15 s on the whole xwlb corpus).
    """

    def __init__(self, load: Callable[[], ExactText | MappedText]) -> None:
        self.load = load
        self._matcher: ExactMatcher | None = None
        self._lock = threading.Lock()

    def _loaded(self) -> ExactMatcher:
        with self._lock:
            if self._matcher is None:
                try:
                    self._matcher = ExactMatcher(self.load())
                except (OSError, ValueError) as error:
                    raise SearcherError(
                        f"the exact-match text cannot be read ({error}); quoted strings need "
                        "it, words do not: 'searcher index --rebuild' writes it anew"
                    ) from None
            return self._matcher

    def query(self, *args: Any, **kwargs: Any) -> DocSetQuery:
        return self._loaded().query(*args, **kwargs)

    def loaded(self) -> ExactMatcher | None:
        """The matcher if the file has been read, else None (reading it is not free)."""
        return self._matcher

    def warm(self) -> None:
        """Read the file and build its character index now."""
        self._loaded().warm()
