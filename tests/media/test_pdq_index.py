"""The PDQ index returns exactly what brute force (faiss IndexBinaryFlat range search) returns."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import faiss
import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lanzarote.media import pdq_index
from lanzarote.media.pdq_index import (
    MAX_SEGMENTS,
    PARALLEL_FROM,
    PdqIndex,
    hash_to_hex,
    hashes_from_hex,
    hashes_to_bytes,
)
from lanzarote.pipeline.processes import FORK

Triple = set[tuple[int, int, int]]


@pytest.fixture(autouse=True, scope="module", params=["11 chunks", "16 chunks", "read whole"])
def way(request: pytest.FixtureRequest) -> Any:
    """Every test three times: segments probed in the large segments' layout, in the small segments' layout, and
    read whole (the smallest are)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(pdq_index, "SCAN_BELOW", 10**9 if request.param == "read whole" else 0)
        patch.setattr(pdq_index, "NARROW_BELOW", 0 if request.param == "11 chunks" else 10**9)
        yield request.param


def _flip(rng: np.random.Generator, h: npt.NDArray[np.uint64], bits: int) -> npt.NDArray[np.uint64]:
    out = h.copy()
    for b in rng.choice(256, bits, replace=False):
        out[b // 64] ^= np.uint64(1) << np.uint64(63 - b % 64)
    return out


def _clustered(rng: np.random.Generator, families: int, size: int, spread: int) -> npt.NDArray[np.uint64]:
    roots = rng.integers(0, 2**64, size=(families, 4), dtype=np.uint64)
    rows = [_flip(rng, roots[f], int(rng.integers(0, spread + 1))) for f in range(families) for _ in range(size)]
    return np.array(rows, dtype=np.uint64).reshape(-1, 4)


def _at_distances(rng: np.random.Generator, queries: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
    """Hashes exactly 30, 31 and 32 bits from each query: the edge of the default threshold."""
    return np.array([_flip(rng, q, d) for q in queries for d in (30, 31, 32)], dtype=np.uint64).reshape(-1, 4)


def _oracle(stored: npt.NDArray[np.uint64], refs: npt.NDArray[np.int64], queries: npt.NDArray[np.uint64],
            threshold: int) -> Triple:
    flat = faiss.IndexBinaryFlat(256)
    flat.add(hashes_to_bytes(stored))
    lims, dist, ids = flat.range_search(hashes_to_bytes(queries), threshold + 1)  # faiss: distance < radius
    return {(q, int(refs[ids[j]]), int(dist[j])) for q in range(len(queries)) for j in range(lims[q], lims[q + 1])}


def _mine(index: PdqIndex, queries: npt.NDArray[np.uint64], threshold: int) -> Triple:
    rows, refs, dist = index.search(queries, threshold)
    found = list(zip(rows.tolist(), refs.tolist(), dist.tolist(), strict=True))
    assert len(found) == len(set(found)), "a pair was returned twice"
    return set(found)


THRESHOLDS = [0, 1, 10, 11, 21, 22, 30, 31, 32, 40, 43]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1), clustered=st.booleans(), threshold=st.sampled_from(THRESHOLDS))
def test_same_matches_as_brute_force(seed: int, clustered: bool, threshold: int) -> None:
    rng = np.random.default_rng(seed)
    uniform = rng.integers(0, 2**64, size=(1000, 4), dtype=np.uint64)
    stored = _clustered(rng, 40, 25, 45) if clustered else uniform
    queries = np.concatenate([stored[rng.choice(len(stored), 20)], _clustered(rng, 5, 3, 10)])
    stored = np.concatenate([stored, _at_distances(rng, queries[:10])])
    refs = np.arange(len(stored), dtype=np.int64) * 7 + 3
    index = PdqIndex()
    index.add(stored, refs)
    assert _mine(index, queries, threshold) == _oracle(stored, refs, queries, threshold)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1), batches=st.integers(1, MAX_SEGMENTS + 3))
def test_adds_and_removes_take_effect_and_persist(seed: int, batches: int, tmp_path_factory: object) -> None:
    rng = np.random.default_rng(seed)
    directory = Path(str(tmp_path_factory.mktemp("idx")))  # type: ignore[attr-defined]
    index = PdqIndex(directory)
    all_hashes: list[npt.NDArray[np.uint64]] = []
    all_refs: list[npt.NDArray[np.int64]] = []
    next_ref = 0
    for _ in range(batches):
        part = _clustered(rng, 10, 8, 40)
        refs = np.arange(next_ref, next_ref + len(part), dtype=np.int64)
        next_ref += len(part)
        index.add(part, refs)
        all_hashes.append(part)
        all_refs.append(refs)
    stored = np.concatenate(all_hashes)
    refs = np.concatenate(all_refs)
    gone = rng.choice(refs, size=len(refs) // 3, replace=False)
    assert index.remove(gone) == len(gone)
    keep = ~np.isin(refs, gone)
    queries = np.concatenate([stored[rng.choice(len(stored), 15)], _clustered(rng, 3, 2, 20)])
    expected = _oracle(stored[keep], refs[keep], queries, 31)
    assert _mine(index, queries, 31) == expected
    reloaded = PdqIndex(directory)
    assert len(reloaded) == int(keep.sum())
    assert _mine(reloaded, queries, 31) == expected
    reloaded.compact()
    assert _mine(PdqIndex(directory), queries, 31) == expected


def test_a_family_larger_than_the_result_buffer_is_returned_whole() -> None:
    rng = np.random.default_rng(5)
    root = rng.integers(0, 2**64, size=4, dtype=np.uint64)
    stored = np.array([_flip(rng, root, 3) for _ in range(500)], dtype=np.uint64)
    index = PdqIndex()
    index.add(stored, np.arange(500, dtype=np.int64))
    _, refs, _ = index.search(root.reshape(1, 4), 31)
    assert sorted(refs.tolist()) == list(range(500))


def test_hex_round_trip() -> None:
    text = "d8f8f0cee0f4a84f0637022a078f67f0b36e2ed596621e1d33e6339c4e9c9b22"
    words = hashes_from_hex([text])
    assert hash_to_hex(words[0]) == text
    assert hashes_to_bytes(words)[0].tobytes().hex() == text


def _search_in_child(index: PdqIndex, queries: npt.NDArray[np.uint64], pipe: Any) -> None:
    pipe.send(_mine(index, queries, 31))


def test_a_process_forked_after_a_threaded_search_still_searches() -> None:
    """The pipeline forks its helpers from a process that may have searched on every core already; numba's OpenMP
    threads do not survive a fork (a forked process using them is terminated), so a forked one searches alone."""
    rng = np.random.default_rng(11)
    stored = _clustered(rng, 40, 25, 20)
    index = PdqIndex()
    index.add(stored, np.arange(len(stored), dtype=np.int64))
    queries = stored[rng.choice(len(stored), PARALLEL_FROM)]  # large enough for the threaded kernel
    expected = _mine(index, queries, 31)
    assert expected == _oracle(stored, np.arange(len(stored), dtype=np.int64), queries, 31)
    receive, send = FORK.Pipe(duplex=False)
    child = FORK.Process(target=_search_in_child, args=(index, queries, send))
    child.start()
    send.close()
    found = receive.recv() if receive.poll(60) else None  # before join: the child waits until its answer is read
    child.join(60)
    assert child.exitcode == 0
    assert found == expected


def test_an_index_written_in_format_1_still_loads_and_searches(tmp_path: Path) -> None:
    """Format 1 had no per-segment layout: every segment in 11 chunks, named once in index.json."""
    rng = np.random.default_rng(21)
    stored = _clustered(rng, 30, 10, 30)
    refs = np.arange(len(stored), dtype=np.int64)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(pdq_index, "NARROW_BELOW", 0)
        PdqIndex(tmp_path).add(stored, refs)
    meta = json.loads((tmp_path / "index.json").read_text())
    (tmp_path / "index.json").write_text(json.dumps({**meta, "format": 1, "chunks": list(pdq_index.CHUNK_WIDTHS)}))
    for widths in tmp_path.glob("seg-*/widths.npy"):
        widths.unlink()
    queries = np.concatenate([stored[rng.choice(len(stored), 10)], _clustered(rng, 3, 2, 20)])
    assert _mine(PdqIndex(tmp_path), queries, 31) == _oracle(stored, refs, queries, 31)
