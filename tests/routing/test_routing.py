"""Routing: country from evidence (conflicts shown), national unit, local authority, special rules."""

from __future__ import annotations

import pytest

from lanzarote.model.jurisdiction import EvidenceKind
from lanzarote.model.report import (
    Address,
    ClearingHouseLayer,
    IpCaptureEvent,
    IpGeolocation,
    Party,
    PartyRole,
    Phone,
    Report,
)
from lanzarote.routing.resolve import route
from lanzarote.routing.tables import RoutingTables

DE_IP = "84.200.69.80"  # DNS.WATCH resolver, registered in Germany
ES_IP = "194.179.1.100"  # Telefónica resolver, registered in Spain
FR_IP = "80.67.169.12"  # FDN resolver, registered in France
EU_MEMBERS = "AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE"


@pytest.fixture(scope="module")
def tables() -> RoutingTables:
    return RoutingTables.load()


def reported(**fields: object) -> Report:
    return Report(source="ncmec", source_id="1", platform="ExampleChat",
                  parties=(Party(role=PartyRole.REPORTED, **fields),))  # type: ignore[arg-type]


def test_scenario_3_german_ip_and_postal_code_go_to_the_land(tables: RoutingTables) -> None:
    r = route(reported(ip_capture_events=(IpCaptureEvent(ip_address=DE_IP),),
                       addresses=(Address(postal_code="55116", city="Mainz", country="DE"),)), tables)
    assert r.country == "DE" and not r.conflict
    assert r.national_unit is not None and "BKA" in r.national_unit
    assert r.authority == "LKA Rheinland-Pfalz"
    assert {e.kind for e in r.evidence} == {EvidenceKind.IP_ADDRESS, EvidenceKind.POSTAL_ADDRESS}


def test_scenario_9_spanish_ip_french_phone_is_routed_by_the_stronger_and_flagged(tables: RoutingTables) -> None:
    r = route(reported(ip_capture_events=(IpCaptureEvent(ip_address=ES_IP),),
                       phones=(Phone(number="+33199000123"),)), tables)
    assert r.country == "ES"
    assert r.conflict
    assert {e.country for e in r.evidence} == {"ES", "FR"}
    assert "postal code" in " ".join(r.missing)


@pytest.mark.parametrize(("country", "postal", "expected"), [
    ("ES", "28013", "Madrid"), ("ES", "08001", "Barcelona"), ("FR", "75011", "Paris (75)"),
    ("FR", "20000", "Corse-du-Sud (2A)"), ("FR", "20200", "Haute-Corse (2B)"), ("FR", "97400", "La Réunion (974)"),
    ("DE", "10115", "LKA Berlin"), ("DE", "80331", "Bayerisches Landeskriminalamt (BLKA)"),
    ("DE", "01067", "LKA Sachsen"), ("DE", "99084", "LKA Thüringen"), ("DE", "66111", "LKA Saarland"),
])
def test_postal_codes_choose_the_local_authority(tables: RoutingTables, country: str, postal: str,
                                                 expected: str) -> None:
    r = route(reported(addresses=(Address(postal_code=postal, country=country),)), tables)
    assert r.country == country
    assert r.authority is not None and expected in r.authority


def test_a_proxy_counts_for_little(tables: RoutingTables) -> None:
    r = route(reported(ip_capture_events=(IpCaptureEvent(ip_address=FR_IP, possible_proxy=True),),
                       phones=(Phone(number="+4930231250001"),)), tables)
    assert r.country == "DE"


def test_foreign_military_subscriber_goes_to_military_investigators(tables: RoutingTables) -> None:
    report = reported(ip_capture_events=(IpCaptureEvent(ip_address=DE_IP),)).model_copy(update={
        "clearing_house": ClearingHouseLayer(geolocations=(IpGeolocation(
            ip_address=DE_IP, country="DE", isp="U.S. Army Garrison Network"),))})
    r = route(report, tables)
    assert r.country == "DE"
    assert r.authority is not None and "military" in r.authority.lower()
    assert any("prosecutor" in n for n in r.notifications)


def test_victims_abroad_add_a_notification(tables: RoutingTables) -> None:
    report = Report(source="ncmec", source_id="2", parties=(
        Party(role=PartyRole.REPORTED, addresses=(Address(postal_code="2100", country="DK"),)),
        Party(role=PartyRole.VICTIM, addresses=(Address(country="PH"),)),
    ))
    r = route(report, tables)
    assert r.country == "DK"
    assert any("PH" in n for n in r.notifications)


def test_nothing_to_go_on_needs_manual_routing(tables: RoutingTables) -> None:
    r = route(reported(ip_capture_events=(IpCaptureEvent(ip_address="192.0.2.1"),)), tables)
    assert r.needs_manual_routing and r.country is None and r.missing


def test_every_council_of_europe_state_has_a_national_contact_point(tables: RoutingTables) -> None:
    eu = set(EU_MEMBERS.split())
    assert eu <= set(tables.units)
    assert len(tables.units) >= 46
    assert len(tables.de_laender) == 16 and len(tables.es) == 52
