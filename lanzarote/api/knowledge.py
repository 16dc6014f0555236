"""The country knowledge base, and the warnings a draft request earns before it is sent."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from fastapi import APIRouter

from lanzarote.api.context import CurrentUser
from lanzarote.service import knowledge as service

router = APIRouter(prefix="/api/v1")


@router.get("/kb", tags=["knowledge base"])
def api_countries(user: CurrentUser) -> dict[str, Any]:
    """Every state of the knowledge base: whether it replied, and how many facts each field holds."""
    return service.countries(user)


@router.get("/kb/{code}", tags=["knowledge base"])
def api_country(code: str, user: CurrentUser) -> dict[str, Any]:
    """One state's facts, each with the quotation it rests on, its section, source and date; `not stated` where
    the sources are silent."""
    return service.country(user, code)


@router.post("/kb/warnings", tags=["knowledge base"])
def api_warnings(draft: service.Draft, user: CurrentUser) -> list[dict[str, Any]]:
    """The warnings a draft request earns from the requested state's entry, each with its rule and quotation."""
    return [asdict(w) for w in service.check_draft(user, draft)]
