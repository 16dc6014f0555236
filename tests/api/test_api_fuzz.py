"""The API against its own published schema, fuzzed by schemathesis (bounded: a few examples per operation)."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import positive_data_acceptance
from sqlalchemy import Engine

from lanzarote.web.app import create_app
from tests.web.conftest import PASSWORD


@pytest.fixture
def api(web_engine: Engine) -> Any:
    app = create_app(web_engine, "fuzz")
    with TestClient(app) as client:
        token = client.post("/api/v1/login", data={"username": "hub-analyst", "password": PASSWORD}).json()["token"]
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", app)
    schema.token = token  # type: ignore[attr-defined]
    return schema


def test_the_api_keeps_its_published_contract(api: Any) -> None:
    operations = [result.ok() for result in api.get_all_operations()]
    assert {op.path for op in operations} >= {"/api/v1/queue", "/api/v1/reports/{report_id}", "/api/v1/login"}
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
        def call(case: Any) -> None:
            # a cursor is an opaque token and a decision needs a report in the right state: the schema cannot say
            # which strings are ours, so a schema-valid request may rightly answer 422 (never 5xx)
            case.call_and_validate(headers={"Authorization": f"Bearer {api.token}"},
                                   excluded_checks=[positive_data_acceptance])

        call()
