"""Users, sessions and the audit trail.

Revision ID: 0002_access
Revises: 0001_core
"""

from __future__ import annotations

from alembic import op

from lanzarote.store import access, audit

revision = "0002_access"
down_revision = "0001_core"
branch_labels = None
depends_on = None

TABLES = (access.users, access.sessions, audit.audit)


def upgrade() -> None:
    bind = op.get_bind()
    for table in TABLES:
        table.create(bind)


def downgrade() -> None:
    bind = op.get_bind()
    for table in reversed(TABLES):
        table.drop(bind)
