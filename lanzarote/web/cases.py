"""The cases pages: a case (state and its next states, agencies, reports and subjects, tasks, the append-only
timeline, its requests with their clocks read now) and the actions on it (move it on, add a task or an agency, send
a request with the knowledge base's warnings and facts shown beside the form first, record a request's step);
"open a case" from a report's page; the deadlines page (overdue, today, this week, to chase, per agency and per
case, with the JSON feed and the iCalendar file).

Every page and action calls `lanzarote.service.cases`: need-to-know, validation and the audit are its; a case
another agency holds answers 404 here exactly as over the API.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, Response

from lanzarote.api.context import Ctx, CurrentUser, Db, csrf_ok
from lanzarote.errors import InputRejected
from lanzarote.service import cases as service
from lanzarote.service.knowledge import FIELDS
from lanzarote.web.views import Csrf, back, render

router = APIRouter(include_in_schema=False)
Line = Annotated[str, Form(max_length=300)]
RowId = Annotated[int, Query(ge=1, le=2**63 - 1)]
PathId = Annotated[int, Path(ge=1, le=2**63 - 1)]
PAGE = 50
"""Deadlines a bucket on one page (as many rows as a queue page); the feeds give 100 and more on request."""


def _day(text: str) -> date | None:
    """A date from a form's date field (empty: none)."""
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InputRejected(f"{text!r} is not a date (YYYY-MM-DD)") from None


@router.get("/cases", response_class=HTMLResponse)
def cases_page(request: Request, s: Db, user: CurrentUser) -> Response:
    return render(request, "cases.html", user, cases=service.cases(s, user, "web"))


@router.post("/cases")
def open_case(request: Request, s: Db, ctx: Ctx, user: CurrentUser, csrf: Csrf, title: Line = "",
              report: Line = "") -> Response:
    """Open a case: in one action from a report (titled after it), or with a title."""
    csrf_ok(request, ctx, csrf)
    c = service.open_from_report(s, user, report) if report else service.open_case(s, user, title)
    return back(f"/cases/{c.id}")


@router.get("/cases/{case_id}", response_class=HTMLResponse)
def case_page(request: Request, case_id: PathId, s: Db, user: CurrentUser,
              instrument: Annotated[str, Query(max_length=60)] = "",
              to_state: Annotated[str, Query(max_length=2)] = "", about: Annotated[str, Query(max_length=2000)] = "",
              event_on: Annotated[str, Query(max_length=10)] = "") -> Response:
    """The case; with a draft request in the query (the form's "Check"), the knowledge base's warnings and the
    requested state's facts beside the form, before anything is sent."""
    file = service.case(s, user, case_id, "web")
    now = datetime.now(UTC)
    preview = None
    event = _day(event_on)
    if instrument and to_state and user.may("decide"):
        preview = service.preview_request(s, user, case_id, instrument, to_state, about, event)
    return render(request, "case.html", user, file=file, c=file.case, now=now,
                  requests=service.request_views(file, now), today=service.today_clock(file.case, now),
                  next_states=service.next_states(file.case), instruments=service.catalogue(), preview=preview,
                  draft={"instrument": instrument, "to_state": to_state.upper(), "about": about,
                         "event_on": event.isoformat() if event else ""},
                  day=now.date().isoformat(), fields=FIELDS)


@router.post("/cases/{case_id}/state")
def move(request: Request, case_id: PathId, s: Db, ctx: Ctx, user: CurrentUser, csrf: Csrf,
         state: Annotated[str, Form(max_length=30)], on: Annotated[str, Form(max_length=10)] = "") -> Response:
    csrf_ok(request, ctx, csrf)
    service.move(s, user, case_id, state, _day(on))
    return back(f"/cases/{case_id}")


@router.post("/cases/{case_id}/tasks")
def add_task(request: Request, case_id: PathId, s: Db, ctx: Ctx, user: CurrentUser, csrf: Csrf, title: Line,
             owner: Annotated[str, Form(max_length=100)], due_on: Annotated[date, Form()],
             clock: Annotated[str, Form(max_length=80)] = "") -> Response:
    """A task with an owner and a due date; `clock` ("request id:clock name") points it at a request's clock."""
    csrf_ok(request, ctx, csrf)
    request_id, name = None, None
    if clock:
        rid, _, name = clock.partition(":")
        if not rid.isdigit() or not name:
            raise InputRejected(f"{clock!r} names no request's clock (request id:clock)")
        request_id = int(rid)
    service.add_task(s, user, case_id, title, owner, due_on, request_id, name)
    return back(f"/cases/{case_id}")


@router.post("/cases/{case_id}/tasks/{task_id}/done")
def finish_task(request: Request, case_id: PathId, task_id: PathId, s: Db, ctx: Ctx, user: CurrentUser,
                csrf: Csrf) -> Response:
    csrf_ok(request, ctx, csrf)
    service.finish_task(s, user, case_id, task_id)
    return back(f"/cases/{case_id}")


@router.post("/cases/{case_id}/attach")
def attach(request: Request, case_id: PathId, s: Db, ctx: Ctx, user: CurrentUser, csrf: Csrf,
           agency: Annotated[str, Form(max_length=40)] = "", report: Line = "",
           subject: Annotated[str, Form(max_length=100)] = "") -> Response:
    """Let an agency take part, or attach a report or a subject."""
    csrf_ok(request, ctx, csrf)
    if agency:
        service.add_agency(s, user, case_id, agency)
    if report:
        service.attach_report(s, user, case_id, report)
    if subject:
        service.attach_subject(s, user, case_id, subject)
    return back(f"/cases/{case_id}")


@router.post("/cases/{case_id}/requests")
def send_request(request: Request, case_id: PathId, s: Db, ctx: Ctx, user: CurrentUser, csrf: Csrf,
                 instrument: Annotated[str, Form(max_length=60)], to_state: Annotated[str, Form(max_length=2)],
                 about: Annotated[str, Form(max_length=2000)],
                 event_on: Annotated[str, Form(max_length=10)] = "") -> Response:
    """Send the request (its warnings are in the case's timeline, as they were shown beside the form)."""
    csrf_ok(request, ctx, csrf)
    sent, _ = service.send_request(s, user, case_id, instrument, to_state, about, _day(event_on))
    return back(f"/cases/{case_id}#request-{sent.id}")


@router.post("/requests/{request_id}/step")
def record_step(request: Request, request_id: PathId, s: Db, ctx: Ctx, user: CurrentUser, csrf: Csrf,
                step: Annotated[str, Form(max_length=60)]) -> Response:
    csrf_ok(request, ctx, csrf)
    after = service.record_step(s, user, request_id, step)
    return back(f"/cases/{after.case_id}#request-{request_id}")


@router.get("/deadlines", response_class=HTMLResponse)
def deadlines_page(request: Request, s: Db, user: CurrentUser,
                   agency: Annotated[str, Query(max_length=40)] = "", case: RowId | None = None,
                   offset: Annotated[int, Query(ge=0, le=2**31)] = 0) -> Response:
    found = service.deadlines(s, user, "web", agency=agency or None, case_id=case, limit=PAGE, offset=offset)
    params = {k: v for k, v in (("agency", agency.upper()), ("case", str(case) if case else "")) if v}
    query = urlencode(params)
    return render(request, "deadlines.html", user, found=found, agency=agency.upper(), case=case, query=query,
                  next_url=f"/deadlines?{urlencode({**params, 'offset': offset + found.limit})}" if found.more
                  else None, agencies=sorted({d.owner_agency for d in found.all()}), quote=quote)
