"""Reports and the queue: list with filters and cursors, one report, assignment and routing decisions."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from lanzarote.api.context import Ctx, CurrentUser, Db, require, scoped, visible
from lanzarote.errors import InputRejected, InvalidQuery
from lanzarote.model.base import EARLIEST_YEAR, LATEST_YEAR
from lanzarote.model.jurisdiction import RouteOverride
from lanzarote.model.report import PartyRole
from lanzarote.routing.resolve import overridden
from lanzarote.store import access, audit, work
from lanzarote.store import reports as store_reports
from lanzarote.store.access import User
from lanzarote.store.db import session
from lanzarote.store.reports import QueueFilter, StoredReport

router = APIRouter(prefix="/api/v1")
PAGE = 50
Cursor = Annotated[str | None, Query(max_length=400, description="Where the previous page ended (its next_cursor)")]


def _day(value: date | None) -> datetime | None:
    if value is None:
        return None
    if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:  # no report is dated there, and a day after 9999-12-31 is none
        raise InvalidQuery(f"{value.isoformat()} is outside the years reports can hold ({EARLIEST_YEAR} to "
                           f"{LATEST_YEAR})")
    return datetime.combine(value, time.min, tzinfo=UTC)


def queue_filter(
    tier: Annotated[str | None, Query(pattern="^P[1-4]$", description="Only this tier")] = None,
    country: Annotated[str | None, Query(pattern="^[A-Za-z]{2}$", description="Routed to this country")] = None,
    authority: Annotated[str | None, Query(max_length=300, description="Routed to this authority")] = None,
    provider: Annotated[str | None, Query(max_length=200, description="Reported by this provider")] = None,
    incident_type: Annotated[str | None, Query(max_length=200, description="Of this incident type")] = None,
    received_from: Annotated[date | None, Query(description="Received on or after this day")] = None,
    received_to: Annotated[date | None, Query(description="Received on or before this day")] = None,
    assigned_to: Annotated[str | None, Query(max_length=100, description="Assigned to this user ('-': nobody)")] = None,
) -> QueueFilter:
    before = _day(received_to)
    return QueueFilter(
        tier=tier, country=country.upper() if country else None, authority=authority or None,
        provider=provider or None, incident_type=incident_type or None, received_from=_day(received_from),
        received_before=before + timedelta(days=1) if before else None, assigned_to=assigned_to or None,
    )


Filter = Annotated[QueueFilter, Depends(queue_filter)]


def queue_for(s: Session, user: User, f: QueueFilter, cursor: str | None,
              limit: int = PAGE) -> store_reports.QueuePage:
    """A page of the queue as this user's agency may see it."""
    return store_reports.queue_page(s, scoped(user, f), limit=limit, cursor=cursor)


def _page(page: store_reports.QueuePage, total: int | None = None, cap: int = 0) -> dict[str, Any]:
    body: dict[str, Any] = {"items": [i.model_dump(mode="json") for i in page.items], "next_cursor": page.next_cursor}
    if total is not None:  # counted up to `cap`: beyond it, `total` is the cap and `total_exact` false
        body["total"], body["total_exact"] = min(total, cap), total <= cap
    return body


@router.get("/queue", tags=["queue"])
def api_queue(s: Db, user: CurrentUser, f: Filter, ctx: Ctx, cursor: Cursor = None) -> dict[str, Any]:
    """The queue the user's agency may see, by tier, score and age (the queue JSON contract), a page at a time;
    `total` is exact up to 10,000 (`total_exact`), beyond that at least 10,000."""
    return _page(queue_for(s, user, f, cursor), ctx.counts.get(s, scoped(user, f)), ctx.counts.cap)


@router.get("/reports", tags=["reports"])
def api_reports(s: Db, user: CurrentUser, f: Filter, cursor: Cursor = None) -> dict[str, Any]:
    """The reports the user's agency may see, newest received first, with the queue's filters."""
    return _page(store_reports.newest_page(s, scoped(user, f), limit=PAGE, cursor=cursor))


def report_json(user: User, stored: StoredReport) -> dict[str, Any]:
    """A report with what the stages concluded; victims pseudonymised for roles that do not need them."""
    report_json: dict[str, Any] = stored.report.model_dump(mode="json")
    if not user.sees_victims:
        n = 0
        parties = []
        for party, dumped in zip(stored.report.parties, report_json["parties"], strict=True):
            if party.role is PartyRole.VICTIM:
                n += 1
                dumped = {"role": "victim", "pseudonym": f"Victim {n}"}
            parties.append(dumped)
        report_json["parties"] = parties
    return {
        "report": report_json, "version": stored.version, "versions": stored.versions,
        "triage": stored.triage.model_dump(mode="json") if stored.triage else None,
        "route": stored.route.model_dump(mode="json") if stored.route else None,
        "verdicts": [v.model_dump(mode="json") for v in stored.verdicts] if stored.verdicts is not None else None,
        "subject": stored.subject, "linked_reports": list(stored.linked_reports),
        "links": [link.model_dump(mode="json") for link in stored.links],
        "assigned_to": stored.assigned_to,
    }


def key_of(stored: StoredReport) -> str:
    return store_reports.report_key(stored.report.source, stored.report.source_id)


def read_report(s: Session, user: User, report_id: str, channel: str) -> StoredReport:
    """A report the user may see, with the read written to the audit trail first, in a transaction of its own (the
    chain admits one writer at a time: a read must not hold it while its page is drawn)."""
    stored = visible(s, user, report_id)
    with session(s.get_bind()) as trail:  # type: ignore[arg-type]
        audit.record(trail, user.username, "read", key_of(stored), channel, datetime.now(UTC))
    return stored


@router.get("/reports/{report_id:path}/versions", tags=["reports"])
def api_versions(report_id: str, s: Db, user: CurrentUser) -> list[dict[str, Any]]:
    """Every stored version of a report: number, when it was taken in, its content hash."""
    stored = visible(s, user, report_id)
    return [{"version": v, "ingested_at": at.isoformat(), "content_sha256": h}
            for v, at, h in store_reports.versions_of(s, key_of(stored))]


class Assignment(BaseModel):
    username: str | None = Field(default=None, max_length=100, description="Who takes it (null: nobody)")


def assign(s: Session, user: User, report_id: str, username: str | None) -> StoredReport:
    """Assign a report to a user of an agency that may see it; audited."""
    require(user, "decide")
    stored = visible(s, user, report_id)
    if username:
        target = next((u for u, active in access.list_users(s) if u.username == username and active), None)
        route = stored.route
        if target is None or not target.may_see(route.country if route else None,
                                                (route.authority or route.national_unit) if route else None):
            raise InputRejected(f"{username!r} is not an active user who may see this report")
    now = datetime.now(UTC)
    work.assign(s, key_of(stored), username, now)
    audit.record(s, user.username, "assign", key_of(stored), username or "(nobody)", now)
    return stored


@router.put("/reports/{report_id:path}/assignment", tags=["reports"])
def api_assign(report_id: str, body: Assignment, s: Db, user: CurrentUser) -> dict[str, Any]:
    """Assign the report (to yourself or a colleague who may see it), or unassign it."""
    assign(s, user, report_id, body.username)
    return {"report_id": report_id, "assigned_to": body.username}


class RoutingDecision(BaseModel):
    country: str = Field(pattern="^[A-Za-z]{2}$", description="The competent country (ISO alpha-2)")
    authority: str | None = Field(default=None, max_length=300, description="The local authority, where known")
    reason: str = Field(min_length=3, max_length=2000, description="Why: kept with the decision and audited")


def override_route(s: Session, user: User, report_id: str, decision: RoutingDecision,
                   tables: Any) -> StoredReport:
    """An analyst's routing decision: applied now, kept for every later processing, audited with its reason."""
    require(user, "decide")
    stored = visible(s, user, report_id)
    if stored.route is None:
        raise InputRejected("this report has not been routed yet: run `lanzarote process` first")
    now = datetime.now(UTC)
    chosen = RouteOverride(country=decision.country.upper(), authority=decision.authority or None,
                           reason=decision.reason.strip(), decided_by=user.username, decided_at=now)
    work.save_override(s, key_of(stored), chosen, overridden(stored.route, chosen, tables))
    audit.record(s, user.username, "route", key_of(stored),
                 f"{stored.route.country or '?'} -> {chosen.country} {chosen.authority or ''}: {chosen.reason}", now)
    return stored


@router.put("/reports/{report_id:path}/route", tags=["routing"])
def api_route(report_id: str, body: RoutingDecision, s: Db, user: CurrentUser, ctx: Ctx) -> dict[str, Any]:
    """Override the route with a reason (the evidence found stays beside the decision)."""
    override_route(s, user, report_id, body, ctx.tables)
    stored = store_reports.get_report(s, report_id)
    return {"route": stored.route.model_dump(mode="json") if stored.route else None}


@router.get("/reports/{report_id:path}", tags=["reports"])
def api_report(report_id: str, s: Db, user: CurrentUser) -> dict[str, Any]:
    """One report with its tier and reasons, route and evidence, links; victims pseudonymised unless allowed."""
    return report_json(user, read_report(s, user, report_id, "api"))
