"""Alembic environment: runs on the connection handed over by `lanzarote.store.db.migrate`."""

from __future__ import annotations

from alembic import context

from lanzarote.store.db import make_engine
from lanzarote.store.metadata import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    with make_engine().begin() as conn:
        context.configure(connection=conn, target_metadata=metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
else:
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
