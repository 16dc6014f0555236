"""What every endpoint and page needs: the store, the signed-in user and the client's address, CSRF, and the
slots logins wait in for Argon2.

Need-to-know and the audit are not here: they are the use-case layer's (`lanzarote.service`), which the command
line calls too.
"""

from __future__ import annotations

import hmac
import ipaddress
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from typing import Annotated
from urllib.parse import urlsplit

from anyio import CapacityLimiter
from fastapi import Depends, Request
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from lanzarote import config
from lanzarote.errors import AccessDenied, ConfigurationError
from lanzarote.routing.tables import RoutingTables
from lanzarote.service import User
from lanzarote.service import session as store_session
from lanzarote.service.actors import signed_in
from lanzarote.service.reports import QueueCounts

COOKIE = "lanzarote_session"


def client_address(request: Request) -> str:
    """The client's address: the peer's, unless the peer is a trusted proxy (`trusted_proxies`); then the
    right-most `X-Forwarded-For` entry that is not itself a trusted proxy (what the nearest proxy saw)."""
    peer = request.client.host if request.client else "-"
    trusted = _trusted_proxies(str(config.get("trusted_proxies")))
    if not _within(peer, trusted):
        return peer
    hops = [h.strip() for h in ",".join(request.headers.getlist("x-forwarded-for")).split(",") if h.strip()]
    for hop in reversed(hops):
        if not _within(hop, trusted):
            return hop if _address(hop) is not None else peer  # a made-up entry says nothing: the proxy's own
    return peer


@lru_cache(maxsize=8)
def _trusted_proxies(setting: str) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    try:
        return tuple(ipaddress.ip_network(p.strip(), strict=False) for p in setting.split(",") if p.strip())
    except ValueError as exc:
        raise ConfigurationError(f"LANZAROTE_TRUSTED_PROXIES={setting!r}: {exc}") from exc


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def _within(host: str, networks: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]) -> bool:
    address = _address(host)
    return address is not None and any(address in n for n in networks)


@dataclass
class Context:
    engine: Engine
    secret: str = field(default_factory=lambda: secrets.token_hex(32))
    hashing: CapacityLimiter = field(
        default_factory=lambda: CapacityLimiter(max(1, int(config.get("password_hash_concurrency")))))
    """Logins wait here, holding no thread of the pool the pages run in, for one of the Argon2 slots."""
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

    def device_cookie(self, username: str) -> str:
        """A signed cookie naming a new device id of this account's workstation."""
        device = secrets.token_urlsafe(12)
        return f"{device}.{self._device_mac(username, device)}"

    def device_of(self, username: str, cookie: str) -> str | None:
        """The device id in a cookie signed for this account, else None."""
        device, _, mac = cookie.partition(".")
        ok = device and hmac.compare_digest(mac, self._device_mac(username, device))
        return device if ok else None

    def _device_mac(self, username: str, device: str) -> str:
        return hmac.new(self.secret.encode(), f"device\0{username}\0{device}".encode(), "sha256").hexdigest()


def context(request: Request) -> Context:
    ctx: Context = request.app.state.lanzarote
    return ctx


Ctx = Annotated[Context, Depends(context)]


def db(ctx: Ctx) -> Iterator[Session]:
    """The request's session, committed when the handler returns and before its answer is sent (FastAPI's
    `scope="function"`): by default a dependency's exit runs after the answer, so a browser following a form's 303
    to the page it names could read it before the change was committed ("not found", the old page), and a failed
    commit would follow an answer that said it succeeded."""
    with store_session(ctx.engine) as s:
        yield s


Db = Annotated[Session, Depends(db, scope="function")]


def session_token(request: Request) -> str:
    """The session cookie, else the bearer token of `Authorization`."""
    return request.cookies.get(COOKIE) or request.headers.get("authorization", "").removeprefix("Bearer ").strip()


SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def _signed_in(request: Request, s: Session, enrolling: bool) -> User:
    user = signed_in(s, session_token(request), datetime.now(UTC), client_address(request), enrolling=enrolling)
    request.state.user = user  # for the audit of a refusal (problems.py)
    if request.url.path.startswith("/api/") and request.method not in SAFE_METHODS and COOKIE in request.cookies:
        api_csrf_ok(request, context(request))
    return user


def current_user(request: Request, s: Db) -> User:
    return _signed_in(request, s, enrolling=False)


def enrolling_user(request: Request, s: Db) -> User:
    """The signed-in user, even one who must enrol a second factor before anything else."""
    return _signed_in(request, s, enrolling=True)


CurrentUser = Annotated[User, Depends(current_user)]
EnrollingUser = Annotated[User, Depends(enrolling_user)]


def csrf_ok(request: Request, ctx: Context, given: str) -> None:
    """Forms sent with the session cookie must carry the page's CSRF token; API calls with a bearer token need not."""
    cookie = request.cookies.get(COOKIE)
    if cookie is None:
        return
    if not hmac.compare_digest(given or "", ctx.csrf(cookie)):
        raise AccessDenied("the form expired or was not ours: reload the page and try again")


CSRF_HEADER = "X-CSRF-Token"


def api_csrf_ok(request: Request, ctx: Context) -> None:
    """An API call that changes something and is authenticated by the session cookie (a browser's) must come from
    our own pages: the page's CSRF token in `X-CSRF-Token`, and an `Origin` (or, without one, `Referer`) of this
    very site. A call with an API token carries no cookie and needs neither."""
    origin = request.headers.get("origin") or _origin_of(request.headers.get("referer", ""))
    ours = f"{request.url.scheme}://{request.url.netloc}"
    if origin != ours:
        raise AccessDenied(f"a call with the session cookie must come from this site's own pages ({ours}), "
                           f"not from {origin or 'an unnamed origin'}")
    csrf_ok(request, ctx, request.headers.get(CSRF_HEADER, ""))


def _origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""
