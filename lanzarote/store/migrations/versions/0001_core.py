"""Core tables: reports and versions, attached files and clearing-house layers, quarantine, report state,
identifiers, links, held identifiers and suggestions.

Revision ID: 0001_core
Revises:
"""

from __future__ import annotations

from alembic import op

from lanzarote.store import schema

revision = "0001_core"
down_revision = None
branch_labels = None
depends_on = None

TABLES = (
    schema.ingest_runs,
    schema.reports,
    schema.report_files,
    schema.clearing_house_layers,
    schema.quarantine,
    schema.report_state,
    schema.identifiers,
    schema.links,
    schema.held_identifiers,
    schema.suggestions,
)


def upgrade() -> None:
    bind = op.get_bind()
    for table in TABLES:
        table.create(bind)


def downgrade() -> None:
    bind = op.get_bind()
    for table in reversed(TABLES):
        table.drop(bind)
