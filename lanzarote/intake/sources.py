"""Where documents come from: files, folders (recursive) and `.zip` archives, read safely.

A folder is walked in name order so runs are repeatable. Archives are opened without extracting anything to disk:
entries whose path escapes the archive (`../`, absolute paths), entries that would inflate beyond the limits (zip
bombs) and documents larger than the configured maximum are refused with a reason instead of being read.
"""

from __future__ import annotations

import hashlib
import os
import zipfile
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import NamedTuple

from lanzarote.errors import NotFound
from lanzarote.intake.documents import Document
from lanzarote.intake.settings import IntakeSettings
from lanzarote.model.quarantine import QuarantineEntry

DOCUMENT_SUFFIXES = (".xml", ".json", ".jsonl")


class PendingFile(NamedTuple):
    """A document file found but not read yet: reading it is left to whoever parses it (a reader process)."""

    location: str

    def load(self, limit: int, received_at: datetime) -> Document | QuarantineEntry:
        """The file's document, or a quarantine entry when it is larger than `limit` bytes."""
        fd = os.open(self.location, os.O_RDONLY)  # no buffered file object: one read of a small file
        try:
            stat = os.fstat(fd)
            if stat.st_size > limit:
                return QuarantineEntry(
                    location=self.location, content_sha256=_sha256_of_file(Path(self.location)), size=stat.st_size,
                    received_at=received_at,
                    reason=f"document is {stat.st_size:,} bytes, larger than the limit of {limit:,} "
                    "(LANZAROTE_MAX_DOCUMENT_BYTES)",
                )
            blocks = [os.read(fd, stat.st_size + 1)]
            if len(blocks[0]) > stat.st_size:  # it grew since: read on to its end
                while block := os.read(fd, 1 << 16):
                    blocks.append(block)
        finally:
            os.close(fd)
        return Document(self.location, b"".join(blocks), datetime.fromtimestamp(stat.st_mtime, UTC))


Found = Document | PendingFile | QuarantineEntry


def prefetch(found: Iterable[Found]) -> None:
    """Ask the kernel to start reading these pending files from disk now, all at once.

    Handed out a few batches before a reader gets to them, the files are then in memory when it does. Without it a
    reader waited on the disk for each small file in turn: over a million reports (more than the page cache holds
    beside the store) that was about a third of a reader's time. A file that cannot be opened here is left to the
    reader, which quarantines it with the reason."""
    advise = getattr(os, "posix_fadvise", None)
    if advise is None:  # not on every system; without it reads just wait their turn
        return
    for item in found:
        if not isinstance(item, PendingFile):
            continue
        try:
            fd = os.open(item.location, os.O_RDONLY)
        except OSError:
            continue
        try:
            advise(fd, 0, 0, os.POSIX_FADV_WILLNEED)
        except OSError:
            pass
        finally:
            os.close(fd)


def documents(paths: list[Path], received_at: datetime, settings: IntakeSettings) -> Iterator[Found]:
    """Every document under `paths` (files, folders, archives), or a quarantine entry for one that is refused."""
    for path in paths:
        if not path.exists():
            raise NotFound(f"{path}: no such file or folder")
        if path.is_dir():
            for location in walk(str(path)):
                yield from _file(location, settings, received_at)
        else:
            yield from _file(str(path), settings, received_at)


def walk(folder: str) -> Iterator[str]:
    """The files under `folder` in name order, one folder in memory at a time (folders can hold millions).

    Nothing is asked of a file here but its name: whoever reads it looks at its size and time on the open file.
    """
    with os.scandir(folder) as it:
        entries = sorted(it, key=lambda e: e.name)
    for entry in entries:
        if entry.is_dir(follow_symlinks=False):
            yield from walk(entry.path)
        elif entry.is_file():
            yield entry.path


def count_candidates(paths: list[Path]) -> int:
    """How many files could hold documents (for a progress bar's total)."""
    total = 0
    for path in paths:
        if path.is_dir():
            total += sum(1 for location in walk(str(path)) if is_candidate(location))
        elif path.exists():
            total += 1
    return total


def is_candidate(location: str) -> bool:
    return location.lower().endswith((*DOCUMENT_SUFFIXES, ".zip"))


def _file(location: str, settings: IntakeSettings, received_at: datetime) -> Iterator[Found]:
    lower = location.lower()
    if lower.endswith(".zip"):
        yield from _archive(Path(location), received_at, settings)
    elif lower.endswith(".jsonl"):
        modified = datetime.fromtimestamp(os.stat(location).st_mtime, UTC)
        yield from _lines(location, settings.max_document_bytes, modified, received_at)
    elif lower.endswith(DOCUMENT_SUFFIXES):
        yield PendingFile(location)


def _lines(location: str, limit: int, modified: datetime, received_at: datetime) -> Iterator[Found]:
    """A JSON Lines file, one record at a time (such files can hold millions): each line is its own document.

    A line is read up to the limit and no further: a longer one is hashed as it is skipped, never held whole."""
    with open(location, "rb") as fh:
        number = 0
        while line := fh.readline(limit + 1):
            number += 1
            if len(line) <= limit or line.endswith(b"\n"):
                if line.strip():
                    yield Document(f"{location}:{number}", line, modified)
                continue
            digest = hashlib.sha256(line)
            size = len(line)
            while not line.endswith(b"\n") and (line := fh.readline(1 << 20)):
                digest.update(line)
                size += len(line)
            yield QuarantineEntry(location=f"{location}:{number}", content_sha256=digest.hexdigest(), size=size,
                                  received_at=received_at, reason=f"record is {size:,} bytes, larger than "
                                  f"the limit of {limit:,} (LANZAROTE_MAX_DOCUMENT_BYTES)")


def read_location(location: str) -> Document:
    """One document again, by the location a quarantine entry recorded (`file` or `archive.zip!entry`)."""
    if "!" in location:
        archive, entry = location.split("!", 1)
        with zipfile.ZipFile(archive) as zf:
            content = zf.read(entry)
    else:
        content = Path(location).read_bytes()
    return Document(location, content)


def _sha256_of_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _archive(path: Path, received_at: datetime, settings: IntakeSettings) -> Iterator[Document | QuarantineEntry]:
    doc_limit = settings.max_document_bytes
    total_limit = settings.max_archive_bytes
    ratio_limit = settings.max_archive_ratio

    def refuse(location: str, reason: str, size: int | None = None) -> QuarantineEntry:
        return QuarantineEntry(location=location, content_sha256=None, reason=reason, size=size,
                               received_at=received_at)

    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        yield QuarantineEntry(location=str(path), content_sha256=_sha256_of_file(path), reason=f"not a readable zip "
                              f"archive: {exc}", size=path.stat().st_size, received_at=received_at)
        return
    with zf:
        packed = max(path.stat().st_size, 1)
        latest = settings.latest_plausible(datetime.now(UTC))
        total = 0
        for info in sorted(zf.infolist(), key=lambda i: i.filename):
            if info.is_dir():
                continue
            location = f"{path}!{info.filename}"
            name = PurePosixPath(info.filename.replace("\\", "/"))
            if name.is_absolute() or ".." in name.parts or ":" in info.filename.split("/", 1)[0]:
                yield refuse(location, "archive entry path escapes the archive (absolute or '..'): refused")
                continue
            if name.suffix.lower() not in DOCUMENT_SUFFIXES:
                continue
            if info.file_size > doc_limit:
                yield refuse(location, f"archive entry inflates to {info.file_size:,} bytes, larger than the limit of "
                             f"{doc_limit:,} (LANZAROTE_MAX_DOCUMENT_BYTES)", info.file_size)
                continue
            ratio = info.file_size / max(info.compress_size, 1)
            if ratio > ratio_limit:
                yield refuse(location, f"archive entry compresses {ratio:,.0f}:1, beyond {ratio_limit:,.0f}:1: "
                             "refused as a likely zip bomb (LANZAROTE_MAX_ARCHIVE_RATIO)", info.file_size)
                continue
            total += info.file_size
            if total > 1_000_000 and total / packed > ratio_limit:
                # many entries each within the ratio can still make a bomb: the archive as a whole is held to it
                yield refuse(location, f"archive of {packed:,} bytes inflates to {total:,} or more "
                             f"({total / packed:,.0f}:1), beyond {ratio_limit:,.0f}:1: the rest of it is refused as a "
                             "likely zip bomb (LANZAROTE_MAX_ARCHIVE_RATIO)", info.file_size)
                continue
            if total > total_limit:
                yield refuse(location, f"archive inflates beyond {total_limit:,} bytes in all: the rest of it is "
                             "refused (LANZAROTE_MAX_ARCHIVE_BYTES)", info.file_size)
                continue
            try:
                content = _read_bounded(zf, info, doc_limit)
            except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
                yield refuse(location, f"archive entry cannot be read: {exc}", info.file_size)
                continue
            yield Document(location, content, _entry_time(info, latest))


def _entry_time(info: zipfile.ZipInfo, latest: datetime) -> datetime | None:
    """An entry's date, where it can be when the report was received: not the format's zero (1980-01-01, what
    tools write when they have no date) nor later than now, as a zip's clock is the sender's (up to 2107)."""
    try:
        when = datetime(*info.date_time, tzinfo=UTC)
    except ValueError:
        return None
    return when if datetime(1980, 1, 2, tzinfo=UTC) <= when <= latest else None


def _read_bounded(zf: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> bytes:
    """Read an entry without trusting its declared size: stop once it inflates past the limit."""
    chunks: list[bytes] = []
    size = 0
    with zf.open(info) as fh:
        while block := fh.read(1 << 20):
            size += len(block)
            if size > limit:
                raise ValueError(f"inflates past {limit:,} bytes although it declares {info.file_size:,}")
            chunks.append(block)
    return b"".join(chunks)
