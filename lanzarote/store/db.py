"""Engines for the two supported databases, and schema migration to the newest revision.

SQLite (embedded default) runs in WAL mode with foreign keys on; PostgreSQL is reached through psycopg 3.
Both go through the same code: the only difference handled here is connection set-up.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, make_url
from sqlalchemy.orm import Session

from lanzarote import config
from lanzarote.errors import ConfigurationError

MIGRATIONS = Path(__file__).parent / "migrations"


def database_url(url: str | None = None) -> str:
    return url or str(config.get("database_url"))


def make_engine(url: str | None = None) -> Engine:
    """An engine for `url` (default: the configured database), with SQLite tuned for one writer, many readers."""
    url = database_url(url)
    if url.startswith("sqlite"):
        _private_file(make_url(url).database)
        engine = create_engine(url, connect_args={"timeout": 60})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA temp_store=MEMORY")
            cur.execute("PRAGMA cache_size=-200000")
            # the log is copied back into the database (and synced) once it holds 50,000 pages (200 MB), not 1,000:
            # over a million reports a processing batch writes about 13,000 pages, so every commit waited for a copy
            # and a sync; now it is one in about four, and a page written by several batches is copied once
            cur.execute("PRAGMA wal_autocheckpoint=50000")
            cur.close()

        return engine
    if url.startswith("postgresql"):
        return create_engine(url, pool_size=10, max_overflow=20, pool_pre_ping=True)
    raise ConfigurationError(f"unsupported database URL {url!r}: use sqlite:///FILE or postgresql+psycopg://...")


def _private_file(database: str | None) -> None:
    """Create the SQLite file readable by its owner only (0600) before SQLite does: SQLite gives its log and
    shared-memory files (-wal, -shm) the database file's mode, so they are private too."""
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    path = Path(database)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    if path.stat().st_mode & 0o077:
        path.chmod(0o600)


def migrate(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to the newest (or the given) Alembic revision, creating it on an empty database."""
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def open_store(url: str | None = None) -> Engine:
    """An engine on the configured (or given) database, migrated to the newest schema, with the partitions of the
    months ahead made (PostgreSQL)."""
    from lanzarote.store import partitions

    engine = make_engine(url)
    migrate(engine)
    partitions.ensure_ahead(engine, datetime.now(UTC))
    return engine


@contextmanager
def session(engine: Engine) -> Iterator[Session]:
    """A session that commits when the block ends normally and rolls back when it raises."""
    with Session(engine) as s, s.begin():
        yield s
