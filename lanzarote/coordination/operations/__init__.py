"""Operations: coordination meetings, targets with the one state that arrests each, simultaneous action days that
reconcile, and joint investigation teams (pure records and rules; the store keeps them).

Eurojust's account of the 2008 operation (COORDINATION.md) is the model: meetings decide "which country will arrest
who" and "a target date for simultaneous actions in all countries"; on the day each country reports what it did and
the coordination centre sums it. Invariants: each target has exactly one arresting state before the day is frozen;
the totals are the sum of the countries' current results; a late or corrected result is a new version, never an
overwrite.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from enum import StrEnum

from lanzarote.errors import Conflict, InputRejected


class AgencyRole(StrEnum):
    """What an agency is in an operation."""

    COORDINATOR = "coordinator"
    """Chairs the meetings, freezes and closes the day, resolves disputes (the agency that created it)."""
    PARTICIPANT = "participant"
    """A national unit with targets, a plan and results."""
    OBSERVER = "observer"
    """Sees the operation and its totals; has no targets."""


class DayState(StrEnum):
    PLANNING = "planning"
    FROZEN = "frozen"
    """Targets and arresting states fixed: results come in."""
    CLOSED = "closed"
    """The coordination centre closed the day: a result recorded now is late (still kept, as a new version)."""


FIGURES = ("arrests", "searches", "devices_seized", "victims_safeguarded", "officers")
"""What each country reports on the day, in this order everywhere (tables, JSON, the press release)."""


def state_code(text: str) -> str:
    """A state's two-letter code (ISO 3166), upper-cased; anything else refused with one sentence."""
    code = text.strip().upper()
    if len(code) != 2 or not code.isalpha():
        raise InputRejected(f"{text!r} is not a state's two-letter code (ISO 3166, e.g. ES)")
    return code


@dataclass(frozen=True)
class Participant:
    agency: str
    role: AgencyRole
    country: str | None
    """The agency's state (None for a hub such as Eurojust or Europol)."""


@dataclass(frozen=True)
class Dispute:
    """Another state's claim to arrest a target that already has its arresting state: shown until resolved."""

    id: int
    target_id: int
    holder: str
    """The arresting state when the claim was made."""
    claimant: str
    reason: str
    claimed_at: datetime
    claimed_by: str
    resolved_at: datetime | None = None
    resolution: str | None = None

    @property
    def open(self) -> bool:
        return self.resolved_at is None


@dataclass(frozen=True)
class Target:
    """A subject of the operation in one country, with the one state that will arrest him or her."""

    id: int
    country: str
    label: str
    """How the operation names the target (a reference, never a victim's detail)."""
    arresting_state: str | None
    shared_with: tuple[str, ...] = ()
    """States besides the target's own and the arresting one that may see the target."""
    subject_id: str | None = None
    case_id: int | None = None
    added_at: datetime | None = None
    disputes: tuple[Dispute, ...] = ()

    def seen_by(self, country: str | None) -> bool:
        """Need-to-know: a hub (no country) sees every target; a state its own, those it arrests, those shared."""
        return country is None or country in (self.country, self.arresting_state, *self.shared_with)

    @property
    def open_disputes(self) -> tuple[Dispute, ...]:
        return tuple(d for d in self.disputes if d.open)


def check_arresting_state(target: Target, state: str, day: DayState) -> bool:
    """May `state` become the target's arresting state? True when it is a change to make, False when it is already
    so; a second, different state is a dispute (the caller records it and refuses); nothing moves once frozen."""
    if day is not DayState.PLANNING:
        raise Conflict(f"the action day is {day.value}: target {target.label}'s arresting state is fixed")
    if target.arresting_state is None:
        return True
    if target.arresting_state == state:
        return False
    raise Conflict(f"target {target.label} is arrested by {target.arresting_state} already: a second arresting "
                   f"state ({state}) is refused, and the claim is shown as a dispute until the coordinator "
                   "resolves it")


def freeze_problems(targets: Iterable[Target], hhour_countries: Iterable[str], day_on: date | None) -> list[str]:
    """Why the day cannot be frozen yet (empty when it can): no date; a target without its one arresting state; a
    dispute open; an arresting state without an H-hour."""
    problems: list[str] = []
    if day_on is None:
        problems.append("the action day has no date")
    with_hour = set(hhour_countries)
    arresting: set[str] = set()
    for t in targets:
        if t.arresting_state is None:
            problems.append(f"target {t.label} ({t.country}) has no arresting state")
        else:
            arresting.add(t.arresting_state)
        for d in t.open_disputes:
            problems.append(f"target {t.label}: {d.claimant} disputes {d.holder}'s arrest (unresolved)")
    problems += [f"{c} arrests targets but has no H-hour" for c in sorted(arresting - with_hour)]
    return problems


@dataclass(frozen=True)
class Agenda:
    position: int
    country: str | None
    title: str
    """e.g. "presentation of the national operation"."""


@dataclass(frozen=True)
class Decision:
    id: int
    meeting_id: int
    text: str
    owner: str
    due_on: date
    done_at: datetime | None = None


@dataclass(frozen=True)
class Meeting:
    id: int
    operation_id: int
    held_at: datetime
    chair: str
    title: str
    participants: tuple[tuple[str, str], ...] = ()
    """(country, who) pairs: the people each country sent."""
    agenda: tuple[Agenda, ...] = ()
    decisions: tuple[Decision, ...] = ()

    def by_country(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for country, who in self.participants:
            out.setdefault(country, []).append(who)
        return out


@dataclass(frozen=True)
class CountryDay:
    """One state's part of the action day: its zone, its H-hour in local time, its plan."""

    country: str
    zone: str
    hhour: time
    officers: int = 0
    searches: int = 0


@dataclass(frozen=True)
class Result:
    """One version of what a state reported on the day; a correction or a late figure is the next version."""

    country: str
    version: int
    arrests: int
    searches: int
    devices_seized: int
    victims_safeguarded: int
    officers: int
    recorded_by: str
    recorded_at: datetime
    late: bool = False
    note: str = ""

    def figure(self, name: str) -> int:
        return int(getattr(self, name))

    @classmethod
    def of(cls, country: str, version: int, figures: Mapping[str, int], recorded_by: str, recorded_at: datetime,
           late: bool = False, note: str = "") -> Result:
        """A result from its figures by name (a figure not given is 0)."""
        return cls(country=country, version=version, recorded_by=recorded_by, recorded_at=recorded_at, late=late,
                   note=note, **{n: int(figures.get(n, 0)) for n in FIGURES})


def current(results: Iterable[Result]) -> dict[str, Result]:
    """The latest version per state: history stays in the store, the totals use these."""
    out: dict[str, Result] = {}
    for r in results:
        if r.country not in out or r.version > out[r.country].version:
            out[r.country] = r
    return out


@dataclass(frozen=True)
class Operation:
    id: int
    name: str
    description: str
    coordinator: str
    created_by: str
    created_at: datetime
    day_on: date | None = None
    default_hhour: time = time(6, 0)
    day_state: DayState = DayState.PLANNING
    frozen_at: datetime | None = None
    closed_at: datetime | None = None
    participants: tuple[Participant, ...] = ()
    cases: tuple[int, ...] = ()
    packages: tuple[str, ...] = ()

    def role_of(self, agency: str) -> AgencyRole | None:
        return next((p.role for p in self.participants if p.agency == agency), None)

    @property
    def countries(self) -> tuple[str, ...]:
        return tuple(sorted({p.country for p in self.participants if p.country}))


@dataclass(frozen=True)
class Extension:
    extended_on: date
    until: date


@dataclass(frozen=True)
class Member:
    name: str
    agency: str
    role: str


@dataclass(frozen=True)
class Jit:
    """A joint investigation team: its parties, agreement and its extensions, members, shared case."""

    id: int
    operation_id: int
    name: str
    agreement_on: date
    expires_on: date
    case_id: int | None
    parties: tuple[str, ...]
    members: tuple[Member, ...] = ()
    extensions: tuple[Extension, ...] = ()

    @property
    def until(self) -> date:
        """The agreement's end as extended."""
        return max([self.expires_on, *(e.until for e in self.extensions)])

    def check_extension(self, extended_on: date, until: date) -> None:
        if until <= self.until:
            raise InputRejected(f"an extension runs past the agreement's present end ({self.until.isoformat()})")
        if extended_on > self.until:
            raise InputRejected(f"the agreement ended on {self.until.isoformat()}: an expired JIT is not extended, "
                                "a new agreement is signed")


@dataclass
class Totals:
    states: int = 0
    """States that reported a result."""
    figures: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FIGURES, 0))


def label_list(items: Sequence[str]) -> str:
    """"ES, HU and BE"."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1] if items else ""
