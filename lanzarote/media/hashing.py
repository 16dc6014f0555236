"""Hashes of one file: MD5, SHA-1 and SHA-256 of the bytes; PDQ (with quality and the 8 dihedral variants) for
images; vPDQ (one PDQ a second of video) for videos.

Files are read, hashed and forgotten: nothing is written, resized copies live only in memory for the hash.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Literal

import numpy as np
import numpy.typing as npt
import pdqhash
from PIL import Image, ImageOps
from pydantic import BaseModel, ConfigDict

from lanzarote.media.pdq_index import hashes_from_bits, hashes_to_bytes

IMAGE_SUFFIXES = frozenset(
    {".jpg", ".jpeg", ".jpe", ".jfif", ".png", ".gif", ".bmp", ".dib", ".tif", ".tiff", ".webp", ".ppm", ".pgm",
     ".pbm", ".ico", ".tga", ".psd"}
)
VIDEO_SUFFIXES = frozenset(
    {".mp4", ".m4v", ".mov", ".avi", ".mkv", ".webm", ".wmv", ".flv", ".3gp", ".mpg", ".mpeg", ".ts", ".mts", ".ogv"}
)
_READ_CHUNK = 1 << 20
PDQ_SIDE = 256
"""Images other than JPEG are shrunk by an integer factor to no less than this many pixels on the short side."""
PDQ_JPEG_SIDE = 192
"""JPEGs are decoded by the codec at the smallest 1/2, 1/4 or 1/8 scale keeping this many pixels on the short side."""
Image.MAX_IMAGE_PIXELS = 200_000_000  # larger than any photo; refuses decompression bombs

MediaKind = Literal["image", "video", "other"]


class Unreadable(Exception):
    """The file could not be decoded (truncated, corrupt, or not what its name says)."""


class VpdqFrame(BaseModel):
    """One sampled frame of a video: its second, PDQ (64 hex) and quality."""

    model_config = ConfigDict(frozen=True)

    second: int
    pdq: str
    quality: int


class FileHashes(BaseModel):
    """Everything matching needs to know about one file, and nothing of its content."""

    model_config = ConfigDict(frozen=True)

    kind: MediaKind
    size: int
    md5: str
    sha1: str
    sha256: str
    pdq: str | None = None
    pdq_quality: int | None = None
    dihedral: tuple[str, ...] = ()
    """PDQ of the 8 rotations and mirrors (the first is the image as is)."""
    vpdq: tuple[VpdqFrame, ...] = ()
    error: str | None = None
    """Why the image or video could not be decoded (digests are still given)."""


def kind_of(name: str) -> MediaKind:
    suffix = Path(name).suffix.lower()
    if suffix in IMAGE_SUFFIXES:
        return "image"
    if suffix in VIDEO_SUFFIXES:
        return "video"
    return "other"


def sniff(head: bytes) -> MediaKind:
    """The kind from the first bytes, for files whose names say nothing."""
    if head.startswith((b"\xff\xd8\xff", b"\x89PNG", b"GIF8", b"BM", b"II*\x00", b"MM\x00*")) or (
        head[:4] == b"RIFF" and head[8:12] == b"WEBP"
    ):
        return "image"
    if head[4:8] == b"ftyp" or head.startswith((b"\x1a\x45\xdf\xa3", b"\x00\x00\x01\xba")) or (
        head[:4] == b"RIFF" and head[8:12] == b"AVI "
    ):
        return "video"
    return "other"


def digests(chunks: Iterable[bytes]) -> tuple[str, str, str, int]:
    """MD5, SHA-1, SHA-256 (hex) and size of a byte stream."""
    md5, sha1, sha256 = hashlib.md5(usedforsecurity=False), hashlib.sha1(usedforsecurity=False), hashlib.sha256()
    size = 0
    for chunk in chunks:
        md5.update(chunk)
        sha1.update(chunk)
        sha256.update(chunk)
        size += len(chunk)
    return md5.hexdigest(), sha1.hexdigest(), sha256.hexdigest(), size


def _chunks(stream: IO[bytes]) -> Iterable[bytes]:
    while chunk := stream.read(_READ_CHUNK):
        yield chunk


def rgb_pixels(image: Image.Image) -> npt.NDArray[np.uint8]:
    """An (h, w, 3) uint8 array of any Pillow image: EXIF rotation applied, 16-bit scaled, alpha over white."""
    if image.getexif().get(0x0112, 1) != 1:
        image = ImageOps.exif_transpose(image) or image
    mode = image.mode
    if mode in ("I;16", "I;16L", "I;16B", "I;16N", "I", "F"):
        values = np.asarray(image, dtype=np.float64)
        top = 65535.0 if mode.startswith("I;16") or values.max(initial=0) > 255 else 255.0
        grey = np.clip(values / top * 255.0 + 0.5, 0, 255).astype(np.uint8)
        return np.ascontiguousarray(np.repeat(grey[:, :, None], 3, axis=2))
    if mode == "P" and "transparency" in image.info:
        image = image.convert("RGBA")
    if image.mode in ("RGBA", "LA", "PA", "RGBa", "La"):
        rgba = image.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        image = Image.alpha_composite(white, rgba)
    if image.mode != "RGB":
        image = image.convert("RGB")
    return np.asarray(image)


def pdq_of_pixels(pixels: npt.NDArray[np.uint8], dihedral: bool = True) -> tuple[str, int, tuple[str, ...]]:
    """PDQ hex, quality (0-100) and the 8 dihedral PDQ hexes of an RGB pixel array."""
    if dihedral:
        bits, quality = pdqhash.compute_dihedral(pixels)
        words = hashes_from_bits(np.asarray(bits))
        hexes = tuple(row.tobytes().hex() for row in hashes_to_bytes(words))
        return hexes[0], int(quality), hexes
    bit, quality = pdqhash.compute(pixels)
    return hashes_to_bytes(hashes_from_bits(np.asarray(bit)))[0].tobytes().hex(), int(quality), ()


def _decoded_for_pdq(image: Image.Image) -> Image.Image:
    """The image decoded at no less than PDQ_SIDE pixels on its short side: JPEGs are decoded at 1/2, 1/4 or 1/8
    scale by the codec itself and others shrunk by an integer box factor. PDQ only keeps a 64x64 view of the image,
    so this changes the hash by a few bits at most (the reference images stay within 8 bits of Meta's hashes) and
    makes hashing large photos several times faster than decoding them at full size."""
    if image.format == "JPEG":
        image.draft(None, (PDQ_JPEG_SIDE, PDQ_JPEG_SIDE))
    image.load()
    factor = min(image.size) // PDQ_SIDE
    if factor >= 2:
        try:
            return image.reduce(factor)
        except (ValueError, NotImplementedError):
            return image
    return image


def image_pdq(data: bytes) -> tuple[str, int, tuple[str, ...]]:
    """PDQ, quality and dihedral hashes of an encoded image; raises Unreadable."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            decoded = _decoded_for_pdq(image)
            orientation = image.getexif().get(0x0112, 1)  # after loading: a PNG's EXIF may follow its pixels
            if orientation != 1 and decoded is not image:
                decoded.getexif()[0x0112] = orientation
                decoded.info["exif"] = decoded.getexif().tobytes()
            pixels = rgb_pixels(decoded)
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as exc:
        raise Unreadable(f"image cannot be decoded: {exc}") from exc
    return pdq_of_pixels(pixels)


def video_vpdq(source: str | Path | IO[bytes], seconds_per_hash: float = 1.0) -> tuple[VpdqFrame, ...]:
    """vPDQ: the PDQ of the first frame at or after every whole second of the video (PyAV decodes)."""
    import av

    frames: list[VpdqFrame] = []
    try:
        with av.open(source if not isinstance(source, Path) else str(source), mode="r") as container:
            if not container.streams.video:
                raise Unreadable("no video stream")
            stream = container.streams.video[0]
            stream.thread_type = "AUTO"
            next_at = 0.0
            for frame in container.decode(stream):
                at = frame.time if frame.time is not None else next_at
                if at + 1e-6 < next_at:
                    continue
                pixels = np.asarray(frame.to_ndarray(format="rgb24"), dtype=np.uint8)
                pdq, quality, _ = pdq_of_pixels(pixels, dihedral=False)
                second = round(next_at / seconds_per_hash)
                frames.append(VpdqFrame(second=second, pdq=pdq, quality=quality))
                while next_at <= at + 1e-6:
                    next_at += seconds_per_hash
    except av.FFmpegError as exc:
        raise Unreadable(f"video cannot be decoded: {exc}") from exc
    if not frames:
        raise Unreadable("video has no decodable frame")
    return tuple(frames)


def hash_bytes(name: str, data: bytes) -> FileHashes:
    """All hashes of a file held in memory (e.g. a zip member)."""
    md5, sha1, sha256, size = digests([data])
    kind = kind_of(name)
    if kind == "other":
        kind = sniff(data[:16])
    base = FileHashes(kind=kind, size=size, md5=md5, sha1=sha1, sha256=sha256)
    return _with_perceptual(base, data)


def hash_file(path: Path) -> FileHashes:
    """All hashes of a file on disk; videos are digested by streaming and decoded from the path."""
    kind = kind_of(path.name)
    with path.open("rb") as stream:
        if kind == "other":
            kind = sniff(stream.read(16))
            stream.seek(0)
        if kind == "image":
            data = stream.read()
            md5, sha1, sha256, size = digests([data])
            base = FileHashes(kind=kind, size=size, md5=md5, sha1=sha1, sha256=sha256)
            return _with_perceptual(base, data)
        md5, sha1, sha256, size = digests(_chunks(stream))
    base = FileHashes(kind=kind, size=size, md5=md5, sha1=sha1, sha256=sha256)
    return _with_perceptual(base, path)


def _with_perceptual(base: FileHashes, content: bytes | Path) -> FileHashes:
    try:
        if base.kind == "image":
            data = content if isinstance(content, bytes) else content.read_bytes()
            pdq, quality, dihedral = image_pdq(data)
            return base.model_copy(update={"pdq": pdq, "pdq_quality": quality, "dihedral": dihedral})
        if base.kind == "video":
            source = io.BytesIO(content) if isinstance(content, bytes) else content
            return base.model_copy(update={"vpdq": video_vpdq(source)})
    except Unreadable as exc:
        return base.model_copy(update={"error": str(exc)})
    return base
