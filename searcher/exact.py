"""Exact matching: every article's title and text, normalised, in one string that is scanned.

A quoted query finds exactly the articles whose title or text (each on its own) contains the
string, both sides in :func:`searcher.analysis.exact_form` (NFKC, case, traditional ->
simplified, whitespace removed, punctuation kept): what ``grep -F`` finds in the export.
Word indexes cannot promise that (``"蝶"`` inside ``蝴蝶``, any string the segmenter cuts
differently), and a character n-gram field costs indexing 4x its speed and 23x the text on
disk, so each index generation keeps this file beside the Whoosh segments::

    exact.bin   magic line, a header (counts), the article ids, field starts, then
                zlib(UTF-16) of  title0 US text0 US title1 US text1 US …

``str.find`` over the loaded string is a memchr-speed scan (tens of ms for the 10 million
characters of the whole xwlb corpus); the matching articles become a :class:`DocSetQuery`
that Whoosh ranks, filters and paginates like any other query, so totals stay exact.
"""

from __future__ import annotations

import os
import struct
import zlib
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from whoosh import matching
from whoosh import query as wq

from .analysis import exact_form

FILE = "exact.bin"
MAGIC = b"searcher-exact 1\n"
# A whitespace character to ``str.split``, so exact_form removes it from text and queries:
# no match can run across it, from one field into the next.
SEPARATOR = "\x1f"
_HEADER = struct.Struct("<QQQ")  # articles, bytes of ids, bytes of the compressed text
_LEVEL = 6
_FIELDS = {None: (0, 1), "title": (0,), "text": (1,)}


@dataclass
class ExactText:
    """The exact-match text of one index generation.

    ``text`` holds, for article ``k`` (in ``ids`` order), its title at field ``2k`` and its
    text at field ``2k + 1``, each followed by :data:`SEPARATOR`; ``starts[f]`` is where field
    ``f`` begins (with one more entry for the end).
    """

    ids: list[str]
    text: str
    starts: array

    @classmethod
    def from_articles(cls, articles: Iterable[tuple[str, str, str]]) -> ExactText:
        """From ``(id, title, text)`` of every searchable article, raw (normalised here)."""
        ids: list[str] = []
        parts: list[str] = []
        starts = array("q", [0])
        for article_id, title, text in articles:
            ids.append(article_id)
            for field in (title, text):
                part = exact_form(field) + SEPARATOR
                parts.append(part)
                starts.append(starts[-1] + len(part))
        return cls(ids, "".join(parts), starts)

    def write(self, path: Path) -> None:
        """Write to ``path`` (a new file: generations are never changed in place)."""
        ids = "\n".join(self.ids).encode("ascii")
        packed = zlib.compress(self.text.encode("utf-16-le"), _LEVEL)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        with open(tmp, "wb") as handle:
            handle.write(MAGIC)
            handle.write(_HEADER.pack(len(self.ids), len(ids), len(packed)))
            handle.write(ids)
            handle.write(self.starts.tobytes())
            handle.write(packed)
        os.replace(tmp, path)

    @classmethod
    def read(cls, path: Path) -> ExactText:
        """Load a file written by :meth:`write`; ValueError when it is not one."""
        data = path.read_bytes()
        if not data.startswith(MAGIC):
            raise ValueError(f"{path}: not an exact-match text file")
        at = len(MAGIC)
        count, id_bytes, packed_bytes = _HEADER.unpack_from(data, at)
        at += _HEADER.size
        ids = data[at : at + id_bytes].decode("ascii").split("\n") if count else []
        at += id_bytes
        starts = array("q")
        starts.frombytes(data[at : at + (2 * count + 1) * starts.itemsize])
        at += len(starts) * starts.itemsize
        text = zlib.decompress(data[at : at + packed_bytes]).decode("utf-16-le")
        if len(ids) != count or len(starts) != 2 * count + 1 or starts[-1] != len(text):
            raise ValueError(f"{path}: truncated exact-match text file")
        return cls(ids, text, starts)

    def find(self, needle: str, field: str | None = None) -> list[int]:
        """Positions in ``ids`` of the articles whose title or text (or only ``field``)
        contains ``needle``, which must already be in exact form; ascending."""
        if not needle:
            return []
        wanted = _FIELDS[field]
        text, starts = self.text, self.starts
        found: list[int] = []
        at = text.find(needle)
        while at != -1:
            index = bisect_right(starts, at) - 1
            article, kind = divmod(index, 2)
            if kind in wanted:
                found.append(article)
                at = text.find(needle, starts[2 * article + 2])
            else:
                at = text.find(needle, starts[index + 1])
        return found

    def __len__(self) -> int:
        return len(self.ids)


class DocSetQuery(wq.Query):
    """A Whoosh query matching a fixed set of documents, each scored ``score``.

    ``docnums`` are sorted document numbers of the top-level searcher the query runs on; a
    segment's searcher sees its own slice, shifted to its numbering.
    """

    def __init__(self, docnums: Sequence[int], score: float = 1.0, label: str = "") -> None:
        self.docnums = docnums
        self.score = score
        self.label = label
        self.boost = 1.0

    def __repr__(self) -> str:
        return f"DocSetQuery({self.label!r}, {len(self.docnums)} docs, score={self.score})"

    def __eq__(self, other: object) -> bool:
        return (
            type(other) is DocSetQuery
            and other.label == self.label
            and other.score == self.score
            and list(other.docnums) == list(self.docnums)
        )

    def __hash__(self) -> int:
        return hash((self.label, self.score, len(self.docnums)))

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
        # ListMatcher treats a weight of 0 as "no weight" (1.0): keep it positive.
        return matching.ListMatcher(ids, all_weights=self.score or 1e-9)


class ExactMatcher:
    """Exact matches of one generation as Whoosh queries for one searcher's numbering."""

    def __init__(self, text: ExactText, searcher: Any) -> None:
        self.text = text
        by_id = {fields["id"]: docnum for docnum, fields in searcher.reader().iter_docs()}
        # Articles of the store missing from Whoosh (none, when the two agree) never match.
        self.docnums = [by_id.get(article_id, -1) for article_id in text.ids]

    def docnums_of(self, needle: str, field: str | None = None) -> list[int]:
        """Sorted Whoosh document numbers of the articles holding ``needle`` (exact form)."""
        docnums = self.docnums
        return sorted(d for d in (docnums[i] for i in self.text.find(needle, field)) if d >= 0)

    def query(self, needle: str, field: str | None = None, score: float = 1.0) -> DocSetQuery:
        """The documents holding ``needle`` as a query scoring each of them ``score``."""
        label = f"{field or '*'}:{needle}"
        return DocSetQuery(self.docnums_of(needle, field), score, label)
