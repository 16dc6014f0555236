"""Who receives a notice: the hosting country's INHOPE member hotline (`data/inhope_members.yaml`, with its source
and what is uncertain) and its police contact point from the country knowledge base (the 24/7 contact point, else
the first competent police unit the state named), else the routing tables' national unit."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from lanzarote.coordination.knowledge.load import KnowledgeBase
from lanzarote.errors import ConfigurationError
from lanzarote.routing.tables import RoutingTables
from lanzarote.takedown.model import Assessment, Directive, Hosting, UrlReport

MEMBERS = Path(__file__).parent / "data" / "inhope_members.yaml"
_NOT_POLICE = ("hotline", "inhope", "helpline", "foundation", "welfare", "prosecut", "legal aid", "diicot")
"""Words that mark a competent body the state named as not its police (a hotline, a prosecutor, an NGO)."""


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Member(_Strict):
    code: str = Field(pattern=r"^[A-Z]{2}-[A-Z0-9-]{2,40}$")
    country: str = Field(pattern=r"^[A-Z]{2}$")
    name: str
    operator: str
    website: str
    certain: bool
    cite: str | None = None
    note: str | None = None


class MemberSource(_Strict):
    title: str
    date: date
    also: str | None = None


class _Members(_Strict):
    version: str
    source: MemberSource
    members: tuple[Member, ...] = Field(min_length=1)


@dataclass(frozen=True)
class Police:
    name: str
    source: str


@dataclass(frozen=True)
class Directory:
    """The member hotlines by code and by country, and the police contact point of each country."""

    members: dict[str, Member]
    by_country: dict[str, tuple[Member, ...]]
    police: dict[str, Police]
    source: MemberSource
    version: str

    @classmethod
    def load(cls, kb: KnowledgeBase, tables: RoutingTables, members_file: Path | None = None) -> Directory:
        path = members_file or MEMBERS
        try:
            raw = path.read_bytes()
            parsed = _Members.model_validate(yaml.safe_load(raw))
        except OSError as exc:
            raise ConfigurationError(f"{path}: cannot be read ({exc.strerror})") from exc
        except (yaml.YAMLError, ValidationError) as exc:
            raise ConfigurationError(f"{path}: not a valid list of member hotlines: {exc}") from exc
        by_code: dict[str, Member] = {}
        by_country: dict[str, list[Member]] = {}
        for m in parsed.members:
            if m.code in by_code:
                raise ConfigurationError(f"{path}: the hotline code {m.code} is listed twice")
            if not m.code.startswith(m.country + "-"):
                raise ConfigurationError(f"{path}: {m.code} must start with its country {m.country}-")
            by_code[m.code] = m
            by_country.setdefault(m.country, []).append(m)
        police: dict[str, Police] = {c: Police(u.national_unit, f"routing tables' national units ({u.as_of})")
                                     for c, u in tables.units.items()}
        for code, entry in kb.countries.items():
            found = _police_of(entry.facts("contact_point_24_7"), "24/7 contact point") or _police_of(
                entry.facts("competent_units"), "competent unit")
            if found:
                police[code] = Police(found[0], f"knowledge base {kb.version}: {found[1]} ({found[2]})")
        version = f"{parsed.version}+{hashlib.sha256(raw).hexdigest()[:8]}"
        return cls(by_code, {c: tuple(ms) for c, ms in by_country.items()}, police, parsed.source, version)

    def country_of(self, hotline: str) -> str | None:
        """The reporting hotline's country: the member list's, else the code's own prefix (`HU-…`)."""
        member = self.members.get(hotline.upper())
        if member:
            return member.country
        prefix = hotline[:3]
        return prefix[:2].upper() if len(prefix) == 3 and prefix[2] == "-" and prefix[:2].isalpha() else None


def _police_of(facts: tuple[object, ...], what: str) -> tuple[str, str, str] | None:
    for fact in facts:
        name = str(getattr(fact, "name", ""))
        if name and not any(word in name.lower() for word in _NOT_POLICE):
            return name, what, str(getattr(fact, "section", ""))
    return None


def direct(report: UrlReport, hosting: Hosting, directory: Directory) -> Directive:
    """Where the notice about a reported URL goes (IntelMQ's directive), or why none goes."""
    if report.assessment is Assessment.NOT_ILLEGAL:
        return Directive(notice=False, country=hosting.country,
                         reason=f"assessed not illegal by {report.hotline}: no notice")
    if report.assessment is Assessment.NOT_ASSESSED:
        return Directive(notice=False, country=hosting.country,
                         reason=f"not assessed yet by {report.hotline}: no notice until it is")
    country = hosting.country
    if country is None:
        why = "no address from the hotline and DNS lookups are off" if not hosting.ip else (
            f"{hosting.ip} is not registered to a country (private, reserved or documentation space)")
        return Directive(notice=False, reason=f"hosting country unknown ({why}): route it by hand")
    notes: list[str] = []
    if report.assessment is Assessment.NATIONALLY_ILLEGAL:
        notes.append(f"nationally illegal under {report.hotline}'s law, not baseline: {country}'s law decides")
    if hosting.conflict:
        notes.append("the evidence names more than one hosting country: check before sending")
    police = directory.police.get(country)
    if police is None:
        notes.append(f"no police contact point known for {country}")
    home = directory.country_of(report.hotline)
    if home == country:
        return Directive(notice=True, country=country, hotline=report.hotline, domestic=True,
                         police=police.name if police else None, police_source=police.source if police else None,
                         reason=f"hosted in {country}, {report.hotline}'s own country: it notifies the host and its "
                         "police", notes=tuple(notes))
    members = directory.by_country.get(country, ())
    member = next((m for m in members if m.certain), members[0] if members else None)
    if member is None:
        if police is None:
            return Directive(notice=False, country=country, notes=tuple(notes),
                             reason=f"no INHOPE member hotline and no police contact point known for {country}: "
                             "route it by hand")
        return Directive(notice=True, country=country, police=police.name, police_source=police.source,
                         reason=f"no INHOPE member hotline known in {country}: the notice goes to its police",
                         notes=tuple(notes))
    if not member.certain:
        notes.append(f"{member.code}'s membership is marked uncertain in the member list: check it")
    return Directive(notice=True, country=country, hotline=member.code, hotline_certain=member.certain,
                     police=police.name if police else None, police_source=police.source if police else None,
                     reason=f"hosted in {country}: to {member.name} ({member.code}) and {country}'s police",
                     notes=tuple(notes))
