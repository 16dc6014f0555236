"""Users, their agency and role, sessions, and need-to-know: which reports a user may see at all.

Passwords are hashed with Argon2. A session token is random, shown once to the browser as a cookie, and stored only
as its SHA-256. An agency is a country's unit (its ISO code: it sees the reports routed to that country) or the hub
(`HUB`: it sees everything it coordinates).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import VerificationError, VerifyMismatchError
from sqlalchemy import Boolean, Column, DateTime, ForeignKey, Integer, String, Table, insert, select, update
from sqlalchemy.orm import Session

from lanzarote.errors import Conflict, InputRejected
from lanzarote.store.metadata import metadata

ROLES = ("analyst", "supervisor", "victim_identification", "auditor", "administrator")
VICTIM_ROLES = {"victim_identification", "supervisor"}
HUB = "HUB"
SESSION_HOURS = 10
_hasher = PasswordHasher()

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("username", String(100), nullable=False, unique=True),
    Column("password_hash", String(200), nullable=False),
    Column("role", String(40), nullable=False),
    Column("agency", String(10), nullable=False),
    Column("active", Boolean, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

sessions = Table(
    "sessions",
    metadata,
    Column("token_sha256", String(64), primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id"), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
)


@dataclass(frozen=True)
class User:
    id: int
    username: str
    role: str
    agency: str

    @property
    def sees_victims(self) -> bool:
        return self.role in VICTIM_ROLES

    def may_see(self, country: str | None) -> bool:
        """Need-to-know: the hub sees everything; a national unit the reports routed to its country."""
        return self.agency == HUB or (country is not None and country == self.agency)


def _user(row: object) -> User:
    return User(id=row.id, username=row.username, role=row.role, agency=row.agency)  # type: ignore[attr-defined]


def add_user(s: Session, username: str, password: str, role: str, agency: str, now: datetime) -> User:
    if role not in ROLES:
        raise InputRejected(f"unknown role {role!r}: one of {', '.join(ROLES)}")
    if len(password) < 12:
        raise InputRejected("a password needs at least 12 characters")
    if s.execute(select(users.c.id).where(users.c.username == username)).first():
        raise Conflict(f"user {username!r} exists already")
    s.execute(insert(users).values(username=username, password_hash=_hasher.hash(password), role=role,
                                   agency=agency.upper(), active=True, created_at=now))
    return _user(s.execute(select(users).where(users.c.username == username)).one())


def list_users(s: Session) -> list[tuple[User, bool]]:
    return [(_user(r), bool(r.active)) for r in s.execute(select(users).order_by(users.c.username))]


def disable(s: Session, username: str) -> None:
    s.execute(update(users).where(users.c.username == username).values(active=False))


def authenticate(s: Session, username: str, password: str) -> User | None:
    row = s.execute(select(users).where(users.c.username == username, users.c.active.is_(True))).first()
    if row is None:
        _hasher.hash(password)  # same work whether or not the user exists
        return None
    try:
        _hasher.verify(row.password_hash, password)
    except (VerifyMismatchError, VerificationError):
        return None
    return _user(row)


def open_session(s: Session, user: User, now: datetime) -> str:
    token = secrets.token_urlsafe(32)
    s.execute(insert(sessions).values(token_sha256=hashlib.sha256(token.encode()).hexdigest(), user_id=user.id,
                                      expires_at=now + timedelta(hours=SESSION_HOURS)))
    return token


def close_session(s: Session, token: str) -> None:
    s.execute(update(sessions).where(sessions.c.token_sha256 == hashlib.sha256(token.encode()).hexdigest())
              .values(expires_at=datetime(2000, 1, 1)))


def user_for_token(s: Session, token: str, now: datetime) -> User | None:
    digest = hashlib.sha256(token.encode()).hexdigest()
    row = s.execute(
        select(users).join(sessions, sessions.c.user_id == users.c.id)
        .where(sessions.c.token_sha256 == digest, users.c.active.is_(True))
        .add_columns(sessions.c.expires_at)
    ).first()
    if row is None:
        return None
    expires = row.expires_at if row.expires_at.tzinfo else row.expires_at.replace(tzinfo=now.tzinfo)
    return _user(row) if expires > now else None
