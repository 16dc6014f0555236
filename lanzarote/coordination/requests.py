"""The generic engine of legal requests: a request moves through its instrument's states, and its clocks start,
stop and are extended as the instrument's data say (pure: the store keeps what this returns).

A request about a case holding a P1 report is urgent and says why; an urgent request runs the emergency variant of
a clock where the instrument has one (a production order's 8 hours instead of 10 days).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from lanzarote.coordination import clocks
from lanzarote.coordination.instruments import SAME, Instrument
from lanzarote.errors import Conflict


@dataclass(frozen=True)
class ClockRun:
    """One running (or stopped) clock of a request."""

    name: str
    label: str
    started_at: datetime
    due_at: datetime | None
    source: str
    stopped_at: datetime | None = None
    extended: int = 0
    chase_days: int | None = None

    @property
    def running(self) -> bool:
        return self.stopped_at is None


@dataclass(frozen=True)
class Step:
    """One recorded step: what happened, when, by whom, and what it asks for next."""

    name: str
    label: str
    at: datetime
    by: str
    state: str
    notice: str | None = None
    offers: str | None = None


@dataclass(frozen=True)
class Request:
    instrument: str
    to_state: str
    state: str
    urgent: bool
    urgent_reason: str | None
    clocks: tuple[ClockRun, ...]
    steps: tuple[Step, ...]

    @property
    def running(self) -> tuple[ClockRun, ...]:
        return tuple(c for c in self.clocks if c.running)

    @property
    def offers(self) -> str | None:
        """The instrument the last step offered (a preservation not possible: mutual legal assistance)."""
        return self.steps[-1].offers if self.steps else None


def urgency(instrument: Instrument, p1_reason: str | None) -> str | None:
    """Why a request is urgent (its instrument always is, or its case holds a P1 report), or None."""
    reasons = [r for r in (instrument.always_urgent, p1_reason) if r]
    return "; ".join(reasons) or None


def _start(instrument: Instrument, name: str, at: datetime, to_state: str, urgent: bool) -> ClockRun:
    spec = instrument.clocks[name]
    period = spec.period(urgent)
    due = clocks.due_at(at, period, to_state) if period else None
    source = f"{spec.source.document}, {spec.source.article}"
    if urgent and spec.emergency is not None:
        source += " (emergency)"
    return ClockRun(name, spec.label, at, due, source, chase_days=spec.chase_days)


def open_request(instrument: Instrument, to_state: str, at: datetime, by: str, urgent_reason: str | None) -> Request:
    """A new request in its instrument's initial state, its initial clocks running from `at`."""
    urgent = urgent_reason is not None
    runs = tuple(_start(instrument, c, at, to_state, urgent) for c in instrument.start)
    first = Step("open", "sent" if instrument.initial != "received" else "received", at, by, instrument.initial)
    return Request(instrument.id, to_state.upper(), instrument.initial, urgent, urgent_reason, runs, (first,))


def apply(instrument: Instrument, request: Request, step: str, at: datetime, by: str) -> Request:
    """The request after `step` is recorded at `at`: its new state and clocks. A step its state does not allow is
    refused with the steps that are."""
    t = instrument.transition(step)
    if request.state not in t.from_:
        allowed = ", ".join(x.name for x in instrument.available(request.state)) or "none (the request is closed)"
        raise Conflict(f"{instrument.name}: '{step}' cannot follow '{request.state}' (possible: {allowed})")
    runs = list(request.clocks)
    for i, run in enumerate(runs):
        if not run.running:
            continue
        if run.name in t.stop or run.name in t.start:  # a clock started again (renewal, chase) starts afresh
            runs[i] = replace(run, stopped_at=at)
        elif run.name in t.extend:
            ext = instrument.clocks[run.name].extension_period()
            if ext is None or run.due_at is None:
                raise Conflict(f"{instrument.name}: clock '{run.label}' cannot be extended")
            if run.extended:
                raise Conflict(f"{instrument.name}: clock '{run.label}' has been extended already")
            runs[i] = replace(run, due_at=clocks.extended(run.due_at, ext, request.to_state), extended=1)
    runs += [_start(instrument, c, at, request.to_state, request.urgent) for c in t.start]
    state = request.state if t.to == SAME else t.to
    if state in instrument.terminal:
        runs = [replace(r, stopped_at=at) if r.running else r for r in runs]
    done = Step(t.name, t.label, at, by, state, t.notice, t.offers)
    return replace(request, state=state, clocks=tuple(runs), steps=(*request.steps, done))
