"""Deconfliction between nodes (issue 20): node identity, peers, outbox and inbox, identifiers and their tokens,
hits, the hub's tokens, hits and rate, names, exchanges, planned actions and their conflicts.

Revision ID: 0011_deconfliction
Revises: 0010_logins
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from lanzarote.store.metadata import metadata

revision = "0011_deconfliction"
down_revision = "0010_logins"
branch_labels = None
depends_on = None

_META = sa.MetaData(naming_convention=metadata.naming_convention)
TABLES = (  # as this revision makes them
    sa.Table(
        "dc_node", _META,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("agency", sa.String(40), nullable=False),
        sa.Column("role", sa.String(10), nullable=False),
        sa.Column("url", sa.String(300), nullable=False),
        sa.Column("key_file", sa.String(1000), nullable=False),
        sa.Column("oprf_key_file", sa.String(1000)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    ),
    sa.Table(
        "dc_peers", _META,
        sa.Column("agency", sa.String(40), primary_key=True),
        sa.Column("role", sa.String(10), nullable=False),
        sa.Column("url", sa.String(300), nullable=False),
        sa.Column("public_key", sa.String(100), nullable=False),
        sa.Column("key_id", sa.String(40), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("failures", sa.Integer, nullable=False),
        sa.Column("next_try_at", sa.DateTime(timezone=True)),
        sa.Column("last_error", sa.Text),
        sa.Column("last_ok_at", sa.DateTime(timezone=True)),
    ),
    sa.Table(
        "dc_outbox", _META,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("peer", sa.String(40), nullable=False),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("message_id", sa.String(40), nullable=False, unique=True),
        sa.Column("body", sa.LargeBinary, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("next_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_error", sa.Text),
        sa.Column("sent_at", sa.DateTime(timezone=True)),
        sa.Index("ix_dc_outbox_due", "sent_at", "peer", "id"),
    ),
    sa.Table(
        "dc_inbox", _META,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("peer", sa.String(40)),
        sa.Column("kind", sa.String(30)),
        sa.Column("message_id", sa.String(40)),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("outcome", sa.String(10), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Index("ix_dc_inbox_message", "message_id"),
    ),
    sa.Table(
        "dc_identifiers", _META,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("value", sa.String(400), nullable=False),
        sa.Column("report_key", sa.String(300), nullable=False),
        sa.Column("reference", sa.String(40), nullable=False, unique=True),
        sa.Column("since", sa.DateTime(timezone=True), nullable=False),
        sa.Column("token", sa.String(64)),
        sa.Column("state", sa.String(10), nullable=False),
        sa.Index("ix_dc_identifiers_value", "kind", "value", unique=True),
        sa.Index("ix_dc_identifiers_state", "state", "id"),
    ),
    sa.Table(
        "dc_hits", _META,
        sa.Column("hit_id", sa.String(40), primary_key=True),
        sa.Column("reference", sa.String(40), nullable=False, index=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("other_agency", sa.String(40), nullable=False),
        sa.Column("other_reference", sa.String(40), nullable=False),
        sa.Column("other_since", sa.DateTime(timezone=True), nullable=False),
        sa.Column("found_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("similarity", sa.Float),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("marked_by", sa.String(100)),
        sa.Column("marked_at", sa.DateTime(timezone=True)),
    ),
    sa.Table(
        "dc_hub_tokens", _META,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("token", sa.LargeBinary(16), nullable=False),
        sa.Column("agency", sa.String(40), nullable=False),
        sa.Column("reference", sa.String(40), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("since", sa.DateTime(timezone=True), nullable=False),
        sa.Index("ix_dc_hub_tokens_token", "token", "agency", unique=True),
    ),
    sa.Table(
        "dc_hub_hits", _META,
        sa.Column("hit_id", sa.String(40), primary_key=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("agency_a", sa.String(40), nullable=False),
        sa.Column("reference_a", sa.String(40), nullable=False),
        sa.Column("agency_b", sa.String(40), nullable=False),
        sa.Column("reference_b", sa.String(40), nullable=False),
        sa.Column("similarity", sa.Float),
        sa.Column("found_at", sa.DateTime(timezone=True), nullable=False),
    ),
    sa.Table(
        "dc_rate", _META,
        sa.Column("agency", sa.String(40), primary_key=True),
        sa.Column("window_start", sa.DateTime(timezone=True), primary_key=True),
        sa.Column("points", sa.Integer, nullable=False),
    ),
    sa.Table(
        "dc_names", _META,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("exchange", sa.String(60), nullable=False),
        sa.Column("agency", sa.String(40), nullable=False),
        sa.Column("reference", sa.String(40), nullable=False),
        sa.Column("clk", sa.LargeBinary, nullable=False),
        sa.Column("since", sa.DateTime(timezone=True), nullable=False),
        sa.Column("report_key", sa.String(300)),
        sa.Column("state", sa.String(10), nullable=False),
        sa.Index("ix_dc_names_exchange", "exchange", "agency", "reference", unique=True),
    ),
    sa.Table(
        "dc_exchanges", _META,
        sa.Column("name", sa.String(60), primary_key=True),
        sa.Column("key_file", sa.String(1000), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
    ),
    sa.Table(
        "dc_actions", _META,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("agency", sa.String(40), nullable=False),
        sa.Column("reference", sa.String(40), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("starts", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends", sa.DateTime(timezone=True), nullable=False),
        sa.Column("place", sa.Text),
        sa.Column("subject_id", sa.String(40)),
        sa.Column("cells", sa.Text, nullable=False),
        sa.Column("subject_tokens", sa.Text, nullable=False),
        sa.Column("created_by", sa.String(100)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("state", sa.String(10), nullable=False),
        sa.Index("ix_dc_actions_ref", "agency", "reference", unique=True),
        sa.Index("ix_dc_actions_time", "starts", "ends"),
    ),
    sa.Table(
        "dc_conflicts", _META,
        sa.Column("conflict_id", sa.String(40), primary_key=True),
        sa.Column("reference", sa.String(40), nullable=False),
        sa.Column("other_agency", sa.String(40), nullable=False),
        sa.Column("other_reference", sa.String(40), nullable=False),
        sa.Column("agency", sa.String(40)),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("starts", sa.DateTime(timezone=True), nullable=False),
        sa.Column("found_at", sa.DateTime(timezone=True), nullable=False),
    ),
)


def upgrade() -> None:
    for table in TABLES:
        table.create(op.get_bind())


def downgrade() -> None:
    for table in reversed(TABLES):
        table.drop(op.get_bind())
