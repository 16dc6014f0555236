"""The core tables: reports and their versions, attached documents, quarantine, and each report's current state.

A report's key string is `source/source_id` (`report_key`); every table that refers to a report uses it, so the
stages' results can be written without looking up surrogate ids. JSON payloads are stored as text written by the
models (`model_dump_json`), identical on SQLite and PostgreSQL.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Float,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from lanzarote.store.metadata import metadata

ingest_runs = Table(
    "ingest_runs",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True)),
    Column("paths", Text, nullable=False),
    Column("summary", Text),
)

reports = Table(
    "reports",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("report_key", String(300), nullable=False),
    Column("source", String(100), nullable=False),
    Column("source_id", String(200), nullable=False),
    Column("version", Integer, nullable=False),
    Column("latest", Boolean, nullable=False),
    Column("content_sha256", String(64), nullable=False),
    Column("origin", String(30), nullable=False),
    Column("received_at", DateTime(timezone=True)),
    Column("ingested_at", DateTime(timezone=True), nullable=False),
    Column("run_id", Integer),
    Column("location", Text),
    Column("document", Text, nullable=False),
    UniqueConstraint("report_key", "version", name="uq_reports_key_version"),
)
Index("ix_reports_source_id", reports.c.source_id)

report_files = Table(
    "report_files",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("report_key", String(300), nullable=False),
    Column("file_id", String(200), nullable=False),
    Column("content_sha256", String(64), nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
    Column("location", Text),
    Column("document", Text, nullable=False),
    Column("version", Integer, nullable=False, server_default="1"),
    UniqueConstraint("report_key", "file_id", name="uq_report_files_key_file"),
)
"""The current `fileDetails` of each file of a report; the earlier ones are in `report_file_versions`."""

report_file_versions = Table(
    "report_file_versions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("report_key", String(300), nullable=False),
    Column("file_id", String(200), nullable=False),
    Column("version", Integer, nullable=False),
    Column("content_sha256", String(64), nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
    Column("location", Text),
    Column("document", Text, nullable=False),
    UniqueConstraint("report_key", "file_id", "version", name="uq_report_file_versions_key_file_version"),
)
"""Each `fileDetails` a later one replaced, kept as it was: who asserted what, and when, matters in court."""

clearing_house_layers = Table(
    "clearing_house_layers",
    metadata,
    Column("report_key", String(300), primary_key=True),
    Column("content_sha256", String(64), nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
    Column("document", Text, nullable=False),
    Column("version", Integer, nullable=False, server_default="1"),
)
"""The current clearing-house layer of each report; the earlier ones are in `clearing_house_layer_versions`."""

clearing_house_layer_versions = Table(
    "clearing_house_layer_versions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("report_key", String(300), nullable=False),
    Column("version", Integer, nullable=False),
    Column("content_sha256", String(64), nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
    Column("document", Text, nullable=False),
    UniqueConstraint("report_key", "version", name="uq_clearing_house_layer_versions_key_version"),
)
"""Each clearing-house layer a later one replaced, kept as it was."""

quarantine = Table(
    "quarantine",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("location", Text, nullable=False),
    Column("content_sha256", String(64)),
    Column("reason", Text, nullable=False),
    Column("size", Integer),
    Column("received_at", DateTime(timezone=True), nullable=False),
    Column("resolved_at", DateTime(timezone=True)),
    Column("resolution", Text),
)
Index("ix_quarantine_sha256", quarantine.c.content_sha256)

report_state = Table(
    "report_state",
    metadata,
    Column("report_key", String(300), primary_key=True),
    Column("source", String(100), nullable=False),
    Column("source_id", String(200), nullable=False),
    Column("received_at", DateTime(timezone=True)),
    Column("version", Integer, nullable=False),
    Column("stale", Boolean, nullable=False),
    Column("tier", String(2)),
    Column("tier_rank", Integer, nullable=False),
    Column("score", Float),
    Column("country", String(2)),
    Column("authority", Text),
    Column("subject_id", String(40)),
    Column("verdicts", Text),
    Column("route", Text),
    Column("triage", Text),
    Column("linked_reports", Text),
    Column("rules_version", String(60)),
    Column("processed_at", DateTime(timezone=True)),
    Column("provider", String(200)),
    Column("incident_type", String(200)),
    Column("assigned_to", String(100)),
    Column("first_action_at", DateTime(timezone=True)),
)
# The indexes as the migrations leave them (0003, 0004, 0005, 0006; `tests/store/test_migrations.py` compares): the
# queue's order, a country's and an authority's queue in that order, the filters, and the keys still to process. Those
# that leave NULL out (or keep only stale rows) say so; PostgreSQL's descending score puts NULLs last, as SQLite does.
_ORDER = (report_state.c.tier_rank, report_state.c.score.desc().nulls_last(), report_state.c.received_at,
          report_state.c.report_key)
Index("ix_report_state_queue_order", *_ORDER)
Index("ix_report_state_country_order", report_state.c.country, *_ORDER,
      sqlite_where=report_state.c.country.is_not(None), postgresql_where=report_state.c.country.is_not(None))
Index("ix_report_state_authority_order", report_state.c.authority, *_ORDER,
      sqlite_where=report_state.c.authority.is_not(None), postgresql_where=report_state.c.authority.is_not(None))
Index("ix_report_state_stale_keys", report_state.c.report_key,
      sqlite_where=report_state.c.stale.is_(True), postgresql_where=report_state.c.stale.is_(True))
Index("ix_report_state_subject", report_state.c.subject_id)
Index("ix_report_state_source_id", report_state.c.source_id)
Index("ix_report_state_assigned_to", report_state.c.assigned_to)
Index("ix_report_state_provider", report_state.c.provider,
      sqlite_where=report_state.c.provider.is_not(None), postgresql_where=report_state.c.provider.is_not(None))
Index("ix_report_state_incident_type", report_state.c.incident_type, sqlite_where=report_state.c.incident_type.is_not(
    None), postgresql_where=report_state.c.incident_type.is_not(None))

match_counts = Table(
    "match_counts",
    metadata,
    Column("report_key", String(300), primary_key=True),
    Column("file_id", String(200), primary_key=True),
    Column("list_name", String(64), primary_key=True),
    Column("entry_id", Text, primary_key=True),
)
"""The flood counts (`lanzarote.media.library.FLOOD_MATCHES`): one row per file of a settled report whose match with
a list entry is trusted (not flood-flagged), as its stored verdicts say. Written with the verdicts, in the same
transaction, so a run starts counting where the last one left off without reading every stored verdict."""

route_overrides = Table(
    "route_overrides",
    metadata,
    Column("report_key", String(300), primary_key=True),
    Column("country", String(2), nullable=False),
    Column("authority", String(300)),
    Column("reason", Text, nullable=False),
    Column("decided_by", String(100), nullable=False),
    Column("decided_at", DateTime(timezone=True), nullable=False),
)

identifiers = Table(
    "identifiers",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("report_key", String(300), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("value", String(400), nullable=False),
    Column("at", DateTime(timezone=True)),
    Column("proxy", Boolean, nullable=False),
    Column("strong", Boolean, nullable=False),
    Column("account", String(300)),
)
Index("ix_identifiers_value", identifiers.c.value)
Index("ix_identifiers_report_key", identifiers.c.report_key)

links = Table(
    "links",
    metadata,
    Column("report_a", String(300), primary_key=True),
    Column("report_b", String(300), primary_key=True),
    Column("identifiers", Text, nullable=False),
)
Index("ix_links_report_b", links.c.report_b)

held_identifiers = Table(
    "held_identifiers",
    metadata,
    Column("kind", String(20), primary_key=True),
    Column("value", String(400), primary_key=True),
    Column("reason", Text, nullable=False),
    Column("reports", Integer, nullable=False),
)

suggestions = Table(
    "suggestions",
    metadata,
    Column("report_a", String(300), primary_key=True),
    Column("report_b", String(300), primary_key=True),
    Column("probability", Float, nullable=False),
    Column("evidence", Text, nullable=False),
    Column("status", String(12), nullable=False),
    Column("decided_by", String(100)),
    Column("decided_at", DateTime(timezone=True)),
)

TIER_RANK = {"P1": 1, "P2": 2, "P3": 3, "P4": 4}
"""`tier_rank` of each tier: the queue's order, and what a tier filter uses (the queue indexes lead with it)."""
TIER_RANK_UNRANKED = 9
"""`tier_rank` of a report no stage has ranked yet (P1..P4 rank 1..4)."""
