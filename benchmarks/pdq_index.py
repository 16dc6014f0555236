"""PDQ index at 10 M clustered hashes: lookups/s (threshold 31, exact) beside faiss IndexBinaryFlat on the same data
and queries, index memory, time to add 100,000 hashes, time to load from disk.

Run: .venv/bin/python -m benchmarks.pdq_index [--hashes 10000000] [--queries 20000] [--faiss-queries 200]
Data is generated in a temporary folder (under /tmp) and deleted afterwards.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import numpy.typing as npt

from benchmarks.machine import describe, peak_rss_mib
from lanzarote.media.pdq_index import PdqIndex, hashes_to_bytes

THRESHOLD = 31


def flip_bits(rng: np.random.Generator, hashes: npt.NDArray[np.uint64], counts: npt.NDArray[np.int64]) -> None:
    """Flip `counts[i]` random bits of row i in place (positions may repeat, so at most counts[i])."""
    rows = np.arange(len(hashes))
    for j in range(int(counts.max(initial=0))):
        sel = rows[counts > j]
        pos = rng.integers(0, 256, size=len(sel))
        hashes[sel, pos // 64] ^= np.left_shift(np.uint64(1), (63 - pos % 64).astype(np.uint64))


def clustered(rng: np.random.Generator, n: int) -> npt.NDArray[np.uint64]:
    """Families of near-duplicates like real lists: family sizes 1-20 (mean ~5), members 0-24 bits from the root."""
    sizes = np.minimum(rng.geometric(0.2, size=n // 4), 20)
    sizes = sizes[np.cumsum(sizes) <= n]
    if sizes.sum() < n:
        sizes = np.append(sizes, n - sizes.sum())
    roots = rng.integers(0, 2**64, size=(len(sizes), 4), dtype=np.uint64)
    hashes = np.repeat(roots, sizes, axis=0)
    flip_bits(rng, hashes, rng.integers(0, 25, size=n))
    return hashes


def child(directory: Path, queries: Path) -> None:
    """In a fresh process: load the saved index, then look the queries up (as the matcher does after a restart)."""
    import numba

    from lanzarote.media.pdq_index import PdqIndex

    t = time.perf_counter()
    index = PdqIndex(directory)
    loaded = time.perf_counter() - t
    size = sum(a.nbytes for s in index.segments for a in (s.hashes, s.refs, s.alive, s.offsets, s.order))
    print(f"load from disk: {loaded:.2f} s for {len(index):,} hashes in {len(index.segments)} segments; "
          f"index arrays {size / 2**20:,.0f} MiB")
    q = np.load(queries)
    index.search(q[:100], THRESHOLD)  # compile / warm up
    for threads in (1, numba.config.NUMBA_NUM_THREADS):
        numba.set_num_threads(threads)
        t = time.perf_counter()
        rows, _, _ = index.search(q, THRESHOLD)
        elapsed = time.perf_counter() - t
        print(f"MIH index, {threads} thread(s): {len(q) / elapsed:,.0f} lookups/s ({len(q):,} queries, "
              f"{len(rows):,} matches, threshold {THRESHOLD}, exact)")
    print(f"lookup process peak RSS {peak_rss_mib():,.0f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--hashes", type=int, default=10_000_000)
    parser.add_argument("--queries", type=int, default=20_000)
    parser.add_argument("--faiss-queries", type=int, default=200)
    parser.add_argument("--child", nargs=2, type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    rng = np.random.default_rng(20261122)

    t = time.perf_counter()
    data = clustered(rng, args.hashes)
    print(f"generated {len(data):,} clustered hashes in {time.perf_counter() - t:.1f} s")

    # Queries: half near-duplicates of stored hashes (0-20 bits away), half unrelated.
    half = args.queries // 2
    near = data[rng.integers(0, len(data), size=half)].copy()
    flip_bits(rng, near, rng.integers(0, 21, size=half))
    queries = np.concatenate([near, rng.integers(0, 2**64, size=(args.queries - half, 4), dtype=np.uint64)])
    queries = queries[rng.permutation(len(queries))]

    with tempfile.TemporaryDirectory(dir="/tmp") as tmp:
        directory = Path(tmp) / "pdq"
        index = PdqIndex(directory)
        t = time.perf_counter()
        index.add(data, np.arange(len(data), dtype=np.int64))
        print(f"build + save: {time.perf_counter() - t:.1f} s")
        np.save(Path(tmp) / "queries.npy", queries)
        subprocess.run([sys.executable, "-m", "benchmarks.pdq_index", "--child", str(directory),
                        str(Path(tmp) / "queries.npy")], check=True)

        extra = clustered(rng, 100_000)
        t = time.perf_counter()
        index.add(extra, np.arange(len(data), len(data) + len(extra), dtype=np.int64))
        print(f"add 100,000 hashes (new segment, saved): {time.perf_counter() - t:.2f} s")
        t = time.perf_counter()
        removed = index.remove(np.arange(0, 100_000, dtype=np.int64))
        print(f"remove {removed:,} hashes (saved): {time.perf_counter() - t:.2f} s")
        rows, _, _ = index.search(queries[:1000], THRESHOLD)
        print(f"after add/remove: {len(rows):,} matches for 1,000 queries")
        del index

    import faiss

    flat = faiss.IndexBinaryFlat(256)
    flat.add(hashes_to_bytes(data))
    sample = hashes_to_bytes(queries[: args.faiss_queries])
    t = time.perf_counter()
    lims, _, _ = flat.range_search(sample, THRESHOLD + 1)
    elapsed = time.perf_counter() - t
    print(f"faiss IndexBinaryFlat (brute force, {faiss.omp_get_max_threads()} threads): "
          f"{len(sample) / elapsed:,.0f} lookups/s ({len(sample)} of the same queries, {int(lims[-1]):,} matches)")
    print(describe())
    print(f"peak RSS {peak_rss_mib():,.0f} MiB")


if __name__ == "__main__":
    main()
