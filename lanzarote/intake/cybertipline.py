"""CyberTipline XML: `report` and `fileDetails` documents as NCMEC's schema defines them.

Reports are untrusted input. The parser refuses DTDs (so no external entities and no entity expansion), never
touches the network, and keeps libxml2's limits on huge trees. Every document is validated against the XSD; a
document that breaks the schema but still yields a usable report is kept with its problems as warnings (line and
element named), and one that does not is quarantined with the reason.
"""

from __future__ import annotations

import re
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any, Literal, overload

from lxml import etree
from pydantic import ValidationError
from pydantic_core import to_json

from lanzarote.errors import ConfigurationError
from lanzarote.intake import bounds
from lanzarote.intake.dates import DateProblem, parse_date, parse_datetime
from lanzarote.intake.documents import Document, FileDetailsDocument, IntakeResult, StoredFile, StoredReport
from lanzarote.intake.plausible import implausible, implausible_at
from lanzarote.intake.settings import SHIPPED_XSD, IntakeSettings
from lanzarote.model.quarantine import QuarantineEntry
from lanzarote.model.report import IncidentType, Origin, PartyRole, Report

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


class Unusable(Exception):
    """The document yields no usable record; the message says why."""


@cache
def schema(path: Path = SHIPPED_XSD) -> etree.XMLSchema:
    """NCMEC's schema at `path`, loaded once per process (without network or entity expansion)."""
    if not path.is_file():
        raise ConfigurationError(
            f"CyberTipline schema not found at {path}: set LANZAROTE_CYBERTIPLINE_XSD to cyber_tipline.xsd"
        )
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    return etree.XMLSchema(etree.parse(str(path), parser))


@cache
def _parser(xsd: Path | None = None) -> etree.XMLParser:
    """The safe parser; with `xsd` one that checks the schema while it parses (one pass instead of two)."""
    return etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False, huge_tree=False,
        remove_comments=True, remove_pis=True, schema=schema(xsd) if xsd else None,
    )


def read(document: Document, received_at: datetime, settings: IntakeSettings) -> list[IntakeResult]:
    """The report or file details in one XML document, or a quarantine entry saying why there is none."""
    return [_read(document, received_at, settings, stored=False)]


def read_stored(document: Document, received_at: datetime, settings: IntakeSettings
                ) -> list[IntakeResult | StoredReport | StoredFile]:
    """As `read`, but a report or file whose values hold every bound of the model (`bounds`) comes in its stored
    form, its JSON written straight from those values: the same bytes as the record's, without building it."""
    return [_read(document, received_at, settings, stored=True)]


@overload
def _read(document: Document, received_at: datetime, settings: IntakeSettings, stored: Literal[False]
          ) -> IntakeResult: ...
@overload
def _read(document: Document, received_at: datetime, settings: IntakeSettings, stored: Literal[True]
          ) -> IntakeResult | StoredReport | StoredFile: ...
def _read(document: Document, received_at: datetime, settings: IntakeSettings, stored: bool
          ) -> IntakeResult | StoredReport | StoredFile:
    try:
        root, problems = _parse(document.content, settings.cybertipline_xsd)
        tag = root.tag
        if tag == "report":
            source_id, record, when = _report(document, _tree(root), problems, received_at)
            if stored and bounds.report_holds(record, when):
                if problem := implausible_at(SOURCE, source_id, 0, when, record["incident_at"], received_at,
                                             settings):
                    raise Unusable(problem)
                return StoredReport(SOURCE, source_id, Origin.PROVIDER.value, when, to_json(record).decode())
            report = _validated_report(source_id, record, when)
            if problem := implausible(report, received_at, settings):
                raise Unusable(problem)
            return report
        if tag == "fileDetails":
            report_id, detail = _file_details(_tree(root), problems)
            if stored and bounds.file_holds(report_id, detail):
                return StoredFile(SOURCE, report_id, detail["file_id"], to_json(detail).decode())
            return _validated_file(report_id, detail)
        raise Unusable(f"wrong root element <{tag}>: expected <report> or <fileDetails> (CyberTipline schema)")
    except Unusable as exc:
        return quarantined(document, str(exc), received_at)


def quarantined(document: Document, reason: str, received_at: datetime) -> QuarantineEntry:
    return QuarantineEntry(
        location=document.location,
        content_sha256=document.sha256,
        reason=reason,
        received_at=received_at,
        size=len(document.content),
    )


def _parse(content: bytes, xsd: Path) -> tuple[Any, list[str]]:
    """The document's root element and its schema problems (none for most documents, which are parsed and
    validated in one pass; one that breaks the schema is parsed again to say where and how)."""
    if not content.strip():
        raise Unusable("empty document: expected a CyberTipline <report> or <fileDetails>")
    if _DOCTYPE.search(content[:65536]):
        raise Unusable("document declares a DTD or entities (<!DOCTYPE>/<!ENTITY>): refused for safety (XXE)")
    problems: list[str] | None = []
    try:
        root = etree.fromstring(content, _parser(xsd))
    except etree.XMLSyntaxError:
        problems = None
        try:
            root = etree.fromstring(content, _parser())
        except etree.XMLSyntaxError as exc:
            raise Unusable(f"not well-formed XML: {_syntax_message(exc, content)}") from exc
    if root is None or not isinstance(root.tag, str):
        raise Unusable("no root element")
    tree = root.getroottree()
    if getattr(tree.docinfo, "doctype", None):
        raise Unusable("document declares a DTD (<!DOCTYPE>): refused for safety (XXE)")
    return root, _schema_problems(root, xsd) if problems is None else problems


def _syntax_message(exc: etree.XMLSyntaxError, content: bytes) -> str:
    line = getattr(exc, "lineno", None)
    msg = str(exc.msg if hasattr(exc, "msg") else exc)
    at_the_end = line is not None and line >= content.rstrip().count(b"\n") + 1
    if at_the_end or "premature end" in msg.lower():
        msg += " (the document looks truncated: was it copied completely?)"
    return f"line {line}: {msg}" if line else msg


def _schema_problems(root: Any, path: Path) -> list[str]:
    xsd = schema(path)
    if xsd.validate(root):
        return []
    return [f"line {e.line}: {e.message}" for e in list(xsd.error_log)][:20]  # type: ignore[call-overload]


Node = dict[str, Any]
"""An element read once into Python: its text under "" (stripped; None when there is none), attributes under
"@name", its line under "#line", and its child elements by tag, each a list in document order. A child without
attributes or children is kept as its text alone. The builders below then read fields with dictionary hits instead
of walking lxml again."""


def _stripped(text: str | None) -> str | None:
    return (text.strip() or None) if text else None


def _tree(el: Any) -> Node:
    node: Node = {"": _stripped(el.text), "#line": el.sourceline}
    for name, value in el.items():
        node["@" + name] = value
    for child in el:  # elements only: the parser drops comments and processing instructions, and expands nothing
        tag = child.tag
        sub = _tree(child) if len(child) or child.keys() else _stripped(child.text)
        found = node.get(tag)
        if found is None:
            node[tag] = [sub]
        else:
            found.append(sub)
    return node


def _is_tag(key: str) -> bool:
    return key != "" and key[0] not in "@#"


def _elements(node: Node, name: str) -> list[Node]:
    """The child elements called `name`, each as a node (a text-only child is given its node form)."""
    return [c if c.__class__ is dict else {"": c} for c in node.get(name, ())]


def _first(node: Node, name: str) -> Node | None:
    found = node.get(name)
    if not found:
        return None
    child = found[0]
    return child if child.__class__ is dict else {"": child}


def _child_tags(node: Node | None) -> tuple[str, ...]:
    """The tags of a node's child elements, once per element (annotation flags are empty elements)."""
    if node is None:
        return ()
    return tuple(tag for tag, kids in node.items() if _is_tag(tag) for _ in kids)


def _content(child: Any) -> str | None:
    """A child's text (already stripped by `_tree`), whether it was kept as a node or as its text alone."""
    text: str | None = child[""] if child.__class__ is dict else child
    return text


def _text(node: Node, name: str) -> str | None:
    found = node.get(name)
    return _content(found[0]) if found else None


def _texts(node: Node, name: str) -> tuple[str, ...]:
    return tuple(t for c in node.get(name, ()) if (t := _content(c)))


def _line(node: Node) -> str:
    line = node.get("#line")
    return f"line {line}: " if line else ""


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


def _email(el: Node, warnings: list[str]) -> dict[str, Any] | None:
    text = _content(el)
    if text is None:
        return None
    return {"address": text, "type": el.get("@type"),
            "verified": _bool(el.get("@verified"), warnings, "email/@verified")}


def _phone(el: Node, warnings: list[str]) -> dict[str, Any] | None:
    text = _content(el)
    if text is None:
        return None
    return {
        "number": text,
        "country_calling_code": el.get("@countryCallingCode"),
        "type": el.get("@type"),
        "verified": _bool(el.get("@verified"), warnings, "phone/@verified"),
    }


def _emails(el: Node, warnings: list[str]) -> list[dict[str, Any]]:
    return [x for e in _elements(el, "email") if (x := _email(e, warnings)) is not None]


def _phones(el: Node, warnings: list[str]) -> list[dict[str, Any]]:
    return [x for e in _elements(el, "phone") if (x := _phone(e, warnings)) is not None]


def _address(el: Node) -> dict[str, Any] | None:
    address = {
        "street": _text(el, "address"),
        "city": _text(el, "city"),
        "postal_code": _text(el, "zipCode"),
        "state": _text(el, "state"),
        "region": _text(el, "nonUsaState"),
        "country": (_text(el, "country") or "").upper() or None,
        "type": el.get("@type"),
    }
    return address if any(v is not None for v in address.values()) else None


def _addresses(el: Node, name: str) -> list[dict[str, Any]]:
    return [x for e in _elements(el, name) if (x := _address(e)) is not None]


def _ip_event(el: Node, warnings: list[str]) -> dict[str, Any] | None:
    ip = _text(el, "ipAddress")
    if ip is None:
        warnings.append(f"{_line(el)}ipCaptureEvent without ipAddress; ignored")
        return None
    return {
        "ip_address": ip,
        "event": _text(el, "eventName"),
        "at": _when(_text(el, "dateTime"), warnings, "ipCaptureEvent/dateTime"),
        "port": _int(_text(el, "port"), warnings, "ipCaptureEvent/port"),
        "possible_proxy": _bool(_text(el, "possibleProxy"), warnings, "ipCaptureEvent/possibleProxy"),
    }


def _ip_events(el: Node, warnings: list[str]) -> list[dict[str, Any]]:
    return [x for e in _elements(el, "ipCaptureEvent") if (x := _ip_event(e, warnings)) is not None]


def _device(el: Node, warnings: list[str]) -> dict[str, Any] | None:
    value = _text(el, "idValue")
    if value is None:
        return None
    return {
        "id_type": _text(el, "idType") or "unknown",
        "value": value,
        "event": _text(el, "eventName"),
        "at": _when(_text(el, "dateTime"), warnings, "deviceId/dateTime"),
    }


def _devices(el: Node, warnings: list[str]) -> list[dict[str, Any]]:
    return [x for e in _elements(el, "deviceId") if (x := _device(e, warnings)) is not None]


def _account_action(el: Node, warnings: list[str]) -> dict[str, Any] | None:
    for name, permanent in (("accountPermanentlyDisabled", True), ("accountTemporarilyDisabled", False)):
        found = _first(el, name)
        if found is not None and _bool(found[""], warnings, name):
            return {
                "permanent": permanent,
                "disabled_at": _when(found.get("@disabledDate"), warnings, f"{name}/@disabledDate"),
                "user_notified": _bool(found.get("@userNotified"), warnings, f"{name}/@userNotified"),
            }
    return None


def _estimated_location(el: Node, warnings: list[str]) -> dict[str, Any] | None:
    found = _first(el, "estimatedLocation")
    if found is None:
        return None
    return {
        "city": _text(found, "city"),
        "region": _text(found, "region"),
        "country": (_text(found, "countryCode") or "").upper() or None,
        "verified": _bool(found.get("@verified"), warnings, "estimatedLocation/@verified"),
    }


def _associated(el: Node, warnings: list[str]) -> dict[str, Any]:
    return {
        "platform": _text(el, "platform"),
        "esp_identifier": _text(el, "espIdentifier"),
        "screen_name": _text(el, "screenName"),
        "emails": _emails(el, warnings),
        "phones": _phones(el, warnings),
        "type": _text(el, "associatedAccountType"),
    }


def _party(el: Node, role: PartyRole, person_tag: str, warnings: list[str]) -> dict[str, Any]:
    p = _first(el, person_tag) or {}
    dob = _text(p, "dateOfBirth")
    date_of_birth = None
    if dob is not None:
        try:
            date_of_birth = parse_date(dob, "dateOfBirth")
        except DateProblem as exc:
            warnings.append(f"{exc}; ignored")
    return {
        "role": role,
        "first_name": _text(p, "firstName"),
        "last_name": _text(p, "lastName"),
        "date_of_birth": date_of_birth,
        "age": _int(_text(p, "age"), warnings, f"{person_tag}/age"),
        "emails": _emails(p, warnings),
        "phones": _phones(p, warnings),
        "addresses": _addresses(p, "address"),
        "esp_identifier": _text(el, "espIdentifier"),
        "esp_service": _text(el, "espService"),
        "screen_name": _text(el, "screenName"),
        "display_names": _texts(el, "displayName"),
        "profile_urls": _texts(el, "profileUrl"),
        "profile_bio": _text(el, "profileBio"),
        "ip_capture_events": _ip_events(el, warnings),
        "device_ids": _devices(el, warnings),
        "prior_report_ids": _texts(el, "priorCTReports"),
        "group_identifier": _text(el, "groupIdentifier"),
        "compromised_account": _bool(_text(el, "compromisedAccount"), warnings, "compromisedAccount"),
        "account_action": _account_action(el, warnings),
        "estimated_location": _estimated_location(el, warnings),
        "associated_accounts": [_associated(a, warnings) for a in _elements(el, "associatedAccount")],
        "school_name": _text(el, "schoolName"),
        "additional_info": _texts(el, "additionalInfo"),
    }


def _internet_detail(el: Node, warnings: list[str]) -> dict[str, Any] | None:
    tag = next((k for k in el if _is_tag(k)), None)
    if tag is None or tag not in _INCIDENT_KIND:
        return None
    incident = _elements(el, tag)[0]
    name = next((v for v in (_text(incident, n) for n in _INCIDENT_NAME) if v), None)
    return {
        "kind": _INCIDENT_KIND[tag],
        "urls": _texts(incident, "url"),
        "emails": _texts(incident, "emailAddress"),
        "name": name,
        "room": _text(incident, "chatRoomName"),
        "phone": _text(incident, "phoneNumber"),
        "content": _text(incident, "content") or _text(incident, "fileNames"),
        "ip_capture_events": _ip_events(incident, warnings),
        "addresses": _addresses(incident, "incidentAddress"),
        "additional_info": _text(incident, "additionalInfo"),
    }


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


def _reporter(root: Node, platform: str | None, warnings: list[str]) -> dict[str, Any] | None:
    reporter_el = _first(root, "reporter")
    if reporter_el is None:
        return None
    p = _first(reporter_el, "reportingPerson") or reporter_el
    addresses = _addresses(p, "address")
    return {
        "name": platform,
        "first_name": _text(p, "firstName"),
        "last_name": _text(p, "lastName"),
        "emails": _emails(p, warnings),
        "phones": _phones(p, warnings),
        "country": next((a["country"] for a in addresses if a["country"]), None),
    }


def _report(document: Document, root: Node, problems: list[str], received_at: datetime
            ) -> tuple[str, dict[str, Any], datetime]:
    """The report's id, its values as `Report` takes them (every field, in the model's order, all but when it was
    received) and when it was received."""
    warnings = list(problems)
    source_id = document.stem
    if not source_id:
        raise Unusable("a report document's id is its file name (90001234.xml); this one has no name")
    summary = _first(root, "incidentSummary")
    if summary is None:
        raise Unusable("<report> has no <incidentSummary>: nothing says what was reported (CyberTipline schema)")
    escalate_text = _text(summary, "escalateToHighPriority")
    escalate = escalate_text is not None and escalate_text.lower() not in ("false", "0", "no")
    platform = _text(summary, "platform")
    parties = [
        _party(el, role, person_tag, warnings)
        for tag, (person_tag, role) in _PERSON_ELEMENT.items()
        for el in _elements(root, tag)
    ]
    reporter = _reporter(root, platform, warnings)
    additional = _text(root, "additionalInfo")
    if escalate_text and escalate_text.lower() not in ("true", "1", "yes", "false", "0", "no"):
        additional = "\n".join(x for x in (f"Escalation reason: {escalate_text}", additional) if x)
    batched = _first(root, "batchedReport")
    record = {
        "source": SOURCE,
        "source_id": source_id,
        "origin": Origin.PROVIDER,
        "provenance": ({"actor": platform or "provider", "at": None, "reference": None},
                       {"actor": "NCMEC", "at": None, "reference": source_id}),
        "incident_type": _incident_type(_text(summary, "incidentType"), warnings),
        "incident_at": _when(_text(summary, "incidentDateTime"), warnings, "incidentDateTime"),
        "incident_description": _text(summary, "incidentDateTimeDescription"),
        "platform": platform,
        "escalate_to_high_priority": escalate,
        "annotations": _child_tags(_first(summary, "reportAnnotations")),
        "batched_reason": batched.get("@reason") if batched is not None else None,
        "internet_details": [x for e in _elements(root, "internetDetails")
                             if (x := _internet_detail(e, warnings)) is not None],
        "reporter": reporter,
        "parties": parties,
        "files": (),
        "additional_info": additional,
        "language": None,
        "clearing_house": None,
        "warnings": warnings,
    }
    return source_id, record, document.modified_at or received_at


def _validated_report(source_id: str, record: dict[str, Any], received_at: datetime) -> Report:
    try:
        return Report.model_validate({**record, "received_at": received_at})
    except ValidationError as exc:
        raise Unusable(f"report {source_id} cannot be read: {_pydantic_message(exc)}") from exc


def _exif(root: Node) -> dict[str, str]:
    values: dict[str, str] = {}
    for details in _elements(root, "details"):
        kind = details.get("@type") or "EXIF"
        for pair in _elements(details, "nameValuePair"):
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


def _file_details(root: Node, problems: list[str]) -> tuple[str, dict[str, Any]]:
    """The id of the file's report and the file's values as `FileDetail` takes them (every field, in order)."""
    warnings = list(problems)
    report_id = _text(root, "reportId")
    file_id = _text(root, "fileId")
    if report_id is None or file_id is None:
        missing = " and ".join(n for n, v in (("reportId", report_id), ("fileId", file_id)) if v is None)
        raise Unusable(f"<fileDetails> without {missing}: it cannot be attached to a report (CyberTipline schema)")
    annotations = _child_tags(_first(root, "fileAnnotations"))
    exif = _exif(root)
    ip_el = _first(root, "ipCaptureEvent")
    hashes = [
        {"type": (h.get("@hashType") or "unknown").strip(), "value": value}
        for h in _elements(root, "originalFileHash")
        if (value := _content(h))
    ]
    meme = _bool(_text(root, "potentialMeme"), warnings, "potentialMeme")
    detail = {
        "file_id": file_id,
        "file_name": _text(root, "fileName"),
        "original_file_name": _text(root, "originalFileName"),
        "uploaded_at": _when(_text(root, "uploadedToEspTimestamp"), warnings, "uploadedToEspTimestamp"),
        "location_of_file": _text(root, "locationOfFile"),
        "viewed_by_esp": _bool(_text(root, "fileViewedByEsp"), warnings, "fileViewedByEsp"),
        "exif_viewed_by_esp": _bool(_text(root, "exifViewedByEsp"), warnings, "exifViewedByEsp"),
        "publicly_available": _bool(_text(root, "publiclyAvailable"), warnings, "publiclyAvailable"),
        "relevance": _text(root, "fileRelevance"),
        "potential_meme": True if "potentialMeme" in annotations or "viral" in annotations else meme,
        "annotations": annotations,
        "industry_classification": _text(root, "industryClassification"),
        "hashes": hashes,
        "ip_capture_event": _ip_event(ip_el, warnings) if ip_el is not None else None,
        "device_ids": _devices(root, warnings),
        "exif": exif,
        "captured_at": _capture_time(exif, warnings),
        "additional_info": _texts(root, "additionalInfo"),
        "warnings": warnings,
    }
    return report_id, detail


def _validated_file(report_id: str, detail: dict[str, Any]) -> FileDetailsDocument:
    try:
        return FileDetailsDocument.model_validate(
            {"source": SOURCE, "report_source_id": report_id, "file": detail, "warnings": detail["warnings"]}
        )
    except ValidationError as exc:
        raise Unusable(f"fileDetails {report_id}/{detail['file_id']} cannot be read: {_pydantic_message(exc)}"
                       ) from exc


def _pydantic_message(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors()[:5]:
        where = ".".join(str(x) for x in err["loc"])
        parts.append(f"{where}: {err['msg']}")
    return "; ".join(parts)
