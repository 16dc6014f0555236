"""Ingest on both engines: every document stored once or quarantined, versions kept, files attached."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

from sqlalchemy import Engine, func, select

from lanzarote.model.report import Origin, Report
from lanzarote.pipeline.ingest import ingest
from lanzarote.pipeline.process import process
from lanzarote.pipeline.quarantine import retry
from lanzarote.store import quarantine as store_quarantine
from lanzarote.store import reports as store_reports
from lanzarote.store import schema
from lanzarote.store import state as store_state
from lanzarote.store.db import session
from tests.samples import file_details_xml, report_xml


def stored_rows(engine: Engine) -> int:
    with session(engine) as s:
        return int(s.execute(select(func.count()).select_from(schema.reports)).scalar_one())


def test_the_same_report_twice_changes_nothing(engine: Engine, tmp_path: Path) -> None:
    (tmp_path / "90000001.xml").write_bytes(report_xml())
    (tmp_path / "90000002.xml").write_bytes(report_xml(email="other@example.org"))
    first = ingest(engine, [tmp_path], workers=1)
    second = ingest(engine, [tmp_path], workers=1)
    assert (first.counts.new, first.counts.unchanged) == (2, 0)
    assert (second.counts.new, second.counts.unchanged, second.counts.new_versions) == (0, 2, 0)
    assert stored_rows(engine) == 2


def test_changed_content_becomes_a_new_version_and_the_old_one_is_kept(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "90000001.xml"
    path.write_bytes(report_xml(additional_info="first wording"))
    ingest(engine, [path], workers=1)
    path.write_bytes(report_xml(additional_info="corrected wording"))
    summary = ingest(engine, [path], workers=1)
    assert summary.counts.new_versions == 1
    with session(engine) as s:
        stored = store_reports.get_report(s, "90000001")
        versions = store_reports.versions_of(s, "ncmec/90000001")
    assert stored.version == 2 and stored.versions == 2
    assert stored.report.additional_info == "corrected wording"
    assert [v for v, _, _ in versions] == [1, 2]


def test_the_same_id_twice_in_one_batch_keeps_the_first(engine: Engine, tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "90000001.xml").write_bytes(report_xml(additional_info="version in a"))
    (tmp_path / "b" / "90000001.xml").write_bytes(report_xml(additional_info="version in b"))
    summary = ingest(engine, [tmp_path], workers=1)
    assert (summary.counts.new, summary.counts.quarantined) == (1, 1)
    with session(engine) as s:
        assert store_reports.get_report(s, "90000001").report.additional_info == "version in a"
        (entry,) = store_quarantine.entries(s)
    assert entry.location.endswith("b/90000001.xml") and "twice" in entry.reason


def test_file_details_before_their_report_are_kept_and_attached(engine: Engine, tmp_path: Path) -> None:
    early = tmp_path / "early"
    early.mkdir()
    (early / "f1.xml").write_bytes(file_details_xml("90000007", "f1"))
    first = ingest(engine, [early], workers=1)
    assert first.counts.files == 1 and first.counts.quarantined == 0
    late = tmp_path / "late"
    late.mkdir()
    (late / "90000007.xml").write_bytes(report_xml())
    ingest(engine, [late], workers=1)
    with session(engine) as s:
        stored = store_reports.get_report(s, "90000007")
    assert [f.file_id for f in stored.report.files] == ["f1"]


def test_a_file_or_layer_arriving_after_processing_makes_its_report_stale_again(engine: Engine,
                                                                              tmp_path: Path) -> None:
    first = tmp_path / "first"
    first.mkdir()
    (first / "90000007.xml").write_bytes(report_xml())
    (first / "f1.xml").write_bytes(file_details_xml("90000007", "f1"))  # stale already: it stays stale, once
    ingest(engine, [first], workers=1)
    with session(engine) as s:
        assert store_state.count_stale(s) == 1
    assert process(engine).processed == 1
    later = tmp_path / "later"
    later.mkdir()
    (later / "f2.xml").write_bytes(file_details_xml("90000007", "f2", md5="1" * 32))
    layer = {"clearing_house_for": {"source": "ncmec", "source_id": "90000007"}, "layer": {"country": "DE"}}
    (later / "layers.jsonl").write_text(json.dumps(layer) + "\n")
    ingest(engine, [later], workers=1)
    with session(engine) as s:
        assert store_state.count_stale(s) == 1
    assert process(engine).processed == 1
    with session(engine) as s:
        stored = store_reports.get_report(s, "90000007")
    assert [f.file_id for f in stored.report.files] == ["f1", "f2"]
    assert stored.report.clearing_house is not None and stored.report.clearing_house.country == "DE"


def test_a_bad_document_does_not_harm_the_batch(engine: Engine, tmp_path: Path) -> None:
    for i in range(5):
        (tmp_path / f"9000001{i}.xml").write_bytes(report_xml(email=f"user{i}@example.org"))
    (tmp_path / "90000099.xml").write_bytes(b"<report><incidentSummary>")
    (tmp_path / "junk.xml").write_bytes(b"\x00\x01\x02garbage")
    (tmp_path / "empty.xml").write_bytes(b"")
    archive = tmp_path / "bundle.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("../escape/90000020.xml", report_xml())
        zf.writestr("in/90000021.xml", report_xml(email="zip@example.org"))
    summary = ingest(engine, [tmp_path], workers=2)
    assert summary.counts.new == 6
    assert summary.counts.quarantined == 4
    with session(engine) as s:
        reasons = {e.location.rsplit("/", 1)[-1]: e.reason for e in store_quarantine.entries(s)}
    assert set(reasons) == {"90000099.xml", "junk.xml", "empty.xml", "90000020.xml"}


def test_native_json_reports_and_layers(engine: Engine, tmp_path: Path) -> None:
    citizen = Report(source="citizen:ES", source_id="C-1", origin=Origin.CITIZEN, additional_info="Vi algo raro.")
    lines = [citizen.model_dump_json(), "{not json", json.dumps({"clearing_house_for": {"source": "ncmec",
             "source_id": "90000001"}, "layer": {"notes": ["geolocated"], "country": "ES"}})]
    (tmp_path / "other.jsonl").write_text("\n".join(lines) + "\n")
    (tmp_path / "90000001.xml").write_bytes(report_xml())
    summary = ingest(engine, [tmp_path], workers=1)
    assert (summary.counts.new, summary.counts.layers, summary.counts.quarantined) == (2, 1, 1)
    with session(engine) as s:
        assert store_reports.get_report(s, "C-1").report.origin is Origin.CITIZEN
        layer = store_reports.get_report(s, "90000001").report.clearing_house
        (entry,) = store_quarantine.entries(s)
    assert layer is not None and layer.country == "ES"
    assert entry.location.endswith("other.jsonl:2") and "not JSON" in entry.reason


def test_retry_takes_in_a_corrected_file(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "90000031.xml"
    path.write_bytes(report_xml()[:200])
    ingest(engine, [tmp_path], workers=1)
    assert retry(engine).still_quarantined == 1
    path.write_bytes(report_xml())
    summary = retry(engine)
    assert (summary.taken_in, summary.still_quarantined) == (1, 0)
    with session(engine) as s:
        assert store_quarantine.count_open(s) == 0
        assert store_reports.get_report(s, "90000031").version == 1


def test_the_queue_lists_reports_not_ranked_yet_oldest_first(engine: Engine, tmp_path: Path) -> None:
    import os

    for i, stamp in enumerate((1_700_000_000, 1_700_000_500, 1_700_000_100)):
        path = tmp_path / f"9000004{i}.xml"
        path.write_bytes(report_xml(email=f"q{i}@example.org"))
        os.utime(path, (stamp, stamp))
    ingest(engine, [tmp_path], workers=1)
    with session(engine) as s:
        items = store_reports.queue(s, limit=None)
    assert [i.report_id for i in items] == ["90000040", "90000042", "90000041"]
    assert items[0].tier is None and items[0].linked_reports is None


def test_a_later_file_details_or_layer_is_a_new_version_and_the_earlier_is_kept(engine: Engine,
                                                                                tmp_path: Path) -> None:
    def layer(country: str) -> str:
        return json.dumps({"clearing_house_for": {"source": "ncmec", "source_id": "90000007"},
                           "layer": {"country": country}}) + "\n"

    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir()
    second.mkdir()
    (first / "90000007.xml").write_bytes(report_xml())
    (first / "f1.xml").write_bytes(file_details_xml("90000007", "f1", md5="0" * 32))
    (first / "layers.jsonl").write_text(layer("DE"))
    (second / "f1.xml").write_bytes(file_details_xml("90000007", "f1", md5="1" * 32))
    (second / "layers.jsonl").write_text(layer("AT"))
    ingest(engine, [first], workers=1)
    summary = ingest(engine, [second], workers=1)
    again = ingest(engine, [second], workers=1)
    assert (summary.counts.files, summary.counts.layers) == (1, 1)
    assert (again.counts.files, again.counts.files_unchanged, again.counts.layers) == (0, 1, 0)
    with session(engine) as s:
        stored = store_reports.get_report(s, "90000007")
        parts = store_reports.part_versions_of(s, "ncmec/90000007")
        earlier = s.execute(select(schema.report_file_versions.c.document)).scalar_one()
    (f1,) = stored.report.files
    assert [h.value for h in f1.hashes] == ["1" * 32]  # the current one is read
    assert stored.report.clearing_house is not None and stored.report.clearing_house.country == "AT"
    assert stored.version == 1  # the report's own document did not change
    assert [v for v, _, _ in parts.files["f1"]] == [1, 2] and [v for v, _, _ in parts.clearing_house] == [1, 2]
    assert len({h for _, _, h in parts.files["f1"]}) == 2 and '"0000000000' in earlier  # the first kept as it was
