"""A processed synthetic store with users of three agencies: the hub (analyst, victim specialist, auditor,
administrator), the German national unit (analyst) and the French national unit (analyst); the hub may upload
reports of source `citizen`, France of `citizen-fr`."""

from __future__ import annotations

import hmac
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from lanzarote.pipeline.ingest import ingest
from lanzarote.pipeline.process import prepare_demo, process
from lanzarote.store import access
from lanzarote.store.db import session
from lanzarote.synth import generate
from lanzarote.web.app import create_app

PASSWORD = "correct horse battery"


@pytest.fixture
def web_engine(engine: Engine, tmp_path: Path) -> Engine:
    out = tmp_path / "synthetic"
    generate(out, 200, seed=4, workers=1)
    ingest(engine, [out / "ncmec", out / "ncmec-layers.jsonl"], workers=1)
    prepare_demo(engine, out)
    process(engine)
    now = datetime.now(UTC)
    with session(engine) as s:
        access.add_agency(s, "DE", "German national unit (fictional)", "national_unit", "DE")
        access.add_user(s, "hub-analyst", PASSWORD, "analyst", access.HUB, now)
        access.add_user(s, "de-analyst", PASSWORD, "analyst", "DE", now)
        access.add_user(s, "hub-victims", PASSWORD, "victim_identification", access.HUB, now)
        access.add_agency(s, "FR", "French national unit (fictional)", "national_unit", "FR")
        access.add_user(s, "fr-analyst", PASSWORD, "analyst", "FR", now)
        access.add_user(s, "hub-auditor", PASSWORD, "auditor", access.HUB, now)
        access.add_user(s, "hub-admin", PASSWORD, "administrator", access.HUB, now)
        access.grant_source(s, "citizen", access.HUB)  # what each agency's uploads may create
        access.grant_source(s, "citizen-fr", "FR")
    return engine


@pytest.fixture
def client(web_engine: Engine) -> Iterator[TestClient]:
    with TestClient(create_app(web_engine, "test-secret")) as c:
        yield c


def log_in(client: TestClient, username: str, secret: str = "test-secret") -> None:
    """Log in through the login page, and send what the pages' own calls to the API send with the cookie: the
    session's CSRF token and this site as the origin."""
    response = client.post("/login", data={"username": username, "password": PASSWORD}, follow_redirects=False)
    assert response.status_code == 303, response.text
    cookie = client.cookies.get("lanzarote_session")
    assert cookie is not None
    client.headers["X-CSRF-Token"] = hmac.new(secret.encode(), cookie.encode(), "sha256").hexdigest()
    client.headers["Origin"] = "http://testserver"


def csrf_of(client: TestClient, path: str = "/") -> str:
    """The CSRF token of a page's forms."""
    import re

    found = re.search(r'name="csrf" value="([0-9a-f]+)"', client.get(path).text)
    assert found is not None
    return found.group(1)


@pytest.fixture
def analyst(engine: Engine) -> Iterator[TestClient]:
    """The API of an empty store, logged in as an analyst of the hub."""
    with session(engine) as s:
        access.add_user(s, "hub-analyst", PASSWORD, "analyst", access.HUB, datetime.now(UTC))
    with TestClient(create_app(engine, "test-secret")) as client:
        log_in(client, "hub-analyst")
        yield client
