"""Changing one's password, and an administrator's reset of another's: the rules every face applies.

A change needs the current password (checked under the same slowing as a login: a stolen session cannot guess it
quickly), a new one of at least 12 characters and different from it. A reset gives a user a temporary password,
shown once to the administrator, that must be changed at the next login. Either ends every other session and every
API token of the user ("log out everywhere"): whoever held the old password, or a session made with it, is out.
Both are audited with the client's address.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from lanzarote.errors import AccessDenied, InputRejected, NotAuthenticated, TooManyRequests
from lanzarote.service.logins import account_key, address_key, delay, now
from lanzarote.store import access, audit, logins
from lanzarote.store.access import SYSTEM_ROLE, User
from lanzarote.store.db import session


def _keys(user: User) -> tuple[str, ...]:
    """The keys a login counts failures under, so a wrong current password slows logins too (and back)."""
    return (account_key(user.username),) + ((address_key(user.address),) if user.address else ())


def _ended(ended: tuple[int, int], other: bool) -> str:
    return f"{ended[0]}{' other' if other else ''} session(s) ended, {ended[1]} API token(s) revoked"


def change_password(engine: Engine, user: User, current: str, new: str, keep: str | None = None) -> tuple[int, int]:
    """Change the user's own password; every session but `keep` (the one asking) ends and every API token is
    revoked: how many of each. Audited, a wrong current password too."""
    if user.role == SYSTEM_ROLE:
        raise InputRejected("the command line's system actor has no password: name the user with --as")
    if user.by_token:
        raise AccessDenied("a password is changed in a password's session, not with an API token")
    at = now()
    with session(engine) as s:
        refused = logins.claim(s, _keys(user), delay(), at)
    if refused is not None:
        raise TooManyRequests(f"too many wrong passwords: try again in {refused.wait:.0f} seconds")
    with session(engine) as s:
        checked = access.authenticate(s, user.username, current)
    if checked is None:
        with session(engine) as s:
            wait = logins.failed(s, _keys(user), delay(), at)
            audit.record(s, user.username, "password_change_failed", f"user/{user.username}",
                         f"from {user.address or '-'}: wrong current password" + (f"; now waits {wait:.0f} s"
                                                                                  if wait else ""), at)
        raise NotAuthenticated("the current password is wrong")
    with session(engine) as s:  # the right password: the account starts afresh, the address gets its attempt back
        account, *address = _keys(user)
        if address:
            logins.succeeded(s, account, address[0], delay(), at)
        else:
            logins.forget(s, account)
    if new == current:
        raise InputRejected("the new password must differ from the current one")
    with session(engine) as s:
        access.set_password(s, user.id, new)
        ended = access.end_sessions(s, user.id, at, keep)
        audit.record(s, user.username, "password_changed", f"user/{user.username}",
                     f"from {user.address or '-'}; {_ended(ended, other=True)}", at)
    return ended


def reset_password(s: Session, user: User, username: str) -> str:
    """A temporary password for a user the administrator manages (their own agency's; the hub's administrators,
    anyone's), shown once: it works for `TEMPORARY_PASSWORD_HOURS` and only to choose a new one. Every session and
    token of that user ends. Audited."""
    from lanzarote.service.people import managed_user

    target = managed_user(s, user, username)
    temporary = secrets.token_urlsafe(15)
    at: datetime = now()
    access.set_password(s, target.id, temporary, reset_at=at)
    ended = access.end_sessions(s, target.id, at)
    audit.record(s, user.username, "password_reset", f"user/{target.username}",
                 f"from {user.address or '-'}; {_ended(ended, other=False)}; to be changed at the next login", at)
    return temporary
