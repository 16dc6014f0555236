"""An exact PDQ index: every stored hash within Hamming distance T of a query, found by multi-index hashing.

The 256 bits of a large segment are cut into 11 chunks (three of 24 bits, eight of 23). If two hashes differ in at
most T bits, by the pigeonhole principle at least one chunk differs in at most ⌊T/11⌋ bits (2 for T = 31), so probing
every chunk's table at that radius and checking the full distance of each candidate misses nothing (see `radii` for
the exact rule, which lets one chunk use radius 1 at T = 31). A segment of fewer than NARROW_BELOW hashes is cut into
16 chunks of 16 bits instead, probed at radius 1: far fewer probes, with fuller buckets. Each chunk's table is a
CSR layout (a dense offsets array over the chunk's top `p` bits, and the positions of the hashes sorted by them), so a
probe is one offsets read and a short contiguous run. `p` is about log2 of the segment size: big segments get exact
buckets, small ones fewer, wider buckets (still exact, since every candidate's full distance is checked). A segment of
fewer than SCAN_BELOW hashes is read whole instead: below that, one pass over it is faster than the probes.

The index is a list of immutable segments plus a per-segment `alive` mask: adding hashes writes a new small segment,
removing them clears bits, and segments are merged (compacting removed hashes) when there are too many. Everything is
plain numpy arrays in `.npy` files, loaded with `np.load` (no pickle).
"""

from __future__ import annotations

import functools
import itertools
import json
import os
import shutil
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import FunctionType
from typing import Any

import numba as nb
import numpy as np
import numpy.typing as npt
from llvmlite import ir
from numba.core import cgutils, types
from numba.extending import intrinsic

CHUNK_WIDTHS: tuple[int, ...] = (24, 24, 24, 23, 23, 23, 23, 23, 23, 23, 23)
"""The chunks of a large segment: 11, probed at radius 2 for T = 31 (the layout of format 1)."""
NARROW_CHUNK_WIDTHS: tuple[int, ...] = (16,) * 16
"""The chunks of a segment of fewer than NARROW_BELOW hashes: 16, probed at radius 1 for T = 31. Far fewer probes
(272 against 1,740 for 270,000 hashes), with fuller buckets, which only pays while the segment is small enough."""
NARROW_BELOW = 1_500_000
"""Measured at threshold 31, one core: 60,000 hashes 17 us a query in 16 chunks against 69 us in 11; 270,000 38
against 70; 1,000,000 149 against 162."""
MAX_RADIUS = 3
MAX_THRESHOLD = len(CHUNK_WIDTHS) * (MAX_RADIUS + 1) - 1
"""Largest threshold the probe enumeration supports exactly in either layout (43)."""
MAX_SEGMENTS = 8
FORMAT_VERSION = 2
"""2: each segment has its own chunk widths (`widths.npy`); format 1 (every segment in CHUNK_WIDTHS) still loads."""

Hashes = npt.NDArray[np.uint64]
"""PDQ hashes as an (n, 4) array of big-endian 64-bit words (word 0 = the first 16 hex digits)."""


def hashes_from_hex(values: Sequence[str]) -> Hashes:
    """(n, 4) uint64 words from 64-hex-digit PDQ strings."""
    if not values:
        return np.zeros((0, 4), dtype=np.uint64)
    raw = bytes.fromhex("".join(values))
    if len(raw) != 32 * len(values):
        raise ValueError("every PDQ hash must be 64 hex digits")
    return np.frombuffer(raw, dtype=">u8").astype(np.uint64).reshape(-1, 4)


def hash_to_hex(words: npt.NDArray[np.uint64]) -> str:
    return np.asarray(words, dtype=np.uint64).astype(">u8").tobytes().hex()


def hex_distance(a: str, b: str) -> int:
    """Hamming distance of two 64-hex-digit PDQ hashes."""
    return (int(a, 16) ^ int(b, 16)).bit_count()


def hashes_from_bits(bits: npt.NDArray[np.integer]) -> Hashes:
    """(n, 4) words from (n, 256) 0/1 arrays, bit 0 the most significant (pdqhash's order)."""
    packed = np.packbits(np.asarray(bits, dtype=np.uint8).reshape(-1, 256), axis=1)
    return np.ascontiguousarray(packed).view(">u8").astype(np.uint64).reshape(-1, 4)


def hashes_to_bytes(hashes: Hashes) -> npt.NDArray[np.uint8]:
    """(n, 32) bytes in hex-digit order (for faiss and for storage)."""
    return np.ascontiguousarray(hashes.astype(">u8")).view(np.uint8).reshape(-1, 32)


def _prefetch_intrinsic(typingctx: Any, array: Any, index: Any) -> Any:
    """Ask the CPU to start loading array[index] (LLVM's prefetch): random reads overlap instead of queueing."""
    signature = types.void(array, index)

    def codegen(context: Any, builder: Any, sig: Any, args: Any) -> Any:
        view = context.make_array(sig.args[0])(context, builder, args[0])
        pointer = cgutils.get_item_pointer(  # type: ignore[no-untyped-call]
            context, builder, sig.args[0], view, [args[1]], wraparound=False)
        byte_pointer = ir.IntType(8).as_pointer()
        i32 = ir.IntType(32)
        fn = cgutils.get_or_insert_function(  # type: ignore[no-untyped-call]
            builder.module, ir.FunctionType(ir.VoidType(), [byte_pointer, i32, i32, i32]), "llvm.prefetch.p0i8")
        builder.call(fn, [builder.bitcast(pointer, byte_pointer), ir.Constant(i32, 0), ir.Constant(i32, 3),
                          ir.Constant(i32, 1)])
        return context.get_dummy_value()

    return signature, codegen


_prefetch: Any = intrinsic(_prefetch_intrinsic)
PREFETCH_AHEAD = 16


@nb.njit(cache=True, inline="always")
def _popcount(x: Any) -> Any:
    x = x - ((x >> np.uint64(1)) & np.uint64(0x5555555555555555))
    x = (x & np.uint64(0x3333333333333333)) + ((x >> np.uint64(2)) & np.uint64(0x3333333333333333))
    x = (x + (x >> np.uint64(4))) & np.uint64(0x0F0F0F0F0F0F0F0F)
    return np.int64((x * np.uint64(0x0101010101010101)) >> np.uint64(56))


@nb.njit(cache=True, inline="always")
def _distance(a: Hashes, i: int, b: Hashes, j: int) -> Any:
    return (
        _popcount(a[i, 0] ^ b[j, 0])
        + _popcount(a[i, 1] ^ b[j, 1])
        + _popcount(a[i, 2] ^ b[j, 2])
        + _popcount(a[i, 3] ^ b[j, 3])
    )


@nb.njit(cache=True, inline="always")
def _bits(h: Hashes, i: int, start: int, width: int) -> Any:
    """Bits [start, start+width) of hash i (bit 0 = most significant bit of word 0), width <= 32."""
    word = start // 64
    off = start % 64
    mask = (np.uint64(1) << np.uint64(width)) - np.uint64(1)
    if off + width <= 64:
        return (h[i, word] >> np.uint64(64 - off - width)) & mask
    lo_bits = off + width - 64
    hi = h[i, word] & ((np.uint64(1) << np.uint64(64 - off)) - np.uint64(1))
    return ((hi << np.uint64(lo_bits)) | (h[i, word + 1] >> np.uint64(64 - lo_bits))) & mask


@nb.njit(cache=True)
def _prefixes(h: Hashes, starts: npt.NDArray[np.int64], widths: npt.NDArray[np.int64],
              prefix: npt.NDArray[np.int64]) -> npt.NDArray[np.uint32]:
    n = h.shape[0]
    m = starts.shape[0]
    out = np.empty((m, n), dtype=np.uint32)
    for c in range(m):
        shift = np.uint64(widths[c] - prefix[c])
        for i in range(n):
            out[c, i] = np.uint32(_bits(h, i, starts[c], widths[c]) >> shift)
    return out


@nb.njit(cache=True)
def _build_tables(keys: npt.NDArray[np.uint32], prefix: npt.NDArray[np.int64], obase: npt.NDArray[np.int64],
                  offsets: npt.NDArray[np.uint32], order: npt.NDArray[np.uint32]) -> None:
    """Fill the CSR tables of every chunk: offsets (flat, chunk c at obase[c], zeroed by the caller) and positions
    sorted by chunk key. The arrays come from numpy so that they get transparent huge pages (fewer TLB misses)."""
    m, n = keys.shape
    for c in range(m):
        size = np.int64(1) << prefix[c]
        base = obase[c]
        for i in range(n):
            offsets[base + keys[c, i] + 1] += 1
        for b in range(size):
            offsets[base + b + 1] += offsets[base + b]
        cursor = offsets[base:base + size].copy()
        for i in range(n):
            k = keys[c, i]
            order[c * n + cursor[k]] = i
            cursor[k] += 1


@nb.njit(cache=True, parallel=True)
def _search(queries: Hashes, hashes: Hashes, alive: npt.NDArray[np.uint8], offsets: npt.NDArray[np.uint32],
            obase: npt.NDArray[np.int64], order: npt.NDArray[np.uint32], starts: npt.NDArray[np.int64],
            widths: npt.NDArray[np.int64], prefix: npt.NDArray[np.int64], masks: npt.NDArray[np.int64],
            mbase: npt.NDArray[np.int64], threshold: int, out_idx: npt.NDArray[np.int64],
            out_dist: npt.NDArray[np.int16], out_count: npt.NDArray[np.int64]) -> None:
    """Staged probing: bucket bounds for all probes of a chunk, then their candidates, then distances. Each stage
    is a tight loop of independent loads, so the CPU keeps many memory reads in flight (latency is the cost)."""
    nq = queries.shape[0]
    m = starts.shape[0]
    n = hashes.shape[0]
    cap = out_idx.shape[1]
    most = 0
    for c in range(m):
        most = max(most, mbase[c + 1] - mbase[c])
    flat = hashes.reshape(-1)
    blocks = min(nq, 64)
    for blk in nb.prange(blocks):
        los = np.empty(most, dtype=np.int64)
        his = np.empty(most, dtype=np.int64)
        cand = np.empty(8192, dtype=np.int64)
        found = np.empty(256, dtype=np.int64)
        fdist = np.empty(256, dtype=np.int64)
        for qi in range(blk * nq // blocks, (blk + 1) * nq // blocks):
            nf = 0
            for c in range(m):
                v = np.int64(_bits(queries, qi, starts[c], widths[c]) >> np.uint64(widths[c] - prefix[c]))
                base = obase[c]
                m0 = mbase[c]
                count = mbase[c + 1] - m0
                total = 0
                for k in range(count):
                    if k + PREFETCH_AHEAD < count:
                        _prefetch(offsets, base + (v ^ masks[m0 + k + PREFETCH_AHEAD]))
                    b = base + (v ^ masks[m0 + k])
                    los[k] = offsets[b]
                    his[k] = offsets[b + 1]
                    total += his[k] - los[k]
                if total > cand.shape[0]:
                    cand = np.empty(2 * total, dtype=np.int64)
                nc = 0
                coff = c * n
                for k in range(count):
                    if k + PREFETCH_AHEAD < count:
                        _prefetch(order, coff + los[k + PREFETCH_AHEAD])
                    for e in range(los[k], his[k]):
                        cand[nc] = order[coff + e]
                        nc += 1
                for k in range(nc):
                    if k + PREFETCH_AHEAD < nc:
                        _prefetch(flat, 4 * cand[k + PREFETCH_AHEAD])
                    idx = cand[k]
                    d = _distance(queries, qi, hashes, idx)
                    if d <= threshold and alive[idx] != 0:
                        if nf == found.shape[0]:
                            bigger = np.empty(2 * nf, dtype=np.int64)
                            bigger_d = np.empty(2 * nf, dtype=np.int64)
                            for t in range(nf):
                                bigger[t] = found[t]
                                bigger_d[t] = fdist[t]
                            found = bigger
                            fdist = bigger_d
                        found[nf] = idx
                        fdist[nf] = d
                        nf += 1
            ranks = np.argsort(found[:nf])
            unique = 0
            last = -1
            for k in range(nf):
                idx = found[ranks[k]]
                if idx == last:
                    continue
                last = idx
                if unique < cap:
                    out_idx[qi, unique] = idx
                    out_dist[qi, unique] = fdist[ranks[k]]
                unique += 1
            out_count[qi] = unique


@nb.njit(cache=True)
def _scan(queries: Hashes, hashes: Hashes, alive: npt.NDArray[np.uint8], threshold: int,
          out_idx: npt.NDArray[np.int64], out_dist: npt.NDArray[np.int16], out_count: npt.NDArray[np.int64]) -> None:
    """Every hash's distance to each query, in order (what `_search` returns, without the tables): for a small
    segment reading it all is faster than the probes' scattered reads (see SCAN_BELOW)."""
    cap = out_idx.shape[1]
    for qi in range(queries.shape[0]):
        found = 0
        for idx in range(hashes.shape[0]):
            d = _distance(queries, qi, hashes, idx)
            if d <= threshold and alive[idx] != 0:
                if found < cap:
                    out_idx[qi, found] = idx
                    out_dist[qi, found] = d
                found += 1
        out_count[qi] = found


SCAN_BELOW = 48_000
"""Segments with fewer hashes are read whole instead of probed. Measured at threshold 31, one core: 2,000 hashes
2 us a query read whole against 28 us probed, 16,000 17 against 45, 32,000 34 against 53, 64,000 78 against 63."""


def _starts(widths: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """Where each chunk starts in the 256 bits."""
    return np.concatenate([np.zeros(1, dtype=np.int64), np.cumsum(widths)[:-1]]).astype(np.int64)


def radii(threshold: int, prefix: npt.NDArray[np.int64]) -> list[int]:
    """Probe radius of each chunk. Exactness needs sum(r_c + 1) > threshold (if every chunk differed in more than
    r_c bits, the hashes would differ in more than `threshold`); ⌊T/m⌋ everywhere may exceed that, and the excess
    is taken off the widest chunks (for T = 31 one chunk is probed at radius 1; for T = 0 only one chunk at all)."""
    m = len(prefix)
    base = threshold // m
    r = [base] * m
    excess = m * (base + 1) - (threshold + 1)
    for c in sorted(range(m), key=lambda c: -int(prefix[c]))[:excess]:
        r[c] -= 1
    return r


def _serial_copy(function: Any) -> Any:
    """The same Python function under another name: numba caches compiled code by the function's name and line, so
    without a name of its own the serial kernel would load the threaded one from the cache (or the reverse)."""
    copy = FunctionType(function.__code__, function.__globals__, function.__name__ + "_serial",
                        function.__defaults__, function.__closure__)
    copy.__qualname__ = function.__qualname__ + "_serial"
    return copy


_search_serial = nb.njit(cache=True)(_serial_copy(_search.py_func))
"""The same kernel without threads: for small batches (one report's files) waking threads costs more than it saves,
and in a forked process (see `_threads_allowed`)."""
PARALLEL_FROM = 256
"""Batches of at least this many queries use every core."""
_threads_allowed = True
"""False in a process forked from this one: numba's OpenMP threads do not survive a fork (a forked process that uses
them is terminated), and the pipeline's forked helpers already run one per core."""


def _forbid_threads() -> None:
    global _threads_allowed
    _threads_allowed = False


os.register_at_fork(after_in_child=_forbid_threads)


@functools.lru_cache(maxsize=64)
def _masks(bits: int, radius: int) -> npt.NDArray[np.int64]:
    """Every XOR mask of `bits` bits with at most `radius` bits set: the probes around a chunk key."""
    out = [0] if radius >= 0 else []
    for r in range(1, radius + 1):
        out.extend(sum(1 << b for b in combo) for combo in itertools.combinations(range(bits), r))
    return np.array(out, dtype=np.int64)


def chunk_widths(n: int) -> npt.NDArray[np.int64]:
    """The chunk layout of a segment of `n` hashes."""
    return np.array(NARROW_CHUNK_WIDTHS if n < NARROW_BELOW else CHUNK_WIDTHS, dtype=np.int64)


def _prefix_bits(n: int, widths: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """Bits of each chunk used as the table key: about log2(n), so buckets hold about one hash."""
    p = max(4, int(np.floor(np.log2(max(n, 1)))))
    return np.minimum(widths, p).astype(np.int64)


@dataclass
class Segment:
    """An immutable block of hashes with its chunk tables; only `alive` changes after it is built."""

    name: str
    hashes: Hashes
    refs: npt.NDArray[np.int64]
    alive: npt.NDArray[np.uint8]
    prefix: npt.NDArray[np.int64]
    offsets: npt.NDArray[np.uint32]
    obase: npt.NDArray[np.int64]
    order: npt.NDArray[np.uint32]
    widths: npt.NDArray[np.int64]

    @classmethod
    def build(cls, name: str, hashes: Hashes, refs: npt.NDArray[np.int64]) -> Segment:
        hashes = np.ascontiguousarray(hashes, dtype=np.uint64).reshape(-1, 4)
        n = hashes.shape[0]
        widths = chunk_widths(n)
        prefix = _prefix_bits(n, widths)
        obase = np.zeros(len(widths) + 1, dtype=np.int64)
        obase[1:] = np.cumsum((np.int64(1) << prefix) + 1)
        keys = _prefixes(hashes, _starts(widths), widths, prefix)
        offsets = np.zeros(int(obase[-1]), dtype=np.uint32)
        order = np.empty(len(widths) * n, dtype=np.uint32)
        _build_tables(keys, prefix, obase, offsets, order)
        alive = np.ones(n, dtype=np.uint8)
        return cls(name, hashes, np.ascontiguousarray(refs, dtype=np.int64), alive, prefix, offsets, obase, order,
                   widths)

    @property
    def size(self) -> int:
        return int(self.hashes.shape[0])

    def search(self, queries: Hashes, threshold: int, cap: int = 64) -> tuple[npt.NDArray[np.int64], ...]:
        """(query row, ref, distance) of every live hash within `threshold`, each pair once."""
        nq = queries.shape[0]
        if nq == 0 or self.size == 0:
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty, empty
        out_idx = np.empty((nq, cap), dtype=np.int64)
        out_dist = np.empty((nq, cap), dtype=np.int16)
        out_count = np.zeros(nq, dtype=np.int64)
        if self.size < SCAN_BELOW:
            _scan(queries, self.hashes, self.alive, threshold, out_idx, out_dist, out_count)
        else:
            per_chunk = [_masks(int(p), r) for p, r in zip(self.prefix, radii(threshold, self.prefix), strict=True)]
            masks = np.concatenate(per_chunk)
            mbase = np.zeros(len(per_chunk) + 1, dtype=np.int64)
            mbase[1:] = np.cumsum([len(x) for x in per_chunk])
            kernel = _search if _threads_allowed and nq >= PARALLEL_FROM else _search_serial
            kernel(queries, self.hashes, self.alive, self.offsets, self.obase, self.order, _starts(self.widths),
                   self.widths, self.prefix, masks, mbase, threshold, out_idx, out_dist, out_count)
        over = np.flatnonzero(out_count > cap)
        if over.size:
            rows, refs, dist = self.search(np.ascontiguousarray(queries[over]), threshold, int(out_count.max()))
            keep = out_count <= cap
            q_ok, r_ok, d_ok = self._collect(out_idx, out_dist, np.where(keep, out_count, 0))
            return (np.concatenate([q_ok, over[rows]]), np.concatenate([r_ok, refs]),
                    np.concatenate([d_ok, dist]))
        return self._collect(out_idx, out_dist, out_count)

    def _collect(self, out_idx: npt.NDArray[np.int64], out_dist: npt.NDArray[np.int16],
                 counts: npt.NDArray[np.int64]) -> tuple[npt.NDArray[np.int64], ...]:
        cap = out_idx.shape[1]
        mask = np.arange(cap)[None, :] < counts[:, None]
        rows = np.broadcast_to(np.arange(out_idx.shape[0])[:, None], out_idx.shape)[mask]
        return rows.astype(np.int64), self.refs[out_idx[mask]], out_dist[mask].astype(np.int64)

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        for field in ("hashes", "refs", "alive", "prefix", "offsets", "obase", "order", "widths"):
            np.save(directory / f"{field}.npy", getattr(self, field), allow_pickle=False)

    def save_alive(self, directory: Path) -> None:
        tmp = directory / "alive.tmp.npy"
        np.save(tmp, self.alive, allow_pickle=False)
        tmp.replace(directory / "alive.npy")

    @classmethod
    def load(cls, name: str, directory: Path) -> Segment:
        arrays = {f: np.load(directory / f"{f}.npy", allow_pickle=False)
                  for f in ("hashes", "refs", "alive", "prefix", "offsets", "obase", "order")}
        arrays["alive"] = np.array(arrays["alive"], copy=True)
        widths = directory / "widths.npy"  # absent in format 1, where every segment has the large layout
        arrays["widths"] = (np.load(widths, allow_pickle=False) if widths.exists()
                            else np.array(CHUNK_WIDTHS, dtype=np.int64))
        return cls(name=name, **arrays)


class PdqIndex:
    """Exact Hamming range search over PDQ hashes, each tagged with an int64 `ref` (e.g. a list entry's row)."""

    def __init__(self, directory: Path | None = None) -> None:
        self.directory = directory
        self.segments: list[Segment] = []
        self._next = 1
        if directory is not None and (directory / "index.json").exists():
            meta = json.loads((directory / "index.json").read_text())
            known = meta.get("format") == FORMAT_VERSION or (
                meta.get("format") == 1 and tuple(meta.get("chunks", ())) == CHUNK_WIDTHS)
            if not known:
                raise ValueError(f"{directory}: index written by another version; rebuild it")
            self._next = int(meta["next"])
            self.segments = [Segment.load(name, directory / name) for name in meta["segments"]]

    def __len__(self) -> int:
        return sum(int(s.alive.sum()) for s in self.segments)

    def add(self, hashes: Hashes, refs: npt.NDArray[np.int64]) -> None:
        """Add hashes as a new segment (merging segments when there are too many); persisted at once."""
        hashes = np.ascontiguousarray(hashes, dtype=np.uint64).reshape(-1, 4)
        if hashes.shape[0] == 0:
            return
        if hashes.shape[0] != len(refs):
            raise ValueError("one ref per hash")
        segment = Segment.build(self._new_name(), hashes, np.asarray(refs, dtype=np.int64))
        self.segments.append(segment)
        if len(self.segments) > MAX_SEGMENTS:
            self.compact(save=False)
            self._save_all()
            return
        if self.directory is not None:
            segment.save(self.directory / segment.name)
            self._write_meta()

    def remove(self, refs: Iterable[int] | npt.NDArray[np.int64]) -> int:
        """Mark every hash carrying one of `refs` removed; returns how many were live."""
        wanted = np.unique(np.fromiter(refs, dtype=np.int64) if not isinstance(refs, np.ndarray) else refs)
        removed = 0
        for segment in self.segments:
            hit = np.isin(segment.refs, wanted) & (segment.alive == 1)
            count = int(hit.sum())
            if count:
                segment.alive[hit] = 0
                removed += count
                if self.directory is not None:
                    segment.save_alive(self.directory / segment.name)
        return removed

    def compact(self, save: bool = True) -> None:
        """Merge every segment into one, dropping removed hashes."""
        live = [(s.hashes[s.alive == 1], s.refs[s.alive == 1]) for s in self.segments]
        hashes = np.concatenate([h for h, _ in live]) if live else np.zeros((0, 4), dtype=np.uint64)
        refs = np.concatenate([r for _, r in live]) if live else np.zeros(0, dtype=np.int64)
        self.segments = [Segment.build(self._new_name(), hashes, refs)] if len(refs) else []
        if save:
            self._save_all()

    def search(self, queries: Hashes, threshold: int) -> tuple[npt.NDArray[np.int64], ...]:
        """(query row, ref, distance) arrays of every live hash within `threshold` (inclusive) of each query."""
        if not 0 <= threshold <= MAX_THRESHOLD:
            raise ValueError(f"PDQ threshold must be between 0 and {MAX_THRESHOLD}")
        queries = np.ascontiguousarray(queries, dtype=np.uint64).reshape(-1, 4)
        parts = [s.search(queries, threshold) for s in self.segments]
        if not parts:
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty, empty
        return tuple(np.concatenate([p[i] for p in parts]) for i in range(3))

    def _new_name(self) -> str:
        name = f"seg-{self._next:06d}"
        self._next += 1
        return name

    def _save_all(self) -> None:
        if self.directory is None:
            return
        for segment in self.segments:
            if not (self.directory / segment.name / "order.npy").exists():
                segment.save(self.directory / segment.name)
        self._write_meta()
        keep = {s.name for s in self.segments}
        for child in self.directory.glob("seg-*"):
            if child.name not in keep:
                shutil.rmtree(child)

    def _write_meta(self) -> None:
        assert self.directory is not None
        self.directory.mkdir(parents=True, exist_ok=True)
        meta = {"format": FORMAT_VERSION, "next": self._next, "segments": [s.name for s in self.segments]}
        tmp = self.directory / "index.json.tmp"
        tmp.write_text(json.dumps(meta))
        tmp.replace(self.directory / "index.json")
