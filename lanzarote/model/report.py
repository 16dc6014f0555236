"""A report as received: what the provider asserted, kept apart from what the clearing house added.

Element names follow NCMEC's CyberTipline schema (`cyber_tipline.xsd`) in snake_case; where the schema has a
closed vocabulary (incident types, IP event names, file classifications) the model keeps the schema's strings.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import Field, model_validator

from lanzarote.model.base import (
    MAX_ITEMS,
    AccountId,
    Age,
    Day,
    Moment,
    Name,
    Port,
    Record,
    ShortText,
    SourceId,
    SourceName,
    Tag,
)


class Origin(StrEnum):
    """Who started the report's journey."""

    PROVIDER = "provider"
    HOTLINE = "hotline"
    CITIZEN = "citizen"
    VICTIM = "victim"
    SOCIAL_SERVICES = "social_services"
    FOREIGN_POLICE = "foreign_police"


class IncidentType(StrEnum):
    """The eight incident types of the CyberTipline schema, with the schema's exact strings."""

    CHILD_PORNOGRAPHY = "Child Pornography (possession, manufacture, and distribution)"
    CHILD_SEX_TRAFFICKING = "Child Sex Trafficking"
    CHILD_SEX_TOURISM = "Child Sex Tourism"
    CHILD_SEXUAL_MOLESTATION = "Child Sexual Molestation"
    MISLEADING_DOMAIN_NAME = "Misleading Domain Name"
    MISLEADING_WORDS_OR_IMAGES = "Misleading Words or Digital Images on the Internet"
    ONLINE_ENTICEMENT = "Online Enticement of Children for Sexual Acts"
    UNSOLICITED_OBSCENE_MATERIAL = "Unsolicited Obscene Material Sent to a Child"


class PartyRole(StrEnum):
    """The role a person plays in a report (the schema's three person sections)."""

    REPORTED = "reported"
    INTENDED_RECIPIENT = "intended_recipient"
    VICTIM = "victim"


class Email(Record):
    address: ShortText
    type: str | None = None
    verified: bool | None = None


class Phone(Record):
    """A phone number as written; `country_calling_code` is the schema's attribute (e.g. "+49")."""

    number: ShortText
    country_calling_code: Tag | None = None
    type: Tag | None = None
    verified: bool | None = None


class Address(Record):
    street: str | None = None
    city: str | None = None
    postal_code: str | None = None
    state: str | None = None
    region: str | None = None
    country: str | None = Field(default=None, description="ISO 3166-1 alpha-2")
    type: str | None = None


class IpCaptureEvent(Record):
    """An IP address seen by the provider at an event (Login, Upload, ...)."""

    ip_address: ShortText
    event: Tag | None = None
    at: Moment | None = None
    port: Port | None = None
    possible_proxy: bool | None = None


class DeviceId(Record):
    id_type: Tag
    value: ShortText
    event: Tag | None = None
    at: Moment | None = None


class AccountAction(Record):
    """The provider disabled the account (T23: the investigators must be told)."""

    permanent: bool
    disabled_at: Moment | None = None
    user_notified: bool | None = None


class EstimatedLocation(Record):
    city: str | None = None
    region: str | None = None
    country: str | None = None
    verified: bool | None = None


class AssociatedAccount(Record):
    platform: Name | None = None
    esp_identifier: AccountId | None = None
    screen_name: AccountId | None = None
    emails: tuple[Email, ...] = Field(default=(), max_length=MAX_ITEMS)
    phones: tuple[Phone, ...] = Field(default=(), max_length=MAX_ITEMS)
    type: str | None = None


class Party(Record):
    """A person or account in one role of a report, with every identifier the report gives for it."""

    role: PartyRole
    first_name: str | None = None
    last_name: str | None = None
    date_of_birth: Day | None = None
    age: Age | None = None
    emails: tuple[Email, ...] = Field(default=(), max_length=MAX_ITEMS)
    phones: tuple[Phone, ...] = Field(default=(), max_length=MAX_ITEMS)
    addresses: tuple[Address, ...] = Field(default=(), max_length=MAX_ITEMS)
    esp_identifier: AccountId | None = Field(default=None, description="the provider's user id")
    esp_service: Name | None = None
    screen_name: AccountId | None = None
    display_names: tuple[str, ...] = Field(default=(), max_length=MAX_ITEMS)
    profile_urls: tuple[str, ...] = Field(default=(), max_length=MAX_ITEMS)
    profile_bio: str | None = None
    ip_capture_events: tuple[IpCaptureEvent, ...] = Field(default=(), max_length=MAX_ITEMS)
    device_ids: tuple[DeviceId, ...] = Field(default=(), max_length=MAX_ITEMS)
    prior_report_ids: tuple[str, ...] = Field(default=(), max_length=MAX_ITEMS)
    group_identifier: str | None = None
    compromised_account: bool | None = None
    account_action: AccountAction | None = None
    estimated_location: EstimatedLocation | None = None
    associated_accounts: tuple[AssociatedAccount, ...] = Field(default=(), max_length=MAX_ITEMS)
    school_name: str | None = None
    additional_info: tuple[str, ...] = Field(default=(), max_length=MAX_ITEMS)


EXACT_HASHES = frozenset({"md5", "sha1", "sha256", "sha512"})
"""Hash types that identify a file exactly (the ones linking uses)."""


class FileHash(Record):
    """A hash of a file as the provider gave it; `type` is free text in the schema (MD5, SHA1, PDQ, ...).

    A vPDQ value (one PDQ a second of video) can be long; an exact hash, which links reports, is at most 128
    characters (SHA-512 in hex)."""

    type: Tag
    value: str

    @model_validator(mode="after")
    def _exact_hashes_are_short(self) -> FileHash:
        if self.type.strip().lower().replace("-", "") in EXACT_HASHES and len(self.value) > 128:
            raise ValueError(f"a {self.type} hash is at most 128 characters, not {len(self.value):,}")
        return self


class FileDetail(Record):
    """One uploaded file (the schema's `fileDetails` document). The file itself is never held."""

    file_id: Annotated[str, Field(min_length=1, max_length=200)]
    file_name: str | None = None
    original_file_name: str | None = None
    uploaded_at: Moment | None = None
    location_of_file: str | None = None
    viewed_by_esp: bool | None = None
    exif_viewed_by_esp: bool | None = None
    publicly_available: bool | None = None
    relevance: str | None = None
    potential_meme: bool | None = None
    annotations: tuple[str, ...] = Field(default=(), description="fileAnnotations set to true, e.g. 'infant'")
    industry_classification: str | None = Field(default=None, description="A1, A2, B1 or B2")
    hashes: tuple[FileHash, ...] = Field(default=(), max_length=MAX_ITEMS)
    ip_capture_event: IpCaptureEvent | None = None
    device_ids: tuple[DeviceId, ...] = Field(default=(), max_length=MAX_ITEMS)
    exif: dict[str, str] = Field(default_factory=dict)
    captured_at: Moment | None = Field(default=None, description="EXIF capture time, where the provider gave it")
    additional_info: tuple[str, ...] = Field(default=(), max_length=MAX_ITEMS)
    warnings: tuple[str, ...] = Field(default=(), description="schema problems that did not make it unusable")


class InternetDetail(Record):
    """Where the incident happened: the schema's `internetDetails` choice, flattened."""

    kind: str = Field(description="web_page, email, newsgroup, chat_im, online_gaming, cell_phone, non_internet, p2p")
    urls: tuple[str, ...] = Field(default=(), max_length=MAX_ITEMS)
    emails: tuple[str, ...] = Field(default=(), max_length=MAX_ITEMS)
    name: str | None = Field(default=None, description="chat client, game, newsgroup, P2P client or place name")
    room: str | None = None
    phone: str | None = None
    content: str | None = None
    ip_capture_events: tuple[IpCaptureEvent, ...] = Field(default=(), max_length=MAX_ITEMS)
    addresses: tuple[Address, ...] = Field(default=(), max_length=MAX_ITEMS)
    additional_info: str | None = None


class Reporter(Record):
    """Who filed the report: the provider (ESP) and its contact, or the person or body for other origins."""

    name: Name | None = Field(default=None, description="provider or organisation name, e.g. 'ExampleChat'")
    first_name: str | None = None
    last_name: str | None = None
    emails: tuple[Email, ...] = Field(default=(), max_length=MAX_ITEMS)
    phones: tuple[Phone, ...] = Field(default=(), max_length=MAX_ITEMS)
    country: str | None = Field(default=None, description="the provider's declared country, alpha-2")


class ProvenanceHop(Record):
    """One step of the report's journey, e.g. provider → NCMEC → HSI → DK."""

    actor: str
    at: Moment | None = None
    reference: str | None = None


class IpGeolocation(Record):
    """The clearing house's geolocation of one IP address (NCMEC section B)."""

    ip_address: str
    country: str | None = None
    region: str | None = None
    city: str | None = None
    isp: str | None = None
    proxy: bool | None = None


class ClearingHouseLayer(Record):
    """What NCMEC (or another clearing house) added: geolocation, analyst notes, where it was sent.

    Kept apart from the provider's assertions because who asserted a fact matters in court.
    """

    name: str = "NCMEC"
    geolocations: tuple[IpGeolocation, ...] = Field(default=(), max_length=MAX_ITEMS)
    notes: tuple[str, ...] = Field(default=(), max_length=MAX_ITEMS)
    sent_to: tuple[str, ...] = Field(default=(), max_length=MAX_ITEMS)
    country: str | None = Field(default=None, description="the country the clearing house sent it to, alpha-2")


class Report(Record):
    """A report as received, one version of it. Its key is (source, source_id)."""

    source: SourceName = Field(description="where it came from, e.g. 'ncmec', 'hotline:ES', 'citizen'")
    source_id: SourceId
    origin: Origin = Origin.PROVIDER
    received_at: Moment | None = None
    provenance: tuple[ProvenanceHop, ...] = Field(default=(), max_length=MAX_ITEMS)
    incident_type: IncidentType | None = None
    incident_at: Moment | None = None
    incident_description: str | None = None
    platform: Name | None = None
    escalate_to_high_priority: bool = False
    annotations: tuple[str, ...] = Field(default=(), description="reportAnnotations set, e.g. 'sextortion'")
    batched_reason: str | None = None
    internet_details: tuple[InternetDetail, ...] = Field(default=(), max_length=MAX_ITEMS)
    reporter: Reporter | None = None
    parties: tuple[Party, ...] = Field(default=(), max_length=MAX_ITEMS)
    files: tuple[FileDetail, ...] = ()
    additional_info: str | None = None
    language: str | None = Field(default=None, description="ISO 639-1 of the free text, where known")
    clearing_house: ClearingHouseLayer | None = None
    warnings: tuple[str, ...] = Field(default=(), description="schema problems that did not make it unusable")

    @property
    def key(self) -> tuple[str, str]:
        return (self.source, self.source_id)

    def parties_in(self, role: PartyRole) -> tuple[Party, ...]:
        return tuple(p for p in self.parties if p.role == role)
