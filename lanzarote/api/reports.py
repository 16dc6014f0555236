"""Reports and the queue: list with filters and cursors, one report, assignment and routing decisions."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from lanzarote.api.context import Ctx, CurrentUser, Db
from lanzarote.errors import InvalidQuery
from lanzarote.model.base import EARLIEST_YEAR, LATEST_YEAR
from lanzarote.service import cases as service_cases
from lanzarote.service import reports as service
from lanzarote.service.reports import QueueFilter, QueuePage

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


def _page(page: QueuePage, total: int | None = None, cap: int = 0) -> dict[str, Any]:
    body: dict[str, Any] = {"items": [i.model_dump(mode="json", exclude_none=False) for i in page.items],
                            "next_cursor": page.next_cursor}
    if total is not None:  # counted up to `cap`: beyond it, `total` is the cap and `total_exact` false
        body["total"], body["total_exact"] = min(total, cap), total <= cap
    return body


@router.get("/queue", tags=["queue"])
def api_queue(s: Db, user: CurrentUser, f: Filter, ctx: Ctx, cursor: Cursor = None) -> dict[str, Any]:
    """The queue the user's agency may see, by tier, score and age (the queue JSON contract), a page at a time;
    `total` is exact up to 10,000 (`total_exact`), beyond that at least 10,000. Links to reports of other agencies
    are counted in `linked_elsewhere`, by the agency that holds them. On the first page, `expiring_preservations`
    lists the preservations of P1 cases ending within `preservation_warning_days`, soonest first."""
    body = _page(service.queue(s, user, f, cursor, "api", PAGE), ctx.counts.get(s, user, f), ctx.counts.cap)
    # above everything else: P1 cases' preservations ending soon (which case, which request, due when, the rule)
    body["expiring_preservations"] = [] if cursor else [
        service_cases.deadline_json(d) for d in service_cases.expiring_preservations(s, user, "api")]
    return body


@router.get("/reports", tags=["reports"])
def api_reports(s: Db, user: CurrentUser, f: Filter, cursor: Cursor = None) -> dict[str, Any]:
    """The reports the user's agency may see, newest received first, with the queue's filters."""
    return _page(service.newest(s, user, f, cursor, "api", PAGE))


@router.get("/reports/{report_id:path}/versions", tags=["reports"])
def api_versions(report_id: str, s: Db, user: CurrentUser) -> dict[str, Any]:
    """Every stored version of a report (number, when it was taken in, its content hash), and of each file's
    details and of the clearing-house layer (a later one does not erase the earlier)."""
    return service.versions(s, user, report_id, "api").as_json()


class Assignment(BaseModel):
    username: str | None = Field(default=None, max_length=100, description="Who takes it (null: nobody)")


@router.put("/reports/{report_id:path}/assignment", tags=["reports"])
def api_assign(report_id: str, body: Assignment, s: Db, user: CurrentUser) -> dict[str, Any]:
    """Assign the report (to yourself or a colleague who may see it), or unassign it."""
    service.assign(s, user, report_id, body.username)
    return {"report_id": report_id, "assigned_to": body.username}


class RoutingDecision(BaseModel):
    country: str = Field(pattern="^[A-Za-z]{2}$", description="The competent country (ISO alpha-2)")
    authority: str | None = Field(default=None, max_length=300, description="The local authority, where known")
    reason: str = Field(min_length=3, max_length=2000, description="Why: kept with the decision and audited")


@router.put("/reports/{report_id:path}/route", tags=["routing"])
def api_route(report_id: str, body: RoutingDecision, s: Db, user: CurrentUser, ctx: Ctx) -> dict[str, Any]:
    """Override the route with a reason (the evidence found stays beside the decision)."""
    stored = service.override_route(s, user, report_id, body.country, body.authority, body.reason, ctx.tables)
    return {"route": stored.route.model_dump(mode="json") if stored.route else None}


@router.get("/reports/{report_id:path}", tags=["reports"])
def api_report(report_id: str, s: Db, user: CurrentUser) -> dict[str, Any]:
    """One report with its tier and reasons, route and evidence, links; victims pseudonymised unless allowed."""
    return service.as_json(user, service.read(s, user, report_id, "api"))
