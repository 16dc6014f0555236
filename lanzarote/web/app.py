"""The analysts' web application and its JSON API (`/api/v1`) over one store: server-rendered, no external assets.

Every page and endpoint needs a session or an API token; a report another agency holds answers exactly like one
that does not exist; every read of a report is written to the audit trail; forms carry a CSRF token tied to the
session; failed logins are limited per user name and per address.
"""

from collections.abc import Awaitable, Callable
from pathlib import Path

from fastapi import FastAPI, Request, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine

from lanzarote.api import (
    cases,
    deconfliction,
    figures,
    intake,
    knowledge,
    links,
    operations,
    packages,
    people,
    problems,
    reports,
    takedown,
)
from lanzarote.api.context import Context
from lanzarote.web import cases as case_pages
from lanzarote.web import deconfliction as deconfliction_pages
from lanzarote.web import operations as operation_pages
from lanzarote.web import packages as package_pages
from lanzarote.web import takedown as takedown_pages
from lanzarote.web import views

HERE = Path(__file__).parent


SECURITY_HEADERS = {
    # the pages' own scripts and styles only (no inline script, no CDN), never framed, forms post to us
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}
"""Headers on every answer (docs/security.md)."""


def create_app(engine: Engine, secret: str | None = None) -> FastAPI:
    """The application over one store. `secret` signs CSRF tokens (random per process when not given)."""
    # no /api/docs: FastAPI's page loads its JavaScript from a CDN; the schema itself stays at openapi_url
    app = FastAPI(title="Lanzarote", version="0.1", docs_url=None, redoc_url=None,
                  openapi_url="/api/v1/openapi.json", responses=problems.RESPONSES)

    @app.middleware("http")
    async def security_headers(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        response = await call_next(request)
        response.headers.update(SECURITY_HEADERS)
        if not request.url.path.startswith("/static/"):  # pages and answers carry personal data: never cached
            response.headers["Cache-Control"] = "no-store"
        if request.url.scheme == "https":
            response.headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
        return response

    app.state.lanzarote = Context(engine, secret) if secret else Context(engine)
    problems.install(app, views.error_page)
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    for module in (people, reports, links, figures, intake, cases, knowledge, packages, operations, deconfliction,
                   takedown):
        app.include_router(module.router)
    app.include_router(package_pages.router)
    app.include_router(operation_pages.router)
    app.include_router(deconfliction_pages.router)
    app.include_router(case_pages.router)
    app.include_router(takedown_pages.router)
    app.include_router(views.router)
    return app


def app_from_config() -> FastAPI:
    """The application on the configured store (what `lanzarote serve` runs in each worker process)."""
    from lanzarote import config
    from lanzarote.service import open_store

    return warmed(create_app(open_store(), config.secret_key()))


def warmed(app: FastAPI) -> FastAPI:
    """`app` with what would otherwise be built on the first requests built now, before the server process takes
    any. FastAPI builds an included router's routes (their dependencies and pydantic validators) the first time a
    request walks them: about a third of a second of CPU in the event loop, during which every request of that
    process waits (under a login flood the analysts' first pages, all queue pages, waited seconds). Jinja compiles
    a template on its first use."""
    app.openapi()  # walks every route of every router, building it
    for name in views.templates.env.list_templates(extensions=["html"]):
        views.templates.get_template(name)
    return app
