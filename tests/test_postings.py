"""The segment writer: the same index files as Whoosh's own writer, byte for byte."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from whoosh import index as whoosh_index
from whoosh.writing import SegmentWriter

from searcher import index as ix
from searcher.postings import FastSegmentWriter, TermPool


def documents(seeds: Path) -> list[dict[str, object]]:
    """Every clause of the seed dumps as a document: real text, a few words in hundreds
    of documents (several posting blocks of 128), most in one or two."""
    docs: list[dict[str, object]] = []
    for path in sorted(seeds.glob("*.txt")):
        text = path.read_text("utf-8")
        paragraphs = [p.strip() for p in re.split(r"(?<=[。，,；;])|\n", text) if p.strip()]
        for number, paragraph in enumerate(paragraphs):
            day = 20240101 + number % 28
            docs.append(
                {
                    "id": f"{path.stem}-{number}",
                    "title": paragraphs[0][:40],
                    "text": paragraph,
                    "path": str(path.name),
                    "day": day,
                    "date": f"2024-01-{day % 100:02d}",
                    "year": "2024",
                    "month": "2024-01",
                    "region": ("川汇区", "淮阴区", "")[number % 3] or None,
                    "source": path.stem[:3],
                }
            )
    return docs


def write(folder: Path, writer_class: type, batches: list[list[dict[str, object]]]) -> dict:
    """An index written in ``batches`` (one commit each, the last merging them all); its
    files by name without the segment id."""
    folder.mkdir()
    index = whoosh_index.create_in(str(folder), ix.make_schema(), indexname=ix.INDEX_NAME)
    for number, batch in enumerate(batches):
        writer = writer_class(index, compound=False)
        for doc in batch:
            writer.add_document(**doc)
        if number == 1:
            writer.delete_by_term("id", str(batches[0][3]["id"]))
        writer.commit(optimize=number == len(batches) - 1)
    files = {}
    for item in folder.iterdir():
        if "." in item.name and not item.name.startswith("_") and item.name.startswith("MAIN_"):
            files[item.name.split(".", 1)[1]] = item.read_bytes()
    return files


def test_one_segment_is_whooshs_byte_for_byte(tmp_path: Path, seeds: Path) -> None:
    docs = documents(seeds)
    assert len(docs) > 500
    ours = write(tmp_path / "ours", FastSegmentWriter, [docs])
    theirs = write(tmp_path / "theirs", SegmentWriter, [docs])
    assert set(ours) == set(theirs) and "pst" in ours and "trm" in ours
    for name in sorted(theirs):
        assert ours[name] == theirs[name], name


def test_merged_segments_are_whooshs_byte_for_byte(tmp_path: Path, seeds: Path) -> None:
    # Three commits, a deletion, then an optimize: the merge feeds the pool Whoosh's own
    # postings (one at a time, from the older segments) after the new documents' counts.
    docs = documents(seeds)
    batches = [docs[:100], docs[100:250], docs[250:]]
    ours = write(tmp_path / "ours", FastSegmentWriter, batches)
    theirs = write(tmp_path / "theirs", SegmentWriter, batches)
    assert set(ours) == set(theirs)
    for name in sorted(theirs):
        assert ours[name] == theirs[name], name


def test_the_index_answers_as_whooshs(tmp_path: Path, seeds: Path) -> None:
    docs = documents(seeds)
    for name, writer_class in (("ours", FastSegmentWriter), ("theirs", SegmentWriter)):
        folder = tmp_path / name
        folder.mkdir()
        index = whoosh_index.create_in(str(folder), ix.make_schema(), indexname=ix.INDEX_NAME)
        writer = writer_class(index)
        for doc in docs:
            writer.add_document(**doc)
        writer.commit()
    results = []
    for name in ("ours", "theirs"):
        index = whoosh_index.open_dir(str(tmp_path / name), indexname=ix.INDEX_NAME)
        with index.searcher() as searcher:
            reader = searcher.reader()
            results.append(
                [
                    (term, reader.doc_frequency("text", term), reader.frequency("text", term))
                    for term in ("网格化", "川汇区", "工作", "召开", "的")
                ]
            )
    assert results[0] == results[1]
    assert all(df > 0 for _, df, _ in results[0])
    assert results[0][-1][1] > 128  # a term of two posting blocks at least


@pytest.mark.parametrize("documents", [128, 129, 257, 300])
def test_block_edges_are_whooshs_byte_for_byte(tmp_path: Path, documents: int) -> None:
    # A word in every document: one full block, a full block and a block of one, ...
    docs = [
        {"id": str(n), "title": "网格化管理", "text": f"网格化管理 第{n}号 " + "工作" * (n % 5)}
        for n in range(documents)
    ]
    ours = write(tmp_path / "ours", FastSegmentWriter, [docs])
    theirs = write(tmp_path / "theirs", SegmentWriter, [docs])
    for name in sorted(theirs):
        assert ours[name] == theirs[name], name


def test_fields_without_words_are_whooshs_byte_for_byte(tmp_path: Path) -> None:
    # Every title empty, or only punctuation: no title terms at all, so no title field in
    # the term table (its field numbers would shift every later field's keys).
    for titles in (["", ""], ["，", "!!"]):
        docs = [
            {"id": str(n), "title": title, "text": "网格化管理", "region": "", "source": "办"}
            for n, title in enumerate(titles)
        ]
        ours = write(tmp_path / f"ours{titles[1]}", FastSegmentWriter, [docs])
        theirs = write(tmp_path / f"theirs{titles[1]}", SegmentWriter, [docs])
        for name in sorted(theirs):
            assert ours[name] == theirs[name], name


def test_pool_gives_postings_in_whooshs_order() -> None:
    pool = TermPool()
    pool.add_counts("text", 0, {"乙": 2, "甲": 1}, 1.0)
    pool.add_counts("text", 1, {"甲": 3}, 1.0)
    pool.add(("title", "丙".encode(), 0, 3.0, None))
    pool.add(("text", "丁".encode(), 2, 1.0, b""))  # Whoosh's own posting after counts
    postings = list(pool.iter_postings())
    assert [(f, t.decode(), d) for f, t, d, _, _ in postings] == [
        ("text", "丁", 2),
        ("text", "乙", 0),
        ("text", "甲", 0),
        ("text", "甲", 1),
        ("title", "丙", 0),
    ]
    assert postings[3][3] == 3.0 and postings[1][4] == b"\x00\x00\x00\x02"
    assert pool.fieldnames == {"text", "title"}


@pytest.mark.parametrize("count", [1, 255, 256, 70000])
def test_counts_are_stored_as_whoosh_stores_them(count: int) -> None:
    # Whoosh's Frequency format: the count as a big-endian uint, the weight count * boost.
    pool = TermPool()
    pool.add_counts("text", 0, {"词": count}, 2.0)
    (_, _, _, weight, value) = next(pool.iter_postings())
    assert value == count.to_bytes(4, "big")
    assert weight == count * 2.0


def test_a_field_given_another_boost_keeps_each_documents_weights() -> None:
    pool = TermPool()
    pool.add_counts("text", 0, {"甲": 2, "乙": 1}, 1.0)
    pool.add_counts("text", 1, {"甲": 2}, 3.0)  # a document boost: Whoosh's own way
    pool.add_counts("text", 2, {"甲": 1}, 1.0)
    postings = [(t.decode(), d, w) for _, t, d, w, _ in pool.iter_postings()]
    assert postings == [("乙", 0, 1.0), ("甲", 0, 2.0), ("甲", 1, 6.0), ("甲", 2, 1.0)]
