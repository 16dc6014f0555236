"""Seized-media triage: walk a folder (and the zip archives in it), hash every image and video on every core,
match them against the installed lists, and write one JSON line per file plus a summary.

Files are only read: nothing is copied, extracted to disk, resized to disk, thumbnailed or displayed. A file that
cannot be read or decoded is listed as unreadable and the scan goes on.
"""

from __future__ import annotations

import io
import json
import os
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, TextIO

from lanzarote.media.hashing import FileHashes, hash_bytes, hash_file, kind_of, sniff
from lanzarote.media.library import Matcher, query_of_hashes
from lanzarote.model.media import FileVerdict, Verdict

ARCHIVE_SUFFIXES = frozenset({".zip"})
_MATCH_BATCH = 256


@dataclass(frozen=True)
class ScanLimits:
    """The zip-bomb bounds a scan holds archives to; built from the settings by whoever runs the scan."""

    max_archive_bytes: int
    """Largest total uncompressed size of an archive's members."""
    max_archive_ratio: float
    """Largest compression ratio of a member before it counts as a zip bomb."""


@dataclass
class Scanned:
    """One file's outcome: where it is, its hashes (None when it could not be read at all), and why not."""

    path: str
    hashes: FileHashes | None
    error: str | None = None


@dataclass
class ScanSummary:
    files: int = 0
    verdicts: Counter[str] = field(default_factory=Counter)
    categories: Counter[str] = field(default_factory=Counter)
    victim_identified: int = 0
    flood_flagged: int = 0
    skipped_not_media: int = 0
    unreadable: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "files": self.files, "verdicts": dict(self.verdicts), "categories": dict(self.categories),
            "victim_identified": self.victim_identified, "flood_flagged": self.flood_flagged,
            "skipped_not_media": self.skipped_not_media, "unreadable": self.unreadable,
        }


def _is_archive(path: Path) -> bool:
    if path.suffix.lower() in ARCHIVE_SUFFIXES:
        return True
    if path.suffix:
        return False
    try:
        with path.open("rb") as f:
            return f.read(4) == b"PK\x03\x04"
    except OSError:
        return False


def _media_kind(path: Path) -> str:
    kind = kind_of(path.name)
    if kind != "other" or path.suffix:
        return kind
    try:
        with path.open("rb") as f:
            return sniff(f.read(16))
    except OSError:
        return "other"


def tasks(root: Path, skipped: Callable[[], None]) -> Iterator[Path]:
    """Files worth opening: images, videos and zip archives, in a stable order."""
    if root.is_file():
        yield root
        return
    failed: list[str] = []  # folders that cannot be listed come back as unreadable entries
    for folder, dirs, files in os.walk(root, onerror=lambda error: failed.append(str(error.filename))):
        while failed:
            yield Path(failed.pop())
        dirs.sort()
        for name in sorted(files):
            path = Path(folder) / name
            if _is_archive(path) or _media_kind(path) != "other":
                yield path
            else:
                skipped()
    while failed:
        yield Path(failed.pop())


def _archive(path: Path, display: str, limits: ScanLimits, data: bytes | None = None, depth: int = 0
             ) -> list[Scanned]:
    """Every image and video in a zip archive (nested archives too), read in memory with bomb limits."""
    limit = limits.max_archive_bytes
    ratio = limits.max_archive_ratio
    out: list[Scanned] = []
    try:
        with zipfile.ZipFile(io.BytesIO(data) if data is not None else path) as archive:
            total = 0
            for info in archive.infolist():
                if info.is_dir():
                    continue
                inner = f"{display}!{info.filename}"
                total += info.file_size
                if total > limit or (info.compress_size and info.file_size / info.compress_size > ratio):
                    out.append(Scanned(inner, None, "refused: archive too large or too compressed (zip bomb)"))
                    continue
                is_zip = info.filename.lower().endswith(".zip")
                if not is_zip and kind_of(info.filename) == "other" and Path(info.filename).suffix:
                    continue
                try:
                    content = archive.read(info)
                except (zipfile.BadZipFile, OSError, RuntimeError, EOFError) as exc:
                    out.append(Scanned(inner, None, f"cannot read archive member: {exc}"))
                    continue
                if is_zip or content[:4] == b"PK\x03\x04":
                    if depth < 3:
                        out.extend(_archive(path, inner, limits, content, depth + 1))
                    continue
                hashed = hash_bytes(info.filename, content)
                if hashed.kind != "other":
                    out.append(Scanned(inner, hashed, hashed.error))
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        out.append(Scanned(display, None, f"cannot read archive: {exc}"))
    return out


def hash_task(path: Path, limits: ScanLimits) -> list[Scanned]:
    """Hash one file or every media file in one archive (runs in a worker process)."""
    try:
        if _is_archive(path):
            return _archive(path, str(path), limits)
        hashed = hash_file(path)
        return [Scanned(str(path), hashed, hashed.error)]
    except OSError as exc:
        return [Scanned(str(path), None, f"cannot read: {exc.strerror or exc}")]


def _record(item: Scanned, verdict: FileVerdict) -> dict[str, Any]:
    h = item.hashes
    record: dict[str, Any] = {"path": item.path, "verdict": verdict.verdict.value}
    if h is not None:
        record.update({"kind": h.kind, "size": h.size, "md5": h.md5, "sha1": h.sha1, "sha256": h.sha256,
                       "pdq": h.pdq, "pdq_quality": h.pdq_quality})
        if h.vpdq:
            record["vpdq_frames"] = len(h.vpdq)
    if item.error:
        record["error"] = item.error
    record["matches"] = [m.model_dump(mode="json", exclude_defaults=True) for m in verdict.matches]
    return record


def _verdicts(matcher: Matcher, batch: list[Scanned]) -> list[FileVerdict]:
    hashed = [(i, s) for i, s in enumerate(batch) if s.hashes is not None]
    found = matcher.verdicts([query_of_hashes(s.path, s.hashes, matcher.min_quality)
                              for _, s in hashed if s.hashes is not None])
    out = [FileVerdict(file_id=s.path, verdict=Verdict.UNREADABLE) for s in batch]
    for (i, s), v in zip(hashed, found, strict=True):
        if s.error and v.verdict in (Verdict.UNKNOWN, Verdict.NOT_MATCHED):
            v = v.model_copy(update={"verdict": Verdict.UNREADABLE})
        out[i] = v
    return out


def scan(root: Path, out: Path, matcher: Matcher, limits: ScanLimits, workers: int,
         progress: Callable[[int], None] | None = None) -> ScanSummary:
    """Scan `root` into JSON Lines at `out` on `workers` processes; returns (and writes beside `out`) the summary."""
    summary = ScanSummary()

    def skipped() -> None:
        summary.skipped_not_media += 1

    def flush(batch: list[Scanned], sink: TextIO) -> None:
        for item, verdict in zip(batch, _verdicts(matcher, batch), strict=True):
            summary.files += 1
            summary.verdicts[verdict.verdict.value] += 1
            if verdict.verdict is Verdict.UNREADABLE:
                summary.unreadable.append(item.path)
            live = [m for m in verdict.matches if not m.suppressed_by_allow_list]
            for category in {m.category or "uncategorised" for m in live}:
                summary.categories[category] += 1
            summary.victim_identified += verdict.victim_identified
            summary.flood_flagged += any(m.flood_flagged for m in verdict.matches)
            sink.write(json.dumps(_record(item, verdict)) + "\n")
        if progress is not None:
            progress(len(batch))
        batch.clear()

    task = partial(hash_task, limits=limits)
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8") as sink:
        batch: list[Scanned] = []
        if workers <= 1:
            results: Iterator[list[Scanned]] = (task(p) for p in tasks(root, skipped))
            for result in results:
                batch.extend(result)
                if len(batch) >= _MATCH_BATCH:
                    flush(batch, sink)
        else:
            with ProcessPoolExecutor(workers) as pool:
                for result in pool.map(task, tasks(root, skipped), chunksize=8):
                    batch.extend(result)
                    if len(batch) >= _MATCH_BATCH:
                        flush(batch, sink)
        flush(batch, sink)
    summary_path(out).write_text(json.dumps(summary.as_dict(), indent=1))
    return summary


def summary_path(out: Path) -> Path:
    return out.with_name(out.name + ".summary.json")
