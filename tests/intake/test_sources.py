"""Folders and archives: everything is found, and hostile archives are refused with a reason."""

from __future__ import annotations

import json
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest

from lanzarote.intake.documents import Document
from lanzarote.intake.sources import PendingFile, documents, prefetch
from lanzarote.model.quarantine import QuarantineEntry
from lanzarote.pipeline.ingest import read_chunk
from tests.samples import report_xml

NOW = datetime(2026, 11, 22, tzinfo=UTC)


def test_folders_are_walked_recursively_in_name_order(tmp_path: Path) -> None:
    (tmp_path / "b" / "c").mkdir(parents=True)
    (tmp_path / "b" / "c" / "90000002.xml").write_bytes(report_xml())
    (tmp_path / "90000001.xml").write_bytes(report_xml())
    (tmp_path / "notes.txt").write_text("not a report")
    found = list(documents([tmp_path], NOW))
    names = [d.location.rsplit("/", 1)[-1] for d in found if isinstance(d, PendingFile)]
    assert names == ["90000001.xml", "90000002.xml"]
    assert found[0].load(10**6, NOW).content == report_xml()  # type: ignore[union-attr]


def test_a_file_gone_before_its_prefetch_is_left_to_the_reader_which_quarantines_it(tmp_path: Path) -> None:
    (tmp_path / "90000001.xml").write_bytes(report_xml())
    (tmp_path / "90000002.xml").write_bytes(report_xml())
    found = list(documents([tmp_path], NOW))
    (tmp_path / "90000002.xml").unlink()  # deleted between the walk and the prefetch
    prefetch([*found, Document("inline", report_xml()), QuarantineEntry(location="x", content_sha256=None, reason="r")])
    rows = read_chunk(found, NOW)
    assert [type(r).__name__ for r in rows] == ["ReportRow", "QuarantineEntry"]
    assert "cannot be read" in rows[1].reason  # type: ignore[union-attr]


def test_a_zip_entry_with_parent_path_is_refused(tmp_path: Path) -> None:
    archive = tmp_path / "bundle.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("../../etc/90000001.xml", report_xml())
        zf.writestr("ok/90000002.xml", report_xml())
    found = list(documents([archive], NOW))
    refused = [d for d in found if isinstance(d, QuarantineEntry)]
    kept = [d for d in found if isinstance(d, Document)]
    assert len(refused) == 1 and "escapes the archive" in refused[0].reason
    assert refused[0].location.endswith("!../../etc/90000001.xml")
    assert [d.location for d in kept] == [f"{archive}!ok/90000002.xml"]


def test_a_zip_bomb_is_refused_without_inflating_it(tmp_path: Path) -> None:
    archive = tmp_path / "bomb.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("90000001.xml", b"<report>" + b" " * 30_000_000 + b"</report>")
        zf.writestr("90000002.xml", report_xml())
    found = list(documents([archive], NOW))
    refused = [d for d in found if isinstance(d, QuarantineEntry)]
    assert len(refused) == 1 and "zip bomb" in refused[0].reason
    assert sum(isinstance(d, Document) for d in found) == 1


def test_a_document_over_the_size_limit_is_refused_unread(tmp_path: Path) -> None:
    big = tmp_path / "90000001.xml"
    with big.open("wb") as fh:
        fh.write(b"<report>")
        fh.seek(200 * 1024 * 1024)
        fh.write(b"</report>")
    found = read_chunk(list(documents([big], NOW)), NOW)
    assert len(found) == 1 and isinstance(found[0], QuarantineEntry)
    assert "larger than the limit" in found[0].reason
    assert found[0].size is not None and found[0].size > 200_000_000


def test_a_corrupt_archive_is_quarantined(tmp_path: Path) -> None:
    archive = tmp_path / "broken.zip"
    archive.write_bytes(b"PK\x03\x04 this is not really a zip")
    (entry,) = list(documents([archive], NOW))
    assert isinstance(entry, QuarantineEntry) and "zip" in entry.reason


def test_a_missing_path_is_one_clear_error(tmp_path: Path) -> None:
    from lanzarote.errors import NotFound

    with pytest.raises(NotFound, match="no such file"):
        list(documents([tmp_path / "nope"], NOW))


def test_json_lines_are_streamed_one_record_at_a_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LANZAROTE_MAX_DOCUMENT_BYTES", "1000")
    lines = tmp_path / "layers.jsonl"
    records = [json.dumps({"clearing_house_for": {"source": "ncmec", "source_id": str(i)}, "layer": {}})
               for i in range(100)]
    lines.write_text("\n".join(records) + "\n" + json.dumps({"x": "y" * 2000}) + "\n")
    found = list(documents([lines], NOW))
    assert sum(isinstance(d, Document) for d in found) == 100  # the whole file is far over the limit; lines are not
    (refused,) = [d for d in found if isinstance(d, QuarantineEntry)]
    assert refused.location.endswith("layers.jsonl:101") and "larger than the limit" in refused.reason
