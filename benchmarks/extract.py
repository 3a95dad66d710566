"""Extraction quality: how much of the marked article body the cleaner keeps, and how little else.

    python benchmarks/extract.py              # the table: searcher (every form) vs two baselines
    python benchmarks/extract.py --per-page   # plus the 10 worst pages of each searcher form
    python benchmarks/extract.py --json benchmarks/out/extract.json

Corpus: ``shared/corpora/extract-dev/`` beside the repo (or ``$EXTRACT_DEV``): 54 Chinese
news and government pages (``html/ID.html``, raw bytes, several charsets) and ``gold.json``
(``{ID: {"url", "body"}}``, the article body a person marked).

Score (``shared/corpora/README.md``): character-bigram F1 between what is kept and the gold
body, both NFKC-normalised with all whitespace removed, bigrams counted as multisets;
precision, recall and F1 are computed per page and macro-averaged over pages (0..100).

Rows:

``searcher (html)``
    ``searcher.ingest.extract(bytes, "ID.html")``; kept = each article's title + text.
``searcher (text)``
    the same on the page's visible text (:func:`visible_text`: decoded with
    ``searcher.sources.decode``, ``BeautifulSoup(html, "lxml")`` without script/style/noscript,
    ``get_text("\\n")``, one stripped non-empty block a line: what a plain-text dump looks
    like), given as ``"ID.txt"``.
``searcher (lynx)``, ``searcher (w3m)``, ``searcher (html2text)``
    the same on what a text-mode browser dumps of the decoded HTML (:func:`rendered`), hard
    wrapped at 80 columns: ``lynx -dump -nolist -width=80``, ``w3m -dump -cols 80``,
    Debian's ``html2text -width 80``, all told the input and output are UTF-8 (the page's own
    charset declaration is rewritten to ``utf-8`` first: lynx obeys a ``<meta charset>`` over
    any option). A form whose command is not installed raises FileNotFoundError.
``searcher (wrap40)``
    the visible text of the text form with every line hard-wrapped at 40 display columns
    (a CJK or full-width character counts 2; :func:`hard_wrap`), as a narrow dump writes it.
``keep-every-line (text)``
    the whole visible text: the recall ceiling of the text form, and the precision floor.
``trafilatura (html)``
    ``trafilatura.extract(html, include_comments=False)`` on the decoded HTML (body text,
    no metadata). Imported lazily; when not importable the extracts come from a helper venv
    ``benchmarks/out/venv-trafilatura`` (made here with ``pip install trafilatura``) through a
    subprocess, so trafilatura never becomes a dependency of the project.

Metadata: ``shared/corpora/extract-meta/`` (or ``$EXTRACT_META``): 48 real news and government
pages and ``gold.json`` (``{ID: {"title", "date", "source", ...}}``, checked by a person). Each
page is read as HTML (``searcher.ingest.extract``); the first article's title, date and source
are compared with the gold, and so are trafilatura's metadata (``extract_metadata``: title, date,
sitename) in the same run. A field matches when both sides are equal after NFKC, lower-casing and
removing whitespace and punctuation (:func:`meta_key`); a gold ``null`` matches only ``None``.

Given titles: the first 5,000 xwlb stories (``benchmarks/xwlb.py``: JSON Lines with a
``title`` each) indexed by searcher (``Engine.index``); the share of their distinct titles that
some exported article (every copy) carries, compared like the metadata.

``tests/test_eval_gate.py`` pins floors for every searcher figure (``tests/eval_baseline.json``).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from statistics import fmean

from helper_venv import ensure_venv

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
OUT = HERE / "out"
#: The corpus, found beside the repo (``/work/shared`` next to ``/work/main``) by default.
CORPUS = Path(os.environ.get("EXTRACT_DEV", REPO.parent / "shared" / "corpora" / "extract-dev"))
META_CORPUS = Path(
    os.environ.get("EXTRACT_META", REPO.parent / "shared" / "corpora" / "extract-meta")
)
META_FIELDS = ("title", "date", "source")
TRAFILATURA_VENV = OUT / "venv-trafilatura"
#: What the helper venv gets: trafilatura imports ``lxml.html.clean``, a separate package since
#: lxml 5.2, which the ``lxml[html_clean]`` extra it asks for no longer provides in lxml 6.
TRAFILATURA_PACKAGES = ("trafilatura", "lxml_html_clean")
FORMS = ("html", "text", "lynx", "w3m", "html2text", "wrap40")
#: The text-mode renderers of the wrapped forms: each reads UTF-8 HTML on stdin and writes
#: UTF-8 text hard-wrapped at 80 columns on stdout.
RENDERERS = {
    "lynx": (
        "lynx", "-dump", "-nolist", "-width=80", "-force_html", "-stdin",
        "-assume_charset=utf-8", "-assume_local_charset=utf-8", "-display_charset=utf-8",
    ),
    "w3m": ("w3m", "-dump", "-T", "text/html", "-I", "utf-8", "-O", "utf-8", "-cols", "80"),
    "html2text": ("html2text", "-utf8", "-nobs", "-nometa", "-width", "80"),
}  # fmt: skip
#: Display width of the ``wrap40`` form.
WRAP_COLUMNS = 40

_SPACE_RE = re.compile(r"\s+")
_CHARSET_DECL_RE = re.compile(
    r"""(charset\s*=\s*["']?\s*|encoding\s*=\s*["'])[A-Za-z0-9_.:-]+""", re.I
)
_NOT_WORD_RE = re.compile(r"[\W_]+")


@dataclass(frozen=True)
class Page:
    """One corpus page: its id, URL, raw HTML bytes and the person-marked body."""

    id: str
    url: str
    data: bytes
    gold: str


# ---------------------------------------------------------------------------------------------
# Score


def normalise(text: str) -> str:
    """NFKC, then every whitespace character removed."""
    return _SPACE_RE.sub("", unicodedata.normalize("NFKC", text))


def bigrams(text: str) -> Counter[str]:
    """The multiset of character bigrams of ``normalise(text)``."""
    norm = normalise(text)
    return Counter(norm[i : i + 2] for i in range(len(norm) - 1))


def prf(kept: str, gold: str) -> tuple[float, float, float]:
    """(precision, recall, F1), each 0..100, of kept vs gold bigrams.

    Both empty counts as perfect; one side empty as 0 (an empty side's precision or recall is
    taken as 0 too, so that keeping nothing never looks precise).
    """
    k, g = bigrams(kept), bigrams(gold)
    if not k and not g:
        return 100.0, 100.0, 100.0
    common = sum((k & g).values())
    if not common:
        return 0.0, 0.0, 0.0
    precision = common / sum(k.values())
    recall = common / sum(g.values())
    f1 = 2 * precision * recall / (precision + recall)
    return 100 * precision, 100 * recall, 100 * f1


def score(kept: str, gold: str) -> float:
    """Character-bigram F1 (0..100) of ``kept`` against ``gold``."""
    return prf(kept, gold)[2]


# ---------------------------------------------------------------------------------------------
# Corpus and the two forms


def load_pages(corpus: Path | str = CORPUS) -> list[Page]:
    """Every page of the corpus with a gold body, in id order.

    Raises FileNotFoundError (with the path) when the corpus is missing.
    """
    corpus = Path(corpus)
    gold_path = corpus / "gold.json"
    if not gold_path.is_file():
        raise FileNotFoundError(f"extract-dev corpus not found: {gold_path} does not exist")
    gold = json.loads(gold_path.read_text(encoding="utf-8"))
    pages = []
    for page_id in sorted(gold):
        html_path = corpus / "html" / f"{page_id}.html"
        entry = gold[page_id]
        pages.append(Page(page_id, entry.get("url", ""), html_path.read_bytes(), entry["body"]))
    return pages


def decoded(data: bytes) -> str:
    """The page's HTML as text, decoded the way searcher decodes a dump."""
    from searcher.sources import declared_charset, decode

    return decode(data, declared_charset(data))[0]


def visible_text(data: bytes) -> str:
    """The page's visible text, one block a line: what a plain-text dump of it looks like."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(decoded(data), "lxml")
    for tag in soup(["script", "style", "noscript"]):
        tag.decompose()
    lines = (line.strip() for line in soup.get_text("\n").splitlines())
    return "\n".join(line for line in lines if line)


def rendered(data: bytes, form: str) -> str:
    """The page as ``lynx``, ``w3m`` or ``html2text`` dumps it (:data:`RENDERERS`).

    The decoded HTML goes in as UTF-8 with its charset declarations rewritten to ``utf-8``
    (else lynx decodes a page saved as UTF-8 under a ``gb2312`` meta as GB2312).
    """
    html = _CHARSET_DECL_RE.sub(r"\1utf-8", decoded(data))
    proc = subprocess.run(
        RENDERERS[form], input=html.encode("utf-8"), capture_output=True, timeout=120
    )
    if proc.returncode:
        raise OSError(f"{form} failed ({proc.returncode}): {proc.stderr.decode()[-300:]}")
    return proc.stdout.decode("utf-8", errors="replace")


def display_width(text: str) -> int:
    """Columns ``text`` takes on a terminal: wide and full-width characters count 2 (written
    here, not taken from ``searcher.unwrap``, so that the form does not depend on the code it
    measures)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _wrap_tokens(line: str) -> list[str]:
    """A line cut where a wrapper may break it: runs of spaces, runs of narrow non-space
    characters (a Latin word), and each wide character on its own."""
    tokens: list[str] = []
    for ch in line:
        last = tokens[-1][-1] if tokens else ""
        if last and display_width(ch + last) == 2 and ch.isspace() == last.isspace():
            tokens[-1] += ch  # two narrow characters, both spaces or both not
        else:
            tokens.append(ch)
    return tokens


def hard_wrap(text: str, columns: int = WRAP_COLUMNS) -> str:
    """Every line of ``text`` cut to at most ``columns`` display columns, as ``fold -s`` would
    with CJK counted 2: Latin words move whole to the next line (a word wider than a line is
    cut), CJK text breaks between any two characters."""
    out = []
    for line in text.splitlines():
        current, width = "", 0
        for token in _wrap_tokens(line):
            if token.isspace():
                if current:
                    current, width = current + " ", width + 1
                continue
            while display_width(token) > columns:  # a word wider than a line
                if current.strip():
                    out.append(current.rstrip())
                cut = 0
                while display_width(token[: cut + 1]) <= columns:
                    cut += 1
                out.append(token[:cut])
                current, width, token = "", 0, token[cut:]
            size = display_width(token)
            if width + size > columns and current.strip():
                out.append(current.rstrip())
                current, width = "", 0
            current, width = current + token, width + size
        out.append(current.rstrip())
    return "\n".join(out)


def form_text(page: Page, form: str) -> str:
    """The page in one of the plain-text forms: visible text, a renderer's dump, or wrap40."""
    if form == "text":
        return visible_text(page.data)
    if form == "wrap40":
        return hard_wrap(visible_text(page.data))
    if form in RENDERERS:
        return rendered(page.data, form)
    raise ValueError(f"unknown form {form!r} (expected one of {FORMS})")


def searcher_kept(page: Page, form: str) -> str:
    """What searcher keeps of ``page`` in ``form`` (one of :data:`FORMS`): titles + article
    texts."""
    from searcher.ingest import extract

    if form == "html":
        cleaned = extract(page.data, f"{page.id}.html")
    else:
        cleaned = extract(form_text(page, form), f"{page.id}.txt")
    return "\n".join(f"{article.title}\n{article.text}" for article in cleaned.articles)


# ---------------------------------------------------------------------------------------------
# Evaluation


def evaluate_kept(kept: dict[str, str], pages: Iterable[Page], name: str) -> dict:
    """Per-page and macro-averaged P/R/F1 of ``kept`` (page id -> text) against the gold."""
    per_page: dict[str, dict[str, float | int]] = {}
    for page in pages:
        text = kept.get(page.id, "")
        p, r, f = prf(text, page.gold)
        per_page[page.id] = {
            "f1": f,
            "precision": p,
            "recall": r,
            "kept_chars": len(normalise(text)),
            "gold_chars": len(normalise(page.gold)),
        }
    rows = list(per_page.values())
    return {
        "name": name,
        "pages": len(rows),
        "f1": fmean(row["f1"] for row in rows) if rows else 0.0,
        "precision": fmean(row["precision"] for row in rows) if rows else 0.0,
        "recall": fmean(row["recall"] for row in rows) if rows else 0.0,
        "per_page": per_page,
    }


def _run(name: str, pages: list[Page], keep: Callable[[Page], str]) -> dict:
    start = time.perf_counter()
    kept = {page.id: keep(page) for page in pages}
    result = evaluate_kept(kept, pages, name)
    result["seconds"] = time.perf_counter() - start
    return result


def evaluate(form: str, pages: list[Page] | None = None) -> dict:
    """searcher on one form (of :data:`FORMS`) of every page: per-page and macro P/R/F1."""
    if form not in FORMS:
        raise ValueError(f"unknown form {form!r} (expected one of {FORMS})")
    pages = load_pages() if pages is None else pages
    return _run(f"searcher ({form})", pages, lambda page: searcher_kept(page, form))


def evaluate_keep_every_line(pages: list[Page] | None = None) -> dict:
    """Baseline: keep the whole visible text of the page."""
    pages = load_pages() if pages is None else pages
    return _run("keep-every-line (text)", pages, lambda page: visible_text(page.data))


# --- trafilatura (never a project dependency) ------------------------------------------------

_TRAFILATURA_SNIPPET = """
import json, sys
import trafilatura
pages = json.load(sys.stdin)
out = {k: trafilatura.extract(v, include_comments=False) or "" for k, v in pages.items()}
json.dump({"version": trafilatura.__version__, "extracts": out}, sys.stdout)
"""


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def ensure_trafilatura_venv(venv: Path = TRAFILATURA_VENV) -> Path:
    """The helper venv's python, creating the venv with trafilatura if missing."""
    return ensure_venv(venv, TRAFILATURA_PACKAGES, "import trafilatura", log)


def _in_trafilatura_venv(snippet: str, html: dict[str, str]) -> dict:
    """What ``snippet`` prints as JSON, run in the helper venv with ``html`` on stdin."""
    python = ensure_trafilatura_venv()
    proc = subprocess.run(
        [str(python), "-c", snippet], input=json.dumps(html), capture_output=True, text=True
    )
    if proc.returncode:
        raise OSError(f"trafilatura helper failed: {proc.stderr.strip()[-500:]}") from None
    return json.loads(proc.stdout)


def trafilatura_extracts(pages: list[Page]) -> tuple[dict[str, str], str]:
    """trafilatura's body text for each page's decoded HTML, and trafilatura's version."""
    html = {page.id: decoded(page.data) for page in pages}
    try:
        import trafilatura  # type: ignore[import-not-found]
    except ImportError:
        result = _in_trafilatura_venv(_TRAFILATURA_SNIPPET, html)
        return result["extracts"], result["version"]
    extracts = {k: trafilatura.extract(v, include_comments=False) or "" for k, v in html.items()}
    return extracts, trafilatura.__version__


def evaluate_trafilatura(pages: list[Page] | None = None) -> dict:
    """Baseline: trafilatura on the HTML."""
    pages = load_pages() if pages is None else pages
    start = time.perf_counter()
    extracts, version = trafilatura_extracts(pages)
    result = evaluate_kept(extracts, pages, "trafilatura (html)")
    result["seconds"] = time.perf_counter() - start
    result["version"] = version
    return result


# ---------------------------------------------------------------------------------------------
# Metadata: headline, date and source on extract-meta


@dataclass(frozen=True)
class MetaPage:
    """One extract-meta page: its id, raw HTML bytes and the checked title, date and source."""

    id: str
    data: bytes
    gold: dict[str, str | None]


def load_meta_pages(corpus: Path | str = META_CORPUS) -> list[MetaPage]:
    """Every page of extract-meta, in id order (FileNotFoundError when the corpus is missing)."""
    corpus = Path(corpus)
    gold_path = corpus / "gold.json"
    if not gold_path.is_file():
        raise FileNotFoundError(f"extract-meta corpus not found: {gold_path} does not exist")
    gold = json.loads(gold_path.read_text(encoding="utf-8"))
    return [
        MetaPage(
            page_id,
            (corpus / "html" / f"{page_id}.html").read_bytes(),
            {name: gold[page_id].get(name) for name in META_FIELDS},
        )
        for page_id in sorted(gold)
    ]


def meta_key(value: str | None) -> str | None:
    """A metadata value as compared: NFKC, lower case, no whitespace or punctuation."""
    if value is None:
        return None
    return _NOT_WORD_RE.sub("", unicodedata.normalize("NFKC", value).lower())


def searcher_meta(page: MetaPage) -> dict[str, str | None]:
    """searcher's title, date and source of the page's first article (all None if none)."""
    from searcher.ingest import extract

    articles = extract(page.data, f"{page.id}.html").articles
    first = articles[0] if articles else None
    return {name: getattr(first, name) if first else None for name in META_FIELDS}


_TRAFILATURA_META_SNIPPET = """
import json, sys
import trafilatura
pages = json.load(sys.stdin)
out = {}
for k, v in pages.items():
    m = trafilatura.extract_metadata(v)
    out[k] = {"title": m.title, "date": m.date, "source": m.sitename} if m else {}
json.dump(out, sys.stdout)
"""


def trafilatura_meta(pages: list[MetaPage]) -> dict[str, dict[str, str | None]]:
    """trafilatura's title, date and sitename (as the source) for each page's decoded HTML."""
    html = {page.id: decoded(page.data) for page in pages}
    try:
        import trafilatura  # type: ignore[import-not-found]
    except ImportError:
        return _in_trafilatura_venv(_TRAFILATURA_META_SNIPPET, html)
    out: dict[str, dict[str, str | None]] = {}
    for page_id, text in html.items():
        meta = trafilatura.extract_metadata(text)
        out[page_id] = (
            {"title": meta.title, "date": meta.date, "source": meta.sitename} if meta else {}
        )
    return out


def evaluate_meta_values(
    found: dict[str, dict[str, str | None]], pages: list[MetaPage], name: str
) -> dict:
    """Share of pages (0..100) whose title, date and source match the gold, with the misses."""
    hits = dict.fromkeys(META_FIELDS, 0)
    misses: dict[str, list[dict[str, str | None]]] = {field: [] for field in META_FIELDS}
    for page in pages:
        got = found.get(page.id, {})
        for field in META_FIELDS:
            value = got.get(field)
            if meta_key(value) == meta_key(page.gold[field]):
                hits[field] += 1
            else:
                misses[field].append({"id": page.id, "got": value, "gold": page.gold[field]})
    result: dict = {"name": name, "pages": len(pages), "misses": misses}
    for field in META_FIELDS:
        result[field] = 100 * hits[field] / len(pages) if pages else 0.0
    return result


def evaluate_meta(pages: list[MetaPage] | None = None) -> dict:
    """searcher's title, date and source accuracy on extract-meta (HTML form)."""
    pages = load_meta_pages() if pages is None else pages
    start = time.perf_counter()
    result = evaluate_meta_values({p.id: searcher_meta(p) for p in pages}, pages, "searcher")
    result["seconds"] = time.perf_counter() - start
    return result


def evaluate_trafilatura_meta(pages: list[MetaPage] | None = None) -> dict:
    """trafilatura's metadata accuracy on extract-meta, scored like searcher's."""
    pages = load_meta_pages() if pages is None else pages
    start = time.perf_counter()
    result = evaluate_meta_values(trafilatura_meta(pages), pages, "trafilatura")
    result["seconds"] = time.perf_counter() - start
    return result


def evaluate_given_titles(stories: int = 5000) -> dict:
    """Share (0..100) of the distinct titles of the first ``stories`` xwlb stories that an
    article exported from searcher's index carries, with the titles lost."""
    import tempfile

    import xwlb

    from searcher.engine import Engine

    start = time.perf_counter()
    source = xwlb.build()["all"]
    with source.open(encoding="utf-8") as handle:
        records = [line for _, line in zip(range(stories), handle, strict=False)]
    given = {meta_key(json.loads(line)["title"]): json.loads(line)["title"] for line in records}
    with tempfile.TemporaryDirectory() as scratch:
        dump = Path(scratch, f"xwlb-{len(records)}.jsonl")
        dump.write_text("".join(records), encoding="utf-8")
        engine = Engine(Path(scratch, "index"))
        engine.index([dump])
        exported = {meta_key(article.title) for article in engine.export(all_copies=True)}
        engine.close()
    lost = [title for key, title in given.items() if key not in exported]
    return {
        "name": "searcher",
        "stories": len(records),
        "titles": len(given),
        "kept": 100 * (len(given) - len(lost)) / len(given) if given else 0.0,
        "lost": lost,
        "seconds": time.perf_counter() - start,
    }


def meta_table(results: list[dict]) -> str:
    """One row per system: % of pages whose title, date and source match the gold."""
    width = max(len(r["name"]) for r in results)
    lines = [
        f"{'system':<{width}}  {'title':>6}  {'date':>6}  {'source':>6}",
        f"{'-' * width}  {'-' * 6}  {'-' * 6}  {'-' * 6}",
    ]
    for r in results:
        lines.append(
            f"{r['name']:<{width}}  {r['title']:6.1f}  {r['date']:6.1f}  {r['source']:6.1f}"
        )
    return "\n".join(lines)


def meta_misses(result: dict) -> str:
    """Every miss of one metadata result, field by field."""
    lines = [f"misses, {result['name']}:"]
    for field in META_FIELDS:
        for miss in result["misses"][field]:
            lines.append(f"  {field:<6} {miss['id']}  got {miss['got']!r}  gold {miss['gold']!r}")
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# Report


def table(results: list[dict]) -> str:
    """The side-by-side table: one row per system, macro F1 / precision / recall."""
    width = max(len(r["name"]) for r in results)
    lines = [
        f"{'system':<{width}}  {'F1':>6}  {'P':>6}  {'R':>6}  {'s':>6}",
        f"{'-' * width}  {'-' * 6}  {'-' * 6}  {'-' * 6}  {'-' * 6}",
    ]
    for r in results:
        lines.append(
            f"{r['name']:<{width}}  {r['f1']:6.1f}  {r['precision']:6.1f}  {r['recall']:6.1f}"
            f"  {r.get('seconds', 0.0):6.1f}"
        )
    return "\n".join(lines)


def worst(result: dict, pages: list[Page], n: int = 10) -> str:
    """The ``n`` worst pages of one result, with F1, P, R, kept and gold sizes and URL."""
    urls = {page.id: page.url for page in pages}
    ranked = sorted(result["per_page"].items(), key=lambda item: item[1]["f1"])[:n]
    lines = [f"worst {len(ranked)} pages, {result['name']}:"]
    for page_id, row in ranked:
        lines.append(
            f"  {page_id}  F1 {row['f1']:5.1f}  P {row['precision']:5.1f}  R {row['recall']:5.1f}"
            f"  kept {row['kept_chars']:>6}  gold {row['gold_chars']:>6}  {urls[page_id]}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS, help="extract-dev folder")
    parser.add_argument("--meta-corpus", type=Path, default=META_CORPUS, help="extract-meta folder")
    parser.add_argument(
        "--per-page",
        action="store_true",
        help="print the 10 worst pages of each form and every metadata miss",
    )
    parser.add_argument("--json", type=Path, metavar="FILE", help="save every figure as JSON")
    parser.add_argument(
        "--no-trafilatura", action="store_true", help="skip the trafilatura baseline"
    )
    parser.add_argument(
        "--xwlb-stories", type=int, default=5000, help="xwlb stories for the given-title check"
    )
    args = parser.parse_args(argv)

    pages = load_pages(args.corpus)
    log(f"{len(pages)} pages from {args.corpus}")
    results = []
    for form in FORMS:
        try:
            results.append(evaluate(form, pages))
        except FileNotFoundError as exc:
            log(f"{form}: not available ({exc})")
    searcher_results = len(results)
    results.append(evaluate_keep_every_line(pages))
    if not args.no_trafilatura:
        try:
            results.append(evaluate_trafilatura(pages))
        except (OSError, subprocess.CalledProcessError, ValueError) as exc:
            log(f"trafilatura: not available ({exc})")
    print(f"extract-dev: {len(pages)} pages, character-bigram P/R/F1, macro-averaged, 0..100")
    print(table(results))
    if args.per_page:
        for result in results[:searcher_results]:
            print()
            print(worst(result, pages))
    meta_pages = load_meta_pages(args.meta_corpus)
    meta_results = [evaluate_meta(meta_pages)]
    if not args.no_trafilatura:
        try:
            meta_results.append(evaluate_trafilatura_meta(meta_pages))
        except (OSError, subprocess.CalledProcessError, ValueError) as exc:
            log(f"trafilatura: not available ({exc})")
    print()
    print(f"extract-meta: {len(meta_pages)} pages (HTML), % of pages whose field matches")
    print(meta_table(meta_results))
    if args.per_page:
        print()
        print(meta_misses(meta_results[0]))
    given = evaluate_given_titles(args.xwlb_stories)
    print()
    print(
        f"xwlb given titles: {given['kept']:.1f}% of {given['titles']} distinct titles of "
        f"{given['stories']} stories kept ({len(given['lost'])} lost)"
    )
    if args.per_page:
        for title in given["lost"][:20]:
            print(f"  lost: {title}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        payload = {
            "corpus": str(args.corpus),
            "pages": len(pages),
            "results": results,
            "meta_corpus": str(args.meta_corpus),
            "meta": meta_results,
            "given_titles": given,
        }
        args.json.write_text(json.dumps(payload, ensure_ascii=False, indent=1), encoding="utf-8")
        log(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
