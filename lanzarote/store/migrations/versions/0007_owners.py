"""Who may write what, and how to reach an agency: the sources each agency owns, and agencies' contacts.

Revision ID: 0007_owners
Revises: 0006_unset_left_out

An upload over the API is taken in its uploader's agency's name: it may create reports only of the sources that
agency owns (`agency_sources`), and never touch a report the agency cannot see. An agency's contact is what another
agency is shown when a report links to one it may not see.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_owners"
down_revision = "0006_unset_left_out"
branch_labels = None
depends_on = None

AGENCY_SOURCES = sa.Table(  # as this revision makes it
    "agency_sources",
    sa.MetaData(),
    sa.Column("source", sa.String(100), primary_key=True),
    sa.Column("agency", sa.String(40), nullable=False),
)


def upgrade() -> None:
    op.add_column("agencies", sa.Column("contact", sa.String(300), nullable=True))
    AGENCY_SOURCES.create(op.get_bind())


def downgrade() -> None:
    AGENCY_SOURCES.drop(op.get_bind())
    with op.batch_alter_table("agencies") as batch:
        batch.drop_column("contact")
