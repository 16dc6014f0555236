"""The synthetic world: countries whose IP addresses, phone numbers and postal addresses agree.

IP addresses are real-country addresses found by asking `iptocc` (the same offline registry data routing uses) about
random addresses, so their country is true by construction. Phone numbers use ranges reserved for fiction or tests
where a country has one, and obviously synthetic subscriber parts elsewhere. Postal codes have the real formats; in
ES the first two digits are the province, in FR the département, and the German ones fall in the right Land.
"""

from __future__ import annotations

import ipaddress
import random
from dataclasses import dataclass

import iptocc


@dataclass(frozen=True)
class City:
    name: str
    postal_prefix: str
    """The start of the city's postal codes; the rest is filled in at random within it."""
    region: str | None
    """The province (ES), département (FR) or Land (DE) code the postal code routes to."""


@dataclass(frozen=True)
class Country:
    code: str
    language: str
    calling_code: str
    phone_prefix: str
    """National significant number prefix of a fictional or test range; random digits complete it."""
    phone_digits: int
    postal_digits: int
    cities: tuple[City, ...]
    weight: float
    first_names: tuple[str, ...]
    last_names: tuple[str, ...]


def _cities(*items: tuple[str, str, str | None]) -> tuple[City, ...]:
    return tuple(City(n, p, r) for n, p, r in items)


COUNTRIES: tuple[Country, ...] = (
    Country("DE", "de", "+49", "3023125", 3, 5, _cities(
        ("Berlin", "101", "BE"), ("Hamburg", "200", "HH"), ("München", "803", "BY"), ("Köln", "506", "NW"),
        ("Frankfurt am Main", "603", "HE"), ("Stuttgart", "701", "BW"), ("Mainz", "551", "RP"),
        ("Dresden", "010", "SN"), ("Hannover", "301", "NI"), ("Bremen", "281", "HB"), ("Kiel", "241", "SH"),
        ("Schwerin", "190", "MV"), ("Magdeburg", "391", "ST"), ("Erfurt", "990", "TH"),
        ("Saarbrücken", "661", "SL"), ("Potsdam", "144", "BB"), ("Nürnberg", "904", "BY"),
        ("Düsseldorf", "402", "NW")), 0.22,
        ("Lukas", "Jonas", "Anna", "Lea", "Paul", "Marie", "Felix", "Sophie"),
        ("Beispiel", "Muster", "Testmann", "Probst", "Fiktiv", "Erdacht")),
    Country("ES", "es", "+34", "600000", 3, 5, _cities(
        ("Madrid", "280", "28"), ("Barcelona", "080", "08"), ("Valencia", "460", "46"), ("Sevilla", "410", "41"),
        ("Málaga", "290", "29"), ("Zaragoza", "500", "50"), ("Bilbao", "480", "48"), ("Murcia", "300", "30"),
        ("Palma", "070", "07"), ("A Coruña", "150", "15")), 0.16,
        ("Lucía", "Hugo", "Martina", "Mateo", "Sofía", "Leo", "Daniela", "Álvaro"),
        ("Ejemplo", "Ficticio", "Prueba", "Inventado", "Modelo")),
    Country("FR", "fr", "+33", "199000", 3, 5, _cities(
        ("Paris", "750", "75"), ("Lyon", "690", "69"), ("Marseille", "130", "13"), ("Toulouse", "310", "31"),
        ("Nice", "060", "06"), ("Nantes", "440", "44"), ("Strasbourg", "670", "67"), ("Lille", "590", "59"),
        ("Bordeaux", "330", "33"), ("Ajaccio", "200", "2A"), ("Bastia", "202", "2B")), 0.14,
        ("Louise", "Gabriel", "Jade", "Raphaël", "Emma", "Arthur", "Chloé", "Jules"),
        ("Exemple", "Fictif", "Essai", "Imaginaire", "Modèle")),
    Country("NL", "en", "+31", "20999", 4, 4, _cities(("Amsterdam", "10", None), ("Rotterdam", "30", None)), 0.07,
            ("Daan", "Emma", "Sem", "Julia"), ("Voorbeeld", "Proef", "Verzonnen")),
    Country("DK", "en", "+45", "7020", 4, 4, _cities(("København", "1", None), ("Aarhus", "8", None)), 0.05,
            ("Freja", "William", "Ida", "Noah"), ("Eksempel", "Prøve", "Opdigtet")),
    Country("BE", "fr", "+32", "2999", 4, 4, _cities(("Bruxelles", "10", None), ("Liège", "40", None)), 0.05,
            ("Olivia", "Louis", "Mila", "Lucas"), ("Exemple", "Voorbeeld", "Fictif")),
    Country("IT", "en", "+39", "0699", 5, 5, _cities(("Roma", "001", None), ("Milano", "201", None)), 0.07,
            ("Giulia", "Leonardo", "Sofia", "Francesco"), ("Esempio", "Prova", "Fittizio")),
    Country("PL", "en", "+48", "2299", 5, 5, _cities(("Warszawa", "00", None), ("Kraków", "30", None)), 0.06,
            ("Zuzanna", "Antoni", "Julia", "Jan"), ("Przyklad", "Testowy", "Fikcyjny")),
    Country("AT", "de", "+43", "1999", 5, 4, _cities(("Wien", "10", None), ("Graz", "80", None)), 0.04,
            ("Emilia", "Elias", "Hannah", "David"), ("Beispiel", "Muster", "Erfunden")),
    Country("SE", "en", "+46", "8999", 5, 5, _cities(("Stockholm", "111", None), ("Göteborg", "411", None)), 0.04,
            ("Alice", "Oscar", "Maja", "Liam"), ("Exempel", "Prov", "Påhittad")),
    Country("GB", "en", "+44", "7700900", 3, 0, _cities(("London", "", None)), 0.04,
            ("Olivia", "George", "Amelia", "Harry"), ("Example", "Sample", "Fictional")),
    Country("US", "en", "+1", "20155501", 2, 5, _cities(("Springfield", "627", None)), 0.04,
            ("Ava", "Liam", "Mia", "Noah"), ("Example", "Sample", "Doe")),
    Country("PH", "en", "+63", "2999", 5, 4, _cities(("Manila", "10", None), ("Cebu City", "60", None)), 0.02,
            ("Andrea", "Joshua", "Angel", "Nathan"), ("Halimbawa", "Sample")),
)
BY_CODE = {c.code: c for c in COUNTRIES}


class IpPool:
    """Real addresses per country, found by asking the offline registry data about random addresses."""

    def __init__(self, seed: int, per_country: int = 400) -> None:
        rng = random.Random(seed)
        wanted = {c.code for c in COUNTRIES}
        pools: dict[str, list[str]] = {c: [] for c in wanted}
        while min(len(v) for v in pools.values()) < per_country:
            batch = [str(ipaddress.IPv4Address(rng.getrandbits(32))) for _ in range(200_000)]
            for ip, cc in zip(batch, iptocc.country_code(batch), strict=True):
                if cc in wanted and len(pools[cc]) < per_country and ipaddress.IPv4Address(ip).is_global:
                    pools[cc].append(ip)
        self.pools = pools

    def pick(self, rng: random.Random, country: str) -> str:
        return rng.choice(self.pools[country])


def postal_code(rng: random.Random, country: Country, city: City) -> str:
    if country.code == "GB":
        return f"SW1A {rng.randint(1, 9)}AA"
    if country.code == "NL":
        return f"{city.postal_prefix}{rng.randint(10, 99)} {rng.choice('ABCDEFGH')}{rng.choice('JKLMNPRS')}"
    rest = country.postal_digits - len(city.postal_prefix)
    code = city.postal_prefix + "".join(str(rng.randint(0, 9)) for _ in range(rest))
    if country.code == "SE":
        return f"{code[:3]} {code[3:]}"
    if country.code == "PL":
        return f"{code[:2]}-{code[2:]}"
    return code


def phone(rng: random.Random, country: Country) -> str:
    """A national significant number in the country's fictional or test range."""
    return country.phone_prefix + "".join(str(rng.randint(0, 9)) for _ in range(country.phone_digits))
