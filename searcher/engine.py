"""The engine: one object the CLI and the web UI share (index, search, show, export, stats)."""

from __future__ import annotations

import datetime
import functools
import json
import os
import re
import threading
import time
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import exact, rank
from . import index as ix
from .analysis import exact_form
from .article import Article
from .errors import SearcherError
from .facets import FacetColumns, Facets
from .rank import Ranking
from .store import Store

if TYPE_CHECKING:  # the indexer (numpy, the cleaner, worker pools) loads only to index
    from .clean import SiteStats
    from .indexer import IndexReport, ProgressCallback
    from .ingest import FileRead

DEFAULT_LIMIT = 10
MAX_LIMIT = 10_000
SIMILAR_LIMIT = 5
#: Faceted searches whose Whoosh size estimate is at most this score every match in one pass.
ONE_PASS_MAX = 5000
#: From this many (estimated) matches, a relevance search reads every match as arrays
#: (:mod:`searcher.matches`); below, Whoosh's collector is as fast and numpy is not loaded.
ARRAYS_MIN = 2000
#: Key terms of an article that more-like-this searches for.
SIMILAR_TERMS = 12


def default_index_dir() -> Path:
    """``$SEARCHER_INDEX``, else ``./index``."""
    return Path(os.environ.get("SEARCHER_INDEX") or "index")


def bundled_seeds() -> Path:
    """The five sample dumps shipped with searcher (inside the wheel, or the source tree)."""
    packaged = resources.files("searcher").joinpath("seeds")
    if packaged.is_dir():
        return Path(str(packaged))
    return Path(__file__).resolve().parent.parent / "seeds"


@dataclass
class Hit:
    """One search result (the shown copy of a cluster)."""

    id: str
    title: str
    date: str | None
    region: str | None
    source: str | None
    path: str
    score: float
    snippet: Any
    title_marked: Any = None
    duplicates: list[dict[str, str | None]] = field(default_factory=list)
    #: What the score is made of, when the search was asked to explain.
    explanation: Any = None

    def to_dict(self) -> dict[str, object]:
        out: dict[str, object] = {
            "id": self.id,
            "title": self.title,
            "date": self.date,
            "region": self.region,
            "source": self.source,
            "path": self.path,
            "score": round(self.score, 4),
            "snippet": self.snippet.html(),
            "duplicates": self.duplicates,
        }
        if self.explanation is not None:
            out["explanation"] = self.explanation.to_dict()
        return out


@dataclass
class SearchResult:
    """A page of results and what produced it."""

    query: str
    total: int
    page: int
    limit: int
    hits: list[Hit]
    seconds: float = 0.0
    facets: Facets | None = None

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.limit))

    def to_dict(self) -> dict[str, object]:
        return {
            "query": self.query,
            "total": self.total,
            "page": self.page,
            "hits": [hit.to_dict() for hit in self.hits],
            **self._facets_dict(),
        }

    def _facets_dict(self) -> dict[str, object]:
        if self.facets is None:
            return {}
        return {
            "facets": self.facets.to_dict(),
            "timeline": [month.to_dict() for month in self.facets.timeline],
        }


def _hit(
    fields: dict[str, Any],
    score: float | None,
    article: Article | None,
    strings: list[str],
    marked_title: bool = True,
) -> Hit:
    """A result from a Whoosh hit's stored fields and its article in the store."""
    from .query import snippet

    title = fields.get("title", "")
    return Hit(
        id=fields["id"],
        title=title,
        date=fields.get("date") or None,
        region=fields.get("region") or None,
        source=fields.get("source") or None,
        path=fields.get("path", ""),
        score=float(score or 0.0),
        snippet=snippet(article.text if article else "", strings),
        title_marked=snippet(title, strings, width=200) if marked_title else None,
        duplicates=article.duplicates if article else [],
    )


class _Readers(threading.local):
    generation: Path | None = None
    lease: ix.Lease | None = None
    store: Store | None = None
    searcher: Any = None


class Engine:
    """Index and search one index folder."""

    def __init__(
        self, index_dir: str | os.PathLike[str] | None = None, ranking: Ranking | None = None
    ) -> None:
        self.index_dir = Path(index_dir) if index_dir is not None else default_index_dir()
        self.ranking = ranking or Ranking()
        self._readers = _Readers()
        self._columns: tuple[Path | None, FacetColumns] | None = None
        self._columns_lock = threading.Lock()
        # What queries need of the current generation beyond Whoosh (its exact-match text,
        # its synonyms), loaded once and shared by every thread.
        self._search_data: tuple[Path, _ExactLookups, Any] | None = None
        self._exact_lock = threading.Lock()

    # ------------------------------------------------------------------ state

    def exists(self) -> bool:
        return ix.has_index(self.index_dir)

    def _require(self) -> Path:
        gen = ix.current_generation(self.index_dir)
        if gen is None:
            raise SearcherError(f"no index in {self.index_dir}: run 'searcher index' first")
        return gen

    def _open(self) -> tuple[Store, Any]:
        """This thread's store and Whoosh searcher on the current generation."""
        gen = self._require()
        readers = self._readers
        if readers.generation != gen or readers.store is None:
            self._close_readers()
            from whoosh import index as whoosh_index

            from .query import CachedBM25F

            # The lease keeps the generation on disk while this thread reads it; the
            # generation this thread read before is removed if nobody else holds it.
            lease = ix.lease_current(self.index_dir)
            if lease is None:
                raise SearcherError(f"no index in {self.index_dir}: run 'searcher index' first")
            gen = lease.generation
            readers.lease = lease
            readers.store = Store(gen / ix.STORE, readonly=True)
            whoosh_ix = whoosh_index.open_dir(str(gen), indexname=ix.INDEX_NAME)
            readers.searcher = whoosh_ix.searcher(weighting=CachedBM25F(self.ranking))
            readers.generation = gen
            ix.remove_unread(self.index_dir, older_only=True)
        return readers.store, readers.searcher

    def _close_readers(self) -> None:
        readers = self._readers
        if readers.searcher is not None:
            readers.searcher.close()
        if readers.store is not None:
            readers.store.close()
        if readers.lease is not None:
            readers.lease.release()
        readers.generation = readers.store = readers.searcher = readers.lease = None

    def _facet_columns(self, searcher: Any) -> FacetColumns:
        """The current generation's facet columns, read once for all threads."""
        gen = self._readers.generation
        with self._columns_lock:
            if self._columns is None or self._columns[0] != gen:
                self._columns = (gen, FacetColumns(searcher.reader(), _regions_of))
            return self._columns[1]

    def warm(self) -> None:
        """Load now what searches of the current generation load on first use: the facet
        columns, the exact-match text and its character index (see :mod:`searcher.exact`).

        ``searcher serve`` calls it before it answers (before it forks its workers, which
        then share it), so no request waits for it. This thread's readers are closed
        again: what was loaded is kept for every thread."""
        try:
            store, searcher = self._open()
            self._facet_columns(searcher)
            matcher, _ = self._search_context(store, searcher)
            matcher.warm()
        finally:
            self._close_readers()

    def close(self) -> None:
        self._close_readers()

    # ------------------------------------------------------------------ indexing

    def index(
        self,
        paths: Iterable[str | os.PathLike[str]] | None = None,
        rebuild: bool = False,
        wait: bool = True,
        on_wait: Callable[[], None] | None = None,
        userdicts: Iterable[str | os.PathLike[str]] = (),
        synonyms: Iterable[str | os.PathLike[str]] = (),
        prune: bool = False,
        jobs: int | None = None,
        on_progress: ProgressCallback | None = None,
    ) -> IndexReport:
        """Bring the index up to date with the dumps under ``paths`` (default: the seeds).

        New and changed files are (re)indexed, unchanged ones skipped; ``prune`` drops the
        articles of indexed files that no longer exist; ``rebuild`` starts from nothing.
        ``jobs`` worker processes clean and index (default: every core).

        ``userdicts`` are user dictionary files (``word [frequency]`` a line), kept in the
        index so queries are segmented like its documents; changing them needs ``rebuild``.
        ``synonyms`` are synonym files (one group of equivalent words a line), kept in the
        index for its searches.
        """
        from .analysis import read_user_dictionary, read_word_file
        from .sources import SourceError, expand_paths

        userdicts, synonyms = list(userdicts), list(synonyms)
        user_words = tuple(w for path in userdicts for w in read_user_dictionary(path))
        synonym_lines = (
            [line for path in synonyms for line in read_word_file(path)] if synonyms else None
        )
        paths = list(paths) if paths else [bundled_seeds()]
        try:
            files = [Path(os.path.abspath(p)) for p in expand_paths(paths)]
        except SourceError as error:
            raise SearcherError(str(error)) from None

        def check(generation: ix.Generation) -> None:
            indexed_words = generation.ix.schema["text"].analyzer.user_words
            if userdicts and indexed_words != user_words:
                raise SearcherError(
                    f"{self.index_dir} was indexed with another user dictionary: "
                    "add --rebuild to index everything with this one"
                )

        from . import indexer

        return indexer.run(
            self.index_dir, files, rebuild=rebuild, prune=prune, jobs=jobs, wait=wait,
            on_wait=on_wait, on_progress=on_progress, user_words=user_words,
            force=bool(userdicts or synonyms), check=check,
            finish=lambda generation: _write_search_data(generation, synonym_lines),
        )  # fmt: skip

    # ------------------------------------------------------------------ reading

    def search(
        self,
        query: str,
        page: int = 1,
        limit: int = DEFAULT_LIMIT,
        sort: str = "relevance",
        since: str | None = None,
        until: str | None = None,
        region: str | None = None,
        source: str | None = None,
        facets: bool = False,
        explain: bool = False,
    ) -> SearchResult:
        """One page of ranked results for ``query``; with ``facets``, the region, source,
        year and month counts of all its matches too; with ``explain``, what each hit's
        score is made of (:mod:`searcher.explain`)."""
        from whoosh import query as wq

        from .query import estimate_matches, parse

        started = time.perf_counter()
        if page < 1:
            raise SearcherError("page must be 1 or more")
        if not 1 <= limit <= MAX_LIMIT:
            raise SearcherError(f"limit must be between 1 and {MAX_LIMIT}")
        if sort not in ("relevance", "date"):
            raise SearcherError("sort must be 'relevance' or 'date'")
        parsed = parse(query)
        store, searcher = self._open()
        builder = self._query_builder(store, searcher)
        whoosh_query = builder.build(parsed)
        filters = []
        if region:
            filters.append(_region_filter(region))
        if source:
            filters.append(wq.Term("source", source.strip()))
        filter_query: Any = wq.And(filters) if filters else None
        # The documents the filters allow (sorted document numbers), None for every one.
        allowed: Any = None
        if since or until:
            low = _day(since, "since") if since else 1
            high = _day(until, "until") if until else 99_999_999
            # From the day column: Whoosh's NumericRange walks a posting list per trie term.
            allowed = self._facet_columns(searcher).days_between(low, high)
        estimate = estimate_matches(whoosh_query, searcher.reader())
        if allowed is not None:
            estimate = min(estimate, len(allowed))
        rescoring = sort == "relevance" and self.ranking.window > 0
        if sort == "relevance" and estimate >= ARRAYS_MIN:
            # Many matches: read them all as arrays (searcher.matches), where Whoosh's
            # collector would walk them one at a time.
            from . import matches

            if filter_query is not None:
                by_field = matches.sorted_unique(searcher.docs_for_query(filter_query))
                allowed = by_field if allowed is None else matches.intersected(allowed, by_field)
            found = matches.evaluate(whoosh_query, searcher)
            if allowed is not None:
                found = found.within(allowed)
            wanted = max(page * limit, self.ranking.window) if rescoring else page * limit
            ranked = found.top(wanted)
            bonuses: dict[int, Any] = {}
            if rescoring:
                ranked, bonuses = self._rescored(store, searcher, builder, parsed, ranked)
            total = len(found)
            start = (page - 1) * limit
            picked = [(d, score) for score, d in ranked[start : start + limit]]
            facet_docs: Any = found.docnums if facets else None
            return self._result(
                query, total, page, limit, picked, bonuses, facet_docs, searcher, store,
                builder, parsed, whoosh_query, explain, started,
            )  # fmt: skip
        if allowed is not None:
            days = set(allowed.tolist())
            if filter_query is not None:
                days &= set(searcher.docs_for_query(filter_query))
            if not days:  # Whoosh takes an empty filter set for no filter at all
                days = {-1}
            filter_query = days
        kwargs: dict[str, Any] = {"filter": filter_query}
        if sort == "date":
            kwargs.update(sortedby="day", reverse=True)
        if (facets and estimate <= ONE_PASS_MAX) or rescoring:
            # Facets need every match's docnum: below a few thousand matches, scoring them all
            # in one pass beats Whoosh's top-N pass plus its passes for the total and the
            # docnums (benchmarks/facets.py). Re-scoring (the second stage, searcher.rank)
            # needs the first stage's best Ranking.window matches, whatever the page, so
            # that every page is cut from the same order.
            wanted = None if facets and estimate <= ONE_PASS_MAX else page * limit
            if rescoring and wanted is not None:
                wanted = max(wanted, self.ranking.window)
            everything = searcher.search(whoosh_query, limit=wanted, **kwargs)
            ranked = list(everything.top_n)
            bonuses = {}
            if rescoring:
                ranked, bonuses = self._rescored(store, searcher, builder, parsed, ranked)
            total = len(everything)
            start = (page - 1) * limit
            picked = [(d, score) for score, d in ranked[start : start + limit]]
            facet_docs = everything.docs() if facets else None
        else:
            results = searcher.search_page(whoosh_query, page, pagelen=limit, **kwargs)
            total = results.total
            # Whoosh answers a page past the last with the last page; the caller asked for none.
            picked = [(hit.docnum, hit.score) for hit in results] if results.pagenum == page else []
            bonuses = {}
            facet_docs = results.results.docs() if facets else None
        return self._result(
            query, total, page, limit, picked, bonuses, facet_docs, searcher, store, builder,
            parsed, whoosh_query, explain, started,
        )  # fmt: skip

    def _result(
        self,
        query: str,
        total: int,
        page: int,
        limit: int,
        picked: list[tuple[int, float]],
        bonuses: dict[int, Any],
        facet_docs: Any,
        searcher: Any,
        store: Store,
        builder: Any,
        parsed: Any,
        whoosh_query: Any,
        explain: bool,
        started: float,
    ) -> SearchResult:
        """The page of hits ``picked`` (docnum, score), with facets of ``facet_docs``."""
        strings = builder.highlights(parsed)
        hits = []
        for docnum, score in picked:
            fields = searcher.stored_fields(docnum)
            hit = _hit(fields, score, store.get(fields["id"]), strings)
            if explain:
                from .explain import explain as explain_hit

                hit.explanation = explain_hit(whoosh_query, searcher, docnum, bonuses.get(docnum))
            hits.append(hit)
        counts = None
        if facet_docs is not None:
            counts = self._facet_columns(searcher).count(facet_docs)
        return SearchResult(
            query=query,
            total=total,
            page=page,
            limit=limit,
            hits=hits,
            seconds=time.perf_counter() - started,
            facets=counts,
        )

    def _rescored(
        self,
        store: Store,
        searcher: Any,
        builder: Any,
        parsed: Any,
        ranked: list[tuple[float, int]],
    ) -> tuple[list[tuple[float, int]], dict[int, rank.Bonus]]:
        """``ranked`` (score, docnum) with its best :attr:`Ranking.window` re-scored by
        proximity and title matches (:func:`searcher.rank.bonus`), and the bonus of each."""
        ranking = self.ranking
        groups = builder.rescoring_groups(parsed)
        head = ranked[: ranking.window]
        if not groups or not head or (ranking.proximity <= 0 and ranking.title_match <= 0):
            return ranked, {}
        # Proximity needs the texts; the title bonus only the titles (a one-word query).
        needs_text = ranking.proximity > 0 and len(groups) > 1
        texts = self._exact_texts(store, searcher, [d for _, d in head], needs_text)
        bonuses = {
            d: rank.bonus(title, text, groups, ranking) for d, (title, text) in texts.items()
        }
        rescored = sorted(
            ((score + bonuses[d].total, d) for score, d in head), key=lambda p: (-p[0], p[1])
        )
        return rescored + ranked[ranking.window :], bonuses

    def _exact_texts(
        self, store: Store, searcher: Any, docnums: list[int], needs_text: bool = True
    ) -> dict[int, tuple[str, str]]:
        """Title and text (exact form; the text empty unless ``needs_text``) of each of
        ``docnums``: from the exact-match text when it is in memory, else from the store."""
        matcher, _ = self._search_context(store, searcher)
        loaded = matcher.loaded() if isinstance(matcher, exact.LazyExactMatcher) else matcher
        out: dict[int, tuple[str, str]] = {}
        if loaded is not None:
            text, numbers = loaded.text, loaded.docnums
            for d in docnums:
                i = bisect_left(numbers, d)
                if i < len(numbers) and numbers[i] == d:
                    out[d] = (text.titles[i], text.texts[i] if needs_text else "")
        missing = [d for d in docnums if d not in out]
        if not missing:
            return out
        fields = {d: searcher.stored_fields(d) for d in missing}
        if not needs_text:
            for d in missing:
                out[d] = (exact_form(fields[d].get("title", "")), "")
            return out
        found = store.titles_and_texts([f["id"] for f in fields.values()])
        for d in missing:
            title, body = found.get(fields[d]["id"], ("", ""))
            out[d] = (exact_form(title), exact_form(body))
        return out

    def highlights(self, query: str) -> list[str]:
        """The strings a search for ``query`` marks in text; SearcherError for a bad query."""
        from .query import parse

        parsed = parse(query)
        store, searcher = self._open()
        return self._query_builder(store, searcher).highlights(parsed)

    def matching_ids(self, query: str) -> list[str]:
        """Ids of every article ``query`` finds, unranked, without filters or snippets: what
        a recall check compares with the text (``benchmarks/recall.py``)."""
        from .query import parse

        parsed = parse(query)
        store, searcher = self._open()
        whoosh_query = self._query_builder(store, searcher).build(parsed)
        return [searcher.stored_fields(docnum)["id"] for docnum in whoosh_query.docs(searcher)]

    def _query_builder(self, store: Store, searcher: Any) -> Any:
        from .query import QueryBuilder

        exact_matcher, synonyms = self._search_context(store, searcher)
        return QueryBuilder(
            exact=exact_matcher.query,
            user_words=getattr(searcher.schema["text"].analyzer, "user_words", ()),
            synonyms=synonyms,
            ranking=self.ranking,
        )

    def _search_context(self, store: Store, searcher: Any) -> tuple[_ExactLookups, Any]:
        """The current generation's exact-match text and synonyms, loaded once."""
        from .query import Synonyms

        gen = self._readers.generation
        assert gen is not None
        with self._exact_lock:
            if self._search_data is None or self._search_data[0] != gen:
                path = gen / exact.FILE
                matcher: _ExactLookups
                parts = None if path.exists() else exact.segment_parts(gen, searcher.reader())
                if parts is not None:
                    matcher = exact.LazyExactMatcher(functools.partial(exact.MappedText, parts))
                elif exact.has_document_numbers(path):
                    matcher = exact.LazyExactMatcher(functools.partial(exact.ExactText.read, path))
                else:
                    try:
                        text = exact.ExactText.read(path)
                    except (OSError, ValueError):
                        # An index written before exact matching: build it in memory instead.
                        text = exact.ExactText.from_articles(store.shown_texts())
                    matcher = exact.ExactMatcher(text, searcher)
                synonyms = Synonyms.bundled(store.meta_json(SYNONYMS_META) or ())  # type: ignore[arg-type]
                self._search_data = (gen, matcher, synonyms)
            return self._search_data[1], self._search_data[2]

    def article(self, article_id: str) -> Article:
        """One article in full; SearcherError when the id is unknown."""
        store, _ = self._open()
        article = store.get(article_id)
        if article is None:
            raise SearcherError(f"no article with id {article_id!r}")
        return article

    def similar(self, article_id: str, limit: int = SIMILAR_LIMIT) -> list[Hit]:
        """Articles like this one: Whoosh's more-like-this (the key terms of its title and
        text, weighted against the whole index), its own cluster left out."""
        from whoosh import query as wq

        article = self.article(article_id)
        store, searcher = self._open()
        own = {article.id, *(str(d["id"]) for d in article.duplicates)}
        mask = {n for n in (searcher.document_number(id=i) for i in own) if n is not None}
        terms = searcher.key_terms_from_text(
            "text", f"{article.title}\n{article.text}", numterms=SIMILAR_TERMS
        )
        if not terms:
            return []
        like = wq.Or([wq.Term("text", word, boost=weight) for word, weight in terms])
        return [
            _hit(dict(hit), hit.score, store.get(hit["id"]), [], marked_title=False)
            for hit in searcher.search(like, limit=limit, mask=mask)
        ]

    def export(self, all_copies: bool = False) -> Iterator[Article]:
        """Every shown article (one per cluster), or every copy with ``all_copies``."""
        store, _ = self._open()
        yield from store.iter_articles(all_copies=all_copies)

    def site_stats_for(self, read: FileRead) -> SiteStats:
        """The repeated-line counts an index run would clean ``read``'s pages with: every
        indexed page of their sites (the file's own, as indexed, left out) and the file as
        it is now (``searcher clean FILE --index DIR``)."""
        self._require()
        lease = ix.lease_current(self.index_dir)
        if lease is None:
            raise SearcherError(f"no index in {self.index_dir}: run 'searcher index' first")
        try:
            store = Store(lease.generation / ix.STORE, readonly=True)
            try:
                stats = store.site_stats_without(str(read.path), {page.site for page in read.pages})
            finally:
                store.close()
        finally:
            lease.release()
        for page, lines in zip(read.pages, read.lines, strict=True):
            stats.pages[page.site] += 1
            stats.lines[page.site].update(lines.keys())
        return stats

    def stats(self) -> dict[str, object]:
        """Articles, files, index size and last update of the current generation."""
        gen = self._require()
        store, _ = self._open()
        updated = ix.last_update(self.index_dir)
        return {
            "index": str(self.index_dir),
            "articles": store.count(shown_only=True),
            "copies": store.count(shown_only=False),
            "files": len(store.files()),
            "size_bytes": ix.folder_size(gen),
            "last_update": time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(updated))
            if updated
            else None,
        }


SYNONYMS_META = "synonyms"
_ExactLookups = exact.ExactMatcher | exact.LazyExactMatcher


def _write_search_data(generation: ix.Generation, synonym_lines: list[str] | None) -> None:
    """What search reads beside the word index: the user's synonyms (kept from the previous
    generation when none are given), and for an index whose segments have no exact-match
    files of their own (written before them), the exact-match text of every shown article
    in one file, anew."""
    whole = generation.path / exact.FILE
    with generation.ix.reader() as reader:
        per_segment = exact.has_segment_files(generation.path, reader)
    if per_segment:
        whole.unlink(missing_ok=True)  # its last old segment was merged away
    store = Store(generation.store_path)
    try:
        if synonym_lines is not None:
            store.set_meta(SYNONYMS_META, json.dumps(synonym_lines, ensure_ascii=False))
            store.commit()
        if per_segment:
            return
        text = exact.ExactText.from_articles(store.shown_texts())
    finally:
        store.close()
    with generation.ix.reader() as reader:
        text = text.in_whoosh_order(reader)
    text.write(whole)


def _region_filter(name: str) -> Any:
    """Articles of a region named at any level (周口市 means every county of it)."""
    from whoosh import query as wq

    return wq.Or([wq.Term("region", r) for r in _regions_of(name)])


def _regions_of(name: str) -> list[str]:
    """The region strings a region filter on ``name`` matches."""
    from .gazetteer import Gazetteer

    return Gazetteer.load().expand(name) or [name.strip()]


def _day(value: str, name: str) -> int:
    match = re.fullmatch(r"(\d{4})-(\d{1,2})(?:-(\d{1,2}))?", value.strip())
    if not match:
        raise SearcherError(f"{name} must be a date like 2020-09-01, not {value!r}")
    year, month, day = int(match.group(1)), int(match.group(2)), int(match.group(3) or 1)
    try:
        datetime.date(year, month, day)  # 2024-02-30 is no date
    except ValueError:
        raise SearcherError(f"{name} must be a real date, not {value!r}") from None
    if match.group(3) is None and name == "until":
        day = 31  # the whole month (a day number, never looked up as a date)
    return year * 10000 + month * 100 + day
