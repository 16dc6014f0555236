"""Bounds on both engines: a report at every limit is stored and processed; one past a limit, or one the store
refuses anyway, costs only itself."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import Engine

from lanzarote.model.base import MAX_ITEMS
from lanzarote.pipeline.ingest import _Writer, ingest
from lanzarote.pipeline.process import process
from lanzarote.store import ingest as store_ingest
from lanzarote.store import quarantine as store_quarantine
from lanzarote.store import reports as store_reports
from lanzarote.store.db import session
from lanzarote.store.ingest import ReportRow
from tests.samples import file_details_xml, report_xml
from tests.stage_settings import INTAKE


def at_every_limit() -> dict[str, object]:
    """A native report whose bounded values all sit at their limits."""
    party = {
        "role": "reported", "age": 130, "date_of_birth": "1900-01-01",
        "esp_identifier": "7" * 190, "esp_service": "S" * 100, "screen_name": "n" * 190,
        "emails": [{"address": "a" * 288 + "@example.org"}],
        "device_ids": [{"id_type": "T" * 60, "value": "d" * 300}],
        "ip_capture_events": [{"ip_address": "192.0.2.1", "port": 65535, "at": "2099-12-31T23:59:59-05:00"},
                              {"ip_address": "198.51.100.1", "port": 0, "at": "1900-01-01T00:00:00+05:00"}],
        "associated_accounts": [{"platform": "Q" * 100, "esp_identifier": "8" * 190}],
    }
    return {
        "source": "s" * 60, "source_id": "i" * 200, "origin": "citizen", "received_at": "2026-01-01T00:00:00Z",
        "platform": "P" * 100, "reporter": {"name": "R" * 100},
        "parties": [party] + [{"role": "victim"}] * (MAX_ITEMS - 1),
        "files": [{"file_id": "f" * 200, "hashes": [{"type": "MD5", "value": "0" * 32},
                                                  {"type": "SHA256", "value": "e" * 128}]}],
    }


def test_a_report_at_every_limit_is_stored_and_processed(engine: Engine, tmp_path: Path) -> None:
    (tmp_path / "limits.json").write_text(json.dumps(at_every_limit()))
    summary = ingest(engine, [tmp_path], workers=1)
    assert (summary.counts.new, summary.counts.quarantined) == (1, 0)
    assert process(engine, workers=1).processed == 1
    with session(engine) as s:
        stored = store_reports.get_report(s, "i" * 200, "s" * 60)
    assert stored.triage is not None and stored.route is not None


def test_a_file_beyond_the_configured_number_is_quarantined_not_attached(
        engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LANZAROTE_MAX_FILES_PER_REPORT", "3")
    (tmp_path / "90000001.xml").write_bytes(report_xml())
    for k in range(1, 6):
        (tmp_path / f"90000001-f{k}.xml").write_bytes(file_details_xml("90000001", f"f{k}", f"{k:032x}"))
    summary = ingest(engine, [tmp_path], workers=1)
    assert (summary.counts.files, summary.counts.quarantined) == (3, 2)
    with session(engine) as s:
        assert len(store_reports.get_report(s, "90000001").report.files) == 3
        reasons = [e.reason for e in store_quarantine.entries(s)]
    assert len(reasons) == 2 and all("holds 3 files already" in r for r in reasons)


def test_a_record_the_store_refuses_costs_only_itself(engine: Engine) -> None:
    now = datetime.now(UTC)
    with session(engine) as s:
        run = store_ingest.start_run(s, ["test"], now)

    def row(source_id: str, received: datetime) -> ReportRow:
        document = json.dumps({"source": "citizen", "source_id": source_id, "origin": "citizen"})
        return ReportRow(f"citizen/{source_id}", "citizen", source_id, source_id.ljust(64, "0"), "citizen", received,
                         document, f"inbox/{source_id}.json")

    # past what intake lets through: converting it to UTC overflows, on either engine
    beyond = datetime(9999, 12, 31, 23, 59, tzinfo=timezone(-timedelta(hours=5)))
    counts = _Writer(engine, run, now, INTAKE).write([row("a", now), row("b", beyond), row("c", now)])
    assert (counts.new, counts.quarantined) == (2, 1)
    with session(engine) as s:
        entry, = store_quarantine.entries(s)
    assert entry.location == "inbox/b.json" and "the database refused this record (OverflowError" in entry.reason
