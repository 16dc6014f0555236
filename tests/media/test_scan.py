"""Seized-media scan and the hash-list commands, as a user meets them."""

from __future__ import annotations

import json
import os
import shutil
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lanzarote.cli import app
from lanzarote.media.hashing import hash_file
from lanzarote.media.library import HashLibrary
from lanzarote.media.scan import scan, summary_path
from tests.stage_settings import MATCH, SCAN

DATA = Path(__file__).resolve().parents[3] / "shared" / "data"
BRIDGE = DATA / "pdq-reference" / "bridge-mods"
runner = CliRunner()


def _seized(tmp_path: Path) -> Path:
    root = tmp_path / "seized"
    (root / "deep" / "er").mkdir(parents=True)
    shutil.copy(BRIDGE / "aaa-orig.jpg", root / "deep" / "er" / "holiday.jpg")
    shutil.copy(DATA / "pdq-reference" / "misc-images" / "wee.jpg", root / "wee")  # no suffix: sniffed
    (root / "broken.png").write_bytes((BRIDGE / "blur-a-lot.jpg").read_bytes()[:1500])
    (root / "readme.txt").write_text("not media")
    with zipfile.ZipFile(root / "phone.zip", "w") as archive:
        archive.write(BRIDGE / "shrink-a-lot.jpg", "DCIM/shrink.jpg")
        archive.write(DATA / "pdq-reference" / "misc-images" / "c.png", "DCIM/c.png")
    return root


def _library(tmp_path: Path) -> HashLibrary:
    lib = HashLibrary(tmp_path / "lists", MATCH)
    bridge = hash_file(BRIDGE / "aaa-orig.jpg")
    (tmp_path / "te.csv").write_text(f"{bridge.pdq},bridge-1,series-b\n")
    lib.import_list(tmp_path / "te.csv", "te", "te")
    (tmp_path / "md5.txt").write_text(bridge.md5 + "\n")
    lib.import_list(tmp_path / "md5.txt", "md5s", "text")
    return lib


def test_scan_walks_folders_and_archives_and_lists_unreadable_files(tmp_path: Path) -> None:
    root = _seized(tmp_path)
    out = tmp_path / "result.jsonl"
    before = sorted(p.relative_to(root) for p in root.rglob("*"))
    summary = scan(root, out, _library(tmp_path).matcher(), SCAN, workers=2)
    records = {Path(r["path"]).name if "!" not in r["path"] else r["path"].split("!")[1]: r
               for r in map(json.loads, out.read_text().splitlines())}
    assert set(records) == {"holiday.jpg", "wee", "broken.png", "DCIM/shrink.jpg", "DCIM/c.png"}
    assert records["holiday.jpg"]["verdict"] == "known"
    assert {m["list_name"] for m in records["holiday.jpg"]["matches"]} == {"te", "md5s"}
    assert records["DCIM/shrink.jpg"]["verdict"] == "near_known"  # a few bits away after shrinking
    assert records["wee"]["verdict"] == "unknown" and records["DCIM/c.png"]["verdict"] == "unknown"
    assert records["broken.png"]["verdict"] == "unreadable" and records["broken.png"]["error"]
    assert summary.files == 5 and summary.skipped_not_media == 1
    assert summary.verdicts == {"known": 1, "near_known": 1, "unknown": 2, "unreadable": 1}
    assert json.loads(summary_path(out).read_text())["unreadable"] == [str(root / "broken.png")]
    assert sorted(p.relative_to(root) for p in root.rglob("*")) == before, "the scan must not write into the folder"


def test_scan_in_one_process_gives_the_same_lines(tmp_path: Path) -> None:
    root = _seized(tmp_path)
    matcher = _library(tmp_path).matcher()
    scan(root, tmp_path / "a.jsonl", matcher, SCAN, workers=1)
    scan(root, tmp_path / "b.jsonl", _library(tmp_path).matcher(), SCAN, workers=2)
    assert (tmp_path / "a.jsonl").read_text() == (tmp_path / "b.jsonl").read_text()


def test_cli_import_lists_match_scan_remove(tmp_path: Path) -> None:
    bridge = hash_file(BRIDGE / "aaa-orig.jpg")
    vics = tmp_path / "v.json"
    vics.write_text(json.dumps({"@odata.context": "x", "value": [
        {"MediaID": 9, "Category": 1, "VictimIdentified": True, "MD5": bridge.md5},
        {"MediaID": 10, "MD5": "zz"},
    ]}))
    result = runner.invoke(app, ["hashes", "import", str(vics), "--list", "vics", "--format", "vics"])
    assert result.exit_code == 0, result.output
    assert "added 1" in result.stdout and "malformed 1" in result.stdout
    listed = json.loads(runner.invoke(app, ["hashes", "lists", "--json"]).stdout)
    assert [(x["name"], x["entries"], x["malformed"]) for x in listed] == [("vics", 1, 1)]
    matched = runner.invoke(app, ["match", "--json", str(BRIDGE / "aaa-orig.jpg")])
    line = json.loads(matched.stdout)
    assert line["verdict"] == "known" and line["matches"][0]["victim_identified"] is True
    out = tmp_path / "r.jsonl"
    scanned = runner.invoke(app, ["scan", str(_seized(tmp_path)), "--out", str(out), "--workers", "1"])
    assert scanned.exit_code == 0, scanned.output
    assert "known 1" in scanned.stdout and out.exists()
    assert runner.invoke(app, ["hashes", "remove", "vics"]).exit_code == 0
    assert json.loads(runner.invoke(app, ["hashes", "lists", "--json"]).stdout) == []


def test_a_folder_that_cannot_be_listed_is_reported_unreadable(tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    root = _seized(tmp_path)
    real_walk = os.walk

    def walk(top: str, onerror: Callable[[OSError], None]) -> Iterator[tuple[str, list[str], list[str]]]:
        onerror(PermissionError(13, "Permission denied", str(root / "locked")))  # as for a folder root cannot list
        return real_walk(top)

    monkeypatch.setattr(os, "walk", walk)
    summary = scan(root, tmp_path / "r.jsonl", _library(tmp_path).matcher(), SCAN, workers=1)
    assert str(root / "locked") in summary.unreadable
    assert summary.files == 6


def test_import_with_rematch_reaches_stored_reports(tmp_path: Path) -> None:
    from tests.samples import file_details_xml, report_xml

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "90000001.xml").write_bytes(report_xml())
    (inbox / "90000001-f1.xml").write_bytes(file_details_xml("90000001", md5="0" * 31 + "a"))
    assert runner.invoke(app, ["ingest", str(inbox)]).exit_code == 0
    text = tmp_path / "md5.txt"
    text.write_text("0" * 31 + "a\n")
    result = runner.invoke(app, ["hashes", "import", str(text), "--list", "t", "--format", "text", "--rematch"])
    assert result.exit_code == 0, result.output
    assert "re-matched 1 reports" in result.stdout
    shown = runner.invoke(app, ["reports", "show", "90000001"])
    assert "known" in shown.stdout and "t:md5:" in shown.stdout, shown.stdout
