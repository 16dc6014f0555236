"""Taking in reports over HTTP: one report document or a zip bundle, stored or quarantined like any other."""

from __future__ import annotations

import hashlib
import os
import re
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, UploadFile

from lanzarote import config
from lanzarote.api.context import Ctx, CurrentUser, require
from lanzarote.errors import InputRejected
from lanzarote.pipeline.ingest import ingest
from lanzarote.store import audit
from lanzarote.store.db import session

router = APIRouter(prefix="/api/v1")
SUFFIXES = (".xml", ".json", ".jsonl", ".zip")
_SAFE = re.compile(r"[^A-Za-z0-9._-]")
CHUNK = 1 << 20


@router.post("/ingest", tags=["ingest"])
def api_ingest(upload: UploadFile, ctx: Ctx, user: CurrentUser) -> dict[str, Any]:
    """Take in a CyberTipline XML or native JSON report, JSON Lines, or a .zip bundle of them.

    The upload is kept under the data folder (so a quarantined document can be fixed and retried); the answer is
    the ingest summary. A `report` XML file's name is its report id, so keep it (`90001234.xml`).
    """
    require(user, "decide")
    name = _SAFE.sub("_", (upload.filename or "upload").rsplit("/", 1)[-1].rsplit("\\", 1)[-1])[:200]
    if not name.lower().endswith(SUFFIXES) or name.startswith("."):
        raise InputRejected(f"send a {', '.join(SUFFIXES)} file (got {name!r})")
    # an archive or a JSON Lines file holds many documents, each held to the document limit as it is read
    limit = int(config.get("max_archive_bytes" if name.lower().endswith((".zip", ".jsonl")) else "max_document_bytes"))
    now = datetime.now(UTC)
    digest = hashlib.sha256()
    folder = config.data_dir() / "uploads" / f"{now:%Y%m%dT%H%M%S%f}-{user.username[:40]}"
    config.private_dir(folder)  # 0700, as the data folder and uploads/ are: reports are for the unit's eyes only
    target = folder / name
    size = 0
    with os.fdopen(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as out:
        while chunk := upload.file.read(CHUNK):
            size += len(chunk)
            if size > limit:
                out.close()
                target.unlink()
                folder.rmdir()
                raise InputRejected(f"{name} is larger than {limit:,} bytes (max_document_bytes/max_archive_bytes)")
            digest.update(chunk)
            out.write(chunk)
    summary = ingest(ctx.engine, [target], workers=1)
    with session(ctx.engine) as s:
        audit.record(s, user.username, "ingest", f"upload/{folder.name}/{name}",
                     f"sha256={digest.hexdigest()} {summary.as_dict()}", now)
    return {"file": name, "bytes": size, "sha256": digest.hexdigest(), **summary.as_dict()}
