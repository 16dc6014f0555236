"""Who acts: a signed-in user, a user named with `--as`, or the command line's named system actor; and the checks
every use case applies to them (role, need-to-know)."""

from __future__ import annotations

import getpass
from dataclasses import replace
from datetime import datetime

from sqlalchemy.orm import Session

from lanzarote.errors import AccessDenied, NotAuthenticated, NotFound
from lanzarote.store import access
from lanzarote.store import reports as store_reports
from lanzarote.store.access import HUB, SYSTEM_ROLE, Scope, User
from lanzarote.store.reports import QueueFilter, StoredReport


def system_actor(name: str | None = None) -> User:
    """The command line's actor when no `--as` is given: named after the operating-system user, so the audit trail
    says who ran it. It may do everything an operator of the store can, but sees victims only by pseudonym."""
    who = name or _os_user()
    return User(id=0, username=f"system:{who}"[:100], role=SYSTEM_ROLE, agency=HUB, scope=Scope())


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name (a container without a passwd entry)
        return "unknown"


def acting_as(s: Session, username: str) -> User:
    """The active user named with `--as`: the command then runs with that user's role and agency."""
    user = access.active_user(s, username)
    if user is None:
        raise NotAuthenticated(f"no active user {username!r} to act as (see `lanzarote users list`)")
    return user


def signed_in(s: Session, token: str, now: datetime) -> User:
    """The user behind a session cookie or an API token."""
    user = access.user_for_token(s, token, now) if token else None
    if user is None:
        raise NotAuthenticated("log in first (or send an API token as 'Authorization: Bearer <token>')")
    return user


def require(user: User, action: str) -> None:
    """Refuse what the user's role may not do (`administer`, `audit`, `decide`)."""
    if not user.may(action):
        raise AccessDenied(f"your role ({user.role}) may not {action}")


def may_see(user: User, stored: StoredReport) -> bool:
    route = stored.route
    return user.may_see(route.country if route else None,
                        (route.authority or route.national_unit) if route else None)


def visible(s: Session, user: User, report_id: str) -> StoredReport:
    """A report the user may see; any other answers like a report that does not exist."""
    try:
        stored = store_reports.get_report(s, report_id)
    except NotFound:
        if user.is_hub:  # a hub sees everything: "which source?" tells it nothing it may not know
            raise
        raise NotFound(f"no report {report_id!r}") from None
    if not may_see(user, stored):
        raise NotFound(f"no report {report_id!r}")
    return stored


def scoped(user: User, f: QueueFilter) -> QueueFilter:
    """The filter narrowed to what the user's agency may see (a unit cannot widen it by asking for another)."""
    if user.is_hub:
        return f
    return replace(f, country=user.scope.country, authority=user.scope.authority or f.authority)
