"""Operations over HTTP: the operation and its agencies, targets and disputes, the action day (plan, freeze,
results, the board the coordination centre polls), meetings with decisions and minutes, the press release, the
calendar, JITs and the outcomes funnel."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Response
from pydantic import BaseModel, Field

from lanzarote.api.context import CurrentUser, Db
from lanzarote.service import operations as service

RowId = Annotated[int, Path(ge=1, le=2**63 - 1, description="A row id: a positive 64-bit integer")]
State = Annotated[str, Path(min_length=2, max_length=2, description="A state's two-letter code")]
Count = Annotated[int, Field(ge=0, le=1_000_000)]

router = APIRouter(prefix="/api/v1")


def target_json(t: service.Target) -> dict[str, Any]:
    return {"id": t.id, "country": t.country, "label": t.label, "arresting_state": t.arresting_state,
            "shared_with": list(t.shared_with), "subject_id": t.subject_id, "case_id": t.case_id,
            "disputes": [dispute_json(d) for d in t.disputes]}


def dispute_json(d: service.Dispute, label: str | None = None) -> dict[str, Any]:
    return {"id": d.id, "target_id": d.target_id, **({"target": label} if label else {}), "holder": d.holder,
            "claimant": d.claimant, "reason": d.reason, "claimed_at": d.claimed_at.isoformat(),
            "claimed_by": d.claimed_by, "resolved_at": d.resolved_at.isoformat() if d.resolved_at else None,
            "resolution": d.resolution}


def meeting_json(m: service.Meeting) -> dict[str, Any]:
    return {"id": m.id, "held_at": m.held_at.isoformat(), "chair": m.chair, "title": m.title,
            "participants": m.by_country(),
            "agenda": [{"position": a.position, "country": a.country, "title": a.title} for a in m.agenda],
            "decisions": [{"id": d.id, "text": d.text, "owner": d.owner, "due_on": d.due_on.isoformat(),
                           "done": d.done_at is not None} for d in m.decisions]}


def jit_json(j: service.Jit) -> dict[str, Any]:
    return {"id": j.id, "name": j.name, "parties": list(j.parties), "agreement_on": j.agreement_on.isoformat(),
            "expires_on": j.expires_on.isoformat(), "until": j.until.isoformat(), "case_id": j.case_id,
            "members": [{"name": m.name, "agency": m.agency, "role": m.role} for m in j.members],
            "extensions": [{"extended_on": e.extended_on.isoformat(), "until": e.until.isoformat()}
                           for e in j.extensions]}


def operation_json(v: service.OperationView) -> dict[str, Any]:
    op = v.operation
    return {"id": op.id, "name": op.name, "description": op.description, "coordinator": op.coordinator,
            "day_on": op.day_on.isoformat() if op.day_on else None, "default_hhour": op.default_hhour.isoformat(),
            "day_state": op.day_state.value,
            "agencies": [{"agency": p.agency, "role": p.role.value, "country": p.country} for p in op.participants],
            "cases": list(op.cases), "packages": list(op.packages), "coordinating": v.coordinating,
            "targets": [target_json(t) for t in v.targets], "targets_per_arresting_state": v.per_state,
            "targets_without_arresting_state": v.unassigned,
            "disputes": [dispute_json(d, label) for d, label in v.disputes],
            "meetings": [meeting_json(m) for m in v.meetings], "jits": [jit_json(j) for j in v.jits],
            "board": service.board_json(v.board)}


class NewOperation(BaseModel):
    name: str = Field(max_length=200)
    description: str = Field("", max_length=5000)


class OperationChange(BaseModel):
    agency: str | None = Field(None, max_length=40)
    role: str = Field("participant", max_length=20)
    case: int | None = Field(None, ge=1, le=2**63 - 1)
    package: str | None = Field(None, max_length=60)
    day_on: date | None = None
    hhour: str = Field("06:00", max_length=5)


class NewTarget(BaseModel):
    country: str = Field(max_length=2)
    label: str = Field(max_length=100)
    arresting_state: str | None = Field(None, max_length=2)
    shared_with: list[str] = Field(default_factory=list, max_length=60)
    subject_id: str | None = Field(None, max_length=100)
    case_id: int | None = Field(None, ge=1, le=2**63 - 1)


class Arresting(BaseModel):
    state: str = Field(max_length=2)
    reason: str = Field("", max_length=2000)


class Resolution(BaseModel):
    arresting_state: str = Field(max_length=2)
    why: str = Field("", max_length=2000)


class CountryPlan(BaseModel):
    hhour: str | None = Field(None, max_length=5)
    zone: str | None = Field(None, max_length=60)
    officers: Count = 0
    searches: Count = 0


class NewResult(BaseModel):
    country: str = Field(max_length=2)
    arrests: Count = 0
    searches: Count = 0
    devices_seized: Count = 0
    victims_safeguarded: Count = 0
    officers: Count = 0
    note: str = Field("", max_length=2000)


class NewMeeting(BaseModel):
    held_at: datetime
    chair: str = Field(max_length=200)
    title: str = Field("", max_length=300)
    participants: list[str] = Field(default_factory=list, max_length=500)
    """Each "COUNTRY: who"."""
    agenda: list[str] = Field(default_factory=list, max_length=200)
    """Each "COUNTRY: item" or a general item."""


class NewDecision(BaseModel):
    text: str = Field(max_length=2000)
    owner: str = Field(max_length=100)
    due_on: date


class NewJit(BaseModel):
    name: str = Field(max_length=200)
    agreement_on: date
    expires_on: date
    parties: list[str] = Field(max_length=60)
    case_id: int | None = Field(None, ge=1, le=2**63 - 1)


class NewMember(BaseModel):
    name: str = Field(max_length=200)
    agency: str = Field(max_length=40)
    role: str = Field("member", max_length=100)


class NewExtension(BaseModel):
    until: date
    on: date | None = None


class NewJitResult(BaseModel):
    stage: service.Stage
    on: date
    count: int = Field(1, ge=0, le=100_000)
    decisive: service.Decisive = service.Decisive.UNKNOWN
    words: str = Field("", max_length=2000)


@router.get("/operations", tags=["operations"])
def api_operations(s: Db, user: CurrentUser) -> dict[str, Any]:
    """The operations the user's agency coordinates or takes part in."""
    return {"items": [{"id": o.id, "name": o.name, "coordinator": o.coordinator, "day_state": o.day_state.value,
                       "day_on": o.day_on.isoformat() if o.day_on else None}
                      for o in service.listing(s, user, "api")]}


@router.post("/operations", tags=["operations"])
def api_create(s: Db, user: CurrentUser, body: NewOperation) -> dict[str, Any]:
    """Create an operation coordinated by the user's agency."""
    op = service.create(s, user, body.name, body.description)
    return {"id": op.id, "name": op.name, "coordinator": op.coordinator}


@router.get("/operations/{op_id}", tags=["operations"])
def api_operation(op_id: RowId, s: Db, user: CurrentUser,
                  state: Annotated[str | None, Query(max_length=2)] = None, disputed: bool = False,
                  offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0) -> dict[str, Any]:
    """An operation: its agencies, the targets the user may see (a page; of one state when asked), disputes,
    meetings, JITs and the board (404 for an agency taking no part)."""
    return operation_json(service.operation(s, user, op_id, "api", state, disputed, offset))


@router.patch("/operations/{op_id}", tags=["operations"])
def api_change(op_id: RowId, s: Db, user: CurrentUser, body: OperationChange) -> dict[str, Any]:
    """Add an agency (participant or observer), link a case or a package, set the action day and its H-hour."""
    if body.agency:
        service.add_agency(s, user, op_id, body.agency, body.role)
    if body.case:
        service.link_case(s, user, op_id, body.case)
    if body.package:
        service.link_package(s, user, op_id, body.package)
    if body.day_on:
        service.plan_day(s, user, op_id, body.day_on, body.hhour)
    return {"id": op_id}


@router.post("/operations/{op_id}/targets", tags=["operations"])
def api_target(op_id: RowId, s: Db, user: CurrentUser, body: NewTarget) -> dict[str, Any]:
    """A target in a state, perhaps with its arresting state and the states it is shared with."""
    return target_json(service.add_target(s, user, op_id, body.country, body.label, body.arresting_state,
                                          body.shared_with, body.subject_id, body.case_id))


@router.put("/operations/{op_id}/targets/{target_id}/arresting-state", tags=["operations"])
def api_arresting(op_id: RowId, target_id: RowId, s: Db, user: CurrentUser, body: Arresting) -> dict[str, Any]:
    """Name the state that arrests a target; a second state is refused (409) and kept as a dispute."""
    return target_json(service.set_arresting_state(s, user, op_id, target_id, body.state, body.reason))


@router.post("/operations/{op_id}/disputes/{dispute_id}/resolve", tags=["operations"])
def api_resolve(op_id: RowId, dispute_id: RowId, s: Db, user: CurrentUser, body: Resolution) -> dict[str, Any]:
    """The coordinator settles a dispute: the holder keeps the target or the claimant takes it."""
    return target_json(service.resolve_dispute(s, user, op_id, dispute_id, body.arresting_state, body.why))


@router.put("/operations/{op_id}/day/{country}", tags=["operations"])
def api_plan(op_id: RowId, country: State, s: Db, user: CurrentUser, body: CountryPlan) -> dict[str, Any]:
    """A state's H-hour (local time, its zone) and plan (officers, searches)."""
    plan = service.plan_country(s, user, op_id, country, body.hhour, body.zone, body.officers, body.searches)
    return {"country": plan.country, "zone": plan.zone, "hhour": plan.hhour.strftime("%H:%M"),
            "officers": plan.officers, "searches": plan.searches}


@router.post("/operations/{op_id}/day/freeze", tags=["operations"])
def api_freeze(op_id: RowId, s: Db, user: CurrentUser) -> dict[str, Any]:
    """Fix the day: refused (409, with the reasons) while a target lacks its one arresting state."""
    return {"day_state": service.freeze(s, user, op_id).day_state.value}


@router.post("/operations/{op_id}/day/close", tags=["operations"])
def api_close(op_id: RowId, s: Db, user: CurrentUser) -> dict[str, Any]:
    """Close the day: results recorded afterwards are late (kept as new versions)."""
    return {"day_state": service.close_day(s, user, op_id).day_state.value}


@router.post("/operations/{op_id}/results", tags=["operations"])
def api_result(op_id: RowId, s: Db, user: CurrentUser, body: NewResult) -> dict[str, Any]:
    """A state's results on the day (a new version each time)."""
    figures = body.model_dump(include=set(service.FIGURES))
    r = service.record_result(s, user, op_id, body.country, figures, body.note)
    return {"country": r.country, "version": r.version, "late": r.late, **{n: r.figure(n) for n in service.FIGURES}}


@router.get("/operations/{op_id}/results", tags=["operations"])
def api_results(op_id: RowId, s: Db, user: CurrentUser,
                country: Annotated[str | None, Query(max_length=2)] = None) -> dict[str, Any]:
    """Every version of the results the user may see."""
    return {"items": [{"country": r.country, "version": r.version, "late": r.late, "recorded_by": r.recorded_by,
                       "recorded_at": r.recorded_at.isoformat(), "note": r.note,
                       **{n: r.figure(n) for n in service.FIGURES}}
                      for r in service.results_history(s, user, op_id, country)]}


@router.get("/operations/{op_id}/board", tags=["operations"])
def api_board(op_id: RowId, s: Db, user: CurrentUser) -> dict[str, Any]:
    """The coordination centre's board: totals, the lines the user may see, the differences flagged."""
    return service.board_json(service.board(s, user, op_id, "api"))


@router.post("/operations/{op_id}/meetings", tags=["operations"])
def api_meeting(op_id: RowId, s: Db, user: CurrentUser, body: NewMeeting) -> dict[str, Any]:
    """Hold a coordination meeting (the coordinator)."""
    return meeting_json(service.hold_meeting(s, user, op_id, body.held_at, body.chair, body.title,
                                             body.participants, body.agenda))


@router.get("/operations/{op_id}/meetings/{meeting_id}", tags=["operations"])
def api_meeting_file(op_id: RowId, meeting_id: RowId, s: Db, user: CurrentUser) -> dict[str, Any]:
    """A meeting with what is new in the cases since the previous one and the decisions still open."""
    f = service.meeting(s, user, op_id, meeting_id, "api")
    return {**meeting_json(f.meeting), "previous": f.previous.id if f.previous else None,
            "new_in_cases": [{"case_id": n.case_id, "title": n.title, "owner": n.owner, "state": n.state,
                              "new": n.text} for n in f.new_in_cases],
            "targets_added": f.targets_added,
            "open_decisions": [{"meeting_id": m.id, "id": d.id, "text": d.text, "owner": d.owner,
                                "due_on": d.due_on.isoformat()} for m, d in f.open_decisions]}


@router.post("/operations/{op_id}/meetings/{meeting_id}/decisions", tags=["operations"])
def api_decide(op_id: RowId, meeting_id: RowId, s: Db, user: CurrentUser, body: NewDecision) -> dict[str, Any]:
    return {"id": service.decide(s, user, op_id, meeting_id, body.text, body.owner, body.due_on)}


@router.post("/operations/{op_id}/decisions/{decision_id}/done", tags=["operations"])
def api_decision_done(op_id: RowId, decision_id: RowId, s: Db, user: CurrentUser) -> dict[str, Any]:
    service.finish_decision(s, user, op_id, decision_id)
    return {"id": decision_id, "done": True}


@router.get("/operations/{op_id}/meetings/{meeting_id}/minutes.pdf", tags=["operations"])
def api_minutes(op_id: RowId, meeting_id: RowId, s: Db, user: CurrentUser) -> Response:
    """The meeting's minutes as PDF."""
    doc = service.minutes(s, user, op_id, meeting_id)
    return Response(doc.content, media_type=doc.media_type,
                    headers={"Content-Disposition": f'attachment; filename="{doc.filename}"'})


@router.get("/operations/{op_id}/press-release", tags=["operations"])
def api_press(op_id: RowId, s: Db, user: CurrentUser) -> Response:
    """A joint press release drafted from the reconciled figures (plain text)."""
    return Response(service.press_release(s, user, op_id), media_type="text/plain; charset=utf-8")


@router.get("/operations/{op_id}/calendar.ics", tags=["operations"])
def api_calendar(op_id: RowId, s: Db, user: CurrentUser) -> Response:
    """The action day's H-hours, the meetings and the decisions' due dates as iCalendar."""
    return Response(service.calendar(s, user, op_id), media_type="text/calendar")


@router.post("/operations/{op_id}/jits", tags=["operations"])
def api_jit(op_id: RowId, s: Db, user: CurrentUser, body: NewJit) -> dict[str, Any]:
    return jit_json(service.create_jit(s, user, op_id, body.name, body.agreement_on, body.expires_on,
                                       body.parties, body.case_id))


@router.post("/operations/{op_id}/jits/{jit_id}/members", tags=["operations"])
def api_member(op_id: RowId, jit_id: RowId, s: Db, user: CurrentUser, body: NewMember) -> dict[str, Any]:
    return jit_json(service.add_member(s, user, op_id, jit_id, body.name, body.agency, body.role))


@router.post("/operations/{op_id}/jits/{jit_id}/extensions", tags=["operations"])
def api_extend(op_id: RowId, jit_id: RowId, s: Db, user: CurrentUser, body: NewExtension) -> dict[str, Any]:
    return jit_json(service.extend_jit(s, user, op_id, jit_id, body.until, body.on))


@router.post("/operations/{op_id}/jits/{jit_id}/results", tags=["operations"])
def api_jit_result(op_id: RowId, jit_id: RowId, s: Db, user: CurrentUser, body: NewJitResult) -> dict[str, Any]:
    """What the JIT achieved; it counts in the operation's outcomes funnel (a new word on a stage: a version)."""
    f = service.record_jit_result(s, user, op_id, jit_id, body.stage, body.on, body.count, body.decisive,
                                  body.words)
    return {"stage": f.stage.value, "count": f.count, "version": f.version}


@router.get("/operations/{op_id}/outcomes", tags=["operations"])
def api_outcomes(op_id: RowId, s: Db, user: CurrentUser) -> dict[str, Any]:
    """The operation's outcomes funnel: its packages, its JITs, and their sum (counts only)."""
    return {"rows": [vars(r) for r in service.outcomes(s, user, op_id)]}
