"""An index in the queue's exact order (tier, score descending, age, key): a page is a range scan, at any size.

Revision ID: 0003_queue_order
Revises: 0002_access
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_queue_order"
down_revision = "0002_access"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # PostgreSQL sorts NULLs first in a descending index unless told; SQLite already puts them last
    score = "score DESC NULLS LAST" if op.get_bind().dialect.name == "postgresql" else "score DESC"
    op.drop_index("ix_report_state_queue", table_name="report_state")
    op.create_index(
        "ix_report_state_queue_order", "report_state", ["tier_rank", sa.text(score), "received_at", "report_key"],
    )
    op.create_index(
        "ix_report_state_country_order", "report_state",
        ["country", "tier_rank", sa.text(score), "received_at", "report_key"],
    )


def downgrade() -> None:
    op.drop_index("ix_report_state_country_order", table_name="report_state")
    op.drop_index("ix_report_state_queue_order", table_name="report_state")
    op.create_index("ix_report_state_queue", "report_state", ["tier_rank", "score", "received_at"])
