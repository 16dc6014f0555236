"""The quarantine: documents that could not be taken in, with the reason, until a retry takes them in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from lanzarote.store import schema
from lanzarote.store.reports import as_utc


@dataclass(frozen=True)
class QuarantineRow:
    id: int
    location: str
    content_sha256: str | None
    reason: str
    size: int | None
    received_at: datetime
    resolved_at: datetime | None
    resolution: str | None


def entries(session: Session, *, include_resolved: bool = False, limit: int | None = None) -> list[QuarantineRow]:
    q = schema.quarantine
    query = select(q).order_by(q.c.id)
    if not include_resolved:
        query = query.where(q.c.resolved_at.is_(None))
    if limit is not None:
        query = query.limit(limit)
    return [
        QuarantineRow(
            id=r.id, location=r.location, content_sha256=r.content_sha256, reason=r.reason, size=r.size,
            received_at=as_utc(r.received_at) or r.received_at, resolved_at=as_utc(r.resolved_at),
            resolution=r.resolution,
        )
        for r in session.execute(query)
    ]


def count_open(session: Session) -> int:
    q = schema.quarantine
    return int(session.execute(select(func.count()).select_from(q).where(q.c.resolved_at.is_(None))).scalar_one())


def resolve(session: Session, entry_id: int, resolution: str, now: datetime) -> None:
    q = schema.quarantine
    session.execute(update(q).where(q.c.id == entry_id).values(resolved_at=now, resolution=resolution))


def update_reason(session: Session, entry_id: int, reason: str, content_sha256: str | None) -> None:
    q = schema.quarantine
    session.execute(update(q).where(q.c.id == entry_id).values(reason=reason, content_sha256=content_sha256))
