"""Writing what intake read: new reports, new versions, attached files and layers, and quarantine entries.

One call writes one batch in the caller's transaction, so a process killed mid-ingest leaves whole batches only,
and running the ingest again finds what is already there: the same (source, id) with the same content changes
nothing, changed content becomes a new version (the old one is kept), and the same id met twice in one ingest
run with different content keeps the first and quarantines the second.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, NamedTuple

from sqlalchemy import Column, Table, insert, select, update
from sqlalchemy.orm import Session

from lanzarote.model.quarantine import QuarantineEntry
from lanzarote.store import schema
from lanzarote.store.bulk import insert_many


class ReportRow(NamedTuple):
    key: str
    source: str
    source_id: str
    content_sha256: str
    origin: str
    received_at: datetime | None
    document: str
    location: str
    layered: bool = False
    """The report carries a clearing-house block of its own."""


class FileRow(NamedTuple):
    report_key: str
    file_id: str
    content_sha256: str
    document: str
    location: str


class LayerRow(NamedTuple):
    report_key: str
    content_sha256: str
    document: str


MAX_INTEGER = 2**31 - 1
"""The largest value of an Integer column on PostgreSQL."""

Row = ReportRow | FileRow | LayerRow | QuarantineEntry
"""What a reader worker hands the writer: plain tuples, so that passing them between processes costs little."""


@dataclass
class IngestCounts:
    """The ingest summary: what happened to each record."""

    new: int = 0
    unchanged: int = 0
    new_versions: int = 0
    quarantined: int = 0
    files: int = 0
    files_unchanged: int = 0
    layers: int = 0
    stale_keys: set[str] = field(default_factory=set, repr=False)
    refused: list[tuple[str, str]] = field(default_factory=list, repr=False)
    """(location, reason) of each record an upload may not write (quarantined, and audited by the caller)."""

    def add(self, other: IngestCounts) -> None:
        for name in ("new", "unchanged", "new_versions", "quarantined", "files", "files_unchanged", "layers"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.refused.extend(other.refused)

    def as_dict(self) -> dict[str, int]:
        return {
            "new": self.new,
            "unchanged": self.unchanged,
            "new_versions": self.new_versions,
            "quarantined": self.quarantined,
            "files": self.files,
            "files_unchanged": self.files_unchanged,
            "layers": self.layers,
        }


def _utc(value: datetime | None) -> datetime | None:
    return value.astimezone(UTC) if value is not None else None


def start_run(session: Session, paths: Sequence[str], now: datetime) -> int:
    runs = schema.ingest_runs
    query = insert(runs).values(started_at=now, paths="\n".join(paths)).returning(runs.c.id)
    return int(session.execute(query).scalar_one())


def finish_run(session: Session, run_id: int, summary: str, now: datetime) -> None:
    session.execute(
        update(schema.ingest_runs).where(schema.ingest_runs.c.id == run_id).values(finished_at=now, summary=summary)
    )


def write_batch(session: Session, run_id: int, rows: Sequence[Row], now: datetime,
                max_files: int | None = None) -> IngestCounts:
    """Store one batch; returns what happened (and which reports need processing again). A file beyond a
    report's `max_files` is quarantined instead of attached."""
    counts = IngestCounts()
    reports = [r for r in rows if isinstance(r, ReportRow)]
    quarantine = [r for r in rows if isinstance(r, QuarantineEntry)]
    quarantine += _write_reports(session, run_id, reports, now, counts)
    quarantine += _write_files(session, [r for r in rows if isinstance(r, FileRow)], now, counts, max_files)
    _write_layers(session, [r for r in rows if isinstance(r, LayerRow)], now, counts)
    counts.quarantined += write_quarantine(session, quarantine, now)
    if counts.stale_keys:  # only those processed already: a report not processed yet is stale (no row rewritten)
        s = schema.report_state
        session.execute(
            update(s).where(s.c.report_key.in_(sorted(counts.stale_keys)), s.c.stale.is_(False)).values(stale=True)
        )
    return counts


def _write_reports(
    session: Session, run_id: int, rows: list[ReportRow], now: datetime, counts: IngestCounts
) -> list[QuarantineEntry]:
    rejected: list[QuarantineEntry] = []
    first: dict[str, ReportRow] = {}
    for row in rows:
        seen = first.get(row.key)
        if seen is None:
            first[row.key] = row
        elif seen.content_sha256 == row.content_sha256:
            counts.unchanged += 1
        else:
            rejected.append(_duplicate(row, seen.location, now))
    if not first:
        return rejected
    r = schema.reports
    existing = {
        x.report_key: x
        for x in session.execute(
            select(r.c.report_key, r.c.version, r.c.content_sha256, r.c.run_id, r.c.location).where(
                r.c.report_key.in_(list(first)), r.c.latest.is_(True)
            )
        )
    }
    inserts: list[dict[str, object]] = []
    states: list[dict[str, object]] = []
    superseded: list[str] = []
    for key, row in first.items():
        old = existing.get(key)
        if old is None:
            version = 1
            counts.new += 1
        elif old.content_sha256 == row.content_sha256:
            counts.unchanged += 1
            continue
        elif old.run_id == run_id:
            rejected.append(_duplicate(row, old.location, now))
            continue
        else:
            version = old.version + 1
            superseded.append(key)
            counts.new_versions += 1
        inserts.append(
            {
                "report_key": key,
                "source": row.source,
                "source_id": row.source_id,
                "version": version,
                "latest": True,
                "content_sha256": row.content_sha256,
                "origin": row.origin,
                "received_at": _utc(row.received_at),
                "ingested_at": now,
                "run_id": run_id,
                "location": row.location,
                "document": row.document,
            }
        )
        states.append({"key": key, "row": row, "version": version, "new": old is None})
    if superseded:
        # by key (the (report_key, version) index of every partition), not by id: partitioned, `reports` has no index
        # of ids
        session.execute(update(r).where(r.c.report_key.in_(superseded), r.c.latest.is_(True)).values(latest=False))
    insert_many(session, r, inserts)
    new_states = [
        {
            "report_key": s["key"],
            "source": s["row"].source,  # type: ignore[attr-defined]
            "source_id": s["row"].source_id,  # type: ignore[attr-defined]
            # no received time in the report: ours, so that the queue's order never meets a NULL
            "received_at": _utc(s["row"].received_at) or now,  # type: ignore[attr-defined]
            "version": s["version"],
            "stale": True,
            "tier_rank": schema.TIER_RANK_UNRANKED,
        }
        for s in states
        if s["new"]
    ]
    insert_many(session, schema.report_state, new_states)
    for s in states:
        if not s["new"]:
            session.execute(
                update(schema.report_state)
                .where(schema.report_state.c.report_key == s["key"])
                .values(version=s["version"], stale=True)
            )
    return rejected


def _duplicate(row: ReportRow, first_location: str | None, now: datetime) -> QuarantineEntry:
    return QuarantineEntry(
        location=row.location,
        content_sha256=row.content_sha256,
        received_at=now,
        reason=(
            f"report {row.source}/{row.source_id} appears twice in this ingest with different content "
            f"(first at {first_location}); the first was kept. Check which is right, fix the file and retry."
        ),
    )


def _write_files(session: Session, rows: list[FileRow], now: datetime, counts: IngestCounts,
                 max_files: int | None) -> list[QuarantineEntry]:
    if not rows:
        return []
    f = schema.report_files
    latest: dict[tuple[str, str], FileRow] = {}
    for row in rows:
        latest[(row.report_key, row.file_id)] = row
    keys = sorted({k for k, _ in latest})
    existing = {
        (x.report_key, x.file_id): x
        for x in session.execute(
            select(f.c.id, f.c.report_key, f.c.file_id, f.c.content_sha256, f.c.version)
            .where(f.c.report_key.in_(keys))
        )
    }
    held = Counter(key for key, _ in existing)
    inserts = []
    updates: list[tuple[int, dict[str, object]]] = []
    refused = []
    for (key, file_id), row in latest.items():
        old = existing.get((key, file_id))
        if old is not None and old.content_sha256 == row.content_sha256:
            counts.files_unchanged += 1
            continue
        if old is None and max_files is not None and held[key] >= max_files:
            refused.append(QuarantineEntry(
                location=row.location, content_sha256=row.content_sha256, received_at=now,
                reason=f"report {key} holds {max_files:,} files already, the limit (LANZAROTE_MAX_FILES_PER_REPORT): "
                "this file is not attached; check it is one report, raise the limit and retry"))
            continue
        held[key] += old is None
        counts.files += 1
        counts.stale_keys.add(key)
        values = {"content_sha256": row.content_sha256, "document": row.document, "location": row.location,
                  "received_at": now}
        if old is None:
            inserts.append({"report_key": key, "file_id": file_id, "version": 1, **values})
        else:
            updates.append((old.id, {**values, "version": old.version + 1}))
    _keep_earlier(session, f, schema.report_file_versions, f.c.id, [id_ for id_, _ in updates])
    for id_, values in updates:
        session.execute(update(f).where(f.c.id == id_).values(**values))
    insert_many(session, f, inserts)
    return refused


def _write_layers(session: Session, rows: list[LayerRow], now: datetime, counts: IngestCounts) -> None:
    if not rows:
        return
    c = schema.clearing_house_layers
    latest = {row.report_key: row for row in rows}
    existing = {
        x.report_key: x
        for x in session.execute(select(c.c.report_key, c.c.content_sha256, c.c.version)
                                 .where(c.c.report_key.in_(list(latest))))
    }
    inserts = []
    updates: list[tuple[str, dict[str, object]]] = []
    for key, row in latest.items():
        old = existing.get(key)
        if old is not None and old.content_sha256 == row.content_sha256:
            continue
        counts.layers += 1
        counts.stale_keys.add(key)
        values = {"content_sha256": row.content_sha256, "document": row.document, "received_at": now}
        if old is None:
            inserts.append({"report_key": key, "version": 1, **values})
        else:
            updates.append((key, {**values, "version": old.version + 1}))
    _keep_earlier(session, c, schema.clearing_house_layer_versions, c.c.report_key, [key for key, _ in updates])
    for key, values in updates:
        session.execute(update(c).where(c.c.report_key == key).values(**values))
    insert_many(session, c, inserts)


def _keep_earlier(session: Session, current: Table, earlier: Table, by: Column[Any], ids: Sequence[object]) -> None:
    """Copy the current rows about to be replaced, as they are, into the table of earlier versions."""
    if not ids:
        return
    names = [c.name for c in earlier.columns if c.name != "id"]
    session.execute(insert(earlier).from_select(names, select(*(current.c[n] for n in names)).where(by.in_(ids))))


class Placement(NamedTuple):
    """Whether a report is stored, and where it is routed (an upload may touch only what its agency may see)."""

    stored: bool
    country: str | None
    authority: str | None


def placements(session: Session, keys: Sequence[str]) -> dict[str, Placement]:
    """Where each stored report of these keys is routed; keys of reports not stored are left out."""
    if not keys:
        return {}
    st, r = schema.report_state, schema.reports
    ks = sorted(set(keys))
    out = {x.report_key: Placement(True, x.country, x.authority)
           for x in session.execute(select(st.c.report_key, st.c.country, st.c.authority)
                                    .where(st.c.report_key.in_(ks)))}
    for (key,) in session.execute(select(r.c.report_key).where(r.c.report_key.in_(ks)).distinct()):
        out.setdefault(key, Placement(True, None, None))
    return out


def write_quarantine(session: Session, entries: Sequence[QuarantineEntry], now: datetime) -> int:
    """Keep rejected documents' entries; the same document at the same place is kept once. Returns how many."""
    if not entries:
        return 0
    q = schema.quarantine
    locations = sorted({e.location for e in entries})
    existing = {
        (x.location, x.content_sha256)
        for x in session.execute(
            select(q.c.location, q.c.content_sha256).where(q.c.location.in_(locations), q.c.resolved_at.is_(None))
        )
    }
    inserts = []
    for entry in entries:
        ident = (entry.location, entry.content_sha256)
        if ident in existing:
            continue
        existing.add(ident)
        inserts.append(
            {
                "location": entry.location,
                "content_sha256": entry.content_sha256,
                "reason": entry.reason,
                "size": None if entry.size is None else min(entry.size, MAX_INTEGER),  # a zip can declare 2**64
                "received_at": _utc(entry.received_at) or now,
            }
        )
    if inserts:
        session.execute(insert(q), inserts)
    return len(entries)
