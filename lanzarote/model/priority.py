"""Tiers with their reasons: an analyst must see why a report is on top."""

from __future__ import annotations

from enum import StrEnum

from lanzarote.model.base import Record


class Tier(StrEnum):
    P1 = "P1"
    """A child may be in danger now: act today."""
    P2 = "P2"
    """Hands-on or production indicators, access to children, grooming of an identified child."""
    P3 = "P3"
    """Distribution or possession without aggravating signals."""
    P4 = "P4"
    """Informational (e.g. a viral meme shared in outrage): kept, never deleted."""


class Reason(Record):
    """One signal that weighed on the tier: its id (T1..T25), a sentence, its weight and the evidence."""

    signal: str
    text: str
    weight: float
    evidence: str | None = None


class Triage(Record):
    tier: Tier
    score: float
    reasons: tuple[Reason, ...] = ()
    rules_version: str | None = None
