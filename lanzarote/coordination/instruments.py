"""Legal instruments as data (`data/instruments.yaml`): states, transitions and clocks, each clock with its source.

Validated on load like the triage rules: a transition naming an unknown state or clock, a clock without its
source, a terminal state that is not a state, all refuse the file with one sentence.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from lanzarote.coordination.clocks import Period, Unit
from lanzarote.errors import ConfigurationError, NotFound

DEFAULT = Path(__file__).parent / "data" / "instruments.yaml"
SAME = "same"
"""A transition's `to` that keeps the request in the state it is in (chasing, postponing)."""


class _Spec(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Length(_Spec):
    length: int = Field(gt=0)
    unit: Unit


class Source(_Spec):
    document: str = Field(min_length=3)
    article: str = Field(min_length=3)


class ClockSpec(_Spec):
    label: str
    source: Source
    length: int | None = Field(default=None, gt=0)
    unit: Unit = Unit.DAYS
    next_working_day: bool = False
    emergency: Length | None = None
    extension: Length | None = None
    chase_days: int | None = Field(default=None, gt=0)

    def period(self, urgent: bool) -> Period | None:
        """The period this clock runs for (its emergency variant for an urgent request); None: no deadline."""
        if self.length is None:
            return None
        if urgent and self.emergency is not None:
            return Period(self.emergency.length, self.emergency.unit, self.next_working_day)
        return Period(self.length, self.unit, self.next_working_day)

    def extension_period(self) -> Period | None:
        e = self.extension
        return Period(e.length, e.unit, self.next_working_day) if e else None


class Transition(_Spec):
    name: str
    from_: tuple[str, ...] = Field(alias="from")
    to: str
    label: str
    start: tuple[str, ...] = ()
    stop: tuple[str, ...] = ()
    extend: tuple[str, ...] = ()
    offers: str | None = None
    """Another instrument this outcome offers (a preservation not possible → urgent mutual legal assistance)."""
    notice: str | None = None
    """What the outcome asks of the person recording it, shown with the request."""


class Instrument(_Spec):
    id: str = ""
    name: str
    source: str
    initial: str
    start: tuple[str, ...] = ()
    states: dict[str, str]
    terminal: tuple[str, ...] = ()
    transitions: tuple[Transition, ...]
    clocks: dict[str, ClockSpec]
    always_urgent: str | None = None
    """Why every request of this instrument is urgent, when it is."""

    def transition(self, name: str) -> Transition:
        for t in self.transitions:
            if t.name == name:
                return t
        raise NotFound(f"{self.name} has no step {name!r} (steps: {', '.join(t.name for t in self.transitions)})")

    def available(self, state: str) -> tuple[Transition, ...]:
        """The steps that may be recorded from `state`."""
        return tuple(t for t in self.transitions if state in t.from_)

    def problems(self) -> list[str]:
        found = []
        states = set(self.states)
        for name in (self.initial, *self.terminal):
            if name not in states:
                found.append(f"state {name!r} is not declared")
        clocks = set(self.clocks)
        for c in self.start:
            if c not in clocks:
                found.append(f"the initial clock {c!r} is not declared")
        names = [t.name for t in self.transitions]
        if len(set(names)) != len(names):
            found.append("two steps share a name")
        for t in self.transitions:
            for s in (*t.from_, t.to):
                if s != SAME and s not in states:
                    found.append(f"step {t.name!r} names unknown state {s!r}")
            for c in (*t.start, *t.stop, *t.extend):
                if c not in clocks:
                    found.append(f"step {t.name!r} names unknown clock {c!r}")
            for c in t.extend:
                if c in clocks and self.clocks[c].extension is None:
                    found.append(f"step {t.name!r} extends clock {c!r}, which has no extension")
            if set(t.from_) & set(self.terminal):
                found.append(f"step {t.name!r} leaves a terminal state")
        return found


class InstrumentsSpec(_Spec):
    version: str
    instruments: dict[str, Instrument]


class Instruments:
    """The instruments of one validated file, by id."""

    def __init__(self, spec: InstrumentsSpec) -> None:
        self.version = spec.version
        self.by_id = {k: v.model_copy(update={"id": k}) for k, v in spec.instruments.items()}

    def __getitem__(self, instrument_id: str) -> Instrument:
        try:
            return self.by_id[instrument_id]
        except KeyError:
            raise NotFound(f"no instrument {instrument_id!r} (instruments: {', '.join(sorted(self.by_id))})") from None

    @classmethod
    def load(cls, path: Path | None = None) -> Instruments:
        source = path or DEFAULT
        try:
            spec = InstrumentsSpec.model_validate(yaml.safe_load(source.read_text(encoding="utf-8")))
        except (OSError, ValidationError, yaml.YAMLError) as exc:
            raise ConfigurationError(f"instruments {source} cannot be used: {exc}") from exc
        problems = [f"{key}: {p}" for key, inst in spec.instruments.items() for p in inst.problems()]
        offers = {t.offers for inst in spec.instruments.values() for t in inst.transitions} - {None}
        problems += [f"a step offers unknown instrument {o!r}" for o in sorted(o for o in offers if o is not None)
                     if o not in spec.instruments]
        if problems:
            raise ConfigurationError(f"instruments {source}: {'; '.join(problems)}")
        return cls(spec)


@lru_cache(maxsize=1)
def default() -> Instruments:
    """The instruments shipped with the package (loaded once)."""
    return Instruments.load()


