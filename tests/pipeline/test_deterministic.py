"""Processing gives the same states whatever the batch size and the number of examiner processes.

A subject's reports lift each other and list each other whether they were settled in one batch or in many, an
identifier that turns out to be shared links nobody however late that shows, and subjects get the same ids.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, delete, select, update

from lanzarote.pipeline.ingest import ingest
from lanzarote.pipeline.process import prepare_demo, process
from lanzarote.store import schema
from lanzarote.store.db import session
from lanzarote.synth import generate

REPORTS = 400


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("synthetic")
    generate(out, REPORTS, seed=11, workers=1)
    return out


@pytest.fixture
def ingested(engine: Engine, synthetic: Path) -> Engine:
    ingest(engine, [synthetic], workers=1)
    prepare_demo(engine, synthetic)
    return engine


def states(engine: Engine) -> dict[str, Any]:
    """What an analyst sees of processing: each report's tier, score, reasons, subject, linked reports and route,
    the links with the identifiers that made them, and the identifiers held for review."""
    rs, lk, held = schema.report_state, schema.links, schema.held_identifiers
    with session(engine) as s:
        reports = {r.report_key: (r.tier, r.score, json.loads(r.triage)["reasons"] if r.triage else None,
                                  r.subject_id, json.loads(r.linked_reports or "[]"), r.country, r.authority,
                                  r.verdicts)
                   for r in s.execute(select(rs))}
        links = sorted((r.report_a, r.report_b, r.identifiers) for r in s.execute(select(lk)))
        shared = sorted((r.kind, r.value, r.reason, r.reports) for r in s.execute(select(held)))
    return {"reports": reports, "links": links, "held": shared}


def forget_processing(engine: Engine) -> None:
    """Back to the store as ingest left it: every report stale, no links, subjects or held identifiers."""
    with session(engine) as s:
        for table in (schema.links, schema.identifiers, schema.held_identifiers, schema.suggestions):
            s.execute(delete(table))
        s.execute(update(schema.report_state).values(stale=True, subject_id=None))


def processed(engine: Engine, monkeypatch: pytest.MonkeyPatch, batch_size: int, workers: int = 1) -> dict[str, Any]:
    forget_processing(engine)
    monkeypatch.setenv("LANZAROTE_BATCH_SIZE", str(batch_size))
    summary = process(engine, workers=workers)
    assert summary.processed >= REPORTS
    return states(engine)


def test_the_synthetic_set_has_what_batching_could_change(ingested: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    """The fixture is worth testing on: subjects of several reports, lifted reports, shared addresses held."""
    seen = processed(ingested, monkeypatch, 5000)
    subjects = [r[3] for r in seen["reports"].values() if r[3]]
    assert len(subjects) - len(set(subjects)) >= 20
    assert any(any(x["signal"] == "LINKED_P1" for x in r[2] or ()) for r in seen["reports"].values())
    assert seen["held"]


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(batch_size=st.integers(min_value=3, max_value=REPORTS))
def test_any_batch_size_gives_the_states_of_one_batch(ingested: Engine, monkeypatch: pytest.MonkeyPatch,
                                                     batch_size: int) -> None:
    one_batch = processed(ingested, monkeypatch, 5000)
    assert processed(ingested, monkeypatch, batch_size) == one_batch


@pytest.mark.slow
def test_batch_sizes_and_workers_give_identical_states(ingested: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    reference = processed(ingested, monkeypatch, 2000, workers=1)
    for batch_size in (50, 200, 2000):
        for workers in (1, 2):
            assert processed(ingested, monkeypatch, batch_size, workers) == reference, (batch_size, workers)
