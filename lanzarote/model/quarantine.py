"""A document that could not be taken in, kept with a reason a person can act on."""

from __future__ import annotations

from datetime import datetime

from lanzarote.model.base import Record


class QuarantineEntry(Record):
    location: str
    """Where it came from: a path, or 'archive.zip!inner/path.xml'."""
    content_sha256: str | None
    reason: str
    """What is wrong, where (element, line) and what was expected."""
    received_at: datetime | None = None
    size: int | None = None
