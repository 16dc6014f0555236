"""Taking reports in: an upload over the API in the uploader's agency's name, the operator's ingest of folders, and
the quarantine."""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from lanzarote import config
from lanzarote.errors import AccessDenied, InputRejected
from lanzarote.pipeline.ingest import IngestSummary, ingest
from lanzarote.pipeline.owners import Uploader
from lanzarote.pipeline.quarantine import RetrySummary, retry
from lanzarote.service.actors import require
from lanzarote.service.reports import trail
from lanzarote.store import access, audit
from lanzarote.store import quarantine as store_quarantine
from lanzarote.store.access import SYSTEM_ROLE, User
from lanzarote.store.db import session
from lanzarote.store.quarantine import QuarantineRow

__all__ = ["IngestSummary", "QuarantineRow", "RetrySummary"]
SUFFIXES = (".xml", ".json", ".jsonl", ".zip")
_SAFE = re.compile(r"[^A-Za-z0-9._-]")
CHUNK = 1 << 20


def uploader(s: Session, user: User) -> Uploader:
    """What `user`'s agency may write over the API."""
    channels = {x.strip() for x in str(config.get("clearing_house_sources")).split(",") if x.strip()}
    return Uploader(user.username, user.agency, user.scope, frozenset(access.sources_of(s, user.agency)),
                    frozenset(channels))


def upload(engine: Engine, user: User, filename: str, content: BinaryIO) -> dict[str, object]:
    """Take in one uploaded document or bundle in the uploader's agency's name: kept under the data folder (so a
    quarantined document can be fixed and retried); what the agency may not write is quarantined and each refusal
    audited. Returns the ingest summary as the uploader may see it."""
    require(user, "decide")
    name = _SAFE.sub("_", (filename or "upload").rsplit("/", 1)[-1].rsplit("\\", 1)[-1])[:200]
    if not name.lower().endswith(SUFFIXES) or name.startswith("."):
        raise InputRejected(f"send a {', '.join(SUFFIXES)} file (got {name!r})")
    # an archive or a JSON Lines file holds many documents, each held to the document limit as it is read
    limit = int(config.get("max_archive_bytes" if name.lower().endswith((".zip", ".jsonl")) else "max_document_bytes"))
    now = datetime.now(UTC)
    digest = hashlib.sha256()
    folder = config.data_dir() / "uploads" / f"{now:%Y%m%dT%H%M%S%f}-{_SAFE.sub('_', user.username)[:40]}"
    config.private_dir(folder)  # 0700, as the data folder and uploads/ are: reports are for the unit's eyes only
    target = folder / name
    size = 0
    with os.fdopen(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as out:
        while chunk := content.read(CHUNK):
            size += len(chunk)
            if size > limit:
                out.close()
                target.unlink()
                folder.rmdir()
                raise InputRejected(f"{name} is larger than {limit:,} bytes (max_document_bytes/max_archive_bytes)")
            digest.update(chunk)
            out.write(chunk)
    with session(engine) as s:
        owner = uploader(s, user)
    summary = ingest(engine, [target], workers=1, owner=owner)
    with session(engine) as s:
        # from where, as a login is: the client's address (behind trusted proxies only, `api.context`)
        audit.record(s, user.username, "ingest", f"upload/{folder.name}/{name}",
                     f"from {user.address or '-'} sha256={digest.hexdigest()} {summary.as_dict()}", now)
        for location, reason in summary.counts.refused:
            audit.record(s, user.username, "upload_refused", location[:300], f"{reason} (from {user.address or '-'})",
                         now)
    return {"file": name, "bytes": size, "sha256": digest.hexdigest(), **summary.as_dict()}


def ingest_paths(engine: Engine, user: User, paths: Sequence[Path], progress: Callable[[int], None] | None,
                 workers: int | None) -> IngestSummary:
    """The operator's ingest of folders and archives (the configured intake of every channel), or, acting as a
    user (`--as`), an ingest in that user's agency's name, bound like an upload; audited."""
    owner = None
    if user.role != SYSTEM_ROLE:
        require(user, "decide")
        with session(engine) as s:
            owner = uploader(s, user)
    summary = ingest(engine, paths, progress=progress, workers=workers, owner=owner)
    with session(engine) as s:
        audit.record(s, user.username, "ingest", ", ".join(str(p) for p in paths)[:300], str(summary.as_dict()),
                     datetime.now(UTC))
        for location, reason in summary.counts.refused:
            audit.record(s, user.username, "upload_refused", location[:300], reason, datetime.now(UTC))
    return summary


def quarantined(s: Session, user: User, include_resolved: bool) -> list[QuarantineRow]:
    """Every document that could not be taken in, and why (the operator's and the hub's: reasons name reports)."""
    require(user, "administer")
    if not user.is_hub:
        raise AccessDenied("the quarantine holds every agency's documents: the hub reviews it")
    rows = store_quarantine.entries(s, include_resolved=include_resolved)
    trail(s, user, "list", "quarantine", f"{len(rows)} entries")
    return rows


def retry_quarantined(engine: Engine, user: User) -> RetrySummary:
    """Read every quarantined document again and take in what now reads; audited."""
    require(user, "administer")
    summary = retry(engine)
    with session(engine) as s:
        audit.record(s, user.username, "quarantine_retry", "quarantine",
                     f"taken in {summary.taken_in}, still {summary.still_quarantined}", datetime.now(UTC))
    return summary
