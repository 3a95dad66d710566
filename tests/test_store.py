"""The article store keeps texts compressed and signatures in 32 bits, and still reads the plain
texts and 64-bit signatures of older stores."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from searcher import dedup
from searcher import index as ix
from searcher.articles import Article
from searcher.engine import Engine
from searcher.store import Store


def _store(index: Path) -> Path:
    return index / (index / "CURRENT").read_text().strip() / ix.STORE


def test_texts_come_back_as_they_went_in(tmp_path: Path) -> None:
    texts = ["", "第一段。\n\n第二段：𠮷野家，ｆｕｌｌ　ｗｉｄｔｈ 与 spaces  kept。"]
    texts.append("短" * 20_000)
    store = Store(tmp_path / ix.STORE)
    for n, text in enumerate(texts):
        article = Article(id=f"a{n}", title=f"标题{n}", text=text, path="dump.txt")
        store.put(article, f"a{n}", True, f"f{n}", b"", [])
    store.commit()
    store.close()
    db = sqlite3.connect(tmp_path / ix.STORE)
    raw = dict(db.execute("SELECT id, text FROM articles").fetchall())
    db.close()
    assert all(isinstance(value, bytes) for value in raw.values())  # kept compressed
    assert len(raw["a2"]) < len(texts[2]) // 10
    again = Store(tmp_path / ix.STORE, readonly=True)
    assert [again.get(f"a{n}").text for n in range(len(texts))] == texts  # type: ignore[union-attr]
    assert again.text("a1") == texts[1]
    assert again.titles_and_texts(["a1"]) == {"a1": ("标题1", texts[1])}


def test_a_store_of_plain_texts_is_read_as_before(tmp_path: Path, seeds: Path) -> None:
    # A store written before texts were compressed: every row holds its text as TEXT.
    index = tmp_path / "index"
    Engine(index).index([seeds])
    engine = Engine(index)
    ids = [hit.id for hit in engine.search("网格化", limit=50).hits]
    before = {i: engine.article(i).text for i in ids}
    old = tmp_path / "old"
    shutil.copytree(index, old)
    db = sqlite3.connect(_store(old))
    for article_id, text in [(i, Engine(index).article(i).text) for i in _all_ids(db)]:
        db.execute("UPDATE articles SET text = ? WHERE id = ?", (text, article_id))
    db.commit()
    assert {type(t) for (t,) in db.execute("SELECT text FROM articles")} == {str}
    db.close()
    again = Engine(old)
    assert {i: again.article(i).text for i in ids} == before
    assert again.search('"网格化"').total == engine.search('"网格化"').total
    assert list(again.export()) == list(engine.export())


def _all_ids(db: sqlite3.Connection) -> list[str]:
    return [row[0] for row in db.execute("SELECT id FROM articles")]


def test_signatures_take_half_the_bytes_and_old_ones_still_find_and_delete(
    tmp_path: Path,
) -> None:
    text = "区委书记徐子佳主持召开全区经济工作会议，研究部署明年重点工作。" * 4
    signature = dedup.signature(text)
    keys = dedup.band_keys(signature)
    assert len(dedup.to_blob(signature)) == dedup.NUM_PERM * 4
    assert (dedup.from_blob(dedup.to_blob(signature)) == signature).all()
    store = Store(tmp_path / ix.STORE)
    article = Article(id="new", title="标题", text=text, path="dump.txt")
    store.put(article, "new", True, "f1", dedup.to_blob(signature), keys)
    # A row written before: the same signature as 64-bit integers, the same band buckets.
    old = Article(id="old", title="标题", text=text, path="dump.txt")
    store.put(old, "old", True, "f2", signature.astype("<u8").tobytes(), keys)
    assert {row[0] for row in store.near_candidates(keys)} == {"new", "old"}
    store.delete_articles(["old"])
    assert {row[0] for row in store.near_candidates(keys)} == {"new"}
    store.delete_articles(["new"])
    assert store.near_candidates(keys) == []
    assert tuple(store.db.execute("SELECT COUNT(*) FROM minhash_bands").fetchone()) == (0,)


def test_a_new_store_has_pages_that_hold_several_articles(tmp_path: Path, seeds: Path) -> None:
    # 4 KB pages hold one or two article rows of ~2 KB and leave the rest empty.
    index = tmp_path / "index"
    Engine(index).index([seeds])
    db = sqlite3.connect(_store(index))
    assert db.execute("PRAGMA page_size").fetchone() == (16384,)
    db.close()
    next_run = tmp_path / "more.txt"
    body = "区委书记主持召开全区经济工作会议，研究部署明年重点工作。" * 5
    next_run.write_text(f"一篇新稿件\n{body}", "utf-8")
    Engine(index).index([seeds, next_run])  # the next generation's copy keeps them
    db = sqlite3.connect(_store(index))
    assert db.execute("PRAGMA page_size").fetchone() == (16384,)
    db.close()
