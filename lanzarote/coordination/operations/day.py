"""The action day: each state's H-hour in its own time zone and in UTC, and the reconciliation of the states'
current results with the plan and with the totals, every difference flagged in one sentence."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from lanzarote.coordination.operations import FIGURES, CountryDay, Result, Totals, current
from lanzarote.errors import InputRejected

ZONES: dict[str, str] = {
    # EU Member States (a state with several zones has its mainland's; give another with --zone)
    "AT": "Europe/Vienna", "BE": "Europe/Brussels", "BG": "Europe/Sofia", "HR": "Europe/Zagreb",
    "CY": "Asia/Nicosia", "CZ": "Europe/Prague", "DK": "Europe/Copenhagen", "EE": "Europe/Tallinn",
    "FI": "Europe/Helsinki", "FR": "Europe/Paris", "DE": "Europe/Berlin", "GR": "Europe/Athens",
    "HU": "Europe/Budapest", "IE": "Europe/Dublin", "IT": "Europe/Rome", "LV": "Europe/Riga",
    "LT": "Europe/Vilnius", "LU": "Europe/Luxembourg", "MT": "Europe/Malta", "NL": "Europe/Amsterdam",
    "PL": "Europe/Warsaw", "PT": "Europe/Lisbon", "RO": "Europe/Bucharest", "SK": "Europe/Bratislava",
    "SI": "Europe/Ljubljana", "ES": "Europe/Madrid", "SE": "Europe/Stockholm",
    # the rest of Europe
    "AL": "Europe/Tirane", "AD": "Europe/Andorra", "BA": "Europe/Sarajevo", "CH": "Europe/Zurich",
    "GB": "Europe/London", "GE": "Asia/Tbilisi", "IS": "Atlantic/Reykjavik", "LI": "Europe/Vaduz",
    "MC": "Europe/Monaco", "MD": "Europe/Chisinau", "ME": "Europe/Podgorica", "MK": "Europe/Skopje",
    "NO": "Europe/Oslo", "RS": "Europe/Belgrade", "SM": "Europe/San_Marino", "TR": "Europe/Istanbul",
    "UA": "Europe/Kyiv", "AM": "Asia/Yerevan", "AZ": "Asia/Baku", "XK": "Europe/Belgrade",
    # partners further away (main zone)
    "US": "America/New_York", "CA": "America/Toronto", "BR": "America/Sao_Paulo",
    "AR": "America/Argentina/Buenos_Aires",
    "MX": "America/Mexico_City", "AU": "Australia/Sydney", "NZ": "Pacific/Auckland", "PH": "Asia/Manila",
    "TH": "Asia/Bangkok", "JP": "Asia/Tokyo", "KR": "Asia/Seoul", "IN": "Asia/Kolkata", "IL": "Asia/Jerusalem",
    "MA": "Africa/Casablanca", "ZA": "Africa/Johannesburg", "SG": "Asia/Singapore",
}


def zone_of(country: str, zone: str | None = None) -> str:
    """The time zone of a state's H-hour: the one given (checked), else the state's main zone."""
    name = (zone or "").strip() or ZONES.get(country)
    if name is None:
        raise InputRejected(f"no time zone known for {country}: give one (an IANA name such as Europe/Madrid)")
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InputRejected(f"{name!r} is not a time zone (an IANA name such as Europe/Madrid)") from None
    return name


@dataclass(frozen=True)
class HHour:
    country: str
    local: datetime
    utc: datetime

    @property
    def text(self) -> str:
        """"06:00 CEST (04:00 UTC)"."""
        return f"{self.local:%H:%M} {self.local.tzname()} ({self.utc:%H:%M} UTC)"


@lru_cache(maxsize=512)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def hhour(day_on: date, country: CountryDay) -> HHour:
    local = datetime.combine(day_on, country.hhour, tzinfo=_zone(country.zone))
    return HHour(country.country, local, local.astimezone(UTC))


def parse_hhour(text: str) -> time:
    try:
        return time.fromisoformat(text.strip())
    except ValueError:
        raise InputRejected(f"{text!r} is not an hour (HH:MM, local time)") from None


@dataclass(frozen=True)
class Line:
    """One state on the coordination centre's board."""

    country: str
    hhour: HHour | None
    targets: int
    """Targets this state arrests."""
    officers: int
    searches: int
    result: Result | None
    versions: int
    differences: tuple[str, ...]


@dataclass(frozen=True)
class Reconciliation:
    lines: list[Line]
    totals: Totals
    targets: int
    differences: list[str]
    """Every difference, each one sentence naming its state."""

    @property
    def balanced(self) -> bool:
        """Every state reported, each as planned, and the totals are the sum of the results."""
        return not self.differences


def _differ(country: str, what: str, got: int, planned: int) -> str | None:
    if got == planned:
        return None
    gap = got - planned
    return f"{country}: {got} {what} against {planned} planned ({gap:+d})"


def reconcile(day_on: date | None, plan: Sequence[CountryDay], targets: Mapping[str, int],
              results: Iterable[Result], summed: Mapping[str, int] | None = None) -> Reconciliation:
    """The board: per state its H-hour, plan and current result with its differences (no result yet; arrests
    against the targets it arrests; searches and officers against its plan); the totals as the sum of the current
    results; and, when the store's own sums are given, a difference if they are not that sum."""
    now = current(results)
    planned = {c.country: c for c in plan}
    lines: list[Line] = []
    every: list[str] = []
    versions: dict[str, int] = {}
    for r in now.values():
        versions[r.country] = r.version
    totals = Totals()
    for country in sorted(set(planned) | set(targets) | set(now)):
        cd = planned.get(country)
        result = now.get(country)
        n = targets.get(country, 0)
        diffs: list[str] = []
        if result is None:
            if n or (cd and (cd.officers or cd.searches)):
                diffs.append(f"{country}: no result reported yet")
        else:
            totals.states += 1
            for name in FIGURES:
                totals.figures[name] += result.figure(name)
            if cd is None and not n:
                diffs.append(f"{country}: reported results but has no part in the plan")
            checks = [("arrests", result.arrests, n)]
            if cd is not None:
                checks += [("searches", result.searches, cd.searches), ("officers", result.officers, cd.officers)]
            diffs += [d for d in (_differ(country, *c) for c in checks) if d]
        lines.append(Line(country, hhour(day_on, cd) if cd and day_on else None, n, cd.officers if cd else 0,
                          cd.searches if cd else 0, result, versions.get(country, 0), tuple(diffs)))
        every += diffs
    if summed is not None:
        for name in FIGURES:
            if int(summed.get(name, 0)) != totals.figures[name]:
                every.append(f"the centre's total of {name} ({summed.get(name, 0)}) is not the sum of the states' "
                             f"current results ({totals.figures[name]})")
    return Reconciliation(lines, totals, sum(targets.values()), every)
