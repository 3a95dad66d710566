"""The article store: every article (all copies of a cluster) and the input manifest, in SQLite.

Whoosh holds what search needs (terms, positions, facet columns) for the one shown copy of
each cluster; the store holds the full records, so ``show``, ``export`` and snippets read
from it, and incremental indexing knows which file gave which articles. Texts are kept as
zlib of their UTF-8 (:func:`pack_text`): the exact-match files beside the segments hold them
again, uncompressed, for quoted search.

The store also keeps the cleaner's cross-page statistics of every indexed page (``pages``:
which site it belongs to; ``page_lines``: the short lines it shows, as fingerprints;
``line_samples``: one text per fingerprint), so a dump arriving later is cleaned with the
counts of everything indexed before, and the earlier pages its counts affect are found.
"""

from __future__ import annotations

import json
import sqlite3
import zlib
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .article import Article

if TYPE_CHECKING:
    from .clean import SiteStats

_SCHEMA = """
CREATE TABLE IF NOT EXISTS articles (
    id TEXT PRIMARY KEY,
    cluster TEXT NOT NULL,
    shown INTEGER NOT NULL DEFAULT 1,
    path TEXT NOT NULL,
    page INTEGER NOT NULL DEFAULT 0,
    title TEXT NOT NULL,
    date TEXT,
    region TEXT,
    source TEXT,
    reporter TEXT,
    url TEXT,
    text TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    minhash BLOB
);
CREATE INDEX IF NOT EXISTS articles_path ON articles(path);
CREATE INDEX IF NOT EXISTS articles_cluster ON articles(cluster);
CREATE INDEX IF NOT EXISTS articles_fingerprint ON articles(fingerprint);
CREATE TABLE IF NOT EXISTS files (
    path TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    mtime REAL NOT NULL,
    hash TEXT NOT NULL,
    cleaner INTEGER NOT NULL,
    articles INTEGER NOT NULL,
    note TEXT,
    indexed_at TEXT NOT NULL,
    failed INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS minhash_bands (
    key INTEGER NOT NULL,
    id TEXT NOT NULL,
    PRIMARY KEY (key, id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS pages (
    path TEXT NOT NULL,
    page INTEGER NOT NULL,
    site TEXT NOT NULL,
    PRIMARY KEY (path, page)
);
CREATE INDEX IF NOT EXISTS pages_site ON pages(site);
CREATE TABLE IF NOT EXISTS page_lines (
    site TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    path TEXT NOT NULL,
    page INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS page_lines_line ON page_lines(site, fingerprint);
CREATE INDEX IF NOT EXISTS page_lines_path ON page_lines(path);
CREATE TABLE IF NOT EXISTS line_samples (
    site TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    text TEXT NOT NULL,
    PRIMARY KEY (site, fingerprint)
);
"""

#: Article texts are kept as zlib of their UTF-8 (less than half the size for Chinese news);
#: stores written before keep plain text, read as it is.
_TEXT_LEVEL = 6


def pack_text(text: str) -> bytes:
    """An article's text as the store keeps it."""
    return zlib.compress(text.encode("utf-8"), _TEXT_LEVEL)


def unpack_text(value: str | bytes) -> str:
    """An article's text from the store (compressed, or plain in an older store)."""
    return zlib.decompress(value).decode("utf-8") if isinstance(value, bytes) else value


_ARTICLE_COLUMNS = (
    "id, cluster, shown, path, page, title, date, region, source, reporter, url, text, fingerprint"
)


@dataclass
class FileRecord:
    """What the manifest remembers of one input file."""

    path: str
    size: int
    mtime: float
    hash: str
    cleaner: int
    articles: int
    note: str | None
    indexed_at: str
    #: The file could not be read at all (``note`` says why): reported on every run.
    failed: bool = False


#: The page cache of a writing connection (KiB): about a whole store of 20,000 articles.
WRITE_CACHE_KB = 128 * 1024
#: The page size of a new store. An article's row (its compressed text, its signature) is
#: about 2 KB: SQLite's default 4 KB pages hold one or two of them and leave the rest of the
#: page empty; at 16 KB the store of 200,000 articles is 700 MB instead of 860 MB.
PAGE_SIZE = 16384


class Store:
    """SQLite file ``articles.db`` inside one index generation."""

    def __init__(self, path: Path, readonly: bool = False) -> None:
        self.path = path
        if readonly:
            uri = f"file:{path}?mode=ro"
            self.db = sqlite3.connect(uri, uri=True, check_same_thread=False)
        else:
            self.db = sqlite3.connect(path, check_same_thread=False)
            # A run writes in one transaction: with SQLite's default 2 MB page cache, the
            # band and index B-trees spill to the file (through the journal) and are read
            # back on every lookup. Memory is taken only as the store grows.
            self.db.execute(f"PRAGMA cache_size = -{WRITE_CACHE_KB}")
            self.db.execute(f"PRAGMA page_size = {PAGE_SIZE}")  # a new, empty store only
            self.db.executescript(_SCHEMA)
            columns = {row[1] for row in self.db.execute("PRAGMA table_info(files)")}
            if "failed" not in columns:  # a store written before the column existed
                self.db.execute("ALTER TABLE files ADD COLUMN failed INTEGER NOT NULL DEFAULT 0")
            self._fill_bands()
        self.db.row_factory = sqlite3.Row

    def close(self) -> None:
        self.db.close()

    # ------------------------------------------------------------------ articles

    def put(
        self,
        article: Article,
        cluster: str,
        shown: bool,
        fingerprint: str,
        minhash: bytes,
        bands: list[int],
    ) -> None:
        """Store an article; ``bands`` are its signature's LSH buckets (``dedup.band_keys``
        of ``minhash``, worked out in the cleaning workers)."""
        self._put_bands(article.id, minhash, bands)
        self.db.execute(
            f"INSERT OR REPLACE INTO articles ({_ARTICLE_COLUMNS}, minhash) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                article.id, cluster, int(shown), article.path, article.page, article.title,
                article.date, article.region, article.source, article.reporter, article.url,
                pack_text(article.text), fingerprint, minhash,
            ),
        )  # fmt: skip

    def _put_bands(
        self, article_id: str, minhash: bytes | None, keys: list[int] | None = None
    ) -> None:
        if minhash:
            keys = keys if keys is not None else _band_keys(minhash)
            self.db.executemany(
                "INSERT OR IGNORE INTO minhash_bands VALUES (?, ?)", [(k, article_id) for k in keys]
            )

    def _fill_bands(self) -> None:
        """Give a store written before the band table existed its band buckets."""
        if self.db.execute("SELECT 1 FROM minhash_bands LIMIT 1").fetchone():
            return
        for article_id, minhash in self.db.execute("SELECT id, minhash FROM articles").fetchall():
            self._put_bands(article_id, minhash)

    def near_candidates(self, keys: list[int]) -> list[tuple[str, str, str | None]]:
        """``(id, cluster, date)`` of the articles sharing any of the LSH band buckets
        ``keys``."""
        marks = ", ".join("?" * len(keys))
        rows = self.db.execute(
            "SELECT DISTINCT a.id, a.cluster, a.date FROM minhash_bands b "
            f"JOIN articles a ON a.id = b.id WHERE b.key IN ({marks})",
            keys,
        )
        return [(row[0], row[1], row[2]) for row in rows]

    def text(self, article_id: str) -> str | None:
        row = self.db.execute("SELECT text FROM articles WHERE id = ?", (article_id,)).fetchone()
        return unpack_text(row[0]) if row else None

    def titles_and_texts(self, ids: Sequence[str]) -> dict[str, tuple[str, str]]:
        """``(title, text)`` of each of ``ids`` found, in one query."""
        out: dict[str, tuple[str, str]] = {}
        for start in range(0, len(ids), 500):
            chunk = list(ids[start : start + 500])
            marks = ",".join("?" * len(chunk))
            rows = self.db.execute(
                f"SELECT id, title, text FROM articles WHERE id IN ({marks})", chunk
            )
            out.update((row[0], (row[1] or "", unpack_text(row[2] or ""))) for row in rows)
        return out

    def delete_articles(self, ids: Iterable[str]) -> None:
        for article_id in ids:
            row = self.db.execute(
                "SELECT minhash FROM articles WHERE id = ?", (article_id,)
            ).fetchone()
            if row and row[0]:
                keys = _band_keys(row[0])
                self.db.executemany(
                    "DELETE FROM minhash_bands WHERE key = ? AND id = ?",
                    [(k, article_id) for k in keys],
                )
            self.db.execute("DELETE FROM articles WHERE id = ?", (article_id,))

    def ids_of_path(self, path: str) -> list[str]:
        rows = self.db.execute("SELECT id FROM articles WHERE path = ?", (path,))
        return [row[0] for row in rows]

    def clusters_of(self, ids: Iterable[str]) -> set[str]:
        out: set[str] = set()
        for i in ids:
            row = self.db.execute("SELECT cluster FROM articles WHERE id = ?", (i,)).fetchone()
            if row:
                out.add(row[0])
        return out

    def cluster_members(self, cluster: str) -> list[Article]:
        rows = self.db.execute(
            f"SELECT {_ARTICLE_COLUMNS} FROM articles WHERE cluster = ?", (cluster,)
        )
        return [self._article(row) for row in rows]

    def set_cluster(self, article_id: str, cluster: str, shown: bool) -> None:
        self.db.execute(
            "UPDATE articles SET cluster = ?, shown = ? WHERE id = ?",
            (cluster, int(shown), article_id),
        )

    def merge_clusters(self, clusters: list[str]) -> str:
        """Bring the articles of ``clusters`` into one, the cluster stored first (that of
        the earliest stored article); its id. The shown copy is chosen again on writing."""
        marks = ", ".join("?" * len(clusters))
        row = self.db.execute(
            f"SELECT cluster FROM articles WHERE cluster IN ({marks}) "
            "GROUP BY cluster ORDER BY min(rowid) LIMIT 1",
            clusters,
        ).fetchone()
        into = row[0] if row else clusters[0]
        others = [cluster for cluster in clusters if cluster != into]
        if others:
            marks = ", ".join("?" * len(others))
            self.db.execute(
                f"UPDATE articles SET cluster = ? WHERE cluster IN ({marks})", [into, *others]
            )
        return into

    def dated_members(self, cluster: str) -> list[tuple[str, str]]:
        """``(id, date)`` of the members of ``cluster`` with a date."""
        rows = self.db.execute(
            "SELECT id, date FROM articles WHERE cluster = ? AND date IS NOT NULL", (cluster,)
        )
        return [(row[0], row[1]) for row in rows]

    def move_to_cluster(self, ids: Iterable[str], cluster: str) -> None:
        """Put the articles ``ids`` in ``cluster`` (the shown copy is chosen again on writing)."""
        self.db.executemany(
            "UPDATE articles SET cluster = ? WHERE id = ?", [(cluster, i) for i in ids]
        )

    def dates_of_fingerprint(self, fingerprint: str) -> list[str | None]:
        """The dates of the stored exact copies with ``fingerprint``."""
        rows = self.db.execute("SELECT date FROM articles WHERE fingerprint = ?", (fingerprint,))
        return [row[0] for row in rows]

    def cluster_of_fingerprint(self, fingerprint: str) -> str | None:
        row = self.db.execute(
            "SELECT cluster FROM articles WHERE fingerprint = ? LIMIT 1", (fingerprint,)
        ).fetchone()
        return row[0] if row else None

    def get(self, article_id: str) -> Article | None:
        row = self.db.execute(
            f"SELECT {_ARTICLE_COLUMNS} FROM articles WHERE id = ?", (article_id,)
        ).fetchone()
        if row is None:
            return None
        article = self._article(row)
        article.duplicates = self.duplicates_of(article)
        return article

    def duplicates_of(self, article: Article) -> list[dict[str, str | None]]:
        rows = self.db.execute(
            "SELECT id, path, source, date FROM articles WHERE cluster = ? AND id != ? "
            "ORDER BY date IS NULL, date, path",
            (article.cluster, article.id),
        )
        return [dict(row) for row in rows]

    def iter_articles(self, all_copies: bool = False) -> Iterator[Article]:
        where = "" if all_copies else "WHERE shown = 1"
        rows = self.db.execute(
            f"SELECT {_ARTICLE_COLUMNS} FROM articles {where} ORDER BY path, page, rowid"
        )
        for row in rows:
            article = self._article(row)
            article.duplicates = self.duplicates_of(article)
            yield article

    def shown_texts(self) -> Iterator[tuple[str, str, str]]:
        """``(id, title, text)`` of every shown article: what search can find."""
        rows = self.db.execute("SELECT id, title, text FROM articles WHERE shown = 1")
        for row in rows:
            yield row[0], row[1], unpack_text(row[2])

    def count(self, shown_only: bool = True) -> int:
        where = " WHERE shown = 1" if shown_only else ""
        return int(self.db.execute(f"SELECT count(*) FROM articles{where}").fetchone()[0])

    @staticmethod
    def _article(row: sqlite3.Row) -> Article:
        return Article(
            id=row["id"],
            title=row["title"],
            text=unpack_text(row["text"]),
            path=row["path"],
            date=row["date"],
            region=row["region"],
            source=row["source"],
            reporter=row["reporter"],
            url=row["url"],
            page=row["page"],
            cluster=row["cluster"],
        )

    # ------------------------------------------------------------------ manifest

    def file(self, path: str) -> FileRecord | None:
        row = self.db.execute("SELECT * FROM files WHERE path = ?", (path,)).fetchone()
        return _file_record(row) if row else None

    def files(self) -> list[FileRecord]:
        return [_file_record(row) for row in self.db.execute("SELECT * FROM files")]

    def put_file(self, record: FileRecord) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO files "
            "(path, size, mtime, hash, cleaner, articles, note, indexed_at, failed) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                record.path, record.size, record.mtime, record.hash, record.cleaner,
                record.articles, record.note, record.indexed_at, int(record.failed),
            ),
        )  # fmt: skip

    def delete_file(self, path: str) -> None:
        self.db.execute("DELETE FROM files WHERE path = ?", (path,))

    # ------------------------------------------------------------------ site statistics

    def put_page_lines(self, path: str, page: int, site: str, lines: dict[str, str]) -> None:
        """Record one page: its site and its repeatable lines (fingerprint -> a sample text)."""
        self.db.execute("INSERT OR REPLACE INTO pages VALUES (?, ?, ?)", (path, page, site))
        self.db.executemany(
            "INSERT INTO page_lines VALUES (?, ?, ?, ?)",
            [(site, fp, path, page) for fp in lines],
        )
        self.db.executemany(
            "INSERT OR IGNORE INTO line_samples VALUES (?, ?, ?)",
            [(site, fp, text) for fp, text in lines.items()],
        )

    def delete_page_lines(self, path: str) -> None:
        """Forget the statistics of every page of the file ``path``."""
        self.db.execute("DELETE FROM pages WHERE path = ?", (path,))
        self.db.execute("DELETE FROM page_lines WHERE path = ?", (path,))

    def sites_of_path(self, path: str) -> set[str]:
        rows = self.db.execute("SELECT DISTINCT site FROM pages WHERE path = ?", (path,))
        return {row[0] for row in rows}

    def site_stats(self, sites: Iterable[str]) -> SiteStats:
        """The repeated-line counts of ``sites`` over every indexed page."""
        from .clean import SiteStats

        stats = SiteStats(Counter(), defaultdict(Counter))
        for site in sites:
            (pages,) = self.db.execute(
                "SELECT count(*) FROM pages WHERE site = ?", (site,)
            ).fetchone()
            if not pages:
                continue
            stats.pages[site] = pages
            rows = self.db.execute(
                "SELECT fingerprint, count(*) FROM page_lines WHERE site = ? GROUP BY fingerprint",
                (site,),
            )
            stats.lines[site].update(dict(rows.fetchall()))
        return stats

    def site_stats_without(self, path: str, sites: Iterable[str]) -> SiteStats:
        """:meth:`site_stats` of ``sites`` and of the sites ``path``'s pages were on, with
        ``path``'s own pages left out (to count that file again as it is now)."""
        stats = self.site_stats(set(sites) | self.sites_of_path(path))
        rows = self.db.execute(
            "SELECT site, count(*) FROM pages WHERE path = ? GROUP BY site", (path,)
        )
        for site, count in rows.fetchall():
            stats.pages[site] -= count
        rows = self.db.execute(
            "SELECT site, fingerprint, count(*) FROM page_lines WHERE path = ? "
            "GROUP BY site, fingerprint",
            (path,),
        )
        for site, fingerprint, count in rows.fetchall():
            stats.lines[site][fingerprint] -= count
        return stats

    def line_sample(self, site: str, fingerprint: str) -> str | None:
        row = self.db.execute(
            "SELECT text FROM line_samples WHERE site = ? AND fingerprint = ?", (site, fingerprint)
        ).fetchone()
        return row[0] if row else None

    def pages_showing(self, site: str, fingerprints: Iterable[str]) -> set[tuple[str, int]]:
        """``(path, page)`` of the indexed pages of ``site`` that show any of the lines."""
        out: set[tuple[str, int]] = set()
        for fp in fingerprints:
            rows = self.db.execute(
                "SELECT path, page FROM page_lines WHERE site = ? AND fingerprint = ?", (site, fp)
            )
            out.update((row[0], row[1]) for row in rows)
        return out

    def ids_of_page(self, path: str, page: int) -> list[str]:
        rows = self.db.execute("SELECT id FROM articles WHERE path = ? AND page = ?", (path, page))
        return [row[0] for row in rows]

    def count_of_path(self, path: str) -> int:
        row = self.db.execute("SELECT count(*) FROM articles WHERE path = ?", (path,)).fetchone()
        return int(row[0])

    def meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    def meta_json(self, key: str) -> object:
        value = self.meta(key)
        return json.loads(value) if value else None

    def commit(self) -> None:
        self.db.commit()


def _file_record(row: sqlite3.Row) -> FileRecord:
    record = FileRecord(**dict(row))
    record.failed = bool(record.failed)
    return record


def _band_keys(minhash: bytes) -> list[int]:
    """The LSH band buckets of a stored signature."""
    from . import dedup  # numpy and datasketch: only writers need them, not a search

    return dedup.band_keys(dedup.from_blob(minhash))
