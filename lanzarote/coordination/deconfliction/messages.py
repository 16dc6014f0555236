"""What nodes say to each other. Every message and every answer is a signed envelope (`packages.signing`, kind
`deconfliction`) whose payload names its sender, its recipient, its type and a message id; its body is checked
against the type's model before anything reads it, so garbage is refused with a reason, never half-read.

    unit → hub   oprf_query   blinded points              answered by oprf_answer (the evaluated points)
    unit → hub   tokens       token, kind, reference, since
    unit → hub   names        an exchange's CLKs with their references
    unit → hub   action       a planned action: kind, time, place cells and subject tokens (all tokens)
    hub  → unit  hit          which agency, its reference, which kind, since when (and yours)
    hub  → unit  conflict     which of your planned actions, whose, why
    any          ack, refused the answer to a message
"""

from __future__ import annotations

import base64
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from lanzarote.coordination.packages.signing import NodeKey, Partner, sign, verify
from lanzarote.errors import InputRejected

ENVELOPE_KIND = "deconfliction"
MAX_ITEMS = 20_000
MAX_AGE = timedelta(days=7)
"""A message older than this (by its own clock) is refused: a replay, or a node whose clock is wrong."""

Agency = Annotated[str, Field(min_length=2, max_length=40, pattern=r"^[A-Z0-9-]+$")]
Reference = Annotated[str, Field(min_length=4, max_length=40, pattern=r"^[A-Za-z0-9-]+$")]
TokenHex = Annotated[str, Field(min_length=32, max_length=32, pattern=r"^[0-9a-f]{32}$")]
Kind = Literal["email", "phone", "account", "device", "payment", "file_hash", "name"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class OprfQuery(_Strict):
    points: list[str] = Field(min_length=1, max_length=MAX_ITEMS)


class OprfAnswer(_Strict):
    points: list[str] = Field(max_length=MAX_ITEMS)


class TokenEntry(_Strict):
    token: TokenHex
    kind: Literal["email", "phone", "account", "device", "payment", "file_hash"]
    reference: Reference
    since: datetime


class Tokens(_Strict):
    tokens: list[TokenEntry] = Field(min_length=1, max_length=MAX_ITEMS)


class NameEntry(_Strict):
    reference: Reference
    clk: str = Field(min_length=4, max_length=400)
    since: datetime


class Names(_Strict):
    exchange: str = Field(min_length=1, max_length=60, pattern=r"^[A-Za-z0-9._-]+$")
    names: list[NameEntry] = Field(min_length=1, max_length=MAX_ITEMS)


class PlannedAction(_Strict):
    reference: Reference
    kind: Literal["search", "arrest", "undercover"]
    starts: datetime
    ends: datetime
    cells: list[TokenHex] = Field(max_length=50)
    subject_tokens: list[TokenHex] = Field(max_length=1000)
    cancelled: bool = False


class HitNotice(_Strict):
    hit_id: str = Field(min_length=4, max_length=40)
    kind: Kind
    reference: Reference
    other_agency: Agency
    other_reference: Reference
    other_since: datetime
    similarity: float | None = Field(default=None, ge=0, le=1)


class ConflictNotice(_Strict):
    conflict_id: str = Field(min_length=4, max_length=40)
    reference: Reference
    other_agency: Agency
    other_reference: Reference
    reason: str = Field(max_length=500)
    starts: datetime


class Ack(_Strict):
    in_reply_to: str = Field(max_length=40)
    accepted: int = 0


class Refused(_Strict):
    in_reply_to: str | None = Field(default=None, max_length=40)
    reason: str = Field(max_length=2000)
    status: int = 422


BODIES: dict[str, type[_Strict]] = {
    "oprf_query": OprfQuery, "oprf_answer": OprfAnswer, "tokens": Tokens, "names": Names, "action": PlannedAction,
    "hit": HitNotice, "conflict": ConflictNotice, "ack": Ack, "refused": Refused,
}


def encode(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def decode(text: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except ValueError:
        raise ValueError("not base64") from None


@dataclass(frozen=True)
class Message:
    message_id: str
    sender: str
    recipient: str
    type: str
    sent_at: datetime
    body: Any


def new_reference() -> str:
    """An opaque reference for one exchanged identifier or encoding: what the other agency is told and may quote in
    its request for the data; only its owner can tell what it stands for."""
    return "R-" + secrets.token_hex(8).upper()


def new_id() -> str:
    return "M-" + secrets.token_hex(12)


def seal(key: NodeKey, recipient: str, type_: str, body: _Strict, message_id: str | None = None,
         at: datetime | None = None) -> tuple[str, bytes]:
    """A signed message of `type_` to `recipient`: its id and its bytes."""
    mid = message_id or new_id()
    payload = {"message_id": mid, "from": key.agency, "to": recipient, "type": type_,
               "sent_at": (at or datetime.now(UTC)).isoformat(), "body": body.model_dump(mode="json")}
    return mid, sign(ENVELOPE_KIND, payload, key)


def open_(data: bytes, me: str, partners: Mapping[str, Partner], types: tuple[str, ...],
          now: datetime | None = None) -> Message:
    """The message in `data`, verified (signed by a peer's key, not altered), addressed to this node, recent, of one
    of `types`, its body valid; anything else is refused with the reason."""
    try:
        verified = verify(data, ENVELOPE_KIND, partners)
    except InputRejected as exc:
        raise InputRejected(str(exc).replace("`lanzarote packages partner add`", "`lanzarote node add-peer`")) from None
    p = verified.payload
    if not isinstance(p, dict):
        raise InputRejected("the signed payload is not a message")
    type_ = p.get("type")
    if type_ not in types or type_ not in BODIES:
        raise InputRejected(f"a {type_!r} message is not expected here (expected {', '.join(types)})")
    if p.get("from") != verified.signer:
        raise InputRejected(f"the message says it is from {p.get('from')!r} but {verified.signer}'s key signed it")
    if p.get("to") != me:
        raise InputRejected(f"the message is addressed to {p.get('to')!r}, not to this node ({me})")
    mid = p.get("message_id")
    if not isinstance(mid, str) or not 4 <= len(mid) <= 40:
        raise InputRejected("the message has no valid message id")
    try:
        sent_at = datetime.fromisoformat(str(p.get("sent_at")))
    except ValueError:
        raise InputRejected("the message has no valid time") from None
    if sent_at.tzinfo is None:
        raise InputRejected("the message's time has no zone")
    now = now or datetime.now(UTC)
    if not now - MAX_AGE <= sent_at <= now + timedelta(minutes=10):
        raise InputRejected(f"the message was sent at {sent_at.isoformat()}: too old, or the sender's clock is wrong")
    try:
        body = BODIES[type_].model_validate(p.get("body"))
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(x) for x in first["loc"]) or "body"
        raise InputRejected(f"the {type_} message is not valid at {where}: {first['msg']}") from None
    return Message(mid, verified.signer, me, type_, sent_at, body)
