"""Intelligence packages: sent and received, their items and markings, the feedback on them, recipients'
ceilings and partners' keys.

Revision ID: 0009_packages
Revises: 0007_owners

New tables only (created from their declarations in `store/packages.py`; a later change to them is an explicit
step of a later revision).
"""

from __future__ import annotations

from alembic import op

from lanzarote.store import packages

revision = "0009_packages"
down_revision = "0008_cases"
branch_labels = None
depends_on = None

TABLES = (packages.packages, packages.package_items, packages.package_feedback, packages.recipient_ceilings,
          packages.partner_keys)


def upgrade() -> None:
    for table in TABLES:
        table.create(op.get_bind(), checkfirst=True)


def downgrade() -> None:
    for table in reversed(TABLES):
        table.drop(op.get_bind(), checkfirst=True)
