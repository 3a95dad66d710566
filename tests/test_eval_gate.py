"""Quality gate: what ``benchmarks/extract.py`` measures must not fall below pinned floors.

- the cleaner's body F1 on every form of ``shared/corpora/extract-dev`` (HTML, one block a
  line, and the hard-wrapped text dumps);
- the headline, date and source accuracy on ``shared/corpora/extract-meta``;
- the share of xwlb's given JSON Lines titles that the index keeps;
- the order of results (``benchmarks/ranking.py``): MRR@10 and Success@10 per kind of
  query on the checking half of the 5,000-story set, pinned in ``data/ranking_check_5000.json``.

Each figure is compared with its floor in ``eval_baseline.json``. Raising a floor is normal;
lowering one is a visible, explained commit. A missing corpus is a failure, not a skip: CI has
``shared/`` beside the clone.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parents[1] / "benchmarks"))

import extract as bench

CORPUS = Path(
    os.environ.get("EXTRACT_DEV")
    or Path(__file__).resolve().parents[2] / "shared" / "corpora" / "extract-dev"
)
META_CORPUS = Path(
    os.environ.get("EXTRACT_META")
    or Path(__file__).resolve().parents[2] / "shared" / "corpora" / "extract-meta"
)
BASELINE = Path(__file__).resolve().parent / "eval_baseline.json"


def floor(name: str) -> Any:
    return json.loads(BASELINE.read_text(encoding="utf-8"))[name]


@pytest.fixture(scope="module")
def pages() -> list[bench.Page]:
    if not (CORPUS / "gold.json").is_file():
        pytest.fail(
            f"extract-dev corpus missing: expected {CORPUS}/gold.json and html/ "
            "(shared/corpora/ must sit beside the repository clone)",
            pytrace=False,
        )
    return bench.load_pages(CORPUS)


@pytest.mark.parametrize("form", bench.FORMS)
def test_f1_not_below_floor(pages: list[bench.Page], form: str) -> None:
    if form in bench.RENDERERS and shutil.which(bench.RENDERERS[form][0]) is None:
        pytest.fail(f"{form} is not installed (scripts/test.sh installs it)", pytrace=False)
    floor_f1 = floor(f"{form}_f1_floor")
    result = bench.evaluate(form, pages)
    assert result["pages"] == len(pages) > 0
    worst = sorted(result["per_page"].items(), key=lambda item: item[1]["f1"])[:3]
    worst_text = ", ".join(f"{page_id} {row['f1']:.1f}" for page_id, row in worst)
    assert result["f1"] >= floor_f1, (
        f"{form} form: measured F1 {result['f1']:.2f} < floor {floor_f1:.1f} "
        f"(P {result['precision']:.1f}, R {result['recall']:.1f}; worst pages: {worst_text}). "
        "See python benchmarks/extract.py --per-page; lowering the floor in "
        "tests/eval_baseline.json is a visible, explained commit."
    )


def test_score_definition() -> None:
    assert bench.score("甲乙丙", "甲 乙\n丙") == pytest.approx(100.0)
    assert bench.score("ＡＢ", "AB") == pytest.approx(100.0)  # NFKC
    assert bench.score("甲乙", "丙丁") == 0.0
    assert bench.score("", "甲乙") == 0.0
    # kept 甲乙乙丙 -> {甲乙, 乙乙, 乙丙}; gold 甲乙丙 -> {甲乙, 乙丙}: P 2/3, R 1, F1 0.8
    assert bench.score("甲乙乙丙", "甲乙丙") == pytest.approx(80.0)


def test_metadata_not_below_floors() -> None:
    if not (META_CORPUS / "gold.json").is_file():
        pytest.fail(f"extract-meta corpus missing: expected {META_CORPUS}/gold.json", pytrace=False)
    result = bench.evaluate_meta(bench.load_meta_pages(META_CORPUS))
    for field in bench.META_FIELDS:
        misses = ", ".join(f"{m['id']} got {m['got']!r}" for m in result["misses"][field][:3])
        assert result[field] >= floor(f"{field}_floor"), (
            f"extract-meta {field}: {result[field]:.1f}% < floor {floor(f'{field}_floor'):.1f}% "
            f"(misses: {misses}). See python benchmarks/extract.py --per-page."
        )


def test_given_titles_kept() -> None:
    result = bench.evaluate_given_titles(2000)
    assert result["kept"] >= floor("given_titles_floor"), (
        f"{len(result['lost'])} of {result['titles']} given titles lost: {result['lost'][:5]}"
    )


RANKING_QUERIES = Path(__file__).resolve().parent / "data" / "ranking_check_5000.json"


def test_ranking_not_below_floors(tmp_path: Path) -> None:
    import ranking

    from searcher.engine import Engine

    queries = json.loads(RANKING_QUERIES.read_text(encoding="utf-8"))
    index = tmp_path / "index"
    Engine(index).index([ranking.dump_for(5000)])
    figures = ranking.searcher_figures(index, queries)
    floors = floor("ranking")
    for kind, cell in figures.items():
        for measure in ("mrr10", "s10"):
            pinned = floors[kind][measure]
            assert cell[measure] >= pinned, (
                f"ranking, {kind} queries: {measure} {cell[measure]:.3f} < floor {pinned:.3f} "
                f"({cell['n']} queries of tests/data/ranking_check_5000.json). See python "
                "benchmarks/ranking.py --sizes 5000."
            )
