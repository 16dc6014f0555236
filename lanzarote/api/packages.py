"""Intelligence packages over HTTP: build one from a subject, export it (each export an audited disclosure),
receive a partner's signed package, record and exchange feedback, and the dissemination funnel."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel, Field

from lanzarote import config
from lanzarote.api.context import Ctx, CurrentUser, Db
from lanzarote.errors import InputRejected
from lanzarote.service import packages as service

router = APIRouter(prefix="/api/v1", tags=["packages"])


class BuildRequest(BaseModel):
    subject: str = Field(max_length=40)
    to: str = Field(max_length=40, description="The one recipient agency")
    markings: service.Markings = service.Markings()
    reports: list[str] | None = Field(default=None, max_length=500, description="Only these reports (SOURCE/ID)")
    items: list[str] | None = Field(default=None, max_length=10_000,
                                    description="Only these item ids (from GET /packages/draft's items)")
    victims: bool = True
    overrides: dict[str, service.Overrides] = Field(default_factory=dict, description="Per item id")
    summary: str = Field(default="", max_length=5000)
    operation: str | None = Field(default=None, max_length=200)


class FeedbackRequest(BaseModel):
    stage: service.Stage
    on: date
    count: int = Field(default=1, ge=0, le=100_000)
    reported_by: str | None = Field(default=None, max_length=200)
    decisive: service.Decisive = service.Decisive.UNKNOWN
    words: str = Field(default="", max_length=5000)


def read_upload(upload: UploadFile) -> bytes:
    """An uploaded signed file, held to the document limit."""
    limit = int(config.get("max_document_bytes"))
    data = upload.file.read(limit + 1)
    if len(data) > limit:
        raise InputRejected(f"the file is larger than {limit:,} bytes (max_document_bytes)")
    return data


def build(s: Db, user: CurrentUser, body: BuildRequest) -> service.Package:
    selection = service.Selection(reports=frozenset(body.reports) if body.reports else None,
                                  items=frozenset(body.items) if body.items is not None else None,
                                  victims=body.victims, overrides=body.overrides)
    return service.from_subject(s, user, body.subject, body.to, body.markings, selection, body.summary,
                                body.operation)


@router.post("/packages")
def api_build(s: Db, user: CurrentUser, body: BuildRequest) -> dict[str, Any]:
    """A minimised package about a subject for one recipient, gated by its ceiling (a draft until exported)."""
    return service.as_json(build(s, user, body))


@router.get("/packages")
def api_packages(s: Db, user: CurrentUser, direction: str | None = None) -> list[dict[str, Any]]:
    """Packages sent and received, newest first (no contents)."""
    return service.listing(s, user, direction)


@router.get("/packages/{package_id}/export")
def api_export(package_id: str, s: Db, user: CurrentUser,
               format: Annotated[str, Query(description="signed, stix, misp, pdf or csv")] = "signed") -> Response:
    """The package in a partner's format; the first export sends it; audited as a disclosure."""
    done = service.export(s, user, package_id, format)
    return Response(done.content, media_type=done.media_type,
                    headers={"Content-Disposition": f'attachment; filename="{done.filename}"'})


@router.post("/packages/receive")
def api_receive(upload: UploadFile, ctx: Ctx, user: CurrentUser) -> dict[str, Any]:
    """Verify and take in a partner's signed package (altered or unsigned: refused)."""
    return service.as_json(service.receive(ctx.engine, user, read_upload(upload)))


@router.get("/packages/{package_id}/received")
def api_received(package_id: str, s: Db, user: CurrentUser) -> dict[str, Any]:
    """A received package: provenance, every item with its markings, what it linked to here; audited."""
    shown = service.received(s, user, package_id)
    return {"package": service.as_json(shown.package), "provenance": shown.meta,
            "items": [{"item": i.model_dump(mode="json"), "markings": m.model_dump(mode="json"),
                       "forwardable": m.forwardable, "report_here": key} for i, m, key in shown.items],
            "linked": shown.linked}


@router.post("/packages/{package_id}/feedback")
def api_feedback(package_id: str, s: Db, user: CurrentUser, body: FeedbackRequest) -> dict[str, Any]:
    """Record what came of a package; a second word on a stage is its next version."""
    return service.record_feedback(s, user, package_id, body.stage, body.on, body.count, body.reported_by,
                                   body.decisive, body.words).model_dump(mode="json")


@router.get("/packages/{package_id}/feedback")
def api_feedback_of(package_id: str, s: Db, user: CurrentUser) -> list[dict[str, Any]]:
    """Every version of the feedback on a package, oldest first."""
    return [f.model_dump(mode="json") for f in service.feedback_of(s, user, package_id)]


@router.get("/packages/{package_id}/feedback/export")
def api_feedback_export(package_id: str, s: Db, user: CurrentUser) -> Response:
    """The feedback on a received package, signed for its sender; audited."""
    done = service.export_feedback(s, user, package_id)
    return Response(done.content, media_type=done.media_type,
                    headers={"Content-Disposition": f'attachment; filename="{done.filename}"'})


@router.post("/packages/feedback")
def api_feedback_import(upload: UploadFile, s: Db, user: CurrentUser) -> dict[str, Any]:
    """A recipient's signed feedback on a package sent from here."""
    package_id, added = service.import_feedback(s, user, read_upload(upload))
    return {"package_id": package_id, "added": added}


@router.get("/funnel")
def api_funnel(s: Db, user: CurrentUser, by: str | None = None,
               format: Annotated[str, Query(description="json or csv")] = "json") -> Any:
    """Packages → investigations → searches → arrests → convictions, overall or per operation, recipient,
    country or month; `format=csv` for a statistics return."""
    if format == "csv":
        return Response(service.funnel_csv(s, user, by), media_type="text/csv; charset=utf-8")
    return [vars(r) for r in service.funnel(s, user, by)]


@router.get("/packages-draft", tags=["packages"])
def api_draft(s: Db, user: CurrentUser, subject: Annotated[str, Query(max_length=40)],
              victims: bool = True) -> dict[str, Any]:
    """Every item minimisation allows in a package about this subject (pick some as `items` of `POST /packages`),
    and the only details each kind carries; a read of the subject's reports, audited."""
    found = service.draft(s, user, subject, victims)
    return {"subject": found.subject_id, "reports": found.reports,
            "items": [i.model_dump(mode="json") for i in found.items],
            "rules": {kind.value: sorted(fields) for kind, fields in found.rules.items()}}


@router.get("/packages-reminders")
def api_reminders(s: Db, user: CurrentUser) -> list[dict[str, Any]]:
    """Packages whose recipient has reported no outcome after `feedback_reminder_days`."""
    return [vars(p) for p in service.reminders(s, user)]
