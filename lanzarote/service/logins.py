"""Logging in and out, and second factors: the rules every face (web, API) applies to a login.

An attempt is first claimed against its account and its client address (`store.logins`): after a few failures
each further attempt waits 1, 2, 4… seconds, in the database, so every server process counts the same failures;
a refused attempt costs no Argon2 work. Then the password (Argon2, a bounded number at once), then the second
factor for the roles that need one (`second_factor_roles`) and for anyone who enrolled. Failures are audited with
the client's address, and whether the account or address must now wait.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from lanzarote import config
from lanzarote.errors import AccessDenied, InputRejected, NotAuthenticated, TooManyRequests
from lanzarote.store import access, audit, factors, logins
from lanzarote.store.access import User
from lanzarote.store.db import session


@dataclass(frozen=True)
class LoginAttempt:
    """What a face gathered: the credentials, where they came from, and (web) the workstation's device id."""

    username: str
    password: str
    channel: str
    address: str
    code: str = ""
    device: str | None = None
    """The id of a workstation this account logged in from before (the face checked its signature): it is slowed
    by its own failures, not by an attacker's on the same account, so the owner is never locked out by others."""


def delay() -> logins.Delay:
    return logins.Delay(free=int(config.get("login_free_attempts")),
                        most=float(config.get("login_max_delay_seconds")))


def needs_second_factor(user: User) -> bool:
    """Whether the user's role must log in with a TOTP code."""
    return user.role in {r.strip() for r in str(config.get("second_factor_roles")).split(",") if r.strip()}


def account_key(username: str, device: str | None = None) -> str:
    """The key an account's failed attempts are counted under (a known workstation's use of it: its own)."""
    return (f"device:{username}:{device}" if device else f"user:{username}")[:200]


def address_key(address: str) -> str:
    """The key a client address's failed attempts are counted under."""
    return f"addr:{address}"[:200]


def _keys(attempt: LoginAttempt) -> tuple[str, str]:
    return account_key(attempt.username, attempt.device), address_key(attempt.address)


def _aware(at: datetime) -> datetime:
    return at if at.tzinfo else at.replace(tzinfo=UTC)  # SQLite gives naive times back


def now() -> datetime:
    """The time attempts are counted by (a test sets its own)."""
    return datetime.now(UTC)


def _failed(engine: Engine, attempt: LoginAttempt, why: str) -> NotAuthenticated:
    with session(engine) as s:
        at = now()
        wait = logins.failed(s, _keys(attempt), delay(), at)
        then = f"; now waits {wait:.0f} s" if wait else ""
        audit.record(s, attempt.username[:100], "login_failed", "-",
                     f"{attempt.channel} from {attempt.address}: {why}{then}", at)
    if why == "temporary password expired":
        return NotAuthenticated(f"the temporary password expired after {access.TEMPORARY_PASSWORD_HOURS} hours: ask "
                                "an administrator for a new one")
    return NotAuthenticated("wrong user name, password or code" if why != "second factor missing"
                            else "this account needs its second factor: send the code of your authenticator app")


def log_in(engine: Engine, attempt: LoginAttempt) -> tuple[User, str]:
    """Check an attempt and open a session (its token); refused while its account or address must wait, and
    audited either way."""
    at = now()
    with session(engine) as s:
        refused = logins.claim(s, _keys(attempt), delay(), at)
    if refused is not None:
        what = "this account" if refused.key.startswith(("user:", "device:")) else "your address"
        raise TooManyRequests(f"too many failed logins for {what}: try again in {refused.wait:.0f} seconds")
    with session(engine) as s:
        user = access.authenticate(s, attempt.username, attempt.password)
    if user is None:
        raise _failed(engine, attempt, "wrong user name or password")
    if user.password_reset_at is not None and _aware(user.password_reset_at) < at - timedelta(
            hours=access.TEMPORARY_PASSWORD_HOURS):
        raise _failed(engine, attempt, "temporary password expired")
    with session(engine) as s:
        enrolled = factors.enrolled(s, user.id)
        kind = factors.check(s, user.id, attempt.code, at) if enrolled and attempt.code else None
    if enrolled and kind is None:
        raise _failed(engine, attempt, "wrong second factor" if attempt.code else "second factor missing")
    with session(engine) as s:
        logins.succeeded(s, *_keys(attempt), delay(), at)
        audit.record(s, user.username, "login", "-", f"{attempt.channel} from {attempt.address}"
                     + (f" with a {kind}" if kind else ""), at)
        return user, access.open_session(s, user, at)


def log_out(s: Session, user: User, token: str) -> None:
    """End the session of `token`: the token is refused from now on. An API token is revoked instead."""
    if user.by_token:
        raise InputRejected("an API token is not logged out but revoked: DELETE /api/v1/tokens/{id}")
    access.close_session(s, token)
    audit.record(s, user.username, "logout", "-", f"from {user.address or '-'}", datetime.now(UTC))


def begin_second_factor(s: Session, user: User) -> tuple[str, str]:
    """A new TOTP secret for the signed-in user and its `otpauth://` address (for the authenticator app); it
    counts only once confirmed with a code. Audited."""
    if user.by_token:
        raise AccessDenied("a second factor is enrolled in a password's session, not with an API token")
    secret, uri = factors.begin(s, user.id, user.username)
    audit.record(s, user.username, "second_factor_begun", f"user/{user.username}", f"from {user.address or '-'}",
                 datetime.now(UTC))
    return secret, uri


def confirm_second_factor(s: Session, user: User, code: str) -> list[str]:
    """Confirm the new secret with a code from the app: the recovery codes, shown once. Audited."""
    if user.by_token:
        raise AccessDenied("a second factor is enrolled in a password's session, not with an API token")
    codes = factors.confirm(s, user.id, code, datetime.now(UTC))
    if codes is None:
        raise InputRejected("that code does not match the new secret: check the app's clock and try the next code")
    audit.record(s, user.username, "second_factor_enrolled", f"user/{user.username}",
                 f"from {user.address or '-'}", datetime.now(UTC))
    return codes


def second_factor_missing(s: Session, user: User) -> bool:
    """A password's session of a user whose role needs a second factor they have not enrolled yet: it may enrol
    one and nothing else."""
    return not user.by_token and needs_second_factor(user) and not factors.enrolled(s, user.id)


def reset_second_factor(s: Session, user: User, username: str) -> None:
    """Take away the second factor of a user the administrator manages (a lost phone): they enrol again at their
    next login. Audited."""
    from lanzarote.service.people import managed_user

    target = managed_user(s, user, username)
    if not factors.remove(s, target.id):
        raise InputRejected(f"{username} has no second factor")
    audit.record(s, user.username, "second_factor_reset", f"user/{username}", f"from {user.address or '-'}",
                 datetime.now(UTC))
