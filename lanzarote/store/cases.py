"""Cases, their agencies, reports, subjects, tasks and append-only timeline; legal requests, their steps and
clocks. The only SQL for coordination.

The timeline and the steps are only ever inserted: nothing here updates or deletes them. A request's running clocks
carry their case, so the deadlines of an agency are one indexed search.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    delete,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Session

from lanzarote.coordination.cases import Case, CaseState, Task, TimelineEntry
from lanzarote.coordination.requests import ClockRun, Request, Step
from lanzarote.errors import NotFound
from lanzarote.store.metadata import metadata
from lanzarote.store.reports import as_utc

cases = Table(
    "cases", metadata,
    Column("id", Integer, primary_key=True),
    Column("title", String(300), nullable=False),
    Column("owner_agency", String(40), nullable=False, index=True),
    Column("lead", String(100), nullable=False),
    Column("state", String(30), nullable=False),
    Column("state_on", Date, nullable=False),
    Column("opened_at", DateTime(timezone=True), nullable=False),
    Column("p1_report", String(300)),
    Column("today_due", DateTime(timezone=True)),
)
case_agencies = Table(
    "case_agencies", metadata,
    Column("case_id", Integer, ForeignKey("cases.id"), primary_key=True),
    Column("agency", String(40), primary_key=True, index=True),
)
case_reports = Table(
    "case_reports", metadata,
    Column("case_id", Integer, ForeignKey("cases.id"), primary_key=True),
    Column("report_key", String(300), primary_key=True, index=True),
)
case_subjects = Table(
    "case_subjects", metadata,
    Column("case_id", Integer, ForeignKey("cases.id"), primary_key=True),
    Column("subject_id", String(100), primary_key=True),
)
case_tasks = Table(
    "case_tasks", metadata,
    Column("id", Integer, primary_key=True),
    Column("case_id", Integer, ForeignKey("cases.id"), nullable=False, index=True),
    Column("title", String(300), nullable=False),
    Column("owner", String(100), nullable=False),
    Column("due_on", Date, nullable=False),
    Column("request_id", Integer),
    Column("clock", String(60)),
    Column("done_at", DateTime(timezone=True)),
)
case_timeline = Table(
    "case_timeline", metadata,
    Column("id", Integer, primary_key=True),
    Column("case_id", Integer, ForeignKey("cases.id"), nullable=False, index=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("actor", String(100), nullable=False),
    Column("kind", String(40), nullable=False),
    Column("text", Text, nullable=False),
)
legal_requests = Table(
    "legal_requests", metadata,
    Column("id", Integer, primary_key=True),
    Column("case_id", Integer, ForeignKey("cases.id"), nullable=False, index=True),
    Column("instrument", String(60), nullable=False),
    Column("to_state", String(2), nullable=False),
    Column("about", Text, nullable=False),
    Column("state", String(60), nullable=False),
    Column("urgent", Boolean, nullable=False),
    Column("urgent_reason", Text),
    Column("instruments_version", String(40), nullable=False),
)
request_steps = Table(
    "request_steps", metadata,
    Column("id", Integer, primary_key=True),
    Column("request_id", Integer, ForeignKey("legal_requests.id"), nullable=False, index=True),
    Column("name", String(60), nullable=False),
    Column("label", String(200), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("by", String(100), nullable=False),
    Column("state", String(60), nullable=False),
    Column("notice", Text),
    Column("offers", String(60)),
)
request_clocks = Table(
    "request_clocks", metadata,
    Column("id", Integer, primary_key=True),
    Column("request_id", Integer, ForeignKey("legal_requests.id"), nullable=False, index=True),
    Column("case_id", Integer, nullable=False),
    Column("name", String(60), nullable=False),
    Column("label", String(200), nullable=False),
    Column("source", Text, nullable=False),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("due_at", DateTime(timezone=True)),
    Column("stopped_at", DateTime(timezone=True)),
    Column("extended", Integer, nullable=False),
    Column("chase_days", Integer),
    Column("running", Boolean, nullable=False),
    Column("next_due", DateTime(timezone=True)),
    # when the clock next asks for something: its deadline, or (without one) when it is to be chased by its own
    # chase_days; NULL for a clock without either (chased after the `chase_days` setting, read from started_at)
)
Index("ix_request_clocks_running_due", request_clocks.c.running, request_clocks.c.due_at)
Index("ix_request_clocks_running_next_due", request_clocks.c.running, request_clocks.c.next_due)

TABLES = (cases, case_agencies, case_reports, case_subjects, case_tasks, case_timeline, legal_requests,
          request_steps, request_clocks)


def add_case(s: Session, title: str, owner: str, lead: str, at: datetime, p1_report: str | None,
             today_due: datetime | None) -> int:
    return int(s.execute(insert(cases).values(
        title=title, owner_agency=owner, lead=lead, state=CaseState.OPEN.value, state_on=at.date(), opened_at=at,
        p1_report=p1_report, today_due=today_due).returning(cases.c.id)).scalar_one())


def _visible(agency: str | None):  # type: ignore[no-untyped-def]
    """Cases an agency owns or takes part in (None: every case, for the store's operator)."""
    if agency is None:
        return cases.c.id.is_not(None)
    part = select(case_agencies.c.case_id).where(case_agencies.c.agency == agency)
    return or_(cases.c.owner_agency == agency, cases.c.id.in_(part))


def get_case(s: Session, case_id: int, agency: str | None) -> Case:
    """A case the agency may see, with its agencies, reports and subjects; any other is not found."""
    row = s.execute(select(cases).where(cases.c.id == case_id, _visible(agency))).one_or_none()
    if row is None:
        raise NotFound(f"no case {case_id}")
    return _case(row, *(_column(s, t, col, case_id) for t, col in (
        (case_agencies, "agency"), (case_reports, "report_key"), (case_subjects, "subject_id"))))


def _column(s: Session, table: Table, col: str, case_id: int) -> tuple[str, ...]:
    return tuple(s.execute(select(table.c[col]).where(table.c.case_id == case_id).order_by(table.c[col])).scalars())


def _case(row: object, participants: tuple[str, ...] = (), reports: tuple[str, ...] = (),
          subjects: tuple[str, ...] = ()) -> Case:
    r = row  # a Row of `cases`
    return Case(id=r.id, title=r.title, owner_agency=r.owner_agency, lead=r.lead,  # type: ignore[attr-defined]
                state=CaseState(r.state), state_on=r.state_on,  # type: ignore[attr-defined]
                opened_at=as_utc(r.opened_at) or r.opened_at,  # type: ignore[attr-defined]
                p1_report=r.p1_report, today_due=as_utc(r.today_due),  # type: ignore[attr-defined]
                participants=participants, reports=reports, subjects=subjects)


def list_cases(s: Session, agency: str | None, limit: int = 500) -> list[Case]:
    rows = s.execute(select(cases).where(_visible(agency)).order_by(cases.c.id.desc()).limit(limit))
    return [_case(r) for r in rows]


def cases_of_report(s: Session, report_key: str, agency: str | None) -> list[Case]:
    part = select(case_reports.c.case_id).where(case_reports.c.report_key == report_key)
    return [_case(r) for r in s.execute(select(cases).where(cases.c.id.in_(part), _visible(agency)))]


def set_case(s: Session, case_id: int, **values: object) -> None:
    s.execute(update(cases).where(cases.c.id == case_id).values(**values))


def acted(s: Session, case_id: int) -> None:
    """Someone acted on the case: its "today" clock stops."""
    s.execute(update(cases).where(cases.c.id == case_id, cases.c.today_due.is_not(None)).values(today_due=None))


def attach(s: Session, case_id: int, kind: str, value: str) -> bool:
    """Add an agency, a report or a subject to a case; False when it was there already."""
    table, col = {"agency": (case_agencies, "agency"), "report": (case_reports, "report_key"),
                  "subject": (case_subjects, "subject_id")}[kind]
    if s.execute(select(table).where(table.c.case_id == case_id, table.c[col] == value)).first():
        return False
    s.execute(insert(table).values(case_id=case_id, **{col: value}))
    return True


def add_timeline(s: Session, case_id: int, at: datetime, actor: str, kind: str, text: str) -> None:
    s.execute(insert(case_timeline).values(case_id=case_id, at=at, actor=actor, kind=kind, text=text))


def timeline(s: Session, case_id: int) -> list[TimelineEntry]:
    t = case_timeline
    rows = s.execute(select(t).where(t.c.case_id == case_id).order_by(t.c.id))
    return [TimelineEntry(as_utc(r.at) or r.at, r.actor, r.kind, r.text) for r in rows]


def add_task(s: Session, case_id: int, title: str, owner: str, due_on: date, request_id: int | None,
             clock: str | None) -> int:
    return int(s.execute(insert(case_tasks).values(case_id=case_id, title=title, owner=owner, due_on=due_on,
                                                   request_id=request_id, clock=clock)
                         .returning(case_tasks.c.id)).scalar_one())


def tasks(s: Session, case_id: int) -> list[Task]:
    t = case_tasks
    rows = s.execute(select(t).where(t.c.case_id == case_id).order_by(t.c.due_on, t.c.id))
    return [Task(r.id, r.title, r.owner, r.due_on, r.request_id, r.clock, as_utc(r.done_at)) for r in rows]


def finish_task(s: Session, case_id: int, task_id: int, at: datetime) -> str:
    t = case_tasks
    done = s.execute(update(t).where(t.c.id == task_id, t.c.case_id == case_id, t.c.done_at.is_(None))
                     .values(done_at=at).returning(t.c.title)).scalar_one_or_none()
    if done is None:
        raise NotFound(f"no open task {task_id} in case {case_id}")
    return str(done)


@dataclass(frozen=True)
class StoredRequest:
    id: int
    case_id: int
    about: str
    instruments_version: str
    request: Request


def add_request(s: Session, case_id: int, about: str, version: str, request: Request) -> int:
    rid = int(s.execute(insert(legal_requests).values(
        case_id=case_id, instrument=request.instrument, to_state=request.to_state, about=about, state=request.state,
        urgent=request.urgent, urgent_reason=request.urgent_reason, instruments_version=version)
        .returning(legal_requests.c.id)).scalar_one())
    save_request(s, rid, case_id, request, new_steps=request.steps)
    return rid


def save_request(s: Session, request_id: int, case_id: int, request: Request, new_steps: Iterable[Step]) -> None:
    """Keep a request's new state, its clocks as they now are, and its new steps (steps are only added)."""
    s.execute(update(legal_requests).where(legal_requests.c.id == request_id).values(state=request.state))
    s.execute(delete(request_clocks).where(request_clocks.c.request_id == request_id))
    if request.clocks:
        s.execute(insert(request_clocks), [
            {"request_id": request_id, "case_id": case_id, "name": c.name, "label": c.label, "source": c.source,
             "started_at": c.started_at, "due_at": c.due_at, "stopped_at": c.stopped_at, "extended": c.extended,
             "chase_days": c.chase_days, "running": c.running, "next_due": next_due(c)} for c in request.clocks])
    steps = [{"request_id": request_id, "name": st.name, "label": st.label, "at": st.at, "by": st.by,
              "state": st.state, "notice": st.notice, "offers": st.offers} for st in new_steps]
    if steps:
        s.execute(insert(request_steps), steps)


def next_due(run: ClockRun) -> datetime | None:
    """The stored next-due instant of a clock: its deadline, else when its own chase period is up."""
    if run.due_at is not None:
        return run.due_at
    return run.started_at + timedelta(days=run.chase_days) if run.chase_days else None


def requests_of(s: Session, case_id: int | None = None, request_id: int | None = None) -> list[StoredRequest]:
    """The requests of a case (or the one request), with their steps and clocks, oldest first."""
    r = legal_requests
    q = select(r).order_by(r.c.id)
    q = q.where(r.c.case_id == case_id) if case_id is not None else q.where(r.c.id == request_id)
    rows = s.execute(q).all()
    ids = [row.id for row in rows]
    if not ids:
        return []
    steps: dict[int, list[Step]] = {i: [] for i in ids}
    for st in s.execute(select(request_steps).where(request_steps.c.request_id.in_(ids)).order_by(request_steps.c.id)):
        steps[st.request_id].append(Step(st.name, st.label, as_utc(st.at) or st.at, st.by, st.state, st.notice,
                                         st.offers))
    runs: dict[int, list[ClockRun]] = {i: [] for i in ids}
    for c in s.execute(select(request_clocks).where(request_clocks.c.request_id.in_(ids))
                       .order_by(request_clocks.c.id)):
        runs[c.request_id].append(_run(c))
    return [StoredRequest(row.id, row.case_id, row.about, row.instruments_version,
                          Request(row.instrument, row.to_state, row.state, row.urgent, row.urgent_reason,
                                  tuple(runs[row.id]), tuple(steps[row.id]))) for row in rows]


def _run(c: object) -> ClockRun:
    return ClockRun(c.name, c.label, as_utc(c.started_at) or c.started_at,  # type: ignore[attr-defined]
                    as_utc(c.due_at), c.source, as_utc(c.stopped_at), c.extended,  # type: ignore[attr-defined]
                    c.chase_days)  # type: ignore[attr-defined]


@dataclass(frozen=True)
class OpenClock:
    """A running clock with what the deadlines view shows beside it."""

    case_id: int
    case_title: str
    owner_agency: str
    request_id: int | None
    instrument: str | None
    to_state: str | None
    urgent: bool
    run: ClockRun

    @property
    def clock(self) -> str:
        return self.run.name

    @property
    def label(self) -> str:
        return self.run.label

    @property
    def source(self) -> str:
        return self.run.source

    @property
    def due(self) -> datetime | None:
        return self.run.due_at


def open_clocks(s: Session, agency: str | None, until: datetime, started_before: datetime) -> list[OpenClock]:
    """Running clocks of the cases an agency sees that end before `until` (overdue ones included), those without a
    deadline started before `started_before` (to chase), and the "today" clocks of P1 cases nobody acted on."""
    c, r, k = request_clocks, legal_requests, cases
    q = (select(c, k.c.title, k.c.owner_agency, r.c.instrument, r.c.to_state, r.c.urgent)
         .join(r, r.c.id == c.c.request_id).join(k, k.c.id == c.c.case_id)
         .where(c.c.running.is_(True), _visible(agency),
                or_(c.c.due_at < until, (c.c.due_at.is_(None)) & (c.c.started_at < started_before))))
    found = [OpenClock(row.case_id, row.title, row.owner_agency, row.request_id, row.instrument, row.to_state,
                       row.urgent, _run(row)) for row in s.execute(q)]
    return found + today_clocks(s, agency, until)


@dataclass(frozen=True)
class Window:
    """The bounds of the deadline buckets at one instant (see `deadline_buckets`)."""

    now: datetime
    end_today: datetime
    week_end: datetime
    chase_before: datetime | None
    """A clock with neither a deadline nor its own chase period is to be chased when it started before this."""


BUCKETS = ("overdue", "today", "week", "chase")


def _bucket(name: str, w: Window):  # type: ignore[no-untyped-def]
    c = request_clocks.c
    if name == "overdue":
        return c.due_at.is_not(None) & (c.next_due <= w.now)
    if name == "today":
        return c.due_at.is_not(None) & (c.next_due > w.now) & (c.next_due <= w.end_today)
    if name == "week":
        return c.due_at.is_not(None) & (c.next_due > w.end_today) & (c.next_due < w.week_end)
    own = c.next_due.is_not(None) & (c.next_due <= w.now)
    if w.chase_before is None:
        return c.due_at.is_(None) & own
    fallback = c.next_due.is_(None) & (c.started_at <= w.chase_before)
    return c.due_at.is_(None) & or_(own, fallback)


def _narrowed(q, agency: str | None, owner: str | None, case_id: int | None):  # type: ignore[no-untyped-def]
    k = cases
    q = q.where(_visible(agency))
    if owner is not None:
        q = q.where(k.c.owner_agency == owner)
    if case_id is not None:
        q = q.where(k.c.id == case_id)
    return q


def deadline_counts(s: Session, agency: str | None, w: Window, owner: str | None = None,
                    case_id: int | None = None) -> dict[str, int]:
    """How many running request clocks fall in each bucket (counted in SQL on the stored next-due instant: one
    indexed range a bucket, which measured faster than one pass summing all four)."""
    c, k = request_clocks, cases
    out = {}
    for name in BUCKETS:
        q = (select(func.count()).select_from(c.join(k, k.c.id == c.c.case_id))
             .where(c.c.running.is_(True), _bucket(name, w)))
        out[name] = int(s.execute(_narrowed(q, agency, owner, case_id)).scalar_one())
    return out


def deadline_rows(s: Session, agency: str | None, w: Window, bucket: str, limit: int, offset: int = 0,
                  owner: str | None = None, case_id: int | None = None) -> list[OpenClock]:
    """One page of a bucket's running request clocks: soonest first, urgent first among equals (to chase: the
    oldest first)."""
    c, r, k = request_clocks, legal_requests, cases
    q = (select(c, k.c.title, k.c.owner_agency, r.c.instrument, r.c.to_state, r.c.urgent)
         .join(r, r.c.id == c.c.request_id).join(k, k.c.id == c.c.case_id)
         .where(c.c.running.is_(True), _bucket(bucket, w)))
    order = ((c.c.started_at, c.c.case_id, c.c.id) if bucket == "chase"
             else (c.c.next_due, r.c.urgent.desc(), c.c.case_id, c.c.id))
    q = _narrowed(q, agency, owner, case_id).order_by(*order).limit(limit).offset(offset)
    return [OpenClock(row.case_id, row.title, row.owner_agency, row.request_id, row.instrument, row.to_state,
                      row.urgent, _run(row)) for row in s.execute(q)]


def today_clocks(s: Session, agency: str | None, until: datetime, owner: str | None = None,
                 case_id: int | None = None) -> list[OpenClock]:
    """The "today" clocks of P1 cases nobody acted on, ending before `until`."""
    k = cases
    q = _narrowed(select(k).where(k.c.today_due.is_not(None), k.c.today_due < until), agency, owner, case_id)
    return [_today(row) for row in s.execute(q.order_by(k.c.today_due, k.c.id))]


def _today(row: object) -> OpenClock:
    r = row  # a Row of `cases`
    return OpenClock(r.id, r.title, r.owner_agency, None, None, None, True,  # type: ignore[attr-defined]
                     ClockRun("today", "P1 case: act today",
                              as_utc(r.opened_at) or r.opened_at,  # type: ignore[attr-defined]
                              as_utc(r.today_due), "a P1 report: a child may be in danger now"))  # type: ignore


def p1_preservations_expiring(s: Session, agency: str | None, until: datetime, limit: int = 20) -> list[OpenClock]:
    """The running preservation clocks of P1 cases an agency sees that end before `until` (overdue ones first),
    soonest first: what the queue shows above everything else."""
    c, r, k = request_clocks, legal_requests, cases
    q = (select(c, k.c.title, k.c.owner_agency, r.c.instrument, r.c.to_state, r.c.urgent)
         .join(r, r.c.id == c.c.request_id).join(k, k.c.id == c.c.case_id)
         .where(c.c.running.is_(True), k.c.p1_report.is_not(None), c.c.name.like("%preservation%"),
                c.c.due_at.is_not(None), c.c.due_at < until, _visible(agency))
         .order_by(c.c.due_at, c.c.case_id, c.c.id).limit(limit))
    return [OpenClock(row.case_id, row.title, row.owner_agency, row.request_id, row.instrument, row.to_state,
                      row.urgent, _run(row)) for row in s.execute(q)]
