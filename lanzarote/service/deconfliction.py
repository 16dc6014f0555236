"""Deconfliction as use cases: a node's identity and peers, the exchange that runs as reports arrive (identifiers
→ blinded through the hub's OPRF → tokens → the hub), what a node does with a message it receives, the hits and
their marking, names (suggestions only) and planned actions.

Nothing that leaves this node is a plaintext identifier or an unkeyed hash of one: only blinded points (random in
the group), tokens (keyed by the hub's OPRF key, unknown to units), CLKs (keyed per exchange, unknown to the hub),
opaque references, kinds and times. Every message is signed and checked. A peer that is down, slow or answers
garbage never blocks local work: what is to be sent waits in the outbox (with backoff), and `status` shows it.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import secrets
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from nacl.signing import SigningKey
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from lanzarote import config
from lanzarote.coordination.deconfliction import actions as plans
from lanzarote.coordination.deconfliction import clk, oprf, transport
from lanzarote.coordination.deconfliction import messages as msg
from lanzarote.coordination.packages.signing import NodeKey, Partner, canonical
from lanzarote.errors import Conflict, InputRejected, LanzaroteError, NotFound
from lanzarote.model.report import PartyRole
from lanzarote.service.actors import require, visible
from lanzarote.store import audit
from lanzarote.store import deconfliction as store
from lanzarote.store import reports as store_reports
from lanzarote.store import subjects as store_subjects
from lanzarote.store.access import User
from lanzarote.store.db import session

STRONG_KINDS = oprf.EXCHANGED
STATUSES = ("new", "contacted", "same_person", "not_same")
ROLES = ("unit", "hub")


def _now() -> datetime:
    return datetime.now(UTC)


_reference = msg.new_reference


# -- identity and peers ------------------------------------------------------------------------------------------

def _node(s: Session) -> store.Node:
    found = store.node(s)
    if found is None:
        raise NotFound("this store is not a deconfliction node yet: `lanzarote node init --agency CODE --url URL`")
    return found


def _read_key(path: str, size: int, what: str) -> bytes:
    raw = Path(path).read_bytes()
    if len(raw) != size:
        raise InputRejected(f"{path} is not {what} ({size} bytes): move it aside and run `lanzarote node init` again")
    return raw


def _signing(n: store.Node) -> NodeKey:
    return NodeKey(n.agency, SigningKey(_read_key(n.key_file, 32, "an Ed25519 key")))


def _make_key(path: Path, make: Any) -> None:
    config.private_dir(path.parent)
    if not path.exists():
        with contextlib.suppress(FileExistsError):
            config.write_private(path, make(), exclusive=True)


def init_node(s: Session, user: User, agency: str, url: str, role: str = "unit") -> dict[str, str]:
    """Give this store its node identity (administrators): its agency, the URL peers reach it at, its role, its
    signing key (the packages' key file when there is one) and, on the hub, its OPRF key; audited."""
    require(user, "administer")
    role = role.strip().lower()
    if role not in ROLES:
        raise InputRejected(f"a node is a unit or the hub, not {role!r}")
    code = agency.strip().upper()
    if not code or len(code) > 40 or not code.replace("-", "").isalnum():
        raise InputRejected(f"{agency!r} is not an agency code (letters, digits and '-')")
    if not url.startswith(("http://", "https://")):
        raise InputRejected(f"{url!r} is not an http(s) URL peers can reach this node at")
    store.require_absent_node(s)  # a node's identity is for good: its peers hold its key
    configured = str(config.get("node_key_file"))
    key_file = (Path(configured) if configured else config.data_dir() / "node-key").resolve()
    _make_key(key_file, lambda: bytes(SigningKey.generate()))
    oprf_file = None
    if role == "hub":
        oprf_path = (config.data_dir() / "oprf-key").resolve()
        _make_key(oprf_path, oprf.new_key)
        oprf_file = str(oprf_path)
    store.set_node(s, store.Node(code, role, url.rstrip("/"), str(key_file), oprf_file), _now())
    audit.record(s, user.username, "node_init", f"node/{code}", f"{role} {url}", _now())
    return identity(s)


def identity(s: Session) -> dict[str, str]:
    """What a peer installs to trust this node: agency, role, URL, key id and public key."""
    n = _node(s)
    key = _signing(n)
    return {"agency": n.agency, "role": n.role, "url": n.url, "key_id": key.key_id, "public_key": key.public_key}


def add_peer(s: Session, user: User, agency: str, url: str, public_key: str, role: str = "unit") -> store.Peer:
    """Trust a peer node (administrators): its agency, URL, role and Ed25519 public key; audited."""
    require(user, "administer")
    role = role.strip().lower()
    if role not in ROLES:
        raise InputRejected(f"a peer is a unit or the hub, not {role!r}")
    try:
        partner = Partner(agency.strip().upper(), public_key.strip())
        kid = partner.key_id
    except Exception:
        raise InputRejected("a public key is the base64 of 32 bytes, as `lanzarote node identity` prints it") from None
    if not url.startswith(("http://", "https://")):
        raise InputRejected(f"{url!r} is not an http(s) URL")
    store.add_peer(s, partner.agency, role, url.rstrip("/"), partner.public_key, kid, _now())
    audit.record(s, user.username, "peer_added", f"peer/{partner.agency}", f"{role} {url} {kid}", _now())
    return store.peer(s, partner.agency)


def peers(s: Session, user: User) -> list[store.Peer]:
    require(user, "administer")
    return store.peers(s)


def _partners(s: Session) -> dict[str, Partner]:
    return {p.key_id: Partner(p.agency, p.public_key) for p in store.peers(s)}


def _hub(s: Session) -> store.Peer:
    hub = next((p for p in store.peers(s) if p.role == "hub"), None)
    if hub is None:
        raise NotFound("no hub among this node's peers (`lanzarote node add-peer HUB --role hub ...`)")
    return hub


def status(s: Session, user: User) -> dict[str, Any]:
    """The node, its peers (failures, next try, last error), the outbox's backlog per peer, identifiers waiting for
    a token, the last refusals; and on the hub what it holds (counts only)."""
    n = _node(s)
    out: dict[str, Any] = {"node": identity(s), "peers": [p.__dict__ for p in store.peers(s)],
                           "backlog": [b.__dict__ for b in store.backlog(s)],
                           "identifiers": store.counts_by_state(s), "refusals": store.refusals(s, 10)}
    if n.role == "hub":
        out["hub"] = store.hub_counts(s)
    else:
        out["hits"] = len(store.hits(s))
    return out


# -- the continuous exchange (a unit) ----------------------------------------------------------------------------

def _backoff(failures: int) -> timedelta:
    base = float(config.get("deconfliction_retry_seconds"))
    most = float(config.get("deconfliction_retry_max_seconds"))
    return timedelta(seconds=min(most, base * 2 ** max(0, failures - 1)))


def _failed(engine: Engine, peer: str, why: str, outgoing: int | None = None) -> None:
    now = _now()
    with session(engine) as s:
        failures = store.peer_failed(s, peer, why)
        later = now + _backoff(failures)
        store.peer_retry_at(s, peer, later)
        if outgoing is not None:
            store.retry_later(s, outgoing, why, later)
        store.log_in(s, peer, None, None, "refused", why, now)


def _call(engine: Engine, peer: store.Peer, path: str, body: bytes, me: str, expect: tuple[str, ...]
          ) -> msg.Message:
    """POST a signed message to a peer and open its signed answer; raises `transport.Unreachable` or
    `InputRejected` (a garbage, unsigned or refused answer, with the reason)."""
    answer = transport.post(peer.url + path, body, float(config.get("deconfliction_timeout_seconds")))
    with session(engine) as s:
        partners = _partners(s)
    try:
        opened = msg.open_(answer.body, me, partners, (*expect, "refused"))
    except InputRejected as exc:
        raise InputRejected(f"{peer.agency} answered HTTP {answer.status} with something that is not a valid "
                            f"signed answer: {exc}") from None
    if opened.sender != peer.agency:
        raise InputRejected(f"the answer to a message for {peer.agency} was signed by {opened.sender}")
    if opened.type == "refused":
        raise InputRejected(f"{peer.agency} refused it (HTTP {answer.status}): {opened.body.reason}")
    return opened


def _ready(peer: store.Peer, now: datetime) -> bool:
    return peer.next_try_at is None or peer.next_try_at <= now


@dataclass
class SyncSummary:
    tokenised: int = 0
    queued: int = 0
    delivered: int = 0
    failed: list[str] = field(default_factory=list)


def _evaluate(engine: Engine, hub: store.Peer, me: NodeKey, blinded: list[oprf.Blinded]) -> list[bytes]:
    """The hub's evaluation of blinded points: the tokens, in order."""
    _, body = msg.seal(me, hub.agency, "oprf_query", msg.OprfQuery(points=[msg.encode(b.point) for b in blinded]))
    answer = _call(engine, hub, "/api/v1/node/oprf", body, me.agency, ("oprf_answer",))
    points = answer.body.points
    if len(points) != len(blinded):
        raise InputRejected(f"{hub.agency} answered {len(points)} points for {len(blinded)} asked")
    try:
        return oprf.unblind_all(blinded, [msg.decode(p) for p in points])
    except ValueError as exc:
        raise InputRejected(f"{hub.agency}'s answer is not a list of points: {exc}") from None


def _tokenise(engine: Engine, hub: store.Peer, me: NodeKey, summary: SyncSummary) -> None:
    batch = int(config.get("deconfliction_batch"))
    with session(engine) as s:
        waiting = store.pending(s, batch)
    if waiting:
        tokens = _evaluate(engine, hub, me, oprf.blind_all([(kind, value) for _, kind, value in waiting]))
        with session(engine) as s:
            store.set_tokens(s, {row: t.hex() for (row, _, _), t in zip(waiting, tokens, strict=True)})
            store.peer_ok(s, hub.agency, _now())
        summary.tokenised += len(waiting)
    with session(engine) as s:  # tokens not yet queued (this run's, or an earlier run's cut short) go out
        ready = store.tokenised(s, batch)
        if ready:
            entries = [msg.TokenEntry(token=t, kind=k, reference=r, since=since)
                       for _, t, k, r, since in ready]
            _queue(s, hub.agency, "tokens", msg.Tokens(tokens=entries))
            store.mark_queued(s, [row for row, *_ in ready])
            summary.queued += 1


def _names(engine: Engine, hub: store.Peer, me: NodeKey, summary: SyncSummary) -> None:
    """Encode the reported people's names of reports not yet encoded, per exchange, and queue them."""
    batch = int(config.get("deconfliction_batch"))
    with session(engine) as s:
        exchanges = store.exchanges(s)
        for name, key_file in exchanges:
            key = _read_key(key_file, 32, "an exchange key")
            keys = store.keys_without_names(s, name, batch)
            reports = store_reports.assembled(s, keys) if keys else {}
            rows = []
            for k in keys:
                report = reports.get(k)
                people = [clk.Person(p.first_name, p.last_name, p.date_of_birth)
                          for p in (report.parties_in(PartyRole.REPORTED) if report else ())]
                usable = [p for p in people if p.usable]
                if not usable:  # remembered, so it is not read again
                    rows.append({"exchange": name, "agency": me.agency, "reference": _reference(), "clk": b"",
                                 "since": _now(), "report_key": k, "state": "none"})
                for person in usable:
                    rows.append({"exchange": name, "agency": me.agency, "reference": _reference(),
                                 "clk": clk.encode(person, key), "since": _now(), "report_key": k,
                                 "state": "pending"})
            store.add_names(s, rows)
            waiting = [w for w in store.pending_names(s, batch) if w[1] == name]
            if waiting:
                entries = [msg.NameEntry(reference=ref, clk=msg.encode(code), since=since)
                           for _, _, ref, code, since in waiting]
                _queue(s, hub.agency, "names", msg.Names(exchange=name, names=entries))
                store.mark_names_queued(s, [w[0] for w in waiting])
                summary.queued += 1


def _actions(engine: Engine, hub: store.Peer, me: NodeKey, summary: SyncSummary) -> None:
    """Planned actions not yet sent: their place cells through the OPRF, their subject's tokens, then queued."""
    with session(engine) as s:
        planned = store.actions(s, me.agency, "planned")
        subjects = {a.reference: _subject_tokens(s, a.subject_id) for a in planned}
    for a in planned:
        lat, lon = plans.parse_place(a.place or "")
        cells = plans.cells_around(lat, lon)
        tokens = _evaluate(engine, hub, me, [oprf.blind("place", c) for c in cells])
        body = msg.PlannedAction(reference=a.reference, kind=a.kind, starts=a.starts, ends=a.ends,
                                 cells=[t.hex() for t in tokens], subject_tokens=subjects[a.reference])
        with session(engine) as s:
            _queue(s, hub.agency, "action", body)
            store.set_action_state(s, me.agency, a.reference, "queued")
        summary.queued += 1


def _subject_tokens(s: Session, subject_id: str | None) -> list[str]:
    if not subject_id:
        return []
    keys = store.member_keys(s, subject_id)
    return store.tokens_of_reports(s, keys)


def _queue(s: Session, to: str, type_: str, body: msg._Strict) -> None:
    """Put a message in the outbox. Its body is kept unsigned and signed when it is sent, so a message that waited
    (a peer down for weeks) leaves with its own id and a fresh time, never refused as too old."""
    store.enqueue(s, to, type_, msg.new_id(), canonical(body.model_dump(mode="json")), _now())


def _deliver(engine: Engine, me: NodeKey, summary: SyncSummary) -> None:
    """Send what waits in the outbox, peer by peer, oldest first; a peer that fails is tried again later (backoff)
    and the others go on."""
    now = _now()
    with session(engine) as s:
        ready = [p for p in store.peers(s) if _ready(p, now)]
    for peer in ready:
        failed = False
        while not failed:
            with session(engine) as s:
                waiting = store.due(s, peer.agency, _now(), 20)
            if not waiting:
                break
            for out in waiting:
                try:
                    body = msg.BODIES[out.kind].model_validate_json(out.body)
                    _, sealed = msg.seal(me, peer.agency, out.kind, body, message_id=out.message_id)
                    answer = _call(engine, peer, "/api/v1/node/messages", sealed, me.agency, ("ack",))
                    if answer.body.in_reply_to != out.message_id:
                        raise InputRejected(f"{peer.agency} acknowledged {answer.body.in_reply_to!r}, not "
                                            f"{out.message_id!r}")
                except (transport.Unreachable, InputRejected) as exc:
                    why = f"{peer.agency}: {exc}"
                    _failed(engine, peer.agency, why, out.id)
                    summary.failed.append(why)
                    failed = True
                    break
                with session(engine) as s:
                    store.sent(s, out.id, _now())
                    store.peer_ok(s, peer.agency, _now())
                summary.delivered += 1


def sync(engine: Engine) -> SyncSummary:
    """One round of the exchange: tokens for new identifiers, names and planned actions queued (a unit), then the
    outbox delivered. Safe to run at any time, from a loop or a timer; a peer that fails only waits."""
    summary = SyncSummary()
    with session(engine) as s:
        n = _node(s)
        me = _signing(n)
        hub = _hub(s) if n.role == "unit" else None
    if hub is not None and _ready(hub, _now()):
        try:
            _tokenise(engine, hub, me, summary)
            _names(engine, hub, me, summary)
            _actions(engine, hub, me, summary)
        except (transport.Unreachable, InputRejected) as exc:
            why = f"{hub.agency}: {exc}"
            _failed(engine, hub.agency, why)
            summary.failed.append(why)
    _deliver(engine, me, summary)
    return summary


# -- what a node receives ----------------------------------------------------------------------------------------

def _answer(s: Session, to: str | None, type_: str, body: msg._Strict) -> bytes:
    me = _signing(_node(s))
    return msg.seal(me, to or "?", type_, body)[1]


def _refuse(engine: Engine, data: bytes, reason: str, status_code: int, sender: str | None,
            message_id: str | None, audit_action: str | None = None) -> tuple[int, bytes]:
    now = _now()
    with session(engine) as s:
        store.log_in(s, sender, None, message_id, "refused", reason, now)
        if audit_action:  # the sender named in a message that failed its checks is only a claim
            audit.record(s, "node:unverified", audit_action, f"node/{sender or 'unknown'}", reason[:300], now)
        return status_code, _answer(s, sender, "refused", msg.Refused(in_reply_to=message_id, reason=reason,
                                                                      status=status_code))


def _claimed_sender(data: bytes) -> str | None:
    try:
        p = json.loads(data)["payload"]
        return str(p["from"])[:40] if isinstance(p, dict) else None
    except Exception:
        return None


def oprf_query(engine: Engine, data: bytes) -> tuple[int, bytes]:
    """The hub's OPRF: a unit's signed batch of blinded points, rate-limited per agency and window, each query
    audited (and each refusal). Answers (HTTP status, signed answer)."""
    with session(engine) as s:
        n = _node(s)
        partners = _partners(s)
    if n.role != "hub" or not n.oprf_key_file:
        return _refuse(engine, data, "this node is not a hub: it evaluates no OPRF", 404, _claimed_sender(data), None)
    try:
        m = msg.open_(data, n.agency, partners, ("oprf_query",))
        points = [msg.decode(p) for p in m.body.points]
        evaluated = oprf.evaluate(_read_key(n.oprf_key_file, 32, "an OPRF key"), points)
    except (InputRejected, ValueError) as exc:
        return _refuse(engine, data, f"refused: {exc}", 422, _claimed_sender(data), None, "oprf_refused")
    now = _now()
    window = int(config.get("deconfliction_rate_window_seconds"))
    limit = int(config.get("deconfliction_rate_limit"))
    start = datetime.fromtimestamp(int(now.timestamp()) // window * window, UTC)
    with session(engine) as s:
        used = store.rate_used(s, m.sender, start)
        if used + len(points) > limit:
            reason = (f"rate limit: {m.sender} asked for {len(points)} more evaluations with {used} of {limit} used "
                      f"in this window of {window} s; try after {(start + timedelta(seconds=window)).isoformat()}")
            store.log_in(s, m.sender, m.type, m.message_id, "refused", reason, now)
            audit.record(s, f"node:{m.sender}", "oprf_refused", f"node/{m.sender}", reason, now)
            return 429, _answer(s, m.sender, "refused", msg.Refused(in_reply_to=m.message_id, reason=reason,
                                                                    status=429))
        store.rate_add(s, m.sender, start, len(points))
        store.log_in(s, m.sender, m.type, m.message_id, "accepted", f"{len(points)} points", now)
        audit.record(s, f"node:{m.sender}", "oprf_evaluated", f"node/{m.sender}",
                     f"{len(points)} points ({used + len(points)} of {limit} in the window)", now)
        return 200, _answer(s, m.sender, "oprf_answer", msg.OprfAnswer(points=[msg.encode(e) for e in evaluated]))


RECEIVES = {"hub": ("tokens", "names", "action"), "unit": ("hit", "conflict")}


def receive(engine: Engine, data: bytes) -> tuple[int, bytes]:
    """A peer's signed message: verified, taken in once (a message seen before is acknowledged again and changes
    nothing), or refused with the reason, which is logged. Answers (HTTP status, signed answer)."""
    with session(engine) as s:
        n = _node(s)
        partners = _partners(s)
    try:
        m = msg.open_(data, n.agency, partners, RECEIVES[n.role])
    except InputRejected as exc:
        return _refuse(engine, data, f"refused: {exc}", 422, _claimed_sender(data), None)
    try:
        with session(engine) as s:
            if store.seen(s, m.message_id):
                return 200, _answer(s, m.sender, "ack", msg.Ack(in_reply_to=m.message_id))
            accepted = HANDLERS[m.type](s, n, m)
            store.log_in(s, m.sender, m.type, m.message_id, "accepted", f"{accepted} items", _now())
            return 200, _answer(s, m.sender, "ack", msg.Ack(in_reply_to=m.message_id, accepted=accepted))
    except LanzaroteError as exc:
        return _refuse(engine, data, f"refused: {exc}", 422, m.sender, m.message_id)


def _hit_id(kind: str, a: tuple[str, str], b: tuple[str, str]) -> str:
    pair = sorted([a, b])
    return "H-" + hashlib.sha256(json.dumps([kind, pair]).encode()).hexdigest()[:20].upper()


def _notify_hit(s: Session, hub: store.Node, hit_id: str, kind: str, a: tuple[str, str, datetime],
                b: tuple[str, str, datetime], similarity: float | None) -> None:
    now = _now()
    if not store.save_hub_hit(s, hit_id, kind, a[:2], b[:2], similarity, now):
        return
    for mine, other in ((a, b), (b, a)):
        notice = msg.HitNotice(hit_id=hit_id, kind=kind, reference=mine[1], other_agency=other[0],
                               other_reference=other[1], other_since=other[2], similarity=similarity)
        _queue(s, mine[0], "hit", notice)
    audit.record(s, f"node:{hub.agency}", "deconfliction_hit", f"hit/{hit_id}",
                 f"{kind} {a[0]} {a[1]} ↔ {b[0]} {b[1]}" + (f" similarity {similarity:.2f}" if similarity else ""),
                 now)


def _on_tokens(s: Session, n: store.Node, m: msg.Message) -> int:
    held = [store.HubToken(bytes.fromhex(t.token), m.sender, t.reference, t.kind, t.since) for t in m.body.tokens]
    matches = store.hold_tokens(s, held)
    for new, old in matches:
        _notify_hit(s, n, _hit_id(new.kind, (new.agency, new.reference), (old.agency, old.reference)), new.kind,
                    (new.agency, new.reference, new.since), (old.agency, old.reference, old.since), None)
    audit.record(s, f"node:{m.sender}", "tokens_received", f"node/{m.sender}",
                 f"{len(held)} tokens, {len(matches)} hits", _now())
    return len(held)


def _on_names(s: Session, n: store.Node, m: msg.Message) -> int:
    threshold = float(config.get("deconfliction_name_threshold"))
    rows = []
    for e in m.body.names:
        code = msg.decode(e.clk)
        if not clk.valid(code):
            raise InputRejected(f"the encoding of {e.reference} is not a {clk.BITS}-bit CLK")
        rows.append((e.reference, code, e.since))
    since = {r: t for r, _, t in rows}
    for ref, code, other_agency, other_ref, other_code, other_since in store.hold_names(s, m.body.exchange, m.sender,
                                                                                       rows):
        score = clk.dice(code, other_code)
        if score >= threshold:
            _notify_hit(s, n, _hit_id("name", (m.sender, ref), (other_agency, other_ref)), "name",
                        (m.sender, ref, since[ref]), (other_agency, other_ref, other_since), round(score, 3))
    audit.record(s, f"node:{m.sender}", "names_received", f"node/{m.sender}",
                 f"{len(rows)} encodings in {m.body.exchange}", _now())
    return len(rows)


def _on_action(s: Session, n: store.Node, m: msg.Message) -> int:
    b = m.body
    if b.ends <= b.starts:
        raise InputRejected(f"action {b.reference} ends before it starts")
    if b.cancelled:
        store.set_action_state(s, m.sender, b.reference, "cancelled")
        return 1
    held = store.Action(m.sender, b.reference, b.kind, b.starts, b.ends, tuple(b.cells), tuple(b.subject_tokens),
                        state="held")
    if not store.add_action(s, held, None, _now()):
        return 0
    mine = plans.Planned(b.reference, b.starts, b.ends, b.cells, b.subject_tokens)
    for other in store.overlapping(s, held):
        why = plans.conflict(mine, plans.Planned(other.reference, other.starts, other.ends, other.cells,
                                                 other.subject_tokens))
        if why is None:
            continue
        cid = "C-" + _hit_id("action", (m.sender, b.reference), (other.agency, other.reference))[2:]
        if not store.save_conflict(s, cid, b.reference, other.agency, other.reference, why, min(b.starts,
                                   other.starts), _now(), agency=m.sender):
            continue
        for to, ref, other_agency, other_ref, starts in ((m.sender, b.reference, other.agency, other.reference,
                                                          b.starts),
                                                         (other.agency, other.reference, m.sender, b.reference,
                                                          other.starts)):
            notice = msg.ConflictNotice(conflict_id=cid, reference=ref, other_agency=other_agency,
                                        other_reference=other_ref, reason=why, starts=starts)
            _queue(s, to, "conflict", notice)
        audit.record(s, f"node:{n.agency}", "action_conflict", f"conflict/{cid}",
                     f"{m.sender} {b.reference} ↔ {other.agency} {other.reference}: {why}", _now())
    return 1


def _on_hit(s: Session, n: store.Node, m: msg.Message) -> int:
    b = m.body
    if store.report_of_reference(s, b.reference) is None:
        raise InputRejected(f"the hit names reference {b.reference}, which this node never sent")
    saved = store.save_hit(s, store.Hit(b.hit_id, b.reference, b.kind, b.other_agency, b.other_reference,
                                        b.other_since, _now(), b.similarity, "new", None, None))
    if saved:
        audit.record(s, f"node:{m.sender}", "deconfliction_hit", f"hit/{b.hit_id}",
                     f"{b.kind} {b.reference} held by {b.other_agency} as {b.other_reference}", _now())
    return int(saved)


def _on_conflict(s: Session, n: store.Node, m: msg.Message) -> int:
    b = m.body
    if not any(a.reference == b.reference for a in store.actions(s, n.agency)):
        raise InputRejected(f"the conflict names action {b.reference}, which this node never planned")
    saved = store.save_conflict(s, b.conflict_id, b.reference, b.other_agency, b.other_reference, b.reason,
                                b.starts, _now())
    if saved:
        audit.record(s, f"node:{m.sender}", "action_conflict", f"conflict/{b.conflict_id}",
                     f"{b.reference} ↔ {b.other_agency} {b.other_reference}: {b.reason}", _now())
    return int(saved)


HANDLERS = {"tokens": _on_tokens, "names": _on_names, "action": _on_action, "hit": _on_hit,
            "conflict": _on_conflict}


# -- hits, as analysts see them ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class HitView:
    hit: store.Hit
    report_key: str | None
    subject_id: str | None

    @property
    def suggestion(self) -> bool:
        """A names match: a suggestion for an analyst, never a hit."""
        return self.hit.kind == "name"

    def as_json(self) -> dict[str, Any]:
        h = self.hit
        return {"hit_id": h.hit_id, "kind": h.kind, "suggestion": self.suggestion, "other_agency": h.other_agency,
                "other_reference": h.other_reference, "other_since": h.other_since.isoformat(),
                "our_reference": h.reference, "report": self.report_key, "subject": self.subject_id,
                "found_at": h.found_at.isoformat(), "similarity": h.similarity, "status": h.status,
                "marked_by": h.marked_by}


def _views(s: Session, user: User, found: list[store.Hit]) -> list[HitView]:
    out = []
    for h in found:
        key = store.report_of_reference(s, h.reference)
        stored = store.state_of(s, key) if key else None
        if stored is None or not user.may_see(stored.country, stored.authority):
            continue  # need-to-know: a hit on a report the user may not see is not theirs to know
        out.append(HitView(h, key, stored.subject_id))
    return out


def hits(s: Session, user: User, channel: str, limit: int = 500) -> list[HitView]:
    """The hits (and name suggestions) on reports the user may see, newest first; the read audited."""
    found = _views(s, user, store.hits(s, limit=limit))
    audit.record(s, user.username, "list", "deconfliction/hits", f"{channel} {len(found)} hits", _now())
    return found


def subject_status(s: Session, user: User, subject_id: str) -> list[HitView]:
    """The hits on a subject's reports that the user may see (the subject's own read is audited by its page)."""
    view = store_subjects.subject(s, subject_id, user.scope)
    keys = [f"{r.source}/{r.report_id}" for r in view.reports]
    refs = store.references_of_reports(s, keys)
    return _views(s, user, store.hits(s, set(refs))) if refs else []


def subjects_with_hits(s: Session, subjects: Collection[str]) -> set[str]:
    """Which of these subjects (the ones on a queue page the user already reads) have a hit not marked "not the
    same": the queue's deconfliction mark, ids only."""
    return store.subjects_with_hits(s, subjects)


def mark(s: Session, user: User, hit_id: str, status_: str) -> HitView:
    """An analyst's marking of a hit: contacted, same person, not the same (or back to new); audited."""
    require(user, "decide")
    if status_ not in STATUSES:
        raise InputRejected(f"a hit is marked {', '.join(STATUSES)}, not {status_!r}")
    found = _views(s, user, [store.hit(s, hit_id)])
    if not found:
        raise NotFound(f"no hit {hit_id!r} here")
    if found[0].report_key:
        visible(s, user, found[0].report_key)
    store.mark_hit(s, hit_id, status_, user.username, _now())
    audit.record(s, user.username, "hit_marked", f"hit/{hit_id}", status_, _now())
    return _views(s, user, [store.hit(s, hit_id)])[0]


# -- names and planned actions -----------------------------------------------------------------------------------

def add_exchange(s: Session, user: User, name: str, key_file: Path) -> None:
    """Take part in a names exchange with its own key (administrators): the agencies of the exchange share the
    32-byte key out of band; the hub never has it; audited."""
    require(user, "administer")
    if not name or len(name) > 60 or not all(c.isalnum() or c in "._-" for c in name):
        raise InputRejected(f"{name!r} is not an exchange name (letters, digits, '.', '_', '-')")
    try:
        raw = key_file.read_bytes()
    except OSError as exc:
        raise InputRejected(f"cannot read {key_file}: {exc.strerror}") from None
    if len(raw) != 32:
        raise InputRejected(f"{key_file} is not an exchange key: it must hold 32 random bytes")
    path = (config.data_dir() / f"exchange-{name}.key").resolve()
    config.write_private(path, raw)
    store.add_exchange(s, name, str(path), _now())
    audit.record(s, user.username, "exchange_added", f"exchange/{name}", "", _now())


def plan_action(s: Session, user: User, kind: str, starts: datetime, ends: datetime, place: str,
                subject_id: str | None = None) -> str:
    """A planned search, arrest or undercover contact (a time, a place, a subject), checked against the other
    agencies' at the next sync; its reference is returned; audited."""
    require(user, "decide")
    n = _node(s)
    if kind not in plans.KINDS:
        raise InputRejected(f"a planned action is one of {', '.join(plans.KINDS)}, not {kind!r}")
    if starts.tzinfo is None or ends.tzinfo is None:
        raise InputRejected("give the action's times with their zone (e.g. 2026-12-20T06:00+01:00)")
    if ends <= starts:
        raise InputRejected("the action ends before it starts")
    try:
        plans.parse_place(place)
    except ValueError as exc:
        raise InputRejected(str(exc)) from None
    if subject_id:
        store_subjects.subject(s, subject_id, user.scope)  # need-to-know: a subject the user may see
    ref = "A-" + secrets.token_hex(6).upper()
    store.add_action(s, store.Action(n.agency, ref, kind, starts.astimezone(UTC), ends.astimezone(UTC), (), (),
                                     place, subject_id), user.username, _now())
    audit.record(s, user.username, "action_planned", f"action/{ref}",
                 f"{kind} {starts.isoformat()}–{ends.isoformat()} subject={subject_id or '-'}", _now())
    return ref


def planned(s: Session, user: User) -> dict[str, Any]:
    """This node's planned actions and the conflicts found with other agencies'."""
    require(user, "decide")
    n = _node(s)
    return {"actions": [{"reference": a.reference, "kind": a.kind, "starts": a.starts.isoformat(),
                         "ends": a.ends.isoformat(), "place": a.place, "subject": a.subject_id, "state": a.state}
                        for a in store.actions(s, n.agency)],
            "conflicts": [{**c, "starts": c["starts"].isoformat(), "found_at": c["found_at"].isoformat()}
                          for c in store.conflicts(s)]}


def new_exchange_key(path: Path) -> None:
    """Write a fresh 32-byte exchange key (0600) for the agencies of an exchange to share."""
    if path.exists():
        raise Conflict(f"{path} exists: an exchange key is never overwritten")
    config.write_private(path, secrets.token_bytes(32), exclusive=True)

