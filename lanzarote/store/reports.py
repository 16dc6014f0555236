"""Reading reports back: the queue, one report with its versions and state, and assembled reports for the stages.

A stored report is assembled from its latest version's document, the `fileDetails` documents attached to it and
the clearing house's layer, so that a file or a layer arriving before or after its report ends up in the same place.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import NamedTuple

from pydantic import TypeAdapter
from sqlalchemy import ColumnElement, RowMapping, Select, and_, func, literal, or_, select, tuple_
from sqlalchemy.orm import Session

from lanzarote.errors import InvalidQuery, NotFound
from lanzarote.model.base import EARLIEST_YEAR, LATEST_YEAR
from lanzarote.model.jurisdiction import Route
from lanzarote.model.linking import Identifier, Link, LinkedElsewhere
from lanzarote.model.media import FileVerdict
from lanzarote.model.priority import Reason, Triage
from lanzarote.model.queue import QueueItem
from lanzarote.model.report import ClearingHouseLayer, FileDetail, Report
from lanzarote.store import schema

_VERDICTS = TypeAdapter(tuple[FileVerdict, ...])
_LINKS_IDS = TypeAdapter(tuple[Identifier, ...])


def report_key(source: str, source_id: str) -> str:
    """The key string every table uses for a report."""
    return f"{source}/{source_id}"


def as_utc(value: datetime | None) -> datetime | None:
    """SQLite hands datetimes back without their zone; the store writes UTC, so say so."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


@dataclass(frozen=True)
class StoredReport:
    """A report as the store holds it: the assembled latest version and what the stages concluded."""

    report: Report
    version: int
    versions: int
    ingested_at: datetime
    verdicts: tuple[FileVerdict, ...] | None
    route: Route | None
    triage: Triage | None
    subject: str | None
    linked_reports: tuple[str, ...]
    links: tuple[Link, ...]
    assigned_to: str | None = None
    linked_elsewhere: tuple[LinkedElsewhere, ...] = ()
    """Linked reports the viewer may not see (filled in for the viewer by the use-case layer)."""


@dataclass(frozen=True)
class QueueFilter:
    """What an analyst narrows the queue to; `country`/`authority` also carry the agency's need-to-know scope."""

    tier: str | None = None
    country: str | None = None
    authority: str | None = None
    provider: str | None = None
    incident_type: str | None = None
    received_from: datetime | None = None
    received_before: datetime | None = None
    assigned_to: str | None = None
    """A user name, or `UNASSIGNED` for the reports nobody has taken yet."""
    search: str | None = None


UNASSIGNED = "-"
MAX_RANK = 2**31 - 1
MAX_SCORE = 1e12
"""Bounds of a cursor's rank and score: beyond them no stored row sorts, and the engines' integers overflow."""


@dataclass(frozen=True)
class QueuePosition:
    """Where a page of the queue ended: the next page starts after it (keyset pagination, no OFFSET)."""

    tier_rank: int
    score: float | None
    received_at: datetime
    report_key: str

    def encode(self) -> str:
        raw = json.dumps([self.tier_rank, self.score, self.received_at.isoformat(), self.report_key])
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, cursor: str) -> QueuePosition:
        try:
            raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
            rank, score, received, key = json.loads(raw)
            at = datetime.fromisoformat(received)
            if not isinstance(rank, int) or not isinstance(key, str) or not (
                    score is None or isinstance(score, int | float)) or not (
                    0 <= rank <= MAX_RANK and abs(score or 0) <= MAX_SCORE and EARLIEST_YEAR <= at.year <= LATEST_YEAR
                    and len(key) <= 300):
                raise ValueError(cursor)
        except (ValueError, TypeError, UnicodeDecodeError, OverflowError) as exc:
            raise InvalidQuery("this cursor is not one the queue gave out: start again from the first page") from exc
        return cls(rank, None if score is None else float(score), as_utc(at) or at, key)


def _queue_select(f: QueueFilter) -> Select[tuple[object, ...]]:
    s = schema.report_state
    query = select(s)
    if f.tier:  # by rank, so that the queue-order indexes serve it
        query = query.where(s.c.tier_rank == schema.TIER_RANK.get(f.tier, -1))
    if f.country:
        query = query.where(s.c.country == f.country.upper())
    if f.authority:
        query = query.where(s.c.authority == f.authority)
    if f.provider:
        query = query.where(s.c.provider == f.provider)
    if f.incident_type:
        query = query.where(s.c.incident_type == f.incident_type)
    if f.received_from:
        query = query.where(s.c.received_at >= f.received_from)
    if f.received_before:
        query = query.where(s.c.received_at < f.received_before)
    if f.assigned_to == UNASSIGNED:
        query = query.where(s.c.assigned_to.is_(None))
    elif f.assigned_to:
        query = query.where(s.c.assigned_to == f.assigned_to)
    if f.search:
        like = f"%{f.search}%"
        query = query.where(or_(s.c.source_id.like(like), s.c.authority.like(like), s.c.subject_id.like(like)))
    return query


def _after(position: QueuePosition) -> list[ColumnElement[bool]]:
    """Rows after `position` in queue order (tier rank, score descending with NULLs last, received, key), as the
    consecutive stretches of that order: each is a range of the queue-order indexes. One OR of them all was not: an
    index scan from the tier's first row, filtering, so a page deep in a tier of 4 M reports read 250,000 buffers
    (200 ms) to find its 51 rows (docs/scale.md)."""
    s = schema.report_state
    later = tuple_(s.c.received_at, s.c.report_key) > tuple_(literal(position.received_at, s.c.received_at.type),
                                                              literal(position.report_key, s.c.report_key.type))
    same_rank = s.c.tier_rank == position.tier_rank
    if position.score is None:
        stretches = [and_(same_rank, s.c.score.is_(None), later)]
    else:
        stretches = [and_(same_rank, s.c.score == position.score, later), and_(same_rank, s.c.score < position.score),
                     and_(same_rank, s.c.score.is_(None))]
    return [*stretches, s.c.tier_rank > position.tier_rank]


@dataclass(frozen=True)
class QueuePage:
    items: list[QueueItem]
    next_cursor: str | None


def queue(
    session: Session,
    *,
    limit: int | None = 50,
    offset: int = 0,
    tier: str | None = None,
    country: str | None = None,
    search: str | None = None,
    f: QueueFilter | None = None,
) -> list[QueueItem]:
    """The queue: by tier, then score, then age (oldest first); reports not ranked yet come last, oldest first.
    `f`, when given, is the whole filter (instead of `tier`, `country` and `search`)."""
    query = _ordered(_queue_select(f or QueueFilter(tier=tier, country=country, search=search)))
    if limit is not None:
        query = query.limit(limit)
    if offset:
        query = query.offset(offset)
    return [queue_item(row._mapping) for row in session.execute(query)]


def _ordered(query: Select[tuple[object, ...]]) -> Select[tuple[object, ...]]:
    # exactly the `ix_report_state_queue_order` index, so a page of the queue is an index range scan
    s = schema.report_state
    return query.order_by(s.c.tier_rank, s.c.score.desc().nulls_last(), s.c.received_at, s.c.report_key)


def queue_page(session: Session, f: QueueFilter, *, limit: int = 50, cursor: str | None = None) -> QueuePage:
    """One page of the filtered queue, and the cursor of the next (None on the last page)."""
    query = _queue_select(f)
    if cursor:
        rows: list[RowMapping] = []
        for stretch in _after(QueuePosition.decode(cursor)):  # in queue order, until the page is full
            if len(rows) > limit:
                break
            stretch_query = _ordered(query.where(stretch)).limit(limit + 1 - len(rows))
            rows += [row._mapping for row in session.execute(stretch_query)]
    else:
        rows = [row._mapping for row in session.execute(_ordered(query).limit(limit + 1))]
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = None
    if more and rows:
        last = rows[-1]
        next_cursor = QueuePosition(int(last["tier_rank"]), last["score"], as_utc(last["received_at"]) or datetime.min,
                                    str(last["report_key"])).encode()
    return QueuePage([queue_item(r) for r in rows], next_cursor)


def newest_page(session: Session, f: QueueFilter, *, limit: int = 50, cursor: str | None = None) -> QueuePage:
    """The filtered reports, newest received first (the reports listing), and the cursor of the next page."""
    s = schema.report_state
    query = _queue_select(f)
    if cursor:
        p = QueuePosition.decode(cursor)
        query = query.where(or_(s.c.received_at < p.received_at,
                                and_(s.c.received_at == p.received_at, s.c.report_key < p.report_key)))
    rows = [r._mapping for r in session.execute(
        query.order_by(s.c.received_at.desc(), s.c.report_key.desc()).limit(limit + 1))]
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = None
    if more and rows:
        last = rows[-1]
        next_cursor = QueuePosition(0, None, as_utc(last["received_at"]) or datetime.min,
                                    str(last["report_key"])).encode()
    return QueuePage([queue_item(r) for r in rows], next_cursor)


def count_queue(session: Session, f: QueueFilter | None = None, cap: int | None = None) -> int:
    """How many reports the filter selects; with `cap`, counting stops early (`cap + 1` means "more than cap")."""
    query = _queue_select(f or QueueFilter()).with_only_columns(schema.report_state.c.report_key)
    if cap is not None:
        query = query.limit(cap + 1)
    return int(session.execute(select(func.count()).select_from(query.subquery())).scalar_one())


def queue_item(row: object) -> QueueItem:
    """One queue row in the JSON contract's shape (null where a stage has not run)."""
    m: dict[str, object] = dict(row)  # type: ignore[call-overload]
    triage = Triage.model_validate_json(str(m["triage"])) if m["triage"] else None
    linked = json.loads(str(m["linked_reports"])) if m["linked_reports"] else None
    reasons: list[Reason] | None = list(triage.reasons) if triage else None
    return QueueItem(
        report_id=str(m["source_id"]),
        source=str(m["source"]),
        received_at=as_utc(m["received_at"]),  # type: ignore[arg-type]
        tier=m["tier"],
        score=m["score"],
        reasons=reasons,
        country=m["country"],
        authority=m["authority"],
        subject=m["subject_id"],
        linked_reports=linked,
        provider=m.get("provider"),
        incident_type=m.get("incident_type"),
        assigned_to=m.get("assigned_to"),
    )


def _latest_row(session: Session, report_id: str, source: str | None) -> dict[str, object]:
    r = schema.reports
    query = select(r).where(r.c.latest.is_(True))
    if source is None and "/" in report_id:
        source, report_id = report_id.rsplit("/", 1)
    query = query.where(r.c.source_id == report_id)
    if source is not None:
        query = query.where(r.c.source == source)
    rows = [dict(row._mapping) for row in session.execute(query.limit(2))]
    if not rows:
        raise NotFound(f"no report {report_id!r}" + (f" from {source!r}" if source else ""))
    if len(rows) > 1:
        raise NotFound(f"report id {report_id!r} exists in several sources: give the source too (SOURCE/ID)")
    return rows[0]


def assemble(document: str, files: Iterable[str], layer: str | None) -> Report:
    """A report from its stored document, its attached `fileDetails` and its clearing-house layer."""
    report = Report.model_validate_json(document)
    attached = [FileDetail.model_validate_json(f) for f in files]
    update: dict[str, object] = {}
    if attached:
        known = {f.file_id for f in report.files}
        update["files"] = report.files + tuple(f for f in attached if f.file_id not in known)
    if layer is not None:
        update["clearing_house"] = ClearingHouseLayer.model_validate_json(layer)
    return report.model_copy(update=update) if update else report


def assembled(session: Session, keys: Sequence[str]) -> dict[str, Report]:
    """The latest version of each report key, assembled; keys without a stored report are left out."""
    if not keys:
        return {}
    r, f, c = schema.reports, schema.report_files, schema.clearing_house_layers
    docs = {
        row.report_key: row.document
        for row in session.execute(
            select(r.c.report_key, r.c.document).where(r.c.report_key.in_(keys), r.c.latest.is_(True))
        )
    }
    files: dict[str, list[str]] = {}
    for row in session.execute(
        select(f.c.report_key, f.c.document).where(f.c.report_key.in_(keys)).order_by(f.c.report_key, f.c.file_id)
    ):
        files.setdefault(row.report_key, []).append(row.document)
    layers = {
        row.report_key: row.document
        for row in session.execute(select(c.c.report_key, c.c.document).where(c.c.report_key.in_(keys)))
    }
    return {key: assemble(doc, files.get(key, ()), layers.get(key)) for key, doc in docs.items()}


def get_report(session: Session, report_id: str, source: str | None = None) -> StoredReport:
    """One report by its source id (or SOURCE/ID), with versions, media verdicts, route, tier, subject and links."""
    row = _latest_row(session, report_id, source)
    key = str(row["report_key"])
    report = assembled(session, [key])[key]
    versions = session.execute(
        select(func.count()).select_from(schema.reports).where(schema.reports.c.report_key == key)
    ).scalar_one()
    state = session.execute(select(schema.report_state).where(schema.report_state.c.report_key == key)).first()
    st: dict[str, object] = dict(state._mapping) if state is not None else {}
    lk = schema.links
    link_rows = session.execute(select(lk).where(or_(lk.c.report_a == key, lk.c.report_b == key)))
    links = tuple(
        Link(report_a=x.report_a, report_b=x.report_b, identifiers=_LINKS_IDS.validate_json(x.identifiers))
        for x in link_rows
    )
    return StoredReport(
        report=report,
        version=int(row["version"]),  # type: ignore[call-overload]
        versions=int(versions),
        ingested_at=as_utc(row["ingested_at"]),  # type: ignore[arg-type]
        verdicts=_VERDICTS.validate_json(str(st["verdicts"])) if st.get("verdicts") else None,
        route=Route.model_validate_json(str(st["route"])) if st.get("route") else None,
        triage=Triage.model_validate_json(str(st["triage"])) if st.get("triage") else None,
        subject=st.get("subject_id"),  # type: ignore[arg-type]
        linked_reports=tuple(json.loads(str(st["linked_reports"]))) if st.get("linked_reports") else (),
        links=links,
        assigned_to=st.get("assigned_to"),  # type: ignore[arg-type]
    )


def versions_of(session: Session, key: str) -> list[tuple[int, datetime, str]]:
    """Every stored version of a report: (version, ingested at, content hash), oldest first."""
    r = schema.reports
    rows = session.execute(
        select(r.c.version, r.c.ingested_at, r.c.content_sha256).where(r.c.report_key == key).order_by(r.c.version)
    )
    return [(int(v), as_utc(t) or t, str(h)) for v, t, h in rows]


Version = tuple[int, datetime, str]
"""One stored version: its number, when it was taken in, its content's hash."""


@dataclass(frozen=True)
class PartVersions:
    """Every stored version of a report's attached parts, oldest first: each file's `fileDetails` (by file id) and
    the clearing-house layer."""

    files: dict[str, list[Version]]
    clearing_house: list[Version]


def part_versions_of(session: Session, key: str) -> PartVersions:
    """The versions of a report's `fileDetails` and clearing-house layer: the earlier ones and the current one."""
    files: dict[str, list[Version]] = {}
    f, fv = schema.report_files, schema.report_file_versions
    for table in (fv, f):
        for row in session.execute(select(table.c.file_id, table.c.version, table.c.received_at,
                                          table.c.content_sha256).where(table.c.report_key == key)):
            files.setdefault(row.file_id, []).append((int(row.version), as_utc(row.received_at) or row.received_at,
                                                      str(row.content_sha256)))
    layers: list[Version] = []
    for table in (schema.clearing_house_layer_versions, schema.clearing_house_layers):
        layers.extend((int(row.version), as_utc(row.received_at) or row.received_at, str(row.content_sha256))
                      for row in session.execute(select(table.c.version, table.c.received_at, table.c.content_sha256)
                                                 .where(table.c.report_key == key)))
    return PartVersions({k: sorted(v) for k, v in sorted(files.items())}, sorted(layers))


@dataclass(frozen=True)
class ReportListing:
    report_key: str
    source: str
    source_id: str
    version: int
    received_at: datetime | None
    ingested_at: datetime
    origin: str
    incident_type: str | None


def list_reports(session: Session, *, limit: int = 50, offset: int = 0, country: str | None = None,
                 authority: str | None = None) -> list[ReportListing]:
    """The latest version of each report, newest received first (only those routed to `country`/`authority`)."""
    r = schema.reports
    query = (
        select(r.c.report_key, r.c.source, r.c.source_id, r.c.version, r.c.received_at, r.c.ingested_at, r.c.origin,
               r.c.document)
        .where(r.c.latest.is_(True))
        .order_by(r.c.received_at.desc(), r.c.report_key)
        .limit(limit)
        .offset(offset)
    )
    if country is not None:
        st = schema.report_state
        query = query.join(st, st.c.report_key == r.c.report_key).where(st.c.country == country)
        if authority is not None:
            query = query.where(st.c.authority == authority)
    return [
        ReportListing(
            report_key=x.report_key, source=x.source, source_id=x.source_id, version=x.version,
            received_at=as_utc(x.received_at), ingested_at=as_utc(x.ingested_at) or x.ingested_at, origin=x.origin,
            incident_type=json.loads(x.document).get("incident_type"),
        )
        for x in session.execute(query)
    ]


class Placed(NamedTuple):
    """Where a report sits: its subject, and the country and authority it is routed to."""

    report_key: str
    source_id: str
    subject_id: str | None
    country: str | None
    authority: str | None


def subject_members(session: Session, subject_ids: Collection[str]) -> list[Placed]:
    """Every report of these subjects, with where each is routed (need-to-know over links)."""
    if not subject_ids:
        return []
    s = schema.report_state
    rows = session.execute(select(s.c.report_key, s.c.source_id, s.c.subject_id, s.c.country, s.c.authority)
                           .where(s.c.subject_id.in_(sorted(subject_ids))).order_by(s.c.report_key))
    return [Placed(*row) for row in rows]


def placed(session: Session, keys: Collection[str]) -> dict[str, Placed]:
    """Where each of these reports sits (keys without a state are left out)."""
    if not keys:
        return {}
    s = schema.report_state
    rows = session.execute(select(s.c.report_key, s.c.source_id, s.c.subject_id, s.c.country, s.c.authority)
                           .where(s.c.report_key.in_(sorted(keys))))
    return {row.report_key: Placed(*row) for row in rows}


def count_reports(session: Session) -> int:
    r = schema.reports
    return int(session.execute(select(func.count()).select_from(r).where(r.c.latest.is_(True))).scalar_one())
