"""Errors as `application/problem+json` (RFC 9457) for the API, and as a page or a redirect to log in for the web."""

from __future__ import annotations

from typing import Any

from anyio import to_thread
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.exc import DataError
from starlette.exceptions import HTTPException

from lanzarote.errors import AccessDenied, LanzaroteError, NotAuthenticated, PasswordChangeNeeded, SecondFactorNeeded
from lanzarote.service.actors import refused

_BODY = {"content": {"application/problem+json": {"schema": {"type": "object", "properties": {
    "type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
    "detail": {"type": "string"}}}}}}
RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"description": "A filter or cursor that cannot be answered", **_BODY},
    401: {"description": "Not logged in", **_BODY}, 403: {"description": "Not allowed", **_BODY},
    404: {"description": "No such thing (or not yours to see)", **_BODY},
    422: {"description": "Invalid request", **_BODY}, 429: {"description": "Too many attempts", **_BODY},
}


def problem(status: int, title: str, detail: str) -> JSONResponse:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail}
    return JSONResponse(body, status_code=status, media_type="application/problem+json")


def install(app: FastAPI, page: Any) -> None:
    """Map every failure to one answer: problem+json under /api/, else the web's error page (`page(request, status,
    message)`), or the login page for a web visitor who is not logged in."""

    def answer(request: Request, status: int, title: str, detail: str) -> Response:
        if request.url.path.startswith("/api/"):
            return problem(status, title, detail)
        response: Response = page(request, status, detail)
        return response

    def listed(errors: Any) -> str:
        return "; ".join(f"{'.'.join(str(x) for x in e['loc'])}: {e['msg']}" for e in errors[:5])

    @app.exception_handler(LanzaroteError)
    async def lanzarote_error(request: Request, exc: LanzaroteError) -> Response:
        web = not request.url.path.startswith("/api/")
        if isinstance(exc, NotAuthenticated) and web:
            return RedirectResponse("/login", status_code=303)
        if isinstance(exc, SecondFactorNeeded) and web:
            return RedirectResponse("/second-factor", status_code=303)
        if isinstance(exc, PasswordChangeNeeded) and web:
            return RedirectResponse("/password", status_code=303)
        user = getattr(request.state, "user", None)
        setting_up = isinstance(exc, SecondFactorNeeded | PasswordChangeNeeded)  # a step of a login, not a refusal
        if isinstance(exc, AccessDenied) and not setting_up and user is not None:
            # a refusal is audited with where it came from (a report of another agency: by the use case)
            await to_thread.run_sync(refused, request.app.state.lanzarote.engine, user,
                                     f"{request.method} {request.url.path}", f"403: {exc}")
        return answer(request, exc.http_status, type(exc).__name__, str(exc))

    @app.exception_handler(HTTPException)
    async def unrouted(request: Request, exc: HTTPException) -> Response:
        # the router's own answers (no such path, wrong method) take the same shape as ours
        return answer(request, exc.status_code, "NotFound" if exc.status_code == 404 else "HTTPError", str(exc.detail))

    @app.exception_handler(DataError)
    async def unstorable(request: Request, exc: DataError) -> Response:
        # PostgreSQL refuses some text SQLite takes (a NUL character): the caller's input, not our fault
        return answer(request, 422, "InvalidRequest",
                      "the request holds text the database cannot keep (a NUL or other control character?)")

    @app.exception_handler(ValidationError)
    async def invalid_form(request: Request, exc: ValidationError) -> Response:
        return answer(request, 422, "InvalidRequest", listed(exc.errors()))

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        return answer(request, 422, "InvalidRequest", listed(exc.errors()))
