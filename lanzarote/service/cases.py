"""Cases and legal requests: opening a case (in one action from a P1 report), its agencies, reports, subjects,
state, tasks; sending a request and recording its steps; the deadlines of an agency.

Need-to-know: a case is seen by its owning agency and its participating agencies, and by nobody else (another
agency, the hub included, gets "no case N", as for a case that does not exist); the store's operator (the command
line's system actor) sees every case. Every change is written twice: in the case's timeline and in the audit
trail; every read is audited.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy.orm import Session

from lanzarote import config
from lanzarote.coordination import clocks
from lanzarote.coordination import requests as engine
from lanzarote.coordination.cases import Case, CaseState, Task, TimelineEntry, check_move
from lanzarote.coordination.instruments import Instrument
from lanzarote.coordination.instruments import default as instruments
from lanzarote.coordination.knowledge.spec import DataKind
from lanzarote.coordination.knowledge.warnings import Draft, warnings_for
from lanzarote.errors import AccessDenied, InputRejected, NotFound
from lanzarote.model.priority import Tier
from lanzarote.service.actors import require, visible
from lanzarote.service.knowledge import knowledge_base
from lanzarote.service.reports import key_of, trail
from lanzarote.store import access, audit
from lanzarote.store import cases as store
from lanzarote.store.access import SYSTEM_ROLE, User
from lanzarote.store.cases import OpenClock, StoredRequest

__all__ = ["Case", "CaseState", "Deadline", "Deadlines", "Instrument", "StoredRequest", "Task", "TimelineEntry"]


def _agency(user: User) -> str | None:
    return None if user.role == SYSTEM_ROLE else user.agency


def _end_of_day(at: datetime) -> datetime:
    return datetime.combine(at.astimezone(UTC).date() + timedelta(days=1), time(0), tzinfo=UTC)


def _changed(s: Session, user: User, case_id: int, kind: str, text: str, now: datetime,
             acts: bool = True) -> None:
    """One change: in the case's timeline and the audit trail; any change but the opening stops "today"."""
    store.add_timeline(s, case_id, now, user.username, kind, text)
    audit.record(s, user.username, f"case_{kind}", f"case/{case_id}", text, now)
    if acts:
        store.acted(s, case_id)


def _own(s: Session, user: User, case_id: int) -> Case:
    """A case the user's agency may see, for a change: the role must be one that decides."""
    require(user, "decide")
    return store.get_case(s, case_id, _agency(user))


def open_case(s: Session, user: User, title: str, report_ids: Sequence[str] = (), lead: str | None = None) -> Case:
    """Open a case owned by the user's agency, led by `lead` (default: the user), with reports the user may see.
    A P1 report among them makes the case urgent and gives it a "today" clock until someone acts."""
    require(user, "decide")
    if not title.strip():
        raise InputRejected("a case needs a title")
    now = datetime.now(UTC)
    stored = [visible(s, user, r) for r in report_ids]
    p1 = next((key_of(r) for r in stored if r.triage and r.triage.tier is Tier.P1), None)
    case_id = store.add_case(s, title.strip()[:300], user.agency, lead or user.username, now, p1,
                             _end_of_day(now) if p1 else None)
    _changed(s, user, case_id, "opened", f"case opened by {user.agency}: {title.strip()}", now, acts=False)
    for r in stored:
        store.attach(s, case_id, "report", key_of(r))
        store.add_timeline(s, case_id, now, user.username, "report", f"report {key_of(r)} attached"
                           + (" (P1: act today)" if key_of(r) == p1 else ""))
    return store.get_case(s, case_id, _agency(user))


def open_from_report(s: Session, user: User, report_id: str) -> Case:
    """The one action from the queue: a case around this report, titled after it."""
    stored = visible(s, user, report_id)
    tier = stored.triage.tier.value if stored.triage else "unranked"
    return open_case(s, user, f"{tier} report {key_of(stored)}", [report_id])


@dataclass(frozen=True)
class CaseFile:
    """A case as a page shows it: the case, its timeline, tasks and requests."""

    case: Case
    timeline: list[TimelineEntry]
    tasks: list[Task]
    requests: list[StoredRequest]


def case(s: Session, user: User, case_id: int, channel: str) -> CaseFile:
    """A case the user's agency may see, with everything in it; the read audited."""
    found = store.get_case(s, case_id, _agency(user))
    trail(s, user, "read", f"case/{case_id}", channel)
    return CaseFile(found, store.timeline(s, case_id), store.tasks(s, case_id), store.requests_of(s, case_id))


def cases(s: Session, user: User, channel: str) -> list[Case]:
    """The cases the user's agency owns or takes part in, newest first; audited."""
    found = store.list_cases(s, _agency(user))
    trail(s, user, "list", "cases", f"{channel} {len(found)} cases")
    return found


def add_agency(s: Session, user: User, case_id: int, agency: str) -> Case:
    """Let another agency take part (the owning agency's users only): it sees the case from now on."""
    found = _own(s, user, case_id)
    if _agency(user) not in (None, found.owner_agency):
        raise AccessDenied(f"only {found.owner_agency}, which owns the case, adds agencies to it")
    code = agency.upper()
    if code not in {a.code for a in access.list_agencies(s)}:
        raise NotFound(f"no agency {code!r} (see `lanzarote agencies list`)")
    if code != found.owner_agency and store.attach(s, case_id, "agency", code):
        _changed(s, user, case_id, "agency", f"{code} takes part", datetime.now(UTC))
    return store.get_case(s, case_id, _agency(user))


def attach_report(s: Session, user: User, case_id: int, report_id: str) -> None:
    """Attach a report the user may see; a P1 report makes the case's requests urgent."""
    found = _own(s, user, case_id)
    stored = visible(s, user, report_id)
    key = key_of(stored)
    if store.attach(s, case_id, "report", key):
        if found.p1_report is None and stored.triage and stored.triage.tier is Tier.P1:
            store.set_case(s, case_id, p1_report=key)
        _changed(s, user, case_id, "report", f"report {key} attached", datetime.now(UTC))


def attach_subject(s: Session, user: User, case_id: int, subject_id: str) -> None:
    _own(s, user, case_id)
    if store.attach(s, case_id, "subject", subject_id):
        _changed(s, user, case_id, "subject", f"subject {subject_id} attached", datetime.now(UTC))


def move(s: Session, user: User, case_id: int, state: str, on: date | None = None) -> Case:
    """Move a case on (open → … → convicted, or closed with no further action), on a date (default today)."""
    found = _own(s, user, case_id)
    try:
        new = CaseState(state)
    except ValueError:
        raise InputRejected(f"no case state {state!r} (states: {', '.join(x.value for x in CaseState)})") from None
    check_move(found.state, new)
    now = datetime.now(UTC)
    when = on or now.date()
    store.set_case(s, case_id, state=new.value, state_on=when)
    _changed(s, user, case_id, "state", f"{found.state.label} → {new.label} on {when.isoformat()}", now)
    return store.get_case(s, case_id, _agency(user))


def add_task(s: Session, user: User, case_id: int, title: str, owner: str, due_on: date,
             request_id: int | None = None, clock: str | None = None) -> int:
    """A task with an owner and a due date; it may point at one of a request's clocks of this case."""
    _own(s, user, case_id)
    if request_id is not None:
        req = _request(s, request_id)
        if req is None or req.case_id != case_id:
            raise NotFound(f"no request {request_id} in case {case_id}")
        if clock is not None and clock not in {c.name for c in req.request.clocks}:
            raise NotFound(f"request {request_id} has no clock {clock!r}")
    task_id = store.add_task(s, case_id, title, owner, due_on, request_id, clock)
    points = f" (for request {request_id}" + (f", clock {clock})" if clock else ")") if request_id else ""
    _changed(s, user, case_id, "task", f"task {task_id} for {owner}, due {due_on.isoformat()}: {title}{points}",
             datetime.now(UTC))
    return task_id


def finish_task(s: Session, user: User, case_id: int, task_id: int) -> None:
    _own(s, user, case_id)
    now = datetime.now(UTC)
    title = store.finish_task(s, case_id, task_id, now)
    _changed(s, user, case_id, "task", f"task {task_id} done: {title}", now)


def _request(s: Session, request_id: int) -> StoredRequest | None:
    found = store.requests_of(s, request_id=request_id)
    return found[0] if found else None


KNOWLEDGE_NAMES = {"eevidence_production": "production_order", "eevidence_preservation": "preservation_order",
                   "us_provider_preservation": "preservation_domestic"}
"""The knowledge base's name of an instrument where the request engine's differs."""
_DATA = {kind.value: kind for kind in DataKind}


def warnings_before_sending(requesting: str, instrument: str, to_state: str, about: str,
                            event_on: date | None) -> list[str]:
    """The warnings the country knowledge base gives before a request is sent (retention, dual criminality,
    channel, language, central authority), each with its rule and the quotation it rests on. The data asked for is
    read from the request's subject ("connection data of March"); the event defaults to today."""
    today = datetime.now(UTC).date()
    words = set(about.lower().replace(",", " ").split())
    draft = Draft(requesting=requesting if len(requesting) == 2 and requesting.isalpha() else to_state,
                  requested=to_state, instrument=KNOWLEDGE_NAMES.get(instrument, instrument),
                  data=tuple(kind for word, kind in _DATA.items() if word in words),
                  event_date=event_on or today, request_date=today)
    return [f"{w.rule}: {w.message}" + (f" — “{w.quote}” ({w.source}, {w.section})" if w.quote else "")
            for w in warnings_for(draft, knowledge_base())]


def send_request(s: Session, user: User, case_id: int, instrument_id: str, to_state: str, about: str,
                 event_on: date | None = None) -> tuple[StoredRequest, list[str]]:
    """Send a request of an instrument to a state about this case, with the warnings the knowledge base gives; its
    clocks start now (the executing state's holidays). A P1 case makes it urgent, and it says why."""
    found = _own(s, user, case_id)
    inst = instruments()[instrument_id]
    state = to_state.strip().upper()
    if len(state) != 2 or not state.isalpha():
        raise InputRejected(f"{to_state!r} is not a state's two-letter code (ISO 3166)")
    requesting = (user.scope.country or "")[:2].upper()
    warnings = warnings_before_sending(requesting, inst.id, state, about, event_on)
    now = datetime.now(UTC)
    request = engine.open_request(inst, state, now, user.username, engine.urgency(inst, found.p1_reason()))
    rid = store.add_request(s, case_id, about.strip(), instruments().version, request)
    urgent = f" — urgent: {request.urgent_reason}" if request.urgent else ""
    _changed(s, user, case_id, "request", f"request {rid} sent: {inst.name} to {state}{urgent}"
             + "".join(f"; warning: {w}" for w in warnings), now)
    return store.requests_of(s, request_id=rid)[0], warnings


def record_step(s: Session, user: User, request_id: int, step: str) -> StoredRequest:
    """Record what happened to a request (acknowledged, preserved, not possible…): its clocks change as its
    instrument says; a step offering another instrument (urgent mutual legal assistance) says so in the timeline."""
    require(user, "decide")
    stored = _request(s, request_id)
    if stored is None:
        raise NotFound(f"no request {request_id}")
    try:
        store.get_case(s, stored.case_id, _agency(user))
    except NotFound:
        raise NotFound(f"no request {request_id}") from None
    inst = instruments()[stored.request.instrument]
    now = datetime.now(UTC)
    after = engine.apply(inst, stored.request, step, now, user.username)
    store.save_request(s, request_id, stored.case_id, after, new_steps=after.steps[len(stored.request.steps):])
    last = after.steps[-1]
    text = f"request {request_id} ({inst.name}): {last.label}" + (f" — {last.notice}" if last.notice else "")
    _changed(s, user, stored.case_id, "request", text, now)
    return store.requests_of(s, request_id=request_id)[0]


def catalogue() -> list[Instrument]:
    """The instruments a request may be sent under."""
    return list(instruments().by_id.values())


@dataclass(frozen=True)
class Deadline:
    case_id: int
    case_title: str
    owner_agency: str
    request_id: int | None
    instrument: str | None
    to_state: str | None
    urgent: bool
    clock: str
    label: str
    source: str
    due: datetime | None
    reading: clocks.Reading


@dataclass
class Deadlines:
    """What is overdue, due today, due this week, and to chase, soonest first."""

    now: datetime
    overdue: list[Deadline] = field(default_factory=list)
    today: list[Deadline] = field(default_factory=list)
    week: list[Deadline] = field(default_factory=list)
    chase: list[Deadline] = field(default_factory=list)

    def all(self) -> list[Deadline]:
        return [*self.overdue, *self.today, *self.week, *self.chase]


def deadlines(s: Session, user: User, channel: str, now: datetime | None = None, agency: str | None = None,
              case_id: int | None = None) -> Deadlines:
    """The deadlines of the cases the user's agency sees (narrowed to one owning agency or one case); audited."""
    now = now or datetime.now(UTC)
    shares = clocks.parse_shares(str(config.get("clock_warning_shares")))
    chase_days = int(config.get("chase_days"))
    end_today = _end_of_day(now)
    week = end_today + timedelta(days=6)
    rows: list[OpenClock] = store.open_clocks(s, _agency(user), until=week, started_before=now - timedelta(days=1))
    out = Deadlines(now)
    for row in rows:
        if (agency and row.owner_agency != agency.upper()) or (case_id is not None and row.case_id != case_id):
            continue
        run = row.run
        reading = clocks.read(run.started_at, run.due_at, now, shares, run.chase_days or chase_days)
        item = Deadline(row.case_id, row.case_title, row.owner_agency, row.request_id, row.instrument,
                        row.to_state, row.urgent, run.name, run.label, run.source, run.due_at, reading)
        if run.due_at is None:
            if reading.level is clocks.Level.CHASE:
                out.chase.append(item)
        elif run.due_at <= now:
            out.overdue.append(item)
        elif run.due_at <= end_today:
            out.today.append(item)
        else:
            out.week.append(item)
    far = datetime.max.replace(tzinfo=UTC)
    for bucket in (out.overdue, out.today, out.week):
        bucket.sort(key=lambda d: (d.due or far, not d.urgent, d.case_id))
    out.chase.sort(key=lambda d: (-d.reading.age, d.case_id))
    trail(s, user, "list", "deadlines", f"{channel} {len(out.all())} deadlines")
    return out


def expiring_p1_preservations(s: Session, report_keys: Sequence[str], days: int = 7) -> set[str]:
    """The reports (already shown to the caller) in a P1 case whose preservation ends within `days`: the queue
    marks them above everything else."""
    return store.p1_preservation_expiring(s, report_keys, datetime.now(UTC) + timedelta(days=days))


def deadline_json(d: Deadline) -> dict[str, object]:
    """One deadline as the JSON feed gives it."""
    return {"case_id": d.case_id, "case_title": d.case_title, "owner_agency": d.owner_agency,
            "request_id": d.request_id, "instrument": d.instrument, "to_state": d.to_state, "urgent": d.urgent,
            "clock": d.clock, "label": d.label, "source": d.source,
            "due": d.due.isoformat() if d.due else None, "level": d.reading.level.value, "text": d.reading.text}


def deadlines_json(found: Deadlines) -> dict[str, object]:
    return {"now": found.now.isoformat(),
            **{name: [deadline_json(d) for d in getattr(found, name)] for name in ("overdue", "today", "week",
                                                                                  "chase")}}


def as_ical(found: Deadlines) -> bytes:
    """The deadlines as an iCalendar file (one event per deadline, ending when the clock ends), for a calendar
    program; clocks without a deadline are left out."""
    from icalendar import Calendar, Event

    cal = Calendar()
    cal.add("prodid", "-//Lanzarote//deadlines//EN")
    cal.add("version", "2.0")
    for d in found.all():
        if d.due is None:
            continue
        event = Event()
        what = f"request {d.request_id}" if d.request_id else "case"
        event.add("uid", f"lanzarote-case{d.case_id}-{what.replace(' ', '')}-{d.clock}@lanzarote.invalid")
        event.add("dtstamp", found.now)
        event.add("dtstart", d.due - timedelta(hours=1))
        event.add("dtend", d.due)
        event.add("summary", f"{'URGENT ' if d.urgent else ''}case {d.case_id}, {what}: {d.label}")
        event.add("description", f"{d.case_title}\n{d.reading.text}\nSource: {d.source}")
        cal.add_component(event)
    return bytes(cal.to_ical())
