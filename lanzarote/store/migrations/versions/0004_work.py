"""Agencies, API tokens, the work on a report (provider and incident type for the queue filters, assignment,
first action) and analysts' routing decisions.

Revision ID: 0004_work
Revises: 0003_queue_order

Reports with no received time take their ingest time, so that the queue's order (and its cursor) never meets a NULL.
Existing users keep their agency: the hub, or a national unit named by its country code.
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

from lanzarote.store import access, schema

revision = "0004_work"
down_revision = "0003_queue_order"
branch_labels = None
depends_on = None

NEW_COLUMNS = ("provider", "incident_type", "assigned_to", "first_action_at")

AGENCIES = sa.Table(  # as this revision made it (later ones add to it): frozen, not today's declaration
    "agencies",
    sa.MetaData(),
    sa.Column("code", sa.String(40), primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("country", sa.String(2)),
    sa.Column("authority", sa.String(300)),
)
BACKFILL_BATCH = 5000


def upgrade() -> None:
    bind = op.get_bind()
    # stores made before 0001's tables were frozen (2026-12-02) got these columns from 0001 already
    present = {c["name"] for c in sa.inspect(bind).get_columns("report_state")}
    for name in NEW_COLUMNS:
        if name not in present:
            column = schema.report_state.c[name]
            op.add_column("report_state", sa.Column(name, column.type, nullable=True))
    indexes = {i["name"] for i in sa.inspect(bind).get_indexes("report_state")}
    for name in ("assigned_to", "provider", "incident_type"):  # filters; a rare value is found at once
        if f"ix_report_state_{name}" not in indexes:
            op.create_index(f"ix_report_state_{name}", "report_state", [name])
    # a local authority's queue in queue order, as 0003 made the country's
    score = "score DESC NULLS LAST" if bind.dialect.name == "postgresql" else "score DESC"
    op.create_index("ix_report_state_authority_order", "report_state",
                    ["authority", "tier_rank", sa.text(score), "received_at", "report_key"])
    with op.batch_alter_table("users") as batch:  # agency codes of local authorities are longer than a country's
        batch.alter_column("agency", type_=sa.String(40), existing_nullable=False)
    AGENCIES.create(bind, checkfirst=True)
    access.api_tokens.create(bind, checkfirst=True)
    schema.route_overrides.create(bind, checkfirst=True)

    bind.execute(sa.text(
        "UPDATE report_state SET received_at = (SELECT r.ingested_at FROM reports r "
        "WHERE r.report_key = report_state.report_key AND r.latest) WHERE received_at IS NULL"))
    agencies = AGENCIES
    bind.execute(sa.insert(agencies).values(code=access.HUB, name="International hub", kind="hub"))
    codes = {c for (c,) in bind.execute(sa.select(access.users.c.agency).distinct())} - {access.HUB}
    for code in sorted(codes):
        bind.execute(sa.insert(agencies).values(code=code, name=f"National unit {code}", kind="national_unit",
                                                country=code[:2]))
    _backfill_provider_and_incident(bind)


def _backfill_provider_and_incident(bind: sa.Connection) -> None:
    r, s = schema.reports, schema.report_state
    last = ""
    while True:
        rows = bind.execute(sa.select(r.c.report_key, r.c.document).where(r.c.latest, r.c.report_key > last)
                            .order_by(r.c.report_key).limit(BACKFILL_BATCH)).all()
        if not rows:
            return
        values = []
        for key, document in rows:
            doc = json.loads(document)
            values.append({"b_key": key, "b_provider": (doc.get("reporter") or {}).get("name"),
                           "b_incident": doc.get("incident_type")})
        bind.execute(sa.update(s).where(s.c.report_key == sa.bindparam("b_key"))
                     .values(provider=sa.bindparam("b_provider"), incident_type=sa.bindparam("b_incident")), values)
        last = rows[-1][0]


def downgrade() -> None:
    schema.route_overrides.drop(op.get_bind())
    access.api_tokens.drop(op.get_bind())
    AGENCIES.drop(op.get_bind())
    op.drop_index("ix_report_state_authority_order", table_name="report_state")
    for name in ("assigned_to", "provider", "incident_type"):
        op.drop_index(f"ix_report_state_{name}", table_name="report_state")
    if op.get_bind().dialect.name == "postgresql":
        op.alter_column("users", "agency", type_=sa.String(10), existing_nullable=False)
    for name in NEW_COLUMNS:
        op.drop_column("report_state", name)
