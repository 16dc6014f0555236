"""Every answer carries the security headers; pages and API answers are never cached; HSTS only over HTTPS; no
documentation page that loads a CDN's JavaScript."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from lanzarote.web.app import create_app


def test_pages_and_api_answers_carry_the_security_headers_and_are_not_cached(analyst: TestClient) -> None:
    for path in ("/", "/api/v1/queue", "/api/v1/reports/no-such-report", "/login"):
        answer = analyst.get(path)
        policy = answer.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in policy and "script-src 'self'" in policy and "unsafe-inline" not in policy
        assert answer.headers["x-content-type-options"] == "nosniff"
        assert answer.headers["referrer-policy"] == "no-referrer"
        assert answer.headers["cache-control"] == "no-store", path
        assert "strict-transport-security" not in answer.headers  # plain HTTP: the browser would ignore it
    assert "no-store" not in analyst.get("/static/style.css").headers.get("cache-control", "")


def test_hsts_is_sent_over_https(engine: Engine) -> None:
    with TestClient(create_app(engine, "test-secret"), base_url="https://testserver") as client:
        assert client.get("/login").headers["strict-transport-security"].startswith("max-age=")


def test_no_documentation_page_loads_a_cdn(analyst: TestClient) -> None:
    assert analyst.get("/api/docs").status_code == 404 and analyst.get("/api/redoc").status_code == 404
    assert analyst.get("/api/v1/openapi.json").json()["info"]["title"] == "Lanzarote"
