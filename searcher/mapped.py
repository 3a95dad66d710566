"""Whoosh's segment files read in place from their memory map, not copied.

A segment is one compound file (``MAIN_<id>.seg``) that Whoosh maps and hands out as one
``BufferFile`` per part (postings, terms, stored fields, lengths, columns). ``BufferFile``
wraps its slice of the map in ``io.BytesIO``, and ``BytesIO`` copies a memoryview: opening
an index of 200,000 articles copied 330 MB of it into each process, private memory that
every server worker held again. :class:`ViewFile` is the file ``BufferFile`` reads through
here: position and reads over the memoryview itself, so the pages stay the kernel's page
cache, shared by every process that maps the file.

Depends on ``whoosh3==3.54.0``'s ``whoosh.filedb.structfile.BufferFile`` (its ``file``,
``_buf`` and ``close``); :func:`install` patches its ``__init__``, once, on import.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from whoosh.filedb import structfile

#: The most :meth:`ViewFile.peek` returns (pickle asks for 128 KB; block headers are tens
#: of bytes, and what a longer pickle needs beyond it it reads).
PEEK_BYTES = 256


class ViewFile:
    """A read-only binary file over a memoryview: what ``BytesIO`` offers readers, without
    copying the bytes."""

    __slots__ = ("_pos", "_view")

    def __init__(self, view: memoryview | bytes | bytearray) -> None:
        # The very view BufferFile holds (another view of the map would be one more export
        # that keeps the map from closing).
        self._view = view if isinstance(view, memoryview) else memoryview(view)
        self._pos = 0

    def read(self, size: int | None = -1) -> bytes:
        start = self._pos
        end = len(self._view)
        if size is not None and size >= 0:
            end = min(end, start + size)
        self._pos = max(start, end)
        return bytes(self._view[start:end])

    def peek(self, size: int = 0) -> bytes:
        """Bytes from the position on, without moving it: pickle's loader reads ahead with
        it (one call where it would make a ``read`` per opcode, 21 -> 3.6 µs for the header
        of a posting block). At most :data:`PEEK_BYTES`, as a buffered reader may."""
        start = self._pos
        return bytes(self._view[start : start + min(max(size, 1), PEEK_BYTES)])

    def readline(self, size: int | None = -1) -> bytes:
        view, start = self._view, self._pos
        end = len(view) if size is None or size < 0 else min(len(view), start + size)
        stop = start
        while stop < end:
            chunk = bytes(view[stop : min(end, stop + 4096)])
            newline = chunk.find(b"\n")
            if newline >= 0:
                stop += newline + 1
                break
            stop += len(chunk)
        self._pos = stop
        return bytes(view[start:stop])

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        if whence == io.SEEK_CUR:
            offset += self._pos
        elif whence == io.SEEK_END:
            offset += len(self._view)
        if offset < 0:
            raise ValueError(f"negative seek position {offset}")
        self._pos = offset
        return offset

    def tell(self) -> int:
        return self._pos

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def writable(self) -> bool:
        return False

    def write(self, data: Any) -> int:
        raise io.UnsupportedOperation("a segment file is read-only")

    def truncate(self, size: int | None = None) -> int:
        raise io.UnsupportedOperation("a segment file is read-only")

    def flush(self) -> None:
        pass

    def close(self) -> None:
        # The view is BufferFile's to release (it releases its own ``_buf``).
        self._view = memoryview(b"")


_whoosh_init: Callable[..., None] = structfile.BufferFile.__init__


def _buffer_file_init(
    self: Any,
    buf: bytes | bytearray | memoryview,
    name: str | None = None,
    onclose: Callable[[Any], None] | None = None,
) -> None:
    _whoosh_init(self, b"", name=name, onclose=onclose)
    self._buf = buf
    self.file = ViewFile(buf)


def install() -> None:
    """Make Whoosh's BufferFile read through :class:`ViewFile` (idempotent)."""
    structfile.BufferFile.__init__ = _buffer_file_init  # type: ignore[method-assign]


install()
