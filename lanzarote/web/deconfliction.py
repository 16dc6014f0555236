"""The deconfliction pages: the hits (and name suggestions) with their marking, the node's backlog, planned actions
and their conflicts. The subject page and the queue show a subject's status through `service.deconfliction`."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from lanzarote.api.context import Ctx, CurrentUser, Db, csrf_ok
from lanzarote.errors import InputRejected, NotFound
from lanzarote.service import deconfliction as service
from lanzarote.web.views import Csrf, back, render

router = APIRouter(include_in_schema=False)


@router.get("/deconfliction", response_class=HTMLResponse)
def page(request: Request, s: Db, user: CurrentUser) -> Response:
    node: dict[str, Any] | None = None
    actions: dict[str, Any] | None = None
    try:
        node = service.status(s, user)
        if user.may("decide") and node["node"]["role"] == "unit":
            actions = service.planned(s, user)
    except NotFound:
        node = None
    return render(request, "deconfliction.html", user, node=node, hits=service.hits(s, user, "web"),
                  actions=actions)


@router.post("/deconfliction/hits/{hit_id}/mark")
def mark(request: Request, hit_id: str, s: Db, ctx: Ctx, user: CurrentUser, csrf: Csrf,
         status: Annotated[str, Form(max_length=20)], back_to: Annotated[str, Form(max_length=300)] = "/deconfliction"
         ) -> Response:
    csrf_ok(request, ctx, csrf)
    service.mark(s, user, hit_id, status)
    return back(back_to)


@router.post("/deconfliction/actions")
def plan(request: Request, s: Db, ctx: Ctx, user: CurrentUser, csrf: Csrf,
         kind: Annotated[str, Form(max_length=20)], starts: Annotated[str, Form(max_length=30)],
         ends: Annotated[str, Form(max_length=30)], place: Annotated[str, Form(max_length=100)],
         zone: Annotated[str, Form(max_length=6)] = "+00:00", subject: Annotated[str, Form(max_length=40)] = ""
         ) -> Response:
    csrf_ok(request, ctx, csrf)
    try:
        start, end = (datetime.fromisoformat(f"{t}{zone}") for t in (starts, ends))
    except ValueError:
        raise InputRejected("give the times as YYYY-MM-DDTHH:MM and the zone as +HH:MM") from None
    service.plan_action(s, user, kind, start, end, place, subject or None)
    return back("/deconfliction")
