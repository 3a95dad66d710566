"""Facet cost, measured in-process: the same queries with no facets, with searcher's facets,
and with Whoosh's own ``groupedby``, interleaved so a busy machine hurts all three alike.

    python benchmarks/facets.py --index /tmp/xwlb-index          # the 200 benchmark queries
    python benchmarks/facets.py --index DIR --rounds 3 --json benchmarks/out/facets.json

Modes, each one ``Engine`` call or its equivalent, page 1 of 10, warm:

``plain``
    ``Engine.search(q, since=, until=)``: ranked hits and the total, no facets.
``facets``
    ``Engine.search(..., facets=True)``: plus region/source/year counts and the monthly
    timeline over every match (what ``/`` and ``/api/search`` run).
``groupedby``
    ``plain`` with Whoosh's ``groupedby`` of ``FieldFacet`` region, source and month
    (``Count`` maps) added to its page; checked to give the same counts as ``facets``.

``broad``: five queries matching thousands of stories, an extra kind next to the five of
``queries.py`` (and in ``all``).

The index should hold the whole xwlb corpus (``benchmarks/xwlb.py``, then ``searcher index
benchmarks/out/xwlb-all.jsonl --index DIR``). Queries: ``queries.py`` (warm-up set first).
Tables per query kind: p50/p95/mean ms; the worst queries of each mode at the end.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import queries as querysets  # noqa: E402

from searcher.engine import Engine  # noqa: E402

MODES = ("plain", "facets", "groupedby")
#: Broad queries (thousands of matches, beyond ``ONE_PASS_MAX``), an extra kind: where the
#: ways of counting differ most.
BROAD = ("发展", "经济", "国家", "中国 发展", "建设 经济")


def grouped_counts(engine: Engine, query: dict[str, str]) -> dict[str, Counter[str]]:
    """The engine's own search (no facets), its Whoosh page collected with ``groupedby``:
    region (exact values), source and month counts."""
    from whoosh import sorting

    _, searcher = engine._open()
    facets = {
        n: sorting.FieldFacet(n, maptype=sorting.Count) for n in ("region", "source", "month")
    }
    pages = []
    search_page = searcher.search_page

    def grouped_page(q: Any, pagenum: int, pagelen: int = 10, **kwargs: Any) -> Any:
        pages.append(search_page(q, pagenum, pagelen=pagelen, groupedby=facets, **kwargs))
        return pages[-1]

    searcher.search_page = grouped_page
    try:
        engine.search(query["q"], **{k: query[k] for k in ("since", "until") if k in query})
    finally:
        del searcher.search_page
    return {name: Counter(pages[-1].results.groups(name)) for name in facets}


def run_one(engine: Engine, mode: str, query: dict[str, str]) -> tuple[float, int]:
    kwargs = {k: query[k] for k in ("since", "until") if k in query}
    started = time.perf_counter()
    if mode == "groupedby":
        counts = grouped_counts(engine, query)
        total = sum(counts["month"].values())
    else:
        total = engine.search(query["q"], facets=mode == "facets", **kwargs).total
    return (time.perf_counter() - started) * 1000, total


def check_same_counts(engine: Engine, query: dict[str, str]) -> None:
    kwargs = {k: query[k] for k in ("since", "until") if k in query}
    ours = engine.search(query["q"], facets=True, **kwargs).facets
    theirs = grouped_counts(engine, query)
    assert ours is not None
    months = {m.month: m.count for m in ours.timeline if m.count}
    theirs["month"].pop("", None)
    assert months == dict(theirs["month"]), query
    assert all(theirs["source"][v.value] == v.count for v in ours.source), query
    # Ours counts the regions under a region too; Whoosh counts exact values.
    assert all(theirs["region"][v.value] <= v.count for v in ours.region), query


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--index", type=Path, required=True, help="index of the xwlb corpus")
    parser.add_argument("--rounds", type=int, default=2, help="times each query runs per mode")
    parser.add_argument("--json", type=Path, help="save every latency here")
    args = parser.parse_args(argv)

    engine = Engine(args.index)
    timed = querysets.load() + [{"kind": "broad", "q": q} for q in BROAD]
    for query in querysets.load_warmup():
        for mode in MODES:
            run_one(engine, mode, query)
    for query in timed[::10]:
        check_same_counts(engine, query)

    records: dict[str, list[dict[str, Any]]] = {mode: [] for mode in MODES}
    for _ in range(args.rounds):
        for query in timed:
            for mode in MODES:
                ms, total = run_one(engine, mode, query)
                records[mode].append({"kind": query["kind"], "q": query["q"], "ms": ms,
                                      "hits": total})  # fmt: skip

    stats = engine.stats()
    print(f"index {args.index}: {stats['articles']} articles; {len(timed)} queries x "
          f"{args.rounds} rounds, modes interleaved\n")  # fmt: skip
    kinds = [*querysets.KINDS, "broad", "all"]
    print(f"{'kind':10} " + " ".join(f"{m + ' p50/p95/mean':>26}" for m in MODES))
    summaries = {mode: querysets.summarize(records[mode]) for mode in MODES}
    for kind in kinds:
        cells = []
        for mode in MODES:
            s = summaries[mode][kind]
            cells.append(f"{s['p50_ms']:8.1f}{s['p95_ms']:9.1f}{s['mean_ms']:9.1f}")
        print(f"{kind:10} " + " ".join(f"{c:>26}" for c in cells))
    print()
    for mode in MODES:
        worst = sorted(records[mode], key=lambda r: -r["ms"])[:3]
        shown = ", ".join(f"{r['q']} ({r['hits']} hits) {r['ms']:.0f} ms" for r in worst)
        print(f"slowest {mode}: {shown}")
    if args.json:
        args.json.write_text(
            json.dumps({"summary": summaries, "records": records}, ensure_ascii=False, indent=1)
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
