"""Incremental indexing: only new or changed dumps are read; the index follows the folder."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from searcher import indexer
from searcher.cli import main

STORIES = [
    ("北关街道开展河道清理行动", "4月2日,北关街道组织志愿者对辖区内三条河道开展集中清理,"
     "清除垃圾两吨多,河面环境明显改善,群众纷纷点赞。"),
    ("城南社区举办消防安全培训", "4月3日,城南社区邀请消防大队教官为居民讲解家庭防火知识,"
     "现场演示灭火器使用方法,两百余名居民参加培训。"),
    ("区人社局召开春季招聘会", "4月5日,区人社局在人力资源市场举办春季招聘会,六十余家企业"
     "提供岗位一千八百多个,初步达成就业意向三百余人。"),
    ("东湖公园樱花进入盛花期", "近日,东湖公园千余株樱花竞相开放,吸引大批市民前来赏花拍照,"
     "公园管理处增派人员加强游园秩序维护。"),
    ("西山林场开展森林防火演练", "4月8日,西山林场组织扑火队员开展森林防火实战演练,检验"
     "应急预案,提升队伍快速反应和协同作战能力。"),
]  # fmt: skip
#: A line every page of the site shows: site chrome once enough pages say so.
CHROME = "东城晨光 第三编辑室"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def total(index: Path, query: str) -> int:
    code, out, err = run("search", query, "--index", str(index), "--json", "--limit", "100")
    assert code == 0, err
    return json.loads(out)["total"]


def snapshot(index: Path) -> dict[str, tuple[int, int]]:
    """Every file of the index folder with its size and mtime (ns)."""
    out = {}
    for path in sorted(index.rglob("*")):
        if path.is_file():
            stat = path.stat()
            out[str(path.relative_to(index))] = (stat.st_size, stat.st_mtime_ns)
    return out


def write_site(folder: Path, numbers: range, chrome: bool = True) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for n in numbers:
        title, body = STORIES[n]
        tail = f"\n\n{CHROME}\n" if chrome else "\n"
        (folder / f"page{n}.txt").write_text(f"{title}\n\n{body}{tail}", "utf-8")


@pytest.fixture
def dumps(tmp_path: Path, seeds: Path) -> Path:
    folder = tmp_path / "dumps"
    shutil.copytree(seeds, folder)
    return folder


def test_rerun_on_unchanged_input_changes_nothing(dumps: Path, tmp_path: Path) -> None:
    index = tmp_path / "ix"
    assert run("index", str(dumps), "--index", str(index))[0] == 0
    before = snapshot(index)
    results = run("search", "文明城市", "--index", str(index), "--json")[1]
    code, out, _ = run("index", str(dumps), "--index", str(index))
    assert code == 0
    assert "0 new, 0 changed, 5 unchanged, 0 failed" in out
    assert "0 added, 0 removed" in out
    assert snapshot(index) == before, "a run with nothing to do writes nothing"
    assert run("search", "文明城市", "--index", str(index), "--json")[1] == results


def test_touched_but_identical_file_is_not_reindexed(dumps: Path, tmp_path: Path) -> None:
    index = tmp_path / "ix"
    run("index", str(dumps), "--index", str(index))
    before = snapshot(index)
    for path in dumps.iterdir():
        os.utime(path, (1_700_000_000, 1_700_000_000))
    code, out, _ = run("index", str(dumps), "--index", str(index))
    assert code == 0 and "5 unchanged" in out
    assert snapshot(index) == before


def test_changed_file_replaces_its_articles(dumps: Path, tmp_path: Path) -> None:
    index = tmp_path / "ix"
    run("index", str(dumps), "--index", str(index))
    target = next(dumps.glob("002_*.txt"))
    target.write_text(target.read_text("utf-8").replace("徐子佳", "欧阳明"), "utf-8")
    code, out, _ = run("index", str(dumps), "--index", str(index))
    assert code == 0
    assert "0 new, 1 changed, 4 unchanged" in out
    assert total(index, "徐子佳") == 0
    assert total(index, "欧阳明") == 1
    assert total(index, "川汇区") > 0, "the other files keep their articles"


def test_prune_removes_the_articles_of_deleted_files(dumps: Path, tmp_path: Path) -> None:
    index = tmp_path / "ix"
    run("index", str(dumps), "--index", str(index))
    next(dumps.glob("002_*.txt")).unlink()
    code, out, err = run("index", str(dumps), "--index", str(index))
    assert code == 0 and "1 indexed files no longer exist" in err and "--prune" in err
    assert total(index, "徐子佳") == 1, "without --prune nothing is removed"
    code, out, err = run("index", str(dumps), "--index", str(index), "--prune")
    assert code == 0 and "1 pruned" in out
    assert total(index, "徐子佳") == 0
    stats = json.loads(run("stats", "--index", str(index), "--json")[1])
    assert stats["files"] == 4


def test_a_new_cleaner_version_recleans_with_a_message(
    dumps: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    index = tmp_path / "ix"
    run("index", str(dumps), "--index", str(index))
    old = indexer.CLEANER_VERSION
    monkeypatch.setattr(indexer, "CLEANER_VERSION", old + 1)
    # Only one folder given: files indexed with the old cleaner are re-cleaned all the same.
    code, out, err = run("index", str(next(dumps.glob("002_*.txt"))), "--index", str(index))
    assert code == 0
    assert f"the cleaner changed (version {old} -> {old + 1})" in err
    assert "5 changed" in out
    code, out, _ = run("index", str(dumps), "--index", str(index))
    assert "5 unchanged" in out


def test_a_near_duplicate_arriving_later_joins_the_cluster(tmp_path: Path, seeds: Path) -> None:
    original = next(seeds.glob("002_*.txt")).read_text("utf-8")
    week1, week2 = tmp_path / "week1", tmp_path / "week2"
    week1.mkdir()
    week2.mkdir()
    (week1 / "original.txt").write_text(original, "utf-8")
    (week2 / "repost.txt").write_text(original.replace("张建闯", "张某某"), "utf-8")
    index = str(tmp_path / "ix")
    run("index", str(week1), "--index", index)
    code, out, _ = run("index", str(week2), "--index", index)
    assert code == 0 and "1 duplicate copies" in out
    result = json.loads(run("search", "徐子佳", "--index", index, "--json")[1])
    assert result["total"] == 1
    assert [Path(d["path"]).name for d in result["hits"][0]["duplicates"]] == ["repost.txt"]


def test_site_chrome_learned_from_a_later_dump_recleans_earlier_pages(tmp_path: Path) -> None:
    site, other = tmp_path / "site", tmp_path / "other-site"
    write_site(site, range(2))
    write_site(site, range(4, 5), chrome=False)
    write_site(other, range(3, 4))  # another site: its counts are its own
    index = tmp_path / "ix"
    run("index", str(site), str(other), "--index", str(index))
    # Two pages of three are too few to call a line chrome: it is kept, and found.
    assert total(index, "第三编辑室") == 3

    write_site(site, range(2, 4))
    code, out, _ = run("index", str(site), "--index", str(index))
    assert code == 0
    assert "2 new" in out
    # Exactly the two earlier pages that show the line are cleaned again; the page
    # without it and the other site are not.
    assert "2 earlier pages re-cleaned" in out
    assert total(index, "第三编辑室") == 1, "only the other site still shows it"
    assert total(index, "北关街道") == 1 and total(index, "城南社区") == 1

    code, out, _ = run("index", str(site), str(other), "--index", str(index))
    assert "0 added, 0 removed" in out and "re-cleaned" not in out


def test_pruned_pages_leave_the_site_statistics(tmp_path: Path) -> None:
    site = tmp_path / "site"
    write_site(site, range(4))
    write_site(site, range(4, 5), chrome=False)
    index = tmp_path / "ix"
    run("index", str(site), "--index", str(index))
    assert total(index, "第三编辑室") == 0
    for n in (2, 3):
        (site / f"page{n}.txt").unlink()
    code, out, _ = run("index", str(site), "--index", str(index), "--prune")
    assert code == 0 and "2 pruned" in out and "2 earlier pages re-cleaned" in out
    assert total(index, "第三编辑室") == 2


def test_an_index_from_before_the_band_table_still_finds_late_copies(
    tmp_path: Path, seeds: Path
) -> None:
    import sqlite3

    from searcher import index as ix

    original = next(seeds.glob("002_*.txt")).read_text("utf-8")
    (tmp_path / "original.txt").write_text(original, "utf-8")
    index = tmp_path / "ix"
    run("index", str(tmp_path / "original.txt"), "--index", str(index))
    store = ix.current_generation(index) / ix.STORE  # type: ignore[operator]
    with sqlite3.connect(store) as db:  # as an index written by an earlier version
        db.execute("DELETE FROM minhash_bands")
    (tmp_path / "repost.txt").write_text(original.replace("张建闯", "张某某"), "utf-8")
    code, out, _ = run("index", str(tmp_path / "repost.txt"), "--index", str(index))
    assert code == 0 and "1 duplicate copies" in out


def _export(index: Path) -> list[dict]:
    code, out, _ = run("export", "--index", str(index))
    assert code == 0
    return sorted((json.loads(line) for line in out.splitlines()), key=lambda a: a["id"])


def test_a_big_jsonl_dump_shared_out_among_workers_indexes_the_same(
    big_dump: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from searcher.engine import Engine

    alone, shared = tmp_path / "alone", tmp_path / "shared"
    Engine(alone).index([big_dump], jobs=1)
    monkeypatch.setattr(indexer, "SPLIT_READ_MIN_BYTES", 1)  # the 1.7 MB dump counts as big
    monkeypatch.setattr(indexer, "_read_parts", _counting(indexer._read_parts))
    Engine(shared).index([big_dump], jobs=2)
    assert _SPLITS == [2]
    assert _export(shared) == _export(alone) and len(_export(alone)) > 1000


_SPLITS: list[int] = []


def _counting(function: Any) -> Any:
    def counted(*args: Any) -> int:
        _SPLITS.append(function(*args))
        return _SPLITS[-1]

    return counted


def _bridged(seeds: Path) -> tuple[str, str, str]:
    """A story and two reposts of it, one without a paragraph, the other with a paragraph of
    another story put in: each a near copy of the story, not of each other."""
    from searcher import dedup

    stories = sorted(seeds.glob("*.txt"))
    original = stories[3].read_text("utf-8")
    paragraphs = original.split("\n\n")
    cut = "\n\n".join(paragraphs[:4] + paragraphs[5:])
    extra = stories[2].read_text("utf-8").split("\n\n")[7]
    added = "\n\n".join([*paragraphs[:6], extra, *paragraphs[6:]])
    a, b, c = (dedup.Compared.of(text) for text in (original, cut, added))
    assert dedup.near(a, b) and dedup.near(a, c) and dedup.near(b, c) is None
    return original, cut, added


def _clusters(index: Path) -> dict[str, str]:
    """Every article's file name -> its cluster, as the store holds it."""
    from searcher.engine import Engine

    engine = Engine(index)
    try:
        return {Path(a.path).name: str(a.cluster) for a in engine.export(all_copies=True)}
    finally:
        engine.close()


def test_a_story_arriving_after_two_of_its_reposts_merges_their_clusters(
    tmp_path: Path, seeds: Path
) -> None:
    original, cut, added = _bridged(seeds)
    week1, week2 = tmp_path / "week1", tmp_path / "week2"
    week1.mkdir()
    week2.mkdir()
    (week1 / "cut.txt").write_text(cut, "utf-8")
    (week1 / "added.txt").write_text(added, "utf-8")
    (week2 / "original.txt").write_text(original, "utf-8")
    index = tmp_path / "ix"
    code, out, _ = run("index", str(week1), "--index", str(index))
    assert code == 0 and "0 duplicate copies" in out
    first = _clusters(index)
    assert first["cut.txt"] != first["added.txt"]
    assert total(index, "洗车行") == 2
    # The story arrives a run later: the clusters indexed before merge into the older.
    code, out, _ = run("index", str(week2), "--index", str(index))
    assert code == 0 and "2 duplicate copies" in out
    clusters = _clusters(index)
    assert len(set(clusters.values())) == 1
    assert set(clusters.values()) <= set(first.values())
    result = json.loads(run("search", "洗车行", "--index", str(index), "--json")[1])
    assert result["total"] == 1, "the merged cluster is shown once"
    hit = result["hits"][0]
    assert {Path(d["path"]).name for d in hit["duplicates"]} | {Path(hit["path"]).name} == {
        "cut.txt", "added.txt", "original.txt",
    }  # fmt: skip
    # Nothing to do: nothing written, the merge holds.
    code, out, _ = run("index", str(week1), str(week2), "--index", str(index))
    assert code == 0 and "3 unchanged" in out and _clusters(index) == clusters


def test_a_bridging_story_in_the_same_run_merges_the_clusters(tmp_path: Path, seeds: Path) -> None:
    original, cut, added = _bridged(seeds)
    dumps = tmp_path / "dumps"
    dumps.mkdir()
    # Files are read in name order: the reposts first, the story that joins them last.
    (dumps / "a-cut.txt").write_text(cut, "utf-8")
    (dumps / "b-added.txt").write_text(added, "utf-8")
    (dumps / "c-original.txt").write_text(original, "utf-8")
    index = tmp_path / "ix"
    code, out, _ = run("index", str(dumps), "--index", str(index))
    assert code == 0 and "2 duplicate copies" in out
    assert len(set(_clusters(index).values())) == 1
    assert total(index, "洗车行") == 1


def _segments(index: Path) -> list[Path]:
    generation = index / (index / "CURRENT").read_text().strip()
    return sorted(generation.glob("MAIN_*.seg"))


def test_sub_writers_write_a_segment_per_batch_and_find_the_same(
    tmp_path: Path, seeds: Path, big_dump: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A sub-writer's memory is one batch of documents, not its share of the corpus.
    from searcher.engine import Engine

    whole = tmp_path / "whole"
    Engine(whole).index([seeds, big_dump], jobs=2)
    monkeypatch.setattr(indexer, "SEGMENT_DOCS", 200)  # the forked sub-writers inherit it
    batched = tmp_path / "batched"
    Engine(batched).index([seeds, big_dump], jobs=2)
    assert len(_segments(batched)) >= 4 > len(_segments(whole))  # (jobs of 256 documents)
    one, other = Engine(whole), Engine(batched)
    assert sorted(a.id for a in one.export()) == sorted(a.id for a in other.export())
    for query in ["合成", "文明城市", '"创建工作"', "工作 群众", '"合"']:
        a, b = one.search(query, limit=1000), other.search(query, limit=1000)
        assert a.total == b.total > 0
        scores = [{h.id: round(h.score, 6) for h in found.hits} for found in (a, b)]
        assert scores[0] == scores[1]
