"""Routing tables, kept as data files beside this module and validated on load.

- `national_units.csv`: country → national contact point for the EU and Council of Europe states, with as-of dates;
- `es_provinces.csv`, `fr_departements.csv`: the region a postal code routes to in Spain and France;
- `de_postal_prefixes.csv` + `de_laender.csv`: German postal-code prefixes → Land → its LKA (longest prefix wins);
- `special_rules.yaml`: foreign military networks, notification wording, local-authority naming.

A unit edits the files (or points `load()` at its own folder); the version — the files' content hash and the rules'
date — is stored with every route.
"""

from __future__ import annotations

import csv
import hashlib
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from lanzarote.errors import ConfigurationError

DATA = Path(__file__).parent / "data"
FILES = ("national_units.csv", "es_provinces.csv", "fr_departements.csv", "de_postal_prefixes.csv",
         "de_laender.csv", "special_rules.yaml")


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
    military_note: str
    victims_abroad_note: str
    local_authorities: dict[str, str]


@dataclass(frozen=True)
class Region:
    country: str
    code: str
    name: str
    authority: str


@dataclass(frozen=True)
class RoutingTables:
    units: dict[str, NationalUnit]
    es: dict[str, str]
    fr: dict[str, str]
    de_prefixes: dict[str, str]
    de_laender: dict[str, tuple[str, str]]
    rules: SpecialRules
    military: tuple[tuple[re.Pattern[str], MilitaryNetwork], ...]
    version: str

    @classmethod
    def load(cls, directory: Path | None = None) -> RoutingTables:
        """The tables in `directory` (default: the shipped ones); a malformed file is one clear error."""
        folder = directory or DATA
        digest = hashlib.sha256()
        for name in FILES:
            path = folder / name
            if not path.is_file():
                raise ConfigurationError(f"routing table {path} is missing")
            digest.update(path.read_bytes())
        try:
            units = {u.country: u for u in (NationalUnit.model_validate(r) for r in _rows(folder / FILES[0]))}
            es = {r["code"]: r["province"] for r in _rows(folder / "es_provinces.csv")}
            fr = {r["code"]: r["departement"] for r in _rows(folder / "fr_departements.csv")}
            laender = {r["code"]: (r["land"], r["authority"]) for r in _rows(folder / "de_laender.csv")}
            prefixes = {r["prefix"]: r["land"] for r in _rows(folder / "de_postal_prefixes.csv")}
            rules = SpecialRules.model_validate(yaml.safe_load((folder / "special_rules.yaml").read_text()))
        except (ValidationError, KeyError, yaml.YAMLError, ValueError) as exc:
            raise ConfigurationError(f"routing tables in {folder} are malformed: {exc}") from exc
        unknown = sorted(set(prefixes.values()) - set(laender))
        if unknown:
            raise ConfigurationError(f"de_postal_prefixes.csv names unknown Länder: {', '.join(unknown)}")
        military = tuple((re.compile(m.pattern, re.IGNORECASE), m) for m in rules.military_networks)
        version = f"{rules.version}+{digest.hexdigest()[:10]}"
        return cls(units, es, fr, prefixes, laender, rules, military, version)

    def region(self, country: str, postal_code: str) -> Region | None:
        """The region a postal code routes to (ES province, FR département, DE Land), where a table exists."""
        code = re.sub(r"\s", "", postal_code)
        if not code[:2].isdigit():
            return None
        if country == "ES" and len(code) == 5 and code[:2] in self.es:
            name = self.es[code[:2]]
            return Region("ES", code[:2], name, self.rules.local_authorities["ES"].format(name=name, code=code[:2]))
        if country == "FR" and len(code) == 5:
            dept = code[:3] if code.startswith("97") else code[:2]
            if dept == "20":
                dept = "2A" if code[:3] in ("200", "201") else "2B"
            if dept in self.fr:
                name = self.fr[dept]
                return Region("FR", dept, name, self.rules.local_authorities["FR"].format(name=name, code=dept))
        if country == "DE" and len(code) == 5:
            land = self.de_prefixes.get(code[:3]) or self.de_prefixes.get(code[:2])
            if land:
                name, authority = self.de_laender[land]
                return Region("DE", land, name, authority)
        return None


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return [dict(r) for r in csv.DictReader(fh)]
