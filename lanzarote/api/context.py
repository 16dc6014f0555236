"""What every endpoint and page needs: the store, the signed-in user, need-to-know, CSRF, and the login limiter.

Need-to-know is enforced here, once: a report outside the user's agency answers exactly like one that does not
exist, on every endpoint and page that takes a report id.
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

from lanzarote.errors import AccessDenied, NotAuthenticated, NotFound, TooManyRequests
from lanzarote.routing.tables import RoutingTables
from lanzarote.store import access
from lanzarote.store import reports as store_reports
from lanzarote.store.access import User
from lanzarote.store.db import session as store_session

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


class CountCache:
    """Queue totals, counted up to `cap` and kept a few seconds: an exact count of a million rows on every page is
    what made pages slow, and "more than 10,000" tells an analyst as much."""

    def __init__(self, seconds: float = 30.0, cap: int = 10_000) -> None:
        self.seconds = seconds
        self.cap = cap
        self._values: dict[object, tuple[float, int]] = {}
        self._lock = threading.Lock()

    def get(self, s: Session, f: store_reports.QueueFilter) -> int:
        """The filter's total, or `cap + 1` when there are more than `cap`."""
        now = time.monotonic()
        with self._lock:
            hit = self._values.get(f)
        if hit is not None and now - hit[0] < self.seconds:
            return hit[1]
        value = store_reports.count_queue(s, f, cap=self.cap)
        with self._lock:
            if len(self._values) > 10_000:
                self._values.clear()
            self._values[f] = (now, value)
        return value


@dataclass
class Context:
    engine: Engine
    secret: str = field(default_factory=lambda: secrets.token_hex(32))
    limiter: LoginLimiter = field(default_factory=LoginLimiter)
    counts: CountCache = field(default_factory=CountCache)
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
    token = _token(request)
    user = access.user_for_token(s, token, datetime.now(UTC)) if token else None
    if user is None:
        raise NotAuthenticated("log in first (or send an API token as 'Authorization: Bearer <token>')")
    return user


CurrentUser = Annotated[User, Depends(current_user)]


def csrf_ok(request: Request, ctx: Context, given: str) -> None:
    """Forms sent with the session cookie must carry the page's CSRF token; API calls with a bearer token need not."""
    cookie = request.cookies.get(COOKIE)
    if cookie is None:
        return
    if not hmac.compare_digest(given or "", ctx.csrf(cookie)):
        raise AccessDenied("the form expired or was not ours: reload the page and try again")


def require(user: User, action: str) -> None:
    if not user.may(action):
        raise AccessDenied(f"your role ({user.role}) may not {action}")


def visible(s: Session, user: User, report_id: str) -> store_reports.StoredReport:
    """A report the user may see; any other answers like a report that does not exist."""
    try:
        stored = store_reports.get_report(s, report_id)
    except NotFound:
        if user.is_hub:  # a hub sees everything: "which source?" tells it nothing it may not know
            raise
        raise NotFound(f"no report {report_id!r}") from None
    route = stored.route
    if not user.may_see(route.country if route else None, (route.authority or route.national_unit) if route else None):
        raise NotFound(f"no report {report_id!r}")
    return stored


def scoped(user: User, f: store_reports.QueueFilter) -> store_reports.QueueFilter:
    """The filter narrowed to what the user's agency may see (a unit cannot widen it by asking for another)."""
    from dataclasses import replace

    if user.is_hub:
        return f
    return replace(f, country=user.scope.country, authority=user.scope.authority or f.authority)
