"""Logging in, API tokens, users and agencies (administrators), and searching the audit trail (auditors)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi import Path as PathParam
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from lanzarote.api.context import Ctx, CurrentUser, Db
from lanzarote.errors import NotAuthenticated
from lanzarote.service import User
from lanzarote.service import people as service

router = APIRouter(prefix="/api/v1")


def log_in(s: Session, ctx: Any, request: Request, username: str, password: str, channel: str) -> tuple[User, str]:
    """Check a password (at most a few failures per user and per address), open a session; audited either way."""
    keys = (f"user:{username}", f"addr:{request.client.host if request.client else '-'}")
    ctx.limiter.check(*keys)
    try:
        user, token = service.log_in(s, username, password, channel)
    except NotAuthenticated:
        ctx.limiter.failed(*keys)
        raise
    ctx.limiter.succeeded(*keys)
    return user, token


@router.post("/login", tags=["access"])
def api_login(request: Request, s: Db, ctx: Ctx, username: Annotated[str, Form(min_length=1, max_length=100)],
              password: Annotated[str, Form(min_length=1, max_length=1000)]) -> dict[str, str]:
    """A session token for ten hours (send it as `Authorization: Bearer <token>`); for integrations use a token."""
    _, token = log_in(s, ctx, request, username, password, "api")
    return {"token": token}


class TokenRequest(BaseModel):
    name: str = Field(min_length=1, max_length=100, description="The integration that will use it")


@router.post("/tokens", tags=["access"], status_code=201)
def api_create_token(body: TokenRequest, s: Db, user: CurrentUser) -> dict[str, Any]:
    """A long-lived API token for an integration, acting as you: the secret is shown this once, stored hashed."""
    token, secret = service.create_token(s, user, body.name)
    return {"id": token.id, "name": token.name, "token": secret}


@router.get("/tokens", tags=["access"])
def api_tokens(s: Db, user: CurrentUser) -> list[dict[str, Any]]:
    """Your API tokens (never their secrets)."""
    return [{"id": t.id, "name": t.name, "created_at": t.created_at.isoformat(), "revoked": t.revoked}
            for t in service.tokens(s, user, user.username)]


@router.delete("/tokens/{token_id}", tags=["access"], status_code=204)
def api_revoke_token(token_id: Annotated[int, PathParam(ge=1, le=2_147_483_647)], s: Db, user: CurrentUser) -> None:
    """Revoke one of your tokens: it stops working at once."""
    service.revoke_token(s, user, token_id)


class NewUser(BaseModel):
    username: str = Field(min_length=1, max_length=100)
    password: str = Field(min_length=12, max_length=1000)
    role: str = Field(description="analyst, supervisor, victim_identification, auditor or administrator")
    agency: str = Field(min_length=1, max_length=40)


@router.get("/users", tags=["administration"])
def api_users(s: Db, user: CurrentUser) -> list[dict[str, Any]]:
    """The users an administrator manages (the hub's: every user) with role, agency and whether active."""
    return [{"username": u.username, "role": u.role, "agency": u.agency, "active": active}
            for u, active in service.users(s, user)]


@router.post("/users", tags=["administration"], status_code=201)
def api_add_user(body: NewUser, s: Db, user: CurrentUser) -> dict[str, Any]:
    """Add a user to your agency (administrators; the hub's to any agency); the password is hashed with Argon2."""
    added = service.add_user(s, user, body.username, body.password, body.role, body.agency)
    return {"username": added.username, "role": added.role, "agency": added.agency, "active": True}


@router.post("/users/{username}/disable", tags=["administration"])
def api_disable_user(username: str, s: Db, user: CurrentUser) -> dict[str, Any]:
    """Disable a user of your agency (the hub's administrators: any): sessions and tokens stop working at once."""
    service.disable_user(s, user, username)
    return {"username": username, "active": False}


class NewAgency(BaseModel):
    code: str = Field(min_length=1, max_length=40, description="e.g. DE, or DE-BY-LKA for a local authority")
    name: str = Field(min_length=1, max_length=200)
    kind: str = Field(description="national_unit, local_authority or hub")
    country: str | None = Field(default=None, pattern="^[A-Za-z]{2}$")
    authority: str | None = Field(default=None, max_length=300, description="As the routing tables name it")
    contact: str | None = Field(default=None, max_length=300,
                                description="How other agencies reach it (shown where its reports are hidden)")


@router.get("/agencies", tags=["administration"])
def api_agencies(s: Db, user: CurrentUser) -> list[dict[str, Any]]:
    """The agencies: national units, local authorities and the hub."""
    return [vars(a) for a in service.agencies(s, user)]


@router.post("/agencies", tags=["administration"], status_code=201)
def api_add_agency(body: NewAgency, s: Db, user: CurrentUser) -> dict[str, Any]:
    """Add an agency (the hub's administrators)."""
    return vars(service.add_agency(s, user, body.code, body.name, body.kind, body.country, body.authority,
                                   body.contact))


@router.get("/audit", tags=["audit"])
def api_audit(s: Db, user: CurrentUser, actor: Annotated[str | None, Query(max_length=100)] = None,
              action: Annotated[str | None, Query(max_length=40)] = None,
              target: Annotated[str | None, Query(max_length=300, description="Starts with this")] = None,
              limit: Annotated[int, Query(ge=1, le=1000)] = 200) -> list[dict[str, Any]]:
    """Search the audit trail (auditors: the hub's all of it, an agency's its own users' entries): who read, changed,
    exported or disclosed what, and when."""
    return [{k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in row.items()}
            for row in service.audit_search(s, user, actor, action, target, limit)]
