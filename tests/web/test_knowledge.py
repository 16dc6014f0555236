"""The knowledge base over HTTP: `/api/v1/kb`, `/api/v1/kb/{code}`, `/api/v1/kb/warnings` and the page `/kb/ES`."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from lanzarote.web.app import create_app


def test_the_api_serves_the_list_a_country_and_warnings(analyst: TestClient) -> None:
    assert len(analyst.get("/api/v1/kb").json()["countries"]) == 43
    croatia = analyst.get("/api/v1/kb/HR").json()
    assert croatia["restrictions"][0]["not_criminalised"] == ["coercion_self_generated_content"]
    assert analyst.get("/api/v1/kb/XX").status_code == 404
    warnings = analyst.post("/api/v1/kb/warnings", json={
        "requesting": "ES", "requested": "FR", "instrument": "mla", "data": ["connection"],
        "event_date": "2024-01-10", "request_date": "2025-02-10"}).json()
    assert [w["rule"] for w in warnings] == ["retention"] and warnings[0]["source_date"] == "2019-04-01"


def test_the_country_page_shows_facts_quotations_and_sources(analyst: TestClient) -> None:
    page = analyst.get("/kb/ES")
    assert page.status_code == 200
    assert "Technological Investigation Brigade" in page.text
    assert "<blockquote>" in page.text and "Question 16." in page.text and "not stated" in page.text
    assert 'href="/kb/ES"' in analyst.get("/kb").text


def test_the_knowledge_base_needs_a_signed_in_user(engine: Engine) -> None:
    with TestClient(create_app(engine, "test-secret")) as anonymous:
        assert anonymous.get("/api/v1/kb/ES").status_code == 401
