"""Statistics for dashboards and partners, and the hash lists installed with what they matched."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Query
from sqlalchemy import select
from sqlalchemy.orm import Session

from lanzarote.api.context import CurrentUser, Db
from lanzarote.errors import NotFound
from lanzarote.model.media import FileVerdict
from lanzarote.pipeline.process import hashlists_dir
from lanzarote.store import schema
from lanzarote.store.access import User
from lanzarote.store.reports import report_key
from lanzarote.store.stats import statistics_for

router = APIRouter(prefix="/api/v1")


@router.get("/statistics", tags=["statistics"])
def api_statistics(s: Db, user: CurrentUser,
                   days: Annotated[int, Query(ge=1, le=366, description="Days of daily volumes")] = 30
                   ) -> dict[str, Any]:
    """Volumes per day and tier, per country and authority, per provider; hours from receipt to first action."""
    return asdict(statistics_for(s, user.scope, days))


def hash_lists() -> list[dict[str, Any]]:
    """The installed hash lists (name, source, format, entries, threshold, version, dates)."""
    directory = hashlists_dir()
    if not directory.exists():
        return []
    from lanzarote.media.library import HashLibrary

    return [info.model_dump(mode="json") for info in HashLibrary(directory).lists()]


@router.get("/hash-lists", tags=["hash lists"])
def api_hash_lists(user: CurrentUser) -> list[dict[str, Any]]:
    """The hash lists installed here (their entries never leave the server)."""
    return hash_lists()


def matches_of(s: Session, user: User, name: str, limit: int = 100) -> list[dict[str, Any]]:
    """Reports the user may see with a file matched in list `name`, and those matches."""
    if name not in {x["name"] for x in hash_lists()}:
        raise NotFound(f"no hash list {name!r}")
    st = schema.report_state
    needle = f'"list_name":"{name}"'
    query = select(st.c.source, st.c.source_id, st.c.country, st.c.authority, st.c.verdicts).where(
        st.c.verdicts.contains(needle, autoescape=True)).order_by(st.c.tier_rank, st.c.received_at)
    out: list[dict[str, Any]] = []
    for row in s.execute(query.limit(limit * 4)):
        if not user.may_see(row.country, row.authority):
            continue
        verdicts = [FileVerdict.model_validate(v) for v in json.loads(row.verdicts)]
        files = [{"file_id": v.file_id, "verdict": v.verdict.value,
                  "matches": [m.model_dump(mode="json") for m in v.matches if m.list_name == name]}
                 for v in verdicts if any(m.list_name == name for m in v.matches)]
        out.append({"report": report_key(row.source, row.source_id), "files": files})
        if len(out) >= limit:
            break
    return out


@router.get("/hash-lists/{name}/matches", tags=["hash lists"])
def api_matches(name: str, s: Db, user: CurrentUser) -> list[dict[str, Any]]:
    """The reports (that the user may see) with files matched in this list, most urgent first."""
    return matches_of(s, user, name)
