"""Intelligence packages as use cases: build one from a subject for one recipient, export it (each export a
disclosure, audited with what left, to whom and under which markings), receive a partner's signed package, record
and exchange feedback, and read the ledger's funnel.

A package from a case (issue 18) goes through `_compose` as a subject's does: the case's reports, its id as
`case_id`; only the way the reports are found differs.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from nacl.signing import SigningKey
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from lanzarote import config
from lanzarote.coordination.packages import ledger
from lanzarote.coordination.packages.formats import misp, stix, tabular
from lanzarote.coordination.packages.ledger import Decisive, Feedback, Row, Sent, Stage
from lanzarote.coordination.packages.markings import (
    Ceiling,
    Handling,
    InformationAssessment,
    Markings,
    Overrides,
    SourceReliability,
    Tlp,
    gate,
)
from lanzarote.coordination.packages.minimise import RULES, Selection, minimised
from lanzarote.coordination.packages.model import ItemKind, Package, PackageItem, Recipient
from lanzarote.coordination.packages.signing import NodeKey, Partner, canonical, sign, verify
from lanzarote.errors import AccessDenied, InputRejected, NotFound
from lanzarote.model.report import (
    Email,
    FileDetail,
    FileHash,
    IncidentType,
    IpCaptureEvent,
    Origin,
    Party,
    PartyRole,
    Phone,
    ProvenanceHop,
    Report,
)
from lanzarote.service.actors import require
from lanzarote.service.reports import trail
from lanzarote.store import access, audit
from lanzarote.store import packages as store
from lanzarote.store import reports as store_reports
from lanzarote.store import subjects as store_subjects
from lanzarote.store.access import User
from lanzarote.store.db import session

__all__ = ["Ceiling", "Decisive", "Feedback", "Handling", "InformationAssessment", "Markings", "Overrides", "Package",
           "Row", "Selection", "SourceReliability", "Stage", "Tlp"]
FORMATS = {"signed": ("application/json", "lzpkg.json"), "stix": ("application/stix+json", "stix.json"),
           "misp": ("application/json", "misp.json"), "pdf": ("application/pdf", "pdf"),
           "csv": ("text/csv; charset=utf-8", "csv")}


# -- this node's key and its partners ----------------------------------------------------------------------------

def _key_file() -> Path:
    configured = str(config.get("node_key_file"))
    return Path(configured) if configured else config.data_dir() / "node-key"


def node_key() -> NodeKey:
    """This node's signing key (made, 0600, on first use) and the agency it signs as."""
    path = _key_file()
    if not path.exists():
        config.private_dir(path.parent)
        with contextlib.suppress(FileExistsError):  # another process made it first: use that one
            config.write_private(path, bytes(SigningKey.generate()), exclusive=True)
    raw = path.read_bytes()
    if len(raw) != 32:
        raise InputRejected(f"{path} is not an Ed25519 key (32 bytes): move it aside to make a new one")
    return NodeKey(str(config.get("node_agency")).upper(), SigningKey(raw))


def identity() -> dict[str, str]:
    """What a partner needs to trust this node's packages: agency, key id and public key."""
    key = node_key()
    return {"agency": key.agency, "key_id": key.key_id, "public_key": key.public_key}


def add_partner(s: Session, user: User, agency: str, public_key: str) -> Partner:
    """Trust a partner node's key (administrators only); audited."""
    require(user, "administer")
    try:
        partner = Partner(agency.strip().upper(), public_key.strip())
        partner.verify_key  # noqa: B018  (refuses what is not a key)
    except Exception:
        raise InputRejected("a public key is the base64 of 32 bytes, as `lanzarote packages identity` prints it") \
            from None
    store.add_partner(s, partner)
    audit.record(s, user.username, "partner_added", f"partner/{partner.agency}", partner.key_id, datetime.now(UTC))
    return partner


def set_ceiling(s: Session, user: User, agency: str, ceiling: Ceiling) -> None:
    """The most `agency` may receive (administrators only); audited."""
    require(user, "administer")
    store.set_ceiling(s, agency.upper(), ceiling)
    audit.record(s, user.username, "ceiling_set", f"agency/{agency.upper()}",
                 f"TLP:{ceiling.tlp.value} {ceiling.handling.value}", datetime.now(UTC))


# -- building ----------------------------------------------------------------------------------------------------

def _recipient(s: Session, agency: str) -> Recipient:
    found = next((a for a in access.list_agencies(s) if a.code == agency.strip().upper()), None)
    if found is None:
        raise InputRejected(f"no recipient agency {agency!r}: add it with `lanzarote agencies add`")
    if found.code == node_key().agency:
        raise InputRejected(f"{found.code} is this node: a package goes to another agency")
    return Recipient(agency=found.code, name=found.name, country=found.country,
                     ceiling=store.ceiling_of(s, found.code))


def _package_id(sender: str, recipient: str, origin: str, at: datetime) -> str:
    raw = f"{sender}\x1f{recipient}\x1f{origin}\x1f{at.isoformat()}"
    return f"PKG-{at:%Y%m%d}-{hashlib.sha256(raw.encode()).hexdigest()[:10].upper()}"


def from_subject(s: Session, user: User, subject_id: str, recipient: str, markings: Markings,
                 selection: Selection = Selection(), summary: str = "", operation: str | None = None) -> Package:
    """A draft package about a subject for one recipient, minimised and gated by the recipient's ceiling; it is
    kept, not sent (nothing leaves until it is exported); audited."""
    require(user, "decide")
    view = store_subjects.subject(s, subject_id, user.scope)  # need-to-know: only the reports the user may see
    countries = {f"{i.source}/{i.report_id}": i.country for i in view.reports}
    return _compose(s, user, countries, recipient, markings, selection, summary, operation, subject_id=subject_id)


@dataclass(frozen=True)
class Draft:
    """What may go into a package about a subject: every item the minimisation rules allow from the reports the user
    may see (the sender ticks which go), and the rules themselves."""

    subject_id: str
    items: list[PackageItem]
    rules: Mapping[ItemKind, frozenset[str]]

    @property
    def reports(self) -> list[str]:
        return sorted({i.report for i in self.items if i.report})


def draft(s: Session, user: User, subject_id: str, victims: bool = True) -> Draft:
    """The items a package about this subject may hold, minimised (the reported person's identifiers, the reports'
    summaries, the files' hashes, victims by pseudonym or not at all, no notes): what the sender picks from.
    Shows the reports' identifiers to the user: audited as a read of the subject."""
    require(user, "decide")
    view = store_subjects.subject(s, subject_id, user.scope)
    countries = {f"{i.source}/{i.report_id}": i.country for i in view.reports}
    reports = store_reports.assembled(s, sorted(countries))
    items = minimised({k: (r, countries[k]) for k, r in reports.items()}, Selection(victims=victims),
                      store.received_markings(s, list(reports)))
    trail(s, user, "read", f"subject/{subject_id}", f"package draft: {len(items)} items of {len(reports)} reports")
    return Draft(subject_id, items, RULES)


def _compose(s: Session, user: User, countries: Mapping[str, str | None], recipient: str, markings: Markings,
             selection: Selection, summary: str, operation: str | None, *, subject_id: str | None = None,
             case_id: str | None = None) -> Package:
    to = _recipient(s, recipient)
    reports = store_reports.assembled(s, sorted(countries))
    items = minimised({k: (r, countries[k]) for k, r in reports.items()}, selection,
                      store.received_markings(s, list(reports)))
    if not items:
        raise InputRejected("nothing selected: a package needs at least one item")
    now = datetime.now(UTC)
    sender = node_key().agency
    package = Package(package_id=_package_id(sender, to.agency, subject_id or case_id or "", now), sender=sender,
                      recipient=to, subject_id=subject_id, case_id=case_id, operation=operation or None,
                      created_at=now, created_by=user.username, summary=summary.strip(), markings=markings,
                      items=tuple(items))
    gate(to.ceiling, to.name, "the package", markings)
    for item in items:
        gate(to.ceiling, to.name, f"item {item.item_id} ({item.kind.value})", package.marking_of(item))
    store.save(s, package, store.SENT, _sha(package), None, {}, now)
    audit.record(s, user.username, "package_built", f"package/{package.package_id}",
                 f"to {to.agency}: {len(items)} items {markings.label}", now)
    return package


def _sha(package: Package) -> str:
    return hashlib.sha256(canonical(package.model_dump(mode="json"))).hexdigest()


def _may_handle(user: User, meta: Mapping[str, object]) -> None:
    """The hub handles every package; a unit those it sent or received."""
    if not user.is_hub and user.agency not in (meta["sender"], meta["recipient"]):
        raise NotFound(f"no package {meta['package_id']!r}")


def get(s: Session, user: User, package_id: str) -> tuple[Package, dict[str, object]]:
    package, meta = store.get(s, package_id)
    _may_handle(user, meta)
    return package, meta


def listing(s: Session, user: User, direction: str | None = None) -> list[dict[str, object]]:
    rows = store.listing(s, direction)
    return [r for r in rows if user.is_hub or user.agency in (r["sender"], r["recipient"])]


# -- disclosure --------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Export:
    content: bytes
    media_type: str
    filename: str


def export(s: Session, user: User, package_id: str, fmt: str) -> Export:
    """The package in a partner's format; the first export sends it. Audited as a disclosure: what left (the
    package's hash and its item list's hash), to whom, in which format, under which markings."""
    require(user, "decide")
    if fmt not in FORMATS:
        raise InputRejected(f"unknown format {fmt!r}: one of {', '.join(FORMATS)}")
    package, meta = get(s, user, package_id)
    if meta["direction"] != store.SENT:
        raise AccessDenied(f"package {package_id} was received from {package.sender}: it is not ours to send on")
    if fmt == "signed":
        content = sign("package", package.model_dump(mode="json"), node_key())
    elif fmt == "stix":
        content = stix.bundle(package).serialize(pretty=True).encode()
    elif fmt == "misp":
        content = misp.event(package).to_json(indent=2).encode()
    elif fmt == "pdf":
        content = tabular.to_pdf(package)
    else:
        content = tabular.to_csv(package).encode()
    now = datetime.now(UTC)
    items = "\n".join(package.item_list())
    store.mark(s, package_id, sent_at=now)
    audit.record(s, user.username, "disclose", f"package/{package_id}",
                 f"to {package.recipient.agency} as {fmt} under {package.markings.label}; "
                 f"package sha256={_sha(package)}; {len(package.items)} items sha256="
                 f"{hashlib.sha256(items.encode()).hexdigest()}", now)
    media, suffix = FORMATS[fmt]
    return Export(content, media, f"{package_id}.{suffix}")


# -- receiving ---------------------------------------------------------------------------------------------------

def received_source(sender: str) -> str:
    """The source of the reports a partner's packages bring (one per partner)."""
    return f"package-{sender.lower()}"


def as_reports(package: Package) -> dict[str, Report]:
    """The reports a received package makes here, by the sender's reference: of origin foreign police, with the
    sender and the package in their provenance, the reported person's identifiers and the files' hashes."""
    by_report: dict[str, list[PackageItem]] = {}
    for item in package.items:
        by_report.setdefault(item.report or "", []).append(item)
    out = {}
    for ref, items in by_report.items():
        head = next((i for i in items if i.kind is ItemKind.REPORT), None)
        d = head.details if head else {}
        idents = [i for i in items if i.kind is ItemKind.IDENTIFIER]
        of = {t: [i.value for i in idents if i.type == t] for t in ("email", "phone", "account", "screen_name",
                                                                     "device", "ip", "url")}
        account = (of["account"] or [""])[0]
        reported = Party(role=PartyRole.REPORTED, emails=tuple(Email(address=v) for v in of["email"]),
                         phones=tuple(Phone(number=v) for v in of["phone"]),
                         esp_service=account.split(":", 1)[0] or None, esp_identifier=account.split(":", 1)[-1] or None,
                         screen_name=of["screen_name"][0] if of["screen_name"] else None,
                         ip_capture_events=tuple(IpCaptureEvent(ip_address=v) for v in of["ip"]),
                         profile_urls=tuple(of["url"]))
        victims = tuple(Party(role=PartyRole.VICTIM, age=int(i.details["age"]) if "age" in i.details else None)
                        for i in items if i.kind is ItemKind.VICTIM)
        files: dict[str, list[FileHash]] = {}
        for i in items:
            if i.kind is ItemKind.FILE_HASH:
                files.setdefault(i.details.get("file_id", i.item_id), []).append(FileHash(type=i.type or "MD5",
                                                                                          value=i.value))
        out[ref] = Report(
            source=received_source(package.sender), source_id=ref.replace("/", ":"), origin=Origin.FOREIGN_POLICE,
            received_at=datetime.now(UTC), incident_at=d.get("incident_at"),
            incident_type=IncidentType(d["incident_type"]) if "incident_type" in d else None,
            platform=d.get("platform"),
            provenance=(ProvenanceHop(actor=package.sender, at=package.created_at, reference=package.package_id),),
            parties=(reported, *victims),
            files=tuple(FileDetail(file_id=k, hashes=tuple(v)) for k, v in files.items()))
    return out


def receive(engine: Engine, user: User, data: bytes) -> Package:
    """Take in a partner's signed package: verified against the partner's key (altered or unsigned: refused),
    kept with every item's markings, its reports taken in as of origin foreign police and linked to what this node
    holds; audited."""
    require(user, "decide")
    with session(engine) as s:
        verified = verify(data, "package", store.partners(s))
    package = Package.model_validate(verified.payload)
    me = node_key().agency
    if package.recipient.agency != me or package.sender != verified.signer:
        raise InputRejected(f"this package is from {package.sender} for {package.recipient.agency}, signed by "
                            f"{verified.signer}: this node is {me}")
    reports = as_reports(package)
    folder = config.private_dir(config.data_dir() / "received")
    path = folder / f"{package.package_id}.jsonl"
    config.write_private(path, "".join(r.model_dump_json(exclude_none=True) + "\n" for r in reports.values()).encode())
    keys = {ref: store_reports.report_key(r.source, r.source_id) for ref, r in reports.items()}
    now = datetime.now(UTC)
    with session(engine) as s:
        store.save(s, package, store.RECEIVED, verified.sha256, verified.key_id, keys, now)
        store.add_feedback(s, Feedback(package_id=package.package_id, stage=Stage.RECEIVED, on=now.date(),
                                       reported_by=me, recorded_at=now))
        audit.record(s, user.username, "package_received", f"package/{package.package_id}",
                     f"from {package.sender} key {verified.key_id} sha256={verified.sha256}: "
                     f"{len(package.items)} items, {len(reports)} reports", now)
    from lanzarote.pipeline.ingest import ingest
    from lanzarote.pipeline.process import process

    ingest(engine, [path], workers=1)
    process(engine, workers=1)
    return package


@dataclass(frozen=True)
class Received:
    """A received package as this node shows it: provenance, every item with its markings, what it linked to."""

    package: Package
    meta: dict[str, object]
    items: list[tuple[PackageItem, Markings, str | None]]
    linked: dict[str, list[str]]
    """Per report the package made here: the other reports of the subject it joined (this node's own)."""


def received(s: Session, user: User, package_id: str) -> Received:
    package, meta = get(s, user, package_id)
    if meta["direction"] != store.RECEIVED:
        raise NotFound(f"no received package {package_id!r}")
    keys = {ref: store_reports.report_key(r.source, r.source_id) for ref, r in as_reports(package).items()}
    items = [(i, package.marking_of(i), keys.get(i.report or "")) for i in package.items]
    linked: dict[str, list[str]] = {}
    placed = store_reports.placed(s, list(keys.values()))
    subjects = {p.subject_id for p in placed.values() if p.subject_id}
    members = store_reports.subject_members(s, subjects)
    for key, p in placed.items():
        linked[key] = sorted(m.report_key for m in members
                             if m.subject_id == p.subject_id and m.report_key not in keys.values()
                             and user.may_see(m.country, m.authority))
    trail(s, user, "read", f"package/{package_id}", f"{len(items)} items")
    return Received(package, meta, items, linked)


# -- feedback and the ledger -------------------------------------------------------------------------------------

def record_feedback(s: Session, user: User, package_id: str, stage: Stage, on: date, count: int = 1,
                    reported_by: str | None = None, decisive: Decisive = Decisive.UNKNOWN,
                    words: str = "") -> Feedback:
    """Record what came of a package (on the receiving node, or on the sender's when told otherwise); a second
    word on the same stage is a new version; audited."""
    require(user, "decide")
    get(s, user, package_id)
    now = datetime.now(UTC)
    f = store.add_feedback(s, Feedback(package_id=package_id, stage=stage, on=on, count=count,
                                       reported_by=reported_by or f"{user.username} ({user.agency})",
                                       recorded_at=now, decisive=decisive, words=words.strip()))
    audit.record(s, user.username, "feedback", f"package/{package_id}",
                 f"{stage.value} x{count} on {on} v{f.version} decisive={decisive.value}", now)
    return f


def feedback_of(s: Session, user: User, package_id: str) -> list[Feedback]:
    get(s, user, package_id)
    return store.feedback(s, [package_id])


def export_feedback(s: Session, user: User, package_id: str) -> Export:
    """The feedback on a received package, signed for its sender; audited as a disclosure."""
    require(user, "decide")
    package, meta = get(s, user, package_id)
    if meta["direction"] != store.RECEIVED:
        raise InputRejected(f"package {package_id} was sent from here: its feedback comes from its recipient")
    entries = [f.model_dump(mode="json") for f in store.feedback(s, [package_id])]
    content = sign("feedback", {"package_id": package_id, "feedback": entries}, node_key())
    audit.record(s, user.username, "disclose", f"package/{package_id}/feedback",
                 f"to {package.sender}: {len(entries)} entries sha256={hashlib.sha256(content).hexdigest()}",
                 datetime.now(UTC))
    return Export(content, "application/json", f"{package_id}.feedback.json")


def import_feedback(s: Session, user: User, data: bytes) -> tuple[str, int]:
    """A recipient's signed feedback on a package sent from here: versions not yet held are added. Returns the
    package id and how many entries were new; audited."""
    require(user, "decide")
    verified = verify(data, "feedback", store.partners(s))
    package_id = str(verified.payload.get("package_id"))
    package, meta = store.get(s, package_id)
    if meta["direction"] != store.SENT or package.recipient.agency != verified.signer:
        raise InputRejected(f"this feedback is signed by {verified.signer}, who was not sent package {package_id}")
    try:
        entries = [Feedback.model_validate(e) for e in verified.payload.get("feedback", [])]
    except ValueError as exc:
        raise InputRejected(f"this feedback does not read: {exc}") from None
    added = 0
    for f in entries:
        if f.package_id == package_id:
            added += store.import_feedback(s, f)
            if f.stage is Stage.RECEIVED and f.recorded_at:
                store.mark(s, package_id, acknowledged_at=f.recorded_at)
    audit.record(s, user.username, "feedback_imported", f"package/{package_id}",
                 f"from {verified.signer}: {added} new of {len(entries)}", datetime.now(UTC))
    return package_id, added


def funnel(s: Session, user: User, by: str | None = None) -> list[Row]:
    """The funnel overall or per operation, recipient, country or month (counts only: not audited)."""
    if by is not None and by not in ledger.GROUPS:
        raise InputRejected(f"a funnel is per {', '.join(ledger.GROUPS)}, not {by!r}")
    country = None if user.is_hub else user.scope.country
    bind = s.get_bind()
    key = (id(bind), str(bind.engine.url), by, country)
    mark = store.ledger_fingerprint(s)
    cached = _FUNNELS.get(key)
    if cached is not None and cached[0] == mark:
        return list(cached[1])
    rows = store.funnel_rows(s, by, country)
    if len(_FUNNELS) >= 256:
        _FUNNELS.clear()
    _FUNNELS[key] = (mark, tuple(rows))
    return rows


_FUNNELS: dict[tuple[object, ...], tuple[tuple[object, ...], tuple[Row, ...]]] = {}
"""The funnel last summed per store, grouping and country, with the ledger's fingerprint it was summed at: asked
again while nothing was sent, acknowledged or reported, it is not summed again."""


def funnel_csv(s: Session, user: User, by: str | None = None) -> str:
    return ledger.funnel_csv(funnel(s, user, by), by)


def reminders(s: Session, user: User, now: datetime | None = None, limit: int = 200) -> list[Sent]:
    """Packages whose recipient has reported no outcome after `feedback_reminder_days`, oldest first."""
    due = (now or datetime.now(UTC)) - timedelta(days=int(config.get("feedback_reminder_days")))
    return store.waiting(s, due, None if user.is_hub else user.scope.country, limit)


def as_json(package: Package) -> dict[str, Any]:
    out: dict[str, Any] = json.loads(package.model_dump_json())
    out["warnings"] = package.markings.warnings
    return out
