"""Deconfliction between nodes: this node's identity, its peers, the outbox of signed messages and what came in; on a
unit its identifiers waiting for a token and the hits on them; on the hub the tokens (agency, reference, kind, since:
nothing else), the hits it found, the rate of queries; names and planned actions on both sides. The only SQL for it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Column,
    DateTime,
    Float,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    and_,
    delete,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.orm import Session

from lanzarote.errors import Conflict, NotFound
from lanzarote.store import schema
from lanzarote.store.metadata import metadata
from lanzarote.store.reports import as_utc

dc_node = Table(
    "dc_node", metadata,
    Column("id", Integer, primary_key=True),  # one row
    Column("agency", String(40), nullable=False),
    Column("role", String(10), nullable=False),  # unit | hub
    Column("url", String(300), nullable=False),
    Column("key_file", String(1000), nullable=False),
    Column("oprf_key_file", String(1000)),  # the hub's
    Column("created_at", DateTime(timezone=True), nullable=False),
)
dc_peers = Table(
    "dc_peers", metadata,
    Column("agency", String(40), primary_key=True),
    Column("role", String(10), nullable=False),
    Column("url", String(300), nullable=False),
    Column("public_key", String(100), nullable=False),
    Column("key_id", String(40), nullable=False),
    Column("added_at", DateTime(timezone=True), nullable=False),
    Column("failures", Integer, nullable=False, default=0),
    Column("next_try_at", DateTime(timezone=True)),
    Column("last_error", Text),
    Column("last_ok_at", DateTime(timezone=True)),
)
dc_outbox = Table(
    "dc_outbox", metadata,
    Column("id", Integer, primary_key=True),
    Column("peer", String(40), nullable=False),
    Column("kind", String(30), nullable=False),
    Column("message_id", String(40), nullable=False, unique=True),
    Column("body", LargeBinary, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_at", DateTime(timezone=True), nullable=False),
    Column("last_error", Text),
    Column("sent_at", DateTime(timezone=True)),
    Index("ix_dc_outbox_due", "sent_at", "peer", "id"),
)
dc_inbox = Table(
    "dc_inbox", metadata,
    Column("id", Integer, primary_key=True),
    Column("peer", String(40)),
    Column("kind", String(30)),
    Column("message_id", String(40)),
    Column("received_at", DateTime(timezone=True), nullable=False),
    Column("outcome", String(10), nullable=False),  # accepted | refused
    Column("reason", Text, nullable=False),
    Index("ix_dc_inbox_message", "message_id"),
)
"""Every message in or answer back: accepted, or refused with the reason (garbage from a peer is kept here)."""
dc_identifiers = Table(
    "dc_identifiers", metadata,
    Column("id", Integer, primary_key=True),
    Column("kind", String(20), nullable=False),
    Column("value", String(400), nullable=False),
    Column("report_key", String(300), nullable=False),  # the first report that had it
    Column("reference", String(40), nullable=False, unique=True),  # opaque: what the other agency is told
    Column("since", DateTime(timezone=True), nullable=False),
    Column("token", String(64)),
    Column("state", String(10), nullable=False),  # pending | tokenised | queued
    Index("ix_dc_identifiers_value", "kind", "value", unique=True),
    Index("ix_dc_identifiers_state", "state", "id"),
)
dc_hits = Table(
    "dc_hits", metadata,
    Column("hit_id", String(40), primary_key=True),
    Column("reference", String(40), nullable=False, index=True),  # ours
    Column("kind", String(20), nullable=False),
    Column("other_agency", String(40), nullable=False),
    Column("other_reference", String(40), nullable=False),
    Column("other_since", DateTime(timezone=True), nullable=False),
    Column("found_at", DateTime(timezone=True), nullable=False),
    Column("similarity", Float),  # names: a suggestion, never a hit
    Column("status", String(20), nullable=False),  # new | contacted | same_person | not_same
    Column("marked_by", String(100)),
    Column("marked_at", DateTime(timezone=True)),
)
dc_hub_tokens = Table(
    "dc_hub_tokens", metadata,
    Column("id", Integer, primary_key=True),
    Column("token", LargeBinary(16), nullable=False),  # 16 bytes: half the index of its hex, and random inserts
    Column("agency", String(40), nullable=False),
    Column("reference", String(40), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("since", DateTime(timezone=True), nullable=False),
    Index("ix_dc_hub_tokens_token", "token", "agency", unique=True),
)
dc_hub_hits = Table(
    "dc_hub_hits", metadata,
    Column("hit_id", String(40), primary_key=True),
    Column("kind", String(20), nullable=False),
    Column("agency_a", String(40), nullable=False),
    Column("reference_a", String(40), nullable=False),
    Column("agency_b", String(40), nullable=False),
    Column("reference_b", String(40), nullable=False),
    Column("similarity", Float),
    Column("found_at", DateTime(timezone=True), nullable=False),
)
dc_rate = Table(
    "dc_rate", metadata,
    Column("agency", String(40), primary_key=True),
    Column("window_start", DateTime(timezone=True), primary_key=True),
    Column("points", Integer, nullable=False),
)
dc_names = Table(
    "dc_names", metadata,
    Column("id", Integer, primary_key=True),
    Column("exchange", String(60), nullable=False),
    Column("agency", String(40), nullable=False),  # on a unit: this node's
    Column("reference", String(40), nullable=False),
    Column("clk", LargeBinary, nullable=False),
    Column("since", DateTime(timezone=True), nullable=False),
    Column("report_key", String(300)),  # on a unit only
    Column("state", String(10), nullable=False),  # unit: pending | queued; hub: held
    Index("ix_dc_names_exchange", "exchange", "agency", "reference", unique=True),
)
dc_exchanges = Table(
    "dc_exchanges", metadata,
    Column("name", String(60), primary_key=True),
    Column("key_file", String(1000), nullable=False),
    Column("added_at", DateTime(timezone=True), nullable=False),
)
dc_actions = Table(
    "dc_actions", metadata,
    Column("id", Integer, primary_key=True),
    Column("agency", String(40), nullable=False),
    Column("reference", String(40), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("starts", DateTime(timezone=True), nullable=False),
    Column("ends", DateTime(timezone=True), nullable=False),
    Column("place", Text),  # on the unit that plans it only
    Column("subject_id", String(40)),  # on the unit only
    Column("cells", Text, nullable=False),  # JSON list of place tokens (the hub's only view of the place)
    Column("subject_tokens", Text, nullable=False),  # JSON list
    Column("created_by", String(100)),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("state", String(10), nullable=False),  # unit: planned | queued | cancelled; hub: held
    Index("ix_dc_actions_ref", "agency", "reference", unique=True),
    Index("ix_dc_actions_time", "starts", "ends"),
)
dc_conflicts = Table(
    "dc_conflicts", metadata,
    Column("conflict_id", String(40), primary_key=True),
    Column("reference", String(40), nullable=False),  # our action (a unit) or side a (the hub)
    Column("other_agency", String(40), nullable=False),
    Column("other_reference", String(40), nullable=False),
    Column("agency", String(40)),  # the hub: side a's agency
    Column("reason", Text, nullable=False),
    Column("starts", DateTime(timezone=True), nullable=False),
    Column("found_at", DateTime(timezone=True), nullable=False),
)

TABLES = (dc_node, dc_peers, dc_outbox, dc_inbox, dc_identifiers, dc_hits, dc_hub_tokens, dc_hub_hits, dc_rate,
          dc_names, dc_exchanges, dc_actions, dc_conflicts)


# -- this node and its peers -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Node:
    agency: str
    role: str
    url: str
    key_file: str
    oprf_key_file: str | None


@dataclass(frozen=True)
class Peer:
    agency: str
    role: str
    url: str
    public_key: str
    key_id: str
    failures: int
    next_try_at: datetime | None
    last_error: str | None
    last_ok_at: datetime | None


def node(s: Session) -> Node | None:
    row = s.execute(select(dc_node)).first()
    return None if row is None else Node(row.agency, row.role, row.url, row.key_file, row.oprf_key_file)


def set_node(s: Session, n: Node, at: datetime) -> None:
    s.execute(delete(dc_node))
    s.execute(insert(dc_node).values(id=1, agency=n.agency, role=n.role, url=n.url, key_file=n.key_file,
                                     oprf_key_file=n.oprf_key_file, created_at=at))


def _peer(row: Any) -> Peer:
    return Peer(row.agency, row.role, row.url, row.public_key, row.key_id, row.failures, as_utc(row.next_try_at),
                row.last_error, as_utc(row.last_ok_at))


def add_peer(s: Session, agency: str, role: str, url: str, public_key: str, key_id: str, at: datetime) -> None:
    s.execute(delete(dc_peers).where(dc_peers.c.agency == agency))
    s.execute(insert(dc_peers).values(agency=agency, role=role, url=url, public_key=public_key, key_id=key_id,
                                      added_at=at, failures=0))


def peers(s: Session) -> list[Peer]:
    return [_peer(r) for r in s.execute(select(dc_peers).order_by(dc_peers.c.agency))]


def peer(s: Session, agency: str) -> Peer:
    row = s.execute(select(dc_peers).where(dc_peers.c.agency == agency)).first()
    if row is None:
        raise NotFound(f"{agency} is not a peer of this node (add it with `lanzarote node add-peer`)")
    return _peer(row)


def peer_failed(s: Session, agency: str, error: str) -> int:
    """Count one more failure of a peer; returns how many in a row."""
    s.execute(update(dc_peers).where(dc_peers.c.agency == agency).values(
        failures=dc_peers.c.failures + 1, last_error=error[:2000]))
    return int(s.execute(select(dc_peers.c.failures).where(dc_peers.c.agency == agency)).scalar_one())


def peer_retry_at(s: Session, agency: str, at: datetime) -> None:
    s.execute(update(dc_peers).where(dc_peers.c.agency == agency).values(next_try_at=at))


def peer_ok(s: Session, agency: str, at: datetime) -> None:
    s.execute(update(dc_peers).where(dc_peers.c.agency == agency).values(failures=0, next_try_at=None,
                                                                         last_error=None, last_ok_at=at))


# -- the outbox and the inbox ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Outgoing:
    id: int
    peer: str
    kind: str
    message_id: str
    body: bytes
    attempts: int


def enqueue(s: Session, peer: str, kind: str, message_id: str, body: bytes, at: datetime) -> None:
    s.execute(insert(dc_outbox).values(peer=peer, kind=kind, message_id=message_id, body=body, created_at=at,
                                       attempts=0, next_at=at))


def due(s: Session, peer: str, now: datetime, limit: int = 50) -> list[Outgoing]:
    rows = s.execute(select(dc_outbox).where(dc_outbox.c.sent_at.is_(None), dc_outbox.c.peer == peer,
                                             dc_outbox.c.next_at <= now).order_by(dc_outbox.c.id).limit(limit))
    return [Outgoing(r.id, r.peer, r.kind, r.message_id, r.body, r.attempts) for r in rows]


def sent(s: Session, outgoing_id: int, at: datetime) -> None:
    s.execute(update(dc_outbox).where(dc_outbox.c.id == outgoing_id).values(sent_at=at, last_error=None))


def retry_later(s: Session, outgoing_id: int, error: str, next_at: datetime) -> None:
    s.execute(update(dc_outbox).where(dc_outbox.c.id == outgoing_id).values(
        attempts=dc_outbox.c.attempts + 1, last_error=error[:2000], next_at=next_at))


@dataclass(frozen=True)
class Backlog:
    peer: str
    waiting: int
    oldest: datetime | None
    attempts: int
    last_error: str | None


def backlog(s: Session) -> list[Backlog]:
    o = dc_outbox.c
    rows = s.execute(select(o.peer, func.count(), func.min(o.created_at), func.max(o.attempts))
                     .where(o.sent_at.is_(None)).group_by(o.peer).order_by(o.peer))
    out = []
    for peer_, n, oldest, attempts in rows:
        err = s.execute(select(o.last_error).where(o.sent_at.is_(None), o.peer == peer_,
                                                   o.last_error.is_not(None)).order_by(o.id).limit(1)).scalar()
        out.append(Backlog(peer_, int(n), as_utc(oldest), int(attempts or 0), err))
    return out


def seen(s: Session, message_id: str) -> bool:
    return s.execute(select(dc_inbox.c.id).where(dc_inbox.c.message_id == message_id,
                                                 dc_inbox.c.outcome == "accepted").limit(1)).first() is not None


def log_in(s: Session, peer: str | None, kind: str | None, message_id: str | None, outcome: str, reason: str,
           at: datetime) -> None:
    s.execute(insert(dc_inbox).values(peer=peer, kind=kind, message_id=message_id, received_at=at, outcome=outcome,
                                      reason=reason[:2000]))


def refusals(s: Session, limit: int = 50) -> list[dict[str, Any]]:
    i = dc_inbox.c
    rows = s.execute(select(i.peer, i.kind, i.received_at, i.reason).where(i.outcome == "refused")
                     .order_by(i.id.desc()).limit(limit))
    return [{"peer": r.peer, "kind": r.kind, "at": as_utc(r.received_at), "reason": r.reason} for r in rows]


# -- a unit's identifiers ----------------------------------------------------------------------------------------

def exchanging(s: Session) -> bool:
    """Whether this store takes part (a unit with a node identity): processing enqueues identifiers only then."""
    return s.execute(select(dc_node.c.id).where(dc_node.c.role == "unit")).first() is not None


def enqueue_identifiers(s: Session, keys: Sequence[str], kinds: Iterable[str], at: datetime,
                        reference: Callable[[], str]) -> int:
    """The strong identifiers of these processed reports not yet known here, as pending (each with a fresh opaque
    reference from `reference()`); identifiers held for linking (placeholders) are left out."""
    i = schema.identifiers.c
    h = schema.held_identifiers.c
    d = dc_identifiers.c
    found = s.execute(select(i.kind, i.value, func.min(i.report_key)).where(
        i.report_key.in_(keys), i.kind.in_(list(kinds)), i.strong.is_(True)).group_by(i.kind, i.value)).all()
    if not found:
        return 0
    values = sorted({v for _, v, _ in found})
    held: set[tuple[str, str]] = set()
    known: set[tuple[str, str]] = set()
    for start in range(0, len(values), 5000):  # a batch's identifiers can be many (files' hashes): chunks
        chunk = values[start:start + 5000]
        held |= {(k, v) for k, v in s.execute(select(h.kind, h.value).where(h.value.in_(chunk)))}
        known |= {(k, v) for k, v in s.execute(select(d.kind, d.value).where(d.value.in_(chunk)))}
    rows = [{"kind": k, "value": v, "report_key": r, "reference": reference(), "since": at, "state": "pending"}
            for k, v, r in found if (k, v) not in known and (k, v) not in held]
    if rows:
        s.execute(insert(dc_identifiers), rows)
    return len(rows)


def pending(s: Session, limit: int) -> list[tuple[int, str, str]]:
    d = dc_identifiers.c
    return [(r.id, r.kind, r.value) for r in s.execute(
        select(d.id, d.kind, d.value).where(d.state == "pending").order_by(d.id).limit(limit))]


def set_tokens(s: Session, tokens: dict[int, str]) -> None:
    for row_id, token in tokens.items():
        s.execute(update(dc_identifiers).where(dc_identifiers.c.id == row_id).values(token=token, state="tokenised"))


def tokenised(s: Session, limit: int) -> list[tuple[int, str, str, str, datetime]]:
    d = dc_identifiers.c
    return [(r.id, r.token, r.kind, r.reference, as_utc(r.since)) for r in s.execute(  # type: ignore[misc]
        select(d.id, d.token, d.kind, d.reference, d.since).where(d.state == "tokenised").order_by(d.id).limit(limit))]


def mark_queued(s: Session, ids: Sequence[int]) -> None:
    s.execute(update(dc_identifiers).where(dc_identifiers.c.id.in_(ids)).values(state="queued"))


def counts_by_state(s: Session) -> dict[str, int]:
    d = dc_identifiers.c
    return {k: int(n) for k, n in s.execute(select(d.state, func.count()).group_by(d.state))}


def tokens_of_reports(s: Session, keys: Sequence[str]) -> list[str]:
    """Tokens of the identifiers these reports hold (a subject's, for its planned actions)."""
    i, d = schema.identifiers.c, dc_identifiers.c
    return sorted({t for (t,) in s.execute(select(d.token).join(
        schema.identifiers, and_(i.kind == d.kind, i.value == d.value)).where(
        i.report_key.in_(keys), d.token.is_not(None)))})


def references_of_reports(s: Session, keys: Sequence[str]) -> dict[str, str]:
    """Our reference → the report key of each exchanged identifier these reports hold."""
    i, d = schema.identifiers.c, dc_identifiers.c
    return {r: k for r, k in s.execute(select(d.reference, i.report_key).join(
        schema.identifiers, and_(i.kind == d.kind, i.value == d.value)).where(i.report_key.in_(keys)))}


def report_of_reference(s: Session, reference: str) -> str | None:
    d = dc_identifiers.c
    key = s.execute(select(d.report_key).where(d.reference == reference)).scalar()
    if key is None:
        key = s.execute(select(dc_names.c.report_key).where(dc_names.c.reference == reference)).scalar()
    return key


# -- hits (a unit) -----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Hit:
    hit_id: str
    reference: str
    kind: str
    other_agency: str
    other_reference: str
    other_since: datetime
    found_at: datetime
    similarity: float | None
    status: str
    marked_by: str | None
    marked_at: datetime | None


def _hit(r: Any) -> Hit:
    return Hit(r.hit_id, r.reference, r.kind, r.other_agency, r.other_reference, as_utc(r.other_since),  # type: ignore[arg-type]
               as_utc(r.found_at), r.similarity, r.status, r.marked_by, as_utc(r.marked_at))  # type: ignore[arg-type]


def save_hit(s: Session, hit: Hit) -> bool:
    if s.execute(select(dc_hits.c.hit_id).where(dc_hits.c.hit_id == hit.hit_id)).first():
        return False
    s.execute(insert(dc_hits).values(
        hit_id=hit.hit_id, reference=hit.reference, kind=hit.kind, other_agency=hit.other_agency,
        other_reference=hit.other_reference, other_since=hit.other_since, found_at=hit.found_at,
        similarity=hit.similarity, status=hit.status))
    return True


def hits(s: Session, references: Collection[str] | None = None, limit: int = 500) -> list[Hit]:
    q = select(dc_hits).order_by(dc_hits.c.found_at.desc(), dc_hits.c.hit_id).limit(limit)
    if references is not None:
        q = q.where(dc_hits.c.reference.in_(list(references)))
    return [_hit(r) for r in s.execute(q)]


def hit(s: Session, hit_id: str) -> Hit:
    row = s.execute(select(dc_hits).where(dc_hits.c.hit_id == hit_id)).first()
    if row is None:
        raise NotFound(f"no hit {hit_id!r} here")
    return _hit(row)


def mark_hit(s: Session, hit_id: str, status: str, by: str, at: datetime) -> None:
    s.execute(update(dc_hits).where(dc_hits.c.hit_id == hit_id).values(status=status, marked_by=by, marked_at=at))


def subjects_with_hits(s: Session, subjects: Collection[str]) -> set[str]:
    """Which of these subjects have a hit (or a name suggestion) not marked "not the same"."""
    wanted = [x for x in subjects if x]
    if not wanted:
        return set()
    h, r = dc_hits.c, schema.report_state.c
    found: set[str] = set()
    for table in (dc_identifiers, dc_names):
        q = (select(r.subject_id).select_from(dc_hits.join(table, table.c.reference == h.reference)
                                              .join(schema.report_state, r.report_key == table.c.report_key))
             .where(h.status != "not_same", r.subject_id.in_(wanted)).distinct())
        found |= {sid for (sid,) in s.execute(q)}
    return found


# -- the hub -----------------------------------------------------------------------------------------------------

def rate_add(s: Session, agency: str, window_start: datetime, points: int) -> int:
    """Add `points` to this agency's count in the window; returns the count before."""
    r = dc_rate.c
    before = s.execute(select(r.points).where(r.agency == agency, r.window_start == window_start)).scalar()
    if before is None:
        s.execute(insert(dc_rate).values(agency=agency, window_start=window_start, points=points))
        return 0
    s.execute(update(dc_rate).where(r.agency == agency, r.window_start == window_start).values(
        points=r.points + points))
    return int(before)


def rate_used(s: Session, agency: str, window_start: datetime) -> int:
    r = dc_rate.c
    return int(s.execute(select(r.points).where(r.agency == agency, r.window_start == window_start)).scalar() or 0)


@dataclass(frozen=True)
class HubToken:
    token: bytes
    agency: str
    reference: str
    kind: str
    since: datetime


def _tokens_among(s: Session, values: Sequence[bytes], agency: str, same: bool) -> set[bytes]:
    """Which of `values` the hub holds from `agency` (`same`) or from any other agency. Written for the driver:
    SQLAlchemy's compilation of 20,000 bound values costs five times the index probes themselves."""
    mark = "?" if s.get_bind().dialect.paramstyle == "qmark" else "%s"
    sql = (f"SELECT token FROM dc_hub_tokens WHERE agency {'=' if same else '<>'} {mark} "
           f"AND token IN ({', '.join([mark] * len(values))})")
    return {bytes(r[0]) for r in s.connection().exec_driver_sql(sql, (agency, *values))}


def hold_tokens(s: Session, tokens: Sequence[HubToken]) -> list[tuple[HubToken, HubToken]]:
    """Keep an agency's tokens (all of one agency; one it sent before is kept once) and return each match with
    another agency's (sent, held). Each batch is one insert and one probe of the token index: an index join. A
    token sent again matches again; the hits it makes are the ones made before (`save_hub_hit` keeps one)."""
    if not tokens:
        return []
    t = dc_hub_tokens.c
    agency = tokens[0].agency
    by_token = {x.token: x for x in tokens}
    dialect = s.get_bind().dialect
    as_time: Callable[[Any], Any] = t.since.type.bind_processor(dialect) or (lambda v: v)
    as_blob: Callable[[Any], Any] = t.token.type.bind_processor(dialect) or (lambda v: v)
    mark = "?" if dialect.paramstyle == "qmark" else "%s"
    s.connection().exec_driver_sql(  # through the driver: SQLAlchemy's compilation cost five times the writes
        f"INSERT INTO dc_hub_tokens (token, agency, reference, kind, since) VALUES ({', '.join([mark] * 5)}) "
        "ON CONFLICT DO NOTHING",
        [(as_blob(x.token), x.agency, x.reference, x.kind, as_time(x.since)) for x in by_token.values()])
    matched = _tokens_among(s, list(by_token), agency, same=False)
    if not matched:
        return []
    # no ORDER BY: ordered by id, SQLite would walk the whole table in id order instead of probing the index
    rows = sorted(s.execute(select(dc_hub_tokens).where(t.token.in_(list(matched)), t.agency != agency)),
                  key=lambda r: r.id)
    return [(by_token[bytes(r.token)], HubToken(bytes(r.token), r.agency, r.reference, r.kind,
                                                as_utc(r.since)))  # type: ignore[arg-type]
            for r in rows]


def save_hub_hit(s: Session, hit_id: str, kind: str, a: tuple[str, str], b: tuple[str, str],
                 similarity: float | None, at: datetime) -> bool:
    if s.execute(select(dc_hub_hits.c.hit_id).where(dc_hub_hits.c.hit_id == hit_id)).first():
        return False
    s.execute(insert(dc_hub_hits).values(hit_id=hit_id, kind=kind, agency_a=a[0], reference_a=a[1], agency_b=b[0],
                                         reference_b=b[1], similarity=similarity, found_at=at))
    return True


def hub_counts(s: Session) -> dict[str, int]:
    return {"tokens": int(s.execute(select(func.count()).select_from(dc_hub_tokens)).scalar_one()),
            "hits": int(s.execute(select(func.count()).select_from(dc_hub_hits)).scalar_one()),
            "names": int(s.execute(select(func.count()).select_from(dc_names)).scalar_one()),
            "actions": int(s.execute(select(func.count()).select_from(dc_actions)).scalar_one())}


# -- names -------------------------------------------------------------------------------------------------------

def add_exchange(s: Session, name: str, key_file: str, at: datetime) -> None:
    s.execute(delete(dc_exchanges).where(dc_exchanges.c.name == name))
    s.execute(insert(dc_exchanges).values(name=name, key_file=key_file, added_at=at))


def exchanges(s: Session) -> list[tuple[str, str]]:
    return [(r.name, r.key_file) for r in s.execute(select(dc_exchanges).order_by(dc_exchanges.c.name))]


def names_known(s: Session, exchange: str, report_keys: Collection[str]) -> set[str]:
    n = dc_names.c
    return {k for (k,) in s.execute(select(n.report_key).where(n.exchange == exchange,
                                                               n.report_key.in_(list(report_keys))))}


def add_names(s: Session, rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        s.execute(insert(dc_names), list(rows))


def pending_names(s: Session, limit: int) -> list[tuple[int, str, str, bytes, datetime]]:
    n = dc_names.c
    return [(r.id, r.exchange, r.reference, r.clk, as_utc(r.since)) for r in s.execute(  # type: ignore[misc]
        select(n.id, n.exchange, n.reference, n.clk, n.since).where(n.state == "pending").order_by(n.id).limit(limit))]


def mark_names_queued(s: Session, ids: Sequence[int]) -> None:
    s.execute(update(dc_names).where(dc_names.c.id.in_(ids)).values(state="queued"))


def hold_names(s: Session, exchange: str, agency: str, rows: Sequence[tuple[str, bytes, datetime]]
               ) -> list[tuple[str, bytes, str, str, bytes, datetime]]:
    """Keep an agency's encodings for an exchange; returns (reference, clk, other agency, other reference, other clk,
    other since) for every other agency's encoding in that exchange, for the caller to compare."""
    n = dc_names.c
    known = {r for (r,) in s.execute(select(n.reference).where(n.exchange == exchange, n.agency == agency))}
    fresh = [r for r in rows if r[0] not in known]
    if fresh:
        s.execute(insert(dc_names), [{"exchange": exchange, "agency": agency, "reference": ref, "clk": clk,
                                      "since": since, "state": "held"} for ref, clk, since in fresh])
    others = s.execute(select(n.agency, n.reference, n.clk, n.since).where(n.exchange == exchange,
                                                                          n.agency != agency)).all()
    return [(ref, clk, o.agency, o.reference, bytes(o.clk), as_utc(o.since))  # type: ignore[misc]
            for ref, clk, _ in fresh for o in others]


# -- planned actions ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Action:
    agency: str
    reference: str
    kind: str
    starts: datetime
    ends: datetime
    cells: tuple[str, ...]
    subject_tokens: tuple[str, ...]
    place: str | None = None
    subject_id: str | None = None
    state: str = "planned"


def _action(r: Any) -> Action:
    return Action(r.agency, r.reference, r.kind, as_utc(r.starts), as_utc(r.ends),  # type: ignore[arg-type]
                  tuple(json.loads(r.cells)), tuple(json.loads(r.subject_tokens)), r.place, r.subject_id, r.state)


def add_action(s: Session, a: Action, by: str | None, at: datetime) -> bool:
    c = dc_actions.c
    if s.execute(select(c.id).where(c.agency == a.agency, c.reference == a.reference)).first():
        return False
    s.execute(insert(dc_actions).values(
        agency=a.agency, reference=a.reference, kind=a.kind, starts=a.starts, ends=a.ends, place=a.place,
        subject_id=a.subject_id, cells=json.dumps(list(a.cells)), subject_tokens=json.dumps(list(a.subject_tokens)),
        created_by=by, created_at=at, state=a.state))
    return True


def set_action_state(s: Session, agency: str, reference: str, state: str) -> None:
    c = dc_actions.c
    s.execute(update(dc_actions).where(c.agency == agency, c.reference == reference).values(state=state))


def actions(s: Session, agency: str | None = None, state: str | None = None) -> list[Action]:
    q = select(dc_actions).order_by(dc_actions.c.starts, dc_actions.c.id)
    if agency:
        q = q.where(dc_actions.c.agency == agency)
    if state:
        q = q.where(dc_actions.c.state == state)
    return [_action(r) for r in s.execute(q)]


def overlapping(s: Session, a: Action) -> list[Action]:
    """Other agencies' held actions whose time overlaps `a`'s."""
    c = dc_actions.c
    return [_action(r) for r in s.execute(select(dc_actions).where(
        c.agency != a.agency, c.starts < a.ends, c.ends > a.starts, c.state != "cancelled"))]


def save_conflict(s: Session, conflict_id: str, reference: str, other_agency: str, other_reference: str,
                  reason: str, starts: datetime, at: datetime, agency: str | None = None) -> bool:
    if s.execute(select(dc_conflicts.c.conflict_id).where(dc_conflicts.c.conflict_id == conflict_id)).first():
        return False
    s.execute(insert(dc_conflicts).values(conflict_id=conflict_id, reference=reference, other_agency=other_agency,
                                          other_reference=other_reference, reason=reason, starts=starts,
                                          found_at=at, agency=agency))
    return True


def conflicts(s: Session) -> list[dict[str, Any]]:
    c = dc_conflicts.c
    return [{"conflict_id": r.conflict_id, "reference": r.reference, "other_agency": r.other_agency,
             "other_reference": r.other_reference, "reason": r.reason, "starts": as_utc(r.starts),
             "found_at": as_utc(r.found_at)}
            for r in s.execute(select(dc_conflicts).order_by(c.starts, c.conflict_id))]


def require_absent_node(s: Session) -> None:
    if node(s) is not None:
        raise Conflict("this store already has a node identity (`lanzarote node status`)")



# -- what the exchange reads of the reports ----------------------------------------------------------------------

@dataclass(frozen=True)
class ReportPlace:
    country: str | None
    authority: str | None
    subject_id: str | None


def state_of(s: Session, key: str) -> ReportPlace | None:
    r = schema.report_state.c
    row = s.execute(select(r.country, r.authority, r.subject_id).where(r.report_key == key)).first()
    return None if row is None else ReportPlace(row.country, row.authority, row.subject_id)


def subjects_of_keys(s: Session, keys: Sequence[str]) -> set[str]:
    r = schema.report_state.c
    if not keys:
        return set()
    return {sid for (sid,) in s.execute(select(r.subject_id).where(r.report_key.in_(list(keys)),
                                                                   r.subject_id.is_not(None)))}


def member_keys(s: Session, subject_id: str) -> list[str]:
    r = schema.report_state.c
    return [k for (k,) in s.execute(select(r.report_key).where(r.subject_id == subject_id))]


def keys_without_names(s: Session, exchange: str, limit: int) -> list[str]:
    """Processed reports whose names this node has not yet encoded for the exchange."""
    r, n = schema.report_state.c, dc_names.c
    done = select(n.report_key).where(n.exchange == exchange, n.report_key.is_not(None))
    return [k for (k,) in s.execute(select(r.report_key).where(r.stale.is_(False), r.report_key.not_in(done))
                                    .order_by(r.report_key).limit(limit))]
