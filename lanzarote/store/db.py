"""Engines for the two supported databases, and schema migration to the newest revision.

SQLite (embedded default) runs in WAL mode with foreign keys on; PostgreSQL is reached through psycopg 3.
Both go through the same code: the only difference handled here is connection set-up.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
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
    """An engine on the configured (or given) database, migrated to the newest schema."""
    engine = make_engine(url)
    migrate(engine)
    return engine


@contextmanager
def session(engine: Engine) -> Iterator[Session]:
    """A session that commits when the block ends normally and rolls back when it raises."""
    with Session(engine) as s, s.begin():
        yield s
