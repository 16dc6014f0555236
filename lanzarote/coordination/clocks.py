"""Legal clocks: when a period ends, and how far along it is (pure: no database, no network).

A period in days (Reg. (EEC, Euratom) 1182/71 Art. 3) runs from the day after the event and ends at the end of its
last day; where the instrument says so, a last day that is a Saturday, a Sunday or a public holiday of the state
where the act is done moves to the end of the next working day (`holidays` gives the state's public holidays).
A period in hours is exact: it is added to the event's instant in UTC, so a change of daylight-saving time neither
lengthens nor shortens it. Days are counted on UTC dates: an instant is one date everywhere in the system.
A clock with no length (mutual legal assistance) has no deadline: its age is shown, and it is chased every
`chase_days`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from functools import lru_cache

import holidays

from lanzarote.errors import ConfigurationError


class Unit(StrEnum):
    DAYS = "days"
    HOURS = "hours"


class Level(StrEnum):
    """How urgent a running clock is, in increasing order."""

    RUNNING = "running"
    SHARE = "share"
    """A configured share of the period has passed (e.g. half, four fifths)."""
    CHASE = "chase"
    """A clock without a deadline is due to be chased."""
    DUE = "due"
    """The last day (or, for hours, the last hour) has come."""
    OVERDUE = "overdue"


@dataclass(frozen=True)
class Period:
    """A length of time as an instrument states it."""

    length: int
    unit: Unit
    next_working_day: bool = False
    """A period in days ending on a weekend or public holiday of the executing state ends on the next working day."""


@lru_cache(maxsize=256)
def _calendar(state: str, year: int) -> holidays.HolidayBase | None:
    try:
        return holidays.country_holidays(state.upper(), years=(year, year + 1))
    except NotImplementedError:
        return None


def is_working_day(day: date, state: str) -> bool:
    """Not a Saturday, a Sunday nor a public holiday of `state` (ISO 3166 alpha-2)."""
    if day.weekday() >= 5:
        return False
    cal = _calendar(state, day.year)
    return cal is None or day not in cal


def holiday_name(day: date, state: str) -> str | None:
    cal = _calendar(state, day.year)
    return cal.get(day) if cal is not None else None


def calendar_known(state: str) -> bool:
    """Whether the public holidays of `state` are known (else only weekends move a period)."""
    return _calendar(state, 2000) is not None


def _utc(at: datetime) -> datetime:
    if at.tzinfo is None:
        raise ConfigurationError(f"a clock needs an instant with its time zone, not {at.isoformat()}")
    return at.astimezone(UTC)


def last_day(start: datetime, period: Period, state: str) -> date:
    """The last day of a period in days started by an event at `start`, moved past non-working days if the
    instrument says so."""
    day = _utc(start).date() + timedelta(days=period.length)
    if period.next_working_day:
        while not is_working_day(day, state):
            day += timedelta(days=1)
    return day


def due_at(start: datetime, period: Period, state: str) -> datetime:
    """The instant (UTC) a period started at `start` ends: exact for hours, the end of the last day for days."""
    if period.unit is Unit.HOURS:
        return _utc(start) + timedelta(hours=period.length)
    return datetime.combine(last_day(start, period, state) + timedelta(days=1), time(0), tzinfo=UTC)


def extended(due: datetime, period: Period, state: str) -> datetime:
    """A deadline pushed back by an extension (`period` more from the old end)."""
    if period.unit is Unit.HOURS:
        return _utc(due) + timedelta(hours=period.length)
    # the old period ended at midnight after its last day: the extension counts from that last day
    return due_at(_utc(due) - timedelta(days=1), period, state)


@dataclass(frozen=True)
class Reading:
    """A clock read at one instant: what an analyst sees beside a request."""

    level: Level
    text: str
    due: datetime | None
    share: float | None
    """The share of the period elapsed (None for a clock without a deadline)."""
    age: timedelta


def read(started: datetime, due: datetime | None, now: datetime, shares: tuple[float, ...],
         chase_days: int = 30) -> Reading:
    """How far along a running clock is at `now`: overdue, due (its last day, or last hour for short periods),
    past one of `shares` of its length, or running; a clock without a deadline shows its age and when to chase."""
    started, now = _utc(started), _utc(now)
    age = now - started
    if due is None:
        days = age.days
        if chase_days > 0 and days >= chase_days:
            return Reading(Level.CHASE, f"{days} days old: chase (every {chase_days} days)", None, None, age)
        return Reading(Level.RUNNING, f"{days} days old (no deadline)", None, None, age)
    due = _utc(due)
    total = (due - started).total_seconds()
    share = age.total_seconds() / total if total > 0 else 1.0
    left = due - now
    if left <= timedelta(0):
        return Reading(Level.OVERDUE, f"overdue since {due:%Y-%m-%d %H:%M} UTC", due, share, age)
    window = timedelta(days=1) if total >= 2 * 86400 else timedelta(hours=1)
    if left <= window:
        return Reading(Level.DUE, f"due {due:%Y-%m-%d %H:%M} UTC ({_span(left)} left)", due, share, age)
    crossed = [s for s in sorted(shares) if s < 1 and share >= s]
    if crossed:
        return Reading(Level.SHARE, f"{round(crossed[-1] * 100)}% of the period gone; due {due:%Y-%m-%d %H:%M} UTC",
                       due, share, age)
    return Reading(Level.RUNNING, f"due {due:%Y-%m-%d %H:%M} UTC ({_span(left)} left)", due, share, age)


def _span(left: timedelta) -> str:
    if left >= timedelta(days=2):
        return f"{left.days} days"
    hours = int(left.total_seconds() // 3600)
    return f"{hours} h" if hours else f"{int(left.total_seconds() // 60)} min"


def parse_shares(text: str) -> tuple[float, ...]:
    """The warning shares of a clock from a setting such as "0.5,0.8"."""
    try:
        shares = tuple(sorted(float(x) for x in text.split(",") if x.strip()))
    except ValueError as exc:
        raise ConfigurationError(f"clock warning shares {text!r} are not numbers between 0 and 1") from exc
    if any(not 0 < s < 1 for s in shares):
        raise ConfigurationError(f"clock warning shares {text!r} must lie between 0 and 1 (the end is 'due')")
    return shares
