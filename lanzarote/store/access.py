"""Agencies, their users and roles, sessions, and need-to-know: which reports a user may see at all.

Passwords are hashed with Argon2. A session token is random, shown once to the browser as a cookie, and stored only
as its SHA-256. An agency is a national unit (it sees the reports routed to its country), a local authority (the
reports routed to it) or the hub (`HUB`, created with the store: it sees everything it coordinates).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets
import sys
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import TypeVar

from argon2 import PasswordHasher
from argon2.exceptions import VerificationError, VerifyMismatchError
from sqlalchemy import Boolean, Column, DateTime, ForeignKey, Integer, Select, String, Table, insert, select, update
from sqlalchemy.orm import Session

from lanzarote import config
from lanzarote.errors import Conflict, InputRejected, NotFound
from lanzarote.store.metadata import metadata

AGENCY_KINDS = ("national_unit", "local_authority", "hub")
ROLES = ("analyst", "supervisor", "victim_identification", "auditor", "administrator")
VICTIM_ROLES = {"victim_identification", "supervisor"}
SYSTEM_ROLE = "system"
"""The role of a named system actor (the command line run by an operator): every action, no victims' details.
No account can be given it: it is never in `ROLES`."""
HUB = "HUB"
SESSION_HOURS = 10
TEMPORARY_PASSWORD_HOURS = 24
"""How long a password an administrator set works (to choose a new one) before it expires."""
T = TypeVar("T")
_hasher = PasswordHasher()
_slots: list[ThreadPoolExecutor] = []
_slots_made = threading.Lock()
ARGON2_NICE = 19
"""The CPU priority of Argon2's threads (Linux nice value, the lowest): the pages come first."""


def _low_priority() -> None:
    """Argon2 is made to take much CPU (64 MiB, 3 passes, 4 lanes, about 0.35 s on two cores): four checks at once
    left the pages a fraction of the cores (queue page median 27 -> 445 ms; at nice 10, 67 ms), so its threads
    yield to every other. Linux keeps a nice value per thread, and the threads libargon2 starts for its lanes
    inherit it; elsewhere nothing changes. Nice 19, not 10: the scheduler weighs each thread, and a check runs four
    lanes, so two checks at nice 10 (8 threads of weight 110) weighed 86 % of one page's thread (1024); at nice 19
    (weight 15) 12 %."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError):
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), ARGON2_NICE)


def _argon2(work: Callable[..., T], *args: str) -> T:
    """`work` in one of `password_hash_concurrency` threads of this process kept for Argon2, each holding 64 MiB while
    it runs (80 concurrent logins cannot take the server's memory up by gigabytes), at low CPU priority; callers
    wait their turn."""
    with _slots_made:
        if not _slots:
            _slots.append(ThreadPoolExecutor(max(1, int(config.get("password_hash_concurrency"))), "argon2",
                                             initializer=_low_priority))
        slots = _slots[0]
    return slots.submit(work, *args).result()


os.register_at_fork(after_in_child=_slots.clear)  # a forked child has none of its parent's threads


agencies = Table(
    "agencies",
    metadata,
    Column("code", String(40), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("country", String(2)),
    Column("authority", String(300)),
    Column("contact", String(300)),
)

agency_sources = Table(
    "agency_sources",
    metadata,
    Column("source", String(100), primary_key=True),
    Column("agency", String(40), nullable=False),
)
"""The sources an agency may write over the API: each source belongs to one agency (made by 0007)."""

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("username", String(100), nullable=False, unique=True),
    Column("password_hash", String(200), nullable=False),
    Column("role", String(40), nullable=False),
    Column("agency", String(40), nullable=False),
    Column("active", Boolean, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("password_reset_at", DateTime(timezone=True)),
)
"""`password_reset_at`: when an administrator reset the password to a temporary one, which works for
`TEMPORARY_PASSWORD_HOURS` and only to choose a new one (made by 0015)."""

sessions = Table(
    "sessions",
    metadata,
    Column("token_sha256", String(64), primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id"), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
)

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("token_sha256", String(64), nullable=False, unique=True),
    Column("user_id", Integer, ForeignKey("users.id"), nullable=False),
    Column("name", String(100), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("revoked_at", DateTime(timezone=True)),
)


@dataclass(frozen=True)
class Agency:
    code: str
    name: str
    kind: str
    country: str | None = None
    authority: str | None = None
    contact: str | None = None
    """How another agency reaches it (a functional mailbox or desk), shown where its reports are hidden."""


@dataclass(frozen=True)
class Scope:
    """The part of the queue an agency may see: everything (hub), a country, or one authority in a country."""

    country: str | None = None
    authority: str | None = None

    def covers(self, country: str | None, authority: str | None) -> bool:
        if self.country is None:
            return True
        return country == self.country and (self.authority is None or authority == self.authority)


@dataclass(frozen=True)
class User:
    id: int
    username: str
    role: str
    agency: str
    scope: Scope = Scope()
    by_token: bool = False
    """Signed in with an API token (not a password's session): such a user cannot make tokens."""
    address: str | None = None
    """Where the request came from (the client's address), for the audit trail; None on the command line."""
    password_reset_at: datetime | None = None
    """When an administrator reset the password: until it is changed, a session may change it and nothing else."""

    @property
    def must_change_password(self) -> bool:
        return self.password_reset_at is not None

    @property
    def sees_victims(self) -> bool:
        return self.role in VICTIM_ROLES

    @property
    def is_hub(self) -> bool:
        return self.scope.country is None

    def may_see(self, country: str | None, authority: str | None = None) -> bool:
        """Need-to-know: the hub sees everything; a unit what is routed to its country; an authority its own."""
        return self.scope.covers(country, authority)

    def may(self, action: str) -> bool:
        """What a role may do beyond reading: `administer`, `audit`, `decide` (assign, route, confirm links)."""
        allowed = {"administer": {"administrator"}, "audit": {"auditor", "administrator"},
                   "decide": {"analyst", "supervisor", "victim_identification", "administrator"}}
        return self.role == SYSTEM_ROLE or self.role in allowed[action]


def _scope(agency: Agency | None) -> Scope:
    if agency is None or agency.kind == "hub":
        return Scope() if agency is not None else Scope(country="--")  # an unknown agency sees nothing
    return Scope(country=agency.country, authority=agency.authority if agency.kind == "local_authority" else None)


def _agency(row: object) -> Agency:
    m = row._mapping  # type: ignore[attr-defined]
    return Agency(code=m["code"], name=m["name"], kind=m["kind"], country=m["country"], authority=m["authority"],
                  contact=m.get("contact"))


def add_agency(s: Session, code: str, name: str, kind: str, country: str | None = None,
               authority: str | None = None, contact: str | None = None) -> Agency:
    """Add an agency; a national unit needs its country, a local authority its country and authority name."""
    code = code.strip().upper()
    if kind not in AGENCY_KINDS:
        raise InputRejected(f"unknown agency kind {kind!r}: one of {', '.join(AGENCY_KINDS)}")
    if not code or len(code) > 40:
        raise InputRejected("an agency code is 1 to 40 characters, e.g. DE or DE-BY-LKA")
    if kind != "hub" and (not country or len(country) != 2):
        raise InputRejected(f"a {kind.replace('_', ' ')} needs its country (two letters, e.g. --country DE)")
    if kind == "local_authority" and not authority:
        raise InputRejected("a local authority needs its name as the routing tables give it (--authority)")
    if s.execute(select(agencies.c.code).where(agencies.c.code == code)).first():
        raise Conflict(f"agency {code!r} exists already")
    agency = Agency(code=code, name=name, kind=kind, country=country.upper() if country else None,
                    authority=authority if kind == "local_authority" else None, contact=contact or None)
    s.execute(insert(agencies).values(code=agency.code, name=agency.name, kind=agency.kind, country=agency.country,
                                      authority=agency.authority, contact=agency.contact))
    return agency


def grant_source(s: Session, source: str, agency: str) -> None:
    """Let `agency` write reports of `source` over the API (a source belongs to one agency)."""
    source, agency = source.strip(), agency.strip().upper()
    if not source or len(source) > 100:
        raise InputRejected("a source is 1 to 100 characters, e.g. citizen-fr")
    if not s.execute(select(agencies.c.code).where(agencies.c.code == agency)).first():
        raise InputRejected(f"no agency {agency!r}: add it first with `lanzarote agencies add`")
    owner = s.execute(select(agency_sources.c.agency).where(agency_sources.c.source == source)).scalar()
    if owner is not None and owner != agency:
        raise Conflict(f"source {source!r} belongs to {owner} already")
    if owner is None:
        s.execute(insert(agency_sources).values(source=source, agency=agency))


def sources_of(s: Session, agency: str) -> set[str]:
    """The sources `agency` may write."""
    return set(s.execute(select(agency_sources.c.source).where(agency_sources.c.agency == agency)).scalars())


def list_agencies(s: Session) -> list[Agency]:
    return [_agency(r) for r in s.execute(select(agencies).order_by(agencies.c.code))]


def _user(row: object) -> User:
    m = row._mapping  # type: ignore[attr-defined]
    agency = _agency(row) if m.get("kind") is not None else None
    return User(id=m["id"], username=m["username"], role=m["role"], agency=m["agency"], scope=_scope(agency),
                password_reset_at=m.get("password_reset_at"))


def _users_select() -> Select[tuple[object, ...]]:
    return select(users, agencies.c.code, agencies.c.name, agencies.c.kind, agencies.c.country,
                  agencies.c.authority).outerjoin(agencies, agencies.c.code == users.c.agency)


def add_user(s: Session, username: str, password: str, role: str, agency: str, now: datetime) -> User:
    if role not in ROLES:
        raise InputRejected(f"unknown role {role!r}: one of {', '.join(ROLES)}")
    _long_enough(password)
    if not username.strip() or len(username) > 100:
        raise InputRejected("a user name is 1 to 100 characters")
    if "/" in username or "\\" in username or ".." in username or any(not c.isprintable() for c in username):
        # it names folders (uploads) and lines of the audit trail: no path, no control character
        raise InputRejected("a user name holds no '/', '\\', '..' or control characters")
    if not s.execute(select(agencies.c.code).where(agencies.c.code == agency.upper())).first():
        raise InputRejected(f"no agency {agency!r}: add it first with `lanzarote agencies add`")
    if s.execute(select(users.c.id).where(users.c.username == username)).first():
        raise Conflict(f"user {username!r} exists already")
    hashed = _argon2(_hasher.hash, password)
    s.execute(insert(users).values(username=username, password_hash=hashed, role=role,
                                   agency=agency.upper(), active=True, created_at=now))
    return _user(s.execute(_users_select().where(users.c.username == username)).one())


def _long_enough(password: str) -> None:
    if len(password) < 12:
        raise InputRejected("a password needs at least 12 characters")


def set_password(s: Session, user_id: int, password: str, reset_at: datetime | None = None) -> None:
    """A new password (at least 12 characters, hashed with Argon2); `reset_at`: a temporary one an administrator
    set then, which the next login may only change."""
    _long_enough(password)
    hashed = _argon2(_hasher.hash, password)
    s.execute(update(users).where(users.c.id == user_id)
              .values(password_hash=hashed, password_reset_at=reset_at))


def end_sessions(s: Session, user_id: int, now: datetime, keep: str | None = None) -> tuple[int, int]:
    """Log a user out everywhere: every session but `keep` (the one asking) ends and every API token is revoked;
    how many of each."""
    query = update(sessions).where(sessions.c.user_id == user_id, sessions.c.expires_at > now)
    if keep:
        query = query.where(sessions.c.token_sha256 != _digest(keep))
    ended = s.execute(query.values(expires_at=datetime(2000, 1, 1, tzinfo=UTC))).rowcount  # type: ignore[attr-defined]
    revoked = s.execute(update(api_tokens).where(api_tokens.c.user_id == user_id, api_tokens.c.revoked_at.is_(None))
                        .values(revoked_at=now)).rowcount  # type: ignore[attr-defined]
    return int(ended), int(revoked)


def active_user(s: Session, username: str) -> User | None:
    """The active user of this name (None when unknown or disabled)."""
    row = s.execute(_users_select().where(users.c.username == username, users.c.active.is_(True))).first()
    return _user(row) if row is not None else None


def list_users(s: Session, agency: str | None = None) -> list[tuple[User, bool]]:
    query = _users_select().order_by(users.c.username)
    if agency is not None:
        query = query.where(users.c.agency == agency)
    return [(_user(r), bool(r.active)) for r in s.execute(query)]


def disable(s: Session, username: str, agency: str | None = None) -> None:
    """Disable a user (only one of `agency`'s when given): their sessions and tokens stop working at once; the user
    stays in the audit trail."""
    query = update(users).where(users.c.username == username)
    if agency is not None:
        query = query.where(users.c.agency == agency)
    done = s.execute(query.values(active=False))
    if done.rowcount == 0:  # type: ignore[attr-defined]
        raise NotFound(f"no user {username!r}")


def authenticate(s: Session, username: str, password: str) -> User | None:
    row = s.execute(_users_select().where(users.c.username == username, users.c.active.is_(True))).first()
    if row is None:
        _argon2(_hasher.hash, password)  # same work whether or not the user exists
        return None
    try:
        _argon2(_hasher.verify, row.password_hash, password)
    except (VerifyMismatchError, VerificationError):
        return None
    return _user(row)


def open_session(s: Session, user: User, now: datetime) -> str:
    token = secrets.token_urlsafe(32)
    s.execute(insert(sessions).values(token_sha256=_digest(token), user_id=user.id,
                                      expires_at=now + timedelta(hours=SESSION_HOURS)))
    return token


def close_session(s: Session, token: str) -> None:
    s.execute(update(sessions).where(sessions.c.token_sha256 == _digest(token))
              .values(expires_at=datetime(2000, 1, 1)))


def user_for_token(s: Session, token: str, now: datetime, token_days: int) -> User | None:
    """The user behind a session cookie or an API token (None when unknown, expired, revoked or disabled); an API
    token works for `token_days` after it was made."""
    digest = _digest(token)
    row = s.execute(
        _users_select().join(sessions, sessions.c.user_id == users.c.id)
        .where(sessions.c.token_sha256 == digest, users.c.active.is_(True))
        .add_columns(sessions.c.expires_at)
    ).first()
    if row is None:
        row = s.execute(
            _users_select().join(api_tokens, api_tokens.c.user_id == users.c.id)
            .where(api_tokens.c.token_sha256 == digest, api_tokens.c.revoked_at.is_(None),
                   users.c.active.is_(True), api_tokens.c.created_at > now - timedelta(days=token_days))
        ).first()
        return replace(_user(row), by_token=True) if row is not None else None
    expires = row.expires_at if row.expires_at.tzinfo else row.expires_at.replace(tzinfo=now.tzinfo)
    return _user(row) if expires > now else None


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class ApiToken:
    id: int
    username: str
    name: str
    created_at: datetime
    revoked: bool
    expires_at: datetime


def create_token(s: Session, user: User, name: str, now: datetime, token_days: int) -> tuple[ApiToken, str]:
    """A token for an integration: the secret is returned once and only its SHA-256 is kept."""
    if not name.strip() or len(name) > 100:
        raise InputRejected("name the token after the integration that uses it (1 to 100 characters)")
    secret = "lzt_" + secrets.token_urlsafe(32)
    token_id = s.execute(insert(api_tokens).values(token_sha256=_digest(secret), user_id=user.id, name=name,
                                                   created_at=now).returning(api_tokens.c.id)).scalar_one()
    return ApiToken(id=token_id, username=user.username, name=name, created_at=now, revoked=False,
                    expires_at=now + timedelta(days=token_days)), secret


def tokens(s: Session, token_days: int, username: str | None = None) -> list[ApiToken]:
    query = (select(api_tokens, users.c.username).join(users, users.c.id == api_tokens.c.user_id)
             .order_by(api_tokens.c.id))
    if username is not None:
        query = query.where(users.c.username == username)
    made = [(r, r.created_at if r.created_at.tzinfo else r.created_at.replace(tzinfo=UTC)) for r in s.execute(query)]
    return [ApiToken(id=r.id, username=r.username, name=r.name, created_at=at, revoked=r.revoked_at is not None,
                     expires_at=at + timedelta(days=token_days)) for r, at in made]


def revoke_token(s: Session, token_id: int, now: datetime, username: str | None = None) -> None:
    """Revoke a token (only one of `username`'s when given); it stops working at once."""
    query = update(api_tokens).where(api_tokens.c.id == token_id, api_tokens.c.revoked_at.is_(None))
    if username is not None:
        owner = select(users.c.id).where(users.c.username == username).scalar_subquery()
        query = query.where(api_tokens.c.user_id == owner)
    if s.execute(query.values(revoked_at=now)).rowcount == 0:  # type: ignore[attr-defined]
        raise NotFound(f"no active token {token_id}")
