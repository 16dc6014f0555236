"""A package as a MISP event (`pymisp`, no server): identifiers as attributes, files and accounts as objects, TLP
as `tlp:` tags (TLP 2.0 names), our handling and evaluation codes as `lanzarote:` tags, and a distribution that
keeps H2, TLP:RED and AMBER within the receiving organisation."""

from __future__ import annotations

from typing import Any

from pymisp import MISPEvent, MISPObject

from lanzarote.coordination.packages.markings import Handling, Markings, Tlp
from lanzarote.coordination.packages.model import ItemKind, Package, PackageItem

ATTRIBUTE_TYPES = {"email": "email", "phone": "phone-number", "ip": "ip-src", "url": "url", "screen_name": "text",
                   "device": "text"}
HASH_TYPES = {"MD5": "md5", "SHA1": "sha1", "SHA256": "sha256", "SHA512": "sha512", "PDQ": "pdq"}
ORGANISATION_ONLY, COMMUNITY, ALL_COMMUNITIES = 0, 1, 3


def tags(m: Markings) -> list[str]:
    """The MISP tags of a set of markings."""
    out = [f"tlp:{m.tlp.value.lower()}", f'lanzarote:handling="{m.handling.value}"',
           f'lanzarote:evaluation="{m.evaluation}"']
    if m.handling_text:
        out.append(f'lanzarote:handling-text="{m.handling_text}"')
    return out


def distribution(m: Markings) -> int:
    """How far the receiving MISP may share it: the organisation only unless TLP says more may know."""
    if m.handling is Handling.H2 or m.tlp in (Tlp.RED, Tlp.AMBER_STRICT, Tlp.AMBER):
        return ORGANISATION_ONLY
    return COMMUNITY if m.tlp is Tlp.GREEN else ALL_COMMUNITIES


def _comment(item: PackageItem) -> str:
    return f"{item.item_id} from report {item.report}"


def event(package: Package) -> MISPEvent:
    """The package as one MISP event."""
    e = MISPEvent()
    e.info = f"Intelligence package {package.package_id} for {package.recipient.name}"
    e.uuid = _uuid(package.package_id)
    e.date = package.created_at.date()
    e.distribution = distribution(package.markings)
    e.threat_level_id = 1
    e.analysis = 2
    for tag in tags(package.markings):
        e.add_tag(tag)
    for item in package.items:
        m = package.marking_of(item)
        attribute: Any
        obj: MISPObject | None
        if item.kind is ItemKind.FILE_HASH:
            obj = MISPObject("file", standalone=False)
            obj.comment = _comment(item)
            attribute = obj.add_attribute(HASH_TYPES.get(item.type or "", "text"), value=item.value)
        elif item.kind is ItemKind.IDENTIFIER and item.type == "account":
            platform, _, user_id = item.value.partition(":")
            obj = MISPObject("user-account", standalone=False)
            obj.comment = _comment(item)
            attribute = obj.add_attribute("user-id", value=user_id)
            obj.add_attribute("account-type", value=platform)
        elif item.kind is ItemKind.IDENTIFIER:
            attribute = e.add_attribute(ATTRIBUTE_TYPES.get(item.type or "", "text"), item.value,
                                        comment=_comment(item), to_ids=False, distribution=distribution(m))
            obj = None
        else:
            attribute = e.add_attribute("text", f"{item.kind.value}: {item.value}", comment=_comment(item),
                                        to_ids=False, distribution=distribution(m))
            obj = None
        if obj is not None:
            obj.distribution = distribution(m)
            e.add_object(obj)
        attribute.distribution = distribution(m)
        for tag in tags(m):
            attribute.add_tag(tag)
    return e


def _uuid(package_id: str) -> str:
    import uuid

    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"lanzarote:package:{package_id}"))
