"""Synthetic people: an offender's identifiers, stable across the reports and providers that mention them.

A person is derived from (seed, person id) alone, so any worker process can rebuild the same person for the
reports it writes. Identifiers are shown with the variation real reports have (case, national versus international
phone formats), which linking must normalise away.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from datetime import date

from lanzarote.synth.world import COUNTRIES, City, Country, phone, phone_count, postal_code

PROVIDERS = ("Meta", "Google", "Discord", "X", "Snap", "Microsoft", "ExampleChat", "Photoshare Example")
_WEIGHTS = [c.weight for c in COUNTRIES]


def rng_for(*parts: object) -> random.Random:
    """A random generator determined by `parts` alone (stable across processes and Python runs)."""
    digest = hashlib.blake2b(repr(parts).encode(), digest_size=8).digest()
    return random.Random(int.from_bytes(digest, "big"))


@dataclass(frozen=True)
class Person:
    person_id: str
    country: Country
    city: City
    first_name: str
    last_name: str
    date_of_birth: date
    email: str
    phone_index: int | None
    phone_nsn: str | None
    """Only people given a fictional number have one (fictional ranges are small)."""
    postal_code: str
    street: str
    device_id: str
    screen_name: str
    account_number: int

    def account(self, provider: str) -> str:
        """The person's user id at a provider: different per provider, as in real reports."""
        return str(int(hashlib.blake2b(f"{self.person_id}|{provider}".encode(), digest_size=5).hexdigest(), 16))

    def email_as_written(self, rng: random.Random) -> str:
        choice = rng.random()
        if choice < 0.15:
            return self.email.upper()
        if choice < 0.3:
            local, domain = self.email.split("@")
            return f"{local.capitalize()}@{domain}"
        return self.email

    def phone_as_written(self, rng: random.Random) -> tuple[str, str | None]:
        """(number, countryCallingCode attribute) in one of the formats providers use."""
        assert self.phone_nsn is not None
        cc = self.country.calling_code
        choice = rng.random()
        if choice < 0.4:
            return f"{cc}{self.phone_nsn}", None
        if choice < 0.7:
            nsn = self.phone_nsn
            return f"{cc} {nsn[:3]} {nsn[3:6]} {nsn[6:]}", None
        trunk = "" if self.country.code in ("ES", "IT", "DK", "US") else "0"
        if self.country.code == "US":
            trunk = ""
        return f"{trunk}{self.phone_nsn}", cc


class PhoneBook:
    """Hands out each country's fictional numbers in order to repeat offenders, so no two people share one."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self._ranks: list[int] = []
        self._counts: dict[str, int] = {}

    def rank(self, window: int) -> int:
        while len(self._ranks) <= window:
            w = len(self._ranks)
            code = rng_for(self.seed, "person", f"R{w}").choices(COUNTRIES, weights=_WEIGHTS)[0].code
            self._ranks.append(self._counts.get(code, 0))
            self._counts[code] = self._counts.get(code, 0) + 1
        return self._ranks[window]


def person(seed: int, person_id: str, country: Country | None = None, phone_index: int | None = None) -> Person:
    rng = rng_for(seed, "person", person_id)
    chosen = country or rng.choices(COUNTRIES, weights=_WEIGHTS)[0]
    city = rng.choice(chosen.cities)
    first = rng.choice(chosen.first_names)
    last = rng.choice(chosen.last_names)
    n = rng.randint(1, 10**9)
    domain = rng.choice(("example.org", "example.com", "example.net"))
    local = f"{first}.{last}{n}".lower()
    local = "".join(ch for ch in local if ch.isascii() and (ch.isalnum() or ch == "."))
    return Person(
        person_id=person_id,
        country=chosen,
        city=city,
        first_name=first,
        last_name=last,
        date_of_birth=date(rng.randint(1960, 2004), rng.randint(1, 12), rng.randint(1, 28)),
        email=f"{local}@{domain}",
        phone_index=phone_index,
        # a country's fictional range is split: its own people in the lower half, foreign SIMs in the upper half;
        # once the lower half is handed out, later people have no phone rather than someone else's
        phone_nsn=phone(chosen.code, phone_index)
        if phone_index is not None and phone_index < phone_count(chosen.code) // 2 else None,
        postal_code=postal_code(rng, chosen, city),
        street=f"{rng.choice(('Example', 'Sample', 'Test'))} Street {rng.randint(1, 200)}",
        device_id="35" + "".join(str(rng.randint(0, 9)) for _ in range(13)),
        screen_name=f"{first.lower()}_{rng.choice(('x', 'sun', 'wolf', 'blue', 'kid'))}{rng.randint(1, 999)}",
        account_number=n,
    )
