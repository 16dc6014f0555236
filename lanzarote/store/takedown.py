"""Notice and takedown: URL reports with their hosting and directive, the notices sent and every step of each, the
unit's network table, and the URL reports that could not be taken in."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    ColumnElement,
    DateTime,
    Index,
    Integer,
    String,
    Table,
    Text,
    bindparam,
    case,
    delete,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Session

from lanzarote.errors import NotFound
from lanzarote.model.quarantine import QuarantineEntry
from lanzarote.store.metadata import metadata
from lanzarote.store.reports import as_utc

UNROUTED, NOTICE, NO_NOTICE, DUPLICATE = "unrouted", "notice", "no_notice", "duplicate"

url_reports = Table(
    "url_reports",
    metadata,
    Column("report_key", String(262), primary_key=True),
    Column("hotline", String(60), nullable=False),
    Column("reference", String(200), nullable=False),
    Column("url", Text, nullable=False),  # the normal form; the URL as given is in the document
    Column("host", String(255), nullable=False),
    Column("url_key", String(64), nullable=False),
    Column("hash_key", String(400)),
    Column("assessment", String(20), nullable=False),
    Column("reported_at", DateTime(timezone=True), nullable=False),
    Column("month", String(7), nullable=False),
    Column("imported_at", DateTime(timezone=True), nullable=False),
    Column("imported_by", String(100), nullable=False),
    Column("agency", String(40), nullable=False),
    Column("content_sha256", String(64), nullable=False),
    Column("document", Text, nullable=False),
    Column("status", String(20), nullable=False),
    Column("routed_at", DateTime(timezone=True)),
    Column("country", String(2)),
    Column("conflict", Boolean),
    Column("hosting", Text),
    Column("directive", Text),
    Column("duplicate_of", String(262)),
    Column("reappeared_of", String(262)),
    Column("reappeared_by", String(10)),
    Index("ix_url_reports_url_key", "url_key"),
    Index("ix_url_reports_hash_key", "hash_key"),
    Index("ix_url_reports_status", "status", "reported_at", "report_key"),
    Index("ix_url_reports_country_month", "country", "month", "status", "assessment"),  # covers the statistics
)

takedown_notices = Table(
    "takedown_notices",
    metadata,
    Column("notice_id", String(40), primary_key=True),
    Column("report_key", String(262), nullable=False, unique=True),
    Column("country", String(2), nullable=False),
    Column("hotline", String(60)),
    Column("police", String(300)),
    Column("state", String(20), nullable=False),
    Column("reported_at", DateTime(timezone=True), nullable=False),
    Column("sent_at", DateTime(timezone=True), nullable=False),
    Column("acknowledged_at", DateTime(timezone=True)),
    Column("removed_at", DateTime(timezone=True)),
    Column("closed_at", DateTime(timezone=True)),
    Column("moved_to", Text),
    Index("ix_takedown_notices_state", "state", "sent_at"),
)

takedown_events = Table(
    "takedown_events",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("notice_id", String(40), nullable=False),
    Column("state", String(20), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("recorded_by", String(100), nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    Column("note", Text, nullable=False),
    Column("moved_to", Text),
    Index("ix_takedown_events_notice", "notice_id", "id"),
)

takedown_networks = Table(
    "takedown_networks",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("network", String(50), nullable=False),
    Column("owner", String(300), nullable=False),
    Column("abuse_contact", String(300), nullable=False),
    Column("country", String(2)),
    Column("version", String(20), nullable=False),
    Column("loaded_at", DateTime(timezone=True), nullable=False),
    Column("loaded_by", String(100), nullable=False),
)
"""The unit's own table of networks (who holds an address block, its abuse contact); replaced whole on load."""

url_quarantine = Table(
    "url_quarantine",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("location", Text, nullable=False),
    Column("content_sha256", String(64)),
    Column("reason", Text, nullable=False),
    Column("size", Integer),
    Column("received_at", DateTime(timezone=True), nullable=False),
    Column("agency", String(40), nullable=False),
)
"""URL reports that could not be taken in, with the reason (apart from the reports' quarantine: `quarantine
retry` re-reads those as reports)."""

TABLES = (url_reports, takedown_notices, takedown_events, takedown_networks, url_quarantine)


@dataclass(frozen=True)
class Scope:
    """What a viewer may see: everything (the hub), or the URL reports hosted in its country or imported by it."""

    country: str | None = None
    agency: str | None = None

    def clause(self) -> ColumnElement[bool] | None:
        if self.country is None:
            return None
        return or_(url_reports.c.country == self.country, url_reports.c.agency == self.agency)


# -- reports -----------------------------------------------------------------------------------------------------

def existing(session: Session, keys: Collection[str]) -> dict[str, tuple[str, str, str]]:
    """(content hash, status, assessment) of the reports here already among `keys`."""
    out: dict[str, tuple[str, str, str]] = {}
    ordered = sorted(keys)
    r = url_reports
    for i in range(0, len(ordered), 500):
        for row in session.execute(select(r.c.report_key, r.c.content_sha256, r.c.status, r.c.assessment)
                                   .where(r.c.report_key.in_(ordered[i:i + 500]))):
            out[row.report_key] = (row.content_sha256, row.status, row.assessment)
    return out


def add_reports(session: Session, rows: Sequence[dict[str, object]]) -> None:
    if rows:
        session.execute(insert(url_reports), list(rows))


def replace_report(session: Session, row: dict[str, object]) -> None:
    """A report's newer word (an assessment given later): kept, and routed again."""
    key = row["report_key"]
    session.execute(update(url_reports).where(url_reports.c.report_key == key).values(
        {k: v for k, v in row.items() if k != "report_key"}))


@dataclass(frozen=True)
class Unrouted:
    report_key: str
    document: str
    url: str
    host: str
    url_key: str
    hash_key: str | None
    reported_at: datetime


def unrouted(session: Session, limit: int) -> list[Unrouted]:
    """The next reports to route, oldest report first (so a re-appearance follows the removal it follows)."""
    r = url_reports
    rows = session.execute(select(r.c.report_key, r.c.document, r.c.url, r.c.host, r.c.url_key, r.c.hash_key,
                                  r.c.reported_at).where(r.c.status == UNROUTED)
                           .order_by(r.c.reported_at, r.c.report_key).limit(limit))
    return [Unrouted(x.report_key, x.document, x.url, x.host, x.url_key, x.hash_key,
                     as_utc(x.reported_at) or x.reported_at) for x in rows]


@dataclass(frozen=True)
class Prior:
    """An earlier report under notice with the same URL or hash."""

    report_key: str
    notice_id: str
    url_key: str
    hash_key: str | None
    state: str
    removed_at: datetime | None
    closed_at: datetime | None


def priors(session: Session, url_keys: Collection[str], hash_keys: Collection[str]) -> list[Prior]:
    """Reports with a notice sharing one of these URL or hash keys (for duplicates and re-appearances)."""
    r, n = url_reports, takedown_notices
    out: list[Prior] = []
    for column, keys in ((r.c.url_key, sorted(url_keys)), (r.c.hash_key, sorted(hash_keys))):
        for i in range(0, len(keys), 500):
            query = (select(r.c.report_key, n.c.notice_id, r.c.url_key, r.c.hash_key, n.c.state, n.c.removed_at,
                            n.c.closed_at)
                     .join(n, n.c.report_key == r.c.report_key).where(column.in_(keys[i:i + 500])))
            out.extend(Prior(x.report_key, x.notice_id, x.url_key, x.hash_key, x.state, as_utc(x.removed_at),
                             as_utc(x.closed_at))
                       for x in session.execute(query))
    return out


def save_routes(session: Session, routes: Sequence[dict[str, object]]) -> None:
    """Write each routed report's hosting, directive and status (`report_key` names it)."""
    if not routes:
        return
    r = url_reports
    names = [k for k in routes[0] if k != "report_key"]
    statement = (update(r).where(r.c.report_key == bindparam("key"))
                 .values({k: bindparam(f"v_{k}") for k in names}))
    session.connection().execute(statement, [{"key": x["report_key"], **{f"v_{k}": x[k] for k in names}}
                                             for x in routes])


def add_notices(session: Session, notices: Sequence[dict[str, object]], events: Sequence[dict[str, object]]) -> None:
    if notices:
        session.execute(insert(takedown_notices), list(notices))
    if events:
        session.execute(insert(takedown_events), list(events))


def report(session: Session, report_key: str) -> dict[str, object]:
    row = session.execute(select(url_reports).where(url_reports.c.report_key == report_key)).first()
    if row is None:
        raise NotFound(f"no URL report {report_key!r}")
    return _utc(dict(row._mapping))


def _utc(m: dict[str, object]) -> dict[str, object]:
    for k, v in m.items():
        if isinstance(v, datetime):
            m[k] = as_utc(v)
    return m


# -- notices -----------------------------------------------------------------------------------------------------

def notice(session: Session, notice_id: str) -> tuple[dict[str, object], dict[str, object], list[dict[str, object]]]:
    """A notice, its report and its steps (oldest first)."""
    n, r, e = takedown_notices, url_reports, takedown_events
    row = session.execute(select(n).where(n.c.notice_id == notice_id)).first()
    if row is None:
        raise NotFound(f"no notice {notice_id!r}")
    found = _utc(dict(row._mapping))
    report_row = _utc(dict(session.execute(select(r).where(r.c.report_key == found["report_key"])).one()._mapping))
    steps = [_utc(dict(x._mapping)) for x in session.execute(select(e).where(e.c.notice_id == notice_id)
                                                                 .order_by(e.c.id))]
    return found, report_row, steps


def notice_of(session: Session, report_key: str) -> str | None:
    n = takedown_notices
    return session.execute(select(n.c.notice_id).where(n.c.report_key == report_key)).scalar()


def notices(session: Session, scope: Scope, state: str | None = None, country: str | None = None,
            limit: int = 200, offset: int = 0) -> tuple[list[dict[str, object]], int]:
    """Notices newest first with their report's URL and flags, and how many match."""
    n, r = takedown_notices, url_reports
    query = select(n, r.c.url, r.c.hotline.label("reporting_hotline"), r.c.assessment, r.c.reappeared_of,
                   r.c.reappeared_by).join(r, r.c.report_key == n.c.report_key)
    count = select(func.count()).select_from(n.join(r, r.c.report_key == n.c.report_key))
    for clause in (scope.clause(), n.c.state == state if state else None, n.c.country == country if country else None):
        if clause is not None:
            query, count = query.where(clause), count.where(clause)
    rows = session.execute(query.order_by(n.c.sent_at.desc(), n.c.notice_id).limit(limit).offset(offset))
    return [_utc(dict(x._mapping)) for x in rows], int(session.execute(count).scalar_one())


def record_step(session: Session, notice_id: str, step: dict[str, object], stamps: dict[str, object]) -> None:
    """Append a step and move the notice to its state (`stamps`: the columns it sets)."""
    session.execute(insert(takedown_events).values(notice_id=notice_id, **step))
    session.execute(update(takedown_notices).where(takedown_notices.c.notice_id == notice_id)
                    .values(state=step["state"], **stamps))


def open_entries(session: Session, scope: Scope) -> list[tuple[str, str, datetime]]:
    """(URL, host, since) of every reported URL whose content is taken to be still online."""
    n, r = takedown_notices, url_reports
    query = (select(r.c.url, r.c.host, n.c.sent_at).join(r, r.c.report_key == n.c.report_key)
             .where(n.c.state.in_(["sent", "acknowledged", "not_removed"])).order_by(r.c.url))
    clause = scope.clause()
    if clause is not None:
        query = query.where(clause)
    seen: set[str] = set()
    out = []
    for url, host, since in session.execute(query):
        if url not in seen:
            seen.add(url)
            out.append((url, host, as_utc(since) or since))
    return out


def _hours(session: Session) -> ColumnElement[Any]:
    """Hours from the report to its removal, worked out by the database."""
    n, r = takedown_notices, url_reports
    if session.get_bind().dialect.name == "postgresql":
        return func.extract("epoch", n.c.removed_at - r.c.reported_at) / 3600.0
    return (func.julianday(n.c.removed_at) - func.julianday(r.c.reported_at)) * 24.0


def stat_counts(session: Session, scope: Scope, illegal: Collection[str]) -> list[tuple[str | None, str, int, int]]:
    """(country, month, reports, illegal ones) of every URL report but duplicates, summed by the database."""
    r = url_reports
    query = (select(r.c.country, r.c.month, func.count(),
                    func.sum(case((r.c.assessment.in_(sorted(illegal)), 1), else_=0)))
             .where(r.c.status != DUPLICATE).group_by(r.c.country, r.c.month))
    clause = scope.clause()
    if clause is not None:
        query = query.where(clause)
    return [(c, m, int(total), int(bad or 0)) for c, m, total, bad in session.execute(query)]


def removal_hours(session: Session, scope: Scope) -> list[tuple[str | None, str, float]]:
    """(country, month, hours from report to removal) of every removal."""
    n, r = takedown_notices, url_reports
    query = (select(r.c.country, r.c.month, _hours(session)).join(n, n.c.report_key == r.c.report_key)
             .where(n.c.removed_at.is_not(None), r.c.status != DUPLICATE))
    clause = scope.clause()
    if clause is not None:
        query = query.where(clause)
    return [(c, m, float(h)) for c, m, h in session.execute(query)]


def counts(session: Session) -> dict[str, int]:
    r = url_reports
    return {str(s): int(c) for s, c in session.execute(select(r.c.status, func.count()).group_by(r.c.status))}


# -- the unit's network table ------------------------------------------------------------------------------------

def load_networks(session: Session, rows: Sequence[dict[str, object]]) -> None:
    session.execute(delete(takedown_networks))
    if rows:
        session.execute(insert(takedown_networks), list(rows))


def networks(session: Session) -> list[dict[str, object]]:
    return [dict(x._mapping) for x in session.execute(select(takedown_networks).order_by(takedown_networks.c.id))]


# -- quarantine --------------------------------------------------------------------------------------------------

def quarantine(session: Session, entries: Sequence[QuarantineEntry], agency: str, now: datetime) -> None:
    if entries:
        session.execute(insert(url_quarantine), [
            {"location": e.location, "content_sha256": e.content_sha256, "reason": e.reason, "size": e.size,
             "received_at": e.received_at or now, "agency": agency} for e in entries])


def quarantined(session: Session, agency: str | None, limit: int = 500) -> list[dict[str, object]]:
    q = url_quarantine
    query = select(q).order_by(q.c.id.desc()).limit(limit)
    if agency is not None:
        query = query.where(q.c.agency == agency)
    return [_utc(dict(x._mapping)) for x in session.execute(query)]
