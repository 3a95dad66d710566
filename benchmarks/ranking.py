"""Ranking benchmark: does the story a reader remembers come first?

For each size (the first N stories of ``out/xwlb-all.jsonl``), seeded query sets of four
kinds, each drawn from one target story and made only of what a reader would remember:

``body``
    2-3 distinctive words of the body (rjieba words, from the rarer half of the story's words
    by document frequency over the subset, none in its title);
``title``
    1-3 words of the title;
``phrase``
    a quoted 4-8 character run of whole words of the body, first and last words of 2
    characters or more (no phrase starting with 的 or ending with 等);
``name``
    a person's or a place's name (rjieba.tag ``nr*`` with a common surname first, or ``ns``
    ending in a place word such as 省/市/县/岛, as ``queries.py`` checks) plus a topic word
    of the story (one of its five highest tf-idf words).

A query is kept only if it matches at least 2 stories (searcher's ``total``; for a phrase,
the stories whose title or text holds it), and each kind is drawn per band of matches
(2-4, 5-12, 13-40) so all three are represented equally. Each kind has a tuning half and a
checking half drawn with different seeds. Reported per kind and half: MRR@10, Success@1,
Success@10 of the target story (matched by url) for searcher, stock Whoosh + jieba
(``stock_baseline.py rank`` in ``out/venv-stock``), SQLite FTS5 bm25() over rjieba tokens
(``fts5_baseline.py rank``) and a seeded shuffle of searcher's own matches (the floor).

Everything generated (dumps, indexes, query sets) is cached in ``out/ranking/``.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import re
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
OUT = HERE / "out"
WORK = OUT / "ranking"
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(REPO))

from queries import PLACE_ENDINGS, SURNAMES  # noqa: E402

KINDS = ("body", "title", "phrase", "name")
BANDS = ((2, 4), (5, 12), (13, 40))
HALVES = ("tune", "check")
SEED = 20261202
SYSTEMS = ("searcher", "stock-whoosh", "fts5-rjieba", "shuffled")
_CJK_RE = re.compile(r"^[\u4e00-\u9fff]+$")
_BOILERPLATE = {"央视网", "新闻联播", "消息", "记者", "报道"}
#: A draw gives up after this many candidates per wanted query.
TRIES_PER_QUERY = 400

Story = dict[str, Any]


def log(message: str) -> None:
    print(f"[ranking {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def is_word(word: str, low: int = 2) -> bool:
    return len(word) >= low and bool(_CJK_RE.match(word)) and word not in _BOILERPLATE


# --------------------------------------------------------------------------- corpus


def dump_for(size: int) -> Path:
    """The first ``size`` stories of ``xwlb-all.jsonl`` (built by ``xwlb.py``), cached."""
    source = OUT / "xwlb-all.jsonl"
    if not source.exists():
        subprocess.run([sys.executable, str(HERE / "xwlb.py")], check=True)
    path = WORK / f"xwlb-{size}.jsonl"
    if not path.exists():
        WORK.mkdir(parents=True, exist_ok=True)
        lines = []
        with source.open(encoding="utf-8") as handle:
            for line in handle:
                if line.strip():
                    lines.append(line)
                if len(lines) == size:
                    break
        path.with_suffix(".tmp").write_text("".join(lines), encoding="utf-8")
        path.with_suffix(".tmp").replace(path)
    return path


class Corpus:
    """The stories of a dump with their rjieba words and document frequencies."""

    def __init__(self, dump: Path) -> None:
        import rjieba

        self.stories: list[Story] = [
            json.loads(line) for line in dump.read_text(encoding="utf-8").splitlines() if line
        ]
        self.title_words: list[list[str]] = []
        self.body_words: list[list[str]] = []  # the body as rjieba tokens, in order
        self.df: Counter[str] = Counter()
        for story in self.stories:
            title = [w for w in rjieba.cut(story.get("title") or "") if not w.isspace()]
            body = [w for w in rjieba.cut(story["text"]) if not w.isspace()]
            self.title_words.append(title)
            self.body_words.append(body)
            self.df.update({w for w in title + body if is_word(w)})
        self.haystacks = [(s.get("title") or "") + "\n" + s["text"] for s in self.stories]
        self._tags: dict[int, list[tuple[str, str]]] = {}

    def tags(self, i: int) -> list[tuple[str, str]]:
        import rjieba

        if i not in self._tags:
            self._tags[i] = rjieba.tag(self.stories[i]["text"])
        return self._tags[i]

    def grep_count(self, phrase: str) -> int:
        return sum(1 for h in self.haystacks if phrase in h)

    def top_words(self, i: int, n: int = 5) -> list[str]:
        """The story's ``n`` highest tf-idf words (title and body)."""
        tf = Counter(w for w in self.title_words[i] + self.body_words[i] if is_word(w))
        total = len(self.stories)
        scored = sorted(tf, key=lambda w: -tf[w] * math.log(total / self.df[w]))
        return scored[:n]


# --------------------------------------------------------------------------- query draw


def candidate(kind: str, corpus: Corpus, i: int, rng: random.Random) -> str | None:
    """One query of ``kind`` drawn from story ``i``, or None if the story has none."""
    title = corpus.title_words[i]
    body = corpus.body_words[i]
    if kind == "body":
        in_title = set(title)
        title_text = corpus.stories[i].get("title") or ""
        words = sorted(
            {w for w in body if is_word(w) and w not in in_title and w not in title_text},
            key=lambda w: (corpus.df[w], w),
        )
        rarer = words[: max(3, len(words) // 2)]
        if len(rarer) < 3:
            return None
        return " ".join(rng.sample(rarer, rng.choice((2, 3))))
    if kind == "title":
        words = list(dict.fromkeys(w for w in title if is_word(w)))
        if not words:
            return None
        k = min(len(words), rng.choice((1, 2, 3)))
        picked = sorted(rng.sample(range(len(words)), k))
        return " ".join(words[j] for j in picked)
    if kind == "phrase":
        for _ in range(8):
            start = rng.randrange(len(body))
            run = ""
            run, last = "", ""
            if len(body[start]) < 2:  # start and end on a content word, not on 的/和/等
                continue
            for token in body[start:]:
                if not _CJK_RE.match(token) or len(run) + len(token) > 8:
                    break
                run, last = run + token, token
                if len(run) >= 4 and len(last) >= 2 and rng.random() < 0.5:
                    break
            if 4 <= len(run) <= 8 and len(last) >= 2:
                return f'"{run}"'
        return None
    if kind == "name":
        names = sorted(
            {
                w
                for w, tag in corpus.tags(i)
                if is_word(w)
                and (
                    (tag.startswith("nr") and len(w) <= 3 and w[0] in SURNAMES)
                    or (tag == "ns" and len(w) <= 4 and w.endswith(PLACE_ENDINGS))
                )
            }
        )
        if not names:
            return None
        name = rng.choice(names)
        topics = [w for w in corpus.top_words(i, 6) if name not in w and w not in name]
        if not topics:
            return None
        return f"{name} {rng.choice(topics[:5])}"
    raise ValueError(kind)


def draw(
    kind: str,
    per_band: int,
    corpus: Corpus,
    count: Callable[[str], int],
    seed: int,
    taken: set[str],
) -> list[dict[str, Any]]:
    """``per_band`` queries of ``kind`` in each band of match counts, seeded."""
    rng = random.Random(f"{seed}:{kind}")
    want = {band: per_band for band in BANDS}
    out: list[dict[str, Any]] = []
    for _ in range(TRIES_PER_QUERY * per_band * len(BANDS)):
        if not any(want.values()):
            break
        i = rng.randrange(len(corpus.stories))
        q = candidate(kind, corpus, i, rng)
        if q is None or q in taken:
            continue
        n = corpus.grep_count(q.strip('"')) if kind == "phrase" else count(q)
        band = next((b for b in BANDS if b[0] <= n <= b[1]), None)
        if band is None or not want[band]:
            continue
        want[band] -= 1
        taken.add(q)
        out.append(
            {"kind": kind, "q": q, "target": corpus.stories[i]["url"], "matches": n,
             "band": f"{band[0]}-{band[1]}"}
        )  # fmt: skip
    short = {f"{b[0]}-{b[1]}": n for b, n in want.items() if n}
    if short:
        log(f"{kind}: seed {seed}: bands short of queries: {short}")
    return out


def query_sets(
    size: int, per_half: int, corpus: Corpus, engine: Any, seed: int
) -> dict[str, list[dict[str, Any]]]:
    """The tuning and checking halves (``per_half`` per kind), cached per size and seed."""
    path = WORK / f"queries-{size}-{per_half}-{seed}.json"
    if path.exists():
        return json.loads(path.read_text(encoding="utf-8"))
    per_band = max(1, per_half // len(BANDS))
    taken: set[str] = set()
    cache: dict[str, int] = {}

    def count(q: str) -> int:
        if q not in cache:
            cache[q] = engine.search(q, limit=1).total
        return cache[q]

    sets: dict[str, list[dict[str, Any]]] = {}
    for h, half in enumerate(HALVES):
        sets[half] = []
        for kind in KINDS:
            sets[half] += draw(kind, per_band, corpus, count, seed + 1000 * h, taken)
    path.write_text(json.dumps(sets, ensure_ascii=False, indent=1), encoding="utf-8")
    return sets


# --------------------------------------------------------------------------- systems


def searcher_index(size: int, dump: Path) -> Path:
    index = WORK / f"searcher-{size}"
    done = index.with_name(index.name + ".done")
    if not done.exists():
        log(f"searcher: indexing {dump.name}")
        cmd = [sys.executable, "-m", "searcher.cli", "index", str(dump), "--index", str(index)]
        subprocess.run([*cmd, "--rebuild"], check=True, cwd=REPO, stdout=subprocess.DEVNULL)
        done.touch()
    return index


def baseline_rank(
    name: str, python: str, script: str, size: int, dump: Path, queries: list[dict[str, Any]]
) -> list[list[str]]:
    """Index ``dump`` with a baseline script once (cached), then its ``rank`` mode's top 10s."""
    short = name.split("-")[0]
    index = WORK / (f"{short}-{size}.db" if short == "fts5" else f"{short}-{size}")
    done = index.with_name(index.name + ".done")
    if not done.exists():
        log(f"{name}: indexing {dump.name}")
        subprocess.run(
            [python, str(HERE / script), "index", str(dump), str(index)],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        done.touch()
    qfile = WORK / f"rank-queries-{size}.json"
    qfile.write_text(json.dumps(queries, ensure_ascii=False), encoding="utf-8")
    log(f"{name}: ranking {len(queries)} queries")
    proc = subprocess.run(
        [python, str(HERE / script), "rank", str(index), str(qfile)],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(proc.stdout.strip().splitlines()[-1])["top"]


def dedupe(urls: Sequence[str]) -> list[str]:
    return list(dict.fromkeys(urls))


def shown_url(hit: Any, urls: dict[str, str], target: str) -> str:
    """The story a hit stands for: the target when it is one of the hit's copies (searcher
    shows a cluster of near-duplicates as one hit, its other copies listed under it), else
    the shown copy's url."""
    if any(urls.get(copy["id"]) == target for copy in hit.duplicates):
        return target
    return urls[hit.id]


def searcher_rank(
    engine: Any, urls: dict[str, str], queries: list[dict[str, Any]], seed: int
) -> tuple[list[list[str]], list[list[str]], list[float]]:
    """searcher's top 10 (story urls, best first), the shuffled floor, and latencies in ms."""
    ranked, shuffled, ms = [], [], []
    for n, query in enumerate(queries):
        started = time.perf_counter()
        result = engine.search(query["q"], limit=10)
        ms.append((time.perf_counter() - started) * 1000)
        ranked.append(dedupe(shown_url(hit, urls, query["target"]) for hit in result.hits)[:10])
        everything = engine.search(query["q"], limit=10_000)
        pool = dedupe(shown_url(hit, urls, query["target"]) for hit in everything.hits)
        random.Random(f"{seed}:shuffle:{n}:{query['q']}").shuffle(pool)
        shuffled.append(pool[:10])
    return ranked, shuffled, ms


# --------------------------------------------------------------------------- scoring


def phrase_ceiling(corpus: Corpus, queries: list[dict[str, Any]]) -> dict[str, float]:
    """The best any order can do on phrase queries, expected over ties: each story holding
    the phrase ranked by how likely the draw was to take the phrase from it (its count in
    the body over the body's length), so a phrase that many stories hold once each is as
    good as a guess among them. Also per band of matches."""
    rr: dict[str, list[float]] = {}
    s1: list[float] = []
    s10: list[float] = []
    for query in queries:
        phrase = query["q"].strip('"')
        # Stories with the same text are one result (searcher shows copies as one hit).
        holders: dict[str, set[str]] = {}
        for story, hay in zip(corpus.stories, corpus.haystacks, strict=True):
            if phrase in hay:
                holders.setdefault(story["text"], set()).add(story["url"])
        odds = [
            (text.count(phrase) / max(len(text), 1), query["target"] in urls)
            for text, urls in holders.items()
        ]
        target = max(p for p, is_target in odds if is_target)
        better = sum(1 for p, _ in odds if p > target)
        ties = sum(1 for p, _ in odds if p == target)  # the target among them
        ranks = range(better + 1, better + ties + 1)
        rr.setdefault(query["band"], []).append(sum(1 / r for r in ranks if r <= 10) / ties)
        s1.append(1 / ties if better == 0 else 0.0)
        s10.append(sum(1 for r in ranks if r <= 10) / ties)
    every = [x for values in rr.values() for x in values]
    n = len(every) or 1
    out = {"mrr10": sum(every) / n, "s1": sum(s1) / n, "s10": sum(s10) / n}
    out.update({f"mrr10 {band}": sum(v) / len(v) for band, v in sorted(rr.items())})
    return out


def scores(tops: list[list[str]], queries: list[dict[str, Any]]) -> dict[str, float]:
    """MRR@10, Success@1 and Success@10 of the targets in ``tops``."""
    rr, s1, s10 = [], [], []
    for top, query in zip(tops, queries, strict=True):
        top = dedupe(top)[:10]
        rank = top.index(query["target"]) + 1 if query["target"] in top else None
        rr.append(1 / rank if rank else 0.0)
        s1.append(rank == 1)
        s10.append(rank is not None)
    n = len(queries) or 1
    return {"n": len(queries), "mrr10": sum(rr) / n, "s1": sum(s1) / n, "s10": sum(s10) / n}


def searcher_figures(index: Path, queries: list[dict[str, Any]]) -> dict[str, dict[str, float]]:
    """searcher's MRR@10, Success@1 and Success@10 on ``queries``, per kind and for all:
    what the eval gate (``tests/test_eval_gate.py``) pins on the pinned checking half."""
    from searcher.engine import Engine

    engine = Engine(index)
    urls = {article.id: article.url for article in engine.export(all_copies=True)}
    tops = [
        dedupe(shown_url(hit, urls, q["target"]) for hit in engine.search(q["q"]).hits)[:10]
        for q in queries
    ]
    engine.close()
    return per_kind(tops, queries)


def per_kind(tops: list[list[str]], queries: list[dict[str, Any]]) -> dict[str, dict[str, float]]:
    """:func:`scores` of each kind of query, and of all of them."""
    out = {}
    for kind in (*KINDS, "all"):
        idx = [j for j, q in enumerate(queries) if kind in ("all", q["kind"])]
        out[kind] = scores([tops[j] for j in idx], [queries[j] for j in idx])
    return out


def table(size: int, figures: dict[str, Any], systems: Sequence[str]) -> str:
    lines = [
        f"### {size:,} stories",
        "",
        "| kind | half | n | " + " | ".join(systems) + " |",
        "| --- | --- | ---: | " + " | ".join("---:" for _ in systems) + " |",
    ]
    for kind in (*KINDS, "all"):
        for half in HALVES:
            cell = figures[half][kind]
            n = cell[systems[0]]["n"]
            row = [
                f"{cell[s]['mrr10']:.3f} / {cell[s]['s1']:.0%} / {cell[s]['s10']:.0%}"
                for s in systems
            ]
            lines.append(f"| {kind} | {half} | {n} | " + " | ".join(row) + " |")
    lines.append("")
    lines.append("cells: MRR@10 / Success@1 / Success@10")
    return "\n".join(lines)


# --------------------------------------------------------------------------- main


def run_size(size: int, per_half: int, seed: int, systems: Sequence[str]) -> dict[str, Any]:
    from searcher.engine import Engine

    started = time.perf_counter()
    dump = dump_for(size)
    index = searcher_index(size, dump)
    engine = Engine(index)
    engine.warm()
    urls = {article.id: article.url for article in engine.export(all_copies=True)}
    log(f"{size}: segmenting {dump.name}")
    corpus = Corpus(dump)
    log(f"{size}: drawing queries")
    sets = query_sets(size, per_half, corpus, engine, seed)
    queries = [q for half in HALVES for q in sets[half]]
    log(f"{size}: {len(queries)} queries; searcher ranking")
    tops: dict[str, list[list[str]]] = {}
    tops["searcher"], tops["shuffled"], ms = searcher_rank(engine, urls, queries, seed)
    engine.close()
    if "stock-whoosh" in systems:
        from perf import ensure_stock_venv

        python = str(ensure_stock_venv())
        tops["stock-whoosh"] = baseline_rank(
            "stock-whoosh", python, "stock_baseline.py", size, dump, queries
        )
    if "fts5-rjieba" in systems:
        tops["fts5-rjieba"] = baseline_rank(
            "fts5-rjieba", sys.executable, "fts5_baseline.py", size, dump, queries
        )
    figures: dict[str, Any] = {}
    offset = 0
    for half in HALVES:
        qs = sets[half]
        part = {s: tops[s][offset : offset + len(qs)] for s in systems}
        offset += len(qs)
        by_system = {s: per_kind(part[s], qs) for s in systems}
        figures[half] = {kind: {s: by_system[s][kind] for s in systems} for kind in (*KINDS, "all")}
        for q, *per in zip(qs, *(part[s] for s in systems), strict=True):
            q["ranks"] = {
                s: (dedupe(top).index(q["target"]) + 1 if q["target"] in top else None)
                for s, top in zip(systems, per, strict=True)
            }
    ceiling = {
        half: phrase_ceiling(corpus, [q for q in sets[half] if q["kind"] == "phrase"])
        for half in HALVES
    }
    ms.sort()
    return {
        "size": size,
        "figures": figures,
        "phrase_ceiling": ceiling,
        "queries": sets,
        "searcher_p50_ms": ms[len(ms) // 2] if ms else None,
        "seconds": time.perf_counter() - started,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="5000,20000", help="first N stories (%(default)s)")
    parser.add_argument(
        "--per-half", type=int, default=90, help="queries per kind per half (%(default)s)"
    )
    parser.add_argument("--quick", action="store_true", help="--sizes 5000 --per-half 15")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--systems", default=",".join(SYSTEMS))
    parser.add_argument("--json", type=Path, help="write raw figures and every query here")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    per_half = args.per_half
    if args.quick:
        sizes, per_half = [5000], 15
    systems = [s for s in SYSTEMS if s in args.systems.split(",")]
    WORK.mkdir(parents=True, exist_ok=True)
    report = []
    for size in sizes:
        result = run_size(size, per_half, args.seed, systems)
        report.append(result)
        print(table(size, result["figures"], systems))
        for half, best in result["phrase_ceiling"].items():
            bands = ", ".join(f"{k[6:]} {v:.3f}" for k, v in best.items() if k.startswith("mrr10 "))
            print(
                f"phrase ceiling ({half}; the best any order can do): MRR@10 {best['mrr10']:.3f}"
                f" / {best['s1']:.0%} / {best['s10']:.0%}; MRR@10 by matches: {bands}"
            )
        print(
            f"\n({result['seconds']:.0f} s; searcher p50 {result['searcher_p50_ms']:.1f} ms"
            " per top-10 query)\n",
            flush=True,
        )
    if args.json:
        args.json.write_text(
            json.dumps({"seed": args.seed, "per_half": per_half, "runs": report},
                       ensure_ascii=False, indent=1),
            encoding="utf-8",
        )  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
