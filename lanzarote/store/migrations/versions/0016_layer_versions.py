"""A report's `fileDetails` and clearing-house layers are versioned like the report itself: a later one for the same
file (or report) no longer overwrites the earlier, which moves, as it was, to `report_file_versions` (or
`clearing_house_layer_versions`); the current one keeps its place and carries its version number. What is stored
already is version 1.

Revision ID: 0016_layer_versions
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from lanzarote.store import schema

revision = "0016_layer_versions"
down_revision = "0015_credentials"
branch_labels = None
depends_on = None

CURRENT = ("report_files", "clearing_house_layers")
EARLIER = (schema.report_file_versions, schema.clearing_house_layer_versions)


def upgrade() -> None:
    bind = op.get_bind()
    for table in CURRENT:
        if "version" not in {c["name"] for c in sa.inspect(bind).get_columns(table)}:
            op.add_column(table, sa.Column("version", sa.Integer, nullable=False, server_default="1"))
    for earlier in EARLIER:
        earlier.create(bind, checkfirst=True)


def downgrade() -> None:
    bind = op.get_bind()
    for earlier in EARLIER:
        earlier.drop(bind, checkfirst=True)
    for table in CURRENT:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("version")
