"""From evidence to a route: the country (with confidence and any conflict shown), the national unit, and the
local competent authority; special rules (foreign military, victims abroad) as notes and notifications."""

from __future__ import annotations

from collections import defaultdict

from lanzarote.model.jurisdiction import EvidenceKind, JurisdictionEvidence, Route, RouteOverride
from lanzarote.model.report import PartyRole, Report
from lanzarote.routing.evidence import evidence_of, victim_countries
from lanzarote.routing.military import military
from lanzarote.routing.tables import Region, RoutingTables

CONFLICT_STRENGTH = 0.5
"""A country other than the chosen one that gathers at least this much evidence is a conflict to show."""


def route(report: Report, tables: RoutingTables) -> Route:
    """The competent country and authorities for a report, with all the evidence (conflicts included)."""
    evidence = evidence_of(report)
    victims = victim_countries(report)
    if not evidence and victims:
        evidence = [JurisdictionEvidence(kind=EvidenceKind.VICTIM_COUNTRY, value=c, country=c, strength=0.3,
                                         asserted_by=report.platform or report.source) for c in sorted(victims)]
    if not evidence:
        return Route(country=None, confidence=0.0, needs_manual_routing=True, tables_version=tables.version,
                     missing=("no address, IP address, phone number or geolocation points to a country",))
    totals: dict[str, float] = defaultdict(float)
    for e in evidence:
        totals[e.country] += e.strength
    ranked = sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))
    country, best = ranked[0]
    confidence = round(best / sum(totals.values()), 3)
    conflict = any(score >= CONFLICT_STRENGTH for c, score in ranked[1:])
    unit = tables.units.get(country)
    region, postal_code = _region(report, country, tables)
    notifications: list[str] = []
    border = region.note(postal_code) if region else None
    if border:
        notifications.append(border)
    missing: list[str] = []
    authority = region.authority if region else None
    soldier = military(report, country, tables)
    if soldier is not None:
        authority = soldier.network.investigators
        notifications.append(soldier.note(tables.rules.military_note))
    for victim_country in sorted(victims - {country}):
        victim_unit = tables.units.get(victim_country)
        notifications.append(tables.rules.victims_abroad_note.format(
            country=victim_country, unit=victim_unit.national_unit if victim_unit else "its national contact point"))
    if unit is None:
        missing.append(f"no national contact point for {country} in the routing tables")
    if authority is None and country in ("ES", "FR", "DE"):
        missing.append(f"a {country} postal code to choose the local authority")
    return Route(
        country=country, confidence=confidence, national_unit=unit.national_unit if unit else None,
        authority=authority, evidence=tuple(sorted(evidence, key=lambda e: -e.strength)), conflict=conflict,
        notifications=tuple(notifications), needs_manual_routing=unit is None and authority is None,
        missing=tuple(missing), tables_version=tables.version,
    )


def _region(report: Report, country: str, tables: RoutingTables) -> tuple[Region | None, str]:
    """The region of the reported person's first postal code in `country` that the tables know, and that code."""
    for party in report.parties_in(PartyRole.REPORTED):
        for address in party.addresses:
            if address.postal_code and (address.country or country).upper() == country:
                region = tables.region(country, address.postal_code)
                if region:
                    return region, address.postal_code
    return None, ""


def overridden(found: Route, decision: RouteOverride, tables: RoutingTables) -> Route:
    """The route an analyst decided on: their country and authority first, the evidence found kept beside it."""
    unit = tables.units.get(decision.country)
    decided = JurisdictionEvidence(kind=EvidenceKind.ANALYST_DECISION, value=decision.reason, country=decision.country,
                                   strength=1.0, asserted_by=decision.decided_by)
    return found.model_copy(update={
        "country": decision.country, "confidence": 1.0, "needs_manual_routing": False,
        "national_unit": unit.national_unit if unit else None,
        "authority": decision.authority or (found.authority if found.country == decision.country else None),
        "evidence": (decided, *(e for e in found.evidence if e.kind is not EvidenceKind.ANALYST_DECISION)),
        "missing": (), "override": decision,
    })
