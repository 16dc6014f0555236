"""Deconfliction's costs: the OPRF per token (blind and unblind at the unit, evaluate at the hub, with one and with
every core) and the hub's matching of 1 M tokens from one unit against 1 M from another.

    .venv/bin/python -m benchmarks.deconfliction --tokens 1000000 --oprf 20000 [--url postgresql+psycopg://…]

OPRF: `--oprf` identifiers blinded, evaluated and unblinded in this process (the cost per token of each step), then
the hub's evaluation over `--oprf` points again in one process per core, batches as units send them; the
rate is extrapolated to 2 × `--tokens` points. Matching: the hub's own code path (`store.deconfliction.hold_tokens`,
batches of `--batch` as the units send them, into a fresh store: SQLite in a temporary folder unless `--url` names a
database): the first unit's `--tokens` held, then the second's (`--shared` of them the same identifiers), each batch
inserted and joined against the index on the token; and, for scale, the same join as a Python set intersection.
Target (issue 20): 1 M tokens on each side matched in < 60 s on 2 cores.

`--hit N`: three nodes on loopback (two units and the hub, real HTTP servers, as in
`tests/coordination/test_deconfliction.py`); a shared account known at one unit, then the other unit ingests and
processes its report, and the sync rounds run until both units hold the hit: the seconds from the second ingest's start,
N times. Target (issue 20): < 5 s.
"""

from __future__ import annotations

import argparse
import os
import secrets
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

from benchmarks.machine import describe, peak_rss_mib
from lanzarote.coordination.deconfliction import oprf
from lanzarote.store import deconfliction as store
from lanzarote.store.db import open_store, session

KEY = oprf.new_key()


def _evaluate(points: list[bytes]) -> int:
    return len(oprf.evaluate(KEY, points))


def measure_oprf(n: int) -> None:
    values = [f"+4477009{i:05d}" for i in range(n)]
    t0 = time.perf_counter()
    blinded = [oprf.blind("phone", v) for v in values]
    t1 = time.perf_counter()
    evaluated = oprf.evaluate(KEY, [b.point for b in blinded])
    t2 = time.perf_counter()
    tokens = [oprf.unblind(b, e) for b, e in zip(blinded, evaluated, strict=True)]
    t3 = time.perf_counter()
    assert tokens[0] == oprf.direct(KEY, "phone", values[0])
    blind_us, eval_us, unblind_us = ((b - a) / n * 1e6 for a, b in ((t0, t1), (t1, t2), (t2, t3)))
    print(f"OPRF, {n:,} tokens, one core: blind {blind_us:.0f} µs, evaluate {eval_us:.0f} µs, unblind "
          f"{unblind_us:.0f} µs a token ({blind_us + eval_us + unblind_us:.0f} µs in all)")
    cores = os.cpu_count() or 1
    t4 = time.perf_counter()
    blinded = oprf.blind_all([("phone", v) for v in values])
    t5 = time.perf_counter()
    evaluated = oprf.evaluate(KEY, [b.point for b in blinded])  # what the hub runs: one thread per core
    t6 = time.perf_counter()
    oprf.unblind_all(blinded, evaluated)
    t7 = time.perf_counter()
    unit_us = ((t5 - t4) + (t7 - t6)) / n * 1e6
    hub_rate = n / (t6 - t5)
    print(f"OPRF, {n:,} tokens, {cores} threads (as the code runs it): unit blind + unblind {unit_us:.0f} µs a token "
          f"of wall time; hub evaluation {hub_rate:,.0f} points/s ({(t6 - t5) / n * 1e6:.0f} µs a point)")
    points = [b.point for b in blinded]
    batches = [points[i:i + 5000] for i in range(0, n, 5000)]
    with ProcessPoolExecutor(cores) as pool:  # for comparison: processes instead of threads
        list(pool.map(_evaluate, batches[:cores]))  # start the workers
        t8 = time.perf_counter()
        done = sum(pool.map(_evaluate, batches))
        t9 = time.perf_counter()
    print(f"  hub evaluation in {cores} processes instead: {done / (t9 - t8):,.0f} points/s")
    print(f"  2 M points at the hub: {2_000_000 / hub_rate:.0f} s; each unit's blind + unblind of 1 M: "
          f"{unit_us:.0f} s")


def measure_matching(n: int, shared: int, batch: int, url: str | None) -> None:
    since = datetime(2026, 11, 3, tzinfo=UTC)
    de = [secrets.token_bytes(16) for _ in range(n)]
    es = de[:shared] + [secrets.token_bytes(16) for _ in range(n - shared)]
    with tempfile.TemporaryDirectory() as tmp:
        engine = open_store(url or f"sqlite:///{Path(tmp) / 'hub.db'}")
        for (name, tokens) in (("DE", de), ("ES", es)):
            found = 0
            t0 = time.perf_counter()
            for i in range(0, n, batch):
                chunk = [store.HubToken(t, name, f"R-{name}{j:010d}", "account", since)
                         for j, t in enumerate(tokens[i:i + batch], i)]
                with session(engine) as s:
                    found += len(store.hold_tokens(s, chunk))
            took = time.perf_counter() - t0
            print(f"hub holds {n:,} tokens of {name} in batches of {batch:,}: {took:.1f} s "
                  f"({took / n * 1e6:.1f} µs a token), {found:,} hits")
        engine.dispose()
    t0 = time.perf_counter()
    hits = set(de) & set(es)
    took = time.perf_counter() - t0
    print(f"the same join as a Python set intersection: {took:.2f} s, {len(hits):,} hits")
    assert len(hits) == shared


def measure_hit(runs: int) -> None:
    """Seconds from the second unit's ingest to the hit being known on both sides, three nodes on loopback."""
    import pytest

    from tests.coordination.test_deconfliction import german, spanish
    from tests.coordination.three_nodes import three_nodes

    took = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as tmp, pytest.MonkeyPatch.context() as mp, \
                three_nodes(Path(tmp), mp) as nodes:
            nodes.take_in("ES", [spanish()])
            nodes.sync()
            start = time.perf_counter()
            nodes.take_in("DE", [german()])
            nodes.until(lambda: bool(nodes.hits("DE")) and bool(nodes.hits("ES")), seconds=60)
            took.append(time.perf_counter() - start)
    took.sort()
    print(f"a shared account known on both units after the second ingest began: {runs} runs, "
          f"median {took[len(took) // 2]:.2f} s, max {took[-1]:.2f} s (target < 5 s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tokens", type=int, default=1_000_000)
    parser.add_argument("--shared", type=int, default=10_000)
    parser.add_argument("--oprf", type=int, default=20_000)
    parser.add_argument("--batch", type=int, default=20_000)
    parser.add_argument("--url", default=None)
    parser.add_argument("--hit", type=int, default=0, help="only time the hit between three nodes, N runs")
    args = parser.parse_args()
    print(describe())
    if args.hit:
        measure_hit(args.hit)
        return
    measure_oprf(args.oprf)
    measure_matching(args.tokens, args.shared, args.batch, args.url)
    print(f"peak RSS {peak_rss_mib():.0f} MiB")


if __name__ == "__main__":
    main()
