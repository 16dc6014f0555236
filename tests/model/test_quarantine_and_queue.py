"""A quarantine entry says where and why; a queue row's JSON is a contract others read."""

from __future__ import annotations

from datetime import UTC, datetime

from lanzarote.model.linking import LinkedElsewhere
from lanzarote.model.priority import Reason
from lanzarote.model.quarantine import QuarantineEntry
from lanzarote.model.queue import QueueItem


def test_a_quarantine_entry_needs_only_where_and_why() -> None:
    entry = QuarantineEntry(location="inbox.zip!a/90000001.xml", content_sha256=None, reason="not well-formed XML")
    assert (entry.received_at, entry.size) == (None, None)


def test_a_queue_rows_json_keeps_its_field_names() -> None:
    item = QueueItem(report_id="90000001", source="ncmec", received_at=datetime(2026, 11, 2, tzinfo=UTC), tier="P1",
                     score=9.5, reasons=[Reason(signal="T3", text="self-declared abuse", weight=5.0)], country="DE",
                     authority="DE-RP", subject=None, linked_reports=None,
                     linked_elsewhere=[LinkedElsewhere(agency="FR")])
    assert set(item.model_dump(mode="json")) == {
        "report_id", "source", "received_at", "tier", "score", "reasons", "country", "authority", "subject",
        "linked_reports", "provider", "incident_type", "assigned_to", "linked_elsewhere"}
    assert QueueItem.model_validate_json(item.model_dump_json()) == item
