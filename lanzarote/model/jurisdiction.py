"""Who is competent: the evidence for each country, and the route that follows from it."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from lanzarote.model.base import Record


class EvidenceKind(StrEnum):
    PROVIDER_DECLARED = "provider_declared"
    CLEARING_HOUSE_GEOLOCATION = "clearing_house_geolocation"
    IP_ADDRESS = "ip_address"
    PHONE = "phone"
    POSTAL_ADDRESS = "postal_address"
    VICTIM_COUNTRY = "victim_country"
    HOSTING = "hosting"
    ESTIMATED_LOCATION = "estimated_location"
    ANALYST_DECISION = "analyst_decision"


class JurisdictionEvidence(Record):
    """One fact pointing at a country, with its strength (0..1) and who asserted it."""

    kind: EvidenceKind
    value: str
    country: str
    strength: float
    asserted_by: str
    note: str | None = None


class RouteOverride(Record):
    """An analyst's routing decision: it wins over the evidence, and says who decided, when and why."""

    country: str
    authority: str | None = None
    reason: str
    decided_by: str
    decided_at: datetime


class Route(Record):
    """The competent country, national unit and local authority, with all evidence (conflicts included)."""

    country: str | None
    confidence: float
    national_unit: str | None = None
    authority: str | None = None
    evidence: tuple[JurisdictionEvidence, ...] = ()
    conflict: bool = False
    notifications: tuple[str, ...] = ()
    needs_manual_routing: bool = False
    missing: tuple[str, ...] = ()
    tables_version: str | None = None
    override: RouteOverride | None = None
