"""Building articles: kept lines -> rejoined paragraphs -> articles with metadata.

A page may carry several articles (a newspaper page: headline + ``本报讯`` / ``记者`` byline
blocks); each gets its own title, date, region, source and reporter. Sentences broken across
lines are rejoined without gluing a headline to its body.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from typing import Protocol

from .analysis import nfkc
from .article import Article
from .clean import BYLINE_RE, LEAD_RE, Line, is_prose, is_title_like
from .metadata import (
    Headline,
    find_date,
    find_headline,
    find_source,
    first_date,
    labelled_source,
    never_title,
    parse_date,
    squeeze,
)
from .sources import Page


class RegionFinder(Protocol):
    """Where an article is from and about (:meth:`.gazetteer.Gazetteer.find_region`)."""

    def __call__(
        self,
        text: str,
        hint: str | None = None,
        *,
        title: str | None = None,
        site: str | None = None,
    ) -> str | None: ...


_SUBTITLE_RE = re.compile(r"^(——|--|─)")
_REPORTER_ONLY_RE = re.compile(
    r"记者\s*[:：]?\s*((?:[\u4e00-\u9fff]{2,3}(?:[\s、]+|$|(?=[)）通])))+)"
)

# A credit in the lead: ``江门讯 (文/图 /张茂盛 李雨溪)``, ``(文/张三)``.
_CREDIT_RE = re.compile(
    r"[(（]\s*(?:文\s*/\s*图|图\s*/\s*文|文|撰文)\s*[/:：]\s*/?\s*"
    r"((?:[\u4e00-\u9fff]{2,3}(?:[\s、]+|(?=[)）])))+)[)）]"
)

_DATE_LABEL_RE = re.compile(r"(发布时间|发布日期|时间|日期|发表时间|更新时间|来源)\s*[:：]")
_SOURCE_RES = (
    re.compile(r"([^\s|｜:：,，()（）]{2,30}?)(?:社)?\s*主办(?:\s|$|单位)"),
    re.compile(r"主办(?:单位)?\s*[:：]\s*([^\s|｜,，]{2,30})"),
    re.compile(r"([^\s|｜:：,，©()（）]{2,30}?)(?:社)?版权所有"),
    re.compile(r"版权所有\s*[:：©]?\s*([^\s|｜,，]{2,30})"),
)
_NEWSPAPER_RE = re.compile(r"([\u4e00-\u9fff]{2,10}(日报|晚报|时报|都市报|商报))")


def rejoin(lines: Sequence[Line]) -> list[Line]:
    """Rejoin sentences broken across kept lines.

    A kept line joins the next when it reads as prose cut mid-sentence (no sentence ending,
    has clauses) and the next line is not a byline, subtitle or headline-like label.
    """
    out: list[Line] = []
    for line in lines:
        if not line.keep:
            out.append(line)
            continue
        previous = next((p for p in reversed(out) if p.keep), None)
        if previous is not None and _continues(previous.text, line.text) and _adjacent(out):
            previous.text = previous.text + line.text
            continue
        out.append(Line(line.text, line.reason, line.hints, list(line.cut)))
    return out


def _adjacent(out: list[Line]) -> bool:
    # Only dropped lines of chrome that sit inside the text (none here) may separate halves;
    # any dropped line between them means the break was a real boundary.
    return bool(out) and out[-1].keep


def _continues(first: str, second: str) -> bool:
    if first.endswith(tuple("。！？!?；;…”」』:：")):
        return False
    if not (len(first) >= 12 and re.search(r"[，,、；;。]", first)):
        return False
    if LEAD_RE.match(second) or _SUBTITLE_RE.match(second) or BYLINE_RE.match(second):
        return False
    return not (is_title_like(second) and len(second) <= 20 and not second.endswith("。"))


def make_id(path: str, text: str) -> str:
    """Stable id: the same article text from the same file gets the same id on every run."""
    digest = hashlib.blake2b(digest_size=8)
    digest.update(path.encode("utf-8", "surrogatepass"))
    digest.update(b"\0")
    digest.update(re.sub(r"\s+", "", nfkc(text)).encode("utf-8"))
    return digest.hexdigest()


def build_articles(
    page: Page, lines: Sequence[Line], find_region: RegionFinder | None = None
) -> list[Article]:
    """Split ``page``'s kept lines into articles and give each its metadata.

    The page's headline, dateline and byline (:mod:`searcher.metadata`) go to its first
    article; the other articles of a newspaper page get their own from their headline
    groups and leads.
    """
    joined = rejoin(lines)
    headline = _page_headline(page, joined)
    shown = headline.line if headline else None
    kept = [line.text for k, line in enumerate(joined) if line.keep and k != shown]
    if not kept:
        return []
    page_date = _page_date(page, joined)
    source = _source(page, joined)
    head_date = find_date(page, joined, shown) if headline else None
    head_source = find_source(page, joined, shown) if headline else None
    articles = []
    for n, (title, body) in enumerate(_split(kept, page, headline.text if headline else None)):
        text = "\n".join(body)
        if not text.strip() or not any(is_prose(p) for p in [*body, title]):
            continue
        # A labelled dateline of the article, else the page's date, else a short line with a
        # date; never a date inside a sentence (``2003年3月20日，美国……`` is what a story is
        # about, not when it ran).
        date = (n == 0 and head_date) or (
            first_date([line for line in body[:3] if _DATE_LABEL_RE.search(line)])
            or page_date
            or first_date([line for line in body[:3] if len(line) <= 60])
        )
        article_source = (n == 0 and head_source) or source
        region = (
            find_region(text, article_source, title=title, site=page.site) if find_region else None
        )
        articles.append(
            Article(
                id=make_id(page.path, f"{page.number}\n{title}\n{text}"),
                title=title,
                text=text,
                path=page.path,
                date=date,
                region=region,
                source=article_source,
                reporter=_reporter(body[:4]),
                url=page.url,
                page=page.number,
            )
        )
    return articles


def _page_headline(page: Page, lines: Sequence[Line]) -> Headline | None:
    """A title given with the page (JSON Lines, a header block) as given, with the line that
    repeats it; else the headline the page's evidence agrees on."""
    if page.title and page.given_title:
        key = squeeze(page.title)
        shown = next(
            (k for k, line in enumerate(lines[:8]) if line.keep and squeeze(line.text) == key),
            None,
        )
        return Headline(page.title, shown)
    return find_headline(page, lines)


def _split(kept: list[str], page: Page, title: str | None) -> list[tuple[str, list[str]]]:
    """``(title, paragraphs)`` per article of a page; ``title``, when known, is the first
    article's."""
    leads = [i for i, text in enumerate(kept) if LEAD_RE.match(text)]
    starts: list[tuple[int, int]] = []  # (first line of headline group, lead line)
    for lead in leads:
        start = lead
        while start > 0 and lead - start < 3 and _headline(kept[start - 1]):
            start -= 1
        if not starts or start > starts[-1][1]:
            starts.append((start, lead))
    if not starts:
        return [_single(kept, page, title)]
    pieces: list[tuple[str, list[str]]] = []
    head = kept[: starts[0][0]]
    if any(is_prose(p) for p in head):
        pieces.append(_single(head, page, title))
    elif head and len(starts) == 1:
        # One article whose headline sits above a dateline or other labels.
        return [_single(kept, page, title)]
    for n, (start, lead) in enumerate(starts):
        end = starts[n + 1][0] if n + 1 < len(starts) else len(kept)
        group, body = kept[start:lead], kept[lead:end]
        pieces.append(_titled(group, body, None if pieces else title))
    return pieces


def _headline(text: str) -> bool:
    return (
        is_title_like(text)
        and not LEAD_RE.match(text)
        and not _DATE_LABEL_RE.search(text)
        and first_date([text]) is None
    )


def _titled(group: list[str], body: list[str], title: str | None) -> tuple[str, list[str]]:
    """Title from a headline group (kicker, headline, ——subtitle), unless known; the rest
    stays as text."""
    if title:
        return title, group + body
    main = [g for g in group if not _SUBTITLE_RE.match(g)]
    if main:
        title = main[-1]
        rest = [g for g in group if g is not title]
        return title, rest + body
    if body:
        lead = body[0]
        return _title_from_lead(lead), group + body
    return "", group


def _title_from_lead(lead: str) -> str:
    text = re.sub(
        r"^(本报讯|本刊讯|本网讯|[\u4e00-\u9fff]{2,8}讯)?\s*[(（][^)）]{0,40}[)）]", "", lead
    )
    sentence = re.split(r"[。！？!?]", text, maxsplit=1)[0]
    return sentence[:40] + ("…" if len(sentence) > 40 else "")


def _single(kept: list[str], page: Page, title: str | None) -> tuple[str, list[str]]:
    """A page holding one article: its headline is ``title`` when known, else the first
    headline-like line."""
    if title:
        return title, kept
    for i, text in enumerate(kept[:6]):
        if _headline(text) and len(text) >= 4 and not never_title(text):
            body = kept[:i] + kept[i + 1 :]
            if body:
                return text, body
    if page.title:
        return page.title, kept
    return _title_from_lead(kept[0]), kept


# Dates in lists of other articles, ads and repeated copies say nothing of this page.
_NOT_DATELINES = {"link-list", "spam", "duplicate", "repeated", "injected"}


def _page_date(page: Page, lines: Sequence[Line]) -> str | None:
    """The page's date: metadata first, then a dateline (kept or dropped chrome)."""
    meta = parse_date(page.date)
    if meta:
        return meta
    usable = [line for line in lines if line.reason not in _NOT_DATELINES]
    labelled = [line.text for line in usable if _DATE_LABEL_RE.search(line.text)]
    short = [line.text for line in usable if len(line.text) <= 60 or not line.keep]
    return first_date(labelled) or first_date(short)


def _source(page: Page, lines: Sequence[Line]) -> str | None:
    """The site or newspaper: a 来源 line, a 主办/版权所有 line, a newspaper name, meta."""
    if page.meta.get("source"):
        return page.meta["source"]
    texts = [line.text for line in lines if not line.keep or len(line.text) <= 80]
    for text in texts:
        name = labelled_source(text)
        if name:
            return name
    for pattern in _SOURCE_RES:
        for text in texts:
            match = pattern.search(text)
            if match:
                name = match.group(1).strip("：:|｜ ")
                name = re.sub(r"(社|网站)$", "", name)
                if len(name) >= 2 and not re.search(r"\d{3}", name) and not name.endswith("必究"):
                    return name
    for text in texts:
        match = _NEWSPAPER_RE.search(text)
        if match:
            return match.group(1)
    return page.meta.get("site_name")


def _reporter(texts: Sequence[str]) -> str | None:
    leads = [t for t in texts if LEAD_RE.match(t) or BYLINE_RE.match(t)]
    for text in leads:
        head = text[:60]
        match = _REPORTER_ONLY_RE.search(head)
        if match:
            names = re.split(r"[\s、]+", match.group(1).strip())
            names = [n for n in names if n and n != "通讯员"]
            if names:
                return " ".join(names)
        match = _CREDIT_RE.search(head)
        if match:
            return " ".join(re.split(r"[\s、]+", match.group(1).strip()))
    return None
