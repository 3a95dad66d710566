"""Whoosh's segment parts are read in place from the map (searcher.mapped), byte for byte what
Whoosh's own copies give, and the map closes with the index."""

from __future__ import annotations

import io
import os
import pickle
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st
from whoosh import index as whoosh_index
from whoosh.filedb.compound import CompoundStorage
from whoosh.filedb.filestore import FileStorage

from searcher import index as ix
from searcher.mapped import ViewFile


def _generation(index: Path) -> Path:
    return index / (index / "CURRENT").read_text().strip()


def test_every_part_of_a_segment_reads_as_whooshs_copy(seed_index: Path) -> None:
    generation = _generation(seed_index)
    segments = sorted(generation.glob("*.seg"))
    assert segments
    for path in segments:
        whole = path.read_bytes()
        storage = CompoundStorage(FileStorage(str(generation)).open_file(path.name), use_mmap=True)
        for name in storage.list():
            offset, length = storage.range(name)
            part = storage.open_file(name)
            assert isinstance(part.file, ViewFile)  # not a BytesIO copy
            assert part.read() == whole[offset : offset + length]
            middle, end = offset + length // 2, offset + length
            part.seek(length // 2)
            assert part.read(16) == whole[middle : min(end, middle + 16)]
            assert part.get(0, 8) == whole[offset : offset + 8]
            part.close()
        storage.close()


def _seg_handles() -> int:
    folder = Path(f"/proc/{os.getpid()}/fd")
    return sum(1 for fd in folder.iterdir() if os.path.realpath(fd).endswith(".seg"))


def test_the_map_closes_with_the_index(seed_index: Path) -> None:
    before = _seg_handles()
    whoosh_ix = whoosh_index.open_dir(str(_generation(seed_index)), indexname=ix.INDEX_NAME)
    searcher = whoosh_ix.searcher()
    assert searcher.doc_count() > 0
    assert next(iter(searcher.documents()))["id"]
    searcher.close()
    assert _seg_handles() == before


@given(
    data=st.binary(max_size=300),
    steps=st.lists(
        st.tuples(
            st.sampled_from(["read", "readline", "seek", "seek_cur", "seek_end", "tell"]),
            st.integers(min_value=-5, max_value=320),
        ),
        max_size=12,
    ),
)
def test_a_view_file_reads_as_bytesio_does(data: bytes, steps: list[tuple[str, int]]) -> None:
    ours, theirs = ViewFile(memoryview(data)), io.BytesIO(data)
    for step, n in steps:
        if step == "read":
            assert ours.read(n) == theirs.read(n)
        elif step == "readline":
            assert ours.readline(n) == theirs.readline(n)
        elif step == "seek":
            n = abs(n)
            assert ours.seek(n) == theirs.seek(n)
        elif step == "seek_cur":
            if ours.tell() + n >= 0:
                assert ours.seek(n, io.SEEK_CUR) == theirs.seek(n, io.SEEK_CUR)
        elif step == "seek_end" and len(data) + n >= 0:
            assert ours.seek(n, io.SEEK_END) == theirs.seek(n, io.SEEK_END)
        assert ours.tell() == theirs.tell()
    assert ours.read() == theirs.read()


@given(st.lists(st.recursive(st.integers() | st.text() | st.binary(), st.lists), max_size=8))
def test_pickles_load_through_a_view_file_as_through_bytesio(items: list[object]) -> None:
    # Whoosh reads each posting block's header with pickle.load, which reads ahead by peek.
    data = b"".join(pickle.dumps(item, 2) for item in items) + b"tail"
    ours, theirs = ViewFile(memoryview(data)), io.BytesIO(data)
    for item in items:
        assert pickle.load(ours) == pickle.load(theirs) == item
        assert ours.tell() == theirs.tell()
    assert ours.read() == b"tail"
