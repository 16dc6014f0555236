"""The pipeline's helper-process plumbing: the garbage collector's settings during batch work."""

from __future__ import annotations

import gc

from lanzarote.pipeline.processes import COLLECTOR_THRESHOLDS, FORK, few_collections


def _thresholds_in_child(queue: object) -> None:
    queue.put(gc.get_threshold())  # type: ignore[attr-defined]


def test_batch_work_collects_less_often_and_the_settings_come_back_after() -> None:
    before = gc.get_threshold()
    frozen = gc.get_freeze_count()
    with few_collections():
        assert gc.get_threshold() == COLLECTOR_THRESHOLDS
        assert gc.get_freeze_count() == frozen  # nothing frozen here (unfreezing later broke forked processes)
        queue = FORK.SimpleQueue()
        child = FORK.Process(target=_thresholds_in_child, args=(queue,))
        child.start()
        child.join(30)
        assert queue.get() == COLLECTOR_THRESHOLDS  # helpers forked inside inherit it
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == frozen


def test_the_settings_come_back_when_the_work_fails() -> None:
    before = gc.get_threshold()
    frozen = gc.get_freeze_count()
    try:
        with few_collections():
            raise RuntimeError("a batch failed")
    except RuntimeError:
        pass
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == frozen
