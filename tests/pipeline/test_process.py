"""Processing on both engines: a synthetic set becomes a ranked, linked, routed queue; history is incremental."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import Engine

from benchmarks.quality import evaluate
from lanzarote.model.priority import Tier
from lanzarote.pipeline.ingest import ingest
from lanzarote.pipeline.process import prepare_demo, process
from lanzarote.store import reports as store_reports
from lanzarote.store import state as store_state
from lanzarote.store.db import session
from lanzarote.synth import generate

REPORTS = 1500


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("synthetic")
    generate(out, REPORTS, seed=5, workers=1)
    return out


def inputs(out: Path) -> list[Path]:
    return [out / "ncmec", out / "ncmec-layers.jsonl", out / "other"]


def truth(out: Path) -> dict[str, dict[str, object]]:
    return {t["source_id"]: t for t in map(json.loads, (out / "ground-truth.jsonl").read_text().splitlines())}


@pytest.mark.slow
def test_the_synthetic_set_meets_the_quality_targets(engine: Engine, synthetic: Path) -> None:
    ingest(engine, inputs(synthetic), workers=1)
    prepare_demo(engine, synthetic)
    summary = process(engine)
    assert summary.processed == REPORTS
    figures = evaluate(engine, synthetic / "ground-truth.jsonl")
    # The synthetic set's sentences are the lexicon's own (it measures them against themselves, issue 15). One of its
    # 22 P1 reports here, "I did it again with the little one, nobody will ever know" after the generator's Spanish
    # automated-detection sentence, reaches the rules through no act word and the learned model at 0.38 against 0.40:
    # the model sums a report's sentences, and provider boilerplate weighs against danger in the texts others wrote.
    assert figures["p1_recall"] >= 0.95, figures["p1_missed"]
    # The generator calls "the chat shows they already met in person and he touched her" and travel to meet children
    # P2 when nothing else is said; the learned model, taught by texts other people labelled, reads them as recent
    # contact abuse and a planned meeting: P1. Its precision here measures the generator's labels, not the queue.
    assert figures["p1_precision"] >= 0.65, figures["p1_false_positive_signals"]
    assert figures["country_accuracy"] >= 0.99
    assert figures["link_precision"] >= 0.995 and figures["link_recall"] >= 0.95
    assert figures["cgnat_only_links"] == 0

    rows = truth(synthetic)
    with session(engine) as s:
        queue = store_reports.queue(s, limit=None)
        scenario = {str(t["scenario"]): sid for sid, t in rows.items() if t["scenario"]}
        daughter = store_reports.get_report(s, scenario["abuses_daughter_de"])
        pair_a = store_reports.get_report(s, scenario["discord_pair_a"])
        conflict = store_reports.get_report(s, scenario["conflict_ip_es_phone_fr"])
        routes = [(q, store_reports.get_report(s, q.report_id, q.source).route) for q in queue[::15]]
    assert [q.tier for q in queue[:5]] == ["P1"] * 5
    for q, route in routes:  # the queue's columns are the stored route's: its authority, else its national unit
        assert route is not None and (q.country, q.authority) == (route.country, route.authority or route.national_unit)
    assert any(r.authority is None and r.national_unit for _, r in routes if r)
    tiers = [Tier(q.tier).value for q in queue if q.tier]
    assert tiers == sorted(tiers), "the queue is ordered by tier"
    assert daughter.triage is not None and daughter.triage.tier is Tier.P1
    assert daughter.route is not None and daughter.route.country == "DE" and daughter.route.authority
    assert daughter.route.authority.startswith(("LKA", "Bayerisches", "Hessisches"))
    assert pair_a.triage is not None and pair_a.triage.tier is Tier.P1
    assert scenario["discord_pair_b"] in pair_a.linked_reports
    assert {"T5", "T7", "T8"} <= {r.signal for r in pair_a.triage.reasons}
    assert conflict.route is not None and conflict.route.conflict and conflict.route.country == "ES"


def test_new_reports_are_processed_against_history_and_nothing_else(engine: Engine, synthetic: Path,
                                                                    tmp_path: Path) -> None:
    ingest(engine, inputs(synthetic), workers=1)
    first = process(engine)
    assert first.processed == REPORTS
    assert process(engine).processed == 0
    extra = tmp_path / "extra"
    generate(extra, REPORTS + 20, seed=5, workers=1)
    added = ingest(engine, [extra / "ncmec"], workers=1).counts.new
    assert 15 <= added <= 20  # the new reports from NCMEC (a few of the 20 are native JSON, not ingested here)
    with session(engine) as s:
        assert store_state.count_stale(s) == added
    again = process(engine)
    assert added <= again.processed < added + 40  # the new ones, and older ones whose subject they joined
    with session(engine) as s:
        assert store_state.count_stale(s) == 0
