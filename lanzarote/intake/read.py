"""One entry point for every document: dispatch by what the document is."""

from __future__ import annotations

from datetime import datetime

from lanzarote.intake import cybertipline, native
from lanzarote.intake.documents import Document, IntakeResult
from lanzarote.intake.settings import IntakeSettings


def read_document(document: Document, received_at: datetime, settings: IntakeSettings) -> list[IntakeResult]:
    """The records in one document, each a report, file details, clearing-house layer or quarantine entry."""
    if document.modified_at is not None and document.modified_at > settings.latest_plausible(received_at):
        document = document._replace(modified_at=None)  # a file's clock in the future says nothing of its receipt
    head = document.content[:64].lstrip(b"\xef\xbb\xbf \t\r\n")
    location = document.location.lower()
    if location.endswith((".json", ".jsonl")) or ".jsonl:" in location or head[:1] in (b"{", b"["):
        return native.read(document, received_at, settings)
    return cybertipline.read(document, received_at, settings)
