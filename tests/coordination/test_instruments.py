"""The instruments file: valid as shipped, refused with a sentence when wrong, and each instrument's clocks on their
edge days as a request moves through its states (DOMAIN.md scenario 12 among them)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from lanzarote.coordination.instruments import DEFAULT, Instruments, default
from lanzarote.coordination.requests import Request, apply, open_request, urgency
from lanzarote.errors import ConfigurationError, Conflict

AT = datetime(2026, 9, 1, 9, 0, tzinfo=UTC)  # a Tuesday
LISTED = {"preservation_24_7", "preservation_domestic", "us_provider_preservation", "eevidence_production",
          "eevidence_preservation", "eio", "eaw", "mla", "extradition", "transfer_of_proceedings",
          "spontaneous_transmission"}


def test_the_shipped_file_declares_every_instrument_and_each_clock_its_source() -> None:
    instruments = Instruments.load()
    assert set(instruments.by_id) >= LISTED
    for inst in instruments.by_id.values():
        for clock in inst.clocks.values():
            assert clock.source.document and clock.source.article


def test_a_step_naming_an_unknown_state_refuses_the_file(tmp_path: Path) -> None:
    broken = tmp_path / "instruments.yaml"
    broken.write_text(DEFAULT.read_text().replace("to: preserved\n", "to: preservd\n", 1))
    with pytest.raises(ConfigurationError, match="unknown state 'preservd'"):
        Instruments.load(broken)


def test_a_clock_without_its_source_refuses_the_file(tmp_path: Path) -> None:
    broken = tmp_path / "instruments.yaml"
    text = DEFAULT.read_text()
    broken.write_text(text.replace('        source: {document: Directive 2014/41/EU, article: "Art. 12(4): 90 days '
                                   'after the recognition decision"}\n', ""))
    with pytest.raises(ConfigurationError, match="source"):
        Instruments.load(broken)


def _walk(instrument: str, steps: list[tuple[str, datetime]], to_state: str = "GE", p1: str | None = None) -> Request:
    inst = default()[instrument]
    request = open_request(inst, to_state, AT, "analyst", urgency(inst, p1))
    for name, at in steps:
        request = apply(inst, request, name, at, "analyst")
    return request


def test_scenario_12_a_provider_that_cannot_preserve_leads_to_urgent_mutual_legal_assistance() -> None:
    request = _walk("preservation_24_7", [("acknowledge", AT), ("review_dual_criminality", AT),
                                          ("ask_provider", AT), ("not_possible", AT + timedelta(hours=5))])
    assert request.state == "not_possible"
    assert request.offers == "mla"
    assert "urgent mutual legal assistance offered" in (request.steps[-1].notice or "")
    assert request.running == ()
    assert request.urgent and "every preservation request is urgent" in (request.urgent_reason or "")


def test_georgias_procedure_in_order_and_the_60_days_from_preservation() -> None:
    request = _walk("preservation_24_7", [("acknowledge", AT), ("review_dual_criminality", AT),
                                          ("ask_provider", AT), ("preserved", AT + timedelta(days=1))])
    assert [s.state for s in request.steps] == ["received", "acknowledged", "dual_criminality_reviewed",
                                                "provider_asked", "preserved"]
    (clock,) = request.running
    assert clock.name == "preservation"
    assert clock.due_at == datetime(2026, 11, 2, tzinfo=UTC)  # 2 Sept + 60 days = 1 Nov, ends at its end
    assert "notify the requesting state" in (request.steps[-1].notice or "")


def test_a_step_out_of_order_is_refused_with_the_steps_that_are_possible() -> None:
    with pytest.raises(Conflict, match="possible: acknowledge, not_possible"):
        _walk("preservation_24_7", [("preserved", AT)])


def test_a_renewal_starts_the_preservation_again() -> None:
    preserved = AT + timedelta(days=1)
    request = _walk("preservation_24_7", [("acknowledge", AT), ("review_dual_criminality", AT),
                                          ("ask_provider", AT), ("preserved", preserved),
                                          ("renew", preserved + timedelta(days=55))])
    (clock,) = request.running
    assert clock.started_at == preserved + timedelta(days=55)
    assert [c.stopped_at for c in request.clocks if not c.running][-1] == preserved + timedelta(days=55)


def test_domestic_preservation_runs_90_days() -> None:
    (clock,) = _walk("preservation_domestic", [("preserved", AT)], "ES").running
    assert clock.due_at == datetime(2026, 12, 1, tzinfo=UTC)


def test_a_us_providers_preservation_lasts_a_year_and_the_legal_process_is_due_before_it_ends() -> None:
    request = _walk("us_provider_preservation", [], "US")
    assert {c.name: c.due_at for c in request.running} == {"preservation": datetime(2027, 9, 2, tzinfo=UTC),
                                                           "legal_process": datetime(2027, 9, 2, tzinfo=UTC)}
    served = _walk("us_provider_preservation", [("legal_process_served", AT + timedelta(days=200))], "US")
    assert served.running == ()


def test_a_production_order_has_10_days_moved_past_a_holiday_and_8_hours_in_an_emergency() -> None:
    received = datetime(2026, 12, 15, 10, 0, tzinfo=UTC)  # day ten: Friday 25 December, then a weekend
    inst = default()["eevidence_production"]
    normal = open_request(inst, "DE", received, "a", urgency(inst, None))
    assert normal.running[0].due_at == datetime(2026, 12, 29, tzinfo=UTC)  # 26 Dec is a holiday in DE too
    emergency = open_request(inst, "DE", received, "a", "the case holds a P1 report")
    assert emergency.running[0].due_at == received + timedelta(hours=8)
    assert "(emergency)" in emergency.running[0].source


def test_a_preservation_order_ends_after_60_days_plus_30_unless_production_is_confirmed() -> None:
    extended = _walk("eevidence_preservation", [("extend", AT + timedelta(days=50))], "FR")
    # day 60 is Saturday 31 October, then All Saints' Day (a holiday in France): the period ends Monday 2 November;
    # thirty more days end on Wednesday 2 December
    assert extended.running[0].due_at == datetime(2026, 12, 3, tzinfo=UTC)
    with pytest.raises(Conflict, match="extended already"):
        apply(default()["eevidence_preservation"], extended, "extend", AT + timedelta(days=70), "a")
    confirmed = _walk("eevidence_preservation", [("production_confirmed", AT + timedelta(days=59))], "FR")
    assert confirmed.state == "production_confirmed" and confirmed.running == ()


def test_an_eio_recognition_30_days_postponed_by_30_then_90_to_execute() -> None:
    postponed = _walk("eio", [("postpone_recognition", AT + timedelta(days=20))], "IT")
    # 1 October, then thirty more: Saturday 31 October, and 1 November is a holiday in Italy → Monday 2 November
    assert postponed.running[0].due_at == datetime(2026, 11, 3, tzinfo=UTC)
    recognised = _walk("eio", [("recognise", AT + timedelta(days=10))], "IT")
    (execution,) = recognised.running
    assert execution.name == "execution"
    assert execution.due_at == datetime(2026, 12, 11, tzinfo=UTC)  # 90 days from 11 September: Thursday 10 Dec


def test_an_arrest_warrant_60_days_after_arrest_or_10_after_consent() -> None:
    (decision,) = _walk("eaw", [], "PL").running
    assert decision.due_at == datetime(2026, 11, 3, tzinfo=UTC)  # Sat 31 Oct, All Saints' Day in Poland → Mon 2 Nov
    (after_consent,) = _walk("eaw", [("consent", AT + timedelta(days=3))], "PL").running
    assert after_consent.due_at == datetime(2026, 9, 15, tzinfo=UTC)


def test_mutual_legal_assistance_has_no_deadline_and_a_chase_starts_its_age_again() -> None:
    sent = _walk("mla", [], "BR")
    assert sent.running[0].due_at is None
    chased = _walk("mla", [("chase", AT + timedelta(days=40))], "BR")
    assert chased.state == "sent" and chased.running[0].started_at == AT + timedelta(days=40)


def test_a_request_about_a_p1_case_is_urgent_and_says_why() -> None:
    inst = default()["mla"]
    request = open_request(inst, "BR", AT, "a", urgency(inst, "the case holds P1 report ncmec/1: a child may be "
                                                          "in danger now"))
    assert request.urgent and "P1 report ncmec/1" in (request.urgent_reason or "")
    assert urgency(inst, None) is None
