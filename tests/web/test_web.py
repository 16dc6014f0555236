"""The web application and API in-process: login, queue, report, need-to-know, audit."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import Engine, update

from lanzarote.store import audit
from lanzarote.store.db import session
from tests.web.conftest import PASSWORD, log_in
from tests.web.test_work import _all_pages


def test_pages_need_a_login(client: TestClient) -> None:
    assert client.get("/", follow_redirects=False).headers["location"] == "/login"
    problem = client.get("/api/v1/queue")
    assert problem.status_code == 401 and problem.headers["content-type"].startswith("application/problem+json")
    wrong = client.post("/login", data={"username": "hub-analyst", "password": "not it at all"})
    assert wrong.status_code == 401 and "Wrong user name, password or code" in wrong.text


def test_the_queue_shows_p1_first_with_reason_chips(client: TestClient) -> None:
    log_in(client, "hub-analyst")
    page = client.get("/")
    assert page.status_code == 200
    tiers = re.findall(r'<span class="tier (P\d)">', page.text)
    assert tiers and tiers[0] == "P1" and tiers == sorted(tiers)
    assert 'class="chip"' in page.text
    api = client.get("/api/v1/queue").json()
    assert api["items"][0]["tier"] == "P1" and api["total"] >= len(api["items"])


def test_the_report_page_separates_provider_clearing_house_and_conclusions(client: TestClient) -> None:
    log_in(client, "hub-analyst")
    first = client.get("/api/v1/queue").json()["items"][0]
    page = client.get(f"/reports/{first['source']}/{first['report_id']}")
    assert page.status_code == 200
    for heading in ("Our conclusions", "What the provider said", "What NCMEC added", "Route"):
        assert heading in page.text
    assert "<img" not in page.text and "<video" not in page.text


def test_another_agencys_report_answers_like_a_missing_one(client: TestClient) -> None:
    log_in(client, "de-analyst")
    mine = client.get("/api/v1/queue").json()["items"]
    assert mine and all(i["country"] == "DE" for i in mine)
    client.cookies.clear()
    log_in(client, "hub-analyst")
    foreign = next(i for i in client.get("/api/v1/queue?offset=0").json()["items"] if i["country"] != "DE")
    client.cookies.clear()
    log_in(client, "de-analyst")
    hidden = client.get(f"/api/v1/reports/{foreign['report_id']}")
    missing = client.get("/api/v1/reports/99999999")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json()["title"] == missing.json()["title"] == "NotFound"
    assert client.get(f"/reports/ncmec/{foreign['report_id']}").status_code == 404


def test_victim_details_only_for_roles_that_need_them(client: TestClient) -> None:
    log_in(client, "hub-analyst")
    items = _all_pages(client, "/api/v1/queue")
    with_victim = None
    for item in items:
        detail = client.get(f"/api/v1/reports/{item['source']}/{item['report_id']}").json()
        if any(p.get("role") == "victim" for p in detail["report"]["parties"]):
            with_victim = f"{item['source']}/{item['report_id']}"
            assert all("pseudonym" in p for p in detail["report"]["parties"] if p.get("role") == "victim")
            break
    assert with_victim is not None, "the synthetic set plants reports with a victim"
    client.cookies.clear()
    log_in(client, "hub-victims")
    detail = client.get(f"/api/v1/reports/{with_victim}").json()
    assert all("pseudonym" not in p for p in detail["report"]["parties"])


def test_every_read_is_audited_and_a_quiet_edit_is_detected(client: TestClient, web_engine: Engine) -> None:
    log_in(client, "hub-analyst")
    first = client.get("/api/v1/queue").json()["items"][0]
    client.get(f"/api/v1/reports/{first['report_id']}")
    with session(web_engine) as s:
        trail = audit.entries(s)
        assert any(e["action"] == "read" and str(e["target"]).endswith(first["report_id"]) for e in trail)
        assert audit.verify(s) == []
        s.execute(update(audit.audit).where(audit.audit.c.action == "read").values(actor="someone-else"))
    with session(web_engine) as s:
        assert any("changed" in p for p in audit.verify(s))


def test_logout_needs_the_forms_csrf_token(client: TestClient) -> None:
    log_in(client, "hub-analyst")
    assert client.post("/logout", data={"csrf": "forged"}, follow_redirects=False).status_code == 403
    page = client.get("/")
    token = re.search(r'name="csrf" value="([0-9a-f]+)"', page.text)
    assert token is not None
    assert client.post("/logout", data={"csrf": token.group(1)}, follow_redirects=False).status_code == 303
    assert client.get("/", follow_redirects=False).status_code == 303


def test_api_tokens_for_integrations(client: TestClient) -> None:
    token = client.post("/api/v1/login", data={"username": "hub-analyst", "password": PASSWORD}).json()["token"]
    client.cookies.clear()
    response = client.get("/api/v1/queue", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200 and response.json()["items"]
