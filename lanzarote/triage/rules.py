"""Triage rules (`data/rules.yaml`): weights and sentences per signal, and how signals make tiers."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from lanzarote.errors import ConfigurationError
from lanzarote.model.priority import Tier

DEFAULT = Path(__file__).parent / "data" / "rules.yaml"


class SignalRule(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    weight: float
    text: str


class RulesSpec(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    version: str
    signals: dict[str, SignalRule]
    tiers: dict[Tier, tuple[tuple[str, ...], ...]]
    default: Tier


@dataclass(frozen=True)
class Rules:
    version: str
    signals: dict[str, SignalRule]
    tiers: tuple[tuple[Tier, tuple[frozenset[str], ...]], ...]
    default: Tier

    @classmethod
    def load(cls, path: Path | None = None) -> Rules:
        """The rules in `path` (default: the shipped ones); a file read before with the same text gives the rules
        made of it then (parsing the YAML again was a twentieth of adding 2,000 reports)."""
        source = path or DEFAULT
        try:
            text = source.read_text(encoding="utf-8")
        except OSError as exc:
            raise ConfigurationError(f"triage rules {source} cannot be used: {exc}") from exc
        return _parsed(source, text)

    def tier_for(self, signals: set[str]) -> Tier:
        for tier, alternatives in self.tiers:
            if any(alt <= signals for alt in alternatives):
                return tier
        return self.default


@functools.lru_cache(maxsize=8)
def _parsed(source: Path, text: str) -> Rules:
    """The rules `text` (read from `source`) says, checked (remembered: rules are never changed once made)."""
    try:
        spec = RulesSpec.model_validate(yaml.safe_load(text))
    except (ValidationError, yaml.YAMLError) as exc:
        raise ConfigurationError(f"triage rules {source} cannot be used: {exc}") from exc
    unknown = sorted({s for alts in spec.tiers.values() for alt in alts for s in alt} - set(spec.signals))
    if unknown:
        raise ConfigurationError(f"triage rules {source}: tiers name unknown signals {', '.join(unknown)}")
    order = sorted(spec.tiers.items(), key=lambda kv: list(Tier).index(kv[0]))
    tiers = tuple((tier, tuple(frozenset(alt) for alt in alts)) for tier, alts in order)
    return Rules(spec.version, spec.signals, tiers, spec.default)
