"""A short soak of ``searcher serve``: clients browse while an index run swaps generations.

The full run (32 clients, 60 s, the whole xwlb corpus) is ``benchmarks/web_soak.py``; this is
the same program on the seed index, small enough for every test run.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"
QUERIES = ["文明城市", "川汇区", "脱贫攻坚", "网格化管理", "工作", '"创建全国文明城市"', "河长制"]


def test_clients_get_no_error_while_an_index_run_swaps_generations(
    seed_index: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sys.path.insert(0, str(BENCHMARKS))
    try:
        import web_soak
    finally:
        sys.path.remove(str(BENCHMARKS))
    queries = tmp_path / "queries.json"
    queries.write_text(json.dumps([{"kind": "seed", "q": q} for q in QUERIES], ensure_ascii=False))
    dump = tmp_path / "update.jsonl"
    story = {
        "url": "http://x.gov.cn/1",
        "date": "2024-05-01",
        "title": f"{web_soak.MARKER}：川汇区推进河长制工作",
        "text": "川汇区召开河长制工作推进会，要求各级河长履职尽责，确保河湖水质持续改善。",
    }
    dump.write_text(json.dumps(story, ensure_ascii=False) + "\n")
    status = web_soak.main([
        "--index", str(seed_index), "--clients", "8", "--seconds", "4", "--swap-at", "1",
        "--after-swap", "2", "--threads", "4", "--queries", str(queries),
        "--update-with", str(dump),
    ])  # fmt: skip
    out = capsys.readouterr().out
    assert status == 0, out
    assert ": 0 errors, 0 5xx" in out
    assert "the server follows the new generation" in out
