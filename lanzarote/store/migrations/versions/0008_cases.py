"""Cases and legal requests: cases with their agencies, reports, subjects, tasks and append-only timeline; requests
with their steps and clocks.

Revision ID: 0008_cases
Revises: 0007_owners
"""

from __future__ import annotations

from alembic import op

from lanzarote.store import cases

revision = "0008_cases"
down_revision = "0007_owners"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    for table in cases.TABLES:
        table.create(bind)


def downgrade() -> None:
    bind = op.get_bind()
    for table in reversed(cases.TABLES):
        table.drop(bind)
