"""The exact-match text: each article's title and text, scanned as one string."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from searcher.engine import Engine
from searcher.exact import (
    CHAR_INDEX_AFTER,
    FILE,
    ExactText,
    MappedText,
    SegmentPart,
    segment_parts,
    write_segment,
)


@pytest.fixture
def text() -> ExactText:
    return ExactText.from_articles(
        [
            ("a", "蝴蝶 飞舞", "城市，长期规划。"),
            ("b", "市长调研", "網格化管理"),
            ("c", "城市", "长期"),
        ]
    )


def test_finds_every_article_holding_the_string_once(text: ExactText) -> None:
    assert text.find("蝶") == ([0], {0})
    assert text.find("市") == ([0, 1, 2], {1, 2})
    assert text.find("网格化") == ([1], set())


def test_matches_never_run_across_punctuation_or_fields(text: ExactText) -> None:
    assert text.find("市长")[0] == [1]
    assert text.find("城市长期")[0] == []


def test_title_or_text_only(text: ExactText) -> None:
    assert text.find("市长", "title") == ([1], {1})
    assert text.find("市长", "text")[0] == []
    assert text.find("长期", "title")[0] == []
    assert text.find("长期", "text") == ([0, 2], set())


def test_written_and_read_back(tmp_path: Path, text: ExactText) -> None:
    in_order = dataclasses.replace(text, docnums=[0, 1, 3])
    in_order.write(tmp_path / FILE)
    again = ExactText.read(tmp_path / FILE)
    assert again == in_order
    (tmp_path / "bad").write_bytes(b"not an exact file")
    with pytest.raises(ValueError):
        ExactText.read(tmp_path / "bad")


def test_looks_only_within_the_articles_given(text: ExactText) -> None:
    assert text.find("市", within=[0, 2]) == ([0, 2], {2})
    assert text.find("长期", within=[1]) == ([], set())
    assert text.find("市长", "title", within=[0, 1]) == ([1], {1})


def _seed_text(engine: Engine) -> ExactText:
    store, _ = engine._open()
    return ExactText.from_articles(store.shown_texts())


def test_the_character_index_finds_what_a_full_scan_finds(engine: Engine) -> None:
    scanned = _seed_text(engine)
    indexed = _seed_text(engine)
    indexed.build_char_index()
    assert scanned.chars is None and indexed.chars is not None
    every = range(len(scanned.ids))
    needles = {"蝶", "网格化", "淮安区", "的", "市长", "2018", "。", "不在任何文章里的字符串鑫"}
    for text in scanned.texts:
        for start in range(0, len(text), 97):
            needles.update({text[start : start + 1], text[start : start + 4]})
    for needle in sorted(needles):
        assert indexed.find(needle) == scanned.find(needle), needle
        assert indexed.find(needle, "title") == scanned.find(needle, "title"), needle
        assert indexed.find(needle, within=every[::2]) == scanned.find(needle, within=every[::2])


@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_a_random_string_is_found_alike_with_and_without_the_index(
    engine: Engine, data: st.DataObject
) -> None:
    scanned = _seed_text(engine)
    indexed = _seed_text(engine)
    indexed.build_char_index()
    text = data.draw(st.sampled_from([t for t in scanned.texts if t]))
    start = data.draw(st.integers(0, len(text) - 1))
    needle = text[start : start + data.draw(st.integers(1, 8))]
    assert indexed.find(needle) == scanned.find(needle)
    assert start in range(len(text)) and indexed.find(needle)[0]


def test_a_process_that_keeps_scanning_builds_the_index_itself(engine: Engine) -> None:
    text = _seed_text(engine)
    for _ in range(CHAR_INDEX_AFTER - 1):
        text.find("网格化")
    assert text.chars is None  # a one-off search never pays for it
    text.find("网格化")
    assert text.chars is not None


def test_a_warmed_engine_has_its_character_index_and_holds_no_reader(seed_index: Path) -> None:
    engine = Engine(seed_index)
    engine.warm()
    assert engine._readers.lease is None  # a later generation swap can remove this one
    matcher = engine._search_data[1] if engine._search_data else None
    loaded = getattr(matcher, "_matcher", matcher)
    assert loaded is not None and loaded.text.chars is not None
    assert engine.search('"网格化"').total == engine.search("网格化").total >= 1


# --------------------------------------------------------------------------- per segment


def _hits(engine: Engine, query: str) -> list[str]:
    result = engine.search(query, limit=1000)
    assert result.total == len(result.hits)
    return sorted(hit.id for hit in result.hits)


#: Strings of the seeds (and of the big dump built from their sentences), a character
#: inside words included, and one found nowhere.
NEEDLES = ('"网格化"', '"淮安区"', '"蝶"', '"市长"', '"合成编号"', '"2018"', '"不在任何文章里鑫"')


#: A page added to an index (a new article, its text found nowhere else).
ADDED = (
    "东湖街道开展花卉种植培训\n\n"
    "5月9日，东湖街道邀请农技人员为居民开展蝴蝶兰种植培训，八十余人参加。\n"
)


def _generation(index: Path) -> Path:
    return index / (index / "CURRENT").read_text().strip()


def test_each_segment_keeps_its_own_exact_text(tmp_path: Path, seeds: Path, big_dump: Path) -> None:
    # Sub-writers (two jobs, a thousand articles) write their segments' text themselves.
    index = tmp_path / "index"
    Engine(index).index([seeds, big_dump], jobs=2)
    gen = _generation(index)
    segments = sorted(p.stem for p in gen.glob("MAIN_*.seg"))
    assert len(segments) >= 2
    assert sorted(p.stem for p in gen.glob("MAIN_*.exact")) == segments
    assert not (gen / FILE).exists()
    every = _seed_text(Engine(index))
    every.build_char_index()
    engine = Engine(index)
    for needle in NEEDLES:
        found, _ = every.find(needle.strip('"'))
        assert _hits(engine, needle) == sorted(every.ids[i] for i in found), needle


def test_a_small_run_writes_only_the_text_it_adds(tmp_path: Path, seeds: Path) -> None:
    folder = tmp_path / "dumps"
    shutil.copytree(seeds, folder)
    added = folder / "added.txt"
    index = tmp_path / "index"
    Engine(index).index([folder])
    before = {p.name: p.stat().st_ino for p in _generation(index).glob("*.exact")}
    added.write_text(ADDED, "utf-8")
    Engine(index).index([folder])
    after = {p.name: p.stat().st_ino for p in _generation(index).glob("*.exact")}
    kept = set(before) & set(after)
    assert kept and all(before[name] == after[name] for name in kept)  # the same files
    assert len(set(after) - set(before)) == 1
    engine = Engine(index)
    assert len(_hits(engine, '"蝴蝶兰种植"')) == 1
    assert _hits(engine, '"网格化"') == _hits(Engine(index), "网格化")


def test_what_a_changed_file_lost_is_no_longer_found(tmp_path: Path) -> None:
    folder = tmp_path / "dumps"
    folder.mkdir()
    page = folder / "page.txt"
    river = "河道清理行动\n\n4月2日，北关街道组织志愿者对辖区内三条河道开展集中清理，{}。\n"
    page.write_text(river.format("清除垃圾两吨多"), "utf-8")
    other = "城南社区邀请消防大队教官为居民讲解家庭防火知识，两百余名居民参加培训。"
    (folder / "other.txt").write_text(f"消防安全培训\n\n{other}\n", "utf-8")
    index = tmp_path / "index"
    Engine(index).index([folder])
    assert len(_hits(Engine(index), '"清除垃圾两吨多"')) == 1
    page.write_text(river.format("打捞漂浮物三船"), "utf-8")
    Engine(index).index([folder])
    engine = Engine(index)
    assert _hits(engine, '"清除垃圾两吨多"') == []
    assert len(_hits(engine, '"打捞漂浮物三船"')) == 1
    assert len(_hits(engine, '"防火知识"')) == 1


def test_segments_whoosh_merges_keep_their_text(tmp_path: Path, seeds: Path) -> None:
    # One run per seed file, one file changed on the way: Whoosh merges the small segments
    # (its live documents only); the answers are those of one run over the same files.
    folder = tmp_path / "dumps"
    folder.mkdir()
    index = tmp_path / "index"
    files = sorted(seeds.glob("*.txt"))
    for n, path in enumerate(files):
        shutil.copy(path, folder / path.name)
        Engine(index).index([folder])
        if n == 1:
            changed = folder / files[0].name
            changed.write_text(changed.read_text("utf-8") + "\n\n补记\n\n网格化管理再上新台阶。\n")
            Engine(index).index([folder])
    runs = len(files) + 1
    assert len(list(_generation(index).glob("MAIN_*.seg"))) < runs  # some were merged
    whole = tmp_path / "whole"
    Engine(whole).index([folder])
    for needle in NEEDLES:
        assert _hits(Engine(index), needle) == _hits(Engine(whole), needle), needle


def test_an_index_with_one_exact_file_keeps_it(tmp_path: Path, seeds: Path) -> None:
    # An index written before each segment kept its text: one exact.bin, rewritten by each
    # run, and a note that --rebuild changes that.
    from searcher import engine as engine_module

    folder = tmp_path / "dumps"
    shutil.copytree(seeds, folder)
    index = tmp_path / "index"
    Engine(index).index([folder])
    gen = _generation(index)
    for path in gen.glob("*.exact"):
        path.unlink()
    generation = dataclasses.make_dataclass("G", ["path", "store_path", "ix"])
    from whoosh import index as whoosh_index

    from searcher import index as ix

    old = generation(gen, gen / ix.STORE, whoosh_index.open_dir(str(gen), indexname=ix.INDEX_NAME))
    engine_module._write_search_data(old, None)
    assert (gen / FILE).exists()
    expected = {needle: _hits(Engine(index), needle) for needle in NEEDLES}
    assert expected['"网格化"']
    (folder / "added.txt").write_text(ADDED, "utf-8")
    report = Engine(index).index([folder])
    assert any("--rebuild" in note and "exact-match" in note for note in report.notes)
    gen = _generation(index)
    assert (gen / FILE).exists()
    engine = Engine(index)
    assert len(_hits(engine, '"蝴蝶兰种植"')) == 1
    assert _hits(engine, '"网格化"') == expected['"网格化"']
    Engine(index).index([folder], rebuild=True)
    gen = _generation(index)
    assert not (gen / FILE).exists() and list(gen.glob("*.exact"))
    assert _hits(Engine(index), '"网格化"') == expected['"网格化"']


def _mapped(index: Path) -> tuple[MappedText, ExactText]:
    """The mapped text of an index's segments, and the same articles scanned whole."""
    from whoosh import index as whoosh_index

    from searcher import index as ix

    gen = _generation(index)
    with whoosh_index.open_dir(str(gen), indexname=ix.INDEX_NAME).reader() as reader:
        parts = segment_parts(gen, reader)
    assert parts is not None
    mapped = MappedText(parts)
    whole = ExactText(mapped.ids, list(mapped.titles), list(mapped.texts), list(mapped.docnums))
    return mapped, whole


def test_the_mapped_files_find_what_a_full_scan_finds(tmp_path: Path, seeds: Path) -> None:
    # Two runs and a changed file: segments with deleted articles among them.
    folder = tmp_path / "dumps"
    shutil.copytree(seeds, folder)
    index = tmp_path / "index"
    Engine(index).index([folder])
    first = sorted(folder.glob("*.txt"))[0]
    first.write_text(first.read_text("utf-8").replace("网格化", "网络化"), "utf-8")
    (folder / "added.txt").write_text(ADDED, "utf-8")
    Engine(index).index([folder])
    mapped, whole = _mapped(index)
    assert any(ranks is not None for ranks in mapped._ranks)  # a segment lost articles
    assert len(mapped) == len(whole) == Engine(index).stats()["articles"]
    needles = {"蝶", "网格化", "网络化", "蝴蝶兰", "淮安区", "的", "市长", "2018", "。", "鑫鑫"}
    for text in whole.texts:
        for start in range(0, len(text), 89):
            needles.update({text[start : start + 1], text[start : start + 5]})
    every = range(len(whole))
    for needle in sorted(needles):
        assert mapped.find(needle) == whole.find(needle), needle
        assert mapped.find(needle, "title") == whole.find(needle, "title"), needle
        assert mapped.find(needle, "text") == whole.find(needle, "text"), needle
        assert mapped.find(needle, within=every[1::3]) == whole.find(needle, within=every[1::3])
        # The counts BM25 scores them by (title, text, text length), as str.count counts.
        for field in (None, "title", "text"):
            assert mapped.find_counted(needle, field) == whole.find_counted(needle, field)
    assert mapped.average_length() == pytest.approx(whole.average_length())


def test_characters_outside_the_basic_plane_are_found_whole(tmp_path: Path) -> None:
    # 𠮷 is two UTF-16 units: a match must start at a character, never inside one.
    path = tmp_path / "segment.exact"
    titles = ["𠮷野家开业", "吉野家"]
    texts = ["店名𠮷野家，𠮷字上土下口。", "吉祥"]
    write_segment(path, ["a", "b"], titles, texts)
    mapped = MappedText([SegmentPart(path, 0, 2)])
    assert mapped.find("𠮷野家") == ([0], {0})
    assert mapped.find("野家") == ([0, 1], {0, 1})
    assert mapped.find("吉") == ([1], {1})
    assert mapped.find_counted("𠮷") == ([0], {0}, [(1, 2, 15)])  # 15 UTF-16 units
    assert mapped.texts[0] == texts[0] and mapped.titles[1] == "吉野家"


def test_a_damaged_segment_file_is_named(tmp_path: Path) -> None:
    path = tmp_path / "segment.exact"
    write_segment(path, ["a"], ["标题"], ["正文"])
    path.write_bytes(path.read_bytes()[:60])
    with pytest.raises(ValueError, match=r"segment\.exact"):
        MappedText([SegmentPart(path, 0, 1)])


def test_a_damaged_segment_file_is_one_line_and_words_still_work(
    tmp_path: Path, seeds: Path
) -> None:
    from click.testing import CliRunner

    from searcher.cli import main

    index = tmp_path / "index"
    Engine(index).index([seeds])
    damaged = next(_generation(index).glob("*.exact"))
    damaged.write_bytes(damaged.read_bytes()[:100])
    quoted = CliRunner().invoke(main, ["search", '"网格化"', "--index", str(index)])
    assert quoted.exit_code == 1
    assert damaged.name in quoted.stderr and "--rebuild" in quoted.stderr
    assert "Traceback" not in quoted.stderr and len(quoted.stderr.strip().splitlines()) == 1
    words = CliRunner().invoke(main, ["search", "网格化", "--index", str(index)])
    assert words.exit_code == 0 and "网格化" in words.stdout
    Engine(index).index([seeds], rebuild=True)
    assert Engine(index).search('"网格化"').total == 4
