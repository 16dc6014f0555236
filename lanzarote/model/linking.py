"""Identifiers, the links they make between reports, and the subjects (people or groups) behind reports."""

from __future__ import annotations

from enum import StrEnum

from lanzarote.model.base import Record


class IdentifierKind(StrEnum):
    EMAIL = "email"
    PHONE = "phone"
    ACCOUNT = "account"
    """A provider account id, namespaced by provider: 'examplechat:12345'."""
    SCREEN_NAME = "screen_name"
    DEVICE = "device"
    PAYMENT = "payment"
    IP = "ip"
    FILE_HASH = "file_hash"
    PRIOR_CT_REPORT = "priorCTReports"
    """A CyberTipline report number: a report's own, and each one its reported person's `priorCTReports` names
    (NCMEC's cross-reference to earlier reports on the same person), so the two are linked and read together."""
    CONFIRMED = "confirmed"
    """An analyst confirmed a suggestion that the two reports' people are the same (value: who, when, evidence)."""


class Identifier(Record):
    """A normalised identifier of a party in a report."""

    kind: IdentifierKind
    value: str
    strong: bool = True


class Link(Record):
    """Two reports joined by the identifiers they share."""

    report_a: str
    report_b: str
    identifiers: tuple[Identifier, ...]


class Subject(Record):
    """A connected set of linked reports: the person or group behind them."""

    subject_id: str
    report_keys: tuple[str, ...]
    identifiers: tuple[Identifier, ...] = ()


class SuggestionStatus(StrEnum):
    OPEN = "open"
    CONFIRMED = "confirmed"
    REJECTED = "rejected"


class Suggestion(Record):
    """A possible link from weak evidence that an analyst confirms or rejects; never merged by itself."""

    report_a: str
    report_b: str
    probability: float
    evidence: tuple[str, ...]
    status: SuggestionStatus = SuggestionStatus.OPEN


class LinkedElsewhere(Record):
    """Reports linked to this one that the viewer's agency may not see: who holds them and how to reach them, never
    their ids nor the identifiers the link was made on (deconfliction starts from here)."""

    agency: str
    contact: str | None = None
    reports: int = 1

    @property
    def text(self) -> str:
        held = "a report" if self.reports == 1 else f"{self.reports} reports"
        return f"linked to {held} held by another agency: {self.agency}" + (
            f" ({self.contact})" if self.contact else "")
