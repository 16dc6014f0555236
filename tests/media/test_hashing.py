"""Conformance of hashing with the reference data (issue 4), and images in every common mode."""

from __future__ import annotations

import csv
import hashlib
import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from lanzarote.media.hashing import FileHashes, hash_bytes, hash_file
from lanzarote.media.pdq_index import hex_distance
from lanzarote.media.vpdq import match_fractions, videos_match

DATA = Path(__file__).resolve().parents[3] / "shared" / "data"
PDQ_REF = DATA / "pdq-reference"
VIDEO_REF = DATA / "video-reference"
THRESHOLD = 31
MIN_QUALITY = 50


def _matches(a: FileHashes, b: FileHashes) -> bool:
    """Does `a` match `b` the way the matcher decides: quality gate, then any dihedral variant within 31."""
    assert a.pdq is not None and b.pdq is not None
    if (a.pdq_quality or 0) < MIN_QUALITY or (b.pdq_quality or 0) < MIN_QUALITY:
        return False
    return any(hex_distance(v, b.pdq) <= THRESHOLD for v in a.dihedral)


@pytest.fixture(scope="module")
def bridge() -> FileHashes:
    return hash_file(PDQ_REF / "bridge-mods" / "aaa-orig.jpg")


def test_pdq_within_ten_bits_of_the_reference_implementation() -> None:
    with (PDQ_REF / "expected-hashes.csv").open() as f:
        rows = list(csv.DictReader(f))
    assert len(rows) >= 10
    for row in rows:
        mine = hash_file(PDQ_REF / row["FilePath"])
        assert mine.pdq is not None
        assert hex_distance(mine.pdq, row["Hash"]) <= 10, row["FilePath"]


def test_every_bridge_edit_matches_the_original(bridge: FileHashes) -> None:
    for path in sorted((PDQ_REF / "bridge-mods").glob("*.jpg")):
        assert _matches(hash_file(path), bridge), path.name


def test_no_unrelated_image_matches_the_bridge(bridge: FileHashes) -> None:
    for path in sorted((PDQ_REF / "misc-images").iterdir()):
        assert not _matches(hash_file(path), bridge), path.name


def test_flat_image_has_quality_zero_and_matches_nothing(bridge: FileHashes) -> None:
    small = hash_file(PDQ_REF / "misc-images" / "small.jpg")
    assert small.pdq_quality == 0
    assert not _matches(small, small)


def _encode(image: Image.Image, fmt: str, **options: object) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()


@pytest.mark.parametrize("transpose", list(Image.Transpose))
def test_rotated_or_mirrored_copy_matches_through_dihedral_hashes(bridge: FileHashes,
                                                                  transpose: Image.Transpose) -> None:
    with Image.open(PDQ_REF / "bridge-mods" / "aaa-orig.jpg") as image:
        turned = image.transpose(transpose)
    copy = hash_bytes("turned.png", _encode(turned, "PNG", compress_level=1))
    assert copy.pdq is not None and bridge.pdq is not None
    assert _matches(copy, bridge)


@pytest.mark.slow
def test_images_in_every_common_mode_hash_like_the_rgb_original(bridge: FileHashes) -> None:
    with Image.open(PDQ_REF / "bridge-mods" / "aaa-orig.jpg") as image:
        rgb = image.convert("RGB")
    grey = rgb.convert("L")
    sixteen = Image.fromarray(np.asarray(grey).astype(np.uint16) * 257)
    assert sixteen.mode.startswith("I;16")
    alpha = rgb.convert("RGBA")
    alpha.putalpha(255)
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90 degrees clockwise to display
    variants = {
        "grey.png": _encode(grey, "PNG", compress_level=1),
        "palette.png": _encode(rgb.convert("P", palette=Image.Palette.ADAPTIVE, colors=256), "PNG", compress_level=1),
        "cmyk.jpg": _encode(rgb.convert("CMYK"), "JPEG", quality=95),
        "alpha.png": _encode(alpha, "PNG", compress_level=1),
        "sixteen.png": _encode(sixteen, "PNG", compress_level=1),
        "bilevel.tif": _encode(grey.convert("1"), "TIFF"),
        "rotated-exif.jpg": _encode(rgb.transpose(Image.Transpose.ROTATE_90), "JPEG", quality=95, exif=exif),
    }
    for name, data in variants.items():
        hashed = hash_bytes(name, data)
        assert hashed.error is None and hashed.pdq is not None, name
        limit = 60 if name == "bilevel.tif" else THRESHOLD
        assert hex_distance(hashed.pdq, bridge.pdq or "") <= limit, name


def test_digests_are_those_of_the_bytes(tmp_path: Path) -> None:
    data = (PDQ_REF / "misc-images" / "wee.jpg").read_bytes()
    hashed = hash_file(PDQ_REF / "misc-images" / "wee.jpg")
    assert hashed.md5 == hashlib.md5(data).hexdigest()
    assert hashed.sha1 == hashlib.sha1(data).hexdigest()
    assert hashed.sha256 == hashlib.sha256(data).hexdigest()
    assert hashed.size == len(data) and hashed.kind == "image"


def test_truncated_image_is_unreadable_but_still_digested(tmp_path: Path) -> None:
    data = (PDQ_REF / "bridge-mods" / "aaa-orig.jpg").read_bytes()[:3000]
    path = tmp_path / "cut.jpg"
    path.write_bytes(data)
    hashed = hash_file(path)
    assert hashed.error is not None and hashed.pdq is None
    assert hashed.md5 == hashlib.md5(data).hexdigest()


def test_extensionless_image_is_recognised_by_its_first_bytes(tmp_path: Path) -> None:
    path = tmp_path / "no-name"
    path.write_bytes((PDQ_REF / "misc-images" / "wee.jpg").read_bytes())
    assert hash_file(path).kind == "image"


@pytest.fixture(scope="module")
def videos() -> dict[str, FileHashes]:
    return {p.stem: hash_file(p) for p in sorted(VIDEO_REF.glob("*.mp4"))}


@pytest.mark.slow
def test_chair_clips_match_each_other_and_nothing_else(videos: dict[str, FileHashes]) -> None:
    chairs = [n for n in videos if n.startswith("chair")]
    others = [n for n in videos if not n.startswith("chair")]
    assert len(chairs) == 3 and len(others) == 2
    for name, hashed in videos.items():
        assert hashed.kind == "video" and hashed.vpdq, name
        assert [f.second for f in hashed.vpdq] == list(range(len(hashed.vpdq)))
    for a in videos:
        for b in videos:
            same = a == b or (a in chairs and b in chairs)
            assert videos_match(videos[a].vpdq, videos[b].vpdq, THRESHOLD, MIN_QUALITY, 0.8) == same, (a, b)


@pytest.mark.slow
def test_vpdq_has_one_frame_a_second(videos: dict[str, FileHashes]) -> None:
    chair = videos["chair-orig-22-sd-bar"]
    assert 22 <= len(chair.vpdq) <= 24  # a 22.4 s clip
    query, target = match_fractions(chair.vpdq[:10], chair.vpdq, THRESHOLD, MIN_QUALITY)
    assert query == 1.0 and target < 0.8
