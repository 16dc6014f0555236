"""Statistics for dashboards and partners, and the hash lists installed with what they matched."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Query

from lanzarote.api.context import CurrentUser, Db
from lanzarote.service import figures as service

router = APIRouter(prefix="/api/v1")


@router.get("/statistics", tags=["statistics"])
def api_statistics(s: Db, user: CurrentUser,
                   days: Annotated[int, Query(ge=1, le=366, description="Days of daily volumes")] = 30
                   ) -> dict[str, Any]:
    """Volumes per day and tier, per country and authority, per provider; hours from receipt to first action."""
    return asdict(service.statistics(s, user, days))


@router.get("/hash-lists", tags=["hash lists"])
def api_hash_lists(user: CurrentUser) -> list[dict[str, Any]]:
    """The hash lists installed here (their entries never leave the server)."""
    return service.hash_lists()


@router.get("/hash-lists/{name}/matches", tags=["hash lists"])
def api_matches(name: str, s: Db, user: CurrentUser) -> list[dict[str, Any]]:
    """The reports (that the user may see) with files matched in this list, most urgent first."""
    return service.matches_of(s, user, name, "api")
