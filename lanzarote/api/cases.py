"""Cases, legal requests and deadlines over HTTP; the deadlines also as a JSON feed and an iCalendar file."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Response
from pydantic import BaseModel, Field

from lanzarote.api.context import CurrentUser, Db
from lanzarote.service import cases as service

RowId = Annotated[int, Path(ge=1, le=2**63 - 1, description="A row id: a positive 64-bit integer")]

router = APIRouter(prefix="/api/v1")


def case_json(file: service.CaseFile) -> dict[str, Any]:
    c = file.case
    return {
        "id": c.id, "title": c.title, "owner_agency": c.owner_agency, "lead": c.lead, "state": c.state.value,
        "state_on": c.state_on.isoformat(), "participants": list(c.participants), "reports": list(c.reports),
        "subjects": list(c.subjects), "p1_report": c.p1_report,
        "today_due": c.today_due.isoformat() if c.today_due else None,
        "timeline": [{"at": e.at.isoformat(), "actor": e.actor, "kind": e.kind, "text": e.text}
                     for e in file.timeline],
        "tasks": [{"id": t.id, "title": t.title, "owner": t.owner, "due_on": t.due_on.isoformat(),
                   "request_id": t.request_id, "clock": t.clock, "done": t.done_at is not None} for t in file.tasks],
        "requests": [request_json(r) for r in file.requests],
    }


def request_json(r: service.StoredRequest) -> dict[str, Any]:
    q = r.request
    return {
        "id": r.id, "case_id": r.case_id, "instrument": q.instrument, "to_state": q.to_state, "about": r.about,
        "state": q.state, "urgent": q.urgent, "urgent_reason": q.urgent_reason, "offers": q.offers,
        "instruments_version": r.instruments_version,
        "clocks": [{"name": c.name, "label": c.label, "source": c.source, "started_at": c.started_at.isoformat(),
                    "due_at": c.due_at.isoformat() if c.due_at else None, "running": c.running} for c in q.clocks],
        "steps": [{"name": st.name, "label": st.label, "at": st.at.isoformat(), "by": st.by, "state": st.state,
                   "notice": st.notice} for st in q.steps],
    }


class NewCase(BaseModel):
    title: str = Field("", max_length=300)
    reports: list[str] = Field(default_factory=list, max_length=100)
    from_report: str | None = Field(None, max_length=300)
    """Open the case in one action from this report (titled after it)."""


class NewRequest(BaseModel):
    instrument: str = Field(max_length=60)
    to_state: str = Field(max_length=2)
    about: str = Field(max_length=2000)
    event_on: date | None = None


class Change(BaseModel):
    state: str | None = Field(None, max_length=30)
    on: date | None = None
    agency: str | None = Field(None, max_length=40)
    report: str | None = Field(None, max_length=300)
    subject: str | None = Field(None, max_length=100)


class NewTask(BaseModel):
    title: str = Field(max_length=300)
    owner: str = Field(max_length=100)
    due_on: date
    request_id: int | None = Field(default=None, ge=1, le=2**63 - 1)
    clock: str | None = Field(None, max_length=60)


@router.get("/cases", tags=["cases"])
def api_cases(s: Db, user: CurrentUser) -> dict[str, Any]:
    """The cases the user's agency owns or takes part in."""
    return {"items": [{"id": c.id, "title": c.title, "owner_agency": c.owner_agency, "state": c.state.value}
                      for c in service.cases(s, user, "api")]}


@router.post("/cases", tags=["cases"])
def api_open(s: Db, user: CurrentUser, body: NewCase) -> dict[str, Any]:
    """Open a case (from a report in one action, or with a title and reports)."""
    c = (service.open_from_report(s, user, body.from_report) if body.from_report
         else service.open_case(s, user, body.title, body.reports))
    return {"id": c.id, "title": c.title, "today_due": c.today_due.isoformat() if c.today_due else None}


@router.get("/cases/{case_id}", tags=["cases"])
def api_case(case_id: RowId, s: Db, user: CurrentUser) -> dict[str, Any]:
    """A case with its timeline, tasks and requests (404 for an agency that takes no part in it)."""
    return case_json(service.case(s, user, case_id, "api"))


@router.patch("/cases/{case_id}", tags=["cases"])
def api_change(case_id: RowId, s: Db, user: CurrentUser, body: Change) -> dict[str, Any]:
    """Move a case on, add an agency, attach a report or a subject."""
    if body.state:
        service.move(s, user, case_id, body.state, body.on)
    if body.agency:
        service.add_agency(s, user, case_id, body.agency)
    if body.report:
        service.attach_report(s, user, case_id, body.report)
    if body.subject:
        service.attach_subject(s, user, case_id, body.subject)
    return {"id": case_id}


@router.post("/cases/{case_id}/tasks", tags=["cases"])
def api_task(case_id: RowId, s: Db, user: CurrentUser, body: NewTask) -> dict[str, Any]:
    return {"id": service.add_task(s, user, case_id, body.title, body.owner, body.due_on, body.request_id,
                                   body.clock)}


@router.post("/cases/{case_id}/requests", tags=["requests"])
def api_send(case_id: RowId, s: Db, user: CurrentUser, body: NewRequest) -> dict[str, Any]:
    """Send a legal request about a case; the answer carries the warnings shown before it was sent."""
    sent, warnings = service.send_request(s, user, case_id, body.instrument, body.to_state, body.about,
                                          body.event_on)
    return {**request_json(sent), "warnings": warnings}


@router.post("/requests/{request_id}/steps/{step}", tags=["requests"])
def api_step(request_id: RowId, step: str, s: Db, user: CurrentUser) -> dict[str, Any]:
    """Record what happened to a request (e.g. `preserved`, `not_possible`)."""
    return request_json(service.record_step(s, user, request_id, step))


Agency = Annotated[str | None, Query(max_length=40, description="Only the cases this agency owns")]
CaseId = Annotated[int | None, Query(ge=1, le=2**63 - 1, description="Only this case")]
Limit = Annotated[int, Query(ge=1, le=1000, description="Rows of each bucket on this page")]
Offset = Annotated[int, Query(ge=0, le=2**31, description="Rows of each bucket skipped (the pages before)")]


@router.get("/deadlines", tags=["deadlines"])
def api_deadlines(s: Db, user: CurrentUser, agency: Agency = None, case: CaseId = None, limit: Limit = service.PAGE,
                  offset: Offset = 0) -> dict[str, Any]:
    """The JSON feed: overdue, due today, due this week, to chase (per agency or per case), a page of each
    bucket, with how many each holds in `counts`."""
    return service.deadlines_json(service.deadlines(s, user, "api", agency=agency, case_id=case, limit=limit,
                                                    offset=offset))


@router.get("/deadlines.ics", tags=["deadlines"])
def api_ical(s: Db, user: CurrentUser, agency: Agency = None, case: CaseId = None, limit: Limit = 1000) -> Response:
    """The deadlines as an iCalendar file (up to `limit` of each bucket, soonest first)."""
    found = service.deadlines(s, user, "ical", agency=agency, case_id=case, limit=limit)
    return Response(service.as_ical(found), media_type="text/calendar")
