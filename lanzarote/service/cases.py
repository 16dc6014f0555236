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
from lanzarote.coordination.cases import next_states as allowed_states
from lanzarote.coordination.instruments import Instrument, Transition
from lanzarote.coordination.instruments import default as instruments
from lanzarote.coordination.knowledge.spec import DataKind
from lanzarote.coordination.knowledge.warnings import Draft, warnings_for
from lanzarote.coordination.requests import ClockRun
from lanzarote.errors import AccessDenied, InputRejected, NotFound
from lanzarote.model.priority import Tier
from lanzarote.service import knowledge as service_knowledge
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


def _shares() -> tuple[float, ...]:
    return clocks.parse_shares(str(config.get("clock_warning_shares")))


@dataclass(frozen=True)
class ClockView:
    """One of a request's clocks as a page shows it: the run, and (while it runs) how far along it is."""

    run: ClockRun
    reading: clocks.Reading | None


@dataclass(frozen=True)
class RequestView:
    """A request as the case page shows it: its instrument, its clocks read now, the steps it may take next."""

    stored: StoredRequest
    instrument: Instrument
    clocks: list[ClockView]
    steps: list[Transition]

    @property
    def state_label(self) -> str:
        return self.instrument.states.get(self.stored.request.state, self.stored.request.state)


def request_views(file: CaseFile, now: datetime | None = None) -> list[RequestView]:
    """The case's requests with their clocks read at `now` (running ones; a stopped clock shows when it stopped)
    and the steps each may take next (pure: the case was read, and audited, by `case`)."""
    now = now or datetime.now(UTC)
    shares, chase_days = _shares(), int(config.get("chase_days"))
    out = []
    for stored in file.requests:
        inst = instruments()[stored.request.instrument]
        views = [ClockView(run, clocks.read(run.started_at, run.due_at, now, shares, run.chase_days or chase_days)
                           if run.running else None) for run in stored.request.clocks]
        out.append(RequestView(stored, inst, views, list(inst.available(stored.request.state))))
    return out


def today_clock(found: Case, now: datetime | None = None) -> clocks.Reading | None:
    """The "today" clock of a case opened from a P1 report, read at `now`; None once someone has acted."""
    if found.today_due is None:
        return None
    return clocks.read(found.opened_at, found.today_due, now or datetime.now(UTC), _shares())


def next_states(found: Case) -> tuple[CaseState, ...]:
    """The states the case may move to next."""
    return allowed_states(found.state)


@dataclass(frozen=True)
class Preview:
    """What the knowledge base says before a request is sent: the warnings, and the requested state's entry."""

    warnings: list[str]
    country: dict[str, object] | None


def preview_request(s: Session, user: User, case_id: int, instrument_id: str, to_state: str, about: str,
                    event_on: date | None = None) -> Preview:
    """The warnings a request would earn (`warnings_before_sending`) and the requested state's facts, shown beside
    the request form before it is sent; nothing is sent or changed."""
    _own(s, user, case_id)
    inst = instruments()[instrument_id]
    state = to_state.strip().upper()
    if len(state) != 2 or not state.isalpha():
        raise InputRejected(f"{to_state!r} is not a state's two-letter code (ISO 3166)")
    requesting = (user.scope.country or "")[:2].upper()
    warnings = warnings_before_sending(requesting, inst.id, state, about, event_on)
    try:
        entry: dict[str, object] | None = service_knowledge.country(user, state)
    except NotFound:
        entry = None
    return Preview(warnings, entry)


def case_of_reports(s: Session, user: User, report_key: str) -> list[Case]:
    """The cases (the user's agency sees) holding a report already shown to the user; listed only when some are."""
    found = store.cases_of_report(s, report_key, _agency(user))
    if found:
        trail(s, user, "list", "cases", f"cases of report {report_key}: {', '.join(str(c.id) for c in found)}")
    return found


@dataclass(frozen=True)
class Deadline(OpenClock):
    """A running clock (its case, request and run, as the store gives it) read at one instant."""

    reading: clocks.Reading


def _deadline(row: OpenClock, now: datetime, shares: tuple[float, ...], chase_days: int) -> Deadline:
    run = row.run
    return Deadline(row.case_id, row.case_title, row.owner_agency, row.request_id, row.instrument, row.to_state,
                    row.urgent, run, clocks.read(run.started_at, run.due_at, now, shares, run.chase_days or chase_days))


PAGE = 100
"""Deadlines shown per bucket and page."""


@dataclass
class Deadlines:
    """What is overdue, due today, due this week, and to chase, soonest first (one page of each, and how many
    there are in all)."""

    now: datetime
    overdue: list[Deadline] = field(default_factory=list)
    today: list[Deadline] = field(default_factory=list)
    week: list[Deadline] = field(default_factory=list)
    chase: list[Deadline] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    offset: int = 0
    limit: int = PAGE

    def all(self) -> list[Deadline]:
        return [*self.overdue, *self.today, *self.week, *self.chase]

    @property
    def more(self) -> bool:
        """Whether a bucket has rows beyond this page."""
        return any(n > self.offset + self.limit for n in self.counts.values())


def window(now: datetime, chase_days: int) -> store.Window:
    """The buckets' bounds at `now`: the end of today (UTC), the end of the week (six days after), and the start
    before which a clock without a deadline or chase period of its own is to be chased."""
    end_today = _end_of_day(now)
    return store.Window(now, end_today, end_today + timedelta(days=6),
                        now - timedelta(days=chase_days) if chase_days > 0 else None)


def _bucket_of(row: OpenClock, w: store.Window) -> str | None:
    due = row.run.due_at
    if due is None:
        return None
    return "overdue" if due <= w.now else "today" if due <= w.end_today else "week" if due < w.week_end else None


def deadlines(s: Session, user: User, channel: str, now: datetime | None = None, agency: str | None = None,
              case_id: int | None = None, limit: int = PAGE, offset: int = 0) -> Deadlines:
    """The deadlines of the cases the user's agency sees (narrowed to one owning agency or one case), one page of
    each bucket: the buckets are counted and paged in SQL on the clocks' stored next-due instants, and only the rows
    shown are read; audited."""
    now = now or datetime.now(UTC)
    if not 1 <= limit <= 1000 or offset < 0:
        raise InputRejected("a page of deadlines holds 1 to 1,000 rows, from offset 0 on")
    shares, chase_days = _shares(), int(config.get("chase_days"))
    w = window(now, chase_days)
    owner = agency.upper() if agency else None
    seen = _agency(user)
    out = Deadlines(now, counts=store.deadline_counts(s, seen, w, owner, case_id), offset=offset, limit=limit)
    today = store.today_clocks(s, seen, w.week_end, owner, case_id)
    far = datetime.max.replace(tzinfo=UTC)
    for name in store.BUCKETS:
        extra = [row for row in today if _bucket_of(row, w) == name]
        out.counts[name] += len(extra)
        rows = store.deadline_rows(s, seen, w, name, limit + offset if extra else limit,
                                   0 if extra else offset, owner, case_id)
        if extra:
            rows = sorted(rows + extra, key=lambda d: (d.run.due_at or far, not d.urgent, d.case_id))
            rows = rows[offset:offset + limit]
        getattr(out, name).extend(_deadline(row, now, shares, chase_days) for row in rows)
    shown = sum(out.counts.values())
    trail(s, user, "list", "deadlines", f"{channel} {len(out.all())} of {shown} deadlines")
    return out


def expiring_preservations(s: Session, user: User, channel: str, now: datetime | None = None) -> list[Deadline]:
    """The preservations of P1 cases (the user's agency sees) ending within `preservation_warning_days` (or
    overdue), soonest first, each with its case, request, due date and rule: the queue shows them above everything
    else. Audited when there are any."""
    now = now or datetime.now(UTC)
    until = now + timedelta(days=int(config.get("preservation_warning_days")))
    shares = _shares()
    found = [_deadline(row, now, shares, 0) for row in store.p1_preservations_expiring(s, _agency(user), until)]
    if found:
        trail(s, user, "list", "deadlines", f"{channel} {len(found)} expiring P1 preservations")
    return found


def deadline_json(d: Deadline) -> dict[str, object]:
    """One deadline as the JSON feed gives it."""
    return {"case_id": d.case_id, "case_title": d.case_title, "owner_agency": d.owner_agency,
            "request_id": d.request_id, "instrument": d.instrument, "to_state": d.to_state, "urgent": d.urgent,
            "clock": d.clock, "label": d.label, "source": d.source,
            "due": d.due.isoformat() if d.due else None, "level": d.reading.level.value, "text": d.reading.text}


def deadlines_json(found: Deadlines) -> dict[str, object]:
    return {"now": found.now.isoformat(), "counts": found.counts, "offset": found.offset, "limit": found.limit,
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
