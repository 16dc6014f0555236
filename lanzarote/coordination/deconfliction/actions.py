"""Planned actions (searches, arrests, undercover contacts) checked against other agencies' (RISSafe's event
deconfliction): two actions conflict when their times overlap and they share a subject (a token of one of its
identifiers) or a place (a grid cell of about 550 m, or one next to it).

The hub sees the place only as tokens of grid cells through the OPRF (kind `place`), the subject only as its
identifiers' tokens, and the time in clear (it must compare times).
"""

from __future__ import annotations

import math
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

CELL_DEGREES = 0.005
"""About 550 m of latitude; a conflict is found within one cell around (≈ 0.5–1.6 km)."""
KINDS = ("search", "arrest", "undercover")


def cell(lat: float, lon: float) -> tuple[int, int]:
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise ValueError(f"({lat}, {lon}) is not a place on Earth")
    return math.floor(lat / CELL_DEGREES), math.floor(lon / CELL_DEGREES)


def cells_around(lat: float, lon: float) -> list[str]:
    """The action's cell and its eight neighbours, as the values that go through the OPRF."""
    y, x = cell(lat, lon)
    return [f"{y + dy}:{x + dx}" for dy in (-1, 0, 1) for dx in (-1, 0, 1)]


def own_cell(lat: float, lon: float) -> str:
    y, x = cell(lat, lon)
    return f"{y}:{x}"


def parse_place(text: str) -> tuple[float, float]:
    """`LAT,LON` in decimal degrees (what a unit's planning tool gives)."""
    try:
        lat_s, lon_s = text.split(",")
        lat, lon = float(lat_s), float(lon_s)
        cell(lat, lon)
    except ValueError:
        raise ValueError(f"{text!r} is not a place as LAT,LON in decimal degrees (e.g. 40.4168,-3.7038)") from None
    return lat, lon


@dataclass(frozen=True)
class Planned:
    reference: str
    starts: datetime
    ends: datetime
    cells: Collection[str]
    """Tokens of the cells around it (the hub's view)."""
    subject_tokens: Collection[str]
    own: str | None = None
    """The token of its own cell (the first of `cells` the unit sends)."""


def conflict(a: Planned, b: Planned) -> str | None:
    """Why two planned actions conflict, or None."""
    if not (a.starts < b.ends and b.starts < a.ends):
        return None
    reasons = []
    if set(a.subject_tokens) & set(b.subject_tokens):
        reasons.append("the same subject")
    if set(a.cells) & set(b.cells):
        reasons.append("the same place (within about a kilometre)")
    if not reasons:
        return None
    return f"{' and '.join(reasons)} at overlapping times"
