"""Videos against listed videos (vPDQ): the chair clips are one video; the pattern and the door knob are not."""

from __future__ import annotations

from pathlib import Path

import pytest

from lanzarote.media.hashing import FileHashes, hash_file
from lanzarote.media.library import HashLibrary
from lanzarote.model.media import HashType, Verdict
from lanzarote.model.report import FileDetail, FileHash, Report
from tests.stage_settings import MATCH

VIDEOS = Path(__file__).resolve().parents[3] / "shared" / "data" / "video-reference"


@pytest.fixture(scope="module")
def clips() -> dict[str, FileHashes]:
    names = ("chair-orig-22-sd-bar", "chair-22-with-small-logo-bar", "pattern-sd-grey-bar", "doorknob-hd-no-bar")
    return {n: hash_file(VIDEOS / f"{n}.mp4") for n in names}


def _frames(h: FileHashes) -> str:
    return " ".join(f.pdq for f in h.vpdq)


@pytest.mark.slow
def test_listed_video_matches_its_reencoding_and_nothing_else(clips: dict[str, FileHashes], tmp_path: Path) -> None:
    chair = clips["chair-orig-22-sd-bar"]
    (tmp_path / "videos.csv").write_text(
        "id,fingerprint_type,fingerprint,category\n"
        f"chair,VPDQ,{_frames(chair)},B1\n"
        f"pattern,vpdq,{_frames(clips['pattern-sd-grey-bar'])},\n"
    )
    library = HashLibrary(tmp_path / "lists", MATCH)
    summary = library.import_list(tmp_path / "videos.csv", "videos", "ncmec")
    assert summary.read == 2 and summary.malformed == 0
    matcher = library.matcher()
    logo = matcher.file_verdict("logo", clips["chair-22-with-small-logo-bar"])
    assert logo.verdict in (Verdict.KNOWN, Verdict.NEAR_KNOWN)
    assert [(m.entry_id, m.hash_type, m.category) for m in logo.matches] == [("chair", HashType.VPDQ, "B1")]
    assert matcher.file_verdict("knob", clips["doorknob-hd-no-bar"]).verdict is Verdict.UNKNOWN
    # the same video reported by a provider as its vPDQ frames
    report = Report(source="ncmec", source_id="90000001", files=(
        FileDetail(file_id="f1", hashes=(FileHash(type="VPDQ", value=_frames(clips["chair-22-with-small-logo-bar"])),)),
    ))
    (verdict,) = matcher.report_verdicts(report)
    assert verdict.matches and verdict.matches[0].entry_id == "chair"


@pytest.mark.slow
def test_a_short_clip_is_not_enough_when_most_of_its_frames_differ(clips: dict[str, FileHashes],
                                                                     tmp_path: Path) -> None:
    chair = clips["chair-orig-22-sd-bar"]
    mixed = [f.pdq for f in chair.vpdq[:3]] + [f.pdq for f in clips["pattern-sd-grey-bar"].vpdq]
    (tmp_path / "videos.txt").write_text(f"vpdq:{_frames(chair)}\n")
    library = HashLibrary(tmp_path / "lists", MATCH)
    library.import_list(tmp_path / "videos.txt", "videos", "text")
    report = Report(source="ncmec", source_id="1", files=(
        FileDetail(file_id="f", hashes=(FileHash(type="vpdq", value=",".join(mixed)),)),))
    (verdict,) = library.matcher().report_verdicts(report)
    assert verdict.verdict is Verdict.UNKNOWN
