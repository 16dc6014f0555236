"""Logging in and out, second factors, API tokens, users and agencies (administrators), and searching the audit
trail (auditors)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import anyio
from anyio import to_thread
from fastapi import APIRouter, Form, Query, Request, Response
from fastapi import Path as PathParam
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from lanzarote import config
from lanzarote.api.context import Context, Ctx, CurrentUser, Db, EnrollingUser, client_address, session_token
from lanzarote.errors import TooManyRequests
from lanzarote.service import User, logins, passwords
from lanzarote.service import people as service

router = APIRouter(prefix="/api/v1")


DEVICE_COOKIE = "lanzarote_device"


async def log_in(ctx: Context, request: Request, username: str, password: str, code: str,
                 channel: str) -> tuple[User, str, str | None]:
    """Check a login (slowed per account and address after failures, in the database) in one of the Argon2 slots,
    waiting for one without holding a thread the pages need; open a session. A new device cookie is returned for a
    workstation that had none for this account."""
    device_cookie = request.cookies.get(DEVICE_COOKIE, "")
    device = ctx.device_of(username, device_cookie)
    attempt = logins.LoginAttempt(username=username, password=password, channel=channel,
                                  address=client_address(request), code=code, device=device)
    try:
        user, token = await to_thread.run_sync(logins.log_in, ctx.engine, attempt, limiter=ctx.hashing)
    except TooManyRequests:
        # answered late, holding no thread: a client retrying as soon as it is answered is slowed to this pace
        await anyio.sleep(float(config.get("login_refusal_pause_seconds")))
        raise
    return user, token, None if device else ctx.device_cookie(username)


def keep_device(response: Response, request: Request, cookie: str | None) -> None:
    if cookie is not None:
        response.set_cookie(DEVICE_COOKIE, cookie, max_age=365 * 86400, httponly=True, samesite="strict",
                            secure=request.url.scheme == "https")


@router.post("/login", tags=["access"])
async def api_login(request: Request, ctx: Ctx, username: Annotated[str, Form(min_length=1, max_length=100)],
                    password: Annotated[str, Form(min_length=1, max_length=1000)],
                    code: Annotated[str, Form(max_length=40, description="TOTP or recovery code")] = ""
                    ) -> JSONResponse:
    """A session token for ten hours (send it as `Authorization: Bearer <token>`); for integrations use a token.
    Accounts with a second factor send the code of their authenticator app (or a recovery code) as `code`."""
    _, token, device = await log_in(ctx, request, username, password, code, "api")
    response = JSONResponse({"token": token})
    keep_device(response, request, device)
    return response


@router.post("/logout", tags=["access"], status_code=204)
def api_logout(request: Request, s: Db, user: CurrentUser) -> None:
    """End this session: its token (or cookie) is refused from now on. An API token is revoked instead."""
    logins.log_out(s, user, session_token(request))


@router.post("/second-factor", tags=["access"])
def api_begin_second_factor(s: Db, user: EnrollingUser) -> dict[str, str]:
    """A new TOTP secret for your authenticator app (as `otpauth://`); confirm it with a code to make it count."""
    secret, uri = logins.begin_second_factor(s, user)
    return {"secret": secret, "otpauth_uri": uri}


class Code(BaseModel):
    code: str = Field(min_length=6, max_length=10, description="The six digits the app shows now")


@router.post("/second-factor/confirm", tags=["access"])
def api_confirm_second_factor(body: Code, s: Db, user: EnrollingUser) -> dict[str, list[str]]:
    """Confirm the new secret with a code of the app: your recovery codes, shown this once (each works once)."""
    return {"recovery_codes": logins.confirm_second_factor(s, user, body.code)}


class PasswordChange(BaseModel):
    current_password: str = Field(min_length=1, max_length=1000)
    new_password: str = Field(min_length=12, max_length=1000, description="At least 12 characters, not the current")


@router.post("/password", tags=["access"])
def api_change_password(request: Request, body: PasswordChange, ctx: Ctx, user: EnrollingUser) -> dict[str, int]:
    """Change your password (in a password's session, not with an API token): every other session of yours ends
    and every API token of yours is revoked."""
    ended, revoked = passwords.change_password(ctx.engine, user, body.current_password, body.new_password,
                                               keep=session_token(request))
    return {"sessions_ended": ended, "tokens_revoked": revoked}


class TokenRequest(BaseModel):
    name: str = Field(min_length=1, max_length=100, description="The integration that will use it")


@router.post("/tokens", tags=["access"], status_code=201)
def api_create_token(body: TokenRequest, s: Db, user: CurrentUser) -> dict[str, Any]:
    """An API token for an integration, acting as you, for `LANZAROTE_API_TOKEN_DAYS`: the secret is shown this once,
    stored hashed. A token cannot make tokens."""
    token, secret = service.create_token(s, user, body.name)
    return {"id": token.id, "name": token.name, "token": secret, "expires_at": token.expires_at.isoformat()}


@router.get("/tokens", tags=["access"])
def api_tokens(s: Db, user: CurrentUser) -> list[dict[str, Any]]:
    """Your API tokens (never their secrets)."""
    return [{"id": t.id, "name": t.name, "created_at": t.created_at.isoformat(), "revoked": t.revoked,
             "expires_at": t.expires_at.isoformat()}
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


@router.post("/users/{username}/reset-password", tags=["administration"])
def api_reset_password(username: Annotated[str, PathParam(max_length=100)], s: Db, user: CurrentUser
                       ) -> dict[str, Any]:
    """Reset the password of a user of your agency (the hub's administrators: any): a temporary password, shown this
    once, which they must change at their next login; their sessions and tokens end at once."""
    return {"username": username, "temporary_password": passwords.reset_password(s, user, username)}


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
