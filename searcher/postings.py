"""Writing Whoosh segments fast: postings grouped by term as they arrive, written in bulk.

Whoosh's own writer puts every posting in a sorting pool as a 5-tuple (field, term, doc,
weight, value), sorts them all at commit, and feeds them one call at a time to its posting
writer: about 5 µs a posting, most of a segment's writing time (half a million postings for
2,000 news stories). Documents arrive in number order, so :class:`TermPool` keeps a
document's word counts as term numbers and counts in flat arrays and groups them by term
with one stable sort when the segment is written (Whoosh's own postings, from merged
segments, it groups by term as they come); :func:`write_postings` writes each term's blocks
and term-table row in one go, in Whoosh's W3 format byte for byte (tests compare the files
with Whoosh's own).

:class:`FastSegmentWriter` is Whoosh's ``SegmentWriter`` with this pool and flush; the
indexer uses it in this process and in the parallel sub-writers.
"""

from __future__ import annotations

import functools
import gc
import struct
import zlib
from array import array
from collections.abc import Iterable, Iterator, Mapping, Sequence
from itertools import chain
from operator import itemgetter, sub
from pickle import dumps
from typing import Any, Protocol

from whoosh.codec.whoosh3 import (
    COMPRESSION_MIN_SIZE,
    WHOOSH3_HEADER_MAGIC,
    W3FieldWriter,
    W3TermInfo,
)
from whoosh.system import pack_int, pack_long, pack_uint, pack_ushort
from whoosh.util.numeric import length_to_byte
from whoosh.writing import SegmentWriter

#: A posting as Whoosh passes it around: (field, term bytes, document, weight, value bytes).
Posting = tuple[str, bytes, int, float, bytes | None]
#: A term's postings: document numbers, weights, values.
_Entry = tuple[Sequence[int], Sequence[float], list[bytes]]
#: Counts as Whoosh's ``Frequency`` format stores them; the small ones shared.
_COUNT_BYTES = tuple(pack_uint(count) for count in range(256))


def count_bytes(count: int) -> bytes:
    """A count as Whoosh's ``Frequency`` format stores it."""
    return _COUNT_BYTES[count] if count < 256 else pack_uint(count)


class _Counted:
    """One field's word counts, document by document: each word numbered as it first comes,
    the numbers and counts in flat arrays, grouped by word only when written."""

    def __init__(self, boost: float) -> None:
        self.boost = boost
        self.numbers: dict[str, int] = {}
        self.docs = array("I")
        self.sizes = array("I")
        self.terms = array("I")
        self.counts = array("I")

    def add(self, docnum: int, counts: Mapping[str, int]) -> int:
        numbers = self.numbers
        # setdefault's default is worked out first: a new word gets the next number.
        self.terms.extend([numbers.setdefault(word, len(numbers)) for word in counts])
        values = counts.values()
        self.counts.extend(values)
        self.docs.append(docnum)
        self.sizes.append(len(counts))
        return sum(values)

    def entries(self) -> Iterator[tuple[bytes, _Entry]]:
        """Each word (UTF-8) with its postings in document order, words in order: a stable
        sort by number, then each word's slice, made into lists only as it is written
        (lists of every posting at once held 80 bytes a posting)."""
        import numpy as np

        terms = np.frombuffer(self.terms, dtype=np.uint32)
        order = np.argsort(terms, kind="stable")
        docs = np.repeat(np.frombuffer(self.docs, dtype=np.uint32), self.sizes)[order]
        counts = np.frombuffer(self.counts, dtype=np.uint32)[order]
        bounds = np.searchsorted(terms[order], np.arange(len(self.numbers) + 1)).tolist()
        del terms, order
        boost = self.boost
        numbers = self.numbers
        for word in sorted(numbers):  # code point order is UTF-8 byte order
            number = numbers[word]
            start, end = bounds[number], bounds[number + 1]
            found = counts[start:end].tolist()
            yield (
                word.encode("utf-8"),
                (
                    docs[start:end].tolist(),
                    # count * boost, as Python multiplies an int by a float
                    [count * boost for count in found],
                    list(map(count_bytes, found)),
                ),
            )


class TermPool:
    """The postings of one segment, grouped by field and term, in document order.

    A term's postings are three sequences: document numbers, weights (as Whoosh sees them
    before its writer rounds them to floats) and value bytes. Word counts
    (:meth:`add_counts`) are kept per document as term numbers and counts (8 bytes a
    posting, two C-level appends per document) and grouped by term when the segment is
    written; Whoosh's own postings (merged segments) by term as they come. Whoosh's pool
    held a tuple of five objects per posting (110 to 170 bytes) and sorted them all.
    """

    def __init__(self) -> None:
        self.terms: dict[str, dict[bytes, _Entry]] = {}
        self.words: dict[str, _Counted] = {}
        #: The fields that got postings (Whoosh's multi-process writer reads this).
        self.fieldnames: set[str] = set()

    def add(self, item: Posting) -> None:
        """One posting (Whoosh's ``PostingPool.add``); documents must come in order."""
        fieldname, tbytes, docnum, weight, vbytes = item
        if docnum < 0:
            return  # a spelling word: this schema has no spelling fields
        self.add_terms(fieldname, docnum, ((tbytes, weight, vbytes),))

    def add_terms(
        self, fieldname: str, docnum: int, items: Iterable[tuple[bytes, float, bytes | None]]
    ) -> None:
        """Every (term, weight, value) of one document's field."""
        terms = self.terms.get(fieldname)
        if terms is None:
            terms = self._terms_of(fieldname)
        for tbytes, weight, vbytes in items:
            entry = terms.get(tbytes)
            if entry is None:
                entry = terms[tbytes] = (array("I"), array("d"), [])
            entry[0].append(docnum)
            entry[1].append(weight)
            entry[2].append(vbytes or b"")

    def add_counts(
        self, fieldname: str, docnum: int, counts: Mapping[str, int], boost: float
    ) -> int:
        """One document's word counts in a field of Whoosh's ``Frequency`` format (weight
        ``count * boost``, value the count as a uint), as that field would index them;
        returns the field's length (the sum of the counts)."""
        words = self.words.get(fieldname)
        if words is None and fieldname not in self.terms:
            words = self.words[fieldname] = _Counted(boost)
            self.fieldnames.add(fieldname)
        if words is not None and words.boost == boost:
            return words.add(docnum, counts)
        self.add_terms(  # Whoosh's own postings came first, or another boost
            fieldname, docnum,
            [(w.encode("utf-8"), c * boost, count_bytes(c)) for w, c in counts.items()],
        )  # fmt: skip
        return sum(counts.values())

    def _terms_of(self, fieldname: str) -> dict[bytes, _Entry]:
        """The field's terms by bytes (its counted words, if any, grouped now)."""
        terms = self.terms.setdefault(fieldname, {})
        self.fieldnames.add(fieldname)
        counted = self.words.pop(fieldname, None)
        if counted is not None:
            terms.update(counted.entries())
        return terms

    def encode(self) -> None:
        """Every field's terms by bytes, as the segment is written."""
        for fieldname in list(self.words):
            self._terms_of(fieldname)

    def iter_postings(self) -> Iterator[Posting]:
        """Every posting in Whoosh's order (field, term, document)."""
        self.encode()
        for fieldname in sorted(self.terms):
            terms = self.terms[fieldname]
            for tbytes in sorted(terms):
                ids, weights, values = terms[tbytes]
                for docnum, weight, vbytes in zip(ids, weights, values, strict=True):
                    yield fieldname, tbytes, docnum, weight, vbytes

    def cleanup(self) -> None:
        self.terms.clear()
        self.words.clear()


def write_postings(fieldwriter: Any, schema: Any, pool: TermPool, lengths: Any) -> None:
    """Write the pool's terms and postings through ``fieldwriter`` (Whoosh's ``add_postings``).

    ``lengths`` is the segment's per-document reader (field lengths), or None. A W3 field
    writer gets each term's blocks written here in one go; any other codec's writer is fed
    posting by posting.
    """
    if type(fieldwriter) is not W3FieldWriter:
        fieldwriter.add_postings(schema, lengths, pool.iter_postings())
        return
    for fieldname in sorted({*pool.terms, *pool.words}):
        counted = pool.words.get(fieldname) if fieldname not in pool.terms else None
        if counted is not None:
            if not counted.numbers:
                continue  # only empty values: Whoosh writes no such field either
            entries: Iterable[tuple[bytes, _Entry]] = counted.entries()  # in term order
        else:
            terms = pool._terms_of(fieldname)
            if not terms:
                continue
            entries = ((tbytes, terms[tbytes]) for tbytes in sorted(terms))
        fieldobj = schema[fieldname]
        fieldwriter.start_field(fieldname, fieldobj)
        if lengths is not None:
            length_of = lengths.doc_field_length_reader(fieldname)
        else:
            length_of = _no_length
        _write_field(fieldwriter, fieldobj, entries, length_of)
        fieldwriter.finish_field()


def _no_length(docnum: int) -> int:
    return 0


def _write_field(
    fieldwriter: W3FieldWriter,
    fieldobj: Any,
    entries: Iterable[tuple[bytes, _Entry]],
    length_of: Any,
) -> None:
    """What W3PostingsWriter and W3FieldWriter write for each term, a term at a time
    (``entries`` in term order).

    Per term: the posting blocks (``W3Bl``, then per block its length, negative for the
    last, a pickled info tuple and the pickled, maybe compressed, data), and a row of the
    term table (``OrderedHashWriter.add``, written here without its per-row calls). Half
    the terms of a news corpus have one posting: they take a shorter path.
    """
    postwriter = fieldwriter._postwriter
    blocklimit = postwriter._blocklimit
    compression = postwriter._compression
    if postwriter._byteids or postwriter._inlinelimit > 1:
        raise ValueError("write_postings: only Whoosh's default W3 posting settings")
    fixedsize = fieldobj.format.fixed_value_size()
    joined = fixedsize is not None and fixedsize > 0
    keyprefix = pack_ushort(fieldwriter._fieldid)
    postfile = fieldwriter._postfile
    write = postfile.write
    offset = postfile.tell()
    table = fieldwriter._tindex
    table_write = table.dbfile.write
    table_pos = table.dbfile.tell()
    positions = table.index
    buckets = table.buckets
    hashfn = table.hashfn
    pack_lengths = _KEY_VALUE_LENGTHS.pack
    pack_terminfo = W3TermInfo._struct.pack
    to_byte = length_to_byte
    minsize = COMPRESSION_MIN_SIZE
    single = _single_float
    lengths = getattr(length_of, "lengths", None)  # every document's length, as a list

    lastkey = table.lastkey
    for tbytes, (ids, weights, values) in entries:
        count = len(ids)
        start = offset
        if count == 1:
            docnum = ids[0]
            weight = weights[0]
            value = values[0]
            rounded = single(weight)
            length = length_of(docnum) or None
            lbyte = to_byte(length)
            if fixedsize == 0:
                mini_values: Any = None
            elif joined:
                mini_values = value
            else:
                mini_values = (value,) if value else ()
            data = dumps(((docnum,), None if rounded == 1.0 else rounded, mini_values), 2)
            comp = compression if len(data) >= minsize else 0
            if comp:
                data = zlib.compress(data, comp)
            maxweight = weight if weight > 0 else 0
            info = dumps((1, docnum, maxweight, comp, lbyte, lbyte), 2)
            blocklength = len(info) + len(data)
            write(b"".join((_MAGIC, pack_int(-blocklength), info, data)))
            offset += _MAGIC_SIZE + 4 + blocklength
            terminfo = pack_terminfo(
                False, rounded, 1, lbyte, lbyte, maxweight, docnum, docnum
            ) + pack_long(start) + pack_int(offset - start)  # fmt: skip
        else:
            terminfo = _write_blocks(
                write, ids, weights, values, length_of, lengths, blocklimit, compression,
                fixedsize, start,
            )  # fmt: skip
            offset = start + int.from_bytes(terminfo[-4:], "big", signed=True)
        key = keyprefix + tbytes
        if key <= lastkey:
            raise ValueError(f"Keys must increase: {lastkey!r}..{key!r}")
        positions.append(table_pos)
        table_write(pack_lengths(len(key), len(terminfo)) + key + terminfo)
        h = hashfn(key)
        buckets[h & 255].append((h, table_pos))
        table_pos += 8 + len(key) + len(terminfo)
        lastkey = key
    table.lastkey = lastkey


def _write_blocks(
    write: Any,
    ids: array[int],
    weights: array[float],
    values: list[bytes],
    length_of: Any,
    lengths: list[int | None] | None,
    blocklimit: int,
    compression: int,
    fixedsize: int | None,
    start: int,
) -> bytes:
    """The blocks of a term with several postings; its term-table row (W3TermInfo).

    ``lengths`` is every document's field length as a list, when the reader has one
    (looked up in bulk), else ``length_of`` answers per document.
    """
    count = len(ids)
    if count <= blocklimit:
        blocks = [(ids, weights, values)]
    else:
        blocks = [
            (ids[b : b + blocklimit], weights[b : b + blocklimit], values[b : b + blocklimit])
            for b in range(0, count, blocklimit)
        ]
    pieces = [_MAGIC]
    total = 0.0
    minlength: int | None = None
    maxlength = 0
    maxweight: float = 0
    for number, (bids, bweights, bvalues) in enumerate(blocks, start=1):
        floats = array("f", bweights)
        total += sum(floats)
        bmaxweight = max(bweights)
        if not bmaxweight > 0:
            bmaxweight = 0  # Whoosh's starting value, an int
        if lengths is not None and len(bids) > 1:  # (itemgetter of one is not a tuple)
            blengths = list(filter(None, itemgetter(*bids)(lengths)))
        else:
            blengths = [n for n in map(length_of, bids) if n]
        bmin = min(blengths) if blengths else None
        bmax = max(blengths) if blengths else 0
        if minlength is None:
            minlength = bmin
        elif bmin is not None:
            minlength = min(minlength, bmin)
        maxlength = max(maxlength, bmax)
        maxweight = max(maxweight, bmaxweight)

        deltas = tuple(map(sub, bids, chain((0,), bids)))
        if len(set(floats)) == 1:
            mini_weights: Any = None if floats[0] == 1.0 else floats[0]
        else:
            mini_weights = tuple(floats)
        if fixedsize is None or fixedsize < 0:
            mini_values: Any = tuple(v for v in bvalues if v)  # Whoosh skips empties
        elif fixedsize == 0:
            mini_values = None
        else:
            mini_values = b"".join(bvalues)
        data = dumps((deltas, mini_weights, mini_values), 2)
        comp = compression if len(data) >= COMPRESSION_MIN_SIZE else 0
        if comp:
            data = zlib.compress(data, comp)
        info = dumps(
            (len(bids), bids[-1], bmaxweight, comp, length_to_byte(bmin),
             length_to_byte(bmax)),
            2,
        )  # fmt: skip
        blocklength = len(info) + len(data)
        last = number == len(blocks)
        pieces += (pack_int(-blocklength if last else blocklength), info, data)
    written = b"".join(pieces)
    write(written)
    return W3TermInfo._struct.pack(
        False, total, count, 0 if minlength is None else length_to_byte(minlength),
        length_to_byte(maxlength), maxweight, ids[0], ids[-1],
    ) + pack_long(start) + pack_int(len(written))  # fmt: skip


_MAGIC = WHOOSH3_HEADER_MAGIC
_MAGIC_SIZE = len(WHOOSH3_HEADER_MAGIC)
#: A term-table row starts with the key's and the value's lengths (HashWriter's ``_lengths``).
_KEY_VALUE_LENGTHS = struct.Struct("!ii")
_FLOAT = struct.Struct("f")


@functools.lru_cache(maxsize=4096)
def _single_float(value: float) -> float:
    """``value`` as Whoosh's writer keeps a weight: rounded to a 32-bit float."""
    return _FLOAT.unpack(_FLOAT.pack(value))[0]


class FastSegmentWriter(SegmentWriter):
    """Whoosh's segment writer with a :class:`TermPool` and a bulk posting flush.

    ``add_document`` hands the pool each field's postings in one call (Whoosh makes a call
    and a tuple per posting); stored fields, columns, field lengths, deletions, merges and
    the TOC are Whoosh's own. Postings are held in memory until the flush (8 bytes a
    counted posting; a writer of 10,000 news stories peaks at 200 MB in all), so
    ``limitmb`` has no effect.
    """

    #: Kept beside each segment this writer finishes, when set (:class:`SegmentSidecar`).
    sidecar: SegmentSidecar | None = None

    def __init__(self, ix: Any, **kwargs: Any) -> None:
        super().__init__(ix, **kwargs)
        self.pool = TermPool()

    def add_document(self, **fields: Any) -> None:
        schema = self.schema
        names = sorted(name for name in fields if not name.startswith("_"))
        self._check_fields(schema, names)
        if any(schema[name].vector or schema[name].separate_spelling() for name in names):
            super().add_document(**fields)  # term vectors and spelling: Whoosh's own way
            if self.sidecar is not None:
                self.sidecar.add(fields)
            return
        self._check_state()
        perdocwriter = self.perdocwriter
        docnum = self.docnum
        docboost = self._doc_boost(fields)
        perdocwriter.start_doc(docnum)
        try:
            for name in names:
                value = fields[name]
                if value is None:
                    continue
                field = schema[name]
                length = 0
                counts = None
                if field.indexed:
                    boost = self._field_boost(fields, name, docboost)
                    if boost == 1.0 and hasattr(field, "term_counts"):
                        counts = field.term_counts(value)
                if counts is not None:
                    length = self.pool.add_counts(name, docnum, counts, field.format.field_boost)
                elif field.indexed:
                    postings = list(field.index(value))
                    if field.scorable:
                        length = sum(freq for _, freq, _, _ in postings)
                    self.pool.add_terms(
                        name, docnum, [(term, w * boost, v) for term, _, w, v in postings]
                    )
                stored = fields.get(f"_stored_{name}", value)
                perdocwriter.add_field(name, field, stored if field.stored else None, length)
                column = field.column_type
                if column and stored is not None:
                    perdocwriter.add_column_value(name, column, field.to_column_value(stored))
        except ValueError:
            perdocwriter.cancel_doc()
            raise
        perdocwriter.finish_doc()
        self._added = True
        self.docnum += 1
        if self.sidecar is not None:
            self.sidecar.add(fields)

    def _flush_segment(self) -> None:
        flush_segment(self)

    def add_reader(self, reader: Any) -> None:
        """Whoosh's merge of a segment into this one; the sidecar takes the segment's live
        documents in the same order."""
        if self.sidecar is not None:
            self.sidecar.add_reader(reader)
        super().add_reader(reader)

    def _finalize_segment(self) -> Any:
        segment = super()._finalize_segment()  # flushed and assembled: the files are final
        if self.sidecar is not None:
            self.sidecar.write(self.storage, segment)
        return segment


class SegmentSidecar(Protocol):
    """Data of our own kept per Whoosh segment, in a file of the segment's name
    (``segment.make_filename(ext)``), so that Whoosh removes it with the segment."""

    def add(self, fields: Mapping[str, Any]) -> None:
        """The next document's fields, as ``add_document`` gets them."""

    def add_reader(self, reader: Any) -> None:
        """A segment merged into this one: its live documents, in order, come next."""

    def write(self, storage: Any, segment: Any) -> None:
        """Write the file of the finished ``segment`` (compound files are assembled)."""


def flush_segment(writer: Any) -> None:
    """``SegmentWriter._flush_segment`` for a writer whose pool is a :class:`TermPool`.

    Python's cycle collector is paused meanwhile: writing makes a few lists per term, all
    kept (or freed by reference counting), and the collector walked them again and again as
    they grew (a third of a 10,000-story segment's writing).
    """
    writer.perdocwriter.close()
    lengths = writer.per_document_reader() if writer.codec.length_stats else None
    collecting = gc.isenabled()
    gc.disable()
    try:
        write_postings(writer.fieldwriter, writer.schema, writer.pool, lengths)
        writer.fieldwriter.close()
    finally:
        if collecting:
            gc.enable()
        if lengths is not None:
            lengths.close()
