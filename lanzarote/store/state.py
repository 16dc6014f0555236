"""What the stages concluded about each report, and the identifier index linking works against.

The pipeline reads stale reports in batches, hands them to the stages, and writes back one `ReportState` per
report; identifiers are kept per report so that a new batch links against history with an indexed lookup instead
of recomputing it.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from pydantic import TypeAdapter
from sqlalchemy import bindparam, delete, func, insert, or_, select, update
from sqlalchemy.orm import Session

from lanzarote.errors import NotFound
from lanzarote.model.jurisdiction import Route
from lanzarote.model.linking import Identifier, Link, Suggestion, SuggestionStatus
from lanzarote.model.media import FileVerdict
from lanzarote.model.priority import Reason, Triage
from lanzarote.store import schema
from lanzarote.store.bulk import insert_many, update_many
from lanzarote.store.reports import as_utc

_VERDICTS = TypeAdapter(tuple[FileVerdict, ...])
_IDENTIFIERS = TypeAdapter(tuple[Identifier, ...])


class StoredRoute(NamedTuple):
    """What the store keeps of a route: the country and authority the queue filters on, and the whole route as
    JSON. Made where the route is resolved, so that it travels between processes as the text it is stored as."""

    country: str | None
    authority: str | None
    document: str

    @classmethod
    def of(cls, route: Route) -> StoredRoute:
        return cls(route.country, route.authority or route.national_unit, route.model_dump_json())


@dataclass(frozen=True)
class ReportState:
    report_key: str
    verdicts: tuple[FileVerdict, ...] | None
    route: StoredRoute | None
    triage: Triage | None
    subject_id: str | None
    linked_reports: tuple[str, ...]
    provider: str | None = None
    incident_type: str | None = None


class StoredSighting(NamedTuple):
    report_key: str
    kind: str
    value: str
    at: datetime | None
    proxy: bool
    strong: bool
    account: str | None = None


def stale_keys(session: Session, limit: int, *, after: str | None = None, everything: bool = False) -> list[str]:
    """The next reports to process, in key order (all of them when re-running a stage over history)."""
    s = schema.report_state
    query = select(s.c.report_key).order_by(s.c.report_key).limit(limit)
    if not everything:
        query = query.where(s.c.stale.is_(True))
    if after is not None:
        query = query.where(s.c.report_key > after)
    return [k for (k,) in session.execute(query)]


class CountedMatch(NamedTuple):
    """A file of a settled report whose match with a list entry is trusted (counted, not flood-flagged)."""

    report_key: str
    file_id: str
    list_name: str
    entry_id: str


def counted_matches(session: Session) -> Iterator[tuple[str, str, str, str]]:
    """Every trusted match of the settled reports as their stored verdicts say, (report key, file id, list name,
    entry id) in that order (streamed, a part at a time: fetched row by row, the 70,000 rows of a 50 k store took
    a run half a second): what a run starts its flood counts from."""
    m = schema.match_counts
    query = select(m.c.report_key, m.c.file_id, m.c.list_name, m.c.entry_id).order_by(
        m.c.report_key, m.c.file_id, m.c.list_name, m.c.entry_id).execution_options(yield_per=20_000)
    for part in session.execute(query).partitions():
        yield from part


def counted_in(states: Iterable[ReportState]) -> set[CountedMatch]:
    """The trusted matches these states' verdicts hold."""
    return {CountedMatch(st.report_key, v.file_id, m.list_name, m.entry_id)
            for st in states for v in st.verdicts or () for m in v.matches if not m.flood_flagged}


def count_stale(session: Session) -> int:
    s = schema.report_state
    return int(session.execute(select(func.count()).select_from(s).where(s.c.stale.is_(True))).scalar_one())


def count_all(session: Session) -> int:
    return int(session.execute(select(func.count()).select_from(schema.report_state)).scalar_one())


def save(session: Session, states: Sequence[ReportState], now: datetime) -> None:
    """Write what the stages concluded, and the trusted matches of their verdicts (`schema.match_counts`); the
    reports are no longer stale (one statement for the whole batch)."""
    if not states:
        return
    rows = []
    for st in states:
        triage = st.triage
        rows.append({
            "report_key": st.report_key,
            "stale": False,
            "tier": triage.tier.value if triage else None,
            "tier_rank": schema.TIER_RANK[triage.tier.value] if triage else schema.TIER_RANK_UNRANKED,
            "score": triage.score if triage else None,
            "rules_version": triage.rules_version if triage else None,
            "country": st.route.country if st.route else None,
            "authority": st.route.authority if st.route else None,
            "subject_id": st.subject_id,
            "verdicts": _VERDICTS.dump_json(st.verdicts).decode() if st.verdicts is not None else None,
            "route": st.route.document if st.route else None,
            "triage": triage.model_dump_json() if triage else None,
            "linked_reports": json.dumps(list(st.linked_reports)),
            "processed_at": now,
            "provider": st.provider,
            "incident_type": st.incident_type,
        })
    update_many(session, schema.report_state, "report_key", rows)
    m = schema.match_counts  # the flood counts follow the verdicts, in the same transaction
    session.execute(delete(m).where(m.c.report_key.in_(sorted(st.report_key for st in states))))
    insert_many(session, m, [c._asdict() for c in sorted(counted_in(states))])


def mark_stale(session: Session, keys: Collection[str]) -> None:
    if keys:
        s = schema.report_state
        session.execute(update(s).where(s.c.report_key.in_(sorted(keys))).values(stale=True))


def replace_identifiers(session: Session, keys: Collection[str], sightings: Iterable[StoredSighting]) -> None:
    """The identifiers of these reports, replacing what an earlier version of them had."""
    i = schema.identifiers
    if keys:
        session.execute(delete(i).where(i.c.report_key.in_(sorted(keys))))
    rows = [
        {"report_key": x.report_key, "kind": x.kind, "value": x.value, "at": x.at, "proxy": x.proxy,
         "strong": x.strong, "account": x.account}
        for x in sightings
    ]
    insert_many(session, i, rows)


def sightings_of(session: Session, identifiers: Collection[tuple[str, str]]) -> list[StoredSighting]:
    """Every stored sighting of these (kind, value) identifiers (one indexed lookup per thousand values)."""
    if not identifiers:
        return []
    i = schema.identifiers
    wanted = set(identifiers)
    values = sorted({v for _, v in wanted})
    query = select(i.c.report_key, i.c.kind, i.c.value, i.c.at, i.c.proxy, i.c.strong, i.c.account).where(
        i.c.value.in_(bindparam("values", expanding=True))
    )
    out: list[StoredSighting] = []
    for start in range(0, len(values), 1000):
        rows = session.execute(query, {"values": values[start : start + 1000]})
        out.extend(
            StoredSighting(key, kind, value, as_utc(at), proxy, strong, account)
            for key, kind, value, at, proxy, strong, account in rows
            if (kind, value) in wanted
        )
    return out


def stored_keys(session: Session, keys: Collection[str]) -> set[str]:
    """Which of these report keys are stored (any version)."""
    r = schema.reports
    found: set[str] = set()
    ordered = sorted(set(keys))
    for start in range(0, len(ordered), 1000):
        query = select(r.c.report_key).where(r.c.report_key.in_(ordered[start:start + 1000])).distinct()
        found.update(session.execute(query).scalars())
    return found


def save_links(session: Session, links: Sequence[Link]) -> None:
    """Store links (a link already stored is updated with the identifiers now seen)."""
    if not links:
        return
    lk = schema.links
    keys = sorted({link.report_a for link in links})
    existing = {
        (r.report_a, r.report_b)
        for r in session.execute(select(lk.c.report_a, lk.c.report_b).where(lk.c.report_a.in_(keys)))
    }
    rows = [{"report_a": link.report_a, "report_b": link.report_b,
             "identifiers": _IDENTIFIERS.dump_json(link.identifiers).decode()} for link in links]
    new = [r for r in rows if (r["report_a"], r["report_b"]) not in existing]
    old = [{"b_a": r["report_a"], "b_b": r["report_b"], "b_ids": r["identifiers"]} for r in rows
           if (r["report_a"], r["report_b"]) in existing]
    insert_many(session, lk, new)
    if old:
        statement = update(lk).where(lk.c.report_a == bindparam("b_a"), lk.c.report_b == bindparam("b_b"))
        session.connection().execute(statement.values(identifiers=bindparam("b_ids")), old)


def unlink(session: Session, identifiers: Collection[tuple[str, str]]) -> set[str]:
    """Take these (kind, value) identifiers out of the stored links (they have just stopped linking: held); a link
    left with no identifier is deleted. Returns the reports of the links changed."""
    wanted = set(identifiers)
    if not wanted:
        return set()
    i, lk = schema.identifiers, schema.links
    holders = {r.report_key for r in session.execute(
        select(i.c.report_key, i.c.kind, i.c.value).where(i.c.value.in_(sorted({v for _, v in wanted}))))
        if (r.kind, r.value) in wanted}
    touched: set[str] = set()
    for link in links_of(session, holders):
        kept = tuple(x for x in link.identifiers if (x.kind.value, x.value) not in wanted)
        if len(kept) == len(link.identifiers):
            continue
        touched.update((link.report_a, link.report_b))
        where = (lk.c.report_a == link.report_a, lk.c.report_b == link.report_b)
        if kept:
            session.execute(update(lk).where(*where).values(identifiers=_IDENTIFIERS.dump_json(kept).decode()))
        else:
            session.execute(delete(lk).where(*where))
    return touched


def held_counts(session: Session, identifiers: Collection[tuple[str, str]]) -> dict[tuple[str, str], tuple[int, int]]:
    """For each (kind, value) identifier: in how many stored reports it is seen, and with how many accounts."""
    wanted = set(identifiers)
    if not wanted:
        return {}
    i = schema.identifiers
    query = (select(i.c.kind, i.c.value, func.count(i.c.report_key.distinct()), func.count(i.c.account.distinct()))
             .where(i.c.value.in_(sorted({v for _, v in wanted}))).group_by(i.c.kind, i.c.value))
    return {(kind, value): (int(reports), int(accounts)) for kind, value, reports, accounts in session.execute(query)
            if (kind, value) in wanted}


def save_held(session: Session, held: Iterable[tuple[str, str, str, int]]) -> None:
    """Identifiers that stopped linking (kind, value, why, how many reports), listed for review."""
    h = schema.held_identifiers
    for kind, value, reason, reports in held:
        done = session.execute(
            update(h).where(h.c.kind == kind, h.c.value == value).values(reason=reason, reports=reports)
        )
        if done.rowcount == 0:  # type: ignore[attr-defined]
            session.execute(insert(h).values(kind=kind, value=value, reason=reason, reports=reports))


def held(session: Session) -> list[tuple[str, str, str, int]]:
    h = schema.held_identifiers
    rows = session.execute(select(h.c.kind, h.c.value, h.c.reason, h.c.reports).order_by(h.c.reports.desc()))
    return [(r.kind, r.value, r.reason, r.reports) for r in rows]


def links_of(session: Session, keys: Collection[str]) -> list[Link]:
    if not keys:
        return []
    lk = schema.links
    ks = sorted(keys)
    rows = session.execute(select(lk).where(or_(lk.c.report_a.in_(ks), lk.c.report_b.in_(ks))))
    return [Link(report_a=r.report_a, report_b=r.report_b, identifiers=_IDENTIFIERS.validate_json(r.identifiers))
            for r in rows]


def subjects_of(session: Session, keys: Collection[str]) -> dict[str, str | None]:
    if not keys:
        return {}
    s = schema.report_state
    rows = session.execute(select(s.c.report_key, s.c.subject_id).where(s.c.report_key.in_(sorted(keys))))
    return {r.report_key: r.subject_id for r in rows}


def set_subjects(session: Session, subjects: Mapping[str, str | None]) -> set[str]:
    """Give reports their subject; returns the reports whose subject changed (their context changed too)."""
    current = subjects_of(session, subjects.keys())
    changed = {k for k, v in subjects.items() if k in current and current[k] != v}
    update_many(session, schema.report_state, "report_key",
                [{"report_key": key, "subject_id": subjects[key]} for key in sorted(changed)])
    return changed


def members(session: Session, subject_ids: Collection[str]) -> dict[str, list[tuple[str, str]]]:
    """Each subject's reports as (report key, source id)."""
    if not subject_ids:
        return {}
    s = schema.report_state
    rows = session.execute(
        select(s.c.subject_id, s.c.report_key, s.c.source_id)
        .where(s.c.subject_id.in_(sorted(subject_ids)))
        .order_by(s.c.report_key)
    )
    out: dict[str, list[tuple[str, str]]] = {}
    for r in rows:
        out.setdefault(r.subject_id, []).append((r.report_key, r.source_id))
    return out


def reasons_of(session: Session, keys: Collection[str]) -> dict[str, tuple[Reason, ...]]:
    """The stored triage reasons of these reports (for a subject's shared context)."""
    if not keys:
        return {}
    s = schema.report_state
    rows = session.execute(select(s.c.report_key, s.c.triage).where(s.c.report_key.in_(sorted(keys))))
    return {r.report_key: Triage.model_validate_json(r.triage).reasons for r in rows if r.triage}


def save_suggestions(session: Session, found: Sequence[Suggestion]) -> int:
    """Store new suggestions; a pair already stored keeps its status (an analyst's decision is never overwritten)."""
    if not found:
        return 0
    sg = schema.suggestions
    existing = {(r.report_a, r.report_b) for r in session.execute(
        select(sg.c.report_a, sg.c.report_b).where(sg.c.report_a.in_(sorted({x.report_a for x in found}))))}
    new = [{"report_a": x.report_a, "report_b": x.report_b, "probability": x.probability,
            "evidence": json.dumps(list(x.evidence)), "status": x.status.value}
           for x in found if (x.report_a, x.report_b) not in existing]
    if new:
        session.execute(insert(sg), new)
    return len(new)


def suggestions(session: Session, status: SuggestionStatus | None = None) -> list[Suggestion]:
    sg = schema.suggestions
    query = select(sg).order_by(sg.c.probability.desc(), sg.c.report_a, sg.c.report_b)
    if status is not None:
        query = query.where(sg.c.status == status.value)
    return [Suggestion(report_a=r.report_a, report_b=r.report_b, probability=r.probability,
                       evidence=tuple(json.loads(r.evidence)), status=SuggestionStatus(r.status))
            for r in session.execute(query)]


def decisions(session: Session) -> dict[tuple[str, str], SuggestionStatus]:
    sg = schema.suggestions
    rows = session.execute(select(sg.c.report_a, sg.c.report_b, sg.c.status).where(sg.c.status != "open"))
    return {(r.report_a, r.report_b): SuggestionStatus(r.status) for r in rows}


def decide(session: Session, report_a: str, report_b: str, status: SuggestionStatus, by: str,
           now: datetime) -> Suggestion:
    """Record an analyst's decision on a suggestion; raises NotFound for an unknown pair."""
    a, b = sorted((report_a, report_b))
    sg = schema.suggestions
    done = session.execute(update(sg).where(sg.c.report_a == a, sg.c.report_b == b)
                           .values(status=status.value, decided_by=by, decided_at=now))
    if done.rowcount == 0:  # type: ignore[attr-defined]
        raise NotFound(f"no suggestion links {a} and {b}")
    row = session.execute(select(sg).where(sg.c.report_a == a, sg.c.report_b == b)).one()
    return Suggestion(report_a=a, report_b=b, probability=row.probability, evidence=tuple(json.loads(row.evidence)),
                      status=status)
