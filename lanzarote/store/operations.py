"""Operations: their agencies and links to cases and packages, meetings (participants, agenda, decisions), targets
and disputes over who arrests them, the action day's plan per state and the states' results (every version kept),
and joint investigation teams with their results. The only SQL for operations.

Results and JIT results are only ever inserted: a correction or a late figure is the next version.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date, datetime, time

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
    and_,
    func,
    insert,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Session

from lanzarote.coordination.operations import (
    FIGURES,
    AgencyRole,
    Agenda,
    CountryDay,
    DayState,
    Decision,
    Dispute,
    Extension,
    Jit,
    Meeting,
    Member,
    Operation,
    Participant,
    Result,
    Target,
)
from lanzarote.coordination.packages.ledger import Decisive, Feedback, Stage
from lanzarote.errors import Conflict, NotFound
from lanzarote.store.access import agencies
from lanzarote.store.metadata import metadata
from lanzarote.store.reports import as_utc

operations = Table(
    "operations", metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("description", Text, nullable=False),
    Column("coordinator", String(40), nullable=False),
    Column("created_by", String(100), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("day_on", Date),
    Column("default_hhour", String(5), nullable=False),
    Column("day_state", String(20), nullable=False),
    Column("frozen_at", DateTime(timezone=True)),
    Column("closed_at", DateTime(timezone=True)),
)
operation_agencies = Table(
    "operation_agencies", metadata,
    Column("operation_id", Integer, ForeignKey("operations.id"), primary_key=True),
    Column("agency", String(40), primary_key=True, index=True),
    Column("role", String(20), nullable=False),
)
operation_links = Table(
    "operation_links", metadata,
    Column("operation_id", Integer, ForeignKey("operations.id"), primary_key=True),
    Column("kind", String(10), primary_key=True),  # case | package
    Column("ref", String(60), primary_key=True),
    Column("linked_by", String(100), nullable=False),
    Column("linked_at", DateTime(timezone=True), nullable=False),
)
operation_targets = Table(
    "operation_targets", metadata,
    Column("id", Integer, primary_key=True),
    Column("operation_id", Integer, ForeignKey("operations.id"), nullable=False),
    Column("country", String(2), nullable=False),
    Column("label", String(100), nullable=False),
    Column("arresting_state", String(2)),
    Column("shared_with", String(200), nullable=False),  # comma-separated states
    Column("subject_id", String(100)),
    Column("case_id", Integer),
    Column("added_by", String(100), nullable=False),
    Column("added_at", DateTime(timezone=True), nullable=False),
    Index("ux_operation_targets_label", "operation_id", "label", unique=True),
    Index("ix_operation_targets_country", "operation_id", "country", "label"),
    Index("ix_operation_targets_arresting", "operation_id", "arresting_state"),
)
target_disputes = Table(
    "target_disputes", metadata,
    Column("id", Integer, primary_key=True),
    Column("operation_id", Integer, ForeignKey("operations.id"), nullable=False, index=True),
    Column("target_id", Integer, ForeignKey("operation_targets.id"), nullable=False, index=True),
    Column("holder", String(2), nullable=False),
    Column("claimant", String(2), nullable=False),
    Column("reason", Text, nullable=False),
    Column("claimed_by", String(100), nullable=False),
    Column("claimed_at", DateTime(timezone=True), nullable=False),
    Column("resolved_at", DateTime(timezone=True)),
    Column("resolution", Text),
)
day_countries = Table(
    "day_countries", metadata,
    Column("operation_id", Integer, ForeignKey("operations.id"), primary_key=True),
    Column("country", String(2), primary_key=True),
    Column("zone", String(60), nullable=False),
    Column("hhour", String(5), nullable=False),
    Column("officers", Integer, nullable=False),
    Column("searches", Integer, nullable=False),
)
day_results = Table(
    "day_results", metadata,
    Column("id", Integer, primary_key=True),
    Column("operation_id", Integer, ForeignKey("operations.id"), nullable=False),
    Column("country", String(2), nullable=False),
    Column("version", Integer, nullable=False),
    *(Column(name, Integer, nullable=False) for name in FIGURES),
    Column("recorded_by", String(100), nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    Column("late", Boolean, nullable=False),
    Column("note", Text, nullable=False),
    Index("ux_day_results_version", "operation_id", "country", "version", unique=True),
)
meetings = Table(
    "operation_meetings", metadata,
    Column("id", Integer, primary_key=True),
    Column("operation_id", Integer, ForeignKey("operations.id"), nullable=False, index=True),
    Column("held_at", DateTime(timezone=True), nullable=False),
    Column("chair", String(200), nullable=False),
    Column("title", String(300), nullable=False),
)
meeting_participants = Table(
    "meeting_participants", metadata,
    Column("id", Integer, primary_key=True),
    Column("meeting_id", Integer, ForeignKey("operation_meetings.id"), nullable=False, index=True),
    Column("country", String(40), nullable=False),
    Column("who", String(200), nullable=False),
)
meeting_agenda = Table(
    "meeting_agenda", metadata,
    Column("id", Integer, primary_key=True),
    Column("meeting_id", Integer, ForeignKey("operation_meetings.id"), nullable=False, index=True),
    Column("position", Integer, nullable=False),
    Column("country", String(40)),
    Column("title", String(300), nullable=False),
)
meeting_decisions = Table(
    "meeting_decisions", metadata,
    Column("id", Integer, primary_key=True),
    Column("meeting_id", Integer, ForeignKey("operation_meetings.id"), nullable=False, index=True),
    Column("operation_id", Integer, ForeignKey("operations.id"), nullable=False),
    Column("text", Text, nullable=False),
    Column("owner", String(100), nullable=False),
    Column("due_on", Date, nullable=False),
    Column("done_at", DateTime(timezone=True)),
)
jits = Table(
    "jits", metadata,
    Column("id", Integer, primary_key=True),
    Column("operation_id", Integer, ForeignKey("operations.id"), nullable=False, index=True),
    Column("name", String(200), nullable=False),
    Column("agreement_on", Date, nullable=False),
    Column("expires_on", Date, nullable=False),
    Column("case_id", Integer),
    Column("created_by", String(100), nullable=False),
)
jit_parties = Table(
    "jit_parties", metadata,
    Column("jit_id", Integer, ForeignKey("jits.id"), primary_key=True),
    Column("party", String(40), primary_key=True),
)
jit_members = Table(
    "jit_members", metadata,
    Column("id", Integer, primary_key=True),
    Column("jit_id", Integer, ForeignKey("jits.id"), nullable=False, index=True),
    Column("name", String(200), nullable=False),
    Column("agency", String(40), nullable=False),
    Column("role", String(100), nullable=False),
)
jit_extensions = Table(
    "jit_extensions", metadata,
    Column("id", Integer, primary_key=True),
    Column("jit_id", Integer, ForeignKey("jits.id"), nullable=False, index=True),
    Column("extended_on", Date, nullable=False),
    Column("until", Date, nullable=False),
)
jit_results = Table(
    "jit_results", metadata,
    Column("id", Integer, primary_key=True),
    Column("jit_id", Integer, ForeignKey("jits.id"), nullable=False, index=True),
    Column("stage", String(30), nullable=False),
    Column("on", Date, nullable=False),
    Column("count", Integer, nullable=False),
    Column("version", Integer, nullable=False),
    Column("reported_by", String(200), nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    Column("decisive", String(10), nullable=False),
    Column("words", Text, nullable=False),
)

TABLES = (operations, operation_agencies, operation_links, operation_targets, target_disputes, day_countries,
          day_results, meetings, meeting_participants, meeting_agenda, meeting_decisions, jits, jit_parties,
          jit_members, jit_extensions, jit_results)


def _hour(text: str) -> time:
    return time.fromisoformat(text)


# -- operations ---------------------------------------------------------------------------------------------------

def add_operation(s: Session, name: str, description: str, coordinator: str, by: str, at: datetime) -> int:
    if s.execute(select(operations.c.id).where(func.lower(operations.c.name) == name.lower())).first():
        raise Conflict(f"an operation named {name!r} exists already")
    op_id = int(s.execute(insert(operations).values(
        name=name, description=description, coordinator=coordinator, created_by=by, created_at=at,
        default_hhour="06:00", day_state=DayState.PLANNING.value).returning(operations.c.id)).scalar_one())
    set_participant(s, op_id, coordinator, AgencyRole.COORDINATOR)
    return op_id


def _visible(agency: str | None):  # type: ignore[no-untyped-def]
    if agency is None:
        return operations.c.id.is_not(None)
    part = select(operation_agencies.c.operation_id).where(operation_agencies.c.agency == agency)
    return or_(operations.c.coordinator == agency, operations.c.id.in_(part))


def _operation(row: object, participants: tuple[Participant, ...] = (), cases: tuple[int, ...] = (),
               packages: tuple[str, ...] = ()) -> Operation:
    r = row
    return Operation(id=r.id, name=r.name, description=r.description,  # type: ignore[attr-defined]
                     coordinator=r.coordinator, created_by=r.created_by,  # type: ignore[attr-defined]
                     created_at=as_utc(r.created_at) or r.created_at, day_on=r.day_on,  # type: ignore[attr-defined]
                     default_hhour=_hour(r.default_hhour),  # type: ignore[attr-defined]
                     day_state=DayState(r.day_state), frozen_at=as_utc(r.frozen_at),  # type: ignore[attr-defined]
                     closed_at=as_utc(r.closed_at), participants=participants,  # type: ignore[attr-defined]
                     cases=cases, packages=packages)


def get_operation(s: Session, op_id: int, agency: str | None) -> Operation:
    """An operation the agency coordinates or takes part in (None: any, for the store's operator)."""
    row = s.execute(select(operations).where(operations.c.id == op_id, _visible(agency))).one_or_none()
    if row is None:
        raise NotFound(f"no operation {op_id}")
    oa, a = operation_agencies, agencies
    parts = tuple(Participant(r.agency, AgencyRole(r.role), r.country) for r in s.execute(
        select(oa.c.agency, oa.c.role, a.c.country).outerjoin(a, a.c.code == oa.c.agency)
        .where(oa.c.operation_id == op_id).order_by(oa.c.agency)))
    links = s.execute(select(operation_links.c.kind, operation_links.c.ref)
                      .where(operation_links.c.operation_id == op_id).order_by(operation_links.c.ref)).all()
    return _operation(row, parts, tuple(sorted(int(r.ref) for r in links if r.kind == "case")),
                      tuple(r.ref for r in links if r.kind == "package"))


def list_operations(s: Session, agency: str | None) -> list[Operation]:
    rows = s.execute(select(operations).where(_visible(agency)).order_by(operations.c.id.desc()).limit(500))
    return [_operation(r) for r in rows]


def set_operation(s: Session, op_id: int, **values: object) -> None:
    s.execute(update(operations).where(operations.c.id == op_id).values(**values))


def set_participant(s: Session, op_id: int, agency: str, role: AgencyRole) -> None:
    oa = operation_agencies
    if s.execute(select(oa.c.role).where(oa.c.operation_id == op_id, oa.c.agency == agency)).first():
        s.execute(update(oa).where(oa.c.operation_id == op_id, oa.c.agency == agency).values(role=role.value))
    else:
        s.execute(insert(oa).values(operation_id=op_id, agency=agency, role=role.value))


def link(s: Session, op_id: int, kind: str, ref: str, by: str, at: datetime) -> bool:
    ol = operation_links
    if s.execute(select(ol.c.ref).where(ol.c.operation_id == op_id, ol.c.kind == kind, ol.c.ref == ref)).first():
        return False
    s.execute(insert(ol).values(operation_id=op_id, kind=kind, ref=ref, linked_by=by, linked_at=at))
    return True


# -- targets and disputes -----------------------------------------------------------------------------------------

def add_target(s: Session, op_id: int, country: str, label: str, arresting: str | None, shared: Sequence[str],
               subject_id: str | None, case_id: int | None, by: str, at: datetime) -> int:
    t = operation_targets
    if s.execute(select(t.c.id).where(t.c.operation_id == op_id, t.c.label == label)).first():
        raise Conflict(f"the operation has a target {label!r} already")
    return int(s.execute(insert(t).values(
        operation_id=op_id, country=country, label=label, arresting_state=arresting, shared_with=",".join(shared),
        subject_id=subject_id, case_id=case_id, added_by=by, added_at=at).returning(t.c.id)).scalar_one())


def add_targets(s: Session, rows: Sequence[dict[str, object]]) -> None:
    """Many targets at once (an import, a benchmark's world)."""
    if rows:
        s.execute(insert(operation_targets), list(rows))


def _dispute(r: object) -> Dispute:
    return Dispute(r.id, r.target_id, r.holder, r.claimant, r.reason,  # type: ignore[attr-defined]
                   as_utc(r.claimed_at) or r.claimed_at, r.claimed_by,  # type: ignore[attr-defined]
                   as_utc(r.resolved_at), r.resolution)  # type: ignore[attr-defined]


def _seen(country: str | None):  # type: ignore[no-untyped-def]
    t = operation_targets
    if country is None:
        return t.c.id.is_not(None)
    return or_(t.c.country == country, t.c.arresting_state == country,
               (literal(",") + t.c.shared_with + literal(",")).like(f"%,{country},%"))


def targets(s: Session, op_id: int, seen_by: str | None, country: str | None = None, disputed: bool = False,
            limit: int | None = None, offset: int = 0) -> list[Target]:
    """The operation's targets a state may see (None: every one), perhaps only one state's or only those with an
    open dispute, with their disputes (open and resolved)."""
    t, d = operation_targets, target_disputes
    q = select(t).where(t.c.operation_id == op_id, _seen(seen_by))
    if country is not None:
        q = q.where(t.c.country == country)
    if disputed:
        q = q.where(t.c.id.in_(select(d.c.target_id).where(d.c.operation_id == op_id, d.c.resolved_at.is_(None))))
    q = q.order_by(t.c.country, t.c.label).offset(offset)
    if limit is not None:
        q = q.limit(limit)
    rows = s.execute(q).all()
    ids = [r.id for r in rows]
    by_target: dict[int, list[Dispute]] = {}
    if ids:
        dq = select(d).where(d.c.operation_id == op_id).order_by(d.c.id)
        if len(ids) <= 500:
            dq = dq.where(d.c.target_id.in_(ids))
        for r in s.execute(dq):
            by_target.setdefault(r.target_id, []).append(_dispute(r))
    return [Target(r.id, r.country, r.label, r.arresting_state, tuple(x for x in r.shared_with.split(",") if x),
                   r.subject_id, r.case_id, as_utc(r.added_at), tuple(by_target.get(r.id, ())))
            for r in rows]


def get_target(s: Session, op_id: int, target_id: int) -> Target:
    t = operation_targets
    row = s.execute(select(t).where(t.c.operation_id == op_id, t.c.id == target_id)).one_or_none()
    if row is None:
        raise NotFound(f"no target {target_id} in operation {op_id}")
    disputes = tuple(_dispute(r) for r in s.execute(select(target_disputes).where(
        target_disputes.c.target_id == target_id).order_by(target_disputes.c.id)))
    return Target(row.id, row.country, row.label, row.arresting_state,
                  tuple(x for x in row.shared_with.split(",") if x), row.subject_id, row.case_id,
                  as_utc(row.added_at), disputes)


def set_target(s: Session, target_id: int, **values: object) -> None:
    s.execute(update(operation_targets).where(operation_targets.c.id == target_id).values(**values))


def add_dispute(s: Session, op_id: int, target_id: int, holder: str, claimant: str, reason: str, by: str,
                at: datetime) -> int:
    return int(s.execute(insert(target_disputes).values(
        operation_id=op_id, target_id=target_id, holder=holder, claimant=claimant, reason=reason, claimed_by=by,
        claimed_at=at).returning(target_disputes.c.id)).scalar_one())


def resolve_dispute(s: Session, op_id: int, dispute_id: int, resolution: str, at: datetime) -> Dispute:
    d = target_disputes
    row = s.execute(select(d).where(d.c.operation_id == op_id, d.c.id == dispute_id,
                                    d.c.resolved_at.is_(None))).one_or_none()
    if row is None:
        raise NotFound(f"no open dispute {dispute_id} in operation {op_id}")
    s.execute(update(d).where(d.c.id == dispute_id).values(resolved_at=at, resolution=resolution))
    return _dispute(row)


def open_disputes(s: Session, op_id: int, seen_by: str | None = None) -> list[tuple[Dispute, str]]:
    """The open disputes (with their target's label) a state may see: those about targets it sees."""
    d, t = target_disputes, operation_targets
    rows = s.execute(select(d, t.c.label).join(t, t.c.id == d.c.target_id)
                     .where(d.c.operation_id == op_id, d.c.resolved_at.is_(None), _seen(seen_by)).order_by(d.c.id))
    return [(_dispute(r), r.label) for r in rows]


def target_counts(s: Session, op_id: int) -> tuple[dict[str, int], int]:
    """Per state the targets it arrests, and the targets with no arresting state yet."""
    t = operation_targets
    arresting: dict[str, int] = {}
    unassigned = 0
    for state, n in s.execute(select(t.c.arresting_state, func.count()).where(t.c.operation_id == op_id)
                              .group_by(t.c.arresting_state)):
        if state is None:
            unassigned = int(n)
        else:
            arresting[state] = int(n)
    return arresting, unassigned


def targets_added_since(s: Session, op_id: int, since: datetime, until: datetime) -> dict[str, int]:
    t = operation_targets
    return {c: int(n) for c, n in s.execute(select(t.c.country, func.count()).where(
        t.c.operation_id == op_id, t.c.added_at > since, t.c.added_at <= until).group_by(t.c.country))}


# -- the action day -----------------------------------------------------------------------------------------------

def set_country_day(s: Session, op_id: int, day: CountryDay) -> None:
    dc = day_countries
    values = {"zone": day.zone, "hhour": day.hhour.strftime("%H:%M"), "officers": day.officers,
              "searches": day.searches}
    if s.execute(select(dc.c.country).where(dc.c.operation_id == op_id, dc.c.country == day.country)).first():
        s.execute(update(dc).where(dc.c.operation_id == op_id, dc.c.country == day.country).values(**values))
    else:
        s.execute(insert(dc).values(operation_id=op_id, country=day.country, **values))


def country_days(s: Session, op_id: int) -> list[CountryDay]:
    dc = day_countries
    return [CountryDay(r.country, r.zone, _hour(r.hhour), r.officers, r.searches)
            for r in s.execute(select(dc).where(dc.c.operation_id == op_id).order_by(dc.c.country))]


def add_result(s: Session, op_id: int, r: Result) -> Result:
    """The next version of a state's result (the first is 1)."""
    dr = day_results
    last = s.execute(select(func.max(dr.c.version)).where(dr.c.operation_id == op_id, dr.c.country == r.country)
                     ).scalar()
    version = int(last or 0) + 1
    s.execute(insert(dr).values(operation_id=op_id, country=r.country, version=version,
                                **{n: r.figure(n) for n in FIGURES}, recorded_by=r.recorded_by,
                                recorded_at=r.recorded_at, late=r.late, note=r.note))
    return Result.of(r.country, version, {n: r.figure(n) for n in FIGURES}, r.recorded_by, r.recorded_at, r.late,
                     r.note)


def results(s: Session, op_id: int, country: str | None = None) -> list[Result]:
    """Every version of the states' results (or one state's), oldest first."""
    dr = day_results
    q = select(dr).where(dr.c.operation_id == op_id)
    if country is not None:
        q = q.where(dr.c.country == country)
    return [Result.of(r.country, r.version, {n: getattr(r, n) for n in FIGURES}, r.recorded_by,
                      as_utc(r.recorded_at) or r.recorded_at, r.late, r.note)
            for r in s.execute(q.order_by(dr.c.country, dr.c.version))]


def latest_results(s: Session, op_id: int) -> list[Result]:
    """Each state's latest version only (what the board sums)."""
    dr = day_results
    latest = (select(dr.c.country, func.max(dr.c.version).label("version")).where(dr.c.operation_id == op_id)
              .group_by(dr.c.country).subquery())
    q = (select(dr).join(latest, and_(latest.c.country == dr.c.country, latest.c.version == dr.c.version))
         .where(dr.c.operation_id == op_id).order_by(dr.c.country))
    return [Result.of(r.country, r.version, {n: getattr(r, n) for n in FIGURES}, r.recorded_by,
                      as_utc(r.recorded_at) or r.recorded_at, r.late, r.note) for r in s.execute(q)]


def summed(s: Session, op_id: int) -> dict[str, int]:
    """The totals as the database sums them: each state's latest version, added up."""
    dr = day_results
    latest = (select(dr.c.country, func.max(dr.c.version).label("version")).where(dr.c.operation_id == op_id)
              .group_by(dr.c.country).subquery())
    row = s.execute(select(*(func.coalesce(func.sum(dr.c[n]), 0) for n in FIGURES)).join(
        latest, and_(latest.c.country == dr.c.country, latest.c.version == dr.c.version))
        .where(dr.c.operation_id == op_id)).one()
    return {n: int(v) for n, v in zip(FIGURES, row, strict=True)}


# -- meetings -----------------------------------------------------------------------------------------------------

def add_meeting(s: Session, op_id: int, held_at: datetime, chair: str, title: str,
                participants: Sequence[tuple[str, str]], agenda: Sequence[tuple[str | None, str]]) -> int:
    mid = int(s.execute(insert(meetings).values(operation_id=op_id, held_at=held_at, chair=chair, title=title)
                        .returning(meetings.c.id)).scalar_one())
    if participants:
        s.execute(insert(meeting_participants), [{"meeting_id": mid, "country": c, "who": w} for c, w in participants])
    if agenda:
        s.execute(insert(meeting_agenda), [{"meeting_id": mid, "position": i, "country": c, "title": t}
                                           for i, (c, t) in enumerate(agenda, 1)])
    return mid


def add_decision(s: Session, op_id: int, meeting_id: int, text: str, owner: str, due_on: date) -> int:
    return int(s.execute(insert(meeting_decisions).values(
        operation_id=op_id, meeting_id=meeting_id, text=text, owner=owner, due_on=due_on)
        .returning(meeting_decisions.c.id)).scalar_one())


def finish_decision(s: Session, op_id: int, decision_id: int, at: datetime) -> str:
    md = meeting_decisions
    done = s.execute(update(md).where(md.c.id == decision_id, md.c.operation_id == op_id, md.c.done_at.is_(None))
                     .values(done_at=at).returning(md.c.text)).scalar_one_or_none()
    if done is None:
        raise NotFound(f"no open decision {decision_id} in operation {op_id}")
    return str(done)


def meetings_of(s: Session, op_id: int, details: bool = True) -> list[Meeting]:
    """The operation's meetings, earliest first, each with its decisions and (with `details`) its participants and
    agenda."""
    rows = s.execute(select(meetings).where(meetings.c.operation_id == op_id)
                     .order_by(meetings.c.held_at, meetings.c.id)).all()
    ids = [r.id for r in rows]
    if not ids:
        return []
    people: dict[int, list[tuple[str, str]]] = {}
    agenda: dict[int, list[Agenda]] = {}
    if details:
        for r in s.execute(select(meeting_participants).where(meeting_participants.c.meeting_id.in_(ids))
                           .order_by(meeting_participants.c.id)):
            people.setdefault(r.meeting_id, []).append((r.country, r.who))
        for r in s.execute(select(meeting_agenda).where(meeting_agenda.c.meeting_id.in_(ids))
                           .order_by(meeting_agenda.c.position)):
            agenda.setdefault(r.meeting_id, []).append(Agenda(r.position, r.country, r.title))
    decided: dict[int, list[Decision]] = {}
    for r in s.execute(select(meeting_decisions).where(meeting_decisions.c.meeting_id.in_(ids))
                       .order_by(meeting_decisions.c.due_on, meeting_decisions.c.id)):
        decided.setdefault(r.meeting_id, []).append(Decision(r.id, r.meeting_id, r.text, r.owner, r.due_on,
                                                             as_utc(r.done_at)))
    return [Meeting(r.id, op_id, as_utc(r.held_at) or r.held_at, r.chair, r.title, tuple(people.get(r.id, ())),
                    tuple(agenda.get(r.id, ())), tuple(decided.get(r.id, ()))) for r in rows]


# -- joint investigation teams ------------------------------------------------------------------------------------

def add_jit(s: Session, op_id: int, name: str, agreement_on: date, expires_on: date, case_id: int | None,
            parties: Sequence[str], by: str) -> int:
    jid = int(s.execute(insert(jits).values(operation_id=op_id, name=name, agreement_on=agreement_on,
                                            expires_on=expires_on, case_id=case_id, created_by=by)
                        .returning(jits.c.id)).scalar_one())
    s.execute(insert(jit_parties), [{"jit_id": jid, "party": p} for p in sorted(set(parties))])
    return jid


def add_member(s: Session, jit_id: int, member: Member) -> None:
    s.execute(insert(jit_members).values(jit_id=jit_id, name=member.name, agency=member.agency, role=member.role))


def add_extension(s: Session, jit_id: int, extended_on: date, until: date) -> None:
    s.execute(insert(jit_extensions).values(jit_id=jit_id, extended_on=extended_on, until=until))


def jits_of(s: Session, op_id: int, jit_id: int | None = None) -> list[Jit]:
    q = select(jits).where(jits.c.operation_id == op_id).order_by(jits.c.id)
    if jit_id is not None:
        q = q.where(jits.c.id == jit_id)
    rows = s.execute(q).all()
    ids = [r.id for r in rows]
    if not ids:
        return []
    parties: dict[int, list[str]] = {}
    for r in s.execute(select(jit_parties).where(jit_parties.c.jit_id.in_(ids)).order_by(jit_parties.c.party)):
        parties.setdefault(r.jit_id, []).append(r.party)
    members: dict[int, list[Member]] = {}
    for r in s.execute(select(jit_members).where(jit_members.c.jit_id.in_(ids)).order_by(jit_members.c.id)):
        members.setdefault(r.jit_id, []).append(Member(r.name, r.agency, r.role))
    ext: dict[int, list[Extension]] = {}
    for r in s.execute(select(jit_extensions).where(jit_extensions.c.jit_id.in_(ids)).order_by(jit_extensions.c.id)):
        ext.setdefault(r.jit_id, []).append(Extension(r.extended_on, r.until))
    return [Jit(r.id, op_id, r.name, r.agreement_on, r.expires_on, r.case_id, tuple(parties.get(r.id, ())),
                tuple(members.get(r.id, ())), tuple(ext.get(r.id, ()))) for r in rows]


def jit_key(jit_id: int) -> str:
    """A JIT's results travel the ledger's arithmetic under this key (as a package's under its id)."""
    return f"JIT-{jit_id}"


def add_jit_result(s: Session, jit_id: int, f: Feedback) -> Feedback:
    jr = jit_results
    last = s.execute(select(func.max(jr.c.version)).where(jr.c.jit_id == jit_id, jr.c.stage == f.stage.value)).scalar()
    version = int(last or 0) + 1
    s.execute(insert(jr).values(jit_id=jit_id, stage=f.stage.value, on=f.on, count=f.count, version=version,
                                reported_by=f.reported_by, recorded_at=f.recorded_at, decisive=f.decisive.value,
                                words=f.words))
    return f.model_copy(update={"version": version})


def jit_results_of(s: Session, jit_ids: Collection[int]) -> list[Feedback]:
    if not jit_ids:
        return []
    jr = jit_results
    return [Feedback(package_id=jit_key(r.jit_id), stage=Stage(r.stage), on=r.on, count=r.count,
                     reported_by=r.reported_by, version=r.version, recorded_at=as_utc(r.recorded_at),
                     decisive=Decisive(r.decisive), words=r.words)
            for r in s.execute(select(jr).where(jr.c.jit_id.in_(list(jit_ids))).order_by(jr.c.id))]
