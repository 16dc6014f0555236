"""Folders and archives: everything is found, and hostile archives are refused with a reason."""

from __future__ import annotations

import json
import zipfile
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from lanzarote.intake.documents import Document
from lanzarote.intake.sources import PendingFile, documents, prefetch
from lanzarote.model.quarantine import QuarantineEntry
from lanzarote.pipeline.ingest import read_chunk
from tests.samples import report_xml
from tests.stage_settings import INTAKE

NOW = datetime(2026, 11, 22, tzinfo=UTC)


def test_folders_are_walked_recursively_in_name_order(tmp_path: Path) -> None:
    (tmp_path / "b" / "c").mkdir(parents=True)
    (tmp_path / "b" / "c" / "90000002.xml").write_bytes(report_xml())
    (tmp_path / "90000001.xml").write_bytes(report_xml())
    (tmp_path / "notes.txt").write_text("not a report")
    found = list(documents([tmp_path], NOW, INTAKE))
    names = [d.location.rsplit("/", 1)[-1] for d in found if isinstance(d, PendingFile)]
    assert names == ["90000001.xml", "90000002.xml"]
    assert found[0].load(10**6, NOW).content == report_xml()  # type: ignore[union-attr]


def test_a_file_gone_before_its_prefetch_is_left_to_the_reader_which_quarantines_it(tmp_path: Path) -> None:
    (tmp_path / "90000001.xml").write_bytes(report_xml())
    (tmp_path / "90000002.xml").write_bytes(report_xml())
    found = list(documents([tmp_path], NOW, INTAKE))
    (tmp_path / "90000002.xml").unlink()  # deleted between the walk and the prefetch
    prefetch([*found, Document("inline", report_xml()), QuarantineEntry(location="x", content_sha256=None, reason="r")])
    rows = read_chunk(found, NOW, INTAKE)
    assert [type(r).__name__ for r in rows] == ["ReportRow", "QuarantineEntry"]
    assert "cannot be read" in rows[1].reason  # type: ignore[union-attr]


def test_a_zip_entry_with_parent_path_is_refused(tmp_path: Path) -> None:
    archive = tmp_path / "bundle.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("../../etc/90000001.xml", report_xml())
        zf.writestr("ok/90000002.xml", report_xml())
    found = list(documents([archive], NOW, INTAKE))
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
    found = list(documents([archive], NOW, INTAKE))
    refused = [d for d in found if isinstance(d, QuarantineEntry)]
    assert len(refused) == 1 and "zip bomb" in refused[0].reason
    assert sum(isinstance(d, Document) for d in found) == 1


def test_a_document_over_the_size_limit_is_refused_unread(tmp_path: Path) -> None:
    big = tmp_path / "90000001.xml"
    with big.open("wb") as fh:
        fh.write(b"<report>")
        fh.seek(200 * 1024 * 1024)
        fh.write(b"</report>")
    found = read_chunk(list(documents([big], NOW, INTAKE)), NOW, INTAKE)
    assert len(found) == 1 and isinstance(found[0], QuarantineEntry)
    assert "larger than the limit" in found[0].reason
    assert found[0].size is not None and found[0].size > 200_000_000


def test_a_corrupt_archive_is_quarantined(tmp_path: Path) -> None:
    archive = tmp_path / "broken.zip"
    archive.write_bytes(b"PK\x03\x04 this is not really a zip")
    (entry,) = list(documents([archive], NOW, INTAKE))
    assert isinstance(entry, QuarantineEntry) and "zip" in entry.reason


def test_a_missing_path_is_one_clear_error(tmp_path: Path) -> None:
    from lanzarote.errors import NotFound

    with pytest.raises(NotFound, match="no such file"):
        list(documents([tmp_path / "nope"], NOW, INTAKE))


def test_json_lines_are_streamed_one_record_at_a_time(tmp_path: Path) -> None:
    lines = tmp_path / "layers.jsonl"
    records = [json.dumps({"clearing_house_for": {"source": "ncmec", "source_id": str(i)}, "layer": {}})
               for i in range(100)]
    lines.write_text("\n".join(records) + "\n" + json.dumps({"x": "y" * 2000}) + "\n")
    found = list(documents([lines], NOW, replace(INTAKE, max_document_bytes=1000)))
    assert sum(isinstance(d, Document) for d in found) == 100  # the whole file is far over the limit; lines are not
    (refused,) = [d for d in found if isinstance(d, QuarantineEntry)]
    assert refused.location.endswith("layers.jsonl:101") and "larger than the limit" in refused.reason


def test_many_entries_of_exactly_a_megabyte_are_refused_as_a_bomb(tmp_path: Path) -> None:
    archive = tmp_path / "megabytes.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for k in range(300):
            zf.writestr(f"r{k:03d}.json", b" " * 1_000_000)
    assert archive.stat().st_size < 400_000  # 300 MB inflated from a few hundred kilobytes
    found = list(documents([archive], NOW, INTAKE))
    assert len(found) == 300 and all(isinstance(d, QuarantineEntry) and "zip bomb" in d.reason for d in found)


def _overlapping(archive: Path, entries: int) -> None:
    """A zip whose central directory names the same compressed data many times (D. Fifield's overlapping bomb):
    every entry alone is within the ratio, the archive as a whole is not."""
    block = bytes(range(256)) * 4
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("e000.json", block * 150)
    data = archive.read_bytes()
    end = data.rindex(b"PK\x05\x06")
    size, offset = int.from_bytes(data[end + 12:end + 16], "little"), int.from_bytes(data[end + 16:end + 20], "little")
    record = data[offset:offset + size]
    records = b"".join(record.replace(b"e000.json", f"e{k:03d}.json".encode()) for k in range(entries))
    eocd = (data[end:end + 8] + entries.to_bytes(2, "little") * 2 + len(records).to_bytes(4, "little")
            + offset.to_bytes(4, "little") + data[end + 20:])
    archive.write_bytes(data[:offset] + records + eocd)


def test_an_archive_whose_entries_share_their_data_is_refused_as_a_whole(tmp_path: Path) -> None:
    archive = tmp_path / "overlap.zip"
    _overlapping(archive, 400)
    with zipfile.ZipFile(archive) as zf:
        infos = zf.infolist()
    assert len(infos) == 400 and all(i.file_size / i.compress_size < 200 for i in infos)
    found = list(documents([archive], NOW, INTAKE))
    bombs = [d for d in found if isinstance(d, QuarantineEntry) and "the rest of it is refused as a likely zip bomb"
             in d.reason]
    assert len(found) == 400 and len(bombs) > 300  # the first few entries are read (and their names checked)


def test_zip_entry_dates_never_become_a_receipt_time_beyond_plausibility(tmp_path: Path) -> None:
    archive = tmp_path / "dates.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for name, when in (("a.json", (2107, 12, 31, 0, 0, 0)), ("b.json", (1980, 1, 1, 0, 0, 0)),
                           ("c.json", (2026, 11, 20, 9, 30, 0))):
            info = zipfile.ZipInfo(name, date_time=when)
            zf.writestr(info, json.dumps({"source": "citizen", "source_id": name, "origin": "citizen"}))
    rows = read_chunk(list(documents([archive], NOW, INTAKE)), NOW, INTAKE)
    received = {r.source_id: r.received_at for r in rows}  # type: ignore[union-attr]
    assert received == {"a.json": NOW, "b.json": NOW, "c.json": datetime(2026, 11, 20, 9, 30, tzinfo=UTC)}


def test_a_single_line_larger_than_the_limit_is_refused_without_being_held_whole(tmp_path: Path) -> None:
    import tracemalloc

    lines = tmp_path / "one-line.jsonl"
    head = b'{"source": "citizen", "source_id": "big", "additional_info": "'
    with lines.open("wb") as fh:
        fh.write(head)
        for _ in range(200):
            fh.write(b"x" * 1_000_000)
        fh.write(b'"}\n{"source": "citizen", "source_id": "next", "origin": "citizen"}\n')
    tracemalloc.start()
    found = list(documents([lines], NOW, replace(INTAKE, max_document_bytes=1_000_000)))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert isinstance(found[0], QuarantineEntry) and "larger than the limit" in found[0].reason
    assert found[0].size == len(head) + 200_000_000 + 3 and found[0].location.endswith(":1")
    assert isinstance(found[1], Document) and b'"next"' in found[1].content and found[1].location.endswith(":2")
    assert peak < 10_000_000  # a 200 MB line, never more than a few megabytes of it in memory
