"""Who acts: a signed-in user, a user named with `--as`, or the command line's named system actor; and the checks
every use case applies to them (role, need-to-know)."""

from __future__ import annotations

import getpass
from dataclasses import replace
from datetime import UTC, datetime

from sqlalchemy import Connection, Engine
from sqlalchemy.orm import Session

from lanzarote import config
from lanzarote.errors import AccessDenied, NotAuthenticated, NotFound, PasswordChangeNeeded, SecondFactorNeeded
from lanzarote.store import access, audit
from lanzarote.store import reports as store_reports
from lanzarote.store.access import HUB, SYSTEM_ROLE, Scope, User
from lanzarote.store.db import session
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


def signed_in(s: Session, token: str, now: datetime, address: str | None = None, enrolling: bool = False) -> User:
    """The user behind a session cookie or an API token, acting from `address`. A user whose password an
    administrator reset, or whose role needs a second factor they have not enrolled, may only set up their
    credentials (`enrolling`): change the password, enrol the factor."""
    from lanzarote.service.logins import second_factor_missing

    user = access.user_for_token(s, token, now, int(config.get("api_token_days"))) if token else None
    if user is None:
        raise NotAuthenticated("log in first (or send an API token as 'Authorization: Bearer <token>')")
    user = replace(user, address=address)
    if not enrolling and user.must_change_password:
        raise PasswordChangeNeeded("your password was reset: choose a new one first (POST /api/v1/password, or the "
                                   "page /password)")
    if not enrolling and second_factor_missing(s, user):
        raise SecondFactorNeeded("your role needs a second factor: enrol one first (POST /api/v1/second-factor, or the "
                           "page /second-factor)")
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
        refused(s.get_bind(), user, store_reports.report_key(stored.report.source, stored.report.source_id),
                "404: held by another agency")
        raise NotFound(f"no report {report_id!r}")
    return stored


def refused(bind: Engine | Connection, user: User, target: str, why: str) -> None:
    """Audit a refusal (a report of another agency, an action the role may not do) with where it came from, in a
    transaction of its own: the refused request's own is rolled back."""
    with session(bind.engine) as own:
        audit.record(own, user.username, "refused", target[:300], f"{why} (from {user.address or '-'})",
                     datetime.now(UTC))


def scoped(user: User, f: QueueFilter) -> QueueFilter:
    """The filter narrowed to what the user's agency may see (a unit cannot widen it by asking for another)."""
    if user.is_hub:
        return f
    return replace(f, country=user.scope.country, authority=user.scope.authority or f.authority)
