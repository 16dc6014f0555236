"""Every record is strict and immutable, and every value it holds is bounded at the edge (model/base.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from pydantic import ValidationError

from lanzarote.model.report import IpCaptureEvent, Party, PartyRole, Report


def test_an_unknown_field_is_refused_so_a_typo_is_caught_at_the_edge() -> None:
    with pytest.raises(ValidationError, match="source_idd"):
        Report.model_validate({"source": "citizen", "source_idd": "C-1"})


def test_a_record_cannot_be_changed_once_made_and_its_text_is_trimmed() -> None:
    report = Report(source="  citizen ", source_id=" C-1")
    assert report.key == ("citizen", "C-1")
    with pytest.raises(ValidationError, match="frozen"):
        report.source_id = "C-2"  # type: ignore[misc]


@pytest.mark.parametrize("when", [datetime(1899, 12, 31, tzinfo=UTC),
                                  datetime(2100, 1, 1, tzinfo=UTC),
                                  datetime(9999, 12, 31, 23, 59, tzinfo=timezone(-timedelta(hours=5)))])
def test_a_time_outside_the_plausible_years_is_refused_with_the_year_named(when: datetime) -> None:
    with pytest.raises(ValidationError, match=f"the year {when.year} is not plausible"):
        Report(source="citizen", source_id="C-1", received_at=when)


def test_a_birth_date_is_bounded_like_a_time_and_ages_and_ports_must_be_possible() -> None:
    assert Party(role=PartyRole.VICTIM, date_of_birth=date(2012, 5, 3)).date_of_birth == date(2012, 5, 3)
    with pytest.raises(ValidationError, match="the year 1850"):
        Party(role=PartyRole.VICTIM, date_of_birth=date(1850, 1, 1))
    with pytest.raises(ValidationError, match="less than or equal to 130"):
        Party(role=PartyRole.VICTIM, age=131)
    with pytest.raises(ValidationError, match="less than or equal to 65535"):
        IpCaptureEvent(ip_address="192.0.2.10", port=70000)


@pytest.mark.parametrize(("source_id", "problem"), [("a/b", "must not contain '/'"),
                                                     ("a\x07b", "control characters"),
                                                     ("", "at least 1 character")])
def test_a_key_part_that_cannot_name_a_report_in_an_address_is_refused(source_id: str, problem: str) -> None:
    with pytest.raises(ValidationError, match=problem):
        Report(source="citizen", source_id=source_id)
