"""Second factors: a TOTP secret per user (RFC 6238, `pyotp`) and single-use recovery codes kept as SHA-256.

Enrolment has two steps: a secret is made (shown once, as an `otpauth://` address for the authenticator app), and
only a code from the app confirms it; until then the user has no second factor. A code is accepted once: the time
step it belongs to is remembered, so a code seen over a shoulder or in a log cannot be played again. Recovery codes
are 16 random hexadecimal digits (64 bits), so a plain SHA-256 of them is as good as a slow hash and costs no
Argon2 memory. The secret is kept sealed (`store.sealing`: AES-GCM under a key derived from the secret key), never
in clear; 0015 sealed the ones kept in clear before.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime

import pyotp
from sqlalchemy import Column, DateTime, ForeignKey, Integer, String, Table, delete, insert, select, update
from sqlalchemy.orm import Session

from lanzarote.store import sealing
from lanzarote.store.metadata import metadata

ISSUER = "Lanzarote"
RECOVERY_CODES = 10

second_factors = Table(
    "second_factors",
    metadata,
    Column("user_id", Integer, ForeignKey("users.id"), primary_key=True),
    Column("secret", String(200), nullable=False),
    Column("confirmed_at", DateTime(timezone=True)),
    Column("last_step", Integer),
)
"""A user's TOTP secret, sealed; unconfirmed until a code from the app was given (made by 0008, sealed by 0015)."""

recovery_codes = Table(
    "recovery_codes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id"), nullable=False, index=True),
    Column("code_sha256", String(64), nullable=False),
    Column("used_at", DateTime(timezone=True)),
)
"""Single-use codes for a lost authenticator, as SHA-256 only (made by 0008)."""


def where(user_id: int) -> str:
    """What a user's sealed secret is bound to: it opens in their row only."""
    return f"second_factors/{user_id}"


def enrolled(s: Session, user_id: int) -> bool:
    """Whether the user has a confirmed second factor."""
    row = s.execute(select(second_factors.c.confirmed_at).where(second_factors.c.user_id == user_id)).first()
    return row is not None and row.confirmed_at is not None


def begin(s: Session, user_id: int, username: str) -> tuple[str, str]:
    """A new, unconfirmed secret for the user (replacing an unconfirmed one) and its `otpauth://` address."""
    secret = pyotp.random_base32()
    s.execute(delete(second_factors).where(second_factors.c.user_id == user_id,
                                           second_factors.c.confirmed_at.is_(None)))
    s.execute(insert(second_factors).values(user_id=user_id, secret=sealing.seal(secret, where(user_id))))
    return secret, pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=ISSUER)


def _step(s: Session, user_id: int, code: str, now: datetime, confirmed: bool) -> int | None:
    """The time step `code` belongs to (the current one or one either side, for clocks that drift), if it is the
    user's and newer than the last accepted."""
    query = select(second_factors).where(second_factors.c.user_id == user_id)
    query = query.where(second_factors.c.confirmed_at.is_not(None) if confirmed
                        else second_factors.c.confirmed_at.is_(None))
    row = s.execute(query).first()
    code = code.strip().replace(" ", "")
    if row is None or len(code) != 6 or not code.isdigit():
        return None
    totp = pyotp.TOTP(sealing.unseal(row.secret, where(user_id)))
    current = totp.timecode(now)
    for step in (current, current - 1, current + 1):
        if hmac.compare_digest(totp.generate_otp(step), code) and (row.last_step is None or step > row.last_step):
            return step
    return None


def confirm(s: Session, user_id: int, code: str, now: datetime) -> list[str] | None:
    """Confirm the unconfirmed secret with a code from the app: the recovery codes (shown once), or None when the
    code is wrong. Earlier recovery codes stop working."""
    step = _step(s, user_id, code, now, confirmed=False)
    if step is None:
        return None
    s.execute(delete(second_factors).where(second_factors.c.user_id == user_id,
                                           second_factors.c.confirmed_at.is_not(None)))
    s.execute(update(second_factors).where(second_factors.c.user_id == user_id)
              .values(confirmed_at=now, last_step=step))
    s.execute(delete(recovery_codes).where(recovery_codes.c.user_id == user_id))
    codes = [secrets.token_hex(8) for _ in range(RECOVERY_CODES)]
    s.execute(insert(recovery_codes), [{"user_id": user_id, "code_sha256": _digest(c)} for c in codes])
    return codes


def check(s: Session, user_id: int, code: str, now: datetime) -> str | None:
    """Accept a current TOTP code (once) or an unused recovery code (then used up): which kind, or None."""
    step = _step(s, user_id, code, now, confirmed=True)
    if step is not None:
        s.execute(update(second_factors).where(second_factors.c.user_id == user_id).values(last_step=step))
        return "totp"
    used = s.execute(update(recovery_codes).where(recovery_codes.c.user_id == user_id,
                                                  recovery_codes.c.code_sha256 == _digest(code.strip().lower()),
                                                  recovery_codes.c.used_at.is_(None)).values(used_at=now))
    return "recovery code" if used.rowcount else None  # type: ignore[attr-defined]


def remove(s: Session, user_id: int) -> bool:
    """Take a user's second factor away (a lost device; they enrol again at their next login)."""
    s.execute(delete(recovery_codes).where(recovery_codes.c.user_id == user_id))
    return bool(s.execute(delete(second_factors).where(second_factors.c.user_id == user_id)).rowcount)  # type: ignore[attr-defined]


def _digest(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()
