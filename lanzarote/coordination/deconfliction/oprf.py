"""An oblivious PRF on Ed25519's prime-order group (libsodium through PyNaCl), after RFC 9497's OPRF mode without
its proofs.

    agency:  h = SHA-512(domain ‖ kind ‖ value);  P = map(h[:32]) + map(h[32:]);  r random;  B = r·P  → hub
    hub:     E = k·B                                                               → agency
    agency:  U = r⁻¹·E = k·P;   token = SHA-256(token domain ‖ kind ‖ U)[:16]

`map` is libsodium's Elligator 2 map with the cofactor cleared (`crypto_core_ed25519_from_uniform`): two maps
added are a hash to the group fit to be a random oracle (RFC 9380's construction). PyNaCl 1.6 binds no
Ristretto255 function (its Ed25519 primitives are what it offers), so the group is Ed25519's main subgroup and the
hub checks every point it is sent to be in it (`crypto_core_ed25519_is_valid_point`: canonical, main subgroup, not
of small order), so that no query can learn its key modulo the cofactor. libsodium runs without Python's lock, so
batches are spread over one thread per core.

The hub never sees P (r·P is uniformly random in the group), the agency never learns k, and two agencies holding
the same identifier get the same token. Guessing needs the hub for every guess: the hub rate-limits and audits.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TypeVar

from nacl import bindings
from nacl.exceptions import CryptoError

from lanzarote.errors import InputRejected

T = TypeVar("T")
R = TypeVar("R")
DOMAIN = b"lanzarote-deconfliction/1/identifier\x00"
TOKEN_DOMAIN = b"lanzarote-deconfliction/1/token\x00"
KINDS = ("email", "phone", "account", "device", "payment", "file_hash", "place")
"""What is exchanged: the strong identifiers linking produces (`linking/identifiers.py`), and grid cells of
planned actions (`actions`). IP addresses and screen names are not strong enough to say "the same person"."""
EXCHANGED = ("email", "phone", "account", "device", "payment", "file_hash")
"""The kinds of identifier that go to the hub as tokens as reports are processed."""
POINT_BYTES = 32
TOKEN_BYTES = 16


def _point(kind: str, value: str) -> bytes:
    digest = hashlib.sha512(DOMAIN + kind.encode() + b"\x00" + value.encode()).digest()
    return bytes(bindings.crypto_core_ed25519_add(bindings.crypto_core_ed25519_from_uniform(digest[:32]),
                                                  bindings.crypto_core_ed25519_from_uniform(digest[32:])))


def _scalar() -> bytes:
    """A uniformly random non-zero scalar (64 random bytes reduced modulo the group's order)."""
    while True:
        s = bytes(bindings.crypto_core_ed25519_scalar_reduce(os.urandom(64)))
        if any(s):
            return s


def _mul(scalar: bytes, point: bytes) -> bytes:
    return bytes(bindings.crypto_scalarmult_ed25519_noclamp(scalar, point))


def _valid(point: bytes) -> bool:
    return len(point) == POINT_BYTES and bool(bindings.crypto_core_ed25519_is_valid_point(point))


@dataclass(frozen=True)
class Blinded:
    """What the agency keeps while the hub evaluates (`scalar`, never sent) and what it sends (`point`)."""

    kind: str
    scalar: bytes
    point: bytes


def blind(kind: str, value: str) -> Blinded:
    """Blind one normalised identifier with a fresh random scalar."""
    if kind not in KINDS:
        raise ValueError(f"{kind!r} is not an exchanged kind of identifier")
    r = _scalar()
    return Blinded(kind, r, _mul(r, _point(kind, value)))


def new_key() -> bytes:
    """A hub's secret OPRF key: a random non-zero scalar."""
    return _scalar()


def _threads(n: int) -> int:
    return max(1, min(os.cpu_count() or 1, n // 500))


def _spread(work: Callable[[Sequence[T]], list[R]], items: Sequence[T]) -> list[R]:
    """`work` over `items` in one thread per core (libsodium runs without the GIL, so threads use every core)."""
    threads = _threads(len(items))
    if threads == 1:
        return work(items)
    size = -(-len(items) // threads)
    with ThreadPoolExecutor(threads) as pool:
        parts = list(pool.map(work, [items[i:i + size] for i in range(0, len(items), size)]))
    return [x for part in parts for x in part]


def evaluate(key: bytes, points: Sequence[bytes]) -> list[bytes]:
    """The hub's step: k·B for every blinded point, on every core; anything that is not a point of the group
    (canonical, in the prime-order subgroup, not of small order: a point with a torsion part would leak the key
    modulo the cofactor) is refused, and with it the whole batch."""
    offsets = list(range(len(points)))

    def part(indices: Sequence[int]) -> list[bytes]:
        return _evaluate(key, [points[i] for i in indices], indices[0] if indices else 0)

    return _spread(part, offsets)


def blind_all(items: Sequence[tuple[str, str]]) -> list[Blinded]:
    """`blind` over many (kind, value) pairs, on every core."""
    return _spread(lambda chunk: [blind(k, v) for k, v in chunk], items)


def unblind_all(blinded: Sequence[Blinded], evaluated: Sequence[bytes]) -> list[bytes]:
    """`unblind` over many, on every core."""
    pairs = list(zip(blinded, evaluated, strict=True))
    return _spread(lambda chunk: [unblind(b, e) for b, e in chunk], pairs)


def _evaluate(key: bytes, points: Sequence[bytes], first: int) -> list[bytes]:
    out = []
    for i, b in enumerate(points, first):
        if not _valid(b):
            raise InputRejected(f"point {i} is not a point of the group: the query is refused")
        try:
            out.append(_mul(key, b))
        except CryptoError:  # the identity: never made by a blinding, only by a forger
            raise InputRejected(f"point {i} is the identity: the query is refused") from None
    return out


def unblind(blinded: Blinded, evaluated: bytes) -> bytes:
    """The agency's last step: r⁻¹·E, hashed with the kind into the token (16 bytes)."""
    # canonical and not of small order (the multiplication checks both); a torsion part would only spoil the
    # token, as a wrong answer would: the subgroup check (another multiplication) is the hub's, on what it is sent
    if len(evaluated) != POINT_BYTES:
        raise InputRejected("the hub's answer holds something that is not a point of the group: refused")
    inverse = bytes(bindings.crypto_core_ed25519_scalar_invert(blinded.scalar))
    try:
        point = _mul(inverse, evaluated)
    except CryptoError:
        raise InputRejected("the hub's answer holds something that is not a point of the group: refused") from None
    return token_of(blinded.kind, point)


def token_of(kind: str, unblinded: bytes) -> bytes:
    return hashlib.sha256(TOKEN_DOMAIN + kind.encode() + b"\x00" + unblinded).digest()[:TOKEN_BYTES]


def direct(key: bytes, kind: str, value: str) -> bytes:
    """The token computed by whoever holds the key (tests and the benchmark's oracle; the hub never sees values)."""
    return token_of(kind, _mul(key, _point(kind, value)))
