"""Subjects and their links, and the suggestions analysts confirm or reject."""

from __future__ import annotations

import base64
import json
from typing import Annotated, Any

from fastapi import APIRouter, Query

from lanzarote.api.context import CurrentUser, Db
from lanzarote.api.reports import Cursor
from lanzarote.errors import InvalidQuery
from lanzarote.model.linking import Suggestion, SuggestionStatus
from lanzarote.service import links as service

router = APIRouter(prefix="/api/v1")
PAGE = 50


@router.get("/subjects/{subject_id}", tags=["subjects"])
def api_subject(subject_id: str, s: Db, user: CurrentUser) -> dict[str, Any]:
    """A subject's reports, the links between them with the identifiers that made each, and its suggestions."""
    view = service.subject(s, user, subject_id, "api")
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
    items = service.suggestions(s, user, status, PAGE + 1, _after(cursor) if cursor else None, "api")
    more = len(items) > PAGE
    items = items[:PAGE]
    return {"items": [x.model_dump(mode="json") for x in items],
            "next_cursor": _cursor(items[-1]) if more and items else None}


@router.post("/suggestions/confirm", tags=["subjects"])
def api_confirm(s: Db, user: CurrentUser, report_a: Annotated[str, Query(max_length=300)],
                report_b: Annotated[str, Query(max_length=300)]) -> dict[str, Any]:
    """The two reports' people are one: their subjects merge and the link says who confirmed it and why."""
    return service.decide(s, user, report_a, report_b, True).model_dump(mode="json")


@router.post("/suggestions/reject", tags=["subjects"])
def api_reject(s: Db, user: CurrentUser, report_a: Annotated[str, Query(max_length=300)],
               report_b: Annotated[str, Query(max_length=300)]) -> dict[str, Any]:
    """Not the same person: the pair is never suggested again."""
    return service.decide(s, user, report_a, report_b, False).model_dump(mode="json")
