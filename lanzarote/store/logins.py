"""Failed logins, kept in the database so every server process counts the same ones.

A key is an account (`user:<name>`, or `device:<name>:<id>` for a workstation the account logged in from before)
or a client address (`addr:<ip>`). After `login_free_attempts` failures a key waits 1, 2, 4… seconds (at most
`login_max_delay_seconds`) before it may try again: an attacker is slowed to a trickle while the owner, after at
most that delay, gets in with the right password. An attempt is claimed before its password is checked, in one
atomic statement, so concurrent attempts (other threads, other processes) cannot all slip through one free slot,
and it holds its keys until its check ends: one password check at a time per account and per address.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Column, DateTime, Integer, String, Table, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from lanzarote.store.metadata import metadata

login_throttle = Table(
    "login_throttle",
    metadata,
    Column("key", String(200), primary_key=True),
    Column("failures", Integer, nullable=False),
    Column("next_at", DateTime(timezone=True), nullable=False),
    Column("last_at", DateTime(timezone=True), nullable=False),
)
"""Per key: attempts since the last success, and when the next one may be made (made by 0008)."""


@dataclass(frozen=True)
class Delay:
    """How attempts are slowed: `free` failures at no cost, then 1, 2, 4… seconds up to `most`."""

    free: int = 5
    most: float = 60.0
    forget: float = 3600.0
    """A key with no attempt for this long starts again from nothing."""
    checking: float = 5.0
    """How long a claimed attempt holds its keys while its password is checked: one check at a time per account and
    per address, in every process (`failed` and `succeeded` let the next one in; a check cut short by a crash, after
    this long)."""

    def after(self, failures: int) -> float:
        if failures < self.free:
            return 0.0
        return float(min(self.most, 2.0 ** min(failures - self.free, 30)))


@dataclass(frozen=True)
class Refused:
    key: str
    wait: float


def _aware(at: datetime, like: datetime) -> datetime:
    return at if at.tzinfo else at.replace(tzinfo=like.tzinfo)  # SQLite gives naive times back


def waiting(s: Session, keys: tuple[str, ...], now: datetime) -> Refused | None:
    """The first of `keys` that must still wait, and how long (None when every one may try now): one read, no
    write."""
    next_ats = {key: next_at for key, next_at in s.execute(
        select(login_throttle.c.key, login_throttle.c.next_at).where(login_throttle.c.key.in_(keys)))}
    for key in keys:
        if key in next_ats and (next_at := _aware(next_ats[key], now)) > now:
            return Refused(key, max(1.0, (next_at - now).total_seconds()))
    return None


def claim(s: Session, keys: tuple[str, ...], delay: Delay, now: datetime) -> Refused | None:
    """Count one attempt against every key, or refuse it (which key, and how long to wait) when a key must still
    wait, or while another attempt on it is being checked (one Argon2 check at a time per key: a flood's free
    attempts are checked one after the other, not all at its first instant). A refused attempt is not counted:
    refused on reading, it writes nothing, neither a failure against its other keys (an account is not charged for
    its attacker's address) nor a row for a key never seen (a flood of made-up user names from an address in delay
    leaves none); so waiting out the delay is enough. Only an attempt that loses a race with another process
    between the read and the write can still be refused after its first keys were counted."""
    refused = waiting(s, keys, now)
    if refused is not None:
        return refused
    insert = postgresql.insert if s.get_bind().dialect.name == "postgresql" else sqlite.insert
    for key in keys:
        s.execute(insert(login_throttle).values(key=key, failures=0, next_at=now, last_at=now)
                  .on_conflict_do_nothing(index_elements=["key"]))
    for key in keys:
        for _ in range(5):  # another attempt claimed between our read and our write: read again
            row = s.execute(select(login_throttle.c.failures, login_throttle.c.next_at, login_throttle.c.last_at)
                            .where(login_throttle.c.key == key)).one()
            next_at = _aware(row.next_at, now)
            if next_at > now:
                return Refused(key, max(1.0, (next_at - now).total_seconds()))
            counted = 0 if (now - _aware(row.last_at, now)).total_seconds() > delay.forget else row.failures
            done = s.execute(update(login_throttle)  # compare-and-set on the count: one claim per count
                             .where(login_throttle.c.key == key, login_throttle.c.failures == row.failures,
                                    login_throttle.c.next_at <= now)
                             .values(failures=counted + 1, last_at=now, next_at=now + timedelta(
                                 seconds=max(delay.after(counted + 1), delay.checking))))
            if done.rowcount:  # type: ignore[attr-defined]
                break
        else:
            return Refused(key, 1.0)
    return None


def failures(s: Session, key: str) -> int:
    """Attempts counted against a key since its last success."""
    found = s.execute(select(login_throttle.c.failures).where(login_throttle.c.key == key)).scalar()
    return int(found or 0)


def failed(s: Session, keys: tuple[str, ...], delay: Delay, now: datetime) -> float:
    """A wrong password or code: each key's wait counts from now, when the failure is known (the check itself takes
    a while); the longest wait."""
    longest = 0.0
    for key in keys:
        count = failures(s, key)
        wait = delay.after(count)
        s.execute(update(login_throttle).where(login_throttle.c.key == key)
                  .values(next_at=now + timedelta(seconds=wait)))
        longest = max(longest, wait)
    return longest


def succeeded(s: Session, account: str, address: str, delay: Delay, now: datetime) -> None:
    """The right password: the account starts again from nothing; the address takes back the attempt it was
    charged (only failures slow an address, and an attacker's own good account cannot wipe its count), and waits
    only if the failures it keeps still make it wait (as long as that attempt would have)."""
    s.execute(delete(login_throttle).where(login_throttle.c.key == account))
    row = s.execute(select(login_throttle.c.failures).where(login_throttle.c.key == address)).first()
    if row is not None and row.failures > 0:
        wait = delay.after(row.failures) if delay.after(row.failures - 1) else 0.0
        s.execute(update(login_throttle).where(login_throttle.c.key == address)
                  .values(failures=row.failures - 1, next_at=now + timedelta(seconds=wait)))


def forget(s: Session, key: str) -> None:
    """The key starts again from nothing (its owner proved who they are)."""
    s.execute(delete(login_throttle).where(login_throttle.c.key == key))
