"""Logins: failed attempts shared by every server process, and second factors (TOTP and recovery codes).

Revision ID: 0010_logins
Revises: 0007_owners

`login_throttle` replaces the per-process memory of failed logins; `second_factors` and `recovery_codes` hold
each user's TOTP secret and the hashes of their recovery codes.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from lanzarote.store.metadata import metadata

revision = "0010_logins"
down_revision = "0009_packages"
branch_labels = None
depends_on = None

_META = sa.MetaData(naming_convention=metadata.naming_convention)
TABLES = (  # as this revision makes them
    sa.Table(
        "login_throttle", _META,
        sa.Column("key", sa.String(200), primary_key=True),
        sa.Column("failures", sa.Integer, nullable=False),
        sa.Column("next_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_at", sa.DateTime(timezone=True), nullable=False),
    ),
    sa.Table(
        "second_factors", _META,
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), primary_key=True),
        sa.Column("secret", sa.String(64), nullable=False),
        sa.Column("confirmed_at", sa.DateTime(timezone=True)),
        sa.Column("last_step", sa.Integer),
    ),
    sa.Table(
        "recovery_codes", _META,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False, index=True),
        sa.Column("code_sha256", sa.String(64), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True)),
    ),
)
sa.Table("users", _META, sa.Column("id", sa.Integer, primary_key=True))  # what the foreign keys point at


def upgrade() -> None:
    for table in TABLES:
        table.create(op.get_bind())


def downgrade() -> None:
    for table in reversed(TABLES):
        table.drop(op.get_bind())
