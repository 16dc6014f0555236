"""Subjects and their links, and the suggestions analysts confirm or reject."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from sqlalchemy.orm import Session

from lanzarote.api.context import CurrentUser, Db, require, visible
from lanzarote.api.reports import Cursor, key_of
from lanzarote.errors import InvalidQuery
from lanzarote.model.linking import Suggestion, SuggestionStatus
from lanzarote.pipeline.suggestions import record_decision
from lanzarote.store import audit, work
from lanzarote.store import subjects as store_subjects
from lanzarote.store.access import User
from lanzarote.store.subjects import SubjectView

router = APIRouter(prefix="/api/v1")
PAGE = 50


def subject_for(s: Session, user: User, subject_id: str) -> SubjectView:
    """A subject as the user's agency may see it (reports of other agencies are counted, not shown); audited."""
    view = store_subjects.subject(s, subject_id, user.scope)
    audit.record(s, user.username, "read", f"subject/{subject_id}", f"{len(view.reports)} reports",
                 datetime.now(UTC))
    return view


@router.get("/subjects/{subject_id}", tags=["subjects"])
def api_subject(subject_id: str, s: Db, user: CurrentUser) -> dict[str, Any]:
    """A subject's reports, the links between them with the identifiers that made each, and its suggestions."""
    view = subject_for(s, user, subject_id)
    return {
        "subject": view.subject_id, "reports": [r.model_dump(mode="json") for r in view.reports],
        "links": [link.model_dump(mode="json") for link in view.links],
        "suggestions": [x.model_dump(mode="json") for x in view.suggestions], "reports_not_shown": view.hidden,
    }


def _cursor(after: Suggestion) -> str:
    raw = json.dumps([after.probability, after.report_a, after.report_b]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _after(cursor: str) -> tuple[float, str, str]:
    try:
        p, a, b = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if not (isinstance(a, str) and isinstance(b, str) and 0.0 <= float(p) <= 1.0):  # a probability
            raise ValueError(cursor)
        return float(p), a, b
    except (ValueError, TypeError, OverflowError) as exc:
        raise InvalidQuery("this cursor is not one this list gave out: start again from the first page") from exc


@router.get("/suggestions", tags=["subjects"])
def api_suggestions(s: Db, user: CurrentUser, status: SuggestionStatus | None = SuggestionStatus.OPEN,
                    cursor: Cursor = None) -> dict[str, Any]:
    """Possible links from weak evidence (most probable first), both of whose reports the user may see."""
    items = store_subjects.suggestions_page(s, user.scope, status, limit=PAGE + 1,
                                            after=_after(cursor) if cursor else None)
    more = len(items) > PAGE
    items = items[:PAGE]
    return {"items": [x.model_dump(mode="json") for x in items],
            "next_cursor": _cursor(items[-1]) if more and items else None}


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


@router.post("/suggestions/confirm", tags=["subjects"])
def api_confirm(s: Db, user: CurrentUser, report_a: Annotated[str, Query(max_length=300)],
                report_b: Annotated[str, Query(max_length=300)]) -> dict[str, Any]:
    """The two reports' people are one: their subjects merge and the link says who confirmed it and why."""
    return decide(s, user, report_a, report_b, True).model_dump(mode="json")


@router.post("/suggestions/reject", tags=["subjects"])
def api_reject(s: Db, user: CurrentUser, report_a: Annotated[str, Query(max_length=300)],
               report_b: Annotated[str, Query(max_length=300)]) -> dict[str, Any]:
    """Not the same person: the pair is never suggested again."""
    return decide(s, user, report_a, report_b, False).model_dump(mode="json")
