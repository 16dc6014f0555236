"""Helper processes of the pipeline (ingest readers, processing examiners): how they are run and how they end."""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import multiprocessing
import os
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from multiprocessing.pool import AsyncResult
from typing import Any, TypeVar

from sqlalchemy import Engine

T = TypeVar("T")

FORK = multiprocessing.get_context("fork")
"""Helpers are forked: they start with what the parent has loaded (schema, hash lists, rules) at no cost."""


def helpers(engine: Engine, workers: int) -> int:
    """How many helper processes may work on `engine`'s store: none besides this one for an in-memory database,
    which lives in this process only."""
    return 1 if engine.url.database in (None, "", ":memory:") else workers


COLLECTOR_THRESHOLDS = (50_000, 20, 100)
"""The cyclic garbage collector's thresholds during batch work (Python's default is (700, 10, 10))."""


@contextmanager
def few_collections() -> Iterator[None]:
    """Batch work with the cyclic garbage collector out of the way: it runs after 50,000 new objects instead of 700.
    Batches make and drop many short-lived records with no cycles among them; with the defaults the collector
    re-scanned them so often that processing ran about a quarter slower. Helpers forked inside inherit it (and
    freeze what they inherit, see `start_helper`).

    This process freezes nothing: freezing here and unfreezing afterwards left the heap so that a process forked
    from it later crashed in its first collection (seen in the test suite, after Splink had run), and it gained
    nothing measurable."""
    before = gc.get_threshold()
    gc.set_threshold(*COLLECTOR_THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*before)


def start_helper() -> None:
    """What every helper does first: leave what it inherited to the collector's permanent generation (it then only
    looks at what the helper makes), and end with its parent."""
    gc.freeze()
    end_with_parent()


def in_order(
    function: Callable[..., T], tasks: Iterable[tuple[Any, ...]], *, workers: int,
    initializer: Callable[..., None], initargs: tuple[Any, ...], ahead: int,
) -> Iterator[T]:
    """`function(*task)` for each task in `workers` helper processes, the results in task order, with at most
    `ahead` tasks handed out beyond the one being waited for (so memory stays flat)."""
    with FORK.Pool(workers, initializer=initializer, initargs=initargs) as pool:
        window: deque[AsyncResult[T]] = deque()
        for task in tasks:
            window.append(pool.apply_async(function, task))
            if len(window) > ahead:
                yield window.popleft().get()
        while window:
            yield window.popleft().get()


def end_with_parent() -> None:
    """A helper process whose parent was killed ends too (a batch it was writing is rolled back whole), never an
    orphan.

    On Linux the kernel kills it with its parent; elsewhere a thread notices the parent is gone within half a second.
    """
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        if libc.prctl(1, signal.SIGKILL) == 0:  # PR_SET_PDEATHSIG
            return
    except (OSError, AttributeError):
        pass
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()
