"""The command line as a user meets it: ingest, reports, quarantine, queue (the JSON contract), schema."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from typer.testing import CliRunner

from lanzarote.cli import app
from tests.samples import file_details_xml, report_xml

runner = CliRunner()
CONTRACT = {"report_id", "source", "received_at", "tier", "score", "reasons", "country", "authority", "subject",
            "linked_reports"}


def invoke(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


def inbox(tmp_path: Path) -> Path:
    folder = tmp_path / "inbox"
    folder.mkdir()
    (folder / "90000001.xml").write_bytes(report_xml())
    (folder / "90000002.xml").write_bytes(report_xml(email="second@example.org"))
    (folder / "90000001-f1.xml").write_bytes(file_details_xml("90000001"))
    (folder / "broken.xml").write_bytes(b"<report>")
    return folder


def test_ingest_prints_a_summary_and_json(tmp_path: Path) -> None:
    folder = inbox(tmp_path)
    assert "new reports" in invoke("ingest", str(folder), "--workers", "1")
    summary = json.loads(invoke("ingest", str(folder), "--workers", "1", "--json"))
    assert summary["unchanged"] == 2 and summary["new"] == 0 and summary["quarantined"] == 1


def test_queue_json_is_the_contract(tmp_path: Path) -> None:
    invoke("ingest", str(inbox(tmp_path)), "--workers", "1")
    items = json.loads(invoke("queue", "--format", "json"))
    assert len(items) == 2
    assert all(set(item) >= CONTRACT for item in items)
    assert {item["report_id"] for item in items} == {"90000001", "90000002"}
    assert json.loads(invoke("queue", "--format", "json", "--limit", "1"))[0]["source"] == "ncmec"
    rows = list(csv.DictReader(io.StringIO(invoke("queue", "--format", "csv"))))
    assert {r["report_id"] for r in rows} == {"90000001", "90000002"}
    assert "queue" in invoke("queue")


def test_reports_list_and_show(tmp_path: Path) -> None:
    invoke("ingest", str(inbox(tmp_path)), "--workers", "1")
    listed = json.loads(invoke("reports", "list", "--json"))
    assert {r["report_id"] for r in listed} == {"90000001", "90000002"}
    shown = invoke("reports", "show", "90000001")
    assert "offender.one@example.org" in shown and "file f1" in shown
    data = json.loads(invoke("reports", "show", "ncmec/90000001", "--json"))
    assert data["report"]["files"][0]["file_id"] == "f1" and data["version"] == 1


def test_quarantine_list_and_retry(tmp_path: Path) -> None:
    folder = inbox(tmp_path)
    invoke("ingest", str(folder), "--workers", "1")
    entries = json.loads(invoke("quarantine", "list", "--json"))
    assert len(entries) == 1 and entries[0]["location"].endswith("broken.xml")
    assert "truncated" in entries[0]["reason"]
    (folder / "broken.xml").unlink()
    (folder / "broken.xml").write_bytes(report_xml(email="fixed@example.org").replace(b"<report>", b"<report>", 1))
    assert "still quarantined: 0" in invoke("quarantine", "retry")


def test_published_native_schema_is_current() -> None:
    published = json.loads((Path(__file__).parents[2] / "docs" / "native-report.schema.json").read_text())
    assert json.loads(invoke("schema")) == published


def test_process_ranks_the_queue_and_show_explains_why(tmp_path: Path) -> None:
    from lanzarote.synth import generate

    out = tmp_path / "synthetic"
    generate(out, 300, seed=2, workers=1)
    invoke("ingest", str(out / "ncmec"), str(out / "ncmec-layers.jsonl"), "--workers", "1")
    summary = json.loads(invoke("process", "--json"))
    assert summary["processed"] == len(json.loads(invoke("reports", "list", "--json", "--limit", "1000")))
    items = json.loads(invoke("queue", "--format", "json"))
    assert items[0]["tier"] == "P1" and items[0]["reasons"] and items[0]["country"]
    assert all(set(i) >= CONTRACT for i in items)
    shown = invoke("reports", "show", items[0]["report_id"])
    assert "tier P1" in shown and "route:" in shown and "T" in shown
    rerun = json.loads(invoke("triage", "--rerun", "--json"))
    assert rerun["processed"] == summary["processed"]
    assert "identifiers held" in invoke("links", "held")


def test_init_months_from_has_nothing_to_make_on_sqlite_and_refuses_what_is_not_a_month() -> None:
    assert "none to make" in invoke("init", "--months-from", "2025-01")
    result = runner.invoke(app, ["init", "--months-from", "2025-13"])
    assert result.exit_code != 0
    assert "'2025-13' is not a month: give it as YYYY-MM" in str(result.exception)  # one line, by main()
