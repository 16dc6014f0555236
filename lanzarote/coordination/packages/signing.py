"""Signed envelopes: an Ed25519 signature (PyNaCl) over the canonical form of a package or of feedback, the sending
node's key id in the header.

The file is itself canonical JSON (sorted keys, no spaces, UTF-8), so any byte changed anywhere either breaks the
JSON, changes what was signed, or breaks the canonical form: each is refused with one clear sentence.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from nacl.exceptions import BadSignatureError
from nacl.exceptions import ValueError as NaclValueError
from nacl.signing import SigningKey, VerifyKey

from lanzarote.errors import InputRejected

ENVELOPE = "lanzarote-signed/1"
KINDS = ("package", "feedback")


def canonical(value: Any) -> bytes:
    """The one byte form of a JSON value that is signed and hashed."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def key_id(verify_key: VerifyKey) -> str:
    """A short, stable name of a public key: `ed25519:` and 16 hex digits of its SHA-256."""
    return "ed25519:" + hashlib.sha256(bytes(verify_key)).hexdigest()[:16]


@dataclass(frozen=True)
class NodeKey:
    """The sending node's signing key and the agency it signs as."""

    agency: str
    signing_key: SigningKey

    @property
    def key_id(self) -> str:
        return key_id(self.signing_key.verify_key)

    @property
    def public_key(self) -> str:
        return base64.b64encode(bytes(self.signing_key.verify_key)).decode()


@dataclass(frozen=True)
class Partner:
    """A node whose public key this node trusts, and the agency it is."""

    agency: str
    public_key: str

    @property
    def verify_key(self) -> VerifyKey:
        return VerifyKey(base64.b64decode(self.public_key))

    @property
    def key_id(self) -> str:
        return key_id(self.verify_key)


def sign(kind: str, payload: dict[str, Any], key: NodeKey) -> bytes:
    """The signed envelope of a payload, as the bytes of the file sent."""
    header = {"format": ENVELOPE, "kind": kind, "key_id": key.key_id, "signer": key.agency, "alg": "Ed25519",
              "sha256": hashlib.sha256(canonical(payload)).hexdigest()}
    signature = key.signing_key.sign(canonical({"header": header, "payload": payload})).signature
    return canonical({"header": header, "payload": payload, "signature": base64.b64encode(signature).decode()})


@dataclass(frozen=True)
class Verified:
    kind: str
    signer: str
    key_id: str
    sha256: str
    payload: dict[str, Any]


def verify(data: bytes, kind: str, partners: Mapping[str, Partner]) -> Verified:
    """The payload of a signed envelope of `kind` from a partner this node trusts (by key id); anything unsigned,
    altered or signed by an unknown key is refused."""
    try:
        envelope = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        raise InputRejected(f"not a signed {kind}: the file is not a Lanzarote envelope (damaged or altered)") from None
    if not isinstance(envelope, dict) or not isinstance(envelope.get("header"), dict) or "payload" not in envelope:
        raise InputRejected(f"not a signed {kind}: it has no signed header (an unsigned export is refused)")
    header, payload, signature = envelope["header"], envelope["payload"], envelope.get("signature")
    if header.get("format") != ENVELOPE or header.get("kind") != kind:
        raise InputRejected(f"not a signed {kind}: its header says {header.get('kind')!r} in "
                            f"{header.get('format')!r}")
    if not isinstance(signature, str) or not signature:
        raise InputRejected(f"this {kind} is not signed: it is refused")
    partner = partners.get(str(header.get("key_id")))
    if partner is None:
        raise InputRejected(f"this {kind} is signed by key {header.get('key_id')!r}, which is not a partner's key "
                            "here (add it with `lanzarote packages partner add`)")
    if canonical(envelope) != data:
        raise InputRejected(f"this {kind} was altered after it was signed (it is no longer in its signed form)")
    try:
        partner.verify_key.verify(canonical({"header": header, "payload": payload}), base64.b64decode(signature))
    except (BadSignatureError, NaclValueError, ValueError):
        raise InputRejected(f"this {kind} was altered after it was signed: its signature does not match "
                            f"{partner.agency}'s key {partner.key_id}") from None
    if header.get("signer") != partner.agency or hashlib.sha256(canonical(payload)).hexdigest() != header.get("sha256"):
        raise InputRejected(f"this {kind}'s header does not match what was signed")
    return Verified(kind, partner.agency, partner.key_id, str(header["sha256"]), payload)
