"""A fixed, seeded set of benchmark queries drawn from the xwlb corpus.

200 queries, 40 of each kind:

``common``
    one word found in many stories (2%–50% of them; the boilerplate in every story is left out);
``two_words``
    two words, separated by a space, that occur together in one story;
``rare_name``
    a 2–4 character person or place name found in at most five stories of the whole corpus
    (jieba tags ``nr``/``ns``, checked against a surname list and place-name endings);
``phrase``
    a real 4–10 character run of whole words from a story, in double quotes;
``filtered``
    a word plus a date range (``since``/``until``, inclusive, 7 days to a year) around a story
    that contains it.

Words come from rjieba's segmentation. Every query is drawn from the first 2,000 stories (the
smallest subset; subsets are nested prefixes) so it has something to find in every subset,
while frequencies ("common", "rare") are counted over the whole corpus. A second, smaller set
with another seed (:func:`load_warmup`) warms a searcher up without touching the timed queries,
so a result cache cannot flatter anyone.

Each query is ``{"kind", "q"}`` plus ``"since"``/``"until"`` (``YYYY-MM-DD``) for ``filtered``.
The set is cached as ``benchmarks/out/queries.json``; ``python benchmarks/queries.py`` prints
a summary (``--force`` draws it again).

The module's helpers for reading a query file, timing a query set and summarizing latencies
use only the standard library, so the stock-Whoosh baseline can import them from its own venv.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import random
import re
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
QUERIES_PATH = OUT / "queries.json"
WARMUP_PATH = OUT / "queries-warmup.json"

SEED = 20240913
WARMUP_SEED = SEED + 1
KINDS = ("common", "two_words", "rare_name", "phrase", "filtered")
PER_KIND = 40
WARMUP_PER_KIND = 5
#: Queries are drawn from this many first stories (the smallest subset).
SOURCE_STORIES = 2000

#: jieba's name tags are noisy ("祝福歌" nr, "回京" ns), so a name must also look like one: a
#: person (nr, 2–3 characters, a common surname first) or a place (ns ending in a place word).
SURNAMES = set(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝"
    "龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞"
    "左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕"
    "屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧"
    "闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝"
)
PLACE_ENDINGS = tuple("省市县区镇乡村州旗盟岛湾港山江河湖峡谷岭")
_CJK_RE = re.compile(r"^[\u4e00-\u9fff]+$")
#: Words of the per-story boilerplate (“央视网消息（新闻联播）：”) are never drawn.
_BOILERPLATE = ("央视网", "新闻联播", "消息")

Query = dict[str, str]


def is_cjk_word(word: str, low: int = 2, high: int = 99) -> bool:
    """A run of ``low``–``high`` CJK ideographs."""
    return low <= len(word) <= high and bool(_CJK_RE.match(word))


def _read_stories(dump: Path) -> list[dict[str, str]]:
    with dump.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


class _Stats:
    """Per-story tagged tokens for the source stories, document frequencies for all."""

    def __init__(self, stories: Sequence[dict[str, str]], source: int) -> None:
        import rjieba  # only needed to draw the set, not to read it

        self.total = len(stories)
        self.df: Counter[str] = Counter()
        self.tags: dict[str, Counter[str]] = {}
        self.source: list[dict[str, Any]] = []
        for index, story in enumerate(stories):
            paragraphs = [story.get("title", ""), *story["text"].split("\n")]
            tagged = [rjieba.tag(p) for p in paragraphs if p]
            words = {w for para in tagged for w, _ in para}
            self.df.update(words)
            if index < source:
                for para in tagged:
                    for word, tag in para:
                        self.tags.setdefault(word, Counter())[tag] += 1
                self.source.append({"date": story["date"], "paragraphs": tagged, "words": words})

    def tag(self, word: str) -> str:
        counts = self.tags.get(word)
        return counts.most_common(1)[0][0] if counts else ""

    def drawable(self, word: str) -> bool:
        return is_cjk_word(word) and not any(b in word for b in _BOILERPLATE)


def _pick(rng: random.Random, pool: Iterable[str], count: int, taken: set[str]) -> list[str]:
    candidates = sorted(set(pool) - taken)
    chosen = rng.sample(candidates, min(count, len(candidates)))
    taken.update(chosen)
    return chosen


def _draw_common(stats: _Stats, rng: random.Random, count: int, taken: set[str]) -> list[Query]:
    low, high = max(2, int(0.02 * stats.total)), int(0.5 * stats.total)
    source_words = set().union(*(s["words"] for s in stats.source))
    pool = [w for w in source_words if stats.drawable(w) and low <= stats.df[w] <= high]
    return [{"kind": "common", "q": w} for w in _pick(rng, pool, count, taken)]


def _story_words(stats: _Stats, story: dict[str, Any], low: int, high: int) -> list[str]:
    words = {w for w in story["words"] if stats.drawable(w) and low <= stats.df[w] <= high}
    return sorted(words)


def _draw_two_words(stats: _Stats, rng: random.Random, count: int, taken: set[str]) -> list[Query]:
    out: list[Query] = []
    high = int(0.3 * stats.total)
    for _ in range(count * 50):
        if len(out) == count:
            break
        story = rng.choice(stats.source)
        words = _story_words(stats, story, 20, high)
        if len(words) < 2:
            continue
        first, second = rng.sample(words, 2)
        q = f"{first} {second}"
        if q not in taken and f"{second} {first}" not in taken:
            taken.add(q)
            out.append({"kind": "two_words", "q": q})
    return out


def _looks_like_name(word: str, tag: str) -> bool:
    if tag == "nr":
        return len(word) <= 3 and word[0] in SURNAMES
    return tag == "ns" and len(word) >= 3 and word.endswith(PLACE_ENDINGS)


def _draw_rare_names(stats: _Stats, rng: random.Random, count: int, taken: set[str]) -> list[Query]:
    pool = [
        w
        for w in stats.tags
        if is_cjk_word(w, 2, 4) and 1 <= stats.df[w] <= 5 and _looks_like_name(w, stats.tag(w))
    ]
    return [{"kind": "rare_name", "q": w} for w in _pick(rng, pool, count, taken)]


def _draw_phrases(stats: _Stats, rng: random.Random, count: int, taken: set[str]) -> list[Query]:
    out: list[Query] = []
    for _ in range(count * 200):
        if len(out) == count:
            break
        story = rng.choice(stats.source)
        paragraph = [w for w, _ in rng.choice(story["paragraphs"])]
        if len(paragraph) < 2:
            continue
        start = rng.randrange(len(paragraph))
        target = rng.randint(4, 10)
        phrase, words = "", 0
        for word in paragraph[start:]:
            if not is_cjk_word(word, 1) or len(phrase) + len(word) > 10:
                break
            phrase, words = phrase + word, words + 1
            if len(phrase) >= target:
                break
        if len(phrase) < 4 or words < 2 or any(b in phrase for b in _BOILERPLATE):
            continue
        if phrase not in taken:
            taken.add(phrase)
            out.append({"kind": "phrase", "q": f'"{phrase}"'})
    return out


def _draw_filtered(stats: _Stats, rng: random.Random, count: int, taken: set[str]) -> list[Query]:
    out: list[Query] = []
    high = int(0.5 * stats.total)
    for _ in range(count * 50):
        if len(out) == count:
            break
        story = rng.choice(stats.source)
        words = [w for w in _story_words(stats, story, 10, high) if w not in taken]
        if not words:
            continue
        word = rng.choice(words)
        days = rng.choice((7, 30, 90, 365))
        day = dt.date.fromisoformat(story["date"])
        since = day - dt.timedelta(days=rng.randrange(days))
        until = since + dt.timedelta(days=days - 1)
        taken.add(word)
        out.append(
            {"kind": "filtered", "q": word, "since": since.isoformat(), "until": until.isoformat()}
        )
    return out


_DRAW = {
    "common": _draw_common,
    "two_words": _draw_two_words,
    "rare_name": _draw_rare_names,
    "phrase": _draw_phrases,
    "filtered": _draw_filtered,
}


def generate(
    dump: Path, seed: int = SEED, per_kind: int = PER_KIND, source: int = SOURCE_STORIES
) -> list[Query]:
    """Draw ``per_kind`` queries of each kind from ``dump`` (the whole corpus), seeded."""
    stats = _Stats(_read_stories(dump), source)
    return draw(stats, seed, per_kind)


def draw(stats: _Stats, seed: int, per_kind: int) -> list[Query]:
    queries: list[Query] = []
    taken: set[str] = set()
    for kind in KINDS:
        rng = random.Random(f"{seed}:{kind}")
        drawn = _DRAW[kind](stats, rng, per_kind, taken)
        if len(drawn) < per_kind:
            raise RuntimeError(f"only {len(drawn)} {kind} queries could be drawn")
        queries.extend(drawn)
    return queries


def _default_dump() -> Path:
    sys.path.insert(0, str(HERE))
    import xwlb

    return xwlb.build()["all"]


def load(dump: Path | None = None, force: bool = False) -> list[Query]:
    """The timed query set from ``out/queries.json``, drawn (and cached) first if missing."""
    _ensure(dump, force)
    return read(QUERIES_PATH)


def load_warmup(dump: Path | None = None, force: bool = False) -> list[Query]:
    """The warm-up set (another seed, 5 per kind) from ``out/queries-warmup.json``."""
    _ensure(dump, force)
    return read(WARMUP_PATH)


def _ensure(dump: Path | None, force: bool) -> None:
    if not force and QUERIES_PATH.exists() and WARMUP_PATH.exists():
        return
    stats = _Stats(_read_stories(dump or _default_dump()), SOURCE_STORIES)
    timed = draw(stats, SEED, PER_KIND)
    timed_keys = {(q["q"], q.get("since")) for q in timed}
    warm = [
        q for q in draw(stats, WARMUP_SEED, PER_KIND) if (q["q"], q.get("since")) not in timed_keys
    ]
    by_kind: dict[str, list[Query]] = {}
    for q in warm:
        by_kind.setdefault(q["kind"], []).append(q)
    warm = [q for kind in KINDS for q in by_kind.get(kind, [])[:WARMUP_PER_KIND]]
    write(QUERIES_PATH, timed)
    write(WARMUP_PATH, warm)


def write(path: Path, queries: Sequence[Query]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = "[\n" + ",\n".join(json.dumps(q, ensure_ascii=False) for q in queries) + "\n]\n"
    path.write_text(text, encoding="utf-8")


def read(path: Path) -> list[Query]:
    """A query file: a JSON list of ``{"kind", "q", "since"?, "until"?}``."""
    return json.loads(Path(path).read_text(encoding="utf-8"))


# --------------------------------------------------------------------------- summaries


def percentile(values: Sequence[float], pct: float) -> float:
    """The ``pct`` percentile (0–100) with linear interpolation; NaN for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = (len(ordered) - 1) * pct / 100
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def summarize(results: Sequence[dict[str, Any]]) -> dict[str, dict[str, float]]:
    """Per kind (and ``all``): n, p50/p95/p99/mean ms, median hits, share of zero-hit queries.

    ``results`` are ``{"kind", "ms", "hits"}`` records (``hits`` may be None if unknown); one
    with an ``error`` counts in ``errors`` only.
    """
    groups: dict[str, list[dict[str, Any]]] = {}
    for r in results:
        groups.setdefault(r["kind"], []).append(r)
    groups["all"] = list(results)
    out: dict[str, dict[str, float]] = {}
    for kind, every in groups.items():
        rows = [r for r in every if not r.get("error")]
        ms = [r["ms"] for r in rows]
        hits = [r["hits"] for r in rows if r.get("hits") is not None]
        out[kind] = {
            "n": len(rows),
            "errors": len(every) - len(rows),
            "p50_ms": percentile(ms, 50),
            "p95_ms": percentile(ms, 95),
            "p99_ms": percentile(ms, 99),
            "mean_ms": sum(ms) / len(ms) if ms else math.nan,
            "hits_median": percentile(hits, 50) if hits else math.nan,
            "zero_hit_pct": 100 * sum(1 for h in hits if h == 0) / len(hits) if hits else math.nan,
        }
    return out


def time_queries(
    one: Callable[[Query], tuple[int | None, list[str]]],
    timed: list[Query],
    warmup: list[Query],
) -> list[dict[str, Any]]:
    """Run ``warmup`` untimed, then each timed query once: ``{"kind", "q", "ms", "hits"}``.

    A query that raises is recorded with its ``error`` (and left out of the latencies); if
    the first warm-up query raises, the error propagates: the API itself does not fit.
    """
    for number, query in enumerate(warmup):
        try:
            one(query)
        except Exception:
            if number == 0:
                raise
    rows = []
    for query in timed:
        row: dict[str, Any] = {"kind": query["kind"], "q": query["q"]}
        t0 = time.perf_counter()
        try:
            row["hits"], row["top"] = one(query)
        except Exception as error:
            row.update(hits=None, error=f"{type(error).__name__}: {error}")
        row["ms"] = (time.perf_counter() - t0) * 1000
        rows.append(row)
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Draw (or show) the benchmark query set.")
    parser.add_argument("--dump", type=Path, help="whole-corpus dump (default: xwlb-all)")
    parser.add_argument("--force", action="store_true", help="draw the set again")
    args = parser.parse_args(argv)
    queries = load(dump=args.dump, force=args.force)
    counts = Counter(q["kind"] for q in queries)
    print(
        f"{len(queries)} queries in {QUERIES_PATH}: " + ", ".join(f"{k} {counts[k]}" for k in KINDS)
    )
    for kind in KINDS:
        sample = [q for q in queries if q["kind"] == kind][:4]
        shown = [
            q["q"] + (f" [{q['since']}..{q['until']}]" if "since" in q else "") for q in sample
        ]
        print(f"  {kind:10} " + " | ".join(shown))
    return 0


if __name__ == "__main__":
    sys.exit(main())
