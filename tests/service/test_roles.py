"""Roles per agency: an agency's administrator manages its own users only, agencies are the hub's to add, and an
auditor sees their own agency's trail (the hub's auditor, all of it)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.service.helpers import as_user
from tests.web.conftest import PASSWORD


def _add(client: TestClient, username: str, role: str, agency: str) -> int:
    body = {"username": username, "password": PASSWORD, "role": role, "agency": agency}
    return client.post("/api/v1/users", json=body).status_code


def _german_staff(client: TestClient) -> None:
    as_user(client, "hub-admin")
    assert _add(client, "de-admin", "administrator", "DE") == 201
    assert _add(client, "de-auditor", "auditor", "DE") == 201


def test_an_agencys_administrator_manages_that_agency_only(client: TestClient) -> None:
    _german_staff(client)
    as_user(client, "de-admin")
    assert _add(client, "de-second", "analyst", "DE") == 201
    assert _add(client, "hub-takeover", "administrator", "HUB") == 403
    assert _add(client, "fr-takeover", "analyst", "FR") == 403
    agency = {"code": "XH", "name": "A second hub (fictional)", "kind": "hub"}
    assert client.post("/api/v1/agencies", json=agency).status_code == 403
    assert client.post("/api/v1/users/fr-analyst/disable").status_code == 404
    assert {u["agency"] for u in client.get("/api/v1/users").json()} == {"DE"}
    assert client.post("/api/v1/users/de-second/disable").status_code == 200
    as_user(client, "fr-analyst")  # still active
    assert client.get("/api/v1/queue").status_code == 200


def test_only_the_hubs_administrators_add_agencies_and_hub_users(client: TestClient) -> None:
    as_user(client, "hub-admin")
    agency = {"code": "ES", "name": "Spanish national unit (fictional)", "kind": "national_unit", "country": "ES",
              "contact": "desk@es.example.org"}
    added = client.post("/api/v1/agencies", json=agency)
    assert added.status_code == 201 and added.json()["contact"] == "desk@es.example.org"
    assert _add(client, "hub-second", "analyst", "HUB") == 201


def test_an_auditor_sees_their_own_agencys_trail(client: TestClient) -> None:
    _german_staff(client)
    as_user(client, "fr-analyst")
    client.get("/api/v1/queue")
    as_user(client, "de-analyst")
    client.get("/api/v1/queue")
    as_user(client, "de-auditor")
    seen = {e["actor"] for e in client.get("/api/v1/audit").json()}
    assert "de-analyst" in seen and "fr-analyst" not in seen and "hub-admin" not in seen
    assert client.get("/api/v1/audit?actor=fr-analyst").json() == []
    as_user(client, "hub-auditor")
    assert {"de-analyst", "fr-analyst", "hub-admin"} <= {e["actor"] for e in client.get("/api/v1/audit").json()}
