"""A page's headline, date and source, chosen from the evidence the page gives.

A page says what its headline is in several places that often disagree: ``<meta>`` fields
(``ArticleTitle`` of the national government-website standard, ``og:title``,
``twitter:title``), the ``<title>`` (with the site's name and column after ``_``, ``|`` or
``-``), and the line a reader sees in large type above the byline. Agreeing evidence wins:
the visible line that repeats what the metadata says is the headline, shown as the page
shows it; without such a line, the metadata (less the site-name part); without metadata, the
headline-like line above the dateline. Some kinds of line are never a headline whatever
else is said of them (``data/headline.txt``: 原标题, document numbers, section headings,
attachments, captions, bylines).

Dates and sources go the same way: the article's own dateline or byline near the headline
first, then the page's metadata, then a labelled line elsewhere in the page's top matter;
never a date from the prose of the body.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .analysis import data_file, nfkc
from .clean import BYLINE_RE, LEAD_RE, Line, is_prose, is_title_like
from .sources import Page

#: Metadata fields that name the article's headline, most trusted first.
TITLE_META = ("articletitle", "og:title", "twitter:title", "headline", "dc.title", "title")

# A site name or column follows an underscore, a bar, or a dash (ASCII, or any dash with
# spaces around it); a CJK dash without spaces (——) belongs to the headline.
_TITLE_SEPARATOR_RE = re.compile(r"\s*(?:_+|[|｜]+|-{2,}|\s[-—–]+\s|(?<=\S)-(?=\S))\s*")
#: A part of ``<title>`` this short beside the headline is a site or column name.
_SITE_PART_MAX = 20
_WORD_RE = re.compile(r"[\W_]+")
_LABEL_RE = re.compile(r"^(标题|题目|文章标题|公文名称|文件名称|名称)\s*[:：]\s*")


@dataclass(frozen=True)
class Headline:
    """The chosen headline: its text, and the index of the line that shows it (None when
    the text comes from metadata and no line of the page shows it)."""

    text: str
    line: int | None = None


@dataclass(frozen=True)
class _NotTitle:
    kinds: tuple[tuple[str, re.Pattern[str]], ...]

    @classmethod
    @functools.cache
    def load(cls) -> _NotTitle:
        kinds: list[tuple[str, re.Pattern[str]]] = []
        name, patterns = "", []
        for raw in data_file("headline.txt").splitlines():
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            header = re.fullmatch(r"\[([\w-]+)\]", line)
            if header:
                if name and patterns:
                    kinds.append((name, re.compile("|".join(patterns), re.I)))
                name, patterns = header.group(1), []
            else:
                patterns.append(f"(?:{line})")
        if name and patterns:
            kinds.append((name, re.compile("|".join(patterns), re.I)))
        return cls(tuple(kinds))

    def kind(self, text: str) -> str | None:
        for name, pattern in self.kinds:
            if pattern.search(text):
                return name
        return None


def never_title(text: str) -> str | None:
    """The kind of line ``text`` is when it can never be a headline (``caption``,
    ``byline``, ``section`` …), else None."""
    return _NotTitle.load().kind(text.strip())


def squeeze(text: str) -> str:
    """Text as compared: NFKC, lower case, no whitespace or punctuation."""
    return _WORD_RE.sub("", nfkc(text)).casefold()


def title_core(title: str, site_name: str | None = None) -> str:
    """``title`` less its site-name and column parts: ``标题_栏目_某某网`` -> ``标题``.

    Parts are cut at ``_``, ``|``, ``--`` and spaced dashes. Trailing parts are dropped
    while they are short beside what is left (a site, a column, a keyword) or equal the
    site's name; a leading part only when it is the site's name.
    """
    parts = [p for p in _TITLE_SEPARATOR_RE.split(title.strip()) if p.strip()]
    if len(parts) <= 1:
        return title.strip()
    site = squeeze(site_name) if site_name else None
    start, end = 0, len(parts)
    while end - start > 1 and (
        squeeze(parts[end - 1]) == site
        or (
            len(parts[end - 1]) <= _SITE_PART_MAX
            and len(parts[end - 1]) < max(map(len, parts[start : end - 1]))
        )
    ):
        end -= 1
    if end - start > 1 and site and squeeze(parts[start]) == site:
        start += 1
    kept = parts[start:end]
    if len(kept) == 1:
        return kept[0].strip()
    # The kept parts were one headline with a separator inside (棱镜|数据业大整顿……): keep the
    # original text between the first and the last of them.
    first = title.index(kept[0])
    last = title.rindex(kept[-1]) + len(kept[-1])
    return title[first:last].strip()


def _references(page: Page) -> list[str]:
    """What the page's metadata says the headline is, as squeezed cores, most trusted first."""
    site = page.meta.get("site_name")
    refs = []  # what names the site, not the article, is no evidence
    for key in TITLE_META:
        value = page.meta.get(key)
        if value:
            refs.append(title_core(value, site))
    if page.title:
        refs.append(title_core(page.title, site))
    out: list[str] = []
    for ref in refs:
        key = squeeze(ref)
        if len(key) >= 4 and key not in out and key != (squeeze(site) if site else None):
            out.append(key)
    return out


def _match(line: str, ref: str) -> int:
    """How well a line shows a headline: characters in common less characters extra."""
    if line == ref:
        return len(ref) + 2
    if line in ref:
        return len(line)
    if ref in line:
        return len(ref) - (len(line) - len(ref))
    return 0


def find_headline(page: Page, lines: Sequence[Line]) -> Headline | None:
    """The page's headline: see the module docstring. None when the page gives no evidence
    (a plain-text page without a given title: the caller falls back to the article's own
    first headline-like line)."""
    refs = _references(page)
    skip = -1
    if page.kind != "html" and not refs and lines:
        # A text dump of a web page begins with what its <title> said, site name included:
        # the headline is the line below that repeats it (if one does).
        first = lines[0].text
        if len(first) <= 120:
            core = squeeze(title_core(first))
            if len(core) >= 6:
                refs.append(core)
                skip = 0
    best: tuple[int, int, int] | None = None  # (score, heading, -index)
    for k, line in enumerate(lines):
        text = _LABEL_RE.sub("", line.text.strip())
        if k == skip or not 4 <= len(text) <= 200 or never_title(text):
            continue
        if skip == 0 and line.reason not in _BODY_REASONS | {"duplicate"}:
            # Weak evidence: only a line that could be the article's (or one dropped as a
            # repeat of the first line, which it repeats).
            continue
        key = squeeze(text)
        if len(key) < 4:
            continue
        for rank, ref in enumerate(refs):
            score = _match(key, ref)
            # Half the headline at least, or the line is a fragment of it (a kicker).
            if score < max(4, len(ref) // 2):
                continue
            heading = int("heading" in line.hints or "title" in line.hints)
            candidate = (score - rank, heading, -k)
            if best is None or candidate > best:
                best = candidate
    if best is not None:
        k = -best[2]
        return Headline(_LABEL_RE.sub("", lines[k].text.strip()), k)
    # No line shows what the metadata says: the metadata itself, if it is a headline.
    site = page.meta.get("site_name")
    for key in TITLE_META:
        value = page.meta.get(key)
        if value and _plausible(title_core(value, site), site):
            return Headline(title_core(value, site))
    if page.kind == "html" and page.title:
        core = title_core(page.title, site)
        if _plausible(core, site) and core != page.title.strip():
            return Headline(core)
    above = _above_dateline(lines)
    if above is None and page.kind != "html":
        above = _above_body(lines)
    if above is not None:
        return Headline(_MARK_RE.sub("", lines[above].text).strip(), above)
    if page.kind == "html" and page.title and _plausible(page.title, site):
        return Headline(page.title.strip())
    return None


def _plausible(text: str, site: str | None) -> bool:
    """A headline, not a site name or a label."""
    key = squeeze(text)
    return len(key) >= 4 and key != (squeeze(site) if site else None) and not never_title(text)


_DATELINE_RE = re.compile(
    r"(发布时间|发布日期|发表时间|更新时间|日期|时间|来源|作者|记者|编辑)\s*[:：]|"
    r"\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}"
)


#: Reasons that leave a line possibly part of the article: kept, or dropped for where it
#: stands rather than what it is.
_BODY_REASONS = frozenset({"", "outside", "link-list", "dateline"})


def _above_dateline(lines: Sequence[Line]) -> int | None:
    """The headline standing just above the dateline or byline that opens the article (before
    its first paragraph); a subtitle (``——……``) between them is passed over."""
    for k, line in enumerate(lines[:80]):
        text = line.text
        if line.keep and is_prose(text) and len(text) >= 60:
            return None  # the body began without a dateline
        if (
            len(text) > 80
            or line.reason not in _DATELINE_REASONS
            or not (_DATELINE_RE.search(text) or BYLINE_RE.match(text))
        ):
            continue
        for j in range(k - 1, max(-1, k - 4), -1):
            above = lines[j].text.strip()
            if _SUBTITLE_RE.match(above):
                continue
            if (
                lines[j].reason in _BODY_REASONS
                and is_title_like(above)
                and len(above) >= 6
                and not _TEASER_END_RE.search(above)
                and not never_title(above)
                and not _DATELINE_RE.search(above)
                and not LEAD_RE.match(above)
            ):
                return j
            break
        return None
    return None


#: How far above the body's first paragraph its headline may stand (datelines, bylines,
#: share buttons and a photo between them).
_HEADLINE_REACH = 10


def _above_body(lines: Sequence[Line]) -> int | None:
    """The headline nearest above the body's first paragraph, over the dateline, byline,
    captions and widgets between them: a text-mode browser's dump prints no ``<title>``."""
    start = next(
        (
            k
            for k, line in enumerate(lines)
            if line.keep and is_prose(line.text) and len(line.text) >= 30
        ),
        None,
    )
    if start is None:
        return None
    for j in range(start - 1, max(-1, start - 1 - _HEADLINE_REACH), -1):
        line = lines[j]
        text = _MARK_RE.sub("", line.text).strip()
        if (
            line.reason not in _BODY_REASONS
            or len(text) < 6
            or _DATELINE_RE.search(text)
            or BYLINE_RE.match(text)
            or never_title(text)
            or _SUBTITLE_RE.match(text)
        ):
            continue
        if is_title_like(text) and not _TEASER_END_RE.search(text) and not LEAD_RE.match(text):
            return j
        if line.keep and is_prose(text):
            return None  # another paragraph: the body began above
    return None


#: A text-mode browser's list and heading marks (``* ``, ``+ ``, ``# ``).
_MARK_RE = re.compile(r"^[*+#o•·]\s+")
_SUBTITLE_RE = re.compile(r"^(——|--|─)")
_TEASER_END_RE = re.compile(r"(\.{2,}|…+)$")
#: A dateline is kept, or dropped as one; a date in a list of links is a list item's.
_DATELINE_REASONS = frozenset({"", "dateline", "outside"})


# --------------------------------------------------------------------------- dates

_DATE_RES = (
    # ... followed by a time glued on, as a dump rejoined at its wrap width leaves it
    # (``2022-09-2912:30``).
    re.compile(
        r"(?<!\d)(\d{4})\s*[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{1,2})(?:(?!\d)|(?=\d{1,2}:\d{2}))"
    ),
    re.compile(r"(?<!\d)(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日"),
)
#: Labels of a publication date in a 信息公开 header table or a dateline (a bare 时间 or
#: 日期 only as a word of its own: 留言时间 is when someone wrote to the site).
_DATE_LABEL_RE = re.compile(
    r"(发布时间|发布日期|发文日期|成文日期|生成日期|公开日期|印发日期|发表时间|发表日期|"
    r"更新时间|(?<![\u4e00-\u9fff])(?:日期|时间))\s*[:：]?\s*"
)
#: Lines whose dates belong to the site's menus, not to the article.
_MENUS = frozenset({"nav", "breadcrumb"})
#: How far above its headline a header table's date may stand.
_TABLE_REACH = 30
#: Lines whose dates say nothing of this article (copies, ads, cut fragments).
_NO_DATES = frozenset({"spam", "duplicate", "injected", "repeated"})
#: How far below its headline an article's dateline may stand.
_DATELINE_REACH = 12


def _iso(year: str, month: str, day: str) -> str | None:
    y, m, d = int(year), int(month), int(day)
    if 1949 <= y <= 2100 and 1 <= m <= 12 and 1 <= d <= 31:
        return f"{y:04d}-{m:02d}-{d:02d}"
    return None


def first_date(texts: Sequence[str]) -> str | None:
    """The first full date (year, month, day) in ``texts``, as ISO ``YYYY-MM-DD``."""
    for text in texts:
        for pattern in _DATE_RES:
            for match in pattern.finditer(text):
                iso = _iso(*match.groups())
                if iso:
                    return iso
    return None


def parse_date(value: str | None) -> str | None:
    """An ISO date from a metadata value (``2018-07-16T08:39``, ``2018年7月16日`` …)."""
    return first_date([value]) if value else None


def _dateline(line: Line) -> str | None:
    """The date of a dateline or byline: a short line, or a labelled one, not a link."""
    if line.reason in _NO_DATES or "links" in line.hints:
        return None
    text = line.text
    if len(text) > 100 and not _DATE_LABEL_RE.search(text[:40]):
        return None
    return first_date([text[:100]])


def _table_date(lines: Sequence[Line], span: Iterable[int]) -> str | None:
    """A date labelled in a header table (``发布日期：`` and the date, maybe in the next cell)."""
    for k in span:
        line = lines[k]
        if (
            line.reason in _NO_DATES
            or line.reason in _MENUS
            or "links" in line.hints
            or len(line.text) > 80
        ):
            continue
        match = _DATE_LABEL_RE.search(line.text)
        if not match:
            continue
        date = first_date([line.text[match.start() :]])
        if date is None and k + 1 < len(lines) and match.end() == len(line.text):
            date = first_date([lines[k + 1].text[:40]])
        if date:
            return date
    return None


def find_date(page: Page, lines: Sequence[Line], shown: int | None) -> str | None:
    """The date the article is shown with.

    In order: the dateline or byline under the headline (up to the body's first paragraph;
    one without a year, ``发布时间：01-14 17:58``, takes it from the page's metadata when
    the month and day agree); a publication date labelled in the header table above the
    headline, nearest first; the page's metadata. None when none of them says: the caller
    looks further.
    """
    metas = _meta_dates(page)
    if shown is None:
        return _table_date(lines, range(min(len(lines), 80))) or next(iter(metas), None)
    below = lines[shown + 1 : shown + 1 + _DATELINE_REACH]
    for k, line in enumerate(below):
        date = _dateline(line) or _yearless(line, metas) or _split_dateline(below[k : k + 3])
        if date:
            return date
        if line.keep and is_prose(line.text) and len(line.text) >= 60:
            break  # the body has begun: its dates are what it reports
    above = range(shown - 1, max(-1, shown - 1 - _TABLE_REACH), -1)
    return _table_date(lines, above) or next(iter(metas), None)


def _meta_dates(page: Page) -> list[str]:
    """The dates the page's metadata gives: the publication date first, then any field
    named for a date or time (``dateUpdate``, ``apub:time`` …)."""
    values = [page.date] + [v for k, v in page.meta.items() if "date" in k or "time" in k]
    out: list[str] = []
    for value in values:
        date = parse_date(value)
        if date and date not in out:
            out.append(date)
    return out


_MONTH_DAY_RE = re.compile(r"(?<![\d-])(\d{1,2})\s*[-/月]\s*(\d{1,2})(?=\D|\d{1,2}:|$)")


def _yearless(line: Line, metas: Sequence[str]) -> str | None:
    """A labelled dateline without a year, dated by the metadata date with the same day."""
    if not metas or "links" in line.hints or len(line.text) > 60:
        return None
    match = _DATE_LABEL_RE.search(line.text)
    if not match:
        return None
    day = _MONTH_DAY_RE.match(line.text[match.end() :].strip())
    if not day:
        return None
    month, mday = int(day.group(1)), int(day.group(2))
    return next((m for m in metas if (int(m[5:7]), int(m[8:10])) == (month, mday)), None)


_SPLIT_DATE_RE = re.compile(r"^(\d{4})\s+(\d{1,2})\s*[-/.]\s*(\d{1,2})(?!\d)")


def _split_dateline(lines: Sequence[Line]) -> str | None:
    """A dateline a page lays out in pieces (``2019`` / ``09/07`` / ``19:02``)."""
    if len(lines) < 2 or any(len(line.text) > 12 or "links" in line.hints for line in lines[:2]):
        return None
    match = _SPLIT_DATE_RE.match(" ".join(line.text for line in lines))
    return _iso(*match.groups()) if match else None


# --------------------------------------------------------------------------- sources

_SOURCE_LABEL_RE = re.compile(
    r"(?:信息来源|文章来源|稿件来源|新闻来源|来源|出处)\s*[:：]\s*"
    r"|(?:本文|文章|稿件)?(?:来源于|来自于?)\s*[:：]?\s*"
)
# A source name ends at a space, a bar, a bracket, another label or a date.
_SOURCE_END_RE = re.compile(
    r"\s|[|｜,，;；()（）\[\]【】]|(作者|记者|编辑|责编|时间|发布|日期|浏览|点击|字号)|\d{4}"
)


def clean_source(value: str) -> str | None:
    """The source's name out of a byline or metadata value: ``来源：人民网-文化频道 原创稿``
    -> ``人民网-文化频道``; None when nothing name-like is left."""
    value = nfkc(value).strip()
    match = _SOURCE_LABEL_RE.search(value)
    if match:
        value = value[match.end() :]
    end = _SOURCE_END_RE.search(value)
    if end:
        value = value[: end.start()]
    if re.search(r"[:：]", value):
        return None  # ``来源： 访问量：1632``: the next field's label, not a name
    value = value.strip(" -—|·")
    if len(value) < 2 or re.search(r"\d{3}", value) or value.endswith("必究"):
        return None
    return value


def find_source(page: Page, lines: Sequence[Line], shown: int | None) -> str | None:
    """The article's source (来源) as its byline says, else as the page's metadata says.

    A labelled ``来源：`` line under the headline (or in the header table above it) first;
    then an unlabelled byline: the name standing beside the dateline under the headline
    (``新华社`` / ``2020-01-03 18:13``, ``TNW中文站2016年10月14日07:17``).
    """
    if shown is not None:
        below = range(shown + 1, min(len(lines), shown + 1 + _DATELINE_REACH))
        above = range(shown - 1, max(-1, shown - 1 - _TABLE_REACH), -1)
        name = _labelled_source(lines, below) or _labelled_source(lines, above)
        if name:
            return name
    meta = page.meta.get("source")
    name = clean_source(meta) if meta else None
    if name:
        return name
    return _byline_source(lines, shown) if shown is not None else None


def labelled_source(text: str) -> str | None:
    """The source a ``来源：`` label names in ``text``, or None."""
    match = _SOURCE_LABEL_RE.search(text)
    return clean_source(text[match.start() :]) if match else None


def _labelled_source(lines: Sequence[Line], span: Iterable[int]) -> str | None:
    for k in span:
        line = lines[k]
        if line.reason in _NO_DATES or "links" in line.hints or len(line.text) > 100:
            continue
        name = labelled_source(line.text)
        if name:
            return name
    return None


_DATETIME_RE = re.compile(
    r"(?<!\d)\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?(\s*\d{1,2}:\d{2}(:\d{2})?)?"
    r"|(?<!\d)\d{1,2}:\d{2}(:\d{2})?"
)
_NAME_RE = re.compile(r"^[\w·・\u3400-\u9fff]{2,16}$")


@functools.cache
def _outlet_endings() -> tuple[str, ...]:
    from .analysis import read_word_list

    return tuple(sorted(read_word_list(data_file("outlets.txt")), key=len, reverse=True))


def _byline_source(lines: Sequence[Line], shown: int) -> str | None:
    """The outlet named beside the dateline under the headline, when no label says."""
    below = lines[shown + 1 : shown + 1 + 4]
    for k, line in enumerate(below):
        text = line.text
        if "links" in line.hints or len(text) > 60:
            continue
        label = _DATE_LABEL_RE.search(text)
        if not (_DATETIME_RE.search(text) or label):
            continue
        # The dateline's own words name the outlet by its ending; a line of its own just
        # above the dateline (not the headline) is the byline's name.
        if label:
            text = text[: label.start()] + " " + _MONTH_DAY_TIME_RE.sub(" ", text[label.end() :])
        for part in _DATETIME_RE.split(text):
            name = _outlet(part or "", alone=False)
            if name:
                return name
        return _outlet(below[k - 1].text, alone=True) if k > 0 else None
    return None


_MONTH_DAY_TIME_RE = re.compile(r"^\s*\d{1,2}\s*[-/月]\s*\d{1,2}\s*日?\s*(\d{1,2}:\d{2}(:\d{2})?)?")


def _outlet(text: str, alone: bool) -> str | None:
    """The outlet in a byline fragment: ``石佳/中国青年报`` -> ``中国青年报``; a name
    ``alone`` on its line counts whatever its ending."""
    pieces = [p.strip() for p in re.split(r"[/／|｜]|\s+", nfkc(text)) if p.strip()]
    names = [
        p
        for p in pieces
        if _NAME_RE.match(p) and not never_title(p) and not _DATE_LABEL_RE.search(p)
    ]
    outlets = [p for p in names if p.endswith(_outlet_endings()) and not p.isdigit()]
    if outlets:
        return outlets[0]
    if alone and len(pieces) == 1 and names and not re.search(r"\d", names[0]):
        return names[0]
    return None
