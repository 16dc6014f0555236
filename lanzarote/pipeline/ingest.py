"""Ingest: documents from folders and archives → intake readers (on every core) → the store, in batches.

Reading and validating is the costly part and runs in worker processes; the main process walks the input, keeps
the order, and writes each batch in its own transaction. The input is streamed: memory stays flat whatever the
number of reports.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import islice
from multiprocessing.pool import AsyncResult
from pathlib import Path

from sqlalchemy import Engine

from lanzarote import config
from lanzarote.intake.documents import ClearingHouseDocument, FileDetailsDocument, IntakeResult
from lanzarote.intake.read import read_document
from lanzarote.intake.sources import Found, PendingFile, documents
from lanzarote.model.quarantine import QuarantineEntry
from lanzarote.model.report import Report
from lanzarote.store import ingest as store_ingest
from lanzarote.store.db import session
from lanzarote.store.ingest import FileRow, IngestCounts, LayerRow, ReportRow, Row

CHUNK = 256
"""Documents handed to a worker at a time: large enough to amortise the hand-over, small enough to balance."""


@dataclass
class IngestSummary:
    documents: int = 0
    counts: IngestCounts = field(default_factory=IngestCounts)
    stale_keys: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"documents": self.documents, **self.counts.as_dict()}


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def rows_of(result: IntakeResult, location: str) -> Row:
    """What the store keeps of one intake result (serialised here, in the worker)."""
    if isinstance(result, Report):
        # The content's hash leaves out when it was received (a file copied again is the same report); the stored
        # document is that same serialisation with the received time put in front, so it is written only once.
        content = result.model_dump_json(exclude={"received_at"})
        received = json.dumps(result.received_at.isoformat()) if result.received_at else "null"
        return ReportRow(
            key=f"{result.source}/{result.source_id}",
            source=result.source,
            source_id=result.source_id,
            content_sha256=_sha(content),
            origin=result.origin.value,
            received_at=result.received_at,
            document=f'{{"received_at":{received},{content[1:]}',
            location=location,
        )
    if isinstance(result, FileDetailsDocument):
        document = result.file.model_dump_json()
        return FileRow(f"{result.source}/{result.report_source_id}", result.file.file_id, _sha(document), document,
                       location)
    if isinstance(result, ClearingHouseDocument):
        document = result.layer.model_dump_json()
        return LayerRow(f"{result.source}/{result.report_source_id}", _sha(document), document)
    return result


def read_chunk(chunk: Sequence[Found], received_at: datetime) -> list[Row]:
    """Read a chunk of documents into store rows. Never raises for a bad document: it becomes a quarantine row."""
    rows: list[Row] = []
    for item in chunk:
        if isinstance(item, QuarantineEntry):
            rows.append(item)
            continue
        if isinstance(item, PendingFile):
            try:
                item = item.load()
            except OSError as exc:
                rows.append(QuarantineEntry(location=item.location, content_sha256=None, received_at=received_at,
                                            reason=f"cannot be read: {exc.strerror or exc}"))
                continue
        try:
            results = read_document(item, received_at)
        except Exception as exc:  # a reader bug must not lose the batch: quarantine the document with the cause
            results = [QuarantineEntry(location=item.location, content_sha256=item.sha256, received_at=received_at,
                                       size=len(item.content), reason=f"internal error while reading: {exc!r}")]
        rows.extend(rows_of(r, item.location) for r in results)
    return rows


def _chunks(items: Iterable[Found]) -> Iterator[list[Found]]:
    it = iter(items)
    while chunk := list(islice(it, CHUNK)):
        yield chunk


def _read_counted(chunk: list[Found], received_at: datetime) -> tuple[int, list[Row]]:
    return len(chunk), read_chunk(chunk, received_at)


def _in_pool(
    tasks: Iterator[tuple[list[Found], datetime]], workers: int
) -> Iterator[tuple[int, list[Row]]]:
    """Results in input order, with a bounded number of chunks in flight (so memory stays flat)."""
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(workers) as pool:
        window: deque[AsyncResult[tuple[int, list[Row]]]] = deque()
        for task in tasks:
            window.append(pool.apply_async(_read_counted, task))
            if len(window) >= workers * 4:
                yield window.popleft().get()
        while window:
            yield window.popleft().get()


def ingest(
    engine: Engine,
    paths: Sequence[Path],
    *,
    progress: Callable[[int], None] | None = None,
    workers: int | None = None,
) -> IngestSummary:
    """Take in every document under `paths`; each ends stored or quarantined. Returns the summary."""
    now = datetime.now(UTC)
    workers = workers or config.workers()
    batch_size = int(config.get("batch_size"))
    summary = IngestSummary()
    with session(engine) as s:
        run_id = store_ingest.start_run(s, [str(p) for p in paths], now)
    tasks = ((chunk, now) for chunk in _chunks(documents(list(paths), now)))
    pending: list[Row] = []

    def flush() -> None:
        if pending:
            with session(engine) as s:
                counts = store_ingest.write_batch(s, run_id, pending, now)
            summary.counts.add(counts)
            summary.counts.stale_keys |= counts.stale_keys
            pending.clear()

    def consume(results: Iterable[tuple[int, list[Row]]]) -> None:
        for n_docs, rows in results:
            summary.documents += n_docs
            pending.extend(rows)
            if len(pending) >= batch_size:
                flush()
            if progress:
                progress(n_docs)

    consume(_read_counted(*t) for t in tasks) if workers <= 1 else consume(_in_pool(tasks, workers))
    flush()
    summary.stale_keys = len(summary.counts.stale_keys)
    with session(engine) as s:
        store_ingest.finish_run(s, run_id, json.dumps(summary.as_dict()), datetime.now(UTC))
    return summary
