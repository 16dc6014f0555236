"""Credentials: the second factors' TOTP secrets sealed (AES-GCM under a key derived from the secret key), and a
password an administrator reset to a temporary one marked with when (it expires, and must be changed at the next
login).

Revision ID: 0015_credentials
Revises: 0014_cases_web

The secrets kept in clear until now are sealed here, all at once, rather than each at its next use: a secret of an
account that never logs in again would otherwise stay readable in the database and in every backup made from then
on, and the login would keep a clear-text branch for ever. The column is widened for the sealed form (a 32-character
secret takes 80). The downgrade opens them again (it needs the same key).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from lanzarote.store import sealing

revision = "0015_credentials"
down_revision = "0014_cases_web"
branch_labels = None
depends_on = None

_factors = sa.table("second_factors", sa.column("user_id", sa.Integer), sa.column("secret", sa.String))


def _where(user_id: int) -> str:
    return f"second_factors/{user_id}"  # as store.factors.where binds them


def upgrade() -> None:
    bind = op.get_bind()
    if "password_reset_at" not in {c["name"] for c in sa.inspect(bind).get_columns("users")}:
        op.add_column("users", sa.Column("password_reset_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("second_factors") as batch:
        batch.alter_column("secret", type_=sa.String(200), existing_type=sa.String(64), existing_nullable=False)
    for row in bind.execute(sa.select(_factors.c.user_id, _factors.c.secret)).all():
        if not sealing.is_sealed(row.secret):
            bind.execute(sa.update(_factors).where(_factors.c.user_id == row.user_id)
                         .values(secret=sealing.seal(row.secret, _where(row.user_id))))


def downgrade() -> None:
    bind = op.get_bind()
    for row in bind.execute(sa.select(_factors.c.user_id, _factors.c.secret)).all():
        if sealing.is_sealed(row.secret):
            bind.execute(sa.update(_factors).where(_factors.c.user_id == row.user_id)
                         .values(secret=sealing.unseal(row.secret, _where(row.user_id))))
    with op.batch_alter_table("second_factors") as batch:
        batch.alter_column("secret", type_=sa.String(64), existing_type=sa.String(200), existing_nullable=False)
    if bind.dialect.name == "sqlite":  # in place (SQLite 3.35+): a batch copy of users would break its foreign keys
        bind.execute(sa.text("ALTER TABLE users DROP COLUMN password_reset_at"))
    else:
        op.drop_column("users", "password_reset_at")
