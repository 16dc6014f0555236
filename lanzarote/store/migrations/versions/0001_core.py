"""Core tables: reports and versions, attached files and clearing-house layers, quarantine, report state,
identifiers, links, held identifiers and suggestions.

Revision ID: 0001_core
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from lanzarote.store.metadata import metadata

revision = "0001_core"
down_revision = None
branch_labels = None
depends_on = None

_META = sa.MetaData(naming_convention=metadata.naming_convention)
# The tables as this revision made them: frozen here, not read from today's declarations, so that a later revision's
# change (0004's columns of report_state, 0003's and 0005's indexes) is made once, by that revision.

ingest_runs = sa.Table(
    "ingest_runs",
    _META,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("finished_at", sa.DateTime(timezone=True)),
    sa.Column("paths", sa.Text, nullable=False),
    sa.Column("summary", sa.Text),
)

reports = sa.Table(
    "reports",
    _META,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("report_key", sa.String(300), nullable=False),
    sa.Column("source", sa.String(100), nullable=False),
    sa.Column("source_id", sa.String(200), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("latest", sa.Boolean, nullable=False),
    sa.Column("content_sha256", sa.String(64), nullable=False),
    sa.Column("origin", sa.String(30), nullable=False),
    sa.Column("received_at", sa.DateTime(timezone=True)),
    sa.Column("ingested_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("run_id", sa.Integer),
    sa.Column("location", sa.Text),
    sa.Column("document", sa.Text, nullable=False),
    sa.UniqueConstraint("report_key", "version", name="uq_reports_key_version"),
)
sa.Index("ix_reports_source_id", reports.c.source_id)

report_files = sa.Table(
    "report_files",
    _META,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("report_key", sa.String(300), nullable=False),
    sa.Column("file_id", sa.String(200), nullable=False),
    sa.Column("content_sha256", sa.String(64), nullable=False),
    sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("location", sa.Text),
    sa.Column("document", sa.Text, nullable=False),
    sa.UniqueConstraint("report_key", "file_id", name="uq_report_files_key_file"),
)

clearing_house_layers = sa.Table(
    "clearing_house_layers",
    _META,
    sa.Column("report_key", sa.String(300), primary_key=True),
    sa.Column("content_sha256", sa.String(64), nullable=False),
    sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("document", sa.Text, nullable=False),
)

quarantine = sa.Table(
    "quarantine",
    _META,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("location", sa.Text, nullable=False),
    sa.Column("content_sha256", sa.String(64)),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("size", sa.Integer),
    sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("resolved_at", sa.DateTime(timezone=True)),
    sa.Column("resolution", sa.Text),
)
sa.Index("ix_quarantine_sha256", quarantine.c.content_sha256)

report_state = sa.Table(
    "report_state",
    _META,
    sa.Column("report_key", sa.String(300), primary_key=True),
    sa.Column("source", sa.String(100), nullable=False),
    sa.Column("source_id", sa.String(200), nullable=False),
    sa.Column("received_at", sa.DateTime(timezone=True)),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("stale", sa.Boolean, nullable=False),
    sa.Column("tier", sa.String(2)),
    sa.Column("tier_rank", sa.Integer, nullable=False),
    sa.Column("score", sa.Float),
    sa.Column("country", sa.String(2)),
    sa.Column("authority", sa.Text),
    sa.Column("subject_id", sa.String(40)),
    sa.Column("verdicts", sa.Text),
    sa.Column("route", sa.Text),
    sa.Column("triage", sa.Text),
    sa.Column("linked_reports", sa.Text),
    sa.Column("rules_version", sa.String(60)),
    sa.Column("processed_at", sa.DateTime(timezone=True)),
)
sa.Index("ix_report_state_queue", report_state.c.tier_rank, report_state.c.score, report_state.c.received_at)
sa.Index("ix_report_state_stale", report_state.c.stale)
sa.Index("ix_report_state_subject", report_state.c.subject_id)
sa.Index("ix_report_state_source_id", report_state.c.source_id)
sa.Index("ix_report_state_country", report_state.c.country)

identifiers = sa.Table(
    "identifiers",
    _META,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("report_key", sa.String(300), nullable=False),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("value", sa.String(400), nullable=False),
    sa.Column("at", sa.DateTime(timezone=True)),
    sa.Column("proxy", sa.Boolean, nullable=False),
    sa.Column("strong", sa.Boolean, nullable=False),
    sa.Column("account", sa.String(300)),
)
sa.Index("ix_identifiers_value", identifiers.c.value)
sa.Index("ix_identifiers_report_key", identifiers.c.report_key)

links = sa.Table(
    "links",
    _META,
    sa.Column("report_a", sa.String(300), primary_key=True),
    sa.Column("report_b", sa.String(300), primary_key=True),
    sa.Column("identifiers", sa.Text, nullable=False),
)
sa.Index("ix_links_report_b", links.c.report_b)

held_identifiers = sa.Table(
    "held_identifiers",
    _META,
    sa.Column("kind", sa.String(20), primary_key=True),
    sa.Column("value", sa.String(400), primary_key=True),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("reports", sa.Integer, nullable=False),
)

suggestions = sa.Table(
    "suggestions",
    _META,
    sa.Column("report_a", sa.String(300), primary_key=True),
    sa.Column("report_b", sa.String(300), primary_key=True),
    sa.Column("probability", sa.Float, nullable=False),
    sa.Column("evidence", sa.Text, nullable=False),
    sa.Column("status", sa.String(12), nullable=False),
    sa.Column("decided_by", sa.String(100)),
    sa.Column("decided_at", sa.DateTime(timezone=True)),
)

TABLES = (ingest_runs, reports, report_files, clearing_house_layers, quarantine, report_state, identifiers, links,
          held_identifiers, suggestions)


def upgrade() -> None:
    bind = op.get_bind()
    for table in TABLES:
        table.create(bind)


def downgrade() -> None:
    bind = op.get_bind()
    for table in reversed(TABLES):
        table.drop(bind)
