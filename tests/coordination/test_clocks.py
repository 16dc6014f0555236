"""Clocks on their edge days: weekends, a public holiday of the executing state, hours across a change of
daylight-saving time, and the warnings an analyst sees as a clock runs down."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from lanzarote.coordination.clocks import Level, Period, Unit, due_at, extended, last_day, parse_shares, read
from lanzarote.errors import ConfigurationError

TEN_DAYS_EU = Period(10, Unit.DAYS, next_working_day=True)
SHARES = (0.5, 0.8)


def test_a_period_ending_on_a_public_holiday_moves_past_it_and_the_weekend() -> None:
    # received Tuesday 21 April 2026; day ten is Friday 1 May, Labour Day in Spain; then a weekend
    received = datetime(2026, 4, 21, 15, 0, tzinfo=UTC)
    assert last_day(received, TEN_DAYS_EU, "ES") == date(2026, 5, 4)
    assert due_at(received, TEN_DAYS_EU, "ES") == datetime(2026, 5, 5, 0, 0, tzinfo=UTC)


def test_the_holiday_is_the_executing_states_own() -> None:
    # 6 January is Epiphany in Spain, a working day in the Netherlands
    received = datetime(2025, 12, 27, 9, 0, tzinfo=UTC)
    assert last_day(received, TEN_DAYS_EU, "ES") == date(2026, 1, 7)
    assert last_day(received, TEN_DAYS_EU, "NL") == date(2026, 1, 6)


def test_a_period_ending_on_a_saturday_ends_on_monday_only_where_the_instrument_says_so() -> None:
    received = datetime(2026, 6, 3, 12, 0, tzinfo=UTC)  # day ten: Saturday 13 June
    assert last_day(received, TEN_DAYS_EU, "DE") == date(2026, 6, 15)
    assert last_day(received, Period(10, Unit.DAYS), "DE") == date(2026, 6, 13)


def test_a_period_in_days_counts_from_the_day_after_the_event_and_ends_at_the_end_of_its_last_day() -> None:
    received = datetime(2026, 6, 1, 23, 59, tzinfo=UTC)  # Monday
    assert due_at(received, Period(60, Unit.DAYS), "GE") == datetime(2026, 8, 1, 0, 0, tzinfo=UTC)


def test_a_period_in_hours_is_exact_across_a_change_of_daylight_saving_time() -> None:
    madrid = ZoneInfo("Europe/Madrid")
    received = datetime(2026, 3, 28, 22, 0, tzinfo=madrid)  # CET; clocks go forward at 02:00 on 29 March
    due = due_at(received, Period(8, Unit.HOURS), "ES")
    assert due - received.astimezone(UTC) == timedelta(hours=8)
    assert due.astimezone(madrid).hour == 7  # eight hours later by the clock on the wall is 06:00 + 1
    assert due.astimezone(madrid).utcoffset() == timedelta(hours=2)


def test_an_hours_period_ignores_weekends_and_holidays() -> None:
    received = datetime(2026, 5, 1, 20, 0, tzinfo=UTC)  # a public holiday in Spain, a Friday evening
    assert due_at(received, Period(8, Unit.HOURS), "ES") == datetime(2026, 5, 2, 4, 0, tzinfo=UTC)


def test_an_extension_counts_from_the_end_of_the_old_period() -> None:
    received = datetime(2026, 9, 1, 8, 0, tzinfo=UTC)
    due = due_at(received, Period(60, Unit.DAYS), "BE")  # last day 31 October
    assert extended(due, Period(30, Unit.DAYS), "BE") == datetime(2026, 12, 1, tzinfo=UTC)


def test_warnings_at_half_four_fifths_due_and_overdue() -> None:
    started = datetime(2026, 1, 1, tzinfo=UTC)
    due = started + timedelta(days=10)
    levels = [read(started, due, started + timedelta(days=d), SHARES) for d in (1, 5, 8, 9.5, 10, 11)]
    assert [r.level for r in levels] == [Level.RUNNING, Level.SHARE, Level.SHARE, Level.DUE, Level.OVERDUE,
                                         Level.OVERDUE]
    assert levels[1].text.startswith("50% of the period gone")
    assert levels[2].text.startswith("80% of the period gone")
    assert levels[4].text == "overdue since 2026-01-11 00:00 UTC"


def test_a_clock_without_a_deadline_shows_its_age_and_asks_to_be_chased() -> None:
    started = datetime(2026, 1, 1, tzinfo=UTC)
    assert read(started, None, started + timedelta(days=12), SHARES).text == "12 days old (no deadline)"
    chased = read(started, None, started + timedelta(days=45), SHARES, chase_days=30)
    assert chased.level is Level.CHASE and chased.due is None


def test_warning_shares_come_from_a_setting_and_bad_ones_are_refused() -> None:
    assert parse_shares("0.8, 0.5") == (0.5, 0.8)
    with pytest.raises(ConfigurationError):
        parse_shares("half")
    with pytest.raises(ConfigurationError):
        parse_shares("0.5,1.2")


def test_a_naive_time_is_refused() -> None:
    with pytest.raises(ConfigurationError):
        due_at(datetime(2026, 1, 1), Period(1, Unit.HOURS), "ES")
