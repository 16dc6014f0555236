"""Notice and takedown as use cases: take URL reports in (quarantining what cannot be read), route them to the
hosting country's hotline and police, follow each notice to removal, export a marked blocklist for operators, and
count as INHOPE does. Reading a notice and exporting a blocklist are audited; so is every change.

Nothing here fetches a reported URL. DNS is asked for a host's address only when an administrator turned
`LANZAROTE_TAKEDOWN_DNS` on and the hotline gave no address.
"""

from __future__ import annotations

import hashlib
import json
import socket
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from lanzarote import config
from lanzarote.coordination.packages.markings import Markings, Tlp
from lanzarote.errors import InputRejected, NotFound
from lanzarote.intake.documents import Document
from lanzarote.model.quarantine import QuarantineEntry
from lanzarote.pipeline.settings import intake_settings
from lanzarote.routing.tables import RoutingTables
from lanzarote.service.actors import require
from lanzarote.service.knowledge import knowledge_base
from lanzarote.store import audit
from lanzarote.store import takedown as store
from lanzarote.store.access import User
from lanzarote.store.db import session
from lanzarote.takedown import blocklist as blocklists
from lanzarote.takedown import read
from lanzarote.takedown.directory import Directory, direct
from lanzarote.takedown.hosting import Network, NetworkTable, read_networks, resolve
from lanzarote.takedown.model import Assessment, Directive, NoticeState, UrlReport
from lanzarote.takedown.notices import NEXT, StatRow, check_step, clocks, statistics_of
from lanzarote.takedown.urls import BadUrl, normalise

__all__ = ["Assessment", "Markings", "NoticeState", "StatRow", "Tlp"]


# -- what routing needs ------------------------------------------------------------------------------------------

def directory() -> Directory:
    """The member hotlines (the `takedown_members_file` setting, else the shipped list) and police contact points
    (the knowledge base, then the routing tables)."""
    return _directory(str(config.get("takedown_members_file")), str(config.get("knowledge_dir")))


@lru_cache(maxsize=4)
def _directory(members: str, _knowledge: str) -> Directory:
    return Directory.load(knowledge_base(), RoutingTables.load(), Path(members) if members else None)


def _scope(user: User) -> store.Scope:
    return store.Scope() if user.is_hub else store.Scope(user.scope.country, user.agency)


def _now() -> datetime:
    return datetime.now(UTC)


# -- taking URL reports in ---------------------------------------------------------------------------------------

@dataclass
class ImportSummary:
    new: int = 0
    unchanged: int = 0
    updated: int = 0
    quarantined: int = 0
    reasons: list[str] = field(default_factory=list)
    """The first quarantine reasons, with where (the rest: `takedown quarantine`)."""

    def as_dict(self) -> dict[str, object]:
        return {"new": self.new, "unchanged": self.unchanged, "updated": self.updated,
                "quarantined": self.quarantined, "reasons": self.reasons}


def import_paths(engine: Engine, user: User, paths: list[Path], hotline: str | None = None) -> ImportSummary:
    """Take in the URL reports in files and folders (JSON, JSON Lines, a hotline's CSV export); audited."""
    require(user, "decide")
    now = _now()
    return _take_in(engine, user, read.read_paths(paths, now, intake_settings(), hotline), now,
                    ", ".join(map(str, paths)))


def import_document(engine: Engine, user: User, name: str, content: bytes, hotline: str | None = None
                    ) -> ImportSummary:
    """Take in one uploaded document (by its name: `.csv`, `.json` or `.jsonl`); audited."""
    require(user, "decide")
    base = Path(name or "upload").name or "upload"
    if not base.lower().endswith(read.SUFFIXES):
        raise InputRejected("a URL report upload is a .json, .jsonl or .csv file")
    settings = intake_settings()
    limit = settings.max_document_bytes
    if len(content) > limit:
        raise InputRejected(f"the upload is larger than {limit:,} bytes (max_document_bytes)")
    now = _now()
    document = Document(f"upload:{user.username}/{base}", content, now)
    return _take_in(engine, user, read.read_document(document, now, settings, hotline), now, base)


def _take_in(engine: Engine, user: User, results: Iterable[read.Result], now: datetime, what: str
             ) -> ImportSummary:
    summary = ImportSummary()
    batch: list[read.Result] = []
    size = int(config.get("takedown_batch"))
    for result in results:
        batch.append(result)
        if len(batch) >= size:
            _write(engine, user, batch, now, summary)
            batch = []
    _write(engine, user, batch, now, summary)
    with session(engine) as s:
        audit.record(s, user.username, "takedown_import", f"takedown/{what}"[:300],
                     f"{summary.new} new, {summary.updated} updated, {summary.unchanged} unchanged, "
                     f"{summary.quarantined} quarantined", _now())
    return summary


def _document(report: UrlReport) -> tuple[str, str]:
    """The report as the store keeps it, and that text's SHA-256 (what tells a changed report from the same)."""
    text = report.model_dump_json()
    return text, hashlib.sha256(text.encode()).hexdigest()


def _row(accepted: read.Accepted, user: User, now: datetime, document: tuple[str, str]) -> dict[str, object]:
    r, url = accepted.report, accepted.url
    text, sha = document
    return {"report_key": r.key, "hotline": r.hotline, "reference": r.reference, "url": url.normalised,
            "host": url.host[:255], "url_key": url.key, "hash_key": r.hash.key[:400] if r.hash else None,
            "assessment": r.assessment.value, "reported_at": r.reported_at.astimezone(UTC),
            "month": f"{r.reported_at.astimezone(UTC):%Y-%m}", "imported_at": now, "imported_by": user.username,
            "agency": user.agency, "content_sha256": sha, "document": text,
            "status": store.UNROUTED, "routed_at": None, "country": None, "conflict": None, "hosting": None,
            "directive": None, "duplicate_of": None, "reappeared_of": None, "reappeared_by": None}


def _write(engine: Engine, user: User, batch: list[read.Result], now: datetime, summary: ImportSummary) -> None:
    problems = [r for r in batch if isinstance(r, QuarantineEntry)]
    accepted = [r for r in batch if isinstance(r, read.Accepted)]
    with session(engine) as s:
        here = store.existing(s, {a.report.key for a in accepted})
        rows: dict[str, dict[str, object]] = {}
        for a in accepted:
            document = _document(a.report)
            sha = document[1]
            key = a.report.key
            before = rows[key]["content_sha256"] if key in rows else (here[key][0] if key in here else None)
            if before is None:
                rows[key] = _row(a, user, now, document)
                summary.new += 1
            elif before == sha:
                summary.unchanged += 1
            elif key in here and key not in rows and here[key][2] == Assessment.NOT_ASSESSED.value \
                    and here[key][1] in (store.UNROUTED, store.NO_NOTICE):
                store.replace_report(s, _row(a, user, now, document))  # the hotline's assessment, given later
                summary.updated += 1
            else:
                problems.append(QuarantineEntry(
                    location=a.location, content_sha256=sha, received_at=now, reason=(
                        f"report {key} is here already with other content (it has been assessed or routed): "
                        "send a changed report under a new reference")))
        store.add_reports(s, list(rows.values()))
        store.quarantine(s, problems, user.agency, now)
    summary.quarantined += len(problems)
    room = 20 - len(summary.reasons)
    summary.reasons.extend(f"{p.location}: {p.reason}" for p in problems[:max(room, 0)])


# -- routing -----------------------------------------------------------------------------------------------------

@dataclass
class RouteSummary:
    routed: int = 0
    notices: int = 0
    no_notice: int = 0
    duplicates: int = 0
    reappeared: int = 0
    unknown_country: int = 0

    def as_dict(self) -> dict[str, int]:
        return dict(self.__dict__)


def notice_id(report_key: str) -> str:
    return f"N-{hashlib.sha256(report_key.encode()).hexdigest()[:12].upper()}"


def _dns_allowed() -> bool:
    return str(config.get("takedown_dns")).strip().lower() in ("on", "yes", "true", "1")


def _looked_up(host: str, now: datetime) -> tuple[str, str] | None:
    """The host's first address in DNS, asked only where an administrator allowed it; never the URL itself."""
    try:
        answers = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        return None
    for *_, sockaddr in answers:
        return str(sockaddr[0]), f"DNS lookup by this node ({now:%Y-%m-%d %H:%M} UTC)"
    return None


def _network_table(s: Session) -> NetworkTable:
    rows = store.networks(s)
    version = str(rows[0]["version"]) if rows else "none"
    return NetworkTable.of((Network(str(r["network"]), str(r["owner"]), str(r["abuse_contact"]),
                                    str(r["country"]) if r["country"] else None) for r in rows), version)


def route(engine: Engine, user: User, now: datetime | None = None) -> RouteSummary:
    """Route every URL report not routed yet, oldest first: resolve its hosting, flag a URL or hash back after
    removal, hold a duplicate of a URL under notice, and send a notice where the directive says; audited."""
    require(user, "decide")
    when = now or _now()
    found = directory()
    dns = _dns_allowed()
    summary = RouteSummary()
    size = int(config.get("takedown_batch"))
    with session(engine) as s:
        networks = _network_table(s)
    while True:
        with session(engine) as s:
            batch = store.unrouted(s, size)
            if not batch:
                break
            _route_batch(s, batch, found, networks, dns, when, user, summary)
    with session(engine) as s:
        audit.record(s, user.username, "takedown_route", "takedown/route",
                     f"{summary.routed} routed: {summary.notices} notices, {summary.no_notice} without, "
                     f"{summary.duplicates} duplicates, {summary.reappeared} re-appeared", _now())
    return summary


def _route_batch(s: Session, batch: list[store.Unrouted], found: Directory, networks: NetworkTable, dns: bool,
                 when: datetime, user: User, summary: RouteSummary) -> None:
    earlier = store.priors(s, {u.url_key for u in batch}, {u.hash_key for u in batch if u.hash_key})
    open_by_url: dict[str, str] = {}
    removed_by_url: dict[str, tuple[str, datetime]] = {}
    removed_by_hash: dict[str, tuple[str, datetime]] = {}
    for p in earlier:
        if NoticeState(p.state).open:
            open_by_url.setdefault(p.url_key, p.report_key)
        elif p.state == NoticeState.REMOVED.value and p.removed_at is not None:
            removed_by_url[p.url_key] = max(removed_by_url.get(p.url_key, (p.report_key, p.removed_at)),
                                            (p.report_key, p.removed_at), key=lambda x: x[1])
            if p.hash_key:
                removed_by_hash[p.hash_key] = (p.report_key, p.removed_at)
        elif p.state == NoticeState.MOVED.value and p.closed_at is not None:
            # gone from that URL (the hash is expected at its new place, which is a report of its own)
            removed_by_url[p.url_key] = max(removed_by_url.get(p.url_key, (p.report_key, p.closed_at)),
                                            (p.report_key, p.closed_at), key=lambda x: x[1])
    routes: list[dict[str, object]] = []
    notices: list[dict[str, object]] = []
    events: list[dict[str, object]] = []
    for u in batch:
        report = UrlReport.stored(u.document)
        looked_up = _looked_up(u.host, when) if dns and not report.ip else None
        hosting = resolve(report, u.host, networks, looked_up)
        again: tuple[str, str] | None = None
        if (hit := removed_by_url.get(u.url_key)) and hit[1] <= u.reported_at:
            again = (hit[0], "url")
        elif u.hash_key and (hit := removed_by_hash.get(u.hash_key)) and hit[1] <= u.reported_at:
            again = (hit[0], "hash")
        route_row: dict[str, object] = {
            "report_key": u.report_key, "routed_at": when, "country": hosting.country, "conflict": hosting.conflict,
            "hosting": hosting.model_dump_json(), "duplicate_of": None,
            "reappeared_of": again[0] if again else None, "reappeared_by": again[1] if again else None}
        summary.routed += 1
        summary.reappeared += again is not None
        summary.unknown_country += hosting.country is None
        if u.url_key in open_by_url and report.assessment.illegal:
            first = open_by_url[u.url_key]
            held = Directive(notice=False, country=hosting.country,
                             reason=f"the same URL is under notice already (report {first}): no second notice")
            routes.append({**route_row, "status": store.DUPLICATE, "duplicate_of": first,
                           "directive": held.model_dump_json()})
            summary.duplicates += 1
            continue
        directive = direct(report, hosting, found)
        if directive.notice and hosting.country:
            nid = notice_id(u.report_key)
            notices.append({"notice_id": nid, "report_key": u.report_key, "country": hosting.country,
                            "hotline": directive.hotline, "police": (directive.police or "")[:300] or None,
                            "state": NoticeState.SENT.value, "reported_at": u.reported_at, "sent_at": when,
                            "acknowledged_at": None, "removed_at": None, "closed_at": None, "moved_to": None})
            events.append({"notice_id": nid, "state": NoticeState.SENT.value, "at": when,
                           "recorded_by": user.username, "recorded_at": when,
                           "note": directive.reason + ("; " + "; ".join(directive.notes) if directive.notes else ""),
                           "moved_to": None})
            open_by_url[u.url_key] = u.report_key
            summary.notices += 1
            status = store.NOTICE
        else:
            summary.no_notice += 1
            status = store.NO_NOTICE
        routes.append({**route_row, "status": status, "directive": directive.model_dump_json()})
    store.save_routes(s, routes)
    store.add_notices(s, notices, events)


# -- notices -----------------------------------------------------------------------------------------------------

def notices(s: Session, user: User, state: str | None = None, country: str | None = None, limit: int = 200,
            offset: int = 0) -> tuple[list[dict[str, object]], int]:
    """Notices the user may see, newest first; the list is a read of URL reports, audited once."""
    if state is not None and state not in {x.value for x in NoticeState}:
        raise InputRejected(f"no notice state {state!r}: {', '.join(x.value for x in NoticeState)}")
    rows, total = store.notices(s, _scope(user), state, country.upper() if country else None,
                                max(1, min(limit, 1000)), max(offset, 0))
    audit.record(s, user.username, "takedown_list", "takedown/notices",
                 f"{len(rows)} of {total} (state {state or 'any'}, country {country or 'any'})", _now())
    return rows, total


def _visible(s: Session, user: User, notice_id: str) -> tuple[dict[str, Any], dict[str, Any], list[dict[str, Any]]]:
    notice_row, report_row, steps = store.notice(s, notice_id)
    scope = _scope(user)
    if scope.country is not None and report_row["country"] != scope.country and report_row["agency"] != scope.agency:
        raise NotFound(f"no notice {notice_id!r}")
    return notice_row, report_row, steps


def notice(s: Session, user: User, notice_id: str) -> dict[str, Any]:
    """A notice with its report, hosting evidence, directive, timeline and clocks; audited as a read."""
    notice_row, report_row, steps = _visible(s, user, notice_id)
    audit.record(s, user.username, "takedown_read", f"notice/{notice_id}", str(report_row["report_key"]), _now())
    return _view(notice_row, report_row, steps)


def _view(n: dict[str, Any], r: dict[str, Any], steps: list[dict[str, Any]]) -> dict[str, Any]:
    document = UrlReport.model_validate_json(r["document"])
    timing = clocks(r["reported_at"], n["sent_at"], n["acknowledged_at"], n["removed_at"])
    timeline = [{"state": "reported", "at": r["reported_at"], "by": document.hotline, "note": "the hotline's report",
                 "after_hours": None}]
    for step in steps:
        timeline.append({"state": step["state"], "at": step["at"], "by": step["recorded_by"], "note": step["note"],
                         "moved_to": step["moved_to"],
                         "after_hours": round((step["at"] - r["reported_at"]).total_seconds() / 3600, 2)})
    return {"notice_id": n["notice_id"], "state": n["state"], "country": n["country"], "hotline": n["hotline"],
            "police": n["police"], "sent_at": n["sent_at"], "acknowledged_at": n["acknowledged_at"],
            "removed_at": n["removed_at"], "closed_at": n["closed_at"], "moved_to": n["moved_to"],
            "report": {"report_key": r["report_key"], "hotline": r["hotline"], "reference": r["reference"],
                       "url": r["url"], "url_as_given": document.url, "assessment": r["assessment"],
                       "reported_at": r["reported_at"], "hash": document.hash.model_dump() if document.hash else None,
                       "reappeared_of": r["reappeared_of"], "reappeared_by": r["reappeared_by"]},
            "hosting": json.loads(r["hosting"]) if r["hosting"] else None,
            "directive": json.loads(r["directive"]) if r["directive"] else None,
            "clocks_hours": timing.as_hours(), "timeline": timeline,
            "next": sorted(x.value for x in NEXT[NoticeState(n["state"])])}


def record(s: Session, user: User, notice_id: str, state: NoticeState, at: datetime | None = None,
           note: str = "", moved_to: str | None = None) -> dict[str, Any]:
    """Move a notice on (acknowledged, removed, not removed, moved) at the time the recipient said; content that
    moved to a URL given becomes a new URL report, routed with the next `route`; audited."""
    require(user, "decide")
    notice_row, report_row, steps = _visible(s, user, notice_id)
    now = _now()
    when = at or now
    when = when.astimezone(UTC) if when.tzinfo else when.replace(tzinfo=UTC)
    check_step(NoticeState(notice_row["state"]), state, steps[-1]["at"] if steps else notice_row["sent_at"], when,
               intake_settings().latest_plausible(now))
    new_url = None
    if moved_to:
        if state is not NoticeState.MOVED:
            raise InputRejected("only a move names where the content went (moved_to)")
        try:
            new_url = normalise(moved_to)
        except BadUrl as exc:
            raise InputRejected(f"moved_to: {exc}") from None
    stamps: dict[str, object] = {}
    if state is NoticeState.ACKNOWLEDGED:
        stamps["acknowledged_at"] = when
    elif state is NoticeState.REMOVED:
        stamps.update(removed_at=when, closed_at=when)
    elif state is NoticeState.NOT_REMOVED:
        stamps["closed_at"] = when
    elif state is NoticeState.MOVED:
        stamps.update(closed_at=when, moved_to=new_url.normalised if new_url else None)
    store.record_step(s, notice_id, {"state": state.value, "at": when, "recorded_by": user.username,
                                     "recorded_at": now, "note": note.strip()[:5000],
                                     "moved_to": new_url.normalised if new_url else None}, stamps)
    detail = f"{notice_row['state']} → {state.value} at {when:%Y-%m-%d %H:%M}"
    if new_url is not None:
        original = UrlReport.model_validate_json(str(report_row["document"]))
        moved = original.model_copy(update={"reference": f"{original.reference}~moved-{len(steps)}"[:200],
                                            "url": new_url.normalised, "reported_at": when, "ip": None,
                                            "hosting_country": None, "network_owner": None, "abuse_contact": None})
        store.add_reports(s, [_row(read.Accepted(moved, new_url, f"notice/{notice_id}"), user, now,
                                   _document(moved))])
        detail += f"; new report {moved.key}"
    audit.record(s, user.username, "takedown_step", f"notice/{notice_id}", detail, now)
    notice_row, report_row, steps = store.notice(s, notice_id)
    return _view(notice_row, report_row, steps)


# -- blocklist and statistics ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Export:
    content: bytes
    media_type: str
    filename: str
    count: int


def blocklist(s: Session, user: User, recipient: str, fmt: str = "csv",
              markings: Markings = blocklists.DEFAULT_MARKINGS) -> Export:
    """The URLs still online for one named operator, under the blocklist's markings; a disclosure, audited with
    how many left, to whom and under which markings."""
    require(user, "decide")
    to = " ".join(recipient.split())[:200]
    if not to:
        raise InputRejected("a blocklist goes to one named operator (--to)")
    if fmt not in blocklists.FORMATS:
        raise InputRejected(f"no blocklist format {fmt!r}: {', '.join(blocklists.FORMATS)}")
    now = _now()
    entries = [blocklists.Entry(url, host, since) for url, host, since in store.open_entries(s, _scope(user))]
    content = blocklists.render(entries, to, markings, now, user.username, fmt)
    audit.record(s, user.username, "disclose", f"blocklist/{to}"[:300],
                 f"{len(entries)} URLs to {to} under {markings.label}", now)
    safe = "".join(c if c.isalnum() else "-" for c in to)[:60]
    return Export(content, blocklists.FORMATS[fmt], f"blocklist-{safe}-{now:%Y%m%d}.{fmt}", len(entries))


def stats(s: Session, user: User, by_month: bool = True) -> list[StatRow]:
    """Reports, illegal share and time to removal (median, 90th percentile) per hosting country and month: counts
    only, nothing of any report."""
    counts, removals = _stat_rows(s, user)
    return statistics_of(counts, removals, by_month)


def stats_both(s: Session, user: User) -> tuple[list[StatRow], list[StatRow]]:
    """The statistics per country and per country and month, from one reading of the store."""
    counts, removals = _stat_rows(s, user)
    return statistics_of(counts, removals, False), statistics_of(counts, removals, True)


def _stat_rows(s: Session, user: User) -> tuple[list[tuple[str | None, str, int, int]],
                                                  list[tuple[str | None, str, float]]]:
    scope = _scope(user)
    illegal = {a.value for a in Assessment if a.illegal}
    return store.stat_counts(s, scope, illegal), store.removal_hours(s, scope)


def stats_csv(rows: list[StatRow]) -> str:
    head = "country,month,reports,illegal,illegal_share,removed,median_hours,p90_hours"
    return "\n".join([head, *(",".join("" if v is None else str(v) for v in r.as_dict().values()) for r in rows)]) \
        + "\n"


# -- the unit's network table and the quarantine -----------------------------------------------------------------

def load_networks(s: Session, user: User, content: bytes) -> tuple[int, str]:
    """Replace the unit's network table with a CSV (administrators); audited."""
    require(user, "administer")
    rows, version = read_networks(content)
    now = _now()
    store.load_networks(s, [{"network": r.network, "owner": r.owner, "abuse_contact": r.abuse_contact,
                             "country": r.country, "version": version, "loaded_at": now,
                             "loaded_by": user.username} for r in rows])
    audit.record(s, user.username, "takedown_networks", "takedown/networks", f"{len(rows)} networks, {version}", now)
    return len(rows), version


def quarantined(s: Session, user: User, limit: int = 500) -> list[dict[str, object]]:
    """URL reports that could not be taken in (the hub's: all; a unit's: its own uploads); audited as a read."""
    rows = store.quarantined(s, None if user.is_hub else user.agency, limit)
    audit.record(s, user.username, "takedown_quarantine_read", "takedown/quarantine", f"{len(rows)} entries", _now())
    return rows


def counts(s: Session) -> dict[str, int]:
    return store.counts(s)


def blocklist_markings(tlp: Tlp = Tlp.AMBER_STRICT) -> Markings:
    """The blocklist's own markings (H3: blocking by the named operator only) at the TLP asked for."""
    return blocklists.DEFAULT_MARKINGS.model_copy(update={"tlp": tlp})
