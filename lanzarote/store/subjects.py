"""Subjects as analysts see them: a subject's reports, the links between them, and the suggestions around them."""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session, aliased

from lanzarote.errors import NotFound
from lanzarote.model.linking import Link, Suggestion, SuggestionStatus
from lanzarote.model.queue import QueueItem
from lanzarote.store import schema
from lanzarote.store.access import Scope
from lanzarote.store.reports import queue_item
from lanzarote.store.state import links_of

MAX_MEMBERS = 500
"""A subject page draws at most this many reports (a larger one is a linking problem to look at, not to draw)."""


@dataclass(frozen=True)
class SubjectView:
    subject_id: str
    reports: list[QueueItem]
    links: list[Link]
    suggestions: list[Suggestion]
    hidden: int
    """Reports of this subject outside the viewer's need-to-know (counted, never shown)."""


def subject(session: Session, subject_id: str, scope: Scope) -> SubjectView:
    """A subject's reports the viewer may see, the links among them and the suggestions touching them."""
    s = schema.report_state
    rows = [r._mapping for r in session.execute(
        select(s).where(s.c.subject_id == subject_id).order_by(s.c.tier_rank, s.c.received_at).limit(MAX_MEMBERS))]
    seen = [r for r in rows if scope.covers(r["country"], r["authority"])]
    if not seen:
        raise NotFound(f"no subject {subject_id!r}")
    keys = {str(r["report_key"]) for r in seen}
    links = [link for link in links_of(session, keys) if link.report_a in keys and link.report_b in keys]
    return SubjectView(subject_id, [queue_item(r) for r in seen], links,
                       suggestions_for(session, keys, scope), len(rows) - len(seen))


def suggestions_for(session: Session, keys: Collection[str], scope: Scope) -> list[Suggestion]:
    """The suggestions touching these reports whose other side the viewer may also see."""
    if not keys:
        return []
    sg = schema.suggestions
    ks = sorted(keys)
    rows = session.execute(select(sg).where(or_(sg.c.report_a.in_(ks), sg.c.report_b.in_(ks)))
                           .order_by(sg.c.probability.desc()))
    found = [_suggestion(r) for r in rows]
    others = {k for x in found for k in (x.report_a, x.report_b)} - set(keys)
    allowed = _covered(session, others, scope) | set(keys)
    return [x for x in found if x.report_a in allowed and x.report_b in allowed]


def _covered(session: Session, keys: Collection[str], scope: Scope) -> set[str]:
    if not keys:
        return set()
    s = schema.report_state
    rows = session.execute(select(s.c.report_key, s.c.country, s.c.authority).where(s.c.report_key.in_(sorted(keys))))
    return {r.report_key for r in rows if scope.covers(r.country, r.authority)}


def _suggestion(r: object) -> Suggestion:
    m = r._mapping  # type: ignore[attr-defined]
    return Suggestion(report_a=m["report_a"], report_b=m["report_b"], probability=m["probability"],
                      evidence=tuple(json.loads(m["evidence"])), status=SuggestionStatus(m["status"]))


def suggestions_page(session: Session, scope: Scope, status: SuggestionStatus | None, *, limit: int,
                     after: tuple[float, str, str] | None = None) -> list[Suggestion]:
    """Suggestions both of whose reports the viewer may see, most probable first, after a (probability, a, b)."""
    sg, a, b = schema.suggestions, aliased(schema.report_state), aliased(schema.report_state)
    query = (select(sg).join(a, a.c.report_key == sg.c.report_a).join(b, b.c.report_key == sg.c.report_b)
             .order_by(sg.c.probability.desc(), sg.c.report_a, sg.c.report_b).limit(limit))
    if status is not None:
        query = query.where(sg.c.status == status.value)
    if scope.country is not None:
        query = query.where(a.c.country == scope.country, b.c.country == scope.country)
        if scope.authority is not None:
            query = query.where(a.c.authority == scope.authority, b.c.authority == scope.authority)
    if after is not None:
        p, ka, kb = after
        query = query.where(or_(sg.c.probability < p, and_(sg.c.probability == p, or_(
            sg.c.report_a > ka, and_(sg.c.report_a == ka, sg.c.report_b > kb)))))
    return [_suggestion(r) for r in session.execute(query)]
