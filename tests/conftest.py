"""Shared fixtures: an isolated configuration for every test, and stores on both engines.

Store tests take the `engine` fixture and run once on SQLite and once on PostgreSQL; the PostgreSQL run needs
LANZAROTE_TEST_POSTGRES_URL (CI sets it) and is skipped with a message elsewhere. Each PostgreSQL test gets its
own schema, dropped afterwards, so tests never see each other's rows.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from sqlalchemy import Engine, create_engine, text

from lanzarote.store import access

POSTGRES_URL = os.environ.get("LANZAROTE_TEST_POSTGRES_URL")


@pytest.fixture(autouse=True)
def isolated_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test touches the working directory's database or data folder."""
    monkeypatch.setenv("LANZAROTE_DATABASE_URL", f"sqlite:///{tmp_path / 'lanzarote.db'}")
    monkeypatch.setenv("LANZAROTE_DATA_DIR", str(tmp_path / "data"))
    # the shared fixtures log administrators in with a password alone; tests/web/test_logins.py requires the
    # second factor of administrators (the default) and shows what it takes
    monkeypatch.setenv("LANZAROTE_SECOND_FACTOR_ROLES", "none")
    # refused logins are answered at once in tests; tests/web/test_logins.py shows the pause
    monkeypatch.setenv("LANZAROTE_LOGIN_REFUSAL_PAUSE_SECONDS", "0")
    # Argon2 with its cheapest parameters: the same algorithm and code path, a millisecond instead of 0.2 s of CPU
    # and 64 MiB a password (the suite creates and checks thousands); the server keeps argon2-cffi's defaults
    monkeypatch.setattr(access, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A PostgreSQL URL whose connections use a schema of their own (dropped afterwards)."""
    if not POSTGRES_URL:
        pytest.skip("PostgreSQL tests need LANZAROTE_TEST_POSTGRES_URL (CI sets it)")
    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {name}"))
    sep = "&" if "?" in POSTGRES_URL else "?"
    try:
        yield f"{POSTGRES_URL}{sep}options=-csearch_path%3D{name}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {name} CASCADE"))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    url: str = request.getfixturevalue("postgres_url")
    return url


@pytest.fixture
def engine(store_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    """A migrated store on each engine; the CLI in the same test uses it too."""
    from lanzarote.store.db import open_store

    monkeypatch.setenv("LANZAROTE_DATABASE_URL", store_url)
    eng = open_store(store_url)
    yield eng
    eng.dispose()
