"""Operations as use cases: create one and name its agencies; link cases and packages; hold coordination meetings
with decisions, minutes and a follow-up computed from the cases; list targets with the one state that arrests each
(a second state is refused and shown as a dispute); plan the action day per state in its own time zone, freeze it,
take each state's results (late ones versioned), reconcile them on the coordination centre's board; draft the joint
press release; run joint investigation teams whose results join the outcomes funnel.

Need-to-know: an operation is seen by the agency that coordinates it and the agencies taking part, and by nobody
else ("no operation N"); within it a state sees its own targets (those in it, those it arrests, those shared with it)
and the totals, not other states' targets or lines; the coordinator and the hub see everything. Every change is
audited; every read is audited.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from sqlalchemy.orm import Session

from lanzarote import config
from lanzarote.coordination.operations import (
    FIGURES,
    AgencyRole,
    CountryDay,
    DayState,
    Decision,
    Dispute,
    Jit,
    Meeting,
    Member,
    Operation,
    Result,
    Target,
    Totals,
    check_arresting_state,
    documents,
    freeze_problems,
    state_code,
)
from lanzarote.coordination.operations import day as days
from lanzarote.coordination.operations.day import HHour, Line, Reconciliation
from lanzarote.coordination.operations.documents import NewInCase
from lanzarote.coordination.packages import ledger
from lanzarote.coordination.packages.ledger import Decisive, Feedback, Row, Sent, Stage
from lanzarote.errors import AccessDenied, Conflict, InputRejected, NotFound
from lanzarote.service.actors import require
from lanzarote.service.reports import trail
from lanzarote.store import access, audit
from lanzarote.store import cases as store_cases
from lanzarote.store import operations as store
from lanzarote.store import packages as store_packages
from lanzarote.store.access import SYSTEM_ROLE, User
from lanzarote.store.db import session

__all__ = ["FIGURES", "AgencyRole", "DayState", "Decisive", "Dispute", "HHour", "Jit", "Line", "Meeting", "Member",
           "NewInCase", "Operation", "Reconciliation", "Result", "Row", "Stage", "Target", "Totals"]
TARGETS_SHOWN = 200
"""Targets on one page of an operation (the rest by state or by page)."""


def _agency(user: User) -> str | None:
    return None if user.role == SYSTEM_ROLE else user.agency


def _country(user: User) -> str | None:
    """The state whose targets the user sees (None: every state's, for the hub and the store's operator)."""
    return None if user.is_hub else user.scope.country


def _note(s: Session, user: User, op_id: int, action: str, text: str, now: datetime | None = None) -> None:
    audit.record(s, user.username, f"operation_{action}", f"operation/{op_id}", text, now or datetime.now(UTC))


def _get(s: Session, user: User, op_id: int) -> Operation:
    return store.get_operation(s, op_id, _agency(user))


def coordinates(user: User, op: Operation) -> bool:
    return user.role == SYSTEM_ROLE or user.agency == op.coordinator


def _coordinating(s: Session, user: User, op_id: int, what: str) -> Operation:
    require(user, "decide")
    op = _get(s, user, op_id)
    if not coordinates(user, op):
        raise AccessDenied(f"only {op.coordinator}, which coordinates operation {op.name}, may {what}")
    return op


def _taking_part(s: Session, user: User, op_id: int) -> Operation:
    """An operation the user's agency coordinates or takes part in (not as an observer), for a change."""
    require(user, "decide")
    op = _get(s, user, op_id)
    if not coordinates(user, op) and op.role_of(user.agency) is not AgencyRole.PARTICIPANT:
        raise AccessDenied(f"{user.agency} observes operation {op.name}: it changes nothing in it")
    return op


def _for_state(user: User, op: Operation, state: str, what: str) -> None:
    """The coordinator acts for any state; a participating state for itself only."""
    if coordinates(user, op):
        return
    if _country(user) != state:
        raise AccessDenied(f"{user.agency} may {what} for its own state only, not for {state}")


def _participating_state(op: Operation, state: str) -> str:
    code = state_code(state)
    if code not in op.countries:
        raise InputRejected(f"{code} takes no part in operation {op.name}: add its national unit first")
    return code


# -- the operation and its agencies -------------------------------------------------------------------------------

def create(s: Session, user: User, name: str, description: str = "") -> Operation:
    """A new operation coordinated by the user's agency."""
    require(user, "decide")
    if not name.strip():
        raise InputRejected("an operation needs a name (e.g. Daylight)")
    now = datetime.now(UTC)
    op_id = store.add_operation(s, name.strip()[:200], description.strip(), user.agency, user.username, now)
    _note(s, user, op_id, "created", f"operation {name.strip()} coordinated by {user.agency}", now)
    return store.get_operation(s, op_id, None)


def listing(s: Session, user: User, channel: str) -> list[Operation]:
    found = store.list_operations(s, _agency(user))
    trail(s, user, "list", "operations", f"{channel} {len(found)} operations")
    return found


def add_agency(s: Session, user: User, op_id: int, agency: str, role: str = "participant") -> Operation:
    """Let an agency take part (or observe); the coordinator only."""
    op = _coordinating(s, user, op_id, "add agencies")
    try:
        as_role = AgencyRole(role)
    except ValueError:
        raise InputRejected(f"no role {role!r} in an operation (one of participant, observer)") from None
    code = agency.strip().upper()
    if as_role is AgencyRole.COORDINATOR or code == op.coordinator:
        raise InputRejected(f"{op.coordinator} coordinates operation {op.name}: it has one coordinator")
    if code not in {a.code for a in access.list_agencies(s)}:
        raise NotFound(f"no agency {code!r} (see `lanzarote agencies list`)")
    store.set_participant(s, op_id, code, as_role)
    _note(s, user, op_id, "agency", f"{code} as {as_role.value}")
    return store.get_operation(s, op_id, None)


def link_case(s: Session, user: User, op_id: int, case_id: int) -> None:
    """Bring a case the user's agency may see into the operation: its progress (state moves and counts, never
    its content) shows in the follow-up meetings. Written in the case's timeline too."""
    op = _taking_part(s, user, op_id)
    store_cases.get_case(s, case_id, _agency(user))
    now = datetime.now(UTC)
    if store.link(s, op_id, "case", str(case_id), user.username, now):
        store_cases.add_timeline(s, case_id, now, user.username, "operation", f"part of operation {op.name}")
        _note(s, user, op_id, "link", f"case {case_id}", now)


def link_package(s: Session, user: User, op_id: int, package_id: str) -> None:
    """Bring a package the user's agency sent or received into the operation."""
    from lanzarote.service import packages

    _taking_part(s, user, op_id)
    packages.get(s, user, package_id)
    now = datetime.now(UTC)
    if store.link(s, op_id, "package", package_id, user.username, now):
        _note(s, user, op_id, "link", f"package {package_id}", now)


# -- targets ------------------------------------------------------------------------------------------------------

def add_target(s: Session, user: User, op_id: int, country: str, label: str, arresting_state: str | None = None,
               shared_with: Sequence[str] = (), subject_id: str | None = None, case_id: int | None = None) -> Target:
    """A target in a state (the coordinator's for any state, a state's for itself), perhaps with its arresting
    state and the states it is shared with."""
    op = _taking_part(s, user, op_id)
    state = _participating_state(op, country)
    _for_state(user, op, state, "add targets")
    if op.day_state is not DayState.PLANNING:
        raise Conflict(f"the action day is {op.day_state.value}: no target is added to it")
    if not label.strip():
        raise InputRejected("a target needs a label (a reference such as ES-07, never a victim's detail)")
    arresting = _participating_state(op, arresting_state) if arresting_state else None
    shared = sorted({_participating_state(op, c) for c in shared_with} - {state})
    if case_id is not None and case_id not in op.cases:
        raise NotFound(f"no case {case_id} in operation {op.name}")
    now = datetime.now(UTC)
    tid = store.add_target(s, op_id, state, label.strip()[:100], arresting, shared, subject_id, case_id,
                           user.username, now)
    _note(s, user, op_id, "target", f"target {tid} in {state}" + (f", arrested by {arresting}" if arresting else ""),
          now)
    return store.get_target(s, op_id, tid)


def _visible_target(s: Session, user: User, op_id: int, target_id: int) -> Target:
    target = store.get_target(s, op_id, target_id)
    if not target.seen_by(_country(user)):
        raise NotFound(f"no target {target_id} in operation {op_id}")
    return target


def set_arresting_state(s: Session, user: User, op_id: int, target_id: int, state: str, reason: str = "") -> Target:
    """Name the one state that arrests a target. A second, different state is refused: the claim is kept as a
    dispute (in a transaction of its own, so the refusal leaves it) and shown until the coordinator resolves it."""
    op = _taking_part(s, user, op_id)
    target = _visible_target(s, user, op_id, target_id)
    code = _participating_state(op, state)
    if not coordinates(user, op) and _country(user) not in (code, target.country):
        raise AccessDenied(f"{user.agency} may name its own state, or the arresting state of its own targets")
    try:
        changes = check_arresting_state(target, code, op.day_state)
    except Conflict:
        if op.day_state is DayState.PLANNING:
            holder = target.arresting_state or ""
            with session(s.get_bind().engine) as own:
                did = store.add_dispute(own, op_id, target_id, holder, code, reason.strip() or "-",
                                        user.username, datetime.now(UTC))
                _note(own, user, op_id, "dispute", f"dispute {did}: {code} claims target {target_id} held by {holder}")
        raise
    if changes:
        store.set_target(s, target_id, arresting_state=code)
        _note(s, user, op_id, "arresting_state", f"target {target_id}: arrested by {code}")
    return store.get_target(s, op_id, target_id)


def resolve_dispute(s: Session, user: User, op_id: int, dispute_id: int, arresting_state: str,
                    why: str = "") -> Target:
    """The coordinator settles who arrests the target: the state holding it or the claimant."""
    op = _coordinating(s, user, op_id, "resolve disputes")
    if op.day_state is not DayState.PLANNING:
        raise Conflict(f"the action day is {op.day_state.value}: arresting states are fixed")
    code = state_code(arresting_state)
    open_ = {d.id: d for d, _ in store.open_disputes(s, op_id)}
    found = open_.get(dispute_id)
    if found is None:
        raise NotFound(f"no open dispute {dispute_id} in operation {op_id}")
    if code not in (found.holder, found.claimant):
        raise InputRejected(f"dispute {dispute_id} is between {found.holder or 'nobody'} and {found.claimant}")
    now = datetime.now(UTC)
    text = f"{code} arrests" + (f": {why.strip()}" if why.strip() else "")
    store.resolve_dispute(s, op_id, dispute_id, text, now)
    store.set_target(s, found.target_id, arresting_state=code)
    _note(s, user, op_id, "resolved", f"dispute {dispute_id}: {text}", now)
    return store.get_target(s, op_id, found.target_id)


# -- the action day -----------------------------------------------------------------------------------------------

def plan_day(s: Session, user: User, op_id: int, day_on: date, default_hhour: str = "06:00") -> Operation:
    """The target date for simultaneous action and the H-hour states get unless they set their own."""
    op = _coordinating(s, user, op_id, "set the action day")
    if op.day_state is not DayState.PLANNING:
        raise Conflict(f"the action day is {op.day_state.value}: its date is fixed")
    hour = days.parse_hhour(default_hhour)
    store.set_operation(s, op_id, day_on=day_on, default_hhour=hour.strftime("%H:%M"))
    _note(s, user, op_id, "day", f"action day {day_on.isoformat()}, H-hour {hour:%H:%M} local")
    return store.get_operation(s, op_id, None)


def plan_country(s: Session, user: User, op_id: int, country: str, hhour: str | None = None,
                 zone: str | None = None, officers: int = 0, searches: int = 0) -> CountryDay:
    """A state's part of the day: its H-hour in its own time zone, officers and searches planned."""
    op = _taking_part(s, user, op_id)
    state = _participating_state(op, country)
    _for_state(user, op, state, "plan the day")
    if op.day_state is not DayState.PLANNING:
        raise Conflict(f"the action day is {op.day_state.value}: its plan is fixed")
    if officers < 0 or searches < 0:
        raise InputRejected("officers and searches are counts (0 or more)")
    plan = CountryDay(state, days.zone_of(state, zone), days.parse_hhour(hhour) if hhour else op.default_hhour,
                      officers, searches)
    store.set_country_day(s, op_id, plan)
    _note(s, user, op_id, "plan", f"{state}: H-hour {plan.hhour:%H:%M} {plan.zone}, {officers} officers, "
          f"{searches} searches")
    return plan


def freeze(s: Session, user: User, op_id: int) -> Operation:
    """Fix the day: refused while a target lacks its one arresting state, a dispute is open, or an arresting state
    has no H-hour."""
    op = _coordinating(s, user, op_id, "freeze the action day")
    if op.day_state is not DayState.PLANNING:
        raise Conflict(f"the action day is {op.day_state.value} already")
    problems = freeze_problems(store.targets(s, op_id, None), [c.country for c in store.country_days(s, op_id)],
                               op.day_on)
    if problems:
        more = f" (and {len(problems) - 10} more)" if len(problems) > 10 else ""
        raise Conflict("the day cannot be frozen: " + "; ".join(problems[:10]) + more)
    now = datetime.now(UTC)
    store.set_operation(s, op_id, day_state=DayState.FROZEN.value, frozen_at=now)
    _note(s, user, op_id, "frozen", f"action day {op.day_on} frozen", now)
    return store.get_operation(s, op_id, None)


def close_day(s: Session, user: User, op_id: int) -> Operation:
    """The coordination centre closes the day: results recorded from now on are marked late."""
    op = _coordinating(s, user, op_id, "close the action day")
    if op.day_state is not DayState.FROZEN:
        raise Conflict(f"the action day is {op.day_state.value}: only a frozen day is closed")
    now = datetime.now(UTC)
    store.set_operation(s, op_id, day_state=DayState.CLOSED.value, closed_at=now)
    _note(s, user, op_id, "closed", f"action day {op.day_on} closed", now)
    return store.get_operation(s, op_id, None)


def record_result(s: Session, user: User, op_id: int, country: str, figures: Mapping[str, int],
                  note: str = "") -> Result:
    """What a state did on the day (its own users, or the coordinator for it): a new version every time, late
    once the day is closed; the totals take each state's latest."""
    op = _taking_part(s, user, op_id)
    state = _participating_state(op, country)
    _for_state(user, op, state, "report results")
    if op.day_state is DayState.PLANNING:
        raise Conflict(f"operation {op.name}'s day is not frozen yet: results come in once it is")
    unknown = set(figures) - set(FIGURES)
    if unknown:
        raise InputRejected(f"no figure {sorted(unknown)[0]!r} (figures: {', '.join(FIGURES)})")
    values = {n: int(figures.get(n, 0)) for n in FIGURES}
    if any(v < 0 or v > 1_000_000 for v in values.values()):
        raise InputRejected("a figure is a count between 0 and 1,000,000")
    now = datetime.now(UTC)
    late = op.day_state is DayState.CLOSED
    kept = store.add_result(s, op_id, Result.of(state, 0, values, f"{user.username} ({user.agency})", now, late,
                                                note.strip()[:2000]))
    _note(s, user, op_id, "result", f"{state} v{kept.version}{' late' if late else ''}: "
          + ", ".join(f"{n} {v}" for n, v in values.items()), now)
    return kept


@dataclass(frozen=True)
class Board:
    """The coordination centre's board as one user may see it: the totals always; every state's line for the
    coordinator and the hub, a state's own line for a state."""

    operation: Operation
    lines: list[Line]
    totals: Totals
    targets: int
    differences: list[str]
    balanced: bool
    """The whole day balances (every state, not only those shown)."""
    elsewhere: int
    """Differences in lines the user does not see."""
    hhours: list[HHour]
    refresh_seconds: int


def _board(s: Session, user: User, op: Operation, arresting: dict[str, int] | None = None) -> Board:
    if arresting is None:
        arresting = store.target_counts(s, op.id)[0]
    plan = store.country_days(s, op.id)
    full = days.reconcile(op.day_on, plan, arresting, store.latest_results(s, op.id), store.summed(s, op.id))
    country = None if coordinates(user, op) else _country(user)
    lines = [ln for ln in full.lines if country is None or ln.country == country]
    shown = {d for ln in lines for d in ln.differences}
    mine = [d for d in full.differences if country is None or d in shown or d.startswith("the centre")]
    hhours = [ln.hhour for ln in full.lines if ln.hhour is not None]
    return Board(op, lines, full.totals, full.targets, mine, full.balanced, len(full.differences) - len(mine),
                 hhours, int(config.get("operation_centre_refresh_seconds")))


def board(s: Session, user: User, op_id: int, channel: str) -> Board:
    """The coordination centre's board (audited: it is read every few seconds, one entry a read)."""
    op = _get(s, user, op_id)
    found = _board(s, user, op)
    trail(s, user, "read", f"operation/{op_id}/board", channel)
    return found


def board_json(b: Board) -> dict[str, object]:
    return {
        "operation": b.operation.name, "day_on": b.operation.day_on.isoformat() if b.operation.day_on else None,
        "day_state": b.operation.day_state.value, "targets": b.targets, "balanced": b.balanced,
        "totals": {"states": b.totals.states, **b.totals.figures}, "differences": b.differences,
        "differences_elsewhere": b.elsewhere, "refresh_seconds": b.refresh_seconds,
        "lines": [{"country": ln.country, "targets": ln.targets, "officers_planned": ln.officers,
                   "searches_planned": ln.searches, "version": ln.versions, "late": bool(ln.result and ln.result.late),
                   "hhour_local": ln.hhour.local.isoformat() if ln.hhour else None,
                   "hhour_utc": ln.hhour.utc.isoformat() if ln.hhour else None,
                   "hhour": ln.hhour.text if ln.hhour else None,
                   "result": {n: ln.result.figure(n) for n in FIGURES} if ln.result else None,
                   "differences": list(ln.differences)} for ln in b.lines],
    }


def results_history(s: Session, user: User, op_id: int, country: str | None = None) -> list[Result]:
    """Every version of the results the user may see (a state its own); not a report: audited as a read."""
    op = _get(s, user, op_id)
    mine = None if coordinates(user, op) else _country(user)
    if mine is not None and country is not None and country.upper() != mine:
        raise NotFound(f"no results of {country.upper()} for {user.agency}")
    found = store.results(s, op_id, mine or (country.upper() if country else None))
    trail(s, user, "read", f"operation/{op_id}/results", f"{len(found)} versions")
    return found


# -- the operation's page -----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class OperationView:
    operation: Operation
    board: Board
    coordinating: bool
    country: str | None
    targets: list[Target]
    """One page of the targets the user may see (of one state when asked)."""
    shown_state: str | None
    per_state: dict[str, int]
    """Targets each state arrests (the coordinator's view; a state sees its own count)."""
    unassigned: int
    disputes: list[tuple[Dispute, str]]
    meetings: list[Meeting]
    """The meetings with their decisions (participants and agenda are on each meeting's page)."""
    jits: list[Jit]


def operation(s: Session, user: User, op_id: int, channel: str, state: str | None = None, disputed: bool = False,
              offset: int = 0) -> OperationView:
    """An operation with its board, one page of targets, disputes, meetings and JITs; the read audited."""
    op = _get(s, user, op_id)
    lead = coordinates(user, op)
    country = None if lead else _country(user)
    shown = state_code(state) if state else None
    found = store.targets(s, op_id, country, shown, disputed, TARGETS_SHOWN, max(0, offset))
    arresting, unassigned = store.target_counts(s, op_id)
    per_state = arresting if country is None else {k: v for k, v in arresting.items() if k == country}
    view = OperationView(op, _board(s, user, op, arresting), lead, country, found, shown, per_state,
                         unassigned if country is None else 0, store.open_disputes(s, op_id, country),
                         store.meetings_of(s, op_id, details=False), store.jits_of(s, op_id))
    trail(s, user, "read", f"operation/{op_id}", f"{channel} {len(found)} targets")
    return view


# -- meetings -----------------------------------------------------------------------------------------------------

def _participants(items: Sequence[str]) -> list[tuple[str, str]]:
    """"ES: Inspector A. Example" → ("ES", "Inspector A. Example")."""
    out = []
    for item in items:
        country, sep, who = item.partition(":")
        if not sep or not country.strip() or not who.strip():
            raise InputRejected(f"{item!r}: a participant is 'COUNTRY: who', e.g. 'ES: Inspector A. Example'")
        out.append((country.strip().upper()[:40], who.strip()[:200]))
    return out


def _agenda(items: Sequence[str]) -> list[tuple[str | None, str]]:
    """"ES: presentation of the national operation" or a general item without a country."""
    out: list[tuple[str | None, str]] = []
    for item in items:
        head, sep, rest = item.partition(":")
        if sep and len(head.strip()) == 2 and head.strip().isalpha() and rest.strip():
            out.append((head.strip().upper(), rest.strip()[:300]))
        elif item.strip():
            out.append((None, item.strip()[:300]))
    return out


def hold_meeting(s: Session, user: User, op_id: int, held_at: datetime, chair: str, title: str = "",
                 participants: Sequence[str] = (), agenda: Sequence[str] = ()) -> Meeting:
    """A coordination meeting: when, who chaired, who came from each country, the agenda."""
    op = _coordinating(s, user, op_id, "hold its meetings")
    if not chair.strip():
        raise InputRejected("a meeting needs its chair")
    at = held_at if held_at.tzinfo else held_at.replace(tzinfo=UTC)
    count = len(store.meetings_of(s, op_id, details=False))
    mid = store.add_meeting(s, op_id, at.astimezone(UTC), chair.strip()[:200],
                            (title.strip() or f"Coordination meeting {count + 1}")[:300], _participants(participants),
                            _agenda(agenda))
    _note(s, user, op_id, "meeting", f"meeting {mid} of {at:%Y-%m-%d} chaired by {chair.strip()} ({op.name})")
    return next(m for m in store.meetings_of(s, op_id) if m.id == mid)


def decide(s: Session, user: User, op_id: int, meeting_id: int, text: str, owner: str, due_on: date) -> int:
    """A decision of a meeting, with its owner and due date ("identify targets in all countries")."""
    _coordinating(s, user, op_id, "record decisions")
    if meeting_id not in {m.id for m in store.meetings_of(s, op_id, details=False)}:
        raise NotFound(f"no meeting {meeting_id} in operation {op_id}")
    if not text.strip() or not owner.strip():
        raise InputRejected("a decision needs its text and its owner")
    did = store.add_decision(s, op_id, meeting_id, text.strip(), owner.strip()[:100], due_on)
    _note(s, user, op_id, "decision", f"decision {did} for {owner.strip()}, due {due_on.isoformat()}: {text.strip()}")
    return did


def finish_decision(s: Session, user: User, op_id: int, decision_id: int) -> None:
    _taking_part(s, user, op_id)
    now = datetime.now(UTC)
    text = store.finish_decision(s, op_id, decision_id, now)
    _note(s, user, op_id, "decision_done", f"decision {decision_id} done: {text}", now)


@dataclass(frozen=True)
class MeetingFile:
    operation: Operation
    meeting: Meeting
    previous: Meeting | None
    new_in_cases: list[NewInCase]
    """What changed in the operation's cases since the previous meeting (empty for the first one)."""
    targets_added: dict[str, int]
    open_decisions: list[tuple[Meeting, Decision]]
    """Decisions of earlier meetings still open when this one was held."""


def _new_in_cases(s: Session, case_ids: Sequence[int], since: datetime, until: datetime) -> list[NewInCase]:
    out = []
    for case_id in case_ids:
        try:
            c = store_cases.get_case(s, case_id, None)
        except NotFound:
            continue
        moves: list[str] = []
        counts: dict[str, int] = {}
        for e in store_cases.timeline(s, case_id):
            if not since < e.at <= until:
                continue
            if e.kind == "state":
                moves.append(e.text)
            elif e.kind != "operation":
                counts[e.kind] = counts.get(e.kind, 0) + 1
        names = {"report": "reports attached", "request": "request events", "task": "task events",
                 "agency": "agencies joined", "subject": "subjects attached", "opened": "opened"}
        out.append(NewInCase(c.id, c.title, c.owner_agency, c.state.label, tuple(moves),
                             tuple((names.get(k, k), n) for k, n in sorted(counts.items()))))
    return out


def meeting(s: Session, user: User, op_id: int, meeting_id: int, channel: str) -> MeetingFile:
    """A meeting with what is new since the previous one, computed from the operation's cases; audited."""
    op = _get(s, user, op_id)
    held = store.meetings_of(s, op_id)
    index = next((i for i, m in enumerate(held) if m.id == meeting_id), None)
    if index is None:
        raise NotFound(f"no meeting {meeting_id} in operation {op_id}")
    this = held[index]
    previous = held[index - 1] if index else None
    new = _new_in_cases(s, op.cases, previous.held_at, this.held_at) if previous else []
    added = store.targets_added_since(s, op_id, previous.held_at, this.held_at) if previous else {}
    if not coordinates(user, op) and _country(user) is not None:
        added = {k: v for k, v in added.items() if k == _country(user)}
    still_open = [(m, d) for m in held[:index] for d in m.decisions
                  if d.done_at is None or d.done_at > this.held_at]
    trail(s, user, "read", f"operation/{op_id}/meeting/{meeting_id}", channel)
    return MeetingFile(op, this, previous, new, added, still_open)


@dataclass(frozen=True)
class Document:
    content: bytes
    media_type: str
    filename: str


def minutes(s: Session, user: User, op_id: int, meeting_id: int) -> Document:
    """The meeting's minutes as PDF; audited as a disclosure (a document that leaves the system)."""
    file = meeting(s, user, op_id, meeting_id, "minutes")
    plan = store.country_days(s, op_id)
    hhours = [days.hhour(file.operation.day_on, c) for c in plan] if file.operation.day_on else []
    pdf = documents.minutes_pdf(file.operation, file.meeting, file.previous, file.new_in_cases, hhours)
    trail(s, user, "disclose", f"operation/{op_id}/meeting/{meeting_id}", f"minutes PDF {len(pdf)} bytes")
    return Document(pdf, "application/pdf", f"operation-{op_id}-meeting-{meeting_id}-minutes.pdf")


def press_release(s: Session, user: User, op_id: int) -> str:
    """A joint press release drafted from the reconciled totals (figures only); audited."""
    op = _get(s, user, op_id)
    b = _board(s, user, op)
    agencies_ = {a.code: a.name for a in access.list_agencies(s)}
    full = days.reconcile(op.day_on, store.country_days(s, op_id), store.target_counts(s, op_id)[0],
                          store.latest_results(s, op_id))
    text = documents.press_release(op, full, agencies_.get(op.coordinator, op.coordinator))
    trail(s, user, "disclose", f"operation/{op_id}/press-release", f"draft, balanced={b.balanced}")
    return text


def calendar(s: Session, user: User, op_id: int) -> bytes:
    """The action day's H-hours (each state's in its own zone), the meetings and the decisions' due dates."""
    op = _get(s, user, op_id)
    plan = store.country_days(s, op_id)
    hhours = [days.hhour(op.day_on, c) for c in plan] if op.day_on else []
    trail(s, user, "read", f"operation/{op_id}/calendar", "ical")
    return documents.calendar(op, hhours, store.meetings_of(s, op_id), datetime.now(UTC))


# -- joint investigation teams ------------------------------------------------------------------------------------

def create_jit(s: Session, user: User, op_id: int, name: str, agreement_on: date, expires_on: date,
               parties: Sequence[str], case_id: int | None = None) -> Jit:
    """A JIT of the operation: its parties (states or agencies), agreement and end dates, its shared case."""
    op = _taking_part(s, user, op_id)
    if not name.strip():
        raise InputRejected("a JIT needs a name")
    if expires_on <= agreement_on:
        raise InputRejected("a JIT's agreement ends after it is signed")
    codes = sorted({p.strip().upper() for p in parties if p.strip()})
    if len(codes) < 2:
        raise InputRejected("a JIT has at least two parties")
    known = {a.code for a in access.list_agencies(s)} | set(op.countries)
    missing = [c for c in codes if c not in known]
    if missing:
        raise InputRejected(f"no party {missing[0]!r}: a party is a participating state or a known agency")
    if case_id is not None and case_id not in op.cases:
        raise NotFound(f"no case {case_id} in operation {op.name}: link it first")
    jid = store.add_jit(s, op_id, name.strip()[:200], agreement_on, expires_on, case_id, codes, user.username)
    _note(s, user, op_id, "jit", f"JIT {jid} {name.strip()}: {', '.join(codes)}, {agreement_on} to {expires_on}")
    return store.jits_of(s, op_id, jid)[0]


def _jit(s: Session, user: User, op_id: int, jit_id: int) -> tuple[Operation, Jit]:
    op = _taking_part(s, user, op_id)
    found = store.jits_of(s, op_id, jit_id)
    if not found:
        raise NotFound(f"no JIT {jit_id} in operation {op_id}")
    jit = found[0]
    if not coordinates(user, op) and not ({user.agency, _country(user)} & set(jit.parties)):
        raise AccessDenied(f"{user.agency} is not a party to JIT {jit.name}")
    return op, jit


def add_member(s: Session, user: User, op_id: int, jit_id: int, name: str, agency: str, role: str) -> Jit:
    _jit(s, user, op_id, jit_id)
    if not name.strip() or not agency.strip():
        raise InputRejected("a member has a name and an agency")
    store.add_member(s, jit_id, Member(name.strip()[:200], agency.strip().upper()[:40], role.strip()[:100] or "member"))
    _note(s, user, op_id, "jit_member", f"JIT {jit_id}: {name.strip()} ({agency.strip().upper()})")
    return store.jits_of(s, op_id, jit_id)[0]


def extend_jit(s: Session, user: User, op_id: int, jit_id: int, until: date, on: date | None = None) -> Jit:
    """Extend the agreement (a new end date; the history of extensions kept)."""
    _, jit = _jit(s, user, op_id, jit_id)
    when = on or datetime.now(UTC).date()
    jit.check_extension(when, until)
    store.add_extension(s, jit_id, when, until)
    _note(s, user, op_id, "jit_extended", f"JIT {jit_id} extended on {when} until {until}")
    return store.jits_of(s, op_id, jit_id)[0]


def record_jit_result(s: Session, user: User, op_id: int, jit_id: int, stage: Stage, on: date, count: int = 1,
                      decisive: Decisive = Decisive.UNKNOWN, words: str = "") -> Feedback:
    """What the JIT achieved (investigations, searches, arrests, convictions…): a second word on a stage is a new
    version, as for a package's feedback; it counts in the operation's outcomes funnel."""
    _jit(s, user, op_id, jit_id)
    if not 0 <= count <= 100_000:
        raise InputRejected("a count is between 0 and 100,000")
    now = datetime.now(UTC)
    kept = store.add_jit_result(s, jit_id, Feedback(package_id=store.jit_key(jit_id), stage=stage, on=on, count=count,
                                                    reported_by=f"{user.username} ({user.agency})", recorded_at=now,
                                                    decisive=decisive, words=words.strip()))
    _note(s, user, op_id, "jit_result", f"JIT {jit_id}: {stage.value} x{count} on {on} v{kept.version}", now)
    return kept


def outcomes(s: Session, user: User, op_id: int) -> list[Row]:
    """The operation's outcomes funnel: its packages (those named after it or linked to it, as the ledger counts
    them), one row per JIT from its current results, and their sum (counts only)."""
    op = _get(s, user, op_id)
    country = _country(user)
    sent = [p for p in store_packages.ledger(s) if (p.operation == op.name or p.package_id in op.packages)
            and (country is None or p.country == country)]
    rows: list[Row] = []
    if sent:
        said = ledger.outcomes(store_packages.feedback(s, [p.package_id for p in sent]))
        rows.append(dataclasses.replace(ledger.funnel(sent, said)[0], group=f"packages ({op.name})"))
    teams = store.jits_of(s, op_id)
    said = ledger.outcomes(store.jit_results_of(s, [j.id for j in teams]))
    for j in teams:
        team = Sent(store.jit_key(j.id), ",".join(j.parties), "", op.name,
                    datetime.combine(j.agreement_on, time(0), tzinfo=UTC))
        row = ledger.funnel([team], said)[0]
        rows.append(dataclasses.replace(row, group=f"JIT {j.name}", packages=0, acknowledged=0))
    total = Row("all")
    for r in rows:
        for f in dataclasses.fields(Row):
            if f.name != "group":
                setattr(total, f.name, getattr(total, f.name) + getattr(r, f.name))
    return [*rows, total] if rows else []
