"""The operations pages: the list and a new operation; an operation's page (agencies, links, targets and disputes,
the action day's plan per state with its H-hour in local time and UTC, results, meetings, JITs, outcomes); a
meeting's page with its follow-up and minutes; the coordination centre's board, which refreshes itself."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from lanzarote.api import operations as api
from lanzarote.api.context import Ctx, CurrentUser, Db, csrf_ok
from lanzarote.service import operations as service
from lanzarote.web.views import Csrf, back, render

router = APIRouter(include_in_schema=False)
Short = Annotated[str, Form(max_length=200)]
Text = Annotated[str, Form(max_length=5000)]
Code = Annotated[str, Form(max_length=2)]
Count = Annotated[int, Form(ge=0, le=1_000_000)]


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


@router.get("/operations", response_class=HTMLResponse)
def operations_page(request: Request, s: Db, user: CurrentUser) -> Response:
    return render(request, "operations.html", user, operations=service.listing(s, user, "web"))


@router.post("/operations")
def create(request: Request, s: Db, ctx: Ctx, user: CurrentUser, csrf: Csrf, name: Short,
           description: Text = "") -> Response:
    csrf_ok(request, ctx, csrf)
    op = service.create(s, user, name, description)
    return back(f"/operations/{op.id}")


@router.get("/operations/{op_id}", response_class=HTMLResponse)
def operation_page(request: Request, op_id: int, s: Db, user: CurrentUser, state: str | None = None,
                   disputed: bool = False, offset: int = 0) -> Response:
    view = service.operation(s, user, op_id, "web", state or None, disputed, offset)
    return render(request, "operation.html", user, v=view, op=view.operation, board=view.board,
                  figures=service.FIGURES, stages=list(service.Stage), today=date.today().isoformat(),
                  own=view.country or "", page=service.TARGETS_SHOWN, offset=offset)


@router.post("/operations/{op_id}/agencies")
def add_agency(request: Request, op_id: int, s: Db, ctx: Ctx, user: CurrentUser, csrf: Csrf,
               agency: Annotated[str, Form(max_length=40)], role: Annotated[str, Form(max_length=20)] = "participant",
               ) -> Response:
    csrf_ok(request, ctx, csrf)
    service.add_agency(s, user, op_id, agency, role)
    return back(f"/operations/{op_id}")


@router.post("/operations/{op_id}/links")
def link(request: Request, op_id: int, s: Db, ctx: Ctx, user: CurrentUser, csrf: Csrf,
         case: Annotated[int | None, Form(ge=1, le=2**63 - 1)] = None,
         package: Annotated[str, Form(max_length=60)] = "") -> Response:
    csrf_ok(request, ctx, csrf)
    if case:
        service.link_case(s, user, op_id, case)
    if package.strip():
        service.link_package(s, user, op_id, package.strip())
    return back(f"/operations/{op_id}")


@router.post("/operations/{op_id}/day")
def plan_day(request: Request, op_id: int, s: Db, ctx: Ctx, user: CurrentUser, csrf: Csrf,
             day_on: Annotated[date, Form()], hhour: Annotated[str, Form(max_length=5)] = "06:00") -> Response:
    csrf_ok(request, ctx, csrf)
    service.plan_day(s, user, op_id, day_on, hhour)
    return back(f"/operations/{op_id}")


@router.post("/operations/{op_id}/plan")
def plan_country(request: Request, op_id: int, s: Db, ctx: Ctx, user: CurrentUser, csrf: Csrf, country: Code,
                 hhour: Annotated[str, Form(max_length=5)] = "", zone: Annotated[str, Form(max_length=60)] = "",
                 officers: Count = 0, searches: Count = 0) -> Response:
    csrf_ok(request, ctx, csrf)
    service.plan_country(s, user, op_id, country, hhour or None, zone or None, officers, searches)
    return back(f"/operations/{op_id}")


@router.post("/operations/{op_id}/freeze")
def freeze(request: Request, op_id: int, s: Db, ctx: Ctx, user: CurrentUser, csrf: Csrf) -> Response:
    csrf_ok(request, ctx, csrf)
    service.freeze(s, user, op_id)
    return back(f"/operations/{op_id}")


@router.post("/operations/{op_id}/close")
def close(request: Request, op_id: int, s: Db, ctx: Ctx, user: CurrentUser, csrf: Csrf) -> Response:
    csrf_ok(request, ctx, csrf)
    service.close_day(s, user, op_id)
    return back(f"/operations/{op_id}/centre")


@router.post("/operations/{op_id}/targets")
def add_target(request: Request, op_id: int, s: Db, ctx: Ctx, user: CurrentUser, csrf: Csrf, country: Code,
               label: Annotated[str, Form(max_length=100)], arresting_state: Code = "",
               shared_with: Short = "") -> Response:
    csrf_ok(request, ctx, csrf)
    service.add_target(s, user, op_id, country, label, arresting_state or None,
                       [c for c in shared_with.replace(",", " ").split() if c])
    return back(f"/operations/{op_id}")


@router.post("/operations/{op_id}/arresting-state")
def arresting(request: Request, op_id: int, s: Db, ctx: Ctx, user: CurrentUser, csrf: Csrf,
              target: Annotated[int, Form(ge=1, le=2**63 - 1)], state: Code, reason: Text = "") -> Response:
    csrf_ok(request, ctx, csrf)
    service.set_arresting_state(s, user, op_id, target, state, reason)
    return back(f"/operations/{op_id}")


@router.post("/operations/{op_id}/disputes/{dispute_id}")
def resolve(request: Request, op_id: int, dispute_id: int, s: Db, ctx: Ctx, user: CurrentUser, csrf: Csrf,
            arresting_state: Code, why: Text = "") -> Response:
    csrf_ok(request, ctx, csrf)
    service.resolve_dispute(s, user, op_id, dispute_id, arresting_state, why)
    return back(f"/operations/{op_id}")


@router.post("/operations/{op_id}/results")
def result(request: Request, op_id: int, s: Db, ctx: Ctx, user: CurrentUser, csrf: Csrf, country: Code,
           arrests: Count = 0, searches: Count = 0, devices_seized: Count = 0, victims_safeguarded: Count = 0,
           officers: Count = 0, note: Text = "") -> Response:
    csrf_ok(request, ctx, csrf)
    service.record_result(s, user, op_id, country, {
        "arrests": arrests, "searches": searches, "devices_seized": devices_seized,
        "victims_safeguarded": victims_safeguarded, "officers": officers}, note)
    return back(f"/operations/{op_id}/centre")


@router.get("/operations/{op_id}/centre", response_class=HTMLResponse)
def centre(request: Request, op_id: int, s: Db, user: CurrentUser) -> Response:
    board = service.board(s, user, op_id, "web")
    return render(request, "operation_centre.html", user, board=board, op=board.operation, figures=service.FIGURES)


@router.post("/operations/{op_id}/meetings")
def hold(request: Request, op_id: int, s: Db, ctx: Ctx, user: CurrentUser, csrf: Csrf,
         held_at: Annotated[datetime, Form()], chair: Short, title: Short = "", participants: Text = "",
         agenda: Text = "") -> Response:
    csrf_ok(request, ctx, csrf)
    m = service.hold_meeting(s, user, op_id, held_at if held_at.tzinfo else held_at.replace(tzinfo=UTC), chair,
                             title, _lines(participants), _lines(agenda))
    return back(f"/operations/{op_id}/meetings/{m.id}")


@router.get("/operations/{op_id}/meetings/{meeting_id}", response_class=HTMLResponse)
def meeting_page(request: Request, op_id: int, meeting_id: int, s: Db, user: CurrentUser) -> Response:
    file = service.meeting(s, user, op_id, meeting_id, "web")
    return render(request, "operation_meeting.html", user, f=file, op=file.operation,
                  coordinating=service.coordinates(user, file.operation), today=date.today().isoformat())


@router.post("/operations/{op_id}/meetings/{meeting_id}/decisions")
def decide(request: Request, op_id: int, meeting_id: int, s: Db, ctx: Ctx, user: CurrentUser, csrf: Csrf,
           text: Text, owner: Short, due_on: Annotated[date, Form()]) -> Response:
    csrf_ok(request, ctx, csrf)
    service.decide(s, user, op_id, meeting_id, text, owner, due_on)
    return back(f"/operations/{op_id}/meetings/{meeting_id}")


@router.post("/operations/{op_id}/decisions/{decision_id}/done")
def decision_done(request: Request, op_id: int, decision_id: int, s: Db, ctx: Ctx, user: CurrentUser, csrf: Csrf,
                  meeting: Annotated[int, Form(ge=1, le=2**63 - 1)]) -> Response:
    csrf_ok(request, ctx, csrf)
    service.finish_decision(s, user, op_id, decision_id)
    return back(f"/operations/{op_id}/meetings/{meeting}")


@router.get("/operations/{op_id}/meetings/{meeting_id}/minutes.pdf")
def minutes(op_id: int, meeting_id: int, s: Db, user: CurrentUser) -> Response:
    return api.api_minutes(op_id, meeting_id, s, user)


@router.get("/operations/{op_id}/calendar.ics")
def calendar(op_id: int, s: Db, user: CurrentUser) -> Response:
    return api.api_calendar(op_id, s, user)


@router.get("/operations/{op_id}/press-release", response_class=HTMLResponse)
def press(request: Request, op_id: int, s: Db, user: CurrentUser) -> Response:
    text = service.press_release(s, user, op_id)
    return render(request, "operation_press.html", user, op_id=op_id, text=text)


@router.post("/operations/{op_id}/jits")
def jit(request: Request, op_id: int, s: Db, ctx: Ctx, user: CurrentUser, csrf: Csrf, name: Short,
        agreement_on: Annotated[date, Form()], expires_on: Annotated[date, Form()], parties: Short,
        case: Annotated[int | None, Form(ge=1, le=2**63 - 1)] = None) -> Response:
    csrf_ok(request, ctx, csrf)
    service.create_jit(s, user, op_id, name, agreement_on, expires_on, parties.replace(",", " ").split(), case)
    return back(f"/operations/{op_id}")


@router.post("/operations/{op_id}/jits/{jit_id}/members")
def member(request: Request, op_id: int, jit_id: int, s: Db, ctx: Ctx, user: CurrentUser, csrf: Csrf,
           name: Short, agency: Annotated[str, Form(max_length=40)], role: Short = "member") -> Response:
    csrf_ok(request, ctx, csrf)
    service.add_member(s, user, op_id, jit_id, name, agency, role)
    return back(f"/operations/{op_id}")


@router.post("/operations/{op_id}/jits/{jit_id}/extensions")
def extend(request: Request, op_id: int, jit_id: int, s: Db, ctx: Ctx, user: CurrentUser, csrf: Csrf,
           until: Annotated[date, Form()]) -> Response:
    csrf_ok(request, ctx, csrf)
    service.extend_jit(s, user, op_id, jit_id, until)
    return back(f"/operations/{op_id}")


@router.post("/operations/{op_id}/jits/{jit_id}/results")
def jit_result(request: Request, op_id: int, jit_id: int, s: Db, ctx: Ctx, user: CurrentUser, csrf: Csrf,
               stage: Annotated[service.Stage, Form()], on: Annotated[date, Form()],
               count: Annotated[int, Form(ge=0, le=100_000)] = 1) -> Response:
    csrf_ok(request, ctx, csrf)
    service.record_jit_result(s, user, op_id, jit_id, stage, on, count)
    return back(f"/operations/{op_id}/outcomes")


@router.get("/operations/{op_id}/outcomes", response_class=HTMLResponse)
def outcomes(request: Request, op_id: int, s: Db, user: CurrentUser) -> Response:
    from lanzarote.web import svg

    rows = service.outcomes(s, user, op_id)
    charts = [(r.group, svg.funnel(r.steps(), f"Funnel {r.group}")) for r in rows]
    return render(request, "operation_outcomes.html", user, op_id=op_id, rows=rows, charts=charts)
