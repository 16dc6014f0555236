"""The synthetic world: countries whose IP addresses, phone numbers and postal addresses agree.

IP addresses are never a real subscriber's: an ordinary report's address comes from 2001:db8::/32, the range reserved
for documentation (its country is what the clearing house's geolocation says), and the few addresses that must have a
real country (many users behind one carrier-grade NAT) are well-known public resolvers and registries. Phone numbers
use ranges reserved for fiction or tests where a country has one, and obviously synthetic subscriber parts elsewhere.
Postal codes have the real formats; in ES the first two digits are the province, in FR the département, and the
German ones are real codes of the city's Land (from the routing tables' complete list), so routing can find it.
"""

from __future__ import annotations

import bisect
import functools
import ipaddress
import random
from dataclasses import dataclass

from lanzarote.routing.tables import RoutingTables


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
    postal_digits: int
    cities: tuple[City, ...]
    weight: float
    first_names: tuple[str, ...]
    last_names: tuple[str, ...]


def _cities(*items: tuple[str, str, str | None]) -> tuple[City, ...]:
    return tuple(City(n, p, r) for n, p, r in items)


COUNTRIES: tuple[Country, ...] = (
    Country("DE", "de", "+49", 5, _cities(
        ("Berlin", "101", "BE"), ("Hamburg", "200", "HH"), ("München", "803", "BY"), ("Köln", "506", "NW"),
        ("Frankfurt am Main", "603", "HE"), ("Stuttgart", "701", "BW"), ("Mainz", "551", "RP"),
        ("Dresden", "010", "SN"), ("Hannover", "301", "NI"), ("Bremen", "281", "HB"), ("Kiel", "241", "SH"),
        ("Schwerin", "190", "MV"), ("Magdeburg", "391", "ST"), ("Erfurt", "990", "TH"),
        ("Saarbrücken", "661", "SL"), ("Potsdam", "144", "BB"), ("Nürnberg", "904", "BY"),
        ("Düsseldorf", "402", "NW")), 0.22,
        ("Lukas", "Jonas", "Anna", "Lea", "Paul", "Marie", "Felix", "Sophie"),
        ("Beispiel", "Muster", "Testmann", "Probst", "Fiktiv", "Erdacht")),
    Country("ES", "es", "+34", 5, _cities(
        ("Madrid", "280", "28"), ("Barcelona", "080", "08"), ("Valencia", "460", "46"), ("Sevilla", "410", "41"),
        ("Málaga", "290", "29"), ("Zaragoza", "500", "50"), ("Bilbao", "480", "48"), ("Murcia", "300", "30"),
        ("Palma", "070", "07"), ("A Coruña", "150", "15")), 0.16,
        ("Lucía", "Hugo", "Martina", "Mateo", "Sofía", "Leo", "Daniela", "Álvaro"),
        ("Ejemplo", "Ficticio", "Prueba", "Inventado", "Modelo")),
    Country("FR", "fr", "+33", 5, _cities(
        ("Paris", "750", "75"), ("Lyon", "690", "69"), ("Marseille", "130", "13"), ("Toulouse", "310", "31"),
        ("Nice", "060", "06"), ("Nantes", "440", "44"), ("Strasbourg", "670", "67"), ("Lille", "590", "59"),
        ("Bordeaux", "330", "33"), ("Ajaccio", "200", "2A"), ("Bastia", "202", "2B")), 0.14,
        ("Louise", "Gabriel", "Jade", "Raphaël", "Emma", "Arthur", "Chloé", "Jules"),
        ("Exemple", "Fictif", "Essai", "Imaginaire", "Modèle")),
    Country("NL", "en", "+31", 4, _cities(("Amsterdam", "10", None), ("Rotterdam", "30", None)), 0.07,
            ("Daan", "Emma", "Sem", "Julia"), ("Voorbeeld", "Proef", "Verzonnen")),
    Country("DK", "en", "+45", 4, _cities(("København", "1", None), ("Aarhus", "8", None)), 0.05,
            ("Freja", "William", "Ida", "Noah"), ("Eksempel", "Prøve", "Opdigtet")),
    Country("BE", "fr", "+32", 4, _cities(("Bruxelles", "10", None), ("Liège", "40", None)), 0.05,
            ("Olivia", "Louis", "Mila", "Lucas"), ("Exemple", "Voorbeeld", "Fictif")),
    Country("IT", "en", "+39", 5, _cities(("Roma", "001", None), ("Milano", "201", None)), 0.07,
            ("Giulia", "Leonardo", "Sofia", "Francesco"), ("Esempio", "Prova", "Fittizio")),
    Country("PL", "en", "+48", 5, _cities(("Warszawa", "00", None), ("Kraków", "30", None)), 0.06,
            ("Zuzanna", "Antoni", "Julia", "Jan"), ("Przyklad", "Testowy", "Fikcyjny")),
    Country("AT", "de", "+43", 4, _cities(("Wien", "10", None), ("Graz", "80", None)), 0.04,
            ("Emilia", "Elias", "Hannah", "David"), ("Beispiel", "Muster", "Erfunden")),
    Country("SE", "en", "+46", 5, _cities(("Stockholm", "111", None), ("Göteborg", "411", None)), 0.04,
            ("Alice", "Oscar", "Maja", "Liam"), ("Exempel", "Prov", "Påhittad")),
    Country("GB", "en", "+44", 0, _cities(("London", "", None)), 0.04,
            ("Olivia", "George", "Amelia", "Harry"), ("Example", "Sample", "Fictional")),
    Country("US", "en", "+1", 5, _cities(("Springfield", "627", None)), 0.04,
            ("Ava", "Liam", "Mia", "Noah"), ("Example", "Sample", "Doe")),
    Country("PH", "en", "+63", 4, _cities(("Manila", "10", None), ("Cebu City", "60", None)), 0.02,
            ("Andrea", "Joshua", "Angel", "Nathan"), ("Halimbawa", "Sample")),
)
BY_CODE = {c.code: c for c in COUNTRIES}


WELL_KNOWN_IPS: dict[str, str] = {
    # public resolvers and registries, each registered in its country (a test checks it against iptocc)
    "DE": "84.200.69.80",   # DNS.WATCH resolver
    "ES": "194.179.1.100",  # Telefónica resolver
    "FR": "80.67.169.12",   # FDN resolver
    "NL": "193.0.6.139",    # RIPE NCC, the regional internet registry
    "US": "8.8.8.8",        # Google Public DNS
}
DOCUMENTATION_V6 = ipaddress.IPv6Network("2001:db8::/32")


def documentation_ip(rng: random.Random) -> str:
    """An address reserved for documentation (RFC 3849): 96 random bits, so two strangers never share one."""
    return str(DOCUMENTATION_V6[rng.getrandbits(96)])


@functools.cache
def german_codes(prefix: str, land: str) -> tuple[str, ...]:
    """The real postal codes starting with `prefix` that lie wholly in `land`."""
    table = RoutingTables.load().de_postal_codes
    return tuple(sorted(c for c, r in table.items() if c.startswith(prefix) and r.region == land and not r.also))


def _real_german_code(drawn: str, city: City) -> str:
    """The city's real code nearest the one drawn (so the draws, and all that follows them, stay as they were)."""
    codes = german_codes(city.postal_prefix, city.region or "")
    i = min(bisect.bisect_left(codes, drawn), len(codes) - 1)
    return codes[i - 1] if i and int(drawn) - int(codes[i - 1]) <= int(codes[i]) - int(drawn) else codes[i]


def postal_code(rng: random.Random, country: Country, city: City) -> str:
    if country.code == "GB":
        return f"SW1A {rng.randint(1, 9)}AA"
    if country.code == "NL":
        return f"{city.postal_prefix}{rng.randint(10, 99)} {rng.choice('ABCDEFGH')}{rng.choice('JKLMNPRS')}"
    rest = country.postal_digits - len(city.postal_prefix)
    code = city.postal_prefix + "".join(str(rng.randint(0, 9)) for _ in range(rest))
    if country.code == "DE":
        return _real_german_code(code, city)
    if country.code == "SE":
        return f"{code[:3]} {code[3:]}"
    if country.code == "PL":
        return f"{code[:2]}-{code[2:]}"
    return code


FICTIONAL_PHONES: dict[str, tuple[tuple[str, int], ...]] = {
    # (national prefix, digits that follow): ranges set aside for drama and tests (UK: Ofcom; FR: ARCEP's 01 99 00;
    # DE: the Bundesnetzagentur's film numbers; US: 555-01xx). Spain has none: +34 600 00 is this generator's
    # convention, listed in DEVELOPERS.md. Countries without such a range get no phone numbers at all.
    "DE": (("3023125", 3), ("4066969", 3), ("6990009", 3), ("8999998", 3), ("2214710", 3)),
    "FR": (("19900", 4),),
    "ES": (("60000", 4),),
    "GB": (("7700900", 3), ("2079460", 3), ("1134960", 3)),
    "US": tuple((f"{area}55501", 2) for area in (201, 202, 212, 213, 305, 312, 415, 617, 702, 718)),
}


def phone_count(country: str) -> int:
    return sum(10**digits for _, digits in FICTIONAL_PHONES.get(country, ()))


def phone(country: str, number: int) -> str | None:
    """The `number`-th fictional national number of a country (None where the country has no fictional range)."""
    blocks = FICTIONAL_PHONES.get(country)
    if not blocks:
        return None
    number %= phone_count(country)
    for prefix, digits in blocks:
        if number < 10**digits:
            return f"{prefix}{number:0{digits}d}"
        number -= 10**digits
    return None
