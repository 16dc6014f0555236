"""Warnings before a request is sent, from what the requested state told the Lanzarote Committee."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from lanzarote.coordination.knowledge import KnowledgeBase
from lanzarote.coordination.knowledge.load import DATA
from lanzarote.coordination.knowledge.warnings import Draft, add_months, warnings_for


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return KnowledgeBase.load()


def draft(**changes: Any) -> Draft:
    fields: dict[str, Any] = {"requesting": "ES", "requested": "FR", "instrument": "mla", "data": ("subscriber",),
                              "event_date": date(2024, 1, 10), "request_date": date(2024, 3, 1)}
    return Draft(**{**fields, **changes})


def rules(d: Draft, kb: KnowledgeBase) -> list[str]:
    return [w.rule for w in warnings_for(d, kb)]


def test_scenario_13_connection_data_asked_of_france_13_months_after_the_event(kb: KnowledgeBase) -> None:
    found = warnings_for(draft(data=("connection",), event_date=date(2024, 1, 10),
                               request_date=date(2025, 2, 10)), kb)
    assert [w.rule for w in found] == ["retention"]
    warning = found[0]
    assert warning.message.startswith("past the one-year retention")
    assert "kept until 2025-01-10" in warning.message and "13 months after the event" in warning.message
    assert "conservation des données de connexion" in (warning.quote or "")
    assert warning.section == "Question 16.2." and warning.source_date == date(2019, 4, 1)


def test_connection_data_within_the_year_and_other_data_earn_no_retention_warning(kb: KnowledgeBase) -> None:
    assert rules(draft(data=("connection",), request_date=date(2025, 1, 10)), kb) == []
    assert rules(draft(data=("content",), request_date=date(2026, 1, 10)), kb) == []


def test_a_dual_criminality_gap(kb: KnowledgeBase) -> None:
    found = warnings_for(draft(requested="HR", offence="coercion_self_generated_content"), kb)
    assert [w.rule for w in found] == ["dual_criminality"]
    assert "not criminalised by the Croatian criminal legislation" in (found[0].quote or "")
    assert rules(draft(requested="HR", offence="coercion_self_generated_images"), kb) == []


def test_a_preservation_request_to_georgia_is_reviewed_for_dual_criminality(kb: KnowledgeBase) -> None:
    found = warnings_for(draft(requested="GE", instrument="preservation_24_7"), kb)
    assert [w.rule for w in found] == ["dual_criminality_review"]
    assert "initial review as to dual criminality" in (found[0].quote or "")


def test_a_channel_the_state_did_not_name(kb: KnowledgeBase) -> None:
    found = warnings_for(draft(requested="NO", instrument="spontaneous_transmission", channel="eurojust"), kb)
    assert [w.rule for w in found] == ["channel"]
    assert "i24_7" in found[0].message and "siena" in found[0].message
    assert rules(draft(requested="NO", instrument="spontaneous_transmission", channel="siena"), kb) == []
    assert rules(draft(requested="GR", instrument="spontaneous_transmission", channel="eurojust"), kb) == []


def test_a_central_authority_other_than_the_one_addressed(kb: KnowledgeBase) -> None:
    found = warnings_for(draft(requested="TR", central_authority="Ministry of Interior, Ankara"), kb)
    assert [w.rule for w in found] == ["central_authority"]
    assert "Ministry of Justice" in found[0].message
    assert "responsible for transmitting or receiving mutual legal assistance requests" in (found[0].quote or "")
    assert rules(draft(requested="TR", central_authority="Turkish Ministry of Justice"), kb) == []
    assert rules(draft(requested="MD", central_authority="General Prosecutor's Office of Moldova"), kb) == []


def test_a_preservation_addressed_to_another_body_than_the_24_7_contact_point(kb: KnowledgeBase) -> None:
    found = warnings_for(draft(requested="UA", instrument="preservation_24_7", central_authority="Prosecutor"), kb)
    assert [w.rule for w in found] == ["central_authority"] and "24/7 contact point" in found[0].message
    assert rules(draft(requested="UA", instrument="preservation_24_7",
                       central_authority="Cyberpolice Department"), kb) == []


def test_the_language_required(kb: KnowledgeBase) -> None:
    found = warnings_for(draft(requested="LV", instrument="state_compensation", language="de"), kb)
    assert [w.rule for w in found] == ["language"]
    assert "lv or en" in found[0].message and found[0].quote == "The request shall be submitted in Latvian or English."
    assert rules(draft(requested="LV", instrument="state_compensation", language="en"), kb) == []
    assert rules(draft(requested="LV", instrument="mla", language="de"), kb) == []


UNIT_NOTE = """\
sources:
  ES-unit-2025-03:
    title: "Note of the Spanish central authority to the hub on incoming requests (fictional)"
    date: 2025-03-14
    by: Hub liaison desk
"""
UNIT_LANGUAGES = """\
languages:
  - languages: [es]
    instruments: [mla]
    section: paragraph 2
    source: ES-unit-2025-03
    quote: "Requests for mutual legal assistance are to be sent in Spanish."
"""


def test_a_units_own_fact_with_its_own_date_warns_like_the_compilations(tmp_path: Path) -> None:
    for path in DATA.glob("*.yaml"):
        (tmp_path / path.name).write_text(path.read_text())
    spain = (tmp_path / "ES.yaml").read_text().replace("languages: not stated\n", UNIT_LANGUAGES) + UNIT_NOTE
    (tmp_path / "ES.yaml").write_text(spain)
    kb = KnowledgeBase.load(tmp_path)
    found = warnings_for(draft(requested="ES", requesting="FR", language="fr"), kb)
    assert [w.rule for w in found] == ["language"]
    assert found[0].source_date == date(2025, 3, 14) and "fictional" in (found[0].source or "")


def test_a_state_with_no_entry_says_nothing_can_be_checked(kb: KnowledgeBase) -> None:
    assert rules(draft(requested="US"), kb) == ["no_entry"]


def test_an_unknown_instrument_is_refused() -> None:
    with pytest.raises(ValidationError, match="unknown instrument"):
        draft(instrument="fax")


def test_months_end_on_the_last_day_of_a_shorter_month() -> None:
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2024, 11, 30), 12) == date(2025, 11, 30)
