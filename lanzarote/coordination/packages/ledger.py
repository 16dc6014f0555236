"""The dissemination ledger's arithmetic: feedback stages, the current word on each package (late and corrected
feedback versioned), reminders, and the funnel packages → investigations → searches → arrests → convictions.

Pure functions over what the store hands them, so the funnel of Operation Daylight can be checked by hand.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from pydantic import Field

from lanzarote.model.base import Record


class Stage(StrEnum):
    """What a recipient reports back, in the order a case usually goes."""

    RECEIVED = "received"
    ASSESSED = "assessed"
    INVESTIGATION_OPENED = "investigation_opened"
    SUSPECT_IDENTIFIED = "suspect_identified"
    SEARCH = "search"
    ARREST = "arrest"
    CHARGE = "charge"
    CONVICTION = "conviction"
    NO_FURTHER_ACTION = "no_further_action"
    NOT_OUR_JURISDICTION = "not_our_jurisdiction"


OPENS_INVESTIGATION = {Stage.INVESTIGATION_OPENED, Stage.SUSPECT_IDENTIFIED, Stage.SEARCH, Stage.ARREST,
                       Stage.CHARGE, Stage.CONVICTION}
"""A stage past which an investigation was evidently opened, reported or not."""
OUTCOMES = OPENS_INVESTIGATION | {Stage.NO_FURTHER_ACTION, Stage.NOT_OUR_JURISDICTION}


class Decisive(StrEnum):
    YES = "yes"
    NO = "no"
    UNKNOWN = "unknown"


class Feedback(Record):
    """One word from a recipient on one package: a stage reached on a date, how many (investigations, persons
    searched, arrested, charged, convicted), who said so; a correction is a new version of the same stage."""

    package_id: str
    stage: Stage
    on: date
    count: int = Field(default=1, ge=0, le=100_000)
    reported_by: str
    version: int = 1
    recorded_at: datetime | None = None
    decisive: Decisive = Decisive.UNKNOWN
    words: str = ""
    """The recipient's own words (was the report decisive, and why)."""


def current(feedback: Iterable[Feedback]) -> dict[tuple[str, Stage], Feedback]:
    """The latest version of each (package, stage): a correction replaces what it corrects, history stays."""
    out: dict[tuple[str, Stage], Feedback] = {}
    for f in feedback:
        key = (f.package_id, f.stage)
        if key not in out or f.version > out[key].version:
            out[key] = f
    return out


@dataclass(frozen=True)
class Sent:
    """A package as the ledger counts it."""

    package_id: str
    recipient: str
    country: str
    operation: str
    sent_at: datetime
    acknowledged_at: datetime | None = None


FUNNEL = ("packages", "investigations", "searches", "arrests", "convictions")


@dataclass
class Row:
    """One line of the funnel."""

    group: str
    packages: int = 0
    acknowledged: int = 0
    investigations: int = 0
    searches: int = 0
    arrests: int = 0
    convictions: int = 0
    arrested_or_convicted: int = 0
    no_further_action: int = 0
    not_our_jurisdiction: int = 0
    decisive: int = 0
    awaiting: int = 0
    """Packages without any outcome yet ("still being reported")."""

    def steps(self) -> list[tuple[str, int]]:
        return [(name, int(getattr(self, name))) for name in FUNNEL]


GROUPS = ("operation", "recipient", "country", "month")


def _group(sent: Sent, by: str) -> str:
    if by == "month":
        return f"{sent.sent_at:%Y-%m}"
    return str(getattr(sent, by)) or "-"


@dataclass(frozen=True)
class Outcome:
    """What the current feedback on one package says: the count reported per stage, and whether the recipient
    called the report decisive."""

    counts: dict[Stage, int]
    decisive: bool = False


def outcomes(feedback: Iterable[Feedback]) -> dict[str, Outcome]:
    """The current word on each package, from every version of its feedback (the store computes the same in SQL)."""
    counts: dict[str, dict[Stage, int]] = {}
    decisive: set[str] = set()
    for (package_id, stage), f in current(feedback).items():
        counts.setdefault(package_id, {})[stage] = f.count
        if f.decisive is Decisive.YES:
            decisive.add(package_id)
    return {k: Outcome(v, k in decisive) for k, v in counts.items()}


def funnel(packages: Sequence[Sent], said: Mapping[str, Outcome], by: str | None = None) -> list[Row]:
    """The funnel overall (`by` None) or per operation, recipient, country or month, on the current feedback.
    A person arrested and later convicted counts once in `arrested_or_convicted`."""
    rows: dict[str, Row] = {}
    none = Outcome({})
    for p in packages:
        name = "all" if by is None else _group(p, by)
        row = rows.get(name) or rows.setdefault(name, Row(name))
        out = said.get(p.package_id, none)
        n = out.counts
        row.packages += 1
        row.acknowledged += p.acknowledged_at is not None or Stage.RECEIVED in n
        row.investigations += n.get(Stage.INVESTIGATION_OPENED) or int(any(s in n for s in OPENS_INVESTIGATION))
        row.searches += n.get(Stage.SEARCH, 0)
        row.arrests += n.get(Stage.ARREST, 0)
        row.convictions += n.get(Stage.CONVICTION, 0)
        row.arrested_or_convicted += max(n.get(Stage.ARREST, 0), n.get(Stage.CONVICTION, 0))
        row.no_further_action += Stage.NO_FURTHER_ACTION in n
        row.not_our_jurisdiction += Stage.NOT_OUR_JURISDICTION in n
        row.decisive += out.decisive
        row.awaiting += not any(s in n for s in OUTCOMES)
    return sorted(rows.values(), key=lambda r: r.group)


CSV_COLUMNS = ("group", "packages", "acknowledged", "investigations", "searches", "arrests", "convictions",
               "arrested_or_convicted", "no_further_action", "not_our_jurisdiction", "decisive", "awaiting")


def funnel_csv(rows: Sequence[Row], by: str | None) -> str:
    """The funnel as CSV, for a Regulation 2021/1232-style statistics return."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow((by or "all", *CSV_COLUMNS[1:]))
    for r in rows:
        w.writerow([("'" + r.group) if r.group[:1] in "=+-@" else r.group,
                    *(getattr(r, c) for c in CSV_COLUMNS[1:])])
    return out.getvalue()


def reminders(packages: Sequence[Sent], said: Mapping[str, Outcome], now: datetime, days: int) -> list[Sent]:
    """Packages sent at least `days` ago on which the recipient has reported no outcome yet, oldest first."""
    answered = {pid for pid, out in said.items() if any(s in out.counts for s in OUTCOMES)}
    due = now - timedelta(days=days)
    return sorted((p for p in packages if p.sent_at <= due and p.package_id not in answered),
                  key=lambda p: p.sent_at)
