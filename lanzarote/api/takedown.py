"""Notice and takedown over HTTP: upload URL reports, route them, follow notices to removal, export a marked
blocklist and read the statistics. No URL is ever fetched."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, UploadFile
from fastapi.encoders import jsonable_encoder
from fastapi.responses import Response
from pydantic import BaseModel, Field

from lanzarote.api.context import Ctx, CurrentUser, Db
from lanzarote.api.packages import read_upload
from lanzarote.service import takedown as service

router = APIRouter(prefix="/api/v1", tags=["takedown"])


class StepRequest(BaseModel):
    state: service.NoticeState
    at: datetime | None = Field(default=None, description="When the recipient said so (default: now)")
    note: str = Field(default="", max_length=5000)
    moved_to: str | None = Field(default=None, max_length=4096, description="Where moved content went")


@router.post("/takedown/import")
def api_import(upload: UploadFile, ctx: Ctx, user: CurrentUser,
               hotline: Annotated[str | None, Query(max_length=60)] = None) -> dict[str, object]:
    """Take in URL reports (.json, .jsonl or a hotline's .csv export); unreadable records are quarantined."""
    return service.import_document(ctx.engine, user, upload.filename or "upload", read_upload(upload),
                                   hotline).as_dict()


@router.post("/takedown/route")
def api_route(ctx: Ctx, user: CurrentUser) -> dict[str, int]:
    """Route every URL report not routed yet; notices go out where the directive says."""
    return service.route(ctx.engine, user).as_dict()


@router.get("/takedown/notices")
def api_notices(s: Db, user: CurrentUser, state: Annotated[str | None, Query(max_length=20)] = None,
                country: Annotated[str | None, Query(max_length=2)] = None,
                limit: Annotated[int, Query(ge=1, le=1000)] = 200,
                offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0) -> dict[str, Any]:
    """Notices the user may see, newest first; audited."""
    rows, total = service.notices(s, user, state, country, limit, offset)
    return {"total": total, "notices": jsonable_encoder(rows)}


@router.get("/takedown/notices/{notice_id}")
def api_notice(notice_id: str, s: Db, user: CurrentUser) -> dict[str, Any]:
    """A notice: its report, hosting evidence, directive, timeline and clocks; audited."""
    return jsonable_encoder(service.notice(s, user, notice_id))  # type: ignore[no-any-return]


@router.post("/takedown/notices/{notice_id}/steps")
def api_step(notice_id: str, s: Db, user: CurrentUser, body: StepRequest) -> dict[str, Any]:
    """Record the notice's next step (acknowledged, removed, not_removed, moved); audited."""
    view = service.record(s, user, notice_id, body.state, body.at, body.note, body.moved_to)
    return jsonable_encoder(view)  # type: ignore[no-any-return]


@router.get("/takedown/blocklist")
def api_blocklist(s: Db, user: CurrentUser, to: Annotated[str, Query(min_length=1, max_length=200)],
                  format: Annotated[str, Query(description="csv, json or txt")] = "csv",
                  tlp: service.Tlp = service.Tlp.AMBER_STRICT) -> Response:
    """The URLs still online for one named operator to block, under the blocklist's markings; audited."""
    done = service.blocklist(s, user, to, format, service.blocklist_markings(tlp))
    return Response(done.content, media_type=done.media_type,
                    headers={"Content-Disposition": f'attachment; filename="{done.filename}"'})


@router.get("/takedown/stats")
def api_stats(s: Db, user: CurrentUser, overall: bool = False,
              format: Annotated[str, Query(description="json or csv")] = "json") -> Any:
    """Reports, illegal share, time to removal (median, p90) per hosting country and month."""
    rows = service.stats(s, user, not overall)
    if format == "csv":
        return Response(service.stats_csv(rows), media_type="text/csv; charset=utf-8")
    return [r.as_dict() for r in rows]


@router.post("/takedown/networks")
def api_networks(upload: UploadFile, s: Db, user: CurrentUser) -> dict[str, object]:
    """Replace the unit's network table with a CSV (administrators)."""
    count, version = service.load_networks(s, user, read_upload(upload))
    return {"networks": count, "version": version}


@router.get("/takedown/quarantine")
def api_quarantine(s: Db, user: CurrentUser, limit: Annotated[int, Query(ge=1, le=1000)] = 200
                   ) -> list[dict[str, Any]]:
    """URL reports that could not be taken in, with the reason; audited."""
    return jsonable_encoder(service.quarantined(s, user, limit))  # type: ignore[no-any-return]
