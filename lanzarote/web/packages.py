"""The packages pages: build a package from a subject page, send it (download the signed file or another format),
receive a partner's package, record feedback and send it back, and the funnel drawn on the server."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, Response

from lanzarote.api import packages as api
from lanzarote.api.context import Ctx, CurrentUser, Db, csrf_ok
from lanzarote.service import packages as service
from lanzarote.web import svg
from lanzarote.web.views import Csrf, back, render

router = APIRouter(include_in_schema=False)
Text = Annotated[str, Form(max_length=5000)]


@router.get("/packages", response_class=HTMLResponse)
def packages_page(request: Request, s: Db, user: CurrentUser, by: str | None = None) -> Response:
    rows = service.funnel(s, user, by or None)
    charts = [(r.group, svg.funnel(r.steps(), f"Funnel {r.group}")) for r in rows[:24]]
    return render(request, "packages.html", user, packages=service.listing(s, user), rows=rows, charts=charts,
                  by=by or "", groups=("operation", "recipient", "country", "month"),
                  reminders=service.reminders(s, user))


@router.get("/packages/draft", response_class=HTMLResponse)
def draft_page(request: Request, s: Db, user: CurrentUser, subject: Annotated[str, Query(max_length=40)],
               victims: Annotated[str, Query(max_length=3)] = "yes") -> Response:
    """Build a package item by item: every item minimisation allows from the subject's reports, ticked by default;
    the sender unticks what the recipient does not need."""
    found = service.draft(s, user, subject, victims == "yes")
    return render(request, "package_draft.html", user, draft=found, victims=victims == "yes")


@router.post("/packages/build")
def build(request: Request, s: Db, ctx: Ctx, user: CurrentUser, csrf: Csrf,
          subject: Annotated[str, Form(max_length=40)], to: Annotated[str, Form(max_length=40)],
          tlp: Annotated[service.Tlp, Form()], handling: Annotated[service.Handling, Form()],
          source: Annotated[service.SourceReliability, Form()] = service.SourceReliability.B,
          information: Annotated[service.InformationAssessment, Form()] = service.InformationAssessment.TWO,
          handling_text: Text = "", operation: Annotated[str, Form(max_length=200)] = "", summary: Text = "",
          victims: Annotated[str, Form(max_length=3)] = "", picked: Annotated[str, Form(max_length=3)] = "",
          report: Annotated[list[str], Form(max_length=1000)] = [],  # noqa: B006  (FastAPI copies it)
          item: Annotated[list[str], Form(max_length=10_000)] = []) -> Response:  # noqa: B006
    """Build a package: everything minimisation allows, or (`picked`, from the draft page) the ticked reports and
    items only; minimisation applies either way."""
    csrf_ok(request, ctx, csrf)
    markings = service.Markings(tlp=tlp, handling=handling, handling_text=handling_text or None, source=source,
                                information=information)
    selection = service.Selection(victims=victims == "yes")
    if picked == "yes":
        selection = service.Selection(reports=frozenset(report), items=frozenset(item), victims=victims == "yes")
    p = service.from_subject(s, user, subject, to, markings, selection, summary, operation or None)
    return back(f"/packages/{quote(p.package_id)}")


@router.get("/packages/{package_id}", response_class=HTMLResponse)
def package_page(request: Request, package_id: str, s: Db, user: CurrentUser) -> Response:
    package, meta = service.get(s, user, package_id)
    shown = service.received(s, user, package_id) if meta["direction"] == "received" else None
    return render(request, "package.html", user, package=package, meta=meta, shown=shown,
                  feedback=service.feedback_of(s, user, package_id), formats=list(service.FORMATS),
                  stages=list(service.Stage), decisive=list(service.Decisive), today=date.today().isoformat())


@router.get("/packages/{package_id}/download")
def download(package_id: str, s: Db, user: CurrentUser, format: str = "signed") -> Response:
    return api.api_export(package_id, s, user, format)


@router.get("/packages/{package_id}/feedback-file")
def feedback_file(package_id: str, s: Db, user: CurrentUser) -> Response:
    return api.api_feedback_export(package_id, s, user)


@router.post("/packages/{package_id}/feedback")
def feedback(request: Request, package_id: str, s: Db, ctx: Ctx, user: CurrentUser, csrf: Csrf,
             stage: Annotated[service.Stage, Form()], on: Annotated[date, Form()],
             count: Annotated[int, Form(ge=0, le=100_000)] = 1,
             decisive: Annotated[service.Decisive, Form()] = service.Decisive.UNKNOWN, words: Text = "") -> Response:
    csrf_ok(request, ctx, csrf)
    service.record_feedback(s, user, package_id, stage, on, count, None, decisive, words)
    return back(f"/packages/{quote(package_id)}")


@router.post("/packages/receive")
def receive(request: Request, upload: UploadFile, ctx: Ctx, user: CurrentUser, csrf: Csrf) -> Response:
    csrf_ok(request, ctx, csrf)
    p = service.receive(ctx.engine, user, api.read_upload(upload))
    return back(f"/packages/{quote(p.package_id)}")


@router.post("/packages/feedback")
def feedback_import(request: Request, upload: UploadFile, s: Db, ctx: Ctx, user: CurrentUser,
                    csrf: Csrf) -> Response:
    csrf_ok(request, ctx, csrf)
    package_id, _ = service.import_feedback(s, user, api.read_upload(upload))
    return back(f"/packages/{quote(package_id)}")
