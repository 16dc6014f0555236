"""Latency of repeated calls: p50, p95 and the slowest, in milliseconds, measured and printed one way everywhere."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Latency:
    p50: float
    p95: float
    most: float

    def line(self, label: str, width: int = 32) -> str:
        return f"{label:{width}} p50 {self.p50:6.1f} ms  p95 {self.p95:6.1f} ms  max {self.most:6.1f} ms"


def timed(call: Callable[[], object], runs: int) -> Latency:
    """`call` made `runs` times, one after another."""
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        call()
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    return Latency(statistics.median(times), times[int(0.95 * (len(times) - 1))], times[-1])


def page(client: Any, path: str, runs: int) -> Latency:
    """A GET of `path` through a test client `runs` times, each answer checked to be 200."""
    def get() -> None:
        answer = client.get(path)
        assert answer.status_code == 200, answer.text[:300]
    return timed(get, runs)
