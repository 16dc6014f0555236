"""CyberTipline XML: `report` and `fileDetails` documents as NCMEC's schema defines them.

Reports are untrusted input. The parser refuses DTDs (so no external entities and no entity expansion), never
touches the network, and keeps libxml2's limits on huge trees. Every document is validated against the XSD; a
document that breaks the schema but still yields a usable report is kept with its problems as warnings (line and
element named), and one that does not is quarantined with the reason.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

from lxml import etree
from pydantic import ValidationError

from lanzarote import config
from lanzarote.errors import ConfigurationError
from lanzarote.intake.dates import DateProblem, parse_date, parse_datetime
from lanzarote.intake.documents import Document, FileDetailsDocument, IntakeResult
from lanzarote.model.quarantine import QuarantineEntry
from lanzarote.model.report import (
    AccountAction,
    Address,
    AssociatedAccount,
    DeviceId,
    Email,
    EstimatedLocation,
    FileDetail,
    FileHash,
    IncidentType,
    InternetDetail,
    IpCaptureEvent,
    Party,
    PartyRole,
    Phone,
    ProvenanceHop,
    Report,
    Reporter,
)

SOURCE = "ncmec"
_DOCTYPE = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_PERSON_ELEMENT = {
    "personOrUserReported": ("personOrUserReportedPerson", PartyRole.REPORTED),
    "intendedRecipient": ("intendedRecipientPerson", PartyRole.INTENDED_RECIPIENT),
    "victim": ("victimPerson", PartyRole.VICTIM),
}
_INCIDENT_KIND = {
    "webPageIncident": "web_page",
    "emailIncident": "email",
    "newsgroupIncident": "newsgroup",
    "chatImIncident": "chat_im",
    "onlineGamingIncident": "online_gaming",
    "cellPhoneIncident": "cell_phone",
    "nonInternetIncident": "non_internet",
    "peer2peerIncident": "p2p",
}
_INCIDENT_NAME = ("chatClient", "gameName", "name", "client", "locationName")
_EXIF_CAPTURE = ("DateTimeOriginal", "CreateDate", "DateTimeDigitized")

T = TypeVar("T")


class Unusable(Exception):
    """The document yields no usable record; the message says why."""


def xsd_path() -> Path:
    configured = str(config.get("cybertipline_xsd"))
    if configured:
        return Path(configured)
    return Path(__file__).resolve().parents[2].parent / "shared" / "data" / "cybertipline" / "cyber_tipline.xsd"


@cache
def schema() -> etree.XMLSchema:
    """NCMEC's schema, loaded once per process (without network or entity expansion)."""
    path = xsd_path()
    if not path.is_file():
        raise ConfigurationError(
            f"CyberTipline schema not found at {path}: set LANZAROTE_CYBERTIPLINE_XSD to cyber_tipline.xsd"
        )
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    return etree.XMLSchema(etree.parse(str(path), parser))


@cache
def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False, huge_tree=False,
        remove_comments=True, remove_pis=True,
    )


def read(document: Document, received_at: datetime) -> list[IntakeResult]:
    """The report or file details in one XML document, or a quarantine entry saying why there is none."""
    try:
        root = _parse(document.content)
        problems = _schema_problems(root)
        root = _Node(root)
        if root.tag == "report":
            return [_report(document, root, problems, received_at)]
        if root.tag == "fileDetails":
            return [_file_details(root, problems)]
        raise Unusable(f"wrong root element <{root.tag}>: expected <report> or <fileDetails> (CyberTipline schema)")
    except Unusable as exc:
        return [quarantined(document, str(exc), received_at)]


def quarantined(document: Document, reason: str, received_at: datetime) -> QuarantineEntry:
    return QuarantineEntry(
        location=document.location,
        content_sha256=document.sha256,
        reason=reason,
        received_at=received_at,
        size=len(document.content),
    )


def _parse(content: bytes) -> Any:
    if not content.strip():
        raise Unusable("empty document: expected a CyberTipline <report> or <fileDetails>")
    if _DOCTYPE.search(content[:65536]):
        raise Unusable("document declares a DTD or entities (<!DOCTYPE>/<!ENTITY>): refused for safety (XXE)")
    try:
        root = etree.fromstring(content, _parser())
    except etree.XMLSyntaxError as exc:
        raise Unusable(f"not well-formed XML: {_syntax_message(exc, content)}") from exc
    if root is None or not isinstance(root.tag, str):
        raise Unusable("no root element")
    tree = root.getroottree()
    if getattr(tree.docinfo, "doctype", None):
        raise Unusable("document declares a DTD (<!DOCTYPE>): refused for safety (XXE)")
    return root


def _syntax_message(exc: etree.XMLSyntaxError, content: bytes) -> str:
    line = getattr(exc, "lineno", None)
    msg = str(exc.msg if hasattr(exc, "msg") else exc)
    at_the_end = line is not None and line >= content.rstrip().count(b"\n") + 1
    if at_the_end or "premature end" in msg.lower():
        msg += " (the document looks truncated: was it copied completely?)"
    return f"line {line}: {msg}" if line else msg


def _schema_problems(root: Any) -> list[str]:
    xsd = schema()
    if xsd.validate(root):
        return []
    return [f"line {e.line}: {e.message}" for e in list(xsd.error_log)][:20]  # type: ignore[call-overload]


class _Node:
    """An element read once into Python: children by tag, so the many lookups below are dictionary hits.

    It answers the few lxml calls the builders use (find, iterfind, findtext, get, iteration, tag, text).
    """

    __slots__ = ("_by_tag", "attrib", "children", "sourceline", "tag", "text")

    def __init__(self, el: Any) -> None:
        self.tag: str = el.tag
        self.text: str | None = el.text
        self.attrib: dict[str, str] = dict(el.attrib)
        self.sourceline: int | None = el.sourceline
        self.children = [_Node(c) for c in el if isinstance(c.tag, str)]
        self._by_tag: dict[str, list[_Node]] = {}
        for child in self.children:
            self._by_tag.setdefault(child.tag, []).append(child)

    def __iter__(self) -> Any:
        return iter(self.children)

    def get(self, name: str) -> str | None:
        return self.attrib.get(name)

    def find(self, name: str) -> _Node | None:
        found = self._by_tag.get(name)
        return found[0] if found else None

    def findall(self, name: str) -> list[_Node]:
        return self._by_tag.get(name, [])

    iterfind = findall

    def findtext(self, name: str) -> str | None:
        found = self._by_tag.get(name)
        if not found:
            return None
        return found[0].text or ""

    def makeelement(self, tag: str) -> _Node:
        return _EMPTY


class _Empty(_Node):
    def __init__(self) -> None:
        self.tag, self.text, self.attrib, self.sourceline, self.children, self._by_tag = "", None, {}, None, [], {}


_EMPTY = _Empty()


def _text(el: Any, name: str) -> str | None:
    value = el.findtext(name)
    if value is None:
        return None
    value = value.strip()
    return value or None


def _texts(el: Any, name: str) -> tuple[str, ...]:
    return tuple(t.strip() for t in (c.text for c in el.iterfind(name)) if t and t.strip())


def _bool(value: str | None, warnings: list[str], what: str) -> bool | None:
    if value is None:
        return None
    v = value.strip().lower()
    if v in ("true", "1", "yes"):
        return True
    if v in ("false", "0", "no"):
        return False
    warnings.append(f"{what}: {value!r} is not true or false; ignored")
    return None


def _when(value: str | None, warnings: list[str], what: str) -> datetime | None:
    if value is None:
        return None
    try:
        return parse_datetime(value, warnings, what)
    except DateProblem as exc:
        warnings.append(f"{exc}; ignored")
        return None


def _int(value: str | None, warnings: list[str], what: str) -> int | None:
    if value is None:
        return None
    try:
        return int(value)
    except ValueError:
        warnings.append(f"{what}: {value!r} is not a whole number; ignored")
        return None


def _each(elements: Iterable[Any], build: Callable[[Any], T | None]) -> tuple[T, ...]:
    return tuple(x for x in (build(e) for e in elements) if x is not None)


def _email(el: Any, warnings: list[str]) -> Email | None:
    text = (el.text or "").strip()
    if not text:
        return None
    return Email(address=text, type=el.get("type"), verified=_bool(el.get("verified"), warnings, "email/@verified"))


def _phone(el: Any, warnings: list[str]) -> Phone | None:
    text = (el.text or "").strip()
    if not text:
        return None
    return Phone(
        number=text,
        country_calling_code=el.get("countryCallingCode"),
        type=el.get("type"),
        verified=_bool(el.get("verified"), warnings, "phone/@verified"),
    )


def _address(el: Any) -> Address | None:
    address = Address(
        street=_text(el, "address"),
        city=_text(el, "city"),
        postal_code=_text(el, "zipCode"),
        state=_text(el, "state"),
        region=_text(el, "nonUsaState"),
        country=(_text(el, "country") or "").upper() or None,
        type=el.get("type"),
    )
    return address if address.model_dump(exclude_none=True) else None


def _ip_event(el: Any, warnings: list[str]) -> IpCaptureEvent | None:
    ip = _text(el, "ipAddress")
    if ip is None:
        warnings.append(f"line {el.sourceline}: ipCaptureEvent without ipAddress; ignored")
        return None
    return IpCaptureEvent(
        ip_address=ip,
        event=_text(el, "eventName"),
        at=_when(_text(el, "dateTime"), warnings, "ipCaptureEvent/dateTime"),
        port=_int(_text(el, "port"), warnings, "ipCaptureEvent/port"),
        possible_proxy=_bool(_text(el, "possibleProxy"), warnings, "ipCaptureEvent/possibleProxy"),
    )


def _device(el: Any, warnings: list[str]) -> DeviceId | None:
    value = _text(el, "idValue")
    if value is None:
        return None
    return DeviceId(
        id_type=_text(el, "idType") or "unknown",
        value=value,
        event=_text(el, "eventName"),
        at=_when(_text(el, "dateTime"), warnings, "deviceId/dateTime"),
    )


def _account_action(el: Any, warnings: list[str]) -> AccountAction | None:
    for name, permanent in (("accountPermanentlyDisabled", True), ("accountTemporarilyDisabled", False)):
        found = el.find(name)
        if found is not None and _bool(found.text, warnings, name):
            return AccountAction(
                permanent=permanent,
                disabled_at=_when(found.get("disabledDate"), warnings, f"{name}/@disabledDate"),
                user_notified=_bool(found.get("userNotified"), warnings, f"{name}/@userNotified"),
            )
    return None


def _estimated_location(el: Any, warnings: list[str]) -> EstimatedLocation | None:
    found = el.find("estimatedLocation")
    if found is None:
        return None
    return EstimatedLocation(
        city=_text(found, "city"),
        region=_text(found, "region"),
        country=(_text(found, "countryCode") or "").upper() or None,
        verified=_bool(found.get("verified"), warnings, "estimatedLocation/@verified"),
    )


def _associated(el: Any, warnings: list[str]) -> AssociatedAccount:
    return AssociatedAccount(
        platform=_text(el, "platform"),
        esp_identifier=_text(el, "espIdentifier"),
        screen_name=_text(el, "screenName"),
        emails=_each(el.iterfind("email"), lambda e: _email(e, warnings)),
        phones=_each(el.iterfind("phone"), lambda e: _phone(e, warnings)),
        type=_text(el, "associatedAccountType"),
    )


def _party(el: Any, role: PartyRole, person_tag: str, warnings: list[str]) -> Party:
    person = el.find(person_tag)
    p = person if person is not None else el.makeelement("none")
    dob = _text(p, "dateOfBirth")
    date_of_birth = None
    if dob is not None:
        try:
            date_of_birth = parse_date(dob, "dateOfBirth")
        except DateProblem as exc:
            warnings.append(f"{exc}; ignored")
    additional = el.findall("additionalInfo")
    return Party(
        role=role,
        first_name=_text(p, "firstName"),
        last_name=_text(p, "lastName"),
        date_of_birth=date_of_birth,
        age=_int(_text(p, "age"), warnings, f"{person_tag}/age"),
        emails=_each(p.iterfind("email"), lambda e: _email(e, warnings)),
        phones=_each(p.iterfind("phone"), lambda e: _phone(e, warnings)),
        addresses=_each(p.iterfind("address"), _address),
        esp_identifier=_text(el, "espIdentifier"),
        esp_service=_text(el, "espService"),
        screen_name=_text(el, "screenName"),
        display_names=_texts(el, "displayName"),
        profile_urls=_texts(el, "profileUrl"),
        profile_bio=_text(el, "profileBio"),
        ip_capture_events=_each(el.iterfind("ipCaptureEvent"), lambda e: _ip_event(e, warnings)),
        device_ids=_each(el.iterfind("deviceId"), lambda e: _device(e, warnings)),
        prior_report_ids=_texts(el, "priorCTReports"),
        group_identifier=_text(el, "groupIdentifier"),
        compromised_account=_bool(_text(el, "compromisedAccount"), warnings, "compromisedAccount"),
        account_action=_account_action(el, warnings),
        estimated_location=_estimated_location(el, warnings),
        associated_accounts=tuple(_associated(a, warnings) for a in el.iterfind("associatedAccount")),
        school_name=_text(el, "schoolName"),
        additional_info=tuple(t for t in ((a.text or "").strip() for a in additional) if t),
    )


def _internet_detail(el: Any, warnings: list[str]) -> InternetDetail | None:
    incident = next((c for c in el if isinstance(c.tag, str)), None)
    if incident is None or incident.tag not in _INCIDENT_KIND:
        return None
    name = next((v for v in (_text(incident, n) for n in _INCIDENT_NAME) if v), None)
    content = _text(incident, "content") or _text(incident, "fileNames")
    return InternetDetail(
        kind=_INCIDENT_KIND[incident.tag],
        urls=_texts(incident, "url"),
        emails=_texts(incident, "emailAddress"),
        name=name,
        room=_text(incident, "chatRoomName"),
        phone=_text(incident, "phoneNumber"),
        content=content,
        ip_capture_events=_each(incident.iterfind("ipCaptureEvent"), lambda e: _ip_event(e, warnings)),
        addresses=_each(incident.iterfind("incidentAddress"), _address),
        additional_info=_text(incident, "additionalInfo"),
    )


def _incident_type(value: str | None, warnings: list[str]) -> IncidentType | None:
    if value is None:
        warnings.append("incidentSummary/incidentType is missing")
        return None
    try:
        return IncidentType(value)
    except ValueError:
        folded = {t.value.lower(): t for t in IncidentType}
        if value.lower() in folded:
            return folded[value.lower()]
        warnings.append(f"incidentType {value!r} is not one of the schema's eight incident types; kept as unknown")
        return None


def _report(document: Document, root: Any, problems: list[str], received_at: datetime) -> Report:
    warnings = list(problems)
    source_id = document.stem
    if not source_id:
        raise Unusable("a report document's id is its file name (90001234.xml); this one has no name")
    summary = root.find("incidentSummary")
    if summary is None:
        raise Unusable("<report> has no <incidentSummary>: nothing says what was reported (CyberTipline schema)")
    escalate_text = _text(summary, "escalateToHighPriority")
    escalate = escalate_text is not None and escalate_text.lower() not in ("false", "0", "no")
    annotations_el = summary.find("reportAnnotations")
    annotations = tuple(c.tag for c in annotations_el if isinstance(c.tag, str)) if annotations_el is not None else ()
    platform = _text(summary, "platform")
    parties: list[Party] = []
    for tag, (person_tag, role) in _PERSON_ELEMENT.items():
        parties.extend(_party(el, role, person_tag, warnings) for el in root.iterfind(tag))
    reporter_el = root.find("reporter")
    reporter = None
    if reporter_el is not None:
        person = reporter_el.find("reportingPerson")
        p = person if person is not None else reporter_el
        addresses = _each(p.iterfind("address"), _address)
        reporter = Reporter(
            name=platform,
            first_name=_text(p, "firstName"),
            last_name=_text(p, "lastName"),
            emails=_each(p.iterfind("email"), lambda e: _email(e, warnings)),
            phones=_each(p.iterfind("phone"), lambda e: _phone(e, warnings)),
            country=next((a.country for a in addresses if a.country), None),
        )
    additional = _text(root, "additionalInfo")
    if escalate_text and escalate_text.lower() not in ("true", "1", "yes", "false", "0", "no"):
        additional = "\n".join(x for x in (f"Escalation reason: {escalate_text}", additional) if x)
    batched = root.find("batchedReport")
    try:
        return Report(
            source=SOURCE,
            source_id=source_id,
            received_at=document.modified_at or received_at,
            provenance=(ProvenanceHop(actor=platform or "provider"), ProvenanceHop(actor="NCMEC", reference=source_id)),
            incident_type=_incident_type(_text(summary, "incidentType"), warnings),
            incident_at=_when(_text(summary, "incidentDateTime"), warnings, "incidentDateTime"),
            incident_description=_text(summary, "incidentDateTimeDescription"),
            platform=platform,
            escalate_to_high_priority=escalate,
            annotations=annotations,
            batched_reason=batched.get("reason") if batched is not None else None,
            internet_details=_each(root.iterfind("internetDetails"), lambda e: _internet_detail(e, warnings)),
            reporter=reporter,
            parties=tuple(parties),
            additional_info=additional,
            warnings=tuple(warnings),
        )
    except ValidationError as exc:
        raise Unusable(f"report {source_id} cannot be read: {_pydantic_message(exc)}") from exc


def _exif(root: Any) -> dict[str, str]:
    values: dict[str, str] = {}
    for details in root.iterfind("details"):
        kind = details.get("type") or "EXIF"
        for pair in details.iterfind("nameValuePair"):
            name, value = _text(pair, "name"), _text(pair, "value")
            if name and value is not None:
                values[name if kind == "EXIF" else f"{kind}:{name}"] = value
    return values


def _capture_time(exif: dict[str, str], warnings: list[str]) -> datetime | None:
    for name in _EXIF_CAPTURE:
        if name in exif:
            offset = exif.get("OffsetTimeOriginal") or exif.get("OffsetTime") or ""
            return _when(exif[name] + offset, warnings, f"EXIF {name}")
    return None


def _file_details(root: Any, problems: list[str]) -> FileDetailsDocument:
    warnings = list(problems)
    report_id = _text(root, "reportId")
    file_id = _text(root, "fileId")
    if report_id is None or file_id is None:
        missing = " and ".join(n for n, v in (("reportId", report_id), ("fileId", file_id)) if v is None)
        raise Unusable(f"<fileDetails> without {missing}: it cannot be attached to a report (CyberTipline schema)")
    annotations_el = root.find("fileAnnotations")
    annotations = tuple(c.tag for c in annotations_el if isinstance(c.tag, str)) if annotations_el is not None else ()
    exif = _exif(root)
    ip_el = root.find("ipCaptureEvent")
    hashes = tuple(
        FileHash(type=(h.get("hashType") or "unknown").strip(), value=(h.text or "").strip())
        for h in root.iterfind("originalFileHash")
        if (h.text or "").strip()
    )
    meme = _bool(_text(root, "potentialMeme"), warnings, "potentialMeme")
    try:
        detail = FileDetail(
            file_id=file_id,
            file_name=_text(root, "fileName"),
            original_file_name=_text(root, "originalFileName"),
            uploaded_at=_when(_text(root, "uploadedToEspTimestamp"), warnings, "uploadedToEspTimestamp"),
            location_of_file=_text(root, "locationOfFile"),
            viewed_by_esp=_bool(_text(root, "fileViewedByEsp"), warnings, "fileViewedByEsp"),
            exif_viewed_by_esp=_bool(_text(root, "exifViewedByEsp"), warnings, "exifViewedByEsp"),
            publicly_available=_bool(_text(root, "publiclyAvailable"), warnings, "publiclyAvailable"),
            relevance=_text(root, "fileRelevance"),
            potential_meme=True if "potentialMeme" in annotations or "viral" in annotations else meme,
            annotations=annotations,
            industry_classification=_text(root, "industryClassification"),
            hashes=hashes,
            ip_capture_event=_ip_event(ip_el, warnings) if ip_el is not None else None,
            device_ids=_each(root.iterfind("deviceId"), lambda e: _device(e, warnings)),
            exif=exif,
            captured_at=_capture_time(exif, warnings),
            additional_info=_texts(root, "additionalInfo"),
            warnings=tuple(warnings),
        )
        return FileDetailsDocument(source=SOURCE, report_source_id=report_id, file=detail, warnings=tuple(warnings))
    except ValidationError as exc:
        raise Unusable(f"fileDetails {report_id}/{file_id} cannot be read: {_pydantic_message(exc)}") from exc


def _pydantic_message(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors()[:5]:
        where = ".".join(str(x) for x in err["loc"])
        parts.append(f"{where}: {err['msg']}")
    return "; ".join(parts)
