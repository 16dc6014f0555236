"""A package as a STIX 2.1 bundle, generated from our own model with `stix2`.

Identities for sender and recipient, one `report` holding everything, an `observed-data` per report, the
identifiers as SCOs (user-account, email-addr, ipv4/ipv6-addr, url, file with hashes, and phone numbers as a custom
SCO with deterministic ids), and `related-to` relationships between what one report shows together. Every object
carries the TLP 2.0 marking of its item (the official extension-based marking definitions, shipped as data) and our
handling and evaluation codes as `x_lanzarote_*` properties. The bundle is validated on the way out: parsed back by
`stix2`, every reference resolved.
"""

from __future__ import annotations

import ipaddress
import json
import uuid
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

import stix2
from stix2.properties import StringProperty

from lanzarote.coordination.packages.markings import Markings, Tlp
from lanzarote.coordination.packages.model import ItemKind, Package, PackageItem
from lanzarote.errors import InputRejected

DATA = Path(__file__).parents[1] / "data" / "tlp2-marking-definitions.json"
NAMESPACE = uuid.UUID("8c0e1f4e-7a43-5b1a-9a53-6c616e7a6172")
"""Our namespace for deterministic ids of SDOs (identities, observed-data) built from our own ids."""
HASH_NAMES = {"MD5": "MD5", "SHA1": "SHA-1", "SHA256": "SHA-256", "SHA512": "SHA-512"}


class _PhoneNumber:
    """A phone number in E.164 (STIX has no phone SCO); its id is derived from the number."""


PhoneNumber: Any = stix2.CustomObservable("x-lanzarote-phone-number", [("value", StringProperty(required=True))],
                                          id_contrib_props=["value"])(_PhoneNumber)


@cache
def tlp_markings() -> dict[Tlp, dict[str, Any]]:
    """The five TLP 2.0 marking definitions as FIRST/OASIS publish them."""
    objects: list[dict[str, Any]] = json.loads(DATA.read_text())
    by_name = {o["name"].removeprefix("TLP:"): o for o in objects}
    return {t: by_name[t.value] for t in Tlp}


def tlp_of(marking_ref: str) -> Tlp | None:
    return next((t for t, o in tlp_markings().items() if o["id"] == marking_ref), None)


def _sdo_id(kind: str, *parts: str) -> str:
    return f"{kind}--{uuid.uuid5(NAMESPACE, chr(31).join(parts))}"


def _marked(m: Markings) -> dict[str, Any]:
    return {"object_marking_refs": [tlp_markings()[m.tlp]["id"]], "x_lanzarote_handling": m.handling.value,
            "x_lanzarote_handling_text": m.handling_text or "", "x_lanzarote_evaluation": m.evaluation}


def _sco(item: PackageItem, m: Markings) -> Any | None:
    marked = _marked(m)
    if item.kind is ItemKind.FILE_HASH:
        name = HASH_NAMES.get(item.type or "")
        if name is None:  # a perceptual hash (PDQ) is not a STIX hash algorithm: carried as a custom hash
            return stix2.File(hashes={f"x_{(item.type or 'hash').lower()}": item.value}, allow_custom=True, **marked)
        return stix2.File(hashes={name: item.value}, allow_custom=True, **marked)
    if item.kind is not ItemKind.IDENTIFIER:
        return None
    if item.type == "email":
        return stix2.EmailAddress(value=item.value, allow_custom=True, **marked)
    if item.type == "ip":
        cls = stix2.IPv6Address if ipaddress.ip_address(item.value).version == 6 else stix2.IPv4Address
        return cls(value=item.value, allow_custom=True, **marked)
    if item.type == "url":
        return stix2.URL(value=item.value, allow_custom=True, **marked)
    if item.type == "phone":
        return PhoneNumber(value=item.value, allow_custom=True, **marked)
    if item.type == "account":
        platform, _, user_id = item.value.partition(":")
        return stix2.UserAccount(user_id=user_id, account_type=platform, allow_custom=True, **marked)
    if item.type == "screen_name":
        return stix2.UserAccount(account_login=item.value, allow_custom=True, **marked)
    if item.type == "device":
        return stix2.UserAccount(user_id=item.value, account_type="x-device", allow_custom=True, **marked)
    return None


def bundle(package: Package) -> stix2.Bundle:
    """The package as a validated STIX 2.1 bundle."""
    created = package.created_at
    sender = stix2.Identity(id=_sdo_id("identity", "agency", package.sender), name=package.sender,
                            identity_class="organization", created=created, modified=created)
    recipient = stix2.Identity(id=_sdo_id("identity", "agency", package.recipient.agency),
                               name=package.recipient.name, identity_class="organization", created=created,
                               modified=created)
    common = {"created_by_ref": sender.id, "created": created, "modified": created, "allow_custom": True}
    by_report: dict[str, list[Any]] = {}
    seen: dict[str, Any] = {}
    for item in package.items:
        sco = _sco(item, package.marking_of(item))
        if sco is not None:
            seen.setdefault(sco.id, sco)
            by_report.setdefault(item.report or "", []).append(seen[sco.id])
    sdos: list[Any] = []
    for item in package.items:
        if item.kind is not ItemKind.REPORT:
            continue
        refs = sorted({o.id for o in by_report.get(item.report or "", [])})
        if not refs:
            continue
        when = item.details.get("incident_at") or item.details.get("received_at")
        at = datetime.fromisoformat(when) if when else created
        sdos.append(stix2.ObservedData(id=_sdo_id("observed-data", package.package_id, item.item_id),
                                       first_observed=at, last_observed=at, number_observed=1, object_refs=refs,
                                       x_lanzarote_report=item.value, **common, **_marked(package.marking_of(item))))
        anchor, *others = refs
        sdos += [stix2.Relationship(id=_sdo_id("relationship", package.package_id, anchor, other),
                                    relationship_type="related-to", source_ref=anchor, target_ref=other,
                                    description=f"seen together in report {item.value}", **common,
                                    **_marked(package.marking_of(item))) for other in others]
    contents = [*seen.values(), *sdos]
    report = stix2.Report(id=_sdo_id("report", package.package_id), name=f"Intelligence package {package.package_id}",
                          description=package.summary or f"Package for {package.recipient.name}",
                          published=created, report_types=["threat-actor"],
                          object_refs=[recipient.id, *(o.id for o in contents)],
                          x_lanzarote_package=package.package_id, x_lanzarote_recipient=package.recipient.agency,
                          x_lanzarote_warnings=package.markings.warnings or [""], **common,
                          **_marked(package.markings))
    used = {ref for o in [*contents, report] for ref in o.get("object_marking_refs", [])}
    markings = [stix2.parse(o) for t, o in tlp_markings().items() if o["id"] in used]
    out = stix2.Bundle(id=_sdo_id("bundle", package.package_id),
                       objects=[*markings, sender, recipient, report, *contents], allow_custom=True)
    validate(out.serialize())
    return out


def validate(text: str) -> list[Any]:
    """Parse a bundle back with `stix2` and resolve every reference and marking in it; refuse it otherwise."""
    parsed = stix2.parse(text, allow_custom=True)
    objects = list(parsed.objects)
    ids = {o.id for o in objects}
    for o in objects:
        refs = [*o.get("object_refs", []), *o.get("object_marking_refs", [])]
        refs += [o[k] for k in ("source_ref", "target_ref", "created_by_ref") if k in o]
        missing = [r for r in refs if r not in ids]
        if missing:
            raise InputRejected(f"the STIX bundle is not whole: {o.id} refers to {missing[0]}, which it lacks")
    return objects
