"""One entry point for every document: dispatch by what the document is."""

from __future__ import annotations

from datetime import datetime

from lanzarote.intake import cybertipline, native
from lanzarote.intake.documents import Document, IntakeResult, StoredFile, StoredReport
from lanzarote.intake.settings import IntakeSettings


def read_document(document: Document, received_at: datetime, settings: IntakeSettings) -> list[IntakeResult]:
    """The records in one document, each a report, file details, clearing-house layer or quarantine entry."""
    document = _plausibly_modified(document, received_at, settings)
    if _is_native(document):
        return native.read(document, received_at, settings)
    return cybertipline.read(document, received_at, settings)


def read_for_store(document: Document, received_at: datetime, settings: IntakeSettings
                   ) -> list[IntakeResult | StoredReport | StoredFile]:
    """As `read_document`, with CyberTipline reports and files whose values hold every bound in their stored
    form already (what ingest keeps of them; `cybertipline.read_stored`)."""
    document = _plausibly_modified(document, received_at, settings)
    if _is_native(document):
        return list(native.read(document, received_at, settings))
    return cybertipline.read_stored(document, received_at, settings)


def _plausibly_modified(document: Document, received_at: datetime, settings: IntakeSettings) -> Document:
    if document.modified_at is not None and document.modified_at > settings.latest_plausible(received_at):
        return document._replace(modified_at=None)  # a file's clock in the future says nothing of its receipt
    return document


def _is_native(document: Document) -> bool:
    head = document.content[:64].lstrip(b"\xef\xbb\xbf \t\r\n")
    location = document.location.lower()
    return location.endswith((".json", ".jsonl")) or ".jsonl:" in location or head[:1] in (b"{", b"[")
