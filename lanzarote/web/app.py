"""The analysts' web application and its JSON API (`/api/v1`): server-rendered, no external assets.

Every page and endpoint needs a session; a report another agency holds answers exactly like one that does not exist;
every read of a report is written to the audit trail; forms carry a CSRF token tied to the session.
"""


import hmac
import secrets
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Form, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from lanzarote.errors import AccessDenied, LanzaroteError, NotAuthenticated, NotFound
from lanzarote.model.report import PartyRole
from lanzarote.store import access, audit
from lanzarote.store import reports as store_reports
from lanzarote.store.access import User
from lanzarote.store.db import session as store_session

HERE = Path(__file__).parent
COOKIE = "lanzarote_session"
PAGE = 50
Tier = Annotated[str | None, Query(pattern="^P[1-4]$", description="Only this tier")]
Offset = Annotated[int, Query(ge=0, le=100_000_000, description="How many rows to skip")]


def _csrf(token: str, secret: str) -> str:
    return hmac.new(secret.encode(), token.encode(), "sha256").hexdigest()


def create_app(engine: Engine, secret: str | None = None) -> FastAPI:
    """The application over one store. `secret` signs CSRF tokens (random per process when not given)."""
    problem_body = {"content": {"application/problem+json": {"schema": {"type": "object", "properties": {
        "type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
        "detail": {"type": "string"}}}}}}
    responses: dict[int | str, dict[str, Any]] = {
        401: {"description": "Not logged in", **problem_body}, 403: {"description": "Not allowed", **problem_body},
        404: {"description": "No such report (or not yours to see)", **problem_body},
        422: {"description": "Invalid request", **problem_body},
    }
    app = FastAPI(title="Lanzarote", version="0.1", docs_url="/api/docs", openapi_url="/api/v1/openapi.json",
                  responses=responses)
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    key = secret or secrets.token_hex(32)

    def db() -> Iterator[Session]:
        with store_session(engine) as s:
            yield s

    def current_user(request: Request, s: Annotated[Session, Depends(db)]) -> User:
        token = request.cookies.get(COOKIE) or request.headers.get("authorization", "").removeprefix("Bearer ")
        user = access.user_for_token(s, token, datetime.now(UTC)) if token else None
        if user is None:
            raise NotAuthenticated("log in first")
        return user

    def visible(s: Session, user: User, report_id: str) -> store_reports.StoredReport:
        stored = store_reports.get_report(s, report_id)
        if not user.may_see(stored.route.country if stored.route else None):
            raise NotFound(f"no report {report_id!r}")  # the same answer as for a report that does not exist
        return stored

    @app.exception_handler(LanzaroteError)
    async def problem(request: Request, exc: LanzaroteError) -> Response:
        if not request.url.path.startswith("/api/") and isinstance(exc, NotAuthenticated):
            return RedirectResponse("/login", status_code=303)
        body = {"type": "about:blank", "title": type(exc).__name__, "status": exc.http_status, "detail": str(exc)}
        return JSONResponse(body, status_code=exc.http_status, media_type="application/problem+json")

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        detail = "; ".join(f"{'.'.join(str(x) for x in e['loc'])}: {e['msg']}" for e in exc.errors()[:5])
        body = {"type": "about:blank", "title": "InvalidRequest", "status": 422, "detail": detail}
        return JSONResponse(body, status_code=422, media_type="application/problem+json")

    @app.get("/login", response_class=HTMLResponse, include_in_schema=False)
    def login_page(request: Request) -> Response:
        return templates.TemplateResponse(request, "login.html", {"error": None})

    @app.post("/login", include_in_schema=False)
    def login(request: Request, s: Annotated[Session, Depends(db)], username: Annotated[str, Form()],
              password: Annotated[str, Form()]) -> Response:
        now = datetime.now(UTC)
        user = access.authenticate(s, username, password)
        if user is None:
            audit.record(s, username, "login_failed", "-", "", now)
            return templates.TemplateResponse(request, "login.html", {"error": "Wrong user name or password."},
                                              status_code=401)
        token = access.open_session(s, user, now)
        audit.record(s, user.username, "login", "-", "", now)
        response = RedirectResponse("/", status_code=303)
        response.set_cookie(COOKIE, token, httponly=True, samesite="strict", secure=request.url.scheme == "https")
        return response

    @app.post("/logout", include_in_schema=False)
    def logout(request: Request, s: Annotated[Session, Depends(db)], user: Annotated[User, Depends(current_user)],
               csrf: Annotated[str, Form()]) -> Response:
        token = request.cookies.get(COOKIE, "")
        if not hmac.compare_digest(csrf, _csrf(token, key)):
            raise AccessDenied("the form expired or was not ours: reload the page and try again")
        access.close_session(s, token)
        audit.record(s, user.username, "logout", "-", "", datetime.now(UTC))
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(COOKIE)
        return response

    def queue_for(s: Session, user: User, tier: str | None, offset: int) -> tuple[list[Any], int]:
        country = None if user.agency == access.HUB else user.agency
        items = store_reports.queue(s, limit=PAGE, offset=offset, tier=tier or None, country=country)
        return items, store_reports.count_queue(s, tier=tier or None, country=country)

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def queue_page(request: Request, s: Annotated[Session, Depends(db)],
                   user: Annotated[User, Depends(current_user)], tier: Tier = None, offset: Offset = 0) -> Response:
        items, total = queue_for(s, user, tier, max(offset, 0))
        return templates.TemplateResponse(request, "queue.html", {
            "user": user, "items": items, "total": total, "tier": tier or "", "offset": offset, "page": PAGE,
            "csrf": _csrf(request.cookies.get(COOKIE, ""), key)})

    @app.get("/reports/{report_id:path}", response_class=HTMLResponse, include_in_schema=False)
    def report_page(request: Request, report_id: str, s: Annotated[Session, Depends(db)],
                    user: Annotated[User, Depends(current_user)]) -> Response:
        stored = visible(s, user, report_id)
        audit.record(s, user.username, "read", f"{stored.report.source}/{stored.report.source_id}", "web",
                     datetime.now(UTC))
        victims = [p for p in stored.report.parties if p.role is PartyRole.VICTIM]
        return templates.TemplateResponse(request, "report.html", {
            "user": user, "r": stored.report, "stored": stored, "victims": victims,
            "others": [p for p in stored.report.parties if p.role is not PartyRole.VICTIM],
            "verdicts": {v.file_id: v for v in stored.verdicts or ()},
            "csrf": _csrf(request.cookies.get(COOKIE, ""), key)})

    @app.post("/api/v1/login", tags=["access"])
    def api_login(s: Annotated[Session, Depends(db)], username: Annotated[str, Form(min_length=1)],
                  password: Annotated[str, Form(min_length=1)]) -> dict[str, str]:
        """A session token for integrations (send it as `Authorization: Bearer <token>`)."""
        now = datetime.now(UTC)
        user = access.authenticate(s, username, password)
        if user is None:
            audit.record(s, username, "login_failed", "-", "api", now)
            raise NotAuthenticated("wrong user name or password")
        audit.record(s, user.username, "login", "-", "api", now)
        return {"token": access.open_session(s, user, now)}

    @app.get("/api/v1/queue", tags=["queue"])
    def api_queue(s: Annotated[Session, Depends(db)], user: Annotated[User, Depends(current_user)],
                  tier: Tier = None, offset: Offset = 0) -> dict[str, Any]:
        """The queue the user's agency may see, by tier, score and age (the queue JSON contract)."""
        items, total = queue_for(s, user, tier, max(offset, 0))
        return {"total": total, "offset": offset, "items": [i.model_dump(mode="json") for i in items]}

    @app.get("/api/v1/reports/{report_id}", tags=["reports"])
    def api_report(report_id: str, s: Annotated[Session, Depends(db)],
                   user: Annotated[User, Depends(current_user)]) -> dict[str, Any]:
        """One report with its tier and reasons, route and evidence, links; victims pseudonymised unless allowed."""
        stored = visible(s, user, report_id)
        audit.record(s, user.username, "read", f"{stored.report.source}/{stored.report.source_id}", "api",
                     datetime.now(UTC))
        report = stored.report
        if not user.sees_victims:
            parties = [p if p.role is not PartyRole.VICTIM else {"role": "victim", "pseudonym": f"Victim {n + 1}"}
                       for n, p in enumerate(report.parties)]
            report_json: dict[str, Any] = report.model_dump(mode="json")
            report_json["parties"] = [p if isinstance(p, dict) else p.model_dump(mode="json") for p in parties]
        else:
            report_json = report.model_dump(mode="json")
        return {
            "report": report_json, "version": stored.version, "versions": stored.versions,
            "triage": stored.triage.model_dump(mode="json") if stored.triage else None,
            "route": stored.route.model_dump(mode="json") if stored.route else None,
            "verdicts": [v.model_dump(mode="json") for v in stored.verdicts] if stored.verdicts is not None else None,
            "subject": stored.subject, "linked_reports": list(stored.linked_reports),
            "links": [link.model_dump(mode="json") for link in stored.links],
        }

    return app
