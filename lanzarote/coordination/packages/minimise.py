"""Minimisation: from a subject's reports, what a recipient needs and nothing more.

By default a package holds the subject's reports as references with their incident summary, the identifiers of the
reported person (never the victim's or the reporter's), the hashes of the files, and each victim by pseudonym (age
only). Names, addresses, free text, the provider's and the clearing house's notes never go. The sender may narrow
the selection further; widening it beyond `RULES` is not possible.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from lanzarote.coordination.packages.markings import Markings, Overrides, forwarding_allowed
from lanzarote.coordination.packages.model import ItemKind, PackageItem
from lanzarote.linking import identifiers as ids
from lanzarote.model.report import Party, PartyRole, Report

RULES: dict[ItemKind, frozenset[str]] = {
    ItemKind.REPORT: frozenset({"incident_type", "incident_at", "received_at", "platform", "origin", "country"}),
    ItemKind.IDENTIFIER: frozenset({"role"}),
    ItemKind.FILE_HASH: frozenset({"file_id", "classification"}),
    ItemKind.VICTIM: frozenset({"age"}),
}
"""The detail fields each kind of item may carry: the test diffs a package against this table."""

IDENTIFIER_TYPES = ("email", "phone", "account", "screen_name", "device", "ip", "url")


@dataclass(frozen=True)
class Selection:
    """What the sender chose (None: everything the rules allow)."""

    reports: frozenset[str] | None = None
    """Report keys to include."""
    items: frozenset[str] | None = None
    """Item ids to include (from a draft the sender has seen)."""
    victims: bool = True
    overrides: Mapping[str, Overrides] = field(default_factory=dict)
    """Per item id, markings that differ from the package's."""


def _item(kind: ItemKind, type_: str | None, value: str, report: str, **details: str | None) -> PackageItem:
    kept = {k: str(v) for k, v in details.items() if v is not None and v != ""}
    return PackageItem(item_id=PackageItem.id_for(kind, type_, value, report), kind=kind, type=type_, value=value,
                       report=report, details=kept)


def _party_identifiers(report: Report, party: Party, key: str) -> list[PackageItem]:
    region = report.clearing_house.country if report.clearing_house else None
    found: list[tuple[str, str | None]] = [("email", ids.email(e.address)) for e in party.emails]
    found += [("phone", ids.phone(p, region)) for p in party.phones]
    if party.esp_identifier:
        found.append(("account", f"{ids.provider_namespace(party.esp_service or report.platform)}:"
                                 f"{party.esp_identifier}"))
    found += [("screen_name", party.screen_name)] if party.screen_name else []
    found += [("device", f"{d.id_type}:{d.value}") for d in party.device_ids]
    found += [("ip", parsed.compressed) for e in party.ip_capture_events if (parsed := ids.parsed_ip(e.ip_address))]
    found += [("url", u) for u in party.profile_urls]
    return [_item(ItemKind.IDENTIFIER, t, v, key, role=party.role.value) for t, v in found if v]


def items_of(key: str, report: Report, country: str | None, victims: bool = True) -> list[PackageItem]:
    """Every item the rules allow from one report, in a stable order."""
    out = [_item(ItemKind.REPORT, report.source, report.source_id, key,
                 incident_type=report.incident_type.value if report.incident_type else None,
                 incident_at=report.incident_at.isoformat() if report.incident_at else None,
                 received_at=report.received_at.isoformat() if report.received_at else None,
                 platform=report.platform, origin=report.origin.value, country=country)]
    for party in report.parties:
        if party.role is not PartyRole.VICTIM:
            out += _party_identifiers(report, party, key)
    for f in report.files:
        for h in f.hashes:
            out.append(_item(ItemKind.FILE_HASH, h.type.strip().upper().replace("-", ""), h.value.strip().lower(),
                             key, file_id=f.file_id, classification=f.industry_classification))
    if victims:
        for n, victim in enumerate(report.parties_in(PartyRole.VICTIM), start=1):
            out.append(_item(ItemKind.VICTIM, None, f"Victim {n} of {report.source_id}", key,
                             age=str(victim.age) if victim.age is not None else None))
    return out


def minimised(reports: Mapping[str, tuple[Report, str | None]], selection: Selection,
              received: Mapping[str, Markings] | None = None) -> list[PackageItem]:
    """The items of a package from these reports (key → report and its routed country), as the sender selected
    them. A report received under H2 or TLP:RED (`received`, by key) is refused: it may not be forwarded."""
    chosen = sorted(k for k in reports if selection.reports is None or k in selection.reports)
    out: list[PackageItem] = []
    seen: set[str] = set()
    for key in chosen:
        if received and key in received:
            forwarding_allowed(received[key], f"report {key}")
        report, country = reports[key]
        for item in items_of(key, report, country, selection.victims):
            if item.item_id in seen or (selection.items is not None and item.item_id not in selection.items):
                continue
            seen.add(item.item_id)
            if item.item_id in selection.overrides:
                item = item.model_copy(update={"overrides": selection.overrides[item.item_id]})
            out.append(item)
    return out


def breaches(items: Sequence[PackageItem]) -> list[str]:
    """Every way these items go beyond the minimisation rules (empty: within them)."""
    out = []
    for item in items:
        extra = set(item.details) - RULES[item.kind]
        if extra:
            out.append(f"{item.item_id} ({item.kind.value}) carries {', '.join(sorted(extra))}")
        if item.kind is ItemKind.VICTIM and not item.value.startswith("Victim "):
            out.append(f"{item.item_id} names a victim other than by pseudonym")
        if item.kind is ItemKind.IDENTIFIER and item.details.get("role") == PartyRole.VICTIM.value:
            out.append(f"{item.item_id} is a victim's identifier")
    return out
