"""On PostgreSQL, `reports` and `audit` become tables partitioned by month (of a report's received time, of an
entry's writing), with a DEFAULT partition each; the rows stored move into them. SQLite is unchanged.

The unique rules the partitions cannot enforce alone ((report_key, version) of a report, an audit entry's id) are
kept by a trigger on each table (`store/partitions.py`); `audit`'s primary key gains its partition key, `at`, and
`reports` loses its primary key (a received time may be missing), its `id` still drawn from its sequence.

Revision ID: 0018_partitions
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from lanzarote.store import partitions
from lanzarote.store.partitions import PARTITIONED, Partitioned

revision = "0018_partitions"
down_revision = "0017_match_counts"
branch_labels = None
depends_on = None

INDEXES = {
    "reports": ["CREATE INDEX uq_reports_key_version ON reports (report_key, version)",
                "CREATE INDEX ix_reports_source_id ON reports (source_id)"],
    "audit": ["ALTER TABLE audit ADD CONSTRAINT pk_audit PRIMARY KEY (id, at)"],
}
"""What each partitioned table carries (on every partition): the look-ups of the unpartitioned table, the unique
ones without their uniqueness (the trigger keeps it across partitions)."""
UNPARTITIONED = {
    "reports": ["ALTER TABLE reports ADD CONSTRAINT pk_reports PRIMARY KEY (id)",
                "ALTER TABLE reports ADD CONSTRAINT uq_reports_key_version UNIQUE (report_key, version)",
                "CREATE INDEX ix_reports_source_id ON reports (source_id)"],
    "audit": ["ALTER TABLE audit ADD CONSTRAINT pk_audit PRIMARY KEY (id)"],
}
"""The same tables' constraints and indexes as 0001 and 0002 made them (the downgrade's)."""
def _run(statements: list[str]) -> None:
    for statement in statements:
        op.execute(sa.text(statement))


def _months(p: Partitioned, table: str) -> list[datetime]:
    """The months (UTC) that hold rows of `table` (each gets its partition; the present one and those ahead are
    made by `partitions.ensure`)."""
    rows = op.get_bind().execute(sa.text(
        f"SELECT DISTINCT date_trunc('month', {p.key} AT TIME ZONE 'UTC') FROM {table} WHERE {p.key} IS NOT NULL"))
    return sorted(m.replace(tzinfo=UTC) for (m,) in rows)


def _sequence(table: str) -> str:
    return str(op.get_bind().execute(sa.text(f"SELECT pg_get_serial_sequence('{table}', 'id')")).scalar_one())


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    for p in PARTITIONED:
        old = f"{p.table}_unpartitioned"
        op.execute(sa.text(f"ALTER TABLE {p.table} RENAME TO {old}"))
        op.execute(sa.text(f"CREATE TABLE {p.table} (LIKE {old} INCLUDING DEFAULTS) PARTITION BY RANGE ({p.key})"))
        op.execute(sa.text(f"CREATE TABLE {partitions.default_name(p.table)} PARTITION OF {p.table} DEFAULT"))
        for month in _months(p, old):
            partitions.make_month(bind, p, month)
        partitions.ensure(bind, datetime.now(UTC))
        op.execute(sa.text(f"INSERT INTO {p.table} SELECT * FROM {old}"))
        op.execute(sa.text(f"ALTER SEQUENCE {_sequence(old)} OWNED BY {p.table}.id"))
        op.execute(sa.text(f"DROP TABLE {old}"))  # and its indexes: their names are free for the new table's
        _run(INDEXES[p.table])
        _run(partitions.trigger_sql(p))


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    for p in PARTITIONED:
        old = f"{p.table}_partitioned"
        _run(partitions.drop_trigger_sql(p))
        op.execute(sa.text(f"ALTER TABLE {p.table} RENAME TO {old}"))
        op.execute(sa.text(f"CREATE TABLE {p.table} (LIKE {old} INCLUDING DEFAULTS)"))
        op.execute(sa.text(f"INSERT INTO {p.table} SELECT * FROM {old}"))
        op.execute(sa.text(f"ALTER SEQUENCE {_sequence(old)} OWNED BY {p.table}.id"))
        op.execute(sa.text(f"DROP TABLE {old}"))  # its partitions with it
        _run(UNPARTITIONED[p.table])
