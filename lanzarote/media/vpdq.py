"""vPDQ comparison of two videos, as Meta's vPDQ defines it.

Frames of quality below the minimum are dropped, each video's remaining frame hashes are de-duplicated, and a
query frame "matches" when some frame of the other video is within the PDQ threshold. The query-match fraction is
the share of the query's unique frames that match; the target-match fraction the same the other way round. A video
matches a listed video when the query fraction reaches `vpdq_match_fraction` (so a clip cut from a known video
still matches it).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from lanzarote.media.hashing import VpdqFrame
from lanzarote.media.pdq_index import hashes_from_hex


def usable_frames(frames: Sequence[VpdqFrame], min_quality: int) -> list[str]:
    """Unique PDQ hexes of the frames good enough to match on, in first-seen order."""
    return list(dict.fromkeys(f.pdq for f in frames if f.quality >= min_quality))


def _distances(a: list[str], b: list[str]) -> npt.NDArray[np.int64]:
    bytes_a = np.unpackbits(hashes_from_hex(a).astype(">u8").view(np.uint8).reshape(len(a), 32), axis=1)
    bytes_b = np.unpackbits(hashes_from_hex(b).astype(">u8").view(np.uint8).reshape(len(b), 32), axis=1)
    result: npt.NDArray[np.int64] = (bytes_a[:, None, :] != bytes_b[None, :, :]).sum(axis=2).astype(np.int64)
    return result


def match_fractions(query: Sequence[VpdqFrame], target: Sequence[VpdqFrame], threshold: int,
                    min_quality: int) -> tuple[float, float]:
    """(share of the query's unique usable frames matched by the target, the same the other way round)."""
    q = usable_frames(query, min_quality)
    t = usable_frames(target, min_quality)
    if not q or not t:
        return 0.0, 0.0
    close = _distances(q, t) <= threshold
    return float(close.any(axis=1).mean()), float(close.any(axis=0).mean())


def videos_match(query: Sequence[VpdqFrame], target: Sequence[VpdqFrame], threshold: int, min_quality: int,
                 fraction: float) -> bool:
    return match_fractions(query, target, threshold, min_quality)[0] >= fraction
