"""The country, authority, provider and incident-type indexes leave out the reports that have none of it yet.

Revision ID: 0006_unset_left_out
Revises: 0005_stale_keys

A report comes in with none of these set: the stages set them. Each index still held an entry for every new report,
which ingest wrote and processing deleted again. In the country and authority queue orders those entries sat at
random places (by received time), so over a million reports each one was a page of its own to write at ingest and
again at processing. These columns are only ever looked up by value (`country = 'FR'`), which the partial indexes
serve as before, so they now hold only the reports that have a value.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_unset_left_out"
down_revision = "0005_stale_keys"
branch_labels = None
depends_on = None


def _columns(dialect: str) -> dict[str, list[str | sa.TextClause]]:
    """Each index's columns, the one it leaves NULL out of first."""
    # PostgreSQL sorts NULLs first in a descending index unless told; SQLite already puts them last
    score = sa.text("score DESC NULLS LAST" if dialect == "postgresql" else "score DESC")
    order: list[str | sa.TextClause] = ["tier_rank", score, "received_at", "report_key"]
    return {
        "ix_report_state_country_order": ["country", *order],
        "ix_report_state_authority_order": ["authority", *order],
        "ix_report_state_provider": ["provider"],
        "ix_report_state_incident_type": ["incident_type"],
    }


def upgrade() -> None:
    for name, columns in _columns(op.get_bind().dialect.name).items():
        where = sa.text(f"{columns[0]} IS NOT NULL")
        op.drop_index(name, table_name="report_state")
        op.create_index(name, "report_state", columns, sqlite_where=where, postgresql_where=where)


def downgrade() -> None:
    for name, columns in _columns(op.get_bind().dialect.name).items():
        op.drop_index(name, table_name="report_state")
        op.create_index(name, "report_state", columns)
