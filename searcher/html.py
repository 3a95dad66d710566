"""HTML -> visible blocks with structural hints (part of reading dumps).

Nothing is decided here: a navigation bar becomes lines hinted ``nav``, a footer ``footer``,
a block made of links ``links``. The cleaner weighs the hints with the text itself, so the
HTML and plain-text paths share one classifier. Only what a reader never sees (scripts,
styles, hidden elements) is left out.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass, field

from bs4 import (
    BeautifulSoup,
    Comment,
    Doctype,
    MarkupResemblesLocatorWarning,
    NavigableString,
    ProcessingInstruction,
    Tag,
    XMLParsedAsHTMLWarning,
)

from .sources import RawLine

_INVISIBLE = {
    "script", "style", "noscript", "template", "iframe", "svg", "canvas", "object", "embed",
    "head", "select", "option", "button", "input", "textarea", "map", "audio", "video",
}  # fmt: skip
_BLOCK = {
    "p", "div", "section", "article", "main", "header", "footer", "nav", "aside", "ul", "ol",
    "li", "dl", "dt", "dd", "table", "tbody", "thead", "tfoot", "tr", "td", "th", "h1", "h2",
    "h3", "h4", "h5", "h6", "blockquote", "pre", "form", "fieldset", "figure", "figcaption",
    "address", "center", "hr", "br", "caption", "body", "html",
}  # fmt: skip
_SEMANTIC_HINTS = {"nav": "nav", "header": "header", "footer": "footer", "aside": "aside"}
# Words in class/id attributes that say what a block is. Matched as whole words or prefixes
# of compound names (``top-nav``, ``footerWrap``, ``share_box``).
_ATTR_HINTS = (
    ("nav", re.compile(r"nav|menu|topbar|top-bar|daohang|lanmu", re.I)),
    ("breadcrumb", re.compile(r"crumb|position|location|weizhi|curpos|dqwz", re.I)),
    ("footer", re.compile(r"foot|copyright|bottom|banquan", re.I)),
    ("header", re.compile(r"^(head|header|logo|banner|top)(?![a-z]*line)", re.I)),
    ("share", re.compile(r"share|bdshare|jiathis|print|fontsize|font-size|zihao", re.I)),
    ("related", re.compile(r"related|relate|xiangguan|recommend|tuijian|hot|rank", re.I)),
    ("sidebar", re.compile(r"sidebar|side-bar|aside|sidenav|right-?col|left-?col", re.I)),
    ("comment", re.compile(r"comment|pinglun", re.I)),
    ("ad", re.compile(r"^ad$|^ads?[-_]|advert|guanggao", re.I)),
    (
        "content",
        re.compile(r"content|article|artibody|zhengwen|detail|TRS_Editor|main-?text", re.I),
    ),
    ("title", re.compile(r"^(title|headline|biaoti|art-?title|news-?title)", re.I)),
)
# ``visibility: hidden`` is not hidden for good: WeChat and others hide the article body that
# way until a script reveals it. ``display: none`` is what pages use for what nobody sees.
_HIDDEN_STYLE_RE = re.compile(r"display\s*:\s*none", re.I)
#: Hints that say a container is not the article. The innermost container decides: a
#: comment box inside ``main-content`` is a comment box, an article body inside a page
#: ``header`` wrapper is article body; a tag that is both (``comment-content``) is not body.
NEGATIVE_HINTS = frozenset(
    {"nav", "breadcrumb", "footer", "header", "share"}
    | {"related", "sidebar", "comment", "ad", "aside"}
)
_DATE_META = (
    "article:published_time", "publishdate", "pubdate", "publish-date", "datePublished",
    "dc.date", "dc.date.issued", "date", "firstpublishedtime", "publishtime", "og:release_date",
)  # fmt: skip
_SITE_META = ("sitename", "site_name", "og:site_name", "site")
_SOURCE_META = ("contentsource", "source", "author_source")


@dataclass
class ParsedHtml:
    """The visible lines of a page and what its ``<head>`` says."""

    lines: list[RawLine]
    title: str | None = None
    date: str | None = None
    meta: dict[str, str] = field(default_factory=dict)


def parse_html(html: str) -> ParsedHtml:
    """Visible blocks of ``html`` in reading order, each with hints about its container."""
    with warnings.catch_warnings():
        # Dumps hold XHTML and fragments; bs4's advice about parsers is noise to a user.
        warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)
        warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
        soup = BeautifulSoup(html, "lxml")
    meta = _meta(soup)
    title_tag = soup.find("title")
    title = _squash(title_tag.get_text(" ")) if isinstance(title_tag, Tag) else None
    lines = _Walker().walk(soup)
    date = next((meta[k] for k in _DATE_META if meta.get(k)), None)
    return ParsedHtml(lines=lines, title=title or None, date=date, meta=meta)


def _meta(soup: BeautifulSoup) -> dict[str, str]:
    out: dict[str, str] = {}
    for tag in soup.find_all("meta"):
        if not isinstance(tag, Tag):
            continue
        key = tag.get("name") or tag.get("property") or tag.get("itemprop")
        value = tag.get("content")
        if isinstance(key, str) and isinstance(value, str) and value.strip():
            out.setdefault(key.strip().lower() if key not in _DATE_META else key, value.strip())
    lowered = {k.lower(): v for k, v in out.items()}
    result = dict(lowered)
    for name in _SITE_META:
        if lowered.get(name):
            result["site_name"] = lowered[name]
            break
    for name in _SOURCE_META:
        if lowered.get(name):
            result["source"] = lowered[name]
            break
    for name in _DATE_META:
        if lowered.get(name.lower()):
            result[name] = lowered[name.lower()]
    return result


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\u3000", " ").replace("\xa0", " ")).strip()


def _is_hidden(tag: Tag) -> bool:
    if tag.has_attr("hidden") or tag.get("aria-hidden") == "true":
        return True
    style = tag.get("style")
    return isinstance(style, str) and bool(_HIDDEN_STYLE_RE.search(style))


def _tag_hints(tag: Tag) -> set[str]:
    hints = set()
    if tag.name in _SEMANTIC_HINTS:
        hints.add(_SEMANTIC_HINTS[tag.name])
    if tag.name in ("h1", "h2", "h3"):
        hints.add("heading")
    if tag.name in ("li", "dd", "dt"):
        hints.add("list")
    if tag.name in ("td", "th"):
        hints.add("cell")
    role = tag.get("role")
    if role == "navigation":
        hints.add("nav")
    elif role == "contentinfo":
        hints.add("footer")
    words: list[str] = []
    for attr in ("class", "id"):
        value = tag.get(attr)
        if isinstance(value, str):
            words.extend(re.split(r"[\s]+", value))
        elif isinstance(value, list):
            words.extend(value)
    for word in words:
        for hint, pattern in _ATTR_HINTS:
            if pattern.search(word):
                hints.add(hint)
    return hints


def _nest(outer: frozenset[str], inner: set[str]) -> frozenset[str]:
    """The hints of a container inside another: the inner one decides content vs. chrome."""
    if inner & NEGATIVE_HINTS:
        inner.discard("content")
        return frozenset((outer - {"content"}) | inner)
    if "content" in inner:
        return frozenset((outer - NEGATIVE_HINTS) | inner)
    return frozenset(outer | inner)


#: How many enclosing block elements a line remembers (``RawLine.blocks``).
MAX_BLOCK_DEPTH = 32


class _Walker:
    """Iterative walk (no recursion: pages nest thousands deep) collecting text blocks."""

    def __init__(self) -> None:
        self.lines: list[RawLine] = []
        self.parts: list[str] = []
        self.link_chars = 0
        self.hints: frozenset[str] = frozenset()
        self.blocks: tuple[int, ...] = ()
        self.count = 0

    def flush(self) -> None:
        text = _squash("".join(self.parts))
        if text:
            hints = set(self.hints)
            total = len(text.replace(" ", ""))
            if total and self.link_chars / total > 0.5:
                hints.add("links")
            self.lines.append(RawLine(text, frozenset(hints), self.blocks))
        self.parts = []
        self.link_chars = 0

    def walk(self, soup: BeautifulSoup) -> list[RawLine]:
        # The whole document, not only <body>: broken pages leave the article after a stray
        # </body> or </html>, and the parser puts it beside the body (<head> is invisible).
        root = soup
        # Stack of (node, hints of its container, its containers, inside a link?, exit marker)
        Item = tuple[object, frozenset[str], tuple[int, ...], bool, bool]
        stack: list[Item] = [(root, frozenset(), (), False, False)]
        while stack:
            node, hints, blocks, in_link, leaving = stack.pop()
            if leaving:
                self.flush()
                self.hints, self.blocks = hints, blocks
                continue
            if isinstance(node, (Comment, Doctype, ProcessingInstruction)):
                continue
            if isinstance(node, NavigableString):
                text = str(node)
                if text.strip() or self.parts:
                    self.parts.append(text)
                    if in_link:
                        self.link_chars += len(text.strip().replace(" ", ""))
                continue
            if not isinstance(node, Tag):
                continue
            name = node.name
            if name in _INVISIBLE or _is_hidden(node):
                continue
            block = name in _BLOCK
            child_hints, child_blocks = hints, blocks
            if block:
                self.flush()
                self.count += 1
                child_hints = _nest(hints, _tag_hints(node))
                # The nearest ancestors are enough to find the article's element; all of
                # them would make a page nested 50,000 deep quadratic.
                child_blocks = (*blocks[-(MAX_BLOCK_DEPTH - 1) :], self.count)
                self.hints, self.blocks = child_hints, child_blocks
                stack.append((None, hints, blocks, in_link, True))
            link = in_link or name == "a"
            for child in reversed(list(node.children)):
                stack.append((child, child_hints, child_blocks, link, False))
        self.flush()
        return self.lines
