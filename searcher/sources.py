"""Reading dumps: files and folders -> decoded pages of raw lines.

A dump is a plain-text file (one page), an HTML file (one page), or a JSON Lines file (one
page per line), any of them possibly gzipped. Each page becomes a :class:`Page` whose
``lines`` carry the text a reader would see, one block per line, with structural hints from
the HTML (tag, link density, class/id words) for the cleaner to weigh. A text page that
opens with a crawler's header block (``title:`` / ``url:`` / ``发布时间：`` … ``content:``)
has it read as the page's fields, and only its body as lines (:func:`with_header`).

Whether a file is a dump goes by its suffix; any other file in a folder (a PDF or Word
attachment, a photo) is named for the user (:func:`not_a_dump`), and never read.
"""

from __future__ import annotations

import codecs
import functools
import json
import os
import re
import unicodedata
import zlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from importlib import resources
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
    #: ``title`` was given with the page (a JSON Lines field, a header block's ``title:``),
    #: not guessed from its markup: it is the first article's title.
    given_title: bool = False


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
    """Every file under ``paths`` (files as given, folders recursively, sorted).

    In folders, hidden files and folders, lock, backup and partial-download files and
    searcher index folders are left out (:func:`_ignored`); every other file comes, dump
    or not: :func:`not_a_dump` says which are not, for the indexer to report them. A path
    that does not exist raises :class:`SourceError`; symlink loops are skipped.
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
                if key in seen or _is_index_folder(root, files, dirs):
                    dirs[:] = []
                    continue
                seen.add(key)
                dirs[:] = sorted(name for name in dirs if not _ignored(name))
                for name in sorted(files):
                    if not _ignored(name):
                        yield Path(root, name)
        else:
            yield path


def _ignored(name: str) -> bool:
    """A file or folder in an indexed folder that is nobody's dump and not worth a word:
    hidden (``.DS_Store``, ``.git``), an editor's or Office's lock and backup files, a
    download still in progress, a file manager's thumbnails."""
    lowered = name.lower()
    return (
        name.startswith((".", "~$", "__MACOSX"))
        or name.endswith("~")
        or lowered in _IGNORED_NAMES
        or lowered.endswith(_IGNORED_SUFFIXES)
    )


_IGNORED_NAMES = frozenset({"thumbs.db", "desktop.ini", "__pycache__"})
_IGNORED_SUFFIXES = (".tmp", ".part", ".partial", ".crdownload", ".download", ".swp")


def _is_index_folder(root: str, files: list[str], dirs: list[str]) -> bool:
    """A searcher index (``CURRENT`` or the writer's ``.lock`` beside ``gen-*`` folders;
    see :mod:`searcher.index`) inside an indexed folder: its files are not dumps."""
    return bool({"CURRENT", ".lock"} & set(files)) and any(d.startswith("gen-") for d in dirs)


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


#: What files that are not dumps are, by suffix (``.gz`` looked through): told to the user
#: when such a file sits in an indexed folder.
_NOT_DUMP_TABLE = {
    "PDF document": ".pdf",
    "Word document": ".doc .docx .docm .dot .dotx",
    "WPS document": ".wps .wpt",
    "word processor document": ".odt .rtf",
    "Excel spreadsheet": ".xls .xlsx .xlsm .et .ods",
    "PowerPoint": ".ppt .pptx .pps .ppsx .dps .odp",
    "e-book or fixed-layout document": ".ofd .caj .ceb .epub",
    "saved web archive (MHTML)": ".mht .mhtml",
    "image": ".jpg .jpeg .png .gif .bmp .webp .tif .tiff .svg .ico .heic",
    "archive": ".zip .rar .7z .tar .tgz .bz2 .xz .zst .gz",
    "audio or video": ".mp3 .wav .wma .m4a .mp4 .avi .wmv .flv .mov .mkv",
    "program": ".exe .dll .so .apk .msi",
    "JSON file, not JSON Lines": ".json",
    "table": ".csv .tsv",
    "XML file": ".xml .rss",
    "style sheet or script": ".css .js .mjs",
    "database": ".db .sqlite .sql",
}
NOT_DUMP_KINDS = {
    suffix: kind for kind, suffixes in _NOT_DUMP_TABLE.items() for suffix in suffixes.split()
}
#: What a file without a telling suffix is, from its first bytes.
_NOT_DUMP_MAGIC = (
    (b"%PDF", "PDF document"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "Word, Excel or PowerPoint document"),
    (b"PK\x03\x04", "zip archive or Office document"),
    (b"\x89PNG", "image"),
    (b"\xff\xd8\xff", "image"),
    (b"GIF8", "image"),
    (b"Rar!", "archive"),
    (b"7z\xbc\xaf", "archive"),
    (b"\x1f\x8b", "gzip file"),
    (b"\x7fELF", "program"),
)


def not_a_dump(path: Path) -> str | None:
    """What a file that is not a dump is (``PDF document``, ``.md file`` …), else None.

    Whether a file is a dump goes by its suffix, as for :func:`dump_kind`; a file without
    a known suffix is named by its first bytes when they tell.
    """
    if dump_kind(path) is not None:
        return None
    kind = NOT_DUMP_KINDS.get(_last_suffix(path))
    if kind is not None:
        return kind
    try:
        with open(path, "rb") as handle:
            head = handle.read(8)
    except OSError:
        head = b""
    for magic, what in _NOT_DUMP_MAGIC:
        if head.startswith(magic):
            return what
    return f"{suffix_label(path)} file" if _last_suffix(path) else "file without a suffix"


def suffix_label(path: Path) -> str:
    """How a summary counts a file that is not a dump: ``.pdf``, ``.pdf.gz``, ``no suffix``."""
    suffix = _last_suffix(path)
    if not suffix:
        return "no suffix"
    return suffix + ".gz" if path.suffix.lower() == ".gz" and suffix != ".gz" else suffix


def _last_suffix(path: Path) -> str:
    suffixes = [s.lower() for s in path.suffixes[-2:]]
    if len(suffixes) == 2 and suffixes[-1] == ".gz":
        suffixes = suffixes[:-1]
    suffix = suffixes[-1] if suffixes else ""
    # ``报告 v1.0 终稿`` has no suffix, only a dot in its name.
    return suffix if 1 < len(suffix) <= 8 and " " not in suffix else ""


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
    kind = dump_kind(path)
    if kind is None:
        if part == 0:
            yield SourceError(str(path), f"skipped, not a dump ({not_a_dump(path)})")
        return
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
    """A page from plain text: one raw line per non-empty line, after the paragraphs of a
    hard-wrapped dump (lynx, w3m, html2text, fold) are rejoined (:func:`.unwrap.unwrap`),
    with a crawler's header block read as the page's fields (:func:`with_header`)."""
    from .unwrap import unwrap

    lines = [RawLine(line) for line in _split_lines(unwrap(text))]
    page = Page(path=path, lines=lines, site=site, kind="text", **extra)  # type: ignore[arg-type]
    return with_header(page)


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


# --------------------------------------------------------------------------- header blocks

#: A header line: a key (a word of Latin letters, or up to six Chinese characters), a colon,
#: and its value on the same line (or none).
_HEADER_LINE_RE = re.compile(r"^([A-Za-z][A-Za-z_ -]{0,23}|[\u4e00-\u9fff]{1,6})\s*[:：]\s*(.*)$")
#: A URL, with or without its scheme: ``http://www.example.gov.cn/…``, ``www.example.gov.cn/…``.
_URL_RE = re.compile(r"^(?:[a-z][a-z0-9+.-]*://)?[\w-]+(?:\.[\w-]+)+(?::\d+)?(?:[/?#]\S*)?$", re.I)
#: A header block is the first lines of a file: no crawler writes more keys than this.
MAX_HEADER_LINES = 24
#: The fields a header block fills (besides ``content``, where the body begins).
HEADER_FIELDS = ("title", "url", "date", "source", "author")


@functools.cache
def header_keys() -> dict[str, str]:
    """Header key (casefolded, ``_`` for spaces and dashes) -> the field it fills, from
    ``data/header_keys.txt``."""
    keys: dict[str, str] = {}
    section = ""
    text = resources.files("searcher").joinpath("data", "header_keys.txt").read_text("utf-8")
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1].strip()
        elif section:
            keys[_header_key(line)] = section
    return keys


@functools.cache
def _inline_key_re() -> re.Pattern[str]:
    """A known key (not ``content``) after a space inside a header line's value."""
    names = sorted((k for k, f in header_keys().items() if f != "content"), key=len, reverse=True)
    keys = "|".join(re.escape(name).replace("_", "[_ -]?") for name in names)
    return re.compile(rf"\s+({keys})\s*[:：]\s*", re.I)


def _header_key(key: str) -> str:
    return re.sub(r"[\s-]+", "_", unicodedata.normalize("NFKC", key).strip()).casefold()


@dataclass
class Header:
    """A header block read from the top of a text page."""

    fields: dict[str, str]
    #: Index of the page's first line of body, and the body's start on the ``content:``
    #: line itself (``content: 3月5日，……``), if any.
    body_start: int
    first_line: str | None = None


def parse_header(lines: Sequence[str]) -> Header | None:
    """The header block at the top of ``lines`` (``title: …``, ``url: …``, ``发布时间：…``,
    ``content:`` …), or None when the page has none.

    The block is the first lines whose keys are in :func:`header_keys`, up to a
    ``content:`` line (the body follows it, from its own value on); lines with other keys
    count as header only above such a line. It takes two fields or more, a title, URL or
    content marker among them: a page that merely opens with ``来源：周口日报`` has none.
    """
    keys = header_keys()
    fields: dict[str, str] = {}
    found: set[str] = set()
    known_end = 0  # the lines up to here are all known keys
    for k, text in enumerate(lines[:MAX_HEADER_LINES]):
        match = _HEADER_LINE_RE.match(text)
        if match is None:
            break
        field_name = keys.get(_header_key(match.group(1)))
        value = match.group(2).strip()
        if field_name == "content":
            if not found - {"other"}:
                return None
            return Header(fields, k + 1, value or None)
        if field_name is None:
            if not found or not match.group(1).isascii():
                # ``问：……`` opens the body; a crawler's own field (``category:``) may
                # sit in its header, which a content line then ends.
                break
            continue
        if known_end == k:
            known_end = k + 1
        # ``发布时间：2024-03-05 来源：川汇区人民政府``: more than one key on a line.
        parts = _inline_key_re().split(value)
        items = [(field_name, parts[0]), *zip(parts[1::2], parts[2::2], strict=True)]
        for name, item in items:
            name = keys.get(_header_key(name), name)
            found.add(name)
            if item.strip() and name in HEADER_FIELDS:
                fields.setdefault(name, item.strip())
    found.discard("other")
    if len(found) >= 2 and found & {"title", "url"}:
        return Header(fields, known_end)
    return None


def with_header(page: Page) -> Page:
    """``page`` with the header block at its top (:func:`parse_header`) read as fields:
    title, URL (and the site, its host), date, ``meta["source"]``, ``meta["author"]``; only
    the body stays as lines. Fields the page already has (from JSON Lines) are kept."""
    header = parse_header([line.text for line in page.lines])
    if header is None:
        return page
    body = page.lines[header.body_start :]
    if header.first_line:
        body = [RawLine(header.first_line), *body]
    page.lines = body
    fields = header.fields
    if fields.get("title") and page.title is None:
        page.title = strip_site_name(fields["title"])
        page.given_title = True
    if fields.get("url") and page.url is None and _URL_RE.match(fields["url"]):
        page.url = fields["url"]
        # ``www.example.gov.cn/…``, as some crawlers write it, names its host all the same.
        scheme = "" if "://" in page.url else "http://"
        page.site = site_of(scheme + page.url, Path(page.path))
    if fields.get("date") and page.date is None:
        page.date = fields["date"]
    for name in ("source", "author"):
        if fields.get(name):
            page.meta.setdefault(name, fields[name])
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
            page.given_title = True
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
