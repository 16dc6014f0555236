"""Writes bound to their owner: what an upload over the API may write in its uploader's agency's name.

An upload may create reports of the sources its agency owns, and new versions, files and layers of those of them the
agency may see; a provider's report and a clearing-house layer only for a clearing-house source (`ncmec`) the agency
owns. Anything else is refused: quarantined with the reason and audited. A refusal that depends on a report held by
another agency answers the uploader exactly as if the report had been new, so an upload never tells whether an id
exists elsewhere.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from lanzarote.model.quarantine import QuarantineEntry
from lanzarote.store.access import Scope
from lanzarote.store.ingest import FileRow, LayerRow, Placement, ReportRow, Row


@dataclass(frozen=True)
class Uploader:
    """Who an upload is taken in for: the account, its agency's need-to-know, and what the agency may write."""

    username: str
    agency: str
    scope: Scope
    sources: frozenset[str]
    clearing_house_sources: frozenset[str]


@dataclass
class Screened:
    kept: list[Row]
    refused: list[QuarantineEntry]
    """Refused for what the uploader can know (a source it does not own): answered as quarantined."""
    masked: list[tuple[Row, QuarantineEntry]]
    """Refused because the report is another agency's: quarantined, but answered as if taken in."""


def _key(row: ReportRow | FileRow | LayerRow) -> str:
    return row.key if isinstance(row, ReportRow) else row.report_key


def _source(key: str) -> str:
    return key.rsplit("/", 1)[0]


def screen(rows: Sequence[Row], owner: Uploader, placed: dict[str, Placement], now: datetime) -> Screened:
    """Split a batch into what the uploader may write, what is refused openly and what is refused unseen."""
    out = Screened([], [], [])
    for row in rows:
        if isinstance(row, QuarantineEntry):
            out.kept.append(row)
            continue
        key = _key(row)
        source = _source(key)
        reason = _not_owned(row, source, owner)
        if reason is not None:
            out.refused.append(_entry(row, key, reason, now))
            continue
        where = placed.get(key)
        if where is not None and not owner.scope.covers(where.country, where.authority):
            out.masked.append((row, _entry(row, key, f"report {key} is held by another agency than "
                                                     f"{owner.agency}: an upload by {owner.username} may not change "
                                                     "it", now)))
            continue
        out.kept.append(row)
    return out


def _not_owned(row: ReportRow | FileRow | LayerRow, source: str, owner: Uploader) -> str | None:
    if source not in owner.sources:
        return (f"source {source!r} is not one {owner.agency} may send: ask the hub to give the agency its own "
                "source, and use it in the documents")
    channel = source in owner.clearing_house_sources
    if isinstance(row, LayerRow) and not channel:
        return f"a clearing-house layer comes only through the clearing house's own intake, not for {source!r}"
    if isinstance(row, ReportRow) and not channel and (row.layered or row.origin == "provider"):
        return ("a provider's report or a clearing-house block comes only through the clearing house's own intake: "
                "give the report its real origin (citizen, victim, social_services, hotline, foreign_police...) "
                "and no clearing_house")
    return None


def _entry(row: ReportRow | FileRow | LayerRow, key: str, reason: str, now: datetime) -> QuarantineEntry:
    location = row.location if isinstance(row, ReportRow | FileRow) else f"layer of {key}"
    return QuarantineEntry(location=location, content_sha256=row.content_sha256, received_at=now, reason=reason)
