"""Duplicates: exact copies and near copies of an article form one cluster.

Exact duplicates share a fingerprint (text after NFKC, case folding and whitespace removal).
Near duplicates (reposts with a changed byline, a trimmed paragraph, typos) are found with
MinHash over character 5-grams (datasketch), banded for locality-sensitive hashing (16 bands
of 4 rows), then confirmed by the true Jaccard similarity of the 5-gram sets (at least 0.8)
or, for texts of up to 2,000 characters, by their character-level similarity (difflib's
ratio at least 0.85 with a Jaccard of at least 0.5: a few typos in a short story change a
quarter of its 5-grams, not of its characters), unless words stand in place of others (one
template filled in twice: 欢迎智利总统博里奇 / 欢迎印度尼西亚总统佐科). Either way two texts
that say different numbers in the same place are different stories, however alike
(``本台明天将直播十四届全国人大三次会议开幕会`` and ``…四次会议…``, a new-year address
announced for 二〇二五 and 二〇二六: :func:`numbers_differ`), and a text does not join a
cluster holding such a text (clusters do not chain from one year's announcement to the
next). Dates tell another year's story too: two texts that are near copies but not exact,
both dated and :data:`YEAR_APART` days or more apart, are one annual event written from last
year's template (烈士纪念日向人民英雄敬献花篮仪式, whose 2024 text is 2022's and 2023's with
one sentence added), not a repost: reposts of government news appear within days or weeks
of the original. They conflict as other numbers do (the cluster is not joined), unless the
cluster also holds a near copy of the text's own year (the story of that year, with exact
copies of it printed again in another: 2023's 烈士纪念日 text is 2022's word for word). A
text without a date is judged by its text alone.

Numbers are compared by the words standing before and after them within their paragraph
(:func:`numbers`): a number opening a paragraph (一要… 二要… 三要…) has none before it.

Clusters merge: a new article that is a near copy of members of several clusters (a story
indexed after two of its reposts, the one cut a paragraph, the other added one, alike to it
but not to each other) brings them into one, the one stored first (:meth:`Clusters.find`
gives them all, the indexer merges), in the same run or a later one. Clusters holding texts
that conflict with each other are not merged: other numbers, or near copies of two years
unless the new text is an exact copy or a near copy of its own year of both (so a copy
without a date never bridges two years). A copy without a date is judged by its text alone,
so it may let another year's story in (2024's repost joins a dateless repost of 2022's):
the dated exact copy that comes later (2022's original) sends the members of other years it
conflicts with out of the cluster, in groups of near copies of each other
(:meth:`Clusters.strangers`), and, the first copy of its text dated in its year, merges in
the near copies of that year its copies could not take in. Clusters do not split again when
the article that joined them goes (a rebuild may then cluster otherwise).
``benchmarks/dedup.py`` measures all this on reposts of real stories.

The band buckets live in the article store beside each article, so an article that arrives
in a later run is compared with every article indexed before without loading them all into
an in-memory LSH first (which cost seconds per run on 20,000 articles).
"""

from __future__ import annotations

import datetime
import difflib
import functools
import hashlib
import importlib.util
import re
import sys
import types
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .analysis import nfkc

SHINGLE = 5
NUM_PERM = 64
THRESHOLD = 0.8
#: Short texts (up to ALIGN_CHARS, normalised) whose 5-gram Jaccard is at least LOW match when
#: their characters are alike: difflib's ratio (2 * matched / total) at least EDIT_THRESHOLD.
LOW = 0.5
EDIT_THRESHOLD = 0.85
ALIGN_CHARS = 2000
#: Below THRESHOLD, a run of 2 or more characters replaced by another, the longer of the two
#: of WORD_CHARS characters, with FLANK or more equal characters on each side, is a word put
#: in place of another (a typo is one character, a paragraph longer, and the seams of a
#: paragraph taken out or put in do not align on both sides).
WORD_CHARS = (3, 19)
FLANK = 2
#: Texts shorter than this (after normalisation) are matched only exactly.
MIN_CHARS = 50
BANDS = (16, 4)
#: Near copies (not exact) dated this many days apart or more are two stories: an annual
#: event's date moves by days or weeks from one year to the next (两会 opens on 3, 4 or 5
#: March), a repost comes within days or weeks.
YEAR_APART = 300
_SEED = 20240601


@functools.lru_cache(maxsize=256)  # an article's key and signature both start from it
def normalised(text: str) -> str:
    """The text as duplicates are compared: NFKC, case folded, no whitespace."""
    return re.sub(r"\s+", "", nfkc(text).casefold())


def fingerprint(text: str) -> str:
    """Exact-duplicate key."""
    return hashlib.blake2b(normalised(text).encode("utf-8"), digest_size=16).hexdigest()


def shingles(text: str) -> np.ndarray:
    """Sorted unique 32-bit hashes of the character 5-grams of the normalised text."""
    norm = normalised(text)
    if len(norm) < SHINGLE:
        return np.zeros(0, dtype=np.uint64)
    codes = np.frombuffer(norm.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    n = len(codes) - SHINGLE + 1
    value = np.zeros(n, dtype=np.uint64)
    prime = np.uint64(0x100000001B3)
    for k in range(SHINGLE):
        value = value * prime + codes[k : k + n]
    # splitmix64 finaliser: spread the polynomial hash over all bits, keep 32.
    value ^= value >> np.uint64(30)
    value *= np.uint64(0xBF58476D1CE4E5B9)
    value ^= value >> np.uint64(27)
    value *= np.uint64(0x94D049BB133111EB)
    value ^= value >> np.uint64(31)
    return np.unique(value & np.uint64(0xFFFFFFFF))


def jaccard(a: np.ndarray, b: np.ndarray) -> float:
    """Jaccard similarity of two shingle sets."""
    if not len(a) or not len(b):
        return 0.0
    inter = len(np.intersect1d(a, b, assume_unique=True))
    return inter / (len(a) + len(b) - inter)


_SCHEME = "affine32"


def _identity(value: int) -> int:
    return value


def _minhash() -> Any:
    """An empty MinHash: a copy of one made once per process (making one draws its
    permutations from the seed again, a third of the cost of a signature)."""
    return _empty_minhash().copy()


@functools.cache
def _empty_minhash() -> Any:
    return minhash_class()(num_perm=NUM_PERM, seed=_SEED, hashfunc=_identity, scheme=_SCHEME)


def minhash_class() -> Any:
    """datasketch's ``MinHash``, without importing the rest of datasketch.

    ``import datasketch`` imports every LSH class it has, and they import scipy: 0.25 s in
    each cleaning worker (a sixth of indexing 2,000 stories), for a class that needs only
    numpy. Its module is loaded under a bare package object, taken away again at once: a
    later ``import datasketch`` runs the real package, which finds the module loaded.
    """
    package = sys.modules.get("datasketch")
    if package is not None and hasattr(package, "MinHash"):
        return package.MinHash
    spec = importlib.util.find_spec("datasketch")
    if spec is None or not spec.submodule_search_locations:
        from datasketch import MinHash  # not laid out as expected: import it whole

        return MinHash
    bare = types.ModuleType("datasketch")
    bare.__path__ = list(spec.submodule_search_locations)
    sys.modules["datasketch"] = bare
    try:
        from datasketch.minhash import MinHash
    finally:
        if sys.modules.get("datasketch") is bare:
            del sys.modules["datasketch"]
    return MinHash


def signature(text: str) -> np.ndarray:
    """The MinHash signature of a text's 5-gram set (datasketch, affine32 scheme)."""
    minhash = _minhash()
    hashes = shingles(text)
    if len(hashes):
        # datasketch hashes item by item in Python: Python ints are 4x faster than
        # numpy scalars there (and give the same values).
        minhash.update_batch(hashes.tolist())
    return np.asarray(minhash.hashvalues)


@dataclass
class Match:
    """Where a new article belongs: an existing cluster, and how it was found; ``clusters``
    are every cluster it is a near copy of, ``cluster`` (the best match) first, to merge."""

    cluster: str
    how: str  # "exact" or "near"
    similarity: float
    clusters: list[str] = field(default_factory=list)


def band_keys(signature: np.ndarray) -> list[int]:
    """The LSH bucket of each band of a signature, band number included (signed 64-bit)."""
    bands, rows = BANDS
    # Hashed as 64-bit values, as when the store kept them so: stored bands keep their keys.
    values = signature.astype("<u8").tobytes()
    width = rows * 8
    return [
        int.from_bytes(
            hashlib.blake2b(
                values[b * width : (b + 1) * width], digest_size=8, person=bytes([b])
            ).digest(),
            "little",
            signed=True,
        )
        for b in range(bands)
    ]


#: ``(id, cluster, date)`` of the stored articles sharing any of the given band buckets.
Candidates = Callable[[list[int]], list[tuple[str, str, str | None]]]


class Clusters:
    """Where a new article belongs, among the articles already stored.

    ``candidates_of`` gives ``(id, cluster, date)`` of the stored articles sharing a band
    bucket; ``text_of`` their texts, to confirm a candidate (:func:`near`).
    """

    def __init__(self, text_of: Callable[[str], str | None], candidates_of: Candidates) -> None:
        # 16 bands of 4 rows: a pair at Jaccard 0.8 becomes a candidate with probability
        # 0.9998 (datasketch's own choice for 0.8, 5 bands of 11, misses 3 in 10 at 0.87),
        # at 0.6 with 0.89; the extra candidates cost one exact Jaccard each.
        self._text_of = text_of
        self._candidates_of = candidates_of
        self._seen: dict[str, Compared] = {}

    def find(
        self,
        text: str,
        bands: list[int],
        long_enough: bool,
        date: str | None = None,
        joined: str | None = None,
    ) -> Match | None:
        """The clusters of the stored near copies (:func:`near`), if any: the most similar
        one's first, then the others it may merge with.

        ``bands`` are the LSH buckets of the text's signature (:func:`band_keys`);
        ``long_enough`` is :func:`comparable` of the text (both worked out in the workers);
        ``date`` the article's (ISO), if known. ``joined``: the cluster of the text's exact
        copies, when it has some (it comes first, and only the clusters to merge with it
        are of interest).
        """
        if not long_enough:
            return None
        candidates = self._candidates_of(bands)
        if not candidates:
            return None
        mine = Compared.of(text, date)
        best: dict[str, tuple[float, str]] = {}  # cluster -> (similarity, id) of its best
        vetoed: set[str] = set()
        years: set[str] = set()  # clusters holding a near copy of another year
        kin: set[str] = set()  # clusters holding a near copy of this text's year
        close: set[str] = set()  # candidates that are exact copies or near ones of its year
        members: dict[str, list[tuple[str, Compared]]] = {}  # cluster -> its candidates
        for key, cluster, their_date in candidates:
            theirs = self._seen.get(key)
            if theirs is None:
                other = self._text_of(key)
                if other is None:
                    continue
                theirs = self._seen[key] = Compared.of(other, their_date)
            members.setdefault(cluster, []).append((key, theirs))
            similarity, verdict = _judge(mine, theirs)
            if verdict == "conflict":
                vetoed.add(cluster)
            elif verdict == "year":
                years.add(cluster)
            elif verdict == "near":
                if cluster not in best or (similarity, key) > best[cluster]:
                    best[cluster] = (similarity, key)
                if _same_year(mine, theirs):
                    kin.add(cluster)
                    close.add(key)
                elif normalised(mine.source) == normalised(theirs.source):
                    close.add(key)
        # A cluster holding a text that is alike but says other numbers, or a near copy of
        # another year, is another story's, however like its other members this text is
        # (clusters do not chain across years of the same announcement); unless, for a year,
        # it also holds a near copy of this text's year (the story of that year, and exact
        # copies of it printed again another year: 2023's 烈士纪念日 text is 2022's).
        vetoed |= years - kin
        if joined is not None:
            vetoed.discard(joined)
            best[joined] = (2.0, "")  # first
        ranked = sorted(
            ((found, cluster) for cluster, found in best.items() if cluster not in vetoed),
            reverse=True,
        )
        if not ranked:
            return None
        (similarity, _), cluster = ranked[0]

        def compatible(a: tuple[str, Compared], b: tuple[str, Compared]) -> bool:
            # Members of two clusters conflict in their numbers, or are near copies of two
            # years, unless this text is an exact copy or a near copy of its year of both
            # (2022's text, printed again in 2023, and a 2023 repost of it: near the text of
            # 2022, not of its year).
            verdict = _judge(a[1], b[1])[1]
            return verdict != "conflict" and (verdict != "year" or {a[0], b[0]} <= close)

        merged = [cluster]
        for _, other in ranked[1:]:
            # Two clusters this text is near are merged unless their members conflict.
            if all(
                compatible(a, b)
                for a in members.get(other, [])
                for joined_ in merged
                for b in members.get(joined_, [])
            ):
                merged.append(other)
        if joined is not None:
            similarity = 1.0
        return Match(cluster, "near", similarity, merged)

    def strangers(
        self, text: str, dates: list[str | None], members: list[tuple[str, str]]
    ) -> list[list[str]]:
        """Of ``members`` (``(id, date)``, the dated members of the cluster an exact copy of
        ``text`` joins), those it conflicts with: near copies of another year's story, which
        came in through a copy without a date. They leave the cluster, in groups of near
        copies of each other (each its own cluster).

        ``dates``: the new copy's date first, then those of the copies stored; a member of
        the year of any of them stays (2022's repost beside the text 2022 and 2023 both
        broadcast)."""
        days = [day for day in map(_day, dates) if day is not None]
        if _day(dates[0]) is None:
            return []
        apart = [
            (key, theirs)
            for key, theirs in members
            if (other := _day(theirs)) is not None
            and all(abs((other - day).days) >= YEAR_APART for day in days)
        ]
        if not apart:
            return []
        mine = Compared.of(text, dates[0])
        groups: list[list[tuple[str, Compared]]] = []
        for key, theirs in apart:
            compared = self._seen.get(key)
            if compared is None:
                other_text = self._text_of(key)
                if other_text is None:
                    continue
                compared = self._seen[key] = Compared.of(other_text, theirs)
            if _judge(mine, compared)[1] != "year":
                continue
            for group in groups:
                verdicts = {_judge(compared, member)[1] for _, member in group}
                if "near" in verdicts and not verdicts & {"conflict", "year"}:
                    group.append((key, compared))
                    break
            else:
                groups.append([(key, compared)])
        return [[key for key, _ in group] for group in groups]


class Compared:
    """What confirming a candidate looks at: the 5-gram set, and only when that is alike
    enough, the normalised text (when short enough to align) and the numbers by where they
    stand (:func:`numbers`)."""

    def __init__(self, text: str, date: str | None = None) -> None:
        self.source = text
        self.shingles = shingles(text)
        self.date = _day(date)

    @classmethod
    def of(cls, text: str, date: str | None = None) -> Compared:
        return cls(text, date)

    @functools.cached_property
    def text(self) -> str | None:
        norm = normalised(self.source)
        return norm if len(norm) <= ALIGN_CHARS else None

    @functools.cached_property
    def numbers(self) -> dict[tuple[str, str], set[str]]:
        return numbers(self.source)


def near(a: Compared, b: Compared) -> float | None:
    """The 5-gram Jaccard of two texts when they are near copies, else None.

    Near: Jaccard >= THRESHOLD, or both short (ALIGN_CHARS), Jaccard >= LOW and difflib's
    ratio >= EDIT_THRESHOLD; and no number differs between them (:func:`numbers_differ`),
    nor are they, not exact copies, dated :data:`YEAR_APART` days apart or more.
    """
    similarity, verdict = _judge(a, b)
    return similarity if verdict == "near" else None


def conflicts(a: Compared, b: Compared) -> bool:
    """Alike (Jaccard >= LOW) but saying different numbers in the same places, or near
    copies (not exact) of two years."""
    return _judge(a, b)[1] in ("conflict", "year")


def _judge(a: Compared, b: Compared) -> tuple[float, str]:
    """The Jaccard of two texts and ``near``, ``conflict`` (alike, other numbers), ``year``
    (near copies, not exact, dated :data:`YEAR_APART` days apart or more) or ``far``."""
    similarity, verdict = _judge_texts(a, b)
    if (
        verdict == "near"
        and a.date is not None
        and b.date is not None
        and not _same_year(a, b)
        and normalised(a.source) != normalised(b.source)
    ):
        return similarity, "year"
    return similarity, verdict


def _same_year(a: Compared, b: Compared) -> bool:
    """Both dated, less than :data:`YEAR_APART` days apart."""
    return a.date is not None and b.date is not None and abs((a.date - b.date).days) < YEAR_APART


def years_apart(a: str | None, b: str | None) -> bool:
    """Two ISO dates :data:`YEAR_APART` days apart or more (False when either is unknown)."""
    x, y = _day(a), _day(b)
    return x is not None and y is not None and abs((x - y).days) >= YEAR_APART


def _day(date: str | None) -> datetime.date | None:
    """An ISO date (``2024-09-29``; a longer timestamp is cut to its day), or None."""
    if not date:
        return None
    try:
        return datetime.date.fromisoformat(date[:10])
    except ValueError:
        return None


def _judge_texts(a: Compared, b: Compared) -> tuple[float, str]:
    """:func:`_judge` by the texts alone."""
    similarity = jaccard(a.shingles, b.shingles)
    if similarity < LOW:
        return similarity, "far"
    if numbers_differ(a.numbers, b.numbers):
        return similarity, "conflict"
    if similarity >= THRESHOLD:
        return similarity, "near"
    if a.text is None or b.text is None:
        return similarity, "far"
    matcher = difflib.SequenceMatcher(None, a.text, b.text, autojunk=False)
    if (
        matcher.real_quick_ratio() < EDIT_THRESHOLD
        or matcher.quick_ratio() < EDIT_THRESHOLD
        or matcher.ratio() < EDIT_THRESHOLD
    ):
        return similarity, "far"
    # Alike character by character, but is that typos (a character here and there) and
    # paragraphs taken out or put in, or one template filled in with other words (智利总统
    # 博里奇 / 印度尼西亚总统佐科)? Words put in place of others are another story.
    ops = matcher.get_opcodes()
    for k, (op, i1, i2, j1, j2) in enumerate(ops):
        if (
            op == "replace"
            and min(i2 - i1, j2 - j1) >= 2
            and max(i2 - i1, j2 - j1) in range(WORD_CHARS[0], WORD_CHARS[1] + 1)
            and 0 < k < len(ops) - 1
            and ops[k - 1][2] - ops[k - 1][1] >= FLANK
            and ops[k + 1][2] - ops[k + 1][1] >= FLANK
        ):
            return similarity, "far"
    return similarity, "near"


#: A number: digits (NFKC folds full-width ones), or Chinese numerals.
_NUMBER_RE = re.compile(r"[0-9]+(?:\.[0-9]+)?|[〇零一二两三四五六七八九十百千万亿]+")
_CONTEXT = 4


def numbers(text: str) -> dict[tuple[str, str], set[str]]:
    """The numbers of a text by where they stand: the ``_CONTEXT`` characters before each
    (key ``("<", …)``) and, apart, after it (``(">", …)``), numbers in them masked:
    ``3月4日下午`` and ``3月10日上午`` differ in the day though what follows it does not
    match, ``全国政协十四届一次会议将`` and ``十四届全国人大二次会议将`` in the session.

    A context ends with its paragraph: what ends the paragraph before does not stand before
    the number opening the next (``…共建“一带一路”。`` / ``二要…``, ``三要…``: a repost
    without the paragraph ``二要…`` puts ``三要`` after the same words)."""
    out: dict[tuple[str, str], set[str]] = {}
    for paragraph in nfkc(text).casefold().split("\n"):
        norm = re.sub(r"\s+", "", paragraph)
        pieces = _NUMBER_RE.split(norm)
        masked = "#".join(pieces)
        at = 0
        for k, number in enumerate(_NUMBER_RE.findall(norm)):
            at += len(pieces[k])
            before, after = masked[max(0, at - _CONTEXT) : at], masked[at + 1 : at + 1 + _CONTEXT]
            if before:
                out.setdefault(("<", before), set()).add(number)
            if after:
                out.setdefault((">", after), set()).add(number)
            at += 1
    return out


def numbers_differ(a: dict[tuple[str, str], set[str]], b: dict[tuple[str, str], set[str]]) -> bool:
    """True when the same words stand before (or after) a number in both texts and the
    numbers there never agree: the texts report different dates, counts or sessions.

    A trimmed or added paragraph only takes numbers away or adds some (the rest still
    agrees). Numbers agree when they are the same; Chinese numerals also when one begins or
    ends the other, as a typo beside one makes them (numerals are characters of words too:
    ``两国`` -> ``两三``).
    """
    if len(a) > len(b):
        a, b = b, a
    for context, found in a.items():
        theirs = b.get(context)
        if theirs is not None and not any(_agree(x, y) for x in found for y in theirs):
            return True
    return False


def _agree(x: str, y: str) -> bool:
    if x == y:
        return True
    if x[0].isdigit() or y[0].isdigit():
        return False
    return x.startswith(y) or y.startswith(x) or x.endswith(y) or y.endswith(x)


def comparable(text: str) -> bool:
    """Long enough to be compared with others for near duplicates (else exact copies only)."""
    return len(normalised(text)) >= MIN_CHARS


def to_blob(signature: np.ndarray) -> bytes:
    """A signature as the store keeps it: 32-bit values (datasketch's hash values are below
    2**32), half the bytes of its 64-bit integers."""
    return signature.astype("<u4").tobytes()


def from_blob(blob: bytes) -> np.ndarray:
    """A stored signature; stores written before kept 64-bit values, read as before."""
    wide = len(blob) == NUM_PERM * 8
    return np.frombuffer(blob, dtype="<u8" if wide else "<u4").astype(np.uint32)
