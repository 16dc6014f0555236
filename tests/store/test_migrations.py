"""A store made before the web work (revision 0003) upgrades in place: nothing lost, the new columns filled."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
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
        # 0001 froze its tables as it made them: report_state without the columns 0004 adds
        assert "provider" not in {c["name"] for c in sa.inspect(conn).get_columns("report_state")}
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


def test_a_store_migrated_from_empty_is_what_the_tables_declare(engine: sa.Engine) -> None:
    """The schema's truth in one place: every migration from an empty database gives exactly the declared tables,
    columns, types and indexes, on both engines."""
    import importlib
    import pkgutil

    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    import lanzarote.store
    from lanzarote.store.metadata import metadata
    from lanzarote.store.partitions import PARTITIONED, partitions

    for module in pkgutil.iter_modules(lanzarote.store.__path__):
        importlib.import_module(f"lanzarote.store.{module.name}")
    with engine.connect() as conn:
        # PostgreSQL: a partitioned table's partitions are no tables of their own, and the unique constraint it
        # cannot carry (its rule is kept by a trigger, tests/store/test_partitions.py) is a plain index of that name
        parts = {name for p in PARTITIONED for name in partitions(conn, p.table)} if conn.dialect.name == "postgresql" \
            else set()
        kept = {p.unique_index for p in PARTITIONED if p.unique_index} if parts else set()

        def include(obj: object, name: str | None, kind: str, reflected: bool, compare_to: object) -> bool:
            return not (kind == "table" and name in parts) and not (kind in ("index", "unique_constraint")
                                                                    and name in kept)

        context = MigrationContext.configure(conn, opts={"compare_type": True, "include_object": include})
        drift = compare_metadata(context, metadata)
        if kept:  # the index stands where the constraint was, on the same columns
            indexes = {ix["name"]: ix["column_names"] for ix in sa.inspect(conn).get_indexes("reports")}
            assert indexes["uq_reports_key_version"] == ["report_key", "version"]
    assert drift == []


def test_the_store_finds_its_work_through_its_indexes(tmp_path: Path) -> None:
    """The next batch to process, a subject's reports, a country's or an authority's queue and the filters are index
    searches, not scans (the indexes that leave NULL out serve lookups by value)."""
    engine = make_engine(f"sqlite:///{tmp_path / 'new.db'}")
    migrate(engine)
    s = schema.report_state
    queries = {
        "ix_report_state_stale_keys": sa.select(s.c.report_key).where(s.c.stale.is_(True), s.c.report_key > "k")
        .order_by(s.c.report_key).limit(2000),
        "ix_report_state_subject": sa.select(s.c.report_key).where(s.c.subject_id.in_(["S-1", "S-2"])),
        "ix_report_state_assigned_to": sa.select(s.c.report_key).where(s.c.assigned_to == "fr-analyst"),
        "ix_report_state_country_order": sa.select(s.c.report_key).where(s.c.country == "FR")
        .order_by(s.c.tier_rank, s.c.score.desc(), s.c.received_at, s.c.report_key).limit(50),
        "ix_report_state_authority_order": sa.select(s.c.report_key).where(s.c.authority == "ES-BI")
        .order_by(s.c.tier_rank, s.c.score.desc(), s.c.received_at, s.c.report_key).limit(50),
        "ix_report_state_provider": sa.select(s.c.report_key).where(s.c.provider == "Example Chat"),
        "ix_report_state_incident_type": sa.select(s.c.report_key).where(s.c.incident_type == "Child Sex Tourism"),
    }
    with engine.connect() as conn:
        for index, query in queries.items():
            sql = str(query.compile(engine, compile_kwargs={"literal_binds": True}))
            plan = " ".join(str(row[-1]) for row in conn.execute(sa.text("EXPLAIN QUERY PLAN " + sql)))
            assert f"USING INDEX {index}" in plan or f"USING COVERING INDEX {index}" in plan, (index, plan)
            assert "TEMP B-TREE" not in plan, (index, plan)


def test_a_store_from_revision_0010_gets_its_clocks_next_due_and_its_packages_outcomes(tmp_path: Path) -> None:
    """0014 adds each clock's next-due instant (filled from its deadline or its own chase period) and each
    package's kept outcome (summed from the feedback already there)."""
    from lanzarote.coordination.packages.ledger import Stage
    from lanzarote.store import cases, packages

    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    migrate(engine, "0010_logins")
    at = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    with engine.begin() as conn:
        # what 0010 had (0008 creates its tables from today's declarations): no next_due, no package_outcomes
        conn.execute(sa.text("DROP INDEX ix_request_clocks_running_next_due"))
        conn.execute(sa.text("ALTER TABLE request_clocks DROP COLUMN next_due"))
        assert "package_outcomes" not in sa.inspect(conn).get_table_names()
        conn.execute(sa.insert(cases.cases).values(id=1, title="a case", owner_agency="DE", lead="x", state="open",
                                                   state_on=at.date(), opened_at=at))
        conn.execute(sa.insert(cases.legal_requests).values(id=1, case_id=1, instrument="preservation_24_7",
                                                            to_state="GE", about="records", state="received",
                                                            urgent=True, instruments_version="v"))
        for name, due, chase in (("preservation", at + timedelta(days=61), None), ("answer", None, 1),
                                 ("mla", None, None)):
            conn.execute(sa.text(
                "INSERT INTO request_clocks (request_id, case_id, name, label, source, started_at, due_at, "
                "extended, chase_days, running) VALUES (1, 1, :n, :n, 's', :at, :due, 0, :chase, 1)"),
                {"n": name, "at": at, "due": due, "chase": chase})
        conn.execute(sa.insert(packages.package_feedback).values(
            package_id="PKG-1", stage=Stage.ARREST.value, on=at.date(), count=2, reported_by="ES", version=1,
            recorded_at=at, decisive="yes", words=""))

    migrate(engine)

    with engine.connect() as conn:
        due = {r.name: r.next_due for r in conn.execute(sa.select(cases.request_clocks))}
        outcome = conn.execute(sa.select(packages.package_outcomes)).one()
    assert due["preservation"] is not None and due["preservation"].replace(tzinfo=UTC) == at + timedelta(days=61)
    assert due["answer"] is not None and due["answer"].replace(tzinfo=UTC) == at + timedelta(days=1)
    assert due["mla"] is None  # chased after the chase_days setting, read from its start
    assert (outcome.package_id, outcome.arrest, outcome.decisive, outcome.outcome) == ("PKG-1", 2, 1, 1)


def test_a_store_from_revision_0014_keeps_its_file_details_and_layers_as_their_first_versions(tmp_path: Path) -> None:
    """0016 numbers the file details and layers stored already version 1, with no earlier versions."""
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    migrate(engine, "0014_cases_web")
    at = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    with engine.begin() as conn:
        assert "version" not in {c["name"] for c in sa.inspect(conn).get_columns("report_files")}
        conn.execute(sa.text("INSERT INTO report_files (report_key, file_id, content_sha256, received_at, document) "
                             "VALUES ('ncmec/90000001', 'f1', :h, :at, '{}')"), {"h": "0" * 64, "at": at})
        conn.execute(sa.text("INSERT INTO clearing_house_layers (report_key, content_sha256, received_at, document) "
                             "VALUES ('ncmec/90000001', :h, :at, '{}')"), {"h": "1" * 64, "at": at})

    migrate(engine)

    with engine.connect() as conn:
        assert [r.version for r in conn.execute(sa.select(schema.report_files))] == [1]
        assert [r.version for r in conn.execute(sa.select(schema.clearing_house_layers))] == [1]
        assert conn.execute(sa.select(sa.func.count()).select_from(schema.report_file_versions)).scalar() == 0


def test_a_store_from_revision_0016_gets_its_flood_counts_from_the_stored_verdicts(tmp_path: Path) -> None:
    """0017 fills `match_counts` with every trusted (not flood-flagged) match the stored verdicts hold."""
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    migrate(engine, "0016_layer_versions")
    match = {"list_name": "vics", "entry_id": "e1", "hash_type": "MD5", "flood_flagged": False}
    verdicts = {
        "ncmec/90000001": [{"file_id": "f1", "verdict": "known", "matches": [match]},
                           {"file_id": "f2", "verdict": "unknown", "matches": []}],
        "ncmec/90000002": [{"file_id": "f1", "verdict": "known", "matches": [{**match, "flood_flagged": True}]}],
        "ncmec/90000003": [{"file_id": "f1", "verdict": "not_matched", "matches": []}],
    }
    with engine.begin() as conn:
        for key, stored in verdicts.items():
            conn.execute(sa.text("INSERT INTO report_state (report_key, source, source_id, version, stale, tier_rank, "
                                 "verdicts) VALUES (:k, 'ncmec', :i, 1, false, 5, :v)"),
                         {"k": key, "i": key.split("/")[1], "v": json.dumps(stored)})
        conn.execute(sa.text("INSERT INTO report_state (report_key, source, source_id, version, stale, tier_rank) "
                             "VALUES ('ncmec/90000004', 'ncmec', '90000004', 1, true, 5)"))

    migrate(engine)

    with engine.connect() as conn:
        rows = [tuple(r) for r in conn.execute(sa.select(schema.match_counts))]
    assert rows == [("ncmec/90000001", "f1", "vics", "e1")]
