"""Retrying quarantined documents after a fix: read each again from where it came from."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import Engine

from lanzarote.intake.documents import Document
from lanzarote.intake.sources import read_location
from lanzarote.model.quarantine import QuarantineEntry
from lanzarote.pipeline.ingest import read_chunk
from lanzarote.pipeline.settings import intake_settings
from lanzarote.store import ingest as store_ingest
from lanzarote.store import quarantine as store_quarantine
from lanzarote.store.db import session


@dataclass
class RetrySummary:
    taken_in: int = 0
    still_quarantined: int = 0
    missing: list[str] = field(default_factory=list)


def _document(location: str) -> Document:
    """The document at `location`; for a JSON Lines record ('file.jsonl:12') just that line."""
    path, _, line = location.rpartition(":")
    if path.lower().endswith(".jsonl") and line.isdigit():
        whole = read_location(path)
        lines = whole.content.splitlines()
        number = int(line)
        content = lines[number - 1] if 0 < number <= len(lines) else b""
        return Document(path, content)
    return read_location(location)


def retry(engine: Engine) -> RetrySummary:
    """Re-read every open quarantine entry; take in what now reads, keep the rest with the current reason."""
    now = datetime.now(UTC)
    settings = intake_settings()
    summary = RetrySummary()
    with session(engine) as s:
        open_entries = store_quarantine.entries(s)
        run_id = store_ingest.start_run(s, ["quarantine retry"], now)
    for entry in open_entries:
        try:
            document = _document(entry.location)
        except (OSError, KeyError, ValueError) as exc:
            summary.missing.append(f"{entry.location}: {exc}")
            summary.still_quarantined += 1
            continue
        rows = read_chunk([document], now, settings)
        problems = [r for r in rows if isinstance(r, QuarantineEntry)]
        with session(engine) as s:
            if problems:
                store_quarantine.update_reason(s, entry.id, problems[0].reason, document.sha256)
                summary.still_quarantined += 1
            else:
                store_ingest.write_batch(s, run_id, rows, now, settings.max_files_per_report)
                store_quarantine.resolve(s, entry.id, "taken in on retry", now)
                summary.taken_in += 1
    return summary
