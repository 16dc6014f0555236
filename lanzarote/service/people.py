"""API tokens, users and agencies, and the audit trail.

Roles are per agency: an agency's administrator manages that agency's users and nothing above it; only the hub's
administrators create agencies, hub users, or give an agency a source; an auditor searches the entries of their own
agency's users (the hub's auditor, all of them).
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.orm import Session

from lanzarote import config
from lanzarote.errors import AccessDenied, NotFound
from lanzarote.service.actors import require
from lanzarote.store import access, audit
from lanzarote.store.access import HUB, Agency, ApiToken, User

__all__ = ["Agency", "ApiToken"]


def _hub_admin(user: User) -> bool:
    return user.is_hub and user.may("administer")


def _manages(user: User, agency: str) -> None:
    """An administrator manages their own agency's users; the hub's administrators every agency's."""
    require(user, "administer")
    if not _hub_admin(user) and agency.upper() != user.agency:
        raise AccessDenied(f"an administrator of {user.agency} manages {user.agency}'s users only")


def users(s: Session, user: User) -> list[tuple[User, bool]]:
    """The users an administrator manages, with whether each is active."""
    require(user, "administer")
    return access.list_users(s, None if _hub_admin(user) else user.agency)


def add_user(s: Session, user: User, username: str, password: str, role: str, agency: str) -> User:
    """Add a user to an agency the administrator manages; the password is hashed with Argon2; audited."""
    _manages(user, agency)
    added = access.add_user(s, username, password, role, agency, datetime.now(UTC))
    audit.record(s, user.username, "user_added", f"user/{added.username}", f"{added.role} {added.agency}",
                 datetime.now(UTC))
    return added


def disable_user(s: Session, user: User, username: str) -> None:
    """Disable a user of an agency the administrator manages: sessions and tokens stop at once; audited."""
    require(user, "administer")
    try:
        access.disable(s, username, None if _hub_admin(user) else user.agency)
    except NotFound:
        raise NotFound(f"no user {username!r} in {'any agency' if _hub_admin(user) else user.agency}") from None
    audit.record(s, user.username, "user_disabled", f"user/{username}", "", datetime.now(UTC))


def agencies(s: Session, user: User) -> list[Agency]:
    """The agencies: national units, local authorities and the hub, with their contacts."""
    return access.list_agencies(s)


def add_agency(s: Session, user: User, code: str, name: str, kind: str, country: str | None,
               authority: str | None, contact: str | None = None) -> Agency:
    """Add an agency (the hub's administrators only); audited."""
    if not _hub_admin(user):
        raise AccessDenied("only the hub's administrators add agencies")
    agency = access.add_agency(s, code, name, kind, country, authority, contact)
    audit.record(s, user.username, "agency_added", f"agency/{agency.code}", agency.kind, datetime.now(UTC))
    return agency


def grant_source(s: Session, user: User, source: str, agency: str) -> None:
    """Let an agency write reports of `source` over the API (the hub's administrators only); audited."""
    if not _hub_admin(user):
        raise AccessDenied("only the hub's administrators give an agency a source")
    access.grant_source(s, source, agency)
    audit.record(s, user.username, "source_granted", f"agency/{agency.upper()}", source, datetime.now(UTC))


def sources(s: Session, agency: str) -> set[str]:
    return access.sources_of(s, agency.upper())


def managed_user(s: Session, user: User, username: str) -> User:
    """An active user the administrator manages."""
    target = access.active_user(s, username)
    if target is None:
        raise NotFound(f"no active user {username!r}")
    _manages(user, target.agency)
    return target


def _token_days() -> int:
    return int(config.get("api_token_days"))


def create_token(s: Session, user: User, name: str, for_user: str | None = None) -> tuple[ApiToken, str]:
    """An API token acting as `for_user` (an administrator, for a user they manage) or as the user, working for
    `api_token_days`; the secret is returned once; audited. A token cannot make tokens: that takes a password."""
    if user.by_token:
        raise AccessDenied("an API token cannot make tokens: log in with your password to make one")
    owner = user
    if for_user is not None and for_user != user.username:
        owner = managed_user(s, user, for_user)
    now = datetime.now(UTC)
    token, secret = access.create_token(s, owner, name, now, _token_days())
    audit.record(s, user.username, "token_created", f"token/{token.id}", f"{owner.username}: {name}", now)
    return token, secret


def tokens(s: Session, user: User, of: str | None = None) -> list[ApiToken]:
    """API tokens (never their secrets): the user's own, or those of the users an administrator manages."""
    if of == user.username or not user.may("administer"):
        return access.tokens(s, _token_days(), user.username)
    managed = {u.username for u, _ in users(s, user)}
    return [t for t in access.tokens(s, _token_days(), of) if t.username in managed]


def revoke_token(s: Session, user: User, token_id: int) -> None:
    """Revoke a token (one's own; an administrator's, one of a user they manage): it stops at once; audited."""
    owners = {t.id: t.username for t in tokens(s, user)} if user.may("administer") else {}
    mine = owners.get(token_id) or user.username
    access.revoke_token(s, token_id, datetime.now(UTC), username=mine)
    audit.record(s, user.username, "token_revoked", f"token/{token_id}", "", datetime.now(UTC))


def audit_search(s: Session, user: User, actor: str | None, action: str | None, target: str | None,
                 limit: int = 200) -> list[dict[str, object]]:
    """Audit entries, newest first: the hub's auditors see all, an agency's the entries of its users. The search
    itself is audited."""
    require(user, "audit")
    actors = None if user.is_hub else {u.username for u, _ in access.list_users(s, user.agency)}
    rows = audit.entries(s, limit=limit, actor=actor or None, action=action or None, target=target or None,
                         actors=actors)
    audit.record(s, user.username, "audit_search", "audit", f"actor={actor or ''} action={action or ''} "
                 f"target={target or ''}", datetime.now(UTC))
    return rows


def audit_verify(s: Session, user: User) -> list[str]:
    """Every break in the audit chain, or against its last signed checkpoint (empty: intact, and checkpointed
    again); the check itself is audited."""
    require(user, "audit")
    from lanzarote.pipeline import anchor  # the chain recomputed, then compared with its signed checkpoint

    problems = anchor.verify(s.get_bind().engine)
    audit.record(s, user.username, "audit_verify", "audit", f"{len(problems)} problems", datetime.now(UTC))
    return problems


def first_administrator(s: Session, password: str) -> User | None:
    """On a store without users, its first (hub) administrator `admin`; None when there are users already."""
    if access.list_users(s):
        return None
    return access.add_user(s, "admin", password, "administrator", HUB, datetime.now(UTC))


def demo_administrator(s: Session, username: str, password: str) -> User:
    """A hub administrator for a demonstration store."""
    return access.add_user(s, username, password, "administrator", HUB, datetime.now(UTC))
