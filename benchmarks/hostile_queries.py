"""Hostile requests on a whole corpus: the fixed list of the tests plus random queries, timed.

    python benchmarks/hostile_queries.py --index /tmp/xwlb-index
    python benchmarks/hostile_queries.py --index DIR --random 5000 --seed 3

``tests/test_hostile_requests.py`` sends the same fixed list (``tests/hostile_requests.py``:
huge and many-term queries, lone operators, control characters, invalid UTF-8, odd pages,
unknown parameters, traversal paths) to an index of the seed dumps; here it goes to a real
corpus, where a query that scans or scores every article shows its cost. Then ``--random``
queries of random Unicode mixed with the query syntax (quotes, parentheses, ``-``, ``:``,
``OR``, ``title:``, ``*``, control characters) and with words of the corpus. Every request goes
through the app in this process (Flask's test client), one at a time, warm.

Printed: inputs tried, answers by status, the slowest requests; exit 1 on any 5xx or
exception, or any answer slower than ``--bound`` seconds.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from collections import Counter
from pathlib import Path
from urllib.parse import quote

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

from hostile_requests import TRAVERSALS, WORDS, hostile_requests  # noqa: E402

SYNTAX = ['"', "“", "”", "(", ")", "-", ":", "*", "?", " OR ", "title:", " ", "\x00", "\x1f"]


def random_query(rng: random.Random) -> str:
    parts = []
    for _ in range(rng.randint(1, 40)):
        roll = rng.random()
        if roll < 0.35:
            parts.append(rng.choice(SYNTAX))
        elif roll < 0.7:
            start = rng.randrange(len(WORDS) - 4)
            parts.append(WORDS[start : start + rng.randint(1, 4)])
        else:
            parts.append(chr(rng.choice([rng.randint(32, 0x2FFF), rng.randint(0xE000, 0x10FFFF)])))
    return "".join(parts)[: rng.choice([20, 80, 200, 260])]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--random", type=int, default=2000, help="random queries to send")
    parser.add_argument("--seed", type=int, default=10)
    parser.add_argument("--bound", type=float, default=2.0, help="seconds a request may take")
    args = parser.parse_args(argv)

    from searcher.engine import Engine
    from web import create_app

    app = create_app(Engine(args.index))
    client = app.test_client()
    client.get("/api/search?q=文明")
    rng = random.Random(args.seed)
    urls = [*hostile_requests(), *TRAVERSALS]
    for _ in range(args.random):
        path = rng.choice(["/", "/api/search"])
        urls.append(f"{path}?q={quote(random_query(rng), safe='')}&page={rng.randint(-2, 1002)}")
    statuses: Counter[str] = Counter()
    timings: list[tuple[float, str, str]] = []
    started = time.perf_counter()
    for url in urls:
        began = time.perf_counter()
        try:
            status = str(client.get(url).status_code)
        except Exception as error:
            status = f"exception {type(error).__name__}: {error}"
        timings.append((time.perf_counter() - began, status, url))
        statuses[status] += 1
    elapsed = time.perf_counter() - started

    print(f"{len(urls)} inputs tried ({len(urls) - args.random} fixed, {args.random} random) "
          f"in {elapsed:.1f} s on {args.index}")  # fmt: skip
    print("answers: " + ", ".join(f"{s}: {n}" for s, n in sorted(statuses.items())))
    timings.sort(reverse=True)
    print(f"slowest (p99 {timings[len(timings) // 100][0] * 1000:.0f} ms):")
    for seconds, status, url in timings[:5]:
        print(f"  {seconds * 1000:7.0f} ms  {status}  {url[:90]}")
    print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} at the end")
    bad = [t for t in timings if t[1][:1] not in "234" or t[0] > args.bound]
    print("OK" if not bad else f"FAILED: {len(bad)} answers were 5xx, exceptions or too slow")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
