"""T21 from the report's own text: a subscriber described as a soldier of a foreign army goes to that country's
military investigators, with the prosecutor's note and the sentence that says so; negated mentions do not count."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine

from lanzarote.model.report import Address, ClearingHouseLayer, IpGeolocation, Party, PartyRole, Report
from lanzarote.pipeline.ingest import ingest
from lanzarote.pipeline.process import process
from lanzarote.routing.resolve import route
from lanzarote.routing.tables import RoutingTables
from lanzarote.store import reports as store_reports
from lanzarote.store.db import session
from tests.samples import report_xml

MAINZ = (Address(postal_code="55116", city="Mainz", country="DE"),)
US_INVESTIGATORS = "US military criminal investigators"


@pytest.fixture(scope="module")
def tables() -> RoutingTables:
    return RoutingTables.load()


def in_mainz(additional_info: str | None = None, *, notes: tuple[str, ...] = (), **party: object) -> Report:
    return Report(source="ncmec", source_id="1", platform="ExampleChat", additional_info=additional_info,
                  clearing_house=ClearingHouseLayer(notes=notes) if notes else None,
                  parties=(Party(role=PartyRole.REPORTED, addresses=MAINZ, **party),))  # type: ignore[arg-type]


@pytest.mark.parametrize("text", [
    "The account holder states he is a US Army soldier stationed at a base in Rheinland-Pfalz.",
    "Nach eigenen Angaben ist der Nutzer Soldat der US-Armee in Baumholder.",
    "L'utilisateur se présente comme militaire américain affecté en Allemagne.",
    "El usuario afirma ser soldado del ejército de EE. UU. destinado en Alemania.",
])
def test_a_foreign_soldier_in_the_additional_information_goes_to_the_military_investigators(
        tables: RoutingTables, text: str) -> None:
    r = route(in_mainz(f"Account reviewed after a user report. {text} No further details."), tables)
    assert r.country == "DE"
    assert r.authority is not None and r.authority.startswith(US_INVESTIGATORS)
    (note,) = r.notifications
    assert "prosecutor must agree" in note
    assert text in note and "additional information, ExampleChat" in note
    assert "No further details" not in note


def test_a_negation_in_another_sentence_does_not_cancel_and_only_the_sentence_is_quoted(
        tables: RoutingTables) -> None:
    r = route(in_mainz("He has no car. He is a US Army soldier."), tables)
    assert r.authority is not None and r.authority.startswith(US_INVESTIGATORS)
    assert r.notifications[0].endswith("“He is a US Army soldier.”")


@pytest.mark.parametrize("text", [
    "The subscriber is not a US Army soldier; he works as a civilian contractor.",
    "Der Nutzer ist kein Soldat der US-Armee.",
    "Il n'est pas militaire américain.",
    "El usuario ya no es soldado del ejército de EE. UU.",
    "Former US Army soldier, now a lorry driver.",
])
def test_a_negated_or_former_membership_does_not_count(tables: RoutingTables, text: str) -> None:
    r = route(in_mainz(text), tables)
    assert r.authority == "LKA Rheinland-Pfalz"
    assert not r.notifications


def test_the_profile_display_name_and_clearing_house_notes_are_read_with_their_source(tables: RoutingTables) -> None:
    profile = route(in_mainz(profile_bio="British Army soldier, posted to Germany. Likes football."), tables)
    assert profile.authority == "UK Defence Serious Crime Command"
    assert "subscriber profile, ExampleChat" in profile.notifications[0]
    assert "“British Army soldier, posted to Germany.”" in profile.notifications[0]
    shown = route(in_mainz(display_names=("Sgt. Example, US Army soldier",)), tables)
    assert shown.authority is not None and shown.authority.startswith(US_INVESTIGATORS)
    noted = route(in_mainz(notes=("Open sources describe the subscriber as a US soldier.",)), tables)
    assert "NCMEC notes" in noted.notifications[0]


def test_a_soldier_of_the_country_the_report_routes_to_is_no_special_case(tables: RoutingTables) -> None:
    r = route(in_mainz("Der Nutzer ist Soldat der Bundeswehr in Mainz."), tables)
    assert r.authority == "LKA Rheinland-Pfalz" and not r.notifications


def test_a_foreign_network_name_is_shown_as_the_evidence(tables: RoutingTables) -> None:
    report = in_mainz().model_copy(update={"clearing_house": ClearingHouseLayer(geolocations=(IpGeolocation(
        ip_address="84.200.69.80", country="DE", isp="U.S. Army Garrison Network"),))})
    r = route(report, tables)
    assert r.authority is not None and r.authority.startswith(US_INVESTIGATORS)
    assert "NCMEC network name" in r.notifications[0] and "U.S. Army Garrison Network" in r.notifications[0]


def test_a_report_whose_subscriber_profile_names_a_foreign_army_is_stored_with_the_military_route(
        engine: Engine, tmp_path: Path) -> None:
    (tmp_path / "90004444.xml").write_bytes(report_xml(
        profile_bio="US Army soldier stationed at a garrison in Rheinland-Pfalz."))
    ingest(engine, [tmp_path], workers=1)
    process(engine, workers=1)
    with session(engine) as s:
        stored = store_reports.get_report(s, "90004444")
    assert stored.route is not None and stored.route.country == "DE"
    assert stored.route.authority is not None and stored.route.authority.startswith(US_INVESTIGATORS)
    assert any("US Army soldier stationed" in n and "prosecutor" in n for n in stored.route.notifications)
