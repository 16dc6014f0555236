"""The audit trail: every read, change, export and disclosure, in an append-only chain of hashes.

Each entry carries the hash of the one before; `verify` recomputes the chain, so an entry edited or deleted after
the fact is found. Deleting the last entries, or rewriting the whole chain with fresh hashes, leaves a chain that
verifies: the head is therefore also anchored outside the table (`pipeline/anchor.py` keeps signed checkpoints of
`head`), and `against` compares the table with such a checkpoint.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import (
    Column,
    DateTime,
    Engine,
    Insert,
    Integer,
    String,
    Table,
    Text,
    func,
    insert,
    literal,
    select,
    text,
)
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from lanzarote.store.metadata import metadata

audit = Table(
    "audit",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("actor", String(100), nullable=False),
    Column("action", String(40), nullable=False),
    Column("target", String(300), nullable=False),
    Column("detail", Text, nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
)
GENESIS = "0" * 64


def _digest(prev: str, at: str, actor: str, action: str, target: str, detail: str) -> str:
    body = json.dumps([prev, at, actor, action, target, detail], ensure_ascii=False)
    return hashlib.sha256(body.encode()).hexdigest()


def _stamp(at: datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%S.%f")


CHAIN_LOCK = 0x4C5A_4155  # "LZAU": PostgreSQL advisory lock that serialises writers of the chain


def record(s: Session, actor: str, action: str, target: str, detail: str, now: datetime) -> None:
    """Append one entry, chained to the last, in the caller's transaction. Writers are serialised until their
    transactions end, so keep the transaction short: PostgreSQL takes an advisory lock (locking the last row would let
    a second writer chain to the same row), then inserts the entry chained by the server to the last one it reads
    after the lock; SQLite takes its one write lock before the last entry is read. An entry in a transaction of its
    own: `append`."""
    if s.get_bind().dialect.name == "postgresql":
        s.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CHAIN_LOCK})
        s.execute(_chained(actor, action, target, detail, now))
        return
    s.execute(text("UPDATE audit SET id = id WHERE 1 = 0"))  # a write statement: SQLite's write lock, now
    last = s.execute(select(audit.c.hash).order_by(audit.c.id.desc()).limit(1)).scalar()
    prev = last or GENESIS
    s.execute(insert(audit).values(at=now, actor=actor, action=action, target=target, detail=detail, prev_hash=prev,
                                   hash=_digest(prev, _stamp(now), actor, action, target, detail)))


def append(engine: Engine, actor: str, action: str, target: str, detail: str, now: datetime) -> None:
    """Append one entry in a transaction of its own (a read's or a disclosure's, which must not hold the chain while
    its answer is drawn). PostgreSQL gets the lock, the insert and the commit in one message (psycopg's pipeline), so
    the chain is held while the server inserts and commits, never while this process waits for its turn on the CPU:
    holding it across three round trips, each waiting for a busy host to wake this thread, queued every page's entry
    behind the others (seconds under a login flood)."""
    if engine.dialect.name != "postgresql":
        from lanzarote.store.db import session

        with session(engine) as s:
            record(s, actor, action, target, detail, now)
        return
    chained = _chained(actor, action, target, detail, now).compile(dialect=engine.dialect)
    driver_error = engine.dialect.loaded_dbapi.Error
    raw = engine.raw_connection()
    try:
        conn = raw.driver_connection
        with conn.pipeline():  # type: ignore[union-attr]
            conn.execute("SELECT pg_advisory_xact_lock(%(key)s)", {"key": CHAIN_LOCK})  # type: ignore[union-attr]
            conn.execute(str(chained), chained.params)  # type: ignore[union-attr]
            conn.commit()  # type: ignore[union-attr]
    except driver_error as exc:  # as SQLAlchemy would raise it (a NUL in the text: DataError, answered as 422)
        raise DBAPIError.instance(str(chained), chained.params, exc, driver_error) from exc
    finally:
        raw.close()  # back to the pool, rolled back if anything above failed


def _chained(actor: str, action: str, target: str, detail: str, now: datetime) -> Insert:
    """The entry, chained by the server to the last one it reads when the statement runs: `_digest` of the previous
    hash and the rest, the rest's JSON made here (a hash needs no escaping, so the body is '["' + prev + '", ' + it)."""
    rest = json.dumps([_stamp(now), actor, action, target, detail], ensure_ascii=False)[1:]
    last = select(audit.c.hash).order_by(audit.c.id.desc()).limit(1).scalar_subquery()
    head = select(func.coalesce(last, GENESIS).label("hash")).subquery()
    body = literal('["') + head.c.hash + literal('", ') + literal(rest)
    digest = func.encode(func.sha256(func.convert_to(body, "UTF8")), "hex")
    return insert(audit).from_select(
        ["at", "actor", "action", "target", "detail", "prev_hash", "hash"],
        select(literal(now, DateTime(timezone=True)), literal(actor, String), literal(action, String),
               literal(target, String), literal(detail, Text), head.c.hash, digest))


def verify(s: Session, after: Head | None = None) -> list[str]:
    """Every break in the chain: an entry whose content or link no longer matches (empty: the trail is intact).
    From `after` (a head anchored earlier), only the entries written since are read."""
    problems = []
    prev = after.hash if after else GENESIS
    query = select(audit).order_by(audit.c.id)
    for row in s.execute(query.where(audit.c.id > after.last_id) if after else query):
        if row.prev_hash != prev:
            problems.append(f"entry {row.id}: does not follow the entry before it (one was deleted or changed)")
        if _digest(row.prev_hash, _stamp(row.at), row.actor, row.action, row.target, row.detail) != row.hash:
            problems.append(f"entry {row.id}: its content was changed after it was written")
        prev = row.hash
    return problems


class Head(NamedTuple):
    """Where the chain ends: how many entries it holds, the last one's id and hash."""

    entries: int
    last_id: int
    hash: str


def head(s: Session) -> Head:
    """The chain's head now (an empty trail: 0 entries, id 0, the genesis hash)."""
    last = s.execute(select(audit.c.id, audit.c.hash).order_by(audit.c.id.desc()).limit(1)).first()
    if last is None:
        return Head(0, 0, GENESIS)
    count = s.execute(select(func.count()).select_from(audit).where(audit.c.id <= last.id)).scalar_one()
    return Head(int(count), int(last.id), str(last.hash))


def against(s: Session, anchor: Head, since: str) -> list[str]:
    """What the table says against a head anchored outside it (`since`: when it was anchored): entries deleted
    (the anchored entry gone, or fewer entries up to it), or the chain recomputed (the entry there, another hash)."""
    row = s.execute(select(audit.c.hash).where(audit.c.id == anchor.last_id)).first() if anchor.last_id else None
    upto = int(s.execute(select(func.count()).select_from(audit).where(audit.c.id <= anchor.last_id)).scalar_one())
    problems = []
    if anchor.last_id and row is None:
        problems.append(f"entry {anchor.last_id}, the last of the checkpoint of {since}, is gone: the trail was cut "
                        "(entries deleted at its end, or all of them)")
    elif anchor.last_id and row is not None and row.hash != anchor.hash:
        problems.append(f"entry {anchor.last_id} no longer has the hash the checkpoint of {since} holds: the chain "
                        "was rewritten and its hashes recomputed")
    if upto != anchor.entries:
        problems.append(f"the checkpoint of {since} counted {anchor.entries} entries up to entry {anchor.last_id}; "
                        f"the trail holds {upto}: entries were deleted or added before it")
    return problems


def entries(s: Session, limit: int = 200, actor: str | None = None, action: str | None = None,
            target: str | None = None, actors: Collection[str] | None = None) -> list[dict[str, object]]:
    """Entries, newest first, by actor, action, and target prefix; only those of `actors` when given."""
    query = select(audit).order_by(audit.c.id.desc()).limit(limit)
    if actors is not None:
        query = query.where(audit.c.actor.in_(sorted(actors)))
    if actor:
        query = query.where(audit.c.actor == actor)
    if action:
        query = query.where(audit.c.action == action)
    if target:
        query = query.where(audit.c.target.startswith(target, autoescape=True))
    return [dict(r._mapping) for r in s.execute(query)]
