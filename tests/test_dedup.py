"""Duplicates: reposted copies collapse into one cluster, shown once with its copies listed."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from searcher.cli import main
from searcher.dedup import _SEED, NUM_PERM, jaccard, minhash_class, shingles, signature


def run(*args: str) -> str:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.stderr
    return result.stdout


def test_reposts_collapse_into_one_cluster(tmp_path: Path, seeds: Path) -> None:
    original = next(seeds.glob("002_*.txt")).read_text("utf-8")
    dumps = tmp_path / "dumps"
    (dumps / "a").mkdir(parents=True)
    (dumps / "b").mkdir()
    (dumps / "a" / "original.txt").write_text(original, "utf-8")
    (dumps / "b" / "exact-copy.txt").write_text(original, "utf-8")
    # A repost that drops the last paragraph and changes a name: a near duplicate.
    paragraphs = original.split("\n\n")
    last = next(i for i, p in enumerate(paragraphs) if p.strip().startswith("施恩佩"))
    repost = "\n\n".join(paragraphs[:last] + paragraphs[last + 1 :]).replace("张建闯", "张某某")
    (dumps / "b" / "repost.txt").write_text(repost, "utf-8")
    index = str(tmp_path / "ix")
    run("index", str(dumps), "--index", index)

    result = json.loads(run("search", "徐子佳", "--index", index, "--json"))
    assert result["total"] == 1
    hit = result["hits"][0]
    assert len(hit["duplicates"]) == 2
    assert {Path(d["path"]).name for d in hit["duplicates"]} | {Path(hit["path"]).name} == {
        "original.txt", "exact-copy.txt", "repost.txt",
    }  # fmt: skip

    shown = [json.loads(line) for line in run("export", "--index", index).splitlines()]
    every = [
        json.loads(line) for line in run("export", "--all-copies", "--index", index).splitlines()
    ]
    assert len(shown) == 1 and len(every) == 3
    assert "施恩佩" in shown[0]["text"], "the most complete copy is the one shown"


def test_different_articles_stay_apart(seed_index: Path) -> None:
    records = [json.loads(x) for x in run("export", "--index", str(seed_index)).splitlines()]
    assert all(r["duplicates"] == [] for r in records)


def test_jaccard_of_five_gram_sets() -> None:
    text = "川汇区召开创建全国文明城市提名城市工作推进会传达贯彻全市推进会精神"
    assert jaccard(shingles(text), shingles(text)) == 1.0
    assert jaccard(shingles(text), shingles("完全无关的另一段文字内容")) == 0.0


def test_signature_is_datasketchs_minhash_of_the_shingles(seeds: Path) -> None:
    # signature() loads datasketch's MinHash module alone (the package imports scipy) and
    # hands it Python ints (4x faster than numpy scalars); the signature must be the one
    # the datasketch package computes from the shingle array itself, or the near copies
    # stored by earlier runs would no longer be found.
    import datasketch

    text = next(seeds.glob("002_*.txt")).read_text("utf-8")
    expected = signature(text)
    minhash = datasketch.MinHash(num_perm=NUM_PERM, seed=_SEED, hashfunc=int, scheme="affine32")
    minhash.update_batch(shingles(text))
    assert minhash_class() is datasketch.MinHash
    assert (expected == minhash.hashvalues).all()
    assert len(set(signature(text).tolist())) > NUM_PERM // 2
