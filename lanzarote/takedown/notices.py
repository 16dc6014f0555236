"""A notice's states and clocks, and the statistics INHOPE publishes.

States: sent → acknowledged → removed | not removed | moved; removal, refusal or a move may be reported without an
acknowledgement first, and content not removed may still be removed (or move) later. Removed and moved are final:
content back at the URL is a new report, flagged as a re-appearance.

Clocks are differences of timestamps, as IntelMQ's: time to notice (report → notice sent), time to removal
(report → removed, INHOPE's figure), and from the notice to removal.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from lanzarote.errors import InputRejected
from lanzarote.takedown.model import NoticeState

NEXT: dict[NoticeState, frozenset[NoticeState]] = {
    NoticeState.SENT: frozenset({NoticeState.ACKNOWLEDGED, NoticeState.REMOVED, NoticeState.NOT_REMOVED,
                                 NoticeState.MOVED}),
    NoticeState.ACKNOWLEDGED: frozenset({NoticeState.REMOVED, NoticeState.NOT_REMOVED, NoticeState.MOVED}),
    NoticeState.NOT_REMOVED: frozenset({NoticeState.REMOVED, NoticeState.MOVED}),
    NoticeState.REMOVED: frozenset(),
    NoticeState.MOVED: frozenset(),
}


def check_step(current: NoticeState, new: NoticeState, last_at: datetime, at: datetime, latest: datetime) -> None:
    """Refuse a step the state machine does not allow, or one dated before the last step or in the future."""
    if new not in NEXT[current]:
        allowed = ", ".join(sorted(s.value for s in NEXT[current])) or "nothing: it is final"
        raise InputRejected(f"a notice that is {current.value} cannot become {new.value} (next: {allowed})")
    if at < last_at:
        raise InputRejected(f"{new.value} at {at:%Y-%m-%d %H:%M} is before the notice's last step "
                            f"({last_at:%Y-%m-%d %H:%M} UTC)")
    if at > latest:
        raise InputRejected(f"{new.value} at {at:%Y-%m-%d %H:%M} lies in the future")


@dataclass(frozen=True)
class Clocks:
    to_notice: timedelta | None
    to_acknowledgement: timedelta | None
    """From the notice to its acknowledgement."""
    to_removal: timedelta | None
    """From the report to removal (INHOPE's time to removal)."""
    notice_to_removal: timedelta | None

    def as_hours(self) -> dict[str, float | None]:
        return {k: None if v is None else round(v.total_seconds() / 3600, 2) for k, v in self.__dict__.items()}


def clocks(reported_at: datetime, sent_at: datetime | None, acknowledged_at: datetime | None,
           removed_at: datetime | None) -> Clocks:
    def between(a: datetime | None, b: datetime | None) -> timedelta | None:
        return None if a is None or b is None else b - a

    return Clocks(between(reported_at, sent_at), between(sent_at, acknowledged_at), between(reported_at, removed_at),
                  between(sent_at, removed_at))


def percentile(values: list[float], share: float) -> float | None:
    """The nearest-rank percentile (the value below which `share` of the values lie); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


@dataclass(frozen=True)
class StatRow:
    country: str
    month: str
    reports: int
    illegal: int
    removed: int
    median_hours: float | None
    p90_hours: float | None

    @property
    def illegal_share(self) -> float:
        return round(self.illegal / self.reports, 4) if self.reports else 0.0

    def as_dict(self) -> dict[str, object]:
        return {"country": self.country, "month": self.month, "reports": self.reports, "illegal": self.illegal,
                "illegal_share": self.illegal_share, "removed": self.removed, "median_hours": self.median_hours,
                "p90_hours": self.p90_hours}


def statistics_of(counts: Iterable[tuple[str | None, str, int, int]],
                  removals: Iterable[tuple[str | None, str, float]], by_month: bool = True) -> list[StatRow]:
    """Per hosting country (and month of the report): reports, illegal ones, removals, and the median and 90th
    percentile of the time to removal in hours. `counts`: (country, month, reports, illegal ones); `removals`:
    (country, month, hours from the report to its removal)."""
    groups: dict[tuple[str, str], tuple[list[int], list[float]]] = {}

    def group(country: str | None, month: str) -> tuple[list[int], list[float]]:
        return groups.setdefault((country or "unknown", month if by_month else "all"), ([0, 0], []))

    for country, month, reports, illegal in counts:
        totals = group(country, month)[0]
        totals[0] += reports
        totals[1] += illegal
    for country, month, hours in removals:
        group(country, month)[1].append(round(hours, 6))
    out = []
    for (country, month), (totals, times) in sorted(groups.items()):
        median = round(statistics.median(times), 2) if times else None
        p90 = percentile(times, 0.9)
        out.append(StatRow(country, month, totals[0], totals[1], len(times), median,
                           None if p90 is None else round(p90, 2)))
    return out
