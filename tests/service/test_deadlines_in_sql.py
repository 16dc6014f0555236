"""The deadlines view counts and pages its buckets in SQL on each clock's stored next-due instant: its answer is the
one the Python classification of every running clock gives (the view as it was built first), page after page."""

from __future__ import annotations

import random
from contextlib import suppress
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine

from lanzarote import config
from lanzarote.coordination import clocks
from lanzarote.coordination.instruments import default
from lanzarote.coordination.requests import apply, open_request, urgency
from lanzarote.errors import Conflict
from lanzarote.service import cases as service
from lanzarote.store import access
from lanzarote.store import cases as store
from lanzarote.store.db import session

INSTRUMENTS = ("preservation_24_7", "eevidence_production", "eevidence_preservation", "eio", "eaw", "mla",
               "us_provider_preservation", "preservation_domestic", "extradition")


def _store(engine: Engine, now: datetime) -> None:
    """60 cases of DE (a third with FR taking part, some opened from a P1 report today or yesterday), 400 requests
    sent up to 120 days ago, some moved on a step or two (clocks stopped, started, extended)."""
    rng = random.Random(18)
    with session(engine) as s:
        for code in ("DE", "FR", "ES"):
            access.add_agency(s, code, f"{code} national unit (fictional)", "national_unit", code)
        access.add_user(s, "de-analyst", "correct horse battery", "analyst", "DE", now)
        access.add_user(s, "fr-analyst", "correct horse battery", "analyst", "FR", now)
        ids = []
        for i in range(60):
            opened = now - timedelta(hours=rng.choice((1, 5, 30)))
            p1 = i % 7 == 0
            end = datetime.combine(opened.date() + timedelta(days=1), datetime.min.time(), tzinfo=UTC)
            owner = "ES" if i % 11 == 0 else "DE"
            case_id = store.add_case(s, f"case {i}", owner, "de-analyst", opened, f"ncmec/{i}" if p1 else None,
                                     end if p1 else None)
            if i % 3 == 0:
                store.attach(s, case_id, "agency", "FR" if owner == "DE" else "DE")
            ids.append(case_id)
        for n in range(400):
            inst = default()[INSTRUMENTS[n % len(INSTRUMENTS)]]
            sent = now - timedelta(days=rng.uniform(0, 120))
            request = open_request(inst, rng.choice(("FR", "ES", "GE", "US", "IT")), sent, "de-analyst",
                                   urgency(inst, "P1" if n % 5 == 0 else None))
            for _ in range(rng.randint(0, 2)):
                steps = inst.available(request.state)
                if steps:
                    with suppress(Conflict):  # a clock extended twice is refused: the request stays as it was
                        request = apply(inst, request, rng.choice(steps).name, sent + timedelta(days=1), "x")
            store.add_request(s, ids[n % len(ids)], "records", default().version, request)


def _python(rows: list[store.OpenClock], now: datetime, agency: str | None) -> dict[str, list[tuple[object, ...]]]:
    """The first deadlines view: every running clock read and sorted in Python."""
    shares = clocks.parse_shares(str(config.get("clock_warning_shares")))
    chase_days = int(config.get("chase_days"))
    end_today = datetime.combine(now.date() + timedelta(days=1), datetime.min.time(), tzinfo=UTC)
    out: dict[str, list[tuple[object, ...]]] = {"overdue": [], "today": [], "week": [], "chase": []}
    keyed: dict[str, list[tuple[tuple[object, ...], tuple[object, ...]]]] = {k: [] for k in out}
    far = datetime.max.replace(tzinfo=UTC)
    for row in rows:
        if agency and row.owner_agency != agency:
            continue
        run = row.run
        reading = clocks.read(run.started_at, run.due_at, now, shares, run.chase_days or chase_days)
        shown = (row.case_id, row.request_id, run.name, run.due_at, reading.level, reading.text)
        if run.due_at is None:
            if reading.level is clocks.Level.CHASE:
                keyed["chase"].append(((run.started_at, row.case_id, row.request_id or 0), shown))
            continue
        name = "overdue" if run.due_at <= now else "today" if run.due_at <= end_today else "week"
        keyed[name].append(((run.due_at or far, not row.urgent, row.case_id, row.request_id or 0), shown))
    for name, items in keyed.items():
        out[name] = [shown for _, shown in sorted(items, key=lambda x: x[0])]
    return out


def _sql(found: service.Deadlines) -> dict[str, list[tuple[object, ...]]]:
    return {name: [(d.case_id, d.request_id, d.clock, d.due, d.reading.level, d.reading.text)
                   for d in getattr(found, name)] for name in ("overdue", "today", "week", "chase")}


def test_the_buckets_counted_and_paged_in_sql_are_the_python_classification_of_every_clock(engine: Engine) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    _store(engine, now)
    with session(engine) as s:
        de = access.active_user(s, "de-analyst")
        fr = access.active_user(s, "fr-analyst")
        assert de is not None and fr is not None
        for user, agency in ((de, None), (fr, None), (de, "ES"), (fr, "DE")):
            week = datetime.combine(now.date() + timedelta(days=7), datetime.min.time(), tzinfo=UTC)
            everything = store.open_clocks(s, user.agency, until=week, started_before=now - timedelta(days=1))
            expected = _python(everything, now, agency)
            found = service.deadlines(s, user, "test", now=now, agency=agency, limit=1000)
            assert _sql(found) == expected
            assert found.counts == {name: len(rows) for name, rows in expected.items()}
            assert sum(found.counts.values()) > 0
            pages: dict[str, list[tuple[object, ...]]] = {name: [] for name in expected}
            offset = 0
            while True:
                page = service.deadlines(s, user, "test", now=now, agency=agency, limit=7, offset=offset)
                for name, rows in _sql(page).items():
                    pages[name].extend(rows)
                if not page.more:
                    break
                offset += 7
            assert pages == expected
        de_counts = service.deadlines(s, de, "test", now=now).counts
        assert de_counts["overdue"] and de_counts["week"] and de_counts["chase"] and de_counts["today"]


def test_one_case_s_deadlines_are_its_own(engine: Engine) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    _store(engine, now)
    with session(engine) as s:
        de = access.active_user(s, "de-analyst")
        assert de is not None
        found = service.deadlines(s, de, "test", now=now, case_id=1, limit=1000)
        assert found.all() and {d.case_id for d in found.all()} == {1}
        assert sum(found.counts.values()) == len(found.all())
