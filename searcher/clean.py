"""Classifying lines: keep article body, drop chrome and spam, each decision with a reason.

Rules describe a *kind* of line (navigation, counter, copyright, contact, subscription ad,
e-paper chrome, link list, spam, repeated site chrome), never one site's strings; the
vocabularies are data files in ``searcher/data``. Decisions happen in passes:

1. each line alone: structural hints from the HTML, then the kinds in ``chrome.txt``, then
   spam vocabulary, then lines repeated across many pages of the same site;
2. runs of lines: headline lists and "related articles" lists (titles, teasers, dates);
3. the page as a whole: paragraphs repeated within the page, and short off-topic fragments
   spliced into a paragraph (judged against the vocabulary of the rest of the page).
"""

from __future__ import annotations

import functools
import hashlib
import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from .analysis import data_file, read_word_list, segment, stop_words
from .sources import Page, RawLine

#: Bump when a change to the cleaner changes what it keeps: indexes built with an older
#: version are re-cleaned.
CLEANER_VERSION = 1

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
        reason, max_len, patterns = "", 0, []
        header = re.compile(r"^\[([\w-]+)(?:\s+max=(\d+))?\]$")

        def close() -> None:
            if reason and patterns:
                joined = "|".join(f"(?:{p})" for p in patterns)
                kinds.append(_Kind(reason, max_len, re.compile(joined, re.I)))

        for line in data_file("chrome.txt").splitlines():
            stripped = line.strip()
            if not stripped or stripped.startswith("#"):
                continue
            match = header.match(stripped)
            if match:
                close()
                reason, max_len, patterns = match.group(1), int(match.group(2) or 10**9), []
            else:
                patterns.append(stripped)
        close()
        spam_words = sorted(read_word_list(data_file("spam.txt")), key=len, reverse=True)
        spam = re.compile("|".join(re.escape(w) for w in spam_words))
        nav_words = frozenset(read_word_list(data_file("navwords.txt")))
        return cls(tuple(kinds), spam, nav_words)


def fingerprint(text: str) -> str:
    """A line's identity for repetition counts: NFKC, no spaces, digits folded."""
    text = unicodedata.normalize("NFKC", text).casefold()
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
        seen = {fingerprint(line.text) for line in page.lines if _repeatable(line.text)}
        self.lines[page.site].update(seen)

    def is_repeated(self, site: str, text: str) -> bool:
        """True when ``text`` is chrome repeated on many pages of ``site``."""
        pages = self.pages.get(site, 0)
        if pages < 3 or not _repeatable(text):
            return False
        count = self.lines[site].get(fingerprint(text), 0)
        return count >= 3 and count >= 0.3 * pages


def _repeatable(text: str) -> bool:
    # Reposted articles repeat whole paragraphs across pages of a site; those are duplicates
    # for dedup to collapse, not chrome. Only short, non-prose lines count as chrome.
    return len(text) <= 60 and not text.endswith(("。", "！", "？"))


def is_prose(text: str) -> bool:
    """A sentence or paragraph rather than a label, headline or menu item."""
    return len(text) >= 30 or (len(text) >= 12 and bool(_PROSE_PUNCT_RE.search(text[:-1])))


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


def classify_text(
    text: str, hints: frozenset[str] = frozenset(), rules: Rules | None = None
) -> str:
    """The reason to drop one line judged alone, or ``KEEP``."""
    rules = rules or Rules.load()
    if _SEPARATOR_RE.match(text) and not _CJK_RE.search(text):
        return "widget"
    long_prose = len(text) >= 100 and bool(_PROSE_PUNCT_RE.search(text))
    if hints and not long_prose and "content" not in hints:
        for hint, reason in _HINT_REASONS:
            if hint in hints:
                return reason
    for kind in rules.kinds:
        if len(text) <= kind.max_len and kind.pattern.search(text):
            return kind.reason
    if _is_menu(text, rules):
        return "nav"
    if _is_spam(text, rules):
        return "spam"
    if "links" in hints and not long_prose:
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
    _mark_lists(lines)
    _mark_duplicates(lines)
    _cut_injected(lines)
    return lines


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


def _mark_lists(lines: list[Line]) -> None:
    """Drop headline lists and "related articles" lists: runs of titles, teasers and dates.

    A run of four or more list-like lines is a list when it holds teasers or dates, or when
    no paragraph follows it; when a paragraph follows, its last lines (up to three) are that
    article's headline group and stay.
    """
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
        i = j + 1 if j > i else i + 1


def _mark_duplicates(lines: list[Line]) -> None:
    """Paragraphs repeated within the page: keep the first, drop the others."""
    seen: set[str] = set()
    for line in lines:
        if not line.keep or len(line.text) < 10:
            continue
        key = fingerprint(line.text)
        if key in seen:
            line.reason = "duplicate"
        else:
            seen.add(key)


def _content_words(text: str) -> set[str]:
    from .analysis import normalise

    stops = stop_words()
    return {
        word
        for word, _, _ in segment(normalise(text))
        if len(word) >= 2 and word not in stops and _CJK_RE.search(word)
    }


def _unbalanced_brackets(text: str) -> bool:
    # A byline such as ``江门讯 (文/图 /张茂盛 李雨溪)`` holds spaces but is one unit.
    return text.count("(") + text.count("（") != text.count(")") + text.count("）")


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
        if line.cut:
            line.text = " ".join(p for p in parts if p not in line.cut).strip()
