"""Operations through their use cases, on both engines: scenario 11 end to end, need-to-know between states,
the dispute over a second arresting state, late results as versions, meetings that follow up from the cases, JITs
whose results join the outcomes funnel, and the audit of every read."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import Engine, select

from lanzarote.errors import AccessDenied, Conflict, InputRejected, NotFound
from lanzarote.service import cases as cases_service
from lanzarote.service import operations as service
from lanzarote.store import audit
from lanzarote.store.db import session
from tests.coordination.operations_world import SCENARIO_11, make_world, user
from tests.service.helpers import trail_length

DAY = date(2026, 11, 10)


def _scenario_11(engine: Engine, freeze: bool = True) -> int:
    """Operation "Example Eleven": ES 10, HU 5, BE 4, BG 2, FR 10 targets, each arrested by its own state."""
    make_world(engine)
    hub = user(engine, "hub-coordinator")
    with session(engine) as s:
        op = service.create(s, hub, "Example Eleven", "synthetic scenario 11")
        for code in SCENARIO_11:
            service.add_agency(s, hub, op.id, code)
        service.add_agency(s, hub, op.id, "NL", "observer")
        service.plan_day(s, hub, op.id, DAY, "06:00")
    for code, n in SCENARIO_11.items():
        me = user(engine, f"{code.lower()}-analyst")
        with session(engine) as s:
            for i in range(1, n + 1):
                service.add_target(s, me, op.id, code, f"{code}-{i:02d}", arresting_state=code)
            service.plan_country(s, me, op.id, code, officers=4 * n, searches=n)
    if freeze:
        with session(engine) as s:
            service.freeze(s, hub, op.id)
    return op.id


def _report(engine: Engine, code: str, op_id: int, arrests: int, **more: int) -> service.Result:
    with session(engine) as s:
        return service.record_result(s, user(engine, f"{code.lower()}-analyst"), op_id, code,
                                     {"arrests": arrests, "searches": arrests, "officers": 4 * arrests, **more})


def test_scenario_11_reconciles_to_31_on_the_coordinators_board(engine: Engine) -> None:
    op_id = _scenario_11(engine)
    for code, n in SCENARIO_11.items():
        _report(engine, code, op_id, n, devices_seized=2 * n)
    with session(engine) as s:
        board = service.board(s, user(engine, "hub-coordinator"), op_id, "test")
        text = service.press_release(s, user(engine, "hub-coordinator"), op_id)
    assert (board.targets, board.totals.figures["arrests"], board.totals.states) == (31, 31, 5)
    assert board.totals.figures["devices_seized"] == 62
    assert board.balanced and board.differences == [] and len(board.lines) == 5
    assert "31 arrests in 5 states on 10/11/2026" in text and "124 officers in BE, BG, ES, FR and HU" in text


def test_a_state_sees_its_own_targets_and_the_totals_not_other_states_targets(engine: Engine) -> None:
    op_id = _scenario_11(engine, freeze=False)
    es, fr = user(engine, "es-analyst"), user(engine, "fr-analyst")
    with session(engine) as s:
        shared = service.add_target(s, es, op_id, "ES", "ES-11", arresting_state="ES", shared_with=["FR"])
        service.freeze(s, user(engine, "hub-coordinator"), op_id)
    _report(engine, "ES", op_id, 11)
    _report(engine, "FR", op_id, 9)
    with session(engine) as s:
        mine = service.operation(s, es, op_id, "test")
        theirs = service.operation(s, fr, op_id, "test")
        lead = service.operation(s, user(engine, "hub-coordinator"), op_id, "test")
    assert {t.country for t in mine.targets} == {"ES"} and len(mine.targets) == 11
    assert {t.label for t in theirs.targets} == {f"FR-{i:02d}" for i in range(1, 11)} | {"ES-11"}
    assert [ln.country for ln in mine.board.lines] == ["ES"]
    assert mine.board.totals.figures["arrests"] == 20 and mine.per_state == {"ES": 11}
    assert "FR: 9 arrests against 10 planned (-1)" not in mine.board.differences and mine.board.elsewhere > 0
    assert "FR: 9 arrests against 10 planned (-1)" in lead.board.differences
    assert len(lead.targets) == 32 and len(lead.board.lines) == 5
    with session(engine) as s, pytest.raises(NotFound, match="no target"):
        service.set_arresting_state(s, es, op_id, next(t.id for t in theirs.targets if t.country == "FR"), "ES")
    with session(engine) as s, pytest.raises(NotFound, match="no operation"):
        service.operation(s, user(engine, "nl-analyst"), op_id + 1, "test")
    assert shared.shared_with == ("FR",)


def test_an_agency_outside_the_operation_does_not_see_it_and_an_observer_changes_nothing(engine: Engine) -> None:
    op_id = _scenario_11(engine, freeze=False)
    make_world(engine, ("DE",), outsider=False)
    with session(engine) as s, pytest.raises(NotFound, match=f"no operation {op_id}"):
        service.operation(s, user(engine, "de-analyst"), op_id, "test")
    with session(engine) as s:
        assert service.listing(s, user(engine, "de-analyst"), "test") == []
        seen = service.operation(s, user(engine, "nl-analyst"), op_id, "test")
    assert seen.targets == [] and seen.board.lines == []
    with session(engine) as s, pytest.raises(AccessDenied, match="observes"):
        service.add_target(s, user(engine, "nl-analyst"), op_id, "NL", "NL-01")
    with session(engine) as s, pytest.raises(AccessDenied, match="only HUB"):
        service.freeze(s, user(engine, "es-analyst"), op_id)
    with session(engine) as s, pytest.raises(AccessDenied, match="for its own state only"):
        service.add_target(s, user(engine, "es-analyst"), op_id, "FR", "FR-99")


def test_a_second_arresting_state_is_refused_and_shown_as_a_dispute_until_resolved(engine: Engine) -> None:
    op_id = _scenario_11(engine, freeze=False)
    es, fr, hub = user(engine, "es-analyst"), user(engine, "fr-analyst"), user(engine, "hub-coordinator")
    with session(engine) as s:
        target = service.add_target(s, es, op_id, "ES", "ES-20", arresting_state="ES", shared_with=["FR"])
        service.plan_country(s, es, op_id, "ES", officers=44, searches=11)
    with session(engine) as s, pytest.raises(Conflict, match="arrested by ES already: a second arresting state"):
        service.set_arresting_state(s, fr, op_id, target.id, "FR", "lives in Lyon now")
    with session(engine) as s:
        view = service.operation(s, hub, op_id, "test")
        assert [(d.holder, d.claimant, d.reason, label) for d, label in view.disputes] == [
            ("ES", "FR", "lives in Lyon now", "ES-20")]
        assert service.operation(s, fr, op_id, "test").disputes  # the claimant sees its dispute
        assert service.operation(s, user(engine, "hu-analyst"), op_id, "test").disputes == []
    with session(engine) as s, pytest.raises(Conflict, match="FR disputes ES's arrest"):
        service.freeze(s, hub, op_id)
    with session(engine) as s, pytest.raises(InputRejected, match="between ES and FR"):
        service.resolve_dispute(s, hub, op_id, view.disputes[0][0].id, "BG")
    with session(engine) as s:
        settled = service.resolve_dispute(s, hub, op_id, view.disputes[0][0].id, "FR", "he moved")
        assert settled.arresting_state == "FR" and not settled.open_disputes
        service.freeze(s, hub, op_id)
        entries = [r.action for r in s.execute(select(audit.audit.c.action))]
    assert {"operation_dispute", "operation_resolved", "operation_frozen"} <= set(entries)
    with session(engine) as s, pytest.raises(Conflict, match="frozen"):
        service.set_arresting_state(s, es, op_id, target.id, "ES")


def test_results_come_after_the_freeze_and_late_ones_are_new_versions(engine: Engine) -> None:
    op_id = _scenario_11(engine, freeze=False)
    hub = user(engine, "hub-coordinator")
    with pytest.raises(Conflict, match="not frozen yet"):
        _report(engine, "ES", op_id, 10)
    with session(engine) as s:
        service.freeze(s, hub, op_id)
    first = _report(engine, "ES", op_id, 9)
    with session(engine) as s:
        service.close_day(s, hub, op_id)
    late = _report(engine, "ES", op_id, 10)
    assert (first.version, first.late, late.version, late.late) == (1, False, 2, True)
    with session(engine) as s:
        history = service.results_history(s, user(engine, "es-analyst"), op_id)
        board = service.board(s, hub, op_id, "test")
        with pytest.raises(NotFound):
            service.results_history(s, user(engine, "es-analyst"), op_id, "FR")
    assert [(r.version, r.arrests, r.late) for r in history] == [(1, 9, False), (2, 10, True)]
    es = next(ln for ln in board.lines if ln.country == "ES")
    assert (es.versions, es.result.arrests if es.result else None) == (2, 10)
    assert "HU: no result reported yet" in board.differences and not board.balanced


def test_a_follow_up_meeting_shows_what_is_new_in_the_cases_and_its_minutes_are_audited(engine: Engine) -> None:
    op_id = _scenario_11(engine, freeze=False)
    es, hub = user(engine, "es-analyst"), user(engine, "hub-coordinator")
    now = datetime.now(UTC)
    with session(engine) as s:
        case = cases_service.open_case(s, es, "national operation (synthetic)")
        service.link_case(s, es, op_id, case.id)
        first = service.hold_meeting(s, hub, op_id, now - timedelta(days=1), "Chair Example",
                                     participants=["ES: Inspector A. Example", "FR: Commissaire B. Example"],
                                     agenda=["ES: presentation of the national operation", "target date"])
        service.decide(s, hub, op_id, first.id, "identify targets in all countries", "all", DAY - timedelta(days=20))
        service.decide(s, hub, op_id, first.id, "target date for simultaneous action", "HUB", DAY)
    with session(engine) as s:
        cases_service.move(s, es, case.id, "searched")
        second = service.hold_meeting(s, hub, op_id, now + timedelta(minutes=5), "Chair Example")
    with session(engine) as s:
        file = service.meeting(s, es, op_id, second.id, "test")
        before = trail_length(engine)
        pdf = service.minutes(s, hub, op_id, second.id)
        assert trail_length(engine) == before + 2  # the read, then the disclosure
    assert file.previous is not None and file.previous.id == first.id
    assert [(n.case_id, n.state) for n in file.new_in_cases] == [(case.id, "searched")]
    assert file.new_in_cases[0].moves[0].startswith("open → searched on")
    assert [d.text for _, d in file.open_decisions] == ["identify targets in all countries",
                                                        "target date for simultaneous action"]
    assert pdf.content.startswith(b"%PDF") and pdf.media_type == "application/pdf"
    assert first.by_country() == {"ES": ["Inspector A. Example"], "FR": ["Commissaire B. Example"]}
    assert [(a.country, a.title) for a in first.agenda] == [("ES", "presentation of the national operation"),
                                                             (None, "target date")]
    with session(engine) as s, pytest.raises(AccessDenied, match="only HUB"):
        service.hold_meeting(s, es, op_id, now, "Somebody")


def test_a_jits_results_join_the_operations_outcomes_funnel(engine: Engine) -> None:
    op_id = _scenario_11(engine, freeze=False)
    be, hub = user(engine, "be-analyst"), user(engine, "hub-coordinator")
    with session(engine) as s:
        case = cases_service.open_case(s, be, "joint case (synthetic)")
        service.link_case(s, be, op_id, case.id)
        jit = service.create_jit(s, be, op_id, "JIT Example BE-FR", date(2026, 1, 10), date(2026, 7, 10),
                                 ["BE", "FR"], case.id)
        service.add_member(s, be, op_id, jit.id, "Inspector C. Example", "BE", "leader")
        extended = service.extend_jit(s, be, op_id, jit.id, date(2027, 1, 10), on=date(2026, 6, 1))
        service.record_jit_result(s, be, op_id, jit.id, service.Stage.INVESTIGATION_OPENED, date(2026, 2, 1))
        service.record_jit_result(s, be, op_id, jit.id, service.Stage.ARREST, date(2026, 3, 1), count=3)
        service.record_jit_result(s, be, op_id, jit.id, service.Stage.ARREST, date(2026, 3, 2), count=4)
        rows = service.outcomes(s, hub, op_id)
        with pytest.raises(AccessDenied, match="not a party"):
            service.record_jit_result(s, user(engine, "hu-analyst"), op_id, jit.id, service.Stage.ARREST, DAY)
        with pytest.raises(InputRejected, match="at least two parties"):
            service.create_jit(s, be, op_id, "alone", date(2026, 1, 1), date(2026, 2, 1), ["BE"])
    assert extended.until == date(2027, 1, 10) and extended.members[0].name == "Inspector C. Example"
    jit_row = next(r for r in rows if r.group == "JIT JIT Example BE-FR")
    assert (jit_row.investigations, jit_row.arrests, jit_row.packages) == (1, 4, 0)
    assert rows[-1].group == "all" and rows[-1].arrests == 4


def test_every_read_is_one_audit_entry_and_the_calendar_has_each_states_hhour(engine: Engine) -> None:
    op_id = _scenario_11(engine)
    es = user(engine, "es-analyst")
    for call in (lambda s: service.operation(s, es, op_id, "test"), lambda s: service.board(s, es, op_id, "test"),
                 lambda s: service.listing(s, es, "test"), lambda s: service.calendar(s, es, op_id),
                 lambda s: service.press_release(s, es, op_id)):
        before = trail_length(engine)
        with session(engine) as s:
            call(s)
        assert trail_length(engine) == before + 1
    with session(engine) as s:
        ical = service.calendar(s, es, op_id).decode()
    assert ical.count("BEGIN:VEVENT") == 5 and "TZID=Europe/Madrid" in ical and "TZID=Europe/Sofia" in ical


def test_the_2008_action_day_nine_states_1332_officers_76_arrests_through_the_use_cases(engine: Engine) -> None:
    # only the totals are public (9 Member States, 1,332 officers, 76 arrests on 23/06/2008): the split is synthetic
    split = {"BE": (180, 11), "IT": (260, 15), "DE": (210, 12), "FR": (170, 10), "ES": (150, 9), "NL": (120, 6),
             "AT": (90, 5), "HU": (82, 4), "PL": (70, 4)}
    make_world(engine, tuple(split), outsider=False)
    hub = user(engine, "hub-coordinator")
    with session(engine) as s:
        op = service.create(s, hub, "Example 2008")
        for code in split:
            service.add_agency(s, hub, op.id, code)
        service.plan_day(s, hub, op.id, date(2008, 6, 23))
        for code, (officers, arrests) in split.items():
            for i in range(arrests):
                service.add_target(s, hub, op.id, code, f"{code}-{i:02d}", arresting_state=code)
            service.plan_country(s, hub, op.id, code, officers=officers)
        service.freeze(s, hub, op.id)
    for code, (officers, arrests) in split.items():
        with session(engine) as s:
            service.record_result(s, user(engine, f"{code.lower()}-analyst"), op.id, code,
                                  {"arrests": arrests, "officers": officers})
    with session(engine) as s:
        board = service.board(s, hub, op.id, "test")
        text = service.press_release(s, hub, op.id)
    assert (board.totals.states, board.totals.figures["officers"], board.totals.figures["arrests"]) == (9, 1332, 76)
    assert board.targets == 76 and board.balanced, board.differences
    assert "76 arrests in 9 states on 23/06/2008" in text and "1,332 officers" in text
    assert {h.text for h in board.hhours} == {"06:00 CEST (04:00 UTC)"}  # all nine keep Central European time
