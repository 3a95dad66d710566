"""Unwrapping: rejoin the paragraphs of a dump that was hard-wrapped at a fixed width.

``lynx -dump``, ``w3m -dump``, ``html2text``, ``pdftotext`` and ``fold`` cut every line at a
fixed width, mid-sentence: a paragraph becomes several lines, and the cleaner, which judges
one line at a time, sees fragments (a line starting ``大大缩短。`` reads as a font-size
button, a headline's second half as a label, the title becomes a piece of a sentence).
:func:`unwrap` finds the wrap width of a page and rejoins the lines the wrapper broke,
before the lines are classified (``sources.text_page`` calls it on every plain-text page).

How a broken line is told from a real line end: a wrapper breaks a line only when the next
word does not fit. A line ends its paragraph where it stops well short of the wrap width,
before a blank line, before a line that starts a block of its own (a list item, a heading, a
table row, a line indented differently, a date or time on a line of its own: a dateline
under a headline that fills the width), where the next line's first word would have fitted
on it, and after a full stop when the next line is not prose. Widths are display columns (a
CJK or full-width character takes two: ``unicodedata.east_asian_width``), or characters for
lynx, which counts a CJK character as one; the page's own lines say which. Runs of broken
lines are joined only when they make prose, a headline or one cut-up address: a menu the
renderer set side by side stays as the lines it was.

A page is wrapped when many of its long lines are broken at one width and few are wider. On
a text-mode browser's dump (a wrapped page, or one showing the browser's marks) the
browser's placeholders for what is not text go too: image names (w3m writes the start of
the file name: ``[e62c640fa6]``), inline images written out as ``data:`` addresses, frame
addresses, buttons, form fields. A paragraph w3m indents on its first line only is one
paragraph. A page that is neither (one block a line, as crawlers and ``get_text`` write
it, like the seeds) comes back unchanged.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections import Counter
from collections.abc import Callable

#: Narrowest wrap width (in the measure's units) that is taken for one: lines narrower than
#: this that look cut at one width are a column of headlines truncated to a fixed length.
MIN_WIDTH = 36
#: Longest headline (in characters): a wrapped run this short is joined even without
#: punctuation.
MAX_HEADLINE = 50
#: Fewest broken lines that make a page wrapped.
MIN_BROKEN = 3
#: Share of the page's long lines (over three quarters of the width, not over it) that must
#: be broken at the width.
MIN_BROKEN_SHARE = 0.3

# A line that starts a block of its own: a bullet (lynx ``*`` ``+`` ``o`` ``#``, html2text
# ``*``, w3m ``•``), a number or a Chinese ordinal, an html2text heading (``******``), a
# table row (``|``), an image or form control in brackets.
_BLOCK_START_RE = re.compile(
    r"^\s*(?:[*+o#•·▪◦●○■□◆◇\-–—]\s|\d{1,3}[.)、．](?!\d)|[(（]?[一二三四五六七八九十]{1,3}[)）、]"
    r"|[(（]\d{1,2}[)）]|\*{2,}|={2,}|\||\[|\(BUTTON\))"
)
# Where a bulleted or numbered item's text starts: its continuation lines are indented to it.
_MARKER_RE = re.compile(r"^(\s*)(?:[*+o#•·▪◦●○■□◆◇\-–—]|\d{1,3}[.)．])\s+")
# A date or a time on a line of its own (a dateline under a headline, a feed item's date):
# never the part of a sentence a wrapper moved, even when the line above fills the width.
_STAMP_RE = re.compile(
    r"^(?:\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?|\d{1,2}[-/]\d{1,2}|\d{1,2}月\d{1,2}日)"
    r"(?:\s*\d{1,2}:\d{2}(?::\d{2})?)?$"
)
# Columns of a table laid out with spaces.
_TABLE_GAP_RE = re.compile(r"\S\s{3,}\S")
# What a text-mode browser writes in place of what is not text: an image's file name or
# address, an inline frame's address, a form's buttons and fields, insert/delete marks.
_PLACEHOLDER_RE = re.compile(
    r"\[[^\[\]\s]*\.(?:png|jpe?g|gif|webp|svg|bmp|ico)(?:[?&#][^\[\]\s]*)?\]"
    r"|\[\s*data:[a-z]+/[^\[\]]*\]|\[(?:(?:https?:)?//|data:)[^\[\]\s]*\]|\[(?:INS|DEL|S):|:(?:INS|DEL|S)\]"
    r"|\(BUTTON\)|\(not implemented\)|\[EMBED\]|\[BUTTON Input\]|\[\s+\]|\( \)|_{4,}"
    # w3m's stand-in for an image: the start of its file name (``[e62c640fa6]``,
    # ``[150x150_sq]``), not a date in brackets (``[2023-06-09]``).
    r"|\[(?!\d{4}-\d{1,2}-\d{1,2}\])(?=[^\]]*[\d_])[0-9A-Za-z_-]{6,16}\]"
    r"|^\s*IFRAME:.*",
    re.I,
)
# The marks that give a text-mode browser's dump away, and how many make a page one.
_RENDERER_MARK_RE = re.compile(
    r"\[[^\[\]\s]*\.(?:png|jpe?g|gif|webp|svg)|\[(?:https?:|data:)|^\s*IFRAME:|\(BUTTON\)"
    r"|\[(?:INS|DEL):",
    re.I | re.M,
)
MIN_MARKS = 3
# A line ending inside a bracketed address, and an html2text heading between rules.
_OPEN_ADDRESS_RE = re.compile(r"\[(?:https?:|data:|//)[^\]\s]*$")
_HEADING_RULE_RE = re.compile(r"^\s*(?:\*{3,}|={3,})\s*(.+?)\s*(?:\*{3,}|={3,})\s*$")
# A line that is one address or data blob (a link's URL written out, a cut-up ``data:``).
_BARE_URL_RE = re.compile(r"^[^\s\u1100-\uffff]*[%/=&?][^\s\u1100-\uffff]*$")
_SENTENCE_END = tuple("。！？!?；;…")
# A line ending a sentence ends its paragraph, even when it fills the width, unless the
# next line reads as prose too: a paragraph glued to a line of ads or a headline under it
# spoils both.
_FULL_STOP_RE = re.compile(r"[。！？!?][”’」』）)]*$")
_CLAUSE_RE = re.compile(r"[，。、；：！？,;]")
_PROSE_MARK_RE = re.compile(r"[，。、；：！？,.;:!?/]")
_WORD_RE = re.compile(r"(?<!\S)[A-Za-z][a-z]+[,.;:!?]?(?!\S)")


def is_wide(ch: str) -> bool:
    """A character that takes two columns on a terminal (CJK, full-width forms)."""
    return unicodedata.east_asian_width(ch) in "WF"


def display_width(text: str) -> int:
    """The columns ``text`` takes on a terminal: wide and full-width characters count 2."""
    return len(text) if text.isascii() else len(text) + sum(map(is_wide, text))


def _first_token(text: str) -> str:
    """What a wrapper moves to the next line as a whole: a word, or one wide character."""
    text = text.lstrip()
    if not text or is_wide(text[0]):
        return text[:1]
    end = 0
    while end < len(text) and not text[end].isspace() and not is_wide(text[end]):
        end += 1
    return text[:end]


def _indent(text: str) -> int:
    return len(text) - len(text.lstrip(" "))


class _Measure:
    """One way of measuring lines and the page's wrap width under it: the width at which the
    most lines look broken.

    Widths are display columns (w3m, html2text, ``fold``) or characters (lynx, which counts
    a CJK character as one column). Wrappers break CJK text between any two characters;
    lynx also moves a run of CJK without spaces to the next line whole, like a word, when it
    does not fit after the words before it (``spaced``).
    """

    def __init__(
        self, width_of: Callable[[str], int], lines: list[str], spaced: bool = False
    ) -> None:
        self.lines = lines
        self.width_of = width_of
        self.widths = [width_of(line) for line in lines]
        # Line k was broken at any width from its own up to (not including) the width it
        # would have had with the next line's first word on it (``runs``: its first run of
        # characters without spaces).
        self.reach = [0] * len(lines)
        self.runs = [0] * len(lines)
        for k in range(len(lines) - 1):
            following = lines[k + 1]
            token = _first_token(following)
            if token and lines[k]:
                gap = 0 if is_wide(token[0]) or is_wide(lines[k][-1]) else 1
                self.reach[k] = self.widths[k] + gap + width_of(token)
                if spaced:
                    self.runs[k] = self.widths[k] + 1 + width_of(following.split()[0])
        votes: Counter[int] = Counter()
        for size, reach in zip(self.widths, self.reach, strict=True):
            if size >= MIN_WIDTH:
                votes.update(range(size, min(reach, 2 * size + 1)))
        self.width, self.broken = votes.most_common(1)[0] if votes else (0, 0)

    def broken_at(self, k: int) -> bool:
        """True when line ``k`` was cut at the wrap width: it fits, and the next line's first
        word would not have fitted after it. A line under half the width ends its paragraph,
        unless the next line's first run was moved whole and cut at the width (lynx)."""
        size, width = self.widths[k], self.width
        if size > width:
            return False
        if width < self.reach[k] and 2 * size >= width:
            return True
        return width < self.runs[k] and self.widths[k + 1] >= width - 1

    def wrapped(self) -> bool:
        """True when many of the page's long lines are broken at the width, mostly
        mid-sentence, and few lines are wider than it."""
        if self.broken < MIN_BROKEN or self.width < MIN_WIDTH:
            return False
        long_lines = sum(1 for w in self.widths if self.width >= w > 0.75 * self.width)
        over = sum(1 for w in self.widths if w > self.width)
        mid_sentence = sum(
            1
            for k, line in enumerate(self.lines)
            if self.broken_at(k) and not line.endswith(_SENTENCE_END)
        )
        return (
            self.broken >= MIN_BROKEN_SHARE * long_lines
            and over <= 0.25 * self.broken
            and 2 * mid_sentence >= self.broken
        )


def _starts_block(line: str) -> bool:
    return bool(_BLOCK_START_RE.match(line)) or bool(_TABLE_GAP_RE.search(line.strip()))


def _tail(text: str) -> tuple[str, str]:
    """The run of narrow non-space characters ending ``text``, and the character before it
    ("" when the run starts the text)."""
    k = len(text)
    while k and not text[k - 1].isspace() and not is_wide(text[k - 1]):
        k -= 1
    return text[k:], text[k - 1 : k]


def _glue(end: str, last: str, line: str, measure: _Measure) -> str:
    """What goes between a paragraph ending ``end`` (its last line ``last``) and ``line``,
    its next line, where the wrapper broke it: "" or " ", or "-" to take the paragraph's
    hyphen off.

    CJK joins CJK with nothing between; Latin words with one space, except where the
    wrapper cut inside a word: a Latin word hyphenated across the break (``inter-`` /
    ``national``: the hyphen goes), a word wider than a line (a URL filling a whole line),
    or digits and letters glued to CJK text (``5.2`` / ``6亿``: wrappers break CJK text
    anywhere, and what it holds too).
    """
    if is_wide(end[-1]) or is_wide(line[0]):
        return ""
    if re.search(r"[A-Za-z]-$", end) and line[0].islower():
        return "-"
    before = _tail(last)[1]
    # A word is cut only when it fills a whole line (after the indent and a list marker).
    one_word = (
        " " not in _MARKER_RE.sub("", last).strip() and measure.width_of(last) >= measure.width - 1
    )
    return "" if (before and is_wide(before)) or one_word else " "


def _in_address(piece: str, inside: bool) -> bool:
    """Whether a paragraph ends inside a bracketed address (which html2text cuts at a slash)
    once ``piece`` is added to it (``inside``: whether it did before)."""
    if _OPEN_ADDRESS_RE.search(piece):
        return True
    return inside and "]" not in piece and " " not in piece


def _joinable(text: str) -> bool:
    """Whether broken lines joined into ``text`` make a block worth one line: prose or an
    address (clause punctuation, a full stop or a slash; or four Latin words), or a headline
    (up to 50 characters, no gaps of spaces between items). A run of bare link names the
    renderer set side by side (``中国供应商商务物联应急教育…``) stays as the lines it was."""
    if _PROSE_MARK_RE.search(text) or len(_WORD_RE.findall(text)) >= 4:
        return True
    return len(text) <= MAX_HEADLINE and "  " not in text


def unwrap(text: str) -> str:
    """``text`` with the paragraphs a fixed-width wrapper broke rejoined, one a line.

    Blank lines, headings, list items, table rows and short lines stay as they were, and
    so do runs of broken lines that are not prose (a menu of link names run together). On a
    text-mode browser's dump (wrapped, or showing its marks), addresses cut over several
    lines are made whole and the browser's placeholders for what is not text are taken out
    (:func:`_without_placeholders`). Any other text is returned unchanged.
    """
    plain = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n")
    lines = [line.rstrip() for line in plain.expandtabs().split("\n")]
    measures = (
        [
            measure
            for measure in (_Measure(display_width, lines), _Measure(len, lines, spaced=True))
            if measure.wrapped()
        ]
        if _runs_on(lines)
        else []
    )
    if not measures and not _marked(text):
        return text
    out = _rejoin(lines, max(measures, key=lambda m: m.broken)) if measures else lines
    return "\n".join(_without_placeholders(line) for line in _join_addresses(out))


def _marked(text: str) -> bool:
    """A text-mode browser's dump by its marks (:data:`MIN_MARKS` of them at least)."""
    if "[" not in text and "IFRAME:" not in text and "(BUTTON)" not in text:
        return False
    return len(_RENDERER_MARK_RE.findall(text)) >= MIN_MARKS


def _runs_on(lines: list[str]) -> bool:
    """The cheap test first: on a wrapped page, many lines run on into the next one
    mid-sentence, at least two and a quarter of those followed by a line (paragraphs one a
    line, as most dumps are, have none but their headings)."""
    count = followed = 0
    for line, following in itertools.pairwise(lines):
        if line and following.strip():
            followed += 1
            if not line.endswith(_SENTENCE_END):
                count += 1
    return count >= 2 and count * 4 >= followed


def _rejoin(lines: list[str], measure: _Measure) -> list[str]:
    """The lines with each run broken at the wrap width joined into one."""
    out: list[str] = []
    k = 0
    while k < len(lines):
        marker = _MARKER_RE.match(lines[k])
        # Continuation lines sit at the indentation of the first line's text.
        indent = len(marker.group(0)) if marker else _indent(lines[k])
        end = k
        while (
            measure.broken_at(end)
            and not (_FULL_STOP_RE.search(lines[end]) and not _CLAUSE_RE.search(lines[end + 1]))
            and not _starts_block(lines[end + 1])
            and not _STAMP_RE.match(lines[end].strip())
            and not _STAMP_RE.match(lines[end + 1].strip())
            and _indent(lines[end + 1]) in (indent, 0 if end == k and not marker else indent)
        ):
            end += 1
            if end == k + 1 and not marker and indent and not _indent(lines[end]):
                # A paragraph indented on its first line only (w3m's ``text-indent``): its
                # other lines start at the margin.
                indent = 0
        pieces = [lines[k]]
        inside = _in_address(lines[k], False)
        for last, line in zip(lines[k:end], lines[k + 1 : end + 1], strict=True):
            piece = line.strip()
            glue = "" if inside else _glue(pieces[-1], last, piece, measure)
            if glue == "-":
                pieces[-1], glue = pieces[-1][:-1], ""
            pieces.append(glue + piece)
            inside = _in_address(piece, inside)
        paragraph = "".join(pieces)
        if end > k and _joinable(paragraph.strip()):
            out.append(paragraph)
        else:
            out.extend(lines[k : end + 1])
        k = end + 1
    return out


def _join_addresses(lines: list[str]) -> list[str]:
    """Bracketed addresses that html2text cuts over several lines (at a ``/``, not at the
    width), made whole: ``[https://`` / ``pimg.39.net/…/`` / ``p_91.jpg]``."""
    groups: list[list[str]] = []
    inside = False
    for line in lines:
        piece = line.strip()
        if inside and piece and " " not in piece:
            groups[-1].append(piece)
        else:
            groups.append([line])
            inside = False
        inside = bool(piece) and _in_address(piece, inside)
    return ["".join(group) for group in groups]


def _without_placeholders(line: str) -> str:
    """A line of a renderer's dump without the renderer's stand-ins for what is not text
    (image names and addresses, frames, buttons, form fields, insert marks; a line that is
    only an address), and a heading without the rules framing it (``****** 标题 ******``)."""
    stripped = _PLACEHOLDER_RE.sub("", line)
    if not stripped.strip() or (
        len(stripped.strip()) >= 30 and _BARE_URL_RE.match(stripped.strip())
    ):
        return ""
    return _HEADING_RULE_RE.sub(r"\1", stripped)
