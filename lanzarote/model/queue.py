"""One row of the queue. Its JSON is a contract that later work and outside checks rely on."""

from __future__ import annotations

from datetime import datetime

from lanzarote.model.base import Record
from lanzarote.model.linking import LinkedElsewhere
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
    linked_elsewhere: list[LinkedElsewhere] | None = None
    """Linked reports the viewer's agency may not see, by the agency holding them (left out of `linked_reports`)."""
