"""Hash lists: every format, malformed lines, updates, allow lists, thresholds, flood flags, report verdicts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lanzarote.errors import ConfigurationError, InputRejected, NotFound
from lanzarote.media import categories
from lanzarote.media import library as library_module
from lanzarote.media.formats import Entry, Malformed, read_vics
from lanzarote.media.hashing import hash_file
from lanzarote.media.library import HashLibrary, Matcher
from lanzarote.model.media import FileVerdict, HashType, Verdict
from lanzarote.model.report import FileDetail, FileHash, Report
from tests.stage_settings import MATCH

PDQ_REF = Path(__file__).resolve().parents[3] / "shared" / "data" / "pdq-reference"
MD5_A = "0" * 31 + "a"
MD5_B = "0" * 31 + "b"
SHA1_C = "c" * 40
PDQ_X = "d8f8f0cee0f4a84f0637022a078f67f0b36e2ed596621e1d33e6339c4e9c9b22"


def _flip(hex_hash: str, bits: int) -> str:
    value = int(hex_hash, 16)
    for b in range(bits):
        value ^= 1 << (b * 7)
    return f"{value:064x}"


def _vics(path: Path, entries: list[dict[str, object]]) -> Path:
    body = ",\n".join(json.dumps(e) for e in entries)
    path.write_text('{"@odata.context": "http://example.org/$metadata#Media", "value": [\n' + body + "\n]}")
    return path


def _report(*files: tuple[str, list[tuple[str, str]]]) -> Report:
    return Report(source="ncmec", source_id="90000001", files=tuple(
        FileDetail(file_id=fid, hashes=tuple(FileHash(type=t, value=v) for t, v in hashes)) for fid, hashes in files
    ))


@pytest.fixture
def lib(tmp_path: Path) -> HashLibrary:
    return HashLibrary(tmp_path / "hashlists", MATCH)


def test_vics_entries_with_nested_files_pdq_and_opaque_photodna(tmp_path: Path) -> None:
    path = _vics(tmp_path / "v.json", [
        {"MediaID": 7, "Category": 1, "VictimIdentified": True, "IsDistributed": False, "Series": "S-1",
         "Tags": ["a"], "MD5": MD5_A.upper(), "SHA1": None, "PDQ": PDQ_X, "PhotoDNA": "opaque==",
         "MediaFiles": [{"MD5": MD5_B, "SHA1": SHA1_C, "FileName": "x.jpg"}]},
    ])
    (entry,) = list(read_vics(path))
    assert isinstance(entry, Entry)
    assert entry.entry_id == "7" and entry.category == "1" and entry.victim_identified is True
    assert entry.series == "S-1" and entry.distributed is False and entry.opaque == {"PhotoDNA": "opaque=="}
    assert set(entry.hashes) == {(HashType.MD5, MD5_A), (HashType.MD5, MD5_B), (HashType.SHA1, SHA1_C),
                                 (HashType.PDQ, PDQ_X)}


def test_vics_malformed_entries_are_reported_with_lines_and_reading_goes_on(tmp_path: Path) -> None:
    good = {"MediaID": 1, "MD5": MD5_A}
    path = tmp_path / "bad.json"
    path.write_text(
        '{"@odata.context": "x", "value": [\n'
        + json.dumps(good) + ",\n"
        + '{"MediaID": 2, "MD5": "nothex"},\n'
        + '{"MediaID": 3, "MD5": oops},\n'
        + json.dumps({"MediaID": 4, "SHA1": SHA1_C}) + "\n]}"
    )
    items = list(read_vics(path))
    assert [i.entry_id for i in items if isinstance(i, Entry)] == ["1", "4"]
    bad = [i for i in items if isinstance(i, Malformed)]
    assert [b.line for b in bad] == [3, 4]
    assert "MD5" in bad[0].reason and "JSON" in bad[1].reason


def test_vics_stream_across_read_boundaries(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from lanzarote.media import formats

    monkeypatch.setattr(formats, "_READ", 64)
    entries = [{"MediaID": i, "MD5": f"{i:032x}", "Tags": ["x" * (i % 150)]} for i in range(300)]
    entries[250] = {"MediaID": 250, "MD5": "short"}
    items = list(read_vics(_vics(tmp_path / "v.json", entries)))
    assert [i.entry_id for i in items if isinstance(i, Entry)] == [str(i) for i in range(300) if i != 250]
    assert [i.line for i in items if isinstance(i, Malformed)] == [252]


def test_import_and_match_exact_and_near(lib: HashLibrary, tmp_path: Path) -> None:
    path = _vics(tmp_path / "v.json", [
        {"MediaID": 1, "Category": 1, "VictimIdentified": True, "MD5": MD5_A},
        {"MediaID": 2, "Category": 2, "VictimIdentified": False, "PDQ": PDQ_X, "Series": "S"},
    ])
    summary = lib.import_list(path, "vics-a", "vics")
    assert (summary.read, summary.added, summary.malformed, summary.version) == (2, 2, 0, 1)
    verdicts = lib.matcher().report_verdicts(_report(
        ("f1", [("md5", MD5_A.upper())]),
        ("f2", [("PDQ", _flip(PDQ_X, 5))]),
        ("f3", [("MD5", MD5_B)]),
        ("f4", []),
        ("f5", [("MD5", "not-a-hash")]),
    ))
    by_id = {v.file_id: v for v in verdicts}
    assert by_id["f1"].verdict is Verdict.KNOWN and by_id["f1"].victim_identified
    (m,) = by_id["f1"].matches
    assert (m.list_name, m.entry_id, m.hash_type, m.distance, m.category) == ("vics-a", "1", HashType.MD5, 0, "1")
    assert by_id["f2"].verdict is Verdict.NEAR_KNOWN and by_id["f2"].matches[0].distance == 5
    assert by_id["f2"].matches[0].series == "S" and not by_id["f2"].victim_identified
    assert by_id["f3"].verdict is Verdict.UNKNOWN
    assert by_id["f4"].verdict is Verdict.NOT_MATCHED and by_id["f5"].verdict is Verdict.NOT_MATCHED


def test_no_lists_means_not_matched(lib: HashLibrary) -> None:
    (v,) = lib.matcher().report_verdicts(_report(("f1", [("MD5", MD5_A)])))
    assert v.verdict is Verdict.NOT_MATCHED


def test_per_list_threshold(lib: HashLibrary, tmp_path: Path) -> None:
    path = tmp_path / "te.csv"
    path.write_text(f"hash,id,tags\n{PDQ_X},te-1,tag1 tag2\n")
    lib.import_list(path, "strict", "te", threshold=4)
    lib.import_list(path, "loose", "te")
    (v,) = lib.matcher().report_verdicts(_report(("f", [("pdq", _flip(PDQ_X, 10))])))
    assert [m.list_name for m in v.matches] == ["loose"]


def test_allow_list_suppresses_matches(lib: HashLibrary, tmp_path: Path) -> None:
    text = tmp_path / "list.txt"
    text.write_text(f"# known\n{MD5_A}\n")
    lib.import_list(text, "known", "text")
    lib.import_list(text, "benign", "text", allow=True)
    (v,) = lib.matcher().report_verdicts(_report(("f", [("MD5", MD5_A)])))
    assert len(v.matches) == 2 and all(m.suppressed_by_allow_list for m in v.matches)
    assert not v.victim_identified


def test_update_replaces_and_removes_entries(lib: HashLibrary, tmp_path: Path) -> None:
    lib.import_list(_vics(tmp_path / "a.json", [{"MediaID": 1, "MD5": MD5_A}, {"MediaID": 2, "PDQ": PDQ_X}]),
                    "l", "vics")
    summary = lib.import_list(_vics(tmp_path / "b.json", [{"MediaID": 1, "MD5": MD5_B}]), "l", "vics")
    assert (summary.replaced, summary.added, summary.version) == (1, 0, 2)
    matcher = lib.matcher()
    assert matcher.report_verdicts(_report(("f", [("MD5", MD5_A)])))[0].verdict is Verdict.UNKNOWN
    assert matcher.report_verdicts(_report(("f", [("MD5", MD5_B)])))[0].verdict is Verdict.KNOWN
    removed = lib.import_list(_vics(tmp_path / "c.json", [{"MediaID": 2, "PDQ": PDQ_X}]), "l", "vics",
                              remove_entries=True)
    assert removed.removed == 1
    assert lib.matcher().report_verdicts(_report(("f", [("PDQ", PDQ_X)])))[0].verdict is Verdict.UNKNOWN
    assert lib.info("l").entries == 1


def test_remove_list_and_bad_names(lib: HashLibrary, tmp_path: Path) -> None:
    text = tmp_path / "list.txt"
    text.write_text(MD5_A + "\n")
    lib.import_list(text, "gone", "text")
    lib.remove("gone")
    assert lib.lists() == []
    with pytest.raises(NotFound):
        lib.remove("gone")
    with pytest.raises(InputRejected):
        lib.import_list(text, "../escape", "text")
    with pytest.raises(InputRejected):
        lib.import_list(text, "x", "xml")


def test_ncmec_csv_keeps_unknown_types_opaque_and_counts_bad_rows(lib: HashLibrary, tmp_path: Path) -> None:
    path = tmp_path / "ncmec.csv"
    path.write_text(
        "id,fingerprint_type,fingerprint,category,victim_identified,series\n"
        f"n1,MD5,{MD5_A},A1,yes,S9\n"
        f"n1,PDQ,{PDQ_X},A1,yes,S9\n"
        "n2,PhotoDNA,AAAA,B1,,\n"
        "n3,SHA1,zz,B1,,\n"
        ",MD5,,,\n"
    )
    summary = lib.import_list(path, "ncmec", "ncmec")
    assert (summary.read, summary.malformed) == (3, 2)
    assert summary.problems[0].startswith("line 5:") and summary.problems[1].startswith("line 6:")
    (v,) = lib.matcher().report_verdicts(_report(("f", [("MD5", MD5_A), ("PDQ", PDQ_X)])))
    assert v.verdict is Verdict.KNOWN and {m.hash_type for m in v.matches} == {HashType.MD5}
    assert v.matches[0].victim_identified and v.matches[0].series == "S9"


def test_text_list_types_by_length_prefix_or_given(lib: HashLibrary, tmp_path: Path) -> None:
    path = tmp_path / "t.txt"
    path.write_text(f"{MD5_A}\n{SHA1_C}\nsha256:{'e' * 64}\n{PDQ_X}\nbad line\n")
    summary = lib.import_list(path, "t", "text", hash_type="pdq")
    assert summary.malformed == 1 and summary.read == 4
    (v,) = lib.matcher().report_verdicts(_report(("f", [("PDQ", PDQ_X), ("SHA256", "e" * 64)])))
    assert {m.hash_type for m in v.matches} == {HashType.PDQ, HashType.SHA256}


def test_flood_flag_after_many_files(lib: HashLibrary, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(library_module, "FLOOD_MATCHES", 3)
    path = tmp_path / "t.txt"
    path.write_text(MD5_A + "\n")
    lib.import_list(path, "t", "text")
    matcher = lib.matcher()
    flags = [matcher.report_verdicts(_report(("f", [("MD5", MD5_A)])))[0].matches[0].flood_flagged
             for _ in range(5)]
    assert flags == [False, False, False, True, True]


def test_a_later_run_counts_on_from_the_files_settled_before(lib: HashLibrary, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """So a run killed and run again flags what one run would have flagged."""
    monkeypatch.setattr(library_module, "FLOOD_MATCHES", 3)
    path = tmp_path / "t.txt"
    path.write_text(MD5_A + "\n")
    lib.import_list(path, "t", "text")
    report = _report(("f", [("MD5", MD5_A)]))

    def settle(matcher: Matcher, owner: str) -> tuple[FileVerdict, ...]:
        return tuple(matcher.flag_floods(matcher.batch_report_matches([report])[0], owner=owner))

    first = lib.matcher()
    stored = {f"r{i}": settle(first, f"r{i}") for i in range(4)}
    assert [v[0].matches[0].flood_flagged for v in stored.values()] == [False, False, False, True]
    later = lib.matcher()
    later.trust_counted((owner, v.file_id, m.list_name, m.entry_id)  # what the store keeps: the trusted matches
                        for owner, verdicts in stored.items() for v in verdicts for m in v.matches
                        if not m.flood_flagged)
    assert [settle(later, owner)[0].matches[0].flood_flagged for owner in ("r4", "r1", "r3")] == [True, False, True]


def test_scanned_image_matches_through_dihedral_and_quality_gate(lib: HashLibrary, tmp_path: Path) -> None:
    bridge = hash_file(PDQ_REF / "bridge-mods" / "aaa-orig.jpg")
    small = hash_file(PDQ_REF / "misc-images" / "small.jpg")
    path = tmp_path / "te.csv"
    path.write_text(f"{bridge.dihedral[3]},turned\n{small.pdq},flat\n")
    lib.import_list(path, "te", "te")
    matcher = lib.matcher()
    hit = matcher.file_verdict("bridge", bridge)
    assert hit.verdict in (Verdict.KNOWN, Verdict.NEAR_KNOWN) and hit.matches[0].entry_id == "turned"
    assert matcher.file_verdict("small", small).verdict is Verdict.UNKNOWN


def test_batch_path_equals_one_by_one(lib: HashLibrary, tmp_path: Path) -> None:
    lib.import_list(_vics(tmp_path / "v.json", [{"MediaID": 1, "MD5": MD5_A}, {"MediaID": 2, "PDQ": PDQ_X}]),
                    "l", "vics")
    reports = [_report(("a", [("MD5", MD5_A)]), ("b", [("PDQ", _flip(PDQ_X, 3))])), _report(("c", [("MD5", MD5_B)]))]
    one = [lib.matcher().report_verdicts(r) for r in reports]
    assert lib.matcher().batch_report_verdicts(reports) == one


def test_every_category_scheme_loads_and_as_written_is_there() -> None:
    schemes = categories.load()
    assert schemes.version and categories.AS_WRITTEN in schemes.schemes
    for scheme in schemes.schemes.values():
        assert scheme.description
    assert schemes.get("industry").reading("A1") == ("A1 (prepubescent minor, sex act)", False)
    with pytest.raises(ConfigurationError):
        schemes.get("no-such-scheme")


def test_categories_read_with_the_list_scheme_and_non_pertinent_suppresses(lib: HashLibrary, tmp_path: Path) -> None:
    path = _vics(tmp_path / "v.json", [
        {"MediaID": 1, "Category": 1, "VictimIdentified": True, "MD5": MD5_A},
        {"MediaID": 2, "Category": 3, "MD5": MD5_B},
    ])
    lib.import_list(path, "vic", "vics", categories="vic-us")
    assert lib.info("vic").categories == "vic-us" and lib.info("vic").categories_version
    matcher = lib.matcher()
    (known,) = matcher.report_verdicts(_report(("f", [("MD5", MD5_A)])))
    assert known.matches[0].category == "1 (child abuse material)" and known.victim_identified
    (benign,) = matcher.report_verdicts(_report(("f", [("MD5", MD5_B)])))
    assert benign.verdict is Verdict.KNOWN and benign.matches[0].suppressed_by_allow_list
    with pytest.raises(ConfigurationError):
        lib.import_list(path, "other", "vics", categories="no-such-scheme")
    assert not (tmp_path / "hashlists" / "other").exists()
