"""Taking in reports over HTTP: one report document or a zip bundle, in the uploader's agency's name."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, UploadFile

from lanzarote.api.context import Ctx, CurrentUser
from lanzarote.service import intake as service

router = APIRouter(prefix="/api/v1")


@router.post("/ingest", tags=["ingest"])
def api_ingest(upload: UploadFile, ctx: Ctx, user: CurrentUser) -> dict[str, Any]:
    """Take in a CyberTipline XML or native JSON report, JSON Lines, or a .zip bundle of them, in your agency's
    name: new reports of the sources your agency owns, and new versions, files and layers of those you may see.

    The upload is kept under the data folder (so a quarantined document can be fixed and retried); the answer is
    the ingest summary. A `report` XML file's name is its report id, so keep it (`90001234.xml`).
    """
    return service.upload(ctx.engine, user, upload.filename or "upload", upload.file)
