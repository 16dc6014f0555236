"""Cases and legal requests through the use cases: a P1 report opens a case with a "today" clock, a preservation
request runs its clocks, every change lands in the timeline and the audit trail, and need-to-know holds."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import Engine, select

from lanzarote.errors import AccessDenied, Conflict, NotFound
from lanzarote.service import cases
from lanzarote.store import access, audit
from lanzarote.store import reports as store_reports
from lanzarote.store.access import User
from lanzarote.store.db import session


def _user(engine: Engine, name: str) -> User:
    with session(engine) as s:
        user = access.active_user(s, name)
    assert user is not None
    return user


def _p1_report(engine: Engine, country: str) -> str:
    with session(engine) as s:
        items = store_reports.queue(s, limit=500, f=store_reports.QueueFilter(country=country, tier="P1"))
    assert items, f"the synthetic set has a P1 report routed to {country}"
    return f"{items[0].source}/{items[0].report_id}"


def test_a_p1_report_opens_a_case_in_one_action_with_a_today_clock_until_someone_acts(web_engine: Engine) -> None:
    de = _user(web_engine, "de-analyst")
    key = _p1_report(web_engine, "DE")
    with session(web_engine) as s:
        opened = cases.open_from_report(s, de, key)
    assert opened.owner_agency == "DE" and opened.reports == (key,) and opened.p1_report == key
    assert opened.today_due is not None and opened.today_due - datetime.now(UTC) <= timedelta(days=1)
    with session(web_engine) as s:
        due = cases.deadlines(s, de, "test")
    assert [(d.case_id, d.clock) for d in due.today] == [(opened.id, "today")]

    with session(web_engine) as s:
        cases.add_task(s, de, opened.id, "Ask the provider to preserve the account", "de-analyst",
                       date.today() + timedelta(days=1))
    with session(web_engine) as s:
        assert cases.case(s, de, opened.id, "test").case.today_due is None
        assert cases.deadlines(s, de, "test").today == []


def test_a_preservation_request_about_a_p1_case_is_urgent_and_its_clock_changes_when_preserved(
        web_engine: Engine) -> None:
    de = _user(web_engine, "de-analyst")
    with session(web_engine) as s:
        opened = cases.open_from_report(s, de, _p1_report(web_engine, "DE"))
        sent, warnings = cases.send_request(s, de, opened.id, "preservation_24_7", "ge",
                                            "subscriber and connection data of the reported account")
    assert sent.request.urgent and "P1 report" in (sent.request.urgent_reason or "")
    assert [c.name for c in sent.request.running] == ["answer"] and sent.request.running[0].due_at is None
    assert isinstance(warnings, list)
    with session(web_engine) as s:
        chase = cases.deadlines(s, de, "test", now=datetime.now(UTC) + timedelta(days=2)).chase
    assert [(d.request_id, d.clock) for d in chase] == [(sent.id, "answer")]

    with session(web_engine) as s:
        for step in ("acknowledge", "review_dual_criminality", "ask_provider", "preserved"):
            after = cases.record_step(s, de, sent.id, step)
    (clock,) = after.request.running
    assert clock.name == "preservation" and clock.due_at is not None
    assert clock.due_at.date() - datetime.now(UTC).date() == timedelta(days=61)
    with session(web_engine) as s:
        near_the_end = cases.deadlines(s, de, "test", now=clock.due_at - timedelta(hours=3))
        file = cases.case(s, de, opened.id, "test")
    assert [d.clock for d in near_the_end.today] == ["preservation"]
    assert near_the_end.today[0].reading.level.value == "due"
    texts = [e.text for e in file.timeline]
    assert any("preserved — notify the requesting state" in t for t in texts)
    assert any("— urgent:" in t and "the case holds P1 report" in t for t in texts)
    with session(web_engine) as s:
        actions = set(s.execute(select(audit.audit.c.action).where(audit.audit.c.target == f"case/{opened.id}"))
                      .scalars())
    assert {"case_opened", "case_request", "read"} <= actions


def test_a_step_out_of_order_is_refused_and_changes_nothing(web_engine: Engine) -> None:
    de = _user(web_engine, "de-analyst")
    with session(web_engine) as s:
        opened = cases.open_case(s, de, "Discord accounts sharing a device id")
        sent, _ = cases.send_request(s, de, opened.id, "mla", "BR", "account records")
    with session(web_engine) as s, pytest.raises(NotFound, match="has no step 'preserved'"):
        cases.record_step(s, de, sent.id, "preserved")
    with session(web_engine) as s:
        cases.record_step(s, de, sent.id, "execute")
    with session(web_engine) as s, pytest.raises(Conflict, match="request is closed"):
        cases.record_step(s, de, sent.id, "chase")
    with session(web_engine) as s:
        assert cases.case(s, de, opened.id, "test").requests[0].request.state == "executed"


def test_only_the_owning_and_participating_agencies_see_a_case(web_engine: Engine) -> None:
    de, fr, hub = (_user(web_engine, n) for n in ("de-analyst", "fr-analyst", "hub-analyst"))
    with session(web_engine) as s:
        opened = cases.open_case(s, de, "Youth coach and a 14-year-old")
        cases.send_request(s, de, opened.id, "eevidence_production", "FR", "subscriber data")
    for outsider in (fr, hub):
        with session(web_engine) as s, pytest.raises(NotFound, match=f"no case {opened.id}"):
            cases.case(s, outsider, opened.id, "test")
        with session(web_engine) as s:
            assert cases.cases(s, outsider, "test") == []
            assert cases.deadlines(s, outsider, "test", now=datetime.now(UTC) + timedelta(days=9)).all() == []
    with session(web_engine) as s, pytest.raises(NotFound):
        cases.add_agency(s, fr, opened.id, "FR")  # an outsider cannot invite itself
    with session(web_engine) as s:
        cases.add_agency(s, de, opened.id, "FR")
    with session(web_engine) as s:
        assert cases.case(s, fr, opened.id, "test").case.participants == ("FR",)
        with pytest.raises(AccessDenied):
            cases.add_agency(s, fr, opened.id, "HUB")  # a participant does not invite others


def test_a_case_moves_forward_with_dates_and_never_back(web_engine: Engine) -> None:
    de = _user(web_engine, "de-analyst")
    with session(web_engine) as s:
        opened = cases.open_case(s, de, "Payments for live-streamed shows")
        cases.move(s, de, opened.id, "under_investigation", date(2026, 3, 2))
        moved = cases.move(s, de, opened.id, "arrested", date(2026, 4, 23))
        with pytest.raises(Conflict, match="cannot move back"):
            cases.move(s, de, opened.id, "searched")
    with session(web_engine) as s:  # a read is audited in a transaction of its own: after the writes commit
        file = cases.case(s, de, opened.id, "test")
    assert (moved.state.value, moved.state_on) == ("arrested", date(2026, 4, 23))
    assert [e.text for e in file.timeline if e.kind == "state"] == [
        "open → under investigation on 2026-03-02", "under investigation → arrested on 2026-04-23"]


def test_a_task_may_point_at_a_requests_clock(web_engine: Engine) -> None:
    de = _user(web_engine, "de-analyst")
    with session(web_engine) as s:
        opened = cases.open_case(s, de, "Known material, mentor")
        sent, _ = cases.send_request(s, de, opened.id, "us_provider_preservation", "US", "the CyberTipline report")
        task = cases.add_task(s, de, opened.id, "Serve the follow-up legal process", "de-analyst",
                              date.today() + timedelta(days=300), sent.id, "legal_process")
        with pytest.raises(NotFound, match="no clock"):
            cases.add_task(s, de, opened.id, "x", "de-analyst", date.today(), sent.id, "nothing")
        cases.finish_task(s, de, opened.id, task)
    with session(web_engine) as s:
        file = cases.case(s, de, opened.id, "test")
    (done,) = file.tasks
    assert done.request_id == sent.id and done.clock == "legal_process" and done.done_at is not None


def test_scenario_13_a_request_for_old_connection_data_warns_of_frances_retention() -> None:
    """DOMAIN.md scenario 13 through the request form's hook: the knowledge base's warning comes back with its quote."""
    from datetime import UTC, datetime, timedelta

    from lanzarote.service.cases import warnings_before_sending

    thirteen_months_ago = (datetime.now(UTC) - timedelta(days=396)).date()
    warnings = warnings_before_sending("ES", "mla", "FR", "connection data of the account", thirteen_months_ago)
    assert any(w.startswith("retention:") and "“" in w for w in warnings), warnings
