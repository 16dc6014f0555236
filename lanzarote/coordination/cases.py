"""Cases: the states a case moves through, and what a case holds (pure records; the store keeps them).

A case moves forward along open → under investigation → searched → arrested → charged → convicted (a step may be
skipped: not every case has a search), or is closed with no further action from any state before conviction. Each
move has its date. A case opened from a P1 report shows a "today" clock until someone acts on it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from lanzarote.errors import Conflict


class CaseState(StrEnum):
    OPEN = "open"
    UNDER_INVESTIGATION = "under_investigation"
    SEARCHED = "searched"
    ARRESTED = "arrested"
    CHARGED = "charged"
    CONVICTED = "convicted"
    CLOSED_NFA = "closed_nfa"
    """Closed with no further action."""

    @property
    def label(self) -> str:
        return "closed, no further action" if self is CaseState.CLOSED_NFA else self.value.replace("_", " ")


FORWARD = (CaseState.OPEN, CaseState.UNDER_INVESTIGATION, CaseState.SEARCHED, CaseState.ARRESTED,
           CaseState.CHARGED, CaseState.CONVICTED)
FINAL = frozenset({CaseState.CONVICTED, CaseState.CLOSED_NFA})


def check_move(current: CaseState, new: CaseState) -> None:
    """Refuse a move backwards, or out of a final state, with one sentence."""
    if current in FINAL:
        raise Conflict(f"the case is {current.label}: it moves no further")
    if new is CaseState.CLOSED_NFA:
        return
    if FORWARD.index(new) <= FORWARD.index(current):
        raise Conflict(f"a case {current.label} cannot move back to {new.label}")


def next_states(current: CaseState) -> tuple[CaseState, ...]:
    """The states a case may move to from `current` (forward, a step possibly skipped, or closed with no further
    action); none from a final state."""
    if current in FINAL:
        return ()
    return (*FORWARD[FORWARD.index(current) + 1:], CaseState.CLOSED_NFA)


@dataclass(frozen=True)
class Task:
    id: int
    title: str
    owner: str
    due_on: date
    request_id: int | None
    clock: str | None
    """A task may point at one of a request's clocks: the legal deadline stays the request's, not the task's."""
    done_at: datetime | None


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    actor: str
    kind: str
    text: str


@dataclass(frozen=True)
class Case:
    id: int
    title: str
    owner_agency: str
    lead: str
    state: CaseState
    state_on: date
    opened_at: datetime
    p1_report: str | None
    """The first P1 report attached: requests about the case are urgent because of it."""
    today_due: datetime | None
    """The end of the day a case opened from a P1 report must be acted on; None once someone has acted."""
    participants: tuple[str, ...] = ()
    reports: tuple[str, ...] = ()
    subjects: tuple[str, ...] = ()

    @property
    def agencies(self) -> tuple[str, ...]:
        return (self.owner_agency, *self.participants)

    def p1_reason(self) -> str | None:
        if self.p1_report is None:
            return None
        return f"the case holds P1 report {self.p1_report}: a child may be in danger now"
