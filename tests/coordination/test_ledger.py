"""The dissemination ledger: Operation Daylight's funnel reproduced from its packages and their feedback, late
corrections counted once, reminders for silent recipients, the funnel drawn and as CSV."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Engine

from lanzarote.coordination.packages import ledger
from lanzarote.coordination.packages.ledger import Feedback, Sent, Stage
from lanzarote.service import packages
from lanzarote.store import access
from lanzarote.store import packages as store
from lanzarote.store.db import session
from lanzarote.synth.packages import ledger as synthetic_ledger
from lanzarote.web import svg

NOW = datetime(2016, 10, 1, tzinfo=UTC)


def _write(engine: Engine, n: int = 611, investigations: int = 207, arrested: int = 75) -> None:
    with session(engine) as s:
        store.load_ledger(s, [(x.package, x.sent_at, x.feedback) for x in synthetic_ledger(n, investigations,
                                                                                              arrested)])
        access.add_user(s, "hub-analyst", "correct horse battery", "analyst", access.HUB, datetime.now(UTC))


def test_operation_daylights_funnel_is_reproduced_through_the_ledger(engine: Engine) -> None:
    _write(engine)
    with session(engine) as s:
        user = access.active_user(s, "hub-analyst")
        (row,) = packages.funnel(s, user)  # type: ignore[arg-type]
        by_operation = packages.funnel(s, user, "operation")  # type: ignore[arg-type]
        by_country = packages.funnel(s, user, "country")  # type: ignore[arg-type]
        text = packages.funnel_csv(s, user, "month")  # type: ignore[arg-type]
    assert (row.packages, row.investigations, row.arrested_or_convicted) == (611, 207, 75)
    assert row.awaiting == 611 - 207 - row.no_further_action - row.not_our_jurisdiction
    assert [(r.group, r.packages, r.investigations, r.arrested_or_convicted) for r in by_operation] == [
        ("Daylight", 611, 207, 75)]
    assert sum(r.packages for r in by_country) == 611 and len(by_country) == 20
    months = list(csv.DictReader(io.StringIO(text)))
    assert sum(int(m["packages"]) for m in months) == 611
    assert sum(int(m["arrested_or_convicted"]) for m in months) == 75
    with session(engine) as s:  # the database's sums are the ledger's arithmetic over the same feedback
        sent, said = store.ledger(s), ledger.outcomes(store.feedback(s))
        due = packages.reminders(s, user, datetime(2016, 6, 1, tzinfo=UTC), limit=1000)  # type: ignore[arg-type]
    assert [vars(r) for r in ledger.funnel(sent, said, "country")] == [vars(r) for r in by_country]
    expected = ledger.reminders(sent, said, datetime(2016, 6, 1, tzinfo=UTC), 90)
    assert [p.package_id for p in due] == [p.package_id for p in expected] and due
    drawn = svg.funnel(row.steps(), "Operation Daylight")
    assert "611" in drawn and "207" in drawn and "<title>" in drawn


def test_a_corrected_figure_replaces_the_first_and_history_stays() -> None:
    sent = [Sent("P1", "ES", "ES", "Daylight", datetime(2026, 1, 5, tzinfo=UTC))]
    first = Feedback(package_id="P1", stage=Stage.ARREST, on=date(2026, 2, 1), count=3, reported_by="ES")
    fixed = first.model_copy(update={"count": 2, "version": 2})
    (row,) = ledger.funnel(sent, ledger.outcomes([first, fixed]))
    assert (row.investigations, row.arrests, row.arrested_or_convicted) == (1, 2, 2)
    assert ledger.current([first, fixed])[("P1", Stage.ARREST)].count == 2


def test_silent_recipients_are_reminded_after_the_set_days() -> None:
    now = datetime(2026, 6, 1, tzinfo=UTC)
    old = Sent("OLD", "ES", "ES", "", now - timedelta(days=120))
    answered = Sent("ANSWERED", "FR", "FR", "", now - timedelta(days=120))
    recent = Sent("RECENT", "DE", "DE", "", now - timedelta(days=10))
    said = [Feedback(package_id="OLD", stage=Stage.RECEIVED, on=date(2026, 2, 2), reported_by="ES"),
            Feedback(package_id="ANSWERED", stage=Stage.NO_FURTHER_ACTION, on=date(2026, 3, 1), reported_by="FR")]
    assert [p.package_id for p in ledger.reminders([old, answered, recent], ledger.outcomes(said), now, 90)] == ["OLD"]


def test_feedback_recorded_later_and_corrected_moves_the_stored_funnel_as_the_ledger_counts_it(
        engine: Engine) -> None:
    """The funnel sums each package's kept current word: a new stage, a late correction and an imported version
    move it exactly as the ledger's arithmetic over every version of the feedback does."""
    _write(engine, 61, 20, 7)
    with session(engine) as s:
        user = access.active_user(s, "hub-analyst")
        (first,) = packages.funnel(s, user)  # type: ignore[arg-type]  # summed once, then kept while nothing moves
        assert packages.funnel(s, user) == [first]  # type: ignore[arg-type]
        sent = store.ledger(s)
        before = ledger.outcomes(store.feedback(s))
        quiet = [p.package_id for p in sent if not {Stage.ARREST, Stage.CONVICTION} & set(
            before[p.package_id].counts if p.package_id in before else ())][:2]
        store.add_feedback(s, Feedback(package_id=quiet[0], stage=Stage.ARREST, on=date(2016, 3, 1), count=3,
                                       reported_by="ES", recorded_at=NOW))
        store.add_feedback(s, Feedback(package_id=quiet[0], stage=Stage.ARREST, on=date(2016, 3, 1), count=2,
                                       reported_by="ES", recorded_at=NOW))  # a late correction: version 2
        assert store.import_feedback(s, Feedback(package_id=quiet[1], stage=Stage.CONVICTION, on=date(2016, 9, 1),
                                                 count=1, reported_by="FR", version=1,
                                                 recorded_at=NOW))
    with session(engine) as s:
        said = ledger.outcomes(store.feedback(s))
        for by in (None, "country", "month", "recipient"):
            stored = packages.funnel(s, user, by)  # type: ignore[arg-type]
            assert [vars(r) for r in stored] == [vars(r) for r in ledger.funnel(sent, said, by)]
        (row,) = packages.funnel(s, user)  # type: ignore[arg-type]
    assert row.arrested_or_convicted == first.arrested_or_convicted + 2 + 1 == 7 + 2 + 1
