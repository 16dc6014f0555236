"""What the use-case tests share: a report of one agency, uploads, and the audit trail's length."""

from __future__ import annotations

import io
import json

from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from lanzarote.store import audit
from lanzarote.store.db import session
from tests.web.conftest import log_in


def as_user(client: TestClient, username: str) -> None:
    client.cookies.clear()
    log_in(client, username)


def queue_of(client: TestClient) -> list[dict[str, object]]:
    items: list[dict[str, object]] = []
    cursor = None
    while True:
        body = client.get("/api/v1/queue" + (f"?cursor={cursor}" if cursor else "")).json()
        items.extend(body["items"])
        cursor = body["next_cursor"]
        if cursor is None:
            return items


def report_of(client: TestClient, country: str) -> dict[str, object]:
    """A report routed to `country`, found by the hub."""
    as_user(client, "hub-analyst")
    return next(i for i in queue_of(client) if i["country"] == country and i["source"] == "ncmec")


def upload(client: TestClient, name: str, content: bytes | dict[str, object]) -> dict[str, object]:
    data = json.dumps(content).encode() if isinstance(content, dict) else content
    answer = client.post("/api/v1/ingest", files={"upload": (name, io.BytesIO(data))})
    assert answer.status_code == 200, answer.text
    body: dict[str, object] = answer.json()
    return body


def trail_length(engine: Engine) -> int:
    with session(engine) as s:
        return int(s.execute(select(func.count()).select_from(audit.audit)).scalar_one())
