"""Routing tables, kept as data files beside this module and validated on load.

- `national_units.csv`: country → national contact point for the EU and Council of Europe states, with as-of dates;
- `es_provinces.csv`, `fr_departements.csv`: the region a postal code's first digits name in Spain and France, and
  `es_postal_exceptions.csv`, `fr_postal_exceptions.csv`: the codes whose places lie (also) elsewhere;
- `de_postal_codes.csv` + `de_laender.csv`: every German postal code → its Land → the Land's LKA;
- `special_rules.yaml`: foreign military networks, notification wording, local-authority naming.

A unit edits the files (or points `load()` at its own folder); the version — the files' content hash and the rules'
date — is stored with every route.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import re
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from lanzarote.errors import ConfigurationError

DATA = Path(__file__).parent / "data"
FILES = ("national_units.csv", "es_provinces.csv", "fr_departements.csv", "es_postal_exceptions.csv",
         "fr_postal_exceptions.csv", "de_postal_codes.csv", "de_laender.csv", "special_rules.yaml")
POSTAL_CODE = re.compile(r"^[0-9]{5}$")


class NationalUnit(BaseModel):
    model_config = ConfigDict(frozen=True)
    country: str
    name: str
    national_unit: str
    as_of: date


class MilitaryNetwork(BaseModel):
    model_config = ConfigDict(frozen=True)
    pattern: str
    country: str
    investigators: str


class SpecialRules(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    version: str
    military_networks: tuple[MilitaryNetwork, ...]
    military_phrases: dict[str, tuple[str, ...]]
    """Per force's country: phrases saying a subscriber is one of its members (regular expressions)."""
    military_negation: str
    military_note: str
    victims_abroad_note: str
    local_authorities: dict[str, str]


@dataclass(frozen=True)
class Region:
    country: str
    code: str
    name: str
    authority: str
    also: tuple[str, ...] = ()
    """Other regions the postal code reaches into (a border code): the street decides, so an analyst checks."""

    def note(self, postal_code: str) -> str | None:
        """What an analyst must check before sending the report on, when the postal code spans regions."""
        if not self.also:
            return None
        return (f"postal code {postal_code} also covers places in {', '.join(self.also)}: routed to {self.name}, "
                "check the address before sending it on")


@dataclass(frozen=True)
class PostalRegion:
    """The region a postal code lies in, and the others it reaches into."""

    region: str
    also: tuple[str, ...] = ()


@dataclass(frozen=True)
class RoutingTables:
    units: dict[str, NationalUnit]
    es: dict[str, str]
    fr: dict[str, str]
    es_exceptions: dict[str, PostalRegion]
    fr_exceptions: dict[str, PostalRegion]
    de_postal_codes: dict[str, PostalRegion]
    de_laender: dict[str, tuple[str, str]]
    rules: SpecialRules
    military: tuple[tuple[re.Pattern[str], MilitaryNetwork], ...]
    military_phrases: tuple[tuple[re.Pattern[str], MilitaryNetwork], ...]
    military_negation: re.Pattern[str]
    version: str
    military_anywhere: re.Pattern[str]
    """Any one of `military_phrases` (one search of a sentence instead of one a phrase)."""

    @classmethod
    def load(cls, directory: Path | None = None) -> RoutingTables:
        """The tables in `directory` (default: the shipped ones); a malformed file is one clear error.

        Files read before with the same content give the tables parsed then (parsing and compiling their patterns
        took a run a fifth of a second): only the files' hash is taken again."""
        folder = directory or DATA
        digest = hashlib.sha256()
        for name in FILES:
            path = folder / name
            if not path.is_file():
                raise ConfigurationError(f"routing table {path} is missing")
            digest.update(path.read_bytes())
        return _parsed(folder, digest.hexdigest())

    def region(self, country: str, postal_code: str) -> Region | None:
        """The region a postal code routes to (ES province, FR département, DE Land), where a table exists."""
        code = re.sub(r"\s", "", postal_code)
        if not code[:2].isdigit():
            return None
        if not POSTAL_CODE.match(code):
            return None
        if country == "ES":
            return self._numbered("ES", self.es_exceptions.get(code) or PostalRegion(code[:2]), self.es)
        if country == "FR":
            return self._numbered("FR", self.fr_exceptions.get(code) or PostalRegion(fr_departement(code)), self.fr)
        if country == "DE" and code in self.de_postal_codes:
            found = self.de_postal_codes[code]
            name, authority = self.de_laender[found.region]
            return Region("DE", found.region, name, authority, tuple(self.de_laender[x][0] for x in found.also))
        return None

    def _numbered(self, country: str, found: PostalRegion, names: dict[str, str]) -> Region | None:
        """A Spanish province or a French département, its authority named by the local-authority template."""
        if found.region not in names:
            return None
        name = names[found.region]
        authority = self.rules.local_authorities[country].format(name=name, code=found.region)
        return Region(country, found.region, name, authority, tuple(f"{names[x]} ({x})" for x in found.also))


@functools.lru_cache(maxsize=8)
def _parsed(folder: Path, digest: str) -> RoutingTables:
    """The tables in `folder`, whose files hash to `digest`, parsed and checked (remembered: the tables are never
    changed once loaded)."""
    try:
        units = {u.country: u for u in (NationalUnit.model_validate(r) for r in _rows(folder / FILES[0]))}
        es = {r["code"]: r["province"] for r in _rows(folder / "es_provinces.csv")}
        fr = {r["code"]: r["departement"] for r in _rows(folder / "fr_departements.csv")}
        laender = {r["code"]: (r["land"], r["authority"]) for r in _rows(folder / "de_laender.csv")}
        de_codes = _postal_regions(folder / "de_postal_codes.csv", "land", laender)
        es_exceptions = _postal_regions(folder / "es_postal_exceptions.csv", "region", es)
        fr_exceptions = _postal_regions(folder / "fr_postal_exceptions.csv", "region", fr)
        rules = SpecialRules.model_validate(yaml.safe_load((folder / "special_rules.yaml").read_text()))
        military = tuple((re.compile(m.pattern, re.IGNORECASE), m) for m in rules.military_networks)
        forces = {m.country: m for m in rules.military_networks}
        phrases = tuple((re.compile(p, re.IGNORECASE), forces[country])
                        for country, listed in rules.military_phrases.items() for p in listed)
        negation = re.compile(rules.military_negation, re.IGNORECASE)
        anywhere = re.compile("|".join(f"(?:{p.pattern})" for p, _ in phrases) or r"(?!)", re.IGNORECASE)
    except (ValidationError, KeyError, yaml.YAMLError, ValueError, re.error) as exc:
        raise ConfigurationError(f"routing tables in {folder} are malformed: {exc}") from exc
    version = f"{rules.version}+{digest[:10]}"
    return RoutingTables(units, es, fr, es_exceptions, fr_exceptions, de_codes, laender, rules, military,
                         phrases, negation, version, anywhere)


def fr_departement(postal_code: str) -> str:
    """The département (or overseas collectivity) a French postal code's first digits name: two digits, three
    overseas (97x, 98x), and Corsica's 20 split into Corse-du-Sud (200, 201) and Haute-Corse (202, 206)."""
    if postal_code.startswith("20"):
        return "2A" if postal_code[:3] in ("200", "201") else "2B"
    return postal_code[:3] if postal_code[:2] in ("97", "98") else postal_code[:2]


def _postal_regions(path: Path, column: str, known: Collection[str]) -> dict[str, PostalRegion]:
    """A postal-code table (`postal_code`, the region's column, `also`), each code and region checked."""
    table: dict[str, PostalRegion] = {}
    for number, row in enumerate(_rows(path), start=2):
        code, region, also = row["postal_code"], row[column], tuple((row.get("also") or "").split())
        unknown = [x for x in (region, *also) if x not in known]
        if not POSTAL_CODE.match(code) or unknown or code in table:
            raise ValueError(f"{path.name} row {number}: {code!r} is not a five-digit postal code listed once with "
                             f"known regions (unknown: {', '.join(unknown) or 'none'})")
        table[code] = PostalRegion(region, also)
    return table


def _rows(path: Path) -> list[dict[str, str]]:
    """A CSV file's rows; lines starting with `#` before the header say where the data comes from."""
    with path.open(newline="", encoding="utf-8") as fh:
        return [dict(r) for r in csv.DictReader(line for line in fh if not line.startswith("#"))]
