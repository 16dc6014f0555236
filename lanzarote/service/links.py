"""Subjects and their links, and the suggestions analysts confirm or reject, under need-to-know."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.orm import Session

from lanzarote.errors import AccessDenied
from lanzarote.model.linking import Suggestion, SuggestionStatus
from lanzarote.pipeline.suggestions import record_decision
from lanzarote.service.actors import require, visible
from lanzarote.service.reports import key_of, trail
from lanzarote.store import audit, work
from lanzarote.store import state as store_state
from lanzarote.store import subjects as store_subjects
from lanzarote.store.access import User
from lanzarote.store.subjects import SubjectView

__all__ = ["SubjectView"]


def subject(s: Session, user: User, subject_id: str, channel: str) -> SubjectView:
    """A subject as the user's agency may see it (reports of other agencies are counted, not shown); audited."""
    view = store_subjects.subject(s, subject_id, user.scope)
    trail(s, user, "read", f"subject/{subject_id}", f"{channel} {len(view.reports)} reports")
    return view


def suggestions(s: Session, user: User, status: SuggestionStatus | None, limit: int,
                after: tuple[float, str, str] | None, channel: str) -> list[Suggestion]:
    """Possible links (most probable first) both of whose reports the user may see; the disclosure audited."""
    items = store_subjects.suggestions_page(s, user.scope, status, limit=limit, after=after)
    trail(s, user, "list", "suggestions", f"{channel} {len(items)} suggestions status={status or 'any'}")
    return items


def suggestions_for(s: Session, user: User, keys: set[str]) -> list[Suggestion]:
    """The suggestions touching these reports (already read by the caller) whose other side the user may see."""
    return store_subjects.suggestions_for(s, keys, user.scope)


def decide(s: Session, user: User, report_a: str, report_b: str, confirm: bool) -> Suggestion:
    """Confirm or reject a suggestion between two reports the user may see; audited, first action stamped."""
    require(user, "decide")
    a, b = (key_of(visible(s, user, r)) for r in (report_a, report_b))
    now = datetime.now(UTC)
    status = SuggestionStatus.CONFIRMED if confirm else SuggestionStatus.REJECTED
    first, second = sorted((a, b))
    decision = record_decision(s, first, second, status, user.username, now)
    for key in (a, b):
        work.mark_acted(s, key, now)
    audit.record(s, user.username, status.value, f"{decision.report_a} {decision.report_b}",
                 f"p={decision.probability:.3f}", now)
    return decision


def held(s: Session, user: User) -> list[tuple[str, str, str, int]]:
    """Identifiers that stopped linking (kind, value, why, how many reports): the hub's review; audited, since the
    values are identifiers out of reports."""
    require(user, "decide")
    if not user.is_hub:
        raise AccessDenied("identifiers held from linking span every agency: the hub reviews them")
    rows = store_state.held(s)
    trail(s, user, "list", "held_identifiers", f"{len(rows)} identifiers")
    return rows
