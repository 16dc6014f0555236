"""Ingest: documents from folders and archives → intake readers (on every core) → the store, in batches.

Reading and validating is the costly part and runs in reader processes, one per core; each reads a batch and writes
it in its own transaction, in the order the batches were handed out (a turnstile), so the outcome is the same as
one process reading in order. The main process only walks the input and adds up the summary. The input is
streamed: memory stays flat whatever the number of reports.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError

from lanzarote import config
from lanzarote.intake.documents import (
    ClearingHouseDocument,
    FileDetailsDocument,
    IntakeResult,
    StoredFile,
    StoredReport,
)
from lanzarote.intake.read import read_for_store
from lanzarote.intake.settings import IntakeSettings
from lanzarote.intake.sources import Found, PendingFile, documents, prefetch
from lanzarote.model.quarantine import QuarantineEntry
from lanzarote.model.report import Report
from lanzarote.pipeline import anchor
from lanzarote.pipeline.owners import Uploader, screen
from lanzarote.pipeline.processes import FORK, helpers, in_order, start_helper
from lanzarote.pipeline.settings import intake_settings
from lanzarote.store import ingest as store_ingest
from lanzarote.store import partitions
from lanzarote.store.db import make_engine, session
from lanzarote.store.ingest import FileRow, IngestCounts, LayerRow, ReportRow, Row


@dataclass
class IngestSummary:
    documents: int = 0
    counts: IngestCounts = field(default_factory=IngestCounts)
    stale_keys: int = 0
    audit_faults: list[str] = field(default_factory=list)
    """What the audit trail's checkpoint found wrong (then no checkpoint was written: `audit verify` says more)."""

    def as_dict(self) -> dict[str, int]:
        return {"documents": self.documents, **self.counts.as_dict()}


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def rows_of(result: IntakeResult | StoredReport | StoredFile, location: str) -> Row:
    """What the store keeps of one intake result (serialised here, in the worker, unless the reader did)."""
    if isinstance(result, StoredReport):
        return _report_row(result.source, result.source_id, result.origin, result.received_at, result.content,
                           location, layered=False)
    if isinstance(result, StoredFile):
        return FileRow(f"{result.source}/{result.report_source_id}", result.file_id, _sha(result.document),
                       result.document, location)
    if isinstance(result, Report):
        return _report_row(result.source, result.source_id, result.origin.value, result.received_at,
                           result.model_dump_json(exclude={"received_at"}), location,
                           layered=result.clearing_house is not None)
    if isinstance(result, FileDetailsDocument):
        document = result.file.model_dump_json()
        return FileRow(f"{result.source}/{result.report_source_id}", result.file.file_id, _sha(document), document,
                       location)
    if isinstance(result, ClearingHouseDocument):
        document = result.layer.model_dump_json()
        return LayerRow(f"{result.source}/{result.report_source_id}", _sha(document), document)
    return result


def _report_row(source: str, source_id: str, origin: str, received_at: datetime | None, content: str, location: str,
                layered: bool) -> ReportRow:
    # The content's hash leaves out when it was received (a file copied again is the same report); the stored
    # document is that same serialisation with the received time put in front, so it is written only once.
    received = json.dumps(received_at.isoformat()) if received_at else "null"
    return ReportRow(
        key=f"{source}/{source_id}",
        source=source,
        source_id=source_id,
        content_sha256=_sha(content),
        origin=origin,
        received_at=received_at,
        document=f'{{"received_at":{received},{content[1:]}',
        location=location,
        layered=layered,
    )


def read_chunk(chunk: Sequence[Found], received_at: datetime, settings: IntakeSettings) -> list[Row]:
    """Read a chunk of documents into store rows. Never raises for a bad document: it becomes a quarantine row."""
    rows: list[Row] = []
    limit = settings.max_document_bytes
    for found in chunk:
        item = found
        if isinstance(item, PendingFile):
            try:
                item = item.load(limit, received_at)
            except OSError as exc:
                item = QuarantineEntry(location=found.location, content_sha256=None, received_at=received_at,
                                       reason=f"cannot be read: {exc.strerror or exc}")
        if isinstance(item, QuarantineEntry):
            rows.append(item)
            continue
        try:
            results = read_for_store(item, received_at, settings)
        except Exception as exc:  # a reader bug must not lose the batch: quarantine the document with the cause
            results = [QuarantineEntry(location=item.location, content_sha256=item.sha256, received_at=received_at,
                                       size=len(item.content), reason=f"internal error while reading: {exc!r}")]
        for result in results:
            try:
                rows.append(rows_of(result, item.location))
            except (ValueError, OverflowError) as exc:  # e.g. text that cannot be encoded: quarantined, not raised
                rows.append(QuarantineEntry(location=item.location, content_sha256=item.sha256,
                                            received_at=received_at, size=len(item.content),
                                            reason=f"cannot be stored: {exc}"))
    return rows


def _chunks(items: Iterable[Found], size: int) -> Iterator[list[Found]]:
    """The documents in batches, each batch's files asked of the disk as it is made (readers get it later)."""
    it = iter(items)
    while chunk := list(islice(it, size)):
        prefetch(chunk)
        yield chunk


class Turnstile:
    """Lets batches be written in the order they were handed out, whichever reader finished first.

    Readers parse in parallel; each then waits for its turn to write, so what ends up stored (the first of two
    conflicting documents is the one kept) is the same as if one process had read everything in order.
    """

    def __init__(self, ctx: Any) -> None:
        self._next = ctx.Value("q", 0, lock=False)
        self._cond = ctx.Condition()

    @contextmanager
    def turn(self, index: int) -> Iterator[None]:
        with self._cond:
            self._cond.wait_for(lambda: self._next.value == index)
            try:
                yield
            finally:
                self._next.value = index + 1
                self._cond.notify_all()


@dataclass
class _Writer:
    """What a reader needs to store its batches: the store, the ingest run, and its turn to write."""

    engine: Engine
    run_id: int
    received_at: datetime
    settings: IntakeSettings
    turnstile: Turnstile | None = None
    owner: Uploader | None = None

    def read_and_write(self, index: int, chunk: list[Found]) -> tuple[int, IngestCounts]:
        rows = read_chunk(chunk, self.received_at, self.settings)
        with self.turnstile.turn(index) if self.turnstile else nullcontext():
            return len(chunk), self.write(rows)

    def write(self, rows: list[Row]) -> IngestCounts:
        """Store a batch in one transaction; should the store refuse it, a record at a time."""
        try:
            with session(self.engine) as s:
                return self._write(s, rows)
        except STORE_REFUSALS:
            return self.one_by_one(rows)

    def _write(self, s: Any, rows: list[Row]) -> IngestCounts:
        if self.owner is None:
            return store_ingest.write_batch(s, self.run_id, rows, self.received_at,
                                            self.settings.max_files_per_report)
        return self._write_owned(s, rows)

    def one_by_one(self, rows: list[Row]) -> IngestCounts:
        """The batch again, a record at a time, after the store refused it whole: the record it refuses is
        quarantined with the store's reason, and the others are kept (one document never loses a batch)."""
        counts = IngestCounts()
        for row in rows:
            try:
                with session(self.engine) as s:
                    counts.add(self._write(s, [row]))
            except STORE_REFUSALS as exc:
                with session(self.engine) as s:
                    counts.quarantined += store_ingest.write_quarantine(s, [refused(row, exc, self.received_at)],
                                                                        self.received_at)
        return counts

    def _write_owned(self, s: Any, rows: list[Row]) -> IngestCounts:
        """Write what the uploader's agency may write; quarantine the rest with the reason, answering a refusal
        that depends on another agency's report as if the record had been taken in."""
        assert self.owner is not None
        keys = [r.key if isinstance(r, ReportRow) else r.report_key for r in rows if not isinstance(r, QuarantineEntry)]
        screened = screen(rows, self.owner, store_ingest.placements(s, keys), self.received_at)
        counts = store_ingest.write_batch(s, self.run_id, [*screened.kept, *screened.refused], self.received_at,
                                          self.settings.max_files_per_report)
        store_ingest.write_quarantine(s, [entry for _, entry in screened.masked], self.received_at)
        for row, _ in screened.masked:
            if isinstance(row, ReportRow):
                counts.new += 1
            elif isinstance(row, FileRow):
                counts.files += 1
            else:
                counts.layers += 1
        counts.refused.extend((e.location, e.reason) for e in screened.refused)
        counts.refused.extend((e.location, e.reason) for _, e in screened.masked)
        return counts


STORE_REFUSALS = (DBAPIError, ValueError, OverflowError)
"""What the database (or its driver) raises for a value it cannot keep. Intake's bounds should leave none, but
the two engines differ (PostgreSQL checks lengths and refuses NUL; SQLite does neither) and a batch must not be
lost to one document either way."""


def refused(row: Row, exc: Exception, now: datetime) -> QuarantineEntry:
    """A quarantine entry for a record the store refused, with the database's first line as the reason."""
    said = str(getattr(exc, "orig", None) or exc).strip()
    cause = f"{type(exc).__name__}: {said.splitlines()[0][:300]}" if said else type(exc).__name__
    reason = f"the database refused this record ({cause}): fix the value it names and retry"
    if isinstance(row, QuarantineEntry):
        return QuarantineEntry(location=row.location[:1000], content_sha256=row.content_sha256, received_at=now,
                               reason=f"{row.reason[:1000]}; and {reason}")
    if isinstance(row, LayerRow):
        return QuarantineEntry(location=f"clearing-house layer of {row.report_key[:300]}",
                               content_sha256=row.content_sha256, received_at=now, reason=reason)
    return QuarantineEntry(location=row.location, content_sha256=row.content_sha256, received_at=now, reason=reason)


_WRITER: _Writer | None = None
"""The reader process's own writer (set when the process starts)."""


def _start_reader(url: str, run_id: int, received_at: datetime, settings: IntakeSettings, turnstile: Turnstile
                  ) -> None:
    global _WRITER
    start_helper()
    _WRITER = _Writer(make_engine(url), run_id, received_at, settings, turnstile)


def _read_and_write(index: int, chunk: list[Found]) -> tuple[int, IngestCounts]:
    assert _WRITER is not None, "a reader process starts with its writer"
    return _WRITER.read_and_write(index, chunk)


def _in_pool(
    engine: Engine, run_id: int, received_at: datetime, settings: IntakeSettings, chunks: Iterator[list[Found]],
    workers: int,
) -> Iterator[tuple[int, IngestCounts]]:
    """Each batch read and written by a reader process; results in input order, a bounded number in flight."""
    url = engine.url.render_as_string(hide_password=False)
    return in_order(_read_and_write, enumerate(chunks), workers=workers, initializer=_start_reader,
                    initargs=(url, run_id, received_at, settings, Turnstile(FORK)), ahead=workers * 2 - 1)


def ingest(
    engine: Engine,
    paths: Sequence[Path],
    *,
    progress: Callable[[int], None] | None = None,
    workers: int | None = None,
    owner: Uploader | None = None,
) -> IngestSummary:
    """Take in every document under `paths`; each ends stored or quarantined. Returns the summary.

    Documents go in batches of `ingest_batch` to reader processes, each of which reads its batch and writes it in
    one transaction, in the order the batches were handed out; the main process only walks the input. With
    `owner` (an upload over the API), only what the uploader's agency may write is written (`pipeline.owners`),
    in this process.
    """
    now = datetime.now(UTC)
    settings = intake_settings()
    workers = helpers(engine, workers or config.workers())
    batch_size = int(config.get("ingest_batch"))
    summary = IngestSummary()
    partitions.ensure_ahead(engine, now)  # PostgreSQL: this month's partitions and those ahead exist before rows
    with session(engine) as s:
        run_id = store_ingest.start_run(s, [str(p) for p in paths], now)
    chunks = _chunks(documents(list(paths), now, settings), batch_size)
    if owner is not None:
        workers = 1
    if workers <= 1:
        writer = _Writer(engine, run_id, now, settings, owner=owner)
        results: Iterable[tuple[int, IngestCounts]] = (writer.read_and_write(i, c) for i, c in enumerate(chunks))
    else:
        results = _in_pool(engine, run_id, now, settings, chunks, workers)
    for n_docs, counts in results:
        summary.documents += n_docs
        summary.counts.add(counts)
        summary.counts.stale_keys |= counts.stale_keys
        if progress:
            progress(n_docs)
    summary.stale_keys = len(summary.counts.stale_keys)
    with session(engine) as s:
        store_ingest.finish_run(s, run_id, json.dumps(summary.as_dict()), datetime.now(UTC))
    summary.audit_faults = anchor.checkpoint(engine)
    return summary
