"""Warnings before a request is sent: what the requested state said that makes a draft likely to fail.

`warnings_for(draft, kb)` is pure: it reads the draft and the knowledge base and returns warnings, each naming its
rule, saying what to check in one sentence, and carrying the quotation (with its source and date) it rests on. A
field the knowledge base does not state earns no warning: silence is not a refusal.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

from pydantic import BaseModel, ConfigDict, Field, field_validator

from lanzarote.coordination.knowledge.load import KnowledgeBase
from lanzarote.coordination.knowledge.spec import (
    INSTRUMENTS,
    Authority,
    Channel,
    ChannelUse,
    Country,
    DataKind,
    Fact,
    Languages,
    Offence,
    Restriction,
    Retention,
)

JUDICIAL = frozenset({"mla", "eio", "eaw", "extradition", "transfer_of_proceedings", "state_compensation"})
"""Instruments addressed to a central authority; the others (preservation through the 24/7 network) go to the
24/7 contact point."""
TO_CONTACT_POINT = frozenset({"preservation_24_7"})
RULES = ("no_entry", "retention", "dual_criminality", "dual_criminality_review", "channel", "language",
         "central_authority")


class Draft(BaseModel):
    """A request as drafted, before it is sent."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    requesting: str = Field(pattern=r"^[A-Z]{2}$")
    requested: str = Field(pattern=r"^[A-Z]{2}$")
    instrument: str
    data: tuple[DataKind, ...] = ()
    event_date: date
    request_date: date
    channel: Channel | None = None
    language: str | None = Field(default=None, pattern=r"^[a-z]{2}$")
    """ISO 639-1 code of the language the request is written in."""
    central_authority: str | None = None
    """The authority (or 24/7 contact point) the request is addressed to, as written on it."""
    offence: Offence | None = None

    @field_validator("instrument")
    @classmethod
    def _known_instrument(cls, value: str) -> str:
        if value not in INSTRUMENTS:
            raise ValueError(f"unknown instrument {value!r}; known: {', '.join(INSTRUMENTS)}")
        return value


@dataclass(frozen=True)
class RequestWarning:
    rule: str
    message: str
    quote: str | None
    section: str | None
    source: str | None
    """The source's title."""
    source_date: date | None


def warnings_for(draft: Draft, kb: KnowledgeBase) -> list[RequestWarning]:
    """Every warning the knowledge base gives about `draft`, in the order of `RULES`."""
    country = kb.countries.get(draft.requested)
    if country is None:
        return [RequestWarning("no_entry", f"the knowledge base has no entry for {draft.requested}: retention, "
                               "channels, languages and authorities cannot be checked", None, None, None, None)]
    found: list[tuple[str, str, Fact]] = []
    found += _retention(draft, country)
    found += _dual_criminality(draft, country)
    found += _channel(draft, country)
    found += _language(draft, country)
    found += _authority(draft, country)
    out = []
    for rule, message, fact in found:
        source = kb.source_of(country, fact)
        out.append(RequestWarning(rule, message, fact.quote, fact.section, source.title, fact.as_of or source.date))
    return sorted(out, key=lambda w: RULES.index(w.rule))


def add_months(day: date, months: int) -> date:
    """The same day `months` later (the month's last day when it is shorter)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def months_between(start: date, end: date) -> int:
    """Whole months from `start` to `end`."""
    months = (end.year - start.year) * 12 + end.month - start.month
    return months - 1 if add_months(start, months) > end else months


def _period(months: int) -> str:
    if months % 12 == 0:
        years = months // 12
        return "one-year" if years == 1 else f"{years}-year"
    return f"{months}-month"


def _retention(draft: Draft, country: Country) -> list[tuple[str, str, Fact]]:
    out: list[tuple[str, str, Fact]] = []
    for fact in country.facts("retention"):
        assert isinstance(fact, Retention)
        asked = [d.value for d in draft.data if d in fact.data]
        end = add_months(draft.event_date, fact.months)
        if asked and draft.request_date > end:
            elapsed = months_between(draft.event_date, draft.request_date)
            out.append(("retention", f"past the {_period(fact.months)} retention: {country.name} keeps "
                        f"{fact.what} for {fact.months} months; {' and '.join(asked)} data of "
                        f"{draft.event_date.isoformat()} was kept until {end.isoformat()}, and the request is "
                        f"dated {elapsed} months after the event", fact))
    return out


def _dual_criminality(draft: Draft, country: Country) -> list[tuple[str, str, Fact]]:
    out: list[tuple[str, str, Fact]] = []
    for fact in country.facts("restrictions"):
        assert isinstance(fact, Restriction)
        if draft.offence is not None and draft.offence in fact.not_criminalised:
            out.append(("dual_criminality", f"dual-criminality gap: {country.name} stated that this conduct "
                        f"({draft.offence.value.replace('_', ' ')}) is not an offence under its law; the request "
                        "may be refused", fact))
        if draft.instrument in fact.dual_criminality_reviewed:
            out.append(("dual_criminality_review", f"{country.name} reviews {draft.instrument} requests for dual "
                        "criminality before acting: say which of its offences the conduct meets", fact))
    return out


def _channel(draft: Draft, country: Country) -> list[tuple[str, str, Fact]]:
    uses = [f for f in country.facts("channels") if isinstance(f, ChannelUse)]
    if draft.channel is None or not uses or any(f.channel is draft.channel for f in uses):
        return []
    stated = ", ".join(dict.fromkeys(f.channel.value for f in uses))
    return [("channel", f"{country.name} did not name {draft.channel.value} among the channels it uses "
             f"({stated}): check it accepts the request this way", uses[0])]


def _language(draft: Draft, country: Country) -> list[tuple[str, str, Fact]]:
    out: list[tuple[str, str, Fact]] = []
    for fact in country.facts("languages"):
        assert isinstance(fact, Languages)
        if draft.instrument in fact.instruments and draft.language not in fact.languages:
            written = f"it is in {draft.language}" if draft.language else "its language is not given"
            out.append(("language", f"{country.name} requires {draft.instrument} requests in "
                        f"{' or '.join(fact.languages)}; {written}", fact))
    return out


def _authority(draft: Draft, country: Country) -> list[tuple[str, str, Fact]]:
    if draft.central_authority is None:
        return []
    field = ("mla_central_authority" if draft.instrument in JUDICIAL
             else "contact_point_24_7" if draft.instrument in TO_CONTACT_POINT else None)
    if field is None:
        return []
    applicable = [f for f in country.facts(field)
                  if isinstance(f, Authority) and (not f.instruments or draft.instrument in f.instruments)]
    if not applicable or any(_names(draft.central_authority, f) for f in applicable):
        return []
    what = "central authority" if field == "mla_central_authority" else "24/7 contact point"
    names = "; ".join(f.name for f in applicable)
    return [("central_authority", f"addressed to {draft.central_authority!r}, but {country.name}'s {what} for "
             f"{draft.instrument} is {names}", applicable[0])]


def _plain(text: str) -> str:
    return " ".join(re.sub(r"[^\w]+", " ", text.casefold()).split())


def _names(addressed: str, authority: Authority) -> bool:
    """Whether the authority written on a request is this one (its name or another name it goes by)."""
    written = _plain(addressed)
    return any(_plain(name) == written or f" {_plain(name)} " in f" {written} "
               for name in (authority.name, *authority.also_known_as))
