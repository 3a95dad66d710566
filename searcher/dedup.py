"""Duplicates: exact copies and near copies of an article form one cluster.

Exact duplicates share a fingerprint (text after NFKC, case folding and whitespace removal).
Near duplicates (reposts with a changed byline, a trimmed paragraph) are found with MinHash
over character 5-grams (datasketch), banded for locality-sensitive hashing (16 bands of 4
rows), then confirmed by the true Jaccard similarity of the 5-gram sets (at least 0.8).

The band buckets live in the article store beside each article, so an article that arrives
in a later run is compared with every article indexed before without loading them all into
an in-memory LSH first (which cost seconds per run on 20,000 articles).
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import re
import sys
import types
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from .analysis import nfkc

SHINGLE = 5
NUM_PERM = 64
THRESHOLD = 0.8
#: Texts shorter than this (after normalisation) are matched only exactly.
MIN_CHARS = 50
BANDS = (16, 4)
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
    """Where a new article belongs: an existing cluster, and how it was found."""

    cluster: str
    how: str  # "exact" or "near"
    similarity: float


def band_keys(signature: np.ndarray) -> list[int]:
    """The LSH bucket of each band of a signature, band number included (signed 64-bit)."""
    bands, rows = BANDS
    values = to_blob(signature)
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


Candidates = Callable[[list[int]], list[tuple[str, str]]]


class Clusters:
    """Where a new article belongs, among the articles already stored.

    ``candidates_of`` gives ``(id, cluster)`` of the stored articles sharing a band bucket;
    ``text_of`` their texts, to confirm a candidate by its real Jaccard similarity.
    """

    def __init__(self, text_of: Callable[[str], str | None], candidates_of: Candidates) -> None:
        # 16 bands of 4 rows: a pair at Jaccard 0.8 becomes a candidate with probability
        # 0.9998 (datasketch's own choice for 0.8, 5 bands of 11, misses 3 in 10 at 0.87);
        # the extra candidates cost one exact Jaccard each.
        self._text_of = text_of
        self._candidates_of = candidates_of
        self._shingles: dict[str, np.ndarray] = {}

    def find(self, text: str, bands: list[int], long_enough: bool) -> Match | None:
        """The cluster of the most similar stored article with Jaccard >= 0.8, if any.

        ``bands`` are the LSH buckets of the text's signature (:func:`band_keys`);
        ``long_enough`` is :func:`comparable` of the text (both worked out in the workers).
        """
        if not long_enough:
            return None
        candidates = self._candidates_of(bands)
        if not candidates:
            return None
        mine = shingles(text)
        best: tuple[float, str, str] | None = None
        for key, cluster in candidates:
            theirs = self._shingles.get(key)
            if theirs is None:
                other = self._text_of(key)
                if other is None:
                    continue
                theirs = self._shingles[key] = shingles(other)
            similarity = jaccard(mine, theirs)
            if similarity >= THRESHOLD and (best is None or (similarity, key) > best[:2]):
                best = (similarity, key, cluster)
        if best is None:
            return None
        return Match(best[2], "near", best[0])


def comparable(text: str) -> bool:
    """Long enough to be compared with others for near duplicates (else exact copies only)."""
    return len(normalised(text)) >= MIN_CHARS


def to_blob(signature: np.ndarray) -> bytes:
    return signature.astype("<u8").tobytes()


def from_blob(blob: bytes) -> np.ndarray:
    return np.frombuffer(blob, dtype="<u8").astype(np.uint32)
