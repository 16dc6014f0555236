"""The API against its own published schema, fuzzed by schemathesis (bounded: a few examples per operation), and
its state machine over the analyst's round, chained by OpenAPI links."""

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


def _operation_id(raw: dict[str, Any], method: str, path: str) -> str:
    return str(raw["paths"][path][method]["operationId"])


TAKE_IT = {"username": "hub-analyst"}
"""What an analyst does with a report of the queue: takes it (the assignment's root steps keep fuzzed bodies)."""


def _linked(raw: dict[str, Any]) -> dict[str, Any]:
    """The published schema with OpenAPI links for the analyst's round: an upload, then the queue, a report of it,
    its assignment (a report is named `source/report_id`, as the queue gives both)."""
    report = "/api/v1/reports/{report_id}"
    queue_item = "{$response.body#/items/0/source}/{$response.body#/items/0/report_id}"
    links = {
        ("post", "/api/v1/ingest"): {"Queue": {"operationId": _operation_id(raw, "get", "/api/v1/queue")}},
        ("get", "/api/v1/queue"): {
            "Report": {"operationId": _operation_id(raw, "get", report), "parameters": {"report_id": queue_item}},
            "Assign": {"operationId": _operation_id(raw, "put", report + "/assignment"),
                       "parameters": {"report_id": queue_item}, "requestBody": TAKE_IT}},
        ("get", report): {"Assign": {"operationId": _operation_id(raw, "put", report + "/assignment"),
                                     "parameters": {"report_id": "$request.path.report_id"},
                                     "requestBody": TAKE_IT}},
    }
    for (method, path), link in links.items():
        raw["paths"][path][method]["responses"]["200"]["links"] = link
    return raw


def test_the_analysts_round_upload_queue_report_assignment_never_fails_the_server(web_engine: Engine) -> None:
    """Schemathesis's state machine over the upload, the queue, a report and its assignment, each step fed by the
    one before through the links: a bounded run (a few scenarios of a few steps) with no 5xx and every answer as
    documented; the chain is walked to its end at least once."""
    import copy

    app = create_app(web_engine, "fuzz")
    with TestClient(app) as client:
        token = client.post("/api/v1/login", data={"username": "hub-analyst", "password": PASSWORD}).json()["token"]
    schema = schemathesis.openapi.from_dict(_linked(copy.deepcopy(app.openapi())))
    schema.app = app
    round_ = schema.include(path_regex=r"^/api/v1/(ingest|queue|reports/\{report_id\}(/assignment)?)$")
    seen: list[tuple[str, int]] = []

    class Round(round_.as_state_machine()):  # type: ignore[misc]
        def get_call_kwargs(self, case: Any) -> dict[str, Any]:
            return {"headers": {"Authorization": f"Bearer {token}"}}

        def after_call(self, response: Any, case: Any) -> None:
            super().after_call(response, case)
            seen.append((f"{case.method} {case.operation.path}", response.status_code))

        def validate_response(self, response: Any, case: Any, additional_checks: Any = None, **kwargs: Any) -> None:
            assert response.status_code < 500, f"{case.method} {case.formatted_path}: {response.status_code}"
            case.validate_response(response, excluded_checks=[positive_data_acceptance],
                                   transport_kwargs=kwargs or None)

    Round.run(settings=settings(max_examples=12, stateful_step_count=4, deadline=None, derandomize=True,
                                suppress_health_check=list(HealthCheck)))  # the same steps on every run
    assert ("GET /api/v1/reports/{report_id}", 200) in seen
    assert ("PUT /api/v1/reports/{report_id}/assignment", 200) in seen
