"""A store made before the web work (revision 0003) upgrades in place: nothing lost, the new columns filled."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa

from lanzarote.model.report import IncidentType, Report, Reporter
from lanzarote.store import access, schema
from lanzarote.store.db import make_engine, migrate


def test_a_store_from_revision_0003_upgrades_with_its_reports_and_users(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    migrate(engine, "0003_queue_order")
    ingested = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    report = Report(source="ncmec", source_id="90000001", reporter=Reporter(name="ExampleChat"),
                    incident_type=IncidentType.ONLINE_ENTICEMENT)
    with engine.begin() as conn:
        # what 0003 had: report_state without the columns 0004 adds (0001 creates tables from today's declarations)
        for column in ("provider", "incident_type", "assigned_to"):
            conn.execute(sa.text(f"DROP INDEX ix_report_state_{column}"))
        for column in ("provider", "incident_type", "assigned_to", "first_action_at"):
            conn.execute(sa.text(f"ALTER TABLE report_state DROP COLUMN {column}"))
        assert not {"agencies", "api_tokens", "route_overrides"} & set(sa.inspect(conn).get_table_names())
        conn.execute(sa.insert(schema.reports).values(
            report_key="ncmec/90000001", source="ncmec", source_id="90000001", version=1, latest=True,
            content_sha256="0" * 64, origin="provider", received_at=None, ingested_at=ingested,
            document=report.model_dump_json()))
        conn.execute(sa.text("INSERT INTO report_state (report_key, source, source_id, received_at, version, stale, "
                             "tier_rank) VALUES ('ncmec/90000001', 'ncmec', '90000001', :at, 1, 1, 5)"),
                     {"at": ingested})
        conn.execute(sa.insert(access.users).values(username="fr-analyst", password_hash="x", role="analyst",
                                                    agency="FR", active=True, created_at=ingested))

    migrate(engine)

    with engine.connect() as conn:
        state = conn.execute(sa.select(schema.report_state)).one()
        assert (state.provider, state.incident_type, state.assigned_to) == (
            "ExampleChat", IncidentType.ONLINE_ENTICEMENT.value, None)
        agencies = {a.code: (a.kind, a.country) for a in conn.execute(sa.select(access.agencies))}
        assert agencies == {"HUB": ("hub", None), "FR": ("national_unit", "FR")}
        assert conn.execute(sa.select(sa.func.count()).select_from(access.users)).scalar() == 1
