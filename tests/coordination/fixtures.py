"""A synthetic subject of two provider reports (fictional identities, documentation addresses, no imagery) and a
package built from them for a fictional Spanish unit."""

from __future__ import annotations

from datetime import UTC, datetime

from lanzarote.coordination.packages.markings import Ceiling, Markings, Tlp
from lanzarote.coordination.packages.minimise import Selection, minimised
from lanzarote.coordination.packages.model import Package, Recipient
from lanzarote.model.report import (
    ClearingHouseLayer,
    Email,
    FileDetail,
    FileHash,
    IncidentType,
    IpCaptureEvent,
    Party,
    PartyRole,
    Phone,
    Report,
)

AT = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def reports() -> dict[str, tuple[Report, str | None]]:
    suspect = Party(role=PartyRole.REPORTED, first_name="Carlos", last_name="Ejemplo",
                    emails=(Email(address="c.ejemplo@example.org"),),
                    phones=(Phone(number="+34 600 000 123", country_calling_code="+34"),),
                    esp_identifier="778812", esp_service="ExampleChat", screen_name="coach_example",
                    ip_capture_events=(IpCaptureEvent(ip_address="203.0.113.7", event="Login", at=AT),
                                       IpCaptureEvent(ip_address="2001:db8::7", event="Upload", at=AT)),
                    profile_urls=("https://chat.example.org/u/coach_example",))
    victim = Party(role=PartyRole.VICTIM, first_name="Lucía", last_name="Ficticia", age=13,
                   emails=(Email(address="lucia.ficticia@example.net"),))
    first = Report(source="ncmec", source_id="90100001", received_at=AT, incident_at=AT,
                   incident_type=IncidentType.ONLINE_ENTICEMENT, platform="ExampleChat",
                   parties=(suspect, victim), additional_info="Chat excerpt held by the provider.",
                   files=(FileDetail(file_id="f1", industry_classification="B1", original_file_name="IMG_0001.jpg",
                                     hashes=(FileHash(type="MD5", value="0f" * 16),
                                             FileHash(type="SHA-1", value="1e" * 20))),),
                   clearing_house=ClearingHouseLayer(notes=("NCMEC analyst: account appears linked to a coach.",),
                                                     country="ES"))
    second = Report(source="ncmec", source_id="90100002", received_at=AT, incident_type=IncidentType.ONLINE_ENTICEMENT,
                    platform="ExampleChat", parties=(suspect.model_copy(update={"ip_capture_events": ()}),))
    return {"ncmec/90100001": (first, "ES"), "ncmec/90100002": (second, "ES")}


SPAIN = Recipient(agency="ES", name="Spanish central cybercrime unit (fictional)", country="ES",
                  ceiling=Ceiling(tlp=Tlp.AMBER_STRICT))


def package(selection: Selection = Selection(), markings: Markings = Markings()) -> Package:
    return Package(package_id="PKG-TEST-0001", sender="HUB", recipient=SPAIN, subject_id="S-TEST", created_at=AT,
                   created_by="hub-analyst", summary="Two reports on one account soliciting a minor.",
                   markings=markings, items=tuple(minimised(reports(), selection)))
