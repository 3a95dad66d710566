"""Quality gate: the cleaner's extraction F1 on extract-dev must not fall below pinned floors.

Scores both forms of every page of ``shared/corpora/extract-dev`` (beside the repo) with
``benchmarks/extract.py`` and compares each macro F1 with its floor in ``eval_baseline.json``.
Raising a floor is normal; lowering one is a visible, explained commit. A missing corpus is a
failure, not a skip: CI has ``shared/`` beside the clone.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parents[1] / "benchmarks"))

import extract as bench

CORPUS = Path(
    os.environ.get("EXTRACT_DEV")
    or Path(__file__).resolve().parents[2] / "shared" / "corpora" / "extract-dev"
)
BASELINE = Path(__file__).resolve().parent / "eval_baseline.json"


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
    floor = json.loads(BASELINE.read_text(encoding="utf-8"))[f"{form}_f1_floor"]
    result = bench.evaluate(form, pages)
    assert result["pages"] == len(pages) > 0
    worst = sorted(result["per_page"].items(), key=lambda item: item[1]["f1"])[:3]
    worst_text = ", ".join(f"{page_id} {row['f1']:.1f}" for page_id, row in worst)
    assert result["f1"] >= floor, (
        f"{form} form: measured F1 {result['f1']:.2f} < floor {floor:.1f} "
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
