"""Deconfliction over HTTP: the node-to-node endpoints (signed bodies only, signed answers) and the analysts' view
of hits, planned actions and the node's status."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from lanzarote import config
from lanzarote.api.context import Ctx, CurrentUser, Db
from lanzarote.coordination.deconfliction.transport import CONTENT_TYPE
from lanzarote.errors import InputRejected
from lanzarote.service import deconfliction as service
from lanzarote.service.actors import require

router = APIRouter(prefix="/api/v1", tags=["deconfliction"])


async def _signed_body(request: Request) -> bytes:
    limit = int(config.get("max_document_bytes"))
    data = bytearray()
    async for chunk in request.stream():
        data += chunk
        if len(data) > limit:
            raise InputRejected(f"the message is larger than {limit:,} bytes (max_document_bytes)")
    return bytes(data)


@router.post("/node/oprf", response_class=Response)
async def node_oprf(request: Request, ctx: Ctx) -> Response:
    """A unit's signed batch of blinded points, evaluated with the hub's OPRF key (rate-limited, audited)."""
    status, body = await run_in_threadpool(service.oprf_query, ctx.engine, await _signed_body(request))
    return Response(body, status_code=status, media_type=CONTENT_TYPE)


@router.post("/node/messages", response_class=Response)
async def node_messages(request: Request, ctx: Ctx) -> Response:
    """A peer's signed message (tokens, names, a planned action, a hit, a conflict); a signed answer."""
    status, body = await run_in_threadpool(service.receive, ctx.engine, await _signed_body(request))
    return Response(body, status_code=status, media_type=CONTENT_TYPE)


@router.get("/node/status")
def node_status(s: Db, user: CurrentUser) -> dict[str, Any]:
    """This node, its peers, the outbox's backlog, identifiers waiting, the last refusals (administrators)."""
    require(user, "administer")
    return service.status(s, user)


@router.get("/deconfliction/hits")
def hits(s: Db, user: CurrentUser) -> list[dict[str, Any]]:
    """Hits (and name suggestions) on reports the user may see: which agency, its reference, which kind, since."""
    return [h.as_json() for h in service.hits(s, user, "api")]


class MarkRequest(BaseModel):
    status: Literal["new", "contacted", "same_person", "not_same"]


@router.post("/deconfliction/hits/{hit_id}/mark")
def mark(hit_id: str, s: Db, user: CurrentUser, body: MarkRequest) -> dict[str, Any]:
    """Mark a hit: contacted, same person, not the same."""
    return service.mark(s, user, hit_id, body.status).as_json()


class ActionRequest(BaseModel):
    kind: Literal["search", "arrest", "undercover"]
    starts: datetime
    ends: datetime
    place: str = Field(max_length=100, description="LAT,LON in decimal degrees")
    subject: str | None = Field(default=None, max_length=40)


@router.post("/deconfliction/actions")
def plan(s: Db, user: CurrentUser, body: ActionRequest) -> dict[str, str]:
    """Plan a search, arrest or undercover contact; checked against other agencies' at the next sync."""
    return {"reference": service.plan_action(s, user, body.kind, body.starts, body.ends, body.place, body.subject)}


@router.get("/deconfliction/actions")
def planned(s: Db, user: CurrentUser) -> dict[str, Any]:
    """This node's planned actions and the conflicts found with other agencies'."""
    return service.planned(s, user)
