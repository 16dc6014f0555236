"""The operations' rules without a store: one arresting state a target, the freeze's conditions, H-hours in each
state's zone, the board's reconciliation (DOMAIN.md scenario 11 and the 2008 action day), versions, documents."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
from icalendar import Calendar

from lanzarote.coordination.operations import (
    CountryDay,
    DayState,
    Dispute,
    Jit,
    Meeting,
    Operation,
    Result,
    Target,
    check_arresting_state,
    current,
    documents,
    freeze_problems,
)
from lanzarote.coordination.operations import day as days
from lanzarote.errors import Conflict, InputRejected

AT = datetime(2026, 11, 3, 8, 0, tzinfo=UTC)
SCENARIO_11 = {"ES": 10, "HU": 5, "BE": 4, "BG": 2, "FR": 10}
DAY_2008 = date(2008, 6, 23)
# the 2008 split per state is synthetic (the public figures are the totals: 9 Member States, 1,332 officers, 76
# arrests); each state's figures sum to them
STATES_2008 = {"BE": (180, 11), "IT": (260, 15), "DE": (210, 12), "FR": (170, 10), "ES": (150, 9),
               "NL": (120, 6), "AT": (90, 5), "HU": (82, 4), "PL": (70, 4)}


def _result(country: str, arrests: int, officers: int = 0, version: int = 1, late: bool = False) -> Result:
    return Result.of(country, version, {"arrests": arrests, "searches": arrests, "officers": officers},
                     f"{country.lower()}-analyst", AT, late)


def test_scenario_11_each_target_arrested_by_exactly_one_state_reconciles_to_31() -> None:
    targets = [Target(i, c, f"{c}-{n:02d}", c) for i, (c, n) in enumerate(
        ((c, n) for c, count in SCENARIO_11.items() for n in range(1, count + 1)), 1)]
    plan = [CountryDay(c, days.zone_of(c), time(6), officers=3 * n, searches=n) for c, n in SCENARIO_11.items()]
    assert freeze_problems(targets, [p.country for p in plan], date(2026, 11, 10)) == []
    per_state: dict[str, int] = {}
    for t in targets:
        assert t.arresting_state is not None
        per_state[t.arresting_state] = per_state.get(t.arresting_state, 0) + 1
    results = [Result.of(c, 1, {"arrests": n, "searches": n, "officers": 3 * n}, "x", AT)
               for c, n in SCENARIO_11.items()]
    board = days.reconcile(date(2026, 11, 10), plan, per_state, results,
                           summed={"arrests": 31, "searches": 31, "officers": 93})
    assert board.targets == 31
    assert board.totals.figures["arrests"] == 31
    assert board.totals.states == 5
    assert board.balanced, board.differences


def test_a_second_arresting_state_is_refused_and_nothing_moves_once_frozen() -> None:
    target = Target(1, "ES", "ES-01", "ES")
    assert check_arresting_state(target, "ES", DayState.PLANNING) is False
    assert check_arresting_state(Target(2, "ES", "ES-02", None), "FR", DayState.PLANNING) is True
    with pytest.raises(Conflict, match="arrested by ES already: a second arresting state"):
        check_arresting_state(target, "FR", DayState.PLANNING)
    with pytest.raises(Conflict, match="frozen"):
        check_arresting_state(Target(2, "ES", "ES-02", None), "ES", DayState.FROZEN)


def test_the_day_is_not_frozen_with_a_target_unassigned_a_dispute_open_or_an_hhour_missing() -> None:
    dispute = Dispute(1, 2, "ES", "FR", "he lives in Lyon now", AT, "fr-analyst")
    targets = [Target(1, "ES", "ES-01", None), Target(2, "ES", "ES-02", "ES", disputes=(dispute,)),
               Target(3, "BG", "BG-01", "BG")]
    problems = freeze_problems(targets, ["ES"], None)
    assert problems == ["the action day has no date", "target ES-01 (ES) has no arresting state",
                        "target ES-02: FR disputes ES's arrest (unresolved)", "BG arrests targets but has no H-hour"]
    settled = Target(2, "ES", "ES-02", "ES", disputes=(Dispute(1, 2, "ES", "FR", "-", AT, "x", AT, "ES arrests"),))
    assert freeze_problems([settled], ["ES"], date(2026, 11, 10)) == []


def test_hhours_are_shown_in_each_states_local_time_and_in_utc() -> None:
    madrid = days.hhour(date(2026, 6, 23), CountryDay("ES", days.zone_of("ES"), time(6)))
    lisbon = days.hhour(date(2026, 6, 23), CountryDay("PT", days.zone_of("PT"), time(6)))
    sofia = days.hhour(date(2026, 12, 1), CountryDay("BG", days.zone_of("BG"), time(6)))
    assert madrid.text == "06:00 CEST (04:00 UTC)"
    assert lisbon.text == "06:00 WEST (05:00 UTC)"
    assert sofia.text == "06:00 EET (04:00 UTC)"
    canaries = days.hhour(date(2026, 6, 23), CountryDay("ES", days.zone_of("ES", "Atlantic/Canary"), time(6)))
    assert canaries.utc.hour == 5
    with pytest.raises(InputRejected, match="not a time zone"):
        days.zone_of("ES", "Europe/Atlantis")
    with pytest.raises(InputRejected, match="no time zone known for QQ"):
        days.zone_of("QQ")


def test_differences_are_flagged_state_by_state_and_late_results_are_new_versions() -> None:
    plan = [CountryDay("ES", "Europe/Madrid", time(6), officers=30, searches=10),
            CountryDay("HU", "Europe/Budapest", time(6), officers=15, searches=5)]
    first = _result("ES", 9, officers=30)
    board = days.reconcile(date(2026, 11, 10), plan, {"ES": 10, "HU": 5}, [first])
    assert board.differences == ["ES: 9 arrests against 10 planned (-1)", "ES: 9 searches against 10 planned (-1)",
                                 "HU: no result reported yet"]
    assert not board.balanced
    late = Result.of("ES", 2, {"arrests": 10, "searches": 10, "officers": 30}, "es-analyst", AT, late=True)
    hu = Result.of("HU", 1, {"arrests": 5, "searches": 5, "officers": 15}, "hu-analyst", AT)
    assert current([first, late, hu])["ES"] is late
    board = days.reconcile(date(2026, 11, 10), plan, {"ES": 10, "HU": 5}, [first, late, hu],
                           summed={"arrests": 15, "searches": 15, "officers": 45})
    assert board.balanced and board.totals.figures["arrests"] == 15
    es = next(line for line in board.lines if line.country == "ES")
    assert (es.versions, es.result.late if es.result else None) == (2, True)
    wrong = days.reconcile(date(2026, 11, 10), plan, {"ES": 10, "HU": 5}, [late, hu], summed={"arrests": 14})
    assert "the centre's total of arrests (14) is not the sum of the states' current results (15)" in wrong.differences


def _operation_2008() -> Operation:
    return Operation(1, "Example 2008", "", "EUROJUST", "coordinator", AT, day_on=DAY_2008,
                     day_state=DayState.CLOSED)


def test_the_2008_action_day_nine_states_1332_officers_76_arrests() -> None:
    plan = [CountryDay(c, days.zone_of(c), time(6), officers=o) for c, (o, _) in STATES_2008.items()]
    targets = {c: a for c, (_, a) in STATES_2008.items()}
    results = [Result.of(c, 1, {"arrests": a, "officers": o}, "x", AT) for c, (o, a) in STATES_2008.items()]
    board = days.reconcile(DAY_2008, plan, targets, results)
    assert (board.totals.states, board.totals.figures["officers"], board.totals.figures["arrests"]) == (9, 1332, 76)
    assert board.balanced, board.differences
    text = documents.press_release(_operation_2008(), board, "Eurojust")
    assert "76 arrests in 9 states on 23/06/2008" in text
    assert "On 23/06/2008, 1,332 officers in AT, BE, DE, ES, FR, HU, IT, NL and PL took part" in text
    assert text.startswith("DRAFT for the participating authorities' approval")


def test_a_press_release_of_an_unbalanced_day_says_so_first() -> None:
    plan = [CountryDay("ES", "Europe/Madrid", time(6))]
    board = days.reconcile(DAY_2008, plan, {"ES": 2}, [_result("ES", 1)])
    assert documents.press_release(_operation_2008(), board, "Eurojust").startswith(
        "DRAFT — figures not yet reconciled: ES: 1 arrests against 2 planned (-1)")


def test_minutes_and_calendar_carry_the_meeting_the_decisions_and_each_states_hhour() -> None:
    from lanzarote.coordination.operations import Agenda, Decision

    op = _operation_2008()
    meeting = Meeting(4, 1, AT, "Chair Example", "Coordination meeting 2", (("ES", "Inspector A. Example"),),
                      (Agenda(1, "ES", "presentation of the national operation"),),
                      (Decision(7, 4, "target date for simultaneous action", "EUROJUST", date(2008, 6, 1)),))
    hhours = [days.hhour(DAY_2008, CountryDay("ES", "Europe/Madrid", time(6))),
              days.hhour(DAY_2008, CountryDay("HU", "Europe/Budapest", time(5, 30)))]
    new = [documents.NewInCase(3, "ES case", "ES", "searched", ("open → searched on 2008-05-02",),
                               (("reports attached", 2),))]
    pdf = documents.minutes_pdf(op, meeting, meeting, new, hhours)
    assert pdf.startswith(b"%PDF") and pdf == documents.minutes_pdf(op, meeting, meeting, new, hhours)
    cal = Calendar.from_ical(documents.calendar(op, hhours, [meeting], AT))
    events = {str(e["summary"]): e for e in cal.walk("VEVENT")}
    es = events["Operation Example 2008: action day, H-hour ES"]
    assert es.decoded("dtstart").utcoffset().total_seconds() == 7200
    assert es.decoded("dtstart").astimezone(UTC).hour == 4
    assert "Operation Example 2008: due — target date for simultaneous action (EUROJUST)" in events


def test_a_jit_is_extended_forward_only_and_while_it_runs() -> None:
    jit = Jit(1, 1, "JIT Example", date(2026, 1, 10), date(2026, 7, 10), None, ("BE", "IT"))
    jit.check_extension(date(2026, 7, 1), date(2027, 1, 10))
    with pytest.raises(InputRejected, match="runs past"):
        jit.check_extension(date(2026, 7, 1), date(2026, 6, 1))
    with pytest.raises(InputRejected, match="expired JIT"):
        jit.check_extension(date(2026, 8, 1), date(2027, 1, 10))
