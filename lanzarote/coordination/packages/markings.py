"""Markings on everything shared: the SIENA handling code, TLP 2.0 and the Europol evaluation codes, and the rules
they carry (what may be forwarded, what may go to court, what a recipient may receive at all).

A package carries one set of markings; any item may override them. The rules are enforced where a package is built
(the recipient's ceiling) and where a received package would be sent on (H2 and TLP:RED stop at the named
recipient).
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import model_validator

from lanzarote.errors import AccessDenied, InputRejected
from lanzarote.model.base import Record


class Handling(StrEnum):
    """SIENA handling codes."""

    H0 = "H0"
    """Law-enforcement use only."""
    H1 = "H1"
    """Not for judicial proceedings without the owner's permission."""
    H2 = "H2"
    """Not to be disseminated without the owner's permission."""
    H3 = "H3"
    """Other restrictions, stated in the text."""


HANDLING_TEXT = {
    Handling.H0: "law-enforcement use only",
    Handling.H1: "not for court without the owner's permission",
    Handling.H2: "not to be disseminated further without the owner's permission",
    Handling.H3: "other restrictions",
}


class Tlp(StrEnum):
    """Traffic Light Protocol 2.0 (FIRST), least restrictive first."""

    CLEAR = "CLEAR"
    GREEN = "GREEN"
    AMBER = "AMBER"
    AMBER_STRICT = "AMBER+STRICT"
    RED = "RED"

    @property
    def rank(self) -> int:
        return list(Tlp).index(self)


class SourceReliability(StrEnum):
    """Europol's source evaluation (not MISP's 6×6 admiralty scale)."""

    A = "A"
    B = "B"
    C = "C"
    X = "X"


class InformationAssessment(StrEnum):
    """Europol's information evaluation: 1 known true … 4 not known."""

    ONE = "1"
    TWO = "2"
    THREE = "3"
    FOUR = "4"


class Markings(Record):
    """The markings of a package or of one item."""

    handling: Handling = Handling.H0
    handling_text: str | None = None
    """H3's restriction, in words (required for H3, refused for the others)."""
    tlp: Tlp = Tlp.AMBER
    source: SourceReliability = SourceReliability.B
    information: InformationAssessment = InformationAssessment.TWO

    @model_validator(mode="after")
    def _h3_says_what(self) -> Markings:
        if self.handling is Handling.H3 and not (self.handling_text or "").strip():
            raise ValueError("handling code H3 needs its restriction in words (handling_text)")
        if self.handling is not Handling.H3 and self.handling_text:
            raise ValueError(f"only H3 carries a restriction text, not {self.handling.value}")
        return self

    @property
    def forwardable(self) -> bool:
        """Whether the recipient's node may send it on: never for H2 or TLP:RED."""
        return self.handling is not Handling.H2 and self.tlp is not Tlp.RED

    @property
    def for_court(self) -> bool:
        """Whether it may be used in judicial proceedings without asking its owner (H1: not)."""
        return self.handling is not Handling.H1

    @property
    def evaluation(self) -> str:
        return f"{self.source.value}{self.information.value}"

    @property
    def warnings(self) -> list[str]:
        """What a reader must be told, in words."""
        out = []
        if not self.for_court:
            out.append("H1: not for court without the owner's permission")
        if self.handling is Handling.H2:
            out.append("H2: not to be disseminated further without the owner's permission")
        if self.handling is Handling.H3:
            out.append(f"H3: {self.handling_text}")
        if self.tlp is Tlp.RED:
            out.append("TLP:RED: for the named recipient only")
        return out

    @property
    def label(self) -> str:
        """One line: `H1 TLP:AMBER B2`."""
        handling = f"H3 ({self.handling_text})" if self.handling is Handling.H3 else self.handling.value
        return f"{handling} TLP:{self.tlp.value} {self.evaluation}"


class Overrides(Record):
    """What an item changes of its package's markings (None: as the package)."""

    handling: Handling | None = None
    handling_text: str | None = None
    tlp: Tlp | None = None
    source: SourceReliability | None = None
    information: InformationAssessment | None = None

    def over(self, base: Markings) -> Markings:
        changed = self.model_dump(exclude_none=True)
        if "handling" in changed and changed["handling"] != Handling.H3:
            changed.setdefault("handling_text", None)
        try:
            return Markings.model_validate({**base.model_dump(), **changed})
        except ValueError as exc:
            raise InputRejected(f"these markings cannot be combined: {exc}") from None


class Ceiling(Record):
    """The most a recipient may receive (OpenCTI's "max shareable marking"): anything more restricted is not sent."""

    tlp: Tlp = Tlp.AMBER_STRICT
    handling: Handling = Handling.H3

    def admits(self, m: Markings) -> bool:
        return m.tlp.rank <= self.tlp.rank and list(Handling).index(m.handling) <= list(Handling).index(self.handling)


def gate(ceiling: Ceiling, recipient: str, what: str, m: Markings) -> None:
    """Refuse an item marked beyond what `recipient` may receive."""
    if not ceiling.admits(m):
        raise AccessDenied(f"{what} is marked {m.label}, beyond what {recipient} may receive "
                           f"(at most TLP:{ceiling.tlp.value}, {ceiling.handling.value})")


def forwarding_allowed(m: Markings, what: str) -> None:
    """Refuse to send on an item received under H2 or TLP:RED."""
    if not m.forwardable:
        raise AccessDenied(f"{what} was received marked {m.label}: it may not be forwarded without its owner's "
                           "permission")
