"""Identifiers of the people in a report, normalised so that the same one written differently is the same value.

Strong identifiers link reports on their own (provider account ids namespaced by provider, e-mail addresses, phone
numbers in E.164, device ids, file hashes, CyberTipline report numbers: a report's own and the earlier ones its
`priorCTReports` name); IP addresses link only under guards (time window, no proxy, not a shared
address); screen names are weak (suggestions only).
"""

from __future__ import annotations

import functools
import ipaddress
import re
from datetime import datetime
from typing import NamedTuple

import phonenumbers

from lanzarote.model.linking import Identifier, IdentifierKind
from lanzarote.model.report import Party, PartyRole, Phone, Report

_GMAIL = {"gmail.com", "googlemail.com"}
_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
VIRAL = {"potentialMeme", "viral"}


class Sighting(NamedTuple):
    """An identifier seen in a report: when (for IP addresses), whether behind a proxy, under which account."""

    identifier: Identifier
    at: datetime | None = None
    proxy: bool = False
    account: str | None = None
    indexed: bool = True
    """False for a report's own CyberTipline number: looked up, never stored in the identifier index (the reports
    table already answers "is report N here?", and one more row a report would cost every ingest)."""


def email(address: str) -> str | None:
    """Lower case, trimmed; for Gmail (which documents it) dots and +tags in the local part do not count."""
    value = address.strip().lower()
    if not _EMAIL.match(value):
        return None
    local, domain = value.rsplit("@", 1)
    if domain in _GMAIL:
        local = local.split("+", 1)[0].replace(".", "")
        domain = "gmail.com"
    return f"{local}@{domain}"


def phone(p: Phone, default_region: str | None) -> str | None:
    """E.164, using the report's country for numbers written without a calling code."""
    number = p.number.strip()
    try:
        if number.startswith("00"):
            number = "+" + number[2:]
        if number.startswith("+"):
            parsed = phonenumbers.parse(number, None)
        elif p.country_calling_code:
            parsed = phonenumbers.parse(p.country_calling_code + re.sub(r"^0+", "", re.sub(r"\D", "", number)), None)
        elif default_region:
            parsed = phonenumbers.parse(number, default_region)
        else:
            return None
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def provider_namespace(name: str | None) -> str:
    return _NON_ALNUM.sub("", (name or "unknown").lower()) or "unknown"


class ParsedIp(NamedTuple):
    """What the pipeline asks of an IP address, worked out once (linking and routing both read every address)."""

    compressed: str
    links: bool
    """Not private, loopback or unspecified: it can say who someone is."""
    is_global: bool
    """Routed on the public internet: registry data can say its country."""


@functools.lru_cache(maxsize=1 << 16)
def parsed_ip(text: str) -> ParsedIp | None:
    """An IP address as written in a report, parsed; None when it is not one."""
    try:
        parsed = ipaddress.ip_address(text.strip())
    except ValueError:
        return None
    links = not (parsed.is_private or parsed.is_loopback or parsed.is_unspecified)
    return ParsedIp(parsed.compressed, links, parsed.is_global)


def ip(text: str) -> str | None:
    parsed = parsed_ip(text)
    return parsed.compressed if parsed is not None and parsed.links else None


def cybertipline_number(report: Report) -> str | None:
    """The report's own CyberTipline report number: NCMEC's reference in its provenance, or its id when it came as
    a CyberTipline document (whose file name is the number)."""
    for hop in report.provenance:
        if hop.actor.strip().upper() == "NCMEC" and hop.reference:
            return report_number(hop.reference)
    return report_number(report.source_id) if report.source.split(":", 1)[0] == "ncmec" else None


def report_number(text: str) -> str | None:
    """A CyberTipline report number as one value (the schema's xs:long: digits, leading zeros not counting)."""
    value = text.strip()
    return str(int(value)) if value.isascii() and value.isdigit() else None


def _country(report: Report, party: Party) -> str | None:
    for a in party.addresses:
        if a.country:
            return a.country.upper()
    if report.clearing_house and report.clearing_house.country:
        return report.clearing_house.country.upper()
    return None


@functools.lru_cache(maxsize=1 << 16)
def _ident(kind: IdentifierKind, value: str, strong: bool = True) -> Identifier:
    # validated, though the values are normalised already: pydantic's validation is faster than model_construct;
    # remembered, as the same file hashes and accounts come back in report after report (an identifier is immutable)
    return Identifier(kind=kind, value=value, strong=strong)


SightingFields = tuple[str, str, bool, datetime | None, bool, str | None, bool]
"""A sighting as plain values (kind, value, strong, at, proxy, account, indexed): how it travels between processes."""


def fields_of(s: Sighting) -> SightingFields:
    i = s.identifier
    return (i.kind.value, i.value, i.strong, s.at, s.proxy, s.account, s.indexed)


def from_fields(f: SightingFields) -> Sighting:
    """The sighting `fields_of` gave these values for."""
    return Sighting(_ident(IdentifierKind(f[0]), f[1], f[2]), f[3], f[4], f[5], f[6])


def sightings_of(report: Report) -> tuple[Sighting, ...]:
    """Every identifier of the reported people (and their associated accounts) and of the reported files."""
    found: dict[tuple[str, str, datetime | None], Sighting] = {}

    def add(s: Sighting) -> None:
        found.setdefault((s.identifier.kind.value, s.identifier.value, s.at), s)

    default_provider = report.platform or (report.reporter.name if report.reporter else None)
    own_number = cybertipline_number(report)
    if own_number:
        add(Sighting(identifier=_ident(IdentifierKind.PRIOR_CT_REPORT, own_number), indexed=False))
    for party in report.parties_in(PartyRole.REPORTED):
        provider = provider_namespace(party.esp_service or default_provider)
        account = f"{provider}:{party.esp_identifier.strip()}" if party.esp_identifier else None
        region = _country(report, party)
        if account:
            add(Sighting(identifier=_ident(IdentifierKind.ACCOUNT, account), account=account))
        if party.screen_name:
            name = f"{provider}:{party.screen_name.strip().lower()}"
            add(Sighting(identifier=_ident(IdentifierKind.SCREEN_NAME, name, strong=False), account=account))
        for e in party.emails:
            value = email(e.address)
            if value:
                add(Sighting(identifier=_ident(IdentifierKind.EMAIL, value), account=account))
        for p in party.phones:
            value = phone(p, region)
            if value:
                add(Sighting(identifier=_ident(IdentifierKind.PHONE, value), account=account))
        for d in party.device_ids:
            value = re.sub(r"\s", "", d.value).lower()
            if value:
                add(Sighting(identifier=_ident(IdentifierKind.DEVICE, f"{d.id_type.strip().lower()}:{value}"),
                             account=account))
        for prior in party.prior_report_ids:
            value = report_number(prior)
            if value and value != own_number:
                add(Sighting(identifier=_ident(IdentifierKind.PRIOR_CT_REPORT, value), account=account))
        for event in party.ip_capture_events:
            value = ip(event.ip_address)
            if value:
                add(Sighting(identifier=_ident(IdentifierKind.IP, value, strong=False), at=event.at,
                             proxy=bool(event.possible_proxy), account=account))
        for assoc in party.associated_accounts:
            if assoc.esp_identifier:
                linked = f"{provider_namespace(assoc.platform or provider)}:{assoc.esp_identifier.strip()}"
                add(Sighting(identifier=_ident(IdentifierKind.ACCOUNT, linked), account=account))
            for e in assoc.emails:
                value = email(e.address)
                if value:
                    add(Sighting(identifier=_ident(IdentifierKind.EMAIL, value), account=account))
    viral = report.batched_reason == "VIRAL_POTENTIAL_MEME"
    for f in report.files:
        if viral or f.potential_meme or VIRAL & set(f.annotations):
            continue  # a viral image is shared by strangers: it says nothing about who they are
        for h in f.hashes:
            kind = h.type.strip().lower()
            if kind in ("md5", "sha1", "sha256") and h.value.strip():
                add(Sighting(identifier=_ident(IdentifierKind.FILE_HASH, f"{kind}:{h.value.strip().lower()}")))
    return tuple(found.values())
