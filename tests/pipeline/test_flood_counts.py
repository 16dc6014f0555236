"""The flood counts a run starts from are kept beside the verdicts (`match_counts`): after every run they are what
a recount of the stored verdicts gives, also when a report's file changed or all history was matched afresh."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from lanzarote.media import library
from lanzarote.pipeline.ingest import ingest
from lanzarote.pipeline.process import process, rematch
from lanzarote.store import schema
from lanzarote.store.db import session
from tests.samples import file_details_xml, report_xml

LISTED, UNLISTED = "9e107d9d372bb6826bd81d3542a419d6", "e4d909c290d0fb1ca068ffaddf22cbd0"

Count = tuple[str, str, str, str]


def counted(engine: Engine) -> list[Count]:
    """The flood counts as the store keeps them: (report, file, list, entry) of each trusted match."""
    m = schema.match_counts
    with session(engine) as s:
        return sorted((r.report_key, r.file_id, r.list_name, r.entry_id) for r in s.execute(select(m)))


def recounted(engine: Engine) -> list[Count]:
    """The flood counts recounted from every stored verdict: each match not flood-flagged."""
    rs = schema.report_state
    with session(engine) as s:
        return sorted((key, v["file_id"], m["list_name"], m["entry_id"])
                      for key, verdicts in s.execute(select(rs.c.report_key, rs.c.verdicts)) if verdicts
                      for v in json.loads(verdicts) for m in v["matches"] if not m["flood_flagged"])


def _flagged(engine: Engine) -> list[str]:
    rs = schema.report_state
    with session(engine) as s:
        return sorted(key for key, verdicts in s.execute(select(rs.c.report_key, rs.c.verdicts))
                      if verdicts and '"flood_flagged":true' in verdicts)


def test_the_counts_kept_are_the_stored_verdicts_recounted(engine: Engine, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(library, "FLOOD_MATCHES", 2)
    monkeypatch.setenv("LANZAROTE_BATCH_SIZE", "2")
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for i in range(6):
        (inbox / f"9000000{i}.xml").write_bytes(report_xml(email=f"user{i}@example.org"))
        (inbox / f"9000000{i}-f1.xml").write_bytes(file_details_xml(f"9000000{i}", "f1", LISTED))
    (tmp_path / "list.txt").write_text(LISTED + "\n")
    from lanzarote.pipeline.settings import hash_library

    hash_library().import_list(tmp_path / "list.txt", "known", "text")
    ingest(engine, [inbox], workers=1)
    entry = f"md5:{LISTED}"

    process(engine, workers=1)
    assert counted(engine) == recounted(engine) == [
        ("ncmec/90000000", "f1", "known", entry), ("ncmec/90000001", "f1", "known", entry)]
    assert len(_flagged(engine)) == 4

    # the first report's file turns out to be another one: its count goes with its verdict, the flags stay
    changed = tmp_path / "changed"
    changed.mkdir()
    (changed / "90000000-f1.xml").write_bytes(file_details_xml("90000000", "f1", UNLISTED))
    ingest(engine, [changed], workers=1)
    process(engine, workers=1)
    assert counted(engine) == recounted(engine) == [("ncmec/90000001", "f1", "known", entry)]
    assert len(_flagged(engine)) == 4

    # matched afresh over all history, the first two files the entry matches now are trusted
    rematch(engine)
    assert counted(engine) == recounted(engine) == [
        ("ncmec/90000001", "f1", "known", entry), ("ncmec/90000002", "f1", "known", entry)]
    assert _flagged(engine) == ["ncmec/90000003", "ncmec/90000004", "ncmec/90000005"]
