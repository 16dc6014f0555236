"""One row of the queue. Its JSON is a contract that later work and outside checks rely on."""

from __future__ import annotations

from datetime import datetime

from lanzarote.model.base import Record
from lanzarote.model.priority import Reason


class QueueItem(Record):
    report_id: str
    source: str
    received_at: datetime | None
    tier: str | None
    score: float | None
    reasons: list[Reason] | None
    country: str | None
    authority: str | None
    subject: str | None
    linked_reports: list[str] | None
    provider: str | None = None
    incident_type: str | None = None
    assigned_to: str | None = None
