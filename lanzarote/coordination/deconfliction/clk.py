"""Names and dates of birth as keyed Bloom-filter encodings (Schnell, Bachteler and Reiher's cryptographic
long-term keys, 2011), written here: `clkhash` pins outdated dependencies.

Each field is cut into padded bigrams; each bigram sets `k` bits of a 1,024-bit filter chosen by double hashing with
two HMAC-SHA256 keys derived from the exchange's key and the field's name (so the same bigram in the first and the
last name sets different bits). Dates of birth add their year, month and day as tokens. Two encodings are compared by
their Dice coefficient (2·|A∧B| / (|A|+|B|)). Without the exchange's key nobody can test a guess; whoever holds it
can (the agencies of one exchange), which is why a key is per exchange and a match is only a suggestion.
"""

from __future__ import annotations

import hashlib
import hmac
import unicodedata
from dataclasses import dataclass
from datetime import date

BITS = 1024
K = 20
"""Bits per bigram (Schnell's `k`): 20 is their setting for 1,000-bit filters and 2–15 character names."""


def _fold(text: str) -> str:
    """Lower case, accents and punctuation dropped, spaces collapsed: "José-María" and "jose maria" agree."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    kept = "".join(c if c.isalnum() else " " for c in decomposed if not unicodedata.combining(c))
    return " ".join(kept.split())


def bigrams(text: str) -> list[str]:
    value = f"_{_fold(text)}_"
    return [value[i:i + 2] for i in range(len(value) - 1)] if len(value) > 2 else []


@dataclass(frozen=True)
class Person:
    first_name: str | None
    last_name: str | None
    date_of_birth: date | None

    def tokens(self) -> list[tuple[str, str]]:
        found = [("first", g) for g in bigrams(self.first_name or "")]
        found += [("last", g) for g in bigrams(self.last_name or "")]
        if self.date_of_birth:
            d = self.date_of_birth
            found += [("year", str(d.year)), ("month", f"{d.month:02d}"), ("day", f"{d.day:02d}")]
        return found

    @property
    def usable(self) -> bool:
        """A last name and either a first name or a date of birth: less says nothing about a person."""
        return bool(_fold(self.last_name or "")) and (bool(_fold(self.first_name or "")) or self.date_of_birth
                                                      is not None)


def encode(person: Person, exchange_key: bytes) -> bytes:
    """The CLK of a person for one exchange: BITS/8 bytes."""
    keys: dict[str, tuple[bytes, bytes]] = {}
    bits = 0
    for field, token in person.tokens():
        if field not in keys:
            keys[field] = (hmac.new(exchange_key, b"clk-a\x00" + field.encode(), hashlib.sha256).digest(),
                           hmac.new(exchange_key, b"clk-b\x00" + field.encode(), hashlib.sha256).digest())
        ka, kb = keys[field]
        a = int.from_bytes(hmac.new(ka, token.encode(), hashlib.sha256).digest()[:8], "big")
        b = int.from_bytes(hmac.new(kb, token.encode(), hashlib.sha256).digest()[:8], "big") | 1
        for i in range(K):
            bits |= 1 << ((a + i * b) % BITS)
    return bits.to_bytes(BITS // 8, "big")


def dice(a: bytes, b: bytes) -> float:
    """Dice coefficient of two encodings (0 when both are empty)."""
    x, y = int.from_bytes(a, "big"), int.from_bytes(b, "big")
    total = x.bit_count() + y.bit_count()
    return 2 * (x & y).bit_count() / total if total else 0.0


def valid(clk: bytes) -> bool:
    return len(clk) == BITS // 8 and int.from_bytes(clk, "big").bit_count() > 0
