"""Operations: agencies and links, targets and disputes over who arrests them, the action day's plan and the
states' versioned results, coordination meetings (participants, agenda, decisions), joint investigation teams and
their results.

Revision ID: 0012_operations
Revises: 0011_deconfliction

New tables only (created from their declarations in `store/operations.py`; a later change to them is an explicit
step of a later revision).
"""

from __future__ import annotations

from alembic import op

from lanzarote.store import operations

revision = "0012_operations"
down_revision = "0011_deconfliction"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for table in operations.TABLES:
        table.create(op.get_bind(), checkfirst=True)


def downgrade() -> None:
    for table in reversed(operations.TABLES):
        table.drop(op.get_bind(), checkfirst=True)
