"""The records of notice and takedown: a URL report as a hotline sends it, what hosting resolution found (each
fact with who asserted it), the directive that follows (IntelMQ's event → directive → sent), and a notice's
states."""

from __future__ import annotations

import ipaddress
import json
import re
from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, Field, field_validator

from lanzarote.model.base import Moment, Record, ShortText, SourceId, SourceName, Tag

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
MAX_URL_CHARS = 4096
"""The longest URL a report may give (browsers and servers stop near 8 k; hotlines' URLs are far shorter)."""


class Assessment(StrEnum):
    """The reporting hotline's assessment of what the URL shows (ICCAM's classes)."""

    BASELINE = "baseline"
    """Illegal in every country (INHOPE's and Interpol's baseline)."""
    NATIONALLY_ILLEGAL = "nationally_illegal"
    """Illegal under the reporting hotline's law; the hosting country's law decides there."""
    NOT_ILLEGAL = "not_illegal"
    NOT_ASSESSED = "not_assessed"

    @property
    def illegal(self) -> bool:
        return self in (Assessment.BASELINE, Assessment.NATIONALLY_ILLEGAL)


def _ip(value: str) -> str:
    try:
        return ipaddress.ip_address(value.strip().strip("[]")).compressed
    except ValueError:
        raise ValueError(f"{value[:60]!r} is not an IP address") from None


def _country(value: str) -> str:
    code = value.strip().upper()
    if len(code) != 2 or not code.isalpha() or not code.isascii():
        raise ValueError(f"{value[:20]!r} is not an ISO 3166 alpha-2 country code")
    return "GB" if code == "UK" else code


IpText = Annotated[str, Field(max_length=64), AfterValidator(_ip)]
Country = Annotated[str, Field(max_length=3), AfterValidator(_country)]


class UrlHash(Record):
    """A hash of what the URL showed, as the hotline gives it (type free text: MD5, SHA1, PhotoDNA, PDQ…)."""

    type: Tag
    value: ShortText

    @property
    def key(self) -> str:
        """What two reports of the same material share: the type without dashes or case, and the value's case
        folded (hex)."""
        return f"{self.type.lower().replace('-', '')}:{self.value.strip().lower()}"


class UrlReport(Record):
    """One reported URL, as the reporting hotline sends it. Lanzarote never fetches it."""

    hotline: SourceName
    """The reporting hotline's code (`data/inhope_members.yaml`, e.g. `HU-NMHH`)."""
    reference: SourceId
    """The hotline's own id of the report; with the hotline, the report's key."""
    url: str = Field(min_length=1, max_length=MAX_URL_CHARS)
    assessment: Assessment = Assessment.NOT_ASSESSED
    reported_at: Moment
    """When the hotline received the report: every clock starts here."""
    hash: UrlHash | None = None
    ip: IpText | None = None
    """The hosting server's address as the hotline traced it."""
    hosting_country: Country | None = None
    """The hosting country as the hotline traced it."""
    network_owner: ShortText | None = None
    abuse_contact: ShortText | None = None

    @field_validator("url")
    @classmethod
    def _no_control_characters(cls, value: str) -> str:
        if _CONTROL.search(value):
            raise ValueError("a URL holds no control characters (a line break, a NUL, a tab)")
        return value

    @property
    def key(self) -> str:
        return f"{self.hotline}/{self.reference}"

    @classmethod
    def stored(cls, document: str) -> UrlReport:
        """A report as the store keeps it (validated when it was taken in): rebuilt without validating again."""
        data = json.loads(document)
        data["assessment"] = Assessment(data["assessment"])
        data["reported_at"] = datetime.fromisoformat(data["reported_at"])
        if data.get("hash"):
            data["hash"] = UrlHash.model_construct(**data["hash"])
        return cls.model_construct(**data)


class HostingFact(StrEnum):
    IP = "ip"
    COUNTRY = "country"
    NETWORK_OWNER = "network_owner"
    ABUSE_CONTACT = "abuse_contact"


class HostingEvidence(Record):
    """One fact about where a URL is hosted, with who asserted it (shown like a route's evidence)."""

    fact: HostingFact
    value: str
    asserted_by: str
    strength: float | None = None
    """For a country: how much it is worth on its own (0..1)."""
    note: str | None = None


class Hosting(Record):
    """Where a URL is hosted, resolved offline: the pieces found, the country chosen, and all evidence."""

    host: str
    ip: str | None = None
    country: str | None = None
    network_owner: str | None = None
    abuse_contact: str | None = None
    evidence: tuple[HostingEvidence, ...] = ()
    conflict: bool = False
    """The evidence names more than one country (each is shown)."""
    missing: tuple[str, ...] = ()


class Directive(Record):
    """Where the notice goes (IntelMQ's directive), or why none goes."""

    notice: bool
    reason: str
    country: str | None = None
    hotline: str | None = None
    """The recipient hotline (for a URL hosted in the reporting hotline's own country, the reporting hotline)."""
    hotline_certain: bool = True
    """False when the member list marks the hotline's membership as uncertain (check before sending)."""
    police: str | None = None
    police_source: str | None = None
    domestic: bool = False
    notes: tuple[str, ...] = ()


class NoticeState(StrEnum):
    SENT = "sent"
    ACKNOWLEDGED = "acknowledged"
    REMOVED = "removed"
    NOT_REMOVED = "not_removed"
    MOVED = "moved"

    @property
    def open(self) -> bool:
        """Whether the content is taken to be still online at the reported URL."""
        return self in (NoticeState.SENT, NoticeState.ACKNOWLEDGED, NoticeState.NOT_REMOVED)


class NoticeEvent(Record):
    """One step of a notice's timeline."""

    state: NoticeState
    at: datetime
    recorded_by: str
    note: str = ""
    moved_to: str | None = None
