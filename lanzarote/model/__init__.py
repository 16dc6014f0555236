"""Typed domain records (pydantic v2). Every stage speaks in these."""

from lanzarote.model.base import Record
from lanzarote.model.jurisdiction import EvidenceKind, JurisdictionEvidence, Route
from lanzarote.model.linking import Identifier, IdentifierKind, Link, Subject, Suggestion, SuggestionStatus
from lanzarote.model.media import FileVerdict, HashMatch, HashType, Verdict
from lanzarote.model.priority import Reason, Tier, Triage
from lanzarote.model.quarantine import QuarantineEntry
from lanzarote.model.queue import QueueItem
from lanzarote.model.report import (
    AccountAction,
    Address,
    AssociatedAccount,
    ClearingHouseLayer,
    DeviceId,
    Email,
    EstimatedLocation,
    FileDetail,
    FileHash,
    IncidentType,
    InternetDetail,
    IpCaptureEvent,
    IpGeolocation,
    Origin,
    Party,
    PartyRole,
    Phone,
    ProvenanceHop,
    Report,
    Reporter,
)

__all__ = [
    "AccountAction",
    "Address",
    "AssociatedAccount",
    "ClearingHouseLayer",
    "DeviceId",
    "Email",
    "EstimatedLocation",
    "EvidenceKind",
    "FileDetail",
    "FileHash",
    "FileVerdict",
    "HashMatch",
    "HashType",
    "Identifier",
    "IdentifierKind",
    "IncidentType",
    "InternetDetail",
    "IpCaptureEvent",
    "IpGeolocation",
    "JurisdictionEvidence",
    "Link",
    "Origin",
    "Party",
    "PartyRole",
    "Phone",
    "ProvenanceHop",
    "QuarantineEntry",
    "QueueItem",
    "Reason",
    "Record",
    "Report",
    "Reporter",
    "Route",
    "Subject",
    "Suggestion",
    "SuggestionStatus",
    "Tier",
    "Triage",
    "Verdict",
]
