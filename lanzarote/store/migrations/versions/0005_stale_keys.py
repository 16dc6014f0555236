"""The reports still to process, as a partial index in key order: the next batch is a short range scan.

Revision ID: 0005_stale_keys
Revises: 0004_work

The index on `stale` alone held every report (nearly all of them not stale) and gave the stale ones in no useful
order, so each batch sorted every stale report to take the next 2,000: about 10 ms a batch at 50,000 stale reports,
growing with the store. The partial index holds only stale reports, by key; a processed report leaves it.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_stale_keys"
down_revision = "0004_work"
branch_labels = None
depends_on = None


def _stale() -> sa.TextClause:
    # written as the queries write it (`stale IS 1` / `stale IS true`), so that both databases use the index
    return sa.text("stale IS true" if op.get_bind().dialect.name == "postgresql" else "stale IS 1")


def upgrade() -> None:
    op.drop_index("ix_report_state_stale", table_name="report_state")
    op.create_index("ix_report_state_stale_keys", "report_state", ["report_key"], sqlite_where=_stale(),
                    postgresql_where=_stale())


def downgrade() -> None:
    op.drop_index("ix_report_state_stale_keys", table_name="report_state")
    op.create_index("ix_report_state_stale", "report_state", ["stale"])
