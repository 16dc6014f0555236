"""Notice and takedown: URL reports, notices and their steps, the unit's network table, the URL reports'
quarantine.

Revision ID: 0013_takedown
Revises: 0012_operations

New tables only (created from their declarations in `store/takedown.py`; a later change to them is an explicit
step of a later revision).
"""

from __future__ import annotations

from alembic import op

from lanzarote.store import takedown

revision = "0013_takedown"
down_revision = "0012_operations"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for table in takedown.TABLES:
        table.create(op.get_bind(), checkfirst=True)


def downgrade() -> None:
    for table in reversed(takedown.TABLES):
        table.drop(op.get_bind(), checkfirst=True)
