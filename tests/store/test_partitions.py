"""PostgreSQL: reports and audit entries land in their month's partition, what no month holds in the DEFAULT one,
and the unique rules the partitions cannot enforce alone hold across them (store/partitions.py)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from lanzarote.model.report import Report
from lanzarote.store import audit, partitions
from lanzarote.store.db import open_store, session
from lanzarote.store.ingest import ReportRow, start_run, write_batch

REPORTS, AUDIT = partitions.PARTITIONED


@pytest.fixture
def pg(postgres_url: str) -> Iterator[sa.Engine]:
    engine = open_store(postgres_url)
    yield engine
    engine.dispose()


def _row(source_id: str, received: datetime, content: str = "a") -> ReportRow:
    report = Report(source="ncmec", source_id=source_id, received_at=received)
    return ReportRow(key=f"ncmec/{source_id}", source="ncmec", source_id=source_id, content_sha256=content * 64,
                     origin="provider", received_at=received, document=report.model_dump_json(),
                     location=f"test/{source_id}.xml")


def _ingest(engine: sa.Engine, *rows: ReportRow) -> None:
    now = datetime.now(UTC)
    with session(engine) as s:
        write_batch(s, start_run(s, ["test"], now), list(rows), now)


def _placed(engine: sa.Engine, table: str, where: str, **params: object) -> list[tuple[str, int]]:
    with engine.connect() as conn:
        return [(str(name), int(v)) for name, v in conn.execute(sa.text(
            f"SELECT tableoid::regclass::text, {'version' if table == 'reports' else 'id'} FROM {table} "
            f"WHERE {where} ORDER BY 2"), params)]


def test_the_present_month_and_those_ahead_exist_beside_a_default_partition(pg: sa.Engine) -> None:
    month = partitions.month_of(datetime.now(UTC))
    with pg.connect() as conn:
        for p in partitions.PARTITIONED:
            made = partitions.partitions(conn, p.table)
            assert made[partitions.default_name(p.table)] == "DEFAULT"
            ahead = month
            for _ in range(4):  # this month and partition_months_ahead (3) more
                assert partitions.month_name(p.table, ahead) in made
                ahead = partitions.next_month(ahead)


def test_a_report_lands_in_its_months_partition_and_one_no_month_holds_in_the_default(pg: sa.Engine) -> None:
    march = datetime(2026, 3, 14, 9, 30, tzinfo=UTC)
    with pg.begin() as conn:
        partitions.make_month(conn, REPORTS, partitions.month_of(march))
    now = datetime.now(UTC)
    _ingest(pg, _row("90000001", march), _row("90000002", now), _row("90000003", datetime(2019, 5, 2, tzinfo=UTC)))

    assert _placed(pg, "reports", "source_id = '90000001'") == [("reports_p2026_03", 1)]
    assert _placed(pg, "reports", "source_id = '90000002'") == [(partitions.month_name("reports", now), 1)]
    assert _placed(pg, "reports", "source_id = '90000003'") == [("reports_default", 1)]

    # the month made later takes its rows out of the DEFAULT partition
    with pg.begin() as conn:
        assert partitions.make_month(conn, REPORTS, datetime(2019, 5, 1, tzinfo=UTC))
    assert _placed(pg, "reports", "source_id = '90000003'") == [("reports_p2019_05", 1)]
    with pg.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM reports_default")).scalar_one() == 0


def test_audit_entries_land_in_the_month_they_were_written(pg: sa.Engine) -> None:
    now = datetime.now(UTC)
    with session(pg) as s:
        audit.record(s, "fr-analyst", "read", "ncmec/90000001", "web", now)
        audit.record(s, "fr-analyst", "read", "ncmec/90000002", "web", datetime(2019, 5, 2, tzinfo=UTC))
    assert [name for name, _ in _placed(pg, "audit", "true")] == [partitions.month_name("audit", now),
                                                                  "audit_default"]
    with session(pg) as s:
        assert audit.verify(s) == []


def test_a_reports_versions_stay_unique_when_received_in_different_months(pg: sa.Engine) -> None:
    this = partitions.month_of(datetime.now(UTC))
    following = partitions.next_month(this)
    _ingest(pg, _row("90000001", this.replace(day=20)))
    # changed content, received in the following month: version 2, in that month's partition
    _ingest(pg, _row("90000001", following.replace(day=10), content="b"))
    assert _placed(pg, "reports", "report_key = 'ncmec/90000001'") == [(partitions.month_name("reports", this), 1),
                                                                      (partitions.month_name("reports", following), 2)]
    with pg.connect() as conn:
        latest = conn.execute(sa.text("SELECT version FROM reports WHERE report_key = 'ncmec/90000001' AND latest"))
        assert latest.scalars().all() == [2]

    # version 1 once more, in a third month's partition or in the DEFAULT one: refused
    for received in (partitions.next_month(following), None):
        with pytest.raises(IntegrityError, match=r"\(report_key, version\) = \(ncmec/90000001, 1\)"), \
                pg.begin() as conn:
            conn.execute(sa.text(
                "INSERT INTO reports (report_key, source, source_id, version, latest, content_sha256, origin, "
                "received_at, ingested_at, document) VALUES ('ncmec/90000001', 'ncmec', '90000001', 1, false, "
                ":h, 'provider', :at, now(), '{}')"), {"h": "c" * 64, "at": received})
    # a second first version of the same (source, source id) is refused by its queue row's key
    with pytest.raises(IntegrityError), session(pg) as s:
        s.execute(sa.text("INSERT INTO report_state (report_key, source, source_id, received_at, version, stale, "
                          "tier_rank) VALUES ('ncmec/90000001', 'ncmec', '90000001', now(), 1, true, 9)"))
    assert len(_placed(pg, "reports", "report_key = 'ncmec/90000001'")) == 2


def test_an_audit_entrys_number_is_unique_across_months(pg: sa.Engine) -> None:
    now = datetime.now(UTC)
    with session(pg) as s:
        audit.record(s, "fr-analyst", "read", "ncmec/90000001", "web", now)
    [(_, first)] = _placed(pg, "audit", "true")
    with pytest.raises(IntegrityError, match=rf"\(id\) = \({first}\)"), pg.begin() as conn:
        conn.execute(sa.text("INSERT INTO audit (id, at, actor, action, target, detail, prev_hash, hash) "
                             "VALUES (:id, :at, 'x', 'read', 't', '', :h, :h)"),
                     {"id": first, "at": datetime(2019, 5, 2, tzinfo=UTC), "h": "0" * 64})


def test_init_makes_the_months_of_a_backfill_before_it_is_loaded(postgres_url: str,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from lanzarote.cli import app

    monkeypatch.setenv("LANZAROTE_DATABASE_URL", postgres_url)
    since = partitions.month_of(datetime.now(UTC))
    for _ in range(14):  # a year and more back
        since = (since - timedelta(days=1)).replace(day=1)
    result = CliRunner().invoke(app, ["init", "--months-from", f"{since:%Y-%m}"])
    assert result.exit_code == 0, result.output
    assert partitions.month_name("reports", since) in result.output
    engine = sa.create_engine(postgres_url)
    with engine.connect() as conn:
        made = partitions.partitions(conn, "reports")
    engine.dispose()
    month = since
    while month <= datetime.now(UTC):
        assert partitions.month_name("reports", month) in made
        month = partitions.next_month(month)
