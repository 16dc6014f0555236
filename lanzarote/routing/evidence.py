"""Evidence of where a report belongs: every fact that points at a country, with its strength and who asserted it.

Strengths say how much a fact is worth on its own: a postal address the provider holds beats an IP address (which
may be a VPN or a carrier-grade NAT), which beats a phone number (people roam and keep foreign SIMs), which beats
the provider's own country. Anything flagged as a proxy counts for little.
"""

from __future__ import annotations

from collections.abc import Iterator

import iptocc
import phonenumbers

from lanzarote.linking.identifiers import parsed_ip
from lanzarote.linking.identifiers import phone as normalised_phone
from lanzarote.model.jurisdiction import EvidenceKind, JurisdictionEvidence
from lanzarote.model.report import Party, PartyRole, Phone, Report

STRENGTH = {
    EvidenceKind.POSTAL_ADDRESS: 0.9,
    EvidenceKind.CLEARING_HOUSE_GEOLOCATION: 0.8,
    EvidenceKind.IP_ADDRESS: 0.7,
    EvidenceKind.ESTIMATED_LOCATION: 0.6,
    EvidenceKind.PHONE: 0.5,
    EvidenceKind.PROVIDER_DECLARED: 0.3,
    EvidenceKind.VICTIM_COUNTRY: 0.3,
    EvidenceKind.HOSTING: 0.2,
}
PROXY_STRENGTH = 0.15
SENT_TO_STRENGTH = 0.5
_NOT_COUNTRIES = {"A1", "A2", "O1", "EU", "AP", ""}


def ip_country(ip: str) -> str | None:
    """The country an address is registered to (offline registry data); none for private or documentation space."""
    parsed = parsed_ip(ip)
    if parsed is None or not parsed.is_global:
        return None
    country = iptocc.country_code(parsed.compressed)
    return country if isinstance(country, str) and country not in _NOT_COUNTRIES else None


def phone_country(phone: Phone, default_region: str | None) -> str | None:
    """The country of a phone number from its calling code (or the report's country for a national number)."""
    e164 = normalised_phone(phone, default_region)
    if e164 is None:
        return None
    parsed = phonenumbers.parse(e164, None)
    region = phonenumbers.region_code_for_number(parsed) or phonenumbers.region_code_for_country_code(
        parsed.country_code or 0)
    return region if region and region not in ("ZZ", "001") else None


def _provider(report: Report) -> str:
    return report.platform or (report.reporter.name if report.reporter else None) or report.source


def _party_evidence(party: Party, asserted_by: str) -> Iterator[JurisdictionEvidence]:
    home = next((a.country for a in party.addresses if a.country), None)
    for address in party.addresses:
        if address.country and address.country.upper() not in _NOT_COUNTRIES:
            where = " ".join(x for x in (address.postal_code, address.city) if x)
            strength = STRENGTH[EvidenceKind.POSTAL_ADDRESS] if address.postal_code else 0.7
            yield JurisdictionEvidence(
                kind=EvidenceKind.POSTAL_ADDRESS, value=f"{where}, {address.country}".strip(", "),
                country=address.country.upper(), strength=strength, asserted_by=asserted_by)
    for event in party.ip_capture_events:
        country = ip_country(event.ip_address)
        if country:
            proxy = bool(event.possible_proxy)
            yield JurisdictionEvidence(
                kind=EvidenceKind.IP_ADDRESS, value=event.ip_address, country=country,
                strength=PROXY_STRENGTH if proxy else STRENGTH[EvidenceKind.IP_ADDRESS],
                asserted_by=f"{asserted_by} (address); registry data (country)",
                note="flagged as a possible proxy" if proxy else None)
    for phone in party.phones:
        country = phone_country(phone, home)
        if country:
            yield JurisdictionEvidence(kind=EvidenceKind.PHONE, value=phone.number, country=country,
                                       strength=STRENGTH[EvidenceKind.PHONE], asserted_by=asserted_by)
    location = party.estimated_location
    if location and location.country and location.country.upper() not in _NOT_COUNTRIES:
        yield JurisdictionEvidence(kind=EvidenceKind.ESTIMATED_LOCATION,
                                   value=", ".join(x for x in (location.city, location.region, location.country) if x),
                                   country=location.country.upper(), strength=STRENGTH[EvidenceKind.ESTIMATED_LOCATION],
                                   asserted_by=asserted_by)


def evidence_of(report: Report) -> list[JurisdictionEvidence]:
    """Every fact in the report that points at the country of the reported person."""
    provider = _provider(report)
    found: list[JurisdictionEvidence] = []
    for party in report.parties_in(PartyRole.REPORTED):
        found.extend(_party_evidence(party, provider))
    layer = report.clearing_house
    if layer is not None:
        for geo in layer.geolocations:
            if geo.country and geo.country.upper() not in _NOT_COUNTRIES:
                where = ", ".join(x for x in (geo.city, geo.region, geo.isp) if x)
                yield_strength = PROXY_STRENGTH if geo.proxy else STRENGTH[EvidenceKind.CLEARING_HOUSE_GEOLOCATION]
                found.append(JurisdictionEvidence(
                    kind=EvidenceKind.CLEARING_HOUSE_GEOLOCATION, value=f"{geo.ip_address} ({where})",
                    country=geo.country.upper(), strength=yield_strength, asserted_by=layer.name,
                    note="flagged as a proxy" if geo.proxy else None))
        if layer.country:
            found.append(JurisdictionEvidence(kind=EvidenceKind.CLEARING_HOUSE_GEOLOCATION,
                                              value=f"sent to {layer.country}", country=layer.country.upper(),
                                              strength=SENT_TO_STRENGTH, asserted_by=layer.name))
    if report.reporter and report.reporter.country:
        found.append(JurisdictionEvidence(kind=EvidenceKind.PROVIDER_DECLARED, value=report.reporter.country,
                                          country=report.reporter.country.upper(),
                                          strength=STRENGTH[EvidenceKind.PROVIDER_DECLARED], asserted_by=provider))
    if ":" in report.source:
        channel = report.source.rsplit(":", 1)[1].upper()
        if len(channel) == 2 and channel.isalpha():
            found.append(JurisdictionEvidence(
                kind=EvidenceKind.PROVIDER_DECLARED, value=f"received via {report.source}", country=channel,
                strength=0.4, asserted_by=report.source))
    for detail in report.internet_details:
        for url in detail.urls:
            tld = url.split("//", 1)[-1].split("/", 1)[0].rsplit(".", 1)[-1].upper()
            if len(tld) == 2 and tld.isalpha() and tld not in ("EU", "IO", "TV", "ME", "CO"):
                found.append(JurisdictionEvidence(kind=EvidenceKind.HOSTING, value=url, country="GB" if tld == "UK"
                                                  else tld, strength=STRENGTH[EvidenceKind.HOSTING],
                                                  asserted_by=provider, note="country-code domain only"))
    return found


def victim_countries(report: Report) -> set[str]:
    """Countries where the report places victims (their addresses)."""
    return {a.country.upper() for p in report.parties_in(PartyRole.VICTIM) for a in p.addresses if a.country}
