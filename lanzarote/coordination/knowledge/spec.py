"""The typed shape of a country's entry in the knowledge base, validated when a data file is loaded.

Every fact carries the quotation it rests on, the section of its source and the source's id; the source (its
title and date) is declared once in `data/sources.yaml`, or in the state's own file when a unit adds a fact of its
own (with its own date). A field the source is silent on says so in the file: `not stated`, never a guess.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

NOT_STATED = "not stated"
NotStated = Literal["not stated"]
COMPILATION = "T-ES(2018)21"
"""The Lanzarote Committee's compilation of replies to question 16 (international co-operation), 2019."""


class Channel(StrEnum):
    """A way requests and information travel between states."""

    SIENA = "siena"
    I24_7 = "i24_7"
    EUROPOL = "europol"
    INTERPOL_NCB = "interpol_ncb"
    LIAISON_OFFICERS = "liaison_officers"
    EUROJUST = "eurojust"
    NETWORK_24_7 = "network_24_7"
    """The Budapest Convention's 24/7 network of contact points."""
    MLA = "mla"
    """Judicial channels: letters rogatory, mutual legal assistance through central authorities."""
    SELEC = "selec"
    SIRENE = "sirene"
    DIRECT = "direct"
    """Police to police, without an intermediary."""


class DataKind(StrEnum):
    """What a request asks a provider for."""

    CONNECTION = "connection"
    TRAFFIC = "traffic"
    SUBSCRIBER = "subscriber"
    CONTENT = "content"


class Offence(StrEnum):
    """The conduct a request is about, in the words of the compilation's questions."""

    COERCION_SELF_GENERATED_IMAGES = "coercion_self_generated_images"
    """Sexual coercion or extortion from sharing self-generated sexually explicit images or videos (question 16.1)."""
    COERCION_SELF_GENERATED_CONTENT = "coercion_self_generated_content"
    """Sexual coercion or extortion from sharing self-generated sexual content (question 16.2)."""
    CHILD_SEXUAL_ABUSE_MATERIAL = "child_sexual_abuse_material"
    GROOMING = "grooming"
    SEXUAL_ABUSE = "sexual_abuse"


INSTRUMENTS = ("preservation_24_7", "preservation_domestic", "production_order", "preservation_order", "mla", "eio",
               "eaw", "extradition", "transfer_of_proceedings", "spontaneous_transmission", "state_compensation")
"""Instruments a fact can be limited to (the legal-request engine's names)."""


class Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Source(Strict):
    """A document facts rest on: the compilation, or a unit's own note with its own date."""

    title: str
    date: date
    file: str | None = None
    """The text in `../shared/data/sources/` every quotation from this source is checked against (by a test)."""
    by: str | None = None
    """The unit that recorded a fact of its own."""


class Fact(Strict):
    """One thing a source says, with the words it says it in."""

    quote: str = Field(min_length=10)
    """Verbatim from the source (whitespace and emphasis aside)."""
    section: str
    """Where in the source: `Question 16.1.c.` in the compilation."""
    source: str = COMPILATION
    as_of: date | None = None
    """When a unit learned or confirmed the fact, if later than its source's date."""


class Text(Fact):
    value: str


class Authority(Fact):
    """A named body (a 24/7 contact point, a central authority, a unit)."""

    name: str
    also_known_as: tuple[str, ...] = ()
    """Other names a request form may address it by."""
    instruments: tuple[str, ...] = ()
    """The instruments it handles, if the source says; empty: not said."""


class ChannelUse(Fact):
    channel: Channel


class Retention(Fact):
    """How long providers in the state keep a kind of data, as the source states it."""

    data: tuple[DataKind, ...] = Field(min_length=1)
    months: int = Field(gt=0)
    what: str
    """The data as the source words it."""


class Restriction(Fact):
    """A legal limit on what the state can do for a request."""

    text: str
    not_criminalised: tuple[Offence, ...] = ()
    """Conduct the state says its law does not make an offence: a dual-criminality gap."""
    dual_criminality_reviewed: tuple[str, ...] = ()
    """Instruments the state reviews for dual criminality before acting (even preservation)."""


class Statistic(Fact):
    figure: str


class Languages(Fact):
    """The languages a request must be written in, for the instruments named."""

    languages: tuple[str, ...] = Field(min_length=1)
    """ISO 639-1 codes."""
    instruments: tuple[str, ...] = Field(min_length=1)


class Reply(Strict):
    """Whether the state replied to question 16 at all."""

    replied: bool
    quote: str
    section: str = "Question 16."
    source: str = COMPILATION


FIELDS = ("channels", "contact_point_24_7", "mla_central_authority", "competent_units", "retention",
          "restrictions", "statistics", "languages", "procedures")
"""The facts of a country, in the order a country page shows them."""


class Country(Strict):
    """A state's entry: each field a list of facts, or `not stated` where the sources are silent."""

    code: str = Field(pattern=r"^[A-Z]{2}$")
    name: str
    name_fr: str
    reply: Reply
    channels: tuple[ChannelUse, ...] | NotStated
    contact_point_24_7: tuple[Authority, ...] | NotStated
    mla_central_authority: tuple[Authority, ...] | NotStated
    competent_units: tuple[Authority, ...] | NotStated
    retention: tuple[Retention, ...] | NotStated
    restrictions: tuple[Restriction, ...] | NotStated
    statistics: tuple[Statistic, ...] | NotStated
    languages: tuple[Languages, ...] | NotStated
    procedures: tuple[Text, ...] | NotStated
    sources: dict[str, Source] = {}
    """Sources of facts a unit added itself (each with its own date), beside the shared ones."""

    @model_validator(mode="after")
    def _lists_are_not_empty(self) -> Country:
        for name in FIELDS:
            if getattr(self, name) == ():
                raise ValueError(f"{name}: an empty list; write `not stated` where the sources are silent")
        for name in self.sources:
            if name == COMPILATION:
                raise ValueError(f"sources: {COMPILATION} is declared once, in sources.yaml")
        return self

    def facts(self, name: str) -> tuple[Fact, ...]:
        """The facts of one field (none when it is not stated)."""
        value = getattr(self, name)
        return () if value == NOT_STATED else tuple(value)

    def all_facts(self) -> list[tuple[str, Fact]]:
        return [(name, fact) for name in FIELDS for fact in self.facts(name)]
