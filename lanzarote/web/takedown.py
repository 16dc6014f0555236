"""The takedown pages: notices and the time to removal per hosting country (drawn on the server), one notice's
timeline with its hosting evidence and directive, and the forms to import, route and record a notice's step.
Reported URLs are shown as text, never as links: nothing on these pages opens one."""

from __future__ import annotations

from datetime import UTC, datetime
from html import escape
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup

from lanzarote.api import takedown as api
from lanzarote.api.context import Ctx, CurrentUser, Db, csrf_ok
from lanzarote.api.packages import read_upload
from lanzarote.errors import InputRejected
from lanzarote.service import takedown as service
from lanzarote.service.takedown import StatRow
from lanzarote.web.views import Csrf, back, render

router = APIRouter(include_in_schema=False)


def removal_chart(rows: list[StatRow], width: int = 640) -> Markup:
    """Per hosting country: a bar to the median time to removal and a tick at the 90th percentile (hours)."""
    timed = [r for r in rows if r.median_hours is not None]
    if not timed:
        return Markup("<p>No removal recorded yet.</p>")
    top = max(r.p90_hours or r.median_hours or 0 for r in timed) or 1.0
    height = 24 * len(timed) + 6
    summary = "; ".join(f"{r.country} median {r.median_hours} h, p90 {r.p90_hours} h" for r in timed)
    parts = [f'<svg class="chart removal" viewBox="0 0 {width} {height}" role="img" '
             f'aria-label="Time to removal per hosting country: {escape(summary)}">']
    for i, r in enumerate(timed):
        y = 4 + i * 24
        median = (r.median_hours or 0) / top * (width - 200)
        p90 = (r.p90_hours or 0) / top * (width - 200)
        parts.append(f'<text x="0" y="{y + 14}" font-size="12">{escape(r.country)}</text>'
                     f'<rect x="60" y="{y}" width="{max(median, 1):.1f}" height="16" fill="#2c6e9e">'
                     f'<title>{escape(r.country)}: median {r.median_hours} h over {r.removed} removals</title></rect>'
                     f'<line x1="{60 + p90:.1f}" x2="{60 + p90:.1f}" y1="{y - 2}" y2="{y + 18}" stroke="#b00020" '
                     f'stroke-width="2"><title>{escape(r.country)}: 90th percentile {r.p90_hours} h</title></line>'
                     f'<text x="{70 + max(median, p90):.1f}" y="{y + 13}" font-size="11">{r.median_hours} h · '
                     f'p90 {r.p90_hours} h</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


@router.get("/takedown", response_class=HTMLResponse)
def takedown_page(request: Request, s: Db, user: CurrentUser, state: str | None = None) -> Response:
    overall, monthly = service.stats_both(s, user)
    rows, total = service.notices(s, user, state or None, None, 200)
    return render(request, "takedown.html", user, overall=overall, monthly=monthly, chart=removal_chart(overall),
                  notices=rows, total=total, state=state or "", states=[x.value for x in service.NoticeState],
                  counts=service.counts(s))


@router.get("/takedown/notices/{notice_id}", response_class=HTMLResponse)
def notice_page(request: Request, notice_id: str, s: Db, user: CurrentUser) -> Response:
    view = service.notice(s, user, notice_id)
    return render(request, "takedown_notice.html", user, n=view, now=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M"))


@router.post("/takedown/notices/{notice_id}/steps")
def step(request: Request, notice_id: str, s: Db, ctx: Ctx, user: CurrentUser, csrf: Csrf,
         state: Annotated[service.NoticeState, Form()], at: Annotated[str, Form(max_length=40)] = "",
         note: Annotated[str, Form(max_length=5000)] = "",
         moved_to: Annotated[str, Form(max_length=4096)] = "") -> Response:
    csrf_ok(request, ctx, csrf)
    try:
        when = datetime.fromisoformat(at) if at else None
    except ValueError:
        raise InputRejected(f"{at!r} is not a date and time") from None
    service.record(s, user, notice_id, state, when, note, moved_to or None)
    return back(f"/takedown/notices/{quote(notice_id)}")


@router.post("/takedown/import")
def import_page(request: Request, upload: UploadFile, ctx: Ctx, user: CurrentUser, csrf: Csrf,
                hotline: Annotated[str, Form(max_length=60)] = "") -> Response:
    csrf_ok(request, ctx, csrf)
    service.import_document(ctx.engine, user, upload.filename or "upload", read_upload(upload), hotline or None)
    return back("/takedown")


@router.post("/takedown/route")
def route_page(request: Request, ctx: Ctx, user: CurrentUser, csrf: Csrf) -> Response:
    csrf_ok(request, ctx, csrf)
    service.route(ctx.engine, user)
    return back("/takedown")


@router.get("/takedown/blocklist")
def blocklist_page(s: Db, user: CurrentUser, to: str, format: str = "csv") -> Response:
    return api.api_blocklist(s, user, to, format)
