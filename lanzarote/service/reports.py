"""Reading reports and the queue, exporting it, and the work on a report: assignment and routing decisions.

Every read and every disclosure writes one audit entry; links to reports the reader's agency may not see are shown
as "linked to a report held by another agency" with that agency's contact, never their ids nor the identifier.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from lanzarote.errors import InputRejected
from lanzarote.model.jurisdiction import RouteOverride
from lanzarote.model.linking import LinkedElsewhere
from lanzarote.model.priority import Reason
from lanzarote.model.queue import QueueItem
from lanzarote.model.report import PartyRole
from lanzarote.routing.resolve import overridden
from lanzarote.routing.tables import RoutingTables
from lanzarote.service.actors import may_see, require, scoped, visible
from lanzarote.store import access, audit, work
from lanzarote.store import reports as store_reports
from lanzarote.store.access import Agency, User
from lanzarote.store.reports import Placed, QueueFilter, QueuePage, ReportListing, StoredReport

__all__ = ["QueueFilter", "QueuePage", "ReportListing", "StoredReport"]


def key_of(stored: StoredReport) -> str:
    return store_reports.report_key(stored.report.source, stored.report.source_id)


def trail(s: Session, user: User, action: str, target: str, detail: str) -> None:
    """One audit entry for a read or a disclosure, in a transaction of its own: the chain admits one writer at a
    time, and a read must not hold it while its answer is drawn."""
    audit.append(s.get_bind(), user.username, action, target, detail, datetime.now(UTC))  # type: ignore[arg-type]


def read(s: Session, user: User, report_id: str, channel: str) -> StoredReport:
    """A report the user may see, as the user may see it (links under need-to-know), the read audited first."""
    stored = visible(s, user, report_id)
    trail(s, user, "read", key_of(stored), channel)
    return _links_shown(s, user, stored)


def as_json(user: User, stored: StoredReport) -> dict[str, Any]:
    """A report with what the stages concluded; victims pseudonymised for roles that do not need them; links to
    reports of other agencies shown by the agency that holds them, never their ids."""
    report_json: dict[str, Any] = stored.report.model_dump(mode="json")
    if not user.sees_victims:
        n = 0
        parties = []
        for party, dumped in zip(stored.report.parties, report_json["parties"], strict=True):
            if party.role is PartyRole.VICTIM:
                n += 1
                dumped = {"role": "victim", "pseudonym": f"Victim {n}"}
            parties.append(dumped)
        report_json["parties"] = parties
    return {
        "report": report_json, "version": stored.version, "versions": stored.versions,
        "triage": stored.triage.model_dump(mode="json") if stored.triage else None,
        "route": stored.route.model_dump(mode="json") if stored.route else None,
        "verdicts": [v.model_dump(mode="json") for v in stored.verdicts] if stored.verdicts is not None else None,
        "subject": stored.subject, "linked_reports": list(stored.linked_reports),
        "links": [link.model_dump(mode="json") for link in stored.links],
        "linked_elsewhere": [{**x.model_dump(mode="json"), "text": x.text} for x in stored.linked_elsewhere],
        "assigned_to": stored.assigned_to,
    }


@dataclass(frozen=True)
class ReportVersions:
    """Every stored version of a report, and of each of its `fileDetails` and of its clearing-house layer: (number,
    when taken in, content hash), oldest first."""

    report: list[store_reports.Version]
    files: dict[str, list[store_reports.Version]]
    clearing_house: list[store_reports.Version]

    def as_json(self) -> dict[str, Any]:
        def listed(versions: list[store_reports.Version], when: str) -> list[dict[str, Any]]:
            return [{"version": v, when: at.isoformat(), "content_sha256": h} for v, at, h in versions]

        return {"report": listed(self.report, "ingested_at"),
                "files": [{"file_id": k, "versions": listed(v, "received_at")} for k, v in self.files.items()],
                "clearing_house": listed(self.clearing_house, "received_at")}


def versions(s: Session, user: User, report_id: str, channel: str) -> ReportVersions:
    """Every stored version of a report the user may see, and of its files' details and clearing-house layer;
    audited."""
    stored = visible(s, user, report_id)
    trail(s, user, "read_versions", key_of(stored), channel)
    return versions_of_read(s, stored)


def versions_of_read(s: Session, stored: StoredReport) -> ReportVersions:
    """The versions of a report the caller has just read (its read is the audit entry)."""
    key = key_of(stored)
    parts = store_reports.part_versions_of(s, key)
    return ReportVersions(store_reports.versions_of(s, key), parts.files, parts.clearing_house)


def _filter_text(f: QueueFilter) -> str:
    return " ".join(f"{k}={v}" for k, v in vars(f).items() if v is not None)


def queue(s: Session, user: User, f: QueueFilter, cursor: str | None, channel: str, limit: int = 50) -> QueuePage:
    """A page of the queue as the user's agency may see it; the disclosure audited (filter and what was shown)."""
    page = store_reports.queue_page(s, scoped(user, f), limit=limit, cursor=cursor)
    trail(s, user, "list", "queue", f"{channel} {len(page.items)} reports {_filter_text(f)}".strip())
    return replace(page, items=linked_shown(s, user, page.items))


def newest(s: Session, user: User, f: QueueFilter, cursor: str | None, channel: str, limit: int = 50) -> QueuePage:
    """The reports the user's agency may see, newest received first; audited like the queue."""
    page = store_reports.newest_page(s, scoped(user, f), limit=limit, cursor=cursor)
    trail(s, user, "list", "reports", f"{channel} {len(page.items)} reports {_filter_text(f)}".strip())
    return replace(page, items=linked_shown(s, user, page.items))


def export(s: Session, user: User, f: QueueFilter, limit: int | None, fmt: str) -> tuple[list[QueueItem], int]:
    """The queue (or its first `limit` rows) for a file or a tool, and the total; the export audited."""
    narrowed = scoped(user, f)
    items = store_reports.queue(s, limit=limit, f=narrowed)
    total = store_reports.count_queue(s, narrowed)
    trail(s, user, "export", "queue", f"{fmt} {len(items)} of {total} reports {_filter_text(f)}".strip())
    return linked_shown(s, user, items), total


def listing(s: Session, user: User, limit: int, offset: int) -> tuple[list[ReportListing], int]:
    """The latest version of each report the user's agency may see, newest first, and how many are stored."""
    rows = store_reports.list_reports(s, limit=limit, offset=offset, country=user.scope.country,
                                      authority=user.scope.authority)
    total = store_reports.count_reports(s) if user.is_hub else len(rows)
    trail(s, user, "list", "reports", f"cli {len(rows)} reports offset={offset}")
    return rows, total


class QueueCounts:
    """Queue totals, counted up to `cap` and kept a few seconds: an exact count of a million rows on every page is
    what made pages slow, and "more than 10,000" tells an analyst as much."""

    def __init__(self, seconds: float = 30.0, cap: int = 10_000) -> None:
        self.seconds = seconds
        self.cap = cap
        self._values: dict[object, tuple[float, int]] = {}
        self._lock = threading.Lock()

    def get(self, s: Session, user: User, f: QueueFilter) -> int:
        """The total of the filter as the user's agency may see it, or `cap + 1` when there are more than `cap`."""
        f = scoped(user, f)
        now = time.monotonic()
        with self._lock:
            hit = self._values.get(f)
        if hit is not None and now - hit[0] < self.seconds:
            return hit[1]
        value = store_reports.count_queue(s, f, cap=self.cap)
        with self._lock:
            if len(self._values) > 10_000:
                self._values.clear()
            self._values[f] = (now, value)
        return value


# -- links under need-to-know -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Shown:
    """Of a subject's reports: the source ids the viewer may see, and the others by the agency that holds them."""

    visible_ids: set[str]
    visible_keys: set[str]
    elsewhere: list[Placed]


def _holder(agencies: Sequence[Agency], placed: Placed) -> Agency | None:
    """The agency that holds a report: its local authority if registered, else its country's national unit, else
    the hub (which coordinates what no agency has been registered for)."""
    for kind, match in (("local_authority", lambda a: a.authority == placed.authority),
                        ("national_unit", lambda a: True)):
        for agency in agencies:
            if agency.kind == kind and agency.country == placed.country and placed.country and match(agency):
                return agency
    return next((a for a in agencies if a.kind == "hub"), None)


def _elsewhere(agencies: Sequence[Agency], hidden: Iterable[Placed]) -> list[LinkedElsewhere]:
    counted: dict[tuple[str, str | None], int] = {}
    for p in hidden:
        agency = _holder(agencies, p)
        name = agency.name if agency else f"the national unit of {p.country or 'an unrouted report'}"
        key = (name, agency.contact if agency and agency.contact else "ask the hub")
        counted[key] = counted.get(key, 0) + 1
    return [LinkedElsewhere(agency=n, contact=c, reports=k) for (n, c), k in sorted(counted.items())]


def _shown(user: User, members: Iterable[Placed]) -> dict[str, _Shown]:
    out: dict[str, _Shown] = {}
    for m in members:
        shown = out.setdefault(m.subject_id or "", _Shown(set(), set(), []))
        if user.may_see(m.country, m.authority):
            shown.visible_ids.add(m.source_id)
            shown.visible_keys.add(m.report_key)
        else:
            shown.elsewhere.append(m)
    return out


HIDDEN = "a report held by another agency"


def _redacted(reasons: Sequence[Reason], hidden_ids: set[str]) -> list[Reason]:
    """Reasons whose evidence names reports the viewer may not see, with those ids taken out (a reason from a
    linked report says which report it came from)."""
    if not hidden_ids:
        return list(reasons)
    pattern = re.compile(r"(?<![\w/])(" + "|".join(re.escape(x) for x in sorted(hidden_ids, key=len, reverse=True))
                         + r")(?![\w])")
    return [r.model_copy(update={"evidence": pattern.sub(HIDDEN, r.evidence)}) if r.evidence else r
            for r in reasons]


def linked_shown(s: Session, user: User, items: list[QueueItem]) -> list[QueueItem]:
    """Queue rows with the links the viewer may not see taken out of `linked_reports` and counted by holder."""
    if user.is_hub:
        return items
    by_subject = _shown(user, store_reports.subject_members(s, {i.subject for i in items if i.subject}))
    if all(not x.elsewhere for x in by_subject.values()):
        return items
    agencies = access.list_agencies(s)
    out = []
    for item in items:
        shown = by_subject.get(item.subject or "")
        if shown is None or not shown.elsewhere:
            out.append(item)
            continue
        linked = [x for x in item.linked_reports or () if x in shown.visible_ids]
        hidden_ids = {p.source_id for p in shown.elsewhere} - shown.visible_ids
        out.append(item.model_copy(update={
            "linked_reports": linked, "linked_elsewhere": _elsewhere(agencies, shown.elsewhere),
            "reasons": _redacted(item.reasons, hidden_ids) if item.reasons is not None else None}))
    return out


def _links_shown(s: Session, user: User, stored: StoredReport) -> StoredReport:
    if user.is_hub:
        return stored
    own = key_of(stored)
    members = store_reports.subject_members(s, [stored.subject]) if stored.subject else []
    ends = {k for link in stored.links for k in (link.report_a, link.report_b)}
    placed = {m.report_key: m for m in members}
    placed.update(store_reports.placed(s, ends - set(placed)))
    seen = {k for k, p in placed.items() if user.may_see(p.country, p.authority)} | {own}
    shown = _shown(user, members).get(stored.subject or "", _Shown(set(), set(), []))
    hidden = [p for k, p in placed.items() if k not in seen]
    hidden_ids = {p.source_id for p in hidden} - shown.visible_ids
    triage = stored.triage
    if triage is not None and hidden_ids:
        triage = triage.model_copy(update={"reasons": tuple(_redacted(triage.reasons, hidden_ids))})
    return replace(
        stored,
        triage=triage,
        linked_reports=tuple(x for x in stored.linked_reports if x in shown.visible_ids),
        links=tuple(link for link in stored.links if link.report_a in seen and link.report_b in seen),
        linked_elsewhere=tuple(_elsewhere(access.list_agencies(s), hidden)) if hidden else (),
    )


# -- work on a report ---------------------------------------------------------------------------------------------

def colleagues(s: Session, user: User, stored: StoredReport | None = None) -> list[str]:
    """Active users a report (or, without one, the user's queue) may be assigned to."""
    if stored is None:
        rows = access.list_users(s, None if user.is_hub else user.agency)
        return [u.username for u, active in rows if active]
    return [u.username for u, active in access.list_users(s) if active and may_see(u, stored)]


def assign(s: Session, user: User, report_id: str, username: str | None) -> StoredReport:
    """Assign a report to a user of an agency that may see it; audited."""
    require(user, "decide")
    stored = visible(s, user, report_id)
    if username:
        target = access.active_user(s, username)
        if target is None or not may_see(target, stored):
            raise InputRejected(f"{username!r} is not an active user who may see this report")
    now = datetime.now(UTC)
    work.assign(s, key_of(stored), username, now)
    audit.record(s, user.username, "assign", key_of(stored), username or "(nobody)", now)
    return stored


def override_route(s: Session, user: User, report_id: str, country: str, authority: str | None, reason: str,
                   tables: RoutingTables) -> StoredReport:
    """An analyst's routing decision: applied now, kept for every later processing, audited with its reason.
    Returns the report as routed now."""
    require(user, "decide")
    stored = visible(s, user, report_id)
    if stored.route is None:
        raise InputRejected("this report has not been routed yet: run `lanzarote process` first")
    now = datetime.now(UTC)
    chosen = RouteOverride(country=country.upper(), authority=authority or None, reason=reason.strip(),
                           decided_by=user.username, decided_at=now)
    work.save_override(s, key_of(stored), chosen, overridden(stored.route, chosen, tables))
    audit.record(s, user.username, "route", key_of(stored),
                 f"{stored.route.country or '?'} -> {chosen.country} {chosen.authority or ''}: {chosen.reason}", now)
    return store_reports.get_report(s, key_of(stored))
