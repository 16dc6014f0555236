"""Hostile URL reports: every malformed record becomes a quarantine entry naming where and why, and no valid
record beside it is dropped."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from lanzarote.intake.documents import Document
from lanzarote.intake.settings import IntakeSettings
from lanzarote.model.quarantine import QuarantineEntry
from lanzarote.takedown.model import Assessment
from lanzarote.takedown.read import Accepted, read_document, read_paths
from tests.stage_settings import INTAKE
from tests.takedown.fixtures import SHA1, url_report, write_jsonl

NOW = datetime(2026, 12, 1, tzinfo=UTC)


def _read(*paths: Path, hotline: str | None = None, limits: IntakeSettings = INTAKE
          ) -> tuple[list[Accepted], list[QuarantineEntry]]:
    results = list(read_paths(list(paths), NOW, limits, hotline))
    return ([r for r in results if isinstance(r, Accepted)], [r for r in results if isinstance(r, QuarantineEntry)])


def test_malformed_json_lines_are_quarantined_and_the_valid_ones_kept(tmp_path: Path) -> None:
    path = write_jsonl(
        tmp_path / "nmhh.jsonl",
        url_report("HU-1", "http://files.example.org/a"),
        "{not json",
        "[1, 2]",
        url_report("HU-2", "javascript:alert(1)"),
        url_report("HU-3", "http://files.example.org/b", assessment="very bad"),
        url_report("HU-4", "http://files.example.org/" + "x" * 5000),
        {**url_report("HU-5", "http://files.example.org/c"), "network_owner": "N" * 10_000},
        url_report("HU-6", "http://files.example.org/d", reported_at=datetime(2027, 6, 1, tzinfo=UTC)),
        json.dumps(url_report("HU-7", "http://files.example.org/e")).replace("/e", "/e\\u0000"),
        "[" * 100_000,
        url_report("HU-8", "http://files.example.org/f", hash={"type": "SHA1", "value": SHA1}),
    )
    accepted, quarantined = _read(path)
    assert [a.report.reference for a in accepted] == ["HU-1", "HU-8"]
    reasons = {q.location.rsplit(":", 1)[1]: q.reason for q in quarantined}
    assert set(reasons) == {"2", "3", "4", "5", "6", "7", "8", "9", "10"}
    assert "not JSON" in reasons["2"]
    assert "expected a JSON object" in reasons["3"]
    assert "HU-NMHH/HU-2: the scheme 'javascript'" in reasons["4"]
    assert "assessment" in reasons["5"]
    assert "url" in reasons["6"] and "4096" in reasons["6"]
    assert "network_owner" in reasons["7"]
    assert "in the future" in reasons["8"]
    assert "control characters" in reasons["9"] or "NUL" in reasons["9"]
    assert "nested too deeply" in reasons["10"] or "not JSON" in reasons["10"]
    assert accepted[1].report.hash is not None and accepted[1].report.hash.key == f"sha1:{SHA1}"


CSV_HEAD = "Report ID,Reported URL,Classification,Date Reported,Hash,IP Address,Hosting Country,Network Owner\n"


def test_a_hotline_csv_export_is_read_row_by_row(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text(
        CSV_HEAD
        + "LV-1,http://files.example.org/1,Baseline,2026-11-02 08:00,3F786850E387550FDAB836ED7E6DC881DE23001B,"
          "84.200.69.80,DE,Example Hosting GmbH (fictional)\n"
        + "LV-2,http://files.example.org/2,nationally illegal,2026-11-02,,,,\n"
        + "LV-3,http://files.example.org/3,Baseline,2026-11-02T08:00:00+01:00\n"  # too few columns
        + 'LV-4,"http://files.example.org/4,Baseline,2026-11-02,,,,\n'  # a quote that never closes
        + "LV-5,http://files.example.org/5,Baseline,2026-11-02,,999.1.1.1,,\n"  # not an IP address
        + "LV-6,http://files.example.org/6,Baseline,yesterday,,,,\n"
        + "LV-7,\"http://files.example.org/7\",\"Not illegal\",2026-11-03 10:30:00,,,,\"Multi\nline owner\"\n"
        + "LV-8,http://files.example.org/8,Baseline,2026-11-02,,,XX1,\n"
        + "LV-9,http://files.example.org/9," + "B" * 70_000 + ",2026-11-02,,,,\n"
        + "\n"
        + "LV-10,http://files.example.org/10,not assessed,2026-11-04,,,,\n")
    accepted, quarantined = _read(path, hotline="LV-DROSSINTERNETS")
    by_ref = {a.report.reference: a.report for a in accepted}
    assert sorted(by_ref) == ["LV-1", "LV-10", "LV-2", "LV-7"]
    first = by_ref["LV-1"]
    assert (first.hotline, first.assessment, first.ip, first.hosting_country) == (
        "LV-DROSSINTERNETS", Assessment.BASELINE, "84.200.69.80", "DE")
    assert first.hash is not None and first.hash.type == "SHA1"
    assert first.reported_at == datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
    assert by_ref["LV-7"].network_owner == "Multi\nline owner" and by_ref["LV-7"].assessment is Assessment.NOT_ILLEGAL
    reasons = {int(q.location.rsplit(":", 1)[1]): q.reason for q in quarantined}
    assert sorted(reasons) == [4, 5, 6, 7, 10, 11]  # LV-7 spans lines 8 and 9
    assert "expected 8 columns" in reasons[4]
    assert "does not close" in reasons[5]
    assert "ip" in reasons[6] and "not an IP address" in reasons[6]
    assert "reported_at" in reasons[7]
    assert "hosting_country" in reasons[10]
    assert "longer than" in reasons[11]


def test_a_csv_without_the_columns_it_needs_says_which(tmp_path: Path) -> None:
    path = tmp_path / "odd.csv"
    path.write_text("when,where\n2026-11-02,http://files.example.org/\n")
    accepted, quarantined = _read(path)
    assert accepted == []
    assert "reference, url, reported_at, hotline" in quarantined[0].reason


def test_documents_past_the_size_limit_and_other_files_are_refused(tmp_path: Path) -> None:
    big = tmp_path / "big.csv"
    big.write_text(CSV_HEAD + ("LV-1,http://files.example.org/1,Baseline,2026-11-02,,,,\n" * 50))
    latin = tmp_path / "latin.json"
    latin.write_bytes(b'{"url": "\xe9"}')
    other = tmp_path / "notes.txt"
    other.write_text("hello")
    _, quarantined = _read(big, latin, other, limits=replace(INTAKE, max_document_bytes=1000))
    assert ["larger than the limit" in quarantined[0].reason, "not UTF-8" in quarantined[1].reason,
            "not a URL report file" in quarantined[2].reason] == [True, True, True]


def test_a_json_document_may_hold_a_list(tmp_path: Path) -> None:
    path = tmp_path / "batch.json"
    path.write_text(json.dumps([url_report("HU-1", "http://a.example.org/"), {"url": "x"}]))
    accepted, quarantined = _read(path)
    assert [a.report.reference for a in accepted] == ["HU-1"]
    assert quarantined[0].location.endswith("batch.json[1]") and "hotline" in quarantined[0].reason


@given(st.binary(max_size=2000), st.sampled_from(["x.csv", "x.json", "x.jsonl"]))
@settings(max_examples=300, deadline=None)
def test_no_bytes_crash_the_readers(content: bytes, name: str) -> None:
    """Whatever arrives, every result is a report or a quarantine entry with a reason."""
    for result in read_document(Document(name, content), NOW, INTAKE, "LV-DROSSINTERNETS"):
        assert isinstance(result, Accepted) or (isinstance(result, QuarantineEntry) and result.reason)


@given(st.lists(st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=40), min_size=5, max_size=5),
       st.integers(min_value=0, max_value=3))
@settings(max_examples=200, deadline=None)
def test_a_hostile_row_never_costs_its_neighbours(cells: list[str], where: int) -> None:
    """A row of anything between valid rows: the valid rows are all read."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["Report ID", "Reported URL", "Classification", "Date Reported", "IP Address"])
    rows = [[f"LV-{i}", f"http://files.example.org/{i}", "Baseline", "2026-11-02", ""] for i in range(4)]
    text = buffer.getvalue() + "".join(",".join(r) + "\n" for r in rows[:where]) + ",".join(cells) + "\n" + \
        "".join(",".join(r) + "\n" for r in rows[where:])
    results = read_document(Document("x.csv", text.encode()), NOW, INTAKE, "LV-DROSSINTERNETS")
    read_refs = {r.report.reference for r in results if isinstance(r, Accepted)}
    assert {f"LV-{i}" for i in range(4)} <= read_refs
