"""Reading dumps: files and folders -> decoded pages of raw lines.

A dump is a plain-text file (one page), an HTML file (one page), or a JSON Lines file (one
page per line), any of them possibly gzipped. Each page becomes a :class:`Page` whose
``lines`` carry the text a reader would see, one block per line, with structural hints from
the HTML (tag, link density, class/id words) for the cleaner to weigh.
"""

from __future__ import annotations

import codecs
import json
import os
import re
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

TEXT_SUFFIXES = {".txt", ".text"}
HTML_SUFFIXES = {".html", ".htm", ".shtml", ".xhtml"}
JSONL_SUFFIXES = {".jsonl", ".ndjson"}
DUMP_SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES | JSONL_SUFFIXES

#: Decompressed size cap for one ``.gz`` file: a zip bomb stops here instead of eating memory.
MAX_DECOMPRESSED = 512 * 1024 * 1024
#: One page (a file, or one JSON line) larger than this is not a page but a data blob.
MAX_PAGE_CHARS = 5 * 1024 * 1024
#: Bytes of a one-page file (text, HTML), gunzipped: no encoding read takes more than four
#: bytes a character, so a larger file is over :data:`MAX_PAGE_CHARS` and is never read.
MAX_PAGE_BYTES = 4 * MAX_PAGE_CHARS
#: Text with more replacement characters than this share was not text in any encoding.
MAX_UNDECODABLE = 0.05


class SourceError(Exception):
    """A dump (or one page of it) that cannot be read; ``str()`` is the user-facing reason."""

    def __init__(self, path: str, reason: str, line: int | None = None) -> None:
        self.path = path
        self.reason = reason
        self.line = line
        where = f"{path}:{line}" if line is not None else path
        super().__init__(f"{where}: {reason}")

    def __reduce__(self) -> tuple[type[SourceError], tuple[str, str, int | None]]:
        # Worker processes send these back to the indexer.
        return (SourceError, (self.path, self.reason, self.line))


@dataclass(frozen=True)
class RawLine:
    """One visible block of a page, before cleaning.

    ``hints`` are structural words from the HTML it came from (``nav``, ``footer``,
    ``heading``, ``links``, ``list``, ``meta`` …); plain-text lines have none. ``blocks``
    numbers the HTML block elements that hold it, outermost first (a line's containers, the
    nearest 32), so the cleaner can find the one that holds the article.
    """

    text: str
    hints: frozenset[str] = frozenset()
    blocks: tuple[int, ...] = ()


@dataclass
class Page:
    """One crawled page: where it came from and the lines it shows."""

    path: str
    lines: list[RawLine]
    site: str
    url: str | None = None
    title: str | None = None
    date: str | None = None
    encoding: str = "utf-8"
    kind: str = "text"
    number: int = 0
    meta: dict[str, str] = field(default_factory=dict)


# --------------------------------------------------------------------------- decoding

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_CHARSET_RE = re.compile(rb"""charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
# Declared Chinese charsets are read as their superset: pages labelled gb2312 routinely use
# characters only GBK/GB18030 have.
_CHARSET_ALIASES = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "gb_2312-80": "gb18030",
    "cp936": "gb18030",
    "euc-cn": "gb18030",
    "big5": "big5hkscs",
    "big5-hkscs": "big5hkscs",
    "x-big5": "big5hkscs",
}


def normalise_charset(name: str) -> str | None:
    """The Python codec for a declared charset name, or None if Python does not know it."""
    name = name.strip().lower()
    name = _CHARSET_ALIASES.get(name, name)
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def declared_charset(data: bytes) -> str | None:
    """The charset an HTML page declares in its first few kilobytes (meta or XML prolog)."""
    match = _CHARSET_RE.search(data[:4096])
    if not match:
        return None
    return normalise_charset(match.group(1).decode("ascii", "replace"))


def decode(data: bytes, declared: str | None = None) -> tuple[str, str]:
    """Decode dump bytes; returns ``(text, encoding)``. Never raises on bad bytes.

    Order: a BOM; strict UTF-8; the declared charset if it decodes cleanly (saved pages often
    keep a gb2312 meta after being re-encoded as UTF-8, which the UTF-8 step already caught);
    detection with charset-normalizer; and finally UTF-8 with replacement characters.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data.decode(encoding, errors="replace"), encoding
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    if declared:
        encoding = normalise_charset(declared)
        if encoding:
            try:
                return data.decode(encoding), encoding
            except UnicodeDecodeError:
                pass
    encoding = _detect(data)
    if encoding:
        return data.decode(encoding, errors="replace"), encoding
    return data.decode("utf-8", errors="replace"), "utf-8"


def _detect(data: bytes) -> str | None:
    # Chinese dumps are overwhelmingly GB18030 or Big5: try them strictly before asking the
    # statistical detector, which is slower and sometimes picks a Cyrillic code page. Big5
    # bytes often decode as GB18030 too (into nonsense), so when both decode, the one that
    # reads as more Chinese words wins.
    fits = []
    for encoding in ("gb18030", "big5hkscs"):
        try:
            fits.append((encoding, data.decode(encoding)))
        except UnicodeDecodeError:
            continue
    if len(fits) == 1:
        return fits[0][0]
    if fits:
        return max(fits, key=lambda fit: _wordiness(fit[1]))[0]
    from charset_normalizer import from_bytes

    best = from_bytes(data[:200_000]).best()
    if best is None:
        return None
    return normalise_charset(best.encoding) or None


def _wordiness(text: str) -> float:
    """Share of a text covered by dictionary words of two or more characters."""
    from .analysis import normalise, segment

    sample = normalise(text[:3000])
    if not sample:
        return 0.0
    return sum(end - start for _, start, end in segment(sample) if end - start >= 2) / len(sample)


# --------------------------------------------------------------------------- files


def site_of(url: str | None, path: Path) -> str:
    """The site a page belongs to: the URL's host when known, else the dump's folder."""
    if url:
        host = urlsplit(url).hostname
        if host:
            return host.lower().removeprefix("www.")
    return str(path.parent)


def expand_paths(paths: Iterable[str | os.PathLike[str]]) -> Iterator[Path]:
    """Every dump file under ``paths`` (files as given, folders recursively, sorted).

    A path that does not exist raises :class:`SourceError`; symlink loops are skipped.
    """
    for raw in paths:
        path = Path(raw)
        if not path.exists():
            raise SourceError(str(raw), "no such file or folder")
        if path.is_dir():
            seen: set[tuple[int, int]] = set()
            for root, dirs, files in os.walk(path, followlinks=True):
                stat = os.stat(root)
                key = (stat.st_dev, stat.st_ino)
                if key in seen:
                    dirs[:] = []
                    continue
                seen.add(key)
                dirs.sort()
                for name in sorted(files):
                    candidate = Path(root, name)
                    if dump_kind(candidate) is not None:
                        yield candidate
        else:
            yield path


def dump_kind(path: Path) -> str | None:
    """``text``, ``html`` or ``jsonl`` from the file name (``.gz`` looked through), else None."""
    suffixes = [s.lower() for s in path.suffixes[-2:]]
    if suffixes and suffixes[-1] == ".gz":
        suffixes = suffixes[:-1]
    if not suffixes:
        return None
    suffix = suffixes[-1]
    if suffix in TEXT_SUFFIXES:
        return "text"
    if suffix in HTML_SUFFIXES:
        return "html"
    if suffix in JSONL_SUFFIXES:
        return "jsonl"
    return None


def read_bytes(path: Path, limit: int | None = None) -> bytes:
    """The file's bytes, gunzipped when it is a ``.gz``, at most ``limit`` of them (default
    :data:`MAX_DECOMPRESSED`); raises SourceError with a reason."""
    limit = MAX_DECOMPRESSED if limit is None else limit
    try:
        with open(path, "rb") as handle:
            if os.fstat(handle.fileno()).st_size > limit:
                raise SourceError(str(path), f"larger than {limit // 2**20} MB (skipped)")
            data = handle.read(limit + 1)
    except PermissionError:
        raise SourceError(str(path), "permission denied") from None
    except IsADirectoryError:
        raise SourceError(str(path), "is a folder") from None
    except OSError as error:
        raise SourceError(str(path), error.strerror or str(error)) from None
    if path.suffix.lower() == ".gz" or data[:2] == b"\x1f\x8b":
        data = _gunzip(path, data, limit)
    return data


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0  # read_bytes says why


def _gunzip(path: Path, data: bytes, limit: int) -> bytes:
    decompressor = zlib.decompressobj(zlib.MAX_WBITS | 16)
    try:
        out = decompressor.decompress(data, limit + 1)
    except zlib.error as error:
        raise SourceError(str(path), f"not a valid gzip file ({error})") from None
    if len(out) > limit or decompressor.unconsumed_tail:
        raise SourceError(str(path), f"decompresses to more than {limit // 2**20} MB (skipped)")
    if not decompressor.eof:
        raise SourceError(str(path), "truncated gzip file")
    return out


_BINARY_MAGIC = (
    (b"%PDF", "a PDF file"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"PK\x03\x04", "a zip archive"),
    (b"\x7fELF", "an executable"),
    (b"Rar!", "a RAR archive"),
    (b"7z\xbc\xaf", "a 7z archive"),
)


def check_text(path: Path, data: bytes) -> None:
    """Refuse empty and binary files with a reason a user understands."""
    if not data.strip():
        raise SourceError(str(path), "empty file")
    for magic, what in _BINARY_MAGIC:
        if data.startswith(magic):
            raise SourceError(str(path), f"binary file ({what}), not a text dump")
    sample = data[:8192]
    if sample.count(b"\x00") > len(sample) // 100 and not sample.startswith(
        (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
    ):
        raise SourceError(str(path), "binary file, not a text dump")


def read_pages(path: Path, part: int = 0, parts: int = 1) -> Iterator[Page | SourceError]:
    """The pages of one dump file, or SourceErrors for the file or single bad JSON lines.

    A JSON Lines dump can be read by ``parts`` processes at once: part ``k`` builds the pages
    of the records on lines ``n`` with ``n % parts == k`` (and reports their errors; errors of
    the whole file come from part 0). Every part numbers the lines the same way, so the
    pages (and the ids of their articles) are the same however the file was shared out.
    """
    kind = dump_kind(path) or "text"
    if kind != "jsonl" and part != 0:
        return  # one page: all of it is part 0's
    page_bytes = min(MAX_PAGE_BYTES, MAX_DECOMPRESSED)
    try:
        if kind != "jsonl" and path.suffix.lower() != ".gz" and _size(path) > page_bytes:
            raise SourceError(str(path), f"page larger than {MAX_PAGE_CHARS // 2**20} M characters")
        data = read_bytes(path, None if kind == "jsonl" else page_bytes)
        check_text(path, data)
    except SourceError as error:
        if part == 0:
            yield error
        return
    if kind == "jsonl":
        yield from _jsonl_pages(path, data, part, parts)
        return
    declared = declared_charset(data) if kind == "html" else None
    text, encoding = decode(data, declared)
    if undecodable(text):
        yield SourceError(str(path), "undecodable bytes (not UTF-8, GB18030 or Big5 text)")
        return
    if len(text) > MAX_PAGE_CHARS:
        yield SourceError(str(path), f"page larger than {MAX_PAGE_CHARS // 2**20} M characters")
        return
    if kind == "html":
        yield html_page(str(path), text, site_of(None, path), encoding=encoding)
    else:
        yield text_page(str(path), text, site_of(None, path), encoding=encoding)


def text_page(path: str, text: str, site: str, **extra: object) -> Page:
    """A page from plain text: one raw line per non-empty line."""
    lines = [RawLine(line) for line in _split_lines(text)]
    return Page(path=path, lines=lines, site=site, kind="text", **extra)  # type: ignore[arg-type]


def html_page(path: str, html: str, site: str, **extra: object) -> Page:
    """A page from HTML: visible blocks with structural hints, plus title/date from meta."""
    from .html import parse_html

    parsed = parse_html(html)
    page = Page(path=path, lines=parsed.lines, site=site, kind="html", **extra)  # type: ignore[arg-type]
    page.meta.update(parsed.meta)
    if page.title is None and parsed.title:
        page.title = parsed.title
    if page.date is None and parsed.date:
        page.date = parsed.date
    return page


def _split_lines(text: str) -> list[str]:
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n")
    out = []
    for line in text.split("\n"):
        line = line.replace("\u3000", " ").replace("\xa0", " ").strip()
        if line:
            out.append(line)
    return out


def undecodable(text: str) -> bool:
    """True when decoding had to replace a good part of the bytes: not text at all."""
    sample = text[:200_000]
    return sample.count("\ufffd") > MAX_UNDECODABLE * max(1, len(sample.strip()))


def _jsonl_pages(
    path: Path, data: bytes, part: int = 0, parts: int = 1
) -> Iterator[Page | SourceError]:
    text, encoding = decode(data)
    if undecodable(text):
        if part == 0:
            yield SourceError(str(path), "undecodable bytes (not UTF-8, GB18030 or Big5 text)")
        return
    records = 0
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        records += 1
        if number % parts != part:
            continue  # another process's record
        if len(line) > MAX_PAGE_CHARS:
            yield SourceError(
                str(path), f"line longer than {MAX_PAGE_CHARS // 2**20} M characters", line=number
            )
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            yield SourceError(str(path), f"malformed JSON ({error.msg})", line=number)
            continue
        if not isinstance(record, dict):
            yield SourceError(str(path), "a JSON line must be an object", line=number)
            continue
        url = record.get("url") if isinstance(record.get("url"), str) else None
        title = record.get("title") if isinstance(record.get("title"), str) else None
        date = record.get("date") if isinstance(record.get("date"), str) else None
        site = site_of(url, path)
        extra = {"url": url, "title": title, "date": date, "encoding": encoding, "number": number}
        body_html, body_text = record.get("html"), record.get("text")
        if isinstance(body_html, str) and body_html.strip():
            page = html_page(str(path), body_html, site, **extra)
        elif isinstance(body_text, str) and body_text.strip():
            page = text_page(str(path), body_text, site, **extra)
            page.kind = "jsonl"
        else:
            yield SourceError(str(path), "no 'html' or 'text' field", line=number)
            continue
        if title:
            page.title = strip_site_name(title)
        yield page
    if not records and part == 0:
        # Bytes that are not blank to ``bytes.strip`` can still be line breaks to Python
        # (``\x1c``): a file of them holds no record at all.
        yield SourceError(str(path), "no JSON records (only blank lines)")


# A site name follows an underscore or bar, or a dash with spaces around it: an unspaced
# dash belongs to the headline (中国—拉美企业家高峰会).
_SITE_SUFFIX_RE = re.compile(r"(?:\s*[_|｜]+\s*|\s+[-—–]+\s+)[^_|｜]{2,30}$")


def strip_site_name(title: str) -> str:
    """``某某会议召开_某某区人民政府`` -> ``某某会议召开``: drop a trailing site name."""
    title = title.strip()
    stripped = _SITE_SUFFIX_RE.sub("", title)
    return stripped if len(stripped) >= 4 else title


def iter_sources(
    paths: Iterable[str | os.PathLike[str]],
) -> Iterator[tuple[Path, Iterator[Page | SourceError]]]:
    """For each dump file under ``paths``: the file and an iterator over its pages."""
    for path in expand_paths(paths):
        yield path, read_pages(path)
