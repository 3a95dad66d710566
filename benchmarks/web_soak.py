"""Soak test: many clients browsing ``searcher serve`` while an index run swaps in a new generation.

    python benchmarks/web_soak.py --index /tmp/xwlb-index                 # 32 clients, 60 s
    python benchmarks/web_soak.py --index DIR --clients 8 --seconds 20    # a short one
    python benchmarks/web_soak.py --index DIR --update-with DUMP --rebuild

The index is copied to a temporary folder first (the run writes to it; yours is left as it is)
and served by ``python -m searcher serve`` on a free loopback port. ``--clients`` threads, each
with a keep-alive connection and its own seeded random choices, browse as people do, as fast as
the answers come: the search page and the API for the benchmark queries (``queries.py``), a
click on a facet value of the last result (region, source or year), a later page, an article
page and the article API for one of the last hits. At ``--swap-at`` seconds an index run on
the same folder swaps in a new generation (the load goes on ``--after-swap`` s after it): by
default it adds ``--update-stories`` stories made from the xwlb corpus, with a marker in their
titles (a day's crawl landing); with ``--update-with DUMP`` it indexes that dump, with
``--rebuild`` from nothing.

An error is anything but a 200 (an article that was in a result must still open), a broken
connection, or an API answer without its fields. The server's resident memory (with its
workers) is sampled every half second. Printed: requests held, errors, p50/p95/p99 per kind,
the swap (start, end, that the server answers from the new generation without a restart) and
memory (after warm-up, before the swap, peak, end, last quarter against the second); exit 1 on any
error, a swap the server did not follow, or memory that keeps growing.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import queries as querysets  # noqa: E402
from queries import percentile  # noqa: E402
from web_load import free_port, start_server  # noqa: E402

#: What a client does next, and how often.
MIX = {
    "page": 30, "api": 20, "facet": 15, "next_page": 10, "article": 15, "api_article": 10,
}  # fmt: skip
MARKER = "压测新增报道"
#: Memory may not grow by more than this from the second quarter of the run to the last.
GROWTH_LIMIT = 0.10


def search_params(query: dict[str, str], **extra: Any) -> str:
    params = {k: query[k] for k in ("q", "since", "until") if k in query}
    return urlencode({**params, **extra})


class Browser(threading.Thread):
    """One user on a keep-alive connection, choosing the next request from what it last saw,
    until ``deadline[0]`` (a list: the run is extended while the swap lasts)."""

    def __init__(self, port: int, queries: list[Any], seed: int, deadline: list[float]) -> None:
        super().__init__(daemon=True)
        self.port, self.queries, self.deadline = port, queries, deadline
        self.rng = random.Random(seed)
        self.last: dict[str, Any] | None = None  # the last API answer and its query
        self.records: list[dict[str, Any]] = []
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def next_request(self) -> tuple[str, str]:
        kind = self.rng.choices(list(MIX), weights=list(MIX.values()))[0]
        if self.last is None or kind == "api":
            query = self.rng.choice(self.queries)
            return "api", "/api/search?" + search_params(query)
        query, data = self.last["query"], self.last["data"]
        if kind == "page":
            return kind, "/?" + search_params(self.rng.choice(self.queries))
        if kind == "facet":
            name = self.rng.choice(["region", "source", "year"])
            values = data["facets"][name]
            if not values:
                return "page", "/?" + search_params(query)
            value = self.rng.choice(values)["value"]
            if name == "year":
                return kind, "/?" + search_params(
                    {**query, "since": f"{value}-01-01", "until": f"{value}-12-31"}
                )
            return kind, "/?" + search_params(query, **{name: value})
        if kind == "next_page":
            last_page = max(1, min(1000, -(-data["total"] // 10)))
            return kind, "/?" + search_params(query, page=self.rng.randint(1, last_page))
        if not data["hits"]:
            return "page", "/?" + search_params(query)
        hit = self.rng.choice(data["hits"])
        if kind == "article":
            return kind, f"/article/{hit['id']}?q={quote(query['q'])}"
        return kind, f"/api/article/{hit['id']}"

    def run(self) -> None:
        while time.monotonic() < self.deadline[0]:
            kind, path = self.next_request()
            started = time.perf_counter()
            error = None
            try:
                self.conn.request("GET", path)
                response = self.conn.getresponse()
                body = response.read()
                if response.status != 200:
                    error = f"HTTP {response.status}: {body[:160]!r}"
                elif kind == "api":
                    data = json.loads(body)
                    if not {"hits", "facets", "timeline", "total"} <= set(data):
                        error = "API answer without its fields"
                    else:
                        query = dict(parse_qsl(urlsplit(path).query))
                        self.last = {"query": query, "data": data}
            except (OSError, http.client.HTTPException, ValueError) as exc:
                error = f"{type(exc).__name__}: {exc}"
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            self.records.append({
                "kind": kind, "path": path, "at": time.monotonic(), "error": error,
                "ms": (time.perf_counter() - started) * 1000,
            })  # fmt: skip
        self.conn.close()


def rss_bytes(pid: int) -> int:
    """Resident memory of ``pid`` and its children (the workers of ``--workers N``)."""
    total = 0
    pids = [pid]
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as handle:
            pids += [int(p) for p in handle.read().split()]
    except OSError:
        pass
    for one in pids:
        try:
            with open(f"/proc/{one}/status") as handle:
                for line in handle:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1]) * 1024
        except OSError:
            continue
    return total


class MemorySampler(threading.Thread):
    def __init__(self, pid: int, stop: threading.Event) -> None:
        super().__init__(daemon=True)
        self.pid, self.stop = pid, stop
        self.samples: list[tuple[float, int]] = []

    def run(self) -> None:
        while not self.stop.is_set():
            self.samples.append((time.monotonic(), rss_bytes(self.pid)))
            self.stop.wait(0.5)


def update_dump(corpus: Path, stories: int, folder: Path) -> Path:
    """``stories`` new stories, each the sentences of five stories of the corpus shuffled
    (so none is a duplicate of a story already indexed), marked in their titles."""
    rng = random.Random(10)
    lines = corpus.read_text("utf-8").splitlines()
    path = folder / "update.jsonl"
    with open(path, "w", encoding="utf-8") as out:
        for n in range(stories):
            picked = [json.loads(line) for line in rng.sample(lines, 5)]
            sentences = [s + "。" for p in picked for s in p["text"].split("。") if s.strip()]
            rng.shuffle(sentences)
            story = {
                "url": f"soak://{n}", "date": picked[0].get("date"),
                "title": f"{MARKER}{n}：{picked[0]['title']}", "text": "".join(sentences),
            }  # fmt: skip
            out.write(json.dumps(story, ensure_ascii=False) + "\n")
    return path


def get_json(port: int, path: str) -> Any:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request("GET", path)
        return json.loads(conn.getresponse().read())
    finally:
        conn.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--index", type=Path, required=True, help="an index of the xwlb corpus")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--threads", type=int, default=8, help="waitress threads per worker")
    parser.add_argument("--workers", type=int, default=1, help="server processes")
    parser.add_argument("--corpus", type=Path, default=HERE / "out" / "xwlb-all.jsonl")
    parser.add_argument("--swap-at", type=float, default=15.0, help="seconds into the run")
    parser.add_argument("--after-swap", type=float, default=15.0, help="load after the swap, s")
    parser.add_argument("--queries", type=Path, help="a JSON list of {q, since?, until?}")
    parser.add_argument("--update-stories", type=int, default=300)
    parser.add_argument("--update-with", type=Path, help="index this dump at half time instead")
    parser.add_argument("--rebuild", action="store_true", help="the half-time run is --rebuild")
    parser.add_argument("--json", type=Path, help="save the figures and every request here")
    args = parser.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="searcher-soak-"))
    try:
        return soak(args, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def soak(args: argparse.Namespace, work: Path) -> int:
    index = work / "index"
    shutil.copytree(args.index, index, symlinks=True)
    dump = args.update_with or update_dump(args.corpus, args.update_stories, work)
    update = [sys.executable, "-m", "searcher", "index", str(dump), "--index", str(index),
              "--quiet", *(["--rebuild"] if args.rebuild else [])]  # fmt: skip
    queries = json.loads(args.queries.read_text("utf-8")) if args.queries else querysets.load()
    warmup = queries[:25] if args.queries else querysets.load_warmup()
    port = free_port()
    server = start_server(index, port, args.threads, args.workers, work / "serve.log")
    stop = threading.Event()
    memory = MemorySampler(server.pid, stop)
    swap: dict[str, Any] = {}
    try:
        before = get_json(port, "/api/stats")
        warm = [Browser(port, warmup, 1000 + n, [time.monotonic() + 3])
                for n in range(args.clients)]  # fmt: skip
        for browser in warm:
            browser.start()
        for browser in warm:
            browser.join()
        memory.start()
        started = time.monotonic()
        deadline = [started + args.seconds]
        browsers = [Browser(port, queries, n, deadline) for n in range(args.clients)]
        for browser in browsers:
            browser.start()
        time.sleep(args.swap_at)
        swap["start"] = time.monotonic() - started
        ran = subprocess.run(update, capture_output=True, text=True)
        swap["end"] = time.monotonic() - started
        deadline[0] = max(deadline[0], started + swap["end"] + args.after_swap)
        swap["returncode"], swap["stderr"] = ran.returncode, ran.stderr[-500:]
        for browser in browsers:
            browser.join()
        elapsed = time.monotonic() - started
        after = get_json(port, "/api/stats")
        marked = get_json(port, "/api/search?" + urlencode({"q": f'title:"{MARKER}"'}))
    finally:
        stop.set()
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()

    records = [r for b in browsers for r in b.records]
    errors = [r for r in records if r["error"]]
    followed = marked.get("total", 0) > 0
    print(f"{len(records)} requests held from {args.clients} clients in {elapsed:.1f} s "
          f"({len(records) / elapsed:.1f} req/s) against {args.workers} x {args.threads} "
          f"waitress threads: {len(errors)} errors, "
          f"{sum(1 for r in errors if r['error'].startswith('HTTP 5'))} 5xx")  # fmt: skip
    print(f"{'kind':12} {'n':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8}")
    for kind in [*MIX, "all"]:
        ms = [r["ms"] for r in records if kind in ("all", r["kind"])]
        print(f"{kind:12} {len(ms):6d} {percentile(ms, 50):8.0f} {percentile(ms, 95):8.0f} "
              f"{percentile(ms, 99):8.0f} {max(ms, default=0):8.0f}")  # fmt: skip
    during = [r["ms"] for r in records if swap["start"] <= r["at"] - started <= swap["end"]]
    print(f"swap: `{' '.join(update[1:])}` ran from {swap['start']:.1f} s to {swap['end']:.1f} s "
          f"(exit {swap['returncode']}); {len(during)} requests answered meanwhile, p95 "
          f"{percentile(during, 95):.0f} ms, {len(records) - len(during)} outside it; "
          f"articles {before['articles']} -> "
          f"{after['articles']}; the server {'follows' if followed else 'did NOT follow'} "
          f"the new generation")  # fmt: skip
    mib = 2**20
    samples = memory.samples
    rss = [b for _, b in samples]
    mid = [b for t, b in samples if t - started < swap["start"]]
    # Growth: the last quarter of the run against its second quarter (the swap in between).
    quarter = len(rss) // 4 or 1
    growth = statistics.median(rss[-quarter:]) / statistics.median(rss[quarter : 2 * quarter]) - 1
    print(f"server memory (RSS, {len(samples)} samples): {rss[0] / mib:.0f} MiB after warm-up, "
          f"{max(mid, default=0) / mib:.0f} MiB peak before the swap, {max(rss) / mib:.0f} MiB "
          f"peak, {rss[-1] / mib:.0f} MiB at the end; last quarter against the second "
          f"{growth * 100:+.1f}% (limit {GROWTH_LIMIT * 100:.0f}%)")  # fmt: skip
    print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} at the end")
    for error in errors[:5]:
        print(f"error: {error['kind']} {error['path'][:80]}: {error['error']}")
    if args.json:
        args.json.write_text(json.dumps({
            "clients": args.clients, "seconds": elapsed, "requests": len(records),
            "errors": len(errors), "swap": swap, "followed": followed,
            "memory": samples, "records": records,
        }, ensure_ascii=False))  # fmt: skip
    ok = not errors and followed and swap["returncode"] == 0 and growth <= GROWTH_LIMIT
    print("OK" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
