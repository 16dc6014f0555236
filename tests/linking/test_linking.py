"""Linking: identifiers normalised, strong identifiers link, guards hold, subjects merge deterministically."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from lanzarote.linking.identifiers import Sighting, email, phone, sightings_of
from lanzarote.linking.linker import link_batch
from lanzarote.linking.subjects import assign_subjects, subject_id_for
from lanzarote.model.linking import Identifier, IdentifierKind, Link
from lanzarote.model.report import Address, DeviceId, Email, IpCaptureEvent, Party, PartyRole, Phone, Report

T0 = datetime(2026, 3, 5, 12, 0, tzinfo=UTC)


def no_history(_: Collection[Identifier]) -> Sequence[tuple[str, Sighting]]:
    return []


def reported(key: str, **fields: object) -> tuple[str, tuple[Sighting, ...]]:
    report = Report(source="ncmec", source_id=key, platform="Discord",
                    parties=(Party(role=PartyRole.REPORTED, **fields),))  # type: ignore[arg-type]
    return key, sightings_of(report)


def links(batch: list[tuple[str, tuple[Sighting, ...]]], **kw: int) -> list[Link]:
    return list(link_batch(batch, no_history, window_minutes=kw.get("window", 60),
                           fanout_limit=kw.get("fanout", 50)).links)


def test_emails_and_phones_are_normalised() -> None:
    assert email("  Jan.Example@Example.ORG ") == "jan.example@example.org"
    assert email("j.a.n+tag@googlemail.com") == "jan@gmail.com"
    assert email("j.a.n+tag@example.org") == "j.a.n+tag@example.org"
    assert email("not an email") is None
    assert phone(Phone(number="+49 30 23125001"), None) == "+493023125001"
    assert phone(Phone(number="030 23125001"), "DE") == "+493023125001"
    assert phone(Phone(number="03023125001", country_calling_code="+49"), None) == "+493023125001"


@given(st.emails())
def test_email_normalisation_is_idempotent(address: str) -> None:
    once = email(address)
    if once is not None:
        assert email(once) == once
        assert email(address.upper()) == email(address)


def test_scenario_6_two_accounts_sharing_an_email_and_a_device_are_linked() -> None:
    device = (DeviceId(id_type="IMEI", value="350000000000001"),)
    made = links([
        reported("a", esp_identifier="1", emails=(Email(address="Pair@Example.org"),), device_ids=device),
        reported("b", esp_identifier="2", emails=(Email(address="pair@example.org "),), device_ids=device),
    ])
    assert len(made) == 1
    assert {i.kind for i in made[0].identifiers} == {IdentifierKind.EMAIL, IdentifierKind.DEVICE}


def test_scenario_10_a_shared_address_links_nobody() -> None:
    crowd = [reported(str(i), esp_identifier=str(i),
                      ip_capture_events=(IpCaptureEvent(ip_address="84.200.69.80", at=T0 + timedelta(minutes=i)),))
             for i in range(8)]
    result = link_batch(crowd, no_history, window_minutes=60, fanout_limit=50)
    assert result.links == ()
    assert result.held and "shared address" in result.held[0].reason


def test_an_ip_links_only_within_the_window_and_never_behind_a_proxy() -> None:
    def event(minutes: int, proxy: bool = False) -> tuple[IpCaptureEvent, ...]:
        return (IpCaptureEvent(ip_address="84.200.69.80", at=T0 + timedelta(minutes=minutes), possible_proxy=proxy),)

    assert len(links([reported("a", esp_identifier="1", ip_capture_events=event(0)),
                      reported("b", esp_identifier="2", ip_capture_events=event(30))])) == 1
    assert links([reported("a", esp_identifier="1", ip_capture_events=event(0)),
                  reported("b", esp_identifier="2", ip_capture_events=event(300))]) == []
    assert links([reported("a", esp_identifier="1", ip_capture_events=event(0, proxy=True)),
                  reported("b", esp_identifier="2", ip_capture_events=event(10))]) == []


def test_an_identifier_in_too_many_reports_stops_linking_and_is_listed() -> None:
    batch = [reported(str(i), emails=(Email(address="test@example.org"),)) for i in range(6)]
    result = link_batch(batch, no_history, window_minutes=60, fanout_limit=5)
    assert result.links == () and result.held[0].identifier.value == "test@example.org"


def test_new_reports_link_against_history() -> None:
    _, old = reported("old", phones=(Phone(number="+33199000123"),),
                      addresses=(Address(country="FR"),))

    def history(ids: Collection[Identifier]) -> Sequence[tuple[str, Sighting]]:
        return [("old", s) for s in old if s.identifier in ids]

    new = reported("new", phones=(Phone(number="01 99 00 01 23"),), addresses=(Address(country="FR"),))
    result = link_batch([new], history, window_minutes=60, fanout_limit=50)
    assert [(x.report_a, x.report_b) for x in result.links] == [("new", "old")]


def test_subjects_are_named_after_their_smallest_report_however_they_were_merged() -> None:
    ab = Link(report_a="a", report_b="b", identifiers=())
    first = assign_subjects([ab], {})
    assert first["a"] == first["b"] == subject_id_for("a")
    cd = assign_subjects([Link(report_a="c", report_b="d", identifiers=())], {})
    merged = assign_subjects([Link(report_a="b", report_b="c", identifiers=())],
                             {"b": first["b"], "c": cd["c"]},
                             {first["b"]: ["a", "b"], cd["c"]: ["c", "d"]})
    at_once = assign_subjects([ab, Link(report_a="b", report_b="c", identifiers=()),
                               Link(report_a="c", report_b="d", identifiers=())], {})
    assert merged == at_once == {k: subject_id_for("a") for k in "abcd"}


def cybertip(number: str, priors: tuple[str, ...] = (), **fields: object) -> tuple[str, tuple[Sighting, ...]]:
    """A CyberTipline report `number` whose reported person's priorCTReports name `priors`."""
    report = Report(source="ncmec", source_id=number, platform="ExampleChat",
                    parties=(Party(role=PartyRole.REPORTED, prior_report_ids=priors, **fields),))  # type: ignore[arg-type]
    return f"ncmec/{number}", sightings_of(report)


def test_a_report_naming_an_earlier_one_in_prior_ct_reports_is_linked_to_it_and_says_so() -> None:
    earlier = cybertip("90001111", esp_identifier="501", emails=(Email(address="first@example.org"),))
    later = cybertip("90002222", (" 0090001111 ",), esp_service="OtherPhotoApp", esp_identifier="77",
                     emails=(Email(address="second@example.net"),))
    for batch in ([earlier, later], [later, earlier]):
        (link,) = links(batch)
        assert (link.report_a, link.report_b) == ("ncmec/90001111", "ncmec/90002222")
        assert [(i.kind.value, i.value) for i in link.identifiers] == [("priorCTReports", "90001111")]


def test_two_reports_naming_the_same_earlier_report_are_linked_even_before_it_arrives() -> None:
    (link,) = links([cybertip("90002222", ("90001111",), esp_identifier="1"),
                     cybertip("90003333", ("90001111",), esp_identifier="2")])
    assert link.identifiers[0].kind is IdentifierKind.PRIOR_CT_REPORT


def test_prior_reports_of_a_victim_or_a_number_that_is_no_number_link_nothing() -> None:
    victim_side = Report(source="ncmec", source_id="90002222", parties=(
        Party(role=PartyRole.REPORTED, esp_identifier="1"),
        Party(role=PartyRole.VICTIM, prior_report_ids=("90001111",))))
    assert links([cybertip("90001111", esp_identifier="2"), ("ncmec/90002222", sightings_of(victim_side))]) == []
    assert links([cybertip("90001111", esp_identifier="2"), cybertip("90002222", ("see above",))]) == []
