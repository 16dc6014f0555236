"""What every endpoint and page needs: the store, the signed-in user, CSRF, and the login limiter.

Need-to-know and the audit are not here: they are the use-case layer's (`lanzarote.service`), which the command
line calls too.
"""

from __future__ import annotations

import hmac
import secrets
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from lanzarote.errors import AccessDenied, TooManyRequests
from lanzarote.routing.tables import RoutingTables
from lanzarote.service import User
from lanzarote.service import session as store_session
from lanzarote.service.actors import signed_in
from lanzarote.service.reports import QueueCounts

COOKIE = "lanzarote_session"


class LoginLimiter:
    """At most `attempts` failed logins per user name and per client address in `window` seconds."""

    def __init__(self, attempts: int = 5, window: float = 300.0) -> None:
        self.attempts, self.window = attempts, window
        self._failures: dict[str, list[float]] = {}
        self._lock = threading.Lock()

    def check(self, *keys: str) -> None:
        now = time.monotonic()
        with self._lock:
            for key in keys:
                recent = [t for t in self._failures.get(key, []) if now - t < self.window]
                self._failures[key] = recent
                if len(recent) >= self.attempts:
                    wait = int(self.window - (now - recent[0])) + 1
                    raise TooManyRequests(f"too many failed logins: try again in {wait} seconds")

    def failed(self, *keys: str) -> None:
        with self._lock:
            for key in keys:
                self._failures.setdefault(key, []).append(time.monotonic())

    def succeeded(self, *keys: str) -> None:
        with self._lock:
            for key in keys:
                self._failures.pop(key, None)


@dataclass
class Context:
    engine: Engine
    secret: str = field(default_factory=lambda: secrets.token_hex(32))
    limiter: LoginLimiter = field(default_factory=LoginLimiter)
    counts: QueueCounts = field(default_factory=QueueCounts)
    _tables: RoutingTables | None = None

    @property
    def tables(self) -> RoutingTables:
        if self._tables is None:
            self._tables = RoutingTables.load()
        return self._tables

    def csrf(self, token: str) -> str:
        """The form token tied to a session: forms posted without it (or from another site) are refused."""
        return hmac.new(self.secret.encode(), token.encode(), "sha256").hexdigest()


def context(request: Request) -> Context:
    ctx: Context = request.app.state.lanzarote
    return ctx


Ctx = Annotated[Context, Depends(context)]


def db(ctx: Ctx) -> Iterator[Session]:
    with store_session(ctx.engine) as s:
        yield s


Db = Annotated[Session, Depends(db)]


def _token(request: Request) -> str:
    return request.cookies.get(COOKIE) or request.headers.get("authorization", "").removeprefix("Bearer ").strip()


def current_user(request: Request, s: Db) -> User:
    return signed_in(s, _token(request), datetime.now(UTC))


CurrentUser = Annotated[User, Depends(current_user)]


def csrf_ok(request: Request, ctx: Context, given: str) -> None:
    """Forms sent with the session cookie must carry the page's CSRF token; API calls with a bearer token need not."""
    cookie = request.cookies.get(COOKIE)
    if cookie is None:
        return
    if not hmac.compare_digest(given or "", ctx.csrf(cookie)):
        raise AccessDenied("the form expired or was not ours: reload the page and try again")
