"""Classifying lines: keep article body, drop chrome and spam, each decision with a reason.

Rules describe a *kind* of line (navigation, counter, copyright, contact, subscription ad,
e-paper chrome, link list, spam, repeated site chrome), never one site's strings; the
vocabularies are data files in ``searcher/data``. Decisions happen in passes:

1. each line alone: structural hints from the HTML, then the kinds in ``chrome.txt`` (the
   article's own dateline, ``2019-08-13 14:07来源：澎湃新闻``, is one: ``dateline``, dropped
   from the text but read for the date), then spam vocabulary, then lines repeated across
   many pages of the same site;
2. runs of lines: headline lists and "related articles" lists (titles, teasers, dates);
3. the page as a whole: where the article body is, and everything else dropped as
   ``outside`` (teaser feeds, comment threads, recommended stories). HTML pages: the
   element holding the most prose, as readability finds it, with the tables and lists
   inside it kept (a 公示 list of names, a table of figures) unless they are links;
   plain text: the best-scoring stretches of paragraphs (as BTE finds them), anchored
   under the line that repeats the page title or, on a page with no title line (a
   text-mode browser's dump), at the first stretch that opens like an article (a lead, a
   headline over a dateline), newspaper pages keeping every stretch that opens like an
   article (``本报讯``, ``记者``), and a run of short lines (a table, one cell a line)
   joining the body with the stretch of body on its other side. Only lines that read as
   sentences earn a stretch its score (a wall of link names, an address or an encoded
   blob does not, however long), and a feed's "2 天前" stamp ends any stretch;
4. paragraphs repeated within the page, and short off-topic fragments spliced into a
   paragraph (judged against the vocabulary of the rest of the page).
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from .analysis import data_file, nfkc, read_word_list, segment, stop_words
from .sources import Page, RawLine

#: Bump when a change to the cleaner changes what it keeps: indexes built with an older
#: version are re-cleaned.
CLEANER_VERSION = 6

KEEP = ""

_SENTENCE_END = "。！？!?；;…”」』)）"
_PROSE_PUNCT_RE = re.compile(r"[，,。；;：:、！？!?]")
_DATE_ONLY_RE = re.compile(
    r"^[\[【(（]?\s*\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?"
    r"(\s+\d{1,2}:\d{2}(:\d{2})?)?\s*[\]】)）]?$"
)
_TEASER_RE = re.compile(r"(\.{3,}|…+|\.\.\.)\s*$")
_SEPARATOR_RE = re.compile(r"^[\W_\d]{0,4}$")
_CJK_RE = re.compile(r"[\u3400-\u9fff]")
_SPLICE_RE = re.compile(r"(?<=[\u3400-\u9fff，。“”：:、])\s+(?=[\u3400-\u9fff“”])")
# A lead paragraph opens an article: 本报讯, 某某讯, 新华社…电, or a byline (记者 某某).
LEAD_RE = re.compile(
    r"^(本报讯|本刊讯|本网讯|[\u4e00-\u9fff]{2,8}讯\s*[(（]|[\u4e00-\u9fff]{2,8}讯\s|"
    r"新华社[\u4e00-\u9fff]{2,8}\d{1,2}月\d{1,2}日电|[(（]?记者\s*[\u4e00-\u9fff])"
)
BYLINE_RE = re.compile(r"^[(（]?(本报)?记者[\s\u4e00-\u9fff、/]{2,30}[)）]?$")
#: An editor's credit: who edited or checked the article (``【责任编辑：某某】``).
CREDIT_RE = re.compile(r"^[【\[(（]?\s*(责任编辑|编辑|责编|审核|审校|校对|终审)\s*[:：/]\s*\S")


@dataclass
class Line:
    """One line of a page with the cleaner's decision: ``reason`` is empty when kept."""

    text: str
    reason: str = KEEP
    hints: frozenset[str] = frozenset()
    cut: list[str] = field(default_factory=list)

    @property
    def keep(self) -> bool:
        return not self.reason


@dataclass(frozen=True)
class _Kind:
    reason: str
    max_len: int
    pattern: re.Pattern[str]
    #: False for labels that are chrome only on a line of their own, never inside a sentence.
    in_prose: bool = True


@dataclass(frozen=True)
class Rules:
    """The cleaner's data: kinds of chrome line and the spam vocabulary."""

    kinds: tuple[_Kind, ...]
    spam: re.Pattern[str]
    nav_words: frozenset[str]

    @classmethod
    @functools.cache
    def load(cls) -> Rules:
        kinds: list[_Kind] = []
        reason, max_len, in_prose, patterns = "", 0, True, []
        header = re.compile(r"^\[([\w-]+)(?:\s+max=(\d+))?(\s+notprose)?\]$")

        def close() -> None:
            if reason and patterns:
                joined = "|".join(f"(?:{p})" for p in patterns)
                kinds.append(_Kind(reason, max_len, re.compile(joined, re.I), in_prose))

        for line in data_file("chrome.txt").splitlines():
            stripped = line.strip()
            if not stripped or stripped.startswith("#"):
                continue
            match = header.match(stripped)
            if match:
                close()
                reason, max_len = match.group(1), int(match.group(2) or 10**9)
                in_prose, patterns = not match.group(3), []
            else:
                patterns.append(stripped)
        close()
        spam_words = sorted(read_word_list(data_file("spam.txt")), key=len, reverse=True)
        spam = re.compile("|".join(re.escape(w) for w in spam_words))
        nav_words = frozenset(read_word_list(data_file("navwords.txt")))
        return cls(tuple(kinds), spam, nav_words)


def fingerprint(text: str) -> str:
    """A line's identity for repetition counts: NFKC, no spaces, digits folded."""
    text = nfkc(text).casefold()
    text = re.sub(r"\s+", "", text)
    text = re.sub(r"\d+", "0", text)
    return hashlib.blake2b(text.encode("utf-8"), digest_size=8).hexdigest()


@dataclass
class SiteStats:
    """How many pages of each site show each line: lines on many pages are site chrome.

    Counts every page once per distinct line (as CCNet does with paragraph hashes).
    """

    pages: Counter[str] = field(default_factory=Counter)
    lines: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))

    def add(self, page: Page) -> None:
        self.pages[page.site] += 1
        seen = {fingerprint(line.text) for line in page.lines if is_repeatable(line.text)}
        self.lines[page.site].update(seen)

    def is_repeated(self, site: str, text: str) -> bool:
        """True when ``text`` is chrome repeated on many pages of ``site``."""
        pages = self.pages.get(site, 0)
        if pages < 3 or not is_repeatable(text):
            return False
        count = self.lines[site].get(fingerprint(text), 0)
        return count >= 3 and count >= 0.3 * pages


def is_repeatable(text: str) -> bool:
    """A line that counts towards a site's repeated lines (short, not a sentence).

    Reposted articles repeat whole paragraphs across pages of a site; those are duplicates
    for dedup to collapse, not chrome. Only short, non-prose lines count as chrome.
    """
    return len(text) <= 60 and not text.endswith(("。", "！", "？"))


def is_prose(text: str) -> bool:
    """A sentence or paragraph rather than a label, headline or menu item."""
    return len(text) >= 30 or (len(text) >= 12 and bool(_PROSE_PUNCT_RE.search(text[:-1])))


#: Latin words of a sentence (``the``, ``Zverev,``): a long line of them is English prose.
_LATIN_WORD_RE = re.compile(r"(?<![\w/.=&?%-])[A-Za-z][a-z]{1,}[,.;:!?]?(?![\w/=&?%])")
#: What a sentence holds somewhere: a clause mark or an ellipsis (not quotation marks: a
#: menu names ``“互联网+督查”平台``).
_SENTENCE_MARK_RE = re.compile(r"[，,。；;：:、！？!?…]")


#: A line that opens with an address (``https://s.yimg.com/…``, ``www.example.com/…``).
_URL_TOKEN_RE = re.compile(r"^(?:[a-z][a-z0-9+.-]*://|www\.)\S{8,}", re.I)


#: A run of Latin letters, digits and symbols too long for a word: an address, an
#: encoded blob (base64), a file name.
_BLOB_RE = re.compile(r"[!-~]{25,}")


def _is_sentence(text: str) -> bool:
    """Prose (:func:`is_prose`) that reads as sentences: a long line needs a clause mark
    somewhere, or to be a run of Latin words (English prose is light on commas). A long line
    with neither is link names run together (``南方网 南方英文网 奥一网 …``), a URL or an
    encoded blob, however long; plain text has no markup to tell them from a paragraph.
    """
    if not is_prose(text) or _URL_TOKEN_RE.match(text):
        return False
    if sum(len(blob) for blob in _BLOB_RE.findall(text)) * 2 >= len(text):
        return False
    if _CJK_RE.search(text) and 100 * len(_SENTENCE_MARK_RE.findall(text)) < len(text):
        # Chinese prose has a clause mark every sentence or so; a long line with one is
        # names run together (a list of members, a wall of links).
        return False
    if len(text) >= 12 and _PROSE_PUNCT_RE.search(text[:-1]):
        return True
    return bool(_SENTENCE_MARK_RE.search(text)) or len(_LATIN_WORD_RE.findall(text)) >= 6


def is_title_like(text: str) -> bool:
    """A short line that could be a headline: no sentence ending, few clauses, no byline."""
    if not text or len(text) > 50 or text.endswith(("。", "！", "？", "；", ";", "，", ",", "摄")):
        return False
    if "。" in text or LEAD_RE.match(text) or BYLINE_RE.match(text):
        return False
    return len(_PROSE_PUNCT_RE.findall(text)) <= 2


# --------------------------------------------------------------------------- single lines

_HINT_REASONS = (
    ("nav", "nav"),
    ("breadcrumb", "breadcrumb"),
    ("header", "nav"),
    ("footer", "copyright"),
    ("share", "widget"),
    ("comment", "widget"),
    ("ad", "spam"),
    ("related", "link-list"),
    ("sidebar", "link-list"),
    ("aside", "link-list"),
)


_LAYOUT_HINTS = frozenset({"nav", "header", "footer", "breadcrumb"})


def classify_text(
    text: str, hints: frozenset[str] = frozenset(), rules: Rules | None = None
) -> str:
    """The reason to drop one line judged alone, or ``KEEP``."""
    rules = rules or Rules.load()
    if _SEPARATOR_RE.match(text) and not _CJK_RE.search(text):
        return "widget"
    long_prose = len(text) >= 100 and bool(_PROSE_PUNCT_RE.search(text))
    if hints and "content" not in hints:
        for hint, reason in _HINT_REASONS:
            # Layout wrappers (a page-wide ``header`` or ``bottom`` div) may hold the
            # article: long prose inside them stays. Comment boxes, related lists, sidebars
            # and ads hold whole paragraphs that are not the article.
            if hint in hints and not (long_prose and hint in _LAYOUT_HINTS):
                return reason
    prose = is_prose(text)
    for kind in rules.kinds:
        if len(text) > kind.max_len or (prose and not kind.in_prose):
            continue
        if kind.pattern.search(text):
            return kind.reason
    if _is_menu(text, rules) or text.strip("｜|>»›：: ") in rules.nav_words:
        # ... or a section's name alone: the tail of a breadcrumb, a menu one item a line.
        return "nav"
    if _is_spam(text, rules):
        return "spam"
    if "links" in hints:
        # A paragraph that is all link is a teaser for another page, however long.
        return "link-list"
    return KEEP


def _is_menu(text: str, rules: Rules) -> bool:
    """``首页 | 新闻 | 政务公开 | 办事服务``: several short items, no prose.

    Items separated by bars or bullets make a menu; items separated only by spaces do when
    one of them is a navigation word (a list of names at the end of an article is not).
    """
    if _PROSE_PUNCT_RE.search(text):
        return False
    items = [item for item in re.split(r"\s*[|｜·•]\s*|\s+", text) if item]
    if len(items) < 4 or any(len(item) > 8 for item in items):
        return False
    if len(re.findall(r"[|｜·•]", text)) >= 2:
        return True
    return any(item in rules.nav_words for item in items)


def _is_spam(text: str, rules: Rules) -> bool:
    hits = rules.spam.findall(text)
    if len(set(hits)) < 2:
        return False
    covered = sum(len(hit) for hit in hits)
    # Ads are stacks of spam terms; an article mentioning a hospital has few among many words.
    return covered >= 0.25 * len(text) or len(hits) >= 6


# --------------------------------------------------------------------------- whole pages


def classify(page: Page, stats: SiteStats | None = None, rules: Rules | None = None) -> list[Line]:
    """Every line of ``page`` with the reason it is dropped (empty when kept)."""
    rules = rules or Rules.load()
    lines = [_classify_line(raw, page, stats, rules) for raw in page.lines]
    _keep_labels(lines)
    listed = _mark_lists(lines)
    _mark_duplicates(lines)
    if page.kind == "html":
        blocks = [raw.blocks for raw in page.lines]
        _restore_in_body(lines, listed)
        _restore_lone_list(lines, listed)
        bodies = _body_containers(lines, blocks)
        _restore_body_tables(lines, listed, blocks, bodies)
        _mark_outside(lines, blocks, bodies)
    else:
        _mark_off_body(lines, page.title, listed)
    _cut_injected(lines)
    return lines


#: A bare label that opens the paragraph below it (答： / 问： / A:).
_LABEL_RE = re.compile(r"^(?:[\u4e00-\u9fff]{1,4}|[A-Za-z]{1,8})\s*[:：]$")


def _keep_labels(lines: list[Line]) -> None:
    """A bare label above a kept paragraph is part of it, however many pages of the site
    show it (every Q&A page has its ``答：``)."""
    for line, below in itertools.pairwise(lines):
        if (
            line.reason == "repeated"
            and _LABEL_RE.match(line.text)
            and below.keep
            and is_prose(below.text)
        ):
            line.reason = KEEP


def _classify_line(raw: RawLine, page: Page, stats: SiteStats | None, rules: Rules) -> Line:
    reason = classify_text(raw.text, raw.hints, rules)
    if not reason and stats is not None and stats.is_repeated(page.site, raw.text):
        reason = "repeated"
    return Line(raw.text, reason, raw.hints)


def _is_list_item(text: str) -> bool:
    if LEAD_RE.match(text) or BYLINE_RE.match(text):
        return False
    return bool(
        _DATE_ONLY_RE.match(text)
        or (_TEASER_RE.search(text) and len(text) <= 80)
        or (_SEPARATOR_RE.match(text) and not _CJK_RE.search(text))
        or is_title_like(text)
    )


def _mark_lists(lines: list[Line]) -> set[int]:
    """Drop headline lists and "related articles" lists: runs of titles, teasers and dates.

    A run of four or more list-like lines is a list when it holds teasers or dates, or when
    no paragraph follows it; when a paragraph follows, its last lines (up to three) are that
    article's headline group and stay. Returns the indexes of the lines it dropped.
    """
    dropped: set[int] = set()
    i = 0
    while i < len(lines):
        if not lines[i].keep or not _is_list_item(lines[i].text):
            i += 1
            continue
        j = i
        run: list[int] = []
        while j < len(lines) and (not lines[j].keep or _is_list_item(lines[j].text)):
            if lines[j].keep:
                run.append(j)
            j += 1
        followed_by_prose = j < len(lines) and is_prose(lines[j].text)
        teasers = sum(
            1 for k in run if _DATE_ONLY_RE.match(lines[k].text) or _TEASER_RE.search(lines[k].text)
        )
        if len(run) >= 4 or teasers >= 2:
            drop = run
            if teasers < 2 and followed_by_prose:
                # The lines right above the paragraph (no chrome between them) are its
                # headline group: kicker, headline, subtitle.
                group = [run[-1]]
                for k in reversed(run[:-1]):
                    if len(group) == 3 or any(not lines[m].keep for m in range(k + 1, group[-1])):
                        break
                    group.append(k)
                drop = [k for k in run if k not in group]
                if len(drop) < 2:
                    drop = []
            for k in drop:
                lines[k].reason = "link-list"
            dropped.update(drop)
        i = j + 1 if j > i else i + 1
    return dropped


def _restore_lone_list(lines: list[Line], listed: set[int]) -> None:
    """A page whose only text is a list that is not links (a journal's table of contents, a
    list of notices) is that list: keep its longest run when nothing else would be kept."""
    if any(line.keep and is_prose(line.text) for line in lines):
        return
    best: list[int] = []
    run: list[int] = []
    for k, line in enumerate(lines):
        if (k in listed and "links" not in line.hints) or (line.keep and run):
            run.append(k)
        else:
            best = max(best, run, key=lambda r: sum(len(lines[m].text) for m in r))
            run = []
    best = max(best, run, key=lambda r: sum(len(lines[m].text) for m in r))
    if sum(len(lines[m].text) for m in best) >= 200:
        for m in best:
            lines[m].reason = KEEP


#: Drops that say nothing about where the article body is: a phone line or a repeated
#: paragraph can sit in the middle of an article.
_NEUTRAL = frozenset({"contact", "duplicate"})


def _restore_in_body(lines: list[Line], listed: set[int]) -> None:
    """Short lines between two paragraphs of body are body (as jusText decides by context).

    A run of list-like lines (a numbered list of places and prices, a table of contents) that
    sits between two prose paragraphs, with no chrome between, is part of the article: the
    list pass judged each line by its shape alone. Lines whose HTML makes them links stay
    dropped.
    """

    def good(k: int) -> bool:
        return lines[k].keep and is_prose(lines[k].text)

    def soft(k: int) -> bool:
        return lines[k].keep or lines[k].reason in _NEUTRAL or k in listed

    i = 0
    while i < len(lines):
        if i not in listed or "links" in lines[i].hints:
            i += 1
            continue
        j = i
        run: list[int] = []
        while j < len(lines) and not good(j):
            line = lines[j]
            if j in listed and "links" not in line.hints:
                run.append(j)
            elif not (line.keep or line.reason in _NEUTRAL):
                break
            j += 1
        k = i - 1
        while k >= 0 and not good(k) and soft(k):
            k -= 1
        if j < len(lines) and good(j) and k >= 0 and good(k):
            for m in run:
                lines[m].reason = KEEP
        i = max(j, i + 1)


def _body_containers(lines: list[Line], blocks: list[tuple[int, ...]]) -> set[int]:
    """The HTML elements that hold the article: the most prose, as readability scores it.

    Each kept paragraph gives its length to its parent element, half to the grandparent, a
    third to the one above, and so on; the element with the highest score holds the body,
    with those of its siblings that score at least a fifth as much (a summary box above the
    body, a second page of it).
    """
    scores: Counter[int] = Counter()
    parents: dict[int, int | None] = {}
    for line, path in zip(lines, blocks, strict=True):
        for k, block in enumerate(path):
            parents.setdefault(block, path[k - 1] if k else None)
        if not line.keep or not is_prose(line.text) or not path:
            continue
        weight = len(line.text) + 10 * len(_PROSE_PUNCT_RE.findall(line.text))
        if "list" in line.hints:
            # Paragraphs in list items are a feed of teasers far more often than a body.
            weight /= 3
        for depth, block in enumerate(reversed(path[:-1] or path)):
            scores[block] += weight / (depth + 1)
    if not scores:
        return set()
    best, top = scores.most_common(1)[0]
    parent = parents.get(best)
    return {best} | {
        block
        for block, score in scores.items()
        if parent is not None and parents.get(block) == parent and score >= 0.2 * top
    }


def _is_blank_cell(line: Line) -> bool:
    """A cell of a table that holds a number or a dash: dropped alone as a separator."""
    return line.reason == "widget" and bool(_SEPARATOR_RE.match(line.text))


def _restore_body_tables(
    lines: list[Line], listed: set[int], blocks: list[tuple[int, ...]], bodies: set[int]
) -> None:
    """HTML: tables and lists inside the article's element are body, not link lists.

    A 公示 list of names, a table of figures: each cell or item, judged by its shape alone,
    looks like a headline of a list (or, a number, like a separator). Inside the element that
    holds the article, a cell or list item that is not a link is part of it; lists of links
    (related stories, attachments) and what the page's other elements hold stay dropped.
    """
    if not bodies:
        return
    for k, (line, path) in enumerate(zip(lines, blocks, strict=True)):
        if "links" in line.hints or not line.hints & {"cell", "list"} or bodies.isdisjoint(path):
            continue
        if k in listed or _is_blank_cell(line):
            line.reason = KEEP


#: Cells of a table or items of a list of names are short; headlines of other stories longer.
_CELL_LEN = 14
#: A time stamp (``00:35``, ``9时0分``, ``23 小时前``, ``5月19日``): what feeds and comment
#: threads hold.
_STAMP_RE = re.compile(
    r"\d{1,2}[:：]\d{2}|\d{1,2}\s*[时時点點]\s*\d{1,2}\s*分|\d\s*(秒|分钟|分鐘|小时|小時|天|周|个月|個月)前$"
    r"|^\d{1,2}月\d{1,2}日$"
)


def _short_runs(lines: list[Line], listed: set[int]) -> list[tuple[int, list[int], int]]:
    """Runs of short lines between two kept paragraphs: (paragraph above, run, paragraph below).

    A run is made of lines the list pass dropped, cells dropped as separators and kept short
    lines, with no other chrome between; its lines are mostly as short as table cells, none
    a teaser or a time stamp (a feed or a comment thread between two paragraphs is made of
    those).
    """

    def good(k: int) -> bool:
        return lines[k].keep and is_prose(lines[k].text)

    runs = []
    k = 0
    while k < len(lines):
        if not good(k):
            k += 1
            continue
        j = k + 1
        run: list[int] = []
        while j < len(lines) and not good(j):
            line = lines[j]
            if j in listed or _is_blank_cell(line) or line.keep:
                run.append(j)
            elif line.reason not in _NEUTRAL:
                break
            j += 1
        if j < len(lines) and good(j) and len(run) >= 4:
            texts = [lines[m].text for m in run]
            short = sorted(len(text) for text in texts)[len(texts) // 2] <= _CELL_LEN
            if short and not any(_TEASER_RE.search(t) or _STAMP_RE.search(t) for t in texts):
                runs.append((k, run, j))
        k = j
    return runs


def _join_tables(
    lines: list[Line], listed: set[int], chosen: list[tuple[int, int]]
) -> list[tuple[int, int]]:
    """Plain text: a run of short lines between two stretches of body is a table of it.

    Without markup a table of names or figures is one cell a line: names, units, numbers,
    each dropped by the list pass (or as a separator), so that the body falls apart into
    stretches around it. A run of short lines (see :func:`_short_runs`) with the article's
    body on one side and, on the other, a stretch of body on the same subject (two content
    words shared with the article: an ad or another story shares none) is the article's: its
    lines are kept and the stretch joins the body, until no run is left to join. The
    stretches joined have no headline group of their own.
    """
    runs = _short_runs(lines, listed)
    if not runs:
        return chosen
    stretches = [seg[:2] for seg in _body_segments(lines)]
    joined = list(chosen)
    words: set[str] = set()
    for start, end in chosen:
        for k in range(start, end):
            if lines[k].keep and is_prose(lines[k].text):
                words |= _content_words(lines[k].text)

    def span(k: int) -> tuple[int, int] | None:
        """The stretch of body ``k`` is in, if any."""
        return next(((s, e) for s, e in [*joined, *stretches] if s <= k < e), None)

    changed = True
    while changed:
        changed = False
        for item in list(runs):
            above, run, below = item
            if span(above) in joined:
                other = below
            elif span(below) in joined:
                other = above
            else:
                continue
            stretch = span(other)
            if stretch not in joined:
                # Below the body, a single paragraph will do (the end of a notice under its
                # table, but not another story's headline); above it, only a stretch of body
                # (an account's blurb is no body).
                text = lines[other].text
                if stretch is None and other == below and len(text) >= 40 and is_prose(text):
                    finished = len(text) >= 80 or text.endswith(("。", "！", "!", "…"))
                    stretch = (other, other + 1) if finished else None
                texts = [lines[k].text for k in range(*stretch)] if stretch else []
                if not texts or len(_content_words(" ".join(texts)) & words) < 2:
                    continue
                joined.append(stretch)
            for m in run:
                lines[m].reason = KEEP
            joined.append((run[0], run[-1] + 1))
            runs.remove(item)
            changed = True
    return sorted(set(joined))


def _mark_outside(
    lines: list[Line], blocks: list[tuple[int, ...]], bodies: set[int] | None = None
) -> None:
    """Drop paragraphs outside the elements that hold the article (teasers, other stories).

    Only prose is judged this way: a headline, a dateline or a byline often sits outside the
    body's element and stays.
    """
    if bodies is None:
        bodies = _body_containers(lines, blocks)
    if not bodies:
        return
    for line, path in zip(lines, blocks, strict=True):
        if line.keep and bodies.isdisjoint(path) and is_prose(line.text):
            line.reason = "outside"


#: What a line that is not body costs a stretch of body around it, in characters.
_OFF_BODY_COST = 20
#: ... and a feed's "how long ago" stamp (see :func:`_line_scores`).
_FEED_COST = 1000
#: How long ago something was posted: ``2 天前``, ``23 小時前``, ``刚刚``.
_AGO_RE = re.compile(r"\d\s*(秒|分钟|分鐘|小时|小時|天|周|個月|个月)前\s*$|^\S{0,20}[·•]\s*刚刚$")


_PARAGRAPH_END = ("。", "！", "!", "…", "”", "」", "』", ".")


def _paragraph_like(text: str) -> bool:
    """A paragraph of an article, not a teaser: finished sentences, or long.

    Headlines of other stories are shorter than 80 characters and end without a full stop
    (a question mark is a headline's favourite ending).
    """
    return len(text) >= 80 or text.endswith(_PARAGRAPH_END)


def _short_sentence(text: str) -> bool:
    return len(text) >= 10 and text.endswith(("。", "！")) and bool(_CJK_RE.search(text))


def _brief_sentence(text: str) -> bool:
    """A sentence of a few words with its full stop, Chinese and nothing else."""
    return (
        5 <= len(text) < 10 and text.endswith(("。", "！")) and bool(_CJK_ONLY_RE.match(text[:-1]))
    )


_CJK_ONLY_RE = re.compile(r"^[\u4e00-\u9fff、]+$")


def _line_scores(lines: list[Line]) -> list[float]:
    """What each line is worth to a stretch of body: see :func:`_body_segments`.

    Plain text cuts paragraphs at every inline link, so a sentence can run over several
    short lines (``……隶属`` / ``河北省`` / ``雄安新区，……``). A line that continues an
    unfinished sentence is worth its length, like the paragraph it belongs to.
    """
    scores: list[float] = []
    open_sentence = False
    for k, line in enumerate(lines):
        text = line.text
        # A short sentence with its full stop is prose too (``军乐团奏澳中两国国歌。``).
        prose = line.keep and (_is_sentence(text) or _short_sentence(text))
        # ... unless the line is the headline of the next article, over its lead.
        heads_next = k + 1 < len(lines) and bool(LEAD_RE.match(lines[k + 1].text))
        if _AGO_RE.search(text) and len(text) <= 40:
            # How long ago (``法新社·2 天前``, ``23 小时前``): the stamp of an item of a feed
            # or a comment thread, never a line of an article. No stretch of body runs on
            # across it.
            scores.append(-_FEED_COST)
        elif (prose and _paragraph_like(text)) or (line.keep and open_sentence and not heads_next):
            scores.append(len(text))
        elif line.keep and scores and scores[-1] >= 40 and _brief_sentence(text):
            # A one-clause sentence closing a paragraph run (``李书磊主持会议。``,
            # ``王毅参加会见。``) belongs to it: too short to count as prose on its own.
            scores.append(len(text))
        else:
            scores.append(-_OFF_BODY_COST)
        if not line.keep or text.endswith((*_SENTENCE_END, ":", "：")):
            open_sentence = False
        elif prose:
            open_sentence = True
    return scores


def _body_segments(lines: list[Line]) -> list[tuple[int, int, float]]:
    """Every stretch of a page that could hold article body: (start, end, score).

    The page is scored line by line (as BTE does with tokens and tags): a kept paragraph
    earns its length, any other line costs ``_OFF_BODY_COST``; the stretches are the
    maximal-scoring runs, best first, down to a floor. Comment threads and teaser feeds
    score below zero: their short lines (names, dates, "reply") cost more than their
    sentences earn.
    """
    scores = _line_scores(lines)
    taken = [False] * len(lines)
    segments: list[tuple[int, int, float]] = []
    while True:
        best, start, total, found = 0.0, 0, 0.0, None
        for k, score in enumerate(scores):
            if taken[k]:
                total, start = 0.0, k + 1
                continue
            if total <= 0:
                total, start = 0.0, k
            total += score
            if total > best:
                best, found = total, (start, k + 1)
        if found is None or best < 60.0:
            return segments
        segments.append((*found, best))
        for k in range(*found):
            taken[k] = True


def _squeeze(text: str) -> str:
    return re.sub(r"[\W_]+", "", nfkc(text)).casefold()


def _headline_lines(lines: list[Line], title: str | None) -> list[int]:
    """Lines that repeat the page's title: the main article's headline (or the title line)."""
    from .sources import strip_site_name

    if not title:
        title = next((line.text for line in lines if line.text.strip()), "")
    core = _squeeze(strip_site_name(title))
    if len(core) < 6:
        return []
    found = []
    for k, line in enumerate(lines):
        text = _squeeze(line.text)
        if len(text) >= 6 and len(line.text) <= 80 and (text in core or core in text):
            found.append(k)
    return found


#: How far below its headline an article's body may start (lines of photo captions,
#: datelines, share buttons and summaries come between).
_HEADLINE_REACH = 80
#: A stretch right under the headline scoring this much is the body, not a standfirst.
_BODY_MIN = 150
#: A stretch that opens like an article (a lead, a headline over a dateline) scoring this
#: much is the body of a page with no title to go by.
_OPENING_MIN = 100


def _chosen_segments(lines: list[Line], title: str | None) -> list[tuple[int, int]]:
    """The stretches that are article body.

    When a line repeats the page title, the main article is under it (within
    ``_HEADLINE_REACH`` lines): the first stretch there when it scores ``_BODY_MIN``, else
    the best one. Other stretches on the page are kept only when they open like an article
    of their own (``本报讯``, ``记者 某某``: a newspaper page), not because they are long (a
    recommended story, a feed of teasers).

    Without a title line the page repeats (a text-mode browser's dump prints none, only
    the site's banner), the body is the first stretch that opens like an article
    (:func:`_article_head`: a lead, or a headline over a dateline) and scores
    ``_BODY_MIN``, or ``_OPENING_MIN`` when it is the page's first stretch (a short news
    item; a long stretch right under it is the body it introduces). Comment threads and
    feeds after it stay out however long they are. Failing that, the best stretch is the
    body, and others count when they open like an article or score half as much.
    """
    segments = _body_segments(lines)
    if not segments:
        return []

    def opens(start: int, end: int) -> bool:
        return any(
            LEAD_RE.match(lines[k].text) or BYLINE_RE.match(lines[k].text)
            for k in range(start, min(start + 2, end))
        )

    heads = _headline_lines(lines, title)
    if title is None and len(heads) <= 1:
        # The first line is no title the page repeats (a renderer's dump prints none, only
        # the site's banner): the body is the first stretch of body that opens like an
        # article, with a lead or under a headline and a dateline.
        opening = next(
            (seg for seg in sorted(segments) if _article_head(lines, *seg[:2]) is not None),
            None,
        )
        if opening is not None and (
            opening[2] >= _BODY_MIN or (opening[2] >= _OPENING_MIN and opening == min(segments))
        ):
            # A short stretch will do when it is the page's first (a short news item);
            # a longer stretch right under it is the body it introduces (an epigraph, a
            # standfirst), unless a feed's stamp comes between.
            body = [
                seg
                for seg in segments
                if opening[2] < _BODY_MIN
                and opening[1] <= seg[0] <= opening[1] + _HEADLINE_REACH
                and seg[2] >= 2 * opening[2]
                and not any(_AGO_RE.search(lines[k].text) for k in range(opening[1], seg[0]))
            ]
            others = [
                seg for seg in segments if seg not in (opening, *body) and opens(seg[0], seg[1])
            ]
            return sorted((start, end) for start, end, _ in [opening, *body, *others])
    # Under the headline: the first stretch when it is a real body (a summary or a
    # standfirst is shorter), else the best one within reach.
    under = [seg for seg in segments if any(seg[0] - _HEADLINE_REACH <= h < seg[0] for h in heads)]
    first = min(under, default=None)
    main = first if first and first[2] >= _BODY_MIN else next(iter(under), None)
    if (
        title is None
        and heads == [0]
        and main is not None
        and main[2] < _BODY_MIN
        and _article_head(lines, main[0], main[1]) is None
    ):
        # Under a first line the page never repeats, a stretch too short to be a body tells
        # nothing: the first line was a banner, not a title.
        main = None
    if main is None:
        main = segments[0]
        others = [seg for seg in segments[1:] if opens(seg[0], seg[1]) or seg[2] >= 0.5 * main[2]]
    else:
        others = [seg for seg in segments if seg != main and opens(seg[0], seg[1])]
    return sorted((start, end) for start, end, _ in [main, *others])


#: How many lines above a stretch of body its headline group may start (a headline, then a
#: dateline, a source, an author's name and a follow button, a voice-over button).
_GROUP_REACH = 10


#: A calendar date (a time alone is a video's length as often as a dateline's).
_CALENDAR_RE = re.compile(
    r"\d{4}\s*[-/.年]\s*\d{1,2}|\d{1,2}\s*月\s*\d{1,2}\s*日|\d{1,2}-\d{1,2}\s+\d{1,2}:\d{2}"
)


def _is_stamp_line(line: Line) -> bool:
    """A dateline: the article's date or time on a short line of its own (or labelled)."""
    return line.reason == "dateline" or (
        len(line.text) <= 40
        and bool(_CALENDAR_RE.search(line.text))
        and not line.text.endswith(_PARAGRAPH_END)
    )


def _article_head(lines: list[Line], start: int, end: int) -> int | None:
    """Where the article opening the stretch ``start:end`` starts, if one does: at a lead
    (``本报讯``, ``新华社…电``) in its first lines, or at the headline of a headline group
    above it: a headline-shaped line and a dateline, a few lines apart, within
    ``_GROUP_REACH`` lines above the stretch. A feed of teasers and a comment thread have
    dates inside the stretch (a source and time, a commenter and time, under each item),
    an article's body has none on a line of its own.
    """
    if sum(1 for k in range(start, end) if _is_stamp_line(lines[k])) >= 2:
        return None
    lead = next(
        (k for k in range(start, min(start + 2, end)) if LEAD_RE.match(lines[k].text)), None
    )
    if lead is not None:
        return lead
    above = range(max(0, start - _GROUP_REACH), start)
    stamps = [k for k in above if _is_stamp_line(lines[k])]
    heads = [
        k
        for k in above
        if lines[k].reason in (KEEP, "link-list", "duplicate")
        and 8 <= len(lines[k].text) <= 60
        and is_title_like(lines[k].text)
        and not _DATED_RE.search(lines[k].text)
        and not _BULLET_RE.match(lines[k].text)
        and _CJK_RE.search(lines[k].text)
    ]
    return next((h for h in heads if any(abs(h - d) <= 6 for d in stamps)), None)


#: A list item's bullet as a text-mode browser draws it.
_BULLET_RE = re.compile(r"^\s*[*+•·#-]\s")


#: A question that opens a Q&A (``问：……背景是什么？``): it heads the answer below it.
_QUESTION_RE = re.compile(r"^(问|问题|提问|记者问|Q)\s*\d*\s*[:：]", re.I)


def _heads_article(text: str) -> bool:
    return bool(
        is_title_like(text)
        or (_QUESTION_RE.match(text) and len(text) <= 120)
        or _DATE_ONLY_RE.match(text)
        or BYLINE_RE.match(text)
        or (text.startswith(("——", "--", "─")) and len(text) <= 60)
    )


def _mark_off_body(lines: list[Line], title: str | None, listed: set[int]) -> None:
    """Plain text: drop what lies outside the stretches of body, less their headlines.

    Above each stretch, its headline group (up to four short kept lines: kicker, headline,
    subtitle, byline, dateline; chrome between them and the body allowed) stays. Tables in
    the body join the stretches on either side of them (:func:`_join_tables`).
    """
    segments = _chosen_segments(lines, title)
    if not segments:
        return
    inside = [False] * len(lines)
    for start, end in _join_tables(lines, listed, segments):
        for k in range(start, end):
            inside[k] = True
    for start, _ in segments:
        group = 0
        k = start - 1
        while k >= 0 and group < 4 and not inside[k] and lines[k].reason != "duplicate":
            # A repeated body ends the group: the headline above it heads the repeat.
            if lines[k].keep:
                if not _heads_article(lines[k].text):
                    break
                inside[k] = True
                group += 1
            k -= 1
    for line, keep in zip(lines, inside, strict=True):
        if line.keep and not keep:
            line.reason = "outside"


#: A line that holds a date or a time of day.
_DATED_RE = re.compile(r"\d{4}\s*[-/.年]\s*\d{1,2}|\d{1,2}\s*月\s*\d{1,2}\s*日|\d{1,2}:\d{2}")


def _mark_duplicates(lines: list[Line]) -> None:
    """Paragraphs repeated within the page: keep the first, drop the others.

    A reposted article keeps its own headline over a repeated body; with the body gone the
    headline would head nothing, so it goes too. A credit line (``责任编辑：某某``) counts
    however short: pages print it above and under the article.
    """
    seen: set[str] = set()
    for line in lines:
        if not line.keep or (len(line.text) < 10 and not CREDIT_RE.match(line.text)):
            continue
        # Lines that differ only in a date or a time are repeats (the stamps of a feed);
        # lines that differ in other figures are rows of a table.
        if _DATED_RE.search(line.text):
            key = fingerprint(line.text)
        else:
            key = re.sub(r"\s+", "", nfkc(line.text)).casefold()
        if key in seen:
            line.reason = "duplicate"
        else:
            seen.add(key)
    for k, line in enumerate(lines[:-1]):
        below = lines[k + 1]
        if (
            line.keep
            and is_title_like(line.text)
            and below.reason == "duplicate"
            and LEAD_RE.match(below.text)
        ):
            line.reason = "duplicate"


def _content_words(text: str) -> set[str]:
    from .analysis import normalise

    stops = stop_words()
    return {
        word
        for word, _, _ in segment(normalise(text))
        if len(word) >= 2 and word not in stops and _CJK_RE.search(word)
    }


def _unbalanced_brackets(text: str) -> bool:
    # A byline such as ``江门讯 (文/图 /张茂盛 李雨溪)`` holds spaces but is one unit, and so
    # does a title in book-title marks (《坚守党校初心 努力为党育才为党献策》).
    return any(
        sum(text.count(o) for o in opening) != sum(text.count(c) for c in closing)
        for opening, closing in (("(（", ")）"), ("《", "》"))
    )


def _cut_injected(lines: list[Line]) -> None:
    """Remove short off-topic fragments spliced into a paragraph.

    SEO spinners splice a phrase from elsewhere onto a paragraph, usually across a space
    (Chinese prose has none). A fragment at either end of a line whose content words occur
    nowhere else on the page is cut, and recorded in ``Line.cut`` with reason ``injected``.
    """
    kept = [line for line in lines if line.keep]
    for line in kept:
        if len(line.text) < 40:
            continue
        parts = _SPLICE_RE.split(line.text)
        if len(parts) < 2:
            continue
        for index in (0, len(parts) - 1):
            fragment = parts[index]
            if len(fragment) > 30 or len(fragment) < 4 or _unbalanced_brackets(fragment):
                continue
            words = _content_words(fragment)
            if len(words) < 2:
                continue
            context = " ".join(other.text for other in kept if other is not line)
            context += " " + " ".join(p for k, p in enumerate(parts) if k != index)
            if not any(word in context for word in words):
                line.cut.append(fragment)
        rest = " ".join(p for p in parts if p not in line.cut).strip()
        if line.cut and len(rest) < sum(len(fragment) for fragment in line.cut):
            # A splice is a small part of a paragraph: a line that would be mostly cut is
            # one whose words the page (a one-line page, say) has no context for.
            line.cut.clear()
        elif line.cut:
            line.text = rest
