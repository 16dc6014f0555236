"""A legal request's clocks carry their next-due instant, indexed: the deadlines view counts and pages its buckets
(overdue, today, this week, to chase) in SQL instead of reading every running clock. Each package's current word
(the latest version of each stage of its feedback, summed) is kept in `package_outcomes`: the funnel is one pass over
the packages.

Revision ID: 0014_cases_web
Revises: 0013_takedown

`next_due` is the clock's deadline, or, for a clock without one, when its own chase period is up (NULL for a clock
with neither: it is chased after the `chase_days` setting, read from its start). Existing clocks are filled in.
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from alembic import op

from lanzarote.store import packages

revision = "0014_cases_web"
down_revision = "0013_takedown"
branch_labels = None
depends_on = None

INDEX = "ix_request_clocks_running_next_due"


def upgrade() -> None:
    bind = op.get_bind()
    if "next_due" not in {c["name"] for c in sa.inspect(bind).get_columns("request_clocks")}:
        op.add_column("request_clocks", sa.Column("next_due", sa.DateTime(timezone=True), nullable=True))
    if INDEX not in {i["name"] for i in sa.inspect(bind).get_indexes("request_clocks")}:
        op.create_index(INDEX, "request_clocks", ["running", "next_due"])
    clocks = sa.table("request_clocks", sa.column("id", sa.Integer), sa.column("due_at", sa.DateTime(timezone=True)),
                      sa.column("started_at", sa.DateTime(timezone=True)), sa.column("chase_days", sa.Integer),
                      sa.column("next_due", sa.DateTime(timezone=True)))
    bind.execute(sa.update(clocks).where(clocks.c.due_at.is_not(None), clocks.c.next_due.is_(None))
                 .values(next_due=clocks.c.due_at))
    rows = bind.execute(sa.select(clocks.c.id, clocks.c.started_at, clocks.c.chase_days).where(
        clocks.c.due_at.is_(None), clocks.c.next_due.is_(None), clocks.c.chase_days > 0)).all()
    for row in rows:
        bind.execute(sa.update(clocks).where(clocks.c.id == row.id)
                     .values(next_due=row.started_at + timedelta(days=row.chase_days)))
    if not sa.inspect(bind).has_table("package_outcomes"):
        packages.package_outcomes.create(bind)
        bind.execute(sa.insert(packages.package_outcomes).from_select(
            ["package_id", *packages.OUTCOME_COLUMNS], packages.outcomes_query(None)))


def downgrade() -> None:
    packages.package_outcomes.drop(op.get_bind(), checkfirst=True)
    op.drop_index(INDEX, table_name="request_clocks")
    op.drop_column("request_clocks", "next_due")
