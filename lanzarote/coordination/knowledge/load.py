"""Loading the knowledge base: one YAML file per state in `data/`, and `data/sources.yaml` naming the sources.

A unit that keeps its own copy points `KnowledgeBase.load()` (or the `knowledge_dir` setting) at its folder. The
version — a hash of the files' content — is shown with every country page and every warning list.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from lanzarote.coordination.knowledge.spec import (
    COMPILATION,
    INSTRUMENTS,
    Authority,
    Country,
    Fact,
    Languages,
    Restriction,
    Source,
)
from lanzarote.errors import ConfigurationError, NotFound

DATA = Path(__file__).parent / "data"
SOURCES_FILE = "sources.yaml"
T = TypeVar("T", bound=BaseModel)


class _Sources(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    sources: dict[str, Source]


@dataclass(frozen=True)
class KnowledgeBase:
    """Every state's entry, by ISO 3166 code, and the sources their facts cite."""

    countries: dict[str, Country]
    sources: dict[str, Source]
    version: str

    @classmethod
    def load(cls, directory: Path | None = None) -> KnowledgeBase:
        """Read and validate every file; a mistake names the file and the field (ConfigurationError)."""
        folder = directory or DATA
        digest = hashlib.sha256()
        shared = _parse(folder / SOURCES_FILE, _Sources, digest).sources
        countries: dict[str, Country] = {}
        for path in sorted(folder.glob("*.yaml")):
            if path.name == SOURCES_FILE:
                continue
            country = _parse(path, Country, digest)
            if path.stem != country.code:
                raise ConfigurationError(f"{path}: the file of {country.code} must be named {country.code}.yaml")
            _check_references(path, country, shared)
            countries[country.code] = country
        if not countries:
            raise ConfigurationError(f"{folder}: no country files")
        return cls(countries, shared, digest.hexdigest()[:12])

    def country(self, code: str) -> Country:
        """One state's entry; NotFound when the knowledge base has none."""
        found = self.countries.get(code.strip().upper())
        if found is None:
            raise NotFound(f"the knowledge base has no entry for {code!r} (see `lanzarote kb list`)")
        return found

    def source_of(self, country: Country, fact: Fact) -> Source:
        """The source a fact cites: the state's own (a unit's addition) or a shared one."""
        return country.sources.get(fact.source) or self.sources[fact.source]


def _parse(path: Path, model: type[T], digest: hashlib._Hash) -> T:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigurationError(f"{path}: cannot be read ({exc.strerror})") from exc
    digest.update(path.name.encode() + b"\0" + raw)
    try:
        return model.model_validate(yaml.safe_load(raw))
    except yaml.YAMLError as exc:
        raise ConfigurationError(f"{path}: not valid YAML ({exc})") from exc
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ConfigurationError(f"{path}: {where}: {first['msg']} ({exc.error_count()} problem(s))") from exc


def _check_references(path: Path, country: Country, shared: dict[str, Source]) -> None:
    """Every fact cites a declared source; every instrument named is one the request engine knows."""
    if country.reply.source not in shared and country.reply.source not in country.sources:
        raise ConfigurationError(f"{path}: reply cites an undeclared source {country.reply.source!r}")
    for name, fact in country.all_facts():
        if fact.source not in shared and fact.source not in country.sources:
            raise ConfigurationError(f"{path}: {name} cites an undeclared source {fact.source!r}")
        if fact.source == COMPILATION and fact.as_of is not None:
            raise ConfigurationError(f"{path}: {name}: a fact of the compilation carries the compilation's date")
        named: tuple[str, ...] = ()
        if isinstance(fact, Authority | Languages):
            named = fact.instruments
        elif isinstance(fact, Restriction):
            named = fact.dual_criminality_reviewed
        unknown = sorted(set(named) - set(INSTRUMENTS))
        if unknown:
            raise ConfigurationError(f"{path}: {name}: unknown instrument(s) {', '.join(unknown)}; "
                                     f"known: {', '.join(INSTRUMENTS)}")
